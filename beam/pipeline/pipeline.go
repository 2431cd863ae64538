// Package pipeline runs a Cascade scenario as an Apache Beam pipeline, so
// that a sweep runs on an existing distributed engine (Flink, Spark,
// Dataflow, or Prism on one machine) and still writes the results directory
// of `cascade run`, byte for byte apart from the manifest's timings.
//
// The pipeline is
//
//	work items (engine cell, run range) → Reshuffle → simulate →
//	   ├─ per (cell, arm, metric) partials → CombinePerKey → aggregates ─┐ side inputs of
//	   └─ row blocks, keyed by work item ────────────────────────────────┴→ one writer
//
// Simulating a work item is the engine call of `cascade run --shard`
// (experiment.Result.RunJobs): a run's seed depends on its cell and index
// only, so where and in which order items run changes nothing. The combine
// keeps, per (cell, arm, metric), the run-indexed observations and the
// fan's DDSketches; the sketches merge exactly (bin counts), and the
// observations are added to the metric's Summary in run order at the end,
// because the Summary's moments (Welford's update) are bit-identical only in
// that order — the same reason `cascade merge` replays the shards' rows in
// (cell, arm, run) order. A single writer looks the row blocks up by work
// item, in job order, and writes runs.parquet, series.parquet, the
// summaries from the aggregates, the scenario copy and the manifest.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

// DefaultRunsPerItem is the number of runs of one cell in a work item
// unless Options say otherwise: large enough that the per-item costs
// (compiling the scenario on a worker, one row block) are small beside the
// simulation, small enough that a 1000-run cell spreads over ten workers.
const DefaultRunsPerItem = 100

// Options configure a pipeline. Zero values take the scenario's settings.
type Options struct {
	// Runs per sweep cell; 0 takes the scenario's.
	Runs int
	// Seed overrides the scenario's master seed when non-nil.
	Seed *uint64
	// Workers is the number of engine goroutines per work item (0: all
	// cores of the machine running it). Results do not depend on it.
	Workers int
	// RunsPerItem is the most runs of one cell in a work item (0:
	// DefaultRunsPerItem).
	RunsPerItem int
	// Out is the results directory to write, replaced if it holds earlier
	// Cascade results. On a cluster it must be a path every worker can
	// reach: the single writer may run on any of them.
	Out string
	// Version and Commit identify the build in the manifest.
	Version, Commit string
}

// Job is what every stage needs to rebuild the run on a worker: the
// scenario's bytes (workers need not have the file) and the run's
// settings. It travels inside the transforms, serialized with the graph.
type Job struct {
	Path      string
	Source    []byte
	Overrides []string
	Runs      int
	Seed      uint64
	SeedSet   bool
	Workers   int
}

// load compiles the job's scenario into the empty Result of its run.
func (j Job) load() (*experiment.Result, error) {
	var ov []scenario.Override
	for _, o := range j.Overrides {
		p, v, _ := strings.Cut(o, "=")
		ov = append(ov, scenario.Override{Path: p, Value: v})
	}
	f, err := scenario.LoadBytes(j.Path, j.Source, ov...)
	if err != nil {
		return nil, err
	}
	opt := experiment.Options{Runs: j.Runs, Workers: j.Workers}
	if j.SeedSet {
		seed := j.Seed
		opt.Seed = &seed
	}
	return experiment.Prepare(f, opt)
}

// WorkItem is runs [FirstRun, EndRun) of engine cell Cell (one arm of one
// sweep point); Index is its place among the items, in job order.
type WorkItem struct {
	Index, Cell, FirstRun, EndRun int
}

// Partial is the aggregate of one metric of one engine cell over some of
// its runs: the runs' indices and values, and the fan of the metric's
// series (metric.Fan, encoded). It is the combine's input and accumulator.
type Partial struct {
	Cell, Metric int
	Runs         []int64
	Values       []float64
	Fan          []byte
}

// Aggregate is one metric of one engine cell over all its runs: the
// Summary (metric.Summary, encoded), the worst runs, worst first, and the
// fan (encoded). It is the combine's output.
type Aggregate struct {
	Cell, Metric int
	Summary      []byte
	WorstRuns    []int64
	WorstValues  []float64
	Fan          []byte
}

// Block is the rows of one work item: per run its seed, its scalar
// metrics and its series, flattened run-major ([run][metric] and
// [run][metric][sample]).
type Block struct {
	Cell, FirstRun int
	Seeds          []uint64
	Scalars        []float64
	Series         []float64
}

