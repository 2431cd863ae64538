package world

import (
	"fmt"
	"math"
	"testing"
)

const positionsSrc = `name: positions
horizon: %s
step: 1h
numeraire: USDC
assets:
  ETH: {decimals: 18, price: 1700}
  USDC: {decimals: 6}
mechanisms:
  lend:
    type: aave
    reserves:
      ETH: {ltv: 80%%, liquidation_threshold: 82.5%%, liquidation_bonus: 5%%, rates: {optimal: 80%%, slope1: 3.8%%/yr, slope2: 80%%/yr}}
      USDC: {ltv: 80%%, liquidation_threshold: 85%%, liquidation_bonus: 4.5%%, borrowing: true, deposits: 1_000_000_000, rates: {optimal: 90%%, slope1: 4%%/yr, slope2: 60%%/yr}}
agents:
  borrowers: {type: borrowers, market: lend, collateral: ETH, debt: USDC, count: %d, deposit: 100, health: {from: 1.1, to: 1.3}%s}
metrics: [borrowers.liquidatable, borrowers.opened, borrowers.arrived]
`

// Positions opened when ETH was 2,000 at targets 1.1–1.3 start the run
// with ETH at 1,700: their health is the target × 0.85, so those opened
// below 1/0.85 = 1.176 are liquidatable from the first step — a fraction
// (1.176 − 1.1)/0.2 = 0.382 of them, binomially; opened at today's price
// none is. Their debt is what 2,000 allowed: 2000/1700 times as much.
func TestBorrowersOpenedAtAnEarlierPrice(t *testing.T) {
	get := func(extra string) (liq, opened float64) {
		m := compile(t, fmt.Sprintf(positionsSrc, "1h", 400, extra))
		row := runAll(t, m, 1, 1, 9)[0]
		return row[metricIndex(t, m, "borrowers.liquidatable")], row[metricIndex(t, m, "borrowers.opened")]
	}
	liq0, open0 := get("")
	liq, open := get(", opened_at: 2000")
	t.Logf("opened at 1,700: %v liquidatable, debt %.0f; opened at 2,000: %v liquidatable, debt %.0f", liq0, open0, liq, open)
	// Binomial(400, 0.382): 4 standard deviations is ±39.
	if liq0 != 0 || math.Abs(liq-400*(1/0.85-1.1)/0.2) > 39 {
		t.Errorf("liquidatable: %v opened today, %v opened at 2,000", liq0, liq)
	}
	// Same seed, same targets: the debts scale with the opening price.
	if r := open / open0; math.Abs(r-2000.0/1700) > 1e-6 {
		t.Errorf("debt ratio %v, want 2000/1700", r)
	}
}

// Borrowers who arrive at 24 a day for 10 days: 240 expected, Poisson
// (4 standard deviations is ±62); count 0 is allowed with arrivals.
func TestBorrowersArrive(t *testing.T) {
	m := compile(t, fmt.Sprintf(positionsSrc, "10d", 0, ", arrivals: 24/day"))
	row := runAll(t, m, 1, 1, 3)[0]
	n := row[metricIndex(t, m, "borrowers.arrived")]
	t.Logf("%v arrived, debt opened %.0f", n, row[metricIndex(t, m, "borrowers.opened")])
	if math.Abs(n-240) > 62 {
		t.Errorf("%v arrivals, want about 240", n)
	}
}
