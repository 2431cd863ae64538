package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// Arbitrageur trades each of its venues toward external prices whenever the
// trade is profitable after fees and gas: the proof of work that keeps pool
// prices right.
//
// For a constant-product pair it uses the closed-form optimum. Selling a of
// token i (reserve x, raw price p_i) for token j (reserve y, price p_j) with
// fee f, γ = 1−f, pays out γay/(x+γa); profit γay/(x+γa)·p_j − a·p_i is
// maximal at
//
//	a* = (√(γ·x·y·p_j/p_i) − x) / γ.
//
// For other pools it maximizes the exact quoted profit numerically (golden-
// section search on log a; the profit is concave in a for every CFMM here).
// Either way the trade executes with the pool's integer math, and only if
// the exact proceeds beat the cost at external prices plus Gas.
type Arbitrageur struct {
	// Venues are indices into Market.Venues.
	Venues []int
	// Gas is the cost of one trade in the numeraire.
	Gas float64
	// MaxTradesPerStep bounds the trades on one venue in one step
	// (multi-token pools may need several).
	MaxTradesPerStep int

	profit, gross, gas float64
	trades             int
}

// Reset implements Agent.
func (a *Arbitrageur) Reset(m *Market, _ *rand.Rand) {
	a.profit, a.gross, a.gas, a.trades = 0, 0, 0, 0
}

// Metrics implements Agent.
func (a *Arbitrageur) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "profit", Unit: "numeraire", Doc: "arbitrage profit after fees and gas, at external prices", Worse: metric.LowerIsWorse},
		{Name: "gas", Unit: "numeraire", Doc: "gas paid", Worse: metric.HigherIsWorse},
		{Name: "trades", Unit: "count", Doc: "arbitrage trades executed", Worse: metric.LowerIsWorse},
	}
}

// Observe implements Agent.
func (a *Arbitrageur) Observe(m *Market, dst []float64) {
	dst[0], dst[1], dst[2] = a.profit, a.gas, float64(a.trades)
}

// Act implements Agent.
func (a *Arbitrageur) Act(m *Market) {
	for _, vi := range a.Venues {
		v := m.Venues[vi]
		if pair, ok := v.Pool.(*uniswapv2.Pair); ok {
			a.tradePair(m, v, pair)
			continue
		}
		for range max(1, a.MaxTradesPerStep) {
			if !a.tradeOnce(m, v) {
				break
			}
		}
	}
}

// settle books an executed trade of token i for j: profit at external
// prices, LVR (profit before fees and gas) and LVR relative to valueBefore.
func (a *Arbitrageur) settle(m *Market, v *Venue, i, j int, t *cfmm.Trade, valueBefore float64) {
	v.Record(m, i, t)
	net := t.Out.Float64()*m.RawPrice(v.Assets[j]) - t.In.Float64()*m.RawPrice(v.Assets[i])
	gross := net + t.Fee.Float64()*m.RawPrice(v.Assets[t.FeeToken])
	a.profit += net - a.Gas
	a.gas += a.Gas
	a.gross += gross
	a.trades++
	v.LVR += gross
	if valueBefore > 0 {
		v.LVRRate += gross / valueBefore
	}
}

// tradePair arbitrages a constant-product pair with the closed-form size.
// The trade executes as an arbitrage contract would: swap, then revert
// unless the proceeds beat the cost plus gas.
func (a *Arbitrageur) tradePair(m *Market, v *Venue, pair *uniswapv2.Pair) {
	r0, r1 := pair.Reserves()
	x0, x1 := r0.Float64(), r1.Float64()
	p0, p1 := m.RawPrice(v.Assets[0]), m.RawPrice(v.Assets[1])
	i, j, x, y, pi, pj := 0, 1, x0, x1, p0, p1
	if x1/x0*p1 <= p0 { // token 0 is not overpriced by the pool: maybe token 1 is
		i, j, x, y, pi, pj = 1, 0, x1, x0, p1, p0
		if x0/x1*p0 <= p1 {
			return
		}
	}
	g := 1 - float64(pair.FeeBps())/uniswapv2.FeeDenominator
	amount := fromFloat((math.Sqrt(g*x*y*pj/pi) - x) / g)
	if amount.IsZero() {
		return
	}
	saved := *pair
	t, err := pair.Swap(i, j, &amount)
	if err != nil {
		return
	}
	if t.Out.Float64()*pj-t.In.Float64()*pi <= a.Gas {
		*pair = saved
		return
	}
	prev := x0*m.PrevPrices[v.Assets[0]]*m.Unit[v.Assets[0]] + x1*m.PrevPrices[v.Assets[1]]*m.Unit[v.Assets[1]]
	a.settle(m, v, i, j, &t, prev)
}

// tradeOnce makes the single most profitable trade on v, if any.
func (a *Arbitrageur) tradeOnce(m *Market, v *Venue) bool {
	best, bi, bj := cfmm.Trade{}, -1, -1
	bestProfit := 0.0
	n := v.Pool.NumTokens()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			pi, pj := m.RawPrice(v.Assets[i]), m.RawPrice(v.Assets[j])
			// Selling i only pays if the pool values i above the market.
			if v.Pool.SpotPrice(i, j)*pj <= pi {
				continue
			}
			amount := numericOptimum(v.Pool, i, j, pi, pj)
			if amount.IsZero() {
				continue
			}
			t, err := v.Pool.Quote(i, j, &amount)
			if err != nil {
				continue
			}
			if p := t.Out.Float64()*pj - t.In.Float64()*pi; p > bestProfit {
				best, bi, bj, bestProfit = t, i, j, p
			}
		}
	}
	if bi < 0 || bestProfit <= a.Gas {
		return false
	}
	valueBefore := v.Value(m, m.PrevPrices)
	t, err := v.Pool.Swap(bi, bj, &best.In)
	if err != nil {
		return false
	}
	a.settle(m, v, bi, bj, &t, valueBefore)
	return true
}

// numericOptimum maximizes Quote(a).Out·pj − a·pi over a by golden-section
// search on ln a, between 1e-12 and 10 times the pool's holdings of i.
func numericOptimum(pool cfmm.Pool, i, j int, pi, pj float64) uint256.Int {
	h := make([]uint256.Int, pool.NumTokens())
	pool.LPHoldings(h)
	scale := h[i].Float64()
	if scale < 1 {
		scale = 1e18
	}
	profit := func(lnA float64) float64 {
		amt := fromFloat(math.Exp(lnA))
		if amt.IsZero() {
			return 0
		}
		t, err := pool.Quote(i, j, &amt)
		if err != nil {
			return math.Inf(-1)
		}
		return t.Out.Float64()*pj - t.In.Float64()*pi
	}
	const invPhi = 0.6180339887498949
	lo, hi := math.Log(scale*1e-12), math.Log(scale*10)
	c, d := hi-invPhi*(hi-lo), lo+invPhi*(hi-lo)
	fc, fd := profit(c), profit(d)
	for hi-lo > 1e-9 {
		if fc >= fd {
			hi, d, fd = d, c, fc
			c = hi - invPhi*(hi-lo)
			fc = profit(c)
		} else {
			lo, c, fc = c, d, fd
			d = lo + invPhi*(hi-lo)
			fd = profit(d)
		}
	}
	if math.Max(fc, fd) <= 0 {
		return uint256.Int{}
	}
	return fromFloat(math.Exp((lo + hi) / 2))
}
