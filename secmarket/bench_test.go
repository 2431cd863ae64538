package secmarket

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkClear clears 180 asks against inelastic demand for 30.
func BenchmarkClear(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	src := make([]Ask, 180)
	for k := range src {
		src[k] = Ask{k, rng.Float64()}
	}
	bids := infBids(30)
	asks := make([]Ask, len(src))
	for b.Loop() {
		copy(asks, src)
		Clear(asks, bids, 30)
	}
}
