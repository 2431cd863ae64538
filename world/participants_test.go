package world

import (
	"fmt"
	"math"
	"testing"
)

// discountScenario: a fund unwinds 3,000 stETH into a 10k/10k StableSwap
// stETH/ETH pool over a day while stETH's external value stays at ETH's;
// noise traders add two-way flow; patient buyers with the given capital
// (ETH-denominated numeraire) buy whatever trades more than 1% below
// value. Arbitrage is absent on purpose: the buyers are the only bid.
const discountScenario = `
name: discount
horizon: 2d
step: 1h
ordering: listed   # the buyers, last, see each step's whole flow
numeraire: ETH
assets:
  ETH: {decimals: 18}
  stETH: {decimals: 18}
processes:
  steth: {type: gbm, asset: stETH, initial: 1, drift: 0, volatility: 0}
mechanisms:
  pool: {type: stableswap, tokens: [stETH, ETH], balances: [10_000, 10_000], amplification: 50, fee: 0.04%%}
agents:
  fund: {type: scheduled_seller, pool: pool, sell: stETH, total: 3_000, over: 1d}
  noise: {type: noise_trader, pool: pool, rate: 10/hour, size: 20}
  buyers: {type: patient_buyer, pool: pool, buy: stETH, valuation: 99%%, capital: %g}
metrics: [pool.discount, buyers.capital_left, fund.sold]
`

// The discount the selling leaves settles where the buyers' capital runs
// out: more capital, a smaller mean discount at the end, each step of the
// sweep separated by more than its paired 95% interval; with capital left,
// the pool never sells stETH much below the buyers' valuation.
func TestDiscountFallsWithBuyerCapital(t *testing.T) {
	const runs = 40
	capitals := []float64{0, 300, 1000, 3000}
	means := make([]float64, len(capitals))
	disc := make([][]float64, len(capitals))
	for k, c := range capitals {
		m := compile(t, fmt.Sprintf(discountScenario, c))
		d, left := metricIndex(t, m, "pool.discount"), metricIndex(t, m, "buyers.capital_left")
		for _, row := range runAll(t, m, runs, 2, 5) {
			disc[k] = append(disc[k], row[d])
			means[k] += row[d] / runs
			// Buyers stop at P·(1−fee) = 99% of value: a discount of
			// 1 − 0.99·0.9996 = 1.04%, 104 bps.
			if row[left] > 1 && row[d] > 105 {
				t.Errorf("capital %g: discount %.1f bps with %.0f capital left", c, row[d], row[left])
			}
		}
	}
	t.Logf("capital %v: mean discount %v", capitals, means)
	for k := 1; k < len(capitals); k++ {
		// Paired differences: the same seeds give the same noise flow.
		var mu, ss float64
		for r := range runs {
			mu += (disc[k-1][r] - disc[k][r]) / runs
		}
		for r := range runs {
			x := disc[k-1][r] - disc[k][r] - mu
			ss += x * x
		}
		half := 1.96 * math.Sqrt(ss/(runs-1)/runs)
		if mu-half <= 0 {
			t.Errorf("capital %g → %g: discount falls by %.2f ± %.2f bps, want a fall whose interval excludes zero", capitals[k-1], capitals[k], mu, half)
		}
	}
}
