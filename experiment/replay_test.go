package experiment

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

// A failing run's error names its cell, arm, run and seed and the command
// that replays it, with the user's seed and overrides.
func TestRunFailureNamesTheReplayCommand(t *testing.T) {
	f, err := scenario.Load("../examples/collar.yaml", scenario.Override{Path: "horizon", Value: "30d"})
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(8)
	res, err := newResult(f, Options{Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	err = res.runError(&engine.RunError{Job: engine.Job{Cell: 1, Run: 7, Seed: 99}, Err: errors.New("step 3: boom")})
	var rf *RunFailure
	if !errors.As(err, &rf) {
		t.Fatalf("%T %v", err, err)
	}
	msg := err.Error()
	for _, want := range []string{"cell 0, arm collar, run 7 (run seed 99): step 3: boom",
		"cascade trace ../examples/collar.yaml --cell 0 --arm collar --run 7 --seed 8 --set horizon=30d"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("%q lacks %q", msg, want)
		}
	}
}

func TestReplayCommandQuotes(t *testing.T) {
	f := &scenario.File{Path: "my scenarios/it's.yaml", Overrides: []scenario.Override{{Path: "name", Value: "a b"}}}
	got := ReplayCommand(f, nil, 2, "", 5)
	want := `cascade trace 'my scenarios/it'\''s.yaml' --cell 2 --run 5 --set 'name=a b'`
	if got != want {
		t.Fatalf("%s\nwant %s", got, want)
	}
}

// summary.json names, for every metric and cell, the worst runs, worst
// first, and they are the runs with the extreme values in runs.parquet.
func TestWorstRunsAreTheExtremes(t *testing.T) {
	f, err := scenario.Load("../examples/collar.yaml", scenario.Override{Path: "horizon", Value: "20d"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	res, err := Run(context.Background(), f, Options{Runs: 60, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(t, dir)
	for c, cell := range res.Report() {
		for k, m := range cell.Metrics {
			if len(m.WorstRuns) != WorstRuns {
				t.Fatalf("%s: %d worst runs", m.Name, len(m.WorstRuns))
			}
			// Rank every run's value; the listed ones must be the worst three.
			var vals []float64
			for run := range 60 {
				vals = append(vals, rows[[3]any{cell.Cell, cell.Arm, run}].Scalars[k])
			}
			sign := 1.0
			if res.Model.Metrics[k].Worse == metric.HigherIsWorse {
				sign = -1
			}
			for i, w := range m.WorstRuns {
				if w.Arm != res.Cells[c].Arm || float64(w.Value) != vals[w.Run] {
					t.Fatalf("%s: worst %+v does not match run %d's value %v", m.Name, w, w.Run, vals[w.Run])
				}
				better := 0
				for _, v := range vals {
					if sign*v < sign*float64(w.Value) {
						better++
					}
				}
				if better > i {
					t.Fatalf("%s: listed worst #%d (run %d, %v) has %d worse runs", m.Name, i, w.Run, w.Value, better)
				}
			}
		}
	}
}
