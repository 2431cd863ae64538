package report

import (
	"fmt"
	"math"

	"github.com/cascade-risk/cascade/metric"
)

// detectable reports whether an interval excludes zero: only then does a
// report claim a gain, a cost, or a higher or lower value.
func detectable(e metric.Estimate) bool {
	return !math.IsNaN(e.Lo) && !math.IsNaN(e.Hi) && (e.Lo > 0 || e.Hi < 0)
}

// effectClause describes a paired difference arm − baseline in what ("the
// mean of lp.value"), with its 95% interval formatted by f. It claims a gain
// or a cost only where the interval excludes zero, and for a metric with no
// bad end says "higher" or "lower"; otherwise it says "no detectable
// difference" and gives the signed difference and interval.
func effectClause(worse metric.Direction, what string, e metric.Estimate, f func(float64) string) string {
	signed := func(x float64) string {
		if x > 0 {
			return "+" + f(x)
		}
		return f(x)
	}
	if !detectable(e) {
		return fmt.Sprintf("no detectable difference in %s (%s, 95%% CI [%s, %s])", what, signed(e.Value), signed(e.Lo), signed(e.Hi))
	}
	if worse == metric.Neutral {
		dir, v, lo, hi := "higher", e.Value, e.Lo, e.Hi
		if e.Value < 0 {
			dir, v, lo, hi = "lower", -e.Value, -e.Hi, -e.Lo
		}
		return fmt.Sprintf("%s %s by %s (95%% CI [%s, %s])", what, dir, f(v), f(lo), f(hi))
	}
	g, lo, hi := e.Value, e.Lo, e.Hi
	if worse == metric.HigherIsWorse {
		g, lo, hi = -g, -hi, -lo
	}
	verb := "gains"
	if g < 0 {
		verb, g, lo, hi = "costs", -g, -hi, -lo
	}
	return fmt.Sprintf("%s %s in %s (95%% CI [%s, %s])", verb, f(g), what, f(lo), f(hi))
}

// rate is the share of runs of one group in which an event happened (a
// binary metric is 1, a count is positive), with its exact interval.
func (r *Report) rate(g *group, k int) (metric.Estimate, int64, int64) {
	var hit, n int64
	for _, v := range g.values[k] {
		if !isFinite(v) {
			continue
		}
		n++
		if v > 0 {
			hit++
		}
	}
	return metric.Proportion(hit, n), hit, n
}

// rateWhat names the event a binary or count metric's rate counts.
func (mi *metricInfo) rateWhat() string {
	if mi.binary {
		return mi.name + " = 1"
	}
	return mi.name + " > 0"
}

// rateText formats a rate as "100% of runs (95% CI [96.4%, 100%], 100/100)".
func rateText(e metric.Estimate, hit, n int64) string {
	return fmt.Sprintf("%s (95%% CI %s, %d of %d runs)", formatPercent(e.Value), formatCI(e, formatPercent), hit, n)
}

// classify marks binary metrics (every finite outcome 0 or 1) and counts
// (unit "count", every finite outcome a whole number ≥ 0): their report
// gives the share of runs with an event, with an exact interval.
func (r *Report) classify() {
	for k := range r.metrics {
		mi := &r.metrics[k]
		binary, whole, any := true, true, false
		for _, g := range r.groups {
			for _, v := range g.values[k] {
				if !isFinite(v) {
					continue
				}
				any = true
				binary = binary && (v == 0 || v == 1)
				whole = whole && v >= 0 && v == math.Trunc(v)
			}
		}
		mi.binary = any && binary && (mi.unit == "0/1" || mi.unit == "probability" || mi.unit == "bool" || mi.unit == "")
		mi.count = any && whole && !mi.binary && mi.unit == "count"
	}
}
