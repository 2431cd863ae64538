package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/metric"
)

// The HTML report draws its charts with Vega-Lite. Each figure becomes one
// Vega-Lite specification holding its aggregated data inline; the shared
// look (fonts, axes, legends) is one config object given to every chart.

// palette colours the series (compare arms) of every chart, in order: the
// Okabe–Ito colours, distinguishable with the common colour-vision
// deficiencies. The baseline is blue, the first alternative vermillion.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}

// Chart sizes in CSS pixels.
const (
	chartWidth  = 440
	chartHeight = 230
	facetWidth  = 200
	facetHeight = 130
	facetCols   = 4
)

// vegaConfig is the Vega-Lite config shared by every chart.
var vegaConfig = map[string]any{
	"font":       "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
	"background": "#ffffff",
	"padding":    4,
	"axis": map[string]any{
		"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": 600, "titleColor": "#222",
		"labelColor": "#333", "gridColor": "#ececec", "domainColor": "#888", "tickColor": "#888",
		"titlePadding": 8, "labelOverlap": true,
	},
	"legend": map[string]any{
		"orient": "bottom", "labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": 600,
		"symbolType": "square", "direction": "horizontal",
	},
	// About six ticks: engineering labels such as "150k" need the room.
	"axisQuantitative": map[string]any{"tickCount": 6},
	"header":           map[string]any{"labelFontSize": 11, "labelFontWeight": 600, "labelColor": "#333", "labelLimit": facetWidth + 40},
	"view":             map[string]any{"stroke": "#dddddd"},
	"text":             map[string]any{"fontSize": 11},
	"line":             map[string]any{"strokeWidth": 2},
}

// num is a float64 that marshals with six significant digits, or as null
// when not finite: chart data need no more, and it keeps reports small.
type num float64

func (x num) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 6, 64), nil
}

// obj is a JSON object of a specification; encoding/json writes its keys
// sorted, so a specification is the same bytes every time.
type obj = map[string]any

// colorEncoding colours marks by series with the fixed palette; a single
// unnamed series gets no legend.
func colorEncoding(f *figure) obj {
	enc := obj{
		"field": "s", "type": "nominal", "title": nil,
		"scale": obj{"domain": f.series, "range": palette[:min(len(f.series), len(palette))]}, "legend": obj{"labelLimit": 420},
	}
	if len(f.series) == 1 && f.series[0] == seriesName("") {
		enc["legend"] = nil
	}
	return enc
}

// quantAxis is a quantitative position encoding; values of 10,000 and more
// are labelled in engineering notation (see engExpr).
func quantAxis(field, title string, maxAbs float64, zero bool) obj {
	e := obj{"field": field, "type": "quantitative", "title": title, "scale": obj{"zero": zero}}
	if ex := engExpr(maxAbs); ex != "" {
		e["axis"] = obj{"labelExpr": ex}
	}
	return e
}

// fewTicks limits an axis to about four ticks, for narrow panels.
func fewTicks(e obj) obj {
	axis, _ := e["axis"].(obj)
	if axis == nil {
		axis = obj{}
	}
	axis["tickCount"] = 4
	e["axis"] = axis
	return e
}

// wrap places a layered chart in a single view or in facets by the field
// "f", and sets its data. With flatten, each row holds one series as
// parallel arrays in those fields, which a flatten transform turns into
// one row per point: the data take about half the bytes of one object per
// point.
func wrap(f *figure, rows []obj, flatten []string, enc obj, layers []obj) obj {
	inner := obj{"layer": layers, "encoding": enc}
	outer := inner
	if len(f.facets) == 0 {
		inner["width"], inner["height"] = chartWidth, chartHeight
		if f.wide {
			inner["width"] = 2*chartWidth + 100
		}
	} else {
		// Few panels get more room: the page is about 1,100 pixels wide.
		cols := min(len(f.facets), facetCols)
		w := max(facetWidth, min(400, (1050-70*cols)/cols))
		inner["width"], inner["height"] = w, max(facetHeight, w*3/5)
		var title any
		if f.facetTitle != "" {
			title = f.facetTitle
		}
		outer = obj{
			"facet":   obj{"field": "f", "type": "nominal", "sort": f.facets, "title": title},
			"columns": cols,
			"spec":    inner,
		}
		if f.independentX {
			outer["resolve"] = obj{"scale": obj{"x": "independent"}}
		}
	}
	outer["data"] = obj{"values": rows}
	if len(flatten) > 0 {
		outer["transform"] = []obj{{"flatten": flatten}}
	}
	return outer
}

// nums converts values for chart data.
func nums(xs []float64) []num {
	out := make([]num, len(xs))
	for i, x := range xs {
		out[i] = num(x)
	}
	return out
}

