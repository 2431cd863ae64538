package world

import (
	"fmt"
	"math"
	"testing"
)

// wstETH from a liquid_staking mechanism as collateral on an Aave market:
// its price is the share rate times ETH's, set before agents act. With 4%
// a year of rewards and a 10% fee the rate compounds by 1 + r·(1 − fee)
// a step exactly (to rounding); no position is liquidated. A 10% slashing
// at 6h cuts the rate, the price and every position's health by 10%:
// borrowers opened at health 1.02–1.08 are all liquidated, and the
// liquidator sells the seized wstETH on the pool.
func TestLiquidStakingCollateral(t *testing.T) {
	const src = `name: lst
horizon: 1d
step: 1h
numeraire: USDC
assets:
  USDC: {decimals: 6}
  ETH: {decimals: 18, price: 2000}
  wstETH: {decimals: 18}
mechanisms:
  staking: {type: liquid_staking, token: wstETH, underlying: ETH, supply: 1_000_000, rate: 1.1, apr: 4%%/yr, fee: 10%%%s}
  dex: {type: uniswap_v2, tokens: [wstETH, USDC], reserves: [50_000, 110_000_000], fee: 0.05%%}
  lend:
    type: aave
    reserves:
      wstETH: {ltv: 80%%, liquidation_threshold: 83%%, liquidation_bonus: 5%%, protocol_fee: 10%%, rates: {optimal: 45%%, slope1: 7%%/yr, slope2: 300%%/yr}}
      USDC: {ltv: 80%%, liquidation_threshold: 85%%, liquidation_bonus: 4.5%%, reserve_factor: 10%%, borrowing: true, deposits: 500_000_000, rates: {optimal: 90%%, slope1: 4%%/yr, slope2: 60%%/yr}}
agents:
  arb: {type: arbitrageur, pools: [dex], gas: 1}
  borrowers: {type: borrowers, market: lend, collateral: wstETH, debt: USDC, count: 50, deposit: 10, health: {from: 1.06, to: 1.08}}
  liquidator: {type: liquidator, market: lend, collateral: wstETH, debt: USDC, venue: dex, capital: 100_000_000}
metrics: [staking.rate, staking.min_rate, staking.slashed, wstETH.price, liquidator.liquidations, lend.bad_debt]
`
	for _, c := range []struct {
		slash string
		liq   bool
	}{{"", false}, {", slashing: [{at: 6h, fraction: 10%}]", true}} {
		m := compile(t, fmt.Sprintf(src, c.slash))
		row := runAll(t, m, 1, 1, 4)[0]
		get := func(n string) float64 { return row[metricIndex(t, m, n)] }
		rate, price, liq := get("staking.rate"), get("wstETH.price"), get("liquidator.liquidations")
		t.Logf("slashing %q: rate %.9f (min %.6f), price %.2f, %v liquidations, bad debt %.0f", c.slash, rate, get("staking.min_rate"), price, liq, get("lend.bad_debt"))
		if math.Abs(price-2000*rate) > 1e-9*price {
			t.Errorf("price %v, want rate × 2000 = %v", price, 2000*rate)
		}
		r := 0.04 / (365 * 24)
		want := 1.1 * math.Pow(1+r*0.9, 24)
		if c.liq {
			want *= 0.9
		}
		if math.Abs(rate-want) > 1e-12 {
			t.Errorf("rate %.15f, want %.15f", rate, want)
		}
		if (liq > 0) != c.liq || c.liq && liq < 50 {
			t.Errorf("%v liquidations", liq)
		}
	}
}

// A fund dumps 5,000 stETH into a 10k/10k pool over 12 hours; buyers with
// 1,000 ETH value stETH at 99.5% of its redemption value. Without
// withdrawals (2022) they spend their capital and hold; the discount ends
// where the dump left it. With withdrawals paid at 500 ETH a day of
// churn, every purchase is queued, the capital comes back as the queue
// pays, the buyers buy again, and the discount ends smaller. With the
// churn unlimited, smaller still.
func TestRedeemingBuyersCloseTheDiscount(t *testing.T) {
	const src = `name: redeem
horizon: 3d
step: 1h
numeraire: ETH
assets:
  ETH: {decimals: 18}
  stETH: {decimals: 18}
mechanisms:
  lido: {type: liquid_staking, token: stETH, underlying: ETH, supply: 1_000_000%s}
  pool: {type: stableswap, tokens: [stETH, ETH], balances: [10_000, 10_000], amplification: 50, fee: 0.04%%}
agents:
  fund: {type: scheduled_seller, pool: pool, sell: stETH, total: 5_000, over: 12h}
  buyers: {type: patient_buyer, pool: pool, buy: stETH, valuation: 99.5%%, capital: 1_000, redeem: lido}
metrics: [pool.discount, buyers.spent, buyers.redeemed, buyers.queued, lido.withdrawn, lido.queued]
`
	var prev float64
	for k, w := range []string{"", ", withdrawals: true, churn: 500/day", ", withdrawals: true"} {
		m := compile(t, fmt.Sprintf(src, w))
		row := runAll(t, m, 1, 1, 2)[0]
		get := func(n string) float64 { return row[metricIndex(t, m, n)] }
		d := get("pool.discount")
		t.Logf("%q: discount %.1f bps, spent %.0f, redeemed %.0f, %v queued, queue paid %.0f, still queued %.0f", w, d, get("buyers.spent"), get("buyers.redeemed"), get("buyers.queued"), get("lido.withdrawn"), get("lido.queued"))
		if k == 0 && (get("buyers.queued") != 0 || get("buyers.redeemed") != 0) {
			t.Errorf("without withdrawals the buyers queued %v", get("buyers.queued"))
		}
		if k > 0 && !(get("buyers.redeemed") > 0 && d < prev) {
			t.Errorf("%q: redeemed %v, discount %v after %v: want redemptions and a smaller discount", w, get("buyers.redeemed"), d, prev)
		}
		if math.Abs(get("buyers.redeemed")-get("lido.withdrawn")) > 1e-6*get("lido.withdrawn") {
			t.Errorf("buyers got %v back, the queue paid %v", get("buyers.redeemed"), get("lido.withdrawn"))
		}
		prev = d
	}
}
