package agent

import (
	"github.com/cascade-risk/cascade/market"
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/metric"
)

// RollupChain is what a rollup's users see of it: the fee per transaction
// this step, in ETH, and a way to transact.
type RollupChain interface {
	PriceNow() float64
	Transact(n int64)
}

// RollupUsers are a rollup's users: each step they send the demand
// signal's transactions per day, times the step's length in days, scaled
// by (price / RefPrice)^−Elasticity when Elasticity > 0 — users who pay
// more send less. Counts are rounded to the nearest transaction.
type RollupUsers struct {
	Chain      int // protocol index of the rollup
	Demand     int // signal index of transactions per day
	StepDays   float64
	Elasticity float64
	RefPrice   float64 // ETH per transaction

	txs  int64
	paid float64
}

// Reset implements Agent.
func (u *RollupUsers) Reset(*market.Market, *rand.Rand) { u.txs, u.paid = 0, 0 }

// Act implements Agent.
func (u *RollupUsers) Act(m *market.Market) {
	ch := m.Protocols[u.Chain].(RollupChain)
	d := m.Signals[u.Demand] * u.StepDays
	p := ch.PriceNow()
	if u.Elasticity > 0 && p > 0 {
		d *= math.Pow(p/u.RefPrice, -u.Elasticity)
	}
	if !(d > 0) {
		return
	}
	n := int64(math.Round(min(d, 1e15)))
	ch.Transact(n)
	u.txs += n
	u.paid += float64(n) * p
}

// Metrics implements Agent.
func (u *RollupUsers) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "txs", Unit: "tx", Doc: "transactions sent", Worse: metric.LowerIsWorse},
		{Name: "fees", Unit: "ETH", Doc: "fees paid", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (u *RollupUsers) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1] = float64(u.txs), u.paid
}
