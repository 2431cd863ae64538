package engine

import (
	"context"
	"math"
	"testing"
)

// TestShardsConcatenateToTheWholeRun checks that the slices of 1, 2, 3 and 7
// shards cover every job once, in order, and that each job's outcome is
// bit for bit the one it has inside the whole run.
func TestShardsConcatenateToTheWholeRun(t *testing.T) {
	m := walk{cells: 3}
	const runs = 41
	ref := collect(t, m, Config{Runs: runs, Seed: 11, Workers: 2})
	for _, n := range []int{1, 2, 3, 7} {
		var got [][]float64
		for i := range n {
			from, to := Shard(3*runs, i, n)
			if to-from < 3*runs/n || to-from > 3*runs/n+1 {
				t.Fatalf("n=%d shard %d: %d jobs", n, i, to-from)
			}
			err := Run(context.Background(), m, Config{Runs: runs, Seed: 11, Workers: 3, From: from, To: to}, func(o *Outcome) error {
				if g := o.Cell*runs + o.Run; g < from || g >= to {
					t.Fatalf("n=%d shard %d: job %d outside [%d, %d)", n, i, g, from, to)
				}
				row := append([]float64{float64(o.Cell), float64(o.Run), float64(o.Seed)}, o.Scalars...)
				got = append(got, append(row, o.Series[0]...))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(got) != len(ref) {
			t.Fatalf("n=%d: %d outcomes, want %d", n, len(got), len(ref))
		}
		for k := range ref {
			for c := range ref[k] {
				if math.Float64bits(got[k][c]) != math.Float64bits(ref[k][c]) {
					t.Fatalf("n=%d: outcome %d column %d differs", n, k, c)
				}
			}
		}
	}
}

// TestNewJobReplaysOneRun checks that a job built for (cell, run) alone gives
// the outcome that run has inside the whole run.
func TestNewJobReplaysOneRun(t *testing.T) {
	m := walk{cells: 2}
	ref := collect(t, m, Config{Runs: 30, Seed: 5, Workers: 2})
	job := NewJob(m, 5, 1, 17)
	sim, _ := m.NewSim(1)
	out := &Outcome{}
	shape(out, m.Shape(1))
	if err := sim.Run(job, out); err != nil {
		t.Fatal(err)
	}
	want := ref[30+17]
	if float64(job.Seed) != want[2] || out.Scalars[0] != want[3] || out.Scalars[1] != want[4] {
		t.Fatalf("replayed run differs: seed %d scalars %v, want %v", job.Seed, out.Scalars, want[2:5])
	}
}

func TestSliceOutOfRange(t *testing.T) {
	err := Run(context.Background(), walk{cells: 1}, Config{Runs: 5, From: 6}, func(*Outcome) error { return nil })
	if err == nil {
		t.Fatal("a slice beyond the jobs was accepted")
	}
}
