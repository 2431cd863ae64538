package stableswap

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// randomWords returns a random integer of up to 256 bits with random
// leading zeros, and now and then words of all ones or zeros.
func randomWords(r *rand.Rand) uint256.Int {
	var z uint256.Int
	for k := range z {
		switch r.IntN(8) {
		case 0:
			z[k] = 0
		case 1:
			z[k] = ^uint64(0)
		default:
			z[k] = r.Uint64()
		}
	}
	z.Rsh(&z, r.UintN(256))
	return z
}

// TestWords compares the word-level products and quotients with uint256's.
func TestWords(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		x, y := randomWords(r), randomWords(r)
		var got, want uint256.Int
		if x[2]|x[3]|y[2]|y[3] == 0 {
			mul128(&got, &x, &y)
			want.Mul(&x, &y)
			if got != want {
				t.Fatalf("mul128 %v·%v = %v, want %v", &x, &y, &got, &want)
			}
		}
		if x[3] == 0 {
			mulWord(&got, &x, y[0])
			want.Mul(&x, uint256.NewInt(y[0]))
			if got != want {
				t.Fatalf("mulWord %v·%v = %v, want %v", &x, y[0], &got, &want)
			}
		}
		if y[0] != 0 {
			divWord(&got, &x, y[0])
			want.Div(&x, uint256.NewInt(y[0]))
			if got != want {
				t.Fatalf("divWord %v/%v = %v, want %v", &x, y[0], &got, &want)
			}
		}
		if y[1] != 0 {
			divTwoWords(&got, &x, y[1], y[0])
			var y2 uint256.Int
			y2[0], y2[1] = y[0], y[1]
			want.Div(&x, &y2)
			if got != want {
				t.Fatalf("divTwoWords %v/%v = %v, want %v", &x, &y2, &got, &want)
			}
			d := newDivisor(y[1], y[0])
			d.div(&got, &x)
			if got != want {
				t.Fatalf("divisor.div %v/%v = %v, want %v", &x, &y2, &got, &want)
			}
		}
	}
}

func BenchmarkWords(b *testing.B) {
	x := e18(10_000_000)
	var x2, y2 uint256.Int
	x2.Mul(&x, &x)
	y2.Mul(&x, u(3))
	b.Run("uint256.Div", func(b *testing.B) {
		for b.Loop() {
			sink.Div(&x2, &y2)
		}
	})
	b.Run("divTwoWords", func(b *testing.B) {
		for b.Loop() {
			divTwoWords(&sink, &x2, y2[1], y2[0])
		}
	})
	b.Run("divisor", func(b *testing.B) {
		d := newDivisor(y2[1], y2[0])
		for b.Loop() {
			d.div(&sink, &x2)
		}
	})
	b.Run("uint256.Div1", func(b *testing.B) {
		for b.Loop() {
			sink.Div(&x2, u(1e18))
		}
	})
	b.Run("divWord", func(b *testing.B) {
		for b.Loop() {
			divWord(&sink, &x2, 1e18)
		}
	})
	b.Run("uint256.MulOverflow", func(b *testing.B) {
		for b.Loop() {
			sink.MulOverflow(&x, &y2)
		}
	})
	b.Run("mul128", func(b *testing.B) {
		for b.Loop() {
			mul128(&sink, &x, &y2)
		}
	})
}

var sink uint256.Int
