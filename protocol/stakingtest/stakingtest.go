// Package stakingtest builds a small staking market for tests of the
// staking protocol and of the behaviours that act on it.
package stakingtest

import (
	"testing"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// Tokens returns whole tokens as raw units of a 9-decimal token.
func Tokens(x float64) uint64 { return uint64(x * 1e9) }

// Market builds a market with a native token (asset 1, price 10), its
// synthetic (asset 2) and a constant-product pool of both, and a Staking
// protocol on it with a cosmos-like chain: daily epochs, 6%/yr issuance, a
// 20% double-sign slash, 21-day unbonding, loans at a 150% collateral
// ratio and a 125% liquidation ratio.
func Market(t testing.TB, reserve float64, policy synth.Policy) (*market.Market, *protocol.Staking) {
	t.Helper()
	m, s, err := NewMarket(reserve, policy)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

func NewMarket(reserve float64, policy synth.Policy) (*market.Market, *protocol.Staking, error) {
	pair, err := uniswapv2.NewPair(30, false)
	if err != nil {
		return nil, nil, err
	}
	r := uint256.NewInt(Tokens(reserve))
	if _, err := pair.Mint(r, r); err != nil {
		return nil, nil, err
	}
	chain := pos.CosmosConfig()
	chain.Issuance = pos.Issuance{Model: pos.FixedRate, Rate: pos.One / 100 * 6}
	chain.Cosmos.SlashFractionDoubleSign = pos.One / 5
	ray := func(num, den uint64) uint256.Int { return synth.Fraction(num, den) }
	base, mult, jump, kink := uint256.NewInt(1e16), uint256.NewInt(8e16), uint256.NewInt(1e18), uint256.NewInt(8e17)
	cfg := protocol.StakingConfig{
		Chain: chain, EpochSteps: 1, Offence: pos.DoubleSign, Decimals: 9, Supply: Tokens(1e7),
		Book: synth.Params{CollateralRatio: ray(3, 2), LiquidationRatio: ray(5, 4), Curve: synth.RateCurve{{Rate: ray(3, 100)}},
			EpochsPerYear: 365, Disposition: pos.Burn, DefaultWindow: 30},
		Policy: policy, MarkToPool: true, Native: 1, Synth: 2, Venue: 0, LPCollateral: 3, TWAPSteps: 1,
		Lending: protocol.StakingLending{Model: compound.NewJumpRateModel(base, mult, jump, kink), Demand: Tokens(1e5),
			MaxUtilization: 95e16, BlocksPerStep: 5760},
		CascadeSteps: 7, CorruptionShare: 1.0 / 3, YieldHalfLife: 30,
	}
	s := &protocol.Staking{Config: cfg}
	m := &market.Market{
		Prices: []float64{1, 10, 10}, PrevPrices: []float64{1, 10, 10}, Unit: []float64{1e-6, 1e-9, 1e-9},
		StepSeconds: 86400,
		Venues:      []*market.Venue{market.NewVenue("pool", pair, []int{1, 2})},
		Protocols:   []market.Protocol{s},
	}
	s.Reset(m)
	return m, s, s.Err()
}

// Run steps the protocol and agents for n steps from the market's
// current step, checking the accounting after every step.
func Run(t testing.TB, m *market.Market, s *protocol.Staking, n int, agents ...market.Agent) {
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
