package weighted

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

func u(x uint64) *uint256.Int { return uint256.NewInt(x) }

func tokens(x uint64, decimals uint8) uint256.Int {
	var z uint256.Int
	z.Mul(u(x), u(pow10(decimals)))
	return z
}

func pct(x uint64) uint256.Int { return *u(x * 1e16) } // x % as 18-decimal

type poolCase struct {
	name     string
	weights  []uint64 // %
	decimals []uint8
	balances []uint64 // whole tokens
	fee      uint64   // 18-decimal
}

var poolCases = []poolCase{
	{"50/50", []uint64{50, 50}, nil, []uint64{1_000_000, 2_000_000}, 3e15},
	{"80/20-usdc", []uint64{80, 20}, []uint8{18, 6}, []uint64{1_000, 5_000_000}, 1e16},
	{"60/40", []uint64{60, 40}, []uint8{18, 8}, []uint64{300_000, 70}, 1e12},
	{"3-token", []uint64{40, 30, 30}, []uint8{18, 6, 18}, []uint64{500, 2_000_000, 1_000}, 25e14},
	{"8-token", []uint64{5, 10, 15, 20, 10, 10, 20, 10}, []uint8{18, 6, 8, 18, 12, 18, 6, 18}, []uint64{1, 2, 3, 4, 5, 6, 7, 8}, 1e17},
}

func (c poolCase) config() Config {
	cfg := Config{Decimals: c.decimals, SwapFee: *u(c.fee)}
	for k, w := range c.weights {
		cfg.Weights = append(cfg.Weights, pct(w))
		d := uint8(18)
		if c.decimals != nil {
			d = c.decimals[k]
		}
		cfg.Balances = append(cfg.Balances, tokens(c.balances[k], d))
	}
	return cfg
}

