package synth

import (
	"errors"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/pos"
	"github.com/holiman/uint256"
)

// Foreclosure under each disposition conserves the native token exactly:
// burned, redistributed (remainder burned) or moved to the treasury. The
// synthetic side is the same in all three: debt moves to the deficit, and
// buying back and healing retires it.
func TestForeclosureDispositions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		disp       pos.Disposition
		supplyDrop uint64 // native burned
	}{
		{"burn", pos.Burn, 100e6},
		// 100e6 over pools of 100e6, 300e6 and 700e6: 9090909 + 27272727
		// + 63636363, one unit burned.
		{"redistribute", pos.Redistribute, 1},
		{"treasury", pos.ToTreasury, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := baseParams()
			p.Disposition = tc.disp
			e := newEnv(t, p, nil, 200e6, 300e6, 700e6)
			// Validator 0's operator locks half its shares.
			id, err := e.book.Borrow(0, 0, 0, 100e6, u(25e6), RayOne())
			if err != nil {
				t.Fatal(err)
			}
			before := e.chain.Ledger()
			if err := e.book.Foreclose(3, id); err != nil {
				t.Fatal(err)
			}
			after := e.chain.Ledger()
			if got := before.Supply() - after.Supply(); got != tc.supplyDrop {
				t.Fatalf("native supply fell by %d, want %d", got, tc.supplyDrop)
			}
			if got := after.BurnedForeclosure; got != tc.supplyDrop {
				t.Fatalf("foreclosure burn %d, want %d", got, tc.supplyDrop)
			}
			var tokens [3]uint64
			for i := range tokens {
				x, _ := e.chain.Validator(pos.ValidatorID(i))
				tokens[i] = x.Tokens
			}
			want := map[pos.Disposition][3]uint64{
				pos.Burn:         {100e6, 300e6, 700e6},
				pos.Redistribute: {100e6 + 9090909, 300e6 + 27272727, 700e6 + 63636363},
				pos.ToTreasury:   {200e6, 300e6, 700e6},
			}[tc.disp]
			if tokens != want {
				t.Fatalf("validator tokens %v, want %v", tokens, want)
			}
			d, ok := e.chain.Delegation(0, e.treasury)
			if ok != (tc.disp == pos.ToTreasury) || (ok && d.Shares != 100e6) {
				t.Fatalf("treasury delegation %+v %t", d, ok)
			}
			if e.book.Stats().Seized != 100e6 {
				t.Fatalf("seized %d", e.book.Stats().Seized)
			}
			tot := e.book.Totals()
			if w := rad(25e6); !tot.Deficit.Eq(&w) || !tot.Debt.IsZero() || !tot.Supply.Eq(&w) {
				t.Fatalf("totals %+v", tot)
			}
			e.check(t)
			// The protocol buys the synthetic back (paying natively, off
			// book) and burns it against the deficit.
			if err := e.book.BuyBack(0, u(25e6)); err != nil {
				t.Fatal(err)
			}
			if healed, w := e.book.Heal(), rad(25e6); !healed.Eq(&w) {
				t.Fatalf("healed %s", healed.Dec())
			}
			if tot := e.book.Totals(); !tot.Supply.IsZero() || !tot.Deficit.IsZero() || !tot.Holdings.IsZero() {
				t.Fatalf("after healing %+v", tot)
			}
			e.check(t)
		})
	}
}

