package world

import (
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

// allTypes uses every lending and stablecoin type; each case of
// TestLendingStablecoinErrors breaks one line of it.
var allTypesScenario = []string{
	"name: all",                        // 1
	"horizon: 1d",                      // 2
	"step: 1h",                         // 3
	"numeraire: USDC",                  // 4
	"assets:",                          // 5
	"  ETH: {decimals: 18}",            // 6
	"  DAI: {decimals: 18, price: 1}",  // 7
	"  USDC: {decimals: 6}",            // 8
	"  UST: {decimals: 6, price: 1}",   // 9
	"  LUNA: {decimals: 6, price: 80}", // 10
	"processes:",                       // 11
	"  eth: {type: gbm, asset: ETH, initial: 2000, volatility: 5%/day}",       // 12
	"  gas: {type: gbm, signal: gas_price, initial: 30, volatility: 20%/day}", // 13
	"mechanisms:", // 14
	"  dex: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 2_000_000]}",    // 15
	"  eth_dai: {type: uniswap_v2, tokens: [ETH, DAI], reserves: [1000, 2_000_000]}", // 16
	"  twap: {type: twap_oracle, asset: ETH, venue: dex, window: 3h, lag: 1h}",       // 17
	"  feed: {type: chainlink_oracle, asset: ETH, deviation: 0.5%, heartbeat: 1h}",   // 18
	"  lend:",        // 19
	"    type: aave", // 20
	"    reserves:",  // 21
	"      ETH: {ltv: 80%, liquidation_threshold: 82.5%, liquidation_bonus: 5%, oracle: twap, rates: {optimal: 80%, slope1: 4%/yr, slope2: 80%/yr}}",                           // 22
	"      USDC: {ltv: 80%, liquidation_threshold: 85%, liquidation_bonus: 4.5%, borrowing: true, deposits: 10_000_000, rates: {optimal: 90%, slope1: 4%/yr, slope2: 60%/yr}}", // 23
	"  comp:",                       // 24
	"    type: compound",            // 25
	"    close_factor: 50%",         // 26
	"    liquidation_incentive: 8%", // 27
	"    markets:",                  // 28
	"      ETH: {collateral_factor: 75%, oracle: feed, rates: {multiplier: 10%/yr, jump: 100%/yr, kink: 80%}}",                           // 29
	"      USDC: {collateral_factor: 75%, borrowing: true, deposits: 10_000_000, rates: {multiplier: 20%/yr, jump: 100%/yr, kink: 80%}}", // 30
	"  mkr:",              // 31
	"    type: maker",     // 32
	"    stablecoin: DAI", // 33
	"    ilks:",           // 34
	"      ETH-A: {collateral: ETH, oracle: feed, liquidation_ratio: 150%, stability_fee: 2%/yr, penalty: 13%, dust: 100, auction: {buf: 120%, tail: 2h, cusp: 40%, chip: 0.1%, tip: 100, curve: {type: stairstep, step: 90s, cut: 99%}}}", // 35
	"  terra:",                              // 36
	"    type: terra_market",                // 37
	"    luna: LUNA",                        // 38
	"    stablecoin: UST",                   // 39
	"    base_pool: 50_000_000",             // 40
	"    recovery: 36",                      // 41
	"    min_spread: 0.5%",                  // 42
	"    luna_supply: 350_000_000",          // 43
	"    stablecoin_supply: 18_000_000_000", // 44
	"  anchor: {type: yield_source, rate: 19.5%/yr, to: 4%/yr, from: 6h, over: 12h}", // 45
	"agents:", // 46
	"  borrowers: {type: borrowers, market: lend, collateral: ETH, debt: USDC, count: 20, deposit: 10, health: {from: 1.1, to: 1.5}, band: 10%, venue: dex}",                                 // 47
	"  cborrowers: {type: borrowers, market: comp, collateral: ETH, debt: USDC, count: 20, deposit: 10, health: {from: 1.1, to: 1.5}}",                                                       // 48
	"  liq: {type: liquidator, market: lend, collateral: ETH, debt: USDC, venue: dex, capital: 1_000_000, latency: 1h, gas: {price: gas_price, units: 300_000, asset: ETH, max_price: 200}}", // 49
	"  vaults: {type: vault_owners, maker: mkr, ilk: ETH-A, count: 20, collateral: 10, ratio: {from: 160%, to: 300%}}",                                                                       // 50
	"  keeper: {type: keeper, maker: mkr, ilk: ETH-A, venue: eth_dai, capital: 100_000, margin: 2%, gas: {price: 30, units: 500_000, asset: ETH}}",                                           // 51
	"  holders: {type: stablecoin_holders, market: terra, yield: anchor, count: 10, holdings: 1_000_000_000, depeg: {from: 1%, to: 20%}, required_yield: {from: 5%/yr, to: 15%/yr}}",         // 52
}

func allTypesWith(line int, text string) string {
	lines := append([]string(nil), allTypesScenario...)
	if line > 0 {
		lines[line-1] = text
	}
	return strings.Join(lines, "\n") + "\n"
}

// Every type compiles and runs together, checked every step.
func TestLendingStablecoinTypesRun(t *testing.T) {
	m := compile(t, allTypesWith(0, ""))
	rows := runAll(t, m, 3, 2, 9)
	if len(rows) != 3 {
		t.Fatalf("%d runs", len(rows))
	}
	for _, name := range []string{"lend.bad_debt", "comp.liquidations", "mkr.liquidations", "terra.luna_supply", "anchor.rate",
		"liq.profit", "keeper.profit", "holders.redeemed", "twap.price", "feed.updates", "mkr.time_off_peg"} {
		metricIndex(t, m, name)
	}
}

// Each bad value is reported at its position, with its key path.
func TestLendingStablecoinErrors(t *testing.T) {
	for _, c := range []struct {
		line int
		text string
		want string
	}{
		{22, "      ETH: {ltv: 120%, liquidation_threshold: 82.5%, liquidation_bonus: 5%, oracle: twap, rates: {optimal: 80%, slope1: 4%/yr, slope2: 80%/yr}}",
			"22:18: mechanisms.lend.reserves.ETH.ltv: expected a fraction from 0 to 100%, got 1.2"},
		{22, "      ETH: {ltv: 80%, liquidation_threshold: 82.5%, liquidation_bonus: 5%, oracle: twop, rates: {optimal: 80%, slope1: 4%/yr, slope2: 80%/yr}}",
			`22:84: mechanisms.lend.reserves.ETH.oracle: unknown mechanism "twop"; did you mean "twap"?`},
		{22, "      ETH: {ltv: 80%, liquidation_threshold: 82.5%, liquidation_bonus: 5%, oracle: dex, rates: {optimal: 80%, slope1: 4%/yr, slope2: 80%/yr}}",
			`22:84: mechanisms.lend.reserves.ETH.oracle: pool "dex" is not an oracle`},
		{22, "      ETH: {ltv: 90%, liquidation_threshold: 82.5%, liquidation_bonus: 5%, oracle: twap, rates: {optimal: 80%, slope1: 4%/yr, slope2: 80%/yr}}",
			"22:13: mechanisms.lend.reserves.ETH: the pool rejects this reserve: reverted: INVALID_RESERVE_PARAMS"},
		{17, "  twap: {type: twap_oracle, asset: ETH, venue: dex, window: 90min}",
			"17:61: mechanisms.twap.window: window 90min is not a whole number of 1h steps"},
		{18, "  feed: {type: chainlink_oracle, asset: ETH}",
			"18:10: mechanisms.feed: a chainlink_oracle needs deviation (such as 0.5%), heartbeat (such as 1h), or both"},
		{29, "      ETH: {collateral_factor: 95%, oracle: feed, rates: {multiplier: 10%/yr, jump: 100%/yr, kink: 80%}}",
			"29:32: mechanisms.comp.markets.ETH.collateral_factor: expected a collateral factor from 0 to 90%, got 0.95"},
		{35, "      ETH-A: {collateral: ETH, oracle: feed, liquidation_ratio: 150%, stability_fee: 2%/yr, penalty: 13%, dust: 100, auction: {buf: 120%, tail: 2h, cusp: 40%, chip: 0.1%, tip: 100, curve: {type: stairs, step: 90s, cut: 99%}}}",
			`mechanisms.mkr.ilks.ETH-A.auction.curve.type: unknown curve "stairs"; did you mean "stairstep"?`},
		{35, "      ETH-A: {collateral: USDC, oracle: feed, liquidation_ratio: 150%, stability_fee: 2%/yr, penalty: 13%, dust: 100, auction: {buf: 120%, tail: 2h, cusp: 40%, chip: 0.1%, tip: 100, curve: {type: stairstep, step: 90s, cut: 99%}}}",
			"35:27: mechanisms.mkr.ilks.ETH-A.collateral: USDC has 6 decimals; Vat collateral needs 18"},
		{35, "      ETH-A: {collateral: ETH, oracle: feed, liquidation_ratio: 90%, stability_fee: 2%/yr, penalty: 13%, dust: 100, auction: {buf: 120%, tail: 2h, cusp: 40%, chip: 0.1%, tip: 100, curve: {type: stairstep, step: 90s, cut: 99%}}}",
			"mechanisms.mkr.ilks.ETH-A.liquidation_ratio: expected a liquidation ratio of at least 100%, got 0.9"},
		{38, "    luna: ETH", "38:11: mechanisms.terra.luna: ETH has 18 decimals; the market module (micro units) needs 6"},
		{41, "    recovery: 0", "41:15: mechanisms.terra.recovery: expected a pool recovery period of at least 1 block, got 0"},
		{45, "  anchor: {type: yield_source, rate: 19.5%/yr, to: 4%/yr}",
			`45:12: mechanisms.anchor: missing required key "over"`},
		{47, "  borrowers: {type: borrowers, market: lend, collateral: ETH, debt: USDC, count: 20, deposit: 10, health: {from: 0.9, to: 1.5}}",
			"47:114: agents.borrowers.health.from: expected a target health factor above 1, got 0.9"},
		{47, "  borrowers: {type: borrowers, market: feed, collateral: ETH, debt: USDC, count: 20, deposit: 10, health: {from: 1.1, to: 1.5}}",
			`47:40: agents.borrowers.market: mechanism "feed" is not a lending pool (aave or compound)`},
		{47, "  borrowers: {type: borrowers, market: lend, collateral: ETH, debt: DAI, count: 20, deposit: 10, health: {from: 1.1, to: 1.5}}",
			"47:69: agents.borrowers.debt: lend has no DAI reserve (it lists [ETH USDC])"},
		{49, "  liq: {type: liquidator, market: lend, collateral: ETH, debt: USDC, venue: eth_dai, capital: 1_000_000}",
			"49:77: agents.liq.venue: pool eth_dai does not trade ETH against USDC"},
		{49, "  liq: {type: liquidator, market: lend, collateral: ETH, debt: USDC, venue: dex, capital: 1_000_000, gas: {price: gas_prize, units: 300_000}}",
			`agents.liq.gas.price: unknown signal "gas_prize"; did you mean "gas_price"?`},
		{49, "  liq: {type: liquidator, market: lend, collateral: ETH, debt: USDC, venue: dex, capital: 1_000_000, latency: 30min}",
			"49:111: agents.liq.latency: latency 30min is not a whole number of 1h steps"},
		{50, "  vaults: {type: vault_owners, maker: mkr, ilk: ETH-B, count: 20, collateral: 10, ratio: {from: 160%, to: 300%}}",
			`50:49: agents.vaults.ilk: mkr has no collateral type "ETH-B"; did you mean "ETH-A"?`},
		{51, "  keeper: {type: keeper, maker: mkr, ilk: ETH-A, venue: dex, capital: 100_000}",
			"51:57: agents.keeper.venue: pool dex does not trade ETH against DAI"},
		{52, "  holders: {type: stablecoin_holders, market: terra, count: 10, holdings: 20_000_000_000, depeg: {from: 1%, to: 20%}}",
			"agents.holders.holdings: expected holdings above 0 and at most the stablecoin supply (1.8e+10), got 2e+10"},
		{52, "  holders: {type: stablecoin_holders, market: terra, count: 10, holdings: 1e9, depeg: {from: 1%, to: 20%}, required_yield: {from: 5%/yr, to: 15%/yr}}",
			"agents.holders.required_yield: required_yield needs yield: (a yield_source)"},
	} {
		t.Run(c.want, func(t *testing.T) {
			f, err := scenario.LoadBytes("test.yaml", []byte(allTypesWith(c.line, c.text)))
			if err == nil {
				_, err = Compile(f)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("line %d: got %v\nwant %q", c.line, err, c.want)
			}
			if !strings.Contains(err.Error(), "test.yaml:") {
				t.Errorf("no file position in %v", err)
			}
		})
	}
}
