package cfmm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// Amount floors exactly for every magnitude; Float is within a few units in
// the last place of the exact value.
func TestAmountAndFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	// The boundaries of Amount's cases and of the conversions inside them.
	edges := []float64{1, 1.5, 0x1p53 + 2, 0x1p63 - 1024, 0x1p63, 0x1p63 + 2048, 0x1p64 - 2048, 0x1p64,
		math.Nextafter(0x1p126, 0), 0x1p126, math.Nextafter(0x1p127, 0), 0x1p127, math.Nextafter(0x1p256, 0)}
	for k := 0; k < 200_000+len(edges); k++ {
		f := math.Ldexp(1+r.Float64(), r.IntN(260)-2)
		if k < len(edges) {
			f = edges[k]
		}
		got := Amount(f)
		want, _ := new(big.Float).SetFloat64(f).Int(nil)
		switch {
		case f < 1:
			want.SetInt64(0)
		case f >= 0x1p256:
			want.Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
		}
		if got.ToBig().Cmp(want) != 0 {
			t.Fatalf("Amount(%g) = %s, want %s", f, got.Dec(), want)
		}
		// Amount128 is the same integer wherever it answers, which is
		// exactly on [1, 2^126).
		lo, hi, ok := Amount128(f)
		if ok != (f >= 1 && f < 0x1p126) || ok && (uint256.Int{lo, hi}) != got {
			t.Fatalf("Amount128(%g) = %d, %d, %v; Amount gives %s", f, lo, hi, ok, got.Dec())
		}
		if f >= 1 && f < 0x1p256 {
			back := Float(&got)
			if math.Abs(back-math.Floor(f))/f > 4e-16 {
				t.Fatalf("Float(Amount(%g)) = %g", f, back)
			}
		}
	}
	for _, f := range []float64{math.NaN(), -1, 0, 0.5} {
		if z := Amount(f); !z.IsZero() {
			t.Fatalf("Amount(%v) = %s", f, z.Dec())
		}
		if _, _, ok := Amount128(f); ok {
			t.Fatalf("Amount128(%v) answers", f)
		}
	}
}
