package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The Markdown report draws the same figures as the HTML report, as static
// SVG files made with gonum/plot, for forums that show images but run no
// scripts.

// SVG sizes.
const (
	svgWidth       = 6.4 * vg.Inch
	svgHeight      = 3.6 * vg.Inch
	svgPanelWidth  = 2.6 * vg.Inch
	svgPanelHeight = 2.0 * vg.Inch
	svgCols        = 3
)

// svgFont is the plot font: Liberation Sans, metric-compatible with Arial,
// so that viewers without it lay text out the same with a fallback.
var svgFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// rgb parses a palette colour "#rrggbb".
func rgb(hex string, alpha uint8) color.NRGBA {
	var r, g, b uint8
	fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
	return color.NRGBA{R: r, G: g, B: b, A: alpha}
}

// seriesColor is the colour of series name in f.
func seriesColor(f *figure, name string, alpha uint8) color.NRGBA {
	for i, s := range f.series {
		if s == name {
			return rgb(palette[i%len(palette)], alpha)
		}
	}
	return rgb("#555555", alpha)
}

// svgFigure renders f as an SVG document.
func svgFigure(f *figure) (out []byte, err error) {
	// gonum/plot panics on some degenerate inputs; a report must not.
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("report: drawing %s: %v", f.id, p)
		}
	}()
	if f.kind == figHeat {
		return svgHeat(f)
	}
	panels := f.facets
	if len(panels) == 0 {
		panels = []string{""}
	}
	var plots []*plot.Plot
	for _, facet := range panels {
		p, err := svgPanel(f, facet)
		if err != nil {
			return nil, err
		}
		p.Title.Text = facet
		plots = append(plots, p)
	}
	// The title above the panels, the legend below them: never over data.
	head := wrapTitle(f.title, 80)
	title := vg.Length(0.12+0.2*float64(strings.Count(head, "\n")+1)) * vg.Inch
	entries := svgLegendEntries(f)
	legendH := vg.Length(0)
	if len(entries) > 0 {
		legendH = 0.4 * vg.Inch
	}
	cols := min(len(plots), svgCols)
	rows := (len(plots) + cols - 1) / cols
	w, h := svgWidth, svgHeight
	if len(plots) > 1 {
		w, h = vg.Length(cols)*svgPanelWidth, vg.Length(rows)*svgPanelHeight
	}
	c := vgsvg.New(w, h+title+legendH)
	dc := draw.New(c)
	ts := draw.TextStyle{Color: color.Black, Font: font.From(svgFont, 12), Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YTop}
	dc.FillText(ts, vg.Point{X: dc.Max.X / 2, Y: dc.Max.Y - 0.06*vg.Inch}, head)
	body := dc
	body.Max.Y -= title
	body.Min.Y += legendH
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range plots {
		grid[i/cols][i%cols] = p
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 0.12 * vg.Inch, PadY: 0.12 * vg.Inch, PadTop: 0.02 * vg.Inch, PadRight: 0.12 * vg.Inch}
	canvases := plot.Align(grid, tiles, body)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	if len(entries) > 0 {
		lg := dc
		lg.Max.Y = legendH
		drawLegend(lg, entries)
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: drawing %s: %w", f.id, err)
	}
	// Name fallbacks for viewers without Liberation Sans.
	s := strings.ReplaceAll(buf.String(), "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	return []byte(s), nil
}

// newPlot returns a plot styled for reports.
func newPlot(f *figure) *plot.Plot {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = f.xTitle, f.yTitle
	for _, ts := range []*draw.TextStyle{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		ts.Font.Typeface, ts.Font.Variant = svgFont.Typeface, svgFont.Variant
	}
	// Sizes in points that stay legible when a forum scales the figure to
	// its column, about 700 pixels.
	p.Title.TextStyle.Font.Size = 10.5
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = 10, 10
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size, p.Legend.TextStyle.Font.Size = 9, 9, 9
	p.X.Tick.Marker, p.Y.Tick.Marker = shortTicks{}, shortTicks{}
	if f.kind != figHeat { // a heat map's squares are its grid
		grid := plotter.NewGrid()
		grid.Vertical.Color, grid.Horizontal.Color = color.Gray{Y: 232}, color.Gray{Y: 232}
		p.Add(grid)
	}
	return p
}

