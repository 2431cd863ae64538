package uniswapv3

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// Reverts are shared values so that a rejected operation costs no allocation.
var (
	errT              error = &cfmm.Revert{Reason: "T"}
	errR              error = &cfmm.Revert{Reason: "R"}
	errSPL            error = &cfmm.Revert{Reason: "SPL"}
	errAS             error = &cfmm.Revert{Reason: "AS"}
	errLOK            error = &cfmm.Revert{Reason: "LOK"}
	errAI             error = &cfmm.Revert{Reason: "AI"}
	errTLU            error = &cfmm.Revert{Reason: "TLU"}
	errTLM            error = &cfmm.Revert{Reason: "TLM"}
	errTUM            error = &cfmm.Revert{Reason: "TUM"}
	errLO             error = &cfmm.Revert{Reason: "LO"}
	errLS             error = &cfmm.Revert{Reason: "LS"}
	errLA             error = &cfmm.Revert{Reason: "LA"}
	errNP             error = &cfmm.Revert{Reason: "NP"}
	errTF             error = &cfmm.Revert{Reason: "TF"}
	errFullMath       error = &cfmm.Revert{Reason: "FullMath"}
	errSafeCast       error = &cfmm.Revert{Reason: "SafeCast"}
	errLowGasSafeMath error = &cfmm.Revert{Reason: "LowGasSafeMath"}
	errSqrtPriceMath  error = &cfmm.Revert{Reason: "SqrtPriceMath"}
	errTickBitmap     error = &cfmm.Revert{Reason: "TickBitmap"}
	errPool           error = &cfmm.Revert{Reason: "UniswapV3Pool"}
	errDivZero        error = &cfmm.Revert{Reason: "division by zero"}
)

