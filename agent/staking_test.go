package agent

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/protocol/stakingtest"
	"github.com/cascade-risk/cascade/synth"
)

// A validator operator with a target leverage levers up through the pool
// (borrow, sell, restake) and settles near its target without breaking
// any identity; it never owes more than its stake allows.
func TestStakeValidatorsLeverage(t *testing.T) {
	m, s := stakingtest.Market(t, 50_000, nil)
	g := &StakeValidators{Protocol: 0, Count: 3, Stake: StakeDistribution{Fixed: stakingtest.Tokens(20_000)},
		LeverageMin: 2, LeverageMax: 2, Sell: 0.8, Floor: 0.97, Restake: true, Band: 0.05}
	arb := &StakeArbitrageur{Protocol: 0, Capital: stakingtest.Tokens(200_000), Stake: stakingtest.Tokens(100_000), Margin: 0.002}
	g.Reset(m, rand.New(rand.NewPCG(1, 2)))
	arb.Reset(m, nil)
	stakingtest.Run(t, m, s, 120, g, arb)
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
	m, s := stakingtest.Market(t, 1000, nil)
	s.Config.Lending.Demand = stakingtest.Tokens(1e6) // borrowers pay the jump rate
	val := &StakeValidators{Protocol: 0, Count: 2, Stake: StakeDistribution{Fixed: stakingtest.Tokens(10_000)}, LeverageMin: 1, LeverageMax: 1}
	del := &StakeDelegators{Protocol: 0, Count: 20, Wealth: StakeDistribution{Fixed: stakingtest.Tokens(5_000)}, Staked: 1,
		SwitchProb: 1, Threshold: 0.01}
	rng := rand.New(rand.NewPCG(3, 4))
	val.Reset(m, rng)
	del.Reset(m, rng)
	dst := make([]float64, len(del.Metrics()))
	del.Observe(m, dst)
	if dst[0] < 0.99 {
		t.Fatalf("staked share at genesis %g", dst[0])
	}
	stakingtest.Run(t, m, s, 10, val, del)
	del.Observe(m, dst)
	if dst[0] > 0.01 || dst[1] > 0.01 || dst[2] < 0.99 {
		t.Fatalf("after 10 epochs: staked %g, lent %g, held %g; want all unbonding", dst[0], dst[1], dst[2])
	}
	stakingtest.Run(t, m, s, 15, val, del)
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

// Validators and delegators draw the same numbers straight from their PCG
// generator (ResetPCG) as through rand.Rand (Reset): the same faults,
// moves and metrics, and the generators end in the same state.
func TestStakeGroupsResetPCGSameDraws(t *testing.T) {
	type arm struct {
		val  *StakeValidators
		del  *StakeDelegators
		pcgs [2]rand.PCG
	}
	newArm := func() *arm {
		return &arm{
			val: &StakeValidators{Protocol: 0, Count: 4, Stake: StakeDistribution{Fixed: stakingtest.Tokens(10_000)},
				LeverageMin: 1, LeverageMax: 2, Sell: 0.5, FaultProb: 0.02, IncidentProb: 0.02, DowntimeProb: 0.1,
				BugProb: 0.05, BugShare: 0.5},
			del: &StakeDelegators{Protocol: 0, Count: 30, Wealth: StakeDistribution{Fixed: stakingtest.Tokens(2_000)},
				Staked: 0.5, Lent: 0.3, SwitchProb: 0.2, Threshold: 0.001, Derivatives: true, LTV: 0.5},
		}
	}
	ma, sa := stakingtest.Market(t, 1000, nil)
	mb, sb := stakingtest.Market(t, 1000, nil)
	a, b := newArm(), newArm()
	for k := range 2 {
		a.pcgs[k].Seed(7, uint64(k))
		b.pcgs[k].Seed(7, uint64(k))
	}
	a.val.Reset(ma, rand.New(&a.pcgs[0]))
	a.del.Reset(ma, rand.New(&a.pcgs[1]))
	b.val.ResetPCG(mb, rand.New(&b.pcgs[0]), &b.pcgs[0])
	b.del.ResetPCG(mb, rand.New(&b.pcgs[1]), &b.pcgs[1])
	if b.val.draw.pcg == nil || b.del.draw.pcg == nil {
		t.Fatal("ResetPCG did not take the generator")
	}
	va, vb := make([]float64, len(a.val.Metrics())), make([]float64, len(a.val.Metrics()))
	da, db := make([]float64, len(a.del.Metrics())), make([]float64, len(a.del.Metrics()))
	for epoch := 1; epoch <= 60; epoch++ {
		stakingtest.Run(t, ma, sa, 1, a.val, a.del)
		stakingtest.Run(t, mb, sb, 1, b.val, b.del)
		a.val.Observe(ma, va)
		b.val.Observe(mb, vb)
		a.del.Observe(ma, da)
		b.del.Observe(mb, db)
		if !slices.Equal(va, vb) || !slices.Equal(da, db) {
			t.Fatalf("epoch %d: through rand %v %v, direct %v %v", epoch, va, da, vb, db)
		}
	}
	if va[3] == 0 || da[5] == 0 {
		t.Fatalf("no faults (%g) or no switches (%g) to compare", va[3], da[5])
	}
	if a.pcgs != b.pcgs {
		t.Fatal("the generators ended in different states")
	}
}

// Synthetic holders trade the same on the ranked path (bisection over
// their use yields) as testing every holder's limit: the same trades, in
// the same order, whatever the margin, as levered operators push the pool
// down and the holders' demand brings it back.
func TestSynthHoldersRankedSameTrades(t *testing.T) {
	for _, margin := range []float64{0, 0.005, 0.05, 1.5} {
		run := func(general bool) ([]float64, []float64) {
			m, s := stakingtest.Market(t, 20_000, nil)
			val := &StakeValidators{Protocol: 0, Count: 6, Stake: StakeDistribution{Alpha: 1.5, Min: stakingtest.Tokens(5_000), Max: stakingtest.Tokens(50_000)},
				LeverageMin: 1.5, LeverageMax: 2.5, Sell: 0.8, FaultProb: 0.01, IncidentProb: 0.01}
			h := &SynthHolders{Protocol: 0, Count: 60, Capital: StakeDistribution{Alpha: 1.5, Min: stakingtest.Tokens(100), Max: stakingtest.Tokens(5_000)},
				UseMin: -0.05, UseMax: 0.12, Margin: margin, general: general}
			rng := rand.New(rand.NewPCG(11, 12))
			val.Reset(m, rng)
			h.Reset(m, rng)
			var trace, obs []float64
			dst := make([]float64, len(h.Metrics()))
			for range 200 {
				stakingtest.Run(t, m, s, 1, val, h)
				// The ranked path's record of what holders hold is what
				// their balances say.
				if !general {
					if !h.heldOK {
						t.Fatal("no record of the holders' balances")
					}
					for k := range h.hs {
						if h.held[h.rank[k]] != h.holds(k) {
							t.Fatalf("holder %d holds %b, recorded %b", k, h.holds(k), h.held[h.rank[k]])
						}
					}
				}
				h.Observe(m, dst)
				trace = append(trace, s.PoolPrice())
				obs = append(obs, dst...)
			}
			return trace, obs
		}
		pa, oa := run(true)
		pb, ob := run(false)
		if !slices.Equal(pa, pb) || !slices.Equal(oa, ob) {
			t.Fatalf("margin %g: the ranked path traded differently", margin)
		}
		t.Logf("margin %g: %g trades", margin, oa[len(oa)-1])
		if trades := oa[len(oa)-1]; trades < 20 && margin < 1 {
			t.Fatalf("margin %g: only %g trades to compare", margin, trades)
		}
	}
}

// posShuffle orders as rand.Rand.Shuffle of the same seed, lists of every
// length up to 300 one after another (the generator carried from one to
// the next).
func TestPosShuffleMatchesRand(t *testing.T) {
	var p posShuffle
	p.seed(rand.New(rand.NewPCG(5, 6)))
	src := rand.New(rand.NewPCG(5, 6))
	ref := rand.New(rand.NewPCG(src.Uint64(), src.Uint64()))
	for n := range 300 {
		a, b := make([]int, n), make([]int, n)
		for i := range a {
			a[i], b[i] = i, i
		}
		p.ints(a)
		ref.Shuffle(n, func(i, j int) { b[i], b[j] = b[j], b[i] })
		if !slices.Equal(a, b) {
			t.Fatalf("length %d: %v, want %v", n, a, b)
		}
	}
}

// Delegators that are idle (their loans as work last saw them, and work
// would change nothing) are not worked; working every delegator instead
// (general) gives the same chain, pool, trades and metrics at every epoch:
// with leverage and faults that kill validators, with loans that mature,
// and with a lender that recalls loans, over several seeds.
func TestStakeDelegatorsIdleSameAsWork(t *testing.T) {
	recall := synth.Enshrined{RecallDiscount: synth.Fraction(5, 1000), RecallDefaultRate: synth.Fraction(1, 100), RecallWindow: 3}
	for _, tc := range []struct {
		name   string
		term   uint64
		policy synth.Policy
		demand float64 // the lending market's borrowers, in tokens
	}{
		{"no term", 0, nil, 30_000},
		{"lending pays", 0, nil, 3_000},
		{"term 20", 20, nil, 30_000},
		{"recalls", 0, recall, 30_000},
		{"term 20 and recalls", 20, recall, 10_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(seed uint64, general bool) (trace []float64, idled int) {
				m, s := stakingtest.Market(t, 20_000, tc.policy)
				s.Config.Book.Term = tc.term
				s.Config.Lending.Demand = stakingtest.Tokens(tc.demand)
				s.Reset(m)
				val := &StakeValidators{Protocol: 0, Count: 6, Stake: StakeDistribution{Alpha: 1.5, Min: stakingtest.Tokens(5_000), Max: stakingtest.Tokens(50_000)},
					LeverageMin: 1.5, LeverageMax: 2.5, Sell: 0.8, FaultProb: 0.002, IncidentProb: 0.001, DowntimeProb: 0.003}
				del := &StakeDelegators{Protocol: 0, Count: 60, Wealth: StakeDistribution{Alpha: 1.2, Min: stakingtest.Tokens(200), Max: stakingtest.Tokens(20_000)},
					Staked: 0.5, Lent: 0.2, SwitchProb: 0.1, Threshold: 0.002, Derivatives: true, LTV: 0.5, general: general}
				arb := &StakeArbitrageur{Protocol: 0, Capital: stakingtest.Tokens(50_000), Stake: stakingtest.Tokens(20_000), Margin: 0.005}
				trace = stakingTrace(t, m, s, rand.New(rand.NewPCG(seed, 22)), val, del, arb, 400)
				return trace, del.idled
			}
			idled := 0
			for seed := range uint64(6) {
				general, _ := run(seed, true)
				skipped, n := run(seed, false)
				idled += n
				equalTraces(t, seed, general, skipped, "working every delegator", "skipping the idle")
			}
			if idled < 3000 {
				t.Fatalf("only %d delegator-steps idle: the skip is barely exercised", idled)
			}
			t.Logf("%d delegator-steps of %d idle", idled, 6*60*400)
		})
	}
}

