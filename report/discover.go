package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

// A discovery report is the report of a cascade discover directory: where
// the scenario's safe region fails, as boxes of parameter ranges with their
// coverage and density, drawn on maps of the evaluated points; the
// sensitivity rankings; the boundary found by the adaptive search with its
// certified box; and the worst runs with the cascade trace command that
// replays each. It reads discover.json, manifest.json and the scenario
// copy.

// discoverFile is the name of a discover directory's results.
const discoverFile = "discover.json"

// isDiscover reports whether dir holds cascade discover results.
func isDiscover(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, discoverFile))
	_, noSummary := os.Stat(filepath.Join(dir, summaryFile))
	return err == nil && noSummary != nil
}

// newDiscover builds the report of a discover directory.
func newDiscover(dir string) (*Report, error) {
	d := &data{}
	var err error
	if d.manifest, err = results.ReadManifest(dir); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, discoverFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var dr experiment.DiscoverReport
	if err := json.Unmarshal(raw, &dr); err != nil {
		return nil, fmt.Errorf("report: %s: %w", filepath.Join(dir, discoverFile), err)
	}
	if src, err := os.ReadFile(filepath.Join(dir, "scenario.yaml")); err == nil {
		d.source = string(src)
		if f, err := scenario.LoadBytes("scenario.yaml", src); err == nil && len(f.Cells) > 0 {
			d.scenario = &f.Cells[0].Scenario
		}
	}
	r := &Report{d: d, disc: &dr}
	r.sections = append(r.sections, r.discoverAnswer(), r.discoverSection())
	if d.source != "" {
		r.sections = append(r.sections, r.assumptionsSection())
	}
	r.sections = append(r.sections, r.methodSection())
	n := 0
	for _, f := range r.figures() {
		n++
		f.id = fmt.Sprintf("fig%02d-%s", n, f.id)
	}
	return r, nil
}

// paramText formats a parameter value in its written unit: 12.35%, 0.5.
func paramText(v float64, unit string) string {
	s := formatNumber(v)
	if unit == "" {
		return s
	}
	if strings.HasPrefix(unit, "%") || strings.HasPrefix(unit, "/") {
		return s + unit
	}
	return s + " " + unit
}

// labelValue is the number a label starts with, NaN if none.
func labelValue(label string) float64 {
	for i := len(label); i > 0; i-- {
		if v, err := strconv.ParseFloat(label[:i], 64); err == nil {
			return v
		}
	}
	return math.NaN()
}

// readableLabel rounds the number a label starts with to four significant
// digits, keeping its unit: "169.52559497673064%" → "169.5%".
func readableLabel(label string) string {
	i := 0
	for i < len(label) && strings.ContainsRune("+-.0123456789eE", rune(label[i])) {
		i++
	}
	for i > 0 {
		if v, err := strconv.ParseFloat(label[:i], 64); err == nil {
			return formatNumber(v) + label[i:]
		}
		i--
	}
	return label
}

// unitOf returns the unit of parameter name.
func (r *Report) unitOf(name string) string {
	for _, p := range r.disc.Parameters {
		if p.Name == name {
			return p.Unit
		}
	}
	return ""
}

// boxText describes a box as readable parameter ranges.
func (r *Report) boxText(b *experiment.BoxReport) string {
	if len(b.Ranges) == 0 {
		return "the whole space"
	}
	var parts []string
	for _, g := range b.Ranges {
		u := r.unitOf(g.Parameter)
		name := shortParam(g.Parameter)
		switch {
		case g.Lo != nil && g.Hi != nil:
			parts = append(parts, fmt.Sprintf("%s from %s to %s", name, paramText(*g.Lo, u), paramText(*g.Hi, u)))
		case g.Lo != nil:
			parts = append(parts, fmt.Sprintf("%s ≥ %s", name, paramText(*g.Lo, u)))
		case g.Hi != nil:
			parts = append(parts, fmt.Sprintf("%s ≤ %s", name, paramText(*g.Hi, u)))
		}
	}
	return strings.Join(parts, " and ")
}

// intervalText is "0.82 [0.61, 0.94]".
func intervalText(v, lo, hi float64) string {
	return fmt.Sprintf("%.2f [%.2f, %.2f]", v, lo, hi)
}

