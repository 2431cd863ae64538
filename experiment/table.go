package experiment

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteSummary prints, for every cell, one line per metric: the mean with
// the half-width of its 95% confidence interval, the standard deviation,
// quantiles, and the mean of the worst 1% of runs (CVaR 99%, the tail being
// the metric's bad end).
func (r *Result) WriteSummary(w io.Writer) error {
	for c, cell := range r.Report() {
		if len(r.Cells) > 1 {
			if _, err := fmt.Fprintf(w, "\n%s\n", r.Cells[c].describe()); err != nil {
				return err
			}
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "metric\tmean\t±95%\tsd\tp1\tp5\tp50\tp95\tp99\tp99.9\tCVaR99\t")
		for _, m := range cell.Metrics {
			row := []string{m.Name, num(float64(m.Mean.Value)), num((float64(m.Mean.Hi) - float64(m.Mean.Lo)) / 2), num(float64(m.StdDev))}
			for _, q := range m.Quantiles {
				row = append(row, num(float64(q.Estimate.Value)))
			}
			cvar := math.NaN()
			for _, t := range m.Tails {
				if t.Level == 0.99 {
					cvar = float64(t.CVaR.Value)
				}
			}
			row = append(row, num(cvar))
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Model.Scenario(0).Regions) > 0 {
		fmt.Fprintln(w)
		return r.RegionMaps(w)
	}
	return nil
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

// num formats a value in at most 4 significant digits.
func num(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x == 0:
		return "0"
	case math.Abs(x) >= 1e6 || math.Abs(x) < 1e-3:
		return fmt.Sprintf("%.3e", x)
	}
	return fmt.Sprintf("%.4g", x)
}
