package agent

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/qf"
)

// FundingProgram is what the agents of funding rounds see of a program:
// its state machine and where the step lies in the round (position from 0
// to RoundSteps()−1; the round closes before agents act at position 0).
type FundingProgram interface {
	Program() *qf.Program
	Position(m *market.Market) (pos, round int)
	RoundSteps() int
}

// GrantProjects are Count projects of a funding program. After a round in
// which a project was funded it shows results, at the first step of the
// next round, with probability Results (its odds of delivering); otherwise
// it owes them, and the program's results rule may exclude it.
type GrantProjects struct {
	Program int // protocol index
	Count   int
	Results float64

	ids     []int
	decided int // the round whose results were decided
	rng     *rand.Rand
	shown   int
}

// Reset implements market.Agent: the projects register.
func (g *GrantProjects) Reset(m *market.Market, rng *rand.Rand) {
	p := m.Protocols[g.Program].(FundingProgram).Program()
	g.ids = g.ids[:0]
	for range g.Count {
		g.ids = append(g.ids, p.AddProject())
	}
	g.rng, g.decided, g.shown = rng, 0, 0
}

// Act implements market.Agent.
func (g *GrantProjects) Act(m *market.Market) {
	fp := m.Protocols[g.Program].(FundingProgram)
	_, round := fp.Position(m)
	if round == g.decided {
		return
	}
	g.decided = round
	p := fp.Program()
	for _, id := range g.ids {
		if p.Owing(id) && g.rng.Float64() < g.Results {
			p.Report(id)
			g.shown++
		}
	}
}

// Metrics implements market.Agent.
func (g *GrantProjects) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "received", Unit: "numeraire", Doc: "matching received by these projects", Worse: metric.LowerIsWorse},
		{Name: "share", Unit: "fraction", Doc: "their share of all matching paid", Worse: metric.LowerIsWorse},
		{Name: "eligible", Unit: "fraction", Doc: "share of these projects eligible in the open round", Worse: metric.LowerIsWorse},
	}
}

// Observe implements market.Agent.
func (g *GrantProjects) Observe(m *market.Market, dst []float64) {
	p := m.Protocols[g.Program].(FundingProgram).Program()
	var r float64
	el := 0
	for _, id := range g.ids {
		r += p.Received(id)
		if p.Eligible(id) {
			el++
		}
	}
	dst[0], dst[1], dst[2] = r, 0, 0
	if p.Matched > 0 {
		dst[1] = r / p.Matched
	}
	if len(g.ids) > 0 {
		dst[2] = float64(el) / float64(len(g.ids))
	}
}

// GrantDonors are Count honest donors. Each holds a credential score drawn
// uniformly from [ScoreLo, ScoreHi] once per run, and in every round gives
// once, at a step drawn uniformly from the round's steps but its last, to
// PerRound projects drawn with replacement by popularity — project k (in
// registration order) with weight (k+1)^−Zipf — each gift Median·e^(σZ),
// Z standard normal. A project that is not eligible is skipped.
type GrantDonors struct {
	Program          int
	Count, PerRound  int
	Median, Sigma    float64
	Zipf             float64
	ScoreLo, ScoreHi float64

	ids   []int
	day   []int
	round int
	cum   []float64 // cumulative popularity weights
	rng   *rand.Rand
	given float64
	gifts int
}

// Reset implements market.Agent: the donors register with their scores.
func (d *GrantDonors) Reset(m *market.Market, rng *rand.Rand) {
	p := m.Protocols[d.Program].(FundingProgram).Program()
	d.rng, d.round, d.given, d.gifts = rng, 0, 0, 0
	d.ids = d.ids[:0]
	for range d.Count {
		d.ids = append(d.ids, p.AddDonor(d.ScoreLo+(d.ScoreHi-d.ScoreLo)*rng.Float64()))
	}
	d.day = make([]int, d.Count)
	d.cum = d.cum[:0]
}

// Act implements market.Agent.
func (d *GrantDonors) Act(m *market.Market) {
	fp := m.Protocols[d.Program].(FundingProgram)
	p := fp.Program()
	pos, round := fp.Position(m)
	n := fp.RoundSteps()
	if round != d.round {
		d.round = round
		// Days 0 … n−2; the first round has no step 0, so its day-0
		// donors give at step 1.
		for k := range d.day {
			d.day[k] = d.rng.IntN(max(1, n-1))
			if round == 1 && d.day[k] == 0 {
				d.day[k] = min(1, n-2)
			}
		}
	}
	if np := p.Projects(); len(d.cum) != np {
		d.cum = d.cum[:0]
		var s float64
		for k := range np {
			s += math.Pow(float64(k+1), -d.Zipf)
			d.cum = append(d.cum, s)
		}
	}
	if len(d.cum) == 0 {
		return
	}
	total := d.cum[len(d.cum)-1]
	for k, id := range d.ids {
		if d.day[k] != pos {
			continue
		}
		for range d.PerRound {
			pr := sort.SearchFloat64s(d.cum, d.rng.Float64()*total)
			pr = min(pr, len(d.cum)-1)
			amt := d.Median * math.Exp(d.Sigma*d.rng.NormFloat64())
			if !p.Eligible(pr) {
				continue
			}
			if p.Give(id, pr, amt) == nil {
				d.given += amt
				d.gifts++
			}
		}
	}
}

