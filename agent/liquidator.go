package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

// Liquidator watches the positions of a protocol.LendingPool and liquidates those
// that have become liquidatable, repaying their debt in reserve Debt for
// collateral of reserve Collateral, and sells the seized collateral on
// Venue through Venue.Swap. The sale's price impact is real: when an
// oracle reads that venue, liquidations lower the price that decides the
// next liquidations.
//
// It is constrained as a bot is:
//   - capital: it repays from a wallet of Capital whole debt tokens,
//     refilled only by its sales;
//   - latency: a position seen liquidatable at step t is acted on at step
//     t + Latency, if it still is then;
//   - gas: each liquidation costs Gas.Cost, and while the network's gas
//     price is above Gas.MaxPrice its transactions are not mined.
//
// A liquidation goes ahead only if the estimated proceeds of the collateral
// (quoted on the venue, or at the external price without one) exceed the
// debt repaid (at the external price) plus gas by MinProfit. One position
// may be liquidated up to three times in a step, each a transaction.
type Liquidator struct {
	Pool             int // protocol index of the protocol.LendingPool
	Collateral, Debt int // reserve indices
	Venue            int // m.Venues index, or −1 to keep the collateral
	// Route, with Venue −1, sells the collateral along the best route of
	// up to three hops among all venues (Routes, BestRoute), quoted and
	// executed hop by hop in the pools' integers.
	Route     bool
	Capital   float64
	Gas       Gas
	Latency   int
	MinProfit float64

	pool    *protocol.LendingPool
	me      int
	pending []pendingAccount
	seen    []bool // by user id: in pending
	found   []int  // the step's candidates (LendingPool.Candidates)
	vi, vj  int    // venue token indices of the collateral and debt
	routes  []Route
	// cut is the least repayment (raw units of the debt) that a
	// liquidation in this Act, at the venue's state since the last sale,
	// has been shown to lose on (noteUnprofitable); +Inf when none.
	// exact turns the cut off (tests compare with it).
	cut   float64
	exact bool
	cuts  int // liquidations beyondCut passed over (tests)
	// What the screens read that changes within an Act only with this
	// liquidator's liquidations (see state): valid while fresh.
	fresh  bool
	seizeK float64 // SeizeEstimate of one raw unit of debt
	wallet float64 // the debt token in the wallet, raw units
	// marginalLoss: the surelyUnprofitable test of the prices and venue
	// passes (the wallet's and the position's aside).
	marginalLoss bool

	profit, gas, volume                float64
	liquidations, unprofitable, noCash int
	routed                             int
	blocked                            int
}

// pendingAccount is a position seen liquidatable, to act on from step
// ready.
type pendingAccount struct{ user, ready int }

// maxPerAccountStep bounds the liquidations of one position in one step.
const maxPerAccountStep = 3

// Reset implements Agent.
func (l *Liquidator) Reset(m *market.Market, _ *rand.Rand) {
	l.pool = m.Protocols[l.Pool].(*protocol.LendingPool)
	l.me = l.pool.Register()
	capital := cfmm.Amount(l.Capital * math.Pow(10, float64(l.pool.Decimals[l.Debt])))
	l.pool.Fund(l.me, l.Debt, &capital)
	l.pending, l.seen = l.pending[:0], l.seen[:0]
	l.profit, l.gas, l.volume = 0, 0, 0
	l.liquidations, l.unprofitable, l.noCash, l.blocked, l.routed = 0, 0, 0, 0, 0
	if l.Venue >= 0 {
		v := m.Venues[l.Venue]
		l.vi, l.vj = venueIndex(v, l.pool.Assets[l.Collateral]), venueIndex(v, l.pool.Assets[l.Debt])
	}
	l.routes = nil
	if l.Route && l.Venue < 0 {
		l.routes = Routes(m, l.pool.Assets[l.Collateral], l.pool.Assets[l.Debt], 3)
	}
}