func (r *Report) discoverAnswer() *section {
	dr := r.disc
	s := &section{id: "answer", title: "Answer"}
	if sc := r.d.scenario; sc != nil && sc.Question != "" {
		s.blocks = append(s.blocks, &paragraph{"Question: " + sc.Question})
	} else if sc != nil && sc.Description != "" {
		s.blocks = append(s.blocks, &paragraph{"Study: " + sc.Description})
	}
	var ranges []string
	for _, p := range dr.Parameters {
		scale := ""
		if p.Log {
			scale = ", log scale"
		}
		ranges = append(ranges, fmt.Sprintf("%s from %s to %s%s", p.Name, paramText(p.Lo, p.Unit), paramText(p.Hi, p.Unit), scale))
	}
	var lines []string
	design := dr.Design
	switch design {
	case "lhs":
		design = "a Latin hypercube"
	case "sobol":
		design = "a scrambled Sobol sequence"
	case "boundary":
		design = "an adaptive boundary search"
	}
	lines = append(lines, fmt.Sprintf("Explored by %s over %s: %s simulations, %d runs a point.",
		design, strings.Join(ranges, "; "), formatCount(int64(dr.Simulations)), dr.RunsPerPoint))
	if dr.Safe != "" {
		lines = append(lines, r.safeLines()...)
	}
	if b := dr.Boundary; b != nil {
		lines = append(lines, r.boundaryLines()...)
	}
	if len(dr.Counterexamples) > 0 {
		c := dr.Counterexamples[0]
		lines = append(lines, fmt.Sprintf("Worst run: point %d%s, run %d (seed %d), where %s = %s; it replays with the command in the counterexamples table.",
			c.Point, armNote(c.Arm), c.Run, c.Seed, c.Condition, formatNumber(c.Value)))
	}
	s.blocks = append(s.blocks, &callout{title: "Where the design breaks", lines: lines})
	for _, f := range r.pointFigures() {
		s.blocks = append(s.blocks, f)
	}
	return s
}

// armNote is ", arm a", or "" without arms.
func armNote(arm string) string {
	if arm == "" {
		return ""
	}
	return ", arm " + arm
}

// safeLines count the points where the safe region fails and name the best
// box of each method.
func (r *Report) safeLines() []string {
	dr := r.disc
	var lines []string
	arms := []string{}
	for _, p := range dr.Points {
		if !slices.Contains(arms, p.Arm) {
			arms = append(arms, p.Arm)
		}
	}
	cond := dr.Safe
	if sc := r.d.scenario; sc != nil {
		for _, reg := range sc.Regions {
			if reg.Name == dr.Safe {
				var cs []string
				for i := range reg.Value {
					cs = append(cs, reg.Value[i].String())
				}
				cond = dr.Safe + " (" + strings.Join(cs, " and ") + ")"
			}
		}
	}
	for _, arm := range arms {
		var fails, n int64
		for _, p := range dr.Points {
			if p.Arm == arm {
				n++
				if !p.Safe {
					fails++
				}
			}
		}
		e := metric.Proportion(fails, n)
		lines = append(lines, fmt.Sprintf("%s fails at %d of %d points%s (%s, 95%% CI %s), judged on the %s over each point's runs.",
			cond, fails, n, armNote(arm), formatPercent(e.Value), formatCI(e, formatPercent), orMean(dr.Stat)))
		for _, method := range []string{"PRIM", "CART"} {
			// The box holding the most failing points; CART's leaves are
			// disjoint, and the table lists them all.
			var best *experiment.BoxReport
			for i := range dr.Boxes {
				b := &dr.Boxes[i]
				if b.Arm == arm && b.Fails && strings.EqualFold(b.Method, method) && (best == nil || b.Stats.Cases > best.Stats.Cases) {
					best = b
				}
			}
			if b := best; b != nil {
				st := b.Stats
				lines = append(lines, fmt.Sprintf("%s box where it fails: %s — it holds %d of the %d failing points (coverage %s) and %d of its %d points fail (density %s).",
					method, r.boxText(b), st.Cases, st.TotalCases, intervalText(st.Coverage, st.CoverageLo, st.CoverageHi),
					st.Cases, st.In, intervalText(st.Density, st.DensityLo, st.DensityHi)))
			}
		}
	}
	return lines
}