func TestEnshrinedDecide(t *testing.T) {
	p := Enshrined{
		HaltDiscount:      Fraction(5, 100),
		RaiseDefaultRate:  Fraction(10, 100),
		Premium:           Fraction(20, 100),
		RecallDiscount:    Fraction(20, 100),
		RecallDefaultRate: Fraction(50, 100),
		RecallWindow:      3,
	}
	for _, tc := range []struct {
		name              string
		defaults, discout uint256.Int
		want              Action
	}{
		{"calm", Fraction(0, 1), Fraction(0, 1), Action{}},
		{"just below halt", Fraction(0, 1), Fraction(4, 100), Action{}},
		{"halt at threshold", Fraction(0, 1), Fraction(5, 100), Action{Halt: true}},
		{"raise", Fraction(10, 100), Fraction(0, 1), Action{RatePremium: Fraction(20, 100)}},
		{"raise and halt", Fraction(10, 100), Fraction(6, 100), Action{Halt: true, RatePremium: Fraction(20, 100)}},
		{"recall by discount", Fraction(0, 1), Fraction(20, 100), Action{Halt: true, Recall: true, RecallWindow: 3}},
		{"recall by defaults", Fraction(60, 100), Fraction(0, 1), Action{Halt: true, RatePremium: Fraction(20, 100), Recall: true, RecallWindow: 3}},
	} {
		s := Signals{DefaultRate: tc.defaults, PoolDiscount: tc.discout}
		if got := p.Decide(s); got != tc.want {
			t.Errorf("%s: Enshrined %+v, want %+v", tc.name, got, tc.want)
		}
		if got := (ExternalHub{}).Decide(s); got != (Action{}) {
			t.Errorf("%s: ExternalHub acted: %+v", tc.name, got)
		}
	}
	// Zero thresholds never fire, even on zero signals.
	if got := (Enshrined{Premium: Fraction(1, 10)}).Decide(Signals{}); got != (Action{}) {
		t.Errorf("zero thresholds fired: %+v", got)
	}
}

// The same stress observed by the two designs: the enshrined lender halts,
// reprices and recalls; the external hub cannot.
func TestPolicyInBook(t *testing.T) {
	policy := Enshrined{
		HaltDiscount:   Fraction(5, 100),
		RaiseDiscount:  Fraction(10, 100),
		Premium:        Fraction(30, 100),
		RecallDiscount: Fraction(20, 100),
		RecallWindow:   3,
	}
	for _, design := range []struct {
		name      string
		policy    Policy
		enshrined bool
	}{{"enshrined", policy, true}, {"external", ExternalHub{}, false}} {
		t.Run(design.name, func(t *testing.T) {
			e := newEnv(t, baseParams(), design.policy, 100e6, 100e6, 100e6)
			a, _ := e.book.Borrow(0, 0, 0, 100e6, u(10e6), RayOne())
			b, _ := e.book.Borrow(0, 1, 1, 100e6, u(10e6), RayOne())
			obs := func(discountPct uint64) Observation {
				return Observation{PoolDiscount: Fraction(discountPct, 100), Price: RayOne()}
			}
			if _, err := e.book.Step(1, obs(6)); err != nil {
				t.Fatal(err)
			}
			_, err := e.book.Borrow(1, 2, 2, 100e6, u(1e6), RayOne())
			if design.enshrined != errors.Is(err, ErrHalted) {
				t.Fatalf("borrow at a 6%% discount: %v", err)
			}
			if _, err := e.book.Step(2, obs(12)); err != nil {
				t.Fatal(err)
			}
			rate := e.book.Rate()
			if want := map[bool]uint256.Int{true: Fraction(30, 100), false: {}}[design.enshrined]; !rate.Eq(&want) {
				t.Fatalf("rate at a 12%% discount %s, want %s", rate.Dec(), want.Dec())
			}
			rep, err := e.book.Step(3, obs(25))
			if err != nil {
				t.Fatal(err)
			}
			if wantRecalled := map[bool]int{true: 2, false: 0}[design.enshrined]; rep.Recalled != wantRecalled {
				t.Fatalf("recalled %d, want %d", rep.Recalled, wantRecalled)
			}
			// Borrower a repays in time; b does not.
			// a owes interest accrued at 30% a year since epoch 2; it buys
			// the synthetic from b.
			if err := e.book.Transfer(1, 0, u(100e3)); err != nil {
				t.Fatal(err)
			}
			if _, err := e.book.Repay(5, a, u(1e12)); err != nil {
				t.Fatal(err)
			}
			rep, err = e.book.Step(6, obs(25))
			if err != nil {
				t.Fatal(err)
			}
			wantForeclosed := map[bool]int{true: 1, false: 0}[design.enshrined]
			if rep.ForeclosedRecall != wantForeclosed || rep.ForeclosedDefault != 0 {
				t.Fatalf("step at the deadline %+v", rep)
			}
			info, _ := e.book.Loan(b)
			if want := map[bool]Status{true: Foreclosed, false: Open}[design.enshrined]; info.Status != want {
				t.Fatalf("loan b %v, want %v", info.Status, want)
			}
			e.check(t)
		})
	}
}

