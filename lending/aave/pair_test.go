package aave

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// Threshold's margin holds against the exact health factor: for pair
// positions of many sizes at prices placing them just either side of the
// margin, a key at most Liquidation/(1+Margin) never has a health factor
// below 1, and a key at least Liquidation/(1−3·Margin) always has, once
// interest has moved the indexes off one ray.
func TestThresholdMarginHolds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const margin = 1e-6
	checked := 0
	for trial := range 300 {
		p := newTestPool(t)
		must(t, p.Supply(t0, usdc, 0, u(50_000_000e6)))
		var coll uint256.Int
		coll.Mul(u(uint64(1+rng.IntN(1e6))), u(uint64(math.Pow(10, float64(9+rng.IntN(7))))))
		must(t, p.Supply(t0, weth, 1, &coll))
		// Borrow a random share of what the LTV allows at 2000.
		borrow := uint64(coll.Float64() / 1e18 * 2000 * 0.79 * rng.Float64() * 1e6)
		if borrow < 1e6 {
			continue
		}
		must(t, p.Borrow(t0, usdc, 1, u(borrow)))
		now := uint64(t0 + day*(1+rng.IntN(300)))
		shape, pr := p.PairOf(1)
		if shape != PairShape || pr.C != weth || pr.D != usdc {
			t.Fatalf("trial %d: shape %v %+v", trial, shape, pr)
		}
		key := pr.Debt.Float64() / pr.Supply.Float64()
		for _, side := range []float64{1 + 1.01*margin, 1 - 3.01*margin} {
			// Scale the WETH price so that Liquidation/key = side.
			base := p.Threshold(now, weth, usdc, margin)
			price := 2000e8 * side * key / base.Liquidation
			must(t, p.SetPrice(weth, uint256.NewInt(uint64(math.Round(price)))))
			th := p.Threshold(now, weth, usdc, margin)
			if !th.Valid || pr.Debt.Float64() < th.MinDebt {
				continue
			}
			hf, err := p.HealthFactor(now, 1)
			if err != nil {
				t.Fatal(err)
			}
			below := hf.Lt(u(HealthFactorLiquidationThreshold))
			checked++
			switch {
			case key <= th.Liquidation/(1+margin) && below:
				t.Fatalf("trial %d: key %g under the margin, health factor %s", trial, key, hf.Dec())
			case key >= th.Liquidation/(1-3*margin) && !below:
				t.Fatalf("trial %d: key %g over the margin, health factor %s", trial, key, hf.Dec())
			}
		}
	}
	if checked < 300 {
		t.Fatalf("only %d cases checked", checked)
	}
}
