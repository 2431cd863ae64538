package report

import (
	"fmt"
	"strings"

	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

// answerSection opens the report with the study's answer: its question
// (the scenario's question:, else its description), where each region holds
// with its uncertainty, and the arms' comparison on the headline metric
// counted over the sweep cells. The details follow in later sections.
func (r *Report) answerSection() *section {
	s := &section{id: "answer", title: "Answer"}
	sc := r.d.scenario
	if sc != nil && sc.Question != "" {
		s.blocks = append(s.blocks, &paragraph{"Question: " + sc.Question})
	} else if sc != nil && sc.Description != "" {
		s.blocks = append(s.blocks, &paragraph{"Study: " + sc.Description})
	}
	if r.hasArms() {
		s.blocks = append(s.blocks, &callout{title: "Policies on " + r.metrics[r.headline].name, lines: r.armTally()})
	} else {
		s.blocks = append(s.blocks, &callout{title: "Headline", lines: r.headlineLines()})
	}
	if sc != nil {
		for _, reg := range sc.Regions {
			if r.mapsRegions() {
				s.blocks = append(s.blocks, r.regionFigure(reg.Name, reg.Value))
			} else {
				s.blocks = append(s.blocks, r.regionTable(reg.Name, reg.Value))
			}
		}
	}
	return s
}

// mapsRegions reports whether regions are drawn as maps (a sweep of one or
// two parameters) rather than tables.
func (r *Report) mapsRegions() bool {
	n := len(r.d.manifest.Params)
	return len(r.cells) > 1 && (n == 1 || n == 2)
}

// regionVerdict is whether a cell is in a region: yes when every
// condition holds with its 95% interval wholly on the right side, no when
// some condition fails with its interval wholly on the wrong side, and
// uncertain otherwise.
func (r *Report) regionVerdict(cell int, arm string, reg scenario.Region) string {
	return r.cellVerdict(cell, arm, reg).state()
}

// regionTable maps one region over the sweep cells (rows) and the arms
// (columns).
func (r *Report) regionTable(name string, reg scenario.Region) *table {
	conds := make([]string, len(reg))
	for k := range reg {
		conds[k] = reg[k].String()
	}
	var params []string
	for _, p := range r.d.manifest.Params {
		params = append(params, shortParam(p))
	}
	header := []string{"cell"}
	if len(params) > 0 {
		header[0] = strings.Join(params, ", ")
	}
	for _, arm := range r.arms {
		if arm == "" {
			arm = "in region"
		}
		header = append(header, arm)
	}
	t := &table{
		caption: fmt.Sprintf("Region %s: %s. yes/no when the 95%% interval of every statistic is on one side of its bound, uncertain when it straddles one.", name, strings.Join(conds, " and ")),
		header:  header,
		numeric: make([]bool, len(header)),
	}
	counts := make([]int, len(r.arms))
	for _, cell := range r.cells {
		row := []tableCell{{text: orAll(r.groupOf(cell, r.arms[0]).cellValues)}}
		for a, arm := range r.arms {
			v := r.regionVerdict(cell, arm, reg)
			if v == "yes" {
				counts[a]++
			}
			row = append(row, tableCell{text: v})
		}
		t.rows = append(t.rows, row)
	}
	var parts []string
	for a, arm := range r.arms {
		if arm == "" {
			parts = append(parts, fmt.Sprintf("%d of %d", counts[a], len(r.cells)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d of %d", arm, counts[a], len(r.cells)))
	}
	t.caption += " In the region: " + strings.Join(parts, ", ") + " cells."
	return t
}

func orAll(s string) string {
	if s == "" {
		return "all runs"
	}
	return s
}

// armTally counts, for each arm against the baseline, the cells where the
// headline metric's mean detectably improves, worsens or does not change
// detectably, and lists the detectable ones.
func (r *Report) armTally() []string {
	k := r.headline
	mi := &r.metrics[k]
	if len(r.cells) == 1 {
		return r.headlineLines()
	}
	var lines []string
	for a, arm := range r.arms[1:] {
		var better, worse, none []string
		for c, cell := range r.cells {
			cm := &r.comps[c][a][k]
			label := r.groupOf(cell, arm).cellValues
			switch {
			case !detectable(cm.Mean):
				none = append(none, label)
			case mi.worse == metric.Neutral:
				better = append(better, label) // "differs"
			case cm.Gain(cm.Mean.Value) > 0:
				better = append(better, label)
			default:
				worse = append(worse, label)
			}
		}
		n := len(r.cells)
		where := func(l []string) string {
			if len(l) == 0 || n == 1 {
				return ""
			}
			if len(l) > 6 {
				return " (" + strings.Join(l[:6], "; ") + "; …)"
			}
			return " (" + strings.Join(l, "; ") + ")"
		}
		if mi.worse == metric.Neutral {
			lines = append(lines, fmt.Sprintf("%s against %s, mean of %s: differs detectably in %d of %d cells%s; no detectable difference in %d.",
				arm, r.arms[0], mi.name, len(better), n, where(better), len(none)))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s against %s, mean of %s (%s): better in %d of %d cells%s, worse in %d%s, no detectable difference in %d.",
			arm, r.arms[0], mi.name, mi.badEnd(), len(better), n, where(better), len(worse), where(worse), len(none)))
	}
	return lines
}

// maxFullComparisons is the most cell × arm comparisons whose tables list
// every metric; beyond it they list the metrics the question names (the
// headline and the regions' metrics), and the rest are in the results.
const maxFullComparisons = 4

// inQuestion reports whether metric k is shown in the per-cell comparison
// tables.
func (r *Report) inQuestion(k int) bool {
	if len(r.cells)*(len(r.arms)-1) <= maxFullComparisons || k == r.headline {
		return true
	}
	if sc := r.d.scenario; sc != nil {
		for _, reg := range sc.Regions {
			for _, c := range reg.Value {
				if c.Metric == r.metrics[k].name {
					return true
				}
			}
		}
	}
	return false
}

// assumptionsSection states what the numbers assume: the scenario's
// description and the scenario file itself, every parameter with its unit
// as written (defaults are those of `cascade types`).
func (r *Report) assumptionsSection() *section {
	s := &section{id: "assumptions", title: "Assumptions"}
	if sc := r.d.scenario; sc != nil && sc.Description != "" {
		s.blocks = append(s.blocks, &paragraph{sc.Description})
	}
	if ov := r.d.manifest.Overrides; len(ov) > 0 {
		t := &table{caption: "Overrides given on the command line (--set), applied to the scenario file below in this order", header: []string{"path", "value"}, numeric: []bool{false, false}}
		for _, o := range ov {
			path, value, _ := strings.Cut(o, "=")
			t.rows = append(t.rows, []tableCell{{text: path}, {text: value}})
		}
		s.blocks = append(s.blocks, t)
	}
	if n := len(r.d.manifest.Shards); n > 0 {
		s.blocks = append(s.blocks, &paragraph{fmt.Sprintf("The runs were made in %d shards (cascade run --shard) and merged; the results are those of a single run.", n)})
	}
	s.blocks = append(s.blocks, &paragraph{"The scenario as run (with the overrides above, if any), every parameter with its unit as written; keys it leaves out take the defaults listed by `cascade types`. " +
		"Policy arms and sweep cells change the values named in its compare: and sweep: blocks."})
	s.blocks = append(s.blocks, &codeBlock{text: r.d.source})
	return s
}

// questionNote says which metrics a large study draws, or "" when it draws
// them all.
func (r *Report) questionNote() string {
	var shown []string
	for k, mi := range r.metrics {
		if r.inQuestion(k) && !mi.constant {
			shown = append(shown, mi.name)
		}
	}
	if len(shown) == len(r.metrics) || len(r.cells)*(len(r.arms)-1) <= maxFullComparisons {
		return ""
	}
	return fmt.Sprintf("With %d cells and %d arms, figures and comparison tables are drawn for the metrics the question names (%s); "+
		"every metric is in the tail table and in the results directory.", len(r.cells), len(r.arms), strings.Join(shown, ", "))
}
