package process

import "math"

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
// whose N-th power, computed exactly, is nearest 2^j. It is written out
// rather than computed when the package starts, which took some 1,900 big.Float
// allocations and about 2 ms of every process's start;
// TestExpTableCorrectlyRounded derives it again.
var expTable = [expN]float64{
	0x1p+00, 0x1.02c9a3e778061p+00, 0x1.059b0d3158574p+00, 0x1.0874518759bc8p+00,
	0x1.0b5586cf9890fp+00, 0x1.0e3ec32d3d1a2p+00, 0x1.11301d0125b51p+00, 0x1.1429aaea92dep+00,
	0x1.172b83c7d517bp+00, 0x1.1a35beb6fcb75p+00, 0x1.1d4873168b9aap+00, 0x1.2063b88628cd6p+00,
	0x1.2387a6e756238p+00, 0x1.26b4565e27cddp+00, 0x1.29e9df51fdee1p+00, 0x1.2d285a6e4030bp+00,
	0x1.306fe0a31b715p+00, 0x1.33c08b26416ffp+00, 0x1.371a7373aa9cbp+00, 0x1.3a7db34e59ff7p+00,
	0x1.3dea64c123422p+00, 0x1.4160a21f72e2ap+00, 0x1.44e086061892dp+00, 0x1.486a2b5c13cdp+00,
	0x1.4bfdad5362a27p+00, 0x1.4f9b2769d2ca7p+00, 0x1.5342b569d4f82p+00, 0x1.56f4736b527dap+00,
	0x1.5ab07dd485429p+00, 0x1.5e76f15ad2148p+00, 0x1.6247eb03a5585p+00, 0x1.6623882552225p+00,
	0x1.6a09e667f3bcdp+00, 0x1.6dfb23c651a2fp+00, 0x1.71f75e8ec5f74p+00, 0x1.75feb564267c9p+00,
	0x1.7a11473eb0187p+00, 0x1.7e2f336cf4e62p+00, 0x1.82589994cce13p+00, 0x1.868d99b4492edp+00,
	0x1.8ace5422aa0dbp+00, 0x1.8f1ae99157736p+00, 0x1.93737b0cdc5e5p+00, 0x1.97d829fde4e5p+00,
	0x1.9c49182a3f09p+00, 0x1.a0c667b5de565p+00, 0x1.a5503b23e255dp+00, 0x1.a9e6b5579fdbfp+00,
	0x1.ae89f995ad3adp+00, 0x1.b33a2b84f15fbp+00, 0x1.b7f76f2fb5e47p+00, 0x1.bcc1e904bc1d2p+00,
	0x1.c199bdd85529cp+00, 0x1.c67f12e57d14bp+00, 0x1.cb720dcef9069p+00, 0x1.d072d4a07897cp+00,
	0x1.d5818dcfba487p+00, 0x1.da9e603db3285p+00, 0x1.dfc97337b9b5fp+00, 0x1.e502ee78b3ff6p+00,
	0x1.ea4afa2a490dap+00, 0x1.efa1bee615a27p+00, 0x1.f50765b6e454p+00, 0x1.fa7c1819e90d8p+00,
}
