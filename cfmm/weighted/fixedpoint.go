package weighted

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// Fixed-point constants of Balancer's FixedPoint library: numbers are
// unsigned 18-decimal fixed point, One being 1.0.
const (
	// One is 1.0 in 18-decimal fixed point.
	One = 1_000_000_000_000_000_000
	// MaxPowRelativeError is the relative error (1e-14, in units of 1e-18)
	// that PowDown and PowUp allow for: the raw power is moved by
	// raw·1e-14 + 1 unit in the safe direction.
	MaxPowRelativeError = 10_000
)

// Balancer error codes used here, as reverts "BAL#xxx".
var (
	errAddOverflow      = balError("000")
	errSubOverflow      = balError("001")
	errMulOverflow      = balError("003")
	errZeroDivision     = balError("004")
	errDivInternal      = balError("005")
	errXOutOfBounds     = balError("006")
	errYOutOfBounds     = balError("007")
	errProductOutBounds = balError("008")
	errInvalidExponent  = balError("009")
	errLengthMismatch   = balError("103")
	errMinTokens        = balError("200")
	errMaxTokens        = balError("201")
	errMaxSwapFee       = balError("202")
	errMinSwapFee       = balError("203")
	errMinWeight        = balError("302")
	errMaxInRatio       = balError("304")
	errMaxOutRatio      = balError("305")
	errWeightSum        = balError("308")
	errZeroInvariant    = balError("311")
	errSwapLimit        = balError("507")
	errSameToken        = balError("509")
	errZeroAmount       = balError("510")
	errNotRegistered    = balError("521")
	errBalanceOverflow  = balError("526")
)

// hasNil reports whether an argument is missing; exported functions return
// errNilAmount rather than panic.
func hasNil(xs ...*uint256.Int) bool {
	for _, x := range xs {
		if x == nil {
			return true
		}
	}
	return false
}

func balError(code string) *cfmm.Revert { return &cfmm.Revert{Reason: "BAL#" + code} }

var (
	one    = uint256.NewInt(One)
	two    = uint256.NewInt(2 * One)
	four   = uint256.NewInt(4 * One)
	maxErr = uint256.NewInt(MaxPowRelativeError)
)

// fp evaluates FixedPoint expressions with the library's checks: the first
// failed _require is remembered in err (the call would revert there) and
// later results are meaningless, so callers check err before using them.
type fp struct{ err error }

func (f *fp) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

func (f *fp) add(z, a, b *uint256.Int) *uint256.Int {
	if _, o := z.AddOverflow(a, b); o {
		f.fail(errAddOverflow)
	}
	return z
}

func (f *fp) sub(z, a, b *uint256.Int) *uint256.Int {
	if _, o := z.SubOverflow(a, b); o {
		f.fail(errSubOverflow)
	}
	return z
}

func (f *fp) mulDown(z, a, b *uint256.Int) *uint256.Int {
	if _, o := z.MulOverflow(a, b); o {
		f.fail(errMulOverflow)
	}
	return div1e18.div(z, z)
}

func (f *fp) mulUp(z, a, b *uint256.Int) *uint256.Int {
	if _, o := z.MulOverflow(a, b); o {
		f.fail(errMulOverflow)
	}
	if z.IsZero() {
		return z
	}
	z.SubUint64(z, 1)
	div1e18.div(z, z)
	return z.AddUint64(z, 1)
}

func (f *fp) divDown(z, a, b *uint256.Int) *uint256.Int {
	if b.IsZero() {
		f.fail(errZeroDivision)
		return z.Clear()
	}
	var t uint256.Int
	if _, o := t.MulOverflow(a, one); o {
		f.fail(errDivInternal)
	}
	return z.Div(&t, b)
}

func (f *fp) divUp(z, a, b *uint256.Int) *uint256.Int {
	if b.IsZero() {
		f.fail(errZeroDivision)
		return z.Clear()
	}
	var t uint256.Int
	if _, o := t.MulOverflow(a, one); o {
		f.fail(errDivInternal)
	}
	return divUpRaw(z, &t, b)
}

// divUpRaw sets z = 0 if x = 0, else (x − 1)/d + 1: the library's rounded-up
// division, which avoids overflow in x + d − 1. d must not be zero.
func divUpRaw(z, x, d *uint256.Int) *uint256.Int {
	if x.IsZero() {
		return z.Clear()
	}
	z.SubUint64(x, 1)
	z.Div(z, d)
	return z.AddUint64(z, 1)
}

