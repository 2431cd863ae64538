package deposit

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// A hand-computed run: 1,000 deposited at 1% a period, no loans, a reserve
// of 25. Interest rounds down: 10, ⌊1010·1%⌋ = 10, then ⌊1020·1%⌋ = 10 of
// which the reserve has only 5.
func TestFixedByHand(t *testing.T) {
	p := Pool{Config: Config{Rate: 0.01, PeriodYears: 1}}
	if err := p.Open(1000, 0, 25); err != nil {
		t.Fatal(err)
	}
	for k, want := range []struct{ deposits, reserve uint64 }{{1010, 15}, {1020, 5}, {1025, 0}, {1025, 0}} {
		p.Accrue()
		if err := p.Check(); err != nil {
			t.Fatal(err)
		}
		if p.Deposits != want.deposits || p.Reserve != want.reserve {
			t.Fatalf("period %d: deposits %d reserve %d, want %d %d", k+1, p.Deposits, p.Reserve, want.deposits, want.reserve)
		}
	}
	if p.DepletedAt != 3 {
		t.Errorf("depleted at %d, want 3", p.DepletedAt)
	}
	if p.Paid != 0 {
		t.Errorf("paid %v after depletion with no borrowers, want 0", p.Paid)
	}
}

// Borrowers' interest above what depositors are owed goes to the reserve.
func TestSurplus(t *testing.T) {
	p := Pool{Config: Config{Rate: 0.10, BorrowRate: 0.20, PeriodYears: 1}}
	if err := p.Open(1000, 800, 0); err != nil {
		t.Fatal(err)
	}
	p.Accrue() // income 160, owed 100
	if p.Reserve != 60 || p.Deposits != 1100 || p.Cash != 360 {
		t.Errorf("reserve %d deposits %d cash %d, want 60 1100 360", p.Reserve, p.Deposits, p.Cash)
	}
	if math.IsInf(p.Runway(), 1) == false {
		t.Errorf("runway %v with a surplus, want +Inf", p.Runway())
	}
}

// Withdrawals beyond the cash are refused and change nothing; shares keep
// their value through interest.
func TestWithdraw(t *testing.T) {
	p := Pool{Config: Config{Rate: 0.10, PeriodYears: 1}}
	if err := p.Open(1000, 900, 100); err != nil {
		t.Fatal(err)
	}
	s := p.Deposit(1000) // cash 1200
	if s != 1000 {
		t.Fatalf("shares %d", s)
	}
	p.Accrue() // owed 200 from the reserve's 100: deposits 2100
	if v := p.Value(1000); v != 1050 {
		t.Errorf("1000 shares worth %d, want 1050", v)
	}
	before := p
	if _, err := p.Withdraw(2000); !errors.Is(err, ErrIlliquid) || p != before {
		t.Errorf("withdraw beyond cash: %v", err)
	}
	if got, err := p.Withdraw(1000); err != nil || got != 1050 {
		t.Errorf("withdraw %d, %v", got, err)
	}
	if _, err := p.Withdraw(5000); !errors.Is(err, ErrShares) {
		t.Errorf("more shares than held: %v", err)
	}
	if err := p.Check(); err != nil {
		t.Error(err)
	}
}

// The rules: Runway sets the sustainable rate; Stepped cuts by Step when the
// reserve fell over an epoch, within the floor.
func TestRules(t *testing.T) {
	r := Pool{Config: Config{Rate: 0.20, BorrowRate: 0.10, Rule: Runway, Runway: 2, Floor: 0.03, PeriodYears: 1.0 / 365}}
	if err := r.Open(10_000, 2_000, 1_000); err != nil {
		t.Fatal(err)
	}
	r.Accrue()
	if want := (2000*0.10 + 1000.0/2) / 10_000; math.Abs(r.Target-want) > 1e-15 {
		t.Errorf("runway target %v, want %v", r.Target, want)
	}
	s := Pool{Config: Config{Rate: 0.20, Rule: Stepped, Step: 0.015, Epoch: 30, Floor: 0.17, PeriodYears: 1.0 / 365}}
	if err := s.Open(10_000_000, 0, 1_000_000); err != nil {
		t.Fatal(err)
	}
	var targets []float64
	for range 120 {
		s.Accrue()
		targets = append(targets, s.Target)
	}
	for k, want := range map[int]float64{0: 0.20, 29: 0.20, 30: 0.185, 59: 0.185, 60: 0.17, 90: 0.17, 119: 0.17} {
		if math.Abs(targets[k]-want) > 1e-12 {
			t.Errorf("period %d: target %v, want %v", k+1, targets[k], want)
		}
	}
}

// The identities hold every period under random deposits, withdrawals and
// every rule, and each is exact.
func TestIdentityEveryStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, rule := range []Rule{Fixed, Runway, Stepped} {
		p := Pool{Config: Config{Rate: 0.195, BorrowRate: 0.12, Rule: rule, Runway: 1, Step: 0.015, Epoch: 30, Floor: 0.04, PeriodYears: 1.0 / 365}}
		if err := p.Open(14_000_000_000_000_000, 3_000_000_000_000_000, 70_000_000_000_000); err != nil {
			t.Fatal(err)
		}
		held := p.Shares / 2
		for k := range 1000 {
			p.Accrue()
			switch rng.IntN(3) {
			case 0:
				held += p.Deposit(uint64(rng.Int64N(1e14)))
			case 1:
				s := min(held, uint64(rng.Int64N(1e15)))
				if _, err := p.Withdraw(s); err == nil {
					held -= s
				}
			}
			if err := p.Check(); err != nil {
				t.Fatalf("%v period %d: %v", rule, k, err)
			}
			if p.Target > p.Rate || p.Rule != Fixed && p.Target < p.Floor {
				t.Fatalf("%v period %d: target %v outside [%v, %v]", rule, k, p.Target, p.Floor, p.Rate)
			}
		}
		t.Logf("%v: reserve %d, depleted at %d, target %.4f", rule, p.Reserve, p.DepletedAt, p.Target)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, c := range []Config{
		{Rate: -0.1, PeriodYears: 1},
		{Rate: 0.1},
		{Rate: 0.1, PeriodYears: 1, Rule: Runway},
		{Rate: 0.1, PeriodYears: 1, Rule: Stepped, Step: 0.01},
		{Rate: 0.1, PeriodYears: 1, Rule: Stepped, Step: 0.01, Epoch: 3, Floor: 0.2},
	} {
		p := Pool{Config: c}
		if err := p.Open(100, 0, 0); err == nil {
			t.Errorf("%+v: opened", c)
		}
	}
	p := Pool{Config: Config{Rate: 0.1, PeriodYears: 1}}
	if err := p.Open(100, 200, 50); err == nil {
		t.Error("loans above deposits and reserve: opened")
	}
}