// Act implements Agent.
func (l *Liquidator) Act(m *market.Market) {
	if !l.Gas.Included(m) {
		l.blocked++
		return
	}
	p := l.pool
	l.cut, l.fresh = math.Inf(1), false
	if p.Indexed() {
		// Without latency a position holding none of the collateral is
		// dropped by work at once, so it is not looked at.
		seize := -1
		if l.Latency == 0 {
			seize = l.Collateral
		}
		l.found = p.Candidates(l.found[:0], seize, l.seen)
		for _, u := range l.found {
			if u < len(l.seen) && l.seen[u] || u == l.me {
				continue
			}
			if p.SurelyLiquidatable(u, l.Collateral, l.Debt) || p.Account(u).Liquidatable {
				l.watch(m, u)
			}
		}
	} else {
		for _, u := range p.Debtors() {
			if u < len(l.seen) && l.seen[u] || u == l.me {
				continue
			}
			if p.MaybeLiquidatable(u) {
				l.watch(m, u)
			}
		}
	}
	kept := l.pending[:0]
	for _, pa := range l.pending {
		if pa.ready > m.Step || l.work(m, pa.user) {
			kept = append(kept, pa)
			continue
		}
		l.seen[pa.user] = false
	}
	l.pending = kept
}

// watch puts a liquidatable position u on the pending list, unless it is
// there already or is the liquidator's own.
func (l *Liquidator) watch(m *market.Market, u int) {
	for len(l.seen) <= u {
		l.seen = append(l.seen, false)
	}
	if l.seen[u] || u == l.me {
		return
	}
	l.seen[u] = true
	l.pending = append(l.pending, pendingAccount{u, m.Step + l.Latency})
}

// work liquidates user u while it pays; it reports whether u should stay
// on the watch list (still liquidatable).
func (l *Liquidator) work(m *market.Market, u int) bool {
	p := l.pool
	dAsset, cAsset := p.Assets[l.Debt], p.Assets[l.Collateral]
	for range maxPerAccountStep {
		if l.surelyUnprofitable(m, u) || l.beyondCut(m, u) {
			l.unprofitable++
			return true
		}
		if !p.SurelyLiquidatable(u, l.Collateral, l.Debt) && (p.SurelyHealthy(u) || !p.Account(u).Liquidatable) {
			return false
		}
		repay := p.MaxRepay(u, l.Debt)
		coll := p.Collateral(u, l.Collateral)
		if repay.IsZero() || coll.IsZero() {
			return false // nothing this liquidator can repay or seize
		}
		if w := p.Balance(l.me, l.Debt); w.Lt(&repay) {
			repay = w
		}
		if repay.IsZero() {
			l.noCash++
			return true
		}
		r := repay.Float64()
		seize := p.SeizeEstimate(l.Debt, l.Collateral, r)
		if c := coll.Float64(); seize > c { // the protocol takes all and repays less
			r *= c / seize
			seize = c
		}
		gas := l.Gas.Cost(m)
		pd := m.RawPrice(dAsset)
		if value := l.proceeds(m, seize); value-r*pd-gas < l.MinProfit {
			l.unprofitable++
			l.noteUnprofitable(r, seize, value, pd, gas)
			return true
		}
		repaid, seized, err := p.Liquidate(m, l.me, u, l.Debt, l.Collateral, &repay)
		if err != nil {
			return false
		}
		l.cut, l.fresh = math.Inf(1), false // the wallet, the position and the venue change
		value := l.sell(m, &seized, cAsset)
		cost := repaid.Float64() * m.RawPrice(dAsset)
		l.profit += value - cost - gas
		l.gas += gas
		l.volume += cost
		l.liquidations++
	}
	return true
}

// surelyUnprofitable reports whether work would find liquidating u
// unprofitable, shown without valuing the position: it is surely
// liquidatable with collateral and debt to repay
// (LendingPool.SurelyLiquidatable), the wallet is not empty, and the
// collateral one unit of debt seizes (SeizeEstimate) is worth less than
// that unit, by 1e-6, at the sale's marginal price (the venue's
// SpotPrice, which no sale beats: a constant-function market pays less
// per unit the more it is sold), so that whatever the amount the proceeds
// fall short of the repayment, while gas plus MinProfit exceeds the value
// of the one raw unit the conversion to an amount may add. False says
// nothing; work then values the position.
func (l *Liquidator) surelyUnprofitable(m *market.Market, u int) bool {
	if l.routes != nil {
		return false
	}
	l.state(m)
	if !l.marginalLoss || l.wallet == 0 {
		return false
	}
	return l.pool.SurelyLiquidatable(u, l.Collateral, l.Debt)
}

