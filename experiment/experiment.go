// Package experiment runs a scenario file end to end: it compiles the
// scenario, runs every path of every sweep cell on the engine, aggregates
// each metric across runs in bounded memory, and writes the results
// directory. It is what `cascade run` and `cascade bench` call.
package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/world"
)

// exactValues bounds the observations all summaries of a run keep for exact
// quantiles: 8 bytes each, 128 MiB in all.
const exactValues = 16 << 20

// Options configure a run. Zero values take the scenario's settings.
type Options struct {
	// Runs per sweep cell; 0 takes the scenario's runs (or its default).
	Runs int
	// Seed overrides the scenario's seed when non-nil.
	Seed *uint64
	// Workers is the number of goroutines; 0 uses every core. Results do
	// not depend on it.
	Workers int
	// Out is the results directory to write; "" writes none.
	Out       string
	Overwrite bool
	// Notice, if set, is told how the results writer cleaned up after
	// earlier writers to Out that died (see results.Recover).
	Notice func(string)
	// Progress, if set, is called from one goroutine after each run with
	// the runs done and the total.
	Progress func(done, total int)
	// Version and Commit identify the build in the manifest.
	Version, Commit string
	// Extra files to add to the results directory, by name, produced from
	// the finished Result before it is renamed into place (reports).
	Extra func(*Result) (map[string][]byte, error)
	// Shards > 0 runs only shard Shard (0 ≤ Shard < Shards) of the work,
	// a contiguous slice of the (cell, arm, run) jobs (engine.Shard), and
	// writes a partial results directory for Merge: its runs and series,
	// the scenario and a manifest, no summaries.
	Shard, Shards int
}

// Result is an experiment's aggregate outcome.
type Result struct {
	File  *scenario.File
	Model *world.Model
	Cells []Cell
	Runs  int
	Seed  uint64
	// Workers is the number of goroutines used.
	Workers   int
	Started   time.Time
	Elapsed   time.Duration
	Timesteps int64
	// Out is the results directory written, if any.
	Out string
	// SeedSet reports that the seed was given on the command line rather
	// than taken from the scenario (replay commands repeat it).
	SeedSet bool
	// Shard and Shards are those of Options; From and To the jobs run.
	Shard, Shards, From, To int
	// fanSeries: the runs' series hold only the fans' samples (no
	// results directory is written).
	fanSeries bool
}

// Cell is the aggregate of one arm at one sweep point.
type Cell struct {
	// Point is the sweep-grid point and Arm the compare arm ("" if none).
	Point  int
	Arm    string
	Params []scenario.Param
	// Summaries and Fans are indexed like Model.Metrics.
	Summaries []*metric.Summary
	Fans      []*metric.Fan
	// Times are the sample times of the runs' series, in seconds.
	Times []float64
	// FanTimes are the sample times of the fans, in seconds: at most
	// FanPoints of Times, evenly strided, the first and the last always
	// among them (see metric.FanPoints), so that their memory does not grow
	// with the horizon. FanIndex are their indices in Times.
	FanTimes []float64
	FanIndex []int
	// FanCoarse is whether the fans are coarse (metric.NewCoarseFanOf):
	// quantiles within metric.CoarseAccuracy (2%) rather than
	// metric.RelativeAccuracy (0.5%); see fanCoarse.
	FanCoarse bool
	// Worst are, per metric, the worst runs (see WorstRuns), worst first.
	Worst [][]RunRef
}

// TimestepsPerSecond is simulated steps over all runs per wall-clock second.
func (r *Result) TimestepsPerSecond() float64 { return float64(r.Timesteps) / r.Elapsed.Seconds() }

