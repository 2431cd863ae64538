package stableswap

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

func e18(x uint64) uint256.Int {
	var z uint256.Int
	z.Mul(u(x), u(1e18))
	return z
}

func pow10(k uint64) uint256.Int {
	var z uint256.Int
	z.Exp(u(10), u(k))
	return z
}

// poolCase is a pool configuration shared by the property tests.
type poolCase struct {
	name     string
	a        uint64
	fee      uint64
	adminFee uint64
	decimals []uint8
	deposit  []uint64 // whole coins
}

var poolCases = []poolCase{
	{"2coin-balanced", 100, 4_000_000, 0, []uint8{18, 18}, []uint64{1_000_000, 1_000_000}},
	{"2coin-admin", 2000, 4_000_000, 5_000_000_000, []uint8{18, 18}, []uint64{300_000, 1_700_000}},
	{"3pool-like", 2000, 1_000_000, 5_000_000_000, []uint8{18, 6, 6}, []uint64{100_000_000, 120_000_000, 80_000_000}},
	{"4coin-mixed", 50, 30_000_000, 10_000_000_000, []uint8{18, 8, 6, 18}, []uint64{1_000, 2_000, 3_000, 4_000}},
	{"8coin", 500, 4_000_000, 5_000_000_000, []uint8{18, 18, 6, 6, 8, 8, 18, 12}, []uint64{10, 20, 30, 40, 50, 60, 70, 80}},
}

