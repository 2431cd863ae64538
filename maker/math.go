package maker

import (
	"errors"

	"github.com/holiman/uint256"
)

// Fixed-point units of the Maker contracts. A wad has 18 decimals, a ray 27
// and a rad 45 (the product of a wad and a ray).
var (
	wad = *uint256.NewInt(1e18)
	ray = *new(uint256.Int).Mul(uint256.NewInt(1e18), uint256.NewInt(1e9))
	rad = *new(uint256.Int).Mul(&ray, &wad)
	bln = *uint256.NewInt(1e9)

	// halfRange is 2^255, the magnitude of the most negative int256.
	halfRange = *new(uint256.Int).Lsh(uint256.NewInt(1), 255)
)

// WAD returns 10^18, the unit of collateral and normalised debt amounts.
func WAD() uint256.Int { return wad }

// RAY returns 10^27, the unit of prices, rates and ratios.
func RAY() uint256.Int { return ray }

// RAD returns 10^45, the unit of DAI balances and debts inside the Vat.
func RAD() uint256.Int { return rad }

// Revert is an operation the contracts would reject. Reason is the
// contract's revert string (for example "Clipper/too-expensive"), or a short
// description where the contract reverts without one (arithmetic overflow).
type Revert struct{ Reason string }

func (r *Revert) Error() string { return "reverted: " + r.Reason }

// IsRevert reports whether err is a contract revert.
func IsRevert(err error) bool {
	var r *Revert
	return errors.As(err, &r)
}

func revert(reason string) error { return &Revert{Reason: reason} }

var (
	errOverflow  = revert("math/overflow")
	errUnderflow = revert("math/underflow")
	errDivZero   = revert("math/division-by-zero")
)

// mul returns x·y, or an overflow revert (ds-math mul).
func mul(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if _, o := z.MulOverflow(x, y); o {
		return z, errOverflow
	}
	return z, nil
}

// add returns x+y, or an overflow revert.
func add(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if _, o := z.AddOverflow(x, y); o {
		return z, errOverflow
	}
	return z, nil
}

// sub returns x−y, or an underflow revert.
func sub(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if _, o := z.SubOverflow(x, y); o {
		return z, errUnderflow
	}
	return z, nil
}

// rmul returns x·y/RAY rounded down (ray multiplication as in abaci.sol,
// clip.sol and jug.sol).
func rmul(x, y *uint256.Int) (uint256.Int, error) {
	z, err := mul(x, y)
	z.Div(&z, &ray)
	return z, err
}

// wmul returns x·y/WAD rounded down (clip.sol wmul).
func wmul(x, y *uint256.Int) (uint256.Int, error) {
	z, err := mul(x, y)
	z.Div(&z, &wad)
	return z, err
}

// rdiv returns x·RAY/y rounded down (clip.sol and spot.sol rdiv); y = 0
// reverts.
func rdiv(x, y *uint256.Int) (uint256.Int, error) {
	if y.IsZero() {
		return uint256.Int{}, errDivZero
	}
	z, err := mul(x, &ray)
	z.Div(&z, y)
	return z, err
}

// Rpow returns x^n in fixed point with base b (b = RAY for ray powers), by
// binary exponentiation in which every product is rounded half up:
//
//	z ← (z·x + b/2) / b
//
// exactly the assembly rpow of abaci.sol and jug.sol, including its results
// for zero: Rpow(x, 0, b) = b and Rpow(0, n>0, b) = 0. An intermediate that
// does not fit in 256 bits is an overflow revert, as in the contracts.
func Rpow(x *uint256.Int, n uint64, b *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if n == 0 {
		return *z.Set(b), nil
	}
	if x.IsZero() {
		return z, nil
	}
	if b.IsZero() {
		return z, errDivZero
	}
	var half uint256.Int
	half.Rsh(b, 1)
	xv := *x
	if n%2 == 0 {
		z.Set(b)
	} else {
		z.Set(x)
	}
	for n /= 2; n != 0; n /= 2 {
		var xx uint256.Int
		if _, o := xx.MulOverflow(&xv, &xv); o {
			return uint256.Int{}, errOverflow
		}
		if _, o := xx.AddOverflow(&xx, &half); o {
			return uint256.Int{}, errOverflow
		}
		xv.Div(&xx, b)
		if n%2 == 1 {
			var zx uint256.Int
			if _, o := zx.MulOverflow(&z, &xv); o {
				return uint256.Int{}, errOverflow
			}
			if _, o := zx.AddOverflow(&zx, &half); o {
				return uint256.Int{}, errOverflow
			}
			z.Div(&zx, b)
		}
	}
	return z, nil
}

// Signed arithmetic of the Vat: an int256 is held in a uint256.Int in two's
// complement, exactly as the EVM holds it.

// isNeg reports whether the two's complement int256 y is negative.
func isNeg(y *uint256.Int) bool { return y.Sign() < 0 }

// addSigned returns x+y for unsigned x and signed y (vat.sol add(uint,int)),
// reverting when the result leaves the unsigned range.
func addSigned(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	z.Add(x, y)
	if isNeg(y) {
		if z.Gt(x) {
			return z, errUnderflow
		}
	} else if z.Lt(x) {
		return z, errOverflow
	}
	return z, nil
}

// subSigned returns x−y for unsigned x and signed y (vat.sol sub(uint,int)).
func subSigned(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	z.Sub(x, y)
	if isNeg(y) {
		if z.Lt(x) {
			return z, errOverflow
		}
	} else if z.Gt(x) {
		return z, errUnderflow
	}
	return z, nil
}

// mulSigned returns x·y for unsigned x and signed y as a signed int256
// (vat.sol mul(uint,int)): x must be below 2^255 and the product must fit in
// an int256.
func mulSigned(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if isNeg(x) {
		return z, errOverflow
	}
	neg := isNeg(y)
	var m uint256.Int
	m.Abs(y) // Abs(−2^255) is 2^255 read as unsigned, the magnitude we want
	if _, o := z.MulOverflow(x, &m); o {
		return uint256.Int{}, errOverflow
	}
	if c := z.Cmp(&halfRange); c > 0 || (c == 0 && !neg) {
		return uint256.Int{}, errOverflow
	}
	if neg {
		z.Neg(&z)
	}
	return z, nil
}

// negate returns −x as a two's complement int256; x must be at most 2^255.
func negate(x *uint256.Int) uint256.Int {
	var z uint256.Int
	z.Neg(x)
	return z
}

func minInt(x, y *uint256.Int) uint256.Int {
	if x.Lt(y) {
		return *x
	}
	return *y
}