func TestBookValidation(t *testing.T) {
	chain, _ := pos.New(pos.CosmosConfig(), []uint64{10})
	for name, mod := range map[string]func(*Params){
		"zero liquidation ratio": func(p *Params) { p.LiquidationRatio = uint256.Int{} },
		"liquidation > collateral ratio": func(p *Params) {
			p.LiquidationRatio = rays(5)
		},
		"empty curve":    func(p *Params) { p.Curve = nil },
		"zero year":      func(p *Params) { p.EpochsPerYear = 0 },
		"zero window":    func(p *Params) { p.DefaultWindow = 0 },
		"disposition":    func(p *Params) { p.Disposition = 7 },
		"unsorted curve": func(p *Params) { p.Curve = RateCurve{{X: u(2)}, {X: u(1)}} },
	} {
		p := baseParams()
		mod(&p)
		if _, err := New(chain, p, nil, 0); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := New(nil, baseParams(), nil, 0); !errors.Is(err, ErrParams) {
		t.Errorf("nil stake: %v", err)
	}
	var b Book
	if _, err := b.Borrow(0, 0, 0, 1, u(1), RayOne()); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("zero book Borrow: %v", err)
	}
	if _, err := b.Repay(0, 0, u(1)); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("zero book Repay: %v", err)
	}
	if _, err := b.Step(0, Observation{}); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("zero book Step: %v", err)
	}
	for i, err := range []error{b.Foreclose(0, 0), b.Accrue(0), b.Transfer(0, 1, u(0)), b.BuyBack(0, u(0)), b.Release(0, u(0)), b.Check()} {
		if !errors.Is(err, ErrNotInitialized) {
			t.Errorf("zero book call %d: %v", i, err)
		}
	}
	if _, err := b.InDefault(0, RayOne()); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("zero book InDefault: %v", err)
	}
	if _, err := b.Loan(0); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("zero book Loan: %v", err)
	}
	_ = b.Heal()
	_ = b.Balance(3)
	_ = b.DefaultRate()
	_ = b.OpenLoans(nil)
}

// Each perturbation of the book makes Check fail naming the identity.
func TestCheckDetectsPerturbation(t *testing.T) {
	for _, tc := range []struct {
		identity string
		perturb  func(b *Book)
	}{
		{"art", func(b *Book) { b.openArt[0].AddUint64(&b.openArt[0], 1) }},
		{"open list", func(b *Book) { b.loans[1].status = Open }}, // a repaid loan, which has no art
		{"debt", func(b *Book) { b.debt.AddUint64(&b.debt, 1) }},
		{"circulating", func(b *Book) { b.setBalance(7, u(1)) }},
		{"holders", func(b *Book) { b.holdings.AddUint64(&b.holdings, 1) }},
		{"backing", func(b *Book) { b.deficit.AddUint64(&b.deficit, 1) }},
		{"issuance", func(b *Book) { b.burned.AddUint64(&b.burned, 1) }},
		{"window", func(b *Book) { b.window[0].AddUint64(&b.window[0], 1) }},
		{"open list", func(b *Book) { b.open = b.open[:0] }},
	} {
		t.Run(tc.identity, func(t *testing.T) {
			e := newEnv(t, baseParams(), nil, 100e6, 100e6)
			if _, err := e.book.Borrow(0, 0, 0, 100e6, u(20e6), RayOne()); err != nil {
				t.Fatal(err)
			}
			id, err := e.book.Borrow(0, 1, 1, 100e6, u(10e6), RayOne())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.book.Repay(0, id, u(10e6)); err != nil {
				t.Fatal(err)
			}
			e.check(t)
			tc.perturb(e.book)
			err = e.book.Check()
			if err == nil {
				t.Fatal("Check passed a perturbed book")
			}
			if !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), ": "+tc.identity+": ") {
				t.Fatalf("error %q does not name identity %q", err, tc.identity)
			}
			t.Log(err)
		})
	}
}
