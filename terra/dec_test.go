package terra

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestDecRounding(t *testing.T) {
	for _, c := range []struct {
		op, a, b, want string
	}{
		{"mul", "0.000000000000000001", "0.5", "0.000000000000000000"},   // tie, 0 is even
		{"mul", "0.000000000000000003", "0.5", "0.000000000000000002"},   // tie, 1 is odd
		{"mul", "0.000000000000000005", "0.5", "0.000000000000000002"},   // tie, 2 is even
		{"mul", "-0.000000000000000003", "0.5", "-0.000000000000000002"}, // symmetric
		{"mul", "0.000000000000000001", "0.6", "0.000000000000000001"},
		{"mul", "1.7", "-2", "-3.400000000000000000"},
		{"quo", "0.000000000000000001", "2", "0.000000000000000000"},
		{"quo", "0.000000000000000003", "2", "0.000000000000000002"},
		{"quo", "-0.000000000000000003", "2", "-0.000000000000000002"},
		{"quo", "1", "3", "0.333333333333333333"},
		{"quo", "2", "3", "0.666666666666666667"},
		{"quo", "-2", "3", "-0.666666666666666667"},
		{"add", "-1.5", "1.5", "0.000000000000000000"},
		{"sub", "1", "2.25", "-1.250000000000000000"},
	} {
		a, b := dec(t, c.a), dec(t, c.b)
		var ar arith
		var got Dec
		switch c.op {
		case "mul":
			got = ar.mul(a, b)
		case "quo":
			got = ar.quo(a, b)
		case "add":
			got = ar.add(a, b)
		case "sub":
			got = ar.sub(a, b)
		}
		if ar.err != nil || got.String() != c.want {
			t.Errorf("%s %s %s = %s (%v), want %s", c.a, c.op, c.b, got, ar.err, c.want)
		}
	}
	var ar arith
	if ar.quo(NewDec(1), Dec{}); ar.err != ErrDivisionByZero {
		t.Errorf("quo by zero: %v", ar.err)
	}
	if q := ar.quoInt64(dec(t, "-7.000000000000000001"), 2); q.String() != "-3.500000000000000000" {
		t.Errorf("QuoInt64 truncation: %s", q)
	}
}

// sdkChop is the SDK's chopPrecisionAndRound on big.Int, the reference for
// the differential test.
func sdkChop(d *big.Int) *big.Int {
	if d.Sign() < 0 {
		n := sdkChop(new(big.Int).Neg(d))
		return n.Neg(n)
	}
	prec := big.NewInt(1e18)
	q, r := new(big.Int).QuoRem(d, prec, new(big.Int))
	switch r.Cmp(big.NewInt(5e17)) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

func bigOf(d Dec) *big.Int {
	b := d.abs.ToBig()
	if d.neg {
		b.Neg(b)
	}
	return b
}

// TestDecMatchesSDK compares mul and quo with the SDK's big.Int algorithm
// on values spanning 36 orders of magnitude, both signs.
func TestDecMatchesSDK(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	sq := new(big.Int).Exp(big.NewInt(10), big.NewInt(36), nil)
	random := func() Dec {
		v := NewDecWithPrec(rng.Int64N(1<<62), uint(rng.IntN(19)))
		var ar arith
		v = ar.mul(v, NewDecWithPrec(rng.Int64N(1e12)+1, uint(rng.IntN(19))))
		if rng.IntN(2) == 0 {
			v = v.negated()
		}
		return v
	}
	for i := 0; i < 20000; i++ {
		a, b := random(), random()
		var ar arith
		m, q := ar.mul(a, b), ar.quo(a, b)
		if ar.err != nil {
			t.Fatal(ar.err)
		}
		wantM := sdkChop(new(big.Int).Mul(bigOf(a), bigOf(b)))
		if b.IsZero() {
			continue
		}
		wantQ := sdkChop(new(big.Int).Quo(new(big.Int).Mul(bigOf(a), sq), bigOf(b)))
		if bigOf(m).Cmp(wantM) != 0 || bigOf(q).Cmp(wantQ) != 0 {
			t.Fatalf("%s, %s: mul %s want %s; quo %s want %s", a, b, m, wantM, q, wantQ)
		}
	}
}

func TestParseDec(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0", "0.000000000000000000"},
		{"-0", "0.000000000000000000"},
		{"1.7", "1.700000000000000000"},
		{"-17987573223725.367", "-17987573223725.367000000000000000"},
		{"0.000000000000000001", "0.000000000000000001"},
	} {
		d, err := ParseDec(c.in)
		if err != nil || d.String() != c.want {
			t.Errorf("ParseDec(%q) = %s, %v", c.in, d, err)
		}
	}
	for _, bad := range []string{"", "1.", "abc", "1.0000000000000000001", "--1", "1e5"} {
		if _, err := ParseDec(bad); err == nil {
			t.Errorf("ParseDec(%q) accepted", bad)
		}
	}
}
