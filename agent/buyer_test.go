package agent

import (
	"math"
	"testing"
)

// A pool that sells ETH 5% below its external price: a buyer with ample
// capital lifts the pool's price until buying more is worth nothing at its
// valuation — the pool price net of the fee equals the external price —
// and one with little capital spends exactly what it has and stops.
func TestPatientBuyer(t *testing.T) {
	for _, c := range []struct {
		name    string
		capital float64
	}{{"ample", 1e9}, {"limited", 10_000}} {
		m := testMarket(t, 2000, 30)
		m.Prices[0] = 2100
		b := &PatientBuyer{Venue: 0, Asset: 0, Pay: 1, Valuation: 1, Capital: c.capital}
		b.Reset(m, nil)
		b.Act(m)
		b.Act(m)
		spot := m.Venues[0].Pool.SpotPrice(0, 1) * 1e12 // USDC per ETH
		dst := make([]float64, len(b.Metrics()))
		b.Observe(m, dst)
		t.Logf("%s: pool price %.2f, spent %.0f, bought %.3f ETH, gain %.0f", c.name, spot, dst[0], dst[1], dst[3])
		switch c.name {
		case "ample":
			if want := 2100 * (1 - 0.003); math.Abs(spot/want-1) > 1e-4 {
				t.Errorf("pool price %v after buying, want %v", spot, want)
			}
		case "limited":
			if dst[0] > c.capital || dst[0] < c.capital*0.999 {
				t.Errorf("spent %v of %v", dst[0], c.capital)
			}
			if spot > 2050 {
				t.Errorf("10k moved a 2M pool to %v", spot)
			}
		}
		if dst[3] <= 0 {
			t.Errorf("bought at a discount but gained %v", dst[3])
		}
	}
}
