package synth

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/pos"
)

// A partial repayment releases collateral pro rata to the debt repaid,
// rounded down: repaying 10 of 25 unlocks 40 of 100 shares.
func TestPartialRepayReleasesProRata(t *testing.T) {
	e := newEnv(t, baseParams(), nil, 100e6)
	id, err := e.book.Borrow(0, 0, 0, 100e6, u(25e6), RayOne())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.book.Repay(0, id, u(10e6)); err != nil {
		t.Fatal(err)
	}
	info, _ := e.book.Loan(id)
	if info.Status != Open || info.Shares != 60e6 {
		t.Fatalf("after repaying 10 of 25: %+v, want 60e6 shares still locked", info)
	}
	if d, _ := e.chain.Delegation(0, 0); d.Locked != 60e6 {
		t.Fatalf("chain locks %d shares, want 60e6", d.Locked)
	}
	// The released shares are free: they can be unbonded.
	if _, err := e.chain.Unbond(0, 0, 40e6); err != nil {
		t.Fatalf("unbonding released shares: %v", err)
	}
	// A remaining loan whose collateral is a third of what it was still
	// repays in full and unlocks the rest.
	if _, err := e.book.Repay(0, id, u(15e6)); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.chain.Delegation(0, 0); d.Locked != 0 {
		t.Fatalf("locked %d after full repayment", d.Locked)
	}
	e.check(t)
}

// A borrower who repays all but dust is not left with a loan that a recall
// forecloses: the loan closes, the dust goes to the deficit, all the
// collateral comes back.
func TestDustCloses(t *testing.T) {
	p := baseParams()
	p.Dust = u(1000)
	policy := Enshrined{RecallDiscount: Fraction(10, 100), RecallWindow: 2}
	e := newEnv(t, p, policy, 100e6)
	id, err := e.book.Borrow(0, 0, 0, 100e6, u(25e6), RayOne())
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := e.book.Step(1, Observation{PoolDiscount: Fraction(20, 100), Price: RayOne()}); err != nil || rep.Recalled != 1 {
		t.Fatalf("recall: %+v %v", rep, err)
	}
	if _, err := e.book.Repay(1, id, u(25e6-1000)); err != nil {
		t.Fatal(err)
	}
	info, _ := e.book.Loan(id)
	if info.Status != Repaid {
		t.Fatalf("loan %+v, want closed", info)
	}
	if d, _ := e.chain.Delegation(0, 0); d.Locked != 0 {
		t.Fatalf("locked %d after a dust close", d.Locked)
	}
	tot := e.book.Totals()
	if want := rad(1000); !tot.Deficit.Eq(&want) || !tot.Debt.IsZero() {
		t.Fatalf("totals %+v, want the 1000 of dust in the deficit", tot)
	}
	rep, err := e.book.Step(3, Observation{PoolDiscount: Fraction(20, 100), Price: RayOne()})
	if err != nil || rep.ForeclosedRecall != 0 {
		t.Fatalf("at the deadline: %+v %v", rep, err)
	}
	if st := e.book.Stats(); st.DustClosed != 1 || st.Foreclosed != 0 {
		t.Fatalf("stats %+v", st)
	}
	// One unit more than dust left owed keeps the loan open.
	e2 := newEnv(t, p, nil, 100e6)
	id2, _ := e2.book.Borrow(0, 0, 0, 100e6, u(25e6), RayOne())
	if _, err := e2.book.Repay(0, id2, u(25e6-1001)); err != nil {
		t.Fatal(err)
	}
	if info, _ := e2.book.Loan(id2); info.Status != Open {
		t.Fatalf("1001 owed with dust 1000: %+v", info)
	}
	e.check(t)
	e2.check(t)
}

// A recall gives every borrower's loan a deadline but never the
// protocol's own liquidity: its pool position is not an agent that can
// repay.
func TestRecallSkipsProtocolOwned(t *testing.T) {
	policy := Enshrined{RecallDiscount: Fraction(10, 100), RecallWindow: 2}
	e := newEnv(t, baseParams(), policy, 100e6, 100e6)
	pol, _ := e.book.Borrow(0, 0, 0, 100e6, u(20e6), RayOne())
	user, _ := e.book.Borrow(0, 1, 1, 100e6, u(20e6), RayOne())
	if err := e.book.MarkProtocolOwned(pol); err != nil {
		t.Fatal(err)
	}
	obs := Observation{PoolDiscount: Fraction(20, 100), Price: RayOne()}
	if rep, err := e.book.Step(1, obs); err != nil || rep.Recalled != 1 {
		t.Fatalf("recall: %+v %v", rep, err)
	}
	rep, err := e.book.Step(3, obs)
	if err != nil || rep.ForeclosedRecall != 1 {
		t.Fatalf("deadline: %+v %v", rep, err)
	}
	if info, _ := e.book.Loan(pol); info.Status != Open || info.Recalled || !info.ProtocolOwned {
		t.Fatalf("protocol-owned loan %+v", info)
	}
	if info, _ := e.book.Loan(user); info.Status != Foreclosed {
		t.Fatalf("borrower's loan %+v", info)
	}
	e.check(t)
}

