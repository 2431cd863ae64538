package world

import (
	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/deposit"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

// This file compiles the reserve-funded deposit protocol (deposit).

func init() {
	protocolBuilders["deposit"] = (*builder).depositPool
	agentBuilders["peg_arbitrageur"] = (*builder).pegArbitrageur
}

func (b *builder) pegArbitrageur(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Market    string        `yaml:"market,required" doc:"the terra_market it redeems through"`
		Pool      string        `yaml:"pool,required" doc:"the stablecoin pool it buys the coin on"`
		LunaVenue string        `yaml:"luna_venue,required" doc:"the LUNA pool it sells the redeemed LUNA on"`
		Chunk     float64       `yaml:"chunk,required" doc:"size of one round trip, whole units of the pool's other token" unit:"tokens"`
		Margin    unit.Fraction `yaml:"margin" doc:"it trades only while the LUNA fetches this much more than the chunk cost" default:"0"`
		MaxTrades int           `yaml:"max_trades" doc:"the most round trips a step" unit:"trades" default:"100"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, tm, ok := protocolOf[*protocol.TerraMarket](b, p.Market, c.Node.Get("market"), c.Path+".market", "a terra_market")
	if !ok {
		return nil, false
	}
	pair := func(key, name string, a int) (int, bool) {
		v, ok := b.venue(name, c.Node.Get(key), c.Path+"."+key)
		if !ok {
			return 0, false
		}
		if as := b.cell.venues[v].assets; len(as) != 2 || as[0] != a && as[1] != a {
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "pool %s must trade %s against one other token", name, b.cell.assets[a])
			return 0, false
		}
		return v, true
	}
	pool, ok1 := pair("pool", p.Pool, tm.Stable)
	lv, ok2 := pair("luna_venue", p.LunaVenue, tm.Luna)
	if !ok1 || !ok2 {
		return nil, false
	}
	trades := p.MaxTrades
	switch {
	case !(p.Chunk > 0) || p.Chunk > 1e12:
		b.errs.At(c.Node.Get("chunk"), c.Path+".chunk", "expected a trade size above 0 and at most 1e12 tokens, got %g", p.Chunk)
		return nil, false
	case p.Margin < 0 || p.Margin >= 1:
		b.errs.At(c.Node.Get("margin"), c.Path+".margin", "expected a margin from 0 to below 100%%, got %g", float64(p.Margin))
		return nil, false
	case trades < 1 || trades > 100_000:
		b.errs.At(c.Node.Get("max_trades"), c.Path+".max_trades", "expected from 1 to 100000 trades a step, got %d", trades)
		return nil, false
	}
	a := agent.PegArbitrageur{Market: k, Pool: pool, LunaVenue: lv, Chunk: p.Chunk, Margin: float64(p.Margin), MaxTrades: trades}
	return func() market.Agent { aa := a; return &aa }, true
}

func (b *builder) depositPool(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Stablecoin string         `yaml:"stablecoin,required" doc:"the stablecoin deposited"`
		Rate       unit.Rate      `yaml:"rate,required" doc:"the target deposit rate, and the cap of the rules"`
		Deposits   unit.Decimal   `yaml:"deposits" doc:"what depositors hold at the start, whole tokens" unit:"tokens" default:"0"`
		Borrowed   unit.Decimal   `yaml:"borrowed" doc:"borrowers' principal at the start, whole tokens" unit:"tokens" default:"0"`
		BorrowRate unit.Rate      `yaml:"borrow_rate" doc:"borrowers' rate on their loans" default:"0%/yr"`
		Reserve    unit.Decimal   `yaml:"reserve,required" doc:"the protocol's reserve that pays the subsidy (rate paid beyond interest earned), whole tokens" unit:"tokens"`
		Rule       string         `yaml:"rule" doc:"how the target rate moves: fixed, runway (set so the reserve lasts runway) or stepped (by step each epoch)" default:"fixed"`
		Floor      unit.Rate      `yaml:"floor" doc:"runway and stepped: the lowest target the rule sets" default:"0%/yr"`
		Runway     *unit.Duration `yaml:"runway" doc:"runway (required): how long the reserve must last, such as 1y"`
		Step       unit.Rate      `yaml:"step" doc:"stepped: the change of the target each epoch" default:"0%/yr"`
		Epoch      *unit.Duration `yaml:"epoch" doc:"stepped (required): time between changes, a whole number of steps"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	a, ok := b.asset(p.Stablecoin, c.Node.Get("stablecoin"), c.Path+".stablecoin")
	if !ok {
		return nil, false
	}
	bad := func(key, format string, args ...any) (func() market.Protocol, bool) {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, format, args...)
		return nil, false
	}
	dec := b.cell.decimals[a]
	raw := func(key string, d unit.Decimal) (uint64, bool) {
		r, err := d.Raw(dec)
		if err != nil || d.Sign() < 0 || !r.IsUint64() || r.Uint64() > 1<<60 {
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected a non-negative amount of %s with at most %d decimals, below 2^60 raw units, got %s", p.Stablecoin, dec, d)
			return 0, false
		}
		return r.Uint64(), true
	}
	dep, ok1 := raw("deposits", p.Deposits)
	loans, ok2 := raw("borrowed", p.Borrowed)
	res, ok3 := raw("reserve", p.Reserve)
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	step := b.cell.sc.Step.Std()
	year := unit.Year
	cfg := deposit.Config{Rate: p.Rate.Over(year), BorrowRate: p.BorrowRate.Over(year), Floor: p.Floor.Over(year),
		Step: p.Step.Over(year), PeriodYears: float64(step) / float64(year)}
	switch p.Rule {
	case "fixed":
		if p.Runway != nil || p.Epoch != nil || p.Step.Value != 0 || p.Floor.Value != 0 {
			return bad("rule", "floor, runway, step and epoch need a rule (runway or stepped)")
		}
	case "runway":
		cfg.Rule = deposit.Runway
		if p.Runway == nil || p.Runway.Std() <= 0 {
			return bad("runway", "the runway rule needs runway: (how long the reserve must last, such as 1y)")
		}
		cfg.Runway = float64(p.Runway.Std()) / float64(year)
		if p.Epoch != nil || p.Step.Value != 0 {
			return bad("rule", "step and epoch apply to the stepped rule")
		}
	case "stepped":
		cfg.Rule = deposit.Stepped
		if p.Epoch == nil || p.Epoch.Std()%step != 0 || p.Epoch.Std() <= 0 {
			return bad("epoch", "the stepped rule needs epoch: a whole number of %s steps", b.cell.sc.Step)
		}
		cfg.Epoch = int(p.Epoch.Std() / step)
		if p.Runway != nil {
			return bad("runway", "runway applies to the runway rule")
		}
	default:
		return bad("rule", "expected fixed, runway or stepped, got %q", p.Rule)
	}
	probe := deposit.Pool{Config: cfg}
	if err := probe.Open(dep, loans, res); err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, false
	}
	d := protocol.Deposit{Initial: deposit.Pool{Config: cfg}, Deposits0: dep, Loans0: loans, Reserve0: res, Stable: a, Unit: b.cell.unit[a]}
	return func() market.Protocol { dd := d; return &dd }, true
}
