package uniswapv3

import (
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// The in-range swap on two-word values. With N = L·2^96 for the active
// liquidity L, getAmount0Delta between prices A < B is N·(B−A)/(A·B) =
// N/A − N/B; with N = q_A·A + r_A = q_B·B + r_B its floor is q_A − q_B,
// less one when r_A·B < r_B·A, and its ceiling q_A − q_B, plus one when
// r_A·B > r_B·A (the fractions' difference r_A/A − r_B/B lies in (−1, 1)).
// The pool keeps q and r for its current price (quotMemo), so a swap's
// token0 amount costs one division of N by the new price, which the next
// swap reuses, instead of one of N·(B−A) by A·B.

// quotMemo holds N = L·2^96 = q·P + r for the liquidity L and price P of
// its key, q below 2^128. An l of zero marks it empty (a memo is kept
// only for L >= 1).
type quotMemo struct {
	l1, l0, p1, p0 uint64
	q1, q0, r1, r0 uint64
}

// quot96 returns q and r with L·2^96 = q·P + r, 0 <= r < P, for L
// (l1·2^64 + l0) below 2^128 and P (p1·2^64 + p0) in [1, 2^128); ok is
// false when q is 2^128 or more.
func quot96(l1, l0, p1, p0 uint64) (q1, q0, r1, r0 uint64, ok bool) {
	if p1 != 0 {
		// Knuth's division by the normalized two-word divisor d = P·2^s of
		// the dividend M = N·2^s, words m4..m0 (m0 = 0: N's low word is
		// zero). q < 2^128 exactly when m4 = 0 and m3:m2 < d; then q's
		// two words are two steps of div3by2.
		s := uint(bits.LeadingZeros64(p1))
		d1, d0 := p1<<s|p0>>(64-s), p0<<s
		n1, n2, n3 := l0<<32, l0>>32|l1<<32, l1>>32
		m4, m3, m2, m1 := n3>>(64-s), n3<<s|n2>>(64-s), n2<<s|n1>>(64-s), n1<<s
		if m4 != 0 || m3 > d1 || m3 == d1 && m2 >= d0 {
			return 0, 0, 0, 0, false
		}
		q1, r1, r0 = div3by2(m3, m2, m1, d1, d0)
		q0, r1, r0 = div3by2(r1, r0, 0, d1, d0)
		return q1, q0, r1 >> s, r0>>s | r1<<(64-s), true
	}
	if p0 == 0 {
		return 0, 0, 0, 0, false
	}
	// A one-word divisor: N's words n3..n0 with n0 = 0; q < 2^128 exactly
	// when n3 = 0 and n2 < P.
	n1, n2, n3 := l0<<32, l0>>32|l1<<32, l1>>32
	if n3 != 0 || n2 >= p0 {
		return 0, 0, 0, 0, false
	}
	var r uint64
	q1, r = bits.Div64(n2, n1, p0)
	q0, r = bits.Div64(r, 0, p0)
	return q1, q0, 0, r, true
}

// div3by2 returns the quotient and remainder of u2·2^128 + u1·2^64 + u0
// by d1·2^64 + d0, for d1 >= 2^63 and u2·2^64 + u1 below the divisor (so
// that the quotient is one word): Knuth's estimate from u2·2^64 + u1 and
// d1, lowered while it times the divisor exceeds the dividend (the test
// q̂·d0 > r̂·2^64 + u0 compares the whole three-word product for a two-word
// divisor, so the quotient comes out exact, with no add-back).
func div3by2(u2, u1, u0, d1, d0 uint64) (q, r1, r0 uint64) {
	var rh uint64
	overflow := false
	if u2 >= d1 { // u2 == d1: q̂ = 2^64 − 1, r̂ = u1 + d1
		q = ^uint64(0)
		var c uint64
		rh, c = bits.Add64(u1, d1, 0)
		overflow = c != 0
	} else {
		q, rh = bits.Div64(u2, u1, d1)
	}
	for !overflow {
		ph, pl := bits.Mul64(q, d0)
		if ph < rh || ph == rh && pl <= u0 {
			break
		}
		q--
		var c uint64
		rh, c = bits.Add64(rh, d1, 0)
		overflow = c != 0
	}
	// The remainder, below the divisor: r̂·2^64 + u0 − q·d0 modulo 2^128.
	ph, pl := bits.Mul64(q, d0)
	var b uint64
	r0, b = bits.Sub64(u0, pl, 0)
	r1, _ = bits.Sub64(rh, ph, b)
	return q, r1, r0
}

// nextPrice0 is nextPriceWords selling token0, on words, for P below
// 2^128, L in [1, 2^128) and an amount a in [1, 2^128): P' =
// ceil(L·2^96·P / D) with D = L·2^96 + a·P (ok false if D reaches 2^256),
// and isIn, D <= P·P'.
func nextPrice0(p1, p0, l1, l0, a1, a0 uint64) (n1, n0 uint64, isIn, ok bool) {
	a3, a2, aw1, aw0 := mul128(a1, a0, p1, p0)
	var c uint64
	var den uint256.Int
	den[0] = aw0
	den[1], c = bits.Add64(aw1, l0<<32, 0)
	den[2], c = bits.Add64(a2, l0>>32|l1<<32, c)
	den[3], c = bits.Add64(a3, l1>>32, c)
	if c != 0 {
		return 0, 0, false, false
	}
	// L·P·2^96
	var n [8]uint64
	w3, w2, w1, w0 := mul128(l1, l0, p1, p0)
	n[1], n[2], n[3], n[4], n[5] = w0<<32, w1<<32|w0>>32, w2<<32|w1>>32, w3<<32|w2>>32, w3>>32
	if den[3] == 0 && den[2] != 0 {
		// A three-word D, the common case: normalized, the dividend's
		// words u6..u0 (u0 = 0) hold a quotient of two words when u6 = u5
		// = 0 and u4:u3:u2 < d, which P' <= P < 2^128 makes so; two steps
		// of div4by3 then give it.
		s := uint(bits.LeadingZeros64(den[2]))
		d2, d1, d0 := den[2]<<s|den[1]>>(64-s), den[1]<<s|den[0]>>(64-s), den[0]<<s
		u6, u5, u4 := n[5]>>(64-s), n[5]<<s|n[4]>>(64-s), n[4]<<s|n[3]>>(64-s)
		u3, u2, u1 := n[3]<<s|n[2]>>(64-s), n[2]<<s|n[1]>>(64-s), n[1]<<s
		if u6|u5 == 0 && (u4 < d2 || u4 == d2 && (u3 < d1 || u3 == d1 && u2 < d0)) {
			q1, r2, r1, r0, ok1 := div4by3(u4, u3, u2, u1, d2, d1, d0)
			if ok1 {
				q0, r2, r1, r0, ok0 := div4by3(r2, r1, r0, 0, d2, d1, d0)
				if ok0 {
					n1, n0 = q1, q0
					if r2|r1|r0 != 0 {
						n0, c = bits.Add64(n0, 1, 0)
						n1 += c
					}
					w3, w2, w1, w0 = mul128(p1, p0, n1, n0)
					return n1, n0, !lessWords(w3, w2, w1, w0, &den), true
				}
			}
		}
	}
	un := 6
	for un > 0 && n[un-1] == 0 {
		un--
	}
	var q [8]uint64
	inexact := divWords(&q, &n, un, &den, limbs(&den))
	n1, n0 = q[1], q[0] // at most P
	if inexact {
		n0, c = bits.Add64(n0, 1, 0)
		n1 += c
	}
	w3, w2, w1, w0 = mul128(p1, p0, n1, n0)
	return n1, n0, !lessWords(w3, w2, w1, w0, &den), true
}

// div4by3 returns the quotient and remainder of u3..u0 by the normalized
// three-word divisor d2:d1:d0 (d2 >= 2^63), for u3:u2:u1 below the
// divisor, so that the quotient is one word; ok is false, with nothing
// computed, when u3:u2 equals d2:d1 (div3by2's estimate would not be a
// word). The estimate q̂ = floor(u3:u2:u1 / d2:d1) is at most one above
// the quotient (q̂ − q < 1 + (u3:u2:u1)/((d2:d1)·(d2:d1 + 1)) < 2), and
// the remainder's sign after subtracting q̂·d0 from div3by2's says which.
func div4by3(u3, u2, u1, u0, d2, d1, d0 uint64) (q, r2, r1, r0 uint64, ok bool) {
	if u3 == d2 && u2 == d1 {
		return 0, 0, 0, 0, false
	}
	var x1, x0 uint64
	q, x1, x0 = div3by2(u3, u2, u1, d2, d1)
	// (x1:x0:u0) − q·d0
	ph, pl := bits.Mul64(q, d0)
	var b uint64
	r0, b = bits.Sub64(u0, pl, 0)
	r1, b = bits.Sub64(x0, ph, b)
	r2, b = bits.Sub64(x1, 0, b)
	if b != 0 {
		q--
		var c uint64
		r0, c = bits.Add64(r0, d0, 0)
		r1, c = bits.Add64(r1, d1, c)
		r2, _ = bits.Add64(r2, d2, c)
	}
	return q, r2, r1, r0, true
}

// fallsShort128 is fallsShortWords on words below 2^127, whose floats
// cfmm.Float128 gives as cfmm.Float does.
func fallsShort128(p1, p0, t1, t0, l1, l0, lf1, lf0 uint64, zeroForOne bool) bool {
	if zeroForOne {
		d0, b := bits.Sub64(p0, t0, 0)
		d1, _ := bits.Sub64(p1, t1, b)
		return cfmm.Float128(lf1, lf0)*(cfmm.Float128(p1, p0)*cfmm.Float128(t1, t0)) < cfmm.Float128(l1, l0)*cfmm.Float128(d1, d0)*(0x1p96*(1-1e-9))
	}
	d0, b := bits.Sub64(t0, p0, 0)
	d1, _ := bits.Sub64(t1, p1, b)
	return cfmm.Float128(lf1, lf0) < cfmm.Float128(l1, l0)*cfmm.Float128(d1, d0)*(0x1p-96*(1-1e-9))
}

// quotAt returns the pool's q and r for its own liquidity and price, from
// the memo or computed (ok false as quot96's). It does not store them.
func (p *Pool) quotAt() (q1, q0, r1, r0 uint64, ok bool) {
	m := &p.quot
	l, s := &p.liquidity, &p.sqrtPriceX96
	if m.l0|m.l1 != 0 && m.l0 == l[0] && m.l1 == l[1] && m.p0 == s[0] && m.p1 == s[1] {
		return m.q1, m.q0, m.r1, m.r0, true
	}
	return quot96(l[1], l[0], s[1], s[0])
}

// cmpProducts compares a·b with c·d for two-word values: −1, 0 or +1.
func cmpProducts(a1, a0, b1, b0, c1, c0, d1, d0 uint64) int {
	x3, x2, x1, x0 := mul128(a1, a0, b1, b0)
	y3, y2, y1, y0 := mul128(c1, c0, d1, d0)
	switch {
	case x3 != y3:
		return cmp64(x3, y3)
	case x2 != y2:
		return cmp64(x2, y2)
	case x1 != y1:
		return cmp64(x1, y1)
	}
	return cmp64(x0, y0)
}

func cmp64(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// amount0Diff returns floor (roundUp false) or ceil of N/A − N/B for
// A < B from their quotients and remainders (A: qa, ra; B: qb, rb), and
// ok false if it does not fit in 128 bits.
func amount0Diff(qa1, qa0, ra1, ra0, a1, a0, qb1, qb0, rb1, rb0, b1, b0 uint64, roundUp bool) (z1, z0 uint64) {
	var borrow uint64
	z0, borrow = bits.Sub64(qa0, qb0, 0)
	z1, _ = bits.Sub64(qa1, qb1, borrow)
	c := cmpProducts(ra1, ra0, b1, b0, rb1, rb0, a1, a0) // r_A·B against r_B·A
	if roundUp && c > 0 {
		z0, borrow = bits.Add64(z0, 1, 0)
		z1 += borrow
	} else if !roundUp && c < 0 {
		z0, borrow = bits.Sub64(z0, 1, 0)
		z1 -= borrow
	}
	return z1, z0
}

// swapLean is swapWithin on two-word values, for an exact input when the
// price and its target lie below 2^127, the active liquidity in [1,
// 2^128), the input token's protocol fee is off and the step does not
// end on the next tick: ComputeSwapStep's amounts and roundings, with
// getAmount0Delta from the pool's quotient memo (quotMemo) and
// getAmount1Delta as a product. handled is false, with nothing written,
// when any of this does not hold or a value would leave 128 bits; swap
// then goes on to swapWithin and the general loop.
func (p *Pool) swapLean(zeroForOne bool, amount, limit *uint256.Int, commit bool, accept func() bool, needTick bool, r *SwapResult) (handled, ok bool, err error) {
	P, L := &p.sqrtPriceX96, &p.liquidity
	feeProtocol := p.feeProtocol % 16
	if !zeroForOne {
		feeProtocol = p.feeProtocol >> 4
	}
	if P[3]|P[2] != 0 || P[1] >= 1<<63 || L[3]|L[2] != 0 || L[1]|L[0] == 0 || feeProtocol != 0 {
		return false, false, nil
	}
	var sqrtBuf uint256.Int
	sqrtNext, err := p.nextSqrt(p.tick, p.tickStale, P, zeroForOne, commit, &sqrtBuf)
	if err != nil {
		return false, false, nil
	}
	target := sqrtNext
	if (zeroForOne && sqrtNext.Lt(limit)) || (!zeroForOne && sqrtNext.Gt(limit)) {
		target = limit
	}
	if target[3]|target[2] != 0 || target[1] >= 1<<63 || target.Lt(&minSqrtRatio) {
		return false, false, nil
	}
	p1, p0, t1, t0, l1, l0 := P[1], P[0], target[1], target[0], L[1], L[0]
	feePips := uint64(p.fee)
	c := feeDenominator - feePips

	// lessFee = floor(amount·c/1e6); an amount of 2^128 or more (an
	// arbitrageur's "all it takes" to a limit) leaves at least 2^127 when
	// c >= 1e6/2, so any input below 2^127 reaches the target.
	big := amount[3]|amount[2] != 0
	var lf1, lf0 uint64
	if big {
		if 2*c < feeDenominator {
			return false, false, nil
		}
	} else {
		h0, w0 := bits.Mul64(amount[0], c)
		h1, w1 := bits.Mul64(amount[1], c)
		w1, carry := bits.Add64(w1, h0, 0)
		w2 := h1 + carry // below c: lessFee < amount < 2^128
		var rem uint64
		if w2 != 0 || w1 >= feeDenominator {
			lf1, rem = bits.Div64(w2, w1, feeDenominator)
		} else {
			rem = w1
		}
		lf0, _ = bits.Div64(rem, w0, feeDenominator)
		if lf1|lf0 == 0 {
			return false, false, nil
		}
	}

	qp1, qp0, rp1, rp0, okq := p.quotAt()
	if !okq {
		return false, false, nil
	}
	// The step: next price, input, output and (reached) the fee.
	var n1, n0, in1, in0, out1, out0 uint64 // next price, input, output
	var qn1, qn0, rn1, rn0 uint64           // next price's quotient memo
	reached := false
	if zeroForOne {
		// Selling token0: the price falls from P to at least T.
		if big || !fallsShort128(p1, p0, t1, t0, l1, l0, lf1, lf0, true) {
			qt1, qt0, rt1, rt0, okt := quot96(l1, l0, t1, t0)
			if !okt {
				return false, false, nil
			}
			// ceil(N/T − N/P)
			i1, i0 := amount0Diff(qt1, qt0, rt1, rt0, t1, t0, qp1, qp0, rp1, rp0, p1, p0, true)
			if big {
				if i1 >= 1<<63 {
					return false, false, nil
				}
				reached = true
			} else {
				reached = i1 < lf1 || (i1 == lf1 && i0 <= lf0)
			}
			if reached {
				n1, n0, in1, in0 = t1, t0, i1, i0
				qn1, qn0, rn1, rn0 = qt1, qt0, rt1, rt0
			}
		}
		if !reached {
			var isIn, okn bool
			n1, n0, isIn, okn = nextPrice0(p1, p0, l1, l0, lf1, lf0)
			if !okn || n1 == t1 && n0 == t0 || n1 >= 1<<63 {
				return false, false, nil
			}
			okm := false
			if isIn {
				in1, in0 = lf1, lf0
				// N/P' = q + lessFee + r/P − e/(P·P') with 0 <= e/(P·P') < 1
				// (nextPriceWords), so floor(N/P') is q + lessFee or one
				// less: the remainder N − (q + lessFee)·P' lies in [−P',
				// P'), below 2^127 in magnitude, and its sign decides.
				var carry uint64
				g0, carry := bits.Add64(qp0, lf0, 0)
				g1, carry := bits.Add64(qp1, lf1, carry)
				if carry == 0 {
					h, lo := bits.Mul64(g0, n0)
					h += g0*n1 + g1*n0
					x0, b := bits.Sub64(0, lo, 0)
					x1, _ := bits.Sub64(l0<<32, h, b)
					if x1 >= 1<<63 { // negative: one less
						g0, b = bits.Sub64(g0, 1, 0)
						g1 -= b
						x0, carry = bits.Add64(x0, n0, 0)
						x1 += n1 + carry
					}
					qn1, qn0, rn1, rn0, okm = g1, g0, x1, x0, true
				}
			}
			if !okm {
				if qn1, qn0, rn1, rn0, okm = quot96(l1, l0, n1, n0); !okm {
					return false, false, nil
				}
			}
			if !isIn {
				// ceil(N/P' − N/P)
				in1, in0 = amount0Diff(qn1, qn0, rn1, rn0, n1, n0, qp1, qp0, rp1, rp0, p1, p0, true)
			}
		}
		// floor(L·(P − P')/2^96)
		d0, b := bits.Sub64(p0, n0, 0)
		d1, _ := bits.Sub64(p1, n1, b)
		w3, w2, w1, _ := mul128(l1, l0, d1, d0)
		if w3>>32 != 0 {
			return false, false, nil
		}
		out1, out0 = w2>>32|w3<<32, w1>>32|w2<<32
	} else {
		// Selling token1: the price rises from P to at most T.
		if big || !fallsShort128(p1, p0, t1, t0, l1, l0, lf1, lf0, false) {
			// ceil(L·(T − P)/2^96)
			d0, b := bits.Sub64(t0, p0, 0)
			d1, _ := bits.Sub64(t1, p1, b)
			w3, w2, w1, w0 := mul128(l1, l0, d1, d0)
			if w3>>32 != 0 {
				return false, false, nil
			}
			i1, i0 := w2>>32|w3<<32, w1>>32|w2<<32
			if w0 != 0 || w1&(1<<32-1) != 0 {
				var carry uint64
				i0, carry = bits.Add64(i0, 1, 0)
				i1 += carry
			}
			if big {
				if i1 >= 1<<63 {
					return false, false, nil
				}
				reached = true
			} else {
				reached = i1 < lf1 || (i1 == lf1 && i0 <= lf0)
			}
			if reached {
				n1, n0, in1, in0 = t1, t0, i1, i0
			}
		}
		if !reached {
			// P + floor(lessFee·2^96/L)
			d1, d0, _, _, okd := quot96(lf1, lf0, l1, l0)
			if !okd {
				return false, false, nil
			}
			var c uint64
			n0, c = bits.Add64(p0, d0, 0)
			n1, c = bits.Add64(p1, d1, c)
			if c != 0 || n1 == t1 && n0 == t0 || n1 >= 1<<63 {
				return false, false, nil
			}
			// ceil(L·(P' − P)/2^96), P' − P being the quotient d
			w3, w2, w1, w0 := mul128(l1, l0, d1, d0)
			in1, in0 = w2>>32|w3<<32, w1>>32|w2<<32 // below lessFee: fits
			if w0 != 0 || w1&(1<<32-1) != 0 {
				var carry uint64
				in0, carry = bits.Add64(in0, 1, 0)
				in1 += carry
			}
		}
		var okm bool
		if qn1, qn0, rn1, rn0, okm = quot96(l1, l0, n1, n0); !okm {
			return false, false, nil
		}
		// floor(N/P − N/P')
		out1, out0 = amount0Diff(qp1, qp0, rp1, rp0, p1, p0, qn1, qn0, rn1, rn0, n1, n0, false)
	}
	if n1 == sqrtNext[1] && n0 == sqrtNext[0] && sqrtNext[3]|sqrtNext[2] == 0 {
		return false, false, nil // on the next tick: a crossing
	}
	// The fee: what the input leaves of the amount, or when the target is
	// reached ceil(input·fee/(1e6 − fee)); used is input + fee. Results are
	// kept in words and stored a word at a time: a 256-bit value built by
	// word stores and then copied whole is read back by 16-byte loads that
	// the processor cannot forward from the pending 8-byte stores.
	var f1, f0, u2, u1, u0 uint64
	if reached {
		h0, w0 := bits.Mul64(in0, feePips)
		h1, w1 := bits.Mul64(in1, feePips)
		w1, carry := bits.Add64(w1, h0, 0)
		w2 := h1 + carry
		if w2 >= c {
			return false, false, nil
		}
		var rem uint64
		f1, rem = bits.Div64(w2, w1, c)
		f0, rem = bits.Div64(rem, w0, c)
		if rem != 0 {
			f0, carry = bits.Add64(f0, 1, 0)
			f1 += carry
		}
		u0, carry = bits.Add64(in0, f0, 0)
		u1, carry = bits.Add64(in1, f1, carry)
		u2 = carry
	} else {
		// Not reached: the amount is below 2^128 (big always reaches).
		var b uint64
		f0, b = bits.Sub64(amount[0], in0, 0)
		f1, _ = bits.Sub64(amount[1], in1, b)
		u1, u0 = amount[1], amount[0]
	}
	var growth uint256.Int
	if f1 == 0 && l1 == 0 && l0 > 1 {
		// feeGrowthDelta's one-word case.
		growth[2], growth[1], growth[0] = p.recip.growth(f0, l0)
	} else {
		var err error
		if growth, err = feeGrowthDelta(&uint256.Int{f0, f1}, L, &p.recip); err != nil {
			return false, false, nil
		}
	}

	tick := p.tick
	stale := p.tickStale || n1 != p1 || n0 != p0
	if stale && needTick {
		tick, _ = TickAtSqrtRatio(&uint256.Int{n0, n1}) // within TickMath's range: cannot fail
		stale = false
	}
	// The pool pays out before it is paid; a transfer beyond its balance
	// fails, with the amounts written as the general loop writes them.
	in, out, balanceOut := &r.Amount0, &r.Amount1, &p.balance1
	if !zeroForOne {
		in, out, balanceOut = &r.Amount1, &r.Amount0, &p.balance0
	}
	in[0], in[1], in[2], in[3] = u0, u1, u2, 0
	setNeg(out, out1, out0)
	if balanceOut[3]|balanceOut[2] == 0 && (out1 > balanceOut[1] || out1 == balanceOut[1] && out0 > balanceOut[0]) {
		return true, false, errTF
	}
	r.SqrtPriceX96[0], r.SqrtPriceX96[1], r.SqrtPriceX96[2], r.SqrtPriceX96[3] = n0, n1, 0, 0
	r.Tick, r.Liquidity = tick, *L
	r.Fee[0], r.Fee[1], r.Fee[2], r.Fee[3] = f0, f1, 0, 0
	r.ProtocolFee = uint256.Int{}
	if !commit || (accept != nil && !accept()) {
		return true, false, nil
	}
	// Commit: what commitGlobals writes, in place (no protocol fee).
	p.sqrtPriceX96[0], p.sqrtPriceX96[1] = n0, n1 // its top words are zero
	p.tick, p.tickStale = tick, stale
	m := &p.quot
	m.l1, m.l0, m.p1, m.p0, m.q1, m.q0, m.r1, m.r0 = l1, l0, n1, n0, qn1, qn0, rn1, rn0
	balanceIn := &p.balance0
	feeGrowth := &p.feeGrowthGlobal0X128
	if !zeroForOne {
		balanceIn, feeGrowth = &p.balance1, &p.feeGrowthGlobal1X128
	}
	feeGrowth.Add(feeGrowth, &growth) // wraps, as in the contract
	addWords(balanceIn, u2, u1, u0)
	var b uint64
	balanceOut[0], b = bits.Sub64(balanceOut[0], out0, 0)
	balanceOut[1], b = bits.Sub64(balanceOut[1], out1, b)
	balanceOut[2], b = bits.Sub64(balanceOut[2], 0, b)
	balanceOut[3], _ = bits.Sub64(balanceOut[3], 0, b)
	return true, true, nil
}

// setNeg sets z to −(hi·2^64 + lo) modulo 2^256, a word at a time.
func setNeg(z *uint256.Int, hi, lo uint64) {
	var b uint64
	z[0], b = bits.Sub64(0, lo, 0)
	z[1], b = bits.Sub64(0, hi, b)
	z[2], b = bits.Sub64(0, 0, b)
	z[3], _ = bits.Sub64(0, 0, b)
}