// vegaSpec returns the Vega-Lite specification of a figure.
func vegaSpec(f *figure) ([]byte, error) {
	var spec obj
	switch f.kind {
	case figFan:
		spec = fanSpec(f)
	case figHist:
		spec = histSpec(f)
	case figECDF:
		spec = ecdfSpec(f)
	case figSweepLine:
		spec = sweepSpec(f)
	case figHeat:
		spec = heatSpec(f)
	case figForest:
		spec = forestSpec(f)
	case figPoints:
		spec = pointsSpec(f)
	}
	return json.Marshal(spec)
}

func maxAbs(xs ...[]float64) float64 {
	m := 0.0
	for _, s := range xs {
		for _, x := range s {
			if isFinite(x) {
				m = math.Max(m, math.Abs(x))
			}
		}
	}
	return m
}

// tip is a tooltip field; numbers are formatted with four significant
// digits and thousands separators.
func tip(field, title string, quant bool) obj {
	t := obj{"field": field, "title": title}
	if quant {
		t["type"], t["format"] = "quantitative", ",.4~r"
	}
	return t
}

// seriesWidth is a stroke width encoding for overlaid series: the first
// widest, so that a series drawn over an identical one leaves it showing
// as a rim, and the legend shows each series' width.
func seriesWidth(f *figure) obj {
	widths := []float64{}
	for i := range f.series {
		widths = append(widths, math.Max(1.1, 3.4-0.8*float64(i)))
	}
	return obj{"field": "s", "type": "ordinal", "sort": f.series, "title": nil, "scale": obj{"domain": f.series, "range": widths}}
}

// withStroke makes a colour encoding's legend show lines, for charts that
// draw lines.
func withStroke(color obj) obj {
	if color["legend"] == nil {
		if _, set := color["legend"]; set {
			return color
		}
	}
	color["legend"] = obj{"symbolType": "stroke", "symbolStrokeWidth": 3, "symbolOpacity": 1, "labelLimit": 420}
	return color
}

func fanSpec(f *figure) obj {
	var rows []obj
	var big float64
	for _, s := range f.fan {
		big = math.Max(big, maxAbs(s.p5, s.p95))
		rows = append(rows, obj{"f": s.facet, "s": s.series, "t": nums(s.t),
			"p5": nums(s.p5), "p25": nums(s.p25), "p50": nums(s.p50), "p75": nums(s.p75), "p95": nums(s.p95)})
	}
	y := quantAxis("p5", f.yTitle, big, false)
	y["stack"] = nil
	yOnly := func(field string) obj { return obj{"field": field, "type": "quantitative", "stack": nil} }
	color := colorEncoding(f)
	enc := obj{"x": obj{"field": "t", "type": "quantitative", "title": f.xTitle, "scale": obj{"nice": false}}, "color": color}
	tooltip := []obj{tip("s", "series", false), tip("t", f.xTitle, true), tip("p5", "5%", true), tip("p25", "25%", true),
		tip("p50", "median", true), tip("p75", "75%", true), tip("p95", "95%", true)}
	hover := obj{"mark": obj{"type": "point", "opacity": 0, "size": 60}, "encoding": obj{"y": yOnly("p50"), "tooltip": tooltip}}
	var layers []obj
	if len(f.series) == 1 {
		layers = []obj{
			{"mark": obj{"type": "area", "opacity": 0.16}, "encoding": obj{"y": y, "y2": obj{"field": "p95"}}},
			{"mark": obj{"type": "area", "opacity": 0.32}, "encoding": obj{"y": yOnly("p25"), "y2": obj{"field": "p75"}}},
			{"mark": obj{"type": "line", "strokeWidth": 2}, "encoding": obj{"y": yOnly("p50")}},
			hover,
		}
		return wrap(f, rows, []string{"t", "p5", "p25", "p50", "p75", "p95"}, enc, layers)
	}
	// Overlaid arms: filled bands would blend into colours no legend
	// explains, so every quantile is a line, its style in a second legend.
	enc["color"] = withStroke(color)
	styles := []string{"median", "25–75%", "5–95%"}
	dash := func(style string) obj {
		return obj{"datum": style, "title": nil, "scale": obj{"domain": styles, "range": [][]float64{{1, 0}, {6, 2}, {1, 2.5}}},
			"legend": obj{"symbolType": "stroke", "symbolStrokeWidth": 2, "symbolStrokeColor": "#444"}}
	}
	line := func(field, style string, width float64) obj {
		e := yOnly(field)
		if field == "p5" {
			e = y
		}
		return obj{"mark": obj{"type": "line", "strokeWidth": width}, "encoding": obj{"y": e, "strokeDash": dash(style)}}
	}
	layers = []obj{
		line("p5", "5–95%", 1.2), line("p95", "5–95%", 1.2),
		line("p25", "25–75%", 1.1), line("p75", "25–75%", 1.1),
		line("p50", "median", 2.4), hover,
	}
	return wrap(f, rows, []string{"t", "p5", "p25", "p50", "p75", "p95"}, enc, layers)
}

