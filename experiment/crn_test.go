package experiment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

const crnScenario = `
name: crn
horizon: 20d
step: 1d
runs: 200
seed: 7
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, volatility: 5%/day}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000]}
agents:
  noise: {type: noise_trader, pool: pool, rate: 10/day, size: 3000}
  arb: {type: arbitrageur, gas: 3}
metrics: [ETH.price, pool.fees]
sweep:
  CRN
  mechanisms.pool.fee: [0.05%, 0.3%, 1%, 3%]
`

// cellMeans runs the scenario with the given crn line and returns, per
// cell, the mean estimate of metric k.
func cellMeans(t *testing.T, crnLine string, k int) (vals, lo, hi []float64) {
	t.Helper()
	src := strings.Replace(crnScenario, "CRN", crnLine, 1)
	f, err := scenario.LoadBytes("crn.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), f, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Cells {
		e := c.Summaries[k].MeanEstimate()
		vals, lo, hi = append(vals, e.Value), append(lo, e.Lo), append(hi, e.Hi)
	}
	return vals, lo, hi
}

// With common random numbers, the map of a metric the swept parameter does
// not affect (the external ETH price against the pool fee) is flat: every
// cell's mean lies within every other cell's 95% CI (here they coincide,
// since the price path is drawn from the same stream in every cell).
// Without them each cell draws its own paths and the means differ.
func TestCRNFlatMap(t *testing.T) {
	for _, line := range []string{"crn: true", ""} { // crn is the default
		vals, lo, hi := cellMeans(t, line, 0)
		for a := range vals {
			for b := range vals {
				if vals[a] < lo[b] || vals[a] > hi[b] {
					t.Errorf("%q: cell %d mean %g outside cell %d CI [%g, %g]", line, a, vals[a], b, lo[b], hi[b])
				}
			}
		}
	}
	vals, _, _ := cellMeans(t, "crn: false", 0)
	same := true
	for _, v := range vals[1:] {
		same = same && v == vals[0]
	}
	if same {
		t.Errorf("crn: false: every cell has the same mean price %g; cells should draw their own paths", vals[0])
	}
}

// The fees a pool earns grow with its fee; common random numbers make that
// ordering hold cell by cell without noise reversing it.
func TestCRNOrdersFees(t *testing.T) {
	vals, _, _ := cellMeans(t, "crn: true", 1)
	for k := 1; k < len(vals); k++ {
		if vals[k] <= vals[k-1] {
			t.Errorf("fees not increasing with the fee: %v", vals)
		}
	}
}

// A bad crn value is reported at its position, and zip lists must agree in
// length.
func TestSweepKeysErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"crn: maybe", `crn.yaml:20:8: sweep.crn: expected true or false, got "maybe"`},
		{"zip: {mechanisms.pool.fee: [1%, 2%], processes.eth.volatility: [1%/day]}", "sweep.zip.processes.eth.volatility: expected 2 values, as many as mechanisms.pool.fee has, got 1"},
	} {
		src := strings.Replace(crnScenario, "CRN", tc.line, 1)
		_, err := scenario.LoadBytes("crn.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.line, err, tc.want)
		}
	}
}

// zip: moves two parameters together: three cells, not nine, each with both
// parameters' k-th values.
func TestZipAxis(t *testing.T) {
	src := strings.Replace(crnScenario, "CRN", "zip: {processes.eth.volatility: [1%/day, 2%/day, 3%/day], agents.noise.size: [1000, 2000, 3000]}", 1)
	src = strings.Replace(src, "  mechanisms.pool.fee: [0.05%, 0.3%, 1%, 3%]\n", "", 1)
	f, err := scenario.LoadBytes("zip.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cells) != 3 {
		t.Fatalf("%d cells, want 3", len(f.Cells))
	}
	for k, c := range f.Cells {
		want := []string{"1%/day", "2%/day", "3%/day"}[k] + " " + []string{"1000", "2000", "3000"}[k]
		if got := c.Params[0].Label + " " + c.Params[1].Label; got != want {
			t.Errorf("cell %d: %s, want %s", k, got, want)
		}
	}
}

// Sweep-parameter columns carry their unit in the manifest and in the
// Parquet file's "cascade.units" metadata: the fee is a fraction (0.3% is
// 0.003), the volatility a fraction per day.
func TestParamUnits(t *testing.T) {
	src := strings.Replace(crnScenario, "CRN", "processes.eth.volatility: [2%/day, 4%/day]", 1)
	f, err := scenario.LoadBytes("u.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), f, Options{Out: dir, Runs: 2}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name": "processes.eth.volatility",
          "type": "DOUBLE",
          "role": "param",
          "unit": "fraction/day"`, `"name": "mechanisms.pool.fee",
          "type": "DOUBLE",
          "role": "param",
          "unit": "fraction"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("manifest lacks %s", want)
		}
	}
	pq, err := os.ReadFile(filepath.Join(dir, "runs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pq), `"processes.eth.volatility":"fraction/day"`) {
		t.Errorf("runs.parquet has no cascade.units metadata for the volatility")
	}
}
