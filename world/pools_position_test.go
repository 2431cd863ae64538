package world

import (
	"math"
	"strings"
	"testing"
)

// Two providers' Uniswap v3 ranges among full-range background liquidity
// in an ETH/USDC pool, arbitraged to a GBM: the price is in the wide range
// (1,000–4,000) whenever it is in the narrow one (1,900–2,100), so the
// wide position's time in range is never less, run by run; the narrow
// one's fees per dollar deposited are higher on average (concentration);
// the difference's 95% interval over 40 runs excludes zero.
func TestLPPositionAmongBackground(t *testing.T) {
	const src = `name: ranges
horizon: 5d
step: 1h
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, volatility: 4%/day}
mechanisms:
  pool: {type: uniswap_v3, tokens: [ETH, USDC], fee: 0.3%, price: 2000, positions: [{full_range: true, amounts: [1000, 2_000_000]}]}
agents:
  arb: {type: arbitrageur, pools: [pool], gas: 1}
  noise: {type: noise_trader, pool: pool, rate: 10/hour, size: 20_000}
  narrow: {type: lp_position, pool: pool, lower: 1900, upper: 2100, amounts: [10, 20_000]}
  wide: {type: lp_position, pool: pool, lower: 1000, upper: 4000, amounts: [10, 20_000]}
metrics: [narrow.time_in_range, wide.time_in_range, narrow.fees, wide.fees, narrow.hodl_value, wide.hodl_value, narrow.vs_hodl, wide.vs_hodl]
`
	m := compile(t, src)
	rows := runAll(t, m, 40, 2, 11)
	idx := func(n string) int { return metricIndex(t, m, n) }
	var fn, fw, tn, tw float64
	diff := make([]float64, len(rows))
	for k, r := range rows {
		diff[k] = r[idx("narrow.fees")]/r[idx("narrow.hodl_value")] - r[idx("wide.fees")]/r[idx("wide.hodl_value")]
		if r[idx("wide.time_in_range")] < r[idx("narrow.time_in_range")] {
			t.Errorf("run %d: wide in range %v < narrow %v", k, r[idx("wide.time_in_range")], r[idx("narrow.time_in_range")])
		}
		fn += r[idx("narrow.fees")] / r[idx("narrow.hodl_value")] / float64(len(rows))
		fw += r[idx("wide.fees")] / r[idx("wide.hodl_value")] / float64(len(rows))
		tn += r[idx("narrow.time_in_range")] / float64(len(rows))
		tw += r[idx("wide.time_in_range")] / float64(len(rows))
	}
	t.Logf("mean time in range: narrow %.3f, wide %.3f; mean fees per deposit: narrow %.5f, wide %.5f", tn, tw, fn, fw)
	var ss float64
	for _, d := range diff {
		ss += (d - (fn - fw)) * (d - (fn - fw))
	}
	half := 1.96 * math.Sqrt(ss/float64(len(diff)-1)/float64(len(diff)))
	t.Logf("narrow − wide fees per deposit: %.4f ± %.4f", fn-fw, half)
	if fn-fw-half <= 0 || !(tn < tw) {
		t.Errorf("narrow − wide fees %v ± %v; in range narrow %v, wide %v", fn-fw, half, tn, tw)
	}
}

// Depth to ±2% of a constant-product pair (1,000 ETH, 2,000,000 USDC,
// 0.3% fee): selling Δ of x leaves the marginal price y·x/((x+γΔ)(x+Δ)),
// γ = 0.997, so the sale that lowers it by 2% solves
// γΔ² + x(1+γ)Δ + x²(1 − 1/0.98) = 0; the purchase that raises it by 2% is
// the same equation on the other reserve with 1/1.02. The metrics match
// the roots to 1e-9 (they are whole raw units of the input, found by
// bisection on the pool's own swaps). They are recorded only when named.
func TestPoolDepth(t *testing.T) {
	const src = `name: depth
horizon: 1h
step: 1h
numeraire: USDC
assets:
  ETH: {decimals: 18, price: 2000}
  USDC: {decimals: 6}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000], fee: 0.3%}
metrics: [pool.depth_down_2pct, pool.depth_up_2pct, pool.price]
`
	m := compile(t, src)
	row := runAll(t, m, 1, 1, 1)[0]
	root := func(x, r float64) float64 {
		g := 0.997
		return (-x*(1+g) + math.Sqrt(x*x*(1+g)*(1+g)-4*g*x*x*(1-1/r))) / (2 * g)
	}
	down, up := root(1000, 0.98)*2000, root(2_000_000, 1/1.02)
	t.Logf("depth −2%%: %.2f USDC of ETH (closed form %.2f); +2%%: %.2f USDC (closed form %.2f)", row[0], down, row[1], up)
	if math.Abs(row[0]-down) > 1e-9*down || math.Abs(row[1]-up) > 1e-9*up {
		t.Errorf("depths %v and %v, want %v and %v", row[0], row[1], down, up)
	}
	if d := compile(t, strings.Replace(src, "metrics: [pool.depth_down_2pct, pool.depth_up_2pct, pool.price]", "metrics: [\"pool.*\"]", 1)); len(d.Metrics) != 6 {
		t.Errorf("pool.* selects %d metrics, want the 6 that are not optional", len(d.Metrics))
	}
}
