package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/cascade-risk/cascade/design"
	"github.com/cascade-risk/cascade/discovery"
	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/sensitivity"
	"github.com/cascade-risk/cascade/world"
)

// DiscoverResult is the outcome of a scenario's discover block: every
// evaluated point, the sensitivity analyses, the boxes where the safe
// region fails, the boundary search and the worst runs.
type DiscoverResult struct {
	File     *scenario.File
	Discover *scenario.Discover
	Space    design.Space
	// Metrics are the scenario's recorded metrics.
	Metrics []world.Metric
	Arms    []string
	// Seed is the scenario seed runs used; DesignSeed the design's.
	Seed, DesignSeed uint64
	// RunsPerPoint is the runs of each design point (boundary points vary).
	RunsPerPoint int
	Points       []PointResult
	Sobol        []SobolReport
	Morris       []MorrisReport
	Boxes        []BoxReport
	Boundary     *BoundaryResult
	// Counterexamples are the worst failing runs, worst first.
	Counterexamples []Counterexample
	// Simulations counts every run simulated.
	Simulations int
	Workers     int
	Started     time.Time
	Elapsed     time.Duration
	Out         string
}

// PointResult is one arm at one evaluated point.
type PointResult struct {
	Point int    `json:"point"`
	Arm   string `json:"arm,omitempty"`
	// Values are the parameters in their written units, Labels as written.
	Values []float64 `json:"values"`
	Labels []string  `json:"labels"`
	Runs   int       `json:"runs"`
	// Stats holds, per metric, the discover statistic across runs.
	Stats []float64 `json:"stats"`
	// Fails counts runs failing the safe region; Safe says whether the
	// region holds on the point's statistics (as region maps decide).
	Fails int  `json:"fails"`
	Safe  bool `json:"safe"`
}

// SobolReport is a Sobol analysis of one metric for one arm.
type SobolReport struct {
	Arm    string                   `json:"arm,omitempty"`
	Metric string                   `json:"metric"`
	Result *sensitivity.SobolResult `json:"result,omitempty"`
	Error  string                   `json:"error,omitempty"`
}

// MorrisReport is a Morris analysis of one metric for one arm.
type MorrisReport struct {
	Arm    string                    `json:"arm,omitempty"`
	Metric string                    `json:"metric"`
	Result *sensitivity.MorrisResult `json:"result,omitempty"`
	Error  string                    `json:"error,omitempty"`
}

// BoxReport is a box found by PRIM or CART: of where the safe region
// fails (Fails) or of where it holds. Coverage and density are those of
// that outcome.
type BoxReport struct {
	Arm    string `json:"arm,omitempty"`
	Method string `json:"method"`
	Fails  bool   `json:"fails"`
	// Describe is the box as parameter ranges.
	Describe string        `json:"box"`
	Box      discovery.Box `json:"-"`
	// Ranges are the box's bounds on the parameters it restricts.
	Ranges []BoxRange      `json:"ranges"`
	Stats  discovery.Stats `json:"stats"`
}

// BoxRange is a box's bound on one parameter, in its written unit; a nil
// end is unbounded.
type BoxRange struct {
	Parameter string   `json:"parameter"`
	Lo        *float64 `json:"from,omitempty"`
	Hi        *float64 `json:"to,omitempty"`
}

func boxReport(arm, method string, b discovery.Box, names []string, format func(int, float64) string) BoxReport {
	rep := BoxReport{Arm: arm, Method: method, Describe: b.Describe(names, format), Box: b, Stats: b.Stats, Ranges: []BoxRange{}}
	for _, j := range b.Restricted() {
		br := BoxRange{Parameter: names[j]}
		if lo := b.Lo[j]; !math.IsInf(lo, -1) {
			br.Lo = &lo
		}
		if hi := b.Hi[j]; !math.IsInf(hi, 1) {
			br.Hi = &hi
		}
		rep.Ranges = append(rep.Ranges, br)
	}
	return rep
}

