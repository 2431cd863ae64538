package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/cfmm/uniswapv3"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// Arbitrageur trades each of its venues toward external prices whenever the
// trade is profitable after fees and gas: the proof of work that keeps pool
// prices right.
//
// For a constant-product pair it uses the closed-form optimum; for a
// concentrated-liquidity pool it swaps to the fee-adjusted external price. Selling a of
// token i (reserve x, raw price p_i) for token j (reserve y, price p_j) with
// fee f, γ = 1−f, pays out γay/(x+γa); profit γay/(x+γa)·p_j − a·p_i is
// maximal at
//
//	a* = (√(γ·x·y·p_j/p_i) − x) / γ.
//
// For other pools it maximizes the exact quoted profit numerically (golden-
// method on ln a; the profit is concave in a for every CFMM here).
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
	// Balance sheet and external market (zero values: unlimited capital,
	// an infinitely deep external price). See Limits.
	Limits ArbLimits
	// Unpriced marks, by asset index, the assets it has no external
	// market for (nil: every asset has one). It never trades them: a
	// stablecoin whose price is the outcome of its pools and redemption
	// paths is not pinned to an input.
	Unpriced []bool

	profit, gross, gas float64
	trades             int
	// impact, carry: external price impact and cost of capital paid;
	// used: capital deployed (input value summed over trades); left: the
	// step's unused budget.
	impact, carry, used, left float64
	holdings                  []uint256.Int        // scratch for numericOptimum
	trade                     cfmm.Trade           // scratch for the constant-product path
	amount, bestIn            uint256.Int          // tradeOnce's candidate and chosen inputs, kept off the heap
	swap                      uniswapv3.SwapResult // tradeConcentrated's result, written in place by the pool (a local would move to the heap)
	// single is set by Reset when the arbitrageur trades one constant-
	// product pair with no limits, the reference model's case: Act then
	// goes straight to it while market, venue and pool are still those.
	single struct {
		m    *market.Market
		v    *market.Venue
		pair *uniswapv2.Pair
		g    float64 // 1 − the pair's fee rate
	}
}

// Reset implements Agent.
func (a *Arbitrageur) Reset(m *market.Market, _ *rand.Rand) {
	a.profit, a.gross, a.gas, a.trades = 0, 0, 0, 0
	a.impact, a.carry, a.used = 0, 0, 0
	a.single.m, a.single.v, a.single.pair = nil, nil, nil
	if m == nil || a.Limits.active() || len(a.Venues) != 1 || a.Venues[0] >= len(m.Venues) {
		return
	}
	v := m.Venues[a.Venues[0]]
	if pair, ok := v.Pool.(*uniswapv2.Pair); ok && !a.unpriced(v, 0, 1) {
		a.single.m, a.single.v, a.single.pair = m, v, pair
		a.single.g = 1 - pair.FeeRate()
	}
}

// Metrics implements Agent.
func (a *Arbitrageur) Metrics() []metric.Def {
	defs := []metric.Def{
		{Name: "profit", Unit: "numeraire", Doc: "arbitrage profit after fees and gas, at external prices", Worse: metric.LowerIsWorse},
		{Name: "gas", Unit: "numeraire", Doc: "gas paid", Worse: metric.HigherIsWorse},
		{Name: "trades", Unit: "count", Doc: "arbitrage trades executed", Worse: metric.LowerIsWorse},
	}
	if a.Limits.active() {
		defs = append(defs, a.Limits.metrics()...)
	}
	return defs
}

// Observe implements Agent.
func (a *Arbitrageur) Observe(m *market.Market, dst []float64) {
	dst[0], dst[1], dst[2] = a.profit, a.gas, float64(a.trades)
	if a.Limits.active() {
		dst[3], dst[4], dst[5] = a.impact, a.carry, a.used
	}
}

