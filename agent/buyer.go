package agent

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

// PatientBuyer accumulates one asset on one venue whenever the pool sells
// it below the buyer's own valuation, with finite capital: the bid that
// lets a discount settle instead of collapsing.
//
// Each step, paying with the venue's token Pay (bought at its external
// price), it buys the amount a that maximises the exact value of the
// purchase at its valuation,
//
//	π(a) = Quote(Pay→Asset, a).Out · Valuation · p_Asset − a · p_Pay,
//
// which is the trade that lifts the pool's marginal price, net of the fee,
// to Valuation times the asset's external price p_Asset — capped by
// MaxPerStep and by the capital it has left, and only if π exceeds Gas.
// It holds what it buys — or, with Redeem set to a liquid-staking
// protocol whose token it buys, queues it for withdrawal at once and gets
// its capital back, in the underlying at its price, when the queue pays:
// the arbitrage that closes a liquid-staking token's discount once
// withdrawals exist, as fast as the churn lets it.
type PatientBuyer struct {
	Venue int
	// Asset and Pay are the pool token indices of the asset bought and of
	// the token paid.
	Asset, Pay int
	// Valuation is what the buyer thinks the asset is worth as a fraction
	// of its external price (0.99: it buys at any discount beyond 1%).
	Valuation float64
	// Capital is what it can spend in all, in the numeraire.
	Capital float64
	// MaxPerStep bounds one step's spending, in the numeraire; 0 is no
	// bound.
	MaxPerStep float64
	// Gas is the numeraire cost of one purchase.
	Gas float64
	// Redeems makes the buyer redeem through m.Protocols[Redeem], a
	// *protocol.LiquidStaking whose token it buys; ID names the buyer in
	// its queue.
	Redeems    bool
	Redeem, ID int

	lst      *protocol.LiquidStaking
	redeemed float64
	queued   int

	left, spent, bought, value float64
	trades                     int
	holdings                   []uint256.Int
}

// Reset implements Agent.
func (b *PatientBuyer) Reset(m *market.Market, _ *rand.Rand) {
	b.left, b.spent, b.bought, b.value, b.trades = b.Capital, 0, 0, 0, 0
	b.lst, b.redeemed, b.queued = nil, 0, 0
	if b.Redeems {
		b.lst, _ = m.Protocols[b.Redeem].(*protocol.LiquidStaking)
	}
}

// Metrics implements Agent.
func (b *PatientBuyer) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "spent", Unit: "numeraire", Doc: "capital spent on purchases, at the prices of each step", Worse: metric.Neutral},
		{Name: "bought", Unit: "tokens", Doc: "whole tokens of the asset bought", Worse: metric.Neutral},
		{Name: "capital_left", Unit: "numeraire", Doc: "capital not yet spent", Worse: metric.Neutral},
		{Name: "gain", Unit: "numeraire", Doc: "external value of what was bought, at the prices of each purchase, less what it cost", Worse: metric.LowerIsWorse},
		{Name: "trades", Unit: "count", Doc: "purchases", Worse: metric.Neutral},
		{Name: "redeemed", Unit: "numeraire", Doc: "what the withdrawal queue has paid back, at the underlying's price when paid", Worse: metric.Neutral},
		{Name: "queued", Unit: "count", Doc: "purchases queued for withdrawal", Worse: metric.Neutral},
	}
}

// Observe implements Agent.
func (b *PatientBuyer) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2], dst[3], dst[4] = b.spent, b.bought, b.left, b.value-b.spent, float64(b.trades)
	dst[5], dst[6] = b.redeemed, float64(b.queued)
}

// Act implements Agent.
func (b *PatientBuyer) Act(m *market.Market) {
	if b.lst != nil {
		if got := b.lst.Claim(b.ID); !got.IsZero() {
			v := cfmm.Float(&got) * m.RawPrice(b.lst.Underlying)
			b.left += v
			b.redeemed += v
		}
	}
	budget := b.left
	if b.MaxPerStep > 0 {
		budget = min(budget, b.MaxPerStep)
	}
	v := m.Venues[b.Venue]
	pa, pp := m.RawPrice(v.Assets[b.Asset]), m.RawPrice(v.Assets[b.Pay])
	if budget <= b.Gas || !(pa > 0 && pp > 0) {
		return
	}
	// Buying pays SpotPrice(Pay, Asset)·(1−fee) raw Asset per raw Pay.
	if v.Pool.SpotPrice(b.Pay, b.Asset)*(1-v.Pool.FeeRate())*b.Valuation*pa <= pp {
		return
	}
	if len(b.holdings) != v.Pool.NumTokens() {
		b.holdings = make([]uint256.Int, v.Pool.NumTokens())
	}
	amt := numericOptimum(v.Pool, b.Pay, b.Asset, pp, b.Valuation*pa, b.holdings)
	if most := cfmm.Amount(budget / pp); amt.Gt(&most) {
		amt = most
	}
	if amt.IsZero() {
		return
	}
	q, err := v.Pool.Quote(b.Pay, b.Asset, &amt)
	if err != nil || cfmm.Float(&q.Out)*b.Valuation*pa-cfmm.Float(&q.In)*pp <= b.Gas {
		return
	}
	t, err := v.Swap(m, b.Pay, b.Asset, &amt)
	if err != nil {
		return
	}
	cost := cfmm.Float(&t.In)*pp + b.Gas
	b.left -= cost
	b.spent += cost
	b.bought += cfmm.Float(&t.Out) * m.Unit[v.Assets[b.Asset]]
	b.value += cfmm.Float(&t.Out) * pa
	b.trades++
	if b.lst != nil && b.lst.RequestWithdrawal(b.ID, &t.Out) == nil {
		b.queued++
	}
}
