package agent

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cascade-risk/cascade/market"
)

// A liquidator that passes over positions beyond its cut (beyondCut)
// liquidates exactly what one valuing every pending position does, step
// after step, through cascades on a shallow venue where most liquidations
// are unprofitable, with and without latency, with a wallet too small for
// the largest positions, and with positions of every size.
func TestLiquidatorCutMatchesExact(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			run := func(exact bool) ([][]float64, int) {
				rng := rand.New(rand.NewPCG(seed, 11))
				m := testMarket(t, 2000, 30)
				m.StepSeconds = 600
				pool := testPool(t, "aave")
				big := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 60, Deposit: 40, HealthLo: 1.01, HealthHi: 1.6, LoopVenue: -1, Venue: -1}
				small := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 40, Deposit: 2, HealthLo: 1.01, HealthHi: 1.6, LoopVenue: -1, Venue: -1, Arrivals: 0.3}
				capital := []float64{1e7, 1e5}[seed%2]
				l := &Liquidator{Pool: 0, Collateral: 0, Debt: 1, Venue: 0, Capital: capital, Gas: Gas{Signal: -1, Price: 20, Units: 3e5, Asset: 0},
					Latency: int(seed/2) % 2, exact: exact}
				w := newWorld(t, m, []market.Protocol{pool}, big, small, l)
				var out [][]float64
				price := 2000.0
				for step := range 150 {
					switch {
					case step%40 == 5:
						price *= 0.85 // a crash
					case step%40 > 25:
						price *= 1.004 // a recovery
					default:
						price *= 1 + 0.01*(rng.Float64()-0.5)
					}
					w.step(t, price)
					row := append(observe(l, m, 7), observe(pool, m, len(pool.Metrics()))...)
					row = append(row, observe(big, m, 6)...)
					for _, u := range pool.Debtors() {
						v := pool.Account(u)
						row = append(row, v.Debt, v.Collateral)
					}
					out = append(out, row)
				}
				return out, l.cuts
			}
			want, _ := run(true)
			got, cuts := run(false)
			for k := range want {
				if fmt.Sprint(got[k]) != fmt.Sprint(want[k]) {
					t.Fatalf("step %d:\n got %v\nwant %v", k+1, got[k], want[k])
				}
			}
			if cuts == 0 {
				t.Errorf("the cut passed over no liquidation: the test does not exercise it")
			}
			t.Logf("%d liquidations passed over by the cut; %v unprofitable in all", cuts, want[len(want)-1][4])
		})
	}
}
