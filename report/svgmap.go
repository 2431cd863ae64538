package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/cascade-risk/cascade/metric"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Sweep maps as SVG: the same numeric axes, colours, boundary and hatching
// as the HTML report, with the colour legend drawn below the panels, sized
// for a forum post about 7.5 inches (720 pixels) wide.

// svgForumWidth is the widest an SVG figure is laid out.
const svgForumWidth = 7.6 * vg.Inch

// Colour schemes of the maps, as in Vega: ColorBrewer RdBu (red low),
// OrRd and Blues, sampled between the same extents.
var (
	schemeRdBu  = []string{"#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"}
	schemeOrRd  = []string{"#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000", "#7f0000"}
	schemeBlues = []string{"#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"}
)

// schemeColor interpolates a colour scheme at t in [0, 1].
func schemeColor(stops []string, t float64) color.NRGBA {
	t = math.Min(math.Max(t, 0), 1) * float64(len(stops)-1)
	i := min(int(t), len(stops)-2)
	u := t - float64(i)
	a, b := rgb(stops[i], 255), rgb(stops[i+1], 255)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + u*(float64(y)-float64(x)))) }
	return color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 255}
}

// mapScale maps a map's values to colours as the HTML report does.
type mapScale struct {
	lo, hi  float64
	stops   []string
	e0, e1  float64 // extent of the scheme used
	reverse bool
}

func newMapScale(h *heatFig) mapScale {
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
	if t := h.thr; t != nil {
		d := math.Max(math.Abs(hi-t.value), math.Abs(t.value-lo))
		if !(d > 0) || math.IsInf(d, 0) {
			d = math.Max(math.Abs(t.value)/10, 1e-9)
		}
		return mapScale{lo: t.value - d, hi: t.value + d, stops: schemeRdBu, e0: 0.06, e1: 0.94, reverse: !t.goodAbove}
	}
	if !(hi > lo) {
		lo, hi = lo-0.5, lo+0.5
	}
	if h.worse == metric.Neutral {
		return mapScale{lo: lo, hi: hi, stops: schemeBlues, e0: 0.05, e1: 0.8}
	}
	return mapScale{lo: lo, hi: hi, stops: schemeOrRd, e0: 0.05, e1: 0.8, reverse: h.worse == metric.LowerIsWorse}
}

func (s mapScale) color(z float64) color.NRGBA {
	t := (z - s.lo) / (s.hi - s.lo)
	t = math.Min(math.Max(t, 0), 1)
	if s.reverse {
		t = 1 - t
	}
	return schemeColor(s.stops, s.e0+t*(s.e1-s.e0))
}

// svgHeat draws a sweep map: one panel per arm, a title, and a legend strip.
func svgHeat(f *figure) ([]byte, error) {
	h := f.heat
	nx, ny := len(h.x.values), len(h.y.values)
	cell := 0.62 * vg.Inch
	if h.y.title == "" {
		ny = 1
	}
	panelW := vg.Length(nx)*cell + 1.1*vg.Inch
	panelH := vg.Length(ny)*cell + 0.97*vg.Inch
	if h.y.title == "" {
		panelH = 0.5*vg.Inch + 0.97*vg.Inch
	}
	n := len(h.panels)
	cols := max(1, min(n, int(svgForumWidth/panelW)))
	rows := (n + cols - 1) / cols
	head := wrapTitle(f.title, 80)
	title, legendH := vg.Length(0.25+0.2*float64(strings.Count(head, "\n")+1))*vg.Inch, 0.75*vg.Inch
	width := math.Max(float64(vg.Length(cols)*panelW), float64(4.8*vg.Inch))
	c := vgsvg.New(vg.Length(width), vg.Length(rows)*panelH+title+legendH)
	dc := draw.New(c)
	ts := draw.TextStyle{Color: color.Black, Font: font.From(svgFont, 11), Handler: plot.DefaultTextHandler, XAlign: draw.XCenter}
	ts.YAlign = draw.YTop
	dc.FillText(ts, vg.Point{X: dc.Max.X / 2, Y: dc.Max.Y - 0.08*vg.Inch}, head)
	sc := newMapScale(h)
	for i := range h.panels {
		p, err := svgMapPanel(f, &h.panels[i], sc)
		if err != nil {
			return nil, err
		}
		r, col := i/cols, i%cols
		x0 := vg.Length(col) * panelW
		y1 := dc.Max.Y - title - vg.Length(r)*panelH
		sub := draw.Crop(dc, 0, 0, 0, 0)
		sub.Min = vg.Point{X: x0, Y: y1 - panelH}
		sub.Max = vg.Point{X: x0 + panelW, Y: y1 - 0.12*vg.Inch}
		p.Draw(sub)
	}
	lg := dc
	lg.Max.Y = legendH
	mapLegend(lg, h, sc)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: drawing %s: %w", f.id, err)
	}
	return []byte(strings.ReplaceAll(buf.String(), "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")), nil
}

