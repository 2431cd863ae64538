package world

import (
	"fmt"
	"math"
	"slices"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/cfmm/stableswap"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

func init() {
	agentBuilders["patient_buyer"] = (*builder).patientBuyer
	agentBuilders["scheduled_seller"] = (*builder).scheduledSeller
	agentBuilders["runners"] = (*builder).runners
	agentBuilders["route_arbitrageur"] = (*builder).routeArbitrageur
	protocolBuilders["peg"] = (*builder).pegMonitor
	agentBuilders["liquidity_providers"] = (*builder).liquidityProviders
}

// routeArbitrageur compiles agent.RouteArbitrageur: assets (those it has
// external markets for, at least two), max_hops (3), gas, capital (the
// most one trade puts in, numeraire; unbounded by default),
// max_trades_per_step (10).
func (b *builder) routeArbitrageur(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Assets    []string `yaml:"assets,required" doc:"the assets it has external markets for (at least two); it trades routes among the pools between them"`
		MaxHops   int      `yaml:"max_hops" doc:"the longest route it searches, 2 to 4 hops" unit:"hops" default:"3"`
		Gas       float64  `yaml:"gas" doc:"cost of one route, all its hops" unit:"numeraire" default:"0"`
		Capital   float64  `yaml:"capital" doc:"the most one trade puts in; 0 means no bound" unit:"numeraire" default:"0"`
		MaxTrades int      `yaml:"max_trades_per_step" doc:"the most routes it trades in one step" unit:"trades" default:"10"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	var assets []int
	for k, name := range p.Assets {
		a, ok := b.asset(name, c.Node.Lookup(fmt.Sprintf("assets.%d", k)), fmt.Sprintf("%s.assets.%d", c.Path, k))
		if !ok {
			return nil, false
		}
		if slices.Contains(assets, a) {
			b.errs.At(c.Node.Lookup(fmt.Sprintf("assets.%d", k)), fmt.Sprintf("%s.assets.%d", c.Path, k), "asset %s is listed twice", name)
			return nil, false
		}
		assets = append(assets, a)
	}
	hops, trades := p.MaxHops, p.MaxTrades
	switch {
	case len(assets) < 2:
		b.errs.At(c.Node.Get("assets"), c.Path+".assets", "expected at least two assets with external markets, got %d", len(assets))
		return nil, false
	case hops < 2 || hops > 4:
		b.errs.At(c.Node.Get("max_hops"), c.Path+".max_hops", "expected routes of 2 to 4 hops, got %d", hops)
		return nil, false
	case trades < 1 || trades > 1000:
		b.errs.At(c.Node.Get("max_trades_per_step"), c.Path+".max_trades_per_step", "expected from 1 to 1000 trades per step, got %d", trades)
		return nil, false
	case !b.finiteAmount(c, "gas", p.Gas) || !b.finiteAmount(c, "capital", p.Capital):
		return nil, false
	}
	return func() market.Agent {
		return &agent.RouteArbitrageur{Assets: assets, MaxHops: hops, Gas: p.Gas, Capital: p.Capital, MaxTradesPerStep: trades}
	}, true
}

// runners compiles agent.Runners: pool (whose price they watch), asset,
// into (what they sell for, along the best route), peg (numeraire per
// token, 1), count, holdings (whole tokens in all), threshold {from, to}
// (fractions below the peg), rounds (per step, 1), watch (an asset whose
// external price they watch instead of the pool's: news), over (the time a
// holder's exit is spread over; one step).
func (b *builder) runners(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Pool      string         `yaml:"pool,required" doc:"the pool on which they watch the asset's price"`
		Asset     string         `yaml:"asset,required" doc:"the asset they hold"`
		Into      string         `yaml:"into,required" doc:"the asset they sell it for, along the best route among all pools"`
		Peg       float64        `yaml:"peg" doc:"the price they expect" unit:"numeraire per token" default:"1"`
		Count     int            `yaml:"count,required" doc:"holders" unit:"holders"`
		Holdings  float64        `yaml:"holdings,required" doc:"tokens held among them in equal shares" unit:"tokens"`
		Threshold span           `yaml:"threshold,required" doc:"each holder's threshold below the peg at which it runs, a range (from, to)"`
		Rounds    int            `yaml:"rounds" doc:"rounds each step's sales are cut into, the price re-read in between" unit:"rounds" default:"1"`
		Watch     string         `yaml:"watch" doc:"an asset whose external price they watch instead of the pool's (news about what backs it)"`
		Over      *unit.Duration `yaml:"over" doc:"the time a holder's exit is spread over, a whole number of steps; without it, one step"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
	if !ok {
		return nil, false
	}
	if _, ok := b.poolToken(v, p.Asset, c.Node.Get("asset"), c.Path+".asset"); !ok {
		return nil, false
	}
	a, _ := b.asset(p.Asset, c.Node.Get("asset"), c.Path+".asset")
	into, ok := b.asset(p.Into, c.Node.Get("into"), c.Path+".into")
	if !ok {
		return nil, false
	}
	steps := 1
	if p.Over != nil {
		if *p.Over <= 0 || p.Over.Std()%b.cell.sc.Step.Std() != 0 {
			b.errs.At(c.Node.Get("over"), c.Path+".over", "expected a positive whole number of %s steps, got %s", b.cell.sc.Step, *p.Over)
			return nil, false
		}
		steps = int(p.Over.Std() / b.cell.sc.Step.Std())
	}
	news, watch := p.Watch != "", 0
	if news {
		if watch, ok = b.asset(p.Watch, c.Node.Get("watch"), c.Path+".watch"); !ok {
			return nil, false
		}
	}
	peg := p.Peg
	switch {
	case into == a:
		b.errs.At(c.Node.Get("into"), c.Path+".into", "runners sell %s for another asset", p.Asset)
		return nil, false
	case !(peg > 0) || math.IsInf(peg, 0):
		b.errs.At(c.Node.Get("peg"), c.Path+".peg", "expected a positive peg in the numeraire, got %g", peg)
		return nil, false
	case p.Count < 1 || p.Count > 1_000_000:
		b.errs.At(c.Node.Get("count"), c.Path+".count", "expected from 1 to 1000000 holders, got %d", p.Count)
		return nil, false
	case !(p.Holdings > 0) || math.IsInf(p.Holdings, 0):
		b.errs.At(c.Node.Get("holdings"), c.Path+".holdings", "expected positive holdings in whole tokens, got %g", p.Holdings)
		return nil, false
	case p.Threshold.From < 0 || p.Threshold.To >= 1:
		b.errs.At(c.Node.Get("threshold"), c.Path+".threshold", "expected thresholds from 0 to below 100%% under the peg")
		return nil, false
	case p.Rounds < 0 || p.Rounds > 100:
		b.errs.At(c.Node.Get("rounds"), c.Path+".rounds", "expected from 1 to 100 rounds, got %d", p.Rounds)
		return nil, false
	}
	return func() market.Agent {
		return &agent.Runners{Venue: v, Asset: a, Into: into, Peg: peg, Count: p.Count, Lo: float64(p.Threshold.From), Hi: float64(p.Threshold.To),
			Holdings: p.Holdings, Rounds: p.Rounds, Steps: steps, News: news, Watch: watch}
	}, true
}

// scheduledSeller compiles agent.ScheduledSeller: pool, sell (the asset),
// get (the token received; the pool's other token by default), total
// (whole tokens), start (a time from the beginning, 0), over (a duration,
// one step), floor (a fraction of the external price, none).
func (b *builder) scheduledSeller(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Pool  string         `yaml:"pool,required" doc:"the pool it sells on"`
		Sell  string         `yaml:"sell,required" doc:"the asset it sells"`
		Get   string         `yaml:"get" doc:"the token it receives; without it, the pool's other token (required for pools of more than two)"`
		Total float64        `yaml:"total,required" doc:"tokens it sells in all" unit:"tokens"`
		Start unit.Duration  `yaml:"start" doc:"time from the beginning at which selling starts; without it, the first step"`
		Over  unit.Duration  `yaml:"over" doc:"the time the sale is spread over in equal parts; without it, one step"`
		Floor *unit.Fraction `yaml:"floor" doc:"it sells only while the pool pays at least this share of the external price; without it, at any price"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
	if !ok {
		return nil, false
	}
	sell, get, ok := b.tokenPair(c, v, p.Sell, "sell", p.Get, "get")
	if !ok {
		return nil, false
	}
	if !(p.Total > 0) || math.IsInf(p.Total, 0) {
		b.errs.At(c.Node.Get("total"), c.Path+".total", "expected a positive amount of tokens, got %g", p.Total)
		return nil, false
	}
	step := b.cell.sc.Step.Std()
	if p.Start < 0 || p.Over < 0 {
		b.errs.At(c.Node, c.Path, "start and over must not be negative")
		return nil, false
	}
	start := 1 + int(p.Start.Std()/step)
	steps := max(1, int(math.Round(float64(p.Over.Std())/float64(step))))
	floor := 0.0
	if p.Floor != nil {
		if floor = float64(*p.Floor); floor < 0 || floor >= 10 {
			b.errs.At(c.Node.Get("floor"), c.Path+".floor", "expected a fraction of the external price from 0 to 10, got %g", floor)
			return nil, false
		}
	}
	return func() market.Agent {
		return &agent.ScheduledSeller{Venue: v, Asset: sell, Get: get, Total: p.Total, Start: start, Steps: steps, Floor: floor}
	}, true
}

// tokenPair resolves the pool tokens of an asset traded (key a) and of the
// other side (key o; the pool's other token when empty).
func (b *builder) tokenPair(c scenario.Entry[scenario.Component], v int, a, akey, o, okey string) (int, int, bool) {
	i, ok := b.poolToken(v, a, c.Node.Get(akey), c.Path+"."+akey)
	if !ok {
		return 0, 0, false
	}
	j := -1
	switch {
	case o != "":
		if j, ok = b.poolToken(v, o, c.Node.Get(okey), c.Path+"."+okey); !ok {
			return 0, 0, false
		}
	case len(b.cell.venues[v].assets) == 2:
		j = 1 - i
	default:
		b.errs.At(c.Node, c.Path, "missing required key %q: pool %s trades more than two tokens", okey, b.cell.venues[v].name)
		return 0, 0, false
	}
	if i == j {
		b.errs.At(c.Node.Get(okey), c.Path+"."+okey, "the same token on both sides")
		return 0, 0, false
	}
	return i, j, true
}

// poolToken returns the position of the named asset in venue v's tokens.
func (b *builder) poolToken(v int, asset string, n *scenario.Node, path string) (int, bool) {
	a, ok := b.asset(asset, n, path)
	if !ok {
		return 0, false
	}
	k := slices.Index(b.cell.venues[v].assets, a)
	if k < 0 {
		b.errs.At(n, path, "pool %s does not trade %s", b.cell.venues[v].name, asset)
		return 0, false
	}
	return k, true
}

// finiteAmount reports an error unless x is a finite amount ≥ 0.
func (b *builder) finiteAmount(c scenario.Entry[scenario.Component], key string, x float64) bool {
	if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected a non-negative amount in the numeraire, got %g", x)
		return false
	}
	return true
}

// patientBuyer compiles agent.PatientBuyer: pool, buy (the asset), pay
// (the token paid; the pool's other token by default), valuation (a
// fraction of the external price, 100%), capital, max_per_step, gas,
// redeem (a liquid_staking mechanism whose token it buys and queues for
// withdrawal, its capital coming back when the queue pays).
func (b *builder) patientBuyer(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Pool       string        `yaml:"pool,required" doc:"the pool it buys on"`
		Buy        string        `yaml:"buy,required" doc:"the asset it buys"`
		Pay        string        `yaml:"pay" doc:"the token it pays with; without it, the pool's other token (required for pools of more than two)"`
		Valuation  unit.Fraction `yaml:"valuation" doc:"what it thinks the asset is worth, as a share of its external price; it buys below that" default:"100%"`
		Capital    float64       `yaml:"capital,required" doc:"what it can spend in all" unit:"numeraire"`
		MaxPerStep float64       `yaml:"max_per_step" doc:"the most it spends in one step; 0 means no bound" unit:"numeraire" default:"0"`
		Gas        float64       `yaml:"gas" doc:"cost of one purchase" unit:"numeraire" default:"0"`
		Redeem     string        `yaml:"redeem" doc:"a liquid_staking mechanism whose token it buys and queues for withdrawal, its capital returning when the queue pays"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
	if !ok {
		return nil, false
	}
	redeem := -1
	if p.Redeem != "" {
		if redeem, ok = b.protocol(p.Redeem, c.Node.Get("redeem"), c.Path+".redeem"); !ok {
			return nil, false
		}
		l, isLST := b.cell.protocols[redeem].build().(*protocol.LiquidStaking)
		if !isLST {
			b.errs.At(c.Node.Get("redeem"), c.Path+".redeem", "%s is not a liquid_staking mechanism; a buyer redeems through one", p.Redeem)
			return nil, false
		}
		if p.Buy != b.cell.assets[l.Asset] {
			b.errs.At(c.Node.Get("redeem"), c.Path+".redeem", "%s redeems %s, not %s", p.Redeem, b.cell.assets[l.Asset], p.Buy)
			return nil, false
		}
	}
	buy, pay, ok := b.tokenPair(c, v, p.Buy, "buy", p.Pay, "pay")
	if !ok {
		return nil, false
	}
	val := float64(p.Valuation)
	if !(val > 0) || val > 10 {
		b.errs.At(c.Node.Get("valuation"), c.Path+".valuation", "expected a fraction of the external price above 0 and at most 10, got %g", val)
		return nil, false
	}
	if !b.finiteAmount(c, "capital", p.Capital) || !b.finiteAmount(c, "max_per_step", p.MaxPerStep) || !b.finiteAmount(c, "gas", p.Gas) {
		return nil, false
	}
	id := len(b.cell.agents)
	return func() market.Agent {
		return &agent.PatientBuyer{Venue: v, Asset: buy, Pay: pay, Valuation: val, Capital: p.Capital, MaxPerStep: p.MaxPerStep, Gas: p.Gas,
			Redeems: redeem >= 0, Redeem: redeem, ID: id}
	}, true
}

// pegMonitor compiles protocol.PegMonitor: asset, pool (where its market
// price is read; its external price without one), quote (the pool token
// it is priced in; the pool's first other token by default), band (1%).
func (b *builder) pegMonitor(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Asset     string `yaml:"asset,required" doc:"the pegged asset whose market price is recorded"`
		Quote     string `yaml:"quote" doc:"the pool token the price is read in; without it, the pool's first other token (needs venue)"`
		pegParams `yaml:",inline"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	a, ok := b.asset(p.Asset, c.Node.Get("asset"), c.Path+".asset")
	if !ok {
		return nil, false
	}
	pp := p.pegParams
	t, ok := b.pegAt(c, &pp, a, "")
	if !ok {
		return nil, false
	}
	if p.Quote != "" {
		if p.Venue == "" {
			b.errs.At(c.Node.Get("quote"), c.Path+".quote", "quote needs venue: the pool the price is read on")
			return nil, false
		}
		q, ok := b.poolToken(t.Source.Venue, p.Quote, c.Node.Get("quote"), c.Path+".quote")
		if !ok {
			return nil, false
		}
		if b.cell.venues[t.Source.Venue].assets[q] == a {
			b.errs.At(c.Node.Get("quote"), c.Path+".quote", "%s cannot be priced in itself", p.Asset)
			return nil, false
		}
		t.Source.Quote = q
	}
	return func() market.Protocol { return &protocol.PegMonitor{PegTracker: t} }, true
}

// lpRules are the liquidity providers' rules in a scenario: spans of
// thresholds; volatility per √day and yield per year as fractions.
type lpRules struct {
	Loss       *span `yaml:"loss" doc:"leave when the position is worth this much less than holding its deposit (lp/hodl - 1 below minus the threshold), a range"`
	Volatility *span `yaml:"volatility" doc:"leave when the pool price's realised volatility per square-root day exceeds the threshold, a range"`
	Discount   *span `yaml:"discount" doc:"leave when the pool sells its first token this much below its external value, a range"`
	Yield      *span `yaml:"yield" doc:"leave when the rate elsewhere exceeds the pool's fee yield by this much, a range"`
}

// liquidityProviders compiles agent.LiquidityProviders: pool (stableswap
// or uniswap_v2), count (1), share of the pool's LP tokens, rules {loss,
// volatility, discount, yield: {from, to}}, elsewhere (a yield per year),
// half_life (of the volatility and fee-yield estimates, 1d), withdraw
// (balanced, or a token of a StableSwap pool to take all in), return
// (deposit again once no rule holds, false).
func (b *builder) liquidityProviders(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Pool      string        `yaml:"pool,required" doc:"the stableswap or uniswap_v2 pool they provide to"`
		Count     int           `yaml:"count" doc:"providers, sharing the stake equally, each with its own thresholds" unit:"providers" default:"1"`
		Share     unit.Fraction `yaml:"share,required" doc:"share of the pool's LP tokens they hold at the start"`
		Rules     lpRules       `yaml:"rules,required" doc:"when each provider leaves: loss, volatility, discount, yield (at least one), each a range drawn per provider"`
		Elsewhere unit.Rate     `yaml:"elsewhere" doc:"the yield available outside the pool, compared by the yield rule" default:"0%/yr"`
		HalfLife  unit.Duration `yaml:"half_life" doc:"half-life of the volatility and fee-yield estimates" default:"1d"`
		Withdraw  string        `yaml:"withdraw" doc:"balanced, or a token of a stableswap pool to take the whole withdrawal in" default:"balanced"`
		Return    bool          `yaml:"return" doc:"deposit again once no rule holds" default:"false"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
	if !ok {
		return nil, false
	}
	vs := b.cell.venues[v]
	_, stable := vs.pool.(*stableswap.Pool)
	if _, pair := vs.pool.(*uniswapv2.Pair); !stable && !pair {
		b.errs.At(c.Node.Get("pool"), c.Path+".pool", "liquidity providers need a stableswap or uniswap_v2 pool; %s is neither", p.Pool)
		return nil, false
	}
	count := max(p.Count, 1)
	step := b.cell.sc.Step.Std()
	halfLife := float64(p.HalfLife.Std()) / float64(step)
	switch {
	case p.Count < 0 || p.Count > 100_000:
		b.errs.At(c.Node.Get("count"), c.Path+".count", "expected from 1 to 100000 providers, got %d", p.Count)
		return nil, false
	case !(p.Share > 0 && p.Share <= 1):
		b.errs.At(c.Node.Get("share"), c.Path+".share", "expected a share of the pool's LP tokens above 0 and at most 100%%, got %g", float64(p.Share))
		return nil, false
	}
	var rules agent.LPRules
	for _, r := range []struct {
		key string
		s   *span
		dst *[2]float64
	}{{"loss", p.Rules.Loss, &rules.Loss}, {"volatility", p.Rules.Volatility, &rules.Volatility}, {"discount", p.Rules.Discount, &rules.Discount}, {"yield", p.Rules.Yield, &rules.Yield}} {
		if r.s == nil {
			continue
		}
		if r.s.From < 0 || r.s.To > 10 {
			b.errs.At(c.Node.Lookup("rules."+r.key), c.Path+".rules."+r.key, "expected thresholds from 0 to 1000%%")
			return nil, false
		}
		*r.dst = [2]float64{float64(r.s.From), float64(r.s.To)}
		if *r.dst == [2]float64{} {
			// A span of exactly zero is a rule that fires at any excess.
			r.dst[1] = math.SmallestNonzeroFloat64
		}
	}
	if rules == (agent.LPRules{}) {
		b.errs.At(c.Node.Get("rules"), c.Path+".rules", "expected at least one rule: loss, volatility, discount or yield")
		return nil, false
	}
	coin := -1
	if p.Withdraw != "" && p.Withdraw != "balanced" {
		if !stable {
			b.errs.At(c.Node.Get("withdraw"), c.Path+".withdraw", "a single-coin withdrawal needs a stableswap pool; use balanced")
			return nil, false
		}
		if coin, ok = b.poolToken(v, p.Withdraw, c.Node.Get("withdraw"), c.Path+".withdraw"); !ok {
			return nil, false
		}
	}
	elsewhere := p.Elsewhere.Over(unit.Year)
	perYear := float64(unit.Year) / float64(step)
	return func() market.Agent {
		return &agent.LiquidityProviders{Venue: v, Count: count, Share: float64(p.Share), Rules: rules, Elsewhere: elsewhere,
			VolHalfLife: halfLife, Coin: coin, Return: p.Return, StepsPerYear: perYear}
	}, true
}
