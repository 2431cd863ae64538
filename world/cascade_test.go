package world

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
)

// cascadeScenario is a lending pool whose oracle reads the DEX that its
// liquidator sells into. ETH's market price is a constant 1,700 while the
// DEX (and so the oracle) starts at 2,000: the arbitrageur closes the gap
// in step 1, the oracle publishes 1,700 in step 2, and from then on the
// only thing that moves the oracle is the liquidator's selling, which the
// arbitrageur undoes a step later. 200 positions of 100 ETH borrow USDC to
// health factors between 1.05 and 1.6, so those below 2000/1700 ≈ 1.18
// fall at the shock. ETH_RESERVE is the DEX's depth.
const cascadeScenario = `
name: cascade
ordering: ORDERING
horizon: 1d
step: 10min
sample_every: 10min
numeraire: USDC
assets:
  ETH: {decimals: 18, price: 1700}
  USDC: {decimals: 6}
mechanisms:
  dex: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [ETH_RESERVE, USDC_RESERVE], fee: 0.3%}
  feed: {type: chainlink_oracle, asset: ETH, venue: dex, deviation: 0.5%, heartbeat: 1h}
  lend:
    type: aave
    reserves:
      ETH: {ltv: 80%, liquidation_threshold: 82.5%, liquidation_bonus: 5%, oracle: feed, rates: {optimal: 80%, slope1: 3.8%/yr, slope2: 80%/yr}}
      USDC: {ltv: 80%, liquidation_threshold: 85%, liquidation_bonus: 4.5%, borrowing: true, deposits: 100_000_000, rates: {optimal: 90%, slope1: 4%/yr, slope2: 60%/yr}}
agents:
  arb: {type: arbitrageur, pools: [dex], gas: 10}
  borrowers: {type: borrowers, market: lend, collateral: ETH, debt: USDC, count: 200, deposit: 100, health: {from: 1.05, to: 1.6}}
  liquidator: {type: liquidator, market: lend, collateral: ETH, debt: USDC, venue: dex, capital: 10_000_000}
metrics: [lend.liquidations, lend.bad_debt, feed.price]
`

// cascadeRun is one run's outcome: the steps in which liquidations
// happened, the liquidations, the bad debt, and the oracle's samples below
// the market price less 1% (prices only the liquidator's sales explain).
type cascadeRun struct {
	rounds, first, liquidations, low int
	badDebt                          float64
}

func cascade(t *testing.T, ordering string, ethReserve int, runs int) []cascadeRun {
	t.Helper()
	src := strings.NewReplacer("ORDERING", ordering, "ETH_RESERVE", fmt.Sprint(ethReserve), "USDC_RESERVE", fmt.Sprint(ethReserve*2000)).Replace(cascadeScenario)
	m := compile(t, src)
	liq, bad, price := metricIndex(t, m, "lend.liquidations"), metricIndex(t, m, "lend.bad_debt"), metricIndex(t, m, "feed.price")
	var out []cascadeRun
	err := engine.Run(context.Background(), m, engine.Config{Runs: runs, Seed: 3, Workers: 2}, func(o *engine.Outcome) error {
		var r cascadeRun
		l := o.Series[liq]
		for k := 1; k < len(l); k++ {
			if l[k] > l[k-1] {
				if r.rounds == 0 {
					r.first = int(l[k] - l[k-1])
				}
				r.rounds++
			}
		}
		for _, p := range o.Series[price] {
			if p < 1700*0.99 {
				r.low++
			}
		}
		r.liquidations, r.badDebt = int(o.Scalars[liq]), o.Scalars[bad]
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLiquidationCascade shows the feedback loop of an oracle that reads a
// DEX. The same 20,000 ETH of positions meet the same 15% shock; only the
// DEX's depth differs.
//
// Deep DEX (2,000,000 ETH): the positions below health 1.18 are liquidated
// in the step after the oracle publishes 1,700; selling their collateral
// moves the DEX by well under the oracle's 0.5% deviation threshold, so
// the oracle never publishes a price below the market. Later liquidations
// are a stray position or two that the hourly heartbeat catches at the
// edge of the arbitrageur's fee band. No bad debt.
//
// Shallow DEX (2,000 ETH): one position's collateral is a large part of
// the pool, so each step the liquidator can sell only a little before the
// price it would get no longer covers the debt; but those sales push the
// DEX price down, the oracle publishes the lower price at the start of the
// next step (before the arbitrageur restores the DEX), and positions that
// were safe at 1,700 become liquidatable at it. Liquidations come step
// after step until nearly every position is gone, and the collateral,
// seized and sold at crushed prices, no longer covers the debt.
//
// The loop must survive the order of the agents' turns. With the listed
// order the arbitrageur always trades before the liquidator, so every
// step's sales stand when the oracle reads the DEX: the cascade takes at
// least three times the deep DEX's liquidations. Shuffled, the arbitrageur
// sometimes restores the DEX after the liquidator's sales within the same
// step and the oracle misses them; the cascade is shallower but still
// there: many rounds, the oracle below the market, bad debt, more
// liquidations than with the deep DEX.
func TestLiquidationCascade(t *testing.T) {
	for _, ordering := range []string{"listed", "shuffled"} {
		t.Run(ordering, func(t *testing.T) { liquidationCascade(t, ordering) })
	}
}

func liquidationCascade(t *testing.T, ordering string) {
	const runs = 4
	deep, shallow := cascade(t, ordering, 2_000_000, runs), cascade(t, ordering, 2_000, runs)
	factor := 3
	if ordering == "shuffled" {
		factor = 1
	}
	for k := range runs {
		d, s := deep[k], shallow[k]
		t.Logf("run %d: deep %d liquidations (%d in the first round) in %d rounds, %d low oracle samples, bad debt %.0f; "+
			"shallow %d (%d first) in %d rounds, %d low samples, bad debt %.0f",
			k, d.liquidations, d.first, d.rounds, d.low, d.badDebt, s.liquidations, s.first, s.rounds, s.low, s.badDebt)
		if d.first < 10 || d.liquidations-d.first > 3 || d.low != 0 || d.badDebt != 0 {
			t.Errorf("run %d: deep DEX: %+v, want the first round only (±3), an oracle never below the market, no bad debt", k, d)
		}
		if s.rounds < 5 || s.low < 10 || s.badDebt <= 0 || s.liquidations <= factor*d.liquidations {
			t.Errorf("run %d: shallow DEX: %+v, want a cascade: ≥ 5 rounds, the oracle below the market, bad debt, more than %d× the deep DEX's %d liquidations",
				k, s, factor, d.liquidations)
		}
	}
}