// wrapTitle breaks a title into lines of at most about n characters, at
// spaces.
func wrapTitle(s string, n int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > n {
			lines, line = append(lines, line), w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// svgMapPanel draws one panel of a sweep map.
func svgMapPanel(f *figure, pn *heatPanel, sc mapScale) (*plot.Plot, error) {
	h := f.heat
	p := plot.New()
	styleText(p, 9, 10, 10)
	p.Title.Text = pn.facet
	p.X.Label.Text, p.Y.Label.Text = shortParam(h.x.title), shortParam(h.y.title)
	if h.x.log {
		p.X.Scale = plot.LogScale{}
	}
	if h.y.log {
		p.Y.Scale = plot.LogScale{}
	}
	var labels plotter.XYLabels
	var dark []bool // white text on dark cells
	for iy, zs := range pn.z {
		for ix, z := range zs {
			if math.IsNaN(z) {
				continue
			}
			x0, x1, y0, y1 := h.x.edges[ix], h.x.edges[ix+1], h.y.edges[iy], h.y.edges[iy+1]
			sq, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			if err != nil {
				return nil, err
			}
			label := formatNumber(z)
			switch {
			case h.region && pn.in[iy][ix].in:
				sq.Color, label = rgb(regionIn, 255), pn.in[iy][ix].mark()
			case h.region:
				sq.Color, label = rgb(regionOut, 255), pn.in[iy][ix].mark()
			default:
				sq.Color = sc.color(z)
			}
			sq.LineStyle.Color, sq.LineStyle.Width = color.White, vg.Points(1)
			p.Add(sq)
			c, _ := sq.Color.(color.NRGBA) // every branch above sets an NRGBA
			dark = append(dark, 0.299*float64(c.R)+0.587*float64(c.G)+0.114*float64(c.B) < 110)
			labels.XYs = append(labels.XYs, plotter.XY{X: h.x.centers[ix], Y: h.y.centers[iy]})
			labels.Labels = append(labels.Labels, label)
		}
	}
	for _, s := range pn.hatch {
		l, err := plotter.NewLine(plotter.XYs{{X: s.x0, Y: s.y0}, {X: s.x1, Y: s.y1}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = color.NRGBA{R: 40, G: 40, B: 40, A: 140}, vg.Points(0.8)
		p.Add(l)
	}
	for _, s := range pn.bounds {
		l, err := plotter.NewLine(plotter.XYs{{X: s.x0, Y: s.y0}, {X: s.x1, Y: s.y1}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = color.Black, vg.Points(2.6)
		p.Add(l)
	}
	if len(labels.XYs) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			if dark[i] {
				l.TextStyle[i].Color = color.White
			}
			l.TextStyle[i].Font = font.From(svgFont, 9)
			l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
		}
		p.Add(l)
	}
	p.HideAxes()
	p.X.Min, p.X.Max = h.x.edges[0], h.x.edges[len(h.x.edges)-1]
	p.Y.Min, p.Y.Max = h.y.edges[0], h.y.edges[len(h.y.edges)-1]
	p.X.Tick.Marker = valueTicks(h.x.values, h.x.labels)
	p.Y.Tick.Marker = valueTicks(h.y.values, h.y.labels)
	if h.y.title == "" {
		p.Y.Tick.Marker = plot.ConstantTicks{}
	}
	p.X.Padding, p.Y.Padding = 0, 0
	return p, nil
}

// valueTicks puts labels[i] at values[i].
func valueTicks(values []float64, labels []string) plot.ConstantTicks {
	var t plot.ConstantTicks
	for i, v := range values {
		t = append(t, plot.Tick{Value: v, Label: labels[i]})
	}
	return t
}

// styleText sets a plot's fonts: tick labels, axis titles and the title,
// in points.
func styleText(p *plot.Plot, tick, label, title vg.Length) {
	for _, ts := range []*draw.TextStyle{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		ts.Font.Typeface, ts.Font.Variant = svgFont.Typeface, svgFont.Variant
	}
	p.Title.TextStyle.Font.Size = title
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = label, label
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size, p.Legend.TextStyle.Font.Size = tick, tick, tick
}

// mapLegend draws a map's legend in c: the colour bar (or the region's two
// colours) and the lines.
func mapLegend(c draw.Canvas, h *heatFig, sc mapScale) {
	ts := draw.TextStyle{Color: color.Black, Font: font.From(svgFont, 9), Handler: plot.DefaultTextHandler}
	x := c.Min.X + 0.3*vg.Inch
	y := c.Min.Y + c.Max.Y*0.6
	box := 0.16 * vg.Inch
	swatch := func(col color.Color, text string) {
		c.FillPolygon(col, []vg.Point{{X: x, Y: y}, {X: x + box, Y: y}, {X: x + box, Y: y + box}, {X: x, Y: y + box}})
		t := ts
		t.YAlign = draw.YBottom
		c.FillText(t, vg.Point{X: x + box + 4, Y: y + 2}, text)
		x += box + 8 + ts.Width(text) + 0.25*vg.Inch
	}
	if h.region {
		swatch(rgb(regionIn, 255), "in the region")
		swatch(rgb(regionOut, 255), "outside")
	} else {
		title := h.stat + h.unit
		if h.thr != nil {
			title += ", centred on " + formatNumber(h.thr.value)
		}
		t := ts
		t.YAlign = draw.YBottom
		c.FillText(t, vg.Point{X: x, Y: y + box + 3}, title)
		barW := 2.4 * vg.Inch
		const steps = 60
		for i := range steps {
			u := float64(i) / steps
			x0 := x + vg.Length(u)*barW
			col := sc.color(sc.lo + (u+0.5/steps)*(sc.hi-sc.lo))
			c.FillPolygon(col, []vg.Point{{X: x0, Y: y}, {X: x0 + barW/steps + 0.3, Y: y}, {X: x0 + barW/steps + 0.3, Y: y + box}, {X: x0, Y: y + box}})
		}
		t.YAlign, t.XAlign = draw.YTop, draw.XCenter
		for _, u := range []float64{0, 0.5, 1} {
			c.FillText(t, vg.Point{X: x + vg.Length(u)*barW, Y: y - 2}, formatNumber(sc.lo+u*(sc.hi-sc.lo)))
		}
		x += barW + 0.4*vg.Inch
	}
	var bounds, hatch bool
	for _, p := range h.panels {
		bounds = bounds || len(p.bounds) > 0
		hatch = hatch || len(p.hatch) > 0
	}
	line := func(col color.Color, w vg.Length, text string) {
		if x+0.3*vg.Inch+8+ts.Width(text) > c.Max.X { // next line
			x, y = c.Min.X+0.3*vg.Inch, y-0.26*vg.Inch
		}
		c.StrokeLine2(draw.LineStyle{Color: col, Width: w}, x, y+box/2, x+0.3*vg.Inch, y+box/2)
		t := ts
		t.YAlign = draw.YBottom
		c.FillText(t, vg.Point{X: x + 0.3*vg.Inch + 4, Y: y + 2}, text)
		x += 0.3*vg.Inch + 8 + ts.Width(text) + 0.25*vg.Inch
	}
	if bounds {
		line(color.Black, vg.Points(2.6), boundaryName)
	}
	if hatch {
		line(color.NRGBA{R: 40, G: 40, B: 40, A: 160}, vg.Points(0.8), hatchName)
	}
}
