package uniswapv3

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

func TestMulDivTable(t *testing.T) {
	maxm1 := maxUint256
	maxm1.SubUint64(&maxm1, 1)
	tests := []struct {
		name     string
		a, b, d  uint256.Int
		down, up string // "revert" when the function must revert
	}{
		{"zero denominator", q128, uint256.Int{5}, uint256.Int{}, "revert", "revert"},
		{"quotient overflows", q128, q128, uint256.Int{1}, "revert", "revert"},
		{"max operands", maxUint256, maxUint256, maxUint256, maxUint256.Dec(), maxUint256.Dec()},
		{"rounding up overflows", maxUint256, maxUint256, maxm1, "revert", "revert"},
		{"phantom overflow, exact", q128, uint256.Int{50 * 1e18 / 100}, uint256.Int{150 * 1e18 / 100}, "113427455640312821154458202477256070485", "113427455640312821154458202477256070486"},
		{"zero operand", uint256.Int{}, maxUint256, uint256.Int{3}, "0", "0"},
		{"exact", uint256.Int{6}, uint256.Int{7}, uint256.Int{21}, "2", "2"},
		{"inexact", uint256.Int{6}, uint256.Int{7}, uint256.Int{20}, "2", "3"},
	}
	for _, tt := range tests {
		down, err := MulDiv(&tt.a, &tt.b, &tt.d)
		if got := result(down, err); got != tt.down {
			t.Errorf("%s: MulDiv = %s, want %s", tt.name, got, tt.down)
		}
		up, err := MulDivRoundingUp(&tt.a, &tt.b, &tt.d)
		if got := result(up, err); got != tt.up {
			t.Errorf("%s: MulDivRoundingUp = %s, want %s", tt.name, got, tt.up)
		}
	}
}

func result(z uint256.Int, err error) string {
	if err != nil {
		if reason(err) != "FullMath" {
			return "unexpected error " + err.Error()
		}
		return "revert"
	}
	return z.Dec()
}

// TestMulDivAgainstBig compares both roundings with math/big on operands of
// mixed sizes, including quotients just beyond 256 bits.
func TestMulDivAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	limit := new(big.Int).Lsh(big.NewInt(1), 256)
	randInt := func() uint256.Int {
		var z uint256.Int
		for i := range z {
			z[i] = rng.Uint64()
		}
		return *z.Rsh(&z, uint(rng.IntN(256)))
	}
	for range 20000 {
		a, b, d := randInt(), randInt(), randInt()
		prod := new(big.Int).Mul(a.ToBig(), b.ToBig())
		down, errDown := MulDiv(&a, &b, &d)
		up, errUp := MulDivRoundingUp(&a, &b, &d)
		if d.IsZero() {
			if errDown == nil || errUp == nil {
				t.Fatalf("mulDiv(%s, %s, 0) did not revert", a.Dec(), b.Dec())
			}
			continue
		}
		q, r := new(big.Int).QuoRem(prod, d.ToBig(), new(big.Int))
		if q.Cmp(limit) >= 0 {
			if errDown == nil {
				t.Fatalf("MulDiv(%s, %s, %s) = %s, want revert", a.Dec(), b.Dec(), d.Dec(), down.Dec())
			}
		} else if errDown != nil || down.ToBig().Cmp(q) != 0 {
			t.Fatalf("MulDiv(%s, %s, %s) = %s, %v; want %s", a.Dec(), b.Dec(), d.Dec(), down.Dec(), errDown, q)
		}
		if r.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
		if q.Cmp(limit) >= 0 {
			if errUp == nil {
				t.Fatalf("MulDivRoundingUp(%s, %s, %s) = %s, want revert", a.Dec(), b.Dec(), d.Dec(), up.Dec())
			}
		} else if errUp != nil || up.ToBig().Cmp(q) != 0 {
			t.Fatalf("MulDivRoundingUp(%s, %s, %s) = %s, %v; want %s", a.Dec(), b.Dec(), d.Dec(), up.Dec(), errUp, q)
		}
	}
}

func TestMul128AgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		a1, a0, b1, b0 := rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()
		if rng.IntN(4) == 0 {
			a1, b1 = ^uint64(0), ^uint64(0)
		}
		w3, w2, w1, w0 := mul128(a1, a0, b1, b0)
		got := uint256.Int{w0, w1, w2, w3}
		want := new(big.Int).Mul((&uint256.Int{a0, a1}).ToBig(), (&uint256.Int{b0, b1}).ToBig())
		if got.ToBig().Cmp(want) != 0 {
			t.Fatalf("mul128(%x, %x, %x, %x) = %s, want %s", a1, a0, b1, b0, got.Dec(), want)
		}
	}
}

