package stableswap

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// scaled returns a random integer below 2^bits, or 0.
func scaled(r *rand.Rand, bits uint) uint256.Int {
	var z uint256.Int
	z[0], z[1], z[2] = r.Uint64(), r.Uint64(), r.Uint64()
	if bits < 192 {
		z.Rsh(&z, 192-bits)
	}
	return z
}

// checkQuadratic asserts that quadraticFloor, where it answers, gives
// exactly the contract's iteration's result, and that the iteration then
// succeeds. It reports whether quadraticFloor answered.
func checkQuadratic(t *testing.T, b, c, d *uint256.Int) bool {
	t.Helper()
	fast, ok := quadraticFloor(b, c, d)
	if !ok {
		return false
	}
	want, err := iterateY(b, c, d)
	if err != nil {
		t.Fatalf("b=%v c=%v D=%v: shortcut %v where the iteration reverts: %v", b, c, d, &fast, err)
	}
	if !fast.Eq(&want) {
		t.Fatalf("b=%v c=%v D=%v: shortcut %v, iteration %v", b, c, d, &fast, &want)
	}
	return true
}

// TestQuadraticFloorPools compares the y shortcut with the iteration on
// the equations of random pools (2 to 8 coins, balances from a few units
// to 1e30 normalized, A from 1 to 10^6, trades from a unit to 10× a
// balance), including GetYD's equations for withdrawals.
func TestQuadraticFloorPools(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	answered, total := 0, 0
	for range 40000 {
		n := 2 + r.IntN(MaxCoins-1)
		xp := make([]uint256.Int, n)
		top := uint(4 + r.IntN(100))
		for k := range xp {
			// Balances within a factor of up to 2^20 of each other.
			xp[k] = scaled(r, top-uint(r.IntN(min(int(top), 20))))
			if xp[k].IsZero() {
				xp[k].SetOne()
			}
		}
		amp := (1 + r.Uint64N(MaxA-1)) * APrecision
		if r.IntN(2) == 0 {
			amp = (1 + r.Uint64N(2000)) * APrecision
		}
		d, err := GetD(xp, amp)
		if err != nil {
			continue
		}
		i, j := r.IntN(n), r.IntN(n)
		var b, c uint256.Int
		if i == j {
			// GetYD: a smaller invariant.
			var cut uint256.Int
			cut.Div(&d, u(2+r.Uint64N(1000)))
			d.Sub(&d, &cut)
			b, c, err = yCoefficients(-1, j, nil, xp, &d, amp)
		} else {
			x := scaled(r, top+uint(r.IntN(5))-uint(r.IntN(40)))
			x.Add(&x, &xp[i])
			b, c, err = yCoefficients(i, j, &x, xp, &d, amp)
		}
		if err != nil {
			continue
		}
		total++
		if checkQuadratic(t, &b, &c, &d) {
			answered++
		}
	}
	t.Logf("shortcut answered %d of %d equations", answered, total)
	if answered < total*3/4 {
		t.Fatalf("shortcut answered only %d of %d pool equations", answered, total)
	}
}

// TestQuadraticFloorEdges builds equations whose root is an integer or
// lies just below or above one, where the floored iteration's last steps
// decide the result, and small ones where g'(Y) is small.
func TestQuadraticFloorEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	answered, near := 0, 0
	for range 40000 {
		// g(y) = (y − root)(y + s) − k = y² + (s − root)·y − (root·s + k):
		// b − D = s − root, c = root·s + k; k shifts the root by about
		// k/(root + s).
		bits := uint(1 + r.IntN(126))
		root := scaled(r, bits)
		s := scaled(r, uint(1+r.IntN(int(bits)+1)))
		var c, k uint256.Int
		c.Mul(&root, &s)
		k.SetUint64(r.Uint64N(64))
		if r.IntN(2) == 0 {
			if c.Lt(&k) {
				continue
			}
			c.Sub(&c, &k)
		} else {
			c.Add(&c, &k)
		}
		// D above the root by a random margin, b = D + s − root ≥ 0.
		var d, b uint256.Int
		d = scaled(r, uint(r.IntN(int(bits)+2)))
		d.Add(&d, &root)
		if _, o := b.AddOverflow(&d, &s); o || b.Lt(&root) {
			continue
		}
		b.Sub(&b, &root)
		if checkQuadratic(t, &b, &c, &d) {
			answered++
			if k.LtUint64(8) {
				near++
			}
		}
	}
	t.Logf("shortcut answered %d equations, %d with a root within 8/g' of an integer", answered, near)
	if answered < 20000 || near < 2000 {
		t.Fatalf("shortcut answered %d equations, %d near an integer", answered, near)
	}
}

// TestQuadraticFloorDeclines lists equations outside the proof's
// conditions, which the shortcut must leave to the iteration.
func TestQuadraticFloorDeclines(t *testing.T) {
	e20 := new(uint256.Int).Mul(u(1e10), u(1e10))
	r, s := *e20, *new(uint256.Int).Mul(e20, u(3))
	// equation returns b and c of (y − r)(y + s) + k = 0 for the given D.
	equation := func(d *uint256.Int, k uint64) (b, c uint256.Int) {
		b.Add(d, &s)
		b.Sub(&b, &r)
		c.Mul(&r, &s)
		c.SubUint64(&c, k)
		return b, c
	}
	d2e21 := new(uint256.Int).Mul(e20, u(20))
	big := new(uint256.Int).Lsh(u(1), 127)
	rPlus2 := new(uint256.Int).AddUint64(&r, 2)
	for _, c := range []struct {
		name string
		d    *uint256.Int
		k    uint64
	}{
		{"D at 2^127", big, 0},
		{"g(Y+1) = 2", d2e21, 2},
		{"root within 2 of D", rPlus2, 0},
	} {
		b, cc := equation(c.d, c.k)
		if y, ok := quadraticFloor(&b, &cc, c.d); ok {
			t.Errorf("%s: shortcut answered %v", c.name, &y)
		}
	}
	// g'(Y) = 8: y² − 2y − 15 = (y − 5)(y + 3), D = 100.
	if y, ok := quadraticFloor(u(98), u(15), u(100)); ok {
		t.Errorf("g'(Y) = 8: shortcut answered %v", &y)
	}
	// The same equations with k = 0 are answered.
	b, cc := equation(d2e21, 0)
	if y, ok := quadraticFloor(&b, &cc, d2e21); !ok || !y.Eq(&r) {
		t.Errorf("integer root: got %v %v, want %v", &y, ok, &r)
	}
}

func BenchmarkSolveY(b *testing.B) {
	xp := []uint256.Int{e18(10_000_000), e18(10_100_000), e18(9_950_000)}
	d, err := GetD(xp, 20000)
	if err != nil {
		b.Fatal(err)
	}
	x := e18(10_050_000)
	bb, c, err := yCoefficients(0, 1, &x, xp, &d, 20000)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("shortcut", func(b *testing.B) {
		for b.Loop() {
			if _, ok := quadraticFloor(&bb, &c, &d); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("iteration", func(b *testing.B) {
		for b.Loop() {
			if _, err := iterateY(&bb, &c, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}
