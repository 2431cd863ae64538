package weighted

import "github.com/holiman/uint256"

// This file follows Balancer's LogExpMath library, which computes in
// Solidity 0.7 int256 with wrapping arithmetic and truncating division.
// Signed values are held as uint256.Int in two's complement: addition,
// subtraction and multiplication are then the same bit operations as the
// EVM's ADD, SUB and MUL, and sdiv and smod below are SDIV and SMOD
// (quotient rounded toward zero, remainder with the sign of the dividend).
// Division needs the signed form only where an operand can be negative
// (ln_36 of arguments below one, the negated logarithm, and y·ln(x) in
// pow); exp and _ln otherwise work on values that the library's bounds keep
// in [0, 2^255), where SDIV and DIV agree. Divisions by the library's
// constants go through constDiv, which gives the same quotients faster.

// decimal constants of the library, 18-decimal unless noted.
var (
	one18 = uint256.NewInt(1e18)
	one20 = uint256.MustFromDecimal("100000000000000000000")
	one36 = uint256.MustFromDecimal("1000000000000000000000000000000000000")

	maxNaturalExponent = uint256.MustFromDecimal("130000000000000000000")
	minNaturalExponent = new(uint256.Int).Neg(uint256.MustFromDecimal("41000000000000000000"))

	hundred   = uint256.NewInt(100)
	ln36Lower = uint256.NewInt(1e18 - 1e17)
	ln36Upper = uint256.NewInt(1e18 + 1e17)

	// mildExponentBound is 2^254 / 1e20.
	mildExponentBound = new(uint256.Int).Div(new(uint256.Int).Lsh(uint256.NewInt(1), 254), one20)

	// x0 = 2^7 and x1 = 2^6 with their exponentials a0, a1 as plain
	// integers (no decimals); a0·1e18 and a1·1e18 are the thresholds of ln.
	x0    = uint256.MustFromDecimal("128000000000000000000")
	a0    = uint256.MustFromDecimal("38877084059945950922200000000000000000000000000000000000")
	x1    = uint256.MustFromDecimal("64000000000000000000")
	a1    = uint256.MustFromDecimal("6235149080811616882910000000")
	a0e18 = new(uint256.Int).Mul(a0, one18)
	a1e18 = new(uint256.Int).Mul(a1, one18)

	// x2..x11 = 2^5..2^-4 and their exponentials, 20-decimal.
	xn = [...]*uint256.Int{
		uint256.MustFromDecimal("3200000000000000000000"),
		uint256.MustFromDecimal("1600000000000000000000"),
		uint256.MustFromDecimal("800000000000000000000"),
		uint256.MustFromDecimal("400000000000000000000"),
		uint256.MustFromDecimal("200000000000000000000"),
		uint256.MustFromDecimal("100000000000000000000"),
		uint256.MustFromDecimal("50000000000000000000"),
		uint256.MustFromDecimal("25000000000000000000"),
		uint256.MustFromDecimal("12500000000000000000"),
		uint256.MustFromDecimal("6250000000000000000"),
	}
	an = [...]*uint256.Int{
		uint256.MustFromDecimal("7896296018268069516100000000000000"),
		uint256.MustFromDecimal("888611052050787263676000000"),
		uint256.MustFromDecimal("298095798704172827474000"),
		uint256.MustFromDecimal("5459815003314423907810"),
		uint256.MustFromDecimal("738905609893065022723"),
		uint256.MustFromDecimal("271828182845904523536"),
		uint256.MustFromDecimal("164872127070012814685"),
		uint256.MustFromDecimal("128402541668774148407"),
		uint256.MustFromDecimal("113314845306682631683"),
		uint256.MustFromDecimal("106449445891785942956"),
	}
)

// sdiv sets z = x/y as the EVM's SDIV (y must not be zero).
func sdiv(z, x, y *uint256.Int) *uint256.Int {
	var ax, ay uint256.Int
	xneg, yneg := x.Sign() < 0, y.Sign() < 0
	ax.Set(x)
	if xneg {
		ax.Neg(x)
	}
	ay.Set(y)
	if yneg {
		ay.Neg(y)
	}
	z.Div(&ax, &ay)
	if xneg != yneg {
		z.Neg(z)
	}
	return z
}

// Pow returns x^y for unsigned 18-decimal x and y, exactly as
// LogExpMath.pow computes it: 1e18 if y = 0, 0 if x = 0, else
// exp(y·ln(x)/1e18), where ln(x) is taken with 36 decimals (ln_36) when
// 0.9 < x < 1.1 and with 18 decimals otherwise, and each step truncates. It
// reverts with BAL#006 if x >= 2^255, BAL#007 if y >= 2^254/1e20 and
// BAL#008 if y·ln(x) is outside [−41, 130].
func Pow(x, y *uint256.Int) (uint256.Int, error) {
	if hasNil(x, y) {
		return uint256.Int{}, errNilAmount
	}
	return pow(x, y)
}

