package spiral

import "testing"

func BenchmarkStep(b *testing.B) {
	m := ConstantDemand{Constraint: Constraint{Beta: 1.5, Lambda: 1}, D: 100, RHat: 1.00583}
	s0 := m.Initial(100.583, 1.8)
	prices := [...]float64{85, 83, 82, 81, 84, 86}
	b.ReportAllocs()
	s := s0
	for i := 0; b.Loop(); i++ {
		next, _, err := m.Step(s, prices[i%len(prices)])
		if err != nil {
			s = s0
			continue
		}
		s = next
	}
}

func BenchmarkFeasible(b *testing.B) {
	c := Constraint{Beta: 1.5, Lambda: 0.9}
	m := Market{X: 100, Y: -97, Z: 150, L: 97}
	b.ReportAllocs()
	for b.Loop() {
		_, sinkHi, _ = c.Feasible(m)
	}
}

var sinkHi float64
