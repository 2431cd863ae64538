package experiment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/world"
)

const regionScenario = `
name: regions
horizon: 30d
step: 1d
runs: 50
numeraire: USDC
assets:
  ETH: {decimals: 18, price: 2000}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, volatility: 4%/day}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000], fee: 0}
agents:
  arb: {type: arbitrageur}
  lp: {type: passive_lp, pool: pool}
sweep:
  mechanisms.pool.fee: [0, 1%]
  processes.eth.volatility: [0%/day, 5%/day]
regions:
  flat: [{metric: lp.lp_hodl, above: 0.999999}]
`

// With no volatility the LP neither gains nor loses; with volatility it
// loses to arbitrage at either fee (there is no noise flow to pay fees):
// the map shows exactly those cells.
func TestRegionMaps(t *testing.T) {
	f, err := scenario.LoadBytes("r.yaml", []byte(regionScenario))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), f, Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "regions.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := "| mechanisms.pool.fee \\ processes.eth.volatility | 0%/day | 5%/day |\n|---|---|---|\n| 0 | ✓ | · |\n| 1% | ✓ | · |\n"
	if !strings.Contains(string(got), want) {
		t.Fatalf("regions.md:\n%s\nwant the grid\n%s", got, want)
	}
}

func TestRegionUnknownMetric(t *testing.T) {
	src := strings.Replace(regionScenario, "metric: lp.lp_hodl", "metric: lp.lp_hold", 1)
	f, err := scenario.LoadBytes("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = world.Compile(f)
	if err == nil || !strings.Contains(err.Error(), `r.yaml:21:19: regions.flat.0.metric: no recorded metric "lp.lp_hold"; did you mean "lp.lp_hodl"?`) {
		t.Fatalf("got %v", err)
	}
}
