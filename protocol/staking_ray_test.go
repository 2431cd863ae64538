package protocol

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// ceilRay is ⌈x/RAY⌉ by uint256's division, saturating at 2^64 − 1.
func TestCeilRay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	one := synth.RayOne()
	for k := range 20000 {
		var x uint256.Int
		switch k % 6 {
		case 0: // debt-sized: a multiple of RAY, plus or minus a little
			x.Mul(uint256.NewInt(rng.Uint64N(1<<40)), &one)
			x.AddUint64(&x, rng.Uint64N(3))
		case 1:
			x = uint256.Int{rng.Uint64(), rng.Uint64()}
		case 2:
			x = uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64N(1 << 26)}
		case 3: // about the largest quotient that fits: (2^64 − d)·RAY ± a little
			x.Mul(uint256.NewInt(math.MaxUint64-rng.Uint64N(3)+rng.Uint64N(2)), &one)
			if rng.IntN(2) == 0 {
				x.AddUint64(&x, rng.Uint64N(1<<30))
			} else {
				x.SubUint64(&x, rng.Uint64N(1<<30))
			}
		case 4: // about the largest q1 = x/2^27 of two words
			x = uint256.Int{rng.Uint64(), rng.Uint64(), 1<<27 - 1 - rng.Uint64N(2)}
		default:
			x = uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
		}
		var q, r uint256.Int
		q.DivMod(&x, &one, &r)
		if !r.IsZero() {
			q.AddUint64(&q, 1)
		}
		want := uint64(math.MaxUint64)
		if q.IsUint64() {
			want = q.Uint64()
		}
		if got := ceilRay(&x); got != want {
			t.Fatalf("ceilRay(%s) = %d, want %d", x.Dec(), got, want)
		}
	}
}

// mul128 multiplies numbers below 2^128 as uint256 does.
func TestMul128(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	edge := []uint64{0, 1, math.MaxUint64, math.MaxUint64 - 1, 1 << 63}
	for k := range 20000 {
		x := uint256.Int{rng.Uint64(), rng.Uint64()}
		y := uint256.Int{rng.Uint64(), rng.Uint64()}
		if k < len(edge)*len(edge) {
			x = uint256.Int{edge[k%len(edge)], edge[k/len(edge)]}
			y = uint256.Int{edge[k/len(edge)], edge[k%len(edge)]}
		}
		var want, got uint256.Int
		want.Mul(&x, &y)
		mul128(&got, &x, &y)
		if got != want {
			t.Fatalf("mul128(%s, %s) = %s, want %s", x.Dec(), y.Dec(), got.Dec(), want.Dec())
		}
	}
}

// posMulDivPrice is MulDivOverflow's ⌊value·price/cr⌋, saturating at
// 2^64 − 1 (MaxBorrow's figure).
func TestMulDivPriceMatchesMulDiv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	one := synth.RayOne()
	for k := range 40000 {
		value := rng.Uint64() >> rng.IntN(64)
		price := uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
		for i := range 4 {
			if rng.IntN(2) == 0 {
				price[i] = 0
			}
		}
		cr := uint256.Int{rng.Uint64(), rng.Uint64() >> rng.IntN(64), 0, 0}
		switch k % 4 {
		case 0:
			cr.Mul(&one, uint256.NewInt(3))
			cr.Rsh(&cr, 1)
		case 1:
			price.Mul(&one, uint256.NewInt(rng.Uint64N(100)))
		case 2:
			if k%8 == 2 {
				cr.Clear()
			}
		}
		var x uint256.Int
		x.SetUint64(value)
		want := uint64(math.MaxUint64)
		if _, over := x.MulDivOverflow(&x, &price, &cr); !over && x.IsUint64() {
			want = x.Uint64()
		}
		if got := posMulDivPrice(value, &price, &cr); got != want {
			t.Fatalf("posMulDivPrice(%d, %s, %s) = %d, want %d", value, price.Dec(), cr.Dec(), got, want)
		}
	}
}

// posInterest is MulDivOverflow's ⌊borrows·rate/ExpScale⌋, fitting a word
// or not, for rates of one word (near the overflow too) and wider.
func TestPosInterest(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for k := range 200000 {
		borrows := rng.Uint64() >> rng.IntN(64)
		rate := uint256.Int{rng.Uint64() >> rng.IntN(64)}
		switch k % 5 {
		case 0:
			rate[1] = rng.Uint64() >> rng.IntN(64)
		case 1:
			// Quotient at the edge of a word: rate ≈ 2^64·ExpScale/borrows.
			if borrows > 0 {
				var q uint256.Int
				q.SetUint64(compound.ExpScale)
				q.Lsh(&q, 64)
				q.Div(&q, uint256.NewInt(borrows))
				q.AddUint64(&q, uint64(rng.IntN(5))-2)
				rate = q
			}
		}
		var want uint256.Int
		want.SetUint64(borrows)
		want.MulDivOverflow(&want, &rate, uint256.NewInt(compound.ExpScale))
		got, ok := posInterest(borrows, &rate)
		if ok != want.IsUint64() || ok && got != want.Uint64() {
			t.Fatalf("posInterest(%d, %s) = %d, %v; want %s", borrows, rate.Dec(), got, ok, want.Dec())
		}
	}
}

// posSum is the running sum mod 2^64, at every length.
func TestPosSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(81, 82))
	for range 3000 {
		xs := make([]uint64, rng.IntN(40))
		var want uint64
		for i := range xs {
			xs[i] = rng.Uint64() >> rng.IntN(64)
			want += xs[i]
		}
		if got := posSum(xs); got != want {
			t.Fatalf("posSum of %d = %d, want %d", len(xs), got, want)
		}
	}
}
