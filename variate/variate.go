// Package variate draws random variates straight from a rand.PCG generator:
// the same numbers, from the same draws, as the methods of rand.New(pcg)
// give, without going through the rand.Source interface for each 64-bit
// draw. Hot loops of agents call it by the million.
package variate

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// Source is a PCG generator and rand.New of it. Its methods return what
// Rand's methods of the same names return, advancing PCG exactly as they
// would; calls to them and to Rand can be mixed freely.
type Source struct {
	PCG  *rand.PCG
	Rand *rand.Rand // rand.New(PCG)
}

// New returns the Source of pcg and rng, or ok false when rng is nil, pcg
// is nil or a ziggurat's tables could not be read (then use rng).
func New(rng *rand.Rand, pcg *rand.PCG) (s Source, ok bool) {
	if rng == nil || pcg == nil || !expOK || !zigOK {
		return Source{}, false
	}
	return Source{PCG: pcg, Rand: rng}, true
}

// IntN returns Rand.IntN(n) for n > 0 on a 64-bit machine: Lemire's
// multiply-and-reject over one 64-bit draw, or a mask when n is a power
// of two (a draw is taken even for n = 1).
func (s Source) IntN(n int) int {
	if n <= 0 || bits.UintSize != 64 {
		return s.Rand.IntN(n)
	}
	u := uint64(n)
	if u&(u-1) == 0 {
		return int(s.PCG.Uint64() & (u - 1))
	}
	hi, lo := bits.Mul64(s.PCG.Uint64(), u)
	if lo < u {
		thresh := -u % u
		for lo < thresh {
			hi, lo = bits.Mul64(s.PCG.Uint64(), u)
		}
	}
	return int(hi)
}

// Float64 returns Rand.Float64(), uniform on [0, 1): the top 53 bits of
// one 64-bit draw over 2^53.
func (s Source) Float64() float64 {
	return float64(s.PCG.Uint64()<<11>>11) / (1 << 53)
}

// Skip advances pcg by k draws, as k calls of its Uint64 would, in
// O(log k) steps: PCG's state s is a 128-bit linear congruential
// generator, s ← a·s + c mod 2^128, and k steps of it are one step with
// a_k = a^k and c_k = c·(a^(k−1) + … + a + 1), composed from the steps of
// 1, 2, 4, … draws by squaring (Brown, "Random number generation with
// arbitrary strides", 1994). a and c are math/rand/v2's PCG multiplier
// and increment; TestSkipMatchesUint64 checks them against it.
func Skip(pcg *rand.PCG, k uint64) {
	if k == 0 {
		return
	}
	hi, lo, ok := State(pcg)
	if !ok {
		for range k { // an encoding this package does not know
			pcg.Uint64()
		}
		return
	}
	s := u128{hi, lo}
	accMul, accInc := u128{0, 1}, u128{}
	curMul, curInc := pcgMul, pcgInc
	for ; k > 0; k >>= 1 {
		if k&1 != 0 {
			accMul = accMul.mul(curMul)
			accInc = accInc.mul(curMul).add(curInc)
		}
		curInc = curMul.add(u128{0, 1}).mul(curInc)
		curMul = curMul.mul(curMul)
	}
	s = accMul.mul(s).add(accInc)
	pcg.Seed(s.hi, s.lo)
}

// Next is one step of a PCG whose state is (hi, lo) (rand.PCG's words,
// as Seed takes them): the next state, s·a + c mod 2^128, and the output
// rand.PCG.Uint64 returns, the DXSM permutation of it. A caller that owns
// its generator can keep the state in locals, which the compiler holds in
// registers, rather than in the PCG's fields in memory at every draw.
func Next(hi, lo uint64) (nhi, nlo, out uint64) {
	const cheapMul = 0xda942042e4dd58b5
	nhi, nlo = bits.Mul64(lo, pcgMulLo)
	nhi += hi*pcgMulLo + lo*pcgMulHi
	var c uint64
	nlo, c = bits.Add64(nlo, pcgIncLo, 0)
	nhi, _ = bits.Add64(nhi, pcgIncHi, c)
	out = nhi
	out ^= out >> 32
	out *= cheapMul
	out ^= out >> 48
	out *= nlo | 1
	return nhi, nlo, out
}

// Uint64n is rand.Rand.Uint64N(n), n > 0, on a 64-bit machine, drawn from
// the PCG state (hi, lo): Lemire's multiply-and-reject over the 64-bit
// outputs of Next, or a mask of one output when n is a power of two. It
// returns the state after the outputs it used and the draw.
func Uint64n(hi, lo, n uint64) (nhi, nlo, v uint64) {
	hi, lo, x := Next(hi, lo)
	if n&(n-1) == 0 {
		return hi, lo, x & (n - 1)
	}
	vh, vl := bits.Mul64(x, n)
	if vl < n {
		thresh := -n % n
		for vl < thresh {
			hi, lo, x = Next(hi, lo)
			vh, vl = bits.Mul64(x, n)
		}
	}
	return hi, lo, vh
}