func (f *fp) powDown(z, x, y *uint256.Int) *uint256.Int {
	switch {
	case y.Eq(one):
		return z.Set(x)
	case y.Eq(two):
		return f.mulDown(z, x, x)
	case y.Eq(four):
		f.mulDown(z, x, x)
		return f.mulDown(z, z, z)
	}
	raw, err := pow(x, y)
	if err != nil {
		f.fail(err)
		return z.Clear()
	}
	var e uint256.Int
	f.mulUp(&e, &raw, maxErr)
	e.AddUint64(&e, 1) // cannot overflow: raw·1e-14 is far below 2^256
	if raw.Lt(&e) {
		return z.Clear()
	}
	return z.Sub(&raw, &e)
}

func (f *fp) powUp(z, x, y *uint256.Int) *uint256.Int {
	switch {
	case y.Eq(one):
		return z.Set(x)
	case y.Eq(two):
		return f.mulUp(z, x, x)
	case y.Eq(four):
		f.mulUp(z, x, x)
		return f.mulUp(z, z, z)
	}
	raw, err := pow(x, y)
	if err != nil {
		f.fail(err)
		return z.Clear()
	}
	var e uint256.Int
	f.mulUp(&e, &raw, maxErr)
	e.AddUint64(&e, 1)
	return f.add(z, &raw, &e)
}

// complement sets z = 1 − x, or 0 if x > 1.
func complement(z, x *uint256.Int) *uint256.Int {
	if x.Lt(one) {
		return z.Sub(one, x)
	}
	return z.Clear()
}

// apply runs a fixed-point operation on a fresh accumulator and returns its
// result and revert, as the exported wrappers below do.
func apply(op func(f *fp, z, a, b *uint256.Int) *uint256.Int, a, b *uint256.Int) (uint256.Int, error) {
	if hasNil(a, b) {
		return uint256.Int{}, errNilAmount
	}
	var f fp
	var z uint256.Int
	op(&f, &z, a, b)
	return z, f.err
}

// MulDown returns a·b/1e18 rounded down. It reverts (BAL#003) if a·b
// overflows 256 bits.
func MulDown(a, b *uint256.Int) (uint256.Int, error) {
	return apply((*fp).mulDown, a, b)
}

// MulUp returns a·b/1e18 rounded up, computed as (a·b − 1)/1e18 + 1 (0 for
// a zero product). It reverts (BAL#003) if a·b overflows 256 bits.
func MulUp(a, b *uint256.Int) (uint256.Int, error) {
	return apply((*fp).mulUp, a, b)
}

// DivDown returns a·1e18/b rounded down. It reverts with BAL#004 if b is
// zero and BAL#005 if a·1e18 overflows.
func DivDown(a, b *uint256.Int) (uint256.Int, error) {
	return apply((*fp).divDown, a, b)
}

// DivUp returns a·1e18/b rounded up, computed as (a·1e18 − 1)/b + 1 (0 for
// a = 0). It reverts like DivDown.
func DivUp(a, b *uint256.Int) (uint256.Int, error) {
	return apply((*fp).divUp, a, b)
}

// PowDown returns x^y rounded down, never above the true value: x for
// y = 1, x·x and (x·x)·(x·x) with MulDown for y = 2 and y = 4, and otherwise
// Pow(x, y) − (MulUp(Pow, MaxPowRelativeError) + 1), or 0 if that would be
// negative.
func PowDown(x, y *uint256.Int) (uint256.Int, error) {
	return apply((*fp).powDown, x, y)
}

// PowUp returns x^y rounded up, never below the true value: x for y = 1,
// x·x and (x·x)·(x·x) with MulUp for y = 2 and y = 4, and otherwise
// Pow(x, y) + MulUp(Pow, MaxPowRelativeError) + 1.
func PowUp(x, y *uint256.Int) (uint256.Int, error) {
	return apply((*fp).powUp, x, y)
}

// Complement returns 1 − x, or 0 if x > 1 (or x is nil).
func Complement(x *uint256.Int) uint256.Int {
	var z uint256.Int
	if x == nil {
		return z
	}
	complement(&z, x)
	return z
}