// Run executes the scenario file f.
func Run(ctx context.Context, f *scenario.File, opt Options) (*Result, error) {
	// The result's fans are the workers' (see mergeFans).
	res, err := newResultOf(f, opt, false)
	if err != nil {
		return nil, err
	}
	model := res.Model
	if err := model.CheckFans(); err != nil {
		return nil, err
	}
	total := res.Runs * len(res.Cells)
	res.From, res.To = 0, total
	if opt.Shards > 0 {
		if opt.Shard < 0 || opt.Shard >= opt.Shards {
			return nil, fmt.Errorf("shard %d/%d: want 0 ≤ i < N", opt.Shard, opt.Shards)
		}
		res.Shard, res.Shards = opt.Shard, opt.Shards
		res.From, res.To = engine.Shard(total, opt.Shard, opt.Shards)
	}
	if opt.Out == "" {
		// No runs are written: the runs record only the fans' samples.
		res.fanSeries = true
		for c := range res.Cells {
			if err := model.RecordOnly(c, res.Cells[c].FanIndex); err != nil {
				return nil, err
			}
		}
	}
	var w *results.Writer
	if opt.Out != "" {
		w, err = results.Create(opt.Out, layout(model, f), results.Options{Overwrite: opt.Overwrite, Notice: opt.Notice})
		if err != nil {
			return nil, err
		}
		defer w.Abort()
	}
	done := 0
	// Fans keep sketch counts only, which do not depend on the order of
	// runs: each worker fills fans of its own for the cells it runs, made
	// at its first run of a cell. When the last run of a cell reaches
	// consume, every run of that cell has been peeked (a worker peeks a run
	// before handing it over), so no worker touches the cell's fans again:
	// they are merged into the result's and dropped. A worker therefore
	// holds the fans of the cells it is running only, whatever the sweep.
	workerFans := make([][][]*metric.Fan, res.Workers) // [worker][cell][metric]
	for w := range workerFans {
		workerFans[w] = make([][]*metric.Fan, len(res.Cells))
	}
	// A worker runs about its share of a cell's runs: its fans hold them
	// back in one batch of that size (metric.Fan.Expect).
	share := (res.Runs + res.Workers - 1) / res.Workers
	peek := func(worker int, o *engine.Outcome) error {
		fans := workerFans[worker][o.Cell]
		if fans == nil {
			fans = make([]*metric.Fan, len(model.Metrics))
			for k := range fans {
				fan, err := res.newFan(o.Cell)
				if err != nil {
					return err
				}
				fan.Expect(share)
				fans[k] = fan
			}
			workerFans[worker][o.Cell] = fans
		}
		for k, fan := range fans {
			if err := fan.Add(o.Series[k]); err != nil {
				return err
			}
		}
		return nil
	}
	res.Started = time.Now()
	cfg := engine.Config{Runs: res.Runs, Seed: res.Seed, Workers: res.Workers, Peek: peek, From: res.From, To: res.To}
	consume := func(o *engine.Outcome) error {
		if err := res.add(w, o.Cell, o.Run, o.Seed, o.Scalars, o.Series); err != nil {
			return err
		}
		if job := o.Cell*res.Runs + o.Run + 1; job%res.Runs == 0 || job == res.To {
			if err := res.mergeFans(workerFans, o.Cell); err != nil {
				return err
			}
		}
		done++
		if opt.Progress != nil {
			opt.Progress(done, res.To-res.From)
		}
		return nil
	}
	// An empty shard (more shards than jobs) runs nothing; engine.Config
	// reads To = 0 as "to the end".
	if res.From < res.To {
		err = engine.Run(ctx, model, cfg, consume)
	}
	res.Elapsed = time.Since(res.Started)
	if err != nil {
		// An engine.RunError, which cascade run turns into a message
		// with the command that replays the run.
		return nil, err
	}
	// Cells no run of which was in the slice run have empty fans.
	for c := range res.Cells {
		for k, fan := range res.Cells[c].Fans {
			if fan == nil {
				if res.Cells[c].Fans[k], err = res.newFan(c); err != nil {
					return nil, err
				}
			}
		}
	}
	if w == nil {
		return res, nil
	}
	m := manifest(res, opt.Version, opt.Commit)
	if res.Shards > 0 {
		m.Shard = &results.ShardInfo{Index: res.Shard, Count: res.Shards, From: res.From, To: res.To, Jobs: total}
	}
	if err := res.finish(w, m, opt.Extra); err != nil {
		return nil, err
	}
	return res, nil
}

// newResult compiles f and prepares the empty aggregates of every cell.
func newResult(f *scenario.File, opt Options) (*Result, error) { return newResultOf(f, opt, true) }