func (c poolCase) build(t testing.TB) *Pool {
	t.Helper()
	p, err := New(c.config())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fraction returns about f of x, at least 1.
func fraction(x *uint256.Int, f float64) uint256.Int {
	var z uint256.Int
	z.Mul(x, u(uint64(f*1e12))).Div(&z, u(1e12))
	if z.IsZero() {
		z.SetOne()
	}
	return z
}

// TestSwapGivenInFormula recomposes a swap from the exported pieces:
// the fee MulUp(amountIn, fee) comes off the raw input, balances and the
// net input are upscaled by 10^(18−decimals), and the output is downscaled
// rounding down.
func TestSwapGivenInFormula(t *testing.T) {
	for _, c := range poolCases {
		p := c.build(t)
		i, j := 1, 0
		amt := fraction(&p.balances[i], 0.07)
		fee, err := MulUp(&amt, &p.swapFee)
		if err != nil {
			t.Fatal(err)
		}
		var net, bi, bj uint256.Int
		net.Sub(&amt, &fee).Mul(&net, &p.scaling[i])
		bi.Mul(&p.balances[i], &p.scaling[i])
		bj.Mul(&p.balances[j], &p.scaling[j])
		out, err := CalcOutGivenIn(&bi, &p.weights[i], &bj, &p.weights[j], &net)
		if err != nil {
			t.Fatal(err)
		}
		out.Div(&out, &p.scaling[j])
		old := p.balances
		tr, err := p.SwapGivenIn(i, j, &amt, &out)
		if err != nil {
			t.Fatal(err)
		}
		if !tr.Out.Eq(&out) || !tr.Fee.Eq(&fee) || tr.FeeToken != i || !tr.In.Eq(&amt) {
			t.Errorf("%s: trade %+v; want out %v fee %v", c.name, tr, &out, &fee)
		}
		var wi, wj uint256.Int
		wi.Add(&old[i], &amt)
		wj.Sub(&old[j], &out)
		if !p.balances[i].Eq(&wi) || !p.balances[j].Eq(&wj) {
			t.Errorf("%s: balances not updated by the gross input and the output", c.name)
		}
	}
}

// TestSwapGivenOutFormula recomposes an exact-output swap: CalcInGivenOut
// on upscaled amounts, downscaled rounding up, then DivUp by 1 − fee.
func TestSwapGivenOutFormula(t *testing.T) {
	for _, c := range poolCases {
		p := c.build(t)
		i, j := 0, 1
		want := fraction(&p.balances[j], 0.05)
		var bi, bj, aOut uint256.Int
		bi.Mul(&p.balances[i], &p.scaling[i])
		bj.Mul(&p.balances[j], &p.scaling[j])
		aOut.Mul(&want, &p.scaling[j])
		net, err := CalcInGivenOut(&bi, &p.weights[i], &bj, &p.weights[j], &aOut)
		if err != nil {
			t.Fatal(err)
		}
		divUpRaw(&net, &net, &p.scaling[i])
		c1 := Complement(&p.swapFee)
		in, err := DivUp(&net, &c1)
		if err != nil {
			t.Fatal(err)
		}
		clone := p.Clone().(*Pool)
		if _, err := p.SwapGivenOut(i, j, &want, new(uint256.Int).SubUint64(&in, 1)); err != errSwapLimit {
			t.Errorf("%s: max in below the cost: %v", c.name, err)
		}
		tr, err := p.SwapGivenOut(i, j, &want, &in)
		if err != nil {
			t.Fatal(err)
		}
		var fee uint256.Int
		fee.Sub(&in, &net)
		if !tr.In.Eq(&in) || !tr.Out.Eq(&want) || !tr.Fee.Eq(&fee) || tr.FeeToken != i {
			t.Errorf("%s: trade %+v; want in %v fee %v", c.name, tr, &in, &fee)
		}
		// Selling what the exact-output swap charged yields at least the
		// output: rounding favours the pool both ways.
		if back, err := clone.Swap(i, j, &in); err != nil || back.Out.Gt(&want) {
			t.Errorf("%s: selling %v gives %v, more than %v bought with it (%v)", c.name, &in, &back.Out, &want, err)
		}
	}
}

// TestSwapProperties runs random exact-input swaps and checks that Quote
// equals Swap, that failed swaps change nothing, that the invariant never
// falls, and that a round trip never returns more than was put in.
func TestSwapProperties(t *testing.T) {
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			p := c.build(t)
			r := rand.New(rand.NewPCG(5, uint64(len(c.name))))
			ok := 0
			for range 300 {
				i := r.IntN(p.n)
				j := (i + 1 + r.IntN(p.n-1)) % p.n
				amt := fraction(&p.balances[i], 1e-4+0.35*r.Float64())
				before := *p
				inv0, err := p.Invariant()
				if err != nil {
					t.Fatal(err)
				}
				q, qerr := p.Quote(i, j, &amt)
				if !sameState(p, &before) {
					t.Fatal("Quote changed the pool")
				}
				s, serr := p.Swap(i, j, &amt)
				if q != s || (qerr == nil) != (serr == nil) {
					t.Fatalf("Quote %+v, %v != Swap %+v, %v", q, qerr, s, serr)
				}
				if serr != nil {
					if !cfmm.IsRevert(serr) || !sameState(p, &before) {
						t.Fatalf("failed swap: %v, pool changed %v", serr, !sameState(p, &before))
					}
					continue
				}
				ok++
				inv1, err := p.Invariant()
				if err != nil {
					t.Fatal(err)
				}
				if inv1.Lt(&inv0) {
					t.Fatalf("invariant fell from %v to %v", &inv0, &inv1)
				}
				back, err := p.Clone().Swap(j, i, &s.Out)
				if err == nil && back.Out.Gt(&amt) {
					t.Fatalf("round trip turned %v into %v", &amt, &back.Out)
				}
			}
			if ok < 200 {
				t.Fatalf("only %d of 300 swaps succeeded", ok)
			}
		})
	}
}

func TestCloneIndependence(t *testing.T) {
	p := poolCases[3].build(t)
	c := p.Clone().(*Pool)
	before := *p
	amt := fraction(&c.balances[0], 0.1)
	if _, err := c.Swap(0, 2, &amt); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSwapFee(u(MaxSwapFee)); err != nil {
		t.Fatal(err)
	}
	if !sameState(p, &before) {
		t.Fatal("changing the clone changed the original")
	}
}

