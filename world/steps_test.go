package world

import (
	"os"
	"slices"
	"testing"

	"github.com/cascade-risk/cascade/engine"
)

// TestPlainLoopMatchesGeneral checks that the plain loop (stepPlain) runs
// the same steps as the general one (stepAll): on the reference model every
// run's scalars and series are identical.
func TestPlainLoopMatchesGeneral(t *testing.T) {
	src, err := os.ReadFile("../examples/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := compile(t, string(src))
	for run := range 5 {
		job := engine.NewJob(m, 1, 0, run)
		var outs [2]engine.Outcome
		for k, plain := range []bool{true, false} {
			es, err := m.NewSim(0)
			if err != nil {
				t.Fatal(err)
			}
			s := es.(*sim)
			if !s.plain() {
				t.Fatal("the reference model is not plain")
			}
			s.forceGeneral = !plain
			shape := m.Shape(0)
			outs[k].Scalars = make([]float64, shape.Scalars)
			for range shape.Series {
				outs[k].Series = append(outs[k].Series, make([]float64, shape.Samples))
			}
			if err := s.Run(job, &outs[k]); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(outs[0].Scalars, outs[1].Scalars) {
			t.Fatalf("run %d: scalars differ:\nplain   %v\ngeneral %v", run, outs[0].Scalars, outs[1].Scalars)
		}
		for k := range outs[0].Series {
			if !slices.Equal(outs[0].Series[k], outs[1].Series[k]) {
				t.Fatalf("run %d: series %d differs", run, k)
			}
		}
	}
}
