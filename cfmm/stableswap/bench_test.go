package stableswap

import (
	"testing"

	"github.com/holiman/uint256"
)

// BenchmarkSwap alternates a 1 % swap back and forth so the pool stays near
// its starting state.
func BenchmarkSwap(b *testing.B) {
	for _, c := range []poolCase{poolCases[0], poolCases[2]} {
		b.Run(c.name, func(b *testing.B) {
			p := c.build(b)
			amt := [2]uint256.Int{}
			amt[0].Div(&p.balances[0], u(100))
			amt[1].Div(&p.balances[1], u(100))
			b.ReportAllocs()
			for k := 0; b.Loop(); k++ {
				i := k & 1
				if _, err := p.Swap(i, 1-i, &amt[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkQuote(b *testing.B) {
	p := poolCases[0].build(b)
	var amt uint256.Int
	amt.Div(&p.balances[0], u(100))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Quote(0, 1, &amt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetD(b *testing.B) {
	xp := []uint256.Int{e18(1_000_000), e18(1_200_000), e18(800_000)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GetD(xp, 200000); err != nil {
			b.Fatal(err)
		}
	}
}
