package experiment

import (
	"fmt"
	"io"
	"strings"

	"github.com/cascade-risk/cascade/scenario"
)

// RegionMaps renders the scenario's regions as Markdown tables: for each
// region and arm, which cells of the sweep satisfy every condition (✓) and
// which do not (·). A two-parameter sweep becomes a grid with the first
// parameter down and the second across; otherwise one row per cell.
func (r *Result) RegionMaps(w io.Writer) error {
	regions := r.Model.Scenario(0).Regions
	if len(regions) == 0 {
		return nil
	}
	index := map[string]int{}
	for k, m := range r.Model.Metrics {
		index[m.FullName] = k
	}
	in := func(cell *Cell, region scenario.Region) bool {
		for _, cond := range region {
			s := cell.Summaries[index[cond.Metric]]
			v := s.Mean()
			if q := scenario.Stats[cond.Stat]; q > 0 {
				v = s.Quantile(q).Value
			}
			if !cond.Holds(v) {
				return false
			}
		}
		return true
	}
	arms := r.File.Arms()
	var b strings.Builder
	b.WriteString("# Region maps\n")
	for _, reg := range regions {
		conds := make([]string, len(reg.Value))
		for k := range reg.Value {
			conds[k] = reg.Value[k].String()
		}
		for _, arm := range arms {
			fmt.Fprintf(&b, "\n## %s", reg.Name)
			if arm != "" {
				fmt.Fprintf(&b, " — arm %s", arm)
			}
			fmt.Fprintf(&b, "\n\n%s\n\n", strings.Join(conds, " and "))
			var cells []*Cell
			for k := range r.Cells {
				if r.Cells[k].Arm == arm {
					cells = append(cells, &r.Cells[k])
				}
			}
			mark := func(c *Cell) string {
				if in(c, reg.Value) {
					return "✓"
				}
				return "·"
			}
			if len(cells[0].Params) == 2 {
				rows, cols := axisLabels(cells, 0), axisLabels(cells, 1)
				fmt.Fprintf(&b, "| %s \\ %s |", cells[0].Params[0].Path, cells[0].Params[1].Path)
				for _, c := range cols {
					fmt.Fprintf(&b, " %s |", c)
				}
				b.WriteString("\n|---|" + strings.Repeat("---|", len(cols)) + "\n")
				for k, row := range rows {
					fmt.Fprintf(&b, "| %s |", row)
					for j := range cols {
						fmt.Fprintf(&b, " %s |", mark(cells[k*len(cols)+j]))
					}
					b.WriteString("\n")
				}
				continue
			}
			b.WriteString("| cell | in region |\n|---|---|\n")
			for _, c := range cells {
				fmt.Fprintf(&b, "| %s | %s |\n", c.describe(), mark(c))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// axisLabels returns the distinct labels of parameter p in cell order.
func axisLabels(cells []*Cell, p int) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cells {
		if l := c.Params[p].Label; !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