// The default rate's denominator is the debt exposed in the window, fixed
// at its start: when the other borrowers repay after a default, the rate
// stays where it was instead of jumping to 100%.
func TestDefaultRateFixedDenominator(t *testing.T) {
	e := newEnv(t, baseParams(), nil, 100e6, 100e6, 100e6, 100e6)
	var ids []LoanID
	for k := range 4 {
		id, err := e.book.Borrow(0, pos.AccountID(k), pos.ValidatorID(k), 100e6, u(25e6), RayOne())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := e.book.Accrue(1); err != nil {
		t.Fatal(err)
	}
	if err := e.book.Foreclose(1, ids[0]); err != nil {
		t.Fatal(err)
	}
	if got, want := e.book.DefaultRate(), Fraction(1, 4); !got.Eq(&want) {
		t.Fatalf("rate %s, want 1/4", got.Dec())
	}
	for _, id := range ids[1:] {
		if _, err := e.book.Repay(1, id, u(25e6)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := e.book.DefaultRate(), Fraction(1, 4); !got.Eq(&want) {
		t.Fatalf("after the others repaid: rate %s, want still 1/4", got.Dec())
	}
	e.check(t)
}

// ForecloseDefaults forecloses exactly the loans in default, at once.
func TestForecloseDefaults(t *testing.T) {
	p := baseParams()
	p.LiquidationRatio = Fraction(39, 10) // default below 97.5 of collateral per 25 owed
	e := newEnv(t, p, nil, 100e6, 100e6)
	weak, _ := e.book.Borrow(0, 0, 0, 100e6, u(25e6), RayOne())
	strong, _ := e.book.Borrow(0, 1, 1, 100e6, u(10e6), RayOne())
	// Cosmos's double-sign slashing burns 5%: 95 of collateral against
	// 25 owed is below the liquidation ratio.
	if _, err := e.chain.SlashMany(pos.DoubleSign, []pos.ValidatorID{0}, 0, pos.NoValidator); err != nil {
		t.Fatal(err)
	}
	info, _ := e.book.Loan(weak)
	value, _ := e.chain.SharesValue(0, info.Shares)
	rep, err := e.book.ForecloseDefaults(0, RayOne())
	if err != nil {
		t.Fatal(err)
	}
	if value >= 975e5 || rep.ForeclosedDefault != 1 {
		t.Fatalf("collateral %d against 25e6 owed: report %+v", value, rep)
	}
	if info, _ := e.book.Loan(strong); info.Status != Open {
		t.Fatalf("healthy loan %+v", info)
	}
	e.check(t)
}

// TopUp adds debt and collateral to one loan, checks the whole loan at the
// collateral ratio, and keeps every identity; TopUpIf does the same,
// reporting a refusal for want of collateral as false without an error.
func TestTopUp(t *testing.T) {
	for _, viaIf := range []bool{false, true} {
		topUp := func(e *env, id LoanID, shares uint64, amount uint256.Int) error {
			if !viaIf {
				return e.book.TopUp(0, id, shares, amount, RayOne())
			}
			ok, err := e.book.TopUpIf(0, id, shares, amount, RayOne())
			if !ok && err == nil {
				return ErrUndercollateral
			}
			if ok && err != nil {
				t.Fatalf("TopUpIf: ok and %v", err)
			}
			return err
		}
		e := newEnv(t, baseParams(), nil, 200e6)
		id, err := e.book.Borrow(0, 0, 0, 100e6, u(20e6), RayOne())
		if err != nil {
			t.Fatal(err)
		}
		// 100 more shares allow 50 in all at CR 4: 30 more is fine, 31 not.
		if err := topUp(e, id, 100e6, u(31e6)); !errors.Is(err, ErrUndercollateral) {
			t.Fatalf("top-up past the collateral ratio (TopUpIf %v): %v", viaIf, err)
		}
		if d, _ := e.chain.Delegation(0, 0); d.Locked != 100e6 {
			t.Fatalf("a failed top-up locked shares: %d", d.Locked)
		}
		if err := topUp(e, id, 100e6, u(0)); !errors.Is(err, ErrZero) {
			t.Fatalf("top-up of nothing (TopUpIf %v): %v", viaIf, err)
		}
		if err := topUp(e, id, 100e6, u(30e6)); err != nil {
			t.Fatal(err)
		}
		info, _ := e.book.Loan(id)
		if info.Shares != 200e6 || !info.Debt.Eq(uint256.NewInt(50e6)) {
			t.Fatalf("loan after top-up %+v", info)
		}
		if bal := e.book.Balance(0); !bal.Eq(uint256.NewInt(50e6)) {
			t.Fatalf("borrower holds %s", bal.Dec())
		}
		if st := e.book.Stats(); st.Opened != 1 {
			t.Fatalf("opened %d loans", st.Opened)
		}
		e.check(t)
	}
}

// With a Term, a loan falls due Term epochs after it opens and is
// foreclosed at the first Step on or after that unless repaid; a top-up
// does not extend it, a repaid loan is not touched, and protocol-owned
// liquidity never matures.
func TestLoanMaturity(t *testing.T) {
	p := baseParams()
	p.Term = 10
	e := newEnv(t, p, nil, 100e6, 100e6, 100e6)
	due, err := e.book.Borrow(0, 0, 0, 50e6, u(10e6), RayOne())
	if err != nil {
		t.Fatal(err)
	}
	repaid, err := e.book.Borrow(0, 1, 1, 50e6, u(10e6), RayOne())
	if err != nil {
		t.Fatal(err)
	}
	owned, err := e.book.Borrow(0, 2, 2, 50e6, u(10e6), RayOne())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.book.MarkProtocolOwned(owned); err != nil {
		t.Fatal(err)
	}
	if info, _ := e.book.Loan(due); info.Matures != 10 {
		t.Fatalf("matures at %d, want 10", info.Matures)
	}
	if info, _ := e.book.Loan(owned); info.Matures != 0 {
		t.Fatalf("protocol-owned loan matures at %d", info.Matures)
	}
	if err := e.book.TopUp(5, due, 10e6, u(1e6), RayOne()); err != nil {
		t.Fatal(err)
	}
	if info, _ := e.book.Loan(due); info.Matures != 10 {
		t.Fatalf("a top-up moved the maturity to %d", info.Matures)
	}
	if _, err := e.book.Repay(5, repaid, u(20e6)); err != nil {
		t.Fatal(err)
	}
	if rep, err := e.book.Step(9, Observation{Price: RayOne()}); err != nil || rep.ForeclosedRecall != 0 {
		t.Fatalf("before maturity: %+v %v", rep, err)
	}
	rep, err := e.book.Step(10, Observation{Price: RayOne()})
	if err != nil || rep.ForeclosedRecall != 1 || rep.ForeclosedDefault != 0 {
		t.Fatalf("at maturity: %+v %v, want the unpaid loan foreclosed for its deadline", rep, err)
	}
	for id, want := range map[LoanID]Status{due: Foreclosed, repaid: Repaid, owned: Open} {
		if info, _ := e.book.Loan(id); info.Status != want {
			t.Errorf("loan %d: status %d, want %d", id, info.Status, want)
		}
	}
	e.check(t)
}

// TopUpIf, which tries a refusal before dividing (refusedBelow), refuses,
// fails and succeeds exactly where TopUp does, and leaves the same book:
// random loans at random interest indices and prices, topped up by random
// amounts and by the largest amount the collateral allows, found by
// bisection, and the next ones.
func TestTopUpIfMatchesTopUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	refused := 0
	for trial := range 60 {
		p := baseParams()
		p.Curve = RateCurve{{Rate: Fraction(uint64(rng.IntN(40)), 100)}}
		borrow := u(1 + rng.Uint64N(25e6))
		epoch := uint64(rng.IntN(2000))
		var price uint256.Int
		price.Mul(uint256.NewInt(700+rng.Uint64N(600)), uint256.NewInt(1e12))
		price.Mul(&price, uint256.NewInt(1e12))
		shares := rng.Uint64N(100e6)
		fresh := func() (*env, LoanID) {
			e := newEnv(t, p, nil, 200e6)
			id, err := e.book.Borrow(0, 0, 0, 100e6, borrow, RayOne())
			if err != nil {
				t.Fatal(err)
			}
			return e, id
		}
		// The largest amount TopUp accepts: accepted at lo, refused at hi.
		lo, hi := uint64(0), uint64(1<<40)
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			e, id := fresh()
			if err := e.book.TopUp(epoch, id, shares, u(mid), price); err == nil {
				lo = mid
			} else if errors.Is(err, ErrUndercollateral) {
				hi = mid
			} else {
				t.Fatal(err)
			}
		}
		amounts := []uint64{lo, lo + 1, lo + 2, rng.Uint64N(1 << 40), 1 + rng.Uint64N(lo+1)}
		if lo > 0 {
			amounts = append(amounts, lo-1)
		}
		for _, x := range amounts {
			a, ida := fresh()
			b, idb := fresh()
			errA := a.book.TopUp(epoch, ida, shares, u(x), price)
			ok, errB := b.book.TopUpIf(epoch, idb, shares, u(x), price)
			under := errors.Is(errA, ErrUndercollateral)
			switch {
			case under && (ok || errB != nil):
				t.Fatalf("trial %d, amount %d: TopUp refused (%v), TopUpIf ok %v, %v", trial, x, errA, ok, errB)
			case !under && ((errA == nil) != ok || (errA == nil) != (errB == nil)):
				t.Fatalf("trial %d, amount %d: TopUp %v, TopUpIf ok %v, %v", trial, x, errA, ok, errB)
			}
			if under {
				refused++
			}
			la, _ := a.book.Loan(ida)
			lb, _ := b.book.Loan(idb)
			if la != lb || a.book.Totals() != b.book.Totals() {
				t.Fatalf("trial %d, amount %d: books differ: %+v against %+v", trial, x, la, lb)
			}
			a.check(t)
			b.check(t)
		}
	}
	if refused < 100 {
		t.Fatalf("%d refusals: the test does not probe the limit", refused)
	}
}