// Act implements Agent.
func (a *Arbitrageur) Act(m *market.Market) {
	if p := a.single.pair; p != nil && m == a.single.m && a.single.v.Pool == cfmm.Pool(p) {
		// The same trade either way. Which way the pair trades is decided
		// late, on the reserves the last trade left; whether token 0's
		// price rose against token 1's is known as soon as the prices
		// are read, and on a pair arbitraged at every step it is almost
		// always the way of the trade. Branching on it first lets the
		// processor predict the later branch from it.
		v := a.single.v
		a0, a1 := v.Assets[0], v.Assets[1]
		if m.Prices[a0]*m.PrevPrices[a1] > m.PrevPrices[a0]*m.Prices[a1] {
			a.tradePair(m, v, p)
		} else {
			a.tradePair(m, v, p)
		}
		return
	}
	if a.Limits.active() {
		a.actLimited(m)
		return
	}
	for _, vi := range a.Venues {
		v := m.Venues[vi]
		if a.Unpriced != nil && v.Pool.NumTokens() == 2 && (a.Unpriced[v.Assets[0]] || a.Unpriced[v.Assets[1]]) {
			continue
		}
		switch pool := v.Pool.(type) {
		case *uniswapv2.Pair:
			a.tradePair(m, v, pool)
			continue
		case *uniswapv3.Pool:
			a.tradeConcentrated(m, v, pool)
			continue
		}
		for range max(1, a.MaxTradesPerStep) {
			if !a.tradeOnce(m, v) {
				break
			}
		}
	}
}

// unpriced reports whether pool token i or j of v has no external market.
func (a *Arbitrageur) unpriced(v *market.Venue, i, j int) bool {
	return a.Unpriced != nil && (a.Unpriced[v.Assets[i]] || a.Unpriced[v.Assets[j]])
}

