package agent

import (
	"testing"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/market"
	"github.com/holiman/uint256"
)

func pair(t *testing.T, feeBps uint64, r0, r1 float64) *uniswapv2.Pair {
	t.Helper()
	p, err := uniswapv2.NewPair(feeBps, false)
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfmm.Amount(r0), cfmm.Amount(r1)
	if _, err := p.Mint(&a, &b); err != nil {
		t.Fatal(err)
	}
	return p
}

// Assets X (an LST, 18 decimals), Y (ETH, 18), Z (USDC, 6): a deep X/Y
// pool and a deep Y/Z pool, and a shallow direct X/Z pool. Selling X for Z
// takes X→Y→Z, and what it pays is, to the unit, the first pool's exact
// output sold exactly into the second.
func TestRouteTwoHopsExact(t *testing.T) {
	xy := pair(t, 4, 10_000e18, 10_000e18)
	yz := pair(t, 30, 10_000e18, 20_000_000e6)
	xz := pair(t, 30, 10e18, 20_000e6)
	m := &market.Market{Prices: []float64{2000, 2000, 1}, PrevPrices: []float64{2000, 2000, 1}, Unit: []float64{1e-18, 1e-18, 1e-6},
		Venues: []*market.Venue{market.NewVenue("xy", xy, []int{0, 1}), market.NewVenue("yz", yz, []int{1, 2}), market.NewVenue("xz", xz, []int{0, 2})}}
	rs := Routes(m, 0, 2, 3)
	if len(rs) != 2 || len(rs[0]) != 1 || rs[0][0].Venue != 2 || len(rs[1]) != 2 {
		t.Fatalf("routes %v, want the direct pool then X→Y→Z", rs)
	}
	amt := cfmm.Amount(100e18)
	best, quoted, ok := BestRoute(m, rs, &amt)
	if !ok || len(best) != 2 || best[0].Venue != 0 || best[1].Venue != 1 {
		t.Fatalf("best route %v", best)
	}
	// The same two swaps by hand, on copies.
	a, b := xy.Clone(), yz.Clone()
	t1, err := a.Swap(0, 1, &amt)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := b.Swap(0, 1, &t1.Out)
	if err != nil {
		t.Fatal(err)
	}
	out, failed, err := best.Swap(m, &amt)
	if err != nil || failed >= 0 {
		t.Fatalf("route swap: hop %d: %v", failed, err)
	}
	if !out.Eq(&t2.Out) || !quoted.Eq(&t2.Out) {
		t.Fatalf("route paid %s (quoted %s), hop by hop %s", out.Dec(), quoted.Dec(), t2.Out.Dec())
	}
	var r0, r1 uint256.Int
	h := make([]uint256.Int, 2)
	a.LPHoldings(h)
	r0, r1 = h[0], h[1]
	xy.LPHoldings(h)
	if !h[0].Eq(&r0) || !h[1].Eq(&r1) {
		t.Fatal("the first pool's state differs from the hand-made swap")
	}
	if m.Venues[0].Trades != 1 || m.Venues[1].Trades != 1 || m.Venues[2].Trades != 0 {
		t.Fatalf("trades recorded %d, %d, %d", m.Venues[0].Trades, m.Venues[1].Trades, m.Venues[2].Trades)
	}
	t.Logf("100 X → %s raw Z (%.2f USDC)", out.Dec(), out.Float64()*1e-6)
}