// xy builds plotter points, leaving out non-finite ones.
func xy(x, y []float64) plotter.XYs {
	var pts plotter.XYs
	for i := range x {
		if isFinite(x[i]) && isFinite(y[i]) {
			pts = append(pts, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return pts
}

// band is the polygon between lo and hi over x.
func band(x, lo, hi []float64, c color.Color) (*plotter.Polygon, error) {
	var pts plotter.XYs
	for i := range x {
		if isFinite(x[i]) && isFinite(hi[i]) && isFinite(lo[i]) {
			pts = append(pts, plotter.XY{X: x[i], Y: hi[i]})
		}
	}
	for i := len(x) - 1; i >= 0; i-- {
		if isFinite(x[i]) && isFinite(hi[i]) && isFinite(lo[i]) {
			pts = append(pts, plotter.XY{X: x[i], Y: lo[i]})
		}
	}
	if len(pts) < 3 {
		return nil, nil
	}
	poly, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil, err
	}
	poly.Color = c
	poly.LineStyle.Width = 0
	return poly, nil
}

// line is a line plotter, or nil with fewer than one finite point.
func line(pts plotter.XYs, c color.Color, width vg.Length, dashed bool) (*plotter.Line, error) {
	if len(pts) == 0 {
		return nil, nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = c, width
	if dashed {
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
	}
	return l, nil
}

// adder adds plotters to a plot, skipping nil ones and keeping the first
// error.
type adder struct {
	p   *plot.Plot
	err error
}

func (a *adder) add(pl plot.Plotter, err error) {
	if err != nil {
		if a.err == nil {
			a.err = err
		}
		return
	}
	switch v := pl.(type) {
	case *plotter.Line:
		if v == nil {
			return
		}
	case *plotter.Polygon:
		if v == nil {
			return
		}
	}
	a.p.Add(pl)
}

// svgPanel draws the panel facet of f.
func svgPanel(f *figure, facet string) (*plot.Plot, error) {
	p := newPlot(f)
	a := &adder{p: p}
	switch f.kind {
	case figFan:
		multi := len(f.series) > 1
		for _, s := range f.fan {
			if s.facet != facet {
				continue
			}
			if multi {
				// Lines only, as in the HTML report: bands would blend.
				c := seriesColor(f, s.series, 255)
				for _, q := range []struct {
					y      []float64
					dashes []vg.Length
				}{{s.p5, []vg.Length{vg.Points(1), vg.Points(2)}}, {s.p95, []vg.Length{vg.Points(1), vg.Points(2)}},
					{s.p25, []vg.Length{vg.Points(4), vg.Points(1.5)}}, {s.p75, []vg.Length{vg.Points(4), vg.Points(1.5)}}} {
					l, err := line(xy(s.t, q.y), c, vg.Points(0.9), false)
					if l != nil {
						l.Dashes = q.dashes
					}
					a.add(l, err)
				}
			} else {
				a.add(band(s.t, s.p5, s.p95, seriesColor(f, s.series, 45)))
				a.add(band(s.t, s.p25, s.p75, seriesColor(f, s.series, 90)))
			}
			a.add(line(xy(s.t, s.p50), seriesColor(f, s.series, 255), vg.Points(1.6), false))
		}
	case figHist:
		alpha := uint8(200)
		if len(f.series) > 1 {
			alpha = 120
		}
		var ymax float64
		for _, b := range f.hist.bars {
			if b.facet == facet {
				for _, v := range b.pct {
					ymax = math.Max(ymax, v)
				}
			}
		}
		for _, b := range f.hist.bars {
			if b.facet != facet {
				continue
			}
			if len(f.series) > 1 {
				// Overlaid arms are outlines, as in the HTML report.
				x, y := histSteps(b.edges, b.pct)
				l, err := line(xy(x, y), seriesColor(f, b.series, 255), vg.Points(1.4), false)
				if l != nil {
					l.StepStyle = plotter.PostStep
				}
				a.add(l, err)
			} else {
				h := &plotter.Histogram{FillColor: seriesColor(f, b.series, alpha), Width: b.edges[1] - b.edges[0]}
				h.LineStyle.Width = 0
				for i, v := range b.pct {
					h.Bins = append(h.Bins, plotter.HistogramBin{Min: b.edges[i], Max: b.edges[i+1], Weight: v})
				}
				p.Add(h)
			}
			if isFinite(b.var99) && ymax > 0 {
				a.add(line(plotter.XYs{{X: b.var99, Y: 0}, {X: b.var99, Y: ymax}}, seriesColor(f, b.series, 255), vg.Points(1), true))
			}
		}
	case figECDF:
		for _, s := range f.ecdf {
			if s.facet != facet {
				continue
			}
			l, err := line(xy(s.x, s.f), seriesColor(f, s.series, 255), vg.Points(1.3), false)
			if l != nil {
				l.StepStyle = plotter.PostStep
			}
			a.add(l, err)
		}
		p.Y.Min, p.Y.Max = 0, 1
	case figSweepLine:
		ax := &f.sweep.axis
		xs := ax.values
		if ax.log {
			p.X.Scale = plot.LogScale{}
		}
		for _, l := range f.sweep.lines {
			dashed := l.stat != "mean"
			c := seriesColor(f, l.series, 255)
			if len(f.series) == 1 && dashed {
				c = rgb(palette[1], 255)
			}
			bc := c
			bc.A = 40
			a.add(band(xs, l.lo, l.hi, bc))
			a.add(line(xy(xs, l.y), c, vg.Points(1.6), dashed))
		}
		p.X.Tick.Marker = valueTicks(ax.values, ax.labels)
		p.X.Min, p.X.Max = ax.edges[0], ax.edges[len(ax.edges)-1]
		p.X.Label.Text = f.xTitle
	case figForest:
		forestPlot(a, f, facet)
	case figPoints:
		pointsPlot(a, f)
	}
	if a.err != nil {
		return nil, a.err
	}
	return p, nil
}

func forestPlot(a *adder, f *figure, facet string) {
	fo := f.forest
	n := len(fo.rows)
	ns := len(f.series)
	pos := func(row, series string) float64 {
		r, s := 0, 0
		for i, x := range fo.rows {
			if x == row {
				r = i
			}
		}
		for i, x := range f.series {
			if x == series {
				s = i
			}
		}
		// The first row at the top; arms spread within a row.
		off := 0.0
		if ns > 1 {
			off = 0.5 * (float64(s)/float64(ns-1) - 0.5)
		}
		return float64(n-1-r) - off
	}
	lo, hi := 0.0, 0.0
	for _, pt := range fo.points {
		if pt.facet != facet {
			continue
		}
		y := pos(pt.row, pt.series)
		c := seriesColor(f, pt.series, 255)
		if isFinite(pt.lo) && isFinite(pt.hi) {
			a.add(line(plotter.XYs{{X: pt.lo, Y: y}, {X: pt.hi, Y: y}}, c, vg.Points(2), false))
			lo, hi = math.Min(lo, pt.lo), math.Max(hi, pt.hi)
		}
		if isFinite(pt.v) {
			lo, hi = math.Min(lo, pt.v), math.Max(hi, pt.v)
			sc, err := plotter.NewScatter(plotter.XYs{{X: pt.v, Y: y}})
			if err == nil {
				sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = c, vg.Points(3), draw.CircleGlyph{}
			}
			a.add(sc, err)
		}
	}
	a.add(line(plotter.XYs{{X: 0, Y: -0.6}, {X: 0, Y: float64(n) - 0.4}}, color.Gray{Y: 110}, vg.Points(0.8), true))
	var ticks plot.ConstantTicks
	for i, r := range fo.rows {
		ticks = append(ticks, plot.Tick{Value: float64(n - 1 - i), Label: r})
	}
	a.p.Y.Tick.Marker = ticks
	a.p.Y.Min, a.p.Y.Max = -0.6, float64(n)-0.4
	a.p.Y.Label.Text = ""
	pad := 0.06 * (hi - lo)
	a.p.X.Min, a.p.X.Max = lo-pad, hi+pad
}

// shortTicks are gonum/plot's default ticks labelled compactly: SI-style
// suffixes for large values (250k, 1.5M) and as many decimals as the tick
// spacing needs, so that labels neither overlap nor repeat.
type shortTicks struct{}

// Ticks implements plot.Ticker: about six labelled ticks at multiples of
// 1, 2, 2.5 or 5 times a power of ten.
func (shortTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	if !(hi > lo) {
		ts = []plot.Tick{{Value: lo, Label: "x"}}
	} else {
		raw := (hi - lo) / 6
		pow := math.Pow(10, math.Floor(math.Log10(raw)))
		step := 10 * pow
		for _, m := range []float64{1, 2, 2.5, 5} {
			if m*pow >= raw {
				step = m * pow
				break
			}
		}
		for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
			ts = append(ts, plot.Tick{Value: k * step, Label: "x"})
		}
	}
	step := math.Inf(1)
	prev := math.NaN()
	for _, t := range ts {
		if !math.IsNaN(prev) {
			step = math.Min(step, t.Value-prev)
		}
		prev = t.Value
	}
	div, suffix := 1.0, ""
	switch a := math.Max(math.Abs(lo), math.Abs(hi)); {
	case a >= 1e9:
		div, suffix = 1e9, "B"
	case a >= 1e6:
		div, suffix = 1e6, "M"
	case a >= 1e4:
		div, suffix = 1e3, "k"
	}
	dec := 0
	if !math.IsInf(step, 1) && step > 0 {
		// As many decimals as the step needs: 0.25 needs two.
		for u := step / div; dec < 12 && math.Abs(u*math.Pow(10, float64(dec))-math.Round(u*math.Pow(10, float64(dec)))) > 1e-6; dec++ {
		}
	}
	for i := range ts {
		if ts[i].Label != "" {
			v := ts[i].Value / div
			if math.Abs(v) < 1e-12*math.Max(1, math.Abs(step/div)) {
				v = 0 // no "-0"
			}
			ts[i].Label = strconv.FormatFloat(v, 'f', dec, 64) + suffix
			if v == 0 {
				ts[i].Label = "0" // never "0M"
			}
		}
	}
	return ts
}

// legendEntry is one entry of an SVG figure's legend: a colour and how it
// is drawn.
type legendEntry struct {
	label  string
	color  color.Color
	line   bool // a line rather than a square
	dashes []vg.Length
	width  vg.Length
}

// svgLegendEntries are the legend of f: its series, and the line styles
// of sweep charts and of overlaid fans.
func svgLegendEntries(f *figure) []legendEntry {
	var out []legendEntry
	lines := f.kind == figECDF || f.kind == figSweepLine || f.kind == figFan || (f.kind == figHist && len(f.series) > 1)
	if len(f.series) > 1 || (len(f.series) == 1 && f.series[0] != seriesName("")) {
		for _, s := range f.series {
			out = append(out, legendEntry{label: s, color: seriesColor(f, s, 255), line: lines, width: vg.Points(2)})
		}
	}
	gray := color.Gray{Y: 70}
	if f.kind == figPoints {
		safe, fails := "safe", "fails"
		if len(f.points.points) > 0 && strings.Contains(f.points.points[0].outcome, "shown") {
			safe, fails = "shown safe", "not shown safe"
		}
		out = append(out, legendEntry{label: safe, color: rgb("#4393c3", 255)}, legendEntry{label: fails, color: rgb("#d6604d", 255)})
		var seen []string
		for i, b := range f.points.boxes {
			if !slices.Contains(seen, b.name) {
				seen = append(seen, b.name)
				out = append(out, legendEntry{label: b.name, color: boxColor(i), line: true, width: vg.Points(2)})
			}
		}
		if len(f.points.worst) > 0 {
			out = append(out, legendEntry{label: "ringed: worst runs", color: color.Black, line: true, width: vg.Points(0.1)})
		}
		if len(f.points.crossings) > 0 {
			out = append(out, legendEntry{label: "boundary estimate", color: color.Black, line: true, width: vg.Points(2)})
		}
	}
	switch {
	case f.kind == figSweepLine && len(f.series) == 1:
		out = append(out, legendEntry{label: "mean", color: rgb(palette[0], 255), line: true, width: vg.Points(1.6)},
			legendEntry{label: "CVaR 99%", color: rgb(palette[1], 255), line: true, width: vg.Points(1.6), dashes: []vg.Length{vg.Points(3), vg.Points(2)}})
	case f.kind == figSweepLine:
		out = append(out, legendEntry{label: "mean", color: gray, line: true, width: vg.Points(1.6)},
			legendEntry{label: "CVaR 99%", color: gray, line: true, width: vg.Points(1.6), dashes: []vg.Length{vg.Points(3), vg.Points(2)}})
	case f.kind == figFan && len(f.series) > 1:
		out = append(out, legendEntry{label: "median", color: gray, line: true, width: vg.Points(1.6)},
			legendEntry{label: "25–75%", color: gray, line: true, width: vg.Points(0.9), dashes: []vg.Length{vg.Points(4), vg.Points(1.5)}},
			legendEntry{label: "5–95%", color: gray, line: true, width: vg.Points(0.9), dashes: []vg.Length{vg.Points(1), vg.Points(2)}})
	}
	return out
}

// drawLegend draws entries in a row (wrapping) in c.
func drawLegend(c draw.Canvas, entries []legendEntry) {
	ts := draw.TextStyle{Color: color.Black, Font: font.From(svgFont, 9), Handler: plot.DefaultTextHandler, YAlign: draw.YCenter}
	x, y := c.Min.X+0.3*vg.Inch, c.Min.Y+c.Max.Y*0.55
	sym := 0.22 * vg.Inch
	for _, e := range entries {
		w := sym + 4 + ts.Width(e.label) + 0.22*vg.Inch
		if x+w > c.Max.X && x > c.Min.X+0.3*vg.Inch {
			x, y = c.Min.X+0.3*vg.Inch, y-0.18*vg.Inch
		}
		if e.line {
			c.StrokeLine2(draw.LineStyle{Color: e.color, Width: e.width, Dashes: e.dashes}, x, y, x+sym, y)
		} else {
			b := 0.12 * vg.Inch
			c.FillPolygon(e.color, []vg.Point{{X: x, Y: y - b/2}, {X: x + b, Y: y - b/2}, {X: x + b, Y: y + b/2}, {X: x, Y: y + b/2}})
		}
		c.FillText(ts, vg.Point{X: x + sym + 4, Y: y}, e.label)
		x += w
	}
}

// boxColor is the colour of the i-th box of a points map.
func boxColor(i int) color.NRGBA {
	return rgb([]string{"#7a0177", "#238b45", "#2171b5", "#cc4c02", "#525252", "#e7298a"}[i%6], 255)
}

// pointsPlot draws a map of discover points: boxes, points, boundary
// estimates and worst runs.
func pointsPlot(a *adder, f *figure) {
	pf := f.points
	p := a.p
	if pf.x.log {
		p.X.Scale = plot.LogScale{}
	}
	if pf.y.log {
		p.Y.Scale = plot.LogScale{}
	}
	names := []string{}
	for _, b := range pf.boxes {
		if !slices.Contains(names, b.name) {
			names = append(names, b.name)
		}
		x0, x1, y0, y1 := pf.x.clip(b.x0), pf.x.clip(b.x1), pf.y.clip(b.y0), pf.y.clip(b.y1)
		if pf.y.name == "" {
			y0, y1 = -1, 1
		}
		a.add(line(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}}, boxColor(slices.Index(names, b.name)), vg.Points(1.8), false))
	}
	for _, outcome := range []string{"safe", "fails", "shown safe", "not shown safe"} {
		var pts plotter.XYs
		for _, q := range pf.points {
			if q.outcome == outcome {
				pts = append(pts, plotter.XY{X: q.x, Y: q.y})
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err == nil {
			sc.GlyphStyle.Color = rgb(map[string]string{"safe": "#4393c3", "fails": "#d6604d", "shown safe": "#4393c3", "not shown safe": "#d6604d"}[outcome], 220)
			sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = vg.Points(2.6), draw.CircleGlyph{}
		}
		a.add(sc, err)
	}
	for _, c := range pf.crossings {
		if c.alongX {
			a.add(line(plotter.XYs{{X: c.x - c.half, Y: c.y}, {X: c.x + c.half, Y: c.y}}, color.Black, vg.Points(1.6), false))
		} else {
			a.add(line(plotter.XYs{{X: c.x, Y: c.y - c.half}, {X: c.x, Y: c.y + c.half}}, color.Black, vg.Points(1.6), false))
		}
	}
	var worst plotter.XYs
	for _, w := range pf.worst {
		worst = append(worst, plotter.XY{X: w.x, Y: w.y})
	}
	if len(worst) > 0 {
		sc, err := plotter.NewScatter(worst)
		if err == nil {
			sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = color.Black, vg.Points(4.5), draw.RingGlyph{}
		}
		a.add(sc, err)
	}
	p.X.Min, p.X.Max = pf.x.lo, pf.x.hi
	if pf.y.name == "" {
		p.Y.Min, p.Y.Max = -1.2, 1.2
		p.Y.Tick.Marker = plot.ConstantTicks{}
	} else {
		p.Y.Min, p.Y.Max = pf.y.lo, pf.y.hi
	}
	if pf.x.unit != "" {
		p.X.Label.Text += " (" + pf.x.unit + ")"
	}
	if pf.y.unit != "" {
		p.Y.Label.Text += " (" + pf.y.unit + ")"
	}
}
