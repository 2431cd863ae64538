package world

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
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

// A target health the market's LTV cannot reach (82.5%/80%/0.999 = 1.032) is a
// validation error at health.from, not a silent clamp.
func TestBorrowerHealthBelowReach(t *testing.T) {
	const src = `name: reach
horizon: 1d
step: 1h
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 1700, volatility: 1%%/day}
mechanisms:
  lend:
    type: aave
    reserves:
      ETH: {ltv: 80%%, liquidation_threshold: 82.5%%, liquidation_bonus: 5%%, rates: {optimal: 80%%, slope1: 3.8%%/yr, slope2: 80%%/yr}}
      USDC: {ltv: 80%%, liquidation_threshold: 85%%, liquidation_bonus: 4.5%%, borrowing: true, deposits: 100_000_000, rates: {optimal: 90%%, slope1: 4%%/yr, slope2: 60%%/yr}}
agents:
  borrowers: {type: borrowers, market: lend, collateral: ETH, debt: USDC, count: 10, deposit: 100, health: {from: %g, to: 1.8}}
`
	for _, c := range []struct {
		from float64
		ok   bool
	}{{1.02, false}, {1.031, false}, {1.033, true}, {1.2, true}} {
		f, err := scenario.LoadBytes("reach.yaml", []byte(fmt.Sprintf(src, c.from)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(f)
		switch {
		case c.ok && err != nil:
			t.Errorf("health from %g: %v", c.from, err)
		case !c.ok && err == nil:
			t.Errorf("health from %g compiled", c.from)
		case !c.ok && !strings.Contains(err.Error(), "reach.yaml:17:115") || !c.ok && !strings.Contains(err.Error(), "health.from"):
			t.Errorf("health from %g: error does not name the position: %v", c.from, err)
		}
	}
}

// Seized LST collateral against a USDC debt reaches USDC through the
// LST/ETH and ETH/USDC pools: every liquidation's sale is routed across
// both (no arbitrageur trades here, so their volume is the liquidator's).
func TestLiquidatorRoutesTwoPools(t *testing.T) {
	const src = `name: route
horizon: 1d
step: 1h
numeraire: USDC
assets:
  LST: {decimals: 18}
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  lst: {type: gbm, asset: LST, initial: 2000, drift: -40%/day, volatility: 0}
  eth: {type: gbm, asset: ETH, initial: 2000, drift: -40%/day, volatility: 0}
mechanisms:
  lst_eth: {type: uniswap_v2, tokens: [LST, ETH], reserves: [5_000, 5_000], fee: 0.05%}
  eth_usdc: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [5_000, 10_000_000], fee: 0.3%}
  lend:
    type: aave
    reserves:
      LST: {ltv: 70%, liquidation_threshold: 80%, liquidation_bonus: 5%, rates: {optimal: 80%, slope1: 3.8%/yr, slope2: 80%/yr}}
      USDC: {ltv: 80%, liquidation_threshold: 85%, liquidation_bonus: 4.5%, borrowing: true, deposits: 100_000_000, rates: {optimal: 90%, slope1: 4%/yr, slope2: 60%/yr}}
agents:
  borrowers: {type: borrowers, market: lend, collateral: LST, debt: USDC, count: 20, deposit: 10, health: {from: 1.2, to: 1.5}}
  liquidator: {type: liquidator, market: lend, collateral: LST, debt: USDC, route: true, capital: 1_000_000}
metrics: [liquidator.liquidations, liquidator.routed, liquidator.profit, lst_eth.volume, eth_usdc.volume]
`
	m := compile(t, src)
	row := runAll(t, m, 1, 1, 1)[0]
	get := func(name string) float64 { return row[metricIndex(t, m, name)] }
	liq, routed := get("liquidator.liquidations"), get("liquidator.routed")
	t.Logf("liquidations %v, routed %v, profit %.0f, volumes %.0f and %.0f", liq, routed, get("liquidator.profit"), get("lst_eth.volume"), get("eth_usdc.volume"))
	if liq == 0 || routed != liq {
		t.Errorf("%v liquidations, %v routed sales: want every sale routed", liq, routed)
	}
	if !(get("lst_eth.volume") > 0 && get("eth_usdc.volume") > 0) {
		t.Error("a pool of the route saw no volume")
	}
}

// A run on DAI in a 3-coin StableSwap pool (A = 20): a fund dumps DAI for
// USDT within an hour; holders of 5M DAI with thresholds from 0.2% to 3%
// below the peg run into USDC in four rounds a step. A dump that crosses
// no threshold moves nobody; one that crosses the lowest sets off the
// rest, each seller's sale crossing the next thresholds: the whole
// population runs and sells five times the dump.
func TestRunnersOnAPeggedAsset(t *testing.T) {
	const src = `name: run
horizon: 6h
step: 1h
numeraire: USDC
assets:
  USDC: {decimals: 6}
  DAI: {decimals: 18, price: 1}
  USDT: {decimals: 6, price: 1}
mechanisms:
  curve: {type: stableswap, tokens: [USDC, DAI, USDT], balances: [10_000_000, 10_000_000, 10_000_000], amplification: 20, fee: 0.04%%}
agents:
  fund: {type: scheduled_seller, pool: curve, sell: DAI, get: USDT, total: %g, over: 1h}
  holders: {type: runners, pool: curve, asset: DAI, into: USDC, count: 100, holdings: 5_000_000, threshold: {from: 0.2%%, to: 3%%}, rounds: 4}
metrics: [holders.runners, holders.sold, curve.volume]
`
	for _, c := range []struct{ dump, runners, sold float64 }{{1, 0, 0}, {500_000, 0, 0}, {1_000_000, 100, 5_000_000}} {
		m := compile(t, fmt.Sprintf(src, c.dump))
		row := runAll(t, m, 1, 1, 3)[0]
		n, sold := row[metricIndex(t, m, "holders.runners")], row[metricIndex(t, m, "holders.sold")]
		t.Logf("dump %g DAI: %v runners sold %.0f DAI", c.dump, n, sold)
		if n != c.runners || math.Abs(sold-c.sold) > 1e-6*c.sold {
			t.Errorf("dump %g DAI: %v runners sold %v, want %v selling %v", c.dump, n, sold, c.runners, c.sold)
		}
	}
}

// DAI backed by USDC through a peg stability module: the first holders to
// run find their best route in the PSM (DAI → USDC 1:1 less tout) rather
// than the depressed pool, so their exits do not push the pool's price
// through the next thresholds. With 3M USDC in the PSM, 5 of 100 holders
// run, redeeming 250k DAI there, and the pool ends at 1.0044 DAI per USDC;
// with an empty PSM all 100 run through the pool and it ends at 1.0844.
func TestRunIntoPSM(t *testing.T) {
	const src = `name: psm_run
horizon: 6h
step: 1h
numeraire: USDC
assets:
  USDC: {decimals: 6}
  DAI: {decimals: 18, price: 1}
  USDT: {decimals: 6, price: 1}
mechanisms:
  curve: {type: stableswap, tokens: [USDC, DAI, USDT], balances: [10_000_000, 10_000_000, 10_000_000], amplification: 20, fee: 0.04%%}
  psm: {type: psm, tokens: [USDC, DAI], tin: 0.1%%, tout: 0.1%%, ceiling: 50_000_000, gem: %g}
agents:
  fund: {type: scheduled_seller, pool: curve, sell: DAI, get: USDT, total: 1_000_000, over: 1h}
  holders: {type: runners, pool: curve, asset: DAI, into: USDC, count: 100, holdings: 5_000_000, threshold: {from: 0.2%%, to: 3%%}, rounds: 4}
metrics: [holders.runners, holders.sold, curve.price, psm.volume]
`
	run := func(gem float64) (runners, price, psmVol float64) {
		m := compile(t, fmt.Sprintf(src, gem))
		row := runAll(t, m, 1, 1, 3)[0]
		return row[metricIndex(t, m, "holders.runners")], row[metricIndex(t, m, "curve.price")], row[metricIndex(t, m, "psm.volume")]
	}
	n0, p0, v0 := run(1)         // a PSM with nothing in it
	n1, p1, v1 := run(3_000_000) // 3M USDC to redeem against
	t.Logf("without USDC in the PSM: %v runners, DAI per USDC on the pool %.4f, PSM volume %.0f", n0, p0, v0)
	t.Logf("with 3M USDC in the PSM: %v runners, DAI per USDC on the pool %.4f, PSM volume %.0f", n1, p1, v1)
	if !(v1 > 0) || v0 > 1 {
		t.Errorf("PSM volume %v with 3M USDC, %v without", v1, v0)
	}
	if !(n1 < n0 && p1 < p0) {
		t.Errorf("with the PSM %v runners and %v DAI per USDC, without %v and %v: want fewer runners and a price nearer the peg", n1, p1, n0, p0)
	}
}

// USDC at 90 cents outside while DAI, which has no market of its own,
// trades at par in its pool: the route arbitrageur buys USDC, mints DAI
// 1:1 in the PSM and sells it on the pool. With room under the ceiling it
// stops where the route no longer pays, DAI's pool price at USDC's within
// the pool's fee; with 1M of room it mints up to the ceiling and DAI stays
// above USDC. The
// arbitrageur given markets for USDT and USDP only leaves DAI alone, and
// the peg monitor sees DAI's fall.
func TestRouteArbitrageThroughPSM(t *testing.T) {
	const src = `name: psm_arb
horizon: 3h
step: 1h
numeraire: USDT
assets:
  USDT: {decimals: 6}
  USDC: {decimals: 6, price: 0.9}
  USDP: {decimals: 18, price: 1}
  DAI: {decimals: 18, price: 1}
mechanisms:
  curve: {type: stableswap, tokens: [USDT, DAI, USDP], balances: [10_000_000, 10_000_000, 10_000_000], amplification: 100, fee: 0.04%%}
  psm: {type: psm, tokens: [USDC, DAI], tin: 0, tout: 0, ceiling: %g, gem: 5_000_000}
  dai_peg: {type: peg, asset: DAI, venue: curve, quote: USDT, band: 1%%}
agents:
  arb: {type: arbitrageur, pools: [curve], assets: [USDT, USDP], gas: 1}
  route: {type: route_arbitrageur, assets: [USDC, USDT, USDP], gas: 1}
metrics: [psm.balance_USDC, dai_peg.peg, dai_peg.max_peg_deviation, route.trades, route.profit, arb.trades]
`
	for _, c := range []struct {
		ceiling float64
		capped  bool
	}{{100_000_000, false}, {6_000_000, true}} {
		m := compile(t, fmt.Sprintf(src, c.ceiling))
		row := runAll(t, m, 1, 1, 1)[0]
		gem, dai := row[metricIndex(t, m, "psm.balance_USDC")], row[metricIndex(t, m, "dai_peg.peg")]
		t.Logf("ceiling %g: PSM holds %.0f USDC, DAI at %.4f, %v route trades, profit %.0f, %v plain trades, max deviation %.4f", c.ceiling, gem, dai,
			row[metricIndex(t, m, "route.trades")], row[metricIndex(t, m, "route.profit")], row[metricIndex(t, m, "arb.trades")], row[metricIndex(t, m, "dai_peg.max_peg_deviation")])
		if !(row[metricIndex(t, m, "route.profit")] > 0) {
			t.Errorf("ceiling %g: no route profit", c.ceiling)
		}
		if c.capped {
			// The search stops within 1e-7 of the amount, relative: a
			// tenth of a USDC on the 1M of room.
			if 6_000_000-gem > 1 || gem > 6_000_000 || dai < 0.9/(1-0.0004) {
				t.Errorf("ceiling 6M: PSM holds %v, DAI at %v: want the ceiling reached and DAI above USDC", gem, dai)
			}
			continue
		}
		if gem <= 5_000_000 || gem >= c.ceiling || math.Abs(dai-0.9) > 0.9*0.0005 {
			t.Errorf("ceiling %g: PSM holds %v, DAI at %v: want DAI at USDC's 0.9 within the fee", c.ceiling, gem, dai)
		}
		if d := row[metricIndex(t, m, "dai_peg.max_peg_deviation")]; math.Abs(d-(1-dai)) > 1e-3 {
			t.Errorf("max deviation %v, DAI ends at %v", d, dai)
		}
	}
}

// Runners who watch the news — USDC's external price at 90 cents, not
// DAI's own, which is at par — run if their threshold is below 10%; with
// over: 4h each sells a quarter of its holding a step. Thresholds uniform
// in 5%–15%: about half of 1,000 holders run; after two steps they have
// sold exactly half of what they hold.
func TestRunnersOnNewsOverSteps(t *testing.T) {
	const src = `name: news
horizon: 2h
step: 1h
numeraire: USDT
assets:
  USDT: {decimals: 6}
  USDC: {decimals: 6, price: 0.9}
  DAI: {decimals: 18, price: 1}
mechanisms:
  curve: {type: stableswap, tokens: [USDT, DAI], balances: [100_000_000, 100_000_000], amplification: 100, fee: 0.04%%}
agents:
  news: {type: runners, pool: curve, asset: DAI, into: USDT, watch: USDC, count: 1000, holdings: 1_000_000, threshold: {from: 5%%, to: 15%%}, over: %s}
metrics: [news.runners, news.sold]
`
	for _, c := range []struct {
		over string
		part float64
	}{{"4h", 0.5}, {"1h", 1}} {
		m := compile(t, fmt.Sprintf(src, c.over))
		row := runAll(t, m, 1, 1, 7)[0]
		n, sold := row[metricIndex(t, m, "news.runners")], row[metricIndex(t, m, "news.sold")]
		t.Logf("over %s: %v runners sold %.2f DAI", c.over, n, sold)
		// Binomial(1000, 1/2): 4 standard deviations is ±63.
		if math.Abs(n-500) > 63 {
			t.Errorf("over %s: %v runners, want about 500", c.over, n)
		}
		if want := n * 1000 * c.part; math.Abs(sold-want) > 1e-9*want {
			t.Errorf("over %s: sold %v, want %v", c.over, sold, want)
		}
	}
}

// A fund unwinds 3,000 stETH into a 10k/10k StableSwap pool over a day.
// Liquidity providers holding half the pool leave once the discount
// passes their threshold (0.2%–1%): all 20 of them leave, the pool is
// half as deep, and the discount ends deeper than with providers who
// stay. Taking ETH alone when they leave (as in June 2022) leaves the
// pool more lopsided still. Providers who return once the discount is
// back under their threshold, with buyers closing it, come back.
func TestLiquidityProvidersLeave(t *testing.T) {
	const src = `name: lps
horizon: 1d
step: 1h
numeraire: ETH
assets:
  ETH: {decimals: 18}
  stETH: {decimals: 18, price: 1}
mechanisms:
  pool: {type: stableswap, tokens: [stETH, ETH], balances: [10_000, 10_000], amplification: 50, fee: 0.04%%}
agents:
  fund: {type: scheduled_seller, pool: pool, sell: stETH, total: 3_000, over: 12h}
  lps: {type: liquidity_providers, pool: pool, count: 20, share: 50%%, rules: {discount: {from: %s, to: %s}}, withdraw: %s}
metrics: [pool.discount, pool.balance_ETH, lps.in_pool, lps.withdrawals, lps.share, lps.vs_hodl]
`
	run := func(from, to, withdraw string) map[string]float64 {
		m := compile(t, fmt.Sprintf(src, from, to, withdraw))
		row := runAll(t, m, 1, 1, 5)[0]
		out := map[string]float64{}
		for _, n := range []string{"pool.discount", "pool.balance_ETH", "lps.in_pool", "lps.withdrawals", "lps.share", "lps.vs_hodl"} {
			out[n] = row[metricIndex(t, m, n)]
		}
		t.Logf("thresholds %s–%s, withdraw %s: %v", from, to, withdraw, out)
		return out
	}
	stay := run("90%", "90%", "balanced")
	leave := run("0.2%", "1%", "balanced")
	eth := run("0.2%", "1%", "ETH")
	if stay["lps.in_pool"] != 20 || stay["lps.withdrawals"] != 0 || math.Abs(stay["lps.share"]-0.5) > 1e-9 {
		t.Errorf("providers with a 90%% threshold: %v", stay)
	}
	if leave["lps.in_pool"] != 0 || leave["lps.withdrawals"] != 20 || leave["lps.share"] != 0 {
		t.Errorf("providers who leave: %v", leave)
	}
	if !(leave["pool.discount"] > stay["pool.discount"] && eth["pool.discount"] > leave["pool.discount"]) {
		t.Errorf("end discounts: stay %v, leave balanced %v, leave in ETH %v: want each deeper", stay["pool.discount"], leave["pool.discount"], eth["pool.discount"])
	}
	if !(eth["pool.balance_ETH"] < leave["pool.balance_ETH"]) {
		t.Errorf("ETH left in the pool: %v after single-coin exits, %v after balanced ones", eth["pool.balance_ETH"], leave["pool.balance_ETH"])
	}
}

// Providers who leave at a 0.2%–1% discount and return: once buyers
// valuing stETH at par close the discount after the dump, every one of
// them comes back.
func TestLiquidityProvidersReturn(t *testing.T) {
	const src = `name: lps
horizon: 2d
step: 1h
numeraire: ETH
assets:
  ETH: {decimals: 18}
  stETH: {decimals: 18, price: 1}
mechanisms:
  pool: {type: stableswap, tokens: [stETH, ETH], balances: [10_000, 10_000], amplification: 50, fee: 0.04%}
agents:
  fund: {type: scheduled_seller, pool: pool, sell: stETH, total: 3_000, over: 6h}
  buyers: {type: patient_buyer, pool: pool, buy: stETH, valuation: 100%, capital: 10_000, max_per_step: 100}
  lps: {type: liquidity_providers, pool: pool, count: 20, share: 50%, rules: {discount: {from: 0.2%, to: 1%}}, return: true}
metrics: [pool.discount, lps.in_pool, lps.withdrawals, lps.returns, lps.share]
`
	m := compile(t, src)
	row := runAll(t, m, 1, 1, 5)[0]
	get := func(n string) float64 { return row[metricIndex(t, m, n)] }
	t.Logf("discount %.1f bps, %v in the pool, %v withdrawals, %v returns, share %.3f", get("pool.discount"), get("lps.in_pool"), get("lps.withdrawals"), get("lps.returns"), get("lps.share"))
	if get("lps.withdrawals") == 0 || get("lps.returns") != get("lps.withdrawals") || get("lps.in_pool") != 20 {
		t.Errorf("want every provider that left back in the pool")
	}
}

// The yield rule: with 10%/yr elsewhere and a pool that earns no fees
// (nobody trades), every provider whose threshold is below 10% leaves in
// the first step; with nothing elsewhere, nobody does.
func TestLiquidityProvidersYieldElsewhere(t *testing.T) {
	const src = `name: lps
horizon: 2h
step: 1h
numeraire: ETH
assets:
  ETH: {decimals: 18}
  stETH: {decimals: 18, price: 1}
mechanisms:
  pool: {type: uniswap_v2, tokens: [stETH, ETH], reserves: [10_000, 10_000], fee: 0.3%%}
agents:
  lps: {type: liquidity_providers, pool: pool, count: 100, share: 100%%, rules: {yield: {from: 5%%, to: 15%%}}, elsewhere: %s}
metrics: [lps.in_pool, lps.withdrawals]
`
	for _, c := range []struct {
		elsewhere string
		out       bool
	}{{"0/yr", false}, {"10%/yr", true}} {
		m := compile(t, fmt.Sprintf(src, c.elsewhere))
		row := runAll(t, m, 1, 1, 3)[0]
		in, w := row[metricIndex(t, m, "lps.in_pool")], row[metricIndex(t, m, "lps.withdrawals")]
		t.Logf("elsewhere %s: %v in the pool, %v withdrawals", c.elsewhere, in, w)
		// Binomial(100, 1/2) leave: 4 standard deviations is ±20.
		if in+w != 100 || (w > 0) != c.out || c.out && math.Abs(w-50) > 20 {
			t.Errorf("elsewhere %s: %v in, %v out", c.elsewhere, in, w)
		}
	}
}

// Borrowers of USDC against LST who keep their targets (band 5%) as LST
// falls deleverage by selling LST for USDC along LST→ETH→USDC, the only
// route: both pools see the sales, nobody is liquidated (there is no
// liquidator, and the deleveraging keeps every position above health 1),
// and without a route (no venue either) the same borrowers cannot
// deleverage and end liquidatable.
func TestDeleveragingBorrowersRoute(t *testing.T) {
	const src = `name: delever
horizon: 1d
step: 1h
numeraire: USDC
assets:
  LST: {decimals: 18}
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  lst: {type: gbm, asset: LST, initial: 2000, drift: -30%%/day, volatility: 0}
  eth: {type: gbm, asset: ETH, initial: 2000, drift: -30%%/day, volatility: 0}
mechanisms:
  lst_eth: {type: uniswap_v2, tokens: [LST, ETH], reserves: [50_000, 50_000], fee: 0.05%%}
  eth_usdc: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [50_000, 100_000_000], fee: 0.3%%}
  lend:
    type: aave
    reserves:
      LST: {ltv: 70%%, liquidation_threshold: 80%%, liquidation_bonus: 5%%, rates: {optimal: 80%%, slope1: 3.8%%/yr, slope2: 80%%/yr}}
      USDC: {ltv: 80%%, liquidation_threshold: 85%%, liquidation_bonus: 4.5%%, borrowing: true, deposits: 100_000_000, rates: {optimal: 90%%, slope1: 4%%/yr, slope2: 60%%/yr}}
agents:
  arb: {type: arbitrageur, pools: [lst_eth, eth_usdc], gas: 1}
  borrowers: {type: borrowers, market: lend, collateral: LST, debt: USDC, count: 20, deposit: 10, health: {from: 1.3, to: 1.5}, band: 5%%%s}
metrics: [borrowers.deleveraged, borrowers.liquidatable, lst_eth.volume, eth_usdc.volume]
`
	for _, c := range []struct {
		extra string
		route bool
	}{{", route: true", true}, {"", false}} {
		m := compile(t, fmt.Sprintf(src, c.extra))
		row := runAll(t, m, 1, 1, 1)[0]
		get := func(name string) float64 { return row[metricIndex(t, m, name)] }
		t.Logf("%q: deleveraged %.0f, %v liquidatable, volumes %.0f and %.0f", c.extra, get("borrowers.deleveraged"), get("borrowers.liquidatable"), get("lst_eth.volume"), get("eth_usdc.volume"))
		if c.route && (!(get("borrowers.deleveraged") > 0) || get("borrowers.liquidatable") != 0) {
			t.Errorf("with a route: deleveraged %v, %v liquidatable", get("borrowers.deleveraged"), get("borrowers.liquidatable"))
		}
		if !c.route && (get("borrowers.deleveraged") != 0 || get("borrowers.liquidatable") == 0) {
			t.Errorf("without a route: deleveraged %v, %v liquidatable", get("borrowers.deleveraged"), get("borrowers.liquidatable"))
		}
	}
}

// The volatility and loss rules. ETH moves 10% a day (a GBM) and an
// arbitrageur keeps a constant-product pool at its price: providers whose
// volatility threshold is 1%–2% per √day all leave, those at 50%–60% stay;
// with ETH falling 50% over the run (no volatility) the position loses
// 2√r/(1+r) − 1 = 5.7% against holding, so providers whose loss threshold
// is 1%–5% all leave and those at 10%–20% stay.
func TestLiquidityProvidersVolatilityAndLoss(t *testing.T) {
	const src = `name: lps
horizon: 3d
step: 1h
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2000, drift: %s, volatility: %s}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1_000, 2_000_000], fee: 0.05%%}
agents:
  arb: {type: arbitrageur, pools: [pool]}
  lps: {type: liquidity_providers, pool: pool, count: 20, share: 50%%, rules: {%s: {from: %s, to: %s}}, half_life: 12h}
metrics: [lps.in_pool, lps.volatility]
`
	for _, c := range []struct {
		drift, vol, rule, from, to string
		in                         float64
	}{
		{"0/day", "10%/day", "volatility", "1%", "2%", 0},
		{"0/day", "10%/day", "volatility", "50%", "60%", 20},
		{"-23.1%/day", "0/day", "loss", "1%", "5%", 0},
		{"-23.1%/day", "0/day", "loss", "10%", "20%", 20},
	} {
		m := compile(t, fmt.Sprintf(src, c.drift, c.vol, c.rule, c.from, c.to))
		row := runAll(t, m, 1, 1, 6)[0]
		in, vol := row[metricIndex(t, m, "lps.in_pool")], row[metricIndex(t, m, "lps.volatility")]
		t.Logf("%s %s–%s (drift %s, volatility %s): %v in the pool, estimated volatility %.3f/√day", c.rule, c.from, c.to, c.drift, c.vol, in, vol)
		if in != c.in {
			t.Errorf("%s %s–%s: %v providers in the pool, want %v", c.rule, c.from, c.to, in, c.in)
		}
	}
}
