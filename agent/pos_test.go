package agent

import (
	"errors"
	"fmt"
	"github.com/cascade-risk/cascade/market"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// posTokens returns whole tokens as raw units of a 9-decimal token.
func posTokens(x float64) uint64 { return uint64(x * 1e9) }

// posMarket builds a market with a native token (asset 1, price 10), its
// synthetic (asset 2) and a constant-product pool of both, and a Staking
// protocol on it with a cosmos-like chain: daily epochs, 6%/yr issuance, a
// 20% double-sign slash, 21-day unbonding, loans at a 150% collateral
// ratio and a 125% liquidation ratio.
func posMarket(t testing.TB, reserve float64, policy synth.Policy) (*market.Market, *Staking) {
	t.Helper()
	m, s, err := newPosMarket(reserve, policy)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

func newPosMarket(reserve float64, policy synth.Policy) (*market.Market, *Staking, error) {
	pair, err := uniswapv2.NewPair(30, false)
	if err != nil {
		return nil, nil, err
	}
	r := uint256.NewInt(posTokens(reserve))
	if _, err := pair.Mint(r, r); err != nil {
		return nil, nil, err
	}
	chain := pos.CosmosConfig()
	chain.Issuance = pos.Issuance{Model: pos.FixedRate, Rate: pos.One / 100 * 6}
	chain.Cosmos.SlashFractionDoubleSign = pos.One / 5
	ray := func(num, den uint64) uint256.Int { return synth.Fraction(num, den) }
	base, mult, jump, kink := uint256.NewInt(1e16), uint256.NewInt(8e16), uint256.NewInt(1e18), uint256.NewInt(8e17)
	cfg := StakingConfig{
		Chain: chain, EpochSteps: 1, Offence: pos.DoubleSign, Decimals: 9, Supply: posTokens(1e7),
		Book: synth.Params{CollateralRatio: ray(3, 2), LiquidationRatio: ray(5, 4), Curve: synth.RateCurve{{Rate: ray(3, 100)}},
			EpochsPerYear: 365, Disposition: pos.Burn, DefaultWindow: 30},
		Policy: policy, MarkToPool: true, Native: 1, Synth: 2, Venue: 0, LPCollateral: 3, TWAPSteps: 1,
		Lending: StakingLending{Model: compound.NewJumpRateModel(base, mult, jump, kink), Demand: posTokens(1e5),
			MaxUtilization: 95e16, BlocksPerStep: 5760},
		CascadeSteps: 7, CorruptionShare: 1.0 / 3, YieldHalfLife: 30,
	}
	s := &Staking{Config: cfg}
	m := &market.Market{
		Prices: []float64{1, 10, 10}, PrevPrices: []float64{1, 10, 10}, Unit: []float64{1e-6, 1e-9, 1e-9},
		StepSeconds: 86400,
		Venues:      []*market.Venue{market.NewVenue("pool", pair, []int{1, 2})},
		Protocols:   []market.Protocol{s},
	}
	s.Reset(m)
	return m, s, s.Err()
}

// posRun steps the protocol and agents for n steps from the market's
// current step, checking the accounting after every step.
func posRun(t testing.TB, m *market.Market, s *Staking, n int, agents ...market.Agent) {
	t.Helper()
	for range n {
		m.Step++
		if err := s.Step(m); err != nil {
			t.Fatalf("step %d: %v", m.Step, err)
		}
		for _, a := range agents {
			a.Act(m)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("step %d: %v", m.Step, err)
		}
	}
}

// At genesis the pool's reserves are the pool account's balances, the
// pool's synthetic is a loan of the liquidity provider, and every identity
// holds.
func TestStakingGenesis(t *testing.T) {
	_, s := posMarket(t, 1000, nil)
	c, b := s.Chain(), s.Book()
	if got := c.Liquid(s.PoolAccount()); got != posTokens(1000) {
		t.Errorf("pool account holds %d native", got)
	}
	if got := s.Synthetic(s.PoolAccount()); got != posTokens(1000) {
		t.Errorf("pool account holds %d synthetic", got)
	}
	tot := b.Totals()
	one := synth.RayOne()
	var debt uint256.Int
	debt.Div(&tot.Debt, &one)
	if debt.Uint64() != posTokens(1000) || b.NumLoans() != 1 {
		t.Errorf("debt %s over %d loans, want the pool's 1000 tokens in one", debt.Dec(), b.NumLoans())
	}
	if got := c.Bonded(); got != posTokens(3000) {
		t.Errorf("bonded %d, want the LP's 3 × 1000", got)
	}
	if l := c.Ledger(); l.Supply() != posTokens(1e7) {
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
		tamper func(s *Staking)
		want   string
	}{
		{"pool native", func(s *Staking) { _ = s.Chain().Transfer(s.PoolAccount(), s.Public(), 1) }, "pool: pool holds"},
		{"pool synthetic", func(s *Staking) { _ = s.Book().Transfer(s.PoolAccount(), s.Public(), *uint256.NewInt(1)) }, "pool: pool holds"},
		{"lending cash", func(s *Staking) {
			a, _ := s.Endow(10)
			_ = s.Deposit(a, 10)
			_ = s.Chain().Transfer(s.lendAcct, s.Public(), 1)
		}, "lending: lending account holds"},
		{"minted", func(s *Staking) { s.issued++ }, "minted: chain minted"},
		{"slashed", func(s *Staking) {
			v, _ := s.AddValidator(s.Public(), 0, posTokens(10))
			_, _ = s.Chain().Slash(pos.DoubleSign, v, 0, pos.NoValidator)
		}, "burned: chain burned"},
		{"foreclosed", func(s *Staking) { s.seized++ }, "foreclosed: chain burned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, s := posMarket(t, 1000, nil)
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			tc.tamper(s)
			err := s.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check() = %v, want an error containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrStakingIdentity) {
				t.Fatalf("%v does not wrap ErrStakingIdentity", err)
			}
		})
	}
}

