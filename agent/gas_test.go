package agent

import (
	"math"
	"testing"

	"github.com/cascade-risk/cascade/market"
)

func TestGas(t *testing.T) {
	m := &market.Market{Prices: []float64{2000, 1}, PrevPrices: []float64{2000, 1}, Unit: []float64{1e-18, 1e-6}, StepSeconds: 600}
	m.Signals = []float64{150}
	g := Gas{Signal: 0, Units: 500_000, Asset: 0, MaxPrice: 100}
	// 150 gwei · 10⁻⁹ · 500,000 gas · 2000 USD/ETH = 150 USD.
	if c := g.Cost(m); math.Abs(c-150) > 1e-9 {
		t.Errorf("cost %v, want 150", c)
	}
	if g.Included(m) {
		t.Error("included above the maximum gas price")
	}
	m.Signals[0] = 100
	if !g.Included(m) {
		t.Error("not included at the maximum gas price")
	}
	fixed := Gas{Signal: -1, Price: 30, Units: 100_000, Asset: -1}
	if c := fixed.Cost(m); math.Abs(c-0.003) > 1e-12 {
		t.Errorf("numeraire gas cost %v, want 0.003", c)
	}
}
