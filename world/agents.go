package world

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/trace"
	"github.com/cascade-risk/cascade/unit"
)

var agentTypes = []string{"arbitrageur", "noise_trader", "passive_lp", "treasury"}

func (b *builder) venue(name string, n *scenario.Node, path string) (int, bool) {
	if v, ok := b.venueIndex[name]; ok {
		return v, true
	}
	if b.broken[name] {
		return 0, false
	}
	var names []string
	for _, v := range b.cell.venues {
		names = append(names, v.name)
	}
	b.errs.At(n, path, "unknown pool %q%s", name, hintFor(name, names))
	return 0, false
}

func (b *builder) agent(c scenario.Entry[scenario.Component]) (agentSpec, bool) {
	spec := agentSpec{name: c.Name}
	step := b.cell.sc.Step.Std()
	switch c.Value.Type {
	case "arbitrageur":
		var p struct {
			Pools     []string `yaml:"pools" doc:"the pools it trades back to the external prices; without it, every pool"`
			Gas       float64  `yaml:"gas" doc:"cost of one trade" unit:"numeraire" default:"0"`
			MaxTrades int      `yaml:"max_trades_per_step" doc:"the most trades on one pool in one step (multi-token pools may need several)" unit:"trades" default:"1"`
			// Balance sheet and external market (agent.ArbLimits).
			Capital       float64       `yaml:"capital" doc:"capital it can deploy; 0 means unlimited, as are the limits below" unit:"numeraire" default:"0"`
			Turnover      unit.Rate     `yaml:"turnover" doc:"how often capital can be recycled, such as 2/day; 0 makes all of it available every step" default:"0/day"`
			CostOfCapital unit.Rate     `yaml:"cost_of_capital" doc:"annual rate charged on capital tied up" default:"0%/yr"`
			Depth         float64       `yaml:"depth" doc:"the external market's depth per 1% move per depth_period; 0 means infinitely deep" unit:"numeraire" default:"0"`
			DepthPeriod   unit.Duration `yaml:"depth_period" doc:"the period over which depth is replenished" default:"1h"`
			// Assets it has an external market for (all by default).
			Assets []string `yaml:"assets" doc:"the assets it has an external market for; without it, all"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		var venues []int
		if len(p.Pools) == 0 {
			for k := range b.cell.venues {
				venues = append(venues, k)
			}
		}
		for k, name := range p.Pools {
			v, ok := b.venue(name, c.Node.Lookup(fmt.Sprintf("pools.%d", k)), fmt.Sprintf("%s.pools.%d", c.Path, k))
			if !ok {
				return spec, false
			}
			venues = append(venues, v)
		}
		if p.Gas < 0 {
			b.errs.At(c.Node.Get("gas"), c.Path+".gas", "expected a non-negative gas cost, got %g", p.Gas)
			return spec, false
		}
		if p.MaxTrades < 0 {
			b.errs.At(c.Node.Get("max_trades_per_step"), c.Path+".max_trades_per_step", "expected a positive number, got %d", p.MaxTrades)
			return spec, false
		}
		lim := agent.ArbLimits{Capital: p.Capital, Depth: p.Depth}
		for _, f := range []struct {
			key string
			v   float64
		}{{"capital", p.Capital}, {"depth", p.Depth}} {
			if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
				b.errs.At(c.Node.Get(f.key), c.Path+"."+f.key, "expected a non-negative amount in the numeraire (0: unlimited), got %g", f.v)
				return spec, false
			}
		}
		if lim.Turnover = p.Turnover.Over(24 * time.Hour); lim.Turnover < 0 {
			b.errs.At(c.Node.Get("turnover"), c.Path+".turnover", "expected a non-negative rate such as 2/day, got %g/day", lim.Turnover)
			return spec, false
		}
		if lim.CostOfCapital = p.CostOfCapital.Over(365 * 24 * time.Hour); lim.CostOfCapital < 0 {
			b.errs.At(c.Node.Get("cost_of_capital"), c.Path+".cost_of_capital", "expected a non-negative rate such as 8%%/yr, got %g/yr", lim.CostOfCapital)
			return spec, false
		}
		lim.DepthSeconds = p.DepthPeriod.Seconds()
		var unpriced []bool
		if p.Assets != nil {
			unpriced = make([]bool, len(b.cell.assets))
			for k := range unpriced {
				unpriced[k] = true
			}
			for k, name := range p.Assets {
				a, ok := b.asset(name, c.Node.Lookup(fmt.Sprintf("assets.%d", k)), fmt.Sprintf("%s.assets.%d", c.Path, k))
				if !ok {
					return spec, false
				}
				unpriced[a] = false
			}
		}
		spec.build = func() market.Agent {
			return &agent.Arbitrageur{Venues: venues, Gas: p.Gas, MaxTradesPerStep: p.MaxTrades, Limits: lim, Unpriced: unpriced}
		}
	case "noise_trader":
		var p struct {
			Pool       string    `yaml:"pool,required" doc:"the pool it trades on"`
			Rate       unit.Rate `yaml:"rate,required" doc:"expected trades (Poisson), such as 50/day"`
			Size       float64   `yaml:"size,required" doc:"median trade size, lognormal" unit:"numeraire"`
			Dispersion float64   `yaml:"dispersion" doc:"standard deviation of the log of the size" default:"1"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
		if !ok {
			return spec, false
		}
		disp := p.Dispersion
		rate := p.Rate.Over(step)
		switch {
		case rate < 0 || rate > 1e4:
			b.errs.At(c.Node.Get("rate"), c.Path+".rate", "expected from 0 to 10000 trades per step, got %g", rate)
			return spec, false
		case p.Size <= 0:
			b.errs.At(c.Node.Get("size"), c.Path+".size", "expected a positive median trade size, got %g", p.Size)
			return spec, false
		case disp < 0:
			b.errs.At(c.Node.Get("dispersion"), c.Path+".dispersion", "expected a non-negative dispersion, got %g", disp)
			return spec, false
		}
		spec.build = func() market.Agent {
			return &agent.NoiseTrader{Venue: v, Rate: rate, Median: p.Size, Dispersion: disp}
		}
	case "passive_lp":
		var p struct {
			Pool string `yaml:"pool,required" doc:"the pool whose liquidity it holds"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
		if !ok {
			return spec, false
		}
		spec.build = func() market.Agent { return &agent.PassiveLP{Venue: v} }
	case "treasury":
		var p struct {
			Asset      string         `yaml:"asset,required" doc:"the asset it holds"`
			Quantity   float64        `yaml:"quantity" doc:"whole tokens held (or give pool)" unit:"tokens" default:"0"`
			Pool       string         `yaml:"pool" doc:"a pool whose liquidity position it holds instead of a quantity"`
			Hedge      string         `yaml:"hedge" doc:"none, or collar: a long put and a short call on the holding, Black-Scholes priced" default:"none"`
			PutStrike  unit.Fraction  `yaml:"put_strike" doc:"collar: put strike as a share of the spot at each opening, such as 90%"`
			CallStrike string         `yaml:"call_strike" doc:"collar: zero_cost (the strike whose premium equals the put's) or a share of the spot" default:"zero_cost"`
			ImpliedVol *unit.Rate     `yaml:"implied_volatility" doc:"collar (required): the implied volatility pricing the options, such as 80%/yr"`
			Rate       unit.Rate      `yaml:"rate" doc:"interest rate financing the premium, continuously compounded" default:"0%/yr"`
			Roll       *unit.Duration `yaml:"roll" doc:"collar: period after which the collar is settled and a new one opened, a whole number of steps; without it, one collar over the horizon"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, ok := b.asset(p.Asset, c.Node.Get("asset"), c.Path+".asset")
		if !ok {
			return spec, false
		}
		t := agent.Treasury{Asset: a, Quantity: p.Quantity, Venue: -1, StepYears: step.Hours() / (24 * 365), Steps: b.cell.steps,
			Rate: p.Rate.Over(unit.Year)}
		if p.Pool != "" {
			if p.Quantity != 0 {
				b.errs.At(c.Node.Get("quantity"), c.Path+".quantity", "give quantity (a holding of the asset) or pool (a liquidity position), not both")
				return spec, false
			}
			v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
			if !ok {
				return spec, false
			}
			held := false
			for _, x := range b.cell.venues[v].assets {
				held = held || x == a
			}
			if !held {
				b.errs.At(c.Node.Get("asset"), c.Path+".asset", "pool %s does not hold %s", p.Pool, p.Asset)
				return spec, false
			}
			t.Venue = v
		}
		switch p.Hedge {
		case "none":
		case "collar":
			t.Hedge = true
			if p.ImpliedVol == nil {
				b.errs.At(c.Node, c.Path, "a collar needs implied_volatility (such as 80%%/yr) to price its options")
				return spec, false
			}
			t.Vol = p.ImpliedVol.OverSqrt(unit.Year)
			t.PutMoneyness = float64(p.PutStrike)
			// Beyond these bounds Black–Scholes prices underflow to zero or
			// overflow, and a collar means nothing.
			if !(t.Vol >= 0.001 && t.Vol <= 10) {
				b.errs.At(c.Node.Get("implied_volatility"), c.Path+".implied_volatility", "expected an implied volatility from 0.1%%/yr to 1000%%/yr, got %.4g%%/yr", 100*t.Vol)
				return spec, false
			}
			if r := t.Rate; !(r >= -1 && r <= 1) {
				b.errs.At(c.Node.Get("rate"), c.Path+".rate", "expected an interest rate from -100%%/yr to 100%%/yr, got %.4g%%/yr", 100*r)
				return spec, false
			}
			switch {
			case p.PutStrike <= 0 || p.PutStrike > 2:
				b.errs.At(c.Node.Get("put_strike"), c.Path+".put_strike", "expected a put strike as a fraction of the spot above 0 and at most 200%%, such as 90%%")
				return spec, false
			case p.CallStrike == "zero_cost":
				t.ZeroCost = true
			default:
				f, err := unit.ParseFraction(p.CallStrike)
				if err != nil || float64(f) < t.PutMoneyness || f > 10 {
					b.errs.At(c.Node.Get("call_strike"), c.Path+".call_strike", "expected zero_cost or a call strike as a fraction of the spot at or above the put strike and at most 1000%%, got %q", p.CallStrike)
					return spec, false
				}
				t.CallMoneyness = float64(f)
			}
			if p.Roll != nil {
				if p.Roll.Std()%step != 0 {
					b.errs.At(c.Node.Get("roll"), c.Path+".roll", "roll %s is not a whole number of %s steps", *p.Roll, b.cell.sc.Step)
					return spec, false
				}
				t.Roll = int(p.Roll.Std() / step)
			}
		default:
			b.errs.At(c.Node.Get("hedge"), c.Path+".hedge", "expected none or collar, got %q", p.Hedge)
			return spec, false
		}
		if p.Quantity < 0 {
			b.errs.At(c.Node.Get("quantity"), c.Path+".quantity", "expected a positive quantity, got %g", p.Quantity)
			return spec, false
		}
		if p.Quantity == 0 && p.Pool == "" {
			b.errs.At(c.Node, c.Path, "missing required key \"quantity\" (or \"pool\" to hedge a liquidity position)")
			return spec, false
		}
		spec.build = func() market.Agent { tr := t; return &tr }
	default:
		build, ok := agentBuilders[c.Value.Type]
		if !ok {
			known := append([]string(nil), agentTypes...)
			for t := range agentBuilders {
				known = append(known, t)
			}
			b.unknownType(c, "agent", known)
			return spec, false
		}
		if spec.build, ok = build(b, c); !ok {
			return spec, false
		}
	}
	return spec, true
}

// resolveObservers finds the agents deferred oracles observe after.
func (b *builder) resolveObservers() {
	c := b.cell
	var names []string
	for _, a := range c.agents {
		names = append(names, a.name)
	}
	for k := range c.observers {
		o := &c.observers[k]
		o.index = slices.Index(names, o.agent)
		if o.index < 0 {
			b.errs.At(o.node, o.path, "unknown agent %q%s", o.agent, hintFor(o.agent, names))
			continue
		}
		if _, idle := c.agents[o.index].build().(market.Idler); idle {
			b.errs.At(o.node, o.path, "agent %s never acts, so nothing comes after its turn", o.agent)
		}
	}
}

// observedAgent is an agent after whose turn oracles observe.
type observedAgent struct {
	market.Agent
	samplers []protocol.Sampler
}

// Act implements market.Agent: the agent's turn, then the observations.
func (o *observedAgent) Act(m *market.Market) {
	o.Agent.Act(m)
	for _, s := range o.samplers {
		s.Sample(m)
	}
}

// SetTrace implements trace.Emitter for the agent inside.
func (o *observedAgent) SetTrace(r *trace.Recorder, name string) {
	if e, ok := o.Agent.(trace.Emitter); ok {
		e.SetTrace(r, name)
	}
}
