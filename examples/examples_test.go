package examples_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cascade-risk/cascade/examples"
	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

// Every example validates and runs; each carries the data it needs. Each
// writes its results under directories that do not exist yet (--out with a
// missing parent), which the writer creates.
func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			f, err := scenario.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "missing", "parent", f.Cells[0].Scenario.Name)
			res, err := experiment.Run(context.Background(), f, experiment.Options{Runs: 3, Out: out, Overwrite: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Timesteps == 0 || len(res.Model.Metrics) == 0 {
				t.Fatalf("ran %d steps, %d metrics", res.Timesteps, len(res.Model.Metrics))
			}
			if m, err := results.ReadManifest(out); err != nil || m.Runs != 3 {
				t.Fatalf("results at %s: %+v, %v", out, m, err)
			}
		})
	}
}

// The embedded quickstart is the file users read.
func TestQuickstartEmbedded(t *testing.T) {
	src, err := os.ReadFile("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, examples.Quickstart) {
		t.Fatal("examples.Quickstart differs from quickstart.yaml")
	}
}

// On every path of the collar example the hedged P&L lies within the bounds
// the strikes and premium set, and the collar trades a little of the mean
// for much of the worst 1%.
func TestCollarBounds(t *testing.T) {
	f, err := scenario.Load("collar.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	res, err := experiment.Run(context.Background(), f, experiment.Options{Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	layout, runs, err := results.ReadRuns(dir)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for k, c := range layout.Scalars {
		col[c.Name] = k
	}
	hedged := 0
	for _, r := range runs {
		if r.Arm != "collar" {
			continue
		}
		hedged++
		pnl, lo, hi := r.Scalars[col["treasury.pnl"]], r.Scalars[col["treasury.pnl_floor"]], r.Scalars[col["treasury.pnl_cap"]]
		if !(lo <= pnl && pnl <= hi) {
			t.Fatalf("run %d: hedged P&L %v outside [%v, %v]", r.Run, pnl, lo, hi)
		}
	}
	if hedged != 2000 {
		t.Fatalf("%d hedged runs", hedged)
	}
	// Arms are cells 0 (unhedged) and 1 (collar); compare their summaries.
	pnl := -1
	for k, m := range res.Model.Metrics {
		if m.FullName == "treasury.pnl" {
			pnl = k
		}
	}
	un, co := res.Cells[0].Summaries[pnl], res.Cells[1].Summaries[pnl]
	_, unCVaR := un.Tail(0.99, metric.LowerIsWorse)
	_, coCVaR := co.Tail(0.99, metric.LowerIsWorse)
	t.Logf("mean: unhedged %.4g, collar %.4g; CVaR99: unhedged %.4g, collar %.4g", un.Mean(), co.Mean(), unCVaR.Value, coCVaR.Value)
	if !(coCVaR.Value > 2*unCVaR.Value) { // losses are negative: the collar's worst 1% is under half as bad
		t.Errorf("collar CVaR99 %v is not much better than %v", coCVaR.Value, unCVaR.Value)
	}
}
