// Package unit parses the quantities scenario files are written in:
// durations ("12s", "1d", "30d"), rates per unit time ("4%/day", "80%/yr"),
// fractions ("0.3%", "30bps", "0.003") and exact decimals for token amounts
// ("2_000_000", "1000.5").
//
// A year is 365 days and a month is not a unit (it has no fixed length). Each
// type implements DecodeScalar, the hook the scenario decoder calls, and
// returns an error that says what was expected.
package unit

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/holiman/uint256"
)

// Year is the length of the "yr" unit: 365 days.
const Year = 365 * 24 * time.Hour

var timeUnits = []struct {
	names []string
	d     time.Duration
}{
	{[]string{"ms"}, time.Millisecond},
	{[]string{"s", "sec"}, time.Second},
	{[]string{"min", "m"}, time.Minute},
	{[]string{"h", "hr", "hour"}, time.Hour},
	{[]string{"d", "day"}, 24 * time.Hour},
	{[]string{"w", "wk", "week"}, 7 * 24 * time.Hour},
	{[]string{"yr", "y", "year"}, Year},
}

const durationHint = "a duration such as 12s, 15min, 1h, 1d, 30d or 1yr"

func lookupTimeUnit(name string) (time.Duration, bool) {
	n := strings.ToLower(name)
	for _, u := range timeUnits {
		for _, alias := range u.names {
			if n == alias || n == alias+"s" && len(alias) > 1 {
				return u.d, true
			}
		}
	}
	return 0, false
}

// Number parses a plain number, allowing "_" as a digit separator
// ("2_000_000") and exponents ("2e6"). Infinities and NaN are rejected.
func Number(s string) (float64, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || t == "" {
		return 0, fmt.Errorf("expected a number, got %q", s)
	}
	return v, nil
}

// splitNumber splits "12.5abc" into "12.5" and "abc".
func splitNumber(s string) (num, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '+' ||
			(c == 'e' || c == 'E') && i > 0 && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '-' || s[i+1] == '+') {
			i++
			continue
		}
		break
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// Duration is a positive length of simulated time.
type Duration time.Duration

// ParseDuration parses "<number><unit>" with units ms, s, min, h, d, w and
// yr ("1.5h", "30d"). A bare unit means one of it ("day"). The result must be
// positive and a whole number of milliseconds.
func ParseDuration(s string) (Duration, error) {
	t := strings.TrimSpace(s)
	num, name := splitNumber(t)
	if name == "" {
		return 0, fmt.Errorf("expected %s, got %q (a unit is required)", durationHint, s)
	}
	u, ok := lookupTimeUnit(name)
	if !ok {
		if strings.HasPrefix(strings.ToLower(name), "mo") {
			return 0, fmt.Errorf("expected %s, got %q: months have no fixed length, write days (30d)", durationHint, s)
		}
		return 0, fmt.Errorf("expected %s, got %q: unknown time unit %q", durationHint, s, name)
	}
	v := 1.0
	if num != "" {
		var err error
		if v, err = Number(num); err != nil {
			return 0, fmt.Errorf("expected %s, got %q", durationHint, s)
		}
	}
	ms := v * float64(u) / float64(time.Millisecond)
	if !(v > 0) || ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0, fmt.Errorf("expected a positive duration, got %q", s)
	}
	if ms != math.Round(ms) {
		return 0, fmt.Errorf("expected a whole number of milliseconds, got %q", s)
	}
	return Duration(time.Duration(ms) * time.Millisecond), nil
}

// DecodeScalar implements the scenario decoder hook.
func (d *Duration) DecodeScalar(s string) (err error) { *d, err = ParseDuration(s); return }

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Seconds returns the duration in seconds.
func (d Duration) Seconds() float64 { return time.Duration(d).Seconds() }

// String formats the duration in the largest of ms, s, min, h and d that
// divides it exactly.
func (d Duration) String() string {
	for k := 4; k >= 0; k-- {
		u := timeUnits[k]
		if time.Duration(d)%u.d == 0 {
			return fmt.Sprintf("%d%s", time.Duration(d)/u.d, u.names[0])
		}
	}
	return time.Duration(d).String()
}

// Rate is an amount per unit of time, such as a drift of "5%/yr" or a
// volatility of "4%/day". Value is a fraction (5% is 0.05) per Per.
//
// How a rate scales to another interval depends on what it measures: drifts
// and interest rates scale linearly (Over), volatilities with the square root
// of time (OverSqrt).
type Rate struct {
	Value float64
	Per   time.Duration
}

const rateHint = "a rate such as 4%/day, 80%/yr or 0.05/yr"

