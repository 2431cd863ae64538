package synth

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/holiman/uint256"
)

var ray = func() uint256.Int {
	var r uint256.Int
	r.SetUint64(1e18)
	return *r.Mul(&r, uint256.NewInt(1e9))
}()

var halfRay = func() uint256.Int {
	var h uint256.Int
	return *h.Rsh(&ray, 1)
}()

// RayOne returns 1 as a ray, 1e27.
func RayOne() uint256.Int { return ray }

// Fraction returns num/den as a ray, rounded down (0 for den = 0).
func Fraction(num, den uint64) uint256.Int {
	if den == 0 {
		return uint256.Int{}
	}
	var z uint256.Int
	z.SetUint64(num)
	z.MulDivOverflow(&z, &ray, uint256.NewInt(den))
	return z
}

// rpow returns x^n in ray fixed point, each product rounded half up
// (Maker's rpow), and false on overflow.
func rpow(x uint256.Int, n uint64) (uint256.Int, bool) {
	z := ray
	if n&1 == 1 {
		z = x
	}
	for n >>= 1; n > 0; n >>= 1 {
		var ok bool
		if x, ok = rmulHalfUp(x, x); !ok {
			return uint256.Int{}, false
		}
		if n&1 == 1 {
			if z, ok = rmulHalfUp(z, x); !ok {
				return uint256.Int{}, false
			}
		}
	}
	return z, true
}

func rmulHalfUp(a, b uint256.Int) (uint256.Int, bool) {
	var p uint256.Int
	if _, over := p.MulOverflow(&a, &b); over {
		return p, false
	}
	if _, over := p.AddOverflow(&p, &halfRay); over {
		return p, false
	}
	return *p.Div(&p, &ray), true
}

// Point is one knot of a RateCurve: at utilization X (ray) the yearly rate
// is Rate (ray).
type Point struct {
	X, Rate uint256.Int
}

// RateCurve is a piecewise-linear yearly borrow rate in utilization. Below
// the first point the rate is the first point's, above the last the
// last's; between points i and i+1 it is
//
//	Rate_i ± ⌊|Rate_{i+1} − Rate_i|·(u − X_i)/(X_{i+1} − X_i)⌋
//
// (the interpolated term rounded down, i.e. toward Rate_i). X must
// strictly increase.
type RateCurve []Point

var errCurve = errors.New("synth: invalid rate curve")

func (c RateCurve) validate() error {
	if len(c) == 0 {
		return fmt.Errorf("%w: no points", errCurve)
	}
	for i := 1; i < len(c); i++ {
		if !c[i-1].X.Lt(&c[i].X) {
			return fmt.Errorf("%w: X of point %d is not above point %d", errCurve, i, i-1)
		}
	}
	return nil
}

// At returns the yearly rate at utilization u (ray). An empty curve gives 0;
// a product that overflows saturates to the segment's end rate.
func (c RateCurve) At(u uint256.Int) uint256.Int {
	if len(c) == 0 {
		return uint256.Int{}
	}
	if !c[0].X.Lt(&u) {
		return c[0].Rate
	}
	for i := 1; i < len(c); i++ {
		a, b := &c[i-1], &c[i]
		if b.X.Lt(&u) {
			continue
		}
		var dx, du, dr, t uint256.Int
		dx.Sub(&b.X, &a.X)
		du.Sub(&u, &a.X)
		up := !b.Rate.Lt(&a.Rate)
		if up {
			dr.Sub(&b.Rate, &a.Rate)
		} else {
			dr.Sub(&a.Rate, &b.Rate)
		}
		if _, over := t.MulDivOverflow(&dr, &du, &dx); over {
			return b.Rate
		}
		if up {
			return *t.Add(&a.Rate, &t)
		}
		return *t.Sub(&a.Rate, &t)
	}
	return c[len(c)-1].Rate
}

// five27 is 5^27: RAY = 10^27 = 2^27·5^27, and 5^27 < 2^63.
const five27 = 7450580596923828125

// mulDivRay sets z = ⌊x·y/RAY⌋ and reports overflow as MulDivOverflow(x,
// y, RAY) does. Where x·y fits 256 bits, ⌊x·y/RAY⌋ = ⌊⌊x·y/2^27⌋/5^27⌋:
// a shift and four one-word divisions (each remainder below 5^27, so each
// quotient fits a word), where MulDivOverflow divides 512 bits by RAY's
// two words.
func mulDivRay(z, x, y *uint256.Int) bool {
	var p uint256.Int
	if _, over := p.MulOverflow(x, y); over {
		_, over := z.MulDivOverflow(x, y, &ray)
		return over
	}
	p.Rsh(&p, 27)
	var r uint64
	z[3], r = bits.Div64(0, p[3], five27)
	z[2], r = bits.Div64(r, p[2], five27)
	z[1], r = bits.Div64(r, p[1], five27)
	z[0], _ = bits.Div64(r, p[0], five27)
	return false
}
