package world

import (
	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/qf"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

// This file compiles funding rounds with quadratic-funding matching
// (funding_rounds) and their participants: projects (grant_projects),
// honest donors (grant_donors) and a sybil attacker (sybil_attacker).

// The funding adapter is what the rounds' agents expect.
var _ agent.FundingProgram = (*protocol.Funding)(nil)

func init() {
	protocolBuilders["funding_rounds"] = (*builder).fundingRounds
	agentBuilders["grant_projects"] = (*builder).grantProjects
	agentBuilders["grant_donors"] = (*builder).grantDonors
	agentBuilders["sybil_attacker"] = (*builder).sybilAttacker
}

func (b *builder) fundingRounds(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Round     unit.Duration `yaml:"round,required" doc:"length of a funding round, a whole number of at least three steps"`
		Pool      float64       `yaml:"pool,required" doc:"the matching pool of each round" unit:"numeraire"`
		Cap       unit.Fraction `yaml:"cap" doc:"the largest share of a round's pool one project may receive; 0 means no cap" default:"0"`
		Threshold float64       `yaml:"threshold" doc:"the credential score a donor needs to be matched" unit:"score" default:"0"`
		Results   bool          `yaml:"results" doc:"projects funded in a round must show results before the next round closes to stay eligible" default:"false"`
		Suspend   int           `yaml:"suspend" doc:"rounds a project without results stays ineligible; 0 means for ever" unit:"rounds" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	steps, ok := b.stepsOf(c, "round", &p.Round)
	if !ok {
		return nil, false
	}
	if steps < 3 {
		b.errs.At(c.Node.Get("round"), c.Path+".round", "a round must last at least 3 steps, got %d", steps)
		return nil, false
	}
	cfg := qf.Config{Pool: p.Pool, Cap: float64(p.Cap), Threshold: p.Threshold, Results: p.Results, Suspend: p.Suspend}
	if err := cfg.Validate(); err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, false
	}
	f := protocol.Funding{Config: cfg, Round: steps}
	return func() market.Protocol { ff := f; return &ff }, true
}

// program resolves the funding program an agent names.
func (b *builder) program(c scenario.Entry[scenario.Component], name string) (int, bool) {
	k, _, ok := protocolOf[*protocol.Funding](b, name, c.Node.Get("program"), c.Path+".program", "a funding_rounds program")
	return k, ok
}

// probability checks a fraction from 0 to 1 under key.
func (b *builder) probability(c scenario.Entry[scenario.Component], key string, f unit.Fraction) bool {
	if f < 0 || f > 1 {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected a probability from 0 to 100%%, got %g", float64(f))
		return false
	}
	return true
}

func (b *builder) grantProjects(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Program string        `yaml:"program,required" doc:"the funding_rounds program they apply to"`
		Count   int           `yaml:"count,required" doc:"projects" unit:"projects"`
		Results unit.Fraction `yaml:"results,required" doc:"probability that a funded project shows results by the next round"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, ok := b.program(c, p.Program)
	if !ok || !b.probability(c, "results", p.Results) {
		return nil, false
	}
	if p.Count < 1 || p.Count > 100_000 {
		b.errs.At(c.Node.Get("count"), c.Path+".count", "expected from 1 to 100000 projects, got %d", p.Count)
		return nil, false
	}
	g := agent.GrantProjects{Program: k, Count: p.Count, Results: float64(p.Results)}
	return func() market.Agent { gg := g; return &gg }, true
}

type scoreSpan struct {
	From float64 `yaml:"from,required" doc:"lowest credential score, drawn uniformly per donor and run" unit:"score"`
	To   float64 `yaml:"to,required" doc:"highest credential score (at least from)" unit:"score"`
}

// Check requires 0 ≤ from ≤ to.
func (s *scoreSpan) Check(c *scenario.Check) {
	if !(s.From >= 0) || !(s.To >= s.From) || s.To > 1e9 {
		c.Errorf("", "expected scores with 0 ≤ from ≤ to, got from %g to %g", s.From, s.To)
	}
}

func (b *builder) grantDonors(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Program    string    `yaml:"program,required" doc:"the funding_rounds program they give to"`
		Count      int       `yaml:"count,required" doc:"donors" unit:"donors"`
		Gift       float64   `yaml:"gift,required" doc:"median gift, lognormal" unit:"numeraire"`
		Dispersion float64   `yaml:"dispersion" doc:"standard deviation of the log of a gift" default:"0"`
		Projects   int       `yaml:"projects" doc:"projects each donor gives to per round, drawn by popularity" unit:"projects" default:"1"`
		Popularity float64   `yaml:"popularity" doc:"Zipf exponent of project popularity (0: all alike)" default:"0"`
		Score      scoreSpan `yaml:"score,required" doc:"the donors' credential scores, a range (from, to)"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, ok := b.program(c, p.Program)
	if !ok {
		return nil, false
	}
	if p.Projects == 0 {
		p.Projects = 1
	}
	for _, e := range []struct {
		key string
		bad bool
		msg string
	}{
		{"count", p.Count < 1 || p.Count > 1_000_000, "expected from 1 to 1000000 donors"},
		{"gift", !(p.Gift > 0) || p.Gift > 1e12, "expected a positive median gift"},
		{"dispersion", !(p.Dispersion >= 0) || p.Dispersion > 5, "expected a lognormal dispersion from 0 to 5"},
		{"projects", p.Projects < 1 || p.Projects > 1000, "expected from 1 to 1000 projects per donor per round"},
		{"popularity", !(p.Popularity >= 0) || p.Popularity > 10, "expected a Zipf exponent from 0 (all alike) to 10"},
	} {
		if e.bad {
			b.errs.At(c.Node.Get(e.key), c.Path+"."+e.key, "%s", e.msg)
			return nil, false
		}
	}
	d := agent.GrantDonors{Program: k, Count: p.Count, PerRound: p.Projects, Median: p.Gift, Sigma: p.Dispersion,
		Zipf: p.Popularity, ScoreLo: p.Score.From, ScoreHi: p.Score.To}
	return func() market.Agent { dd := d; return &dd }, true
}

func (b *builder) sybilAttacker(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Program       string        `yaml:"program,required" doc:"the funding_rounds program it games"`
		Budget        float64       `yaml:"budget,required" doc:"what it gives each round, split across its identities" unit:"numeraire"`
		IdentityCost  float64       `yaml:"identity_cost" doc:"cost of each fake identity" unit:"numeraire" default:"0"`
		ScoreCost     float64       `yaml:"score_cost" doc:"cost per point of credential score faked to the threshold" unit:"numeraire" default:"0"`
		MaxIdentities int           `yaml:"max_identities,required" doc:"the most identities it holds" unit:"identities"`
		Results       unit.Fraction `yaml:"results" doc:"probability that its project shows results" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, ok := b.program(c, p.Program)
	if !ok || !b.probability(c, "results", p.Results) {
		return nil, false
	}
	for _, e := range []struct {
		key string
		bad bool
		msg string
	}{
		{"budget", !(p.Budget >= 0) || p.Budget > 1e12, "expected a non-negative budget per round"},
		{"identity_cost", !(p.IdentityCost >= 0) || p.IdentityCost > 1e9, "expected a non-negative cost per identity"},
		{"score_cost", !(p.ScoreCost >= 0) || p.ScoreCost > 1e9, "expected a non-negative cost per point of credential score"},
		{"max_identities", p.MaxIdentities < 1 || p.MaxIdentities > 10_000, "expected from 1 to 10000 identities"},
	} {
		if e.bad {
			b.errs.At(c.Node.Get(e.key), c.Path+"."+e.key, "%s", e.msg)
			return nil, false
		}
	}
	s := agent.SybilAttacker{Program: k, Budget: p.Budget, IdentityCost: p.IdentityCost, ScoreCost: p.ScoreCost,
		MaxIdentities: p.MaxIdentities, Results: float64(p.Results)}
	return func() market.Agent { ss := s; return &ss }, true
}
