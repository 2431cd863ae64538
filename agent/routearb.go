package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// RouteArbitrageur closes price gaps that run through more than one pool:
// between two assets it has an external market for, X and Y, it buys X at
// its external price, sells it along a route of two or more hops among the
// scenario's pools — through a peg stability module and a stablecoin that
// has no market of its own, say — and sells the Y that arrives at Y's
// external price. It is what ties a stablecoin partly backed by another
// through a PSM to that other coin's price: when the backing coin falls,
// it is bought outside, swapped 1:1 for the stablecoin in the PSM and the
// stablecoin sold on its pool, until the pool price meets the backing's
// or the PSM's debt ceiling stops it; when the stablecoin falls below the
// backing, it buys the stablecoin and redeems it in the PSM until the PSM
// holds no more of the backing.
//
// Each trade is the route and amount a maximising the exact profit
//
//	π(a) = Route.Quote(a) · p_Y − a · p_X
//
// (each hop in its pool's integers), found by Brent's method on ln a over
// amounts up to Capital's worth of X, and made only if π exceeds Gas; at
// most MaxTradesPerStep a step. The marginal profit of a route is
// non-increasing in a, so π is unimodal.
type RouteArbitrageur struct {
	// Assets are the asset indices it has external markets for.
	Assets []int
	// MaxHops bounds a route's length (2 or more).
	MaxHops int
	// Gas is the numeraire cost of one route (all its hops).
	Gas float64
	// Capital bounds one trade's input, in the numeraire; 0 is no bound.
	Capital          float64
	MaxTradesPerStep int

	routes            []pricedRoute
	profit, gas, used float64
	trades            int
}

// pricedRoute is a route between two externally priced assets.
type pricedRoute struct {
	Route
	from, to int
}

// unboundedCapital stands for "no bound" in the search's upper end: a
// trillion numeraire units.
const unboundedCapital = 1e12

// Reset implements Agent.
func (r *RouteArbitrageur) Reset(m *market.Market, _ *rand.Rand) {
	r.routes = r.routes[:0]
	for _, x := range r.Assets {
		for _, y := range r.Assets {
			if x == y {
				continue
			}
			for _, rt := range Routes(m, x, y, max(r.MaxHops, 2)) {
				if len(rt) >= 2 {
					r.routes = append(r.routes, pricedRoute{rt, x, y})
				}
			}
		}
	}
	r.profit, r.gas, r.used, r.trades = 0, 0, 0, 0
}

// Metrics implements Agent.
func (r *RouteArbitrageur) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "profit", Unit: "numeraire", Doc: "route arbitrage profit after fees and gas, at external prices", Worse: metric.LowerIsWorse},
		{Name: "gas", Unit: "numeraire", Doc: "gas paid", Worse: metric.HigherIsWorse},
		{Name: "trades", Unit: "count", Doc: "routes traded", Worse: metric.Neutral},
		{Name: "volume", Unit: "numeraire", Doc: "external value of what it put into routes", Worse: metric.Neutral},
	}
}

// Observe implements Agent.
func (r *RouteArbitrageur) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2], dst[3] = r.profit, r.gas, float64(r.trades), r.used
}

// marginal returns the route's marginal rate before any trade, raw Y per
// raw X net of each pool's (smallest) fee.
func marginal(m *market.Market, rt Route) float64 {
	rate := 1.0
	for _, h := range rt {
		p := m.Venues[h.Venue].Pool
		rate *= p.SpotPrice(h.In, h.Out) * (1 - p.FeeRate())
	}
	return rate
}

// Act implements Agent.
func (r *RouteArbitrageur) Act(m *market.Market) {
	for range max(1, r.MaxTradesPerStep) {
		if !r.tradeOnce(m) {
			return
		}
	}
}

// tradeOnce makes the most profitable route trade, if any pays its gas.
func (r *RouteArbitrageur) tradeOnce(m *market.Market) bool {
	var best *pricedRoute
	var bestAmt uint256.Int
	bestProfit := r.Gas
	for k := range r.routes {
		rt := &r.routes[k]
		px, py := m.RawPrice(rt.from), m.RawPrice(rt.to)
		if !(px > 0 && py > 0) || marginal(m, rt.Route)*py <= px {
			continue
		}
		capital := r.Capital
		if capital <= 0 {
			capital = unboundedCapital
		}
		top := capital / px
		if top < 1 {
			continue
		}
		profit := func(amt *uint256.Int) (float64, bool) {
			out, err := rt.Quote(m, amt)
			if err != nil {
				return 0, false
			}
			return cfmm.Float(&out)*py - cfmm.Float(amt)*px, true
		}
		loss := func(lnA float64) float64 {
			amt := cfmm.Amount(math.Exp(lnA))
			if amt.IsZero() {
				return 0
			}
			p, ok := profit(&amt)
			if !ok {
				// Beyond what a hop can take (a PSM's ceiling, its gem):
				// as bad as losing the input, worse than any trade that
				// goes through, and finite for the search.
				return cfmm.Float(&amt) * px
			}
			return -p
		}
		x, fx := brentMin(loss, math.Log(top*1e-12), math.Log(top), 1e-7)
		if fx >= 0 {
			continue
		}
		amt := cfmm.Amount(math.Exp(x))
		if p, ok := profit(&amt); ok && p > bestProfit {
			best, bestAmt, bestProfit = rt, amt, p
		}
	}
	if best == nil {
		return false
	}
	px, py := m.RawPrice(best.from), m.RawPrice(best.to)
	out, failed, err := best.Swap(m, &bestAmt)
	in := cfmm.Float(&bestAmt) * px
	r.used += in
	r.gas += r.Gas
	r.trades++
	if err != nil {
		// Quoted routes execute (the pools are in the same state); were a
		// hop to fail, what it held is valued at its asset's price.
		h := best.Route[failed]
		r.profit += cfmm.Float(&out)*m.RawPrice(m.Venues[h.Venue].Assets[h.In]) - in - r.Gas
		return false
	}
	r.profit += cfmm.Float(&out)*py - in - r.Gas
	return true
}