// settle books an executed trade that paid in (numeraire value of the
// input) and received out: profit, LVR (profit before fees and gas) and LVR
// relative to valueBefore.
func (a *Arbitrageur) settle(v *market.Venue, fee, in, out, valueBefore float64) {
	v.Record(in, fee)
	net := out - in
	gross := net + fee
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
func (a *Arbitrageur) tradePair(m *market.Market, v *market.Venue, pair *uniswapv2.Pair) {
	x0, x1 := pair.ReservesFloat()
	a0, a1 := v.Assets[0], v.Assets[1]
	p0, p1 := m.RawPrice(a0), m.RawPrice(a1)
	// The pool overprices token 0 when x1/x0 > p0/p1: cross-multiplied,
	// no division.
	i, j, x, y, pi, pj := 0, 1, x0, x1, p0, p1
	if x1*p1 <= x0*p0 {
		i, j, x, y, pi, pj = 1, 0, x1, x0, p1, p0
		if x0*p0 <= x1*p1 {
			return
		}
	}
	g := 1 - pair.FeeRate()
	if p := a.single.pair; p == pair {
		g = a.single.g
	}
	best := optimalInputG(x, y, pi, pj, g)
	// floor(best) is the float of the exact input: below 2^53 both are
	// the same integer, above it best is already one.
	in := math.Floor(best) * pi
	if lo, hi, ok := cfmm.Amount128(best); ok {
		// The usual case: the exact output is known before the pair
		// changes, so a trade that does not pay is never made. A quote
		// that succeeded is of two-word amounts.
		if outLo, outHi, feeLo, feeHi, ok := pair.QuoteWords(i, lo, hi); ok {
			outV := cfmm.Float128(outHi, outLo) * pj
			if outV-in <= a.Gas {
				return
			}
			pair.ApplyWords(i, lo, hi, outLo, outHi)
			prev := x0*m.PrevPrices[a0]*m.Unit[a0] + x1*m.PrevPrices[a1]*m.Unit[a1]
			// A pair's fee is in its input token.
			a.settle(v, cfmm.Float128(feeHi, feeLo)*pi, in, outV, prev)
			return
		}
	}
	amount := cfmm.Amount(best)
	if amount.IsZero() {
		return
	}
	prev := x0*m.PrevPrices[a0]*m.Unit[a0] + x1*m.PrevPrices[a1]*m.Unit[a1]
	saved := *pair
	t := &a.trade
	if pair.SwapInto(i, j, &amount, t) != nil {
		return
	}
	out := cfmm.Float(&t.Out) * pj
	if out-in <= a.Gas {
		*pair = saved
		return
	}
	a.settle(v, cfmm.Float(&t.Fee)*pi, in, out, prev)
}

// optimalInput is the profit-maximizing input a* = (√(γ·x·y·pj/pi) − x)/γ,
// γ = 1 − fee, for a constant-product pool with reserves x (input) and y
// (output), in raw units. It is evaluated as √(x·y·(pj/(γ·pi))) − x/γ: the
// factor pj/(γ·pi) does not depend on the reserves, so the one division
// and the square root on the path from the reserves to the trade are
// the square root alone.
func optimalInput(x, y, pi, pj, fee float64) float64 {
	return optimalInputG(x, y, pi, pj, 1-fee)
}

// optimalInputG is optimalInput for g = 1 − fee.
func optimalInputG(x, y, pi, pj, g float64) float64 {
	return math.Sqrt(x*y*(pj/(g*pi))) - x/g
}

// constantProductOptimum is optimalInput floored to raw units.
func constantProductOptimum(x, y, pi, pj, fee float64) uint256.Int {
	return cfmm.Amount(optimalInput(x, y, pi, pj, fee))
}

// maxInt256 is the exact-input amount that lets a swap run to its price
// limit.
var maxInt256 = new(uint256.Int).Rsh(new(uint256.Int).SetAllOne(), 1)

// limitLow and limitHigh bound a Uniswap v3 price limit: MinSqrtRatio()+1
// and MaxSqrtRatio()−1, the widest a swap accepts.
var limitLow, limitHigh = func() (lo, hi uint256.Int) {
	lo, hi = uniswapv3.MinSqrtRatio(), uniswapv3.MaxSqrtRatio()
	lo.AddUint64(&lo, 1)
	hi.SubUint64(&hi, 1)
	return lo, hi
}()

// tradeConcentrated arbitrages a Uniswap v3 pool by swapping until the
// marginal price net of the fee meets the external price: selling token 0
// while P·(1−f) > E pushes the pool price down to E/(1−f), selling token 1
// while P/(1−f) < E pushes it up to E·(1−f), where P is the pool price and E
// the external price of token 0 in token 1 (raw units). The swap executes
// only if it beats gas.
func (a *Arbitrageur) tradeConcentrated(m *market.Market, v *market.Venue, pool *uniswapv3.Pool) {
	p0, p1 := m.RawPrice(v.Assets[0]), m.RawPrice(v.Assets[1])
	P, E := pool.SpotPrice(0, 1), p0/p1
	f := float64(pool.Fee()) / 1e6
	var zeroForOne bool
	var target float64
	switch {
	case P*(1-f) > E:
		zeroForOne, target = true, E/(1-f)
	case P < E*(1-f):
		zeroForOne, target = false, E*(1-f)
	default:
		return
	}
	// Word by word where the limit fits two words, as it does at any
	// realistic price: Amount's result, built by word stores, would be
	// read back whole with loads the processor cannot forward.
	var limit uint256.Int
	if lo, hi, ok := cfmm.Amount128(math.Sqrt(target) * 0x1p96); ok {
		limit[0], limit[1] = lo, hi
	} else {
		limit = cfmm.Amount(math.Sqrt(target) * 0x1p96)
	}
	if limit.Lt(&limitLow) {
		limit = limitLow
	}
	if limit.Gt(&limitHigh) {
		limit = limitHigh
	}
	// The swap is computed once and committed only if it beats gas, the
	// pool's value before it taken while the pool is still unchanged.
	i, j := 1, 0
	if zeroForOne {
		i, j = 0, 1
	}
	pi, pj := m.RawPrice(v.Assets[i]), m.RawPrice(v.Assets[j])
	// A limit within the current range is first judged on the pool's float
	// estimate of the swap: one surely not beating gas is not computed. The
	// margin covers the estimate's error (1e-12 relatively plus 4 units of
	// each amount) and the float rounding of the exact test below, so the
	// decision is the exact one.
	if eIn, eOut, ok := pool.EstimateToLimit(zeroForOne, &limit); ok {
		inE, outE := eIn*pi, eOut*pj
		if outE-inE+1e-9*(inE+outE)+4*(pi+pj) <= a.Gas {
			return
		}
	}
	var in, out uint256.Int
	var inV, outV, valueBefore float64
	q := &a.swap
	ok, err := pool.SwapAmountsIf(zeroForOne, maxInt256, &limit, q, func(q *uniswapv3.SwapResult) bool {
		// Word by word (the pool writes q so): whole copies would read
		// back its fresh stores with loads that cannot be forwarded.
		qi, qo := &q.Amount1, &q.Amount0
		if zeroForOne {
			qi, qo = &q.Amount0, &q.Amount1
		}
		in[0], in[1], in[2], in[3] = qi[0], qi[1], qi[2], qi[3]
		out.Neg(qo)
		inV, outV = cfmm.Float(&in)*pi, cfmm.Float(&out)*pj
		if outV-inV <= a.Gas {
			return false
		}
		valueBefore = v.Value(m, m.PrevPrices)
		return true
	})
	if err != nil || !ok {
		return
	}
	t := cfmm.Trade{In: in, Out: out, Fee: q.Fee, FeeToken: i}
	a.settle(v, v.FeeValue(m, &t), inV, outV, valueBefore)
}

// tradeOnce makes the single most profitable trade on v, if any.
func (a *Arbitrageur) tradeOnce(m *market.Market, v *market.Venue) bool {
	best, bi, bj := cfmm.Trade{}, -1, -1
	bestProfit := 0.0
	n := v.Pool.NumTokens()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j || a.unpriced(v, i, j) {
				continue
			}
			pi, pj := m.RawPrice(v.Assets[i]), m.RawPrice(v.Assets[j])
			// Selling i only pays if the pool, net of its fee, values i
			// above the market.
			if v.Pool.SpotPrice(i, j)*(1-v.Pool.FeeRate())*pj <= pi {
				continue
			}
			if len(a.holdings) != n {
				a.holdings = make([]uint256.Int, n)
			}
			a.amount = numericOptimum(v.Pool, i, j, pi, pj, a.holdings)
			if a.amount.IsZero() {
				continue
			}
			t, err := v.Pool.Quote(i, j, &a.amount)
			if err != nil {
				continue
			}
			if p := cfmm.Float(&t.Out)*pj - cfmm.Float(&t.In)*pi; p > bestProfit {
				best, bi, bj, bestProfit = t, i, j, p
			}
		}
	}
	if bi < 0 || bestProfit <= a.Gas {
		return false
	}
	valueBefore := v.Value(m, m.PrevPrices)
	a.bestIn = best.In
	t, err := v.Pool.Swap(bi, bj, &a.bestIn)
	if err != nil {
		return false
	}
	a.settle(v, v.FeeValue(m, &t), cfmm.Float(&t.In)*m.RawPrice(v.Assets[bi]), cfmm.Float(&t.Out)*m.RawPrice(v.Assets[bj]), valueBefore)
	return true
}

