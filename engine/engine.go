// Package engine runs Monte Carlo paths in parallel and delivers their
// outcomes in a fixed order, so results are identical whatever the number of
// workers.
//
// The engine owns randomness and scheduling, nothing else. A Model builds
// one Sim per worker and sweep cell; a Sim runs one path at a time from a
// Job, drawing every random number from streams derived from the job's seed
// (see Stream). Outcomes reach the consumer in (cell, run) order from a
// single goroutine, through a reorder window of bounded size, so memory stays
// flat in the number of runs.
package engine

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Job identifies one path.
type Job struct {
	Cell, Run int
	// Seed is the run's seed, RunSeed(config seed, cell key, run); Sims
	// derive their component streams from it with Stream.
	Seed uint64
}

// Outcome is what one path produced. Buffers are reused across runs: a
// consumer must copy what it keeps.
type Outcome struct {
	Job
	// Scalars are per-run metrics, in the model's order.
	Scalars []float64
	// Series are sampled time series, [series][sample].
	Series [][]float64
}

// Shape gives the sizes of a cell's outcomes, so buffers are allocated once.
type Shape struct {
	Scalars, Series, Samples int
}

// Sim simulates paths of one sweep cell, one at a time; it is used by one
// goroutine only and should reuse its memory between runs.
type Sim interface {
	Run(job Job, out *Outcome) error
}

// Model describes a simulation: its cells and how to build their Sims.
type Model interface {
	// Cells returns the number of sweep cells (at least 1).
	Cells() int
	// Shape returns the outcome sizes of a cell.
	Shape(cell int) Shape
	// NewSim returns a fresh simulator for a cell.
	NewSim(cell int) (Sim, error)
	// StreamCell returns the cell whose random streams cell uses. Cells
	// mapped to the same stream cell see the same random numbers run by run
	// (common random numbers); a plain sweep returns cell.
	StreamCell(cell int) int
}

// Config sets the size and parallelism of a run.
type Config struct {
	// Runs is the number of runs of each cell, numbered from FirstRun:
	// a run's index, and so its seed, is FirstRun + k for k < Runs, so that
	// a sequential experiment can add runs to a cell without repeating any.
	Runs     int
	FirstRun int
	Seed     uint64
	Workers  int
	// Peek, if set, sees every outcome on the goroutine of the worker that
	// produced it (numbered from 0 to Workers−1), as soon as the path ends
	// and in no particular order: for statistics that do not depend on the
	// order of runs, such as sketch counts, so that they cost the consumer
	// nothing. An error stops the run.
	Peek func(worker int, o *Outcome) error
	// From and To select a contiguous slice of the work: the jobs whose
	// index, cell·Runs + run − FirstRun, is in [From, To). To = 0 means every job
	// from From on. A slice runs exactly as it would inside the whole
	// run: a job's seed depends on its cell and run only (see NewJob).
	From, To int
}

// NewJob returns the job of one run of a model's cell: its seed is
// RunSeed(seed, stream cell, run), so run K of a cell can be replayed alone,
// without simulating runs 0 to K−1.
func NewJob(m Model, seed uint64, cell, run int) Job {
	return Job{Cell: cell, Run: run, Seed: RunSeed(seed, uint64(m.StreamCell(cell)), uint64(run))}
}

// Shard returns the slice [from, to) of total jobs that shard i of n runs
// (0 ≤ i < n): contiguous, in job order, with sizes differing by at most one,
// so that shards' outcomes concatenated in shard order are the whole run's.
func Shard(total, i, n int) (from, to int) {
	return int(int64(total) * int64(i) / int64(n)), int(int64(total) * int64(i+1) / int64(n))
}

// RunError is a failure inside one path.
type RunError struct {
	Job
	Err error
}

func (e *RunError) Error() string {
	return fmt.Sprintf("cell %d, run %d (seed %d): %v", e.Cell, e.Run, e.Seed, e.Err)
}

func (e *RunError) Unwrap() error { return e.Err }

