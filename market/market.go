// Package market is what every participant of a simulated step shares: the
// Market view of prices, venues and protocols, and the interfaces the world
// drives — Agent for behaviours (package agent), Protocol for the world-side
// adapters of mechanisms (package protocol).
//
// Agents decide in float64 — how much to trade — and mechanisms execute in
// the protocol's integers, so a simulated trade returns exactly what the
// contract would. Every agent draws randomness only from the generator it is
// given at Reset.
package market

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/trace"
	"github.com/holiman/uint256"
)

// Market is what agents see and act on during one step.
type Market struct {
	// Step is the index of the current step, from 1.
	Step int
	// Prices are external prices in the numeraire per whole token, by asset
	// index; PrevPrices are the prices of the previous step.
	Prices, PrevPrices []float64
	// Unit is whole tokens per raw unit of each asset, 10^−decimals.
	Unit []float64
	// Signals are exogenous series that are not prices (a gas price), in
	// the order the scenario's processes declare them.
	Signals []float64
	// StepSeconds is the simulated length of one step.
	StepSeconds float64
	// Venues are the pools agents can trade on.
	Venues []*Venue
	// Protocols are the other mechanisms, in scenario order.
	Protocols []Protocol
}

// RawPrice returns the numeraire value of one raw unit of asset a.
func (m *Market) RawPrice(a int) float64 { return m.Prices[a] * m.Unit[a] }

// Venue is a pool in the market, with the flows through it in this run.
type Venue struct {
	Name string
	Pool cfmm.Pool
	// Assets maps pool token indices to asset indices.
	Assets []int
	// Volume and Fees are cumulative, in the numeraire at the prices of the
	// step each trade happened in.
	Volume, Fees float64
	// LVR is loss-versus-rebalancing: the cumulative gross profit that
	// arbitrage trades extracted, valued at external prices and before fees
	// and gas.
	LVR float64
	// LVRRate sums, over arbitrage trades, their LVR divided by the pool's
	// value at the previous step's prices; divided by the number of steps it
	// is the mean loss per step as a fraction of pool value.
	LVRRate float64
	Trades  int
	// Tokens names the pool's tokens, for the balance metrics; nil
	// records none.
	Tokens []string
	// Depth makes Observe compute the depth metrics, a search over swaps
	// on copies of the pool; the world sets it only when a scenario names
	// one, so that other runs do not pay for it.
	Depth bool

	holdings []uint256.Int
	trace    *trace.Recorder // nil unless the run is traced
}

// SetTrace implements trace.Emitter: a traced venue reports every trade.
func (v *Venue) SetTrace(r *trace.Recorder, _ string) { v.trace = r }

// NewVenue wraps a pool whose tokens are the given assets.
func NewVenue(name string, pool cfmm.Pool, assets []int) *Venue {
	return &Venue{Name: name, Pool: pool, Assets: assets, holdings: make([]uint256.Int, pool.NumTokens())}
}

// Reset starts a run with a fresh pool.
func (v *Venue) Reset(pool cfmm.Pool) {
	v.Pool = pool
	v.Volume, v.Fees, v.LVR, v.LVRRate, v.Trades = 0, 0, 0, 0, 0
}

// Swap sells amountIn of pool token i for token j and records the flows.
func (v *Venue) Swap(m *Market, i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	t, err := v.Pool.Swap(i, j, amountIn)
	if err == nil {
		v.Record(cfmm.Float(&t.In)*m.RawPrice(v.Assets[i]), v.FeeValue(m, &t))
	}
	return t, err
}

// SwapInto is Swap writing the trade into *t (the zero Trade on error),
// through the pool's SwapInto where it has one (cfmm.SwapperInto). t must
// not be a local of the caller's: passed on through an interface, it
// escapes to the heap.
func (v *Venue) SwapInto(m *Market, i, j int, amountIn *uint256.Int, t *cfmm.Trade) error {
	var err error
	if s, ok := v.Pool.(cfmm.SwapperInto); ok {
		err = s.SwapInto(i, j, amountIn, t)
	} else {
		*t, err = v.Pool.Swap(i, j, amountIn)
	}
	if err == nil {
		v.Record(cfmm.Float(&t.In)*m.RawPrice(v.Assets[i]), v.FeeValue(m, t))
	}
	return err
}

// FeeValue returns the numeraire value of a trade's fee.
func (v *Venue) FeeValue(m *Market, t *cfmm.Trade) float64 {
	return cfmm.Float(&t.Fee) * m.RawPrice(v.Assets[t.FeeToken])
}

