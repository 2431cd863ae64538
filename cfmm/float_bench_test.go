package cfmm

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

var floatSink float64

func BenchmarkFloat(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]uint256.Int, 1024)
	for k := range xs {
		xs[k][0], xs[k][1] = r.Uint64(), r.Uint64N(1<<20)
	}
	b.Run("cfmm", func(b *testing.B) {
		for k := 0; b.Loop(); k++ {
			floatSink += Float(&xs[k&1023])
		}
	})
	b.Run("uint256", func(b *testing.B) {
		for k := 0; b.Loop(); k++ {
			floatSink += xs[k&1023].Float64()
		}
	})
}
