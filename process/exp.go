package process

import (
	"math"
	"math/big"
)

// exp returns e^x within two units in the last place of math.Exp, at about
// half its cost, for the lognormal factors the processes draw by the
// million. It is Tang's table-driven
// method: with N = 64,
//
//	x = k·ln2/N + r,  |r| ≤ ln2/(2N),  k = round(x·N/ln2),
//	e^x = 2^⌊k/N⌋ · 2^((k mod N)/N) · e^r,
//
// where 2^(j/N) comes from a table and e^r − 1 from its Taylor polynomial
// of degree 5 (truncation below 4·10^-17 relative). ln2/N is split in two,
// its leading part with enough trailing zero bits that k times it is
// exact, so r keeps full precision. Outside |x| ≤ 700 (and for NaN) it is
// math.Exp: the scale 2^⌊k/N⌋ is built from exponent bits and must stay
// a normal number.
func exp(x float64) float64 {
	if !(x >= -700 && x <= 700) {
		return math.Exp(x)
	}
	// Adding 1.5·2^52 rounds x·N/ln2 to an integer, left in the low bits.
	t := x*expInvStep + 0x1.8p52
	k := int64(math.Float64bits(t)) - int64(math.Float64bits(0x1.8p52))
	kf := t - 0x1.8p52
	r := (x - kf*expStepHi) - kf*expStepLo
	p := r + r*r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120))))
	s := expTable[k&(expN-1)]
	scale := math.Float64frombits(uint64(k>>expLogN+1023) << 52)
	return (s + s*p) * scale
}

const (
	expLogN = 6
	expN    = 1 << expLogN
	// expInvStep is N/ln2.
	expInvStep = expN / math.Ln2
	// expStepHi + expStepLo is ln2/N: the two halves of ln2 of fdlibm
	// (the first has its low 32 bits zero), divided by N exactly.
	expStepHi = 6.93147180369123816490e-01 / expN
	expStepLo = 1.90821492927058770002e-10 / expN
)

// expTable holds 2^(j/N) for j < N, correctly rounded: of math.Exp2's
// value (within one unit in the last place) and its two neighbours, the one
// whose N-th power, computed exactly, is nearest 2^j.
var expTable = func() (t [expN]float64) {
	for j := range t {
		want := new(big.Float).SetMantExp(big.NewFloat(1), j)
		c := math.Exp2(float64(j) / expN)
		var best *big.Float
		for _, y := range []float64{math.Nextafter(c, 0), c, math.Nextafter(c, 2)} {
			// y^N by squaring, exactly: 53·N bits suffice.
			p := new(big.Float).SetPrec(53 * expN).SetFloat64(y)
			for range expLogN {
				p.Mul(p, p)
			}
			d := p.Sub(p, want).Abs(p)
			if best == nil || d.Cmp(best) < 0 {
				best, t[j] = d, y
			}
		}
	}
	return t
}()
