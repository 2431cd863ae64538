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
	// Progress, if set, is called from one goroutine after each run with
	// the runs done and the total.
	Progress func(done, total int)
	// Version and Commit identify the build in the manifest.
	Version, Commit string
	// Extra files to add to the results directory, by name, produced from
	// the finished Result before it is renamed into place (reports).
	Extra func(*Result) (map[string][]byte, error)
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
	// Times are the sample times of the fans, in seconds.
	Times []float64
}

// TimestepsPerSecond is simulated steps over all runs per wall-clock second.
func (r *Result) TimestepsPerSecond() float64 { return float64(r.Timesteps) / r.Elapsed.Seconds() }

// Run executes the scenario file f.
func Run(ctx context.Context, f *scenario.File, opt Options) (*Result, error) {
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
		res.Seed = *opt.Seed
	}
	if res.Workers <= 0 {
		res.Workers = runtime.GOMAXPROCS(0)
	}
	// Summaries answer quantiles exactly while they hold every run; the
	// cap keeps all of them together within exactValues observations.
	exactCap := min(metric.DefaultExactCap, exactValues/max(1, len(f.Cells)*len(model.Metrics)))
	for c := range f.Cells {
		cell := Cell{Point: f.Cells[c].Point, Arm: f.Cells[c].Arm, Params: f.Cells[c].Params, Times: model.SampleTimes(c)}
		for range model.Metrics {
			cell.Summaries = append(cell.Summaries, metric.NewSummaryCap(exactCap))
			fan, err := metric.NewFan(len(cell.Times))
			if err != nil {
				return nil, err
			}
			cell.Fans = append(cell.Fans, fan)
		}
		res.Cells = append(res.Cells, cell)
	}

	var w *results.Writer
	if opt.Out != "" {
		w, err = results.Create(opt.Out, layout(model, f), results.Options{Overwrite: opt.Overwrite})
		if err != nil {
			return nil, err
		}
		defer w.Abort()
	}
	total := res.Runs * len(res.Cells)
	done := 0
	// Fans keep sketch counts only, which do not depend on the order of
	// runs: each worker fills its own and they are merged at the end.
	workerFans := make([][][]*metric.Fan, res.Workers)
	for w := range workerFans {
		for c := range res.Cells {
			var fans []*metric.Fan
			for range model.Metrics {
				fan, err := metric.NewFan(len(res.Cells[c].Times))
				if err != nil {
					return nil, err
				}
				fans = append(fans, fan)
			}
			workerFans[w] = append(workerFans[w], fans)
		}
	}
	peek := func(worker int, o *engine.Outcome) error {
		for k, fan := range workerFans[worker][o.Cell] {
			if err := fan.Add(o.Series[k]); err != nil {
				return err
			}
		}
		return nil
	}
	res.Started = time.Now()
	err = engine.Run(ctx, model, engine.Config{Runs: res.Runs, Seed: res.Seed, Workers: res.Workers, Peek: peek}, func(o *engine.Outcome) error {
		cell := &res.Cells[o.Cell]
		for k, v := range o.Scalars {
			cell.Summaries[k].Add(v)
		}
		res.Timesteps += int64(model.Steps(o.Cell))
		if w != nil {
			params := make([]float64, len(cell.Params))
			for k, p := range cell.Params {
				params[k] = p.Value
			}
			if err := w.WriteRun(results.Run{Cell: cell.Point, Arm: cell.Arm, Run: o.Run, Seed: o.Seed, Params: params,
				Scalars: o.Scalars, Times: cell.Times, Series: o.Series}); err != nil {
				return err
			}
		}
		done++
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
		return nil
	})
	res.Elapsed = time.Since(res.Started)
	if err != nil {
		return nil, err
	}
	for _, fans := range workerFans {
		for c := range res.Cells {
			for k, fan := range fans[c] {
				if err := res.Cells[c].Fans[k].Merge(fan); err != nil {
					return nil, err
				}
			}
		}
	}
	if w == nil {
		return res, nil
	}
	summary, err := json.MarshalIndent(res.Report(), "", "  ")
	if err != nil {
		return nil, err
	}
	if err := w.WriteFile("summary.json", summary); err != nil {
		return nil, err
	}
	fans, err := json.Marshal(res.FanReport())
	if err != nil {
		return nil, err
	}
	if err := w.WriteFile("fans.json", fans); err != nil {
		return nil, err
	}
	if len(model.Scenario(0).Regions) > 0 {
		var maps strings.Builder
		if err := res.RegionMaps(&maps); err != nil {
			return nil, err
		}
		if err := w.WriteFile("regions.md", []byte(maps.String())); err != nil {
			return nil, err
		}
	}
	if opt.Extra != nil {
		extra, err := opt.Extra(res)
		if err != nil {
			return nil, err
		}
		for name, data := range extra {
			if err := w.WriteFile(name, data); err != nil {
				return nil, err
			}
		}
	}
	if err := w.Finish(manifest(res, opt)); err != nil {
		return nil, err
	}
	return res, nil
}

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

func manifest(r *Result, opt Options) results.Manifest {
	m := results.Manifest{
		ScenarioName:        r.Model.Scenario(0).Name,
		ScenarioFile:        r.File.Path,
		ScenarioSHA256:      r.File.Hash,
		Seed:                r.Seed,
		Runs:                r.Runs,
		Workers:             r.Workers,
		CommonRandomNumbers: r.File.CRN,
		CascadeVersion:      opt.Version,
		GitCommit:           opt.Commit,
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
			})
		}
		out = append(out, cr)
	}
	return out
}

// FanQuantiles are the quantiles fans.json gives at each sample time.
var FanQuantiles = []float64{0.05, 0.25, 0.5, 0.75, 0.95}

// FanReport is fans.json: for every cell and metric, quantiles across runs
// at each sample time, for fan charts.
type FanReport struct {
	Quantiles []float64       `json:"quantiles"`
	Cells     []FanCellReport `json:"cells"`
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
		fc := FanCellReport{Cell: cell.Point, Arm: cell.Arm, Times: cell.Times, Metrics: map[string][][]metric.Float{}}
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
	return fmt.Sprintf("%d cell(s) × %d runs × %d steps in %.2fs: %.3g timesteps/s on %d workers",
		len(r.Cells), r.Runs, r.Model.Steps(0), r.Elapsed.Seconds(), r.TimestepsPerSecond(), r.Workers)
}
