package world

import (
	"time"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/secmarket"
	"github.com/cascade-risk/cascade/unit"
)

// This file compiles a shared-security market (shared_security) and its
// participants: the provider's validators (security_validators) and the
// consumer chains (consumer_chains).

// The shared-security adapter is what validators and consumer chains expect.
var _ agent.SecurityProvider = (*protocol.Security)(nil)

func init() {
	protocolBuilders["shared_security"] = (*builder).sharedSecurity
	agentBuilders["security_validators"] = (*builder).securityValidators
	agentBuilders["consumer_chains"] = (*builder).consumerChains
}

func (b *builder) sharedSecurity(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Token     string         `yaml:"token,required" doc:"the provider chain's staking token, bonded to secure consumer chains"`
		Design    string         `yaml:"design,required" doc:"how consumer chains are admitted: auction (validators' asks cleared against bids) or governance (a vote, then a delay)"`
		Delay     *unit.Duration `yaml:"delay" doc:"governance (required): time from a chain's arrival to its launch, a whole number of steps"`
		Threshold string         `yaml:"threshold" doc:"the share of a chain's voting power an attacker must control for the security metric: 1/3 (halt) or 2/3 (rewrite)" default:"1/3"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	tok, ok := b.asset(p.Token, c.Node.Get("token"), c.Path+".token")
	if !ok {
		return nil, false
	}
	cfg := secmarket.Config{Threshold: 1.0 / 3}
	switch p.Design {
	case "auction":
		if p.Delay != nil {
			b.errs.At(c.Node.Get("delay"), c.Path+".delay", "delay applies to the governance design only")
			return nil, false
		}
	case "governance":
		cfg.Design = secmarket.Governance
		if p.Delay == nil {
			b.errs.At(c.Node, c.Path, "the governance design needs delay (from a chain's proposal to its launch, such as 14d)")
			return nil, false
		}
		d, ok := b.stepsOf(c, "delay", p.Delay)
		if !ok {
			return nil, false
		}
		cfg.Delay = d
	default:
		b.errs.At(c.Node.Get("design"), c.Path+".design", "expected auction or governance, got %q", p.Design)
		return nil, false
	}
	switch p.Threshold {
	case "", "1/3":
	case "2/3":
		cfg.Threshold = 2.0 / 3
	default:
		b.errs.At(c.Node.Get("threshold"), c.Path+".threshold", "expected 1/3 or 2/3 (the share of a chain's power an attacker must control), got %q", p.Threshold)
		return nil, false
	}
	if _, err := secmarket.New(cfg); err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, false
	}
	s := protocol.Security{Config: cfg, Token: tok, StepDays: float64(b.cell.sc.Step.Std()) / float64(24*time.Hour)}
	return func() market.Protocol { ss := s; return &ss }, true
}

// provider resolves the shared_security mechanism an agent names.
func (b *builder) provider(c scenario.Entry[scenario.Component], name string) (int, *protocol.Security, bool) {
	return protocolOf[*protocol.Security](b, name, c.Node.Get("provider"), c.Path+".provider", "a shared_security market")
}

// amountSpan is a range of amounts, uniform between from and to.
type amountSpan struct {
	From float64 `yaml:"from,required" doc:"low end of the range, drawn uniformly" unit:"numeraire"`
	To   float64 `yaml:"to,required" doc:"high end of the range (at least from)" unit:"numeraire"`
}

// Check requires 0 ≤ from ≤ to.
func (s *amountSpan) Check(c *scenario.Check) {
	if !(s.From >= 0) || !(s.To >= s.From) || s.To > 1e15 {
		c.Errorf("", "expected amounts with 0 ≤ from ≤ to, got from %g to %g", s.From, s.To)
	}
}

// bidSchedule is what a consumer chain bids, in the numeraire of provider
// stake bonded per validator: first for its first validator, falling
// linearly to last for its last.
type bidSchedule struct {
	First float64 `yaml:"first,required" doc:"what a chain bids for its first validator, per year" unit:"numeraire"`
	Last  float64 `yaml:"last,required" doc:"what it bids for its last validator, falling linearly from first" unit:"numeraire"`
}

// Check requires first ≥ last > 0.
func (s *bidSchedule) Check(c *scenario.Check) {
	if !(s.Last > 0) || !(s.First >= s.Last) || s.First > 1e15 {
		c.Errorf("", "expected bids with first ≥ last > 0, got first %g, last %g", s.First, s.Last)
	}
}

// countSpan is a range of whole numbers, [low, high].
type countSpan []int

func (b *builder) countSpan(c scenario.Entry[scenario.Component], key string, s countSpan, lo, hi int) (int, int, bool) {
	if len(s) != 2 || s[0] < lo || s[1] < s[0] || s[1] > hi {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected [low, high] with %d ≤ low ≤ high ≤ %d, got %v", lo, hi, []int(s))
		return 0, 0, false
	}
	return s[0], s[1], true
}

func (b *builder) securityValidators(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Provider   string        `yaml:"provider,required" doc:"the shared_security market they validate in"`
		Count      int           `yaml:"count,required" doc:"validators" unit:"validators"`
		Stake      stakingDist   `yaml:"stake,required" doc:"each validator's stake: an amount of tokens, or {pareto, min, max}" unit:"tokens"`
		Capacity   countSpan     `yaml:"capacity,required" doc:"how many consumer chains a validator can run, [low, high] drawn uniformly" unit:"chains"`
		Cost       amountSpan    `yaml:"cost,required" doc:"a validator's cost per consumer chain per year, a range (from, to)" unit:"numeraire"`
		OptIn      unit.Fraction `yaml:"opt_in,required" doc:"probability that a validator opts into each consumer chain"`
		Yield      unit.Rate     `yaml:"yield,required" doc:"the provider's staking rate"`
		Commission unit.Fraction `yaml:"commission,required" doc:"share of a bond's rewards the validator keeps"`
		Margin     unit.Fraction `yaml:"margin" doc:"a validator asks the stake whose rewards cover its cost times 1 plus margin" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, s, ok := b.provider(c, p.Provider)
	if !ok {
		return nil, false
	}
	dec := b.cell.decimals[s.Token]
	stake, ok := b.stakingDistOf(c, "stake", &p.Stake, dec)
	if !ok {
		return nil, false
	}
	clo, chi, ok := b.countSpan(c, "capacity", p.Capacity, 0, 1000)
	if !ok {
		return nil, false
	}
	yield := p.Yield.Over(unit.Year)
	for _, e := range []struct {
		key string
		bad bool
		msg string
	}{
		{"count", p.Count < 1 || p.Count > 100_000, "expected from 1 to 100000 validators"},
		{"opt_in", p.OptIn < 0 || p.OptIn > 1, "expected a probability from 0 to 100%"},
		{"yield", !(yield > 0) || yield > 10, "expected a staking yield above 0 and at most 1000%/yr"},
		{"commission", !(p.Commission > 0) || p.Commission > 1, "expected a commission above 0 and at most 100%"},
		{"margin", !(p.Margin >= 0) || p.Margin > 100, "expected a non-negative margin"},
	} {
		if e.bad {
			b.errs.At(c.Node.Get(e.key), c.Path+"."+e.key, "%s", e.msg)
			return nil, false
		}
	}
	v := agent.SecurityValidators{Provider: k, Count: p.Count, Stake: stake, Unit: b.cell.unit[s.Token], CapLo: clo, CapHi: chi,
		CostLo: p.Cost.From, CostHi: p.Cost.To, OptIn: float64(p.OptIn), Yield: yield, Commission: float64(p.Commission), Margin: float64(p.Margin)}
	return func() market.Agent { vv := v; return &vv }, true
}

