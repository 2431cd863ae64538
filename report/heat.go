package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

// Sweep maps (heat maps and region maps) are drawn on numeric axes: each
// sweep value sits at its own position, and its cell reaches halfway to its
// neighbours, so that 2%, 5%, 15%, 30% are not drawn evenly spaced. An axis
// of positive values is logarithmic (halfway is then the geometric mean)
// when its values are more evenly spaced in logarithm than linearly: the
// coefficient of variation of the gaps is smaller.

// logSpaced reports whether sorted positive values are more evenly spaced
// on a log scale than on a linear one.
func logSpaced(values []float64) bool {
	n := len(values)
	if n < 3 || values[0] <= 0 {
		return n == 2 && values[0] > 0 && values[1]/values[0] >= 8
	}
	cv := func(f func(float64) float64) float64 {
		var gaps []float64
		var sum float64
		for i := 1; i < n; i++ {
			g := f(values[i]) - f(values[i-1])
			gaps, sum = append(gaps, g), sum+g
		}
		mean := sum / float64(len(gaps))
		var ss float64
		for _, g := range gaps {
			ss += (g - mean) * (g - mean)
		}
		return math.Sqrt(ss/float64(len(gaps))) / mean
	}
	return cv(math.Log) < cv(func(x float64) float64 { return x })
}

// minCellFrac is the narrowest cell's share of the axis, in the scale's
// space.
func (a *gridAxis) minCellFrac() float64 {
	lo, hi := a.toScale(a.edges[0]), a.toScale(a.edges[len(a.edges)-1])
	m := 1.0
	for i := 1; i < len(a.edges); i++ {
		m = math.Min(m, (a.toScale(a.edges[i])-a.toScale(a.edges[i-1]))/(hi-lo))
	}
	return m
}

// pixels is the length in pixels of an axis whose cells average perCell
// pixels and whose narrowest cell gets at least minCell, at most 560.
func (a *gridAxis) pixels(perCell, minCell float64) int {
	return int(math.Min(560, math.Max(perCell*float64(len(a.values)), minCell/a.minCellFrac())))
}

// gridAxis is one axis of a sweep map: the parameter's distinct values in
// increasing order with their labels, and the cells' edges and centres in
// data units.
type gridAxis struct {
	title   string
	labels  []string
	values  []float64
	log     bool
	edges   []float64 // len(values)+1
	centers []float64 // middle of each cell in the scale's space
}

// newGridAxis lays out the sorted distinct values of an axis.
func newGridAxis(title string, values []float64, labels []string) gridAxis {
	a := gridAxis{title: title, labels: labels, values: values}
	n := len(values)
	a.log = logSpaced(values)
	if n == 1 {
		w := math.Abs(values[0]) / 2
		if w == 0 {
			w = 0.5
		}
		a.edges = []float64{values[0] - w, values[0] + w}
		a.centers = []float64{values[0]}
		return a
	}
	u := make([]float64, n)
	for i, v := range values {
		u[i] = a.toScale(v)
	}
	e := make([]float64, n+1)
	e[0] = u[0] - (u[1]-u[0])/2
	for i := 1; i < n; i++ {
		e[i] = (u[i-1] + u[i]) / 2
	}
	e[n] = u[n-1] + (u[n-1]-u[n-2])/2
	for i := range e {
		a.edges = append(a.edges, a.fromScale(e[i]))
	}
	for i := range n {
		a.centers = append(a.centers, a.fromScale((e[i]+e[i+1])/2))
	}
	return a
}

func (a *gridAxis) toScale(v float64) float64 {
	if a.log {
		return math.Log10(v)
	}
	return v
}

func (a *gridAxis) fromScale(u float64) float64 {
	if a.log {
		return math.Pow(10, u)
	}
	return u
}

// lerp is the point a fraction t of the way from edge i to edge i+1, in the
// scale's space.
func (a *gridAxis) lerp(i int, t float64) float64 {
	lo, hi := a.toScale(a.edges[i]), a.toScale(a.edges[i+1])
	return a.fromScale(lo + t*(hi-lo))
}

// segment is a line on a sweep map, in data units.
type segment struct{ x0, y0, x1, y1 float64 }

// sweepAxis lays out sweep parameter p: its distinct values in order, and
// the index of each cell's value.
func (r *Report) sweepAxis(p int) (gridAxis, map[int]int) {
	var values []float64
	var labels []string
	pos := map[int]int{}
	for _, cell := range r.sortedCells(p) {
		v := r.d.paramValue(cell, p)
		if len(values) == 0 || v != values[len(values)-1] {
			values = append(values, v)
			labels = append(labels, r.d.paramLabel(cell, p))
		}
		pos[cell] = len(values) - 1
	}
	return newGridAxis(r.d.manifest.Params[p], values, labels), pos
}