// TestSpotPrice compares (B_j/w_j)/(B_i/w_i) with the slope of the exact
// fee-free curve (CalcOutGivenIn on upscaled balances, for 1e-6 of the
// balance), converted to raw units.
func TestSpotPrice(t *testing.T) {
	for _, c := range poolCases {
		p := c.build(t)
		for i := range p.n {
			for j := range p.n {
				if i == j {
					continue
				}
				bi, bj, err := p.upscaled(i, j)
				if err != nil {
					t.Fatal(err)
				}
				amt := fraction(&bi, 1e-6)
				out, err := CalcOutGivenIn(&bi, &p.weights[i], &bj, &p.weights[j], &amt)
				if err != nil {
					t.Fatal(err)
				}
				want := out.Float64() / amt.Float64() * p.scaling[i].Float64() / p.scaling[j].Float64()
				if got := p.SpotPrice(i, j); math.Abs(got/want-1) > 1e-5 {
					t.Errorf("%s: SpotPrice(%d,%d) = %g, small trade %g", c.name, i, j, got, want)
				}
			}
		}
	}
	p := poolCases[0].build(t)
	if !math.IsNaN(p.SpotPrice(0, 2)) || p.SpotPrice(1, 1) != 1 {
		t.Error("SpotPrice edge cases")
	}
}