func TestDivRoundingUp(t *testing.T) {
	tests := []struct{ x, y, want uint64 }{
		{0, 5, 0}, {10, 5, 2}, {11, 5, 3}, {4, 5, 1}, {7, 0, 0},
	}
	for _, tt := range tests {
		got := DivRoundingUp(uint256.NewInt(tt.x), uint256.NewInt(tt.y))
		if got.Uint64() != tt.want || !got.IsUint64() {
			t.Errorf("DivRoundingUp(%d, %d) = %s, want %d", tt.x, tt.y, got.Dec(), tt.want)
		}
	}
	got := DivRoundingUp(&maxUint256, &maxUint256)
	if got.Uint64() != 1 {
		t.Errorf("DivRoundingUp(max, max) = %s", got.Dec())
	}
}

func TestAddDelta(t *testing.T) {
	neg := func(v uint64) uint256.Int { var z uint256.Int; z.Neg(uint256.NewInt(v)); return z }
	minInt128 := uint256.Int{0, 1 << 63, ^uint64(0), ^uint64(0)}
	maxInt128 := uint256.Int{^uint64(0), 1<<63 - 1, 0, 0}
	tests := []struct {
		name string
		x, y uint256.Int
		want string
	}{
		{"add", uint256.Int{1}, uint256.Int{0}, "1"},
		{"subtract", uint256.Int{3}, neg(1), "2"},
		{"to zero", uint256.Int{3}, neg(3), "0"},
		{"underflow", uint256.Int{0}, neg(1), "LS"},
		{"underflow by one", uint256.Int{3}, neg(4), "LS"},
		{"overflow", maxUint128, uint256.Int{1}, "LA"},
		{"max", uint256.Int{^uint64(0), 1<<63 - 1, 0, 0}, maxInt128, "340282366920938463463374607431768211454"},
		{"int128 min", maxUint128, minInt128, "170141183460469231731687303715884105727"},
		{"x not a uint128", q128, uint256.Int{}, "SafeCast"},
		{"y not an int128", uint256.Int{}, uint256.Int{0, 1 << 63}, "SafeCast"},
	}
	for _, tt := range tests {
		z, err := AddDelta(&tt.x, &tt.y)
		got := z.Dec()
		if err != nil {
			got = reason(err)
		}
		if got != tt.want {
			t.Errorf("%s: AddDelta = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestMulDivEdgeWords checks MulDiv and MulDivRoundingUp against math/big on
// operands built from words that stress a long division's quotient
// estimates (all ones, the top bit alone, one, zero), on the Q96 and Q128
// denominators, and on operands of every width.
func TestMulDivEdgeWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	limit := new(big.Int).Lsh(big.NewInt(1), 256)
	special := []uint64{0, 1, 2, 1 << 63, 1<<63 - 1, 1<<63 + 1, ^uint64(0), ^uint64(0) - 1, 1 << 32, 1<<32 - 1}
	word := func() uint64 {
		if rng.IntN(3) == 0 {
			return rng.Uint64()
		}
		return special[rng.IntN(len(special))]
	}
	operand := func() uint256.Int {
		var z uint256.Int
		for i := range rng.IntN(5) {
			z[i] = word()
		}
		return z
	}
	for n := range 400000 {
		a, b, d := operand(), operand(), operand()
		switch n % 7 {
		case 0:
			d = q96
		case 1:
			d = q128
		}
		if d.IsZero() {
			continue
		}
		prod := new(big.Int).Mul(a.ToBig(), b.ToBig())
		q, r := new(big.Int).QuoRem(prod, d.ToBig(), new(big.Int))
		down, errDown := MulDiv(&a, &b, &d)
		if q.Cmp(limit) >= 0 {
			if errDown == nil {
				t.Fatalf("MulDiv(%s, %s, %s) = %s, want revert", a.Hex(), b.Hex(), d.Hex(), down.Hex())
			}
		} else if errDown != nil || down.ToBig().Cmp(q) != 0 {
			t.Fatalf("MulDiv(%s, %s, %s) = %s, %v; want %x", a.Hex(), b.Hex(), d.Hex(), down.Hex(), errDown, q)
		}
		up, errUp := MulDivRoundingUp(&a, &b, &d)
		if r.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
		if q.Cmp(limit) >= 0 {
			if errUp == nil {
				t.Fatalf("MulDivRoundingUp(%s, %s, %s) = %s, want revert", a.Hex(), b.Hex(), d.Hex(), up.Hex())
			}
		} else if errUp != nil || up.ToBig().Cmp(q) != 0 {
			t.Fatalf("MulDivRoundingUp(%s, %s, %s) = %s, %v; want %x", a.Hex(), b.Hex(), d.Hex(), up.Hex(), errUp, q)
		}
	}
}

// TestFeesEarnedAgainstBig checks feesEarned's word product against
// uint128(L·((inside−last) mod 2^256)/2^128) in big integers, on wrapping
// growths and liquidities of every width up to and beyond a uint128.
func TestFeesEarnedAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	mod256 := new(big.Int).Lsh(big.NewInt(1), 256)
	mask128 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	special := []uint64{0, 1, 1 << 63, ^uint64(0), ^uint64(0) - 1}
	word := func() uint64 {
		if rng.IntN(3) == 0 {
			return special[rng.IntN(len(special))]
		}
		return rng.Uint64() >> uint(rng.IntN(64))
	}
	for n := range 300000 {
		var inside, last, l uint256.Int
		for i := range 4 {
			inside[i], last[i] = word(), word()
		}
		for i := range 1 + rng.IntN(2) {
			l[i] = word()
		}
		if n%10 == 0 {
			l[2] = word() // beyond a uint128: the general MulDiv path
		}
		g := new(big.Int).Sub(inside.ToBig(), last.ToBig())
		g.Mod(g, mod256)
		want := new(big.Int).Mul(g, l.ToBig())
		want.Rsh(want, 128)
		if l[2] == 0 {
			want.And(want, mask128)
		}
		if want.Cmp(mod256) >= 0 {
			continue // MulDiv reverts; not reachable for a uint128 liquidity
		}
		want.And(want, mask128)
		got := feesEarned(&l, &inside, &last)
		if got.ToBig().Cmp(want) != 0 {
			t.Fatalf("feesEarned(%s, %s, %s) = %s, want %x", l.Hex(), inside.Hex(), last.Hex(), got.Hex(), want)
		}
	}
}

// TestSignedAgainstBig checks addSigned and subSigned, sum, difference and
// overflow flag, against big integers on int256 operands of every size,
// the ±2^254 boundary of their shortcut and the int256 extremes included.
func TestSignedAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	two255 := new(big.Int).Lsh(big.NewInt(1), 255)
	mod := new(big.Int).Lsh(big.NewInt(1), 256)
	top := []uint64{0, 1, 1<<62 - 1, 1 << 62, 1<<62 + 1, 1<<63 - 1, 1 << 63, 3<<62 - 1, 3 << 62, 3<<62 + 1, ^uint64(0)}
	operand := func() uint256.Int {
		z := uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
		if rng.IntN(2) == 0 {
			z[3] = top[rng.IntN(len(top))]
		}
		if rng.IntN(4) == 0 {
			z[0], z[1], z[2] = 0, 0, 0
		}
		return z
	}
	signed := func(x *uint256.Int) *big.Int {
		b := x.ToBig()
		if b.Cmp(two255) >= 0 {
			b.Sub(b, mod)
		}
		return b
	}
	for range 300000 {
		x, y := operand(), operand()
		for _, add := range []bool{true, false} {
			var z uint256.Int
			var ok bool
			want := new(big.Int)
			if add {
				ok = addSigned(&z, &x, &y)
				want.Add(signed(&x), signed(&y))
			} else {
				ok = subSigned(&z, &x, &y)
				want.Sub(signed(&x), signed(&y))
			}
			fits := want.Cmp(two255) < 0 && want.Cmp(new(big.Int).Neg(two255)) >= 0
			if ok != fits {
				t.Fatalf("add %v of %s and %s: ok %v, want %v", add, x.Hex(), y.Hex(), ok, fits)
			}
			if fits && signed(&z).Cmp(want) != 0 {
				t.Fatalf("add %v of %s and %s = %s, want %s", add, x.Hex(), y.Hex(), signed(&z), want)
			}
		}
	}
}