// Metrics implements market.Agent.
func (d *GrantDonors) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "given", Unit: "numeraire", Doc: "gifts made", Worse: metric.LowerIsWorse},
		{Name: "gifts", Unit: "gifts", Doc: "number of gifts", Worse: metric.LowerIsWorse},
	}
}

// Observe implements market.Agent.
func (d *GrantDonors) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1] = d.given, float64(d.gifts)
}

// SybilAttacker runs a project of its own and, at the last step of every
// round, splits Budget across n identities giving to it, choosing the n
// that maximizes the match the program would pay if the round closed then
// (qf.Program.MatchIf, exact) less the cost of the fake identities it does
// not yet hold: IdentityCost + ScoreCost × the program's threshold each (a
// credential faked to the threshold; identities are kept across rounds).
// Its first identity is its own, scored at the threshold, and free.
// Its gifts come back to it through its project, so its gain is the
// matching; the sybil gain is what that matching exceeds the match of
// Budget given from one identity, measured at the same moment. Like any
// project it shows results with probability Results.
type SybilAttacker struct {
	Program                 int
	Budget                  float64
	IdentityCost, ScoreCost float64
	MaxIdentities           int
	Results                 float64

	project    int
	idents     []int
	rng        *rand.Rand
	decided    int
	acted      int
	baseline   float64
	spent      float64
	pending    float64 // baseline of the round acted in, not yet closed
	pendingFor int
	extra      []float64
}

// Reset implements market.Agent: the attacker registers its project.
func (s *SybilAttacker) Reset(m *market.Market, rng *rand.Rand) {
	p := m.Protocols[s.Program].(FundingProgram).Program()
	s.project = p.AddProject()
	s.idents = s.idents[:0]
	s.rng = rng
	s.decided, s.acted, s.pendingFor = 0, 0, 0
	s.baseline, s.spent, s.pending = 0, 0, 0
}

// Act implements market.Agent.
func (s *SybilAttacker) Act(m *market.Market) {
	fp := m.Protocols[s.Program].(FundingProgram)
	p := fp.Program()
	pos, round := fp.Position(m)
	if round != s.decided {
		s.decided = round
		if s.pendingFor > 0 && s.pendingFor < round {
			s.baseline += s.pending
			s.pendingFor, s.pending = 0, 0
		}
		if p.Owing(s.project) && s.rng.Float64() < s.Results {
			p.Report(s.project)
		}
	}
	if pos != fp.RoundSteps()-1 || s.acted == round || !p.Eligible(s.project) || s.Budget <= 0 {
		return
	}
	s.acted = round
	cost := s.IdentityCost + s.ScoreCost*p.Config.Threshold
	owned := max(1, len(s.idents)) // its first identity is its own
	base := p.MatchIf(s.project, []float64{s.Budget})
	best, bestN := base, 1
	for n := 2; n <= max(1, s.MaxIdentities); n++ {
		s.extra = s.extra[:0]
		for range n {
			s.extra = append(s.extra, s.Budget/float64(n))
		}
		v := p.MatchIf(s.project, s.extra) - cost*float64(max(0, n-owned))
		if v > best {
			best, bestN = v, n
		}
	}
	for len(s.idents) < bestN {
		if len(s.idents) > 0 {
			s.spent += cost
		}
		s.idents = append(s.idents, p.AddDonor(p.Config.Threshold))
	}
	for _, id := range s.idents[:bestN] {
		_ = p.Give(id, s.project, s.Budget/float64(bestN))
	}
	s.pending, s.pendingFor = base, round
}

// Metrics implements market.Agent.
func (s *SybilAttacker) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "captured", Unit: "numeraire", Doc: "matching received by the attacker's project", Worse: metric.HigherIsWorse},
		{Name: "captured_share", Unit: "fraction", Doc: "its share of all matching paid", Worse: metric.HigherIsWorse},
		{Name: "sybil_gain", Unit: "numeraire", Doc: "matching received beyond what its budget from one identity would have drawn", Worse: metric.HigherIsWorse},
		{Name: "credential_cost", Unit: "numeraire", Doc: "spent on fake credentials", Worse: metric.LowerIsWorse},
		{Name: "net_gain", Unit: "numeraire", Doc: "sybil gain less credential cost", Worse: metric.HigherIsWorse},
		{Name: "cost_per_gain", Unit: "numeraire/numeraire", Doc: "credential cost per unit of sybil gain (0 while there is no gain)", Worse: metric.LowerIsWorse},
		{Name: "identities", Unit: "identities", Doc: "identities held, its own included", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Agent.
func (s *SybilAttacker) Observe(m *market.Market, dst []float64) {
	p := m.Protocols[s.Program].(FundingProgram).Program()
	captured := p.Received(s.project)
	base := s.baseline
	if s.pendingFor > 0 && s.pendingFor <= p.Round {
		base += s.pending // its round has closed
	}
	gain := captured - base
	dst[0] = captured
	dst[1] = 0
	if p.Matched > 0 {
		dst[1] = captured / p.Matched
	}
	dst[2], dst[3], dst[4] = gain, s.spent, gain-s.spent
	dst[5] = 0
	if gain > 0 {
		dst[5] = s.spent / gain
	}
	dst[6] = float64(len(s.idents))
}