// statEstimate returns a statistic of a summary: "mean", "CVaR 99%", or a
// quantile named as in region conditions ("p5").
func statEstimate(ms *metricSummary, stat string) metric.Estimate {
	switch stat {
	case "", "mean":
		return ms.Mean
	case "CVaR 99%":
		t, _ := tailOf(ms, 0.99)
		return t.CVaR
	}
	if q, ok := scenario.Stats[stat]; ok && q > 0 {
		return quantileOf(ms, q)
	}
	nan := math.NaN()
	return metric.Estimate{Value: nan, Lo: nan, Hi: nan, StdErr: nan}
}

// condStat is the statistic a condition names, "mean" by default.
func condStat(c *scenario.Condition) string {
	if c.Stat == "" {
		return "mean"
	}
	return c.Stat
}

// condBound is a condition's bound.
func condBound(c *scenario.Condition) float64 {
	if c.Below != nil {
		return float64(*c.Below)
	}
	return float64(*c.Above)
}

// verdict is where a cell stands against a condition or a region: in says
// whether it holds at the point estimates, sure whether every 95% interval
// agrees (the state "yes", "no" or "uncertain" of the region tables).
type verdict struct {
	in, sure, known bool
}

// mark is the verdict as a region map labels its cells: yes, no, or "?"
// where it is uncertain (the cell is also hatched).
func (v verdict) mark() string {
	if v.known && !v.sure {
		return "?"
	}
	return v.state()
}

// state is the verdict as the region tables word it.
func (v verdict) state() string {
	switch {
	case !v.known:
		return "–"
	case !v.sure:
		return "uncertain"
	case v.in:
		return "yes"
	}
	return "no"
}

// condVerdict judges one condition on an estimate.
func condVerdict(c *scenario.Condition, e metric.Estimate) verdict {
	if math.IsNaN(e.Value) {
		return verdict{}
	}
	in := c.Holds(e.Value)
	lo, hi := c.Holds(e.Lo), c.Holds(e.Hi)
	return verdict{in: in, sure: lo == in && hi == in && !math.IsNaN(e.Lo) && !math.IsNaN(e.Hi), known: true}
}

// cellVerdict judges a region in one cell and arm: in where every condition
// holds at its estimate; sure "yes" when every interval lies on the right
// side, sure "no" when some interval lies wholly on the wrong side.
func (r *Report) cellVerdict(cell int, arm string, reg scenario.Region) verdict {
	v := verdict{in: true, sure: true, known: true}
	for i := range reg {
		c := &reg[i]
		ms, ok := r.d.summaryOf(cell, arm, c.Metric)
		if !ok {
			return verdict{}
		}
		cv := condVerdict(c, statEstimate(ms, condStat(c)))
		if !cv.known {
			return verdict{}
		}
		if !cv.in && cv.sure {
			return verdict{in: false, sure: true, known: true}
		}
		v.in = v.in && cv.in
		v.sure = v.sure && cv.sure
	}
	return v
}

// heatThreshold is the decision threshold a map's colours diverge around,
// and the condition whose verdicts it draws, if the map shows the
// condition's statistic.
type heatThreshold struct {
	value float64
	// goodAbove says which side of the threshold is good.
	goodAbove bool
	// cond, when set, draws the condition's boundary and hatches the cells
	// whose interval straddles it.
	cond *scenario.Condition
	why  string // "region lp_beats_hodl", "the scenario's loss threshold"
}

// mapThreshold chooses the threshold of metric k's map of stat: a region
// condition on the metric with the same statistic first, then any region
// condition on it, then the metric's threshold: key.
func (r *Report) mapThreshold(k int, stat string) *heatThreshold {
	mi := &r.metrics[k]
	var any *heatThreshold
	if sc := r.d.scenario; sc != nil {
		for _, reg := range sc.Regions {
			for i := range reg.Value {
				c := &reg.Value[i]
				if c.Metric != mi.name {
					continue
				}
				// Red on the metric's bad side; a metric with no bad end is
				// blue where the condition holds.
				good := c.Above != nil
				if mi.worse != metric.Neutral {
					good = mi.worse == metric.LowerIsWorse
				}
				t := &heatThreshold{value: condBound(c), goodAbove: good, why: "region " + reg.Name}
				if condStat(c) == stat {
					t.cond = c
					return t
				}
				if any == nil {
					any = t
				}
			}
		}
	}
	if any != nil {
		return any
	}
	if mi.threshold != nil && mi.worse != metric.Neutral {
		return &heatThreshold{value: *mi.threshold, goodAbove: mi.worse == metric.LowerIsWorse, why: "the scenario's loss threshold"}
	}
	return nil
}

