package uniswapv3

import (
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// SwapResult is the outcome of a swap.
type SwapResult struct {
	// Amount0 and Amount1 are the changes of the pool's balances (int256,
	// two's complement): positive for what the swapper pays in, negative for
	// what the pool pays out.
	Amount0 uint256.Int
	Amount1 uint256.Int
	// SqrtPriceX96, Tick and Liquidity are the pool's price, tick and active
	// liquidity after the swap.
	SqrtPriceX96 uint256.Int
	Tick         int32
	Liquidity    uint256.Int
	// Fee is the total swap fee, in the input token, including the
	// protocol's share.
	Fee uint256.Int
	// ProtocolFee is the protocol's share of Fee.
	ProtocolFee uint256.Int
}

// crossing records a tick crossed by a swap and the input token's global fee
// growth at that moment, so that the tick's outside growth can be flipped
// once the swap is known to succeed.
type crossing struct {
	tick      int32
	feeGrowth uint256.Int
}

// SwapWithLimit swaps token0 for token1 (zeroForOne) or the reverse
// (UniswapV3Pool.swap). amountSpecified is an int256 in two's complement:
// positive for an exact input of that much of the input token, negative for
// an exact output of its magnitude of the output token. The swap stops early
// if the price reaches sqrtPriceLimitX96 (Q64.96), which must lie strictly
// between the current price and the extreme in the swap's direction.
//
// The swap walks the price from range to range, one initialized tick or
// bitmap word at a time (ComputeSwapStep in each). Each step's fee, less the
// protocol's share, is added to the global fee growth as
// fee·2^128/liquidity rounded down; each initialized tick crossed has its
// outside fee growth flipped (global − outside) and its net liquidity added
// (moving up) or subtracted (moving down).
//
// The swapper pays exactly the positive amount, and the pool's balances
// change by Amount0 and Amount1. Reverts: "AS" (zero amount), "LOK"
// (uninitialized), "SPL" (bad limit), and the math reverts of the steps.
func (p *Pool) SwapWithLimit(zeroForOne bool, amountSpecified, sqrtPriceLimitX96 *uint256.Int) (SwapResult, error) {
	var r SwapResult
	_, err := p.swap(zeroForOne, amountSpecified, sqrtPriceLimitX96, true, nil, true, &r)
	return r, err
}

// SwapWithLimitIf is SwapWithLimit that lets the caller decide, from the
// result, whether the swap happens: it computes the swap into r, calls
// accept with r while the pool is still unchanged (accept may read the
// pool and r, but change neither), and commits only if accept returns
// true. It reports whether the swap was committed; it costs one swap where
// QuoteWithLimit followed by SwapWithLimit costs two, and the result is
// written once, in the caller's r, rather than copied to accept and back.
// A revert is returned without calling accept.
func (p *Pool) SwapWithLimitIf(zeroForOne bool, amountSpecified, sqrtPriceLimitX96 *uint256.Int, r *SwapResult, accept func(*SwapResult) bool) (bool, error) {
	// accept sees r through a closure: handed to an unknown function, r
	// itself escapes, which swap's other callers' locals must not.
	return p.swap(zeroForOne, amountSpecified, sqrtPriceLimitX96, true, func() bool { return accept(r) }, true, r)
}

// SwapAmountsIf is SwapWithLimitIf for a caller that reads only the
// amounts, price, liquidity and fees of r: when the swap ends strictly
// within a range r.Tick holds nothing of use, deriving the tick
// (TickAtSqrtRatio, a logarithm) being left to when the pool's tick is
// read, as after Swap. Everything else, the pool's state included, is as
// SwapWithLimitIf leaves it.
func (p *Pool) SwapAmountsIf(zeroForOne bool, amountSpecified, sqrtPriceLimitX96 *uint256.Int, r *SwapResult, accept func(*SwapResult) bool) (bool, error) {
	return p.swap(zeroForOne, amountSpecified, sqrtPriceLimitX96, true, func() bool { return accept(r) }, false, r)
}

// QuoteWithLimit returns what SwapWithLimit would return, leaving the pool
// unchanged.
func (p *Pool) QuoteWithLimit(zeroForOne bool, amountSpecified, sqrtPriceLimitX96 *uint256.Int) (SwapResult, error) {
	var r SwapResult
	_, err := p.swap(zeroForOne, amountSpecified, sqrtPriceLimitX96, false, nil, true, &r)
	return r, err
}

// swap runs the swap loop. Without commit it only reads the pool; with
// commit it writes the result once the loop has finished without a revert,
// unless accept is non-nil and rejects the result in r, and reports whether it
// wrote. The two modes compute identical results: a swap never revisits a
// tick, so deferring the tick writes changes nothing the loop reads.
//
// A step that ends strictly within a range ends the loop (it has spent the
// whole amount or reached the limit), and the contract's tick is then
// TickAtSqrtRatio of the price: swap leaves it to be derived when read
// (Pool.tickStale) unless needTick asks for it in r.Tick.
func (p *Pool) swap(zeroForOne bool, amountSpecified, limit *uint256.Int, commit bool, accept func() bool, needTick bool, r *SwapResult) (bool, error) {
	if amountSpecified.IsZero() {
		return false, errAS
	}
	if !p.initialized() {
		return false, errLOK
	}
	if zeroForOne {
		if !limit.Lt(&p.sqrtPriceX96) || !limit.Gt(&minSqrtRatio) {
			return false, errSPL
		}
	} else if !limit.Gt(&p.sqrtPriceX96) || !limit.Lt(&maxSqrtRatio) {
		return false, errSPL
	}

	if leanSwaps && amountSpecified.Sign() > 0 {
		if leanWords {
			if handled, ok, err := p.swapLean(zeroForOne, amountSpecified, limit, commit, accept, needTick, r); handled {
				return ok, err
			}
		}
		if handled, ok, err := p.swapWithin(zeroForOne, amountSpecified, limit, commit, accept, needTick, r); handled {
			return ok, err
		}
	}

	feeProtocol := uint64(p.feeProtocol % 16)
	feeGrowth := p.feeGrowthGlobal0X128
	if !zeroForOne {
		feeProtocol = uint64(p.feeProtocol >> 4)
		feeGrowth = p.feeGrowthGlobal1X128
	}
	exactInput := amountSpecified.Sign() > 0
	remaining := *amountSpecified
	var calculated, protocolFee, feeTotal uint256.Int
	price, tick, liquidity := p.sqrtPriceX96, p.tick, p.liquidity
	stale := p.tickStale
	if commit {
		p.crossed = p.crossed[:0]
	}

	for !remaining.IsZero() && price != *limit {
		start := price
		tickNext, initialized, sqrtNext, err := p.nextTick(tick, stale, &price, zeroForOne, commit)
		if err != nil {
			return false, err
		}
		target := &sqrtNext
		if (zeroForOne && sqrtNext.Lt(limit)) || (!zeroForOne && sqrtNext.Gt(limit)) {
			target = limit
		}
		step, ok := stepWords(&price, target, &liquidity, &remaining, p.fee)
		if !ok {
			if step, err = ComputeSwapStep(&price, target, &liquidity, &remaining, p.fee); err != nil {
				return false, err
			}
		}
		price = step.SqrtRatioNextX96

		var inWithFee uint256.Int
		inWithFee.Add(&step.AmountIn, &step.FeeAmount) // unchecked in the contract
		if !isInt256(&inWithFee) || !isInt256(&step.AmountOut) {
			return false, errSafeCast
		}
		if exactInput {
			remaining.Sub(&remaining, &inWithFee)
			if !subSigned(&calculated, &calculated, &step.AmountOut) {
				return false, errLowGasSafeMath
			}
		} else {
			remaining.Add(&remaining, &step.AmountOut)
			if !addSigned(&calculated, &calculated, &inWithFee) {
				return false, errLowGasSafeMath
			}
		}
		feeTotal.Add(&feeTotal, &step.FeeAmount)

		fee := step.FeeAmount
		if feeProtocol > 0 {
			var delta uint256.Int
			delta.Div(&fee, &uint256.Int{feeProtocol, 0, 0, 0})
			fee.Sub(&fee, &delta)
			truncate128(&delta)
			protocolFee.Add(&protocolFee, &delta)
			truncate128(&protocolFee)
		}
		if !liquidity.IsZero() {
			growth, err := feeGrowthDelta(&fee, &liquidity, &p.recip)
			if err != nil {
				return false, err
			}
			feeGrowth.Add(&feeGrowth, &growth) // wraps, as in the contract
		}

		if price == sqrtNext {
			if initialized {
				net := p.ticks[tickNext].LiquidityNet // initialized: present
				if commit {
					p.crossed = append(p.crossed, crossing{tickNext, feeGrowth})
				}
				// Moving down, a tick's net liquidity is removed.
				if zeroForOne {
					net.Neg(&net)
				}
				if liquidity, err = AddDelta(&liquidity, &net); err != nil {
					return false, err
				}
			}
			if zeroForOne {
				tick = tickNext - 1
			} else {
				tick = tickNext
			}
			stale = false
		} else if price != start {
			// The contract recomputes the tick unless the price has not
			// moved, which would leave a tick just crossed downwards where
			// the crossing put it.
			stale = true
		}
	}
	if stale && needTick {
		// The price lies strictly between the ratios of MinTick and
		// MaxTick: TickAtSqrtRatio cannot fail.
		tick, _ = TickAtSqrtRatio(&price)
		stale = false
	}

	var used uint256.Int
	used.Sub(amountSpecified, &remaining)
	if zeroForOne == exactInput {
		r.Amount0, r.Amount1 = used, calculated
	} else {
		r.Amount0, r.Amount1 = calculated, used
	}
	// The pool pays out before it is paid; a transfer beyond its balance fails.
	if zeroForOne {
		if payoutExceeds(&r.Amount1, &p.balance1) {
			return false, errTF
		}
	} else if payoutExceeds(&r.Amount0, &p.balance0) {
		return false, errTF
	}
	r.SqrtPriceX96, r.Tick, r.Liquidity = price, tick, liquidity
	r.Fee, r.ProtocolFee = feeTotal, protocolFee
	if !commit || (accept != nil && !accept()) {
		return false, nil
	}

	for i := range p.crossed {
		c := &p.crossed[i]
		t := p.ticks[c.tick]
		// The other token's global growth does not change during the swap.
		if zeroForOne {
			t.FeeGrowthOutside0X128.Sub(&c.feeGrowth, &t.FeeGrowthOutside0X128)
			t.FeeGrowthOutside1X128.Sub(&p.feeGrowthGlobal1X128, &t.FeeGrowthOutside1X128)
		} else {
			t.FeeGrowthOutside0X128.Sub(&p.feeGrowthGlobal0X128, &t.FeeGrowthOutside0X128)
			t.FeeGrowthOutside1X128.Sub(&c.feeGrowth, &t.FeeGrowthOutside1X128)
		}
	}
	p.sqrtPriceX96, p.tick, p.tickStale, p.liquidity = price, tick, stale, liquidity
	p.commitGlobals(zeroForOne, &feeGrowth, &protocolFee, r)
	return true, nil
}

// commitGlobals writes what a swap changes besides its price, tick and
// liquidity: the input token's global fee growth, its protocol fees
// (accumulated modulo 2^128, the contract's uint128 slot) and both
// balances, moved by the result's two's-complement amounts.
func (p *Pool) commitGlobals(zeroForOne bool, feeGrowth, protocolFee *uint256.Int, r *SwapResult) {
	if zeroForOne {
		p.feeGrowthGlobal0X128 = *feeGrowth
		p.protocolFees0.Add(&p.protocolFees0, protocolFee)
		truncate128(&p.protocolFees0)
	} else {
		p.feeGrowthGlobal1X128 = *feeGrowth
		p.protocolFees1.Add(&p.protocolFees1, protocolFee)
		truncate128(&p.protocolFees1)
	}
	p.balance0.Add(&p.balance0, &r.Amount0)
	p.balance1.Add(&p.balance1, &r.Amount1)
}

// leanSwaps enables swapWithin; tests turn it off to compare it with the
// general loop.
var leanSwaps = true

// leanWords enables swapLean ahead of swapWithin; tests turn it off to
// compare the two.
var leanWords = true

// swapWithin is swap, after its argument checks, for an exact input whose
// one step, on words (stepWords), does not end on the next tick: the
// common swap, which ends within the current range having spent the
// amount or reached the limit. The general loop would run once and stop;
// this computes the same amounts, fee, fee growth, price and tick without
// its running sums. handled is false, with nothing written, when the step
// reaches the next tick (a crossing), stepWords declines, or a value
// would make the loop revert; the general loop then decides.
func (p *Pool) swapWithin(zeroForOne bool, amount, limit *uint256.Int, commit bool, accept func() bool, needTick bool, r *SwapResult) (handled, ok bool, err error) {
	_, _, sqrtNext, err := p.nextTick(p.tick, p.tickStale, &p.sqrtPriceX96, zeroForOne, commit)
	if err != nil {
		return false, false, nil
	}
	target := &sqrtNext
	if (zeroForOne && sqrtNext.Lt(limit)) || (!zeroForOne && sqrtNext.Gt(limit)) {
		target = limit
	}
	step, ok := stepWords(&p.sqrtPriceX96, target, &p.liquidity, amount, p.fee)
	if !ok || step.SqrtRatioNextX96 == sqrtNext {
		return false, false, nil
	}
	// The loop's first step: it spends the whole amount (fee = amount −
	// input when the target is not reached) or reaches the limit, so the
	// loop ends; the amount used is input + fee, the output −AmountOut.
	var used uint256.Int
	used.Add(&step.AmountIn, &step.FeeAmount)
	if !isInt256(&used) || !isInt256(&step.AmountOut) {
		return false, false, nil
	}
	var calculated uint256.Int
	calculated.Neg(&step.AmountOut)

	feeProtocol := uint64(p.feeProtocol % 16)
	feeGrowth := p.feeGrowthGlobal0X128
	if !zeroForOne {
		feeProtocol = uint64(p.feeProtocol >> 4)
		feeGrowth = p.feeGrowthGlobal1X128
	}
	fee := step.FeeAmount
	var protocolFee uint256.Int
	if feeProtocol > 0 {
		protocolFee.Div(&fee, &uint256.Int{feeProtocol, 0, 0, 0})
		fee.Sub(&fee, &protocolFee)
		truncate128(&protocolFee)
	}
	growth, err := feeGrowthDelta(&fee, &p.liquidity, &p.recip) // stepWords: liquidity >= 1
	if err != nil {
		return false, false, nil
	}
	feeGrowth.Add(&feeGrowth, &growth) // wraps, as in the contract

	price, tick := step.SqrtRatioNextX96, p.tick
	stale := p.tickStale || price != p.sqrtPriceX96
	if stale && needTick {
		tick, _ = TickAtSqrtRatio(&price) // within TickMath's range: cannot fail
		stale = false
	}
	if zeroForOne {
		r.Amount0, r.Amount1 = used, calculated
		if payoutExceeds(&r.Amount1, &p.balance1) {
			return true, false, errTF
		}
	} else {
		r.Amount0, r.Amount1 = calculated, used
		if payoutExceeds(&r.Amount0, &p.balance0) {
			return true, false, errTF
		}
	}
	r.SqrtPriceX96, r.Tick, r.Liquidity = price, tick, p.liquidity
	r.Fee, r.ProtocolFee = step.FeeAmount, protocolFee
	if !commit || (accept != nil && !accept()) {
		return true, false, nil
	}
	p.sqrtPriceX96, p.tick, p.tickStale = price, tick, stale
	p.commitGlobals(zeroForOne, &feeGrowth, &protocolFee, r)
	return true, true, nil
}

// payoutExceeds reports whether the signed amount is a payout larger than
// balance.
func payoutExceeds(amount, balance *uint256.Int) bool {
	if amount.Sign() >= 0 {
		return false
	}
	var out uint256.Int
	out.Neg(amount)
	return out.Gt(balance)
}

// nextMemo memoizes, for one swap direction, the bitmap's answer for a span
// of starting ticks that all share it, and the sqrt price of that answer,
// so that successive swaps within a range neither search the bitmap nor
// run TickMath. A flip of any bitmap bit clears it.
type nextMemo struct {
	valid bool
	// lo and hi bound the starting ticks, inclusive, whose answer is next;
	// sqrtLo and sqrtHi bound the prices whose ticks are in the span,
	// [SqrtRatioAtTick(lo), SqrtRatioAtTick(hi+1)), clamped to TickMath's
	// range.
	lo, hi         int32
	sqrtLo, sqrtHi uint256.Int
	// next is bitmap.next's tick clamped to [MinTick, MaxTick], and
	// initialized its flag.
	next        int32
	initialized bool
	sqrt        uint256.Int
}

// nextTick returns the next tick of a swap step from tick in the direction
// zeroForOne (bitmap.next, clamped to [MinTick, MaxTick]), whether it is
// initialized, and its sqrt price, from the pool's memo when tick lies in
// its span. A stale tick is TickAtSqrtRatio(price), judged by price against
// the span's prices and derived only on a miss. Only a committing swap
// (store) refills the memo, so that quotes stay read-only.
func (p *Pool) nextTick(tick int32, stale bool, price *uint256.Int, zeroForOne, store bool) (next int32, initialized bool, sqrt uint256.Int, err error) {
	m := p.memo(zeroForOne)
	if m.answers(tick, stale, price) {
		return m.next, m.initialized, m.sqrt, nil
	}
	if stale {
		if tick, err = TickAtSqrtRatio(price); err != nil {
			return 0, false, sqrt, err
		}
	}
	raw, initialized := p.bitmap.next(tick, zeroForOne)
	next = min(max(raw, MinTick), MaxTick) // the bitmap knows nothing of the tick bounds
	if sqrt, err = SqrtRatioAtTick(next); err != nil || !store {
		return next, initialized, sqrt, err
	}
	lo, hi := p.bitmap.span(raw, zeroForOne)
	// Every tick is at least MinTick and every price below MaxSqrtRatio,
	// so clamping the bounds keeps the price test exact.
	sqrtLo, _ := SqrtRatioAtTick(max(lo, MinTick))
	sqrtHi := maxSqrtRatio
	if hi < MaxTick {
		sqrtHi, _ = SqrtRatioAtTick(hi + 1)
	}
	*m = nextMemo{valid: true, lo: lo, hi: hi, sqrtLo: sqrtLo, sqrtHi: sqrtHi, next: next, initialized: initialized, sqrt: sqrt}
	return next, initialized, sqrt, nil
}

// memo is the next-tick memo of a swap in direction zeroForOne.
func (p *Pool) memo(zeroForOne bool) *nextMemo {
	if zeroForOne {
		return &p.nextMemo[1]
	}
	return &p.nextMemo[0]
}

// answers reports whether m holds the next tick from tick, or, when the
// tick is stale, from the tick of price (judged by price against the
// span's sqrt prices).
func (m *nextMemo) answers(tick int32, stale bool, price *uint256.Int) bool {
	if !m.valid {
		return false
	}
	if stale {
		return !price.Lt(&m.sqrtLo) && price.Lt(&m.sqrtHi)
	}
	return tick >= m.lo && tick <= m.hi
}

// nextSqrt is nextTick's sqrt price alone, for callers that only read it:
// on a memo hit a pointer to the memo's (valid until the next committing
// swap refills it), otherwise buf filled. A 256-bit value returned and
// copied would be read back by loads the processor cannot forward from
// the stores that wrote it.
func (p *Pool) nextSqrt(tick int32, stale bool, price *uint256.Int, zeroForOne, store bool, buf *uint256.Int) (*uint256.Int, error) {
	if m := p.memo(zeroForOne); m.answers(tick, stale, price) {
		return &m.sqrt, nil
	}
	var err error
	_, _, *buf, err = p.nextTick(tick, stale, price, zeroForOne, store)
	return buf, err
}

// feeGrowthDelta is the fee growth of a swap step, fee·2^128/liquidity
// rounded down (FullMath.mulDiv(fee, Q128, liquidity)); a fee and
// liquidity below 2^128 divide on words without forming the product. A
// one-word fee and a one-word liquidity L >= 2 use m's 2^128 = R·L + r:
// fee·2^128/L = fee·R + fee·r/L, whose floor is fee·R + floor(fee·r/L),
// one hardware division (fee·r < 2^64·L, so its quotient is one word)
// instead of two; m is refilled when L changes.
func feeGrowthDelta(fee, liquidity *uint256.Int, m *recipMemo) (uint256.Int, error) {
	if fee[2]|fee[3]|liquidity[2]|liquidity[3] != 0 || liquidity.IsZero() {
		return MulDiv(fee, &q128, liquidity)
	}
	if fee[1]|liquidity[1] == 0 && liquidity[0] > 1 {
		w2, w1, w0 := m.growth(fee[0], liquidity[0])
		return uint256.Int{w0, w1, w2, 0}, nil
	}
	n := [8]uint64{0, 0, fee[0], fee[1]}
	un := 4
	for un > 0 && n[un-1] == 0 {
		un--
	}
	var q [8]uint64
	divWords(&q, &n, un, liquidity, limbs(liquidity))
	return uint256.Int{q[0], q[1], q[2], q[3]}, nil
}

// recipMemo holds, for a one-word divisor l >= 2 (zero when unset),
// 2^128 = (r1·2^64 + r0)·l + rem with rem < l.
type recipMemo struct {
	l, r1, r0, rem uint64
}

// growth returns floor(f·2^128/l) for l >= 2, refilling m for l if it
// holds another divisor: f·R + floor(f·r/l), three words.
func (m *recipMemo) growth(f, l uint64) (w2, w1, w0 uint64) {
	if m.l != l {
		m.set(l)
	}
	// f·R
	h0, w0 := bits.Mul64(f, m.r0)
	h1, l1 := bits.Mul64(f, m.r1)
	w1, c := bits.Add64(l1, h0, 0)
	w2 = h1 + c
	// + floor(f·r/l)
	rh, rl := bits.Mul64(f, m.rem)
	t, _ := bits.Div64(rh, rl, l)
	w0, c = bits.Add64(w0, t, 0)
	w1, c = bits.Add64(w1, 0, c)
	w2 += c
	return w2, w1, w0
}

// set fills m for the divisor l >= 2: 2^128's long division by l, whose
// top word 1 is below l.
func (m *recipMemo) set(l uint64) {
	var r uint64
	m.r1, r = bits.Div64(1, 0, l)
	m.r0, r = bits.Div64(r, 0, l)
	m.l, m.rem = l, r
}

// EstimateToLimit returns float64 estimates of what an exact-input swap of
// at least what it takes (type(int256).max, say) to move the price to
// limit would pay in, fee included, and receive, for a limit strictly
// between the current price and the next tick in the swap's direction:
// one step at the active liquidity L,
//
//	token0 = L·2^96·|P−Q|/(P·Q),  token1 = L·|P−Q|/2^96,
//
// the input divided by (1 − fee). Each estimate is within 1e-12 relatively
// plus 4 units of the swap's exact amounts (a dozen float64 operations of
// half an ulp each; the exact input is rounded up and its fee up by less
// than a unit each, the output down by less than one). ok is false, with
// no estimate, when the limit is not within the range, the pool has no
// liquidity or the limit is on the wrong side of the price. It only reads
// the pool.
func (p *Pool) EstimateToLimit(zeroForOne bool, limit *uint256.Int) (in, out float64, ok bool) {
	if !p.initialized() || p.liquidity.IsZero() {
		return 0, 0, false
	}
	var buf uint256.Int
	sqrtNext, err := p.nextSqrt(p.tick, p.tickStale, &p.sqrtPriceX96, zeroForOne, false, &buf)
	if err != nil {
		return 0, 0, false
	}
	var diff uint256.Int
	if zeroForOne {
		if !limit.Lt(&p.sqrtPriceX96) || !limit.Gt(sqrtNext) {
			return 0, 0, false
		}
		diff.Sub(&p.sqrtPriceX96, limit)
	} else {
		if !limit.Gt(&p.sqrtPriceX96) || !limit.Lt(sqrtNext) {
			return 0, 0, false
		}
		diff.Sub(limit, &p.sqrtPriceX96)
	}
	ld := cfmm.Float(&p.liquidity) * cfmm.Float(&diff)
	amount0 := ld / cfmm.Float(&p.sqrtPriceX96) / cfmm.Float(limit) * 0x1p96
	amount1 := ld * 0x1p-96
	rest := float64(feeDenominator-p.fee) / feeDenominator
	if zeroForOne {
		return amount0 / rest, amount1, true
	}
	return amount1 / rest, amount0, true
}
