package experiment

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

// rowsOf reads every run of a results directory with its samples.
func rowsOf(t *testing.T, dir string) map[[3]any]results.Run {
	t.Helper()
	out := map[[3]any]results.Run{}
	err := results.Scan(dir, func(r *results.Run) error {
		c := *r
		c.Params = append([]float64(nil), r.Params...)
		c.Scalars = append([]float64(nil), r.Scalars...)
		c.Times = append([]float64(nil), r.Times...)
		c.Series = nil
		for _, s := range r.Series {
			c.Series = append(c.Series, append([]float64(nil), s...))
		}
		out[[3]any{r.Cell, r.Arm, r.Run}] = c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameRun(t *testing.T, got, want results.Run) {
	t.Helper()
	eq := func(a, b []float64) bool {
		if len(a) != len(b) {
			return false
		}
		for k := range a {
			if math.Float64bits(a[k]) != math.Float64bits(b[k]) {
				return false
			}
		}
		return true
	}
	if got.Seed != want.Seed || !eq(got.Params, want.Params) || !eq(got.Scalars, want.Scalars) || !eq(got.Times, want.Times) || len(got.Series) != len(want.Series) {
		t.Fatalf("traced run differs from the full run's row:\n%+v\n%+v", got, want)
	}
	for k := range got.Series {
		if !eq(got.Series[k], want.Series[k]) {
			t.Fatalf("series %d of the traced run differs from the full run's", k)
		}
	}
}

// TestTraceMatchesTheFullRunsRows: the trace directory's runs.parquet and
// series.parquet rows of run K are bit for bit those of a full run, for a
// sweep with compare arms, overrides and a seed given on the command line.
func TestTraceMatchesTheFullRunsRows(t *testing.T) {
	set := []scenario.Override{{Path: "horizon", Value: "10d"}}
	f, err := scenario.Load("../examples/pos_study.yaml", set...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	seed := uint64(1234)
	full := filepath.Join(dir, "full")
	if _, err := Run(context.Background(), f, Options{Runs: 3, Seed: &seed, Out: full}); err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(t, full)
	for _, pick := range []struct {
		cell int
		arm  string
		run  int
	}{{0, "external_hub", 0}, {5, "enshrined", 2}, {15, "enshrined_recall", 1}} {
		out := filepath.Join(dir, "trace")
		tr, err := Trace(f, TraceOptions{Cell: pick.cell, Arm: pick.arm, Run: pick.run, Seed: &seed, Out: out, Overwrite: true})
		if err != nil {
			t.Fatal(err)
		}
		got := rowsOf(t, out)
		if len(got) != 1 {
			t.Fatalf("trace directory holds %d runs", len(got))
		}
		key := [3]any{pick.cell, pick.arm, pick.run}
		sameRun(t, got[key], rows[key])
		want := "cascade trace ../examples/pos_study.yaml --cell " + itoa(pick.cell) + " --arm " + pick.arm + " --run " + itoa(pick.run) + " --seed 1234 --set horizon=10d"
		if tr.Command != want {
			t.Fatalf("replay command %q, want %q", tr.Command, want)
		}
		m, err := results.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{StepsFile, EventsFile, "trace.md", ScenarioCopy} {
			if _, ok := m.File(name); !ok {
				t.Fatalf("manifest lists no %s", name)
			}
		}
		if steps, _ := m.File(StepsFile); steps.Rows == nil || *steps.Rows != 11 {
			t.Fatalf("steps.parquet rows %v, want 11 (steps 0 to 10)", steps.Rows)
		}
	}
}

func itoa(k int) string { return strconv.Itoa(k) }

// TestTraceOfALateRun traces run 9,999 of a 10,000-run scenario alone and
// checks it against the full run's row: the trace simulates that run only
// (its seed is derived from the cell and run index, not from a sequence).
func TestTraceOfALateRun(t *testing.T) {
	set := []scenario.Override{{Path: "horizon", Value: "10d"}, {Path: "runs", Value: "10000"}}
	f, err := scenario.Load("../examples/quickstart.yaml", set...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if _, err := Run(context.Background(), f, Options{Out: full}); err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(t, full)
	out := filepath.Join(dir, "trace")
	tr, err := Trace(f, TraceOptions{Run: 9999, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Result.Timesteps != 10 {
		t.Fatalf("the trace simulated %d steps, want the 10 of one run", tr.Result.Timesteps)
	}
	sameRun(t, rowsOf(t, out)[[3]any{0, "", 9999}], rows[[3]any{0, "", 9999}])
}

// TestTraceRefusesUnknownCells names what exists.
func TestTraceRefusesUnknownCells(t *testing.T) {
	f, err := scenario.Load("../examples/collar.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opt  TraceOptions
		want string
	}{
		{TraceOptions{Cell: 1, Arm: "collar"}, "cells 0 to 0"},
		{TraceOptions{Arm: "hedged"}, "arms are unhedged, collar"},
		{TraceOptions{Arm: "collar", Run: -1}, "--run -1"},
	} {
		if _, err := Trace(f, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opt, err, tc.want)
		}
	}
	if _, err := os.Stat("out"); err == nil {
		t.Fatal("a refused trace wrote out/")
	}
}