// numericOptimum maximizes the exact quoted profit
//
//	π(a) = Quote(a).Out·pj − a·pi
//
// over ln a in [ln(1e-12·H), ln(10·H)], H the pool's holdings of token i,
// by Brent's method (golden-section steps safeguarding parabolic
// interpolation), to a relative precision of 1e-7 in a. π is concave in a
// for the CFMMs here, so it is unimodal in ln a. It returns zero when no
// amount is profitable. A pool that is a cfmm.Estimator is searched on its
// float64 estimate, some hundred times cheaper than an exact quote; the
// caller quotes the amount found exactly before trading it.
func numericOptimum(pool cfmm.Pool, i, j int, pi, pj float64, h []uint256.Int) uint256.Int {
	if opt, ok := pool.(cfmm.Optimizer); ok {
		return optimizerOptimum(opt, i, j, pi, pj)
	}
	pool.LPHoldings(h)
	scale := cfmm.Float(&h[i])
	if scale < 1 {
		return uint256.Int{}
	}
	est, _ := pool.(cfmm.Estimator)
	loss := func(lnA float64) float64 {
		a := math.Exp(lnA)
		if est != nil {
			if a < 1 {
				return 0
			}
			out, ok := est.EstimateOut(i, j, a)
			if !ok {
				return math.Inf(1)
			}
			return -(out*pj - a*pi)
		}
		amt := cfmm.Amount(a)
		if amt.IsZero() {
			return 0
		}
		t, err := pool.Quote(i, j, &amt)
		if err != nil {
			return math.Inf(1)
		}
		return -(cfmm.Float(&t.Out)*pj - cfmm.Float(&t.In)*pi)
	}
	x, fx := brentMin(loss, math.Log(scale*1e-12), math.Log(scale*10), 1e-7)
	if fx >= 0 {
		return uint256.Int{}
	}
	return cfmm.Amount(math.Exp(x))
}

