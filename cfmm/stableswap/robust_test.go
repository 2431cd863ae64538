package stableswap

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// wild returns a random value from every scale, zero and 2^256−1 included.
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

// TestNoPanic drives every public operation with random and extreme
// arguments: each must return (a value or an error), never panic, and a
// failed operation must leave the pool unchanged.
func TestNoPanic(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 19))
	for _, c := range poolCases {
		p := c.build(t)
		n := p.n
		amounts := func() []uint256.Int {
			a := make([]uint256.Int, n)
			for k := range a {
				a[k] = wild(r)
			}
			return a
		}
		dst := make([]uint256.Int, n)
		for range 400 {
			x := wild(r)
			i, j := r.IntN(n+2)-1, r.IntN(n+2)-1
			before := *p
			var err error
			switch r.IntN(10) {
			case 0:
				_, err = p.Swap(i, j, &x)
			case 1:
				_, err = p.AddLiquidity(amounts(), nil)
			case 2:
				err = p.RemoveLiquidity(&x, nil, dst)
			case 3:
				_, err = p.RemoveLiquidityImbalance(amounts(), nil)
			case 4:
				_, err = p.RemoveLiquidityOneCoin(&x, i, nil)
			case 5:
				_, err = p.CalcTokenAmount(amounts(), r.IntN(2) == 0)
			case 6:
				err = p.RampA(x.Uint64(), r.Uint64())
			case 7:
				err = p.SetTime(p.Time() + r.Uint64N(1e6))
			case 8:
				_ = p.SpotPrice(i, j)
				_, err = p.VirtualPrice()
			case 9:
				_, err = GetY(i, j, &x, amounts(), r.Uint64())
				if err == nil {
					_, err = GetYD(i, amounts(), &x, r.Uint64())
				}
			}
			if err != nil && !sameState(p, &before) {
				t.Fatalf("%s: failed operation changed the pool: %v", c.name, err)
			}
		}
	}
}
