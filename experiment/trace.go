package experiment

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/trace"
	"github.com/cascade-risk/cascade/world"
)

// TraceOptions select the run to trace and where to write it.
type TraceOptions struct {
	// Cell is the sweep cell, Arm the compare arm ("" when the scenario
	// has none), Run the run index, as runs.parquet numbers them.
	Cell int
	Arm  string
	Run  int
	// Seed overrides the scenario's seed when non-nil, as for Run.
	Seed *uint64
	// Out is the trace directory to write; "" writes none.
	Out       string
	Overwrite bool
	// Version and Commit identify the build in the manifest.
	Version, Commit string
}

// TraceResult is one traced run.
type TraceResult struct {
	Result   *Result
	Recorder *trace.Recorder
	// Engine cell of the run, and its job (run index and seed).
	EngineCell int
	Job        engine.Job
	// Scalars are the run's metrics at the horizon, as in runs.parquet.
	Scalars []float64
	// Summary is trace.md: a readable account of the run.
	Summary string
	// Command is the command line that replays this run.
	Command string
}

// Trace replays one run of f alone — in the time of one run, whatever its
// index — and, with opt.Out, writes a trace directory: a results directory
// holding that run's row of runs.parquet and series.parquet (bit for bit
// the rows of a full run), steps.parquet (the state after every step:
// every metric of every component, venue holdings and spot prices),
// events.parquet (every trade, oracle round and change of state, with the
// agent whose turn it was), trace.md, the scenario and a manifest.
func Trace(f *scenario.File, opt TraceOptions) (*TraceResult, error) {
	res, err := newResult(f, Options{Seed: opt.Seed, Out: opt.Out})
	if err != nil {
		return nil, err
	}
	ec := -1
	points, arms := 0, f.Arms()
	for k, c := range f.Cells {
		points = max(points, c.Point+1)
		if c.Point == opt.Cell && c.Arm == opt.Arm {
			ec = k
		}
	}
	switch {
	case opt.Cell < 0 || opt.Cell >= points:
		return nil, selectionError("--cell %d: the scenario has cells 0 to %d", opt.Cell, points-1)
	case ec < 0 && len(arms) == 1 && arms[0] == "":
		return nil, selectionError("--arm %q: the scenario has no compare arms", opt.Arm)
	case ec < 0:
		return nil, selectionError("--arm %q: the scenario's arms are %s", opt.Arm, strings.Join(arms, ", "))
	case opt.Run < 0 || opt.Run > math.MaxInt32:
		return nil, selectionError("--run %d: want a run index from 0", opt.Run)
	}
	tr := &TraceResult{Result: res, Recorder: &trace.Recorder{}, EngineCell: ec}
	tr.Job = engine.NewJob(res.Model, res.Seed, ec, opt.Run)
	tr.Command = res.Replay(ec, opt.Run)
	res.Started = time.Now()
	out, err := res.Model.Trace(ec, tr.Job, tr.Recorder)
	res.Elapsed = time.Since(res.Started)
	if err != nil {
		return nil, res.runError(err)
	}
	tr.Scalars = out.Scalars
	tr.Summary = tr.summary()
	if opt.Out == "" {
		return tr, nil
	}
	w, err := results.Create(opt.Out, layout(res.Model, f), results.Options{Overwrite: opt.Overwrite})
	if err != nil {
		return nil, err
	}
	defer w.Abort()
	if err := res.add(w, ec, opt.Run, tr.Job.Seed, out.Scalars, out.Series); err != nil {
		return nil, err
	}
	if err := writeTrace(w, res.Model, tr); err != nil {
		return nil, err
	}
	if err := w.WriteFile("trace.md", []byte(tr.Summary)); err != nil {
		return nil, err
	}
	if err := w.WriteFile(ScenarioCopy, f.Source); err != nil {
		return nil, err
	}
	m := manifest(res, opt.Version, opt.Commit)
	m.Runs = 1
	m.ScenarioCopy = ScenarioCopy
	m.Trace = &results.TraceInfo{Cell: opt.Cell, Arm: opt.Arm, Run: opt.Run, RunSeed: tr.Job.Seed, Command: tr.Command}
	if err := w.Finish(m); err != nil {
		return nil, err
	}
	return tr, nil
}

