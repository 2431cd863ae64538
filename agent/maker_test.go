package agent

import (
	"math"
	"testing"

	"github.com/cascade-risk/cascade/maker"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

// testMaker returns a market of ETH (asset 0, 2000) and DAI (asset 1, the
// numeraire here) and a Maker system with one ETH ilk: 150% liquidation
// ratio, 13% penalty, auctions starting at 120% of the feed and falling
// linearly to zero over 30 minutes, never reset.
func testMaker(t *testing.T) (*market.Market, *protocol.MakerSystem) {
	t.Helper()
	rad := func(f float64) uint256.Int { r := maker.RAD(); z := uint256.NewInt(uint64(f)); return *z.Mul(z, &r) }
	sys, err := maker.New(maker.Config{Vow: protocol.Vow, Line: rad(1e9), Hole: rad(1e9), Par: maker.RAY()})
	if err != nil {
		t.Fatal(err)
	}
	err = sys.AddIlk("ETH-A", maker.IlkConfig{
		Line: rad(1e9), Dust: rad(100), Duty: maker.RAY(), Mat: rayOf(1.5), Chop: mant(1.13), Hole: rad(1e9),
		Buf: rayOf(1.2), Tail: 86400, Cusp: uint256.Int{}, Chip: mant(0.001), Tip: rad(10),
		Calc: maker.LinearDecrease{Tau: 1800},
	}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	m := &market.Market{Prices: []float64{2000, 1}, PrevPrices: []float64{2000, 1}, Unit: []float64{1e-18, 1e-18}, StepSeconds: 600,
		Signals: []float64{10}}
	ms := &protocol.MakerSystem{System: sys, Ilks: []protocol.MakerIlk{{Name: "ETH-A", Asset: 0, Feed: -1}}, Stable: 1, Start: 1000,
		Peg: protocol.PegTracker{Source: protocol.PriceSource{Asset: 1, Venue: -1}, Band: 0.01}}
	return m, ms
}

// A keeper priced out by gas while an auction runs down its curve comes
// back to find the collateral free: a zero bid, and the vault's whole
// debt is bad debt. Without the gas spike the same keeper takes the
// collateral as soon as the price is below its value, and the debt is
// covered.
func TestKeeperZeroBid(t *testing.T) {
	for _, c := range []struct {
		name     string
		gas      []float64
		zeroBids float64
		badDebt  bool
	}{
		{"gas spike", []float64{10, 300, 300, 300, 300, 10}, 1, true},
		{"calm", []float64{10, 10, 10, 10, 10, 10}, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, ms := testMaker(t)
			owners := &VaultOwners{System: 0, Ilk: 0, Count: 1, Collateral: 10, RatioLo: 1.6, RatioHi: 1.6}
			kp := &Keeper{System: 0, Ilk: 0, Venue: -1, Capital: 100_000, Margin: 0.05,
				Gas: Gas{Signal: 0, Units: 500_000, Asset: 0, MaxPrice: 100}}
			w := newWorld(t, m, []market.Protocol{ms}, owners, kp)
			debt := observe(ms, m, len(ms.Metrics()))[10]
			if math.Abs(debt-12500) > 1e-6 { // 10 ETH · 2000 / 1.6
				t.Fatalf("vault debt %v, want 12500", debt)
			}
			for _, g := range c.gas {
				m.Signals[0] = g
				w.step(t, 1800) // ratio 1.44: unsafe from the first step
			}
			got := observe(ms, m, len(ms.Metrics()))
			km := observe(kp, m, 7)
			t.Logf("system %v; keeper %v", got, km)
			if got[0] != 1 || km[3] != 1 {
				t.Fatalf("barks: system %v, keeper %v; want 1", got[0], km[3])
			}
			if got[3] != c.zeroBids || got[6] != 0 {
				t.Errorf("zero bids %v, open auctions %v; want %v and 0", got[3], got[6], c.zeroBids)
			}
			if c.badDebt && math.Abs(got[7]-12500) > 1e-6 {
				t.Errorf("bad debt %v, want the whole 12500", got[7])
			}
			if !c.badDebt && got[7] != 0 {
				t.Errorf("bad debt %v, want 0", got[7])
			}
			if c.badDebt && km[6] != 4 {
				t.Errorf("%v blocked steps, want 4", km[6])
			}
		})
	}
}
