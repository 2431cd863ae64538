package experiment

import (
	"fmt"
	"io"
	"strings"
)

// DiscoverReport is discover.json: the design, every evaluated point and
// every analysis.
type DiscoverReport struct {
	Scenario     string           `json:"scenario"`
	Design       string           `json:"design"`
	Samples      int              `json:"samples"`
	Parameters   []ParameterRange `json:"parameters"`
	Metrics      []string         `json:"metrics"`
	Stat         string           `json:"stat"`
	Safe         string           `json:"safe,omitempty"`
	Seed         uint64           `json:"seed,string"`
	DesignSeed   uint64           `json:"design_seed,string"`
	RunsPerPoint int              `json:"runs_per_point"`
	Simulations  int              `json:"simulations"`
	// Points are every evaluated point; Stats are indexed like Metrics.
	Points          []PointResult    `json:"points"`
	Sobol           []SobolReport    `json:"sobol,omitempty"`
	Morris          []MorrisReport   `json:"morris,omitempty"`
	Boxes           []BoxReport      `json:"boxes,omitempty"`
	Boundary        *BoundaryResult  `json:"boundary,omitempty"`
	Counterexamples []Counterexample `json:"counterexamples,omitempty"`
	// Replay holds, per counterexample, the command that replays it.
	Replay []string `json:"replay,omitempty"`
}

// ParameterRange is one varied parameter as the file states it.
type ParameterRange struct {
	Name    string  `json:"name"`
	Lo      float64 `json:"from"`
	Hi      float64 `json:"to"`
	Unit    string  `json:"unit,omitempty"`
	Log     bool    `json:"log,omitempty"`
	Integer bool    `json:"integer,omitempty"`
}

// Report returns the content of discover.json.
func (r *DiscoverResult) Report() DiscoverReport {
	d := r.Discover
	rep := DiscoverReport{Scenario: r.File.Cells[0].Scenario.Name, Design: d.DesignName(), Samples: d.SampleCount(), Stat: d.Stat,
		Safe: d.Safe, Seed: r.Seed, DesignSeed: r.DesignSeed, RunsPerPoint: r.RunsPerPoint, Simulations: r.Simulations,
		Points: r.Points, Sobol: r.Sobol, Morris: r.Morris, Boxes: r.Boxes, Boundary: r.Boundary, Counterexamples: r.Counterexamples}
	if rep.Stat == "" {
		rep.Stat = "mean"
	}
	if d.Boundary != nil {
		rep.Design = "boundary"
	}
	for _, p := range d.Parameters {
		rep.Parameters = append(rep.Parameters, ParameterRange{Name: p.Name, Lo: p.Value.Lo, Hi: p.Value.Hi, Unit: p.Value.Unit, Log: p.Value.Log, Integer: p.Value.Integer})
	}
	for _, m := range r.Metrics {
		rep.Metrics = append(rep.Metrics, m.FullName)
	}
	for _, c := range r.Counterexamples {
		rep.Replay = append(rep.Replay, r.ReplayCommand(c))
	}
	return rep
}

// ReplayCommand returns the cascade trace command that replays a
// counterexample: the file's own cell 0 with the point's values set, the
// arm, and the run. Discover runs share random numbers across points, so
// run K there is run K of that cell.
func (r *DiscoverResult) ReplayCommand(c Counterexample) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cascade trace %s", shellQuote(r.File.Path))
	for k, p := range r.Discover.Parameters {
		fmt.Fprintf(&b, " --set %s", shellQuote(p.Name+"="+c.Labels[k]))
	}
	if c.Arm != "" {
		fmt.Fprintf(&b, " --arm %s", shellQuote(c.Arm))
	}
	fmt.Fprintf(&b, " --run %d", c.Run)
	if r.Seed != r.File.Cells[0].Scenario.Seed {
		fmt.Fprintf(&b, " --seed %d", r.Seed)
	}
	return b.String()
}

