package qf

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMatchIf is one step of a sybil's search: the match of a
// project with 100 extra gifts in a round of 60 projects and 3,000 donors.
func BenchmarkMatchIf(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	p, _ := New(Config{Pool: 1e5, Cap: 0.05})
	for range 60 {
		p.AddProject()
	}
	for range 3000 {
		d := p.AddDonor(1)
		for range 3 {
			_ = p.Give(d, rng.IntN(60), 1+rng.Float64()*50)
		}
	}
	extra := make([]float64, 100)
	for k := range extra {
		extra[k] = 20
	}
	for b.Loop() {
		p.MatchIf(59, extra)
	}
}