// SelectionError is a --cell, --arm or --run that names no run of the
// scenario.
type SelectionError struct{ Msg string }

func (e *SelectionError) Error() string { return e.Msg }

func selectionError(format string, args ...any) error {
	return &SelectionError{Msg: fmt.Sprintf(format, args...)}
}

// Trace files.
const (
	StepsFile  = "steps.parquet"
	EventsFile = "events.parquet"
)

func writeTrace(w *results.Writer, m *world.Model, tr *TraceResult) error {
	rec := tr.Recorder
	units := map[string]results.Column{}
	for _, d := range m.AllMetrics(tr.EngineCell) {
		units[d.FullName] = results.Column{Unit: d.Unit, Description: d.Doc}
	}
	cols := []results.ColumnInfo{
		{Name: "step", Type: results.TypeInt32, Role: results.RoleKey, Description: "step index; 0 is the initial state"},
		{Name: "time_s", Type: results.TypeDouble, Role: results.RoleKey, Unit: "s", Description: "simulated time at the end of the step"},
	}
	for _, c := range rec.Columns {
		u := units[c]
		if u.Description == "" {
			u.Description = "venue state: liquidity providers' holdings in whole tokens, or spot price of token 0 in token 1 before fees"
		}
		cols = append(cols, results.ColumnInfo{Name: c, Type: results.TypeDouble, Role: results.RoleSeries, Unit: u.Unit, Description: u.Description})
	}
	steps, err := results.NewTable(StepsFile, "The traced run's state after every step: every metric of every component, venue holdings and spot prices.", cols)
	if err != nil {
		return err
	}
	dt := m.Scenario(tr.EngineCell).Step.Seconds()
	row := make([]any, len(cols))
	for k, st := range rec.States {
		row[0], row[1] = rec.Steps[k], float64(rec.Steps[k])*dt
		for i, v := range st {
			row[2+i] = v
		}
		if err := steps.Add(row...); err != nil {
			return err
		}
	}
	if err := w.WriteTable(steps); err != nil {
		return err
	}
	ecols := []results.ColumnInfo{
		{Name: "step", Type: results.TypeInt32, Role: results.RoleKey, Description: "step the event happened in"},
		{Name: "seq", Type: results.TypeInt32, Role: results.RoleKey, Description: "order of the event within the run"},
		{Name: "actor", Type: results.TypeString, Role: results.RoleKey, Description: "agent whose turn it was, or world (processes and protocols' own updates)"},
		{Name: "source", Type: results.TypeString, Role: results.RoleKey, Description: "component the event is about"},
		{Name: "kind", Type: results.TypeString, Role: results.RoleKey, Description: "trade (a swap: value = input in the numeraire, after = fee), round (an oracle round: before/after = published price, value = round number), change (a recorded quantity changed during the turn: value = after − before)"},
		{Name: "name", Type: results.TypeString, Role: results.RoleKey, Description: "quantity or detail"},
		{Name: "before", Type: results.TypeDouble, Role: results.RoleSeries},
		{Name: "after", Type: results.TypeDouble, Role: results.RoleSeries},
		{Name: "value", Type: results.TypeDouble, Role: results.RoleSeries},
	}
	events, err := results.NewTable(EventsFile, "Every event of the traced run in order: trades, oracle rounds and changes of state, with the agent whose turn it was.", ecols)
	if err != nil {
		return err
	}
	for k, e := range rec.Events {
		if err := events.Add(e.Step, k, e.Actor, e.Source, e.Kind, e.Name, e.Before, e.After, e.Value); err != nil {
			return err
		}
	}
	return w.WriteTable(events)
}

