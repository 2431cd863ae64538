package agent

import (
	"github.com/cascade-risk/cascade/market"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// PassiveLP owns a venue's initial liquidity and never trades. It compares
// the liquidity position with simply holding the initial deposit:
//
//	value      = Σ_k holdings_k · price_k (holdings include earned fees)
//	hodl_value = Σ_k deposit_k · price_k
//	lp_hodl    = value / hodl_value
//	il         = lp_hodl − 1
//
// With no fees and a pure price move by a factor r of token 0 against token
// 1 in a constant-product pool, il = 2√r/(1+r) − 1.
type PassiveLP struct {
	Venue int

	deposit []uint256.Int
}

// Reset implements Agent: the deposit is the LPs' holdings at the start.
func (l *PassiveLP) Reset(m *market.Market, _ *rand.Rand) {
	v := m.Venues[l.Venue]
	if len(l.deposit) != v.Pool.NumTokens() {
		l.deposit = make([]uint256.Int, v.Pool.NumTokens())
	}
	v.Pool.LPHoldings(l.deposit)
}

// Act implements Agent; a passive LP does nothing.
func (l *PassiveLP) Act(*market.Market) {}

// Idle implements Idler.
func (l *PassiveLP) Idle() {}

// Metrics implements Agent.
func (l *PassiveLP) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "value", Unit: "numeraire", Doc: "LP position value at external prices", Worse: metric.LowerIsWorse},
		{Name: "hodl_value", Unit: "numeraire", Doc: "value of the initial deposit held outside the pool", Worse: metric.LowerIsWorse},
		{Name: "lp_hodl", Unit: "ratio", Doc: "LP value divided by HODL value", Worse: metric.LowerIsWorse},
		{Name: "il", Unit: "fraction", Doc: "impermanent loss, lp_hodl − 1 (fees included)", Worse: metric.LowerIsWorse},
	}
}

// Observe implements Agent.
func (l *PassiveLP) Observe(m *market.Market, dst []float64) {
	v := m.Venues[l.Venue]
	value := v.Value(m, m.Prices)
	var hodl float64
	for k := range l.deposit {
		a := v.Assets[k]
		hodl += l.deposit[k].Float64() * m.RawPrice(a)
	}
	dst[0], dst[1] = value, hodl
	dst[2] = value / hodl
	dst[3] = dst[2] - 1
}
