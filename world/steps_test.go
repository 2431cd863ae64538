package world

import (
	"os"
	"slices"
	"strings"
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

// TestUnrecordedSamplesMatchObserved runs pos_small, whose staking
// protocol and groups are market.UnrecordedObservers, recording one
// sample in seven: observing only what can be non-finite at the samples
// not recorded gives every run the same scalars and recorded series as
// observing everything at every sample.
func TestUnrecordedSamplesMatchObserved(t *testing.T) {
	src, err := os.ReadFile("../examples/pos_small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "sample_every: 7d", "sample_every: 1d", 1)
	text = strings.Replace(text, "horizon: 365d", "horizon: 200d", 1)
	m := compile(t, text)
	var keep []int
	for k := 0; k < len(m.SampleTimes(0)); k += 7 {
		keep = append(keep, k)
	}
	if err := m.RecordOnly(0, keep); err != nil {
		t.Fatal(err)
	}
	unrecorded := 0
	for run := range 3 {
		job := engine.NewJob(m, 1, 0, run)
		var outs [2]engine.Outcome
		for k, all := range []bool{false, true} {
			es, err := m.NewSim(0)
			if err != nil {
				t.Fatal(err)
			}
			s := es.(*sim)
			s.observeAll = all
			if run == 0 && !all {
				for _, u := range s.unrecorded {
					if u != nil {
						unrecorded++
					}
				}
			}
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
			t.Fatalf("run %d: scalars differ:\nunrecorded %v\nobserved   %v", run, outs[0].Scalars, outs[1].Scalars)
		}
		for k := range outs[0].Series {
			if !slices.Equal(outs[0].Series[k], outs[1].Series[k]) {
				t.Fatalf("run %d: series %d differs", run, k)
			}
		}
	}
	// The chain, the validators, the whale and the delegators.
	if unrecorded != 4 {
		t.Fatalf("%d participants observe unrecorded samples apart, want 4", unrecorded)
	}
}
