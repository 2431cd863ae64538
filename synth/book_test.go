package synth

import (
	"errors"
	"maps"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/pos"
	"github.com/holiman/uint256"
)

func u(x uint64) uint256.Int { return *uint256.NewInt(x) }

func rays(x uint64) uint256.Int {
	var r uint256.Int
	return *r.Mul(uint256.NewInt(x), &ray)
}

func rad(tokens uint64) uint256.Int { return rays(tokens) }

// baseParams: 25 synthetic per 100 staked (CollateralRatio 4), default
// below twice the debt, no interest.
func baseParams() Params {
	return Params{
		CollateralRatio:  rays(4),
		LiquidationRatio: rays(2),
		Curve:            RateCurve{{}},
		EpochsPerYear:    365,
		Disposition:      pos.Burn,
		DefaultWindow:    10,
	}
}

type env struct {
	chain    *pos.Chain
	book     *Book
	treasury pos.AccountID
}

// newEnv gives account i a validator with stakes[i] self-stake (commission
// 0, no issuance), plus an empty treasury account.
func newEnv(t testing.TB, p Params, policy Policy, stakes ...uint64) *env {
	t.Helper()
	cfg := pos.CosmosConfig()
	cfg.Issuance = pos.Issuance{}
	chain, err := pos.New(cfg, stakes)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range stakes {
		if _, err := chain.AddValidator(pos.AccountID(i), 0, s); err != nil {
			t.Fatal(err)
		}
	}
	treasury, err := chain.NewAccount()
	if err != nil {
		t.Fatal(err)
	}
	p.Treasury = treasury
	book, err := New(chain, p, policy, 0)
	if err != nil {
		t.Fatal(err)
	}
	return &env{chain, book, treasury}
}

func (e *env) check(t testing.TB) {
	t.Helper()
	if err := e.chain.Check(); err != nil {
		t.Fatal(err)
	}
	if err := e.book.Check(); err != nil {
		t.Fatal(err)
	}
}