// TestStakeValidatorsUnsoldSameAsSelling compares manage's skip of a sale
// at the floor that posUnsold knows profits nothing with offering every
// operator's surplus synthetic for sale (StakeValidators.general): chain
// ledger, pool price and the validators' and delegators' metrics equal at
// each of 400 epochs, six seeds, operators marked at par and to the pool,
// with and without a stated floor.
func TestStakeValidatorsUnsoldSameAsSelling(t *testing.T) {
	for _, tc := range []struct {
		name  string
		floor float64
		mark  bool
	}{
		{"break-even", 0, false},
		{"floor 0.99", 0.99, false},
		{"marked to the pool", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(seed uint64, general bool) (trace []float64, hits int) {
				m, s := stakingtest.Market(t, 20_000, nil)
				s.Config.MarkToPool = tc.mark
				s.Reset(m)
				val := &StakeValidators{Protocol: 0, Count: 8, Stake: StakeDistribution{Alpha: 1.5, Min: stakingtest.Tokens(5_000), Max: stakingtest.Tokens(50_000)},
					LeverageMin: 1.2, LeverageMax: 2.5, Sell: 0.6, Floor: tc.floor, Restake: true, FaultProb: 0.002, IncidentProb: 0.001, DowntimeProb: 0.003, general: general}
				del := &StakeDelegators{Protocol: 0, Count: 60, Wealth: StakeDistribution{Alpha: 1.2, Min: stakingtest.Tokens(200), Max: stakingtest.Tokens(20_000)},
					Staked: 0.5, Lent: 0.2, SwitchProb: 0.1, Threshold: 0.002, Derivatives: true, LTV: 0.5}
				arb := &StakeArbitrageur{Protocol: 0, Capital: stakingtest.Tokens(50_000), Stake: stakingtest.Tokens(20_000), Margin: 0.005}
				trace = stakingTrace(t, m, s, rand.New(rand.NewPCG(seed, 23)), val, del, arb, 400)
				return trace, val.unsold.hits
			}
			hits := 0
			for seed := range uint64(6) {
				general, _ := run(seed, true)
				skipped, n := run(seed, false)
				hits += n
				equalTraces(t, seed, general, skipped, "offering every sale", "skipping those known unprofitable")
			}
			if hits < 1000 {
				t.Fatalf("only %d sales not offered: the skip is barely exercised", hits)
			}
			t.Logf("%d sales not offered of %d operator-epochs", hits, 6*8*400)
		})
	}
}