// ParseRate parses "<number>[%]/<duration>"; the duration may be a bare unit
// ("day") or carry a number ("12s"). "0" alone is a zero rate.
func ParseRate(s string) (Rate, error) {
	t := strings.TrimSpace(s)
	numPart, perPart, found := strings.Cut(t, "/")
	if !found {
		if v, err := Number(t); err == nil && v == 0 {
			return Rate{0, Year}, nil
		}
		return Rate{}, fmt.Errorf("expected %s, got %q (the time unit is required)", rateHint, s)
	}
	v, err := parseFractionNumber(strings.TrimSpace(numPart))
	if err != nil {
		return Rate{}, fmt.Errorf("expected %s, got %q", rateHint, s)
	}
	per, err := ParseDuration(strings.TrimSpace(perPart))
	if err != nil {
		return Rate{}, fmt.Errorf("expected %s, got %q: %v", rateHint, s, err)
	}
	return Rate{Value: v, Per: per.Std()}, nil
}

// DecodeScalar implements the scenario decoder hook.
func (r *Rate) DecodeScalar(s string) (err error) { *r, err = ParseRate(s); return }

// Over returns the rate scaled linearly to an interval: Value·dt/Per.
func (r Rate) Over(dt time.Duration) float64 {
	if r.Per == 0 {
		return 0
	}
	return r.Value * float64(dt) / float64(r.Per)
}

// OverSqrt returns the rate scaled with the square root of time, as a
// volatility scales: Value·√(dt/Per).
func (r Rate) OverSqrt(dt time.Duration) float64 {
	if r.Per == 0 {
		return 0
	}
	return r.Value * math.Sqrt(float64(dt)/float64(r.Per))
}

// Fraction is a dimensionless share: "0.3%", "30bps" or "0.003".
type Fraction float64

func parseFractionNumber(s string) (float64, error) {
	switch {
	case strings.HasSuffix(s, "%"):
		v, err := Number(strings.TrimSuffix(s, "%"))
		return v / 100, err
	case strings.HasSuffix(strings.ToLower(s), "bps"):
		v, err := Number(s[:len(s)-3])
		return v / 10000, err
	case strings.HasSuffix(strings.ToLower(s), "bp"):
		v, err := Number(s[:len(s)-2])
		return v / 10000, err
	}
	return Number(s)
}

// ParseFraction parses a percentage, basis points or a plain number.
func ParseFraction(s string) (Fraction, error) {
	v, err := parseFractionNumber(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("expected a fraction such as 0.3%%, 30bps or 0.003, got %q", s)
	}
	return Fraction(v), nil
}

// DecodeScalar implements the scenario decoder hook.
func (f *Fraction) DecodeScalar(s string) (err error) { *f, err = ParseFraction(s); return }

// Decimal is an exact decimal number kept as text, for token amounts that
// must become integers of raw units without passing through float64.
type Decimal struct{ r big.Rat }

// ParseDecimal parses a plain decimal such as "2_000_000", "1000.5" or
// "1.5e3". Exponents are applied exactly.
func ParseDecimal(s string) (Decimal, error) {
	var d Decimal
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if t == "" || strings.ContainsAny(t, "/xXpP") {
		return d, fmt.Errorf("expected a decimal number such as 1000 or 2_000_000.5, got %q", s)
	}
	if k := strings.IndexAny(t, "eE"); k >= 0 {
		// Bound the exponent: big.Rat would otherwise build 10^1e9 on request.
		if e, err := strconv.Atoi(t[k+1:]); err != nil || e > 100 || e < -100 {
			return d, fmt.Errorf("expected a decimal number with an exponent between -100 and 100, got %q", s)
		}
	}
	if _, ok := d.r.SetString(t); !ok {
		return d, fmt.Errorf("expected a decimal number such as 1000 or 2_000_000.5, got %q", s)
	}
	return d, nil
}

// DecodeScalar implements the scenario decoder hook.
func (d *Decimal) DecodeScalar(s string) (err error) { *d, err = ParseDecimal(s); return }

// DecimalOf returns the exact decimal of v's shortest representation.
func DecimalOf(v float64) Decimal {
	d, _ := ParseDecimal(strconv.FormatFloat(v, 'g', -1, 64))
	return d
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.r.Sign() }

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 { f, _ := d.r.Float64(); return f }

// String returns the decimal in plain notation.
func (d Decimal) String() string { return d.r.FloatString(decimalsOf(&d.r)) }

func decimalsOf(r *big.Rat) int {
	for k := 0; k < 80; k++ {
		var s big.Rat
		s.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)))
		if s.IsInt() {
			return k
		}
	}
	return 18
}

// ErrPrecision is returned by Raw when an amount has more fractional digits
// than the token's decimals.
var ErrPrecision = errors.New("more fractional digits than the token has decimals")

// Raw converts a token amount to raw units: amount·10^decimals, which must be
// a non-negative integer below 2^256.
func (d Decimal) Raw(decimals int) (uint256.Int, error) {
	var out uint256.Int
	if d.r.Sign() < 0 {
		return out, fmt.Errorf("amount %s is negative", d.String())
	}
	var s big.Rat
	s.Mul(&d.r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)))
	if !s.IsInt() {
		return out, fmt.Errorf("amount %s: %w (%d)", d.String(), ErrPrecision, decimals)
	}
	if overflow := out.SetFromBig(s.Num()); overflow {
		return out, fmt.Errorf("amount %s does not fit in 256 bits of raw units", d.String())
	}
	return out, nil
}
