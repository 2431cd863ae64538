// Package variate draws random variates straight from a rand.PCG generator:
// the same numbers, from the same draws, as the methods of rand.New(pcg)
// give, without going through the rand.Source interface for each 64-bit
// draw. Hot loops of agents call it by the million.
package variate

import (
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
