package uniswapv2

import (
	"math/bits"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/holiman/uint256"
)

// quo sets z = ⌊x/y⌋ for y ≠ 0, the same integer as uint256's Div, with a
// fast path for operands below 2^128, where pool amounts almost always lie.
// The fast path is Hacker's Delight's 128-by-128 unsigned division (Warren,
// 2nd ed., §9–5): a 128-by-64 hardware division on shifted operands gives
// a quotient estimate that is exact or one too large, and one
// multiply-subtract fixes it.
func quo(z, x, y *uint256.Int) {
	if x[2]|x[3]|y[2]|y[3] != 0 {
		z.Div(x, y)
		return
	}
	q := quo128(x[1], x[0], y[1], y[0])
	z[0], z[1], z[2], z[3] = q, 0, 0, 0
	if y[1] == 0 && x[1] >= y[0] {
		// The quotient may exceed 64 bits only for a one-word divisor.
		z[1] = x[1] / y[0]
		z[0], _ = bits.Div64(x[1]%y[0], x[0], y[0])
	}
}

// quo128 returns the low 64 bits of ⌊(uHi·2^64+uLo)/(vHi·2^64+vLo)⌋; the
// quotient fits in 64 bits whenever vHi ≠ 0 or uHi < vLo.
func quo128(uHi, uLo, vHi, vLo uint64) uint64 {
	if q, ok := quoEstimate(uHi, uLo, vHi, vLo); ok {
		return q
	}
	if vHi == 0 {
		if uHi >= vLo {
			return 0 // handled by the caller
		}
		q, _ := bits.Div64(uHi, uLo, vLo)
		return q
	}
	n := uint(bits.LeadingZeros64(vHi))
	v1 := vHi<<n | vLo>>(64-n) // top 64 bits of the normalized divisor (vLo>>64 is 0)
	// u/2 keeps the first division's quotient below 2^64.
	u1Hi, u1Lo := uHi>>1, uHi<<63|uLo>>1
	q1, _ := bits.Div64(u1Hi, u1Lo, v1)
	q0 := q1 >> (63 - n) // (q1·2^n)/2^63 in 128-bit arithmetic
	if q0 != 0 {
		q0--
	}
	// If u − q0·v ≥ v, the estimate was one short.
	pHi, pLo := bits.Mul64(q0, vLo)
	pHi += q0 * vHi
	rLo, borrow := bits.Sub64(uLo, pLo, 0)
	rHi, _ := bits.Sub64(uHi, pHi, borrow)
	if rHi > vHi || rHi == vHi && rLo >= vLo {
		q0++
	}
	return q0
}

// quoEstimate returns ⌊u/v⌋ for v ≠ 0 from a float64 estimate corrected by
// one multiply-subtract, where the quotient is below 2^40 and u and v below
// 2^126; ok is false otherwise. A swap's output in a token of few decimals
// takes this path, and it is shorter than a hardware division.
func quoEstimate(uHi, uLo, vHi, vLo uint64) (q uint64, ok bool) {
	if uHi|vHi >= 1<<62 {
		return 0, false
	}
	q = uint64(cfmm.Float128(uHi, uLo) / cfmm.Float128(vHi, vLo))
	if q >= 1<<40 {
		return 0, false
	}
	// The estimate's relative error is below 2^-49, so below 2^40 it is
	// right, one too large or one too small; q·v < u + v < 2^127.
	pHi, pLo := bits.Mul64(q, vLo)
	pHi += q * vHi
	if pHi > uHi || pHi == uHi && pLo > uLo {
		q--
		var b uint64
		pLo, b = bits.Sub64(pLo, vLo, 0)
		pHi -= vHi + b
	}
	// r = u − q·v; one more if r ≥ v.
	rLo, b := bits.Sub64(uLo, pLo, 0)
	rHi := uHi - pHi - b
	if rHi > vHi || rHi == vHi && rLo >= vLo {
		q++
	}
	return q, true
}

// quoSmall returns ⌊n/d⌋ and n mod d for d ≠ 0. Where the quotient is
// small, as the high word of a swap's output is, a float64 estimate is off
// by at most one (its relative error is below 2^-50) and one
// multiply-subtract corrects it, in place of a hardware division several
// times slower.
func quoSmall(n, d uint64) (q, r uint64) {
	q = uint64(float64(n) / float64(d))
	if q >= 1<<40 {
		return n / d, n % d
	}
	// Below 2^40 the estimate's error, under q·2^-50, is under one: q is
	// right, one too large or one too small.
	hi, lo := bits.Mul64(q, d)
	if hi != 0 || lo > n {
		q--
		lo -= d // q·d ≤ n now, so the wrapped difference is exact
	}
	r = n - lo
	if r >= d {
		q++
		r -= d
	}
	return q, r
}