// Counterexample is one failing run, identified so that it can be replayed.
type Counterexample struct {
	Point int    `json:"point"`
	Arm   string `json:"arm,omitempty"`
	Run   int    `json:"run"`
	Seed  uint64 `json:"seed,string"`
	// Labels are the point's parameter values as written.
	Labels []string `json:"labels"`
	// Condition is the safe region's condition the run broke, Value the
	// metric's value in the run and Excess how far past the threshold.
	Condition string  `json:"condition"`
	Value     float64 `json:"value"`
	Excess    float64 `json:"excess"`
}

// maxCounterexamples is how many of the worst runs are kept.
const maxCounterexamples = 10

// evaluator runs batches of points and accumulates everything the
// analyses need.
type evaluator struct {
	f        *scenario.File
	d        *scenario.Discover
	space    design.Space
	opt      Options
	seed     uint64
	metrics  []world.Metric
	index    map[string]int
	safe     scenario.Region
	stat     float64 // quantile level; 0 for the mean
	w        *results.Writer
	res      *DiscoverResult
	done     int
	total    int
	timeStep int64
}

// evalBatch runs runs runs (from run firstRun) at each point, numbered ids,
// and returns per-cell summaries (cell = k·arms + arm) and failure counts.
func (e *evaluator) evalBatch(ctx context.Context, pts []scenario.DiscoverPoint, ids []int, firstRun, runs int) ([][]*metric.Summary, []int, *scenario.File, error) {
	g, err := e.f.WithPoints(pts, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	model, err := world.Compile(g)
	if err != nil {
		return nil, nil, nil, err
	}
	if e.metrics == nil {
		e.metrics = model.Metrics
		e.index = map[string]int{}
		for k, m := range model.Metrics {
			e.index[m.FullName] = k
		}
		if e.opt.Out != "" {
			l := results.Layout{}
			for _, m := range model.Metrics {
				l.Scalars = append(l.Scalars, results.Column{Name: m.FullName, Unit: m.Unit, Description: m.Doc})
			}
			l.Params = e.space.Names()
			e.w, err = results.Create(e.opt.Out, l, results.Options{Overwrite: e.opt.Overwrite, Notice: e.opt.Notice})
			if err != nil {
				return nil, nil, nil, err
			}
		}
	}
	capEach := min(metric.DefaultExactCap, max(64, exactValues/max(1, len(g.Cells)*len(e.metrics))))
	sums := make([][]*metric.Summary, len(g.Cells))
	for c := range sums {
		for range e.metrics {
			sums[c] = append(sums[c], metric.NewSummaryCap(capEach))
		}
	}
	fails := make([]int, len(g.Cells))
	err = engine.Run(ctx, model, engine.Config{Runs: runs, FirstRun: firstRun, Seed: e.seed, Workers: e.opt.Workers}, func(o *engine.Outcome) error {
		cell := &g.Cells[o.Cell]
		for k, v := range o.Scalars {
			sums[o.Cell][k].Add(v)
		}
		e.timeStep += int64(model.Steps(o.Cell))
		if cond, v, excess, failed := e.runFails(o.Scalars); failed {
			fails[o.Cell]++
			e.counterexample(Counterexample{Point: cell.Point, Arm: cell.Arm, Run: o.Run, Seed: o.Seed, Labels: labels(cell.Params),
				Condition: cond, Value: v, Excess: excess})
		}
		if e.w != nil {
			params := make([]float64, len(cell.Params))
			for k, p := range cell.Params {
				params[k] = p.Value
			}
			if err := e.w.WriteRun(results.Run{Cell: cell.Point, Arm: cell.Arm, Run: o.Run, Seed: o.Seed, Params: params, Scalars: o.Scalars}); err != nil {
				return err
			}
		}
		e.res.Simulations++
		e.done++
		if e.opt.Progress != nil {
			e.opt.Progress(e.done, max(e.total, e.done))
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return sums, fails, g, nil
}

// runFails reports whether a run's scalars break the safe region: a run
// fails when any condition of the region is false on its own value.
func (e *evaluator) runFails(scalars []float64) (cond string, value, excess float64, failed bool) {
	for _, c := range e.safe {
		v := scalars[e.index[c.Metric]]
		if c.Holds(v) {
			continue
		}
		var ex float64
		if c.Below != nil {
			ex = v - float64(*c.Below)
		} else {
			ex = float64(*c.Above) - v
		}
		if math.IsNaN(ex) {
			ex = math.Inf(1)
		}
		if !failed || ex > excess {
			cond, value, excess, failed = c.Metric, v, ex, true
		}
	}
	return cond, value, excess, failed
}

// counterexample keeps c if it is among the worst runs, one per point and
// arm, so that the list shows different points.
func (e *evaluator) counterexample(c Counterexample) {
	cs := &e.res.Counterexamples
	for k, x := range *cs {
		if x.Point == c.Point && x.Arm == c.Arm {
			if c.Excess <= x.Excess {
				return
			}
			*cs = slices.Delete(*cs, k, k+1)
			break
		}
	}
	if len(*cs) == maxCounterexamples && c.Excess <= (*cs)[len(*cs)-1].Excess {
		return
	}
	at, _ := slices.BinarySearchFunc(*cs, c.Excess, func(x Counterexample, ex float64) int {
		switch {
		case x.Excess > ex:
			return -1
		case x.Excess < ex:
			return 1
		}
		return 0
	})
	// Ties keep the earlier run first: insert after equal excesses.
	for at < len(*cs) && (*cs)[at].Excess == c.Excess {
		at++
	}
	*cs = slices.Insert(*cs, at, c)
	if len(*cs) > maxCounterexamples {
		*cs = (*cs)[:maxCounterexamples]
	}
}

func labels(ps []scenario.Param) []string {
	out := make([]string, len(ps))
	for k, p := range ps {
		out[k] = p.Label
	}
	return out
}

// statOf returns the discover statistic of a summary.
func (e *evaluator) statOf(s *metric.Summary) float64 {
	if e.stat > 0 {
		return s.Quantile(e.stat).Value
	}
	return s.Mean()
}

// pointSafe reports whether the safe region holds on a cell's statistics,
// each condition on its own statistic, as region maps decide.
func (e *evaluator) pointSafe(sums []*metric.Summary) bool {
	for _, c := range e.safe {
		s := sums[e.index[c.Metric]]
		v := s.Mean()
		if q := scenario.Stats[c.Stat]; q > 0 {
			v = s.Quantile(q).Value
		}
		if !c.Holds(v) {
			return false
		}
	}
	return true
}

// Discover runs the scenario file's discover block: it evaluates the
// design's points (every compare arm at each, with common random numbers),
// runs the analyses the design supports, finds boxes where the safe region
// fails, searches the boundary if asked, and writes the results directory.
func Discover(ctx context.Context, f *scenario.File, opt Options) (*DiscoverResult, error) {
	d := f.Discover()
	if d == nil {
		return nil, fmt.Errorf("%s has no discover: block; add one (see README, \"Finding where a design breaks\") or use cascade run", f.Path)
	}
	sc := &f.Cells[0].Scenario
	res := &DiscoverResult{File: f, Discover: d, Arms: f.Arms(), Seed: sc.Seed, RunsPerPoint: sc.RunCount(), Workers: opt.Workers, Out: opt.Out}
	if opt.Seed != nil {
		res.Seed = *opt.Seed
	}
	if opt.Runs > 0 {
		res.RunsPerPoint = opt.Runs
	}
	if res.Workers <= 0 {
		res.Workers = runtime.GOMAXPROCS(0)
	}
	opt.Workers = res.Workers
	res.DesignSeed = res.Seed
	if d.Seed != nil {
		res.DesignSeed = *d.Seed
	}
	for _, p := range d.Parameters {
		res.Space = append(res.Space, design.Range{Name: p.Name, Lo: p.Value.Lo, Hi: p.Value.Hi, Log: p.Value.Log, Integer: p.Value.Integer})
	}
	e := &evaluator{f: f, d: d, space: res.Space, opt: opt, seed: res.Seed, res: res}
	if d.Safe != "" {
		e.safe, _ = sc.Regions.Get(d.Safe)
	}
	e.stat = scenario.Stats[d.Stat]
	res.Started = time.Now()
	defer func() {
		if e.w != nil {
			e.w.Abort()
		}
	}()

	var err error
	if d.Boundary != nil {
		err = e.boundarySearch(ctx)
	} else {
		err = e.design(ctx)
	}
	res.Elapsed = time.Since(res.Started)
	res.Metrics = e.metrics
	if err != nil {
		return nil, err
	}
	if e.w != nil {
		js, err := json.MarshalIndent(res.Report(), "", "  ")
		if err != nil {
			return nil, err
		}
		if err := e.w.WriteFile("discover.json", js); err != nil {
			return nil, err
		}
		var sum bytesBuffer
		res.Summary(&sum)
		if err := e.w.WriteFile("discover.md", sum.b); err != nil {
			return nil, err
		}
		// The scenario as read, for the report's question and assumptions.
		if err := e.w.WriteFile(ScenarioCopy, f.Source); err != nil {
			return nil, err
		}
		m := results.Manifest{
			ScenarioName: sc.Name, ScenarioFile: f.Path, ScenarioSHA256: f.Hash, ScenarioCopy: ScenarioCopy,
			ScenarioDescription: sc.Description, Seed: res.Seed, Runs: res.RunsPerPoint,
			Workers: res.Workers, CommonRandomNumbers: true, CascadeVersion: opt.Version, GitCommit: opt.Commit,
			Started: res.Started.UTC(), Finished: res.Started.Add(res.Elapsed).UTC(), WallSeconds: res.Elapsed.Seconds(),
			Timesteps: e.timeStep, StepSeconds: sc.Step.Seconds(), StepsPerRun: int64(sc.Steps()),
		}
		if err := e.w.Finish(m); err != nil {
			return nil, err
		}
		e.w = nil
	}
	return res, nil
}

type bytesBuffer struct{ b []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.b = append(b.b, p...); return len(p), nil }

// unitDesign returns the design's points in the unit cube, and the Morris
// plan when the design is morris.
func (e *evaluator) unitDesign() ([][]float64, *sensitivity.MorrisPlan, error) {
	n, dim := e.d.SampleCount(), len(e.space)
	rng := design.RNG(e.res.DesignSeed)
	switch e.d.DesignName() {
	case "lhs":
		return design.LatinHypercube(n, dim, rng), nil, nil
	case "uniform":
		return design.Uniform(n, dim, rng), nil, nil
	case "saltelli":
		pts, err := sensitivity.SaltelliPoints(n, dim, rng)
		return pts, nil, err
	case "morris":
		levels := e.d.Levels
		if levels == 0 {
			levels = 4
		}
		plan, err := sensitivity.NewMorrisPlan(dim, n, levels, rng)
		if err != nil {
			return nil, nil, err
		}
		return plan.Points(), plan, nil
	}
	pts, err := design.SobolPoints(n, dim, rng)
	return pts, nil, err
}

// design evaluates a fixed design and runs its analyses.
func (e *evaluator) design(ctx context.Context) error {
	us, plan, err := e.unitDesign()
	if err != nil {
		return err
	}
	if len(us)*len(e.res.Arms) > MaxDiscoverCells {
		return fmt.Errorf("the design has %d points × %d arms, more than %d; lower discover.samples", len(us), len(e.res.Arms), MaxDiscoverCells)
	}
	pts := make([]scenario.DiscoverPoint, len(us))
	for k, u := range us {
		pts[k] = e.space.Map(u)
	}
	e.total = len(pts) * len(e.res.Arms) * e.res.RunsPerPoint
	sums, fails, g, err := e.evalBatch(ctx, pts, nil, 0, e.res.RunsPerPoint)
	if err != nil {
		return err
	}
	for c := range g.Cells {
		cell := &g.Cells[c]
		pr := PointResult{Point: cell.Point, Arm: cell.Arm, Values: pts[cell.Point], Labels: labels(cell.Params), Runs: e.res.RunsPerPoint,
			Fails: fails[c], Safe: e.pointSafe(sums[c])}
		for _, s := range sums[c] {
			pr.Stats = append(pr.Stats, e.statOf(s))
		}
		e.res.Points = append(e.res.Points, pr)
	}
	e.analyse(plan)
	return nil
}

// MaxDiscoverCells bounds the points × arms of one discover design.
const MaxDiscoverCells = 200000

// analysedMetrics returns the indices of the metrics to analyse.
func (e *evaluator) analysedMetrics() []int {
	if len(e.d.Metrics) == 0 {
		out := make([]int, len(e.metrics))
		for k := range out {
			out[k] = k
		}
		return out
	}
	var out []int
	for _, name := range e.d.Metrics {
		if k, ok := e.index[name]; ok {
			out = append(out, k)
		}
	}
	return out
}

func (e *evaluator) analyse(plan *sensitivity.MorrisPlan) {
	level := e.d.ConfidenceLevel()
	boot := e.d.Bootstrap
	if boot == 0 {
		boot = 1000
	}
	names := e.space.Names()
	for _, arm := range e.res.Arms {
		var pts []*PointResult
		for k := range e.res.Points {
			if e.res.Points[k].Arm == arm {
				pts = append(pts, &e.res.Points[k])
			}
		}
		for _, m := range e.analysedMetrics() {
			y := make([]float64, len(pts))
			for k, p := range pts {
				y[k] = p.Stats[m]
			}
			// Each analysis draws its bootstrap from its own stream, so
			// adding a metric does not change another's intervals.
			rng := design.RNG(e.res.DesignSeed ^ uint64(m+1)*0x9e3779b97f4a7c15)
			switch e.d.DesignName() {
			case "saltelli":
				r, err := sensitivity.Sobol(names, y, level, boot, rng)
				rep := SobolReport{Arm: arm, Metric: e.metrics[m].FullName, Result: r}
				if err != nil {
					rep.Error = err.Error()
				}
				e.res.Sobol = append(e.res.Sobol, rep)
			case "morris":
				r, err := plan.Effects(names, y, level, boot, rng)
				rep := MorrisReport{Arm: arm, Metric: e.metrics[m].FullName, Result: r}
				if err != nil {
					rep.Error = err.Error()
				}
				e.res.Morris = append(e.res.Morris, rep)
			}
		}
		if e.safe == nil {
			continue
		}
		x := make([][]float64, len(pts))
		y := make([]bool, len(pts))
		failing := 0
		for k, p := range pts {
			x[k] = p.Values
			y[k] = !p.Safe
			if y[k] {
				failing++
			}
		}
		if failing == 0 || failing == len(pts) {
			continue
		}
		format := func(j int, v float64) string { return e.d.Parameters[j].Value.Short(v) }
		// Boxes of where the region fails, then of where it holds: the
		// same data with the labels swapped.
		holds := make([]bool, len(y))
		for k := range y {
			holds[k] = !y[k]
		}
		for _, c := range []struct {
			label  []bool
			failed bool
		}{{y, true}, {holds, false}} {
			if r, err := discovery.PRIM(x, c.label, discovery.PRIMOptions{Level: level}); err == nil {
				rep := boxReport(arm, "prim", r.Box, names, format)
				rep.Fails = c.failed
				e.res.Boxes = append(e.res.Boxes, rep)
			}
			if leaves, err := discovery.Tree(x, c.label, discovery.TreeOptions{Level: level}); err == nil {
				for _, l := range leaves {
					if l.Label {
						rep := boxReport(arm, "cart", l.Box, names, format)
						rep.Fails = c.failed
						e.res.Boxes = append(e.res.Boxes, rep)
					}
				}
			}
		}
	}
}