func orMean(s string) string {
	if s == "" {
		return "mean"
	}
	return s
}

// boundaryLines summarise the adaptive search.
func (r *Report) boundaryLines() []string {
	b := r.disc.Boundary
	u := r.unitOf(b.Along)
	var crossings []string
	for _, l := range b.Lines {
		if l.Outcome == "crossing" {
			crossings = append(crossings, fmt.Sprintf("%s at %s ± %s", readableLabel(strings.Join(l.Others, ", ")),
				paramText(l.Estimate, u), paramText(l.HalfWidth, u)))
		}
	}
	lines := []string{fmt.Sprintf("Boundary of %s along %s (unsafe where P(fail) > %s): %d of %d lines cross it — %s.",
		r.disc.Safe, b.Along, formatNumber(b.P0), len(crossings), len(b.Lines), strings.Join(crossings, "; "))}
	lines = append(lines, fmt.Sprintf("The search cost %s simulations; a grid of the same resolution would cost %s (%.1f× more).",
		formatCount(int64(b.Simulations)), formatCount(int64(b.GridSimulations)), float64(b.GridSimulations)/float64(max(1, b.Simulations))))
	if bx := b.Box; bx != nil {
		lines = append(lines, fmt.Sprintf("Certified safe: %s from %s to %s on the sampled lines; P(fail) ≤ %s with %s confidence (%s fresh runs at the box edge of each line).",
			b.Along, paramText(bx.Lo, u), paramText(bx.Hi, u), formatNumber(bx.Bound), formatPercent(bx.Confidence), formatCount(int64(bx.RunsPerLine))))
	}
	return lines
}

