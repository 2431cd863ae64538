package protocol_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/protocol/stakingtest"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// At genesis the pool's reserves are the pool account's balances, the
// pool's synthetic is a loan of the liquidity provider, and every identity
// holds.
func TestStakingGenesis(t *testing.T) {
	_, s := stakingtest.Market(t, 1000, nil)
	c, b := s.Chain(), s.Book()
	if got := c.Liquid(s.PoolAccount()); got != stakingtest.Tokens(1000) {
		t.Errorf("pool account holds %d native", got)
	}
	if got := s.Synthetic(s.PoolAccount()); got != stakingtest.Tokens(1000) {
		t.Errorf("pool account holds %d synthetic", got)
	}
	tot := b.Totals()
	one := synth.RayOne()
	var debt uint256.Int
	debt.Div(&tot.Debt, &one)
	if debt.Uint64() != stakingtest.Tokens(1000) || b.NumLoans() != 1 {
		t.Errorf("debt %s over %d loans, want the pool's 1000 tokens in one", debt.Dec(), b.NumLoans())
	}
	if got := c.Bonded(); got != stakingtest.Tokens(3000) {
		t.Errorf("bonded %d, want the LP's 3 × 1000", got)
	}
	if l := c.Ledger(); l.Supply() != stakingtest.Tokens(1e7) {
		t.Errorf("supply %d", l.Supply())
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// Every way of breaking the accounting behind the adapter's back is caught
// by Check, naming the identity.
func TestStakingCheckCatchesTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(s *protocol.Staking)
		want   string
	}{
		{"pool native", func(s *protocol.Staking) { _ = s.Chain().Transfer(s.PoolAccount(), s.Public(), 1) }, "pool: pool holds"},
		{"pool synthetic", func(s *protocol.Staking) { _ = s.Book().Transfer(s.PoolAccount(), s.Public(), *uint256.NewInt(1)) }, "pool: pool holds"},
		{"lending cash", func(s *protocol.Staking) {
			a, _ := s.Endow(10)
			_ = s.Deposit(a, 10)
			_ = s.Chain().Transfer(s.LendAccount(), s.Public(), 1)
		}, "lending: lending account holds"},
		{"minted", func(s *protocol.Staking) { s.TamperIssued() }, "minted: chain minted"},
		{"slashed", func(s *protocol.Staking) {
			v, _ := s.AddValidator(s.Public(), 0, stakingtest.Tokens(10))
			_, _ = s.Chain().Slash(pos.DoubleSign, v, 0, pos.NoValidator)
		}, "burned: chain burned"},
		{"foreclosed", func(s *protocol.Staking) { s.TamperSeized() }, "foreclosed: chain burned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, s := stakingtest.Market(t, 1000, nil)
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			tc.tamper(s)
			err := s.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check() = %v, want an error containing %q", err, tc.want)
			}
			if !errors.Is(err, protocol.ErrStakingIdentity) {
				t.Fatalf("%v does not wrap protocol.ErrStakingIdentity", err)
			}
		})
	}
}

