package uniswapv3

import (
	"math/bits"

	"github.com/holiman/uint256"
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
		d := v[0]
		var r uint64
		for i := un - 1; i >= 0; i-- {
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
