package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/metric"
)

// Options configure a report. The zero value reports every metric.
type Options struct {
	// Metrics selects the metrics shown, in order; empty shows every
	// metric of the results directory in its order.
	Metrics []string
	// Headline names the metric of the headline sentences. Empty takes the
	// first metric shown that varies across runs and, when there are policy
	// arms, that the arms change: an exogenous price, equal in every arm by
	// construction, does not make the headline.
	Headline string
	// Thresholds gives, by metric name, the outcome beyond which a run
	// counts as a loss in the policy comparison. A metric without one uses
	// DefaultThreshold of the baseline arm in each sweep cell.
	Thresholds map[string]float64
	// Bootstrap configures the comparison's confidence intervals; the zero
	// value draws DefaultResamples resamples with seed 0.
	Bootstrap Bootstrap
}

// maxFacets is the most sweep cells drawn as small multiples in one figure.
const maxFacets = 24

// maxFanPoints is the most time points drawn per fan chart series.
const maxFanPoints = 150

// Report is a report on one results directory: every number, table and
// chart, independent of the output format. Make one with New and write it
// with WriteHTML or WriteMarkdown.
type Report struct {
	d        *data
	opt      Options
	metrics  []metricInfo
	groups   []*group
	arms     []string // compare arms in order; [""] without a comparison
	cells    []int    // sweep cells in order
	headline int      // index into metrics
	// comps[c][a] holds the comparisons of arm a+1 with arm 0 in cells[c],
	// one per metric; nil without a comparison.
	comps    [][][]Comparison
	sections []*section
	// disc is the discover results a discovery report shows; nil for the
	// report of a cascade run directory.
	disc *experiment.DiscoverReport
}

// metricInfo is one metric shown in the report.
type metricInfo struct {
	name, unit, doc string
	col             int // index into the layout's scalars
	worse           metric.Direction
	constant        bool // every finite outcome equal, in every group
	// binary and count mark metrics reported as rates (see classify).
	binary, count bool
	// threshold is the scenario's loss threshold, if it gives one.
	threshold *float64
}

// group is the runs of one arm at one sweep cell.
type group struct {
	cell      int
	arm       string
	cellLabel string // "pool.fee = 0.3%, eth.volatility = 4%/day"
	// cellValues is the short form for panel headers: "0.3%, 4%/day".
	cellValues string
	runs       []int       // indices into data.runs, by increasing run index
	values     [][]float64 // values[m] are metric m's outcomes, in runs order
}

// label names the group in legends and table rows.
func (g *group) label() string {
	switch {
	case g.cellLabel == "" && g.arm == "":
		return "all runs"
	case g.cellLabel == "":
		return g.arm
	case g.arm == "":
		return g.cellLabel
	}
	return g.cellLabel + " · " + g.arm
}

// New reads the results directory dir and computes the report.
//
// A directory written by cascade discover gets a discovery report: the
// boxes where the safe region fails, drawn on maps of the evaluated
// points, the sensitivity rankings, the boundary and the worst runs with
// their replay commands.
func New(dir string, opt Options) (*Report, error) {
	if isDiscover(dir) {
		return newDiscover(dir)
	}
	d, err := load(dir)
	if err != nil {
		return nil, err
	}
	r := &Report{d: d, opt: opt}
	if err := r.selectMetrics(); err != nil {
		return nil, err
	}
	r.buildGroups()
	r.classify()
	if err := r.compare(); err != nil {
		return nil, err
	}
	if err := r.chooseHeadline(); err != nil {
		return nil, err
	}
	r.build()
	return r, nil
}

