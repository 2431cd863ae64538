package terra

import (
	"testing"

	"github.com/holiman/uint256"
)

func BenchmarkSwap(b *testing.B) {
	m := testMarket(b, loadVectors(b))
	luna := Coin{MicroLunaDenom, *uint256.NewInt(1_000_000_000)}
	sdr := Coin{MicroSDRDenom, *uint256.NewInt(1_700_000_000)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var err error
		if i%2 == 0 {
			_, err = m.Swap(luna, MicroSDRDenom)
		} else {
			_, err = m.Swap(sdr, MicroLunaDenom)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplenish(b *testing.B) {
	m, _ := NewMarket(DefaultParams())
	m.SetTerraPoolDelta(NewDecWithPrec(17987573223725367, 3))
	b.ReportAllocs()
	for b.Loop() {
		m.Replenish()
	}
}

func BenchmarkDecQuo(b *testing.B) {
	x, y := MustParseDec("1000000000000000000000000"), MustParseDec("1170000000000.123456789")
	b.ReportAllocs()
	var c arith
	for b.Loop() {
		x = c.quo(c.mul(x, y), y)
	}
	if c.err != nil {
		b.Fatal(c.err)
	}
}