func pow(x, y *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if y.IsZero() {
		return *z.SetUint64(1e18), nil
	}
	if x.IsZero() {
		return z, nil
	}
	if x.Sign() < 0 { // x >> 255 != 0
		return z, errXOutOfBounds
	}
	if !y.Lt(mildExponentBound) {
		return z, errYOutOfBounds
	}
	var lxy uint256.Int
	if ln36Lower.Lt(x) && x.Lt(ln36Upper) {
		// ln_36(x) has 36 decimals: multiply y by its integer part and by
		// its fractional part separately so neither product overflows.
		l := ln36(x)
		var hi, lo uint256.Int
		div1e18.sdiv(&hi, &l)
		lo.Mul(&hi, one18)
		lo.Sub(&l, &lo) // l % 1e18, with the sign of l as SMOD
		hi.Mul(&hi, y)
		lo.Mul(&lo, y)
		div1e18.sdiv(&lo, &lo)
		lxy.Add(&hi, &lo)
	} else {
		l := ln(x)
		lxy.Mul(&l, y)
	}
	div1e18.sdiv(&lxy, &lxy)
	if lxy.Slt(minNaturalExponent) || lxy.Sgt(maxNaturalExponent) {
		return z, errProductOutBounds
	}
	return exp(&lxy)
}

// exp returns e^x for signed 18-decimal x in [−41, 130] (else BAL#009), by
// LogExpMath.exp: e^−x = 1e36/e^x for negative x; otherwise x is split
// into the powers of two 2^7 … 2^−3 whose exponentials are tabulated, and
// the remainder goes through 12 Taylor terms in 20-decimal fixed point.
func exp(x *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if x.Slt(minNaturalExponent) || x.Sgt(maxNaturalExponent) {
		return z, errInvalidExponent
	}
	if x.Sign() < 0 {
		var nx uint256.Int
		nx.Neg(x)
		e, err := exp(&nx)
		if err != nil {
			return z, err
		}
		return *sdiv(&z, one36, &e), nil
	}
	// From here on every value is non-negative and below 2^255 (the
	// library's bounds on x guarantee it), so unsigned division is SDIV.
	r := *x
	var firstAN uint256.Int
	switch {
	case !r.Lt(x0):
		r.Sub(&r, x0)
		firstAN.Set(a0)
	case !r.Lt(x1):
		r.Sub(&r, x1)
		firstAN.Set(a1)
	default:
		firstAN.SetOne()
	}
	r.Mul(&r, hundred)

	product := *one20
	for k := range 8 { // x2 … x9: x10 and x11 are not needed at 20 decimals
		if !r.Lt(xn[k]) {
			r.Sub(&r, xn[k])
			product.Mul(&product, an[k])
			div1e20.div(&product, &product)
		}
	}

	sum := *one20
	term := r
	sum.Add(&sum, &term)
	for k := 2; k <= 12; k++ {
		term.Mul(&term, &r)
		divTerm[k].div(&term, &term) // ((term·r)/1e20)/k
		sum.Add(&sum, &term)
	}

	z.Mul(&product, &sum)
	div1e20.div(&z, &z)
	z.Mul(&z, &firstAN)
	return *div100.div(&z, &z), nil
}

// ln returns ln(a) for signed 18-decimal a > 0, by LogExpMath._ln: for
// a < 1 it is −ln(1e36/a); otherwise a is divided by the tabulated
// exponentials of 2^7 … 2^−4 it exceeds, and the remainder r (about 1 to
// 1.06) contributes 2·Σ z^(2k+1)/(2k+1), z = (r−1)/(r+1), over six terms in
// 20-decimal fixed point.
func ln(a *uint256.Int) uint256.Int {
	if a.Lt(one18) {
		var inv uint256.Int
		sdiv(&inv, one36, a)
		l := ln(&inv)
		return *l.Neg(&l)
	}
	r := *a
	var sum uint256.Int
	if !r.Lt(a0e18) {
		r.Div(&r, a0)
		sum.Add(&sum, x0)
	}
	if !r.Lt(a1e18) {
		r.Div(&r, a1)
		sum.Add(&sum, x1)
	}
	sum.Mul(&sum, hundred)
	r.Mul(&r, hundred)
	for k := range an {
		if !r.Lt(an[k]) {
			r.Mul(&r, one20)
			r.Div(&r, an[k])
			sum.Add(&sum, xn[k])
		}
	}

	var z, num, den, z2 uint256.Int
	num.Sub(&r, one20)
	num.Mul(&num, one20)
	den.Add(&r, one20)
	z.Div(&num, &den)
	z2.Mul(&z, &z)
	div1e20.div(&z2, &z2)

	series := z
	num = z
	var t uint256.Int
	for k := 3; k <= 11; k += 2 {
		num.Mul(&num, &z2)
		div1e20.div(&num, &num)
		series.Add(&series, divSmall[k].div(&t, &num))
	}
	series.Lsh(&series, 1)
	sum.Add(&sum, &series)
	return *div100.div(&sum, &sum)
}

// ln36 returns ln(x) with 36 decimals for 18-decimal x in (0.9, 1.1), by
// LogExpMath._ln_36: 2·Σ z^(2k+1)/(2k+1), z = (x−1)/(x+1), over eight
// terms in 36-decimal fixed point. z is negative for x < 1, so the
// divisions are signed.
func ln36(x *uint256.Int) uint256.Int {
	var x36, z, z2, num, den uint256.Int
	x36.Mul(x, one18)
	num.Sub(&x36, one36)
	num.Mul(&num, one36)
	den.Add(&x36, one36)
	sdiv(&z, &num, &den)
	z2.Mul(&z, &z)
	div1e36(&z2, &z2)

	series := z
	num = z
	var t uint256.Int
	for k := 3; k <= 15; k += 2 {
		num.Mul(&num, &z2)
		div1e36(&num, &num)
		series.Add(&series, divSmall[k].sdiv(&t, &num))
	}
	return *series.Lsh(&series, 1)
}
