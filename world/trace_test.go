package world

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/trace"
)

// TestTraceReplaysTheRunInsideAFullRun runs every example family in full
// (a few runs, a short horizon), then traces single runs alone and checks
// that each traced outcome is bit for bit the one the full run produced,
// and that the trace's state at every sample step holds the series values.
func TestTraceReplaysTheRunInsideAFullRun(t *testing.T) {
	for _, tc := range []struct {
		file string
		set  []scenario.Override
		runs int
	}{
		{"quickstart.yaml", []scenario.Override{{Path: "horizon", Value: "60d"}}, 6},
		{"collar.yaml", []scenario.Override{{Path: "horizon", Value: "30d"}}, 6},
		{"lending_cascade.yaml", nil, 4},
		{"black_thursday.yaml", nil, 3},
		{"pos_small.yaml", []scenario.Override{{Path: "horizon", Value: "60d"}}, 3},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := scenario.Load("../examples/"+tc.file, tc.set...)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Compile(f)
			if err != nil {
				t.Fatal(err)
			}
			const seed = 77
			full := map[[2]int]*engine.Outcome{}
			err = engine.Run(context.Background(), m, engine.Config{Runs: tc.runs, Seed: seed, Workers: 2}, func(o *engine.Outcome) error {
				c := &engine.Outcome{Job: o.Job, Scalars: append([]float64(nil), o.Scalars...)}
				for _, s := range o.Series {
					c.Series = append(c.Series, append([]float64(nil), s...))
				}
				full[[2]int{o.Cell, o.Run}] = c
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			cell, run := m.Cells()-1, tc.runs-1
			var rec trace.Recorder
			got, err := m.Trace(cell, engine.NewJob(m, seed, cell, run), &rec)
			if err != nil {
				t.Fatal(err)
			}
			want := full[[2]int{cell, run}]
			if got.Seed != want.Seed {
				t.Fatalf("traced seed %d, full run's %d", got.Seed, want.Seed)
			}
			for k := range want.Scalars {
				if math.Float64bits(got.Scalars[k]) != math.Float64bits(want.Scalars[k]) {
					t.Errorf("%s: traced %v, full run %v", m.Metrics[k].FullName, got.Scalars[k], want.Scalars[k])
				}
			}
			col := map[string]int{}
			for k, c := range rec.Columns {
				col[c] = k
			}
			stride := m.cells[cell].stride
			for k := range want.Series {
				for j := range want.Series[k] {
					if math.Float64bits(got.Series[k][j]) != math.Float64bits(want.Series[k][j]) {
						t.Fatalf("%s sample %d: traced %v, full run %v", m.Metrics[k].FullName, j, got.Series[k][j], want.Series[k][j])
					}
					st := rec.States[j*stride]
					if rec.Steps[j*stride] != j*stride {
						t.Fatalf("state %d is of step %d", j*stride, rec.Steps[j*stride])
					}
					if v := st[col[m.Metrics[k].FullName]]; math.Float64bits(v) != math.Float64bits(want.Series[k][j]) {
						t.Fatalf("%s at step %d: trace state %v, series %v", m.Metrics[k].FullName, j*stride, v, want.Series[k][j])
					}
				}
			}
			if len(rec.States) != m.Steps(cell)+1 {
				t.Fatalf("%d states for %d steps", len(rec.States), m.Steps(cell))
			}
			if len(rec.Events) == 0 {
				t.Fatal("no events")
			}
		})
	}
}

// TestTraceAttributesTrades checks that every trade a venue reports in the
// quickstart is the arbitrageur's, and that their count is the venue's.
func TestTraceAttributesTrades(t *testing.T) {
	f, err := scenario.Load("../examples/quickstart.yaml", scenario.Override{Path: "horizon", Value: "30d"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	var rec trace.Recorder
	if _, err := m.Trace(0, engine.NewJob(m, 1, 0, 5), &rec); err != nil {
		t.Fatal(err)
	}
	trades := 0
	for _, e := range rec.Events {
		if e.Kind == trace.KindTrade {
			trades++
			if e.Actor != "arb" || e.Source != "pool" || e.Step < 1 || e.Step > 30 {
				t.Fatalf("trade %+v", e)
			}
		}
	}
	arb := -1
	for k, c := range rec.Columns {
		if c == "arb.trades" {
			arb = k
		}
	}
	if last := rec.States[len(rec.States)-1][arb]; trades == 0 || float64(trades) != last {
		t.Fatalf("%d trade events, arb.trades %v", trades, last)
	}
}

// BenchmarkTraceQuickstartRun traces one run of the quickstart (365 steps):
// run 0 and run 9,999 cost the same, as a run's streams derive from its
// index without the runs before it.
func BenchmarkTraceQuickstartRun(b *testing.B) {
	f, err := scenario.Load("../examples/quickstart.yaml")
	if err != nil {
		b.Fatal(err)
	}
	m, err := Compile(f)
	if err != nil {
		b.Fatal(err)
	}
	for _, run := range []int{0, 9999} {
		b.Run("run="+strconv.Itoa(run), func(b *testing.B) {
			for b.Loop() {
				var rec trace.Recorder
				if _, err := m.Trace(0, engine.NewJob(m, 1, 0, run), &rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
