package agent

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
)

// The pool's screened answers (Risky, Candidates) are those of valuing
// every debtor exactly, step after step, while borrowers open, re-lever
// and deleverage, positions are liquidated down to nothing, dust
// positions sit below the index's floor and prices crash, creep within
// the margin of many thresholds, and recover.
func TestLendingIndexMatchesFullScan(t *testing.T) {
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			m := testMarket(t, 2000, 30)
			m.StepSeconds = 3600
			pool := testPool(t, "aave")
			near := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 40, Deposit: 10, HealthLo: 1.001, HealthHi: 1.02, LoopVenue: -1, Venue: -1}
			wide := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 30, Deposit: 3, HealthLo: 1.05, HealthHi: 2, LoopVenue: -1,
				Venue: 0, Band: 0.03, Arrivals: 0.5}
			dust := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 10, Deposit: 1e-9, HealthLo: 1.01, HealthHi: 1.3, LoopVenue: -1, Venue: -1}
			l := &Liquidator{Pool: 0, Collateral: 0, Debt: 1, Venue: 0, Capital: 2e5, Gas: Gas{Signal: -1, Asset: -1}, Latency: int(seed % 2)}
			w := newWorld(t, m, []market.Protocol{pool}, near, wide, dust, l)
			price := 2000.0
			for step := range 120 {
				switch {
				case step < 30: // a slow fall through the thresholds
					price *= 1 - 0.003 + 0.002*(rng.Float64()-0.5)
				case step == 30:
					price *= 0.8 // a crash
				case step > 60 && step < 80:
					price *= 1 + 2e-4*(rng.Float64()-0.5) // within margins
				default:
					price *= 1 + 0.03*(rng.Float64()-0.5)
				}
				w.step(t, price)
				compareScan(t, pool, m.Step)
			}
		})
	}
}

// compareScan checks Risky, Candidates and SurelyHealthy against valuing
// every debtor.
func compareScan(t *testing.T, pool *protocol.LendingPool, step int) {
	t.Helper()
	var want []protocol.RiskyPosition
	liq := map[int]bool{}
	for _, u := range pool.Debtors() {
		v := pool.Account(u)
		if under := v.Debt > v.Collateral; v.Liquidatable || under {
			r := protocol.RiskyPosition{User: u, Liquidatable: v.Liquidatable, Underwater: under}
			if under {
				r.View = v
			}
			want = append(want, r)
		}
		if v.Liquidatable {
			liq[u] = true
		}
		if v.Liquidatable && pool.SurelyHealthy(u) {
			t.Fatalf("step %d: user %d is liquidatable, but the index shows it surely healthy", step, u)
		}
	}
	got := pool.Risky()
	if len(got) != len(want) {
		t.Fatalf("step %d: %d risky positions, want %d", step, len(got), len(want))
	}
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("step %d: risky #%d = %+v, want %+v", step, k, got[k], want[k])
		}
	}
	for _, seize := range []int{-1, 0} {
		in := map[int]bool{}
		rank := -1
		for _, u := range pool.Candidates(nil, seize, nil) {
			in[u] = true
			if r := debtorRank(pool, u); r <= rank {
				t.Fatalf("step %d: candidates out of debtor order at user %d", step, u)
			} else {
				rank = r
			}
		}
		for u := range liq {
			if c := pool.Collateral(u, 0); !in[u] && (seize < 0 || !c.IsZero()) {
				t.Fatalf("step %d: liquidatable user %d not a candidate (seize %d)", step, u, seize)
			}
		}
	}
}

func debtorRank(pool *protocol.LendingPool, u int) int {
	for k, x := range pool.Debtors() {
		if x == u {
			return k
		}
	}
	return -1
}
