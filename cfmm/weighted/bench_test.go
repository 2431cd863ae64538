package weighted

import (
	"testing"

	"github.com/holiman/uint256"
)

// BenchmarkSwap alternates a 1 % swap back and forth. The 50/50 pool takes
// the exponent-one shortcut of PowUp; the others go through LogExpMath.pow.
func BenchmarkSwap(b *testing.B) {
	for _, c := range poolCases[:3] {
		b.Run(c.name, func(b *testing.B) {
			p := c.build(b)
			amt := [2]uint256.Int{fraction(&p.balances[0], 0.01), fraction(&p.balances[1], 0.01)}
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

func BenchmarkPow(b *testing.B) {
	x, y := u(0.95e18), u(0.6666e18)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Pow(x, y); err != nil {
			b.Fatal(err)
		}
	}
}