var (
	q96        = uint256.Int{0, 1 << 32, 0, 0} // 2^96, FixedPoint96.Q96
	q128       = uint256.Int{0, 0, 1, 0}       // 2^128, FixedPoint128.Q128
	maxUint128 = uint256.Int{^uint64(0), ^uint64(0), 0, 0}
	maxUint160 = uint256.Int{^uint64(0), ^uint64(0), 1<<32 - 1, 0}
	maxUint256 = uint256.Int{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
)

// MulDiv returns floor(a·b/denominator), with the product held in 512 bits
// so that it cannot overflow (FullMath.mulDiv). It reverts ("FullMath") if
// denominator is zero or the quotient does not fit in 256 bits.
func MulDiv(a, b, denominator *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	_, err := mulDiv(&z, a, b, denominator)
	return z, err
}

// MulDivRoundingUp returns ceil(a·b/denominator) with a 512-bit product
// (FullMath.mulDivRoundingUp). It reverts ("FullMath") if denominator is zero
// or the result does not fit in 256 bits.
func MulDivRoundingUp(a, b, denominator *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	inexact, err := mulDiv(&z, a, b, denominator)
	if err != nil {
		return z, err
	}
	if inexact {
		if z == maxUint256 {
			return uint256.Int{}, errFullMath
		}
		z.AddUint64(&z, 1)
	}
	return z, nil
}

// mulDiv sets z = floor(a·b/d) and reports whether the division left a
// remainder, or reverts ("FullMath") with z zero when d is zero or the
// quotient does not fit in 256 bits. The product is formed over the
// operands' significant words only, and Q96 and Q128, the usual
// fixed-point denominators, divide by shifting.
func mulDiv(z, a, b, d *uint256.Int) (inexact bool, err error) {
	dn := limbs(d)
	if dn == 0 {
		z.Clear()
		return false, errFullMath
	}
	an, bn := limbs(a), limbs(b)
	if an == 0 || bn == 0 {
		z.Clear()
		return false, nil
	}
	var p [8]uint64
	pn := mulWords(&p, a, b, an, bn)
	switch *d {
	case q96:
		if p[5]>>32|p[6]|p[7] != 0 {
			z.Clear()
			return false, errFullMath
		}
		inexact = p[0] != 0 || p[1]&(1<<32-1) != 0
		*z = uint256.Int{p[1]>>32 | p[2]<<32, p[2]>>32 | p[3]<<32, p[3]>>32 | p[4]<<32, p[4]>>32 | p[5]<<32}
		return inexact, nil
	case q128:
		if p[6]|p[7] != 0 {
			z.Clear()
			return false, errFullMath
		}
		*z = uint256.Int{p[2], p[3], p[4], p[5]}
		return p[0]|p[1] != 0, nil
	}
	var q [8]uint64
	inexact = divWords(&q, &p, pn, d, dn)
	if q[4]|q[5]|q[6]|q[7] != 0 {
		z.Clear()
		return false, errFullMath
	}
	*z = uint256.Int{q[0], q[1], q[2], q[3]}
	return inexact, nil
}

// DivRoundingUp returns ceil(x/y), or 0 when y is 0, as UnsafeMath.divRoundingUp
// (EVM division by zero yields zero; callers ensure y > 0).
func DivRoundingUp(x, y *uint256.Int) uint256.Int {
	var q, r uint256.Int
	if y.IsZero() {
		return q
	}
	q.DivMod(x, y, &r)
	if !r.IsZero() {
		q.AddUint64(&q, 1)
	}
	return q
}

// AddDelta returns x+y for a uint128 x and an int128 y (two's complement), as
// LiquidityMath.addDelta. It reverts "LS" if the result would be negative and
// "LA" if it would exceed 2^128-1, and "SafeCast" if x or y is outside its
// type.
func AddDelta(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if x.Gt(&maxUint128) || !isInt128(y) {
		return z, errSafeCast
	}
	if y.Sign() < 0 {
		var m uint256.Int
		m.Neg(y)
		if m.Gt(x) {
			return z, errLS
		}
		z.Sub(x, &m)
		return z, nil
	}
	z.Add(x, y)
	if z.Gt(&maxUint128) {
		return uint256.Int{}, errLA
	}
	return z, nil
}

// isInt128 reports whether the two's-complement x lies in [-2^127, 2^127).
func isInt128(x *uint256.Int) bool {
	if x.Sign() >= 0 {
		return x[3] == 0 && x[2] == 0 && x[1] < 1<<63
	}
	return x[3] == ^uint64(0) && x[2] == ^uint64(0) && x[1] >= 1<<63
}

// isInt256 reports whether an unsigned x converts to int256 (SafeCast.toInt256).
func isInt256(x *uint256.Int) bool { return x[3] < 1<<63 }

// addSigned sets z = x+y for int256 values and reports whether the sum did
// not overflow, the check of LowGasSafeMath.add(int256, int256).
func addSigned(z, x, y *uint256.Int) bool {
	if small254(x) && small254(y) {
		z.Add(x, y) // within ±2^255: no overflow
		return true
	}
	var s uint256.Int
	s.Add(x, y)
	ok := !s.Slt(x) == (y.Sign() >= 0)
	*z = s
	return ok
}

// subSigned sets z = x-y for int256 values and reports whether the
// difference did not overflow, the check of LowGasSafeMath.sub(int256, int256).
func subSigned(z, x, y *uint256.Int) bool {
	if small254(x) && small254(y) {
		z.Sub(x, y) // within ±2^255: no overflow
		return true
	}
	var s uint256.Int
	s.Sub(x, y)
	ok := !s.Sgt(x) == (y.Sign() >= 0)
	*z = s
	return ok
}

// small254 reports whether the int256 x lies in [−2^254, 2^254): its top
// word in [0, 2^62) or [3·2^62, 2^64), which adding 2^62 maps, wrapping,
// to below 2^63.
func small254(x *uint256.Int) bool { return (x[3]+1<<62)>>63 == 0 }

// truncate128 keeps the low 128 bits of z, the effect of a uint128 cast or of
// unchecked uint128 arithmetic.
func truncate128(z *uint256.Int) { z[2], z[3] = 0, 0 }
