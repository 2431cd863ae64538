package world

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

// ETH's market price is 1,700 while the pool still says 2,000. An oracle
// reading the pool at the step's start (the default) publishes the 2,000
// the previous step left; one that observes after the arbitrageur's turn
// (observe_after: arb) publishes the pool's price once the arbitrageur has
// closed the gap — 1,700 within the pool's 0.3% fee. An unknown agent is
// an error at the key.
func TestOracleObservesAfterAnAgent(t *testing.T) {
	const src = `name: observe
horizon: 1h
step: 1h
numeraire: USDC
assets:
  ETH: {decimals: 18, price: 1700}
  USDC: {decimals: 6}
mechanisms:
  dex: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [2_000, 4_000_000], fee: 0.3%%}
  feed: {type: chainlink_oracle, asset: ETH, venue: dex, deviation: 0.5%%%s}
agents:
  arb: {type: arbitrageur, pools: [dex]}
  noise: {type: noise_trader, pool: dex, rate: 1/hour, size: 1}
ordering: shuffled
metrics: [feed.price, dex.price]
`
	for _, c := range []struct {
		extra string
		want  float64
		tol   float64
	}{{"", 2000, 1e-9}, {", observe_after: arb", 1700, 0.003}} {
		m := compile(t, fmt.Sprintf(src, c.extra))
		for _, row := range runAll(t, m, 8, 2, 3) {
			if got := row[0]; math.Abs(got/c.want-1) > c.tol {
				t.Errorf("%q: the oracle published %v, want %v", c.extra, got, c.want)
			}
		}
	}
	f, err := scenario.LoadBytes("observe.yaml", []byte(fmt.Sprintf(src, ", observe_after: arbitrageur")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(f); err == nil || !strings.Contains(err.Error(), "observe.yaml:10:") || !strings.Contains(err.Error(), `unknown agent "arbitrageur"`) {
		t.Errorf("an unknown agent: %v", err)
	}
}
