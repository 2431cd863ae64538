package report

import (
	"fmt"
	"strings"

	"github.com/cascade-risk/cascade/metric"
)

// A threshold table gives, for every metric that is not binary and for
// which the scenario states a threshold (its threshold: key, or a region's
// bound on it), the share of runs on the far side of each threshold in
// every sweep cell and arm, with exact Clopper–Pearson intervals: the
// per-run view of a bound that a region states on a statistic.

// runThreshold is one threshold of one metric and the side of it a run is
// counted on.
type runThreshold struct {
	k     int // metric index
	value float64
	// above counts runs strictly above value; otherwise strictly below.
	above bool
	why   string
}

// label is the column's title: "lp.lp_hodl < 1".
func (t runThreshold) label(r *Report) string {
	op := "<"
	if t.above {
		op = ">"
	}
	return fmt.Sprintf("%s %s %s", r.metrics[t.k].name, op, formatShort(t.value))
}

// runThresholds lists the thresholds the scenario states on non-binary,
// non-constant metrics the report shows in full.
func (r *Report) runThresholds() []runThreshold {
	var out []runThreshold
	seen := map[string]bool{}
	add := func(t runThreshold) {
		key := t.label(r)
		if !seen[key] {
			seen[key] = true
			out = append(out, t)
		}
	}
	for k, mi := range r.metrics {
		if mi.binary || mi.constant || !r.inQuestion(k) {
			continue
		}
		if mi.threshold != nil && mi.worse != metric.Neutral {
			add(runThreshold{k: k, value: *mi.threshold, above: mi.worse == metric.HigherIsWorse, why: "the scenario's threshold, at the bad end"})
		}
		if sc := r.d.scenario; sc != nil {
			for _, reg := range sc.Regions {
				for i := range reg.Value {
					c := &reg.Value[i]
					if c.Metric != mi.name {
						continue
					}
					// Runs on the side where the condition fails.
					add(runThreshold{k: k, value: condBound(c), above: c.Below != nil, why: "region " + reg.Name + " (" + c.String() + ")"})
				}
			}
		}
	}
	return out
}

// thresholdTable is the share of runs beyond each threshold per group, or
// nil when the scenario states none.
func (r *Report) thresholdTable() []any {
	ts := r.runThresholds()
	if len(ts) == 0 {
		return nil
	}
	t := &table{header: []string{"sweep cell"}, numeric: []bool{false}}
	if len(r.d.manifest.Params) == 0 {
		t.header[0] = "arm"
	}
	var whys []string
	for _, th := range ts {
		t.header = append(t.header, th.label(r))
		t.numeric = append(t.numeric, true)
		whys = append(whys, th.label(r)+": "+th.why)
	}
	for _, g := range r.groups {
		row := []tableCell{{text: g.label()}}
		for _, th := range ts {
			var hit, n int64
			for _, v := range g.values[th.k] {
				if !isFinite(v) {
					continue
				}
				n++
				if (th.above && v > th.value) || (!th.above && v < th.value) {
					hit++
				}
			}
			e := metric.Proportion(hit, n)
			row = append(row, tableCell{text: formatPercent(e.Value), sub: formatCI(e, formatPercent)})
		}
		t.rows = append(t.rows, row)
	}
	t.caption = "Share of runs beyond each threshold the scenario states, with exact 95% Clopper–Pearson intervals. A region bounds a statistic " +
		"(such as the mean); this is the share of single runs on the side where its condition fails."
	return []any{&heading{"Runs beyond the stated thresholds"}, t, &paragraph{"Thresholds: " + strings.Join(whys, "; ") + "."}}
}
