package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// walk is a model whose paths are random walks; scalars are the final value
// and the path maximum, the series every tenth value.
type walk struct{ cells int }

func (w walk) Cells() int                   { return w.cells }
func (w walk) Shape(int) Shape              { return Shape{Scalars: 2, Series: 1, Samples: 10} }
func (w walk) StreamCell(cell int) int      { return cell }
func (w walk) NewSim(cell int) (Sim, error) { return &walkSim{cell: cell}, nil }

type walkSim struct {
	cell int
	pcg  rand.PCG
}

func (s *walkSim) Run(job Job, out *Outcome) error {
	s.pcg.Seed(Stream(job.Seed, 0))
	r := rand.New(&s.pcg)
	x, hi := 0.0, 0.0
	for k := 0; k < 100; k++ {
		x += r.NormFloat64() * float64(s.cell+1)
		hi = max(hi, x)
		if k%10 == 9 {
			out.Series[0][k/10] = x
		}
	}
	out.Scalars[0], out.Scalars[1] = x, hi
	return nil
}

func collect(t *testing.T, m Model, cfg Config) [][]float64 {
	t.Helper()
	var rows [][]float64
	next := 0
	err := Run(context.Background(), m, cfg, func(o *Outcome) error {
		if o.Cell*cfg.Runs+o.Run-cfg.FirstRun != next {
			t.Fatalf("outcome %d/%d delivered out of order (want #%d)", o.Cell, o.Run, next)
		}
		next++
		row := append([]float64{float64(o.Cell), float64(o.Run), float64(o.Seed)}, o.Scalars...)
		rows = append(rows, append(row, o.Series[0]...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestIdenticalAcrossWorkerCounts(t *testing.T) {
	m := walk{cells: 3}
	ref := collect(t, m, Config{Runs: 500, Seed: 7, Workers: 1})
	if len(ref) != 1500 {
		t.Fatalf("%d outcomes", len(ref))
	}
	for _, w := range []int{2, 8, 0} {
		got := collect(t, m, Config{Runs: 500, Seed: 7, Workers: w})
		for k := range ref {
			for c := range ref[k] {
				if got[k][c] != ref[k][c] {
					t.Fatalf("workers=%d: outcome %d differs", w, k)
				}
			}
		}
	}
	other := collect(t, m, Config{Runs: 500, Seed: 8, Workers: 2})
	if other[0][3] == ref[0][3] {
		t.Fatal("a different seed gave the same path")
	}
}

func TestStreamsAreDistinct(t *testing.T) {
	seen := map[uint64]bool{}
	for cell := uint64(0); cell < 30; cell++ {
		for run := uint64(0); run < 300; run++ {
			s := RunSeed(1, cell, run)
			if seen[s] {
				t.Fatalf("seed collision at cell %d run %d", cell, run)
			}
			seen[s] = true
			a, b := Stream(s, 0)
			c, d := Stream(s, 1)
			if a == c || b == d {
				t.Fatal("component streams collide")
			}
		}
	}
}

type failing struct {
	walk
	at   int
	kind string
}

func (f failing) NewSim(cell int) (Sim, error) { return &failSim{f: f}, nil }

type failSim struct{ f failing }

func (s *failSim) Run(job Job, out *Outcome) error {
	if job.Run == s.f.at {
		if s.f.kind == "panic" {
			var m map[string]int
			m["boom"]++
		}
		return errors.New("conservation violated")
	}
	return nil
}

func TestErrorsAndPanicsStopTheRun(t *testing.T) {
	for _, kind := range []string{"error", "panic"} {
		for _, w := range []int{1, 3} {
			err := Run(context.Background(), failing{walk{1}, 37, kind}, Config{Runs: 100, Seed: 1, Workers: w}, func(*Outcome) error { return nil })
			var re *RunError
			if !errors.As(err, &re) || re.Run != 37 || !strings.Contains(err.Error(), "run 37 (seed ") {
				t.Fatalf("%s, workers %d: got %v", kind, w, err)
			}
			if kind == "panic" && (strings.Contains(err.Error(), "goroutine") || !strings.Contains(err.Error(), "internal error")) {
				t.Fatalf("panic must become a plain error: %v", err)
			}
		}
	}
}

func TestConsumerErrorAndCancel(t *testing.T) {
	stop := errors.New("disk full")
	n := 0
	err := Run(context.Background(), walk{1}, Config{Runs: 1000, Workers: 2}, func(*Outcome) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Fatalf("got %v after %d outcomes", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, walk{1}, Config{Runs: 1000, Workers: 2}, func(*Outcome) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run returned %v", err)
	}
}

func BenchmarkOverhead(b *testing.B) {
	m := walk{1}
	b.ReportAllocs()
	for b.Loop() {
		_ = Run(context.Background(), m, Config{Runs: 1000, Workers: 2}, func(*Outcome) error { return nil })
	}
}

// everyFrom fails every run from index at on: the error reported must be the
// first failing run's, whatever the number of workers.
type everyFrom struct {
	walk
	at int
}

func (f everyFrom) NewSim(int) (Sim, error) { return &everySim{at: f.at}, nil }

type everySim struct{ at int }

func (s *everySim) Run(job Job, out *Outcome) error {
	if job.Run >= s.at {
		return errors.New("broken")
	}
	return nil
}

func TestFirstFailureReportedWhateverTheWorkers(t *testing.T) {
	for _, w := range []int{1, 2, 3, 8} {
		for range 5 {
			err := Run(context.Background(), everyFrom{walk{1}, 11}, Config{Runs: 200, Workers: w}, func(*Outcome) error { return nil })
			var re *RunError
			if !errors.As(err, &re) || re.Run != 11 {
				t.Fatalf("workers %d: got %v", w, err)
			}
		}
	}
}

func TestFirstRun(t *testing.T) {
	// Runs 2..5 of a cell, asked for with FirstRun, are runs 2..5 of the
	// full experiment: same indices, seeds and paths.
	m := walk{cells: 2}
	full := collect(t, m, Config{Runs: 6, Seed: 9, Workers: 3})
	part := collect(t, m, Config{Runs: 4, FirstRun: 2, Seed: 9, Workers: 2})
	for c := range 2 {
		for k := range 4 {
			a, b := full[c*6+2+k], part[c*4+k]
			for j := range a {
				if a[j] != b[j] {
					t.Fatalf("cell %d run %d: %v, want %v", c, 2+k, b, a)
				}
			}
		}
	}
}