// Run simulates cfg.Runs paths of every cell of m (or the slice of them
// cfg.From and cfg.To select) on cfg.Workers goroutines (all cores when 0)
// and calls consume with each outcome in (cell, run) order. It stops at the first error from a path or from consume, or when
// ctx is cancelled.
func Run(ctx context.Context, m Model, cfg Config, consume func(*Outcome) error) error {
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	cells := m.Cells()
	first, total := cfg.From, cells*cfg.Runs
	if cfg.To > 0 {
		total = min(total, cfg.To)
	}
	if first < 0 || first > total {
		return fmt.Errorf("engine: job slice [%d, %d) outside [0, %d)", cfg.From, cfg.To, cells*cfg.Runs)
	}
	if total == first {
		return nil
	}
	workers = min(workers, total-first)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// A failure at run index g (cell-major) stops the dispatch of later
	// runs; earlier runs still finish, so the error reported is that of the
	// first failing run in order — the same one a single worker would hit.
	var failMu sync.Mutex
	failAt, failErr := total, error(nil)
	// stop wakes workers waiting for a buffer after a failure: every run
	// they could still take comes after the failing one.
	stop := make(chan struct{})
	var stopOnce sync.Once
	fail := func(g int, err error) {
		failMu.Lock()
		defer failMu.Unlock()
		if g < failAt {
			failAt, failErr = g, err
		}
		stopOnce.Do(func() { close(stop) })
	}
	failed := func(g int) bool {
		failMu.Lock()
		defer failMu.Unlock()
		return g >= failAt
	}

	// window bounds how far workers may run ahead of the consumer.
	window := 4 * workers
	free := make(chan *Outcome, window)
	for range window {
		free <- &Outcome{}
	}
	done := make(chan *Outcome, window)
	var next atomic.Int64
	next.Store(int64(first))
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A worker's jobs come in ascending order, so once it takes
			// a job of a later cell it never returns to the one before:
			// it keeps the Sim of its current cell only, and a sweep of
			// many cells holds at most one Sim per worker.
			var sim Sim
			simCell := -1
			for {
				var out *Outcome
				select {
				case out = <-free:
				case <-stop:
					return
				case <-ctx.Done():
					return
				}
				g := int(next.Add(1) - 1)
				if g >= total || failed(g) {
					return
				}
				cell, run := g/cfg.Runs, cfg.FirstRun+g%cfg.Runs
				job := NewJob(m, cfg.Seed, cell, run)
				if cell != simCell {
					sim, simCell = nil, cell
					s, err := m.NewSim(cell)
					if err != nil {
						fail(g, fmt.Errorf("cell %d: %w", cell, err))
						return
					}
					sim = s
				}
				out.Job = job
				shape(out, m.Shape(cell))
				err := runSafely(sim, job, out)
				if err != nil {
					err = &RunError{Job: job, Err: err}
				} else if cfg.Peek != nil {
					err = cfg.Peek(worker, out)
				}
				if err != nil {
					fail(g, err)
					free <- out
					continue
				}
				select {
				case done <- out:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	pending := make(map[int]*Outcome, window)
	want := first
	for out := range done {
		pending[out.Cell*cfg.Runs+out.Run-cfg.FirstRun] = out
		for !failed(want) {
			o, ok := pending[want]
			if !ok {
				break
			}
			delete(pending, want)
			if err := consume(o); err != nil {
				fail(want, err)
				break
			}
			want++
			free <- o
		}
		// Outcomes after a failure are dropped; their buffers go back so
		// that workers still running can finish.
		for g, o := range pending {
			if failed(g) {
				delete(pending, g)
				free <- o
			}
		}
	}
	if failErr != nil {
		return failErr
	}
	if want < total {
		return ctx.Err()
	}
	return nil
}

func shape(o *Outcome, s Shape) {
	if cap(o.Scalars) < s.Scalars {
		o.Scalars = make([]float64, s.Scalars)
	}
	o.Scalars = o.Scalars[:s.Scalars]
	if len(o.Series) != s.Series {
		o.Series = make([][]float64, s.Series)
	}
	for k := range o.Series {
		if cap(o.Series[k]) < s.Samples {
			o.Series[k] = make([]float64, s.Samples)
		}
		o.Series[k] = o.Series[k][:s.Samples]
	}
}

// PanicError is a panic inside a Sim, turned into an error so that no stack
// trace reaches a user. Stack is kept for CASCADE_DEBUG=1.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string {
	msg := fmt.Sprintf("internal error: %v (this is a bug in Cascade; please report it with the scenario and seed)", p.Value)
	if os.Getenv("CASCADE_DEBUG") == "1" {
		msg += "\n" + string(p.Stack)
	}
	return msg
}

func runSafely(s Sim, job Job, out *Outcome) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return s.Run(job, out)
}
