package process

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulps returns how many representable numbers lie between got and want.
func ulps(got, want float64) float64 {
	return math.Abs(got-want) / (math.Nextafter(want, math.Inf(1)) - want)
}

// exp must agree with math.Exp within two units in the last place over its
// table range, at the table's grid points and between them, and equal it
// outside. (Where they differ by two, math.Exp is the one further from the
// true value in the cases checked: exp(266.4762427903962) is
// 5.35996312867743448e115, 0.6 ulp above exp's result and 1.4 below
// math.Exp's.)
func TestExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	var xs []float64
	for range 1_000_000 {
		xs = append(xs, 0.1*rng.NormFloat64())  // GBM's factors
		xs = append(xs, 1400*rng.Float64()-700) // the whole fast range
	}
	for k := -1000; k <= 1000; k++ {
		g := float64(k) * math.Ln2 / expN
		xs = append(xs, g, math.Nextafter(g, 1), math.Nextafter(g, -1), g+math.Ln2/(2*expN))
	}
	xs = append(xs, 0, -0.0, 700, -700, 1e-300, -1e-300)
	worst := 0.0
	for _, x := range xs {
		got, want := exp(x), math.Exp(x)
		if u := ulps(got, want); u > worst {
			worst = u
		}
		if ulps(got, want) > 2 {
			t.Fatalf("exp(%v) = %v, math.Exp gives %v: %.1f ulp apart", x, got, want, ulps(got, want))
		}
	}
	t.Logf("largest difference from math.Exp: %.2f ulp over %d arguments", worst, len(xs))
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 700.5, -700.5, 709.7, -745, 1e300, -1e300} {
		got, want := exp(x), math.Exp(x)
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("exp(%v) = %v, want math.Exp's %v", x, got, want)
		}
	}
}

func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 1024)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range xs {
		xs[i] = 0.04 * rng.NormFloat64()
	}
	b.Run("table", func(b *testing.B) {
		s := 0.0
		for i := range b.N {
			s += exp(xs[i&1023])
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := range b.N {
			s += math.Exp(xs[i&1023])
		}
		sink = s
	})
}

var sink float64

// TestExpTableCorrectlyRounded derives expTable: for each j, of math.Exp2(j/N)
// and its two neighbours, the one whose N-th power, computed exactly, is
// nearest 2^j.
func TestExpTableCorrectlyRounded(t *testing.T) {
	for j := range expN {
		want := new(big.Float).SetMantExp(big.NewFloat(1), j)
		c := math.Exp2(float64(j) / expN)
		var best *big.Float
		var nearest float64
		for _, y := range []float64{math.Nextafter(c, 0), c, math.Nextafter(c, 2)} {
			// y^N by squaring, exactly: 53·N bits suffice.
			p := new(big.Float).SetPrec(53 * expN).SetFloat64(y)
			for range expLogN {
				p.Mul(p, p)
			}
			d := p.Sub(p, want).Abs(p)
			if best == nil || d.Cmp(best) < 0 {
				best, nearest = d, y
			}
		}
		if expTable[j] != nearest {
			t.Errorf("expTable[%d] = %x, want %x", j, expTable[j], nearest)
		}
	}
}