// Record adds a trade to the venue's flows: its input and fee valued in the
// numeraire.
func (v *Venue) Record(volume, fee float64) {
	v.Trades++
	v.Volume += volume
	v.Fees += fee
	if v.trace != nil {
		v.trace.Emit(v.Name, trace.KindTrade, "swap", 0, fee, volume)
	}
}

// Holdings returns the liquidity providers' holdings of each pool token in
// raw units. The slice is the venue's own buffer, overwritten by the next
// call.
func (v *Venue) Holdings() []uint256.Int {
	v.Pool.LPHoldings(v.holdings)
	return v.holdings
}

// Value returns the numeraire value of the liquidity providers' holdings at
// the given prices (per whole token, by asset).
func (v *Venue) Value(m *Market, prices []float64) float64 {
	v.Pool.LPHoldings(v.holdings)
	var sum float64
	for k := range v.holdings {
		a := v.Assets[k]
		sum += cfmm.Float(&v.holdings[k]) * prices[a] * m.Unit[a]
	}
	return sum
}

// Metrics describes what a venue records.
func (v *Venue) Metrics() []metric.Def {
	defs := []metric.Def{
		{Name: "volume", Unit: "numeraire", Doc: "traded volume, input side, at the prices of each step", Worse: metric.Neutral},
		{Name: "fees", Unit: "numeraire", Doc: "swap fees earned by the pool", Worse: metric.LowerIsWorse},
		{Name: "lvr", Unit: "numeraire", Doc: "loss-versus-rebalancing: arbitrage profit at external prices before fees and gas", Worse: metric.HigherIsWorse},
		{Name: "lvr_rate", Unit: "fraction/step", Doc: "mean LVR per step as a fraction of pool value at the previous step's prices", Worse: metric.HigherIsWorse},
		{Name: "price", Unit: "tok1/tok0", Doc: "the pool's marginal price of its first token in its second at the end, whole tokens, before fees", Worse: metric.Neutral},
		{Name: "discount", Unit: "bps", Doc: "10,000 · (1 − pool price / external price) of the first token in the second at the end: positive when the pool sells the first token cheap", Worse: metric.Neutral},
	}
	if v.Tokens != nil {
		defs = append(defs,
			metric.Def{Name: "depth_down_2pct", Unit: "numeraire", Doc: "value of the first token that can be sold before the pool's price of it in the second falls 2% (or the pool refuses more)", Worse: metric.LowerIsWorse},
			metric.Def{Name: "depth_up_2pct", Unit: "numeraire", Doc: "value of the second token that can be sold for the first before the pool's price of the first rises 2% (or the pool refuses more)", Worse: metric.LowerIsWorse})
	}
	for _, t := range v.Tokens {
		defs = append(defs, metric.Def{Name: "balance_" + t, Unit: "tokens", Doc: "whole tokens of " + t + " the pool holds for its liquidity providers (a PSM: the gem it holds)", Worse: metric.Neutral})
	}
	return defs
}

// Observe writes the venue's metrics.
func (v *Venue) Observe(m *Market, dst []float64) {
	dst[0], dst[1], dst[2] = v.Volume, v.Fees, v.LVR
	dst[3] = v.LVRRate / float64(max(1, m.Step))
	dst[4], dst[5] = v.Price(m), 1e4*v.Discount(m)
	if len(v.Tokens) > 0 {
		dst[6], dst[7] = 0, 0
		if v.Depth {
			dst[6] = v.depth(m, 0, 1, DepthMove)
			dst[7] = v.depth(m, 1, 0, DepthMove/(1+DepthMove))
		}
		h := v.Holdings()
		for k := range v.Tokens {
			dst[8+k] = cfmm.Float(&h[k]) * m.Unit[v.Assets[k]]
		}
	}
}

// DepthMove is the price move the depth metrics measure to.
const DepthMove = 0.02