func TestReverts(t *testing.T) {
	p := poolCases[1].build(t)
	one := u(1)
	over := fraction(&p.balances[0], 0.31)
	var overOut uint256.Int
	overOut.Add(&p.balances[1], one)
	for _, tc := range []struct {
		name string
		op   func() error
		want error
	}{
		{"same token", func() error { _, err := p.Swap(1, 1, one); return err }, errSameToken},
		{"bad index", func() error { _, err := p.Swap(0, 2, one); return err }, errNotRegistered},
		{"negative index", func() error { _, err := p.Swap(-1, 0, one); return err }, errNotRegistered},
		{"zero amount", func() error { _, err := p.Swap(0, 1, new(uint256.Int)); return err }, errZeroAmount},
		{"zero out", func() error { _, err := p.SwapGivenOut(0, 1, new(uint256.Int), nil); return err }, errZeroAmount},
		{"max in ratio", func() error { _, err := p.Swap(0, 1, &over); return err }, errMaxInRatio},
		{"max out ratio", func() error { _, err := p.SwapGivenOut(0, 1, &overOut, nil); return err }, errMaxOutRatio},
		{"min out", func() error {
			q, _ := p.Quote(0, 1, one.Clone().Mul(one, u(1e15)))
			_, err := p.SwapGivenIn(0, 1, u(1e15), q.Out.AddUint64(&q.Out, 1))
			return err
		}, errSwapLimit},
		{"overflow", func() error { _, err := p.Swap(0, 1, new(uint256.Int).SetAllOne()); return err }, errMulOverflow},
	} {
		before := *p
		if err := tc.op(); err != tc.want {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if !sameState(p, &before) {
			t.Errorf("%s: pool changed", tc.name)
		}
	}
	if _, err := p.Swap(0, 1, nil); err == nil {
		t.Error("nil amount accepted")
	}

	// A balance that would exceed the Vault's uint112.
	big := poolCase{"big", []uint64{50, 50}, nil, []uint64{1, 1}, 1e15}.config()
	big.Balances[0] = *new(uint256.Int).Set(maxBalance)
	big.Balances[0].Sub(&big.Balances[0], u(1e6))
	bp, err := New(big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bp.Swap(0, 1, u(2e6)); err != errBalanceOverflow {
		t.Errorf("uint112 overflow: %v", err)
	}

	for _, tc := range []struct {
		mutate func(*Config)
		want   error
	}{
		{func(c *Config) { c.Weights = c.Weights[:1]; c.Balances = c.Balances[:1] }, errMinTokens},
		{func(c *Config) {
			c.Weights = make([]uint256.Int, 9)
			c.Balances = make([]uint256.Int, 9)
		}, errMaxTokens},
		{func(c *Config) { c.Weights[0] = *u(MinWeight - 1); c.Weights[1] = *u(One - MinWeight + 1) }, errMinWeight},
		{func(c *Config) { c.Weights[1] = pct(51) }, errWeightSum},
		{func(c *Config) { c.Weights[1] = pct(49) }, errWeightSum},
		{func(c *Config) { c.SwapFee = *u(MinSwapFee - 1) }, errMinSwapFee},
		{func(c *Config) { c.SwapFee = *u(MaxSwapFee + 1) }, errMaxSwapFee},
		{func(c *Config) { c.Balances = c.Balances[:1] }, errLengthMismatch},
	} {
		cfg := poolCases[0].config()
		tc.mutate(&cfg)
		if _, err := New(cfg); err != tc.want {
			t.Errorf("New: err = %v, want %v", err, tc.want)
		}
	}
}

// TestLogExp compares the library's ln, exp and pow with float64 over their
// whole domain, which exercises every tabulated constant, and checks the
// bounds reverts.
func TestLogExp(t *testing.T) {
	for e := -18.0; e < 58; e += 0.37 {
		x := math.Pow(10, e)
		var a uint256.Int
		a.SetFromBig(bigFromFloat(x * 1e18))
		l := ln(&a)
		got := signedFloat(&l) / 1e18
		if want := math.Log(a.Float64() / 1e18); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("ln(%g) = %g, want %g", x, got, want)
		}
	}
	for x := -41.0; x <= 130; x += 0.73 {
		var a uint256.Int
		a.SetFromBig(bigFromFloat(math.Abs(x) * 1e18))
		if x < 0 {
			a.Neg(&a)
		}
		e, err := exp(&a)
		if err != nil {
			t.Fatal(err)
		}
		want := math.Exp(signedFloat(&a) / 1e18)
		if got := e.Float64() / 1e18; math.Abs(got/want-1) > 1e-12 && math.Abs(got-want) > 1e-17 {
			t.Errorf("exp(%g) = %g, want %g", x, got, want)
		}
	}
	big := new(uint256.Int).Lsh(u(1), 255)
	for _, tc := range []struct {
		x, y *uint256.Int
		want error
	}{
		{big, u(One), errXOutOfBounds},
		{u(2 * One), mildExponentBound, errYOutOfBounds},
		{u(2 * One), new(uint256.Int).Mul(u(200), u(One)), errProductOutBounds},
		{u(1), u(3 * One), errProductOutBounds},
	} {
		if _, err := Pow(tc.x, tc.y); err != tc.want {
			t.Errorf("Pow(%v, %v): %v, want %v", tc.x, tc.y, err, tc.want)
		}
	}
	if _, err := exp(new(uint256.Int).Mul(u(131), u(One))); err != errInvalidExponent {
		t.Errorf("exp(131): %v", err)
	}
}

func signedFloat(x *uint256.Int) float64 {
	if x.Sign() < 0 {
		var n uint256.Int
		n.Neg(x)
		return -n.Float64()
	}
	return x.Float64()
}

func bigFromFloat(x float64) *big.Int {
	b, _ := new(big.Float).SetFloat64(x).Int(nil)
	return b
}

// EstimateOut, the float64 estimate searches use, stays within 1e-9 of the
// exact Quote from tiny trades to the 30% input limit, and is not ok where
// Quote reverts.
func TestEstimateOut(t *testing.T) {
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			p := c.build(t)
			for i := range p.n {
				for j := range p.n {
					if i == j {
						continue
					}
					for _, frac := range []float64{1e-7, 1e-4, 1e-2, 0.1, 0.29, 0.31} {
						amt := cfmm.Amount(cfmm.Float(&p.balances[i]) * frac)
						q, err := p.Quote(i, j, &amt)
						got, ok := p.EstimateOut(i, j, cfmm.Float(&amt))
						if err != nil || !ok {
							if (err == nil) != ok {
								t.Errorf("%d→%d %g of balance: quote error %v, estimate ok %v", i, j, frac, err, ok)
							}
							continue
						}
						want := cfmm.Float(&q.Out)
						if math.Abs(got-want) > 1e-9*want+2 {
							t.Errorf("%d→%d %g of balance: estimate %g, quote %g", i, j, frac, got, want)
						}
					}
				}
			}
		})
	}
}

// sameState compares two pools' contract state, ignoring the swap memo,
// which is a cache.
func sameState(a, b *Pool) bool {
	x, y := *a, *b
	x.memo = y.memo
	return x == y
}
