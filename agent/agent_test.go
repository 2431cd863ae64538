package agent

import (
	"github.com/cascade-risk/cascade/market"
	"math"
	"testing"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/holiman/uint256"
)

// market returns a market of ETH (18 decimals) and USDC (6 decimals) at
// ethPrice, with one zero-fee constant-product venue of 1000 ETH and
// 1000·ethPrice USDC.
func testMarket(t *testing.T, ethPrice float64, feeBps uint64) *market.Market {
	t.Helper()
	pair, err := uniswapv2.NewPair(feeBps, false)
	if err != nil {
		t.Fatal(err)
	}
	eth := new(uint256.Int).Mul(uint256.NewInt(1000), uint256.NewInt(1e18))
	usdc := uint256.NewInt(uint64(1000 * ethPrice * 1e6))
	if _, err := pair.Mint(eth, usdc); err != nil {
		t.Fatal(err)
	}
	return &market.Market{
		Prices:     []float64{ethPrice, 1},
		PrevPrices: []float64{ethPrice, 1},
		Unit:       []float64{1e-18, 1e-6},
		Venues:     []*market.Venue{market.NewVenue("pool", pair, []int{0, 1})},
	}
}

// After a pure price move by a factor r, arbitraged with no fee, the LP's
// position is worth 2√r/(1+r) of holding: impermanent loss 2√r/(1+r) − 1.
func TestImpermanentLossClosedForm(t *testing.T) {
	for _, r := range []float64{0.1, 0.25, 0.5, 0.9, 1, 1.1, 2, 4, 10} {
		m := testMarket(t, 2000, 0)
		lp := &PassiveLP{Venue: 0}
		arb := &Arbitrageur{Venues: []int{0}}
		lp.Reset(m, nil)
		arb.Reset(m, nil)
		m.Step = 1
		m.Prices[0] = 2000 * r
		arb.Act(m)
		obs := make([]float64, len(lp.Metrics()))
		lp.Observe(m, obs)
		want := 2*math.Sqrt(r)/(1+r) - 1
		// Integer rounding of the trade leaves the pool a few raw units
		// from the exact curve: far below 1e-9 of the position.
		if got := obs[3]; math.Abs(got-want) > 1e-9 {
			t.Errorf("r=%g: il = %.12f, want %.12f", r, got, want)
		}
		if got := obs[2]; math.Abs(got-(1+want)) > 1e-9 {
			t.Errorf("r=%g: lp_hodl = %.12f, want %.12f", r, got, 1+want)
		}
	}
}

// The arbitrageur leaves the pool price within the fee band around the
// external price, and trades only when it profits after gas.
func TestArbitrageRespectsFeesAndGas(t *testing.T) {
	for _, c := range []struct {
		feeBps uint64
		move   float64
		gas    float64
		trades int
	}{
		{30, 1.001, 0, 0},  // inside the 0.3% band: no trade
		{30, 1.01, 0, 1},   // outside: trade
		{30, 1.01, 1e6, 0}, // profit cannot pay the gas
		{0, 0.99, 0, 1},
	} {
		m := testMarket(t, 2000, c.feeBps)
		arb := &Arbitrageur{Venues: []int{0}, Gas: c.gas}
		arb.Reset(m, nil)
		m.Step = 1
		m.Prices[0] *= c.move
		arb.Act(m)
		obs := make([]float64, len(arb.Metrics()))
		arb.Observe(m, obs)
		if int(obs[2]) != c.trades {
			t.Fatalf("%+v: %v trades", c, obs[2])
		}
		if c.trades > 0 {
			if obs[0] <= 0 {
				t.Errorf("%+v: unprofitable trade, profit %v", c, obs[0])
			}
			spot := m.Venues[0].Pool.SpotPrice(0, 1) * 1e18 / 1e6
			if band := 2000 * c.move * float64(c.feeBps+1) / 1e4; math.Abs(spot-2000*c.move) > band {
				t.Errorf("%+v: pool price %v left outside the fee band of %v", c, spot, 2000*c.move)
			}
		}
	}
}

// The numeric search finds the same trade size as the closed form.
func TestNumericOptimumMatchesClosedForm(t *testing.T) {
	m := testMarket(t, 2000, 30)
	pair := m.Venues[0].Pool.(*uniswapv2.Pair)
	pi, pj := 2100*1e-18, 1e-6
	r0, r1 := pair.ReservesFloat()
	want := constantProductOptimum(r0, r1, pi, pj, pair.FeeRate())
	got := numericOptimum(pair, 0, 1, pi, pj, make([]uint256.Int, 2))
	rel := math.Abs(got.Float64()/want.Float64() - 1)
	if rel > 1e-5 {
		t.Fatalf("numeric %s vs closed form %s (rel %.2e)", got.Dec(), want.Dec(), rel)
	}
}