// The brief's loan: 100 bonded, 25 synthetic borrowed, repaid, unlocked.
func TestLoanLifecycle(t *testing.T) {
	e := newEnv(t, baseParams(), nil, 100e6)
	par := RayOne()
	if _, err := e.book.Borrow(0, 0, 0, 100e6, u(25e6+1), par); !errors.Is(err, ErrUndercollateral) {
		t.Fatalf("borrowing above 100/4: %v", err)
	}
	id, err := e.book.Borrow(0, 0, 0, 100e6, u(25e6), par)
	if err != nil {
		t.Fatal(err)
	}
	if bal := e.book.Balance(0); !bal.Eq(uint256.NewInt(25e6)) {
		t.Fatalf("borrower holds %s", bal.Dec())
	}
	// LoanState is Loan's view but for the debt.
	full, _ := e.book.Loan(id)
	st, err := e.book.LoanState(id)
	if full.Debt.IsZero() || err != nil || !st.Debt.IsZero() {
		t.Fatalf("Loan's debt %s, LoanState's %s (%v)", full.Debt.Dec(), st.Debt.Dec(), err)
	}
	if st.Debt = full.Debt; st != full {
		t.Fatalf("LoanState %+v, Loan %+v", st, full)
	}
	for _, a := range []pos.AccountID{0, 1, 1000} {
		w, ok := e.book.BalanceUint64(a)
		if bal := e.book.Balance(a); w != bal.Uint64() || ok != bal.IsUint64() {
			t.Fatalf("BalanceUint64(%d) = %d, %t; Balance %s", a, w, ok, bal.Dec())
		}
	}
	if d, _ := e.chain.Delegation(0, 0); d.Locked != 100e6 {
		t.Fatalf("locked %d shares", d.Locked)
	}
	if _, err := e.chain.Unbond(0, 0, 1); !errors.Is(err, pos.ErrLocked) {
		t.Fatalf("unbonding collateral: %v", err)
	}
	tot := e.book.Totals()
	if want := rad(25e6); !tot.Supply.Eq(&want) || !tot.Debt.Eq(&want) || !tot.Deficit.IsZero() || !tot.Holdings.IsZero() {
		t.Fatalf("totals %+v", tot)
	}
	e.check(t)
	if err := e.book.Accrue(30); err != nil {
		t.Fatal(err)
	}
	paid, err := e.book.Repay(30, id, u(1e9))
	if err != nil {
		t.Fatal(err)
	}
	if !paid.Eq(uint256.NewInt(25e6)) {
		t.Fatalf("paid %s, want the 25e6 owed at zero interest", paid.Dec())
	}
	if info, _ := e.book.Loan(id); info.Status != Repaid || !info.Art.IsZero() {
		t.Fatalf("loan %+v", info)
	}
	if d, _ := e.chain.Delegation(0, 0); d.Locked != 0 {
		t.Fatalf("still locked %d", d.Locked)
	}
	if _, err := e.book.Repay(30, id, u(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("repaying a closed loan: %v", err)
	}
	if tot := e.book.Totals(); !tot.Supply.IsZero() || !tot.Debt.IsZero() {
		t.Fatalf("totals after repayment %+v", tot)
	}
	if _, err := e.book.Borrow(29, 0, 0, 1, u(1), par); !errors.Is(err, ErrEpoch) {
		t.Fatalf("borrowing in the past: %v", err)
	}
	e.check(t)
}

// refRpow is Maker's rpow in big integers: exponentiation by squaring with
// each product rounded half up.
func refRpow(x *big.Int, n uint64, base *big.Int) *big.Int {
	half := new(big.Int).Rsh(base, 1)
	z := new(big.Int).Set(base)
	if n%2 == 1 {
		z.Set(x)
	}
	x = new(big.Int).Set(x)
	for n /= 2; n > 0; n /= 2 {
		x.Mul(x, x).Add(x, half).Quo(x, base)
		if n%2 == 1 {
			z.Mul(z, x).Add(z, half).Quo(z, base)
		}
	}
	return z
}

// Interest accrual, recomputed independently with big integers.
func TestInterestExact(t *testing.T) {
	p := baseParams()
	p.Curve = RateCurve{{Rate: Fraction(5, 100)}} // 5% a year
	e := newEnv(t, p, nil, 1000e6, 1000e6)
	bigRay := new(big.Int).Exp(big.NewInt(10), big.NewInt(27), nil)
	fivePct := Fraction(5, 100)
	perEpoch := new(big.Int).Quo(fivePct.ToBig(), big.NewInt(365))
	x := new(big.Int).Add(bigRay, perEpoch)
	id, err := e.book.Borrow(0, 0, 0, 1000e6, u(200e6), RayOne())
	if err != nil {
		t.Fatal(err)
	}
	// Ten epochs at once: one rpow.
	if err := e.book.Accrue(10); err != nil {
		t.Fatal(err)
	}
	want := new(big.Int).Quo(new(big.Int).Mul(bigRay, refRpow(x, 10, bigRay)), bigRay)
	if idx := e.book.Index(); idx.ToBig().Cmp(want) != 0 {
		t.Fatalf("index %s, want %s", idx.Dec(), want)
	}
	// Then one epoch at a time: index ← ⌊index·x/RAY⌋ (rpow of 1 is x).
	for ep := uint64(11); ep <= 20; ep++ {
		if err := e.book.Accrue(ep); err != nil {
			t.Fatal(err)
		}
		want.Mul(want, x).Quo(want, bigRay)
	}
	idx := e.book.Index()
	if idx.ToBig().Cmp(want) != 0 {
		t.Fatalf("index %s, want %s", idx.Dec(), want)
	}
	// The interest went to the protocol, exactly art·(index − 1).
	art := big.NewInt(200e6) // index was 1 at borrowing: art = amount
	interest := new(big.Int).Mul(art, new(big.Int).Sub(want, bigRay))
	tot := e.book.Totals()
	if tot.Holdings.ToBig().Cmp(interest) != 0 {
		t.Fatalf("holdings %s, want interest %s", tot.Holdings.Dec(), interest)
	}
	owed := new(big.Int).Mul(art, want)
	owedTokens := new(big.Int).Quo(new(big.Int).Add(owed, new(big.Int).Sub(bigRay, big.NewInt(1))), bigRay)
	info, _ := e.book.Loan(id)
	if info.Debt.ToBig().Cmp(owedTokens) != 0 {
		t.Fatalf("debt %s, want ⌈%s/RAY⌉ = %s", info.Debt.Dec(), owed, owedTokens)
	}
	// A second loan at index > 1: art rounds up, the protocol keeps the
	// rounding.
	id2, err := e.book.Borrow(20, 1, 1, 1000e6, u(7), RayOne())
	if err != nil {
		t.Fatal(err)
	}
	info2, _ := e.book.Loan(id2)
	art2 := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(big.NewInt(7), bigRay), new(big.Int).Sub(want, big.NewInt(1))), want)
	// 7 tokens at index 1.0027…: art = ⌈6.98…⌉ = 7, owing ⌈7.019…⌉ = 8.
	if info2.Art.ToBig().Cmp(art2) != 0 || art2.Int64() != 7 || !info2.Debt.Eq(uint256.NewInt(8)) {
		t.Fatalf("art %s debt %s, want art %s debt 8", info2.Art.Dec(), info2.Debt.Dec(), art2)
	}
	rounding2 := new(big.Int).Sub(new(big.Int).Mul(art2, want), new(big.Int).Mul(big.NewInt(7), bigRay))
	// The borrower needs the interest in synthetic: the protocol releases
	// the whole tokens it holds (as if sold) and borrower 1 sends one more,
	// since the interest is owed rounded up.
	held := new(big.Int).Add(interest, rounding2)
	release := new(big.Int).Quo(held, bigRay)
	if want := new(big.Int).Sub(owedTokens, big.NewInt(200e6+1)); release.Cmp(want) != 0 {
		t.Fatalf("protocol holds %s whole tokens, want %s", release, want)
	}
	rel, _ := uint256.FromBig(release)
	if err := e.book.Release(0, *rel); err != nil {
		t.Fatal(err)
	}
	if err := e.book.Transfer(1, 0, u(1)); err != nil {
		t.Fatal(err)
	}
	paid, err := e.book.Repay(20, id, u(1e12))
	if err != nil {
		t.Fatal(err)
	}
	if !paid.Eq(&info.Debt) {
		t.Fatalf("paid %s, want %s", paid.Dec(), info.Debt.Dec())
	}
	// Holdings: interest + rounding of loan 2 − released + (paid·RAY − owed).
	wantHeld := new(big.Int).Sub(held, new(big.Int).Mul(release, bigRay))
	wantHeld.Add(wantHeld, new(big.Int).Sub(new(big.Int).Mul(owedTokens, bigRay), owed))
	tot = e.book.Totals()
	if tot.Holdings.ToBig().Cmp(wantHeld) != 0 {
		t.Fatalf("holdings %s, want %s", tot.Holdings.Dec(), wantHeld)
	}
	if wantDebt := new(big.Int).Mul(art2, want); tot.Debt.ToBig().Cmp(wantDebt) != 0 {
		t.Fatalf("debt %s, want loan 2's %s", tot.Debt.Dec(), wantDebt)
	}
	e.check(t)
	info = info2
	// A partial repayment lowers art by ⌊y·RAY/index⌋.
	if _, err := e.book.Repay(20, id2, u(3)); err != nil {
		t.Fatal(err)
	}
	info2, _ = e.book.Loan(id2)
	drop := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(3), bigRay), want)
	if got := new(big.Int).Sub(info.Art.ToBig(), info2.Art.ToBig()); got.Cmp(drop) != 0 {
		t.Fatalf("partial repayment dropped art by %s, want %s", got, drop)
	}
	e.check(t)
}

