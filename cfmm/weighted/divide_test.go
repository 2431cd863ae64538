package weighted

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// TestConstDiv compares the constant dividers with uint256's division on
// random values of every width, including the extremes.
func TestConstDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 13))
	divs := map[string]struct {
		c *constDiv
		d *uint256.Int
	}{
		"1e18": {&div1e18, one18},
		"1e20": {&div1e20, one20},
		"100":  {&div100, hundred},
	}
	for k := 1; k < len(divSmall); k++ {
		divs[string(rune('a'+k))] = struct {
			c *constDiv
			d *uint256.Int
		}{&divSmall[k], uint256.NewInt(uint64(k))}
	}
	for k := 1; k < len(divTerm); k++ {
		var d uint256.Int
		d.Mul(one20, uint256.NewInt(uint64(k)))
		divs[string(rune('A'+k))] = struct {
			c *constDiv
			d *uint256.Int
		}{&divTerm[k], &d}
	}
	values := []uint256.Int{{}, {1}, *new(uint256.Int).SetAllOne(), {0, 0, 0, 1 << 63}, *one36, *one20}
	for range 20000 {
		var x uint256.Int
		words := r.IntN(5)
		for w := range words {
			x[w] = r.Uint64()
		}
		if words > 0 && r.IntN(2) == 0 {
			x[words-1] >>= r.UintN(64)
		}
		values = append(values, x)
	}
	for name, d := range divs {
		for _, x := range values {
			var got, want uint256.Int
			d.c.div(&got, &x)
			want.Div(&x, d.d)
			if !got.Eq(&want) {
				t.Fatalf("%v / %s = %v, want %v", &x, name, &got, &want)
			}
			d.c.sdiv(&got, &x)
			sdiv(&want, &x, d.d)
			if !got.Eq(&want) {
				t.Fatalf("signed %v / %s = %v, want %v", &x, name, &got, &want)
			}
		}
	}
	for _, x := range values {
		var got, want uint256.Int
		div1e36(&got, &x)
		sdiv(&want, &x, one36)
		if !got.Eq(&want) {
			t.Fatalf("%v / 1e36 = %v, want %v", &x, &got, &want)
		}
	}
}