// optimizerOptimum is numericOptimum on a pool that solves for its own
// optimum (cfmm.Optimizer): the amount floored to raw units, or zero when
// it is below one unit or its estimated profit is not positive.
func optimizerOptimum(pool cfmm.Optimizer, i, j int, pi, pj float64) uint256.Int {
	a := pool.OptimalIn(i, j, pi/pj)
	if !(a >= 1) {
		return uint256.Int{}
	}
	out, ok := pool.EstimateOut(i, j, a)
	if !ok || out*pj-a*pi <= 0 {
		return uint256.Int{}
	}
	return cfmm.Amount(a)
}

// brentMin finds a local minimum of f on [a, b] to absolute tolerance tol in
// x, by Brent's method (Algorithm "localmin", Brent 1973, ch. 5).
func brentMin(f func(float64) float64, a, b, tol float64) (float64, float64) {
	const c = 0.3819660112501051 // (3 − √5)/2
	x := a + c*(b-a)
	w, v := x, x
	fx := f(x)
	fw, fv := fx, fx
	var d, e float64
	for range 100 {
		m := (a + b) / 2
		if math.Abs(x-m) <= 2*tol-(b-a)/2 {
			break
		}
		golden := true
		if math.Abs(e) > tol {
			// Fit a parabola through x, w, v.
			r := (x - w) * (fx - fv)
			q := (x - v) * (fx - fw)
			p := (x-v)*q - (x-w)*r
			q = 2 * (q - r)
			if q > 0 {
				p = -p
			} else {
				q = -q
			}
			if math.Abs(p) < math.Abs(q*e/2) && p > q*(a-x) && p < q*(b-x) {
				e, d = d, p/q
				golden = false
				if u := x + d; u-a < 2*tol || b-u < 2*tol {
					d = math.Copysign(tol, m-x)
				}
			}
		}
		if golden {
			if x < m {
				e = b - x
			} else {
				e = a - x
			}
			d = c * e
		}
		u := x + d
		if math.Abs(d) < tol {
			u = x + math.Copysign(tol, d)
		}
		fu := f(u)
		if fu <= fx {
			if u < x {
				b = x
			} else {
				a = x
			}
			v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
			continue
		}
		if u < x {
			a = u
		} else {
			b = u
		}
		switch {
		case fu <= fw || w == x:
			v, fv, w, fw = w, fw, u, fu
		case fu <= fv || v == x || v == w:
			v, fv = u, fu
		}
	}
	return x, fx
}
