package stableswap

import (
	"math/bits"

	"github.com/holiman/uint256"
)

// Machine-word arithmetic for the sizes the pool's math meets most: the
// same integers as uint256's Mul and Div, without their general loops.

// mul128 sets z = x·y for x, y < 2^128 (the product fits in 256 bits).
func mul128(z, x, y *uint256.Int) {
	x0, x1, y0, y1 := x[0], x[1], y[0], y[1]
	h00, l00 := bits.Mul64(x0, y0)
	h01, l01 := bits.Mul64(x0, y1)
	h10, l10 := bits.Mul64(x1, y0)
	h11, l11 := bits.Mul64(x1, y1)
	z1, c := bits.Add64(h00, l01, 0)
	z1, c2 := bits.Add64(z1, l10, 0)
	z2, c3 := bits.Add64(h01, h10, c)
	z2, c4 := bits.Add64(z2, l11, c2)
	z3 := h11 + c3 + c4
	z[0], z[1], z[2], z[3] = l00, z1, z2, z3
}

// mulWord sets z = x·y for x < 2^192 (the product fits in 256 bits).
func mulWord(z, x *uint256.Int, y uint64) {
	h0, l0 := bits.Mul64(x[0], y)
	h1, l1 := bits.Mul64(x[1], y)
	h2, l2 := bits.Mul64(x[2], y)
	z1, c := bits.Add64(h0, l1, 0)
	z2, c2 := bits.Add64(h1, l2, c)
	z[0], z[1], z[2], z[3] = l0, z1, z2, h2+c2
}

// divWord sets z = ⌊x/y⌋ for a divisor y of one word (y > 0).
func divWord(z, x *uint256.Int, y uint64) {
	var q [4]uint64
	var r uint64
	for k := 3; k >= 0; k-- {
		if r == 0 && x[k] < y {
			r = x[k]
			continue
		}
		q[k], r = bits.Div64(r, x[k], y)
	}
	z[0], z[1], z[2], z[3] = q[0], q[1], q[2], q[3]
}

// divTwoWords sets z = ⌊x/y⌋ for a divisor of two words (y1 ≠ 0,
// y = y1·2^64 + y0), by Knuth's algorithm D: the divisor normalized so that
// its top bit is set, each quotient word estimated from the top two words
// of the remainder and the divisor's top word (at most 2 too large), then
// corrected by adding the divisor back. A divisor used many times is better
// prepared once with newDivisor.
func divTwoWords(z, x *uint256.Int, y1, y0 uint64) {
	s := uint(bits.LeadingZeros64(y1))
	d := divisor{v1: y1<<s | y0>>(64-s), v0: y0 << s, s: s}
	d.div(z, x)
}

// divisor is a two-word divisor prepared for Knuth's algorithm D.
type divisor struct {
	v1, v0 uint64 // the divisor shifted left by s: the top bit of v1 set
	s      uint
	// inv, if not zero, is ⌊(2^128 − 1)/v1⌋ − 2^64, Möller and Granlund's
	// reciprocal of v1, which turns each quotient word's estimate from a
	// hardware division into two multiplications.
	inv uint64
}

// newDivisor prepares the divisor y1·2^64 + y0 (y1 ≠ 0) with its
// reciprocal.
func newDivisor(y1, y0 uint64) divisor {
	s := uint(bits.LeadingZeros64(y1))
	d := divisor{v1: y1<<s | y0>>(64-s), v0: y0 << s, s: s}
	d.inv, _ = bits.Div64(^d.v1, ^uint64(0), d.v1)
	return d
}

// quotientWord returns ⌊(u1·2^64 + u0)/v1⌋ for u1 < v1.
func (d *divisor) quotientWord(u1, u0 uint64) uint64 {
	if d.inv == 0 {
		q, _ := bits.Div64(u1, u0, d.v1)
		return q
	}
	// Möller and Granlund, "Improved division by invariant integers"
	// (2011), algorithm 4.
	qh, ql := bits.Mul64(d.inv, u1)
	ql, c := bits.Add64(ql, u0, 0)
	qh, _ = bits.Add64(qh, u1, c)
	qh++
	r := u0 - qh*d.v1
	if r > ql {
		qh--
		r += d.v1
	}
	if r >= d.v1 {
		qh++
	}
	return qh
}

// div sets z = ⌊x/v⌋.
func (d *divisor) div(z, x *uint256.Int) {
	s, v1, v0 := d.s, d.v1, d.v0
	// u = x·2^s, five words.
	u := [5]uint64{x[0] << s, x[1]<<s | x[0]>>(64-s), x[2]<<s | x[1]>>(64-s), x[3]<<s | x[2]>>(64-s), x[3] >> (64 - s)}
	var q [3]uint64
	r2, r1 := u[4], u[3]
	for k := 2; k >= 0; k-- {
		r0 := u[k]
		// Invariant: r2·2^64 + r1 < v.
		if r2 == 0 && r1 < v1 {
			// The quotient word is 0 (the estimate below would be).
			r2, r1 = r1, r0
			continue
		}
		var qh uint64
		if r2 >= v1 {
			qh = ^uint64(0)
		} else {
			qh = d.quotientWord(r2, r1)
		}
		// r − qh·v over three words.
		ph, pl := bits.Mul64(qh, v0)
		qh1, ql1 := bits.Mul64(qh, v1)
		p1, c := bits.Add64(ph, ql1, 0)
		p2 := qh1 + c
		var b uint64
		r0, b = bits.Sub64(r0, pl, 0)
		r1, b = bits.Sub64(r1, p1, b)
		r2, b = bits.Sub64(r2, p2, b)
		for b != 0 {
			// Negative: add v back until the sum carries out of the top.
			qh--
			var cc uint64
			r0, cc = bits.Add64(r0, v0, 0)
			r1, cc = bits.Add64(r1, v1, cc)
			r2, cc = bits.Add64(r2, 0, cc)
			b -= cc
		}
		q[k] = qh
		r2, r1 = r1, r0
	}
	z[0], z[1], z[2], z[3] = q[0], q[1], q[2], 0
}
