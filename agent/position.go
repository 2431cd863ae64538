package agent

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/uniswapv3"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// RangePosition is one liquidity provider's Uniswap v3 position among the
// pool's background liquidity: at the start of each run it mints
// Liquidity in [Lower, Upper) as Owner, depositing what the pool's mint
// asks for, and then holds it. It reports the position against holding
// the deposit, and how long the price stayed in its range:
//
//	value       = (tokens the liquidity represents + owed + fees) at external prices
//	vs_hodl     = value / (deposit at external prices) − 1
//	in_range    = share of steps with Lower ≤ tick < Upper, checked after
//	              every agent's turn in the step (at the next step's start)
type RangePosition struct {
	Venue        int
	Owner        string
	Lower, Upper int32
	Liquidity    uint256.Int

	deposit       [2]uint256.Int
	steps, inside int
	failed        bool
}

func (r *RangePosition) pool(m *market.Market) *uniswapv3.Pool {
	p, _ := m.Venues[r.Venue].Pool.(*uniswapv3.Pool)
	return p
}

// Reset implements Agent: the position is minted.
func (r *RangePosition) Reset(m *market.Market, _ *rand.Rand) {
	r.steps, r.inside, r.failed = 0, 0, false
	a0, a1, err := r.pool(m).Mint(r.Owner, r.Lower, r.Upper, &r.Liquidity)
	r.deposit = [2]uint256.Int{a0, a1}
	r.failed = err != nil
}

// Act implements Agent: it counts whether the price is in range.
func (r *RangePosition) Act(m *market.Market) {
	_, tick := r.pool(m).Slot0()
	r.steps++
	if tick >= r.Lower && tick < r.Upper {
		r.inside++
	}
}

// Metrics implements Agent.
func (r *RangePosition) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "value", Unit: "numeraire", Doc: "the position with its owed tokens and fees, at external prices", Worse: metric.LowerIsWorse},
		{Name: "hodl_value", Unit: "numeraire", Doc: "the deposit held instead, at external prices", Worse: metric.LowerIsWorse},
		{Name: "vs_hodl", Unit: "fraction", Doc: "value / hodl_value − 1", Worse: metric.LowerIsWorse},
		{Name: "fees", Unit: "numeraire", Doc: "fees the position has earned, at external prices", Worse: metric.LowerIsWorse},
		{Name: "time_in_range", Unit: "fraction", Doc: "share of steps the pool's price was in the position's range", Worse: metric.LowerIsWorse},
		{Name: "in_range", Unit: "0/1", Doc: "1 if the price is in range at the end", Worse: metric.LowerIsWorse},
	}
}

// Observe implements Agent.
func (r *RangePosition) Observe(m *market.Market, dst []float64) {
	p := r.pool(m)
	v := m.Venues[r.Venue]
	p0, p1 := m.RawPrice(v.Assets[0]), m.RawPrice(v.Assets[1])
	a0, a1, f0, f1 := p.PositionHoldings(r.Owner, r.Lower, r.Upper)
	fees := cfmm.Float(&f0)*p0 + cfmm.Float(&f1)*p1
	value := cfmm.Float(&a0)*p0 + cfmm.Float(&a1)*p1 + fees
	hodl := cfmm.Float(&r.deposit[0])*p0 + cfmm.Float(&r.deposit[1])*p1
	dst[0], dst[1], dst[3] = value, hodl, fees
	dst[2] = 0
	if hodl > 0 {
		dst[2] = value/hodl - 1
	}
	dst[4] = 0
	if r.steps > 0 {
		dst[4] = float64(r.inside) / float64(r.steps)
	}
	_, tick := p.Slot0()
	dst[5] = 0
	if tick >= r.Lower && tick < r.Upper {
		dst[5] = 1
	}
}
