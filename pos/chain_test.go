package pos

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// plainConfig is a Cosmos-like chain without issuance.
func plainConfig() Config {
	c := CosmosConfig()
	c.Issuance = Issuance{}
	return c
}

func newChain(t *testing.T, cfg Config, balances ...uint64) *Chain {
	t.Helper()
	c, err := New(cfg, balances)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func check(t *testing.T, c *Chain) {
	t.Helper()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(x T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
}

func TestDelegationShares(t *testing.T) {
	c := newChain(t, plainConfig(), 1000, 1000, 1000)
	v, err := c.AddValidator(0, One/10, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := must[uint64](t)(c.Delegate(v, 1, 50)); got != 50 {
		t.Fatalf("first delegation got %d shares, want 50 (1:1 when price is 1)", got)
	}
	// 10% of 30 to the operator's liquid balance, 27 into the pool.
	if err := c.Reward(v, 30); err != nil {
		t.Fatal(err)
	}
	if c.Liquid(0) != 903 {
		t.Fatalf("operator liquid %d, want 900 + 3 commission", c.Liquid(0))
	}
	x, _ := c.Validator(v)
	if x.Tokens != 177 || x.Shares != 150 {
		t.Fatalf("pool %d tokens / %d shares, want 177 / 150", x.Tokens, x.Shares)
	}
	// 59 tokens at 177/150 per share buy 59·150/177 = 50 shares.
	if got := must[uint64](t)(c.Delegate(v, 2, 59)); got != 50 {
		t.Fatalf("second delegation got %d shares, want 50", got)
	}
	// 10 tokens buy floor(10·200/236) = 8 shares: the delegator pays the rounding.
	if got := must[uint64](t)(c.Delegate(v, 2, 10)); got != 8 {
		t.Fatalf("got %d shares, want 8", got)
	}
	// 50 shares of 246 tokens / 208 shares are worth floor(50·246/208) = 59.
	if got := must[uint64](t)(c.Unbond(v, 1, 50)); got != 59 {
		t.Fatalf("unbonded %d tokens, want 59", got)
	}
	// The last shares take everything left, dust included.
	must[uint64](t)(c.Unbond(v, 2, 58))
	x, _ = c.Validator(v)
	if got := must[uint64](t)(c.Unbond(v, 0, 100)); got != x.Tokens || got == 0 {
		t.Fatalf("last unbond got %d, pool had %d", got, x.Tokens)
	}
	x, _ = c.Validator(v)
	if x.Tokens != 0 || x.Shares != 0 || x.Delegations != 0 {
		t.Fatalf("empty validator still has %+v", x)
	}
	check(t, c)
}

func TestUnbondingRelease(t *testing.T) {
	cfg := plainConfig()
	cfg.UnbondingDelay = 3
	c := newChain(t, cfg, 100)
	v := mustValidator(t, c, 0, 100)
	must[uint64](t)(c.Unbond(v, 0, 40))
	q := c.Queue(nil)
	if len(q) != 1 || q[0].Release != 3 || q[0].Balance != 40 {
		t.Fatalf("queue %+v, want one entry of 40 released at 3", q)
	}
	for e := uint64(0); e < 3; e++ {
		if c.Liquid(0) != 0 {
			t.Fatalf("released before epoch 3 (at %d)", c.Epoch())
		}
		rep := must[EpochReport](t)(c.ProcessEpoch(e, nil))
		if e == 2 && rep.Released != 40 {
			t.Fatalf("epoch %d released %d, want 40", e, rep.Released)
		}
	}
	if c.Liquid(0) != 40 || c.Epoch() != 3 || len(c.Queue(nil)) != 0 {
		t.Fatalf("at epoch %d liquid %d, queue %v", c.Epoch(), c.Liquid(0), c.Queue(nil))
	}
	check(t, c)
}

// Unbonding stake is slashed with its validator when it was still bonded at
// the infraction, and not otherwise.
func TestUnbondingSlashable(t *testing.T) {
	for _, tc := range []struct {
		name        string
		offence     Offence
		infraction  uint64
		wantBonded  uint64
		wantEntry   uint64
		wantJailed  bool
		wantTombstn bool
	}{
		// 5% of 1600 bonded and 5% of the 400 unbonded at epoch 2.
		{"double-sign before unbond", DoubleSign, 1, 80, 20, true, true},
		{"double-sign at unbond epoch", DoubleSign, 2, 80, 20, true, true},
		{"double-sign after unbond", DoubleSign, 3, 80, 0, true, true},
		// 1% downtime.
		{"downtime before unbond", Downtime, 0, 16, 4, true, false},
		{"downtime after unbond", Downtime, 3, 16, 0, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := plainConfig()
			cfg.UnbondingDelay = 10
			c := newChain(t, cfg, 1000, 1000)
			v := mustValidator(t, c, 0, 1000)
			must[uint64](t)(c.Delegate(v, 1, 1000))
			for e := range uint64(2) {
				must[EpochReport](t)(c.ProcessEpoch(e, nil))
			}
			must[uint64](t)(c.Unbond(v, 1, 400))
			must[EpochReport](t)(c.ProcessEpoch(2, nil))
			rep, err := c.Slash(tc.offence, v, tc.infraction, NoValidator)
			if err != nil {
				t.Fatal(err)
			}
			if rep.FromBonded != tc.wantBonded || rep.FromUnbonding != tc.wantEntry {
				t.Fatalf("burned %d bonded + %d unbonding, want %d + %d", rep.FromBonded, rep.FromUnbonding, tc.wantBonded, tc.wantEntry)
			}
			if q := c.Queue(nil); q[0].Balance != 400-tc.wantEntry {
				t.Fatalf("entry balance %d", q[0].Balance)
			}
			x, _ := c.Validator(v)
			if x.Jailed != tc.wantJailed || x.Tombstoned != tc.wantTombstn {
				t.Fatalf("jailed %t tombstoned %t", x.Jailed, x.Tombstoned)
			}
			if l := c.Ledger(); l.BurnedSlash != rep.Burned() || x.Burned != rep.Burned() {
				t.Fatalf("ledger burned %d, validator burned %d, report %d", l.BurnedSlash, x.Burned, rep.Burned())
			}
			check(t, c)
		})
	}
}

func TestJailing(t *testing.T) {
	cfg := plainConfig()
	cfg.Issuance = Issuance{Model: FixedAmount, Amount: 1000}
	cfg.Cosmos.DowntimeJailEpochs = 2
	c := newChain(t, cfg, 1000, 1000, 1000)
	a := mustValidator(t, c, 0, 1000)
	b := mustValidator(t, c, 1, 1000)
	if _, err := c.Slash(Downtime, a, 0, NoValidator); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Slash(Downtime, a, 0, NoValidator); !errors.Is(err, ErrNotSlashable) {
		t.Fatalf("downtime of a jailed validator: %v", err)
	}
	if _, err := c.Delegate(a, 2, 10); !errors.Is(err, ErrInactive) {
		t.Fatalf("delegation to a jailed validator: %v", err)
	}
	rep := must[EpochReport](t)(c.ProcessEpoch(0, nil))
	xa, _ := c.Validator(a)
	xb, _ := c.Validator(b)
	if xa.Tokens != 990 || xb.Tokens != 2000 || rep.Minted != 1000 {
		t.Fatalf("jailed validator earned: a %d b %d minted %d", xa.Tokens, xb.Tokens, rep.Minted)
	}
	if err := c.Unjail(a); !errors.Is(err, ErrStillJailed) {
		t.Fatalf("unjail at epoch 1: %v", err)
	}
	must[EpochReport](t)(c.ProcessEpoch(1, nil))
	if err := c.Unjail(a); err != nil {
		t.Fatal(err)
	}
	if err := c.Unjail(a); !errors.Is(err, ErrNotJailed) {
		t.Fatalf("second unjail: %v", err)
	}
	if _, err := c.Slash(DoubleSign, b, 2, NoValidator); err != nil {
		t.Fatal(err)
	}
	for e := uint64(2); e < 10; e++ {
		must[EpochReport](t)(c.ProcessEpoch(e, nil))
	}
	if err := c.Unjail(b); !errors.Is(err, ErrStillJailed) {
		t.Fatalf("unjail of a tombstoned validator: %v", err)
	}
	if _, err := c.Slash(DoubleSign, b, 2, NoValidator); !errors.Is(err, ErrNotSlashable) {
		t.Fatalf("double sign of a tombstoned validator: %v", err)
	}
	check(t, c)
}

// An Ethereum-slashed validator is frozen until its withdrawable epoch and
// pays the correlation penalty at the halfway point.
func TestEthSlashedFrozen(t *testing.T) {
	cfg := EthereumConfig(Bellatrix)
	cfg.Eth = Minimal(Bellatrix)
	cfg.Eth.MaxEffectiveBalance = 0 // validator 1 has 320 ETH effective
	cfg.Issuance = Issuance{}
	cfg.UnbondingDelay = 2
	c := newChain(t, cfg, 32e9, 320e9)
	v := mustValidator(t, c, 0, 32e9)
	mustValidator(t, c, 1, 320e9)
	must[EpochReport](t)(c.ProcessEpoch(0, nil))
	rep := must[SlashReport](t)(c.Slash(EthSlashing, v, 1, 1))
	if rep.FromBonded != 1e9 {
		t.Fatalf("initial penalty %d, want 32 ETH/32", rep.FromBonded)
	}
	x, _ := c.Validator(v)
	if !x.Slashed || x.Withdrawable != 1+64 {
		t.Fatalf("slashed %t withdrawable %d", x.Slashed, x.Withdrawable)
	}
	if _, err := c.Unbond(v, 0, 1); !errors.Is(err, ErrFrozen) {
		t.Fatalf("unbond from a slashed validator: %v", err)
	}
	var corr uint64
	for e := uint64(1); e < 65; e++ {
		r := must[EpochReport](t)(c.ProcessEpoch(e, nil))
		if r.CorrelationSlashed != 0 {
			if e != 1+32 {
				t.Fatalf("correlation penalty at epoch %d, want 33", e)
			}
			corr = r.CorrelationBurned
		}
	}
	// eff fell to 31 ETH after the 1 ETH initial penalty; adjusted =
	// min(3·32, 320) = 96 ETH: 31·96/320 = 9.3 → 9 ETH.
	if want := cfg.Eth.CorrelationPenalty(31e9, 32e9, 320e9); corr != want || want != 9e9 {
		t.Fatalf("correlation penalty %d, want %d (9 ETH)", corr, want)
	}
	if got := must[uint64](t)(c.Unbond(v, 0, 32e9)); got != 32e9-1e9-9e9 {
		t.Fatalf("unbond after the withdrawable epoch returned %d, want 22 ETH", got)
	}
	check(t, c)
}

// A correlated incident (one operator's ten validators slashed together)
// is penalised far more per validator than an isolated fault.
func TestCorrelatedIncident(t *testing.T) {
	run := func(k int) (perValidator uint64) {
		cfg := EthereumConfig(Bellatrix)
		cfg.Eth.EpochsPerSlashingsVector = 64
		cfg.Issuance = Issuance{}
		balances := make([]uint64, 100)
		for i := range balances {
			balances[i] = 32e9
		}
		c := newChain(t, cfg, balances...)
		// Account 0 runs validators 0..k−1 (funded by transfers), the
		// others one each.
		for i := 1; i < k; i++ {
			if err := c.Transfer(AccountID(i), 0, 32e9); err != nil {
				t.Fatal(err)
			}
		}
		vs := make([]ValidatorID, 100)
		for i := range vs {
			op := AccountID(i)
			if i < k {
				op = 0
			}
			vs[i] = mustValidator(t, c, op, 32e9)
		}
		incident := c.OperatedBy(nil, 0)
		if len(incident) != k {
			t.Fatalf("operator 0 runs %d validators, want %d", len(incident), k)
		}
		rep := must[SlashReport](t)(c.SlashMany(EthSlashing, incident, 0, vs[99]))
		if rep.Validators != k || rep.FromBonded != uint64(k)*1e9 {
			t.Fatalf("k=%d: report %+v", k, rep)
		}
		var corr EpochReport
		for e := range uint64(33) {
			if r := must[EpochReport](t)(c.ProcessEpoch(e, nil)); r.CorrelationSlashed != 0 {
				corr = r
			}
		}
		if corr.CorrelationSlashed != k || corr.Epoch != 32 {
			t.Fatalf("k=%d: correlation report %+v", k, corr)
		}
		check(t, c)
		return corr.CorrelationBurned / uint64(k)
	}
	// Total active = (100−k)·32 ETH: the proposer's whistleblower rewards
	// (k·0.0625 ETH) stay below the upward hysteresis threshold.
	single, ten := run(1), run(10)
	if single != 0 {
		t.Errorf("isolated slashing: correlation penalty %d, want 0 (31·96/3168 < 1 ETH)", single)
	}
	if want := Mainnet(Bellatrix).CorrelationPenalty(31e9, 320e9, 90*32e9); ten != want || want != 10e9 {
		t.Errorf("correlated slashing: %d per validator, want %d (10 ETH)", ten, want)
	}
}

func TestWhistleblowerPaysProposer(t *testing.T) {
	cfg := EthereumConfig(Altair)
	cfg.Issuance = Issuance{}
	c := newChain(t, cfg, 32e9, 32e9)
	v := mustValidator(t, c, 0, 32e9)
	p, err := c.AddValidator(1, One/10, 32e9)
	if err != nil {
		t.Fatal(err)
	}
	rep := must[SlashReport](t)(c.Slash(EthSlashing, v, 0, p))
	// 32 ETH/512 = 62.5e6 Gwei; proposer share 62.5e6·8/64.
	if rep.Whistleblower != 62_500_000 || rep.ProposerShare != 7_812_500 {
		t.Fatalf("report %+v", rep)
	}
	x, _ := c.Validator(p)
	if c.Liquid(1) != 6_250_000 || x.Tokens != 32e9+56_250_000 || c.Ledger().Minted != 62_500_000 {
		t.Fatalf("operator liquid %d, tokens %d, minted %d", c.Liquid(1), x.Tokens, c.Ledger().Minted)
	}
	check(t, c)
}

func TestEthIssuance(t *testing.T) {
	cfg := EthereumConfig(Bellatrix)
	c := newChain(t, cfg, 32e9, 32e9, 32e9, 32e9)
	for i := range 4 {
		mustValidator(t, c, AccountID(i), 32e9)
	}
	perInc := uint64(1e9) * 64 / ISqrt(128e9)
	rep := must[EpochReport](t)(c.ProcessEpoch(0, nil))
	if want := 4 * 32 * perInc; rep.Minted != want {
		t.Fatalf("full participation minted %d, want %d", rep.Minted, want)
	}
	// Validator 3 offline: the others earn base·96/128, it pays base·40/64.
	rep = must[EpochReport](t)(c.ProcessEpoch(1, []ValidatorID{3}))
	base := 32 * perInc
	if want := 3 * (base * 96 / 128); rep.Minted != want {
		t.Fatalf("minted %d, want %d", rep.Minted, want)
	}
	if want := base * 40 / 64; rep.PenaltyBurned != want {
		t.Fatalf("penalty %d, want %d", rep.PenaltyBurned, want)
	}
	check(t, c)
	// Yield ∝ 1/√stake: four times the stake halves the reward per increment.
	r := Mainnet(Bellatrix)
	for _, total := range []uint64{32e9, 1e15, 31_250_000e9, 1e17} {
		a, b := r.BaseRewardPerIncrement(total), r.BaseRewardPerIncrement(4*total)
		if d := int64(a) - 2*int64(b); d < 0 || d > 2 {
			t.Errorf("per-increment reward %d at %d and %d at 4×: not halved", a, total, b)
		}
	}
	// 31.25M ETH staked earns about 2.97% a year (225 epochs a day).
	apr := float64(r.BaseRewardPerIncrement(31_250_000e9)) * 82125 / 1e9
	if apr < 0.029 || apr > 0.0305 {
		t.Errorf("APR at 31.25M ETH %.4f", apr)
	}
}

// The x/mint rule recomputed independently with big rationals.
func TestCosmosInflation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		bonded uint64
		start  uint64
		dir    int
	}{
		{"below goal rises", 500e6, One / 100 * 13, +1},
		{"above goal falls", 900e6, One / 100 * 13, -1},
		{"clamped at max", 100e6, One / 100 * 20, 0},
		{"clamped at min", 1000e6, One / 100 * 7, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := CosmosConfig()
			cfg.Issuance.Inflation = tc.start
			c := newChain(t, cfg, 1000e6)
			v := mustValidator(t, c, 0, tc.bonded)
			rep := must[EpochReport](t)(c.ProcessEpoch(0, nil))
			is := cfg.Issuance
			floor := func(x *big.Int, d uint64) *big.Int { return x.Quo(x, new(big.Int).SetUint64(d)) }
			bi := func(x uint64) *big.Int { return new(big.Int).SetUint64(x) }
			ratio := floor(new(big.Int).Mul(bi(tc.bonded), bi(One)), 1000e6)
			q := floor(new(big.Int).Mul(ratio, bi(One)), is.GoalBonded)
			d := new(big.Int).Sub(bi(One), q)
			neg := d.Sign() < 0
			d.Abs(d)
			d = floor(floor(d.Mul(d, bi(is.InflationRateChange)), One), 365)
			if neg {
				d.Neg(d)
			}
			infl := new(big.Int).Add(bi(tc.start), d)
			infl.SetUint64(min(max(infl.Uint64(), is.InflationMin), is.InflationMax))
			if c.Inflation() != infl.Uint64() || rep.Inflation != infl.Uint64() {
				t.Fatalf("inflation %d, want %d", c.Inflation(), infl.Uint64())
			}
			if got := int(c.Inflation()) - int(tc.start); (got > 0) != (tc.dir > 0) || (got < 0) != (tc.dir < 0) {
				t.Fatalf("inflation moved by %d, want direction %d", got, tc.dir)
			}
			prov := floor(floor(new(big.Int).Mul(infl, bi(1000e6)), One), 365)
			if rep.Minted != prov.Uint64() {
				t.Fatalf("minted %d, want provision %d", rep.Minted, prov.Uint64())
			}
			x, _ := c.Validator(v)
			if x.Tokens != tc.bonded+rep.Minted {
				t.Fatalf("validator did not receive the provision")
			}
			check(t, c)
		})
	}
}