// state reads, once until the next liquidation, what surelyUnprofitable
// and beyondCut read of the market, the venue and the wallet: within an
// Act prices, gas and the protocol's prices stay, and the venue and
// wallet change only with this liquidator's sales and repayments.
func (l *Liquidator) state(m *market.Market) {
	if l.fresh {
		return
	}
	l.fresh = true
	p := l.pool
	pd := m.RawPrice(p.Assets[l.Debt])
	unit := m.RawPrice(p.Assets[l.Collateral])
	if l.Venue >= 0 {
		unit = m.Venues[l.Venue].Pool.SpotPrice(l.vi, l.vj) * pd
	}
	l.seizeK = p.SeizeEstimate(l.Debt, l.Collateral, 1)
	l.marginalLoss = l.seizeK*unit < pd*(1-1e-6) && l.Gas.Cost(m)+l.MinProfit > 1.001*unit
	w := p.Balance(l.me, l.Debt)
	l.wallet = w.Float64()
}

// noteUnprofitable lowers the cut to r, the repayment of a liquidation
// just found unprofitable, when that liquidation lost on the sale alone:
// its proceeds, widened by a relative 3·10⁻⁶ and four raw units of the
// debt token for the venue's integer rounding, are still below the
// repayment's value r·pd, and gas + MinProfit ≥ 0. A constant-function
// market pays less per unit on average the more it is sold (its output
// is concave in the input and zero at zero), and SeizeEstimate is linear
// in the repayment, so any liquidation in the same state repaying at
// least r sells at least as much at no better an average price, loses on
// the sale too, and is unprofitable: beyondCut passes it over without
// valuing it. Only sales on a venue (or kept at the external price, which
// is linear) quote enough to bound (at least 10⁶ raw units in and 10⁹
// out); routes are not bounded.
func (l *Liquidator) noteUnprofitable(r, seize, value, pd, gas float64) {
	if l.exact || l.routes != nil || !(gas+l.MinProfit >= 0) || !(seize >= 1e6) || !(value >= 1e9*pd) {
		return
	}
	if (value+4*pd)*(1+3e-6) <= r*pd {
		l.cut = min(l.cut, r)
	}
}

// beyondCut reports whether work would find liquidating u unprofitable
// because it would repay at least the cut (noteUnprofitable), shown
// without valuing the position: u is surely liquidatable
// (LendingPool.SurelyLiquidatable), the wallet is not empty, and a floor
// on the repayment work computes — the least of half the debt (MaxRepay
// repays half or all of it), the wallet and the collateral over what one
// unit of debt seizes, from LendingPool.Floors — less a relative 10⁻⁹, is
// at least the cut. False says nothing.
func (l *Liquidator) beyondCut(m *market.Market, u int) bool {
	if math.IsInf(l.cut, 1) {
		return false
	}
	l.state(m)
	if l.wallet == 0 || !(l.seizeK > 0) {
		return false
	}
	p := l.pool
	debt, coll, ok := p.Floors(u, l.Collateral, l.Debt)
	if !ok {
		return false
	}
	r := min(debt/2-1, l.wallet, coll/l.seizeK)
	if !(r*(1-1e-9) >= l.cut) {
		return false
	}
	if !p.SurelyLiquidatable(u, l.Collateral, l.Debt) {
		return false
	}
	l.cuts++
	return true
}