func (r *Report) selectMetrics() error {
	byName := map[string]int{}
	for k, c := range r.d.layout.Scalars {
		byName[c.Name] = k
	}
	names := r.opt.Metrics
	if len(names) == 0 {
		for _, c := range r.d.layout.Scalars {
			names = append(names, c.Name)
		}
	}
	seen := map[string]bool{}
	for _, name := range names {
		k, ok := byName[name]
		if !ok {
			return fmt.Errorf("report: no metric %q in the results (have %s)", name, strings.Join(r.metricNames(), ", "))
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		c := r.d.layout.Scalars[k]
		mi := metricInfo{name: name, unit: c.Unit, doc: c.Description, col: k}
		found := false
		for _, cs := range r.d.summary {
			for _, ms := range cs.Metrics {
				if ms.Name == name {
					mi.worse, found = ms.Worse, true
					mi.threshold = ms.Threshold
					if mi.doc == "" {
						mi.doc = ms.Doc
					}
				}
			}
		}
		if !found {
			return fmt.Errorf("report: summary.json has no metric %q", name)
		}
		r.metrics = append(r.metrics, mi)
	}
	for name := range r.opt.Thresholds {
		if !seen[name] {
			return fmt.Errorf("report: threshold for %q, which is not a metric shown", name)
		}
	}
	return nil
}

func (r *Report) metricNames() []string {
	var out []string
	for _, c := range r.d.layout.Scalars {
		out = append(out, c.Name)
	}
	return out
}

func (r *Report) buildGroups() {
	m := &r.d.manifest
	r.arms = slices.Clone(m.Arms)
	if len(r.arms) == 0 {
		r.arms = []string{""}
	}
	for _, c := range m.Cells {
		r.cells = append(r.cells, c.Cell)
	}
	type key struct {
		cell int
		arm  string
	}
	byKey := map[key]*group{}
	for _, cell := range r.cells {
		var parts, values []string
		for p, name := range m.Params {
			parts = append(parts, shortParam(name)+" = "+r.d.paramLabel(cell, p))
			values = append(values, r.d.paramLabel(cell, p))
		}
		for _, arm := range r.arms {
			g := &group{cell: cell, arm: arm, cellLabel: strings.Join(parts, ", "), cellValues: strings.Join(values, ", ")}
			byKey[key{cell, arm}] = g
			r.groups = append(r.groups, g)
		}
	}
	for i, run := range r.d.runs {
		if g := byKey[key{run.Cell, run.Arm}]; g != nil {
			g.runs = append(g.runs, i)
		}
	}
	for _, g := range r.groups {
		slices.SortStableFunc(g.runs, func(a, b int) int { return r.d.runs[a].Run - r.d.runs[b].Run })
		g.values = make([][]float64, len(r.metrics))
		for k, mi := range r.metrics {
			vs := make([]float64, len(g.runs))
			for i, ri := range g.runs {
				vs[i] = r.d.runs[ri].Scalars[mi.col]
			}
			g.values[k] = vs
		}
	}
	for k := range r.metrics {
		first, constant := math.NaN(), true
		for _, g := range r.groups {
			for _, v := range g.values[k] {
				if !isFinite(v) {
					continue
				}
				if math.IsNaN(first) {
					first = v
				} else if v != first {
					constant = false
				}
			}
		}
		r.metrics[k].constant = constant
	}
}

// groupOf returns the group of cell and arm.
func (r *Report) groupOf(cell int, arm string) *group {
	for _, g := range r.groups {
		if g.cell == cell && g.arm == arm {
			return g
		}
	}
	return nil
}

// hasArms reports whether the results compare policy arms.
func (r *Report) hasArms() bool { return len(r.arms) > 1 }

// compare computes the paired comparisons of every arm with the first, in
// every cell. Runs pair by run index; a run missing from either arm is
// left out.
func (r *Report) compare() error {
	if !r.hasArms() {
		return nil
	}
	if n := r.opt.Bootstrap.Resamples; n < 0 {
		return fmt.Errorf("report: negative resample count %d", n)
	}
	r.comps = make([][][]Comparison, len(r.cells))
	for c, cell := range r.cells {
		base := r.groupOf(cell, r.arms[0])
		baseIdx := map[int]int{}
		for i, ri := range base.runs {
			baseIdx[r.d.runs[ri].Run] = i
		}
		for _, arm := range r.arms[1:] {
			g := r.groupOf(cell, arm)
			var bi, ai []int
			for i, ri := range g.runs {
				if j, ok := baseIdx[r.d.runs[ri].Run]; ok {
					bi, ai = append(bi, j), append(ai, i)
				}
			}
			bs, as := make([][]float64, len(r.metrics)), make([][]float64, len(r.metrics))
			worse, thr := make([]metric.Direction, len(r.metrics)), make([]float64, len(r.metrics))
			for k, mi := range r.metrics {
				bs[k], as[k] = make([]float64, len(bi)), make([]float64, len(ai))
				for i := range bi {
					bs[k][i] = base.values[k][bi[i]]
					as[k][i] = g.values[k][ai[i]]
				}
				worse[k] = mi.worse
				if t, ok := r.opt.Thresholds[mi.name]; ok {
					thr[k] = t
				} else if mi.threshold != nil {
					thr[k] = *mi.threshold
				} else {
					thr[k] = DefaultThreshold(base.values[k], mi.worse)
				}
			}
			r.comps[c] = append(r.comps[c], compareAll(bs, as, worse, thr, r.opt.Bootstrap))
		}
	}
	return nil
}

// changed reports whether the arms change metric k anywhere: some pair
// differs.
func (r *Report) changed(k int) bool {
	for c := range r.comps {
		for _, comps := range r.comps[c] {
			cm := comps[k]
			if cm.Mean.Value != 0 || cm.Mean.Lo != 0 || cm.Mean.Hi != 0 || cm.PDiff.Value != 0 {
				return true
			}
			for _, t := range cm.Tails {
				if t.VaR.Value != 0 || t.CVaR.Value != 0 {
					return true
				}
			}
		}
	}
	return false
}

func (r *Report) chooseHeadline() error {
	if r.opt.Headline != "" {
		for k, mi := range r.metrics {
			if mi.name == r.opt.Headline {
				r.headline = k
				return nil
			}
		}
		return fmt.Errorf("report: headline metric %q is not a metric shown", r.opt.Headline)
	}
	if sc := r.d.scenario; sc != nil && sc.Headline != "" {
		for k, mi := range r.metrics {
			if mi.name == sc.Headline {
				r.headline = k
				return nil
			}
		}
	}
	r.headline = 0
	for k, mi := range r.metrics {
		if mi.constant {
			continue
		}
		if !r.hasArms() || r.changed(k) {
			r.headline = k
			return nil
		}
	}
	return nil
}

// title is the report's title.
func (r *Report) title() string {
	if r.disc != nil {
		return "Discovery report: " + r.d.manifest.ScenarioName
	}
	return "Stress test report: " + r.d.manifest.ScenarioName
}

// unitText describes a metric's unit for axis titles: "(numeraire)".
func (mi *metricInfo) unitText() string {
	if mi.unit == "" || mi.unit == "1" {
		return ""
	}
	return " (" + mi.unit + ")"
}

// axisTitle is the axis title of a metric's values: its name and unit.
// Descriptions go in captions, where long text wraps.
func (mi *metricInfo) axisTitle() string { return mi.name + mi.unitText() }

// described is the metric's description as a clause for captions: "LP
// value divided by HODL value (ratio); lower is worse".
func (mi *metricInfo) described() string {
	if mi.doc == "" {
		return mi.name + mi.unitText() + "; " + mi.badEnd()
	}
	return upperFirst(mi.doc) + mi.unitText() + "; " + mi.badEnd()
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// badEnd says in words which end of a metric is bad.
func (mi *metricInfo) badEnd() string {
	switch mi.worse {
	case metric.HigherIsWorse:
		return "higher is worse"
	case metric.Neutral:
		return "no bad end"
	}
	return "lower is worse"
}