func TestRateCurve(t *testing.T) {
	c := RateCurve{
		{X: Fraction(0, 1), Rate: Fraction(2, 100)},
		{X: Fraction(1, 2), Rate: Fraction(10, 100)},
		{X: Fraction(9, 10), Rate: Fraction(4, 100)}, // falling segment
	}
	for _, tc := range []struct {
		u    uint256.Int
		want uint256.Int
	}{
		{Fraction(0, 1), Fraction(2, 100)},
		{Fraction(1, 4), Fraction(6, 100)},
		{Fraction(1, 2), Fraction(10, 100)},
		{Fraction(7, 10), Fraction(7, 100)},
		{Fraction(9, 10), Fraction(4, 100)},
		{rays(5), Fraction(4, 100)},
	} {
		if got := c.At(tc.u); !got.Eq(&tc.want) {
			t.Errorf("At(%s) = %s, want %s", tc.u.Dec(), got.Dec(), tc.want.Dec())
		}
	}
	// Rounding: 1 wei of utilization on a rising slope of 8%/0.5.
	one := u(1)
	if got, want := c.At(one), Fraction(2, 100); !got.Eq(&want) {
		t.Errorf("At(1) = %s, want %s (16e-27 rounds down)", got.Dec(), want.Dec())
	}
	ten := u(10)
	var want uint256.Int
	base := Fraction(2, 100)
	want.AddUint64(&base, 1)
	if got := c.At(ten); !got.Eq(&want) {
		t.Errorf("At(10) = %s, want %s", got.Dec(), want.Dec())
	}
	// The rate follows utilization in a book.
	p := baseParams()
	p.Curve = c
	e := newEnv(t, p, nil, 100e6, 100e6)
	if _, err := e.book.Borrow(0, 0, 0, 100e6, u(25e6), RayOne()); err != nil {
		t.Fatal(err)
	}
	// 25 of 200 bonded: u = 1/8, rate = 2% + 8%·(1/8)/(1/2) = 4%.
	if got, want := e.book.Rate(), Fraction(4, 100); !got.Eq(&want) {
		t.Errorf("book rate %s, want %s", got.Dec(), want.Dec())
	}
	if err := (RateCurve{{X: u(5)}, {X: u(5)}}).validate(); err == nil {
		t.Error("curve with repeated X accepted")
	}
}

