package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/experiment"
)

// tiny is a short-horizon scenario for many runs: two policy arms so that
// the paired bootstrap runs on 10,000 pairs too.
const tiny = `
name: tiny
horizon: 5d
step: 1d
sample_every: 1d
seed: 3
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, volatility: 5%/day}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000], fee: 0.3%}
agents:
  arb: {type: arbitrageur, pools: [pool]}
  lp: {type: passive_lp, pool: pool}
compare:
  low_fee: {}
  high_fee: {mechanisms.pool.fee: 1%}
`

// A report of a 10,000-run results directory stays under 5 MB: it holds
// binned and summarised data only, never per-run arrays.
func TestSize10000Runs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20,000 simulations")
	}
	dir := writeResults(t, tiny, experiment.Options{Runs: 10000})
	start := time.Now()
	r, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	t.Logf("report of 2 arms × 10,000 runs × %d metrics: %d bytes, %d charts, made in %v",
		len(r.metrics), buf.Len(), r.Charts(), time.Since(start).Round(time.Millisecond))
	if buf.Len() >= 5<<20 {
		t.Errorf("report is %d bytes, want under 5 MB", buf.Len())
	}
}