func TestFixedRatePayout(t *testing.T) {
	cfg := CosmosConfig()
	cfg.Issuance = Issuance{Model: FixedRate, Rate: One / 10}
	cfg.Payout = true
	c := newChain(t, cfg, 600e6, 400e6)
	v, err := c.AddValidator(0, One/20, 600e6)
	if err != nil {
		t.Fatal(err)
	}
	must[uint64](t)(c.Delegate(v, 1, 400e6))
	rep := must[EpochReport](t)(c.ProcessEpoch(0, nil))
	// 1e9·10%/365 = 273972; 5% commission 13698; 260274 split 60/40 and
	// rounded down: 156164 + 104109, one unit never minted.
	if rep.Minted != 13698+156164+104109 || c.Liquid(0) != 13698+156164 || c.Liquid(1) != 104109 {
		t.Fatalf("minted %d, liquid %d / %d", rep.Minted, c.Liquid(0), c.Liquid(1))
	}
	if x, _ := c.Validator(v); x.Tokens != 1000e6 {
		t.Fatalf("payout mode compounded: tokens %d", x.Tokens)
	}
	check(t, c)
}

func TestSeizeDispositions(t *testing.T) {
	for _, tc := range []struct {
		disp       Disposition
		wantTokens [3]uint64
		wantBurned uint64
		wantBonded uint64
	}{
		{Burn, [3]uint64{1000, 3000, 6000}, 501, 10000},
		// 501 over pools of 1000, 3000, 6000: 50 + 150 + 300, 1 burned.
		{Redistribute, [3]uint64{1050, 3150, 6300}, 1, 10500},
		{ToTreasury, [3]uint64{1501, 3000, 6000}, 0, 10501},
		// The 501 leave the validator and become the treasury's, liquid.
		{Liquidate, [3]uint64{1000, 3000, 6000}, 0, 10000},
	} {
		t.Run(tc.disp.String(), func(t *testing.T) {
			treasury0 := uint64(0)
			c := newChain(t, plainConfig(), 1000, 3000, 6000, 501, 0)
			vs := [3]ValidatorID{mustValidator(t, c, 0, 1000), mustValidator(t, c, 1, 3000), mustValidator(t, c, 2, 6000)}
			must[uint64](t)(c.Delegate(vs[0], 3, 501))
			if _, err := c.Seize(vs[0], 3, 501, tc.disp, 4); !errors.Is(err, ErrInsufficient) {
				t.Fatalf("seizing unlocked shares: %v", err)
			}
			if err := c.Lock(vs[0], 3, 501); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Unbond(vs[0], 3, 1); !errors.Is(err, ErrLocked) {
				t.Fatalf("unbonding locked shares: %v", err)
			}
			treasury0 = c.Liquid(4)
			if got := must[uint64](t)(c.Seize(vs[0], 3, 501, tc.disp, 4)); got != 501 {
				t.Fatalf("seized %d, want 501", got)
			}
			if got, want := c.Liquid(4)-treasury0, map[bool]uint64{true: 501}[tc.disp == Liquidate]; got != want {
				t.Errorf("treasury received %d liquid, want %d", got, want)
			}
			for i, v := range vs {
				if x, _ := c.Validator(v); x.Tokens != tc.wantTokens[i] {
					t.Errorf("validator %d tokens %d, want %d", i, x.Tokens, tc.wantTokens[i])
				}
			}
			l := c.Ledger()
			if l.BurnedForeclosure != tc.wantBurned || l.Bonded != tc.wantBonded {
				t.Errorf("burned %d bonded %d, want %d %d", l.BurnedForeclosure, l.Bonded, tc.wantBurned, tc.wantBonded)
			}
			if _, ok := c.Delegation(vs[0], 3); ok {
				t.Error("seized delegation still exists")
			}
			if d, ok := c.Delegation(vs[0], 4); ok != (tc.disp == ToTreasury) || (ok && d.Shares != 501) {
				t.Errorf("treasury delegation %+v %t", d, ok)
			}
			check(t, c)
		})
	}
}