// A slash pushes a loan into default; the protocol deletes the debt,
// seizes and burns the collateral; the borrower keeps the synthetic.
func TestDefaultOnSlash(t *testing.T) {
	p := baseParams()
	p.LiquidationRatio = Fraction(5, 2) // default below 2.5 × debt
	e := newEnv(t, p, nil, 100e6, 100e6)
	cfgFraction := e.chain.Config().Cosmos.SlashFractionDoubleSign
	if cfgFraction != pos.One/20 {
		t.Fatalf("double-sign fraction %d", cfgFraction)
	}
	a, _ := e.book.Borrow(0, 0, 0, 100e6, u(25e6), RayOne())
	b, _ := e.book.Borrow(0, 1, 1, 100e6, u(20e6), RayOne())
	// 5% slash: 95 ≥ 2.5·25 = 62.5, no default.
	if _, err := e.chain.Slash(pos.DoubleSign, 0, 0, pos.NoValidator); err != nil {
		t.Fatal(err)
	}
	rep, err := e.book.Step(0, Observation{Price: RayOne()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ForeclosedDefault != 0 {
		t.Fatalf("foreclosed after a 5%% slash: %+v", rep)
	}
	// The collateral falls in price to 0.65 native: 95·0.65 = 61.75 < 62.5.
	price := Fraction(65, 100)
	if d, _ := e.book.InDefault(a, price); !d {
		t.Fatal("loan a not in default at 61.75 vs 62.5")
	}
	if d, _ := e.book.InDefault(b, price); d {
		t.Fatal("loan b (65 vs 50) in default")
	}
	before := e.chain.Ledger()
	rep, err = e.book.Step(1, Observation{Price: price})
	if err != nil {
		t.Fatal(err)
	}
	if deleted := rad(25e6); rep.ForeclosedDefault != 1 || rep.Seized != 95e6 || !rep.DebtDeleted.Eq(&deleted) {
		t.Fatalf("step %+v", rep)
	}
	after := e.chain.Ledger()
	if after.BurnedForeclosure-before.BurnedForeclosure != 95e6 || before.Supply()-after.Supply() != 95e6 {
		t.Fatalf("pos ledger %+v → %+v", before, after)
	}
	tot := e.book.Totals()
	if want := rad(25e6); !tot.Deficit.Eq(&want) {
		t.Fatalf("deficit %s, want %s", tot.Deficit.Dec(), want.Dec())
	}
	if bal := e.book.Balance(0); !bal.Eq(uint256.NewInt(25e6)) {
		t.Fatalf("borrower lost the synthetic: %s", bal.Dec())
	}
	if info, _ := e.book.Loan(a); info.Status != Foreclosed {
		t.Fatalf("loan a %v", info.Status)
	}
	if info, _ := e.book.Loan(b); info.Status != Open {
		t.Fatalf("loan b %v", info.Status)
	}
	// A default rate of 25/(25 + 20).
	if got, want := e.book.DefaultRate(), Fraction(25, 45); !got.Eq(&want) {
		t.Fatalf("default rate %s, want %s", got.Dec(), want.Dec())
	}
	// It leaves the window after DefaultWindow epochs.
	if err := e.book.Accrue(1 + 10); err != nil {
		t.Fatal(err)
	}
	if got := e.book.DefaultRate(); !got.IsZero() {
		t.Fatalf("default rate %s after the window", got.Dec())
	}
	e.check(t)
}

// mulWord multiplies by a word as uint256's MulOverflow does.
func TestMulWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for k := range 20000 {
		x := uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
		for i := range 4 {
			if rng.IntN(3) == 0 {
				x[i] = 0
			}
		}
		w := rng.Uint64()
		if k%5 == 0 {
			w = uint64(k)
		}
		var want, got uint256.Int
		_, wantOver := want.MulOverflow(&x, uint256.NewInt(w))
		if over := mulWord(&got, &x, w); got != want || over != wantOver {
			t.Fatalf("mulWord(%s, %d) = %s, %v; want %s, %v", x.Dec(), w, got.Dec(), over, want.Dec(), wantOver)
		}
	}
}

// beyondLimit decides as MulDivOverflow's 512-bit quotient does: debt
// beyond ⌊coll·RAY/CR⌋, that quotient when it is, never when it overflows.
func TestBeyondLimitMatchesMulDiv(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	word := func() uint256.Int {
		x := uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
		for i := range 4 {
			if rng.IntN(2) == 0 {
				x[i] = 0
			}
		}
		return x
	}
	crs := []uint256.Int{ray, *uint256.NewInt(1), {}, {0, 0, 0, 1}}
	var cr15 uint256.Int
	cr15.Mul(&ray, uint256.NewInt(3))
	cr15.Rsh(&cr15, 1)
	crs = append(crs, cr15)
	for k := range 40000 {
		b := &Book{}
		b.p.CollateralRatio = crs[k%len(crs)]
		if k%7 == 6 {
			b.p.CollateralRatio = word()
		}
		coll, debt := word(), word()
		if k%3 == 0 {
			// Near the limit: debt within one of ⌊coll·RAY/CR⌋.
			var q uint256.Int
			if _, over := q.MulDivOverflow(&coll, &ray, &b.p.CollateralRatio); !over {
				debt = q
				if k%2 == 0 {
					debt.AddUint64(&debt, 1)
				}
			}
		}
		var want uint256.Int
		_, over := want.MulDivOverflow(&coll, &ray, &b.p.CollateralRatio)
		wantUnder := !over && want.Lt(&debt)
		got, under := b.beyondLimit(&coll, &debt)
		if under != wantUnder || under && got != want {
			t.Fatalf("beyondLimit(%s, %s) at CR %s = %s, %v; want %s, %v",
				coll.Dec(), debt.Dec(), b.p.CollateralRatio.Dec(), got.Dec(), under, want.Dec(), wantUnder)
		}
	}
}

// poolStake values shares from fixed pools, as pos.Chain does.
type poolStake struct {
	Stake
	pools []pos.StakePool
}

func (s poolStake) SharesValue(v pos.ValidatorID, shares uint64) (uint64, error) {
	e := s.pools[v]
	if shares >= e.Shares {
		return e.Tokens, nil
	}
	var x, t, q uint256.Int
	x.SetUint64(shares)
	t.SetUint64(e.Tokens)
	q.MulDivOverflow(&x, &t, uint256.NewInt(e.Shares))
	return q.Uint64(), nil
}

// The screen says safe only for a loan out of default by the exact
// inequality value·price·RAY ≥ art·index·LR (big integers), which the
// book's exact test then confirms; near the threshold (art within two of
// its largest safe value), with multi-word and overflowing operands, and
// with shares at or above the pool's. It must also clear loans well out
// of default, or it would save nothing.
func TestScreenNeverClearsADefault(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	word := func() uint64 {
		switch rng.IntN(4) {
		case 0:
			return rng.Uint64()
		case 1:
			return rng.Uint64N(1000)
		}
		return rng.Uint64N(1 << (20 + rng.IntN(40)))
	}
	wide := func(min uint256.Int) uint256.Int {
		var x uint256.Int
		switch rng.IntN(5) {
		case 0:
			x = uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64() >> rng.IntN(64)}
		case 1:
			x.Mul(&min, uint256.NewInt(1+rng.Uint64N(1<<40)))
			x.Rsh(&x, 40)
		default:
			x.Mul(&min, uint256.NewInt(1000+rng.Uint64N(2000)))
			x.Div(&x, uint256.NewInt(1000))
		}
		if x.Lt(&min) {
			x = min
		}
		return x
	}
	bigOf := func(x *uint256.Int) *big.Int { return x.ToBig() }
	var cleared, clearable int
	for k := range 300000 {
		ps := poolStake{pools: make([]pos.StakePool, 3)}
		for i := range ps.pools {
			ps.pools[i] = pos.StakePool{Tokens: word(), Shares: word()}
		}
		b := &Book{stake: ps, pooled: ps, ok: true}
		b.index = wide(ray)
		b.p.LiquidationRatio = wide(Fraction(1, 2))
		if b.p.LiquidationRatio.IsZero() {
			b.p.LiquidationRatio = ray
		}
		price := wide(Fraction(1, 100))
		if k%50 == 0 {
			price.Clear()
		}
		v := pos.ValidatorID(rng.IntN(len(ps.pools)))
		l := loan{val: v, shares: word()}
		var art uint256.Int
		if k%4 != 0 && ps.pools[v].Shares > 0 {
			l.shares = rng.Uint64N(ps.pools[v].Shares)
		}
		value, _ := ps.SharesValue(v, l.shares)
		lhs := new(big.Int).Mul(new(big.Int).SetUint64(value), bigOf(&price))
		lhs.Mul(lhs, bigOf(&ray))
		rate := new(big.Int).Mul(bigOf(&b.index), bigOf(&b.p.LiquidationRatio))
		if k%3 != 0 && rate.Sign() > 0 {
			// art near its largest safe value ⌊lhs/rate⌋.
			a := new(big.Int).Quo(lhs, rate)
			a.Add(a, big.NewInt(int64(rng.IntN(5))-2))
			if a.Sign() < 0 {
				a.SetInt64(0)
			}
			if over := art.SetFromBig(a); over {
				art.SetAllOne()
			}
		} else if rng.IntN(2) == 0 {
			art = uint256.Int{word()}
		} else {
			art = wide(uint256.Int{1})
		}
		var debt uint256.Int
		if _, over := debt.MulOverflow(&art, &b.index); over {
			continue // beyond any book: debt = totalArt·index fits
		}
		rhs := new(big.Int).Mul(bigOf(&art), rate)
		sc := b.screen(&price)
		if unknown := l; true {
			unknown.val = pos.ValidatorID(len(ps.pools))
			if sc.safe(&unknown, &art) {
				t.Fatalf("case %d: screen clears a loan on an unknown validator", k)
			}
		}
		safe := sc.safe(&l, &art)
		if safe && lhs.Cmp(rhs) < 0 {
			t.Fatalf("case %d: screen clears a default: value %d price %s art %s index %s LR %s pool %+v shares %d",
				k, value, price.Dec(), art.Dec(), b.index.Dec(), b.p.LiquidationRatio.Dec(), ps.pools[v], l.shares)
		}
		th := b.thresholds(price)
		if d, err := b.inDefaultFast(&l, &art, price, &th); safe && (d || err != nil) {
			t.Fatalf("case %d: screen clears a loan inDefaultFast finds in default (%v)", k, err)
		}
		// Well out of default: value·P ≥ 2·(art·I + P) with room for
		// the floor, one-word art and shares below the pool's.
		margin := new(big.Int).Add(rhs, new(big.Int).Mul(bigOf(&price), bigOf(&ray)))
		margin.Lsh(margin, 1)
		if art.IsUint64() && l.shares < ps.pools[v].Shares && lhs.Cmp(margin) >= 0 && lhs.Sign() > 0 {
			clearable++
			if safe {
				cleared++
			} else if clearable-cleared < 4 {
				t.Logf("not cleared: value %d price %s art %s index %s LR %s pool %+v shares %d",
					value, price.Dec(), art.Dec(), b.index.Dec(), b.p.LiquidationRatio.Dec(), ps.pools[v], l.shares)
			}
		}
	}
	if clearable == 0 || cleared != clearable {
		t.Fatalf("the screen cleared %d of %d loans well out of default", cleared, clearable)
	}
	t.Logf("cleared %d loans well out of default", cleared)
}