// summary renders trace.md.
func (tr *TraceResult) summary() string {
	res, rec := tr.Result, tr.Recorder
	c := &res.Cells[tr.EngineCell]
	var b strings.Builder
	sc := res.Model.Scenario(tr.EngineCell)
	fmt.Fprintf(&b, "# Trace: %s, %s, run %d\n\n", sc.Name, c.describe(), tr.Job.Run)
	if sc.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", sc.Description)
	}
	fmt.Fprintf(&b, "- scenario: `%s` (SHA-256 %s)\n", res.File.Path, res.File.Hash)
	for _, o := range res.File.Overrides {
		fmt.Fprintf(&b, "- override: `--set %s`\n", o)
	}
	fmt.Fprintf(&b, "- seed %d; this run's seed %d\n", res.Seed, tr.Job.Seed)
	fmt.Fprintf(&b, "- %d steps of %s; %d events\n", res.Model.Steps(tr.EngineCell), sc.Step, len(rec.Events))
	fmt.Fprintf(&b, "- replay: `%s`\n\n", tr.Command)

	col := map[string]int{}
	for k, name := range rec.Columns {
		col[name] = k
	}
	b.WriteString("## Metrics\n\nValues at the horizon (the run's row of runs.parquet), extremes over the path and the largest change in one turn.\n\n")
	b.WriteString("| metric | at horizon | min (step) | max (step) | largest change in a turn (step, actor) |\n|---|---:|---:|---:|---:|\n")
	largest := map[string]trace.Event{}
	for _, e := range rec.Events {
		if e.Kind != trace.KindChange {
			continue
		}
		key := e.Source + "." + e.Name
		if e.Name == "" {
			key = e.Source
		}
		if l, ok := largest[key]; !ok || math.Abs(e.Value) > math.Abs(l.Value) {
			largest[key] = e
		}
	}
	for k, d := range res.Model.Metrics {
		i := col[d.FullName]
		lo, hi := 0, 0
		for s := range rec.States {
			if rec.States[s][i] < rec.States[lo][i] {
				lo = s
			}
			if rec.States[s][i] > rec.States[hi][i] {
				hi = s
			}
		}
		change := "–"
		if e, ok := largest[d.FullName]; ok {
			change = fmt.Sprintf("%s (%d, %s)", short(e.Value), e.Step, e.Actor)
		}
		fmt.Fprintf(&b, "| %s | %s | %s (%d) | %s (%d) | %s |\n", d.FullName, short(tr.Scalars[k]),
			short(rec.States[lo][i]), rec.Steps[lo], short(rec.States[hi][i]), rec.Steps[hi], change)
	}

	b.WriteString("\n## Events\n\n| actor | source | kind | events | steps with one |\n|---|---|---|---:|---:|\n")
	type key struct{ actor, source, kind string }
	counts, steps, last := map[key]int{}, map[key]int{}, map[key]int{}
	var keys []key
	for _, e := range rec.Events {
		k := key{e.Actor, e.Source, e.Kind}
		if counts[k] == 0 {
			keys = append(keys, k)
			last[k] = -1
		}
		counts[k]++
		if last[k] != e.Step {
			steps[k]++
			last[k] = e.Step
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].actor != keys[j].actor {
			return keys[i].actor < keys[j].actor
		}
		if keys[i].source != keys[j].source {
			return keys[i].source < keys[j].source
		}
		return keys[i].kind < keys[j].kind
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d |\n", k.actor, k.source, k.kind, counts[k], steps[k])
	}
	fmt.Fprintf(&b, "\nEvery event is in %s and the state after every step in %s:\n\n", EventsFile, StepsFile)
	b.WriteString("```sql\n-- duckdb, in the trace directory\nSELECT step, actor, source, kind, name, before, after, value FROM 'events.parquet' WHERE kind <> 'change' ORDER BY seq LIMIT 20;\n```\n")
	return b.String()
}

// short formats a value in at most 4 significant digits, "–" for NaN.
func short(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x == 0:
		return "0"
	case math.Abs(x) >= 1e6 || math.Abs(x) < 1e-3:
		return fmt.Sprintf("%.3e", x)
	}
	return fmt.Sprintf("%.4g", x)
}