func (r *Report) discoverSection() *section {
	dr := r.disc
	s := &section{id: "discovery", title: "Discovery"}
	if len(dr.Boxes) > 0 {
		t := &table{
			caption: fmt.Sprintf("Boxes of parameter ranges where %s fails or holds. Coverage: the share of the outcome's points inside the box; "+
				"density: the share of the box's points with the outcome; 95%% Wilson score intervals.", dr.Safe),
			header:  []string{"method", "arm", "where it", "box", "coverage", "density", "points in box"},
			numeric: []bool{false, false, false, false, true, true, true},
		}
		for i := range dr.Boxes {
			b := &dr.Boxes[i]
			st := b.Stats
			outcome := "holds"
			if b.Fails {
				outcome = "fails"
			}
			t.rows = append(t.rows, []tableCell{{text: b.Method}, {text: orDash(b.Arm)}, {text: outcome}, {text: r.boxText(b)},
				{text: fmt.Sprintf("%.2f", st.Coverage), sub: fmt.Sprintf("[%.2f, %.2f]", st.CoverageLo, st.CoverageHi)},
				{text: fmt.Sprintf("%.2f", st.Density), sub: fmt.Sprintf("[%.2f, %.2f]", st.DensityLo, st.DensityHi)},
				{text: fmt.Sprintf("%d of %d", st.In, st.Total)}})
		}
		s.blocks = append(s.blocks, t)
	}
	for _, so := range dr.Sobol {
		if so.Result != nil {
			f := rankedFigure("sobol-"+slug(so.Metric+armNote(so.Arm)), "Sobol indices of "+so.Metric+armNote(so.Arm),
				"First-order (S) and total (S_T) indices, ranked by total index, with 95% bootstrap intervals: the share of the variance of "+
					so.Metric+" each parameter explains alone, and with its interactions.", "index", []string{"first order S", "total S_T"})
			for _, ix := range so.Result.Ranked() {
				f.forest.rows = append(f.forest.rows, ix.Name)
				f.forest.points = append(f.forest.points,
					forestPoint{row: ix.Name, series: "first order S", v: ix.First, lo: ix.FirstLo, hi: ix.FirstHi},
					forestPoint{row: ix.Name, series: "total S_T", v: ix.Total, lo: ix.TotalLo, hi: ix.TotalHi})
			}
			s.blocks = append(s.blocks, f)
		}
		t := &table{caption: fmt.Sprintf("Sobol indices of %s%s, ranked by total index, 95%% bootstrap intervals", so.Metric, armNote(so.Arm)),
			header: []string{"parameter", "first order S", "total S_T"}, numeric: []bool{false, true, true}}
		if so.Result == nil {
			s.blocks = append(s.blocks, &paragraph{"Sobol indices of " + so.Metric + " not computed: " + so.Error})
			continue
		}
		for _, ix := range so.Result.Ranked() {
			t.rows = append(t.rows, []tableCell{{text: ix.Name}, {text: fmt.Sprintf("%.3f", ix.First), sub: fmt.Sprintf("[%.3f, %.3f]", ix.FirstLo, ix.FirstHi)},
				{text: fmt.Sprintf("%.3f", ix.Total), sub: fmt.Sprintf("[%.3f, %.3f]", ix.TotalLo, ix.TotalHi)}})
		}
		s.blocks = append(s.blocks, t)
	}
	for _, m := range dr.Morris {
		if m.Result != nil {
			f := rankedFigure("morris-"+slug(m.Metric+armNote(m.Arm)), "Morris elementary effects of "+m.Metric+armNote(m.Arm),
				"The mean absolute elementary effect μ* of each parameter on "+m.Metric+", ranked, with 95% bootstrap intervals: "+
					"a screening of which parameters matter.", "μ*", []string{"μ*"})
			for _, e := range m.Result.Ranked() {
				f.forest.rows = append(f.forest.rows, e.Name)
				f.forest.points = append(f.forest.points, forestPoint{row: e.Name, series: "μ*", v: e.MuStar, lo: e.MuStarLo, hi: e.MuStarHi})
			}
			s.blocks = append(s.blocks, f)
		}
		t := &table{caption: fmt.Sprintf("Morris elementary effects of %s%s, ranked by μ*, 95%% bootstrap intervals on μ*", m.Metric, armNote(m.Arm)),
			header: []string{"parameter", "μ*", "μ", "σ"}, numeric: []bool{false, true, true, true}}
		if m.Result == nil {
			s.blocks = append(s.blocks, &paragraph{"Morris effects of " + m.Metric + " not computed: " + m.Error})
			continue
		}
		for _, e := range m.Result.Ranked() {
			t.rows = append(t.rows, []tableCell{{text: e.Name}, {text: formatNumber(e.MuStar), sub: "[" + formatNumber(e.MuStarLo) + ", " + formatNumber(e.MuStarHi) + "]"},
				{text: formatNumber(e.Mu)}, {text: formatNumber(e.Sigma)}})
		}
		s.blocks = append(s.blocks, t)
	}
	if b := dr.Boundary; b != nil {
		u := r.unitOf(b.Along)
		t := &table{caption: fmt.Sprintf("Boundary along %s on each sampled line: the neighbouring grid values that bracket it, each verdict a sequential Clopper–Pearson test", b.Along),
			header:  []string{"line", "outcome", "safe up to", "not safe from", "estimate", "points", "runs"},
			numeric: []bool{false, false, true, true, true, true, true}}
		for _, l := range b.Lines {
			row := []tableCell{{text: readableLabel(strings.Join(l.Others, ", "))}, {text: l.Outcome}}
			if l.Outcome == "crossing" {
				row = append(row, tableCell{text: l.SafeLabel}, tableCell{text: l.UnsafeLabel}, tableCell{text: paramText(l.Estimate, u) + " ± " + paramText(l.HalfWidth, u)})
			} else {
				row = append(row, tableCell{}, tableCell{}, tableCell{})
			}
			row = append(row, tableCell{text: formatCount(int64(l.Points))}, tableCell{text: formatCount(int64(l.Runs))})
			t.rows = append(t.rows, row)
		}
		s.blocks = append(s.blocks, t)
		if bx := b.Box; bx != nil {
			s.blocks = append(s.blocks, &paragraph{"Certified box: " + bx.Statement + "."})
		}
		s.blocks = append(s.blocks, &paragraph{"Assumption: " + b.Assumption + "."})
	}
	if len(dr.Counterexamples) > 0 {
		t := &table{caption: "Counterexamples: the worst runs, by how far past its threshold the broken condition went. Each is (point, arm, run, seed); " +
			"the command below the table replays it step by step with cascade trace.",
			header:  []string{"point", "arm", "run", "seed", "parameters", "condition", "value", "past the threshold"},
			numeric: []bool{true, false, true, true, false, false, true, true}}
		var cmds []string
		for k, c := range dr.Counterexamples {
			var ps []string
			for j, l := range c.Labels {
				if j < len(dr.Parameters) {
					ps = append(ps, shortParam(dr.Parameters[j].Name)+" = "+readableLabel(l))
				}
			}
			t.rows = append(t.rows, []tableCell{{text: strconv.Itoa(c.Point)}, {text: orDash(c.Arm)}, {text: strconv.Itoa(c.Run)},
				{text: strconv.FormatUint(c.Seed, 10)}, {text: strings.Join(ps, ", ")}, {text: c.Condition},
				{text: formatNumber(c.Value)}, {text: formatNumber(c.Excess)}})
			if k < len(dr.Replay) {
				cmds = append(cmds, fmt.Sprintf("# point %d, run %d\n%s", c.Point, c.Run, dr.Replay[k]))
			}
		}
		s.blocks = append(s.blocks, t)
		if len(cmds) > 0 {
			s.blocks = append(s.blocks, &codeBlock{text: strings.Join(cmds, "\n"), summary: "Replay commands (cascade trace)", open: true})
		}
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// pointFigures map the evaluated points over pairs of parameters (the
// first three), safe or failing, with the boxes, the boundary estimates and
// the worst runs drawn on them.
func (r *Report) pointFigures() []*figure {
	dr := r.disc
	np := len(dr.Parameters)
	if np < 1 || len(dr.Points) == 0 {
		return nil
	}
	var pairs [][2]int
	switch {
	case np == 1:
		pairs = [][2]int{{0, -1}}
	case np == 2:
		pairs = [][2]int{{0, 1}}
	default:
		pairs = [][2]int{{0, 1}, {0, 2}, {1, 2}}
	}
	var out []*figure
	for _, pr := range pairs {
		out = append(out, r.pointFigure(pr[0], pr[1]))
	}
	return out
}

func (r *Report) pointFigure(ix, iy int) *figure {
	dr := r.disc
	px := dr.Parameters[ix]
	pf := &pointsFig{x: discAxis(px)}
	title := "Evaluated points over " + shortParam(px.Name)
	if iy >= 0 {
		pf.y = discAxis(dr.Parameters[iy])
		title += " × " + shortParam(dr.Parameters[iy].Name)
	}
	coord := func(values []float64) (float64, float64) {
		x, y := values[ix], 0.0
		if iy >= 0 {
			y = values[iy]
		}
		return x, y
	}
	for _, p := range dr.Points {
		if len(p.Values) <= max(ix, iy) {
			continue
		}
		x, y := coord(p.Values)
		outcome := "safe"
		if !p.Safe {
			outcome = "fails"
		}
		if dr.Boundary != nil {
			// The search's verdicts: safe at its confidence, or not shown
			// safe (unsafe, or not settled).
			outcome = map[bool]string{true: "shown safe", false: "not shown safe"}[p.Safe]
		}
		var ls []string
		for _, l := range p.Labels {
			ls = append(ls, readableLabel(l))
		}
		pf.points = append(pf.points, discPoint{x: x, y: y, outcome: outcome, label: fmt.Sprintf("point %d%s: %s", p.Point, armNote(p.Arm), strings.Join(ls, ", "))})
	}
	for i := range dr.Boxes {
		b := &dr.Boxes[i]
		if !b.Fails {
			continue // the maps show where the design breaks; the table lists both
		}
		bx := discBox{name: b.Method + " " + map[bool]string{true: "fails", false: "holds"}[b.Fails], x0: pf.x.lo, x1: pf.x.hi, y0: pf.y.lo, y1: pf.y.hi, text: r.boxText(b)}
		for _, g := range b.Ranges {
			if g.Parameter == px.Name {
				if g.Lo != nil {
					bx.x0 = *g.Lo
				}
				if g.Hi != nil {
					bx.x1 = *g.Hi
				}
			}
			if iy >= 0 && g.Parameter == dr.Parameters[iy].Name {
				if g.Lo != nil {
					bx.y0 = *g.Lo
				}
				if g.Hi != nil {
					bx.y1 = *g.Hi
				}
			}
		}
		pf.boxes = append(pf.boxes, bx)
	}
	for _, c := range dr.Counterexamples {
		// The run's parameters as written: its labels, not the index of a
		// point, which the adaptive search numbers its own way.
		var vs []float64
		for _, l := range c.Labels {
			vs = append(vs, labelValue(l))
		}
		if len(vs) > max(ix, iy) {
			x, y := coord(vs)
			pf.worst = append(pf.worst, discPoint{x: x, y: y, label: fmt.Sprintf("worst run: point %d, run %d, seed %d", c.Point, c.Run, c.Seed)})
		}
	}
	if b := dr.Boundary; b != nil && iy >= 0 {
		// Each line's crossing, at its other parameter's value.
		along, other := -1, -1
		for k, p := range []experiment.ParameterRange{px, dr.Parameters[iy]} {
			if p.Name == b.Along {
				along, other = k, 1-k
			}
		}
		if along >= 0 {
			for _, l := range b.Lines {
				if l.Outcome != "crossing" || len(l.Others) == 0 {
					continue
				}
				_, val, _ := strings.Cut(l.Others[0], "=")
				v, err := strconv.ParseFloat(strings.TrimRight(val, "%/abcdefghijklmnopqrstuvwxyz "), 64)
				if err != nil {
					continue
				}
				pt := [2]float64{}
				pt[along], pt[other] = l.Estimate, v
				pf.crossings = append(pf.crossings, discCrossing{x: pt[0], y: pt[1], half: l.HalfWidth, alongX: along == 0})
			}
			if bx := b.Box; bx != nil {
				box := discBox{name: "certified safe", x0: pf.x.lo, x1: pf.x.hi, y0: pf.y.lo, y1: pf.y.hi, text: bx.Describe}
				if along == 0 {
					box.x0, box.x1 = bx.Lo, bx.Hi
				} else {
					box.y0, box.y1 = bx.Lo, bx.Hi
				}
				pf.boxes = append(pf.boxes, box)
			}
		}
	}
	caption := "Each dot is one evaluated point (blue: the safe region holds on its statistics; red: it fails). Rectangles are the boxes of the discovery table " +
		"where it fails, clipped to the map; black rings mark the worst runs."
	if dr.Boundary != nil {
		caption = "Each dot is one point the adaptive search evaluated (blue: its sequential test settled it safe; red: unsafe or not settled). " +
			"The rectangle is the certified-safe box; black rings mark the worst runs."
	}
	if len(pf.crossings) > 0 {
		caption += " Diamonds are the boundary's estimates on each sampled line, with their half-width."
	}
	if len(dr.Parameters) > 2 {
		caption += " The other parameters vary across the points; a box that restricts them is drawn at its full extent here."
	}
	return &figure{id: "points-" + slug(shortParam(px.Name)), kind: figPoints, title: title, caption: caption,
		xTitle: px.Name, yTitle: pf.y.name, points: pf}
}

// discAxis is a map axis over a discover parameter's range.
func discAxis(p experiment.ParameterRange) discRange {
	return discRange{name: p.Name, unit: p.Unit, lo: p.Lo, hi: p.Hi, log: p.Log && p.Lo > 0}
}

// pointsFig is a map of discover points.
type pointsFig struct {
	x, y      discRange
	points    []discPoint
	boxes     []discBox
	worst     []discPoint
	crossings []discCrossing
}

type discRange struct {
	name, unit string
	lo, hi     float64
	log        bool
}

type discPoint struct {
	x, y           float64
	outcome, label string
}

type discBox struct {
	name           string
	x0, x1, y0, y1 float64
	text           string
}

type discCrossing struct {
	x, y, half float64
	alongX     bool
}

// clip limits a box's coordinate to the axis range.
func (a discRange) clip(v float64) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		if v > 0 {
			return a.hi
		}
		return a.lo
	}
	return math.Min(math.Max(v, a.lo), a.hi)
}

// rankedFigure is a sensitivity ranking drawn as a forest: one row per
// parameter, in rank order, one point with its interval per series.
func rankedFigure(id, title, caption, xTitle string, series []string) *figure {
	return &figure{id: id, kind: figForest, title: title, caption: caption, xTitle: xTitle, series: series, wide: true,
		forest: &forestFig{rowLabel: "parameter", seriesLabel: "index", valueLabel: xTitle}}
}
