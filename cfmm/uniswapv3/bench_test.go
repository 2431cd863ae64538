package uniswapv3

import (
	"math"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// BenchmarkSwapWithinRange measures a small exact-input swap that stays in
// one price range, alternating directions so the price stays put.
func BenchmarkSwapWithinRange(b *testing.B) {
	p := newTestPool(b, 3000, 60, priceOne)
	if _, _, err := p.MintFullRange("lp", e18(1_000_000)); err != nil {
		b.Fatal(err)
	}
	amount := e18(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := p.Swap(i&1, 1-i&1, amount); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuoteWithinRange is BenchmarkSwapWithinRange without the writes.
func BenchmarkQuoteWithinRange(b *testing.B) {
	p := newTestPool(b, 3000, 60, priceOne)
	if _, _, err := p.MintFullRange("lp", e18(1_000_000)); err != nil {
		b.Fatal(err)
	}
	amount := e18(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := p.Quote(i&1, 1-i&1, amount); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSwapCrossingTicks swings the price between ticks −330 and 330
// through positions bounded every 60 ticks: each swap crosses 11
// initialized ticks.
func BenchmarkSwapCrossingTicks(b *testing.B) {
	p := newTestPool(b, 3000, 60, priceOne)
	if _, _, err := p.MintFullRange("lp", e18(1000)); err != nil {
		b.Fatal(err)
	}
	for k := int32(-10); k < 10; k++ {
		if _, _, err := p.Mint("lp", k*60, (k+1)*60, e18(1000)); err != nil {
			b.Fatal(err)
		}
	}
	low, _ := SqrtRatioAtTick(-330)
	high, _ := SqrtRatioAtTick(330)
	maxIn := uint256.Int{^uint64(0), ^uint64(0), ^uint64(0), 1<<63 - 1} // type(int256).max
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		zeroForOne := i&1 == 0
		limit := &high
		if zeroForOne {
			limit = &low
		}
		if _, err := p.SwapWithLimit(zeroForOne, &maxIn, limit); err != nil {
			b.Fatal(err)
		}
	}
}

// newETHUSDCPool returns a 0.3% pool shaped like examples/uniswap_v3.yaml:
// ETH (18 decimals) against USDC (6) at 2000 USDC per ETH, with a
// full-range position and one over ticks near 1500–2500.
func newETHUSDCPool(b *testing.B) *Pool {
	b.Helper()
	price := cfmm.Amount(math.Sqrt(2000e6/1e18) * 0x1p96)
	p := newTestPool(b, 3000, 60, price)
	if _, _, err := p.MintFullRange("lp0", uint256.NewInt(22_360_679_774_997_896)); err != nil {
		b.Fatal(err)
	}
	if _, _, err := p.Mint("lp1", -204_180, -199_080, uint256.NewInt(130_000_000_000_000_000)); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkSwapETHUSDC alternates selling 1 ETH and 2000 USDC in the pool
// of newETHUSDCPool, as the example's noise traders do.
func BenchmarkSwapETHUSDC(b *testing.B) {
	p := newETHUSDCPool(b)
	amounts := [2]uint256.Int{*e18(1), *uint256.NewInt(2000e6)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := p.Swap(i&1, 1-i&1, &amounts[i&1]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkArbETHUSDC swaps the pool of newETHUSDCPool to alternately 0.5%
// below and above its starting price with a price limit, as the example's
// arbitrageur does.
func BenchmarkArbETHUSDC(b *testing.B) {
	p := newETHUSDCPool(b)
	start := math.Sqrt(2000e6 / 1e18)
	limits := [2]uint256.Int{cfmm.Amount(start * math.Sqrt(0.995) * 0x1p96), cfmm.Amount(start * math.Sqrt(1.005) * 0x1p96)}
	maxIn := uint256.Int{^uint64(0), ^uint64(0), ^uint64(0), 1<<63 - 1}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := p.SwapWithLimit(i&1 == 0, &maxIn, &limits[i&1]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLPHoldingsETHUSDC values the positions of newETHUSDCPool.
func BenchmarkLPHoldingsETHUSDC(b *testing.B) {
	p := newETHUSDCPool(b)
	dst := make([]uint256.Int, 2)
	b.ReportAllocs()
	for b.Loop() {
		p.LPHoldings(dst)
	}
}
