package experiment

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TableOptions configure the terminal summary.
type TableOptions struct {
	// Width is the terminal width in columns; 0 means 80. The table never
	// exceeds it, dropping the least important columns first.
	Width int
	// Cells prints one block per sweep cell and arm with every metric,
	// instead of the compact table.
	Cells bool
}

// DefaultWidth is the width of the terminal summary when none is known.
const DefaultWidth = 80

// maxGroupedCells is the most cells (sweep points × arms) whose statistics
// the compact table lists metric by metric; beyond it the table shows one
// row per cell with the metrics' means.
const maxGroupedCells = 4

// minTail is the least number of runs a statistic must rest on to be
// printed: a quantile pq needs n·min(q, 1−q) ≥ minTail runs beyond it, so
// 100 runs show p5 to p95 but not p1, p99 or p99.9.
const minTail = 5

// WriteSummary prints the summary table at 80 columns; see
// WriteSummaryTable.
func (r *Result) WriteSummary(w io.Writer) error {
	return r.WriteSummaryTable(w, TableOptions{})
}

// WriteSummaryTable prints the run's summary to a terminal. With one cell,
// or up to maxGroupedCells cells (sweep points × arms), it is one table with
// a row per metric and cell: the mean, the half-width of its 95% interval,
// the quantiles the run count supports, and the mean of the worst runs
// (CVaR at the metric's bad end). With more cells it is one row per cell
// with each metric's mean, as many metrics as fit. Metrics equal in every
// run of every cell are listed on one line. Values are in engineering
// notation (1.12M, 4.05k); units are those of the metric, "numeraire"
// replaced by the scenario's numeraire. The scenario's regions follow.
func (r *Result) WriteSummaryTable(w io.Writer, opt TableOptions) error {
	if opt.Width <= 0 {
		opt.Width = DefaultWidth
	}
	reps := r.Report()
	var b strings.Builder
	constant := r.constantMetrics(reps)
	switch {
	case opt.Cells:
		for c := range reps {
			if len(reps) > 1 {
				fmt.Fprintf(&b, "\n%s\n", r.Cells[c].describe())
			}
			r.statsTable(&b, []int{c}, constant, opt.Width)
		}
	case len(reps) <= maxGroupedCells:
		cells := make([]int, len(reps))
		for c := range cells {
			cells[c] = c
		}
		r.statsTable(&b, cells, constant, opt.Width)
	default:
		r.meansTable(&b, constant, opt.Width)
	}
	var same []string
	for k, m := range r.Model.Metrics {
		if constant[k] {
			same = append(same, m.FullName+" = "+eng(reps[0].Metrics[k].Mean.Value))
		}
	}
	if len(same) > 0 {
		b.WriteString(wrap("same in every run: "+strings.Join(same, ", "), opt.Width))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if len(r.Model.Scenario(0).Regions) > 0 {
		fmt.Fprintln(w)
		return r.RegionMaps(w)
	}
	return nil
}

// constantMetrics marks the metrics whose every finite outcome, in every
// cell, is the same value.
func (r *Result) constantMetrics(reps []CellReport) []bool {
	out := make([]bool, len(r.Model.Metrics))
	for k := range out {
		v := float64(reps[0].Metrics[k].Min)
		same := !math.IsNaN(v)
		for _, c := range reps {
			m := c.Metrics[k]
			same = same && float64(m.Min) == v && float64(m.Max) == v
		}
		out[k] = same
	}
	return out
}

// unit returns a metric's unit for a header, the numeraire named and long
// words shortened ("fraction/step" → "frac/step").
func (r *Result) unit(k int) string {
	u := r.Model.Metrics[k].Unit
	u = strings.ReplaceAll(u, "numeraire", r.Model.Scenario(0).Numeraire)
	u = strings.ReplaceAll(u, "fraction", "frac")
	return strings.ReplaceAll(u, "probability", "prob")
}

// column is one numeric column of the statistics table.
type column struct {
	head string
	// keep orders dropping when the table is too wide: lower goes first.
	keep int
	val  func(m *MetricReport) float64
}

// worstHead heads the column of the worst run's index, which is printed
// as #K rather than as a value.
const worstHead = "worst"

func (r *Result) statsColumns(runs int64) []column {
	cols := []column{
		{"mean", 9, func(m *MetricReport) float64 { return float64(m.Mean.Value) }},
		{"±95%", 8, func(m *MetricReport) float64 { return (float64(m.Mean.Hi) - float64(m.Mean.Lo)) / 2 }},
	}
	for _, q := range []struct {
		q    float64
		keep int
	}{{0.01, 2}, {0.05, 5}, {0.5, 6}, {0.95, 5}, {0.99, 2}, {0.999, 1}} {
		if float64(runs)*math.Min(q.q, 1-q.q) < minTail {
			continue
		}
		qq := q.q
		cols = append(cols, column{"p" + strconv.FormatFloat(qq*100, 'f', -1, 64), q.keep, func(m *MetricReport) float64 {
			for _, e := range m.Quantiles {
				if e.Q == qq {
					return float64(e.Estimate.Value)
				}
			}
			return math.NaN()
		}})
	}
	for _, l := range []float64{0.99, 0.95} {
		if float64(runs)*(1-l) >= minTail {
			level := l
			cols = append(cols, column{"worst" + strconv.FormatFloat(math.Round((1-l)*1000)/10, 'f', -1, 64) + "%", 7, func(m *MetricReport) float64 {
				for _, t := range m.Tails {
					if t.Level == level {
						return float64(t.CVaR.Value)
					}
				}
				return math.NaN()
			}})
			break
		}
	}
	cols = append(cols, column{worstHead, 3, func(m *MetricReport) float64 {
		if len(m.WorstRuns) == 0 {
			return math.NaN()
		}
		return float64(m.WorstRuns[0].Run)
	}})
	return cols
}

// statsTable writes the metric-by-metric table of the given cells.
func (r *Result) statsTable(b *strings.Builder, cells []int, constant []bool, width int) {
	reps := r.Report()
	cols := r.statsColumns(int64(r.Runs))
	type row struct {
		label, unit string
		vals        []string
	}
	var rows []row
	for k, m := range r.Model.Metrics {
		if constant[k] {
			continue
		}
		if len(cells) == 1 {
			rows = append(rows, row{m.FullName, r.unit(k), r.cellValues(&reps[cells[0]].Metrics[k], cols)})
			continue
		}
		head := m.FullName
		if u := r.unit(k); u != "" {
			head += " (" + u + ")"
		}
		rows = append(rows, row{head, "", nil})
		for _, c := range cells {
			rows = append(rows, row{"  " + r.Cells[c].shortLabel(), "", r.cellValues(&reps[c].Metrics[k], cols)})
		}
	}
	// Drop the least important columns until the widest row fits.
	for {
		labelW, unitW := 6, 4
		if len(cells) > 1 {
			unitW = -2 // no unit column: units head each metric's rows
		}
		for _, rw := range rows {
			if rw.vals != nil || len(cells) == 1 {
				labelW = max(labelW, utf8.RuneCountInString(rw.label))
			}
			unitW = max(unitW, utf8.RuneCountInString(rw.unit))
		}
		widths := make([]int, len(cols))
		total := unitW + 2
		for j, c := range cols {
			widths[j] = utf8.RuneCountInString(c.head)
			for _, rw := range rows {
				if rw.vals != nil {
					widths[j] = max(widths[j], utf8.RuneCountInString(rw.vals[j]))
				}
			}
			total += widths[j] + 2
		}
		if labelW+total <= width || len(cols) <= 3 {
			labelW = min(labelW, max(8, width-total))
			line := func(label, unit string, cell func(int) string) {
				b.WriteString(pad(clip(label, labelW), labelW))
				if unitW > 0 {
					b.WriteString("  " + pad(clip(unit, unitW), unitW))
				}
				for j := range cols {
					v := ""
					if cell != nil {
						v = cell(j)
					}
					b.WriteString(strings.Repeat(" ", 2+widths[j]-utf8.RuneCountInString(v)))
					b.WriteString(v)
				}
				b.WriteString("\n")
			}
			line("metric", "unit", func(j int) string { return cols[j].head })
			for _, rw := range rows {
				if rw.vals == nil {
					b.WriteString(clip(rw.label, width) + "\n")
					continue
				}
				vals := rw.vals
				line(rw.label, rw.unit, func(j int) string { return vals[j] })
			}
			break
		}
		// Drop every column of the lowest importance at once, so that
		// quantiles go in symmetric pairs.
		lowest := cols[0].keep
		for _, c := range cols {
			lowest = min(lowest, c.keep)
		}
		var keep []int
		for j, c := range cols {
			if c.keep != lowest {
				keep = append(keep, j)
			}
		}
		nc := make([]column, len(keep))
		for i, j := range keep {
			nc[i] = cols[j]
		}
		cols = nc
		for i := range rows {
			if rows[i].vals == nil {
				continue
			}
			nv := make([]string, len(keep))
			for x, j := range keep {
				nv[x] = rows[i].vals[j]
			}
			rows[i].vals = nv
		}
	}
	legend := "±95%: half-width of the mean's 95% CI · pN: N% of runs at or below · worstN%: mean of the worst N% of runs at the metric's bad end, the lower end if it has none (CVaR)"
	shown := false
	for _, c := range cols {
		shown = shown || c.head == worstHead
	}
	if shown {
		legend += " · worst: index of the worst run"
	}
	b.WriteString(wrap(legend, width))
	if !shown {
		// The column did not fit: the worst runs follow the table.
		var worst []string
		for k, m := range r.Model.Metrics {
			for _, c := range cells {
				if w := reps[c].Metrics[k].WorstRuns; !constant[k] && len(w) > 0 {
					label := m.FullName
					if len(cells) > 1 {
						label += " " + r.Cells[c].shortLabel()
					}
					worst = append(worst, label+" #"+strconv.Itoa(w[0].Run))
				}
			}
		}
		if len(worst) > 0 {
			b.WriteString(wrap("worst run: "+strings.Join(worst, ", "), width))
		}
	}
	b.WriteString(wrap("summary.json lists the "+strconv.Itoa(WorstRuns)+" worst runs of each metric; replay one alone with "+
		strings.Replace(r.Replay(cells[len(cells)-1], 0), "--run 0", "--run K", 1), width))
}

func (r *Result) cellValues(m *MetricReport, cols []column) []string {
	out := make([]string, len(cols))
	for j, c := range cols {
		if v := c.val(m); c.head == worstHead && !math.IsNaN(v) {
			out[j] = "#" + strconv.Itoa(int(v))
		} else {
			out[j] = eng(c.val(m))
		}
	}
	return out
}

// meansTable writes one row per cell with the mean of each metric that
// fits, metric names and units in a two-line header.
func (r *Result) meansTable(b *strings.Builder, constant []bool, width int) {
	reps := r.Report()
	labels := make([]string, len(reps))
	labelW := 4
	for c := range reps {
		labels[c] = r.Cells[c].shortLabel()
		labelW = max(labelW, utf8.RuneCountInString(labels[c]))
	}
	labelW = min(labelW, width/2)
	var shown []int
	used := labelW
	var widths []int
	skipped := 0
	for k, m := range r.Model.Metrics {
		if constant[k] {
			continue
		}
		w := max(utf8.RuneCountInString(m.FullName), utf8.RuneCountInString(r.unit(k)))
		for c := range reps {
			w = max(w, utf8.RuneCountInString(eng(float64(reps[c].Metrics[k].Mean.Value))))
		}
		if used+2+w > width {
			skipped++
			continue
		}
		used += 2 + w
		shown = append(shown, k)
		widths = append(widths, w)
	}
	head := func(text func(k int) string) {
		b.WriteString(strings.Repeat(" ", labelW))
		for j, k := range shown {
			t := text(k)
			b.WriteString(strings.Repeat(" ", 2+widths[j]-utf8.RuneCountInString(t)) + t)
		}
		b.WriteString("\n")
	}
	b.WriteString(fmt.Sprintf("mean of each metric in each of %d cells (%d runs each)\n", len(reps), r.Runs))
	head(func(k int) string { return r.Model.Metrics[k].FullName })
	head(r.unit)
	for c := range reps {
		b.WriteString(pad(clip(labels[c], labelW), labelW))
		for j, k := range shown {
			v := eng(float64(reps[c].Metrics[k].Mean.Value))
			b.WriteString(strings.Repeat(" ", 2+widths[j]-utf8.RuneCountInString(v)) + v)
		}
		b.WriteString("\n")
	}
	if skipped > 0 {
		b.WriteString(wrap(fmt.Sprintf("%d more metrics do not fit; --cells prints every statistic of every metric per cell, and the results directory and report hold them all.", skipped), width))
	}
}

// shortLabel names a cell in a table row: "collar", "fee=0.3% vol=2%/day".
func (c *Cell) shortLabel() string {
	var parts []string
	if c.Arm != "" {
		parts = append(parts, c.Arm)
	}
	for _, p := range c.Params {
		name := p.Path
		if k := strings.LastIndexByte(name, '.'); k >= 0 {
			name = name[k+1:]
		}
		parts = append(parts, name+"="+p.Label)
	}
	if len(parts) == 0 {
		return "all runs"
	}
	return strings.Join(parts, " ")
}

func (c *Cell) describe() string {
	var parts []string
	if c.Arm != "" {
		parts = append(parts, "arm "+c.Arm)
	}
	for _, p := range c.Params {
		parts = append(parts, p.Path+"="+p.Label)
	}
	return fmt.Sprintf("cell %d: %s", c.Point, strings.Join(parts, ", "))
}

func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s)))
}

