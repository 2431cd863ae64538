package weighted

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

func wild(r *rand.Rand) uint256.Int {
	var z uint256.Int
	switch r.IntN(4) {
	case 0:
		z.SetUint64(r.Uint64N(4))
	case 1:
		z.SetAllOne()
	default:
		z.Lsh(u(r.Uint64()), r.UintN(200))
	}
	return z
}

// TestNoPanic drives the public functions with random and extreme
// arguments: each must return, never panic, and failed swaps must leave the
// pool unchanged.
func TestNoPanic(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 29))
	for _, c := range poolCases {
		p := c.build(t)
		for range 400 {
			x, y, z := wild(r), wild(r), wild(r)
			i, j := r.IntN(p.n+2)-1, r.IntN(p.n+2)-1
			before := *p
			var err error
			switch r.IntN(6) {
			case 0:
				_, err = p.Swap(i, j, &x)
			case 1:
				_, err = p.SwapGivenOut(i, j, &x, &y)
			case 2:
				_, _ = Pow(&x, &y)
				_, _ = PowUp(&x, &y)
				_, _ = PowDown(&x, &y)
			case 3:
				_, _ = CalcOutGivenIn(&x, &y, &z, &x, &y)
				_, _ = CalcInGivenOut(&x, &y, &z, &x, &y)
			case 4:
				_, _ = MulUp(&x, &y)
				_, _ = DivUp(&x, &y)
				_, _ = DivDown(&x, &y)
				_ = p.SpotPrice(i, j)
			case 5:
				_, _ = CalculateInvariant([]uint256.Int{x, y}, []uint256.Int{z, x})
			}
			if err != nil && !sameState(p, &before) {
				t.Fatalf("%s: failed swap changed the pool: %v", c.name, err)
			}
		}
	}
}
