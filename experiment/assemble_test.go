package experiment

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
)

// TestAssemblyReproducesTheRun: jobs simulated in slices, in reverse order,
// with each metric tallied in run order and its fan merged from the
// slices, assemble into the results directory Run writes, byte for byte
// (timings aside). This is what the Beam pipeline does on many machines.
func TestAssemblyReproducesTheRun(t *testing.T) {
	c := shardCases[1] // a sweep with compare arms
	dir := t.TempDir()
	single := filepath.Join(dir, "single")
	if _, err := Run(context.Background(), loadCase(t, c), Options{Runs: c.runs, Workers: 2, Out: single}); err != nil {
		t.Fatal(err)
	}
	res, err := Prepare(loadCase(t, c), Options{Runs: c.runs, Workers: 2, Out: filepath.Join(dir, "assembled")})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seed    uint64
		scalars []float64
		series  [][]float64
	}
	rows := make([]row, res.Jobs())
	metrics := len(res.Model.Metrics)
	fans := make([][]*metric.Fan, len(res.Cells))
	const slice = 5
	for from := (res.Jobs() - 1) / slice * slice; from >= 0; from -= slice {
		// Each slice fills fans of its own, merged into the cell's.
		part := map[int][]*metric.Fan{}
		err := res.RunJobs(context.Background(), from, min(from+slice, res.Jobs()), 1, func(o *engine.Outcome) error {
			r := row{seed: o.Seed, scalars: slices.Clone(o.Scalars)}
			if part[o.Cell] == nil {
				for range metrics {
					f, _ := res.Cells[o.Cell].NewFan()
					part[o.Cell] = append(part[o.Cell], f)
				}
			}
			for k, xs := range o.Series {
				r.series = append(r.series, slices.Clone(xs))
				if err := part[o.Cell][k].Add(xs); err != nil {
					return err
				}
			}
			rows[o.Cell*res.Runs+o.Run] = r
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for cell, fs := range part {
			if fans[cell] == nil {
				fans[cell] = fs
				continue
			}
			for k := range fs {
				if err := fans[cell][k].Merge(fs[k]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	res.Started = time.Now()
	a, err := res.Assemble(true)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Abort()
	for cell := range res.Cells {
		for k := range metrics {
			tally := res.NewTally(cell, k)
			for run := range res.Runs {
				if err := tally.Add(run, rows[cell*res.Runs+run].scalars[k]); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.SetMetric(cell, k, tally, fans[cell][k]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.Finish("", "", nil); err == nil {
		t.Fatal("Finish accepted an assembly with no runs written")
	}
	for g, r := range rows {
		if err := a.WriteRun(g/res.Runs, g%res.Runs, r.seed, r.scalars, r.series); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.WriteRun(0, 0, 0, rows[0].scalars, rows[0].series); err == nil {
		t.Fatal("WriteRun accepted a run out of order")
	}
	if err := a.Finish("", "", nil); err != nil {
		t.Fatal(err)
	}
	sameResults(t, single, filepath.Join(dir, "assembled"))
}