func shellQuote(s string) string {
	safe := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=%:+,", c)) {
			safe = false
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Summary writes the terminal summary: the design and its cost, the ranked
// sensitivity tables, the boxes where the safe region fails, the boundary
// and the worst runs with their replay commands.
func (r *DiscoverResult) Summary(w io.Writer) {
	d := r.Discover
	name := r.File.Cells[0].Scenario.Name
	points := 0
	seen := map[int]bool{}
	for _, p := range r.Points {
		if !seen[p.Point] {
			seen[p.Point] = true
			points++
		}
	}
	kind := d.DesignName()
	if d.Boundary != nil {
		kind = "adaptive boundary search"
	}
	fmt.Fprintf(w, "discover %s: %s, %d points × %d arm(s), %d simulations\n", name, kind, points, len(r.Arms), r.Simulations)
	stat := d.Stat
	if stat == "" {
		stat = "mean"
	}
	pct := fmt.Sprintf("%.3g%%", 100*d.ConfidenceLevel())
	width := 10
	for _, p := range d.Parameters {
		width = max(width, len(p.Name))
	}
	for _, s := range r.Sobol {
		fmt.Fprintf(w, "\nSobol indices of %s (%s over runs)%s, %s bootstrap intervals, ranked by total index:\n", s.Metric, stat, armNote(s.Arm), pct)
		if s.Error != "" {
			fmt.Fprintf(w, "  not computed: %s\n", s.Error)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %-24s  %s\n", width, "parameter", "first order S", "total S_T")
		for _, ix := range s.Result.Ranked() {
			fmt.Fprintf(w, "  %-*s  %6.3f [%6.3f, %6.3f]    %6.3f [%6.3f, %6.3f]  %s\n", width, ix.Name, ix.First, ix.FirstLo, ix.FirstHi,
				ix.Total, ix.TotalLo, ix.TotalHi, bar(ix.Total))
		}
	}
	for _, m := range r.Morris {
		fmt.Fprintf(w, "\nMorris elementary effects of %s (%s over runs)%s, %s bootstrap intervals on μ*, ranked by μ*:\n", m.Metric, stat, armNote(m.Arm), pct)
		if m.Error != "" {
			fmt.Fprintf(w, "  not computed: %s\n", m.Error)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %-28s  %10s  %10s\n", width, "parameter", "μ*", "μ", "σ")
		top := 0.0
		for _, e := range m.Result.Effects {
			top = max(top, e.MuStar)
		}
		for _, e := range m.Result.Ranked() {
			rel := 0.0
			if top > 0 {
				rel = e.MuStar / top
			}
			fmt.Fprintf(w, "  %-*s  %8.4g [%8.4g, %8.4g]  %10.4g  %10.4g  %s\n", width, e.Name, e.MuStar, e.MuStarLo, e.MuStarHi, e.Mu, e.Sigma, bar(rel))
		}
	}
	if d.Safe != "" && d.Boundary == nil {
		for _, arm := range r.Arms {
			fails, n := 0, 0
			for _, p := range r.Points {
				if p.Arm == arm {
					n++
					if !p.Safe {
						fails++
					}
				}
			}
			for _, failsSide := range []bool{true, false} {
				verb, count := "fails", fails
				if !failsSide {
					verb, count = "holds", n-fails
				}
				fmt.Fprintf(w, "\nWhere %q %s%s: %d of %d points\n", d.Safe, verb, armNote(arm), count, n)
				for _, b := range r.Boxes {
					if b.Arm != arm || b.Fails != failsSide {
						continue
					}
					s := b.Stats
					fmt.Fprintf(w, "  %-4s %s\n       coverage %.2f [%.2f, %.2f]  density %.2f [%.2f, %.2f]  (%d of %d points)\n",
						b.Method, b.Describe, s.Coverage, s.CoverageLo, s.CoverageHi, s.Density, s.DensityLo, s.DensityHi, s.In, s.Total)
				}
			}
		}
	}
	if b := r.Boundary; b != nil {
		fmt.Fprintf(w, "\nBoundary of %q along %s (unsafe: P(fail) > %.3g):\n", d.Safe, b.Along, b.P0)
		for _, l := range b.Lines {
			where := strings.Join(l.Others, ", ")
			if where == "" {
				where = "—"
			}
			switch l.Outcome {
			case "crossing":
				fmt.Fprintf(w, "  %-36s safe up to %s, not safe from %s  (%d points, %d runs)\n", where, l.SafeLabel, l.UnsafeLabel, l.Points, l.Runs)
			default:
				fmt.Fprintf(w, "  %-40s %s  (%d points, %d runs)\n", where, l.Outcome, l.Points, l.Runs)
			}
		}
		fmt.Fprintf(w, "  search: %d points, %d simulations; a grid of the same resolution: %d points, %d simulations at %d runs each (%.1f× more)\n",
			b.Points, b.Simulations, b.GridPoints, b.GridSimulations, b.MaxRuns, float64(b.GridSimulations)/float64(max(1, b.Simulations)))
		if bx := b.Box; bx != nil {
			fmt.Fprintf(w, "  certified safe: %s (%d more simulations)\n    %s\n", bx.Describe, b.CertifySimulations, bx.Statement)
		} else {
			fmt.Fprintf(w, "  no certified-safe box: some line is unsafe at both ends or lines disagree on the direction of failure\n")
		}
		fmt.Fprintf(w, "  assumes %s\n", b.Assumption)
	}
	if len(r.Counterexamples) > 0 {
		fmt.Fprintf(w, "\nWorst runs (replay with cascade trace):\n")
		for k, c := range r.Counterexamples {
			if k == 3 {
				fmt.Fprintf(w, "  … %d more in discover.json\n", len(r.Counterexamples)-3)
				break
			}
			fmt.Fprintf(w, "  point %d%s run %d (seed %d): %s = %.6g, %.3g past the threshold; %s\n    %s\n",
				c.Point, armNote(c.Arm), c.Run, c.Seed, c.Condition, c.Value, c.Excess, strings.Join(c.Labels, ", "), r.ReplayCommand(c))
		}
	}
}

func armNote(arm string) string {
	if arm == "" {
		return ""
	}
	return ", arm " + arm
}

// bar draws a share in [0,1] as up to 20 block characters.
func bar(f float64) string {
	n := int(f*20 + 0.5)
	return strings.Repeat("█", min(20, max(0, n)))
}
