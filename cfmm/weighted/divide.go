package weighted

import (
	"math/bits"

	"github.com/holiman/uint256"
)

// LogExpMath divides mostly by constants: 1e18, 1e20, 1e36 and the small
// integers of its series. A general 256-bit division recomputes a
// reciprocal or runs Knuth's algorithm each time; constDiv instead splits
// the divisor into 2^shift·m with m < 2^64 and keeps the reciprocal of m,
// so a division is a shift and one multiply-based step per word
// (Möller and Granlund, "Improved division by invariant integers", 2011).
// Floors nest, ⌊⌊x/a⌋/b⌋ = ⌊x/(a·b)⌋, so the quotient is exactly x/d.
type constDiv struct {
	shift uint   // power of two factored out of the divisor
	norm  uint   // leading zeros of m
	m     uint64 // m << norm, top bit set
	v     uint64 // ⌊(2^128 − 1)/m⌋ − 2^64
}

func newConstDiv(d uint64, shift uint) constDiv {
	for d&1 == 0 {
		d >>= 1
		shift++
	}
	norm := uint(bits.LeadingZeros64(d))
	m := d << norm
	v, _ := bits.Div64(^m, ^uint64(0), m)
	return constDiv{shift: shift, norm: norm, m: m, v: v}
}

var (
	div1e18 = newConstDiv(1e18, 0)
	div1e20 = newConstDiv(1e20/(1<<20), 20) // 1e20 = 2^20·5^20
	div100  = newConstDiv(100, 0)
	// divSmall[k] divides by k, for the series denominators 2 … 15.
	divSmall = func() (t [16]constDiv) {
		for k := 1; k < len(t); k++ {
			t[k] = newConstDiv(uint64(k), 0)
		}
		return t
	}()
	// divTerm[k] divides by 1e20·k in one step: exp's Taylor terms
	// (term·x/1e20)/k, since nested floors equal the floor of the product.
	divTerm = func() (t [13]constDiv) {
		for k := 1; k < len(t); k++ {
			t[k] = newConstDiv(1e20/(1<<20)*uint64(k), 20)
		}
		return t
	}()
)

// div sets z = ⌊x/d⌋ for unsigned x.
func (c *constDiv) div(z, x *uint256.Int) *uint256.Int {
	var u [5]uint64
	if c.shift == 0 {
		u[0], u[1], u[2], u[3] = x[0], x[1], x[2], x[3]
	} else {
		var t uint256.Int
		t.Rsh(x, c.shift)
		u[0], u[1], u[2], u[3] = t[0], t[1], t[2], t[3]
	}
	if c.norm != 0 {
		s, r := c.norm, 64-c.norm
		u[4] = u[3] >> r
		u[3] = u[3]<<s | u[2]>>r
		u[2] = u[2]<<s | u[1]>>r
		u[1] = u[1]<<s | u[0]>>r
		u[0] <<= s
	}
	// u[4] holds the bits shifted out of x, fewer than norm, so it is
	// below m and starts the remainder; leading zero words are skipped.
	var q [4]uint64
	top, rem := 3, u[4]
	for top >= 0 && rem == 0 && u[top] < c.m {
		rem = u[top]
		top--
	}
	for k := top; k >= 0; k-- {
		q[k], rem = c.step(rem, u[k])
	}
	z[0], z[1], z[2], z[3] = q[0], q[1], q[2], q[3]
	return z
}

// step divides hi:lo by m (hi < m) with the reciprocal v.
func (c *constDiv) step(hi, lo uint64) (q, r uint64) {
	qh, ql := bits.Mul64(c.v, hi)
	ql, carry := bits.Add64(ql, lo, 0)
	qh, _ = bits.Add64(qh, hi, carry)
	qh++
	r = lo - qh*c.m
	if r > ql {
		qh--
		r += c.m
	}
	if r >= c.m {
		qh++
		r -= c.m
	}
	return qh, r
}

// sdiv sets z = x/d for signed x, rounding toward zero as SDIV does.
func (c *constDiv) sdiv(z, x *uint256.Int) *uint256.Int {
	if x.Sign() >= 0 {
		return c.div(z, x)
	}
	var a uint256.Int
	a.Neg(x)
	c.div(z, &a)
	return z.Neg(z)
}

// div1e36 sets z = x/1e36 (signed, rounding toward zero) as two divisions
// by 1e18.
func div1e36(z, x *uint256.Int) *uint256.Int {
	div1e18.sdiv(z, x)
	return div1e18.sdiv(z, z)
}
