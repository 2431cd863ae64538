package aave

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// randBits returns a random integer of up to n bits, often exactly n or
// all ones.
func randBits(rng *rand.Rand, n int) uint256.Int {
	z := uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
	if n < 256 {
		z.Rsh(&z, uint(256-n))
	}
	if rng.IntN(8) == 0 {
		z.SetAllOne()
		z.Rsh(&z, uint(256-n))
	}
	return z
}

// The word paths of mulHalfUp and mulDivWord (operands below 2^128) give
// the integers of plain 256-bit arithmetic: (a·b + half)/unit for ray, wad
// and percentage units, and ⌊x·y/d⌋, on operands of every size up to
// 2^128 − 1 and beyond (the general path).
func TestWordPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	units := []struct {
		half, unit, odd uint256.Int
		shift           uint
	}{
		{halfRay, ray, rayOdd, 27}, {halfWad, wad, wadOdd, 18}, {halfPct, pctFactor, pctOdd, 4},
	}
	for range 200000 {
		a, b := randBits(rng, 1+rng.IntN(136)), randBits(rng, 1+rng.IntN(136))
		for _, u := range units {
			var want, got uint256.Int
			_, o1 := want.MulOverflow(&a, &b)
			_, o2 := want.AddOverflow(&want, &u.half)
			want.Div(&want, &u.unit)
			ok := mulHalfUp(&got, &a, &b, &u.half, u.shift, &u.odd)
			if ok != !(o1 || o2) || ok && got != want {
				t.Fatalf("mulHalfUp(%s, %s) unit %s = %s %v, want %s %v", a.Dec(), b.Dec(), u.unit.Dec(), got.Dec(), ok, want.Dec(), !(o1 || o2))
			}
		}
		d := randBits(rng, 1+rng.IntN(80))
		if d.IsZero() {
			continue
		}
		var want, got uint256.Int
		_, o := want.MulOverflow(&a, &b)
		want.Div(&want, &d)
		ok := mulDivWord(&got, &a, &b, &d)
		if ok != !o || ok && got != want {
			t.Fatalf("mulDivWord(%s, %s, %s) = %s %v, want %s %v", a.Dec(), b.Dec(), d.Dec(), got.Dec(), ok, want.Dec(), !o)
		}
	}
}