func (c poolCase) build(t testing.TB) *Pool {
	t.Helper()
	rates := make([]uint256.Int, len(c.decimals))
	amounts := make([]uint256.Int, len(c.decimals))
	for k, d := range c.decimals {
		rates[k] = RateForDecimals(d)
		amounts[k] = pow10(uint64(d))
		amounts[k].Mul(&amounts[k], u(c.deposit[k]))
	}
	p, err := New(Config{A: c.a, Fee: c.fee, AdminFee: c.adminFee, Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddLiquidity(amounts, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

// randomAmount returns up to frac of coin i's balance, at least 1 unit.
func randomAmount(r *rand.Rand, p *Pool, i int, frac float64) uint256.Int {
	f := r.Float64() * frac
	var amt uint256.Int
	amt.Mul(&p.balances[i], u(uint64(f*1e9)))
	amt.Div(&amt, u(1e9))
	if amt.IsZero() {
		amt.SetOne()
	}
	return amt
}

// randomTrade picks a trade of up to 30 % of the output coin's normalized
// balance, selling the scarcer coin when the output coin falls below a
// third of the average, so that the walk stays away from the degenerate
// balances where the contract's own Newton iterations fail.
func randomTrade(r *rand.Rand, p *Pool) (i, j int, dx uint256.Int) {
	i = r.IntN(p.n)
	j = (i + 1 + r.IntN(p.n-1)) % p.n
	var a arith
	xp := p.xp(&a, &p.balances)
	var avg uint256.Int
	for k := range p.n {
		avg.Add(&avg, &xp[k])
	}
	avg.Div(&avg, u(uint64(3*p.n)))
	if xp[j].Lt(&avg) {
		i, j = j, i
	}
	dx.Mul(&xp[j], u(uint64(r.Float64()*0.3e9)+1)).Div(&dx, u(1e9))
	dx.Mul(&dx, u(1e18)).Div(&dx, &p.rates[i])
	if dx.IsZero() {
		dx.SetOne()
	}
	return i, j, dx
}

func mustD(t testing.TB, p *Pool) uint256.Int {
	t.Helper()
	d, err := p.Invariant()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSwapProperties runs random swaps and checks, for each: Quote equals
// Swap; D does not decrease (the fee and the 1-unit rounding stay in the
// pool); the input balance grows by exactly the input; the output coin is
// conserved (old balance = new balance + paid + admin share); Trade.Fee is
// the fee in the output coin and the admin balance grows by its admin share.
func TestSwapProperties(t *testing.T) {
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			p := c.build(t)
			r := rand.New(rand.NewPCG(1, uint64(len(c.name))))
			ok := 0
			for range 300 {
				i, j, dx := randomTrade(r, p)
				before := *p
				d0 := mustD(t, p)
				q, qerr := p.Quote(i, j, &dx)
				if !sameState(p, &before) {
					t.Fatal("Quote changed the pool")
				}
				s, serr := p.Swap(i, j, &dx)
				if (qerr == nil) != (serr == nil) || q != s {
					t.Fatalf("Quote %+v, %v != Swap %+v, %v", q, qerr, s, serr)
				}
				if serr != nil {
					if !sameState(p, &before) {
						t.Fatal("failed Swap changed the pool")
					}
					continue
				}
				ok++
				if s.FeeToken != j || !s.In.Eq(&dx) {
					t.Fatalf("trade %+v: wrong fee token or input", s)
				}
				if d1 := mustD(t, p); d1.Lt(&d0) {
					t.Fatalf("D fell from %v to %v", &d0, &d1)
				}
				var want uint256.Int
				want.Add(&before.balances[i], &dx)
				if !p.balances[i].Eq(&want) {
					t.Fatalf("balance %d = %v, want %v", i, &p.balances[i], &want)
				}
				var adminGain, total uint256.Int
				adminGain.Sub(&p.admin[j], &before.admin[j])
				total.Add(&p.balances[j], &s.Out).Add(&total, &adminGain)
				if !total.Eq(&before.balances[j]) {
					t.Fatalf("coin %d not conserved: %v + %v + %v != %v", j, &p.balances[j], &s.Out, &adminGain, &before.balances[j])
				}
				// The admin share is floored twice, so it lies within one
				// unit plus rounding of fee·adminFee/1e10.
				var share uint256.Int
				share.Mul(&s.Fee, u(c.adminFee)).Div(&share, u(FeeDenominator))
				if adminGain.Gt(&share) {
					var diff uint256.Int
					diff.Sub(&adminGain, &share)
					if diff.GtUint64(1) {
						t.Fatalf("admin gain %v exceeds share %v of fee %v", &adminGain, &share, &s.Fee)
					}
				}
				if c.fee > 0 && s.Out.GtUint64(1e9) && s.Fee.IsZero() {
					t.Fatalf("no fee on %+v", s)
				}
				for k := range p.n {
					if k != i && k != j && p.balances[k] != before.balances[k] {
						t.Fatalf("untouched coin %d changed", k)
					}
				}
			}
			if ok < 290 {
				t.Fatalf("only %d of 300 swaps succeeded", ok)
			}
		})
	}
}

// TestExchangeFormula checks Exchange against the contract's formula written
// out with a 6-decimal output coin and a nonzero admin fee.
func TestExchangeFormula(t *testing.T) {
	c := poolCases[2]
	p := c.build(t)
	dx := e18(12_345)
	var xp [3]uint256.Int
	for k := range 3 {
		xp[k].Mul(&p.balances[k], &p.rates[k]).Div(&xp[k], u(1e18))
	}
	var x uint256.Int
	x.Add(&xp[0], &dx) // coin 0 has rate 1e18
	y, err := GetY(0, 2, &x, xp[:], p.APrecise())
	if err != nil {
		t.Fatal(err)
	}
	var dy, dyFee, out, admin uint256.Int
	dy.Sub(&xp[2], &y).SubUint64(&dy, 1)
	dyFee.Mul(&dy, u(c.fee)).Div(&dyFee, u(FeeDenominator))
	out.Sub(&dy, &dyFee).Mul(&out, u(1e18)).Div(&out, &p.rates[2])
	admin.Mul(&dyFee, u(c.adminFee)).Div(&admin, u(FeeDenominator)).Mul(&admin, u(1e18)).Div(&admin, &p.rates[2])
	old2 := p.balances[2]

	if _, err := p.Exchange(0, 2, &dx, new(uint256.Int).AddUint64(&out, 1)); err == nil || !cfmm.IsRevert(err) {
		t.Fatalf("min_dy above the output: err = %v, want revert", err)
	}
	got, err := p.Exchange(0, 2, &dx, &out)
	if err != nil || !got.Eq(&out) {
		t.Fatalf("Exchange = %v, %v; want %v", &got, err, &out)
	}
	var want uint256.Int
	want.Sub(&old2, &out).Sub(&want, &admin)
	if !p.balances[2].Eq(&want) || !p.admin[2].Eq(&admin) {
		t.Fatalf("balance %v admin %v; want %v, %v", &p.balances[2], &p.admin[2], &want, &admin)
	}
}

func TestCloneIndependence(t *testing.T) {
	p := poolCases[1].build(t)
	c := p.Clone().(*Pool)
	if *c != *p {
		t.Fatal("clone differs")
	}
	before := *p
	dx := e18(1000)
	if _, err := c.Swap(0, 1, &dx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddLiquidity([]uint256.Int{e18(5), e18(7)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.SetTime(1 << 20); err != nil {
		t.Fatal(err)
	}
	if err := c.RampA(4000, 1<<21); err != nil {
		t.Fatal(err)
	}
	if !sameState(p, &before) {
		t.Fatal("changing the clone changed the original")
	}
	if _, err := p.Swap(1, 0, &dx); err != nil {
		t.Fatal(err)
	}
	if c.balances == p.balances {
		t.Fatal("clone followed the original")
	}
}

// TestLiquidity checks add and remove operations against their formulas and
// that the virtual price never falls.
func TestLiquidity(t *testing.T) {
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			p := c.build(t)
			d0 := mustD(t, p)
			if s := p.TotalSupply(); !s.Eq(&d0) {
				t.Fatalf("first mint %v, want D %v", &s, &d0)
			}
			vp, err := p.VirtualPrice()
			if err != nil {
				t.Fatal(err)
			}
			checkVP := func(op string) {
				t.Helper()
				v, err := p.VirtualPrice()
				if err != nil {
					t.Fatal(err)
				}
				if v.Lt(&vp) {
					t.Fatalf("%s: virtual price fell from %v to %v", op, &vp, &v)
				}
				vp = v
			}
			n := p.n
			r := rand.New(rand.NewPCG(7, uint64(n)))

			// An unbalanced deposit pays the imbalance fee: it mints less
			// than the fee-free calc_token_amount.
			amounts := make([]uint256.Int, n)
			amounts[0] = randomAmount(r, p, 0, 0.3)
			est, err := p.CalcTokenAmount(amounts, true)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.AddLiquidity(amounts, new(uint256.Int).AddUint64(&est, 1)); !cfmm.IsRevert(err) {
				t.Fatalf("mint above estimate: err = %v, want revert", err)
			}
			supply0 := p.TotalSupply()
			minted, err := p.AddLiquidity(amounts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.fee > 0 && !minted.Lt(&est) {
				t.Fatalf("imbalanced mint %v not below fee-free %v", &minted, &est)
			}
			var s uint256.Int
			s.Add(&supply0, &minted)
			if got := p.TotalSupply(); !got.Eq(&s) {
				t.Fatalf("supply %v, want %v", &got, &s)
			}
			checkVP("add_liquidity")

			// A proportional withdrawal pays floor(balance·amount/supply).
			var burn uint256.Int
			burn.Div(&s, u(10))
			old := make([]uint256.Int, n)
			p.Balances(old)
			out := make([]uint256.Int, n)
			if err := p.RemoveLiquidity(&burn, nil, out); err != nil {
				t.Fatal(err)
			}
			for k := range n {
				var want uint256.Int
				want.Mul(&old[k], &burn).Div(&want, &s)
				if !out[k].Eq(&want) {
					t.Fatalf("remove_liquidity coin %d = %v, want %v", k, &out[k], &want)
				}
			}
			checkVP("remove_liquidity")

			// An imbalanced withdrawal burns more than the fee-free estimate.
			amounts = make([]uint256.Int, n)
			amounts[n-1] = randomAmount(r, p, n-1, 0.2)
			est, err = p.CalcTokenAmount(amounts, false)
			if err != nil {
				t.Fatal(err)
			}
			burned, err := p.RemoveLiquidityImbalance(amounts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !burned.Gt(&est) {
				t.Fatalf("imbalanced burn %v not above estimate %v", &burned, &est)
			}
			checkVP("remove_liquidity_imbalance")

			// Withdrawing one coin: less than the fee-free amount, and only
			// coin i leaves, by the payment plus the admin share of the fee.
			i := n / 2
			supply := p.TotalSupply()
			var tok uint256.Int
			tok.Div(&supply, u(20))
			dy, fee, err := p.calcWithdrawOneCoin(&tok, i)
			if err != nil {
				t.Fatal(err)
			}
			var xp [MaxCoins]uint256.Int
			for k := range n {
				xp[k].Mul(&p.balances[k], &p.rates[k]).Div(&xp[k], u(1e18))
			}
			dd := mustD(t, p)
			var d1 uint256.Int
			d1.Mul(&tok, &dd).Div(&d1, &supply)
			d1.Sub(&dd, &d1)
			yd, err := GetYD(i, xp[:n], &d1, p.APrecise())
			if err != nil {
				t.Fatal(err)
			}
			var free uint256.Int
			free.Sub(&xp[i], &yd).Mul(&free, u(1e18)).Div(&free, &p.rates[i])
			if !dy.Lt(&free) {
				t.Fatalf("one-coin withdrawal %v not below fee-free %v", &dy, &free)
			}
			before := *p
			got, err := p.RemoveLiquidityOneCoin(&tok, i, &dy)
			if err != nil || !got.Eq(&dy) {
				t.Fatalf("RemoveLiquidityOneCoin = %v, %v; want %v", &got, err, &dy)
			}
			var adminShare, total uint256.Int
			adminShare.Mul(&fee, u(c.adminFee)).Div(&adminShare, u(FeeDenominator))
			total.Add(&p.balances[i], &dy).Add(&total, &adminShare)
			var adminGain uint256.Int
			adminGain.Sub(&p.admin[i], &before.admin[i])
			if !total.Eq(&before.balances[i]) || !adminGain.Eq(&adminShare) {
				t.Fatalf("coin %d not conserved", i)
			}
			for k := range n {
				if k != i && p.balances[k] != before.balances[k] {
					t.Fatalf("coin %d changed", k)
				}
			}
			var sup uint256.Int
			sup.Sub(&before.supply, &tok)
			if !p.supply.Eq(&sup) {
				t.Fatal("supply not reduced by the burn")
			}
			checkVP("remove_liquidity_one_coin")
		})
	}
}

func TestRampA(t *testing.T) {
	p, err := New(Config{A: 100, Rates: make([]uint256.Int, 2), Time: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// The constructor leaves initial_A_time at 0: no ramp before day 1.
	if err := p.RampA(200, 1000+2*MinRampTime); err != errRampTooSoon {
		t.Fatalf("early ramp: %v", err)
	}
	t0 := uint64(10 * MinRampTime)
	if err := p.SetTime(t0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		futureA, futureTime uint64
		want                error
	}{
		{200, t0 + MinRampTime - 1, errRampTime},
		{200, t0 - 1, errRampTime},
		{0, t0 + MinRampTime, errRampA},
		{MaxA, t0 + MinRampTime, errRampA},
		{1001, t0 + MinRampTime, errRampChange},
		{9, t0 + MinRampTime, errRampChange},
	} {
		if err := p.RampA(tc.futureA, tc.futureTime); err != tc.want {
			t.Errorf("RampA(%d, %d) = %v, want %v", tc.futureA, tc.futureTime, err, tc.want)
		}
	}
	if err := p.RampA(1000, t0+4*MinRampTime); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dt, want uint64 }{
		{0, 10000}, {1, 10000 + 90000/(4*MinRampTime)}, {MinRampTime, 32500},
		{2 * MinRampTime, 55000}, {4*MinRampTime - 1, 100000 - 1}, {4 * MinRampTime, 100000}, {1 << 40, 100000},
	} {
		c := p.Clone().(*Pool)
		if err := c.SetTime(t0 + tc.dt); err != nil {
			t.Fatal(err)
		}
		if got := c.APrecise(); got != tc.want {
			t.Errorf("A_precise at +%d = %d, want %d", tc.dt, got, tc.want)
		}
	}
	if err := p.SetTime(t0 + 2*MinRampTime); err != nil {
		t.Fatal(err)
	}
	if err := p.SetTime(t0); err == nil {
		t.Fatal("time went back")
	}
	// A second ramp may start a day after the first: downward from 550,
	// by at most a factor of 10.
	if err := p.RampA(54, t0+3*MinRampTime); err != errRampChange {
		t.Fatalf("ramp to 54: %v", err)
	}
	if err := p.RampA(55, t0+4*MinRampTime); err != nil {
		t.Fatal(err)
	}
	if err := p.SetTime(t0 + 3*MinRampTime); err != nil {
		t.Fatal(err)
	}
	if got, want := p.APrecise(), uint64(55000-(55000-5500)/2); got != want {
		t.Fatalf("A_precise = %d, want %d", got, want)
	}
	p.StopRampA()
	if err := p.SetTime(t0 + 10*MinRampTime); err != nil {
		t.Fatal(err)
	}
	if got := p.A(); got != 302 {
		t.Fatalf("A after stop = %d, want 302", got)
	}
}

func TestFeeChange(t *testing.T) {
	p := poolCases[0].build(t)
	if err := p.CommitNewFee(MaxFee+1, 0); err != errFeeMax {
		t.Fatal(err)
	}
	if err := p.CommitNewFee(0, MaxAdminFee+1); err != errAdminFeeMax {
		t.Fatal(err)
	}
	if err := p.ApplyNewFee(); err != errNoAction {
		t.Fatal(err)
	}
	if err := p.CommitNewFee(1e7, 5e9); err != nil {
		t.Fatal(err)
	}
	if err := p.CommitNewFee(1e7, 5e9); err != errActiveAction {
		t.Fatal(err)
	}
	if err := p.ApplyNewFee(); err != errActionTime {
		t.Fatal(err)
	}
	if err := p.SetTime(AdminActionsDelay); err != nil {
		t.Fatal(err)
	}
	if err := p.ApplyNewFee(); err != nil {
		t.Fatal(err)
	}
	if f, a := p.Fee(); f != 1e7 || a != 5e9 {
		t.Fatalf("fees %d %d", f, a)
	}
}

// TestReverts checks that invalid calls return reverts (never panic) and
// leave the pool unchanged.
func TestReverts(t *testing.T) {
	huge := new(uint256.Int).SetAllOne()
	one := uint256.NewInt(1)
	empty, err := New(Config{A: 100, Rates: make([]uint256.Int, 3)})
	if err != nil {
		t.Fatal(err)
	}
	p := poolCases[2].build(t)
	for _, tc := range []struct {
		name string
		pool *Pool
		op   func(p *Pool) error
	}{
		{"same coin", p, func(p *Pool) error { _, err := p.Swap(1, 1, one); return err }},
		{"index high", p, func(p *Pool) error { _, err := p.Swap(0, 3, one); return err }},
		{"index negative", p, func(p *Pool) error { _, err := p.Swap(-1, 0, one); return err }},
		{"overflow", p, func(p *Pool) error { _, err := p.Swap(0, 1, huge); return err }},
		{"empty swap", empty, func(p *Pool) error { _, err := p.Swap(0, 1, one); return err }},
		{"initial deposit", empty, func(p *Pool) error {
			_, err := p.AddLiquidity([]uint256.Int{e18(1), {}, e18(1)}, nil)
			return err
		}},
		{"length", p, func(p *Pool) error { _, err := p.AddLiquidity([]uint256.Int{e18(1)}, nil); return err }},
		{"burn too much", p, func(p *Pool) error {
			s := p.TotalSupply()
			return p.RemoveLiquidity(s.AddUint64(&s, 1), nil, nil)
		}},
		{"one coin too much", p, func(p *Pool) error {
			s := p.TotalSupply()
			_, err := p.RemoveLiquidityOneCoin(s.AddUint64(&s, 1), 0, nil)
			return err
		}},
		{"imbalance too much", p, func(p *Pool) error {
			_, err := p.RemoveLiquidityImbalance([]uint256.Int{*huge, {}, {}}, nil)
			return err
		}},
		{"imbalance nothing", p, func(p *Pool) error {
			_, err := p.RemoveLiquidityImbalance(make([]uint256.Int, 3), nil)
			return err
		}},
		{"add nothing", p, func(p *Pool) error { _, err := p.AddLiquidity(make([]uint256.Int, 3), nil); return err }},
		{"empty withdraw", empty, func(p *Pool) error { _, err := p.CalcWithdrawOneCoin(one, 0); return err }},
	} {
		before := *tc.pool
		err := tc.op(tc.pool)
		if !cfmm.IsRevert(err) {
			t.Errorf("%s: err = %v, want revert", tc.name, err)
		}
		if !sameState(tc.pool, &before) {
			t.Errorf("%s: pool changed", tc.name)
		}
	}
	if _, err := p.Swap(0, 1, nil); err == nil {
		t.Error("nil amount accepted")
	}
	for _, cfg := range []Config{
		{A: 100, Rates: make([]uint256.Int, 1)},
		{A: 100, Rates: make([]uint256.Int, 9)},
		{A: 0, Rates: make([]uint256.Int, 2)},
		{A: MaxA, Rates: make([]uint256.Int, 2)},
		{A: 100, Fee: MaxFee + 1, Rates: make([]uint256.Int, 2)},
		{A: 100, AdminFee: MaxAdminFee + 1, Rates: make([]uint256.Int, 2)},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// TestSpotPrice compares the closed-form marginal price with the slope of
// the exact integer curve (GetY) over a step of 1e-9 of the balance,
// converted to raw units (so coins of different decimals give prices far
// from 1).
func TestSpotPrice(t *testing.T) {
	for _, c := range poolCases {
		c.fee = 0
		p := c.build(t)
		// Unbalance the pool so that prices differ from the rate ratio.
		dx := randomAmount(rand.New(rand.NewPCG(3, 3)), p, 0, 0.4)
		if _, err := p.Swap(0, 1, &dx); err != nil {
			t.Fatal(err)
		}
		var a arith
		xp := p.xp(&a, &p.balances)
		for i := range p.n {
			for j := range p.n {
				if i == j {
					continue
				}
				// The exact curve, in normalized units, around the state.
				var dx, x uint256.Int
				dx.Div(&xp[i], u(1e9))
				x.Add(&xp[i], &dx)
				y, err := GetY(i, j, &x, xp[:p.n], p.APrecise())
				if err != nil {
					t.Fatal(err)
				}
				var dy uint256.Int
				dy.Sub(&xp[j], &y)
				want := dy.Float64() / dx.Float64() * p.rates[i].Float64() / p.rates[j].Float64()
				if got := p.SpotPrice(i, j); math.Abs(got/want-1) > 1e-6 {
					t.Errorf("%s: SpotPrice(%d,%d) = %g, small trade gives %g", c.name, i, j, got, want)
				}
			}
		}
		if !math.IsNaN(p.SpotPrice(0, p.n)) || p.SpotPrice(1, 1) != 1 {
			t.Error("SpotPrice edge cases")
		}
	}
}

func TestLPHoldings(t *testing.T) {
	p := poolCases[1].build(t)
	dx := e18(50_000)
	if _, err := p.Swap(0, 1, &dx); err != nil {
		t.Fatal(err)
	}
	h := make([]uint256.Int, 2)
	a := make([]uint256.Int, 2)
	p.LPHoldings(h)
	p.AdminBalances(a)
	if h[0] != p.balances[0] || h[1] != p.balances[1] || a[1].IsZero() {
		t.Fatalf("holdings %v admin %v", h, a)
	}
	p.WithdrawAdminFees(a)
	if !a[1].Eq(&p.admin[1]) && !p.admin[1].IsZero() {
		t.Fatal("admin fees not withdrawn")
	}
}

// sameState compares two pools' contract state, ignoring the memos, which
// are caches.
func sameState(a, b *Pool) bool {
	x, y := *a, *b
	x.dMemo, x.fMemo, x.xMemo = y.dMemo, y.fMemo, y.xMemo
	return x == y
}

// EstimateOut, the float64 estimate searches use, stays within 1e-9 of the
// exact Quote (plus 1e-14 of the output balance) from tiny trades to a
// third of a balance, and refuses bad indices.
func TestEstimateOut(t *testing.T) {
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			p := c.build(t)
			for i := range p.n {
				for j := range p.n {
					if i == j {
						if _, ok := p.EstimateOut(i, j, 1); ok {
							t.Fatalf("%d→%d: ok", i, j)
						}
						continue
					}
					for _, frac := range []float64{1e-7, 1e-4, 1e-2, 0.1, 0.33} {
						amt := cfmm.Amount(cfmm.Float(&p.balances[i]) * frac)
						q, err := p.Quote(i, j, &amt)
						if err != nil {
							t.Fatal(err)
						}
						got, ok := p.EstimateOut(i, j, cfmm.Float(&amt))
						want := cfmm.Float(&q.Out)
						// float64 resolves dy = xp_j − y to about 1e-16 of
						// xp_j, relatively more for tiny trades.
						if !ok || math.Abs(got-want) > 1e-9*want+1e-14*cfmm.Float(&p.balances[j])+2 {
							t.Errorf("%d→%d %g of balance: estimate %g, quote %g (ok %v)", i, j, frac, got, want, ok)
						}
					}
				}
			}
			if _, ok := p.EstimateOut(0, p.n, 1); ok {
				t.Error("index n: ok")
			}
		})
	}
}

// TestSpotPriceWhereGetDReverts: a swap can leave a pool so imbalanced
// that the contract's get_D no longer converges (this one, from a run of
// examples/lst_discount.yaml at 10,000 steps, holds 149,196 stETH against
// 4.1 ETH). Every exchange then reverts, as on chain, and the estimates
// offer no trade; the marginal price is still a number, from the float64
// invariant, and matches a small trade along the float curve.
func TestSpotPriceWhereGetDReverts(t *testing.T) {
	before := []uint256.Int{{0xd2e8c97c92474301, 0x78b}, {0x4f1b7e3ec1422bb4, 0x12}}
	p := seededPool(t, 50, 4_000_000, 0, before)
	dx := uint256.Int{0x22e356f967000000, 0x180c}
	if _, err := p.Swap(0, 1, &dx); err != nil {
		t.Fatal(err)
	}
	bal := make([]uint256.Int, 2)
	p.Balances(bal)
	if bal[0].Dec() != "149196530891214750696193" || bal[1].Dec() != "4097369004088047535" {
		t.Fatalf("balances %s, %s", bal[0].Dec(), bal[1].Dec())
	}
	if _, err := p.Invariant(); err == nil {
		t.Fatal("get_D converges; the test no longer covers a reverting pool")
	}
	one := u(1e18)
	for range 2 { // the second quote meets the remembered revert
		if _, err := p.Quote(1, 0, one); !errors.Is(err, errDConverge) {
			t.Errorf("an exchange of a pool whose get_D reverts: %v", err)
		}
	}
	if _, ok := p.EstimateOut(1, 0, 1e18); ok {
		t.Error("EstimateOut offers a trade the pool refuses")
	}
	if in := p.OptimalIn(1, 0, 1); in != 0 {
		t.Errorf("OptimalIn = %g, want 0", in)
	}
	got := p.SpotPrice(0, 1)
	// The float curve around the state: y(x) from D and the other balance.
	x0, x1 := bal[0].Float64(), bal[1].Float64()
	d, ok := floatInvariant([]float64{x0, x1}, p.APrecise())
	if !ok {
		t.Fatal("floatInvariant failed")
	}
	ann := 50.0 * 2
	residual := ann*(x0+x1) + d - ann*d - d*d*d/(4*x0*x1)
	if math.Abs(residual) > 1e-9*ann*d {
		t.Errorf("D = %g leaves a residual of %g", d, residual)
	}
	curveY := func(x float64) float64 { // Ann·(x+y) + D = Ann·D + D³/(4xy), solved for y
		b := x + d/ann - d
		c := d * d * d / (4 * x * ann)
		return 2 * c / (b + math.Sqrt(b*b+4*c)) // the root without cancellation (b > 0 here)
	}
	h := x0 * 1e-7
	want := (curveY(x0-h) - curveY(x0+h)) / (2 * h)
	if !(got > 0) || math.Abs(got/want-1) > 1e-6 {
		t.Errorf("SpotPrice(0,1) = %g, the float curve's slope %g", got, want)
	}
	if r := p.SpotPrice(1, 0); math.Abs(r*got-1) > 1e-12 {
		t.Errorf("SpotPrice(1,0)·SpotPrice(0,1) = %g", r*got)
	}
}

// TestFloatInvariantMatchesGetD: where get_D converges, the float64
// invariant is the exact one to float64's precision.
func TestFloatInvariantMatchesGetD(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 2000 {
		n := 2 + r.IntN(MaxCoins-1)
		xp := make([]uint256.Int, n)
		xf := make([]float64, n)
		for k := range xp {
			xp[k] = scaled(r, 60+uint(r.IntN(40)))
			if xp[k].IsZero() {
				xp[k].SetOne()
			}
			xf[k] = xp[k].Float64()
		}
		amp := (1 + r.Uint64N(5000)) * APrecision
		exact, err := GetD(xp, amp)
		if err != nil {
			continue
		}
		got, ok := floatInvariant(xf, amp)
		if !ok || math.Abs(got/exact.Float64()-1) > 1e-12 {
			t.Fatalf("xp %v amp %d: float D %g (%v), exact %s", xf, amp, got, ok, exact.Dec())
		}
	}
}
