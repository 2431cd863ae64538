package process

import (
	"math"
	"math/rand/v2"
)

// normals draws standard normal variates straight from a PCG generator:
// the same numbers, from the same draws, as rand.New(pcg).NormFloat64, in
// about half the instructions. NormFloat64 is a ziggurat (Marsaglia and
// Tsang, 2000) over 128 layers: one 64-bit draw u gives a layer i = bits
// 32–38 of u and a signed 32-bit j = the low word, and in about 99% of
// draws |j| < k_i accepts x = j·w_i at once. That case is done here, with
// the generator called directly rather than through rand.Source; any other
// draw rewinds the generator to before u and asks NormFloat64 itself, which
// then takes the same u and goes on exactly as it always does.
type normals struct {
	pcg *rand.PCG
	rng *rand.Rand // rand.New(pcg)
}

// next returns the next standard normal variate.
func (n *normals) next() float64 {
	saved := *n.pcg
	u := n.pcg.Uint64()
	j := int32(u)
	i := u >> 32 & 0x7f
	a := uint32(j)
	if j < 0 {
		a = uint32(-j) // math.MinInt32 gives 2^31, as NormFloat64's absolute value does
	}
	if a < zigK[i] {
		return float64(j) * zigW[i]
	}
	*n.pcg = saved
	return n.rng.NormFloat64()
}

// zigK and zigW are the ziggurat's acceptance bounds k_i and scales w_i as
// NormFloat64 uses them, read from NormFloat64 itself when the package
// starts (zigProbe): its tables are not exported, and reading them keeps
// normals exact whatever their values. zigOK is false if the probe found
// something unexpected; then no GBM uses normals.
var zigK, zigW, zigOK = zigProbe()

// probeSource is a rand.Source that returns first, then zeros: a zero
// draw has j = 0 and i = 0, which NormFloat64 always accepts, so that
// calls counts whether it accepted first.
type probeSource struct {
	first uint64
	calls int
}

func (p *probeSource) Uint64() uint64 {
	p.calls++
	if p.calls == 1 {
		return p.first
	}
	return 0
}

// zigProbe reads, for each layer i, w_i as the variate NormFloat64 returns
// for j = 1 (x = j·w_i, exactly), and k_i as the smallest |j| it does not
// accept at once, by bisection on |j| in [0, 2^31] (acceptance is |j| < k_i).
// It costs some four thousand calls, once.
func zigProbe() (k [128]uint32, w [128]float64, ok bool) {
	src := &probeSource{}
	r := rand.New(src)
	// accepted reports whether NormFloat64 accepts layer i with |j| = a at
	// the first draw, and the variate it returns.
	accepted := func(i uint64, a uint64) (bool, float64) {
		j := uint64(uint32(int32(a)))
		if a == 1<<31 {
			j = 1 << 31 // int32 −2^31
		}
		src.first, src.calls = i<<32|j, 0
		x := r.NormFloat64()
		return src.calls == 1, x
	}
	for i := range uint64(128) {
		// j = 1 gives x = w_i, whether accepted at once or (for a layer
		// with k_i ≤ 1) by the slow path, which the zero draws after it
		// make accept; a rejected x would end in a variate of 0.
		_, x := accepted(i, 1)
		if !(x > 0) || math.IsInf(x, 0) {
			return k, w, false
		}
		w[i] = x
		if acc, _ := accepted(i, 0); !acc {
			continue // k_i = 0: the layer never accepts at once
		}
		// Bisection for the smallest rejected |j| in (0, 2^31], or 2^31+1
		// when every |j| is accepted, which no uint32 bound allows.
		lo, hi := uint64(0), uint64(1<<31+1)
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if acc, _ := accepted(i, mid); acc {
				lo = mid
			} else {
				hi = mid
			}
		}
		if hi > 1<<31 {
			return k, w, false // a layer that never rejects: not a ziggurat
		}
		k[i] = uint32(hi)
		// An accepted variate is exactly j·w_i.
		if _, x := accepted(i, lo); x != float64(lo)*w[i] {
			return k, w, false
		}
	}
	return k, w, true
}
