package uniswapv2

import (
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// quo must equal uint256's Div on every input; operands are drawn with
// random bit lengths so that every branch and both word boundaries occur.
func TestQuoMatchesDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := func() uint256.Int {
		var z uint256.Int
		z[0], z[1], z[2], z[3] = r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()
		z.Rsh(&z, uint(r.IntN(256)))
		if r.IntN(8) == 0 {
			z.SubUint64(new(uint256.Int).Lsh(uint256.NewInt(1), uint(r.IntN(256))), uint64(r.IntN(2)))
		}
		return z
	}
	for k := 0; k < 2_000_000; k++ {
		x, y := random(), random()
		if y.IsZero() {
			continue
		}
		var want, got uint256.Int
		want.Div(&x, &y)
		quo(&got, &x, &y)
		if got != want {
			t.Fatalf("%s / %s: got %s, want %s", x.Dec(), y.Dec(), got.Dec(), want.Dec())
		}
	}
}

// quoSmall must equal the hardware division, at exact multiples and just
// either side of them, where its float estimate is likeliest to be off.
func TestQuoSmallMatchesDivision(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(n, d uint64) {
		q, rem := quoSmall(n, d)
		if q != n/d || rem != n%d {
			t.Fatalf("%d / %d: got %d rem %d, want %d rem %d", n, d, q, rem, n/d, n%d)
		}
	}
	for k := 0; k < 2_000_000; k++ {
		d := r.Uint64() >> r.IntN(64)
		if d == 0 {
			continue
		}
		check(r.Uint64()>>r.IntN(64), d)
		// n = m·d + e for a small m and e in {−1, 0, 1, d−1}, when it fits.
		m := r.Uint64N(1 << r.IntN(45))
		hi, lo := bits.Mul64(m, d)
		if hi != 0 {
			continue
		}
		for _, e := range []uint64{0, 1, d - 1, ^uint64(0)} {
			if n := lo + e; n >= lo || e == ^uint64(0) && lo > 0 {
				check(n, d)
			}
		}
	}
	check(^uint64(0), 1)
	check(^uint64(0), ^uint64(0))
	check(^uint64(0)-1, ^uint64(0))
	check(1<<63, 3)
}

// quo128 must divide exactly at and around multiples of two-word divisors,
// where its float estimate (quoEstimate) is likeliest to be off.
func TestQuo128NearMultiples(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for k := 0; k < 1_000_000; k++ {
		var v uint256.Int
		v[0], v[1] = r.Uint64(), r.Uint64()>>r.IntN(64)
		v.Rsh(&v, uint(r.IntN(64)))
		if v.IsZero() {
			continue
		}
		m := uint256.NewInt(r.Uint64N(1 << r.IntN(42)))
		var u uint256.Int
		if _, overflow := u.MulOverflow(&v, m); overflow || u[2]|u[3] != 0 {
			continue
		}
		e := [...]uint256.Int{{}, {1}, {^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}
		for _, d := range e {
			var x uint256.Int
			x.Add(&u, &d)
			if x[2]|x[3] != 0 || v[1] == 0 && x[1] >= v[0] {
				continue // beyond quo128's domain
			}
			var want uint256.Int
			want.Div(&x, &v)
			if got := quo128(x[1], x[0], v[1], v[0]); got != want[0] {
				t.Fatalf("%s / %s: got %d, want %s", x.Dec(), v.Dec(), got, want.Dec())
			}
		}
	}
}

func TestMulSmallMatchesMul(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 1_000_000; k++ {
		var x uint256.Int
		x[0], x[1], x[2], x[3] = r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()
		x.Rsh(&x, uint(r.IntN(256)))
		y := r.Uint64() >> uint(r.IntN(64))
		var want, got uint256.Int
		want.Mul(&x, uint256.NewInt(y))
		mulSmall(&got, &x, y)
		if got != want {
			t.Fatalf("%s·%d: got %s, want %s", x.Dec(), y, got.Dec(), want.Dec())
		}
	}
}

func TestFeeOfMatchesMulDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 2_000_000; k++ {
		var a uint256.Int
		a[0], a[1], a[2], a[3] = r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()
		a.Rsh(&a, uint(r.IntN(256)))
		f := r.Uint64N(FeeDenominator)
		var want uint256.Int
		want.MulDivOverflow(&a, uint256.NewInt(f), uint256.NewInt(FeeDenominator))
		if got := feeOf(&a, f); got != want {
			t.Fatalf("fee of %s at %d: got %s, want %s", a.Dec(), f, got.Dec(), want.Dec())
		}
	}
}

// amountOut128 gives GetAmountOut's 256-bit result whenever it claims the
// operands fit, over operands of every size around the 128-bit limits.
func TestAmountOut128MatchesWideMath(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	random := func(maxBits int) uint256.Int {
		var z uint256.Int
		z[0], z[1], z[2], z[3] = r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()
		z.Rsh(&z, uint(256-1-r.IntN(maxBits)))
		return z
	}
	fast := 0
	for n := 0; n < 3_000_000; n++ {
		in, rIn, rOut := random(130), random(130), random(130)
		if in.IsZero() || rIn.IsZero() || rOut.IsZero() {
			continue
		}
		k := FeeDenominator - r.Uint64N(FeeDenominator)
		got, ok := amountOut128(&in, &rIn, &rOut, k)
		if !ok {
			continue
		}
		fast++
		var wf, num, den uint256.Int
		wf.Mul(&in, uint256.NewInt(k))
		num.Mul(&wf, &rOut)
		den.Mul(&rIn, uint256.NewInt(FeeDenominator))
		den.Add(&den, &wf)
		var want uint256.Int
		want.Div(&num, &den)
		if got != want {
			t.Fatalf("%s·%d·%s/(%s·D+…): got %s, want %s", in.Dec(), k, rOut.Dec(), rIn.Dec(), got.Dec(), want.Dec())
		}
	}
	if fast < 100_000 {
		t.Fatalf("only %d cases took the 128-bit path", fast)
	}
}

func BenchmarkQuo(b *testing.B) {
	x := uint256.MustFromDecimal("19940000000000000000000000000000000000")
	y := uint256.MustFromDecimal("10009970000000000000000000")
	var z uint256.Int
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			quo(&z, x, y)
		}
	})
	b.Run("uint256", func(b *testing.B) {
		for b.Loop() {
			z.Div(x, y)
		}
	})
}
