package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cascade-risk/cascade/metric"
)

// Figures of each metric's outcomes: the sweep chart of one parameter,
// histograms, distribution functions and fans. Arms whose outcomes are
// identical in every run (an exogenous price, a metric no policy touches)
// are drawn once, as one series named after all of them, so that the
// legend never lists a colour the chart hides under another.

// maxHistBins is the most bins a histogram panel has, and maxFacetBins the
// most in a panel of small multiples.
const (
	maxHistBins  = 120
	maxFacetBins = 60
)

// identicalArms reports whether every arm's outcomes of metric k equal the
// baseline's run for run, in every cell.
func (r *Report) identicalArms(k int) bool {
	if !r.hasArms() {
		return false
	}
	for _, cell := range r.cells {
		base := r.groupOf(cell, r.arms[0]).values[k]
		for _, arm := range r.arms[1:] {
			vs := r.groupOf(cell, arm).values[k]
			if len(vs) != len(base) {
				return false
			}
			for i, v := range vs {
				if v != base[i] && !(math.IsNaN(v) && math.IsNaN(base[i])) {
					return false
				}
			}
		}
	}
	return true
}

// drawnArms are the arms a figure of metric k draws, and the series name of
// each: every arm, or the baseline alone named "a = b = c (identical)" when
// the arms do not differ.
func (r *Report) drawnArms(k int) (arms, names []string) {
	if r.identicalArms(k) {
		return r.arms[:1], []string{strings.Join(r.arms, " = ") + " (identical in every run)"}
	}
	for _, a := range r.arms {
		arms, names = append(arms, a), append(names, seriesName(a))
	}
	return arms, names
}

func (r *Report) sweepLineFigure(k int) *figure {
	mi := &r.metrics[k]
	param := r.d.manifest.Params[0]
	axis, _ := r.sweepAxis(0)
	arms, names := r.drawnArms(k)
	f := &figure{
		id:      "sweep-" + slug(mi.name),
		kind:    figSweepLine,
		title:   mi.name + " against " + shortParam(param),
		caption: mi.described() + ". Mean (solid) and CVaR 99% (dashed) with 95% confidence bands, at the swept values.",
		xTitle:  param,
		yTitle:  mi.axisTitle(),
		series:  names,
		sweep:   &sweepFig{axis: axis},
	}
	if axis.log {
		f.caption += " The parameter's axis is logarithmic."
	}
	var cells []int
	for _, cell := range r.sortedCells(0) {
		if len(cells) == 0 || r.d.paramValue(cell, 0) != r.d.paramValue(cells[len(cells)-1], 0) {
			cells = append(cells, cell)
		}
	}
	for a, arm := range arms {
		mean := sweepLine{series: names[a], stat: "mean"}
		cvar := sweepLine{series: names[a], stat: "CVaR 99%"}
		for _, cell := range cells {
			ms, ok := r.d.summaryOf(cell, arm, mi.name)
			if !ok {
				nan := math.NaN()
				for _, l := range []*sweepLine{&mean, &cvar} {
					l.y, l.lo, l.hi = append(l.y, nan), append(l.lo, nan), append(l.hi, nan)
				}
				continue
			}
			t99, _ := tailOf(ms, 0.99)
			mean.y, mean.lo, mean.hi = append(mean.y, ms.Mean.Value), append(mean.lo, ms.Mean.Lo), append(mean.hi, ms.Mean.Hi)
			cvar.y, cvar.lo, cvar.hi = append(cvar.y, t99.CVaR.Value), append(cvar.lo, t99.CVaR.Lo), append(cvar.hi, t99.CVaR.Hi)
		}
		f.sweep.lines = append(f.sweep.lines, mean, cvar)
	}
	return f
}

// histEdges are the bin edges shared by the arms of one panel: a round
// width fine enough for the arm with the narrowest spread to get about
// histBins bins, so that a collar's outcomes are not lumped into the wide
// bins of the unhedged arm, but at most maxBins bins across all of them.
func histEdges(arms [][]float64, maxBins int) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	raw := math.Inf(1)
	for _, vs := range arms {
		alo, ahi := math.Inf(1), math.Inf(-1)
		for _, v := range vs {
			if isFinite(v) {
				alo, ahi = math.Min(alo, v), math.Max(ahi, v)
			}
		}
		if alo < ahi {
			raw = math.Min(raw, (ahi-alo)/histBins)
		}
		lo, hi = math.Min(lo, alo), math.Max(hi, ahi)
	}
	if lo > hi { // no finite outcome
		return niceBins(0, 1, histBins)
	}
	if !(hi > lo) {
		return niceBins(lo, hi, histBins)
	}
	raw = math.Max(raw, (hi-lo)/float64(maxBins))
	return niceBins(lo, hi, max(1, int(math.Floor((hi-lo)/raw))))
}