// histSteps are a histogram series as the corners of its outline, from
// the first non-empty bin to the last: bin i is [x[j], x[j+1]) at height
// p[j], the first and last points at 0 close the outline.
func histSteps(edges, pct []float64) (x, p []float64) {
	first, last := -1, -1
	for i, v := range pct {
		if v != 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil, nil
	}
	x, p = append(x, edges[first]), append(p, 0)
	for i := first; i <= last; i++ {
		x, p = append(x, edges[i]), append(p, pct[i])
	}
	x, p = append(x, edges[last+1], edges[last+1]), append(p, pct[last], 0)
	return x, p
}

func histSpec(f *figure) obj {
	h := f.hist
	var rows []obj
	var big float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, b := range h.bars {
		big = math.Max(big, maxAbs(b.edges))
		lo, hi = math.Min(lo, b.edges[0]), math.Max(hi, b.edges[len(b.edges)-1])
		x, p := histSteps(b.edges, b.pct)
		rows = append(rows, obj{"k": "b", "f": b.facet, "s": b.series, "x": nums(x), "p": nums(p)})
		if isFinite(b.var99) {
			rows = append(rows, obj{"k": "v", "f": b.facet, "s": b.series, "x": []num{num(b.var99)}, "p": []num{0}})
		}
	}
	x := quantAxis("x", f.xTitle, big, false)
	if len(f.facets) > 0 {
		x = fewTicks(x)
	}
	if !f.independentX {
		// The bins span the data exactly; a nice domain would add space.
		x["scale"] = obj{"zero": false, "domain": []num{num(lo), num(hi)}, "nice": false}
	}
	color := colorEncoding(f)
	enc := obj{"x": x, "color": color}
	yEnc := obj{"field": "p", "type": "quantitative", "title": f.yTitle, "stack": nil}
	bins := []obj{
		{"filter": obj{"field": "k", "equal": "b"}},
		{"window": []obj{{"op": "lead", "field": "x", "as": "x1"}}, "groupby": []string{"f", "s"}, "sort": []obj{{"field": "i"}}},
	}
	var shape obj
	if len(f.series) == 1 {
		shape = obj{"transform": bins[:1], "mark": obj{"type": "area", "interpolate": "step-after", "opacity": 0.75}, "encoding": obj{"y": yEnc}}
	} else {
		// Overlaid arms are outlines: translucent fills would blend into
		// colours the legend does not show.
		enc["color"] = withStroke(color)
		shape = obj{"transform": bins[:1], "mark": obj{"type": "line", "interpolate": "step-after"}, "encoding": obj{"y": yEnc, "strokeWidth": seriesWidth(f)}}
	}
	layers := []obj{
		shape,
		{
			// Transparent bins carry the tooltips.
			"transform": append(bins, obj{"filter": "datum.p > 0 && datum.x1 > datum.x"}),
			"mark":      obj{"type": "rect", "opacity": 0},
			"encoding": obj{"x2": obj{"field": "x1"}, "y": yEnc, "y2": obj{"datum": 0},
				"tooltip": []obj{tip("s", "series", false), tip("x", "from", true), tip("x1", "to", true), tip("p", "share of runs (%)", true)}},
		},
		{
			"transform": []obj{{"filter": obj{"field": "k", "equal": "v"}}},
			"mark":      obj{"type": "rule", "strokeDash": []int{5, 3}, "strokeWidth": 1.5},
			"encoding":  obj{"tooltip": []obj{tip("s", "series", false), tip("x", "VaR 99%", true)}},
		},
	}
	spec := wrap(f, rows, []string{"x", "p"}, enc, layers)
	// Number the points within each series, for the window's order.
	spec["transform"] = []obj{{"flatten": []string{"x", "p"}}, {"window": []obj{{"op": "row_number", "as": "i"}}, "groupby": []string{"k", "f", "s"}}}
	return spec
}