// Shuffle orders xs as rand.Rand.Shuffle would on a 64-bit machine from a
// PCG in state (hi, lo) — Fisher–Yates from the end, swapping xs[i] with
// xs[Uint64n(i+1)] — and returns the state after. A caller that owns its
// generator keeps the state in locals through the whole shuffle.
//
// Uint64n's draw is written out here: a call per element (Uint64n's loop
// keeps it from being inlined) would cost more than the draw.
func Shuffle[T any](hi, lo uint64, xs []T) (nhi, nlo uint64) {
	var x uint64
	for i := len(xs) - 1; i > 0; i-- {
		n := uint64(i + 1)
		hi, lo, x = Next(hi, lo)
		j := x & (n - 1)
		if n&(n-1) != 0 {
			jh, jl := bits.Mul64(x, n)
			if jl < n {
				thresh := -n % n
				for jl < thresh {
					hi, lo, x = Next(hi, lo)
					jh, jl = bits.Mul64(x, n)
				}
			}
			j = jh
		}
		xs[i], xs[j] = xs[j], xs[i]
	}
	return hi, lo
}

// State returns pcg's state (hi, lo), as Seed takes it, read from its
// binary encoding ("pcg:" then the two words big-endian), or ok false for
// an encoding this package does not know.
func State(pcg *rand.PCG) (hi, lo uint64, ok bool) {
	var buf [20]byte
	b, _ := pcg.AppendBinary(buf[:0])
	if len(b) != 20 || string(b[:4]) != "pcg:" {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:]), true
}

// The words of pcgMul and pcgInc, as constants.
const (
	pcgMulHi = 2549297995355413924
	pcgMulLo = 4865540595714422341
	pcgIncHi = 6364136223846793005
	pcgIncLo = 1442695040888963407
)

// u128 is an unsigned 128-bit integer, arithmetic modulo 2^128.
type u128 struct{ hi, lo uint64 }

// pcgMul and pcgInc are math/rand/v2 PCG's multiplier and increment.
var (
	pcgMul = u128{2549297995355413924, 4865540595714422341}
	pcgInc = u128{6364136223846793005, 1442695040888963407}
)

func (x u128) mul(y u128) u128 {
	hi, lo := bits.Mul64(x.lo, y.lo)
	return u128{hi + x.hi*y.lo + x.lo*y.hi, lo}
}

func (x u128) add(y u128) u128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, _ := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}
}

// Exp returns Rand.ExpFloat64(), an exponential variate of rate 1.
// ExpFloat64 is a ziggurat (Marsaglia and Tsang, 2000) over 256 layers:
// one 64-bit draw u gives a layer i = bits 32–39 of u and j = the low
// word, and in about 98% of draws j < k_i accepts x = j·w_i at once. That
// case is done here; any other draw rewinds the generator to before u and
// asks ExpFloat64 itself, which then takes the same u and goes on exactly
// as it always does.
func (s Source) Exp() float64 {
	saved := *s.PCG
	u := s.PCG.Uint64()
	j := uint32(u)
	i := uint8(u >> 32)
	if j < expK[i] {
		return float64(j) * expW[i]
	}
	*s.PCG = saved
	return s.Rand.ExpFloat64()
}

// ExpOf is Exp's common case for a caller that steps the generator
// itself: the variate ExpFloat64 returns when its first draw u accepts at
// once (ok), or ok false when it does not, and then ExpFloat64 from the
// state before u gives the variate. Only for a Source New accepted.
func ExpOf(u uint64) (x float64, ok bool) {
	j := uint32(u)
	i := uint8(u >> 32)
	if j < expK[i] {
		return float64(j) * expW[i], true
	}
	return 0, false
}

// NormalOf is ExpOf for Normal and NormFloat64.
func NormalOf(u uint64) (x float64, ok bool) {
	j := int32(u)
	i := u >> 32 & 0x7f
	a := uint32(j)
	if j < 0 {
		a = uint32(-j) // math.MinInt32 gives 2^31, as NormFloat64's absolute value does
	}
	if a < zigK[i] {
		return float64(j) * zigW[i], true
	}
	return 0, false
}

// Normal returns Rand.NormFloat64(), a standard normal variate.
// NormFloat64 is a ziggurat (Marsaglia and Tsang, 2000) over 128 layers:
// one 64-bit draw u gives a layer i = bits 32–38 of u and a signed 32-bit
// j = the low word, and in about 99% of draws |j| < k_i accepts x = j·w_i
// at once. That case is done here; any other draw rewinds the generator
// to before u and asks NormFloat64 itself, which then takes the same u and
// goes on exactly as it always does.
func (s Source) Normal() float64 {
	saved := *s.PCG
	u := s.PCG.Uint64()
	j := int32(u)
	i := u >> 32 & 0x7f
	a := uint32(j)
	if j < 0 {
		a = uint32(-j) // math.MinInt32 gives 2^31, as NormFloat64's absolute value does
	}
	if a < zigK[i] {
		return float64(j) * zigW[i]
	}
	*s.PCG = saved
	return s.Rand.NormFloat64()
}
