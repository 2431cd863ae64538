package protocol

import (
	"math"
	"sort"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/qf"
)

// Funding is a program of funding rounds with quadratic-funding matching
// (qf.Program) in the simulation. A round lasts Round steps: the world
// closes one at the start of every step that is a multiple of Round,
// before agents act, so round k takes the gifts of steps (k−1)·Round to
// k·Round − 1 (the first round has no step 0), and gifts made in a round
// still open at the horizon are not matched.
type Funding struct {
	Config qf.Config
	Round  int

	p        *qf.Program
	last     qf.Result
	excluded int
}

// Reset implements market.Protocol.
func (f *Funding) Reset(*market.Market) {
	f.p, _ = qf.New(f.Config)
	f.last, f.excluded = qf.Result{}, 0
}

// Program returns the state machine, for agents to give and report on.
func (f *Funding) Program() *qf.Program { return f.p }

// Position returns where the step lies in its round, from 0 to
// RoundSteps()−1, and the round's number from 1.
func (f *Funding) Position(m *market.Market) (pos, round int) {
	return m.Step % f.Round, f.p.Round + 1
}

// RoundSteps returns the steps per round.
func (f *Funding) RoundSteps() int { return f.Round }

// Step implements market.Protocol: a round closes every Round steps.
func (f *Funding) Step(m *market.Market) error {
	if m.Step%f.Round == 0 {
		f.last = f.p.Close()
		f.excluded += f.last.Excluded
	}
	return nil
}

// Check implements market.Protocol.
func (f *Funding) Check() error { return f.p.Check() }

// Metrics implements market.Protocol.
func (f *Funding) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "rounds", Unit: "rounds", Doc: "rounds closed", Worse: metric.LowerIsWorse},
		{Name: "matched", Unit: "numeraire", Doc: "matching paid", Worse: metric.LowerIsWorse},
		{Name: "donated", Unit: "numeraire", Doc: "gifts in closed rounds", Worse: metric.LowerIsWorse},
		{Name: "unmatched_share", Unit: "fraction", Doc: "share of gifts from donors below the credential threshold, not matched", Worse: metric.HigherIsWorse},
		{Name: "top_share", Unit: "fraction", Doc: "share of all matching received by the top 10% of projects", Worse: metric.HigherIsWorse},
		{Name: "gini", Unit: "fraction", Doc: "Gini coefficient of matching received across projects", Worse: metric.HigherIsWorse},
		{Name: "capped", Unit: "projects", Doc: "projects held at the cap in the last round", Worse: metric.HigherIsWorse},
		{Name: "excluded", Unit: "projects", Doc: "exclusions of funded projects that showed no results", Worse: metric.HigherIsWorse},
		{Name: "remainder", Unit: "numeraire", Doc: "pool left unpaid in the last round (every project capped or none matched)", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Protocol.
func (f *Funding) Observe(_ *market.Market, dst []float64) {
	p := f.p
	dst[0], dst[1], dst[2] = float64(p.Round), p.Matched, p.Donated
	dst[3] = 0
	if p.Donated > 0 {
		dst[3] = p.Unmatched / p.Donated
	}
	dst[4] = p.TopShare(0.1)
	r := make([]float64, p.Projects())
	for k := range r {
		r[k] = p.Received(k)
	}
	dst[5] = gini(r)
	dst[6], dst[7], dst[8] = float64(f.last.Capped), float64(f.excluded), f.last.Remainder
}

// gini returns the Gini coefficient of non-negative values: Σ(2i − n − 1)x₍ᵢ₎ / (n Σx)
// over the values sorted ascending, i from 1; 0 when they sum to zero.
func gini(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	var num, sum float64
	n := float64(len(s))
	for i, v := range s {
		num += (2*float64(i+1) - n - 1) * v
		sum += v
	}
	if sum <= 0 || math.IsNaN(sum) {
		return 0
	}
	return num / (n * sum)
}