func init() {
	for _, t := range []any{WorkItem{}, Partial{}, Aggregate{}, Block{}, Job{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
	register.DoFn4x1[context.Context, WorkItem, func(int, Partial), func(int, Block), error](&simulateFn{})
	register.Emitter2[int, Partial]()
	register.Emitter2[int, Block]()
	register.Combiner2[Partial, Aggregate](&tallyFn{})
	register.DoFn5x1[context.Context, []byte, func(*Aggregate) bool, func(int) func(*Block) bool, func(string), error](&writeFn{})
	register.Iter1[Block]()
	register.Iter1[Aggregate]()
	register.Emitter1[string]()
}

// Build adds to s the pipeline that runs f with opt and writes opt.Out. It
// compiles f here, so that a scenario error stops the launch rather than
// the first worker. The returned collection holds the results directory's
// path once it is written.
func Build(s beam.Scope, f *scenario.File, opt Options) (beam.PCollection, error) {
	if opt.Out == "" {
		return beam.PCollection{}, errors.New("pipeline: no results directory given")
	}
	if opt.RunsPerItem < 0 || opt.Workers < 0 || opt.Runs < 0 {
		return beam.PCollection{}, fmt.Errorf("pipeline: negative runs (%d), runs per item (%d) or workers (%d)", opt.Runs, opt.RunsPerItem, opt.Workers)
	}
	job := Job{Path: f.Path, Source: f.Source, Runs: opt.Runs, Workers: opt.Workers}
	for _, o := range f.Overrides {
		job.Overrides = append(job.Overrides, o.String())
	}
	if opt.Seed != nil {
		job.Seed, job.SeedSet = *opt.Seed, true
	}
	res, err := job.load()
	if err != nil {
		return beam.PCollection{}, err
	}
	// The job carries the run count resolved here, so that every worker
	// uses the same one.
	job.Runs = res.Runs
	per := opt.RunsPerItem
	if per == 0 {
		per = DefaultRunsPerItem
	}
	var items []WorkItem
	for c := range res.Cells {
		for r := 0; r < res.Runs; r += per {
			items = append(items, WorkItem{Index: len(items), Cell: c, FirstRun: r, EndRun: min(r+per, res.Runs)})
		}
	}
	s = s.Scope("cascade")
	work := beam.Reshuffle(s, beam.CreateList(s, items))
	partials, blocks := beam.ParDo2(s, &simulateFn{Job: job}, work)
	aggregates := beam.DropKey(s, beam.CombinePerKey(s, &tallyFn{Job: job}, partials))
	// The writer reads the row blocks as a multimap side input, by item
	// index, in job order: a runner serves them from its own storage one
	// at a time rather than handing the writer all of them at once.
	out := beam.ParDo(s, &writeFn{Job: job, Items: len(items), Out: opt.Out, Started: time.Now().UnixNano(), Version: opt.Version, Commit: opt.Commit},
		beam.Impulse(s), beam.SideInput{Input: aggregates}, beam.SideInput{Input: blocks})
	return out, nil
}

// lazy compiles a job once per transform instance.
type lazy struct {
	once sync.Once
	res  *experiment.Result
	err  error
}

func (l *lazy) get(j Job) (*experiment.Result, error) {
	l.once.Do(func() { l.res, l.err = j.load() })
	return l.res, l.err
}

// simulateFn runs a work item and emits its partial aggregates, keyed by
// cell·metrics + metric, and its rows, keyed by the item's index.
type simulateFn struct {
	Job Job
	l   lazy
}

// ProcessElement simulates item.
func (fn *simulateFn) ProcessElement(ctx context.Context, item WorkItem, partials func(int, Partial), blocks func(int, Block)) error {
	res, err := fn.l.get(fn.Job)
	if err != nil {
		return err
	}
	c := item.Cell
	if c < 0 || c >= len(res.Cells) || item.FirstRun < 0 || item.EndRun > res.Runs || item.FirstRun >= item.EndRun {
		return fmt.Errorf("cascade: work item %+v outside the scenario's %d cells × %d runs", item, len(res.Cells), res.Runs)
	}
	metrics := len(res.Model.Metrics)
	n := item.EndRun - item.FirstRun
	parts := make([]Partial, metrics)
	fans := make([]*metric.Fan, metrics)
	for k := range parts {
		parts[k] = Partial{Cell: c, Metric: k, Runs: make([]int64, 0, n), Values: make([]float64, 0, n)}
		if fans[k], err = res.Cells[c].NewFan(); err != nil {
			return err
		}
	}
	block := Block{Cell: c, FirstRun: item.FirstRun, Seeds: make([]uint64, 0, n), Scalars: make([]float64, 0, n*metrics)}
	err = res.RunJobs(ctx, c*res.Runs+item.FirstRun, c*res.Runs+item.EndRun, fn.Job.Workers, func(o *engine.Outcome) error {
		block.Seeds = append(block.Seeds, o.Seed)
		block.Scalars = append(block.Scalars, o.Scalars...)
		for k, v := range o.Scalars {
			parts[k].Runs = append(parts[k].Runs, int64(o.Run))
			parts[k].Values = append(parts[k].Values, v)
		}
		for k, xs := range o.Series {
			block.Series = append(block.Series, xs...)
			if err := fans[k].Add(xs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fn.describe(res, item, err)
	}
	for k := range parts {
		if parts[k].Fan, err = fans[k].MarshalBinary(); err != nil {
			return err
		}
		partials(c*metrics+k, parts[k])
	}
	blocks(item.Index, block)
	return nil
}

// describe names the failed run: scenario, sweep point and its parameters,
// arm, run, its seed and the master seed, and the command that replays it.
func (fn *simulateFn) describe(res *experiment.Result, item WorkItem, err error) error {
	var re *engine.RunError
	if !errors.As(err, &re) || re.Cell < 0 || re.Cell >= len(res.Cells) {
		return fmt.Errorf("cascade: work item (cell %d, runs %d to %d): %w", item.Cell, item.FirstRun, item.EndRun-1, err)
	}
	cell := res.Cells[re.Cell]
	var b strings.Builder
	fmt.Fprintf(&b, "cascade: scenario %q (%s), cell %d", res.Model.Scenario(0).Name, fn.Job.Path, cell.Point)
	if len(cell.Params) > 0 {
		var ps []string
		for _, p := range cell.Params {
			ps = append(ps, p.Path+"="+p.Label)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(ps, ", "))
	}
	fmt.Fprintf(&b, ", arm %q, run %d, seed %d (master seed %d): %v", cell.Arm, re.Run, re.Seed, res.Seed, re.Err)
	replay := []string{"cascade", "trace", fn.Job.Path, "--cell", strconv.Itoa(cell.Point)}
	if cell.Arm != "" {
		replay = append(replay, "--arm", cell.Arm)
	}
	replay = append(replay, "--run", strconv.Itoa(re.Run))
	if fn.Job.SeedSet {
		replay = append(replay, "--seed", strconv.FormatUint(res.Seed, 10))
	}
	for _, o := range fn.Job.Overrides {
		replay = append(replay, "--set", o)
	}
	for k := range replay {
		replay[k] = quote(replay[k])
	}
	fmt.Fprintf(&b, "; replay this run alone with: %s", strings.Join(replay, " "))
	return &RunFailure{Msg: b.String(), Err: err}
}

// RunFailure is a run that failed inside a work item; Msg names it.
type RunFailure struct {
	Msg string
	Err error
}

func (e *RunFailure) Error() string { return e.Msg }

func (e *RunFailure) Unwrap() error { return e.Err }

// quote quotes s for a POSIX shell when it holds anything but letters,
// digits and -_./=:%,+@.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:%,+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tallyFn combines the partials of one (cell, arm, metric).
type tallyFn struct {
	Job Job
	l   lazy
}

// MergeAccumulators pools the runs of a and b and merges their fans; the
// fans' sketch counts do not depend on the order of merging.
func (fn *tallyFn) MergeAccumulators(a, b Partial) (Partial, error) {
	switch {
	case len(b.Fan) == 0:
		return a, nil
	case len(a.Fan) == 0:
		return b, nil
	case a.Cell != b.Cell || a.Metric != b.Metric:
		return Partial{}, fmt.Errorf("cascade: combining metric %d of cell %d with metric %d of cell %d", a.Metric, a.Cell, b.Metric, b.Cell)
	}
	var fa, fb metric.Fan
	if err := fa.UnmarshalBinary(a.Fan); err != nil {
		return Partial{}, err
	}
	if err := fb.UnmarshalBinary(b.Fan); err != nil {
		return Partial{}, err
	}
	if err := fa.Merge(&fb); err != nil {
		return Partial{}, err
	}
	fan, err := fa.MarshalBinary()
	if err != nil {
		return Partial{}, err
	}
	return Partial{Cell: a.Cell, Metric: a.Metric, Runs: append(a.Runs, b.Runs...), Values: append(a.Values, b.Values...), Fan: fan}, nil
}

// ExtractOutput adds the runs to the metric's Summary and worst runs in
// run order, after checking that every run of the cell is there once.
func (fn *tallyFn) ExtractOutput(a Partial) (Aggregate, error) {
	res, err := fn.l.get(fn.Job)
	if err != nil {
		return Aggregate{}, err
	}
	if a.Cell < 0 || a.Cell >= len(res.Cells) || a.Metric < 0 || a.Metric >= len(res.Model.Metrics) || len(a.Runs) != len(a.Values) {
		return Aggregate{}, fmt.Errorf("cascade: partial of metric %d of cell %d does not fit the scenario", a.Metric, a.Cell)
	}
	order := make([]int, len(a.Runs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return int(a.Runs[i] - a.Runs[j]) })
	t := res.NewTally(a.Cell, a.Metric)
	for want, i := range order {
		if a.Runs[i] != int64(want) {
			return Aggregate{}, fmt.Errorf("cascade: metric %s of cell %d: run %d where run %d was expected (a run missing or given twice)",
				res.Model.Metrics[a.Metric].FullName, a.Cell, a.Runs[i], want)
		}
		if err := t.Add(want, a.Values[i]); err != nil {
			return Aggregate{}, err
		}
	}
	if len(order) != res.Runs {
		return Aggregate{}, fmt.Errorf("cascade: metric %s of cell %d has %d of %d runs", res.Model.Metrics[a.Metric].FullName, a.Cell, len(order), res.Runs)
	}
	sum, err := t.Summary.MarshalBinary()
	if err != nil {
		return Aggregate{}, err
	}
	out := Aggregate{Cell: a.Cell, Metric: a.Metric, Summary: sum, Fan: a.Fan}
	for _, w := range t.Worst {
		out.WorstRuns = append(out.WorstRuns, int64(w.Run))
		out.WorstValues = append(out.WorstValues, float64(w.Value))
	}
	return out, nil
}

// writeFn writes the results directory from every row block and aggregate;
// its main input is a single impulse.
type writeFn struct {
	Job             Job
	Items           int // work items, whose blocks are keyed 0 to Items−1
	Out             string
	Started         int64 // Unix nanoseconds at launch
	Version, Commit string
}

// ProcessElement writes the directory and emits its path.
func (fn *writeFn) ProcessElement(ctx context.Context, _ []byte, aggregates func(*Aggregate) bool, blocks func(int) func(*Block) bool, emit func(string)) error {
	res, err := fn.Job.load()
	if err != nil {
		return err
	}
	res.Out = fn.Out
	res.Started = time.Unix(0, fn.Started)
	a, err := res.Assemble(true)
	if err != nil {
		return err
	}
	defer a.Abort()
	var agg Aggregate
	for aggregates(&agg) {
		var t *experiment.Tally
		if agg.Cell >= 0 && agg.Cell < len(res.Cells) && agg.Metric >= 0 && agg.Metric < len(res.Model.Metrics) {
			t = res.NewTally(agg.Cell, agg.Metric)
		} else {
			return fmt.Errorf("cascade: aggregate of metric %d of cell %d does not fit the scenario", agg.Metric, agg.Cell)
		}
		if err := t.Summary.UnmarshalBinary(agg.Summary); err != nil {
			return err
		}
		cell := res.Cells[agg.Cell]
		for i, run := range agg.WorstRuns {
			t.Worst = append(t.Worst, experiment.RunRef{Cell: cell.Point, Arm: cell.Arm, Run: int(run), Value: metric.Float(agg.WorstValues[i])})
		}
		fan := new(metric.Fan)
		if err := fan.UnmarshalBinary(agg.Fan); err != nil {
			return err
		}
		if err := a.SetMetric(agg.Cell, agg.Metric, t, fan); err != nil {
			return err
		}
		agg = Aggregate{}
	}
	// Items are in job order, so their blocks are the rows in order.
	metrics := len(res.Model.Metrics)
	for i := range fn.Items {
		if err := ctx.Err(); err != nil {
			return err
		}
		var b, extra Block
		next := blocks(i)
		if !next(&b) {
			return fmt.Errorf("cascade: work item %d produced no rows", i)
		}
		if next(&extra) {
			return fmt.Errorf("cascade: work item %d produced rows twice", i)
		}
		if b.Cell < 0 || b.Cell >= len(res.Cells) {
			return fmt.Errorf("cascade: row block of work item %d is of cell %d, outside the scenario", i, b.Cell)
		}
		samples := len(res.Cells[b.Cell].Times)
		if len(b.Scalars) != len(b.Seeds)*metrics || len(b.Series) != len(b.Seeds)*metrics*samples {
			return fmt.Errorf("cascade: row block of cell %d from run %d has the wrong shape", b.Cell, b.FirstRun)
		}
		series := make([][]float64, metrics)
		for i, seed := range b.Seeds {
			for k := range series {
				at := (i*metrics + k) * samples
				series[k] = b.Series[at : at+samples]
			}
			if err := a.WriteRun(b.Cell, b.FirstRun+i, seed, b.Scalars[i*metrics:(i+1)*metrics], series); err != nil {
				return err
			}
		}
	}
	if err := a.Finish(fn.Version, fn.Commit, nil); err != nil {
		return err
	}
	emit(fn.Out)
	return nil
}