func (r *Report) histFigure(k int) *figure {
	mi := &r.metrics[k]
	arms, names := r.drawnArms(k)
	f := &figure{
		id:     "hist-" + slug(mi.name),
		kind:   figHist,
		title:  "Distribution of " + mi.name,
		xTitle: mi.axisTitle(),
		yTitle: "share of runs (%)",
		series: names,
		hist:   &histFig{},
	}
	r.facet(f)
	f.independentX = len(f.facets) > 0 && !r.comparableSpans(k, arms)
	maxBins := maxHistBins
	if len(f.facets) > 0 {
		maxBins = maxFacetBins
	}
	var widths []string
	for _, cell := range r.cells[:min(len(r.cells), maxFacets)] {
		var values [][]float64
		for _, arm := range arms {
			values = append(values, r.groupOf(cell, arm).values[k])
		}
		edges := histEdges(values, maxBins)
		if w := formatShort(edges[1] - edges[0]); !slices.Contains(widths, w) {
			widths = append(widths, w)
		}
		for a, arm := range arms {
			g := r.groupOf(cell, arm)
			hs := histSeries{facet: r.facetOf(g), series: names[a], edges: edges, pct: histogram(g.values[k], edges), var99: math.NaN()}
			if ms, ok := r.d.summaryOf(g.cell, g.arm, mi.name); ok {
				if t, ok := tailOf(ms, 0.99); ok {
					hs.var99 = t.VaR.Value
				}
			}
			f.hist.bars = append(f.hist.bars, hs)
		}
	}
	width := "bins of width " + widths[0]
	if len(widths) > 1 {
		width = "each panel's own bins"
	}
	overlay := ""
	if len(names) > 1 {
		overlay = " Arms share their bins and are drawn as outlines, so that neither hides the other."
	}
	f.caption = fmt.Sprintf("%s. Share of runs per bin (%s).%s Dashed lines: VaR 99%%, the outcome the worst 1%% of runs reach.",
		mi.described(), width, overlay) + r.facetNote()
	return f
}

func (r *Report) ecdfFigure(k int) *figure {
	mi := &r.metrics[k]
	end := "left"
	if mi.worse == metric.HigherIsWorse {
		end = "right"
	}
	arms, names := r.drawnArms(k)
	f := &figure{
		id:    "ecdf-" + slug(mi.name),
		kind:  figECDF,
		title: "Cumulative distribution of " + mi.name,
		caption: mi.described() + ". Share of runs with an outcome at or below each value; the tail is at the " + end +
			". A vertical step is a value many runs share (a point mass)." + r.facetNote(),
		xTitle: mi.axisTitle(),
		yTitle: "share of runs at or below",
		series: names,
	}
	if mi.worse == metric.Neutral {
		f.caption = strings.Replace(f.caption, "; the tail is at the left", "", 1)
	}
	r.facet(f)
	f.independentX = len(f.facets) > 0 && !r.comparableSpans(k, arms)
	for _, cell := range r.cells[:min(len(r.cells), maxFacets)] {
		var series []ecdfSeries
		hi := math.Inf(-1)
		for a, arm := range arms {
			g := r.groupOf(cell, arm)
			x, p := ecdf(g.values[k], ecdfPoints)
			if len(x) == 0 {
				continue
			}
			// The curve starts at 0 below the smallest outcome, so that
			// the first step, a point mass at its value, is drawn.
			x, p = append([]float64{x[0]}, x...), append([]float64{0}, p...)
			hi = math.Max(hi, x[len(x)-1])
			series = append(series, ecdfSeries{facet: r.facetOf(g), series: names[a], x: x, f: p})
		}
		if lo := panelMin(series); hi <= lo {
			// Every run of the panel has one value: give the level line
			// some length.
			hi = lo + math.Max(1, math.Abs(lo)/10)
		}
		for i := range series {
			// Every curve runs on at 1 to the panel's largest outcome: a
			// point mass is a vertical step and a level line, not a dot.
			s := &series[i]
			if s.x[len(s.x)-1] < hi {
				s.x, s.f = append(s.x, hi), append(s.f, 1)
			}
		}
		f.ecdf = append(f.ecdf, series...)
	}
	return f
}