func (b *builder) consumerChains(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Provider   string         `yaml:"provider,required" doc:"the shared_security market the chains come to"`
		Initial    int            `yaml:"initial" doc:"chains at the start" unit:"chains" default:"0"`
		Rate       unit.Rate      `yaml:"rate" doc:"arrival rate of new chains (Poisson), such as 2/yr" default:"0/yr"`
		Validators countSpan      `yaml:"validators,required" doc:"how many validators a chain needs, [low, high] drawn uniformly" unit:"validators"`
		Bids       *bidSchedule   `yaml:"bids" doc:"a chain's bids per validator, from first down to last; without it, demand is inelastic"`
		OwnStake   *amountSpan    `yaml:"own_stake" doc:"the stake a chain would have were it sovereign, a range (from, to); without it, none"`
		Lifetime   *unit.Duration `yaml:"lifetime" doc:"mean (exponential) time a chain stays before it leaves; without it, for ever"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, _, ok := b.provider(c, p.Provider)
	if !ok {
		return nil, false
	}
	klo, khi, ok := b.countSpan(c, "validators", p.Validators, 1, 10_000)
	if !ok {
		return nil, false
	}
	step := b.cell.sc.Step.Std()
	rate := p.Rate.Over(step)
	switch {
	case p.Initial < 0 || p.Initial > 10_000:
		b.errs.At(c.Node.Get("initial"), c.Path+".initial", "expected from 0 to 10000 chains at the start, got %d", p.Initial)
		return nil, false
	case !(rate >= 0) || rate > 100:
		b.errs.At(c.Node.Get("rate"), c.Path+".rate", "expected from 0 to 100 arrivals per step, got %g", rate)
		return nil, false
	case p.Initial == 0 && rate == 0:
		b.errs.At(c.Node, c.Path, "no chain ever arrives: give initial (chains at the start), rate (arrivals, such as 6/yr) or both")
		return nil, false
	}
	cc := agent.ConsumerChains{Provider: k, Initial: p.Initial, Rate: rate, KLo: klo, KHi: khi}
	if p.Bids != nil {
		cc.BidFirst, cc.BidLast = p.Bids.First, p.Bids.Last
	}
	if p.OwnStake != nil {
		cc.OwnLo, cc.OwnHi = p.OwnStake.From, p.OwnStake.To
	}
	if p.Lifetime != nil {
		cc.Lifetime = float64(p.Lifetime.Std()) / float64(step)
	}
	return func() market.Agent { x := cc; return &x }, true
}
