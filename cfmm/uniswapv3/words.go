package uniswapv3

import (
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// Full-width products and quotients on 64-bit words, sized to the operands:
// a pool's prices, liquidity and amounts mostly use two or three of a
// uint256's four words, and a product of two of them five or six of the
// eight a 512-bit product may need. Words are little-endian.

// limbs returns the number of significant words of x.
func limbs(x *uint256.Int) int {
	switch {
	case x[3] != 0:
		return 4
	case x[2] != 0:
		return 3
	case x[1] != 0:
		return 2
	case x[0] != 0:
		return 1
	}
	return 0
}

// mulWords sets p[:an+bn] to the product of a[:an] and b[:bn] and returns
// the number of significant words of the product.
func mulWords(p *[8]uint64, a, b *uint256.Int, an, bn int) int {
	for i := range an {
		var carry uint64
		ai := a[i]
		for j := range bn {
			hi, lo := bits.Mul64(ai, b[j])
			var c uint64
			lo, c = bits.Add64(lo, p[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			p[i+j] = lo
			carry = hi
		}
		p[i+bn] = carry
	}
	n := an + bn
	for n > 0 && p[n-1] == 0 {
		n--
	}
	return n
}

// divWords sets q to floor(u/v) for u = u[:un] and a divisor v of vn >= 1
// words (its top word non-zero), and reports whether the remainder is
// non-zero. q receives un−vn+1 words (none if un < vn); u is overwritten.
// It is Knuth's algorithm D (TAOCP vol. 2, 4.3.1): each quotient word is
// estimated from the top two words of the remainder and of the normalized
// divisor, which makes it exact or one too large, and a negative
// multiply-subtract corrects the rare excess.
func divWords(q *[8]uint64, u *[8]uint64, un int, v *uint256.Int, vn int) (inexact bool) {
	if un < vn {
		for i := range un {
			if u[i] != 0 {
				return true
			}
		}
		return false
	}
	if vn == 1 {
		// A top word below the divisor is the first remainder.
		d := v[0]
		var r uint64
		i := un - 1
		if u[i] < d {
			r = u[i]
			i--
		}
		for ; i >= 0; i-- {
			q[i], r = bits.Div64(r, u[i], d)
		}
		return r != 0
	}
	// Normalize: shift so that the divisor's top bit is set; the dividend
	// gains a word.
	s := uint(bits.LeadingZeros64(v[vn-1]))
	var d [4]uint64
	var n [9]uint64
	if s == 0 {
		copy(d[:vn], v[:vn])
		copy(n[:un], u[:un])
	} else {
		for i := vn - 1; i > 0; i-- {
			d[i] = v[i]<<s | v[i-1]>>(64-s)
		}
		d[0] = v[0] << s
		n[un] = u[un-1] >> (64 - s)
		for i := un - 1; i > 0; i-- {
			n[i] = u[i]<<s | u[i-1]>>(64-s)
		}
		n[0] = u[0] << s
	}
	dTop, dNext := d[vn-1], d[vn-2]
	for j := un - vn; j >= 0; j-- {
		// Estimate q̂ = floor((n[j+vn]·B + n[j+vn−1]) / dTop), at most B−1,
		// and lower it while q̂·dNext exceeds r̂·B + n[j+vn−2].
		var qhat, rhat uint64
		top := n[j+vn]
		overflow := false
		if top >= dTop { // top == dTop: the remainder is below the divisor
			qhat = ^uint64(0)
			var c uint64
			rhat, c = bits.Add64(n[j+vn-1], dTop, 0) // top·B + n − (B−1)·dTop
			overflow = c != 0
		} else {
			qhat, rhat = bits.Div64(top, n[j+vn-1], dTop)
		}
		for !overflow {
			ph, pl := bits.Mul64(qhat, dNext)
			if ph < rhat || (ph == rhat && pl <= n[j+vn-2]) {
				break
			}
			qhat--
			var c uint64
			rhat, c = bits.Add64(rhat, dTop, 0)
			overflow = c != 0
		}
		// n[j:j+vn+1] −= q̂·d
		var borrow, carry uint64
		for i := range vn {
			hi, lo := bits.Mul64(qhat, d[i])
			var c uint64
			lo, c = bits.Add64(lo, carry, 0)
			carry = hi + c
			n[j+i], borrow = bits.Sub64(n[j+i], lo, borrow)
		}
		n[j+vn], borrow = bits.Sub64(n[j+vn], carry, borrow)
		if borrow != 0 {
			// q̂ was one too large: add the divisor back.
			qhat--
			var c uint64
			for i := range vn {
				n[j+i], c = bits.Add64(n[j+i], d[i], c)
			}
			n[j+vn] += c
		}
		q[j] = qhat
	}
	for i := range vn {
		if n[i] != 0 {
			return true
		}
	}
	return false
}

// mulDivWord returns floor(x·m/d) for a single-word multiplier m and
// divisor d > 0, whether the division left a remainder, and ok = false if
// the quotient does not fit in 256 bits.
func mulDivWord(x *uint256.Int, m, d uint64) (q uint256.Int, inexact, ok bool) {
	var p [5]uint64
	var carry uint64
	for i := range 4 {
		hi, lo := bits.Mul64(x[i], m)
		var c uint64
		p[i], c = bits.Add64(lo, carry, 0)
		carry = hi + c
	}
	p[4] = carry
	if p[4] >= d {
		return q, false, false
	}
	// Leading words below the divisor only pass on a remainder.
	i := 3
	r := p[4]
	for r == 0 && i > 0 && p[i] < d {
		r = p[i]
		i--
	}
	for ; i >= 0; i-- {
		q[i], r = bits.Div64(r, p[i], d)
	}
	return q, r != 0, true
}

// inputToWords returns the input, rounded up, that moves the price from
// cur to target with liquidity L on words: Δx = ⌈L·2^96·(cur − target)/
// (target·cur)⌉ selling token0 (zeroForOne), Δy = ⌈L·(target − cur)/2^96⌉
// selling token1.
func inputToWords(cur, target, liquidity *uint256.Int, zeroForOne bool) uint256.Int {
	if zeroForOne {
		var d uint256.Int
		d.Sub(cur, target)
		return amount0Words(target, cur, &d, liquidity, true)
	}
	return amount1Words(cur, target, liquidity, true)
}

// stepWords is ComputeSwapStep for an exact input (amountRemaining >= 0)
// when the current and target prices lie in [MinSqrtRatio, 2^128) and the
// liquidity in [1, 2^128): the same formulas and roundings on 64-bit
// words, each division once, no revert possible. ok is false, and the
// caller must use ComputeSwapStep, when an input or an intermediate value
// (the input net of fee, the next price's denominator, the fee) falls
// outside what it handles.
func stepWords(cur, target, liquidity, amountRemaining *uint256.Int, feePips uint32) (s SwapStep, ok bool) {
	if cur[2]|cur[3]|target[2]|target[3]|liquidity[2]|liquidity[3] != 0 || liquidity.IsZero() ||
		cur.Lt(&minSqrtRatio) || target.Lt(&minSqrtRatio) || amountRemaining.Sign() < 0 || feePips >= feeDenominator {
		return s, false
	}
	complement := uint64(feeDenominator - feePips)
	zeroForOne := !cur.Lt(target)
	if amountRemaining[2]|amountRemaining[3] != 0 {
		// An input of 2^128 or more (an arbitrageur's "all it takes" up
		// to a price limit) is judged against the input to the target by
		// the lower bound (amount >> 20)·(1e6 − fee) <= amount·(1e6 −
		// fee)/1e6 before dividing exactly.
		s.AmountIn = inputToWords(cur, target, liquidity, zeroForOne)
		var bound uint256.Int
		bound.Rsh(amountRemaining, 20)
		bound.Mul(&bound, &uint256.Int{complement}) // below 2^255: no wrap
		if bound.Lt(&s.AmountIn) {
			lessFee, _, _ := mulDivWord(amountRemaining, complement, feeDenominator)
			if lessFee.Lt(&s.AmountIn) {
				return s, false // the price stops short: an input beyond words
			}
		}
		s.SqrtRatioNextX96 = *target
		return s, finishStep(&s, cur, target, liquidity, amountRemaining, feePips, complement, zeroForOne, true, false)
	}
	lessFee, _, _ := mulDivWord(amountRemaining, complement, feeDenominator) // below the amount: fits
	haveIn, inSet := false, false
	if !fallsShortWords(cur, target, liquidity, &lessFee, zeroForOne) {
		s.AmountIn = inputToWords(cur, target, liquidity, zeroForOne)
		haveIn = true
	}
	if haveIn && !lessFee.Lt(&s.AmountIn) {
		s.SqrtRatioNextX96 = *target
	} else {
		if lessFee[2]|lessFee[3] != 0 {
			return s, false
		}
		if s.SqrtRatioNextX96, inSet, ok = nextPriceWords(cur, liquidity, &lessFee, zeroForOne); !ok {
			return s, false
		}
		if inSet {
			s.AmountIn = lessFee
		}
	}
	return s, finishStep(&s, cur, target, liquidity, amountRemaining, feePips, complement, zeroForOne, haveIn, inSet)
}

// finishStep completes stepWords, in place, once s.SqrtRatioNextX96 holds
// the next price: the input (unless inSet, or haveIn and the target is
// reached, when s.AmountIn already holds it), the output and the fee.
func finishStep(s *SwapStep, cur, target, liquidity, amountRemaining *uint256.Int, feePips uint32, complement uint64, zeroForOne, haveIn, inSet bool) bool {
	next := &s.SqrtRatioNextX96
	reached := *target == *next
	var d uint256.Int
	if zeroForOne {
		d.Sub(cur, next)
		if !inSet && (!reached || !haveIn) {
			s.AmountIn = amount0Words(next, cur, &d, liquidity, true)
		}
		s.AmountOut = amount1Words(next, cur, liquidity, false)
	} else {
		d.Sub(next, cur)
		if !reached || !haveIn {
			s.AmountIn = amount1Words(cur, next, liquidity, true)
		}
		s.AmountOut = amount0Words(cur, next, &d, liquidity, false)
	}
	if !reached {
		s.FeeAmount.Sub(amountRemaining, &s.AmountIn)
		return true
	}
	fee, inexact, fits := mulDivWord(&s.AmountIn, uint64(feePips), complement)
	if !fits || (inexact && fee == maxUint256) {
		return false
	}
	if inexact {
		fee.AddUint64(&fee, 1)
	}
	s.FeeAmount = fee
	return true
}

// amount1Words is Amount1Delta for prices a <= b and liquidity below 2^128.
func amount1Words(a, b, liquidity *uint256.Int, roundUp bool) uint256.Int {
	var diff uint256.Int
	diff.Sub(b, a)
	w3, w2, w1, w0 := mul128(liquidity[1], liquidity[0], diff[1], diff[0])
	z := uint256.Int{w1>>32 | w2<<32, w2>>32 | w3<<32, w3 >> 32, 0}
	if roundUp && (w0 != 0 || w1&(1<<32-1) != 0) {
		z.AddUint64(&z, 1)
	}
	return z
}

// nextPriceWords is NextSqrtPriceFromInput for a price P in
// [MinSqrtRatio, 2^128), liquidity L in [1, 2^128) and an amount below
// 2^128, on words. Adding token0 gives ceil(L·2^96·P / (L·2^96 + amount·P))
// (ok false if that denominator overflows, where the contract switches
// formula); adding token1 gives P + floor(amount·2^96/L) (ok false if that
// reaches 2^128).
//
// Adding token0, isIn reports that the amount is exactly the input
// Amount0Delta(P', P, L, true) that moves the price to the result P'. With
// A = L·2^96 and D = A + amount·P, P'·D = A·P + e for some 0 <= e < D, so
// A·(P − P') = P'·amount·P − e and the input, ceil(A·(P−P')/(P·P')), is
// amount − floor(e/(P·P')): the amount itself when D <= P·P', the usual
// case (prices of 2^81 and above against liquidity below 2^57, say),
// sparing that input its division.
func nextPriceWords(p, liquidity, amount *uint256.Int, zeroForOne bool) (next uint256.Int, isIn, ok bool) {
	if amount.IsZero() {
		return *p, false, true
	}
	if zeroForOne {
		// L·2^96 + amount·P
		a3, a2, a1, a0 := mul128(amount[1], amount[0], p[1], p[0])
		var c uint64
		var den uint256.Int
		den[0] = a0
		den[1], c = bits.Add64(a1, liquidity[0]<<32, 0)
		den[2], c = bits.Add64(a2, liquidity[0]>>32|liquidity[1]<<32, c)
		den[3], c = bits.Add64(a3, liquidity[1]>>32, c)
		if c != 0 {
			return uint256.Int{}, false, false
		}
		// L·P·2^96
		var n [8]uint64
		w3, w2, w1, w0 := mul128(liquidity[1], liquidity[0], p[1], p[0])
		n[1], n[2], n[3], n[4], n[5] = w0<<32, w1<<32|w0>>32, w2<<32|w1>>32, w3<<32|w2>>32, w3>>32
		un := 6
		for un > 0 && n[un-1] == 0 {
			un--
		}
		var q [8]uint64
		inexact := divWords(&q, &n, un, &den, limbs(&den))
		z := uint256.Int{q[0], q[1], q[2], q[3]} // at most P
		if inexact {
			z.AddUint64(&z, 1)
		}
		// D <= P·P', both below 2^256.
		w3, w2, w1, w0 = mul128(p[1], p[0], z[1], z[0])
		isIn = !lessWords(w3, w2, w1, w0, &den)
		return z, isIn, true
	}
	// amount·2^96 / L
	n := [8]uint64{0, amount[0] << 32, amount[0]>>32 | amount[1]<<32, amount[1] >> 32}
	un := 4
	for un > 0 && n[un-1] == 0 {
		un--
	}
	var q [8]uint64
	divWords(&q, &n, un, liquidity, limbs(liquidity))
	z := uint256.Int{q[0], q[1], q[2], q[3]}
	var c uint64
	z[0], c = bits.Add64(z[0], p[0], 0)
	z[1], c = bits.Add64(z[1], p[1], c)
	z[2], c = bits.Add64(z[2], 0, c)
	z[3] += c
	if z[2]|z[3] != 0 {
		return uint256.Int{}, false, false
	}
	return z, false, true
}

// fallsShortWords is inputFallsShort for prices and liquidity below 2^128
// (stepWords' domain), without divisions: lessFee < need·(1−1e-9) is
// tested as lessFee·cur·target < L·(cur−target)·2^96·(1−1e-9) for token0
// and lessFee < L·(target−cur)·2^-96·(1−1e-9) for token1. Each side is
// within 2e-15 of its real value (three conversions and two products, each
// a few units in the last place; no product exceeds 2^384), far inside the
// 1e-9 margin.
func fallsShortWords(cur, target, liquidity, lessFee *uint256.Int, zeroForOne bool) bool {
	var diff uint256.Int
	if zeroForOne {
		diff.Sub(cur, target)
		return cfmm.Float(lessFee)*(cfmm.Float(cur)*cfmm.Float(target)) < cfmm.Float(liquidity)*cfmm.Float(&diff)*(0x1p96*(1-1e-9))
	}
	diff.Sub(target, cur)
	return cfmm.Float(lessFee) < cfmm.Float(liquidity)*cfmm.Float(&diff)*(0x1p-96*(1-1e-9))
}

// lessWords reports whether w3·2^192 + w2·2^128 + w1·2^64 + w0 < x.
func lessWords(w3, w2, w1, w0 uint64, x *uint256.Int) bool {
	switch {
	case w3 != x[3]:
		return w3 < x[3]
	case w2 != x[2]:
		return w2 < x[2]
	case w1 != x[1]:
		return w1 < x[1]
	}
	return w0 < x[0]
}
