package uniswapv3

import (
	"errors"
	"math"
	"math/bits"
	"slices"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// ErrTokenIndex is returned by Quote and Swap for token indices other than
// (0, 1) or (1, 0).
var ErrTokenIndex = errors.New("uniswapv3: token indices must be 0 and 1, distinct")

var _ cfmm.Pool = (*Pool)(nil)

// NumTokens returns 2: token0 is index 0 and token1 index 1.
func (p *Pool) NumTokens() int { return 2 }

// SpotPrice returns the marginal price of token i in token j before fees,
// from the current sqrt price: (sqrtPriceX96/2^96)^2 token1 per token0 for
// i=0, j=1, and its inverse for i=1, j=0. It returns 1 for i == j and NaN
// for an index other than 0 or 1.
func (p *Pool) SpotPrice(i, j int) float64 {
	if i < 0 || i > 1 || j < 0 || j > 1 {
		return math.NaN()
	}
	if i == j {
		return 1
	}
	s := p.sqrtPriceX96.Float64() / 0x1p96
	if i == 0 {
		return s * s
	}
	return 1 / (s * s)
}

// Quote returns what Swap(i, j, amountIn) would return, leaving the pool
// unchanged.
func (p *Pool) Quote(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	return p.trade(i, j, amountIn, false)
}

// Swap sells amountIn of token i for token j: an exact-input SwapWithLimit
// with the widest price limit, MinSqrtRatio()+1 or MaxSqrtRatio()−1, as a
// router does when given no limit. If the price reaches that limit the
// pool takes only part of amountIn, and Trade.In says how much. Trade.Fee
// is the whole swap fee in token i. Reverts as SwapWithLimit; an amountIn
// of 2^255 or more reverts "SafeCast", as the router's int256 cast does.
func (p *Pool) Swap(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	return p.trade(i, j, amountIn, true)
}

// SwapInto sets *t to what Swap(i, j, amountIn) returns, the zero Trade on
// error, and changes the pool as Swap does (cfmm.SwapperInto).
func (p *Pool) SwapInto(i, j int, amountIn *uint256.Int, t *cfmm.Trade) error {
	return p.tradeInto(i, j, amountIn, true, t)
}

func (p *Pool) trade(i, j int, amountIn *uint256.Int, commit bool) (cfmm.Trade, error) {
	var t cfmm.Trade
	err := p.tradeInto(i, j, amountIn, commit, &t)
	return t, err
}

// tradeInto is Swap (commit) or Quote into *t.
func (p *Pool) tradeInto(i, j int, amountIn *uint256.Int, commit bool, t *cfmm.Trade) error {
	var zeroForOne bool
	var limit uint256.Int
	switch {
	case i == 0 && j == 1:
		zeroForOne, limit = true, minSqrtRatioPlusOne
	case i == 1 && j == 0:
		zeroForOne, limit = false, maxSqrtRatioMinusOne
	default:
		*t = cfmm.Trade{}
		return ErrTokenIndex
	}
	if !isInt256(amountIn) {
		*t = cfmm.Trade{}
		return errSafeCast
	}
	var r SwapResult
	if _, err := p.swap(zeroForOne, amountIn, &limit, commit, nil, false, &r); err != nil {
		*t = cfmm.Trade{}
		return err
	}
	// Word by word: swapLean writes r a word at a time, and whole-value
	// copies would read it back with loads the processor cannot forward.
	in, out := &r.Amount0, &r.Amount1
	if !zeroForOne {
		in, out = &r.Amount1, &r.Amount0
	}
	t.FeeToken = i
	t.Fee[0], t.Fee[1], t.Fee[2], t.Fee[3] = r.Fee[0], r.Fee[1], r.Fee[2], r.Fee[3]
	t.In[0], t.In[1], t.In[2], t.In[3] = in[0], in[1], in[2], in[3]
	t.Out.Neg(out)
	return nil
}

// LPHoldings writes into dst[0] and dst[1] the token0 and token1 that belong
// to liquidity providers: for every position, the tokens its liquidity
// represents at the current price, rounded down (what burning it would
// credit), plus what it is owed and the fees it has earned since its last
// update (what a zero burn would credit). Protocol fees are excluded. If dst
// is shorter than 2, only the entries it has are written.
//
// It adds each amount into the totals in place, two words at a time where
// it can (positionAmounts' and feesEarned's values, without returning
// them through memory).
func (p *Pool) LPHoldings(dst []uint256.Int) {
	var total0, total1 uint256.Int
	price, g0, g1 := &p.sqrtPriceX96, &p.feeGrowthGlobal0X128, &p.feeGrowthGlobal1X128
	for i := range p.positions.entries {
		e, key := &p.positions.entries[i], &p.positions.keys[i]
		total0.Add(&total0, &e.TokensOwed0)
		total1.Add(&total1, &e.TokensOwed1)
		if e.Liquidity.IsZero() {
			continue
		}
		tick := p.tickFor(e, key.tickLower, key.tickUpper)
		l := &e.Liquidity
		switch {
		case tick < key.tickLower:
			total0.Add(&total0, &e.below0)
		case tick >= key.tickUpper:
			total1.Add(&total1, &e.above1)
		default:
			if z1, z0, ok := e.amount0WithinWords(price, &p.quot); ok {
				addWords(&total0, 0, z1, z0)
			} else {
				a0, _ := Amount0Delta(price, &e.sqrtUpper, l, false)
				total0.Add(&total0, &a0)
			}
			// Amount1Delta(A, P, L, false) = floor(L·(P − A)/2^96)
			var diff uint256.Int
			diff.Sub(price, &e.sqrtLower)
			if diff[2]|diff[3]|l[2]|l[3] == 0 {
				w3, w2, w1, _ := mul128(l[1], l[0], diff[1], diff[0])
				addWords(&total1, w3>>32, w2>>32|w3<<32, w1>>32|w2<<32)
			} else {
				a1, _ := Amount1Delta(&e.sqrtLower, price, l, false)
				total1.Add(&total1, &a1)
			}
		}

		// The fee growth inside (feeGrowthInside), global less below and
		// above; a position with liquidity keeps both bounds initialized.
		var in0, in1 uint256.Int
		lo, up := e.lower, e.upper
		if tick >= key.tickLower {
			in0.Sub(g0, &lo.FeeGrowthOutside0X128)
			in1.Sub(g1, &lo.FeeGrowthOutside1X128)
		} else {
			in0, in1 = lo.FeeGrowthOutside0X128, lo.FeeGrowthOutside1X128
		}
		if tick < key.tickUpper {
			in0.Sub(&in0, &up.FeeGrowthOutside0X128)
			in1.Sub(&in1, &up.FeeGrowthOutside1X128)
		} else {
			var a uint256.Int
			a.Sub(g0, &up.FeeGrowthOutside0X128)
			in0.Sub(&in0, &a)
			a.Sub(g1, &up.FeeGrowthOutside1X128)
			in1.Sub(&in1, &a)
		}
		f1, f0 := feesEarnedWords(l, &in0, &e.FeeGrowthInside0LastX128)
		addWords(&total0, 0, f1, f0)
		f1, f0 = feesEarnedWords(l, &in1, &e.FeeGrowthInside1LastX128)
		addWords(&total1, 0, f1, f0)
	}
	// Word by word, for the reason of tradeInto's copies.
	if len(dst) > 0 {
		dst[0][0], dst[0][1], dst[0][2], dst[0][3] = total0[0], total0[1], total0[2], total0[3]
	}
	if len(dst) > 1 {
		dst[1][0], dst[1][1], dst[1][2], dst[1][3] = total1[0], total1[1], total1[2], total1[3]
	}
}

// PositionHoldings returns what one position holds: the tokens its
// liquidity represents at the current price, rounded down, plus what it is
// owed (amount0, amount1), and separately the fees it has earned since its
// last update (fee0, fee1), as in LPHoldings. An unknown position holds
// nothing.
func (p *Pool) PositionHoldings(owner string, tickLower, tickUpper int32) (amount0, amount1, fee0, fee1 uint256.Int) {
	key := positionKey{owner: owner, tickLower: tickLower, tickUpper: tickUpper}
	e, ok := p.positions.get(key)
	if !ok {
		return
	}
	amount0, amount1 = e.TokensOwed0, e.TokensOwed1
	if e.Liquidity.IsZero() {
		return
	}
	tick := p.tickFor(&e, tickLower, tickUpper)
	a0, a1 := p.positionAmounts(&e, tick, tickLower, tickUpper)
	amount0.Add(&amount0, &a0)
	amount1.Add(&amount1, &a1)
	in0, in1 := feeGrowthInside(e.lower, e.upper, tickLower, tickUpper, tick, &p.feeGrowthGlobal0X128, &p.feeGrowthGlobal1X128)
	fee0 = feesEarned(&e.Liquidity, &in0, &e.FeeGrowthInside0LastX128)
	fee1 = feesEarned(&e.Liquidity, &in1, &e.FeeGrowthInside1LastX128)
	return
}

// tickFor returns the pool's tick, or when it is stale (the tick of the
// price) a tick on the same side of the position's bounds as it, which is
// all that positionAmounts and feeGrowthInside compare: the tick of a price
// P is at least a bound's exactly when P is at least the bound's sqrt
// price.
func (p *Pool) tickFor(e *positionEntry, tickLower, tickUpper int32) int32 {
	switch {
	case !p.tickStale:
		return p.tick
	case p.sqrtPriceX96.Lt(&e.sqrtLower):
		return tickLower - 1
	case p.sqrtPriceX96.Lt(&e.sqrtUpper):
		return tickLower
	}
	return tickUpper
}

// positionAmounts returns the tokens a position's liquidity represents at
// the current price and tick, rounded down.
func (p *Pool) positionAmounts(e *positionEntry, tick, tickLower, tickUpper int32) (amount0, amount1 uint256.Int) {
	// The prices are valid and the liquidity a uint128: no error can occur.
	switch {
	case tick < tickLower:
		return e.below0, amount1
	case tick < tickUpper:
		var ok bool
		if amount0, ok = e.amount0Within(&p.sqrtPriceX96, &p.quot); !ok {
			amount0, _ = Amount0Delta(&p.sqrtPriceX96, &e.sqrtUpper, &e.Liquidity, false)
		}
		amount1, _ = Amount1Delta(&e.sqrtLower, &p.sqrtPriceX96, &e.Liquidity, false)
		return amount0, amount1
	}
	return amount0, e.above1
}

// Clone returns an independent deep copy of the pool as a cfmm.Pool; its
// dynamic type is *Pool.
func (p *Pool) Clone() cfmm.Pool {
	c := *p
	c.ticks = make(map[int32]*Tick, len(p.ticks))
	for k, t := range p.ticks {
		u := *t
		c.ticks[k] = &u
	}
	c.positions = p.positions.clone()
	for i := range c.positions.entries {
		if e, key := &c.positions.entries[i], c.positions.keys[i]; e.lower != nil {
			e.lower, e.upper = c.ticks[key.tickLower], c.ticks[key.tickUpper]
		}
	}
	c.bitmap.words = slices.Clone(p.bitmap.words)
	c.crossed = nil
	return &c
}

// FeeRate returns the swap fee as a fraction of the input, fee/1e6.
func (p *Pool) FeeRate() float64 { return float64(p.Fee()) / 1e6 }

// addWords adds w2·2^128 + w1·2^64 + w0 to z, modulo 2^256.
func addWords(z *uint256.Int, w2, w1, w0 uint64) {
	var c uint64
	z[0], c = bits.Add64(z[0], w0, 0)
	z[1], c = bits.Add64(z[1], w1, c)
	z[2], c = bits.Add64(z[2], w2, c)
	z[3] += c
}
