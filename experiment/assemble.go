package experiment

import (
	"context"
	"fmt"
	"time"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

// This file holds what a distributed runner (the Apache Beam pipeline in
// the beam module) needs to produce the single-process results directory
// from work done elsewhere: the empty Result of a run, the per-metric
// aggregate a run keeps, and a writer that takes runs in job order and
// aggregates computed apart.

// Prepare compiles f and returns the empty Result that a run of f with opt
// fills: its model, cells, run count, seed and workers, and From = 0, To =
// the number of jobs. Run and Merge start from the same Result.
func Prepare(f *scenario.File, opt Options) (*Result, error) {
	res, err := newResult(f, opt)
	if err != nil {
		return nil, err
	}
	res.From, res.To = 0, res.Runs*len(res.Cells)
	return res, nil
}

// Jobs returns the number of (cell, arm, run) jobs of r: runs times cells.
// Job g is run g mod Runs of engine cell g / Runs (see engine.Config).
func (r *Result) Jobs() int { return r.Runs * len(r.Cells) }

// Tally is one metric of one engine cell aggregated over runs as Run
// aggregates it: a Summary with the run's exact cap, and the worst runs.
// Runs must be added in increasing run order: the Summary's moments
// (Welford's update) and the ranking of equal values depend on it, which is
// what makes the result identical to the single-process run's.
type Tally struct {
	Summary *metric.Summary
	Worst   []RunRef
	point   int
	arm     string
	worse   metric.Direction
	last    int
}

// NewTally returns the empty Tally of metric k of engine cell c of r.
func (r *Result) NewTally(c, k int) *Tally {
	cell := r.Cells[c]
	return &Tally{Summary: metric.NewSummaryCap(r.exactCap()), point: cell.Point, arm: cell.Arm,
		worse: r.Model.Metrics[k].Worse, last: -1}
}

// Add records run's value v; runs must come in increasing order.
func (t *Tally) Add(run int, v float64) error {
	if run <= t.last {
		return fmt.Errorf("experiment: tally of cell %d arm %q: run %d after run %d", t.point, t.arm, run, t.last)
	}
	t.last = run
	t.Summary.Add(v)
	t.Worst = worse(t.Worst, RunRef{Cell: t.point, Arm: t.arm, Run: run, Value: metric.Float(v)}, t.worse)
	return nil
}

// exactCap is the exact cap of r's Summaries: every Summary holds its
// observations exactly while they all fit within exactValues together.
func (r *Result) exactCap() int {
	return exactCapOf(len(r.File.Cells), len(r.Model.Metrics))
}

// exactCapOf is the exact cap of the Summaries of a run of so many cells
// and metrics.
func exactCapOf(cells, metrics int) int {
	return min(metric.DefaultExactCap, exactValues/max(1, cells*metrics))
}

// Assembly writes the results directory of r from runs delivered in job
// order and per-metric aggregates computed elsewhere, byte for byte the
// directory Run writes (the manifest's timings and workers aside).
type Assembly struct {
	res  *Result
	w    *results.Writer
	next int
	set  [][]bool
}

// Assemble creates the results directory r.Out (replaced if overwrite and
// it holds earlier results) for an Assembly. r comes from Prepare; its
// Started time is the caller's to set.
func (r *Result) Assemble(overwrite bool) (*Assembly, error) {
	if r.Out == "" {
		return nil, fmt.Errorf("experiment: assemble: no results directory given")
	}
	w, err := results.Create(r.Out, layout(r.Model, r.File), results.Options{Overwrite: overwrite})
	if err != nil {
		return nil, err
	}
	a := &Assembly{res: r, w: w, set: make([][]bool, len(r.Cells))}
	for c := range a.set {
		a.set[c] = make([]bool, len(r.Model.Metrics))
	}
	return a, nil
}

// WriteRun writes run `run` of engine cell c, which must be job Next().
func (a *Assembly) WriteRun(c, run int, seed uint64, scalars []float64, series [][]float64) error {
	r := a.res
	if c < 0 || c >= len(r.Cells) || run < 0 || run >= r.Runs || c*r.Runs+run != a.next {
		return fmt.Errorf("experiment: assemble: cell %d run %d is not job %d", c, run, a.next)
	}
	if len(scalars) != len(r.Model.Metrics) || len(series) != len(r.Model.Metrics) {
		return fmt.Errorf("experiment: assemble: cell %d run %d has %d scalars and %d series, want %d", c, run, len(scalars), len(series), len(r.Model.Metrics))
	}
	a.next++
	cell := &r.Cells[c]
	r.Timesteps += int64(r.Model.Steps(c))
	params := make([]float64, len(cell.Params))
	for k, p := range cell.Params {
		params[k] = p.Value
	}
	return a.w.WriteRun(results.Run{Cell: cell.Point, Arm: cell.Arm, Run: run, Seed: seed, Params: params,
		Scalars: scalars, Times: cell.Times, Series: series})
}

// Next returns the job the next WriteRun must deliver.
func (a *Assembly) Next() int { return a.next }

// SetMetric gives metric k of engine cell c its aggregate over all the
// cell's runs: t fed in run order, and the fan of its series (merged in any
// order: sketch counts do not depend on it).
func (a *Assembly) SetMetric(c, k int, t *Tally, fan *metric.Fan) error {
	r := a.res
	if c < 0 || c >= len(r.Cells) || k < 0 || k >= len(r.Model.Metrics) {
		return fmt.Errorf("experiment: assemble: no metric %d in cell %d", k, c)
	}
	if a.set[c][k] {
		return fmt.Errorf("experiment: assemble: metric %s of cell %d given twice", r.Model.Metrics[k].FullName, c)
	}
	if n, want := fan.Runs(), int64(r.Runs); n != want || fan.Len() != len(r.Cells[c].FanIndex) {
		return fmt.Errorf("experiment: assemble: fan of metric %s, cell %d holds %d runs of %d points, want %d of %d (Cell.FanIndex)",
			r.Model.Metrics[k].FullName, c, n, fan.Len(), want, len(r.Cells[c].FanIndex))
	}
	if got, want := fan.Accuracy(), r.Cells[c].Fans[k].Accuracy(); got != want {
		return fmt.Errorf("experiment: assemble: fan of metric %s, cell %d has relative accuracy %g, want %g (Cell.FanCoarse)",
			r.Model.Metrics[k].FullName, c, got, want)
	}
	a.set[c][k] = true
	r.Cells[c].Summaries[k], r.Cells[c].Fans[k], r.Cells[c].Worst[k] = t.Summary, fan, t.Worst
	return nil
}

// Finish checks that every run and every metric arrived, writes the
// summaries, the scenario copy and the manifest, and moves the directory
// into place. Version and commit identify the build.
func (a *Assembly) Finish(version, commit string, extra func(*Result) (map[string][]byte, error)) error {
	r := a.res
	if a.next != r.Jobs() {
		return fmt.Errorf("experiment: assemble: %d of %d runs written", a.next, r.Jobs())
	}
	for c := range a.set {
		for k, ok := range a.set[c] {
			if !ok {
				return fmt.Errorf("experiment: assemble: no aggregate of metric %s in cell %d", r.Model.Metrics[k].FullName, c)
			}
		}
	}
	r.Elapsed = time.Since(r.Started)
	return r.finish(a.w, manifest(r, version, commit), extra)
}

// Abort removes the unfinished directory; after Finish it does nothing.
func (a *Assembly) Abort() { a.w.Abort() }

// RunJobs simulates jobs [from, to) of r's model (job g is run g mod Runs
// of engine cell g / Runs) on workers goroutines and calls consume with each
// outcome in job order: the engine call of Run and of `cascade run --shard`.
// A failure inside a path is an *engine.RunError naming its cell, run and
// seed.
func (r *Result) RunJobs(ctx context.Context, from, to, workers int, consume func(*engine.Outcome) error) error {
	if from < 0 || to > r.Jobs() || from > to {
		return fmt.Errorf("experiment: jobs [%d, %d) outside [0, %d)", from, to, r.Jobs())
	}
	if from == to {
		return nil
	}
	return engine.Run(ctx, r.Model, engine.Config{Runs: r.Runs, Seed: r.Seed, Workers: workers, From: from, To: to}, consume)
}