func ecdfSpec(f *figure) obj {
	var rows []obj
	var big float64
	for _, s := range f.ecdf {
		big = math.Max(big, maxAbs(s.x))
		rows = append(rows, obj{"f": s.facet, "s": s.series, "x": nums(s.x), "p": nums(s.f)})
	}
	ecdfX := quantAxis("x", f.xTitle, big, false)
	// A few pixels' room, so that steps at the ends are not on the frame.
	ecdfX["scale"].(obj)["padding"] = 6
	if len(f.facets) > 0 {
		ecdfX = fewTicks(ecdfX)
	}
	enc := obj{
		"x":     ecdfX,
		"y":     obj{"field": "p", "type": "quantitative", "title": f.yTitle, "scale": obj{"domain": []int{0, 1}}, "axis": obj{"format": "%"}},
		"color": withStroke(colorEncoding(f)),
	}
	line := obj{"mark": obj{"type": "line", "interpolate": "step-after", "strokeWidth": 1.8}}
	if len(f.series) > 1 {
		line = obj{"mark": obj{"type": "line", "interpolate": "step-after"}, "encoding": obj{"strokeWidth": seriesWidth(f)}}
	}
	layers := []obj{
		line,
		{"mark": obj{"type": "point", "opacity": 0, "size": 50}, "encoding": obj{"tooltip": []obj{
			tip("s", "series", false), tip("x", "value", true), {"field": "p", "type": "quantitative", "title": "share at or below", "format": ".1%"}}}},
	}
	return wrap(f, rows, []string{"x", "p"}, enc, layers)
}

func sweepSpec(f *figure) obj {
	sw := f.sweep
	a := &sw.axis
	var rows []obj
	var big float64
	for _, l := range sw.lines {
		big = math.Max(big, maxAbs(l.lo, l.hi, l.y))
		for i, x := range a.values {
			rows = append(rows, obj{"x": num(x), "xl": a.labels[i], "s": l.series, "st": l.stat, "y": num(l.y[i]), "lo": num(l.lo[i]), "hi": num(l.hi[i])})
		}
	}
	scale := obj{"type": "linear", "zero": false, "nice": false, "padding": 16}
	if a.log {
		scale = obj{"type": "log", "nice": false, "padding": 16}
	}
	enc := obj{
		"x": obj{"field": "x", "type": "quantitative", "title": f.xTitle, "scale": scale,
			"axis": obj{"values": nums(a.values), "labelExpr": lookupExpr(a.values, a.labels), "labelAngle": 0, "labelOverlap": true, "grid": false}},
		"color":  colorEncoding(f),
		"detail": obj{"field": "st"},
	}
	if len(f.series) == 1 {
		// One series: colour can tell the statistics apart.
		enc["color"] = obj{"field": "st", "type": "nominal", "title": nil, "scale": obj{"domain": []string{"mean", "CVaR 99%"}, "range": palette[:2]}}
	}
	y := quantAxis("lo", f.yTitle, big, false)
	layers := []obj{
		{"mark": obj{"type": "area", "opacity": 0.15}, "encoding": obj{"y": y, "y2": obj{"field": "hi"}}},
		{"mark": obj{"type": "line", "point": true}, "encoding": obj{
			"y": obj{"field": "y", "type": "quantitative"},
			"strokeDash": obj{"field": "st", "type": "nominal", "title": nil, "sort": []string{"mean", "CVaR 99%"},
				"scale":  obj{"domain": []string{"mean", "CVaR 99%"}, "range": [][]int{{1, 0}, {5, 3}}},
				"legend": obj{"symbolType": "stroke", "symbolStrokeWidth": 2, "direction": "vertical", "labelLimit": 320}},
			"tooltip": []obj{tip("s", "series", false), tip("xl", shortParam(f.xTitle), false), tip("st", "statistic", false),
				tip("y", "value", true), tip("lo", "95% CI from", true), tip("hi", "to", true)},
		}},
	}
	return wrap(f, rows, nil, enc, layers)
}

// Colours of region maps: in the region, outside it. Neutral, as a region
// may be the safe one or the dangerous one.
const (
	regionIn  = "#6baed6"
	regionOut = "#e3e3e3"
)

// Names of the lines of sweep maps, in their legends; short enough that a
// map in half the page keeps its whole legend (the caption says what
// uncertain means: a 95% interval straddles the bound).
const (
	boundaryName = "boundary (at the estimates)"
	hatchName    = "uncertain (hatched)"
)

// gridEncoding is the position encoding of a sweep map's axis: numeric, on
// a linear or log scale, ticks at the swept values labelled as the
// scenario wrote them.
func gridEncoding(a *gridAxis, field string) obj {
	scale := obj{"type": "linear", "domain": []num{num(a.edges[0]), num(a.edges[len(a.edges)-1])}, "nice": false, "zero": false}
	if a.log {
		scale["type"] = "log"
		delete(scale, "zero") // a log scale has no zero
	}
	e := obj{"field": field, "type": "quantitative", "title": a.title, "scale": scale}
	if a.title == "" { // one-parameter sweep: a single row
		e["axis"], e["title"] = nil, nil
		return e
	}
	e["axis"] = obj{"values": nums(a.values), "labelExpr": lookupExpr(a.values, a.labels), "grid": false, "labelAngle": 0, "labelOverlap": false}
	return e
}

