package variate

import (
	"math"
	"math/rand/v2"
)

// expK and expW are ExpFloat64's acceptance bounds k_i and scales w_i,
// read from ExpFloat64 itself when the package starts (expProbe): its
// tables are not exported, and reading them keeps Exp exact whatever
// their values. expOK is false if the probe found something unexpected;
// then New refuses.
var expK, expW, expOK = expProbe()

// probeSource is a rand.Source that returns first, then zeros, counting
// its calls: ExpFloat64 or NormFloat64 accepted first at once exactly when
// it made one. A zero draw has j = 0 and layer 0, which both accept.
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

// expProbe reads, for each layer i, k_i as the smallest j that
// ExpFloat64 does not accept at the first draw, by bisection on j in
// [0, 2^32] (acceptance is j < k_i), and w_i as the variate it returns
// for j = 1 when that is accepted (x = j·w_i). A layer with k_i ≤ 1
// accepts at once only j = 0, whose variate is 0 whatever w_i. It costs
// some nine thousand calls, once.
func expProbe() (k [256]uint32, w [256]float64, ok bool) {
	src := &probeSource{}
	r := rand.New(src)
	accepted := func(i, j uint64) (bool, float64) {
		src.first, src.calls = i<<32|j, 0
		x := r.ExpFloat64()
		return src.calls == 1, x
	}
	for i := range uint64(256) {
		if acc, x := accepted(i, 0); !acc || x != 0 {
			continue // k_i = 0: the layer never accepts at once
		}
		lo, hi := uint64(0), uint64(1<<32)
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if acc, _ := accepted(i, mid); acc {
				lo = mid
			} else {
				hi = mid
			}
		}
		if hi == 1<<32 {
			return k, w, false // a layer that never rejects: not a ziggurat
		}
		k[i] = uint32(hi)
		if hi < 2 {
			continue
		}
		_, x := accepted(i, 1)
		if !(x > 0) || math.IsInf(x, 0) {
			return k, w, false
		}
		w[i] = x
		// An accepted variate is exactly j·w_i.
		if _, x := accepted(i, lo); x != float64(lo)*w[i] {
			return k, w, false
		}
	}
	return k, w, true
}

// zigK and zigW are the ziggurat's acceptance bounds k_i and scales w_i as
// NormFloat64 uses them, read from NormFloat64 itself when the package
// starts (zigProbe): its tables are not exported, and reading them keeps
// Normal exact whatever their values. zigOK is false if the probe found
// something unexpected; then New refuses.
var zigK, zigW, zigOK = zigProbe()

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