// newResultOf is newResult whose cells' fans are nil unless fans is true,
// for a caller that fills them.
func newResultOf(f *scenario.File, opt Options, fans bool) (*Result, error) {
	if err := world.CheckFanBudget(f); err != nil {
		return nil, err
	}
	model, err := world.Compile(f)
	if err != nil {
		return nil, err
	}
	if err := model.CheckFans(); err != nil {
		return nil, err
	}
	sc := model.Scenario(0)
	res := &Result{File: f, Model: model, Runs: sc.RunCount(), Seed: sc.Seed, Workers: opt.Workers, Out: opt.Out}
	if opt.Runs > 0 {
		res.Runs = opt.Runs
	}
	if opt.Seed != nil {
		res.Seed, res.SeedSet = *opt.Seed, true
	}
	if res.Workers <= 0 {
		res.Workers = runtime.GOMAXPROCS(0)
	}
	// Summaries answer quantiles exactly while they hold every run; the
	// cap keeps all of them together within exactValues observations.
	exactCap := exactCapOf(len(f.Cells), len(model.Metrics))
	points := fanPointsPer(len(f.Cells), len(model.Metrics))
	coarse := fanCoarse(len(f.Cells), len(model.Metrics))
	for c := range f.Cells {
		cell := Cell{Point: f.Cells[c].Point, Arm: f.Cells[c].Arm, Params: f.Cells[c].Params, Times: model.SampleTimes(c),
			Worst: make([][]RunRef, len(model.Metrics))}
		cell.FanIndex = metric.FanPoints(len(cell.Times), points)
		cell.FanCoarse = coarse
		for _, i := range cell.FanIndex {
			cell.FanTimes = append(cell.FanTimes, cell.Times[i])
		}
		for range model.Metrics {
			cell.Summaries = append(cell.Summaries, metric.NewSummaryCap(exactCap))
			var fan *metric.Fan
			if fans {
				if fan, err = newFanOf(len(cell.Times), cell.FanIndex, coarse); err != nil {
					return nil, err
				}
			}
			cell.Fans = append(cell.Fans, fan)
		}
		res.Cells = append(res.Cells, cell)
	}
	return res, nil
}

// newFan returns an empty fan for cell c: of the fan's samples of whole
// series, or of series that hold only them (fanSeries).
func (res *Result) newFan(c int) (*metric.Fan, error) {
	cell := &res.Cells[c]
	if res.fanSeries {
		if cell.FanCoarse {
			return metric.NewCoarseFan(len(cell.FanIndex))
		}
		return metric.NewFan(len(cell.FanIndex))
	}
	return cell.NewFan()
}

// NewFan returns an empty fan of the cell's series: of its FanIndex samples,
// coarse when FanCoarse.
func (c *Cell) NewFan() (*metric.Fan, error) {
	return newFanOf(len(c.Times), c.FanIndex, c.FanCoarse)
}

// newFanOf returns an empty fan of the samples keep of series of n values,
// coarse or not.
func newFanOf(n int, keep []int, coarse bool) (*metric.Fan, error) {
	if coarse {
		return metric.NewCoarseFanOf(n, keep)
	}
	return metric.NewFanOf(n, keep)
}

// mergeFans merges the workers' fans of cell c into the result's and drops
// them. Run leaves the result's fans nil: the first worker's fans become
// the result's, and the others' are absorbed into them (metric.Fan.Absorb).
// The fans all have the same points (res.newFan), and sketch counts add
// exactly, so the result does not depend on which worker ran which run;
// no fan is made only to receive a worker's, nor any sketch copied.
func (res *Result) mergeFans(workerFans [][][]*metric.Fan, c int) error {
	for w := range workerFans {
		for k, fan := range workerFans[w][c] {
			if res.Cells[c].Fans[k] == nil {
				res.Cells[c].Fans[k] = fan
				continue
			}
			if err := res.Cells[c].Fans[k].Absorb(fan); err != nil {
				return err
			}
		}
		workerFans[w][c] = nil
	}
	return nil
}

// add aggregates one run of engine cell c, in (cell, run) order, and
// writes it to w when w is not nil.
func (res *Result) add(w *results.Writer, c, run int, seed uint64, scalars []float64, series [][]float64) error {
	cell := &res.Cells[c]
	for k, v := range scalars {
		cell.Summaries[k].Add(v)
		cell.Worst[k] = worse(cell.Worst[k], RunRef{Cell: cell.Point, Arm: cell.Arm, Run: run, Value: metric.Float(v)}, res.Model.Metrics[k].Worse)
	}
	res.Timesteps += int64(res.Model.Steps(c))
	if w == nil {
		return nil
	}
	params := make([]float64, len(cell.Params))
	for k, p := range cell.Params {
		params[k] = p.Value
	}
	return w.WriteRun(results.Run{Cell: cell.Point, Arm: cell.Arm, Run: run, Seed: seed, Params: params,
		Scalars: scalars, Times: cell.Times, Series: series})
}