// lookupExpr is a Vega expression labelling the tick at values[i] with
// labels[i].
func lookupExpr(values []float64, labels []string) string {
	var b strings.Builder
	for i, v := range values {
		fmt.Fprintf(&b, "abs(datum.value - %s) <= %s ? %s : ", strconv.FormatFloat(v, 'g', -1, 64),
			strconv.FormatFloat(math.Max(1e-12, math.Abs(v)*1e-6), 'g', -1, 64), jsString(labels[i]))
	}
	b.WriteString("''")
	return b.String()
}

// jsString quotes s as a Vega expression string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func heatSpec(f *figure) obj {
	h := f.heat
	var rows []obj
	var big float64
	ciText := func(lo, hi float64) string {
		if math.IsNaN(lo) && math.IsNaN(hi) {
			return ""
		}
		return "[" + formatNumber(lo) + ", " + formatNumber(hi) + "]"
	}
	for _, p := range h.panels {
		for iy, zs := range p.z {
			for ix, z := range zs {
				if math.IsNaN(z) {
					continue
				}
				cell := h.x.labels[ix]
				if h.y.title != "" {
					cell += ", " + h.y.labels[iy]
				}
				row := obj{"k": "c", "f": p.facet, "x0": num(h.x.edges[ix]), "x1": num(h.x.edges[ix+1]),
					"y0": num(h.y.edges[iy]), "y1": num(h.y.edges[iy+1]), "xc": num(h.x.centers[ix]), "yc": num(h.y.centers[iy]), "c": cell}
				if h.region {
					row["l"] = p.in[iy][ix].mark()
					row["v"] = map[bool]string{true: "in the region", false: "outside"}[p.in[iy][ix].in]
				} else {
					big = math.Max(big, math.Abs(z))
					row["v"], row["l"], row["ci"] = num(z), formatNumber(z), ciText(p.lo[iy][ix], p.hi[iy][ix])
					if h.thr != nil && h.thr.cond != nil {
						row["s"] = p.in[iy][ix].state()
					}
				}
				rows = append(rows, row)
			}
		}
		for _, s := range p.bounds {
			rows = append(rows, obj{"k": "b", "f": p.facet, "x0": num(s.x0), "y0": num(s.y0), "x1": num(s.x1), "y1": num(s.y1)})
		}
		for _, s := range p.hatch {
			rows = append(rows, obj{"k": "h", "f": p.facet, "x0": num(s.x0), "y0": num(s.y0), "x1": num(s.x1), "y1": num(s.y1)})
		}
	}
	var color obj
	dark := "" // a test for cells dark enough for white labels
	tooltip := []obj{{"field": "c", "title": strings.Join(nonEmpty(shortParam(h.x.title), shortParam(h.y.title)), ", ")}}
	switch {
	case h.region:
		color = obj{"field": "v", "type": "nominal", "title": nil,
			"scale":  obj{"domain": []string{"in the region", "outside"}, "range": []string{regionIn, regionOut}},
			"legend": obj{"symbolType": "square"}}
		tooltip = append(tooltip, obj{"field": "l", "title": "in the region"})
	default:
		scale := obj{}
		title := h.stat + h.unit
		if t := h.thr; t != nil {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, p := range h.panels {
				for _, zs := range p.z {
					for _, z := range zs {
						if isFinite(z) {
							lo, hi = math.Min(lo, z), math.Max(hi, z)
						}
					}
				}
			}
			d := math.Max(math.Abs(hi-t.value), math.Abs(t.value-lo))
			if !(d > 0) || math.IsInf(d, 0) {
				d = math.Max(math.Abs(t.value)/10, 1e-9)
			}
			// A domain symmetric about the threshold: equal distances from
			// it get equally strong colours on either side.
			scale = obj{"domain": []num{num(t.value - d), num(t.value + d)}, "scheme": obj{"name": "redblue", "extent": []float64{0.06, 0.94}},
				"reverse": !t.goodAbove}
			title += ", centred on " + formatNumber(t.value)
			dark = fmt.Sprintf("abs(datum.v - %g) > %g", t.value, 0.62*d)
		} else {
			scale = obj{"scheme": obj{"name": "orangered", "extent": []float64{0.05, 0.8}}, "reverse": h.worse == metric.LowerIsWorse, "zero": false}
			if h.worse == metric.Neutral {
				scale = obj{"scheme": obj{"name": "blues", "extent": []float64{0.05, 0.8}}, "zero": false}
			}
		}
		legend := obj{"direction": "horizontal", "gradientLength": 220, "title": title, "titleLimit": 360}
		if ex := engExpr(big); ex != "" {
			legend["labelExpr"] = ex
		}
		color = obj{"field": "v", "type": "quantitative", "title": title, "scale": scale, "legend": legend}
		tooltip = append(tooltip, obj{"field": "l", "title": h.stat}, obj{"field": "ci", "title": "95% CI"})
		if h.thr != nil && h.thr.cond != nil {
			tooltip = append(tooltip, obj{"field": "s", "title": h.thr.cond.String()})
		}
	}
	// Facets side by side repeat the x title under each: keep as much of
	// the parameter's dotted path as fits one facet's width.
	xa := h.x
	if len(f.facets) > 0 {
		_, fw, _ := mapLayout(len(f.facets), h.x.pixels(64, 48), h.y.pixels(56, 34))
		xa.title = fitTitle(xa.title, fw)
	}
	x0, xc := gridEncoding(&xa, "x0"), gridEncoding(&xa, "xc")
	y0, yc := gridEncoding(&h.y, "y0"), gridEncoding(&h.y, "yc")
	var lines []string
	for _, p := range h.panels {
		if len(p.bounds) > 0 && !slices.Contains(lines, boundaryName) {
			lines = append(lines, boundaryName)
		}
		if len(p.hatch) > 0 && !slices.Contains(lines, hatchName) {
			lines = append(lines, hatchName)
		}
	}
	slices.Sort(lines) // boundary first
	stroke := func(name string) obj {
		var colors []string
		for _, l := range lines {
			colors = append(colors, map[string]string{boundaryName: "#111111", hatchName: "#444444"}[l])
		}
		return obj{"datum": name, "title": nil,
			"scale":  obj{"domain": lines, "range": colors},
			"legend": obj{"symbolType": "stroke", "symbolStrokeWidth": 2, "direction": "vertical", "labelLimit": 320}}
	}
	filter := func(k string) []obj { return []obj{{"filter": obj{"field": "k", "equal": k}}} }
	layers := []obj{
		{"transform": filter("c"), "mark": obj{"type": "rect", "stroke": "#ffffff", "strokeWidth": 1},
			"encoding": obj{"x": x0, "x2": obj{"field": "x1"}, "y": y0, "y2": obj{"field": "y1"}, "color": color, "tooltip": tooltip}},
	}
	if slices.Contains(lines, hatchName) {
		layers = append(layers, obj{"transform": filter("h"), "mark": obj{"type": "rule", "strokeWidth": 1, "opacity": 0.55},
			"encoding": obj{"x": x0, "x2": obj{"field": "x1"}, "y": y0, "y2": obj{"field": "y1"}, "stroke": stroke(hatchName)}})
	}
	if slices.Contains(lines, boundaryName) {
		layers = append(layers, obj{"transform": filter("b"), "mark": obj{"type": "rule", "strokeWidth": 3.5, "strokeCap": "round"},
			"encoding": obj{"x": x0, "x2": obj{"field": "x1"}, "y": y0, "y2": obj{"field": "y1"}, "stroke": stroke(boundaryName)}})
	}
	text := obj{"x": xc, "y": yc, "text": obj{"field": "l"}, "tooltip": tooltip}
	if dark != "" {
		text["color"] = obj{"condition": obj{"test": dark, "value": "#ffffff"}, "value": "#111111"}
	}
	layers = append(layers, obj{"transform": filter("c"), "mark": obj{"type": "text", "fontSize": 11, "fontWeight": 600, "color": "#111"},
		"encoding": text})
	spec := wrap(f, rows, nil, obj{}, layers)
	// About 64 pixels a cell, laid out by the axes' own proportions.
	w, hh := h.x.pixels(64, 48), h.y.pixels(56, 34)
	if h.y.title == "" {
		hh = 48
	}
	if inner, ok := spec["spec"].(obj); ok {
		cols, fw, fh := mapLayout(len(f.facets), w, hh)
		inner["width"], inner["height"] = fw, fh
		spec["columns"] = cols
	} else {
		spec["width"], spec["height"] = w, hh
	}
	return spec
}

