package world

import (
	"context"
	"fmt"
	"github.com/cascade-risk/cascade/market"
	"math"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
)

func compile(t testing.TB, src string) *Model {
	t.Helper()
	f, err := scenario.LoadBytes("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func metricIndex(t testing.TB, m *Model, name string) int {
	t.Helper()
	for k, d := range m.Metrics {
		if d.FullName == name {
			return k
		}
	}
	t.Fatalf("no metric %s", name)
	return -1
}

// runAll returns every scalar of every run, in order.
func runAll(t testing.TB, m *Model, runs, workers int, seed uint64) [][]float64 {
	t.Helper()
	var out [][]float64
	err := engine.Run(context.Background(), m, engine.Config{Runs: runs, Seed: seed, Workers: workers}, func(o *engine.Outcome) error {
		row := append([]float64(nil), o.Scalars...)
		for _, s := range o.Series {
			row = append(row, s...)
		}
		out = append(out, row)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const lvrScenario = `
name: lvr
horizon: %dm
step: 1m
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, drift: 0, volatility: %g%%/1m}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000], fee: 0}
agents:
  arb: {type: arbitrageur, pools: [pool]}
metrics: [pool.lvr_rate]
`

// With zero fee and arbitrage every block under a zero-drift GBM of per-block
// volatility σ, the expected loss per block over pool value is
// 1 − exp(−σ²/8). The estimate is the mean over runs of each run's mean
// per-block ratio; its standard error comes from the spread across runs.
func TestLVRClosedForm(t *testing.T) {
	const runs, steps = 100, 5000
	for _, sigma := range []float64{0.001, 0.005, 0.02} {
		m := compile(t, fmt.Sprintf(lvrScenario, steps, sigma*100))
		rows := runAll(t, m, runs, 0, uint64(sigma*1e6))
		var sum, sum2 float64
		for _, r := range rows {
			sum += r[0]
			sum2 += r[0] * r[0]
		}
		mean := sum / runs
		se := math.Sqrt((sum2/runs - mean*mean) / (runs - 1))
		want := 1 - math.Exp(-sigma*sigma/8)
		dev := math.Abs(mean - want)
		t.Logf("σ=%g: mean loss/block/V = %.6e, theory %.6e, SE %.2e (%.2f SE, %.3f%%)", sigma, mean, want, se, dev/se, 100*dev/want)
		if dev > 3*se || dev > 0.01*want {
			t.Errorf("σ=%g: %.6e differs from %.6e by %.2f SE (%.3f%%)", sigma, mean, want, dev/se, 100*dev/want)
		}
	}
}

func TestIdenticalAcrossWorkers(t *testing.T) {
	m := compile(t, `
name: det
horizon: 60d
step: 1d
sample_every: 10d
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: jump_diffusion, asset: ETH, initial: 2000, volatility: 5%/day, jump_rate: 10/yr, jump_mean: -0.1, jump_stdev: 0.05}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000]}
agents:
  noise: {type: noise_trader, pool: pool, rate: 20/day, size: 5000}
  arb: {type: arbitrageur, gas: 5}
  lp: {type: passive_lp, pool: pool}
`)
	ref := runAll(t, m, 200, 1, 3)
	for _, w := range []int{2, 8} {
		got := runAll(t, m, 200, w, 3)
		for k := range ref {
			for c := range ref[k] {
				if math.Float64bits(got[k][c]) != math.Float64bits(ref[k][c]) {
					t.Fatalf("workers=%d: run %d value %d differs", w, k, c)
				}
			}
		}
	}
}

// directOutputs lets a process write straight into the market only where
// its outputs are one run of consecutive prices or of consecutive signals.
func TestDirectOutputs(t *testing.T) {
	m := &market.Market{Prices: make([]float64, 4), Signals: make([]float64, 3)}
	tests := []struct {
		outputs []int
		dim     int
		want    []float64 // the slice expected, nil for a relayed process
	}{
		{[]int{1}, 1, m.Prices[1:2]},
		{[]int{1, 2, 3}, 3, m.Prices[1:4]},
		{[]int{^0}, 1, m.Signals[0:1]},
		{[]int{^1, ^2}, 2, m.Signals[1:3]},
		{[]int{2, 1}, 2, nil},  // out of order
		{[]int{1, 3}, 2, nil},  // a gap
		{[]int{3, ^0}, 2, nil}, // a price then a signal
		{[]int{^2, 3}, 2, nil}, // a signal then a price
		{[]int{1}, 2, nil},     // fewer outputs than values
		{[]int{}, 0, nil},      // nothing to write
	}
	for _, tc := range tests {
		got := directOutputs(m, tc.outputs, tc.dim)
		if (got == nil) != (tc.want == nil) || got != nil && (len(got) != len(tc.want) || &got[0] != &tc.want[0]) {
			t.Errorf("directOutputs(%v, %d) = %p[%d], want %p[%d]", tc.outputs, tc.dim, got, len(got), tc.want, len(tc.want))
		}
		if got != nil && cap(got) != len(got) {
			t.Errorf("directOutputs(%v, %d): capacity %d lets a process write past its outputs", tc.outputs, tc.dim, cap(got))
		}
	}
}