// finish writes the summaries (unless the result is one shard's), the
// scenario and the manifest, and renames the directory into place.
func (res *Result) finish(w *results.Writer, m results.Manifest, extra func(*Result) (map[string][]byte, error)) error {
	if err := w.WriteFile(ScenarioCopy, res.File.Source); err != nil {
		return err
	}
	m.ScenarioCopy = ScenarioCopy
	if res.Shards > 0 {
		return w.Finish(m)
	}
	summary, err := json.MarshalIndent(res.Report(), "", "  ")
	if err != nil {
		return err
	}
	if err := w.WriteFile("summary.json", summary); err != nil {
		return err
	}
	fans, err := json.Marshal(res.FanReport())
	if err != nil {
		return err
	}
	if err := w.WriteFile("fans.json", fans); err != nil {
		return err
	}
	if len(res.Model.Scenario(0).Regions) > 0 {
		var maps strings.Builder
		if err := res.RegionMaps(&maps); err != nil {
			return err
		}
		if err := w.WriteFile("regions.md", []byte(maps.String())); err != nil {
			return err
		}
	}
	if extra != nil {
		files, err := extra(res)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(files))
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if err := w.WriteFile(name, files[name]); err != nil {
				return err
			}
		}
	}
	return w.Finish(m)
}

// ScenarioCopy is the name of the copy of the scenario file, as read before
// --set overrides, in a results directory.
const ScenarioCopy = "scenario.yaml"

func layout(m *world.Model, f *scenario.File) results.Layout {
	var l results.Layout
	for _, d := range m.Metrics {
		col := results.Column{Name: d.FullName, Unit: d.Unit, Description: d.Doc}
		l.Scalars = append(l.Scalars, col)
		l.Series = append(l.Series, col)
	}
	for _, p := range f.Cells[0].Params {
		l.Params = append(l.Params, p.Path)
		l.ParamUnits = append(l.ParamUnits, p.Unit)
	}
	return l
}

func manifest(r *Result, version, commit string) results.Manifest {
	m := results.Manifest{
		ScenarioName:        r.Model.Scenario(0).Name,
		ScenarioDescription: r.Model.Scenario(0).Description,
		ScenarioFile:        r.File.Path,
		ScenarioSHA256:      r.File.Hash,
		Seed:                r.Seed,
		Runs:                r.Runs,
		Workers:             r.Workers,
		CommonRandomNumbers: r.File.CRN,
		CascadeVersion:      version,
		GitCommit:           commit,
		Started:             r.Started.UTC(),
		Finished:            r.Started.Add(r.Elapsed).UTC(),
		WallSeconds:         r.Elapsed.Seconds(),
		Timesteps:           r.Timesteps,
		StepsPerRun:         int64(r.Model.Steps(0)),
		StepSeconds:         r.Model.Scenario(0).Step.Seconds(),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		m.GoVersion = bi.GoVersion
	}
	for _, o := range r.File.Overrides {
		m.Overrides = append(m.Overrides, o.String())
	}
	return m
}

// MetricReport is one metric's aggregate in one cell.
type MetricReport struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Doc  string `json:"doc"`
	// Threshold is the loss threshold the scenario gives, if any.
	Threshold *float64 `json:"threshold,omitempty"`
	metric.SummaryReport
	// WorstRuns are the runs with the worst values, worst first, to replay
	// with cascade trace.
	WorstRuns []RunRef `json:"worst_runs"`
}

// CellReport is the aggregate of one arm at one sweep point, as written to
// summary.json.
type CellReport struct {
	Cell    int            `json:"cell"`
	Arm     string         `json:"arm,omitempty"`
	Params  map[string]any `json:"params,omitempty"`
	Metrics []MetricReport `json:"metrics"`
}

// Report returns the per-cell, per-metric summaries written to summary.json.
func (r *Result) Report() []CellReport {
	var out []CellReport
	for _, cell := range r.Cells {
		cr := CellReport{Cell: cell.Point, Arm: cell.Arm}
		if len(cell.Params) > 0 {
			cr.Params = map[string]any{}
			for _, p := range cell.Params {
				cr.Params[p.Path] = p.Label
			}
		}
		for k, d := range r.Model.Metrics {
			cr.Metrics = append(cr.Metrics, MetricReport{
				Name: d.FullName, Unit: d.Unit, Doc: d.Doc, Threshold: d.Threshold,
				SummaryReport: cell.Summaries[k].Report(nil, nil, d.Worse),
				WorstRuns:     append([]RunRef{}, cell.Worst[k]...),
			})
		}
		out = append(out, cr)
	}
	return out
}

