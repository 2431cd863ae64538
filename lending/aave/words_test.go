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
// 2^128 − 1 and beyond (the general path); so do divHalfUp's, (a·unit +
// ⌊b/2⌋)/b for a one-word b, and addProduct's, z + v·f, with the same
// overflow verdicts.
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
		for _, u := range []uint256.Int{ray, wad, pctFactor} {
			den := randBits(rng, 1+rng.IntN(80))
			if den.IsZero() {
				continue
			}
			var want, got, h uint256.Int
			_, o1 := want.MulOverflow(&a, &u)
			h.Rsh(&den, 1)
			_, o2 := want.AddOverflow(&want, &h)
			want.Div(&want, &den)
			ok := divHalfUp(&got, &a, &den, &u)
			if ok != !(o1 || o2) || ok && got != want {
				t.Fatalf("divHalfUp(%s, %s) unit %s = %s %v, want %s %v", a.Dec(), den.Dec(), u.Dec(), got.Dec(), ok, want.Dec(), !(o1 || o2))
			}
		}
		f := b[0] >> rng.IntN(64)
		for _, z0 := range []uint256.Int{{}, randBits(rng, 1+rng.IntN(256))} {
			v := randBits(rng, 1+rng.IntN(256))
			var want, prod uint256.Int
			_, o1 := prod.MulOverflow(&v, &uint256.Int{f, 0, 0, 0})
			_, o2 := want.AddOverflow(&z0, &prod)
			got := z0
			ok := addProduct(&got, &v, f)
			if ok != !(o1 || o2) || ok && got != want {
				t.Fatalf("addProduct(%s, %s, %d) = %s %v, want %s %v", z0.Dec(), v.Dec(), f, got.Dec(), ok, want.Dec(), !(o1 || o2))
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