// Page geometry of the HTML report's maps, in CSS pixels: the content
// width (report.css .wrap, 1180 less its padding), what the shared y axis
// and its title take, and the spacing between facets.
const (
	pageWidth  = 1124
	yAxisWidth = 110
	facetGap   = 20
)

// mapLayout sizes the facets (one per arm) of a sweep map whose natural
// panel is w by h pixels: side by side in as few rows as leave each facet
// at least three quarters of its natural width (and 200 pixels), the row
// filling the page's width, each facet at most 480 pixels wide and its
// height scaled with its width (from 120 to 320). Four arms of a 4×4 map
// thus sit in one row across the page rather than two squeezed columns,
// so a region's whole answer is one band of the first screen.
func mapLayout(facets, w, h int) (cols, fw, fh int) {
	floor := max(200, w*3/4)
	for cols = min(max(facets, 1), 4); cols > 1; cols-- {
		if (pageWidth-yAxisWidth-facetGap*(cols-1))/cols >= floor {
			break
		}
	}
	fw = min(480, (pageWidth-yAxisWidth-facetGap*(cols-1))/cols)
	fh = min(320, max(120, h*fw/w))
	return cols, fw, fh
}

// fitTitle drops leading segments of a dotted parameter path
// (mechanisms.chain.loans.collateral_ratio) until it fits px pixels of an
// 11-pixel bold axis title (about 7 pixels a character); the last segment
// stays whole.
func fitTitle(title string, px int) string {
	for len(title)*7 > px {
		_, rest, ok := strings.Cut(title, ".")
		if !ok {
			break
		}
		title = rest
	}
	return title
}