func (s poolStake) Pool(v pos.ValidatorID) (pos.StakePool, bool) {
	if int(v) >= len(s.pools) {
		return pos.StakePool{}, false
	}
	return s.pools[v], true
}

// Balances of 2^64 or more keep their upper words apart (Book.high):
// Balance, BalanceUint64 and NumAccounts read what was set, and Check
// sums them with the low words, and fails on upper words that are zero
// or belong to no account.
func TestWideBalances(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	e := newEnv(t, baseParams(), nil, 100e6, 100e6)
	b := e.book
	ref := map[pos.AccountID]uint256.Int{}
	n := 0
	for k := range 4000 {
		a := pos.AccountID(rng.IntN(40))
		var v uint256.Int
		switch rng.IntN(4) {
		case 0:
		case 1:
			v.SetUint64(rng.Uint64())
		default:
			v = uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64N(1 << 22)}
		}
		b.setBalance(a, v)
		ref[a] = v
		if !v.IsZero() {
			n = max(n, int(a)+1)
		}
		if b.NumAccounts() != n {
			t.Fatalf("op %d: NumAccounts %d, want %d", k, b.NumAccounts(), n)
		}
		var sum uint256.Int
		for a := range pos.AccountID(45) {
			want := ref[a]
			sum.Add(&sum, &want)
			if got := b.Balance(a); got != want {
				t.Fatalf("op %d: Balance(%d) = %s, want %s", k, a, got.Dec(), want.Dec())
			}
			if lo, fits := b.BalanceUint64(a); lo != want[0] || fits != want.IsUint64() {
				t.Fatalf("op %d: BalanceUint64(%d) = %d, %v; want %s", k, a, lo, fits, want.Dec())
			}
		}
		// A book whose synthetic is all in these balances.
		b.circulating = sum
		b.supply.Mul(&sum, &ray)
		b.holdings.Clear()
		b.debt.Clear()
		b.totalArt.Clear()
		b.deficit, b.minted, b.burned = b.supply, b.supply, uint256.Int{}
		if err := b.Check(); err != nil {
			t.Fatalf("op %d: %v", k, err)
		}
	}
	if len(b.high) == 0 {
		t.Fatal("no wide balance at the end")
	}
	for _, perturb := range []func(){
		func() { b.high[pos.AccountID(len(b.bal))] = [3]uint64{1} },
		func() { b.high[0] = [3]uint64{} },
		func() { b.bal[0]++ },
	} {
		saved, savedBal := maps.Clone(b.high), slices.Clone(b.bal)
		perturb()
		if err := b.Check(); err == nil || !strings.Contains(err.Error(), ": circulating: ") {
			t.Fatalf("Check of perturbed balances: %v", err)
		}
		b.high, b.bal = saved, savedBal
	}
}

