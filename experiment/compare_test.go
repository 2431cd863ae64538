package experiment

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

const armsScenario = `
name: arms
horizon: 60d
step: 1d
runs: 400
seed: 9
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, volatility: 5%/day}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000], fee: 0.3%}
agents:
  noise: {type: noise_trader, pool: pool, rate: 40/day, size: 10000}
  arb: {type: arbitrageur}
  lp: {type: passive_lp, pool: pool}
metrics: [ETH.price, lp.value]
`

// runArms runs the two fee policies either as compare arms (common random
// numbers) or as sweep points with crn: false (independent streams), returning lp.value and
// ETH.price per run for each policy.
func runArms(t *testing.T, paired bool) (value, price [2][]float64) {
	t.Helper()
	src := armsScenario + "sweep:\n  crn: false\n  mechanisms.pool.fee: [0.3%, 1%]\n"
	if paired {
		src = armsScenario + "compare:\n  low_fee: {}\n  high_fee: {mechanisms.pool.fee: 1%}\n"
	}
	f, err := scenario.LoadBytes("arms.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), f, Options{Out: dir}); err != nil {
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
	for _, r := range runs {
		k := r.Cell
		if paired {
			k = map[string]int{"low_fee": 0, "high_fee": 1}[r.Arm]
		}
		value[k] = append(value[k], r.Scalars[col["lp.value"]])
		price[k] = append(price[k], r.Scalars[col["ETH.price"]])
	}
	return value, price
}

func variance(x []float64) float64 {
	var s, s2 float64
	for _, v := range x {
		s += v
		s2 += v * v
	}
	n := float64(len(x))
	return (s2 - s*s/n) / (n - 1)
}

func diff(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for k := range a {
		d[k] = b[k] - a[k]
	}
	return d
}

// Arms of a comparison share random numbers run by run: the price paths are
// identical, and the paired difference of the LP's value varies far less
// than the difference between independent runs.
func TestCommonRandomNumbers(t *testing.T) {
	pv, pp := runArms(t, true)
	uv, _ := runArms(t, false)
	if len(pv[0]) != 400 || len(pv[1]) != 400 {
		t.Fatalf("arms have %d and %d runs", len(pv[0]), len(pv[1]))
	}
	for k := range pp[0] {
		if pp[0][k] != pp[1][k] {
			t.Fatalf("run %d: arms saw different prices %v and %v", k, pp[0][k], pp[1][k])
		}
	}
	paired, unpaired := variance(diff(pv[0], pv[1])), variance(diff(uv[0], uv[1]))
	t.Logf("variance of the difference: paired %.4g, unpaired %.4g (ratio %.4f)", paired, unpaired, paired/unpaired)
	// The unpaired variance is estimated from 400 differences; its relative
	// standard error is about √(2/399) ≈ 7%, so a ratio below 0.5 is far
	// outside what chance could give if pairing did not help.
	if !(paired < 0.5*unpaired) || math.IsNaN(paired) {
		t.Fatalf("paired variance %.4g is not well below unpaired %.4g", paired, unpaired)
	}
}
