package terra

import (
	"errors"
	"strings"

	"github.com/holiman/uint256"
)

// Precision is the number of decimal digits of a Dec.
const Precision = 18

var (
	precisionInt  = *uint256.NewInt(1e18)                               // 10^18
	halfPrecision = *uint256.NewInt(5e17)                               // 10^18 / 2
	squaredPrec   = *new(uint256.Int).Mul(&precisionInt, &precisionInt) // 10^36
)

// Errors of decimal arithmetic. The Cosmos SDK panics in these cases; a
// simulation gets an error instead.
var (
	ErrDecOverflow     = errors.New("terra: decimal out of range")
	ErrDivisionByZero  = errors.New("terra: division by zero")
	ErrInvalidDecimal  = errors.New("terra: invalid decimal string")
	ErrNegativeDecimal = errors.New("terra: negative amount")
)

// Dec is a signed fixed-point number with 18 decimal digits, the Cosmos SDK
// sdk.Dec used by Terra: the value is an integer count of 10^-18. Its
// arithmetic rounds exactly as the SDK's (classic-terra/cosmos-sdk
// v0.45.13-classic types/decimal.go):
//
//   - a·b: the exact product, then the 18 dropped digits rounded half to
//     even (banker's rounding), symmetric around zero;
//   - a/b: ⌊|a|·10^36 / |b|⌋ (truncated), then the 18 extra digits rounded
//     half to even, symmetric around zero;
//   - a/n for an integer n (QuoInt64): truncated toward zero;
//   - conversion to an integer (TruncateInt): truncated toward zero.
//
// The magnitude is held in 256 bits (the SDK allows 316): values up to about
// 10^59 in absolute value, far above any supply or pool in Terra. A result
// out of range is an error, never a panic.
//
// The zero value is 0.
type Dec struct {
	abs uint256.Int // |value|·10^18
	neg bool        // value < 0; never set for zero
}

// NewDec returns the integer i as a Dec.
func NewDec(i int64) Dec { return NewDecWithPrec(i, 0) }

// NewDecWithPrec returns i·10^-prec, as sdk.NewDecWithPrec; a prec above
// 18 is taken as 18.
func NewDecWithPrec(i int64, prec uint) Dec {
	if prec > Precision {
		prec = Precision
	}
	var d Dec
	m := uint64(i)
	if i < 0 {
		m = uint64(-i) // correct for math.MinInt64 too, read as unsigned
		d.neg = true
	}
	d.abs.Mul(uint256.NewInt(m), new(uint256.Int).Exp(uint256.NewInt(10), uint256.NewInt(uint64(Precision-prec))))
	return d
}

// DecFromInt returns the integer n as a Dec.
func DecFromInt(n *uint256.Int) (Dec, error) {
	var d Dec
	if _, o := d.abs.MulOverflow(n, &precisionInt); o {
		return Dec{}, ErrDecOverflow
	}
	return d, nil
}

// ParseDec parses a decimal string such as "-1.7" or "0.020000000000000000"
// with at most 18 digits after the point, as sdk.NewDecFromStr.
func ParseDec(s string) (Dec, error) {
	var d Dec
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || len(frac) > Precision {
		return Dec{}, ErrInvalidDecimal
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return Dec{}, ErrInvalidDecimal
		}
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", Precision-len(frac)), "0")
	if digits == "" {
		digits = "0"
	}
	if err := d.abs.SetFromDecimal(digits); err != nil {
		return Dec{}, ErrDecOverflow
	}
	if d.abs.IsZero() {
		d.neg = false
	}
	return d, nil
}