// proceeds returns the numeraire value of selling amount raw units of
// collateral now.
func (l *Liquidator) proceeds(m *market.Market, amount float64) float64 {
	cAsset := l.pool.Assets[l.Collateral]
	if l.routes != nil {
		a := cfmm.Amount(amount)
		if _, out, ok := BestRoute(m, l.routes, &a); ok {
			return out.Float64() * m.RawPrice(l.pool.Assets[l.Debt])
		}
		return 0
	}
	if l.Venue < 0 {
		return amount * m.RawPrice(cAsset)
	}
	a := cfmm.Amount(amount)
	if a.IsZero() {
		return 0
	}
	t, err := m.Venues[l.Venue].Pool.Quote(l.vi, l.vj, &a)
	if err != nil {
		return 0
	}
	return t.Out.Float64() * m.RawPrice(l.pool.Assets[l.Debt])
}

// sell sells seized collateral on the venue for the debt token, back into
// the wallet, and returns its numeraire value; without a venue the
// collateral is kept and valued at the external price.
func (l *Liquidator) sell(m *market.Market, seized *uint256.Int, cAsset int) float64 {
	if seized.IsZero() {
		return 0
	}
	if l.routes != nil {
		return l.sellRoute(m, seized, cAsset)
	}
	if l.Venue < 0 {
		return seized.Float64() * m.RawPrice(cAsset)
	}
	p := l.pool
	if p.Remove(l.me, l.Collateral, seized) != nil {
		return 0
	}
	t, err := m.Venues[l.Venue].Swap(m, l.vi, l.vj, seized)
	if err != nil {
		p.Fund(l.me, l.Collateral, seized)
		return seized.Float64() * m.RawPrice(cAsset)
	}
	p.Fund(l.me, l.Debt, &t.Out)
	return t.Out.Float64() * m.RawPrice(p.Assets[l.Debt])
}

// Metrics implements Agent.
func (l *Liquidator) Metrics() []metric.Def {
	defs := []metric.Def{
		{Name: "profit", Unit: "numeraire", Doc: "proceeds of seized collateral less debt repaid and gas, at external prices", Worse: metric.LowerIsWorse},
		{Name: "gas", Unit: "numeraire", Doc: "gas paid", Worse: metric.HigherIsWorse},
		{Name: "liquidations", Unit: "count", Doc: "liquidations executed", Worse: metric.LowerIsWorse},
		{Name: "volume", Unit: "numeraire", Doc: "debt repaid, at external prices", Worse: metric.LowerIsWorse},
		{Name: "unprofitable", Unit: "count", Doc: "liquidations passed over because proceeds would not cover debt and gas", Worse: metric.HigherIsWorse},
		{Name: "no_capital", Unit: "count", Doc: "liquidations passed over for want of capital", Worse: metric.HigherIsWorse},
		{Name: "blocked_steps", Unit: "count", Doc: "steps in which gas was above the bot's maximum", Worse: metric.HigherIsWorse},
	}
	if l.Route {
		defs = append(defs, metric.Def{Name: "routed", Unit: "count", Doc: "sales of seized collateral along a route", Worse: metric.Neutral})
	}
	return defs
}

// Observe implements Agent.
func (l *Liquidator) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2], dst[3] = l.profit, l.gas, float64(l.liquidations), l.volume
	dst[4], dst[5], dst[6] = float64(l.unprofitable), float64(l.noCash), float64(l.blocked)
	if l.Route {
		dst[7] = float64(l.routed)
	}
}

// sellRoute sells seized collateral along the best route. Without a route
// that quotes, the collateral stays in the wallet, valued at its external
// price; a hop that fails after the quote (it should not) leaves what that
// hop held with the liquidator, valued at its external price.
func (l *Liquidator) sellRoute(m *market.Market, seized *uint256.Int, cAsset int) float64 {
	p := l.pool
	r, _, ok := BestRoute(m, l.routes, seized)
	if !ok || p.Remove(l.me, l.Collateral, seized) != nil {
		return seized.Float64() * m.RawPrice(cAsset)
	}
	out, failed, err := r.Swap(m, seized)
	if err != nil {
		h := r[failed]
		return out.Float64() * m.RawPrice(m.Venues[h.Venue].Assets[h.In])
	}
	p.Fund(l.me, l.Debt, &out)
	l.routed++
	return out.Float64() * m.RawPrice(p.Assets[l.Debt])
}