// stakingTrace resets the validators and delegators on rng and the
// arbitrageur, steps the staking world n epochs, and returns at each epoch
// the pool price, the chain's bonded, unbonding, liquid and foreclosed
// tokens, and both groups' metrics.
func stakingTrace(t *testing.T, m *market.Market, s *protocol.Staking, rng *rand.Rand, val *StakeValidators, del *StakeDelegators, arb *StakeArbitrageur, n int) (trace []float64) {
	t.Helper()
	val.Reset(m, rng)
	del.Reset(m, rng)
	arb.Reset(m, nil)
	dv, dd := make([]float64, len(val.Metrics())), make([]float64, len(del.Metrics()))
	for range n {
		stakingtest.Run(t, m, s, 1, val, del, arb)
		val.Observe(m, dv)
		del.Observe(m, dd)
		l := s.Chain().Ledger()
		trace = append(trace, s.PoolPrice(), float64(l.Bonded), float64(l.Unbonding), float64(l.Liquid), float64(l.BurnedForeclosure))
		trace = append(append(trace, dv...), dd...)
	}
	return trace
}

// equalTraces fails t at the first value where the traces of the arm that
// does everything (a, named all) and the arm that skips (b, named skip)
// differ, NaN equal to NaN.
func equalTraces(t *testing.T, seed uint64, a, b []float64, all, skip string) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("seed %d: traces of %d and %d values", seed, len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			t.Fatalf("seed %d, value %d of %d: %s %g, %s %g", seed, i, len(a), all, a[i], skip, b[i])
		}
	}
}
