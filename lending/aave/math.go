package aave

import (
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// Fixed-point units. A wad has 18 decimals, a ray 27 (Ray = Wad·WadRayRatio
// = 1e27, too large for an integer constant); percentages have 2 decimals in
// basis points, so 10000 is 100%.
const (
	Wad              = 1e18
	WadRayRatio      = 1e9
	PercentageFactor = 10000
	// SecondsPerYear is MathUtils.SECONDS_PER_YEAR: 365 days, leap years
	// ignored.
	SecondsPerYear = 365 * 24 * 3600
)

// Reverts are shared values so that a rejected operation costs no
// allocation. The math libraries revert with empty data; Solidity's checked
// arithmetic panics.
var (
	errWadRayMath     error = &lending.Revert{Reason: "WadRayMath"}
	errPercentageMath error = &lending.Revert{Reason: "PercentageMath"}
	errOverflow       error = &lending.Revert{Reason: "arithmetic underflow or overflow"}
	errDivZero        error = &lending.Revert{Reason: "division or modulo by zero"}
	errSafeCast       error = &lending.Revert{Reason: "SafeCast: value doesn't fit in 128 bits"}
)

var (
	wad       = uint256.Int{Wad, 0, 0, 0}
	halfWad   = uint256.Int{Wad / 2, 0, 0, 0}
	ray       = mustDecimal("1000000000000000000000000000")
	halfRay   = mustDecimal("500000000000000000000000000")
	wadRay    = uint256.Int{WadRayRatio, 0, 0, 0}
	pctFactor = uint256.Int{PercentageFactor, 0, 0, 0}
	halfPct   = uint256.Int{PercentageFactor / 2, 0, 0, 0}
	secsYear  = uint256.Int{SecondsPerYear, 0, 0, 0}
	secsYear2 = uint256.Int{SecondsPerYear * SecondsPerYear, 0, 0, 0}
	maxU128   = uint256.Int{^uint64(0), ^uint64(0), 0, 0}
	maxU256   = uint256.Int{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	six       = uint256.Int{6, 0, 0, 0}
	// Odd factors of the units: 1e18 = 5^18·2^18, 1e27 = 5^27·2^27,
	// 1e4 = 5^4·2^4.
	wadOdd = uint256.Int{3814697265625, 0, 0, 0}
	rayOdd = uint256.Int{7450580596923828125, 0, 0, 0}
	pctOdd = uint256.Int{625, 0, 0, 0}
)

func mustDecimal(s string) uint256.Int { return *uint256.MustFromDecimal(s) }

// mulHalfUp sets z = (a·b + half)/unit, where unit = odd·2^shift, and
// reports false, leaving z unspecified, when a·b + half overflows 256 bits.
// That is exactly the contracts' guard a > (2^256−1−half)/b, since for
// integers a > ⌊x/b⌋ ⇔ a·b > x. Dividing by the power of two and then by
// the odd factor gives the same floor (⌊⌊x/m⌋/n⌋ = ⌊x/(mn)⌋) and keeps the
// divisor in one word, much faster than a two-word 1e27.
func mulHalfUp(z, a, b, half *uint256.Int, shift uint, odd *uint256.Int) bool {
	if a[2]|a[3]|b[2]|b[3]|half[2]|half[3] == 0 && odd[1]|odd[2]|odd[3] == 0 && shift < 64 {
		// Operands below 2^128 (the common case): a·b + half < 2^256
		// cannot overflow, and the words are multiplied and divided
		// directly (mulDivWords).
		p := mul128(a, b)
		var c uint64
		p[0], c = bits.Add64(p[0], half[0], 0)
		p[1], c = bits.Add64(p[1], half[1], c)
		p[2], c = bits.Add64(p[2], 0, c)
		p[3] += c
		if shift > 0 {
			p[0] = p[0]>>shift | p[1]<<(64-shift)
			p[1] = p[1]>>shift | p[2]<<(64-shift)
			p[2] = p[2]>>shift | p[3]<<(64-shift)
			p[3] >>= shift
		}
		*z = divWord(&p, odd[0])
		return true
	}
	var p uint256.Int
	if _, o := p.MulOverflow(a, b); o {
		return false
	}
	if _, o := p.AddOverflow(&p, half); o {
		return false
	}
	z.Rsh(&p, shift)
	z.Div(z, odd)
	return true
}

// mul128 returns a·b for a, b below 2^128.
func mul128(a, b *uint256.Int) [4]uint64 {
	var p [4]uint64
	h00, l00 := bits.Mul64(a[0], b[0])
	h01, l01 := bits.Mul64(a[0], b[1])
	h10, l10 := bits.Mul64(a[1], b[0])
	h11, l11 := bits.Mul64(a[1], b[1])
	var c1, c2 uint64
	p[0] = l00
	p[1], c1 = bits.Add64(h00, l01, 0)
	p[1], c2 = bits.Add64(p[1], l10, 0)
	p[2], c1 = bits.Add64(h01, h10, c1)
	p[3] = h11 + c1
	p[2], c1 = bits.Add64(p[2], l11, c2)
	p[3] += c1
	return p
}

// divWord returns ⌊x/d⌋ for a non-zero one-word d, dividing word by word
// from the top (each bits.Div64 has its remainder below d).
func divWord(x *[4]uint64, d uint64) uint256.Int {
	var q uint256.Int
	var r uint64
	for i := 3; i >= 0; i-- {
		if r == 0 && x[i] < d {
			r = x[i]
			continue
		}
		q[i], r = bits.Div64(r, x[i], d)
	}
	return q
}

// mulDivWord sets z = ⌊x·y/d⌋ and reports false when x·y overflows 256
// bits; d is non-zero.
func mulDivWord(z, x, y, d *uint256.Int) bool {
	if x[2]|x[3]|y[2]|y[3]|d[1]|d[2]|d[3] == 0 {
		p := mul128(x, y)
		*z = divWord(&p, d[0])
		return true
	}
	if _, o := z.MulOverflow(x, y); o {
		return false
	}
	z.Div(z, d)
	return true
}

// divHalfUp sets z = (a·unit + ⌊b/2⌋)/b and reports false when b is zero or
// a·unit + ⌊b/2⌋ overflows 256 bits.
func divHalfUp(z, a, b, unit *uint256.Int) bool {
	if b.IsZero() {
		return false
	}
	if a[2]|a[3]|unit[2]|unit[3]|b[1]|b[2]|b[3] == 0 {
		// a·unit < 2^256 − 2^129 and ⌊b/2⌋ < 2^63: no overflow, and
		// a one-word divisor (a wadDiv by a debt in base units).
		p := mul128(a, unit)
		var c uint64
		p[0], c = bits.Add64(p[0], b[0]>>1, 0)
		p[1], c = bits.Add64(p[1], 0, c)
		p[2], c = bits.Add64(p[2], 0, c)
		p[3] += c
		*z = divWord(&p, b[0])
		return true
	}
	var p, h uint256.Int
	if _, o := p.MulOverflow(a, unit); o {
		return false
	}
	h.Rsh(b, 1)
	if _, o := p.AddOverflow(&p, &h); o {
		return false
	}
	z.Div(&p, b)
	return true
}

func rayMul(z, a, b *uint256.Int) error {
	if !mulHalfUp(z, a, b, &halfRay, 27, &rayOdd) {
		return errWadRayMath
	}
	return nil
}

func rayDiv(z, a, b *uint256.Int) error {
	if !divHalfUp(z, a, b, &ray) {
		return errWadRayMath
	}
	return nil
}

func wadDiv(z, a, b *uint256.Int) error {
	if !divHalfUp(z, a, b, &wad) {
		return errWadRayMath
	}
	return nil
}

func percentMul(z, value *uint256.Int, percentage uint64) error {
	p := uint256.Int{percentage, 0, 0, 0}
	if !mulHalfUp(z, value, &p, &halfPct, 4, &pctOdd) {
		return errPercentageMath
	}
	return nil
}

func percentDiv(z, value *uint256.Int, percentage uint64) error {
	p := uint256.Int{percentage, 0, 0, 0}
	if !divHalfUp(z, value, &p, &pctFactor) {
		return errPercentageMath
	}
	return nil
}

// WadMul returns a·b in wad, rounded half up: (a·b + 0.5e18)/1e18
// (WadRayMath.wadMul). It reverts when a·b + 0.5e18 overflows 256 bits.
func WadMul(a, b *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if !mulHalfUp(&z, a, b, &halfWad, 18, &wadOdd) {
		return uint256.Int{}, errWadRayMath
	}
	return z, nil
}

// WadDiv returns a/b in wad, rounded half up: (a·1e18 + ⌊b/2⌋)/b
// (WadRayMath.wadDiv). It reverts when b is zero or a·1e18 + ⌊b/2⌋
// overflows.
func WadDiv(a, b *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	err := wadDiv(&z, a, b)
	return z, err
}

// RayMul returns a·b in ray, rounded half up: (a·b + 0.5e27)/1e27
// (WadRayMath.rayMul). It reverts when a·b + 0.5e27 overflows.
func RayMul(a, b *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	err := rayMul(&z, a, b)
	return z, err
}

// RayDiv returns a/b in ray, rounded half up: (a·1e27 + ⌊b/2⌋)/b
// (WadRayMath.rayDiv). It reverts when b is zero or a·1e27 + ⌊b/2⌋
// overflows.
func RayDiv(a, b *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	err := rayDiv(&z, a, b)
	return z, err
}

// RayToWad converts a ray to a wad, rounding half up: ⌊a/1e9⌋, plus one
// when a mod 1e9 ≥ 5e8 (WadRayMath.rayToWad). It cannot fail.
func RayToWad(a *uint256.Int) uint256.Int {
	var q, r uint256.Int
	q.DivMod(a, &wadRay, &r)
	if r.CmpUint64(WadRayRatio/2) >= 0 {
		q.AddUint64(&q, 1)
	}
	return q
}

// WadToRay converts a wad to a ray, a·1e9 (WadRayMath.wadToRay). It
// reverts when the product overflows.
func WadToRay(a *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if _, o := z.MulOverflow(a, &wadRay); o {
		return uint256.Int{}, errWadRayMath
	}
	return z, nil
}

// PercentMul returns value·percentage/10000, rounded half up
// (PercentageMath.percentMul); percentage is in basis points. It reverts
// when value·percentage + 5000 overflows.
func PercentMul(value, percentage *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if !mulHalfUp(&z, value, percentage, &halfPct, 4, &pctOdd) {
		return uint256.Int{}, errPercentageMath
	}
	return z, nil
}

// PercentDiv returns value·10000/percentage, rounded half up:
// (value·10000 + ⌊percentage/2⌋)/percentage (PercentageMath.percentDiv). It
// reverts when percentage is zero or the numerator overflows.
func PercentDiv(value, percentage *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if !divHalfUp(&z, value, percentage, &pctFactor) {
		return uint256.Int{}, errPercentageMath
	}
	return z, nil
}

// LinearInterest returns the growth factor, in ray, of a deposit earning the
// annual ray rate from timestamp last to now with simple interest
// (MathUtils.calculateLinearInterest):
//
//	1e27 + ⌊rate·(now−last) / SecondsPerYear⌋
//
// It reverts when now < last or the product overflows.
func LinearInterest(rate *uint256.Int, last, now uint64) (uint256.Int, error) {
	var z uint256.Int
	err := linearInterest(&z, rate, last, now)
	return z, err
}

func linearInterest(z, rate *uint256.Int, last, now uint64) error {
	if now < last {
		return errOverflow
	}
	dt := uint256.Int{now - last, 0, 0, 0}
	if _, o := z.MulOverflow(rate, &dt); o {
		return errOverflow
	}
	z.Div(z, &secsYear)
	if _, o := z.AddOverflow(z, &ray); o {
		return errOverflow
	}
	return nil
}

// CompoundedInterest returns the growth factor, in ray, of a debt accruing
// the annual ray rate from timestamp last to now, compounded every second,
// by Aave's three-term binomial approximation
// (MathUtils.calculateCompoundedInterest): with n = now−last and r the rate,
//
//	1e27 + ⌊r·n/Y⌋ + ⌊n(n−1)·b2/2⌋ + ⌊n(n−1)(n−2)·b3/6⌋
//	b2 = ⌊rayMul(r, r)/Y²⌋,  b3 = ⌊rayMul(b2, r)/Y⌋,  Y = SecondsPerYear
//
// (n−2 is taken as 0 when n ≤ 2). The approximation undercharges borrowers
// slightly, as on chain. It returns exactly 1e27 when n = 0 and reverts when
// now < last or an intermediate overflows.
func CompoundedInterest(rate *uint256.Int, last, now uint64) (uint256.Int, error) {
	var z uint256.Int
	err := compoundedInterest(&z, rate, last, now)
	return z, err
}

func compoundedInterest(z, rate *uint256.Int, last, now uint64) error {
	if now < last {
		return errOverflow
	}
	exp := now - last
	if exp == 0 {
		z.Set(&ray)
		return nil
	}
	n := uint256.Int{exp, 0, 0, 0}
	n1 := uint256.Int{exp - 1, 0, 0, 0}
	var n2 uint256.Int
	if exp > 2 {
		n2.SetUint64(exp - 2)
	}
	var b2, b3 uint256.Int
	if err := rayMul(&b2, rate, rate); err != nil {
		return err
	}
	b2.Div(&b2, &secsYear2)
	if err := rayMul(&b3, &b2, rate); err != nil {
		return err
	}
	b3.Div(&b3, &secsYear)

	// n·(n−1) < 2^128 because n < 2^64, so only the last factor can overflow.
	var nn, second, third uint256.Int
	nn.Mul(&n, &n1)
	if _, o := second.MulOverflow(&nn, &b2); o {
		return errOverflow
	}
	second.Rsh(&second, 1)
	if _, o := third.MulOverflow(&nn, &n2); o {
		return errOverflow
	}
	if _, o := third.MulOverflow(&third, &b3); o {
		return errOverflow
	}
	third.Div(&third, &six)

	if _, o := z.MulOverflow(rate, &n); o {
		return errOverflow
	}
	z.Div(z, &secsYear)
	if _, o := z.AddOverflow(z, &ray); o {
		return errOverflow
	}
	if _, o := z.AddOverflow(z, &second); o {
		return errOverflow
	}
	if _, o := z.AddOverflow(z, &third); o {
		return errOverflow
	}
	return nil
}
