package process

import (
	"fmt"
	"testing"
)

func benchStep(b *testing.B, p Process) {
	out := make([]float64, p.Dim())
	p.Reset(newRNG(1), out)
	b.ReportAllocs()
	for b.Loop() {
		p.Step(out)
	}
}

func BenchmarkGBMStep(b *testing.B) {
	// μ = σ²/2 keeps the log-price driftless: with μ = 0 it would fall by
	// σ²/2 per unit time and, over a long benchmark, reach subnormal
	// numbers, whose arithmetic is many times slower.
	benchStep(b, mustGBM(b, 2000, 0.32, 0.8, 1.0/8760))
}

func BenchmarkCorrelatedGBMStep(b *testing.B) {
	for _, n := range []int{2, 3, 10} {
		b.Run(fmt.Sprintf("assets=%d", n), func(b *testing.B) {
			s0, mu, sigma := make([]float64, n), make([]float64, n), make([]float64, n)
			R := make([][]float64, n)
			for i := range n {
				s0[i], sigma[i] = 1, 0.5
				R[i] = make([]float64, n)
				for j := range n {
					R[i][j] = 0.3
				}
				R[i][i] = 1
			}
			p, err := NewCorrelatedGBM(s0, mu, sigma, R, 1.0/8760)
			if err != nil {
				b.Fatal(err)
			}
			benchStep(b, p)
		})
	}
}

func BenchmarkOtherSteps(b *testing.B) {
	for name, p := range allProcesses(b) {
		b.Run(name, func(b *testing.B) { benchStep(b, p) })
	}
}