// depth returns the numeraire value of the most token i a single swap
// can sell for token j before the pool's marginal price of i in j falls
// by move (move/(1+move) for the mirror, a rise of the other price by
// DepthMove), or
// before the pool refuses more: bisection on ln(amount) over copies of
// the pool, 64 halvings of [ln(top) − 30, ln(top)], top a hundred times
// the pool's holdings in token i.
func (v *Venue) depth(m *Market, i, j int, move float64) float64 {
	p0 := v.Pool.SpotPrice(i, j)
	h := v.Holdings()
	hi := 100 * (cfmm.Float(&h[i]) + cfmm.Float(&h[j])/p0)
	if !(p0 > 0) || !(hi >= 1) {
		return 0
	}
	ok := func(a float64) bool {
		amt := cfmm.Amount(a)
		if amt.IsZero() {
			return true
		}
		c := v.Pool.Clone()
		if _, err := c.Swap(i, j, &amt); err != nil {
			return false
		}
		return c.SpotPrice(i, j) >= p0*(1-move)
	}
	// The search starts at 1e-13 of its top: amounts so small that their
	// output rounds to nothing make a swap fail, not the price move.
	lo, up := math.Log(hi)-30, math.Log(hi)
	if ok(hi) {
		return hi * m.RawPrice(v.Assets[i])
	}
	if !ok(math.Exp(lo)) {
		return 0
	}
	for range 64 {
		mid := (lo + up) / 2
		if ok(math.Exp(mid)) {
			lo = mid
		} else {
			up = mid
		}
	}
	return math.Floor(math.Exp(lo)) * m.RawPrice(v.Assets[i])
}

// Price returns the pool's marginal price of its token 0 in token 1,
// whole tokens, before fees.
func (v *Venue) Price(m *Market) float64 {
	return v.Pool.SpotPrice(0, 1) * m.Unit[v.Assets[1]] / m.Unit[v.Assets[0]]
}

// Discount returns 1 − P/E, P the pool's marginal price of token 0 in
// token 1 and E the external one: positive when the pool sells token 0
// below its external value.
func (v *Venue) Discount(m *Market) float64 {
	p0, p1 := m.RawPrice(v.Assets[0]), m.RawPrice(v.Assets[1])
	if !(p0 > 0) {
		return 0
	}
	return 1 - v.Pool.SpotPrice(0, 1)*p1/p0
}

// Idler is implemented by agents that only observe (a passive LP): the
// world does not call their Act.
type Idler interface{ Idle() }

// Agent is a behaviour that acts once per step.
type Agent interface {
	// Reset prepares a new run; rng is the agent's own random stream.
	Reset(m *Market, rng *rand.Rand)
	// Act is called once per step, after exogenous prices have moved.
	Act(m *Market)
	// Metrics describes what the agent records.
	Metrics() []metric.Def
	// Observe writes the agent's metrics, in the order of Metrics.
	Observe(m *Market, dst []float64)
}

// PCGResetter is an Agent that can draw from the PCG generator behind its
// rand.Rand directly (see package variate): the same numbers at less cost.
type PCGResetter interface {
	// ResetPCG is Reset(m, rng) for rng = rand.New(pcg).
	ResetPCG(m *Market, rng *rand.Rand, pcg *rand.PCG)
}

// UnrecordedObserver is a protocol or an agent some of whose metrics can
// never be non-finite (a Gini coefficient of integers, a ratio whose
// denominator is guarded to be positive and whose terms are sums of
// 64-bit amounts). At a sample a run observes only to check that its
// metrics are finite, without recording it (a run whose series serve only
// percentile bands), the world calls ObserveUnrecorded instead of
// Observe: it must write every metric that can be non-finite, with the
// value Observe would give, and may leave the others as they are (values
// of an earlier observation, finite like any value they can take), so
// the check finds a non-finite metric exactly when it would after
// Observe. It must change nothing Observe would not.
type UnrecordedObserver interface {
	ObserveUnrecorded(m *Market, dst []float64)
}

// Protocol is a mechanism other than a CFMM venue — a lending market, a
// stablecoin system, a Proof-of-Stake chain — driven by the world once per
// step and by agents in between.
type Protocol interface {
	// Reset restores the protocol's initial state at the start of a run.
	Reset(m *Market)
	// Step runs the protocol's own per-step processes (interest accrual,
	// epoch transitions, auction clocks) before agents act. An error aborts
	// the run.
	Step(m *Market) error
	// Check verifies the protocol's accounting identities after agents have
	// acted; a violation aborts the run, naming the step.
	Check() error
	// Metrics describes what the protocol records.
	Metrics() []metric.Def
	// Observe writes the protocol's metrics, in the order of Metrics.
	Observe(m *Market, dst []float64)
}

// Regenesis is a Protocol whose initial state depends on what the agents
// ask of it in their own Reset (a chain's genesis endowments). After every
// agent's Reset the world asks each such protocol; true means the run's
// start was not one the protocol can run from as asked, and that its next
// Reset adjusts to what it saw: the world then resets the run's processes,
// venues, protocols and agents again, with the same random streams, and
// asks again. A protocol returns true a bounded number of times per run.
type Regenesis interface {
	Regenesis() bool
}
