package experiment

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

const detScenario = `
name: determinism
horizon: 30d
step: 1d
sample_every: 5d
runs: 300
seed: 42
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: student_t, asset: ETH, initial: 2000, volatility: 5%/day, dof: 4}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000]}
agents:
  noise: {type: noise_trader, pool: pool, rate: 30/day, size: 3000}
  arb: {type: arbitrageur, gas: 3}
  lp: {type: passive_lp, pool: pool}
sweep:
  mechanisms.pool.fee: [0.05%, 0.3%]
`

func runTo(t *testing.T, dir string, workers int) {
	t.Helper()
	f, err := scenario.LoadBytes("det.yaml", []byte(detScenario))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), f, Options{Workers: workers, Out: dir}); err != nil {
		t.Fatal(err)
	}
}

// The results directory is byte-identical whatever the worker count and
// across repeated runs; only the manifest's timings and worker count differ.
func TestResultsIdenticalAcrossWorkersAndRepeats(t *testing.T) {
	base := t.TempDir()
	var dirs []string
	for k, w := range []int{1, 2, 8, 2} {
		d := filepath.Join(base, string(rune('a'+k)))
		runTo(t, d, w)
		dirs = append(dirs, d)
	}
	for _, name := range []string{"runs.parquet", "series.parquet", "summary.json", "fans.json"} {
		ref, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs[1:] {
			got, err := os.ReadFile(filepath.Join(d, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, ref) {
				t.Errorf("%s differs between %s and %s", name, dirs[0], d)
			}
		}
	}
	m0, err := results.ReadManifest(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs[1:] {
		m, err := results.ReadManifest(d)
		if err != nil {
			t.Fatal(err)
		}
		m.Started, m.Finished, m.WallSeconds, m.Workers = m0.Started, m0.Finished, m0.WallSeconds, m0.Workers
		a, b := mustJSON(t, m0), mustJSON(t, m)
		if !bytes.Equal(a, b) {
			t.Errorf("manifests differ beyond timings:\n%s\n%s", a, b)
		}
	}
	if m0.Runs != 300 || len(m0.Cells) != 2 || m0.Timesteps != 2*300*30 {
		t.Errorf("manifest: runs %d, cells %d, timesteps %d", m0.Runs, len(m0.Cells), m0.Timesteps)
	}
}

func TestResultsReadBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	runTo(t, dir, 2)
	layout, runs, err := results.ReadRuns(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 600 || len(layout.Params) != 1 || layout.Params[0] != "mechanisms.pool.fee" {
		t.Fatalf("%d runs, params %v", len(runs), layout.Params)
	}
	if runs[0].Params[0] != 0.0005 || runs[599].Params[0] != 0.003 {
		t.Fatalf("cell parameters %v, %v", runs[0].Params, runs[599].Params)
	}
}

// A failed run leaves nothing at the destination.
func TestFailureLeavesNoResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	f, err := scenario.LoadBytes("det.yaml", []byte(detScenario))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, f, Options{Out: dir}); err == nil {
		t.Fatal("cancelled run succeeded")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

// Fans keep FanPoints sample times, fewer in a large sweep, never fewer
// than minFanPoints.
func TestFanPointsPer(t *testing.T) {
	for _, c := range []struct{ cells, metrics, want int }{
		{1, 12, FanPoints}, {2, 24, FanPoints}, {64, 60, minFanPoints}, {16, 40, 102}, {0, 0, FanPoints},
	} {
		if got := fanPointsPer(c.cells, c.metrics); got != c.want {
			t.Errorf("fanPointsPer(%d, %d) = %d, want %d", c.cells, c.metrics, got, c.want)
		}
		// Fans are coarse exactly when the points budget binds.
		if got, want := fanCoarse(c.cells, c.metrics), c.want < FanPoints; got != want {
			t.Errorf("fanCoarse(%d, %d) = %v, want %v", c.cells, c.metrics, got, want)
		}
	}
	// Small files keep 0.5% fans; pos_study's 64 cells × 48 metrics get 2%.
	for _, c := range []struct {
		cells, metrics int
		want           bool
	}{{1, 12, false}, {12, 36, false}, {64, 48, true}, {16, 40, true}} {
		if got := fanCoarse(c.cells, c.metrics); got != c.want {
			t.Errorf("fanCoarse(%d, %d) = %v, want %v", c.cells, c.metrics, got, c.want)
		}
	}
}
