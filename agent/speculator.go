package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/spiral"
)

// SpiralHost is a deleveraging-spiral market a speculator acts on: the
// state machine and the asset whose price is its collateral's.
type SpiralHost interface {
	System() *spiral.System
	CollateralAsset() int
}

// SpiralSpeculator is the speculator of Klages-Mundt & Minca's model: each
// step it updates its estimates of ETH's log return with the step's return,
// then changes the stablecoin supply by its rule (spiral.Speculator): the
// expected-equity optimum within its own risk constraint, or within the
// protocol's liquidation constraint alone when the first cannot be met.
type SpiralSpeculator struct {
	Market int // protocol index of the SpiralHost
	Rule   spiral.Speculator
	// Mu0 and Var0 are the starting estimates of the per-step log return's
	// mean and variance.
	Mu0, Var0 float64

	host              SpiralHost
	sp                spiral.Speculator
	binding, recovery int
}

// Reset implements market.Agent.
func (s *SpiralSpeculator) Reset(m *market.Market, _ *rand.Rand) {
	s.host = m.Protocols[s.Market].(SpiralHost)
	s.sp = s.Rule
	s.sp.Start(s.Mu0, s.Var0)
	s.binding, s.recovery = 0, 0
}

// Act implements market.Agent.
func (s *SpiralSpeculator) Act(m *market.Market) {
	sys := s.host.System()
	if sys.Cause != spiral.Running {
		return
	}
	a := s.host.CollateralAsset()
	s.sp.Observe(math.Log(m.Prices[a] / m.PrevPrices[a]))
	delta, err := s.sp.Decide(sys.Market(sys.PE), sys.Beta)
	if err != nil {
		// The system checked feasibility at Move; nothing to do.
		return
	}
	if s.sp.Binding {
		s.binding++
	}
	if s.sp.Recovery {
		s.recovery++
	}
	_ = sys.Clear(delta) // Decide returns Δ > y
}

// Metrics implements market.Agent.
func (s *SpiralSpeculator) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "bound", Unit: "fraction", Doc: "λ̃, the share of collateral value its risk constraint counts", Worse: metric.LowerIsWorse},
		{Name: "expected_return", Unit: "fraction/step", Doc: "r̂ − 1, the expected ETH return over the next step", Worse: metric.LowerIsWorse},
		{Name: "binding_time", Unit: "days", Doc: "time its constraint bound its choice", Worse: metric.HigherIsWorse},
		{Name: "recovery_time", Unit: "days", Doc: "time in recovery mode: its risk constraint infeasible, only the protocol's met", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Agent.
func (s *SpiralSpeculator) Observe(m *market.Market, dst []float64) {
	day := m.StepSeconds / 86400
	dst[0], dst[1] = math.Min(s.sp.Bound(), 1), s.sp.RHat()-1
	dst[2], dst[3] = float64(s.binding)*day, float64(s.recovery)*day
}
