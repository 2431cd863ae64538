package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/secmarket"
	"gonum.org/v1/gonum/stat/distuv"
)

// SecurityProvider is what the agents of a shared-security market see of
// it: the state machine and the provider token's price.
type SecurityProvider interface {
	Market() *secmarket.Market
	TokenPrice(m *market.Market) float64
}

// SecurityValidators are Count validators of the provider chain, with
// stake drawn from Stake (raw units; Unit whole tokens per raw unit), the
// resources to run from CapLo to CapHi consumer chains (uniform), and a
// cost per consumer chain per year, in the numeraire, uniform in
// [CostLo, CostHi]. A validator opts into each consumer chain with
// probability OptIn, drawn once per chain; while the chain waits and the
// validator has spare capacity it asks, each step, the provider stake
// whose rewards cover its cost with Margin:
//
//	ask = cost·(1 + Margin) / (Yield · Commission · token price),
//
// Yield the provider's staking rate per year and Commission the share of
// a bond's rewards the validator keeps.
type SecurityValidators struct {
	Provider       int
	Count          int
	Stake          StakeDistribution
	Unit           float64
	CapLo, CapHi   int
	CostLo, CostHi float64
	OptIn          float64
	Yield          float64
	Commission     float64
	Margin         float64
	ids            []int
	cost           []float64
	optin          map[int][]bool
	rng            *rand.Rand
}

// Reset implements market.Agent: the validators register.
func (v *SecurityValidators) Reset(m *market.Market, rng *rand.Rand) {
	mk := m.Protocols[v.Provider].(SecurityProvider).Market()
	v.rng = rng
	v.ids, v.cost = v.ids[:0], v.cost[:0]
	v.optin = map[int][]bool{}
	for range v.Count {
		st := float64(v.Stake.draw(rng)) * v.Unit
		cp := v.CapLo + rng.IntN(v.CapHi-v.CapLo+1)
		id, err := mk.AddValidator(st, cp)
		if err != nil {
			continue
		}
		v.ids = append(v.ids, id)
		v.cost = append(v.cost, v.CostLo+(v.CostHi-v.CostLo)*rng.Float64())
	}
}

// Act implements market.Agent.
func (v *SecurityValidators) Act(m *market.Market) {
	sp := m.Protocols[v.Provider].(SecurityProvider)
	mk := sp.Market()
	if mk.Config.Design != secmarket.Auction {
		return
	}
	px := sp.TokenPrice(m)
	if !(px > 0) {
		return
	}
	denom := v.Yield * v.Commission * px
	for c := range mk.Chains() {
		if !mk.Waiting(c) {
			continue
		}
		in, ok := v.optin[c]
		if !ok {
			in = make([]bool, len(v.ids))
			for k := range in {
				in[k] = v.rng.Float64() < v.OptIn
			}
			v.optin[c] = in
		}
		for k, id := range v.ids {
			ask := math.Inf(1)
			if in[k] && mk.Spare(id) > 0 && denom > 0 {
				ask = v.cost[k] * (1 + v.Margin) / denom
			}
			_ = mk.Ask(c, id, ask)
		}
	}
}

// Metrics implements market.Agent.
func (v *SecurityValidators) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "serving", Unit: "chains", Doc: "mean consumer chains run per validator", Worse: metric.HigherIsWorse},
		{Name: "over_budget", Unit: "fraction", Doc: "share of these validators running more chains than their resources allow", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Agent.
func (v *SecurityValidators) Observe(m *market.Market, dst []float64) {
	mk := m.Protocols[v.Provider].(SecurityProvider).Market()
	dst[0], dst[1] = 0, 0
	if len(v.ids) == 0 {
		return
	}
	var serving, over float64
	for _, id := range v.ids {
		serving += float64(mk.Serving(id))
		if mk.Spare(id) < 0 {
			over++
		}
	}
	dst[0], dst[1] = serving/float64(len(v.ids)), over/float64(len(v.ids))
}

// ConsumerChains bring consumer chains to the market: Initial at the
// start, then Poisson arrivals at Rate per step. Each needs from KLo to
// KHi validators (uniform); with BidFirst > 0 it instead bids, in the
// numeraire per validator, from BidFirst for its first down linearly to
// BidLast for its KHi-th and launches with at least KLo. Its own stake,
// were it sovereign, is uniform in [OwnLo, OwnHi] (numeraire). It stays
// for an exponential lifetime of mean Lifetime steps (0: for ever), then
// leaves, unbonding its provider stake; a chain still waiting withdraws
// then.
type ConsumerChains struct {
	Provider          int
	Initial           int
	Rate              float64
	KLo, KHi          int
	BidFirst, BidLast float64
	OwnLo, OwnHi      float64
	Lifetime          float64

	rng     *rand.Rand
	arrival distuv.Poisson
	ids     []int
	leave   []int
	arrived int
}

// Reset implements market.Agent: the initial chains arrive.
func (c *ConsumerChains) Reset(m *market.Market, rng *rand.Rand) {
	c.rng = rng
	c.arrival = distuv.Poisson{Lambda: c.Rate, Src: rng}
	c.ids, c.leave, c.arrived = c.ids[:0], c.leave[:0], 0
	for range c.Initial {
		c.arrive(m)
	}
}

func (c *ConsumerChains) arrive(m *market.Market) {
	sp := m.Protocols[c.Provider].(SecurityProvider)
	px := sp.TokenPrice(m)
	con := secmarket.Consumer{K: c.KLo + c.rng.IntN(c.KHi-c.KLo+1)}
	if c.BidFirst > 0 && px > 0 {
		con.Bids = make([]float64, c.KHi)
		for j := range con.Bids {
			f := 0.0
			if c.KHi > 1 {
				f = float64(j) / float64(c.KHi-1)
			}
			con.Bids[j] = (c.BidFirst + (c.BidLast-c.BidFirst)*f) / px
		}
		con.Kmin = c.KLo
	}
	if px > 0 {
		con.OwnStake = (c.OwnLo + (c.OwnHi-c.OwnLo)*c.rng.Float64()) / px
	}
	id, err := sp.Market().Arrive(con)
	if err != nil {
		return
	}
	life := math.MaxInt
	if c.Lifetime > 0 {
		life = m.Step + 1 + int(c.rng.ExpFloat64()*c.Lifetime)
	}
	c.ids = append(c.ids, id)
	c.leave = append(c.leave, life)
	c.arrived++
}

// Act implements market.Agent: due chains leave, new ones arrive.
func (c *ConsumerChains) Act(m *market.Market) {
	mk := m.Protocols[c.Provider].(SecurityProvider).Market()
	for k, id := range c.ids {
		if c.leave[k] <= m.Step && (mk.Live(id) || mk.Waiting(id)) {
			_ = mk.Leave(id)
		}
	}
	if c.Rate > 0 {
		for range int(c.arrival.Rand()) {
			c.arrive(m)
		}
	}
}

// Metrics implements market.Agent.
func (c *ConsumerChains) Metrics() []metric.Def {
	return []metric.Def{{Name: "arrived", Unit: "chains", Doc: "consumer chains that arrived", Worse: metric.LowerIsWorse}}
}

// Observe implements market.Agent.
func (c *ConsumerChains) Observe(_ *market.Market, dst []float64) { dst[0] = float64(c.arrived) }