// Synthetic sent to an account the adapter does not know is a leak.
func TestStakingCheckCatchesLeak(t *testing.T) {
	_, s := posMarket(t, 1000, nil)
	a, _ := s.Endow(posTokens(10))
	stranger, _ := s.Chain().NewAccount()
	d, _ := s.Chain().AddValidator(a, 0, posTokens(10))
	sh, _ := s.Chain().Delegation(d, a)
	if _, err := s.Borrow(a, d, sh.Shares, posTokens(5)); err != nil {
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
	m, s := posMarket(t, 1000, nil)
	a, _ := s.Endow(posTokens(100))
	got, err := s.Swap(m, a, true, posTokens(50))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := uniswapv2.GetAmountOut(uint256.NewInt(posTokens(50)), uint256.NewInt(posTokens(1000)), uint256.NewInt(posTokens(1000)), 30)
	if got != want.Uint64() || s.Synthetic(a) != got || s.Chain().Liquid(a) != posTokens(50) {
		t.Fatalf("got %d synthetic (want %s), holds %d synthetic and %d native", got, want.Dec(), s.Synthetic(a), s.Chain().Liquid(a))
	}
	back, err := s.Swap(m, a, false, got)
	if err != nil || back >= posTokens(50) {
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
	m, s := posMarket(t, 1000, nil)
	a, _ := s.Endow(posTokens(100_000))
	b, _ := s.Endow(posTokens(25_000))
	if err := s.Deposit(a, posTokens(100_000)); err != nil {
		t.Fatal(err)
	}
	posRun(t, m, s, 1)
	// Demand 100,000 against 100,000 deposited: borrows stop at 95%.
	if s.borrows != posTokens(95_000) || s.cash != posTokens(5_000) {
		t.Fatalf("borrows %d, cash %d", s.borrows, s.cash)
	}
	sup, bor := s.lendingRates()
	if !(bor > 0.1 && math.Abs(sup-0.95*bor) < 1e-12) {
		t.Fatalf("supply %g, borrow %g", sup, bor)
	}
	if err := s.Deposit(b, posTokens(25_000)); err != nil {
		t.Fatal(err)
	}
	posRun(t, m, s, 30)
	va, vb := s.Lent(a), s.Lent(b)
	if !(va > posTokens(100_000) && vb > posTokens(25_000)) {
		t.Fatalf("claims %d, %d earned nothing", va, vb)
	}
	// a asks for everything; only the cash is paid.
	cash := s.cash
	paid, err := s.Withdraw(a, math.MaxUint64)
	if err != nil || paid != cash || s.cash != 0 {
		t.Fatalf("paid %d of cash %d: %v", paid, cash, err)
	}
	if s.Lent(a) == 0 {
		t.Fatal("a's remaining claim vanished")
	}
	posRun(t, m, s, 1) // the public repays down to 95% utilization
	if s.cash == 0 {
		t.Fatal("no cash after the public repaid")
	}
}

// A slash of the configured offence burns stake and is accounted as such;
// a loan whose collateral falls below the liquidation ratio is foreclosed
// at the next epoch, its collateral burned, and counted as a default.
func TestStakingSlashAndForeclose(t *testing.T) {
	m, s := posMarket(t, 1000, nil)
	a, _ := s.Endow(posTokens(1000))
	v, err := s.AddValidator(a, 0, posTokens(1000))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s.Chain().Delegation(v, a)
	if got := s.MaxBorrow(v, d.Shares); got != posTokens(1000)*2/3 {
		t.Fatalf("MaxBorrow = %d", got)
	}
	if _, err := s.Borrow(a, v, d.Shares, posTokens(650)); err != nil {
		t.Fatal(err)
	}
	posRun(t, m, s, 2)
	if s.defaults != 0 {
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
	posRun(t, m, s, 1)
	if s.defaults != 1 || s.Settle(a) != 1 {
		t.Fatalf("defaults %d", s.defaults)
	}
	if debt, _ := s.Debt(a); debt != 0 {
		t.Fatalf("debt %d after foreclosure", debt)
	}
	if l := s.Chain().Ledger(); l.BurnedForeclosure == 0 || l.BurnedForeclosure != s.seized {
		t.Fatalf("foreclosure burned %d, seized %d", l.BurnedForeclosure, s.seized)
	}
	if s.maxDepth != 1 {
		t.Fatalf("cascade depth %d", s.maxDepth)
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
		m, s := posMarket(t, 1000, tc.policy)
		a, _ := s.Endow(posTokens(2000))
		v, _ := s.AddValidator(a, 0, posTokens(1000))
		w, _ := s.AddValidator(a, 0, posTokens(1000))
		d, _ := s.Chain().Delegation(v, a)
		_, _ = s.Borrow(a, v, d.Shares, posTokens(650))
		_, _ = s.Fault([]pos.ValidatorID{v})
		posRun(t, m, s, 2)
		if s.Halted() != tc.halted {
			t.Fatalf("%T: halted %v", tc.policy, s.Halted())
		}
		e, _ := s.Chain().Delegation(w, a)
		_, err := s.Borrow(a, w, e.Shares, posTokens(100))
		if tc.halted != errors.Is(err, synth.ErrHalted) {
			t.Fatalf("%T: borrow after defaults: %v", tc.policy, err)
		}
	}
}

// A validator operator with a target leverage levers up through the pool
// (borrow, sell, restake) and settles near its target without breaking
// any identity; it never owes more than its stake allows.
func TestStakeValidatorsLeverage(t *testing.T) {
	m, s := posMarket(t, 50_000, nil)
	g := &StakeValidators{Protocol: 0, Count: 3, Stake: StakeDistribution{Fixed: posTokens(20_000)},
		LeverageMin: 2, LeverageMax: 2, Sell: 0.8, Floor: 0.97, Restake: true, Band: 0.05}
	arb := &StakeArbitrageur{Protocol: 0, Capital: posTokens(200_000), Stake: posTokens(100_000), Margin: 0.002}
	g.Reset(m, rand.New(rand.NewPCG(1, 2)))
	arb.Reset(m, nil)
	posRun(t, m, s, 120, g, arb)
	dst := make([]float64, len(g.Metrics()))
	g.Observe(m, dst)
	if lev := dst[2]; lev < 1.6 || lev > 2.05 {
		t.Fatalf("leverage %g, target 2", lev)
	}
	for k := range g.ops {
		debt, _ := s.Debt(g.ops[k].acct)
		if debt > g.capacity(&g.ops[k]) {
			t.Fatalf("operator %d owes %d, its stake allows %d", k, debt, g.capacity(&g.ops[k]))
		}
	}
	if p := s.PoolPrice(); p < 0.96 || p > 1.02 {
		t.Fatalf("pool price %g", p)
	}
}

// Delegators leave staking for a lending market that pays far more, and
// the unbonding delay holds their tokens for 21 epochs.
func TestStakeDelegatorsChaseYield(t *testing.T) {
	m, s := posMarket(t, 1000, nil)
	s.Config.Lending.Demand = posTokens(1e6) // borrowers pay the jump rate
	val := &StakeValidators{Protocol: 0, Count: 2, Stake: StakeDistribution{Fixed: posTokens(10_000)}, LeverageMin: 1, LeverageMax: 1}
	del := &StakeDelegators{Protocol: 0, Count: 20, Wealth: StakeDistribution{Fixed: posTokens(5_000)}, Staked: 1,
		SwitchProb: 1, Threshold: 0.01}
	rng := rand.New(rand.NewPCG(3, 4))
	val.Reset(m, rng)
	del.Reset(m, rng)
	dst := make([]float64, len(del.Metrics()))
	del.Observe(m, dst)
	if dst[0] < 0.99 {
		t.Fatalf("staked share at genesis %g", dst[0])
	}
	posRun(t, m, s, 10, val, del)
	del.Observe(m, dst)
	if dst[0] > 0.01 || dst[1] > 0.01 || dst[2] < 0.99 {
		t.Fatalf("after 10 epochs: staked %g, lent %g, held %g; want all unbonding", dst[0], dst[1], dst[2])
	}
	posRun(t, m, s, 15, val, del)
	del.Observe(m, dst)
	if dst[1] < 0.99 {
		t.Fatalf("after the unbonding delay: lent %g", dst[1])
	}
}

// Pareto draws respect the scale and the cap, and their tail index.
func TestStakeDistributionPareto(t *testing.T) {
	d := StakeDistribution{Alpha: 2, Min: 1000, Max: 1e9}
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 200_000
	var sum float64
	for range n {
		x := d.draw(rng)
		if x < 1000 || x > 1e9 {
			t.Fatalf("draw %d outside [min, max]", x)
		}
		sum += float64(x)
	}
	// E[x] = α·min/(α − 1) = 2000; the draws' s.d. is infinite for α = 2,
	// so compare loosely against the truncated mean.
	if mean := sum / n; math.Abs(mean-2000) > 60 {
		t.Fatalf("mean %g, want about 2000", mean)
	}
	if (StakeDistribution{Fixed: 7}).draw(rng) != 7 {
		t.Fatal("fixed draw")
	}
}

// A failed genesis stops the run at its first step with the reason.
func TestStakingGenesisErrors(t *testing.T) {
	m, s := posMarket(t, 1000, nil)
	s.Config.Supply = posTokens(2000) // cannot fund the LP's 3000 of stake
	s.Reset(m)
	if err := s.Step(m); err == nil || !errors.Is(err, ErrStakingGenesis) {
		t.Fatalf("Step after a failed genesis = %v", err)
	}
	if err := s.Check(); err == nil {
		t.Fatal("Check passed after a failed genesis")
	}
	dst := make([]float64, len(s.Metrics()))
	s.Observe(m, dst) // must not panic
	_, s = posMarket(t, 1000, nil)
	if _, err := s.Endow(posTokens(2e7)); err == nil {
		t.Fatal("endowed beyond the float")
	}
	if err := s.Step(m); err == nil || !strings.Contains(err.Error(), "endowing an agent") {
		t.Fatalf("Step = %v", err)
	}
}

// One year of a validator that borrowed half its stake: the loan's
// interest, the chain's issuance and the security budget.
func ExampleStaking() {
	m, s, err := newPosMarket(1000, nil)
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
