package world

import (
	"context"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
)

const orderingScenario = `
name: ordering
ordering: ORDER
horizon: 30d
step: 1h
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, drift: 0%/yr, volatility: 4%/day}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000], fee: 0.3%}
agents:
  arb: {type: arbitrageur, pools: [pool], gas: 0}
  noise: {type: noise_trader, pool: pool, rate: 10/h, size: 50_000}
metrics: [pool.volume, arb.profit]
`

func orderingRuns(t *testing.T, order string, workers int) [][]float64 {
	t.Helper()
	m := compile(t, strings.Replace(orderingScenario, "ORDER", order, 1))
	var out [][]float64
	err := engine.Run(context.Background(), m, engine.Config{Runs: 6, Seed: 9, Workers: workers}, func(o *engine.Outcome) error {
		out = append(out, append([]float64(nil), o.Scalars...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOrdering checks that a shuffled order is a function of the run's
// seed alone (the same results for 1 and 2 workers, and on a repeat) and
// that it is really applied: the arbitrageur's profit differs from the
// listed order, where it always trades before the noise trader.
func TestOrdering(t *testing.T) {
	a, b := orderingRuns(t, "shuffled", 1), orderingRuns(t, "shuffled", 2)
	for r := range a {
		for k := range a[r] {
			if a[r][k] != b[r][k] {
				t.Fatalf("run %d metric %d: %v with 1 worker, %v with 2", r, k, a[r][k], b[r][k])
			}
		}
	}
	listed := orderingRuns(t, "listed", 2)
	same := 0
	for r := range a {
		if a[r][1] == listed[r][1] {
			same++
		}
	}
	if same == len(a) {
		t.Errorf("shuffled and listed orders gave the same arbitrage profit in all %d runs", len(a))
	}
}