// nonEmpty returns the non-empty strings among ss.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// engExpr is a Vega label expression writing values in engineering
// notation with one prefix for the whole axis, chosen by its largest
// magnitude big: "0", "500k", "1.5M", never "0M". It is "" below 10,000,
// where plain numbers read best.
func engExpr(big float64) string {
	div, suffix := 0.0, ""
	switch {
	case big >= 1e9:
		div, suffix = 1e9, "B"
	case big >= 1e6:
		div, suffix = 1e6, "M"
	case big >= 1e4:
		div, suffix = 1e3, "k"
	default:
		return ""
	}
	return fmt.Sprintf("datum.value == 0 ? '0' : format(datum.value / %g, '~r') + '%s'", div, suffix)
}

func forestSpec(f *figure) obj {
	fo := f.forest
	var rows []obj
	var big float64
	for _, p := range fo.points {
		big = math.Max(big, maxAbs([]float64{p.lo, p.hi, p.v}))
		rows = append(rows, obj{"f": p.facet, "r": p.row, "s": p.series, "v": num(p.v), "lo": num(p.lo), "hi": num(p.hi)})
	}
	y := obj{"field": "r", "type": "nominal", "sort": fo.rows, "title": nil, "axis": obj{"labelFontWeight": 600}}
	x := quantAxis("v", f.xTitle, big, true)
	// Each layer has its own encoding: the zero line must span the plot,
	// so it takes neither the row nor the colour of the others.
	point := obj{"y": y, "x": x, "color": colorEncoding(f),
		"tooltip": []obj{tip("s", cmp.Or(fo.seriesLabel, "arm"), false), tip("r", cmp.Or(fo.rowLabel, "statistic"), false),
			tip("v", cmp.Or(fo.valueLabel, "gain"), true), tip("lo", "95% CI from", true), tip("hi", "to", true)}}
	bar := obj{"y": y, "x": obj{"field": "lo", "type": "quantitative"}, "x2": obj{"field": "hi"}, "color": colorEncoding(f)}
	if len(f.series) > 1 {
		offset := obj{"field": "s", "type": "nominal", "sort": f.series}
		point["yOffset"], bar["yOffset"] = offset, offset
	}
	enc := obj{}
	layers := []obj{
		{"mark": obj{"type": "rule", "color": "#777", "strokeDash": []int{4, 3}}, "encoding": obj{"x": obj{"datum": 0, "type": "quantitative"}}},
		{"mark": obj{"type": "rule", "strokeWidth": 2.5}, "encoding": bar},
		{"mark": obj{"type": "point", "filled": true, "size": 80, "opacity": 1}, "encoding": point},
	}
	spec := wrap(f, rows, nil, enc, layers)
	h := 26 * len(fo.rows) * max(1, len(f.series))
	if inner, ok := spec["spec"].(obj); ok {
		inner["height"] = h
	} else {
		spec["height"] = h
	}
	return spec
}

// discAxisEncoding is a position encoding over a discover parameter's
// range, with its unit in the title.
func discAxisEncoding(a discRange, field string) obj {
	scale := obj{"type": "linear", "domain": []num{num(a.lo), num(a.hi)}, "nice": false, "zero": false}
	if a.log {
		scale = obj{"type": "log", "domain": []num{num(a.lo), num(a.hi)}, "nice": false}
	}
	title := a.name
	if a.unit != "" {
		title += " (" + a.unit + ")"
	}
	return obj{"field": field, "type": "quantitative", "title": title, "scale": scale}
}

