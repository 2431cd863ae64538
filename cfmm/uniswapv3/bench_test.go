package uniswapv3

import (
	"testing"

	"github.com/holiman/uint256"
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