// mulSmall sets z = x·y mod 2^256 for a one-word y: four 64-bit products
// instead of uint256's sixteen.
func mulSmall(z, x *uint256.Int, y uint64) {
	h0, l0 := bits.Mul64(x[0], y)
	h1, l1 := bits.Mul64(x[1], y)
	h2, l2 := bits.Mul64(x[2], y)
	l3 := x[3] * y
	var c uint64
	z[0] = l0
	z[1], c = bits.Add64(l1, h0, 0)
	z[2], c = bits.Add64(l2, h1, c)
	z[3], _ = bits.Add64(l3, h2, c)
}

// 2^64 = FeeDenominator·q64 + t64, for dividing two-word numbers by the
// fee denominator with one-word constant divisions only.
const (
	q64 = (1<<64 - 1) / FeeDenominator
	t64 = (1<<64-1)%FeeDenominator + 1
)

// feeOf returns ⌊a·f/D⌋ (D = FeeDenominator, f < D), the same integer as
// uint256's Mul and Div; below 2^128 it is fee128.
func feeOf(a *uint256.Int, f uint64) uint256.Int {
	var z uint256.Int
	if a[2]|a[3] != 0 {
		z.MulDivOverflow(a, uint256.NewInt(f), uint256.NewInt(FeeDenominator))
		return z
	}
	z[0], z[1] = fee128(a[0], a[1], f)
	return z
}

// fee128 returns ⌊a·f/D⌋ for a = hi·2^64 + lo and f < D as two words. It
// splits a = q·D + r, so that ⌊a·f/D⌋ = q·f + ⌊r·f/D⌋, and finds q and r
// using 2^64 = D·q64 + t64 in place of a hardware division.
func fee128(lo, hi, f uint64) (zLo, zHi uint64) {
	if hi == 0 {
		return lo/FeeDenominator*f + lo%FeeDenominator*f/FeeDenominator, 0
	}
	qh, rh := hi/FeeDenominator, hi%FeeDenominator
	// rh·2^64 + lo = D·(rh·q64) + rh·t64 + lo, and rh·t64 + lo may carry.
	s, c := bits.Add64(rh*t64, lo, 0)
	ql := (rh+c)*q64 + (c*t64+s)/FeeDenominator
	r := (c*t64 + s) % FeeDenominator
	// z = (qh·2^64 + ql)·f + ⌊r·f/D⌋, which is below 2^128.
	ph, pl := bits.Mul64(ql, f)
	var carry uint64
	zLo, carry = bits.Add64(pl, r*f/FeeDenominator, 0)
	return zLo, qh*f + ph + carry
}

// amountOut128 computes GetAmountOut's floor(in·k·rOut / (rIn·D + in·k)),
// k = D − fee, in two-word arithmetic when every operand, product and sum
// fits in 128 bits (the usual case: the reference pool's products are about
// 2^118); ok is false otherwise and the caller takes the 256-bit path. The
// result is the same integer.
func amountOut128(in, rIn, rOut *uint256.Int, k uint64) (out uint256.Int, ok bool) {
	if in[2]|in[3]|rIn[2]|rIn[3]|rOut[2]|rOut[3] != 0 {
		return out, false
	}
	out[0], out[1], ok = amountOutWords(in[0], in[1], rIn[0], rIn[1], rOut[0], rOut[1], k)
	return out, ok
}

// amountOutWords is amountOut128 on two-word operands (lo, hi), returning
// the output as two words: in registers, where a uint256 would go through
// memory.
func amountOutWords(inLo, inHi, xLo, xHi, yLo, yHi, k uint64) (lo, hi uint64, ok bool) {
	// withFee = in·k
	h0, wl := bits.Mul64(inLo, k)
	h1, l1 := bits.Mul64(inHi, k)
	wh, c := bits.Add64(l1, h0, 0)
	if h1|c != 0 {
		return 0, 0, false
	}
	// num = withFee·y, which must fit in 128 bits.
	if wh != 0 && yHi != 0 {
		return 0, 0, false
	}
	nh, nl := bits.Mul64(wl, yLo)
	x1, y1 := bits.Mul64(wh, yLo)
	x2, y2 := bits.Mul64(wl, yHi)
	if x1|x2 != 0 {
		return 0, 0, false
	}
	nh, c1 := bits.Add64(nh, y1, 0)
	nh, c2 := bits.Add64(nh, y2, 0)
	if c1|c2 != 0 {
		return 0, 0, false
	}
	// den = x·D + withFee
	dh0, dl := bits.Mul64(xLo, FeeDenominator)
	dh1, dh2 := bits.Mul64(xHi, FeeDenominator)
	dh, c3 := bits.Add64(dh2, dh0, 0)
	dl, c4 := bits.Add64(dl, wl, 0)
	dh, c5 := bits.Add64(dh, wh, c4)
	if dh1|c3|c5 != 0 {
		return 0, 0, false
	}
	if dh == 0 && nh >= dl {
		// A quotient of more than 64 bits: two-step division.
		var r uint64
		hi, r = quoSmall(nh, dl)
		lo, _ = bits.Div64(r, nl, dl)
		return lo, hi, true
	}
	return quo128(nh, nl, dh, dl), 0, true
}