func pointsSpec(f *figure) obj {
	pf := f.points
	oneD := pf.y.name == ""
	var rows []obj
	for _, p := range pf.points {
		rows = append(rows, obj{"k": "p", "x": num(p.x), "y": num(p.y), "o": p.outcome, "l": p.label})
	}
	var boxNames []string
	for _, b := range pf.boxes {
		rows = append(rows, obj{"k": "b", "x": num(pf.x.clip(b.x0)), "x2": num(pf.x.clip(b.x1)), "y": num(pf.y.clip(b.y0)), "y2": num(pf.y.clip(b.y1)), "n": b.name, "l": b.text})
		if !slices.Contains(boxNames, b.name) {
			boxNames = append(boxNames, b.name)
		}
	}
	for _, w := range pf.worst {
		rows = append(rows, obj{"k": "w", "x": num(w.x), "y": num(w.y), "l": w.label, "n": "worst runs"})
	}
	for _, c := range pf.crossings {
		row := obj{"k": "c", "x": num(c.x), "y": num(c.y), "x2": num(c.x), "y2": num(c.y), "n": "boundary estimate", "l": "boundary estimate"}
		if c.alongX {
			row["x"], row["x2"] = num(c.x-c.half), num(c.x+c.half)
			row["xc"] = num(c.x)
		} else {
			row["y"], row["y2"] = num(c.y-c.half), num(c.y+c.half)
			row["xc"] = num(c.x)
		}
		row["yc"] = num(c.y)
		rows = append(rows, row)
	}
	outcomes := []string{"safe", "fails"}
	if len(pf.points) > 0 && strings.Contains(pf.points[0].outcome, "shown") {
		outcomes = []string{"shown safe", "not shown safe"}
	}
	x := discAxisEncoding(pf.x, "x")
	y := discAxisEncoding(pf.y, "y")
	if oneD {
		y = obj{"field": "y", "type": "quantitative", "axis": nil, "title": nil, "scale": obj{"domain": []int{-1, 1}}}
	}
	filter := func(k string) []obj { return []obj{{"filter": obj{"field": "k", "equal": k}}} }
	boxColors := []string{"#7a0177", "#238b45", "#2171b5", "#cc4c02", "#525252", "#e7298a"}
	layers := []obj{}
	if len(boxNames) > 0 {
		layers = append(layers, obj{"transform": filter("b"), "mark": obj{"type": "rect", "filled": false, "strokeWidth": 2.2},
			"encoding": obj{"x": x, "x2": obj{"field": "x2"}, "y": y, "y2": obj{"field": "y2"},
				"stroke": obj{"field": "n", "type": "nominal", "title": "boxes", "scale": obj{"domain": boxNames, "range": boxColors[:min(len(boxNames), len(boxColors))]},
					"legend": obj{"symbolType": "stroke", "labelLimit": 320}},
				"tooltip": []obj{tip("n", "box", false), tip("l", "ranges", false)}}})
	}
	layers = append(layers, obj{"transform": filter("p"), "mark": obj{"type": "circle", "size": 46, "opacity": 0.85},
		"encoding": obj{"x": x, "y": y,
			"color": obj{"field": "o", "type": "nominal", "title": "point", "scale": obj{"domain": outcomes, "range": []string{"#4393c3", "#d6604d"}},
				"legend": obj{"labelLimit": 300}},
			"tooltip": []obj{tip("l", "point", false), tip("o", "safe region", false)}}})
	if len(pf.crossings) > 0 {
		layers = append(layers,
			obj{"transform": filter("c"), "mark": obj{"type": "rule", "strokeWidth": 2, "color": "#111"}, "encoding": obj{"x": x, "x2": obj{"field": "x2"}, "y": y, "y2": obj{"field": "y2"}}},
			obj{"transform": filter("c"), "mark": obj{"type": "point", "shape": "diamond", "filled": true, "size": 70, "color": "#111"},
				"encoding": obj{"x": obj{"field": "xc", "type": "quantitative"}, "y": obj{"field": "yc", "type": "quantitative"},
					"shape":   obj{"datum": "boundary estimate (± half-width)", "title": nil, "scale": obj{"range": []string{"diamond"}}, "legend": obj{"labelLimit": 300}},
					"tooltip": []obj{tip("l", "", false), tip("xc", shortParam(pf.x.name), true), tip("yc", shortParam(pf.y.name), true)}}})
	}
	if len(pf.worst) > 0 {
		layers = append(layers, obj{"transform": filter("w"), "mark": obj{"type": "point", "shape": "circle", "filled": false, "size": 170, "color": "#000", "strokeWidth": 1.8},
			"encoding": obj{"x": x, "y": y, "opacity": obj{"datum": "worst runs (counterexamples)", "title": nil, "scale": obj{"range": []float64{1}},
				"legend": obj{"labelLimit": 300, "symbolType": "circle", "symbolFillColor": "transparent", "symbolStrokeColor": "#000"}},
				"tooltip": []obj{tip("l", "", false)}}})
	}
	spec := obj{"layer": layers, "data": obj{"values": rows}, "width": chartWidth, "height": chartHeight + 60}
	if oneD {
		spec["height"] = 80
	}
	spec["resolve"] = obj{"legend": obj{"shape": "independent", "opacity": "independent"}}
	return spec
}