// FanQuantiles are the quantiles fans.json gives at each sample time.
var FanQuantiles = []float64{0.05, 0.25, 0.5, 0.75, 0.95}

// FanPoints is the most sample times a fan keeps (metric.MaxFanPoints).
const FanPoints = metric.MaxFanPoints

// fanBudget is the sample points of all fans of a file together beyond
// which each fan keeps fewer than FanPoints: a sketch each, on every worker.
const fanBudget = 1 << 16

// minFanPoints is the fewest sample times a fan keeps: what a report draws
// per series when it shows many cells at once.
const minFanPoints = 25

// fanPointsPer returns the sample times each fan keeps in a file of the
// given cells and metrics: FanPoints, fewer for a large sweep so that all
// fans together stay near fanBudget points, never fewer than minFanPoints.
func fanPointsPer(cells, metrics int) int {
	return max(minFanPoints, min(FanPoints, fanBudget/max(1, cells*metrics)))
}

// fanCoarse reports whether the fans of a file of the given cells and
// metrics are coarse, their quantiles within metric.CoarseAccuracy (2%)
// rather than metric.RelativeAccuracy (0.5%): exactly when the points
// budget binds (fanPointsPer keeps fewer than FanPoints), so that a large
// sweep's fans, some thousands of sketches of up to min(runs, 4,096) bins
// each, occupy about 30% as many bins. It depends on the scenario
// only, so results do not depend on the worker count or the runs; a file
// whose fans keep FanPoints times keeps 0.5% fans. The summaries of final
// values keep their accuracy either way.
func fanCoarse(cells, metrics int) bool {
	return fanPointsPer(cells, metrics) < FanPoints
}

// FanReport is fans.json: for every cell and metric, quantiles across runs
// at each sample time, for fan charts.
type FanReport struct {
	Quantiles []float64 `json:"quantiles"`
	// RelativeAccuracy is the fans' relative accuracy where it is coarser
	// than metric.RelativeAccuracy (0.5%), which holds where it is omitted:
	// every quantile is within this fraction of the sample order statistic
	// it stands for (see fanCoarse).
	RelativeAccuracy float64         `json:"relative_accuracy,omitempty"`
	Cells            []FanCellReport `json:"cells"`
}

// FanCellReport is one cell of fans.json. Metrics[name][q][k] is quantile
// Quantiles[q] of the metric at Times[k] (seconds).
type FanCellReport struct {
	Cell    int                         `json:"cell"`
	Arm     string                      `json:"arm,omitempty"`
	Times   []float64                   `json:"times"`
	Metrics map[string][][]metric.Float `json:"metrics"`
}

// FanReport returns the fan-chart quantiles written to fans.json.
func (r *Result) FanReport() FanReport {
	out := FanReport{Quantiles: FanQuantiles}
	for _, cell := range r.Cells {
		if cell.FanCoarse {
			out.RelativeAccuracy = metric.CoarseAccuracy
		}
		fc := FanCellReport{Cell: cell.Point, Arm: cell.Arm, Times: cell.FanTimes, Metrics: map[string][][]metric.Float{}}
		for k, d := range r.Model.Metrics {
			perPoint := cell.Fans[k].Quantiles(FanQuantiles) // [point][q]
			byQ := make([][]metric.Float, len(FanQuantiles))
			for q := range byQ {
				byQ[q] = make([]metric.Float, len(perPoint))
				for p := range perPoint {
					byQ[q][p] = metric.Float(perPoint[p][q])
				}
			}
			fc.Metrics[d.FullName] = byQ
		}
		out.Cells = append(out.Cells, fc)
	}
	return out
}

// Describe is a one-line account of the run for logs.
func (r *Result) Describe() string {
	cells := "1 cell"
	if n := len(r.Cells); n != 1 {
		cells = fmt.Sprintf("%d cells", n)
	}
	return fmt.Sprintf("%s × %d runs × %d steps in %.2fs: %.3g timesteps/s on %d workers",
		cells, r.Runs, r.Model.Steps(0), r.Elapsed.Seconds(), r.TimestepsPerSecond(), r.Workers)
}