// Synthetic sent to an account the adapter does not know is a leak.
func TestStakingCheckCatchesLeak(t *testing.T) {
	_, s := stakingtest.Market(t, 1000, nil)
	a, _ := s.Endow(stakingtest.Tokens(10))
	stranger, _ := s.Chain().NewAccount()
	d, _ := s.Chain().AddValidator(a, 0, stakingtest.Tokens(10))
	sh, _ := s.Chain().Delegation(d, a)
	if _, err := s.Borrow(a, d, sh.Shares, stakingtest.Tokens(5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	_ = s.Book().Transfer(a, stranger, *uint256.NewInt(1))
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "synthetic: known accounts hold") {
		t.Fatalf("Check() = %v", err)
	}
}

// A swap moves exactly the pool's trade between the trader and the pool
// account, on the chain and in the book.
func TestStakingSwapAccounting(t *testing.T) {
	m, s := stakingtest.Market(t, 1000, nil)
	a, _ := s.Endow(stakingtest.Tokens(100))
	got, err := s.Swap(m, a, true, stakingtest.Tokens(50))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := uniswapv2.GetAmountOut(uint256.NewInt(stakingtest.Tokens(50)), uint256.NewInt(stakingtest.Tokens(1000)), uint256.NewInt(stakingtest.Tokens(1000)), 30)
	if got != want.Uint64() || s.Synthetic(a) != got || s.Chain().Liquid(a) != stakingtest.Tokens(50) {
		t.Fatalf("got %d synthetic (want %s), holds %d synthetic and %d native", got, want.Dec(), s.Synthetic(a), s.Chain().Liquid(a))
	}
	back, err := s.Swap(m, a, false, got)
	if err != nil || back >= stakingtest.Tokens(50) {
		t.Fatalf("swapped back %d, %v", back, err)
	}
	if _, err := s.Swap(m, a, false, 1); err == nil {
		t.Fatal("sold synthetic it does not hold")
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if m.Venues[0].Trades != 2 {
		t.Fatalf("venue recorded %d trades", m.Venues[0].Trades)
	}
}

// Lending: deposits earn the borrowers' interest, withdrawals are limited
// by cash, shares round in the market's favour, and the public pays.
func TestStakingLending(t *testing.T) {
	m, s := stakingtest.Market(t, 1000, nil)
	a, _ := s.Endow(stakingtest.Tokens(100_000))
	b, _ := s.Endow(stakingtest.Tokens(25_000))
	if err := s.Deposit(a, stakingtest.Tokens(100_000)); err != nil {
		t.Fatal(err)
	}
	stakingtest.Run(t, m, s, 1)
	// Demand 100,000 against 100,000 deposited: borrows stop at 95%.
	if cash, borrows := s.LendingState(); borrows != stakingtest.Tokens(95_000) || cash != stakingtest.Tokens(5_000) {
		t.Fatalf("borrows %d, cash %d", borrows, cash)
	}
	sup, bor := s.LendingRates()
	if !(bor > 0.1 && math.Abs(sup-0.95*bor) < 1e-12) {
		t.Fatalf("supply %g, borrow %g", sup, bor)
	}
	if err := s.Deposit(b, stakingtest.Tokens(25_000)); err != nil {
		t.Fatal(err)
	}
	stakingtest.Run(t, m, s, 30)
	va, vb := s.Lent(a), s.Lent(b)
	if !(va > stakingtest.Tokens(100_000) && vb > stakingtest.Tokens(25_000)) {
		t.Fatalf("claims %d, %d earned nothing", va, vb)
	}
	// a asks for everything; only the cash is paid.
	cash, _ := s.LendingState()
	paid, err := s.Withdraw(a, math.MaxUint64)
	if err != nil || paid != cash || func() uint64 { c, _ := s.LendingState(); return c }() != 0 {
		t.Fatalf("paid %d of cash %d: %v", paid, cash, err)
	}
	if s.Lent(a) == 0 {
		t.Fatal("a's remaining claim vanished")
	}
	stakingtest.Run(t, m, s, 1) // the public repays down to 95% utilization
	if c, _ := s.LendingState(); c == 0 {
		t.Fatal("no cash after the public repaid")
	}
}

// A slash of the configured offence burns stake and is accounted as such;
// a loan whose collateral falls below the liquidation ratio is foreclosed
// at the next epoch, its collateral burned, and counted as a default.
func TestStakingSlashAndForeclose(t *testing.T) {
	m, s := stakingtest.Market(t, 1000, nil)
	a, _ := s.Endow(stakingtest.Tokens(1000))
	v, err := s.AddValidator(a, 0, stakingtest.Tokens(1000))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s.Chain().Delegation(v, a)
	if got := s.MaxBorrow(v, d.Shares); got != stakingtest.Tokens(1000)*2/3 {
		t.Fatalf("MaxBorrow = %d", got)
	}
	if _, err := s.Borrow(a, v, d.Shares, stakingtest.Tokens(650)); err != nil {
		t.Fatal(err)
	}
	stakingtest.Run(t, m, s, 2)
	if d, _, _ := s.Outcomes(); d != 0 {
		t.Fatal("healthy loan foreclosed")
	}
	// 20% of 1000 burned: collateral 800 < 1.25 × 650.
	burned, err := s.Fault([]pos.ValidatorID{v})
	if err != nil || burned == 0 {
		t.Fatalf("burned %d, %v", burned, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	stakingtest.Run(t, m, s, 1)
	if d, _, _ := s.Outcomes(); d != 1 || s.Settle(a) != 1 {
		t.Fatalf("defaults %d", d)
	}
	if debt, _ := s.Debt(a); debt != 0 {
		t.Fatalf("debt %d after foreclosure", debt)
	}
	if _, _, seized := s.Outcomes(); s.Chain().Ledger().BurnedForeclosure == 0 || s.Chain().Ledger().BurnedForeclosure != seized {
		t.Fatalf("foreclosure burned %d, seized %d", s.Chain().Ledger().BurnedForeclosure, seized)
	}
	if _, depth, _ := s.Outcomes(); depth != 1 {
		t.Fatalf("cascade depth %d", depth)
	}
}

// The enshrined design halts new loans once defaults pass its threshold;
// the external hub lends on.
func TestStakingEnshrinedHalts(t *testing.T) {
	for _, tc := range []struct {
		policy synth.Policy
		halted bool
	}{
		{synth.ExternalHub{}, false},
		{synth.Enshrined{HaltDefaultRate: synth.Fraction(1, 100)}, true},
	} {
		m, s := stakingtest.Market(t, 1000, tc.policy)
		a, _ := s.Endow(stakingtest.Tokens(2000))
		v, _ := s.AddValidator(a, 0, stakingtest.Tokens(1000))
		w, _ := s.AddValidator(a, 0, stakingtest.Tokens(1000))
		d, _ := s.Chain().Delegation(v, a)
		_, _ = s.Borrow(a, v, d.Shares, stakingtest.Tokens(650))
		_, _ = s.Fault([]pos.ValidatorID{v})
		stakingtest.Run(t, m, s, 2)
		if s.Halted() != tc.halted {
			t.Fatalf("%T: halted %v", tc.policy, s.Halted())
		}
		e, _ := s.Chain().Delegation(w, a)
		_, err := s.Borrow(a, w, e.Shares, stakingtest.Tokens(100))
		if tc.halted != errors.Is(err, synth.ErrHalted) {
			t.Fatalf("%T: borrow after defaults: %v", tc.policy, err)
		}
	}
}

// A failed genesis stops the run at its first step with the reason.
func TestStakingGenesisErrors(t *testing.T) {
	m, s := stakingtest.Market(t, 1000, nil)
	s.Config.Supply = stakingtest.Tokens(2000) // cannot fund the LP's 3000 of stake
	s.Reset(m)
	if err := s.Step(m); err == nil || !errors.Is(err, protocol.ErrStakingGenesis) {
		t.Fatalf("Step after a failed genesis = %v", err)
	}
	if err := s.Check(); err == nil {
		t.Fatal("Check passed after a failed genesis")
	}
	dst := make([]float64, len(s.Metrics()))
	s.Observe(m, dst) // must not panic
	if err := s.Config.CheckGenesis(m.Venues[0].Pool, 0); err == nil {
		t.Fatal("CheckGenesis passed a supply that cannot fund the LP's stake")
	}
	// Endowments beyond the float, without the scaled genesis the world
	// runs on Regenesis, stop the run at its first step.
	_, s = stakingtest.Market(t, 1000, nil)
	if _, err := s.Endow(stakingtest.Tokens(2e7)); err != nil {
		t.Fatalf("Endow beyond the float: %v, want an empty account and a short genesis", err)
	}
	if err := s.Step(m); err == nil || !errors.Is(err, protocol.ErrStakingGenesis) || !strings.Contains(err.Error(), "asked for") {
		t.Fatalf("Step = %v", err)
	}
}

// One year of a validator that borrowed half its stake: the loan's
// interest, the chain's issuance and the security budget.
func ExampleStaking() {
	m, s, err := stakingtest.NewMarket(1000, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := s.Endow(1000e9)
	v, _ := s.AddValidator(a, 0, 1000e9)
	d, _ := s.Chain().Delegation(v, a)
	if _, err := s.Borrow(a, v, d.Shares, 500e9); err != nil {
		fmt.Println(err)
		return
	}
	for range 365 {
		m.Step++
		if err := s.Step(m); err != nil {
			fmt.Println(err)
			return
		}
	}
	debt, _ := s.Debt(a)
	dst := make([]float64, len(s.Metrics()))
	s.Observe(m, dst)
	fmt.Printf("debt after a year at 3%%/yr: %.2f tokens\n", float64(debt)/1e9)
	fmt.Printf("bonded: %.0f tokens, security budget: %.0f USD\n", dst[4], dst[0])
	fmt.Println("check:", s.Check())
	// Output:
	// debt after a year at 3%/yr: 515.23 tokens
	// bonded: 4247 tokens, security budget: 27016 USD
	// check: <nil>
}

// Under the liquidate disposition a foreclosure sells the seized stake on
// the pool for the synthetic the deficit lacks and burns it: in a deep
// pool just enough native to cover the debt (the rest stays in the
// treasury) and the deficit closes; in a shallow one all of it, the
// deficit stays partly open and the synthetic's price jumps — the forced
// buying through which one foreclosure reaches the other borrowers.
func TestStakingLiquidateBuysBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reserve float64
		covered bool
	}{{"deep", 1e5, true}, {"shallow", 1000, false}} {
		t.Run(tc.name, func(t *testing.T) {
			m, s := stakingtest.Market(t, tc.reserve, nil)
			s.Config.Book.Disposition = pos.Liquidate
			s.Reset(m)
			a, _ := s.Endow(stakingtest.Tokens(1000))
			v, err := s.AddValidator(a, 0, stakingtest.Tokens(1000))
			if err != nil {
				t.Fatal(err)
			}
			d, _ := s.Chain().Delegation(v, a)
			if _, err := s.Borrow(a, v, d.Shares, stakingtest.Tokens(650)); err != nil {
				t.Fatal(err)
			}
			stakingtest.Run(t, m, s, 1)
			price0 := s.PoolPrice()
			// 20% of 1000 burned: collateral 800 < 1.25 × 650, foreclosed at once.
			if _, err := s.Fault([]pos.ValidatorID{v}); err != nil {
				t.Fatal(err)
			}
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			_, _, seized := s.Outcomes()
			if seized < stakingtest.Tokens(800) || seized > stakingtest.Tokens(801) { // 800 and a day's reward
				t.Fatalf("seized %d", seized)
			}
			l := s.Chain().Ledger()
			if l.BurnedForeclosure != 0 {
				t.Errorf("foreclosure burned %d; liquidation sells, it does not burn", l.BurnedForeclosure)
			}
			left := s.Chain().Liquid(s.Treasury())
			sold := seized - left
			deficit := s.Book().Totals().Deficit
			if tc.covered {
				if !deficit.IsZero() || left == 0 {
					t.Errorf("deep pool: deficit %s, treasury keeps %d native; want the debt covered and native left", deficit.Dec(), left)
				}
			} else if deficit.IsZero() || left != 0 {
				t.Errorf("shallow pool: deficit %s, treasury keeps %d; want all sold and the deficit open", deficit.Dec(), left)
			}
			rise := s.PoolPrice()/price0 - 1
			t.Logf("sold %d of %d seized native, price of the synthetic %+.1f%%", sold, seized, 100*rise)
			if !tc.covered && rise < 1 {
				t.Errorf("shallow pool: the buyback moved the price %+.1f%%, want it to more than double", 100*rise)
			}
			stakingtest.Run(t, m, s, 2)
		})
	}
}

// A supply that issuance would push past 2^64 raw units stops the run with
// ErrStakingOverflow (wrapping pos.ErrOverflow) and advice, not a panic or
// a wrapped-around balance.
func TestStakingSupplyOverflow(t *testing.T) {
	m, s, err := stakingtest.NewMarket(1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Config.Supply = math.MaxUint64 - 1000
	s.Reset(m)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	m.Step++
	err = s.Step(m)
	if !errors.Is(err, protocol.ErrStakingOverflow) || !errors.Is(err, pos.ErrOverflow) {
		t.Fatalf("Step: %v, want ErrStakingOverflow wrapping pos.ErrOverflow", err)
	}
	for _, want := range []string{"after 0 epochs", "at 9 decimals", "fewer decimals"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatalf("the failed epoch left the accounts inconsistent: %v", err)
	}
}

// ObserveUnrecorded writes every metric Observe writes, with the same
// value, but the Gini coefficients, their changes and the sold share.
func TestStakingObserveUnrecorded(t *testing.T) {
	m, s := stakingtest.Market(t, 1000, nil)
	a, _ := s.Endow(stakingtest.Tokens(1000))
	v, err := s.AddValidator(a, 0, stakingtest.Tokens(1000))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s.Chain().Delegation(v, a)
	if _, err := s.Borrow(a, v, d.Shares, stakingtest.Tokens(650)); err != nil {
		t.Fatal(err)
	}
	stakingtest.Run(t, m, s, 3)
	n := len(s.Metrics())
	all, part := make([]float64, n), make([]float64, n)
	for k := range part {
		part[k] = math.NaN()
	}
	s.Observe(m, all)
	s.ObserveUnrecorded(m, part)
	for k := range all {
		left := k >= 19 && k <= 22 || k == 35
		if left != math.IsNaN(part[k]) || !left && part[k] != all[k] {
			t.Errorf("metric %d (%s): ObserveUnrecorded %v, Observe %v", k, s.Metrics()[k].Name, part[k], all[k])
		}
	}
}