// sumMod adds as a running uint256 Add does, wrapping at 2^256.
func TestSumMod(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for k := range 2000 {
		xs := make([]uint256.Int, rng.IntN(40))
		var want uint256.Int
		for i := range xs {
			xs[i] = uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
			for j := range 4 {
				if rng.IntN(2) == 0 {
					xs[i][j] = 0
				}
			}
			if k%2 == 0 {
				xs[i][3] = ^uint64(0) // wraps
			}
			want.Add(&want, &xs[i])
		}
		if got := sumMod(xs); got != want {
			t.Fatalf("sumMod = %s, want %s", got.Dec(), want.Dec())
		}
	}
}

// mulDivRay is MulDivOverflow(x, y, RAY): quotient and overflow, with
// products of every width, and z aliasing x.
func TestMulDivRay(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	word := func() uint256.Int {
		x := uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
		for i := range 4 {
			if rng.IntN(2) == 0 {
				x[i] = 0
			}
		}
		return x
	}
	for k := range 200000 {
		x, y := word(), word()
		if k%3 == 0 {
			y = ray
			y.AddUint64(&y, rng.Uint64N(1e18))
		}
		var want, got uint256.Int
		_, wantOver := want.MulDivOverflow(&x, &y, &ray)
		over := mulDivRay(&got, &x, &y)
		if over != wantOver || got != want {
			t.Fatalf("mulDivRay(%s, %s) = %s, %v; want %s, %v", x.Dec(), y.Dec(), got.Dec(), over, want.Dec(), wantOver)
		}
		z := x
		if mulDivRay(&z, &z, &y); z != want {
			t.Fatalf("aliased mulDivRay(%s, %s) = %s, want %s", x.Dec(), y.Dec(), z.Dec(), want.Dec())
		}
	}
}
