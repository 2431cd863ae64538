package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/metric"
)

// build assembles the report's sections from the data and comparisons.
func (r *Report) build() {
	r.sections = append(r.sections, r.answerSection(), r.summarySection())
	if r.hasArms() {
		r.sections = append(r.sections, r.comparisonSection())
	}
	tails := r.tailSection()
	tails.blocks = append(tails.blocks, r.thresholdTable()...)
	r.sections = append(r.sections, tails)
	if len(r.d.manifest.Params) > 0 && len(r.cells) > 1 {
		r.sections = append(r.sections, r.sweepSection())
	}
	r.sections = append(r.sections, r.distributionSection())
	if r.d.fans != nil {
		r.sections = append(r.sections, r.fanSection())
	}
	if r.d.source != "" {
		r.sections = append(r.sections, r.assumptionsSection())
	}
	r.sections = append(r.sections, r.methodSection())
	n := 0
	for _, s := range r.sections {
		for _, b := range s.blocks {
			if f, ok := b.(*figure); ok {
				n++
				f.id = fmt.Sprintf("fig%02d-%s", n, f.id)
			}
		}
	}
}

// figures returns every figure of the report in order.
func (r *Report) figures() []*figure {
	var out []*figure
	for _, s := range r.sections {
		for _, b := range s.blocks {
			if f, ok := b.(*figure); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// Charts returns the number of charts in the report.
func (r *Report) Charts() int { return len(r.figures()) }

// Headline returns the report's headline sentences, as shown at its top.
func (r *Report) Headline() []string {
	for _, b := range r.sections[0].blocks {
		if c, ok := b.(*callout); ok {
			return slices.Clone(c.lines)
		}
	}
	return nil
}

// formatDuration formats seconds in the largest whole unit: "1 day",
// "365 days", "90 minutes".
func formatDuration(s float64) string {
	for _, u := range []struct {
		sec  float64
		name string
	}{{86400 * 7, "week"}, {86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}} {
		if s >= u.sec && math.Mod(s, u.sec) == 0 {
			if u.name == "week" && s/u.sec < 2 {
				continue // "7 days" reads better than "1 week" for horizons
			}
			n := s / u.sec
			if n == 1 {
				return "1 " + u.name
			}
			return strconv.FormatFloat(n, 'f', -1, 64) + " " + u.name + "s"
		}
	}
	return strconv.FormatFloat(s, 'g', 6, 64) + " seconds"
}

// formatCount formats an integer with thousands separators.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

func (r *Report) summarySection() *section {
	m := &r.d.manifest
	s := &section{id: "summary", title: "Summary"}
	perGroup := int64(r.d.manifest.Runs)
	total := int64(len(r.d.runs))
	horizon := float64(m.StepsPerRun) * m.StepSeconds
	facts := &table{keyValue: true, header: []string{"", ""}, numeric: []bool{false, false}}
	add := func(k, v string) { facts.rows = append(facts.rows, []tableCell{{text: k}, {text: v}}) }
	if m.ScenarioFile != "" {
		add("Scenario", m.ScenarioName+" ("+m.ScenarioFile+")")
	} else {
		add("Scenario", m.ScenarioName)
	}
	if m.ScenarioSHA256 != "" {
		add("Scenario SHA-256", m.ScenarioSHA256)
	}
	runs := formatCount(perGroup) + " per sweep cell"
	if r.hasArms() {
		runs = formatCount(perGroup) + " per sweep cell and arm"
	}
	add("Runs", runs+", "+formatCount(total)+" in all")
	add("Horizon", formatDuration(horizon)+" in "+formatCount(m.StepsPerRun)+" steps of "+formatDuration(m.StepSeconds))
	if len(m.Params) == 0 {
		add("Sweep", "none")
	} else {
		var parts []string
		for p, name := range m.Params {
			var labels []string
			for _, c := range r.sortedCells(p) {
				l := r.d.paramLabel(c, p)
				if !slices.Contains(labels, l) {
					labels = append(labels, l)
				}
			}
			parts = append(parts, name+" ∈ {"+strings.Join(labels, ", ")+"}")
		}
		add("Sweep", fmt.Sprintf("%d cells: %s", len(r.cells), strings.Join(parts, "; ")))
	}
	if r.hasArms() {
		add("Policy arms", r.arms[0]+" (baseline), "+strings.Join(r.arms[1:], ", ")+"; common random numbers")
	}
	add("Seed", strconv.FormatUint(m.Seed, 10))
	build := "Cascade " + orUnknown(m.CascadeVersion)
	if m.GitCommit != "" && m.GitCommit != "unknown" {
		build += " (" + shortHash(m.GitCommit) + ")"
	}
	if m.GoVersion != "" {
		build += ", " + m.GoVersion
	}
	add("Built with", build)
	add("Run", m.Started.UTC().Format("2006-01-02 15:04:05 UTC")+", "+strconv.FormatFloat(m.WallSeconds, 'f', 1, 64)+" s wall time")

	mi := &r.metrics[r.headline]
	intro := fmt.Sprintf("%s runs of the scenario %q", formatCount(total), m.ScenarioName)
	if mi.doc != "" {
		intro += fmt.Sprintf(". Headline metric: %s, %s%s; %s.", mi.name, mi.doc, mi.unitText(), mi.badEnd())
	} else {
		intro += fmt.Sprintf(". Headline metric: %s%s; %s.", mi.name, mi.unitText(), mi.badEnd())
	}
	s.blocks = append(s.blocks, &paragraph{intro})
	if r.hasArms() && len(r.cells) > 1 {
		// The answer section gives the lines of one cell or no arms.
		s.blocks = append(s.blocks, &callout{title: "Headline, cell by cell", lines: r.headlineLines()})
	}
	if note := r.nonFiniteNote(); note != "" {
		s.blocks = append(s.blocks, &paragraph{note})
	}
	s.blocks = append(s.blocks, facts)
	return s
}

// orUnknown is s, or "(unknown version)" when s is empty.
func orUnknown(s string) string {
	if s == "" {
		return "(unknown version)"
	}
	return s
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// sortedCells returns the sweep cells ordered by the value of parameter p,
// then by cell index.
func (r *Report) sortedCells(p int) []int {
	cells := slices.Clone(r.cells)
	slices.SortStableFunc(cells, func(a, b int) int {
		va, vb := r.d.paramValue(a, p), r.d.paramValue(b, p)
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return 0
	})
	return cells
}

// maxHeadlines is the most sentences in the headline callout.
const maxHeadlines = 8

// headlineLines are the sentences of the headline callout.
func (r *Report) headlineLines() []string {
	k := r.headline
	mi := &r.metrics[k]
	var lines []string
	if r.hasArms() {
		for c, cell := range r.cells {
			prefix := ""
			if len(r.cells) > 1 {
				prefix = "At " + r.groupOf(cell, r.arms[0]).cellLabel + ": "
			}
			for a, arm := range r.arms[1:] {
				lines = append(lines, prefix+r.armSentence(cell, arm, mi, &r.comps[c][a][k]))
			}
		}
		if len(lines) > maxHeadlines {
			more := len(lines) - maxHeadlines + 1
			lines = append(lines[:maxHeadlines-1], fmt.Sprintf("… and %d more comparisons, in the policy comparison section.", more))
		}
		return lines
	}
	if len(r.groups) == 1 {
		g := r.groups[0]
		ms, ok := r.d.summaryOf(g.cell, g.arm, mi.name)
		if !ok {
			return nil
		}
		line := fmt.Sprintf("%s: mean %s (95%% CI %s)", mi.name, formatNumber(ms.Mean.Value), formatCI(ms.Mean, formatNumber))
		if t, ok := tailOf(ms, 0.99); ok {
			line += fmt.Sprintf("; the worst 1%% of runs average %s (CVaR 99%%, 95%% CI %s)", formatNumber(t.CVaR.Value), formatCI(t.CVaR, formatNumber))
		}
		if t, ok := tailOf(ms, 0.95); ok {
			dir := "below"
			if mi.worse == metric.HigherIsWorse {
				dir = "above"
			}
			line += fmt.Sprintf("; 1 run in 20 ends at or %s %s (VaR 95%%)", dir, formatNumber(t.VaR.Value))
		}
		return []string{line + "."}
	}
	// A sweep: where the metric is best and worst.
	type at struct {
		label string
		v     float64
	}
	var means, cvars []at
	for _, g := range r.groups {
		ms, ok := r.d.summaryOf(g.cell, g.arm, mi.name)
		if !ok {
			continue
		}
		means = append(means, at{g.label(), ms.Mean.Value})
		if t, ok := tailOf(ms, 0.99); ok {
			cvars = append(cvars, at{g.label(), t.CVaR.Value})
		}
	}
	better := func(a, b at) int { // best first
		x, y := a.v, b.v
		if mi.worse == metric.HigherIsWorse {
			x, y = -x, -y
		}
		switch {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(means, better)
	slices.SortStableFunc(cvars, better)
	if len(means) > 0 {
		lines = append(lines, fmt.Sprintf("The mean of %s is best at %s (%s) and worst at %s (%s).",
			mi.name, means[0].label, formatNumber(means[0].v), means[len(means)-1].label, formatNumber(means[len(means)-1].v)))
	}
	if len(cvars) > 0 {
		w := cvars[len(cvars)-1]
		lines = append(lines, fmt.Sprintf("The worst 1%% of runs fare worst at %s, averaging %s (CVaR 99%%), and best at %s (%s).",
			w.label, formatNumber(w.v), cvars[0].label, formatNumber(cvars[0].v)))
	}
	return lines
}

// armSentence is the headline for one arm: the difference in the mean and
// in the worst 1%, each claimed as a gain or cost only where its interval
// excludes zero; then, for a binary or count metric, the rate of the event
// in each arm with exact intervals, and otherwise the loss probabilities.
func (r *Report) armSentence(cell int, arm string, mi *metricInfo, cm *Comparison) string {
	s := arm + ": " + effectClause(mi.worse, "the mean of "+mi.name, cm.Mean, formatNumber)
	if mi.binary {
		// "The share falls by 100 pp, better" reads right where "gains
		// 100 pp in the share" suggests the share grew.
		verdict := ""
		if detectable(cm.Mean) && mi.worse != metric.Neutral {
			verdict = "worse: "
			if cm.Gain(cm.Mean.Value) > 0 {
				verdict = "better: "
			}
		}
		s = arm + ": " + verdict + effectClause(metric.Neutral, "the share of runs with "+mi.rateWhat(), cm.Mean, formatSignedPercentAbs)
	}
	if t, ok := cm.Tail(0.99); ok && mi.worse != metric.Neutral && !mi.binary {
		s += "; " + effectClause(mi.worse, "the mean of the worst 1% of runs", t.CVaR, formatNumber)
	}
	if mi.binary || mi.count {
		be, bh, bn := r.rate(r.groupOf(cell, r.arms[0]), r.indexOf(mi))
		ae, ah, an := r.rate(r.groupOf(cell, arm), r.indexOf(mi))
		return s + fmt.Sprintf(". Share of runs with %s: %s under %s, %s under %s.",
			mi.rateWhat(), rateText(be, bh, bn), r.arms[0], rateText(ae, ah, an), arm)
	}
	if mi.worse == metric.Neutral && mi.threshold == nil {
		return s + "."
	}
	dir := "below"
	if mi.worse == metric.HigherIsWorse {
		dir = "above"
	}
	src := "the baseline's 5% quantile at the bad end"
	if _, ok := r.opt.Thresholds[mi.name]; ok || mi.threshold != nil {
		src = "the chosen loss threshold"
	}
	s += fmt.Sprintf(". Runs %s %s (%s): %s under %s, %s under %s (difference %s, 95%% CI %s).",
		dir, formatNumber(cm.Threshold), src,
		formatPercent(cm.PBase.Value), r.arms[0], formatPercent(cm.PArm.Value), arm,
		formatSignedPercent(cm.PDiff.Value), formatCI(cm.PDiff, formatSignedPercent))
	return s
}

// indexOf returns the index of mi in r.metrics.
func (r *Report) indexOf(mi *metricInfo) int {
	for k := range r.metrics {
		if &r.metrics[k] == mi {
			return k
		}
	}
	return -1
}

// formatSignedPercentAbs formats a difference of shares in percentage
// points without a sign: effectClause adds one where it is needed.
func formatSignedPercentAbs(p float64) string {
	if math.IsNaN(p) {
		return "–"
	}
	return strings.TrimSuffix(formatPercent(p), "%") + " pp"
}

// tailOf returns the tail of a summary at level.
func tailOf(ms *metricSummary, level float64) (metric.TailReport, bool) {
	for _, t := range ms.Tails {
		if t.Level == level {
			return t, true
		}
	}
	return metric.TailReport{}, false
}

// quantileOf returns a quantile of a summary.
func quantileOf(ms *metricSummary, q float64) metric.Estimate {
	for _, qr := range ms.Quantiles {
		if qr.Q == q {
			return qr.Estimate
		}
	}
	return metric.Estimate{Value: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), StdErr: math.NaN()}
}

// nonFiniteNote says which metrics had NaN or infinite outcomes, which
// every statistic leaves out.
func (r *Report) nonFiniteNote() string {
	var parts []string
	for k, mi := range r.metrics {
		var nan, inf int
		for _, g := range r.groups {
			for _, v := range g.values[k] {
				switch {
				case math.IsNaN(v):
					nan++
				case math.IsInf(v, 0):
					inf++
				}
			}
		}
		if nan+inf > 0 {
			parts = append(parts, fmt.Sprintf("%s (%d NaN, %d infinite)", mi.name, nan, inf))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Runs with non-finite outcomes, left out of histograms, ECDFs and paired comparisons: " + strings.Join(parts, "; ") + "."
}

func (r *Report) comparisonSection() *section {
	s := &section{id: "comparison", title: "Policy comparison"}
	b := r.opt.Bootstrap
	resamples := b.Resamples
	if resamples == 0 {
		resamples = DefaultResamples
	}
	s.blocks = append(s.blocks, &paragraph{fmt.Sprintf(
		"Every arm runs on the same random numbers as the baseline, %s: runs are paired by sweep cell and run index, so a "+
			"difference between paired runs is the policy's effect alone. Differences are arm − baseline in the metric's units; "+
			"\"gain\" is the difference counted in the good direction. VaR and CVaR are taken at the metric's bad end. "+
			"Intervals are 95%% percentile-bootstrap intervals from %s resamples of run pairs (PCG seed %d). "+
			"The loss threshold of a metric is, unless set, the baseline's 5%% quantile at the bad end (its VaR 95%%), so about "+
			"5%% of baseline runs are beyond it; \"beyond\" is strictly worse. A gain or cost is claimed only where its interval "+
			"excludes zero, otherwise the text says \"no detectable difference\"; a metric with no bad end is only \"higher\" or \"lower\". "+
			"Binary metrics (0/1) and counts are also given as the share of runs with the event, with exact Clopper–Pearson intervals.",
		r.arms[0], formatCount(int64(resamples)), b.Seed)})
	s.blocks = append(s.blocks, r.forestFigure())
	for c, cell := range r.cells {
		for a, arm := range r.arms[1:] {
			title := arm + " versus " + r.arms[0]
			if len(r.cells) > 1 {
				title += " at " + r.groupOf(cell, arm).cellLabel
			}
			s.blocks = append(s.blocks, &heading{title})
			diff := &table{
				caption: "Paired differences, " + arm + " − " + r.arms[0] + " (95% bootstrap CI)",
				header:  []string{"metric", "bad end", "mean", "VaR 95%", "CVaR 95%", "VaR 99%", "CVaR 99%"},
				numeric: []bool{false, false, true, true, true, true, true},
			}
			prob := &table{
				caption: "Share of runs beyond the loss threshold, or with the event (binary and count metrics: exact 95% Clopper–Pearson intervals)",
				header:  []string{"metric", "threshold", r.arms[0], arm, "difference"},
				numeric: []bool{false, true, true, true, true},
			}
			var unchanged []string
			for k, mi := range r.metrics {
				if !r.inQuestion(k) {
					continue
				}
				cm := &r.comps[c][a][k]
				if isUnchanged(cm) {
					unchanged = append(unchanged, mi.name)
					continue
				}
				row := []tableCell{{text: mi.name}, {text: strings.TrimSuffix(mi.badEnd(), " is worse")}, estCell(cm.Mean, formatSigned)}
				for _, level := range tailLevels {
					t, _ := cm.Tail(level)
					row = append(row, estCell(t.VaR, formatSigned), estCell(t.CVaR, formatSigned))
				}
				diff.rows = append(diff.rows, row)
				if mi.binary || mi.count {
					// A rate with its exact interval says more than a
					// threshold at a quantile of a point mass ("0% vs 0%").
					be, _, _ := r.rate(r.groupOf(cell, r.arms[0]), k)
					ae, _, _ := r.rate(r.groupOf(cell, arm), k)
					diffE := cm.PDiff
					if mi.binary {
						diffE = cm.Mean
					}
					prob.rows = append(prob.rows, []tableCell{
						{text: mi.name}, {text: "share with " + strings.TrimPrefix(mi.rateWhat(), mi.name+" ")},
						estCell(be, formatPercent), estCell(ae, formatPercent), estCell(diffE, formatSignedPercent),
					})
					continue
				}
				if mi.worse == metric.Neutral && mi.threshold == nil {
					continue
				}
				prob.rows = append(prob.rows, []tableCell{
					{text: mi.name}, {text: formatNumber(cm.Threshold)},
					{text: formatPercent(cm.PBase.Value)}, {text: formatPercent(cm.PArm.Value)},
					estCell(cm.PDiff, formatSignedPercent),
				})
			}
			if len(diff.rows) > 0 {
				s.blocks = append(s.blocks, diff)
			}
			if len(prob.rows) > 0 {
				s.blocks = append(s.blocks, prob)
			}
			if len(unchanged) > 0 {
				s.blocks = append(s.blocks, &paragraph{"Identical in every pair of runs: " + strings.Join(unchanged, ", ") + "."})
			}
		}
	}
	return s
}

// isUnchanged reports whether a comparison found every pair equal.
func isUnchanged(cm *Comparison) bool {
	if cm.N == 0 {
		return false
	}
	zero := func(e metric.Estimate) bool { return e.Value == 0 && e.Lo == 0 && e.Hi == 0 }
	if !zero(cm.Mean) || !zero(cm.PDiff) {
		return false
	}
	for _, t := range cm.Tails {
		if !zero(t.VaR) || !zero(t.CVaR) {
			return false
		}
	}
	return true
}

// estCell formats an estimate and its interval.
func estCell(e metric.Estimate, f func(float64) string) tableCell {
	return tableCell{text: f(e.Value), sub: formatCI(e, f)}
}

// forestFigure shows, for the headline metric, the gain of each arm in the
// mean and in the tails: the price paid in the mean against the gain in the
// tail, in one picture.
func (r *Report) forestFigure() *figure {
	k := r.headline
	mi := &r.metrics[k]
	f := &figure{
		id:    "comparison-" + slug(mi.name),
		kind:  figForest,
		title: "Gain of each policy over " + r.arms[0] + ": " + mi.name,
		caption: "Paired differences of " + mi.name + " turned into gains (positive: the arm is better; " + mi.badEnd() +
			"), with 95% bootstrap intervals. A policy that trades a little of the mean for a better worst case shows a " +
			"point left of zero in the mean and right of zero in the tail rows.",
		xTitle: "gain over " + r.arms[0] + mi.unitText(),
		yTitle: "",
		series: slices.Clone(r.arms[1:]),
		wide:   true,
		forest: &forestFig{rows: []string{"mean", "VaR 95%", "CVaR 95%", "VaR 99%", "CVaR 99%"}},
	}
	r.facet(f)
	for c, cell := range r.cells {
		if c >= maxFacets {
			break
		}
		facet := r.facetOf(r.groupOf(cell, r.arms[0]))
		for a, arm := range r.arms[1:] {
			cm := &r.comps[c][a][k]
			add := func(row string, e metric.Estimate) {
				lo, hi := cm.Gain(e.Lo), cm.Gain(e.Hi)
				if lo > hi {
					lo, hi = hi, lo
				}
				f.forest.points = append(f.forest.points, forestPoint{facet: facet, row: row, series: arm, v: cm.Gain(e.Value), lo: lo, hi: hi})
			}
			add("mean", cm.Mean)
			for _, level := range tailLevels {
				t, _ := cm.Tail(level)
				add("VaR "+levelLabel(level), t.VaR)
				add("CVaR "+levelLabel(level), t.CVaR)
			}
		}
	}
	return f
}

// facetLabels are the panel labels of figures faceted by sweep cell, at
// most maxFacets of them.
func (r *Report) facetLabels() []string {
	var out []string
	for _, cell := range r.cells[:min(len(r.cells), maxFacets)] {
		out = append(out, r.groupOf(cell, r.arms[0]).cellValues)
	}
	return out
}

// facetNote is appended to captions of faceted figures that leave cells out.
func (r *Report) facetNote() string {
	if len(r.cells) > maxFacets {
		return fmt.Sprintf(" The first %d of %d sweep cells are shown.", maxFacets, len(r.cells))
	}
	return ""
}

func (r *Report) tailSection() *section {
	s := &section{id: "tails", title: "Tail risk"}
	s.blocks = append(s.blocks, &paragraph{
		"Statistics of each metric's value at the horizon across runs, from summary.json, with 95% confidence intervals from the run count. " +
			"VaR at level ℓ is the outcome that the worst 1 − ℓ of runs reach, counted from the metric's bad end; CVaR is the mean of those runs " +
			"(expected shortfall). Mean intervals are normal (Student's t below 30 runs); quantile and VaR intervals are distribution-free " +
			"order-statistic intervals; CVaR intervals use the estimator's asymptotic variance. \"–\" marks an end the runs cannot bound."})
	if r.approximate() {
		s.blocks = append(s.blocks, &paragraph{
			"Some cells held more runs than the exact-quantile cap: their quantiles, VaR and CVaR come from a DDSketch with a relative accuracy of about 1%."})
	}
	header := []string{"mean", "sd", "p1", "p5", "p50", "p95", "p99", "VaR 99%", "CVaR 95%", "CVaR 99%"}
	numeric := []bool{true, true, true, true, true, true, true, true, true, true}
	row := func(ms *metricSummary) []tableCell {
		q := func(p float64) tableCell { return tableCell{text: formatNumber(quantileOf(ms, p).Value)} }
		t95, _ := tailOf(ms, 0.95)
		t99, _ := tailOf(ms, 0.99)
		return []tableCell{
			estCell(ms.Mean, formatNumber), {text: formatNumber(float64(ms.StdDev))},
			q(0.01), q(0.05), q(0.5), q(0.95), q(0.99),
			estCell(t99.VaR, formatNumber), estCell(t95.CVaR, formatNumber), estCell(t99.CVaR, formatNumber),
		}
	}
	if len(r.groups) == 1 {
		g := r.groups[0]
		t := &table{
			caption: "Outcomes at the horizon, " + formatCount(int64(len(g.runs))) + " runs",
			header:  append([]string{"metric", "unit", "bad end"}, header...),
			numeric: append([]bool{false, false, false}, numeric...),
		}
		var constant []string
		for k, mi := range r.metrics {
			if mi.constant {
				constant = append(constant, mi.name+" = "+formatNumber(r.constantValue(k)))
				continue
			}
			ms, ok := r.d.summaryOf(g.cell, g.arm, mi.name)
			if !ok {
				continue
			}
			t.rows = append(t.rows, append([]tableCell{{text: mi.name}, {text: mi.unit}, {text: strings.TrimSuffix(mi.badEnd(), " is worse")}}, row(ms)...))
		}
		s.blocks = append(s.blocks, t)
		if len(constant) > 0 {
			s.blocks = append(s.blocks, &paragraph{"The same in every run: " + strings.Join(constant, ", ") + "."})
		}
		return s
	}
	first := "sweep cell"
	if len(r.d.manifest.Params) == 0 {
		first = "arm"
	}
	var constant, left []string
	for k, mi := range r.metrics {
		if mi.constant {
			constant = append(constant, mi.name+" = "+formatNumber(r.constantValue(k)))
			continue
		}
		if !r.inQuestion(k) {
			left = append(left, mi.name)
			continue
		}
		t := &table{
			caption: mi.name + ": " + mi.doc + mi.unitText() + "; " + mi.badEnd(),
			header:  append([]string{first}, header...),
			numeric: append([]bool{false}, numeric...),
		}
		for _, g := range r.groups {
			ms, ok := r.d.summaryOf(g.cell, g.arm, mi.name)
			if !ok {
				continue
			}
			t.rows = append(t.rows, append([]tableCell{{text: g.label()}}, row(ms)...))
		}
		s.blocks = append(s.blocks, t)
	}
	if len(constant) > 0 {
		s.blocks = append(s.blocks, &paragraph{"The same in every run: " + strings.Join(constant, ", ") + "."})
	}
	if len(left) > 0 {
		s.blocks = append(s.blocks, &paragraph{fmt.Sprintf("With %d cells and %d arms, the tables above are those of the metrics the question names. "+
			"The statistics of the other %d metrics (%s) are in summary.json, and `cascade run --cells` prints them.",
			len(r.cells), len(r.arms), len(left), strings.Join(left, ", "))})
	}
	return s
}

// approximate reports whether any summary used a sketch.
func (r *Report) approximate() bool {
	for _, cs := range r.d.summary {
		for _, ms := range cs.Metrics {
			if ms.RelativeAccuracy > 0 {
				return true
			}
		}
	}
	return false
}

func (r *Report) sweepSection() *section {
	s := &section{id: "sweep", title: "Sweep"}
	params := r.d.manifest.Params
	switch len(params) {
	case 1:
		s.blocks = append(s.blocks, &paragraph{"Mean and CVaR 99% (the mean of the worst 1% of runs) of each metric against " +
			params[0] + ", with 95% confidence bands."})
		for k, mi := range r.metrics {
			if !mi.constant && r.inQuestion(k) {
				s.blocks = append(s.blocks, r.sweepLineFigure(k))
			}
		}
	case 2:
		s.blocks = append(s.blocks, &paragraph{"Maps over " + params[0] + " × " + params[1] +
			": the mean of each metric, its CVaR 99% (the mean of the worst 1% of runs), and any quantile a region names. " +
			"Where the scenario states a threshold for a metric (a region's bound, or its threshold: key) the colours diverge around it, " +
			"blue on the good side and red on the bad; a region's boundary is drawn, and cells whose 95% interval straddles the bound are hatched."})
		for k, mi := range r.metrics {
			if !mi.constant && r.inQuestion(k) {
				s.blocks = append(s.blocks, r.heatFigure(k, "mean"), r.heatFigure(k, "CVaR 99%"))
				for _, st := range r.regionStats(k) {
					s.blocks = append(s.blocks, r.heatFigure(k, st))
				}
			}
		}
	default:
		s.blocks = append(s.blocks, &paragraph{fmt.Sprintf("A sweep over %d parameters: mean and CVaR 99%% of each metric per cell.", len(params))})
		for _, mi := range r.metrics {
			if mi.constant {
				continue // listed as the same in every run with the distributions
			}
			t := &table{caption: mi.name + mi.unitText() + "; " + mi.badEnd()}
			for _, p := range params {
				t.header = append(t.header, shortParam(p))
				t.numeric = append(t.numeric, true)
			}
			if r.hasArms() {
				t.header = append(t.header, "arm")
				t.numeric = append(t.numeric, false)
			}
			t.header = append(t.header, "mean", "CVaR 99%")
			t.numeric = append(t.numeric, true, true)
			for _, g := range r.groups {
				ms, ok := r.d.summaryOf(g.cell, g.arm, mi.name)
				if !ok {
					continue
				}
				var row []tableCell
				for p := range params {
					row = append(row, tableCell{text: r.d.paramLabel(g.cell, p)})
				}
				if r.hasArms() {
					row = append(row, tableCell{text: g.arm})
				}
				t99, _ := tailOf(ms, 0.99)
				row = append(row, estCell(ms.Mean, formatNumber), estCell(t99.CVaR, formatNumber))
				t.rows = append(t.rows, row)
			}
			s.blocks = append(s.blocks, t)
		}
	}
	return s
}

// seriesName names an arm's series; "" (no comparison) becomes "all runs".
func seriesName(arm string) string {
	if arm == "" {
		return "all runs"
	}
	return arm
}

// seriesNames are the series of every figure: the arms.
func (r *Report) seriesNames() []string {
	var out []string
	for _, a := range r.arms {
		out = append(out, seriesName(a))
	}
	return out
}

// facetOf is the facet label of a group: its cell's label when the report
// has several cells.
func (r *Report) facetOf(g *group) string {
	if len(r.cells) > 1 {
		return g.cellValues
	}
	return ""
}

// shownGroups are the groups drawn in faceted figures: those of the first
// maxFacets cells.
func (r *Report) shownGroups() []*group {
	shown := r.cells[:min(len(r.cells), maxFacets)]
	var out []*group
	for _, g := range r.groups {
		if slices.Contains(shown, g.cell) {
			out = append(out, g)
		}
	}
	return out
}

func (r *Report) distributionSection() *section {
	s := &section{id: "distributions", title: "Distributions at the horizon"}
	s.blocks = append(s.blocks, &paragraph{"Each metric's value at the end of every run: a histogram (share of runs per bin) and the empirical " +
		"distribution function (share of runs at or below each value), where the tail at the bad end is easiest to read." + r.facetNote()})
	var constant []string
	for k, mi := range r.metrics {
		if mi.constant {
			constant = append(constant, mi.name+" = "+formatNumber(r.constantValue(k)))
			continue
		}
		if !r.inQuestion(k) {
			continue
		}
		s.blocks = append(s.blocks, r.histFigure(k), r.ecdfFigure(k))
	}
	if note := r.questionNote(); note != "" {
		s.blocks = append(s.blocks, &paragraph{note})
	}
	if len(constant) > 0 {
		s.blocks = append(s.blocks, &paragraph{"The same in every run: " + strings.Join(constant, ", ") + "."})
	}
	return s
}

// constantValue is the value of a constant metric.
func (r *Report) constantValue(k int) float64 {
	for _, g := range r.groups {
		for _, v := range g.values[k] {
			if isFinite(v) {
				return v
			}
		}
	}
	return math.NaN()
}

// facet makes f a small-multiple figure with one panel per sweep cell, if
// the report has several cells.
func (r *Report) facet(f *figure) {
	if len(r.cells) < 2 {
		return
	}
	f.facets = r.facetLabels()
	var names []string
	for _, p := range r.d.manifest.Params {
		names = append(names, shortParam(p))
	}
	f.facetTitle = strings.Join(names, ", ")
}

func (r *Report) fanSection() *section {
	s := &section{id: "paths", title: "Paths over time"}
	s.blocks = append(s.blocks, &paragraph{"How each metric evolves along the runs: at every sample time, the median across runs (line), " +
		"the middle half (25–75%, dark band) and 90% of runs (5–95%, light band). Quantiles are taken across runs at each time; the " +
		"bands are not paths of single runs." + r.facetNote()})
	for k, mi := range r.metrics {
		if mi.constant || !r.inQuestion(k) {
			continue
		}
		if f := r.fanFigure(k); f != nil {
			s.blocks = append(s.blocks, f)
		}
	}
	return s
}

func (r *Report) methodSection() *section {
	s := &section{id: "method", title: "Method and provenance"}
	s.blocks = append(s.blocks, &paragraph{
		"This report is computed from the results directory alone: summary.json (statistics and intervals), fans.json (quantiles over " +
			"time), runs.parquet (per-run outcomes, binned here for histograms and distribution functions, and paired for the policy " +
			"comparison) and manifest.json (what was run). It holds no per-run data, and is the same every time it is made from the " +
			"same directory. Histograms use about 40 bins of a round width; distribution functions at most 200 points."})
	files := &table{
		caption: "Files of the results directory",
		header:  []string{"file", "rows", "bytes", "SHA-256"},
		numeric: []bool{false, true, true, false},
	}
	for _, fi := range r.d.manifest.Files {
		rows := ""
		if fi.Rows != nil {
			rows = formatCount(*fi.Rows)
		}
		files.rows = append(files.rows, []tableCell{{text: fi.Name}, {text: rows}, {text: formatCount(fi.Bytes)}, {text: fi.SHA256}})
	}
	s.blocks = append(s.blocks, files)
	return s
}

// slug makes a name safe for ids and file names: letters, digits, '.', '-'
// and '_' are kept, anything else becomes '-'.
func slug(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			b[i] = '-'
		}
	}
	return string(b)
}
