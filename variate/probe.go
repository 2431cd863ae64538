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
// its calls: ExpFloat64 accepted first at once exactly when it made one.
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