func TestEffectiveBalance(t *testing.T) {
	r := Mainnet(Bellatrix)
	for _, tc := range []struct{ balance, eff, want uint64 }{
		{32e9, 32e9, 32e9},
		{31_760_000_000, 32e9, 32e9}, // 31.76 + 0.25 ≥ 32: kept
		{31_750_000_000, 32e9, 32e9}, // 31.75 + 0.25 = 32, not < 32
		{31_749_999_999, 32e9, 31e9},
		{40e9, 32e9, 32e9},           // capped
		{18_250_000_000, 17e9, 17e9}, // 17 + 1.25 = 18.25, not < 18.25
		{18_250_000_001, 17e9, 18e9},
		{0, 16e9, 0},
	} {
		if got := r.NextEffectiveBalance(tc.balance, tc.eff); got != tc.want {
			t.Errorf("NextEffectiveBalance(%d, %d) = %d, want %d", tc.balance, tc.eff, got, tc.want)
		}
	}
	if got := Mainnet(Electra).InitialEffectiveBalance(3000e9 + 5); got != 2048e9 {
		t.Errorf("electra cap: %d", got)
	}
}

func TestISqrt(t *testing.T) {
	for _, tc := range []struct{ n, want uint64 }{
		{0, 0}, {1, 1}, {2, 1}, {3, 1}, {4, 2}, {15, 3}, {16, 4}, {17, 4},
		{math.MaxUint64, 4294967295}, {(1<<32 - 1) * (1<<32 - 1), 1<<32 - 1},
		{(1<<32-1)*(1<<32-1) - 1, 1<<32 - 2}, {31_250_000e9, 176776695},
	} {
		if got := ISqrt(tc.n); got != tc.want {
			t.Errorf("ISqrt(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		n := rng.Uint64() >> rng.IntN(64)
		x := ISqrt(n)
		if hi, lo := mul128(x, x); hi != 0 || lo > n {
			t.Fatalf("ISqrt(%d) = %d too big", n, x)
		}
		if hi, lo := mul128(x+1, x+1); hi == 0 && lo <= n {
			t.Fatalf("ISqrt(%d) = %d too small", n, x)
		}
	}
}

func mul128(a, b uint64) (uint64, uint64) {
	p := new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
	lo := new(big.Int).And(p, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	return new(big.Int).Rsh(p, 64).Uint64(), lo
}

// The zero Chain rejects everything and never panics.
func TestZeroChain(t *testing.T) {
	var c Chain
	errs := []error{
		c.Transfer(0, 0, 0),
		c.SetCommission(0, 0),
		c.Lock(0, 0, 1),
		c.Unlock(0, 0, 1),
		c.Reward(0, 1),
		c.Unjail(0),
		c.Check(),
	}
	_, err := c.NewAccount()
	errs = append(errs, err)
	_, err = c.AddValidator(0, 0, 1)
	errs = append(errs, err)
	_, err = c.Delegate(0, 0, 1)
	errs = append(errs, err)
	_, err = c.Unbond(0, 0, 1)
	errs = append(errs, err)
	_, err = c.Seize(0, 0, 1, Burn, 0)
	errs = append(errs, err)
	_, err = c.Slash(DoubleSign, 0, 0, NoValidator)
	errs = append(errs, err)
	_, err = c.ProcessEpoch(0, nil)
	errs = append(errs, err)
	_, err = c.SharesValue(0, 1)
	errs = append(errs, err)
	_, err = c.Validator(0)
	errs = append(errs, err)
	for i, err := range errs {
		if !errors.Is(err, ErrNotInitialized) {
			t.Errorf("call %d: %v", i, err)
		}
	}
	_ = c.Wealth(nil)
	_ = c.Stakes(nil)
	_ = c.Queue(nil)
	_ = c.Delegations(nil, 0)
	_ = c.Liquid(3)
}

func TestConfigValidation(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"increment":      func(c *Config) { c.Eth.EffectiveBalanceIncrement = 0 },
		"hysteresis":     func(c *Config) { c.Eth.HysteresisQuotient = 0 },
		"max eff":        func(c *Config) { c.Eth.MaxEffectiveBalance = 1 },
		"window":         func(c *Config) { c.Eth.EpochsPerSlashingsVector = 1 },
		"quotient":       func(c *Config) { c.Eth.MinSlashingPenaltyQuotient = 0 },
		"fork":           func(c *Config) { c.Eth.Fork = 9 },
		"model":          func(c *Config) { c.Issuance.Model = 99 },
		"base reward":    func(c *Config) { c.Eth.BaseRewardFactor = 0 },
		"cosmos goal":    func(c *Config) { *c = CosmosConfig(); c.Issuance.GoalBonded = 0 },
		"cosmos bounds":  func(c *Config) { *c = CosmosConfig(); c.Issuance.InflationMin = One },
		"cosmos year":    func(c *Config) { *c = CosmosConfig(); c.EpochsPerYear = 0 },
		"slash fraction": func(c *Config) { c.Cosmos.SlashFractionDoubleSign = One + 1 },
	} {
		cfg := EthereumConfig(Altair)
		mod(&cfg)
		if _, err := New(cfg, nil); !errors.Is(err, errConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New(EthereumConfig(Phase0), []uint64{math.MaxUint64, 1}); !errors.Is(err, ErrOverflow) {
		t.Errorf("supply overflow: %v", err)
	}
}

func TestSlashValidation(t *testing.T) {
	c := newChain(t, EthereumConfig(Altair), 64e9)
	v := mustValidator(t, c, 0, 32e9)
	w := mustValidator(t, c, 0, 32e9)
	for _, tc := range []struct {
		name string
		err  error
		call func() error
	}{
		{"future infraction", ErrEpoch, func() error { _, err := c.Slash(DoubleSign, v, 1, NoValidator); return err }},
		{"duplicate", ErrDuplicateTarget, func() error {
			_, err := c.SlashMany(DoubleSign, []ValidatorID{v, w, v}, 0, NoValidator)
			return err
		}},
		{"unknown offence", ErrUnsupported, func() error { _, err := c.Slash(9, v, 0, NoValidator); return err }},
		{"unknown validator", ErrUnknown, func() error { _, err := c.Slash(DoubleSign, 7, 0, NoValidator); return err }},
		{"unknown proposer", ErrUnknown, func() error { _, err := c.Slash(EthSlashing, v, 0, 7); return err }},
	} {
		if err := tc.call(); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
	if x, _ := c.Validator(w); x.Jailed || x.Burned != 0 {
		t.Fatal("a rejected SlashMany slashed a validator")
	}
	must[SlashReport](t)(c.Slash(EthSlashing, v, 0, NoValidator))
	if _, err := c.Slash(EthSlashing, v, 0, NoValidator); !errors.Is(err, ErrNotSlashable) {
		t.Errorf("double eth slashing: %v", err)
	}
	cc := newChain(t, CosmosConfig(), 10)
	mustValidator(t, cc, 0, 10)
	if _, err := cc.Slash(EthSlashing, 0, 0, NoValidator); !errors.Is(err, ErrUnsupported) {
		t.Errorf("eth slashing on a cosmos chain: %v", err)
	}
}

// The validator's fields read every step (status, pool, minted and burned,
// delegations) fit its first 64 bytes, and the struct is 104 bytes: the
// layout the struct's comment states and its measured speed depends on.
func TestValidatorLayout(t *testing.T) {
	var v validator
	if end := unsafe.Offsetof(v.dels) + unsafe.Sizeof(v.dels); end > 64 {
		t.Errorf("hot fields end at byte %d, past 64", end)
	}
	for _, off := range []uintptr{unsafe.Offsetof(v.jailed), unsafe.Offsetof(v.tombstoned), unsafe.Offsetof(v.slashed),
		unsafe.Offsetof(v.tokens), unsafe.Offsetof(v.shares), unsafe.Offsetof(v.minted), unsafe.Offsetof(v.burned)} {
		if off >= 64 {
			t.Errorf("hot field at byte %d", off)
		}
	}
	if n := unsafe.Sizeof(v); n != 104 {
		t.Errorf("validator is %d bytes, not 104", n)
	}
}

// quoRecip is r/e for divisors of every size (1, 2, 365, 82125, powers of
// two and their neighbours, random) and dividends near 0, near multiples
// of e, near 2^64 and random.
func TestQuoRecip(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	divs := []uint64{1, 2, 3, 365, 82125, math.MaxUint64, math.MaxUint64 - 1, 1 << 63, 1<<63 + 1, 1<<32 - 1, 1 << 32}
	for range 200 {
		divs = append(divs, rng.Uint64N(1<<uint(1+rng.IntN(64))-1)+1)
	}
	for _, e := range divs {
		m := ^uint64(0) / e
		check := func(r uint64) {
			if got := quoRecip(r, e, m); got != r/e {
				t.Fatalf("quoRecip(%d, %d) = %d, want %d", r, e, got, r/e)
			}
		}
		for k := range uint64(64) {
			check(k)
			check(math.MaxUint64 - k)
			check(e*k - 1)
			check(e * k)
		}
		for range 2000 {
			r := rng.Uint64()
			check(r)
			check(r - r%e)
			check(r - r%e - 1)
		}
	}
}

// InitialEffectiveBalance is min(b − b mod max(inc, 1), max) (no cap for
// a max of 0) for increments of 0, 1 (the Cosmos configs, which skip the
// division), 2, 1e9 and random, over random balances.
func TestInitialEffectiveBalanceIncrements(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 23))
	for _, inc := range []uint64{0, 1, 2, 1e9, rng.Uint64N(1e12) + 1} {
		for _, capAt := range []uint64{0, 32e9, 2048e9} {
			r := EthRules{EffectiveBalanceIncrement: inc, MaxEffectiveBalance: capAt}
			for range 2000 {
				b := rng.Uint64() >> uint(rng.IntN(64))
				want := b - b%max(inc, 1)
				if capAt != 0 {
					want = min(want, capAt)
				}
				if got := r.InitialEffectiveBalance(b); got != want {
					t.Fatalf("inc %d, max %d: InitialEffectiveBalance(%d) = %d, want %d", inc, capAt, b, got, want)
				}
			}
		}
	}
}