func (r *Report) fanFigure(k int) *figure {
	mi := &r.metrics[k]
	qi := map[float64]int{}
	for i, q := range r.d.fans.Quantiles {
		qi[q] = i
	}
	for _, q := range []float64{0.05, 0.25, 0.5, 0.75, 0.95} {
		if _, ok := qi[q]; !ok {
			return nil
		}
	}
	var span float64
	for _, fc := range r.d.fans.Cells {
		if n := len(fc.Times); n > 0 {
			span = math.Max(span, fc.Times[n-1])
		}
	}
	unit, unitName := timeUnit(span)
	arms, names := r.drawnArms(k)
	f := &figure{
		id:      "fan-" + slug(mi.name),
		kind:    figFan,
		title:   mi.name + " over time",
		caption: mi.described() + ". Median, 25–75% and 5–95% of runs at each sample time." + r.facetNote(),
		xTitle:  "time (" + unitName + ")",
		yTitle:  mi.axisTitle(),
		series:  names,
	}
	if len(names) > 1 {
		f.caption = mi.described() + ". At each sample time: the median (thick), 25–75% (thin) and 5–95% (dotted) of runs, one colour per arm." + r.facetNote()
	}
	r.facet(f)
	var groups []*group
	for _, g := range r.shownGroups() {
		if slices.Contains(arms, g.arm) {
			groups = append(groups, g)
		}
	}
	// Many groups share a budget of points, so that a large sweep's report
	// stays a few MB: 150 points for up to 4 groups, down to 25 per series.
	points := max(25, min(maxFanPoints, maxFanPoints*4/max(1, len(groups))))
	for _, g := range groups {
		for _, fc := range r.d.fans.Cells {
			if fc.Cell != g.cell || fc.Arm != g.arm {
				continue
			}
			qs, ok := fc.Metrics[mi.name]
			if !ok || len(fc.Times) == 0 {
				continue
			}
			stride := (len(fc.Times) + points - 1) / points
			fs := fanSeries{facet: r.facetOf(g), series: names[slices.Index(arms, g.arm)]}
			for i := 0; i < len(fc.Times); i += stride {
				// Keep the last point: the horizon is where the tail table is.
				if i+stride >= len(fc.Times) {
					i = len(fc.Times) - 1
				}
				fs.t = append(fs.t, fc.Times[i]/unit)
				fs.p5 = append(fs.p5, float64(qs[qi[0.05]][i]))
				fs.p25 = append(fs.p25, float64(qs[qi[0.25]][i]))
				fs.p50 = append(fs.p50, float64(qs[qi[0.5]][i]))
				fs.p75 = append(fs.p75, float64(qs[qi[0.75]][i]))
				fs.p95 = append(fs.p95, float64(qs[qi[0.95]][i]))
			}
			f.fan = append(f.fan, fs)
		}
	}
	if len(f.fan) == 0 {
		return nil
	}
	return f
}

// panelMin is the smallest value of the series.
func panelMin(series []ecdfSeries) float64 {
	lo := math.Inf(1)
	for _, s := range series {
		if len(s.x) > 0 {
			lo = math.Min(lo, s.x[0])
		}
	}
	return lo
}

// comparableSpans reports whether small multiples of metric k can share
// one x axis: every panel's outcomes spread, by no more than a factor of
// 10 more in one panel than in another. A shared axis lets panels be
// compared at a glance; panels whose ranges differ by orders of magnitude
// keep their own, or most would be a spike.
func (r *Report) comparableSpans(k int, arms []string) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, cell := range r.cells[:min(len(r.cells), maxFacets)] {
		plo, phi := math.Inf(1), math.Inf(-1)
		for _, arm := range arms {
			for _, v := range r.groupOf(cell, arm).values[k] {
				if isFinite(v) {
					plo, phi = math.Min(plo, v), math.Max(phi, v)
				}
			}
		}
		span := phi - plo
		if !(span > 0) {
			return false
		}
		lo, hi = math.Min(lo, span), math.Max(hi, span)
	}
	return hi <= 10*lo
}
