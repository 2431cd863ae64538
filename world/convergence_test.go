package world

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/scenario"
)

// convergenceScenario replays a recorded-like ETH series against a 0.3%
// constant-product pool with one arbitrageur: the step, then the
// arbitrageur's extra keys. Nothing is random: one run is the answer.
const convergenceScenario = `
name: convergence
horizon: 6d
step: %s
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: replay, asset: ETH, file: eth.csv, column: close}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [10_000, 20_000_000], fee: 0.3%%}
agents:
  arb: {type: arbitrageur, pools: [pool], gas: 10%s}
metrics: [arb.profit, pool.volume]
`

// noisyReplay writes a week of 10-minute ETH prices as a replay file sees
// them: a diffusion (80%/yr) observed with independent 0.5% noise on every
// print — bid-ask bounce and bad ticks, the part of a recorded series whose
// variation does not shrink with the interval.
func noisyReplay(t *testing.T) string {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("ts_utc,close\n")
	rng := rand.New(rand.NewPCG(11, 12))
	start := time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC)
	sigma := 0.8 * math.Sqrt(600/(365*86400.0))
	x := math.Log(2000)
	for k := 0; k <= 7*144; k++ {
		fmt.Fprintf(&b, "%s,%.2f\n", start.Add(time.Duration(k)*10*time.Minute).Format(time.RFC3339), math.Exp(x+0.005*rng.NormFloat64()))
		x += sigma * rng.NormFloat64()
	}
	if err := os.WriteFile(filepath.Join(dir, "eth.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func arbProfit(t *testing.T, dir, step, extra string) (profit, volume float64) {
	t.Helper()
	f, err := scenario.LoadBytes(filepath.Join(dir, "convergence.yaml"), []byte(fmt.Sprintf(convergenceScenario, step, extra)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	row := runAll(t, m, 1, 1, 1)[0]
	return row[metricIndex(t, m, "arb.profit")], row[metricIndex(t, m, "pool.volume")]
}

// An arbitrageur who closes every gap completely against an infinitely
// deep price earns more the finer a noisy replay is cut (each print's noise
// is a new gap to close). One whose external market has finite depth that
// recovers over time (depth per hour), or whose capital turns over a few
// times a day, does not: its profit at 10- and 30-minute steps differs by
// less than the stated bound.
func TestArbitrageStepConvergence(t *testing.T) {
	dir := noisyReplay(t)
	u10, _ := arbProfit(t, dir, "10min", "")
	u30, _ := arbProfit(t, dir, "30min", "")
	t.Logf("unlimited: profit 10min %.0f, 30min %.0f", u10, u30)
	if u10 < 1.5*u30 {
		t.Errorf("unlimited arbitrage: profit at 10min %.0f not well above 30min %.0f; the replay is not noisy enough to test anything", u10, u30)
	}
	for _, c := range []struct {
		name, extra string
		bound       float64 // |profit(10min)/profit(30min) − 1| at most
	}{
		{"finite depth", ", depth: 200_000, depth_period: 1h", 0.15},
		{"finite capital", ", capital: 1_000_000, turnover: 2/day", 0.15},
	} {
		p10, v10 := arbProfit(t, dir, "10min", c.extra)
		p30, v30 := arbProfit(t, dir, "30min", c.extra)
		t.Logf("%s: profit 10min %.0f, 30min %.0f (volume %.0f, %.0f)", c.name, p10, p30, v10, v30)
		if r := math.Abs(p10/p30 - 1); r > c.bound {
			t.Errorf("%s: profit at 10min is %.3f× that at 30min, want within %.0f%%", c.name, p10/p30, 100*c.bound)
		}
		if r := math.Abs(v10/v30 - 1); r > 0.10 {
			t.Errorf("%s: volume at 10min is %.3f× that at 30min, want within 10%%", c.name, v10/v30)
		}
	}
}
