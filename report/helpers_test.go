package report

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"
)

// base is a small scenario: a constant-product pool under noise trading and
// arbitrage, with an LP. The tests add a sweep and a compare block.
const base = `
name: report-test
description: Report test scenario.
horizon: 30d
step: 1d
sample_every: 2d
runs: 200
seed: 7
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, volatility: 5%/day}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000], fee: 0.3%}
agents:
  noise: {type: noise_trader, pool: pool, rate: 20/day, size: 5000}
  arb: {type: arbitrageur, pools: [pool], gas: 5}
  lp: {type: passive_lp, pool: pool}
metrics: [lp.lp_hodl, pool.fees, pool.lvr, arb.gas, ETH.price]
`

// Scenarios that between them make every section of a report appear.
const (
	// compareSweep compares two fee policies at two volatilities: the
	// policy comparison, a one-parameter sweep chart and faceted figures.
	compareSweep = base + `
sweep:
  processes.eth.volatility: [3%/day, 6%/day]
compare:
  low_fee: {}
  high_fee: {mechanisms.pool.fee: 1%}
`
	// grid sweeps fee × volatility: heat maps.
	grid = base + `
sweep:
  mechanisms.pool.fee: [0.05%, 0.3%, 1%]
  processes.eth.volatility: [2%/day, 5%/day]
`
	// compareOnly compares two policies at one point.
	compareOnly = base + `
compare:
  low_fee: {}
  high_fee: {mechanisms.pool.fee: 1%}
`
)

// writeResults runs the scenario src and returns its results directory.
func writeResults(t testing.TB, src string, opt experiment.Options) string {
	t.Helper()
	f, err := scenario.LoadBytes("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	opt.Out = filepath.Join(t.TempDir(), "results")
	if _, err := experiment.Run(context.Background(), f, opt); err != nil {
		t.Fatal(err)
	}
	return opt.Out
}