// MustParseDec is ParseDec for constants known to be valid; it panics
// otherwise.
func MustParseDec(s string) Dec {
	d, err := ParseDec(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String formats d with all 18 decimals, as the SDK does:
// "-1.700000000000000000".
func (d Dec) String() string {
	digits := d.abs.Dec()
	if len(digits) <= Precision {
		digits = strings.Repeat("0", Precision+1-len(digits)) + digits
	}
	s := digits[:len(digits)-Precision] + "." + digits[len(digits)-Precision:]
	if d.neg {
		return "-" + s
	}
	return s
}

// Float64 returns the nearest float64 to d, for agents and metrics.
func (d Dec) Float64() float64 {
	f := d.abs.Float64() / 1e18
	if d.neg {
		return -f
	}
	return f
}

// Sign returns −1, 0 or +1 as d is negative, zero or positive.
func (d Dec) Sign() int {
	switch {
	case d.neg:
		return -1
	case d.abs.IsZero():
		return 0
	}
	return 1
}

// IsZero reports whether d is 0.
func (d Dec) IsZero() bool { return d.abs.IsZero() }

// Cmp returns −1, 0 or +1 as d is less than, equal to or greater than e.
func (d Dec) Cmp(e Dec) int {
	switch {
	case d.neg && !e.neg:
		return -1
	case !d.neg && e.neg:
		return 1
	case d.neg:
		return e.abs.Cmp(&d.abs)
	}
	return d.abs.Cmp(&e.abs)
}

// TruncateInt returns the integer part of a non-negative d (SDK
// TruncateInt, truncation toward zero).
func (d Dec) TruncateInt() (uint256.Int, error) {
	if d.neg {
		return uint256.Int{}, ErrNegativeDecimal
	}
	var q uint256.Int
	q.Div(&d.abs, &precisionInt)
	return q, nil
}

func (d Dec) negated() Dec {
	if !d.abs.IsZero() {
		d.neg = !d.neg
	}
	return d
}

// arith evaluates a chain of Dec operations and keeps the first error, so
// that a formula reads as in the SDK and is checked once at the end.
type arith struct{ err error }

func (c *arith) fail(err error) Dec {
	if c.err == nil {
		c.err = err
	}
	return Dec{}
}

// add returns x + y.
func (c *arith) add(x, y Dec) Dec {
	var z Dec
	if x.neg == y.neg {
		if _, o := z.abs.AddOverflow(&x.abs, &y.abs); o {
			return c.fail(ErrDecOverflow)
		}
		z.neg = x.neg && !z.abs.IsZero()
		return z
	}
	if x.abs.Cmp(&y.abs) >= 0 {
		z.abs.Sub(&x.abs, &y.abs)
		z.neg = x.neg
	} else {
		z.abs.Sub(&y.abs, &x.abs)
		z.neg = y.neg
	}
	if z.abs.IsZero() {
		z.neg = false
	}
	return z
}

func (c *arith) sub(x, y Dec) Dec { return c.add(x, y.negated()) }

// roundHalfEven returns q, or q+1 when the remainder rem of a division by
// 10^18 is above one half, or exactly one half and q is odd
// (chopPrecisionAndRound).
func (c *arith) roundHalfEven(q, rem *uint256.Int) {
	switch rem.Cmp(&halfPrecision) {
	case 1:
	case 0:
		if q[0]&1 == 0 {
			return
		}
	default:
		return
	}
	if _, o := q.AddOverflow(q, uint256.NewInt(1)); o {
		c.fail(ErrDecOverflow)
	}
}

// mul returns x·y rounded half to even at 18 decimals (sdk Dec.Mul).
func (c *arith) mul(x, y Dec) Dec {
	var z Dec
	var p, rem uint256.Int
	if _, o := p.MulOverflow(&x.abs, &y.abs); !o {
		z.abs.DivMod(&p, &precisionInt, &rem)
	} else { // the product needs 512 bits
		if _, o := z.abs.MulDivOverflow(&x.abs, &y.abs, &precisionInt); o {
			return c.fail(ErrDecOverflow)
		}
		rem.MulMod(&x.abs, &y.abs, &precisionInt)
	}
	c.roundHalfEven(&z.abs, &rem)
	z.neg = x.neg != y.neg && !z.abs.IsZero()
	return z
}

// quo returns x/y: the quotient truncated at 36 decimals, then rounded half
// to even at 18 (sdk Dec.Quo).
func (c *arith) quo(x, y Dec) Dec {
	if y.abs.IsZero() {
		return c.fail(ErrDivisionByZero)
	}
	var z Dec
	var rem uint256.Int
	var t uint256.Int
	if _, o := t.MulDivOverflow(&x.abs, &squaredPrec, &y.abs); o {
		return c.fail(ErrDecOverflow)
	}
	z.abs.DivMod(&t, &precisionInt, &rem)
	c.roundHalfEven(&z.abs, &rem)
	z.neg = x.neg != y.neg && !z.abs.IsZero()
	return z
}

// quoInt64 returns x/n truncated toward zero (sdk Dec.QuoInt64).
func (c *arith) quoInt64(x Dec, n int64) Dec {
	if n == 0 {
		return c.fail(ErrDivisionByZero)
	}
	m := uint64(n)
	if n < 0 {
		m = uint64(-n)
	}
	var z Dec
	z.abs.Div(&x.abs, uint256.NewInt(m))
	z.neg = (x.neg != (n < 0)) && !z.abs.IsZero()
	return z
}