// regionStats are the statistics of metric k that region conditions name,
// other than the mean, in order of first use.
func (r *Report) regionStats(k int) []string {
	var out []string
	if sc := r.d.scenario; sc != nil {
		for _, reg := range sc.Regions {
			for i := range reg.Value {
				c := &reg.Value[i]
				if s := condStat(c); c.Metric == r.metrics[k].name && s != "mean" && !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// mapGeometry fills a panel's boundary and hatch segments from its
// verdicts: a boundary runs between neighbouring cells whose point verdicts
// differ, and a cell whose verdict is not sure is hatched with diagonal
// lines.
func mapGeometry(p *heatPanel, x, y *gridAxis) {
	ny, nx := len(p.in), len(x.values)
	for iy := range ny {
		for ix := range nx {
			v := p.in[iy][ix]
			if !v.known {
				continue
			}
			if ix+1 < nx && p.in[iy][ix+1].known && p.in[iy][ix+1].in != v.in {
				p.bounds = append(p.bounds, segment{x.edges[ix+1], y.edges[iy], x.edges[ix+1], y.edges[iy+1]})
			}
			if iy+1 < ny && p.in[iy+1][ix].known && p.in[iy+1][ix].in != v.in {
				p.bounds = append(p.bounds, segment{x.edges[ix], y.edges[iy+1], x.edges[ix+1], y.edges[iy+1]})
			}
			if !v.sure {
				// Lines parallel to the cell's diagonal, at offsets s of a
				// cell in the scale's space, so that they are parallel on
				// screen whatever the axis scales.
				for _, s := range []float64{-0.6, -0.3, 0, 0.3, 0.6} {
					t0x, t0y := math.Max(0, s), math.Max(0, -s)
					t1x, t1y := math.Min(1, 1+s), math.Min(1, 1-s)
					p.hatch = append(p.hatch, segment{x.lerp(ix, t0x), y.lerp(iy, t0y), x.lerp(ix, t1x), y.lerp(iy, t1y)})
				}
			}
		}
	}
}

// newMapPanel returns an empty panel of nx × ny cells.
func newMapPanel(facet string, nx, ny int) heatPanel {
	p := heatPanel{facet: facet}
	nan := math.NaN()
	for range ny {
		z, lo, hi := make([]float64, nx), make([]float64, nx), make([]float64, nx)
		for i := range z {
			z[i], lo[i], hi[i] = nan, nan, nan
		}
		p.z, p.lo, p.hi = append(p.z, z), append(p.lo, lo), append(p.hi, hi)
		p.in = append(p.in, make([]verdict, nx))
	}
	return p
}

// mapAxes lays out a map's axes: two parameters, or one with a single row.
func (r *Report) mapAxes() (x, y gridAxis, xpos, ypos map[int]int) {
	x, xpos = r.sweepAxis(0)
	if len(r.d.manifest.Params) >= 2 {
		y, ypos = r.sweepAxis(1)
		return
	}
	y = newGridAxis("", []float64{0}, []string{""})
	ypos = map[int]int{}
	for _, c := range r.cells {
		ypos[c] = 0
	}
	return
}

// heatFigure maps one statistic of metric k over a sweep of one or two
// parameters, one panel per arm. Its colours diverge around the metric's
// decision threshold where the scenario states one; a region condition on
// the same statistic also draws its boundary, and hatches the cells whose
// 95% interval straddles the bound.
func (r *Report) heatFigure(k int, stat string) *figure {
	mi := &r.metrics[k]
	x, y, xpos, ypos := r.mapAxes()
	what := stat
	switch stat {
	case "CVaR 99%":
		what = "CVaR 99% (mean of the worst 1% of runs)"
	case "mean":
	default:
		what = stat + " (" + strings.TrimPrefix(stat, "p") + "% quantile)"
	}
	thr := r.mapThreshold(k, stat)
	f := &figure{
		id:     "heat-" + slug(strings.ReplaceAll(strings.ToLower(strings.ReplaceAll(stat, " 99%", "99")), " ", "")) + "-" + slug(mi.name),
		kind:   figHeat,
		title:  mi.name + ": " + what,
		xTitle: x.title,
		yTitle: y.title,
		heat:   &heatFig{x: x, y: y, stat: stat, worse: mi.worse, thr: thr, unit: mi.unitText()},
	}
	caption := mi.described() + ". Each rectangle is one sweep cell, centred on its values on the axes."
	switch {
	case thr != nil && thr.cond != nil:
		blue, red := "above", "below"
		if !thr.goodAbove {
			blue, red = "below", "above"
		}
		caption += fmt.Sprintf(" Colours diverge around %s, the bound of %s (%s): blue %s it, red %s it. "+
			"The thick line is the boundary between cells where the condition holds and where it does not, at the estimates; hatched cells have "+
			"a 95%% interval that straddles the bound, so their side is uncertain.", formatNumber(thr.value), thr.cond.String(), thr.why, blue, red)
	case thr != nil:
		caption += fmt.Sprintf(" Colours diverge around %s (%s): blue on the good side, red on the bad side.", formatNumber(thr.value), thr.why)
	case mi.worse == metric.Neutral:
		caption += " The metric has no bad end and the scenario states no threshold: colours run from low (light) to high (dark)."
	default:
		caption += " The scenario states no threshold for it: colours run from the good end (light) to the bad end (dark)."
	}
	f.caption = caption
	if r.hasArms() {
		f.facets = slices.Clone(r.arms)
	}
	for _, arm := range r.arms {
		facet := arm
		if !r.hasArms() {
			facet = ""
		}
		p := newMapPanel(facet, len(x.values), len(y.values))
		for _, cell := range r.cells {
			ms, ok := r.d.summaryOf(cell, arm, mi.name)
			if !ok {
				continue
			}
			e := statEstimate(ms, stat)
			ix, iy := xpos[cell], ypos[cell]
			p.z[iy][ix], p.lo[iy][ix], p.hi[iy][ix] = e.Value, e.Lo, e.Hi
			if thr != nil && thr.cond != nil {
				p.in[iy][ix] = condVerdict(thr.cond, e)
			}
		}
		if thr != nil && thr.cond != nil {
			mapGeometry(&p, &x, &y)
		}
		f.heat.panels = append(f.heat.panels, p)
	}
	return f
}

// regionFigure maps a region over a sweep of one or two parameters, one
// panel per arm: cells in the region at the estimates in blue, the others
// in red, the boundary between them drawn, and the cells whose verdict is
// uncertain at 95% hatched.
func (r *Report) regionFigure(name string, reg scenario.Region) *figure {
	x, y, xpos, ypos := r.mapAxes()
	conds := make([]string, len(reg))
	for k := range reg {
		conds[k] = reg[k].String()
	}
	f := &figure{
		id:     "region-" + slug(name),
		kind:   figHeat,
		title:  "Region " + name + ": " + strings.Join(conds, " and "),
		xTitle: x.title,
		yTitle: y.title,
		heat:   &heatFig{x: x, y: y, region: true},
	}
	if r.hasArms() {
		f.facets = slices.Clone(r.arms)
	}
	counts := make([]int, len(r.arms))
	for a, arm := range r.arms {
		facet := arm
		if !r.hasArms() {
			facet = ""
		}
		p := newMapPanel(facet, len(x.values), len(y.values))
		for _, cell := range r.cells {
			v := r.cellVerdict(cell, arm, reg)
			ix, iy := xpos[cell], ypos[cell]
			p.in[iy][ix] = v
			if v.known {
				p.z[iy][ix] = 0
				if v.in {
					p.z[iy][ix] = 1
				}
			}
			if v.state() == "yes" {
				counts[a]++
			}
		}
		mapGeometry(&p, &x, &y)
		f.heat.panels = append(f.heat.panels, p)
	}
	var parts []string
	for a, arm := range r.arms {
		if arm == "" {
			parts = append(parts, fmt.Sprintf("%d of %d", counts[a], len(r.cells)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d of %d", arm, counts[a], len(r.cells)))
	}
	f.caption = fmt.Sprintf("Region %s: %s. Blue: every condition holds at the estimates; grey: some condition fails. "+
		"Cells read yes/no when the 95%% interval of every statistic is on one side of its bound, uncertain (hatched) when one straddles it; "+
		"the thick line is the region's boundary at the estimates. In the region: %s cells.",
		name, strings.Join(conds, " and "), strings.Join(parts, ", "))
	return f
}