// clip shortens s to w runes, marking the cut with "…".
func clip(s string, w int) string {
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	rs := []rune(s)
	return string(rs[:max(0, w-1)]) + "…"
}

// wrap breaks text into lines of at most width runes at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		if line > 0 && line+1+n > width {
			b.WriteString("\n")
			line = 0
		}
		if line > 0 {
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += n
	}
	b.WriteString("\n")
	return b.String()
}

// eng formats a value in engineering notation with three significant
// digits: 1.12M, 4.05k, 953, 12.3, 0.0123, and below 0.001 with SI
// prefixes (200µ, 893n). Suffixes run from n to T; beyond, exponents.
func eng(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case x == 0:
		return "0"
	}
	a := math.Abs(x)
	sign := ""
	if x < 0 {
		sign = "-"
	}
	if a < 0.9995e-9 || a >= 999.5e12 {
		return strconv.FormatFloat(x, 'e', 2, 64)
	}
	for _, s := range []struct {
		scale  float64
		suffix string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""}, {1e-3, "m"}, {1e-6, "µ"}, {1e-9, "n"}} {
		if s.scale == 1 && a >= 0.9995e-3 {
			break // 0.00525 reads better than 5.25m
		}
		// Round first so 999.96 becomes 1.00k, not 1000.
		if v := a / s.scale; roundSig(v) >= 1 {
			return sign + sig3(roundSig(v)) + s.suffix
		}
	}
	return sign + sig3(roundSig(a))
}

// roundSig rounds a positive value to three significant digits.
func roundSig(a float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(a, 'g', 3, 64), 64)
	return f
}

// sig3 prints a positive value already rounded to three significant digits
// without an exponent: 1.12, 45.0, 953, 0.0123.
func sig3(a float64) string {
	dec := 2 - int(math.Floor(math.Log10(a)))
	if dec < 0 {
		dec = 0
	}
	return strconv.FormatFloat(a, 'f', dec, 64)
}
