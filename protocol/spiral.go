package protocol

import (
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/spiral"
)

// Spiral is Klages-Mundt & Minca's stablecoin market (spiral.System) in the
// simulation: the ETH price comes from asset Collateral, a speculator agent
// (agent.SpiralSpeculator) changes the supply each step, and the system
// fails when the liquidation constraint becomes infeasible or the coin
// stays depegged.
type Spiral struct {
	// Initial is the configured system; Open's arguments follow.
	Initial    spiral.System
	Collateral int // asset index of the collateral (ETH)
	// L0, N0 and NBar0 are the starting supply, speculator ETH and holders'
	// ETH; PD0 the starting price under wealth-share demand.
	L0, N0, NBar0, PD0 float64

	sys     spiral.System
	minRate float64
}

// System returns the running state machine, for the speculator to act on.
func (s *Spiral) System() *spiral.System { return &s.sys }

// CollateralAsset returns the asset index of the collateral.
func (s *Spiral) CollateralAsset() int { return s.Collateral }

// Reset implements market.Protocol.
func (s *Spiral) Reset(m *market.Market) {
	s.sys = s.Initial
	// The parameters were validated at compile time with the initial
	// price; Open fails only on a non-positive price, which the processes
	// never produce.
	_ = s.sys.Open(s.L0, s.N0, s.NBar0, m.Prices[s.Collateral], s.PD0)
	s.minRate = s.sys.CollateralRatio()
}

// Step implements market.Protocol: the period starts at the new ETH price,
// and fails if the liquidation constraint has become infeasible.
func (s *Spiral) Step(m *market.Market) error {
	s.sys.Move(m.Prices[s.Collateral])
	if s.sys.Cause == spiral.Running {
		s.minRate = min(s.minRate, s.sys.CollateralRatio())
	}
	return nil
}

// Check implements market.Protocol.
func (s *Spiral) Check() error { return s.sys.Check() }

// Metrics implements market.Protocol.
func (s *Spiral) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "supply", Unit: "coins", Doc: "stablecoin supply L", Worse: metric.LowerIsWorse},
		{Name: "price", Unit: "numeraire", Doc: "stablecoin price pD", Worse: metric.LowerIsWorse},
		{Name: "collateral", Unit: "collateral", Doc: "speculator's collateral n", Worse: metric.LowerIsWorse},
		{Name: "collateral_ratio", Unit: "fraction", Doc: "collateral value per coin, n·pE/L", Worse: metric.LowerIsWorse},
		{Name: "min_collateral_ratio", Unit: "fraction", Doc: "lowest n·pE/L at the start of a period before failure", Worse: metric.LowerIsWorse},
		{Name: "volatility", Unit: "fraction/step", Doc: "standard deviation of the stablecoin's per-step log returns", Worse: metric.HigherIsWorse},
		{Name: "failed", Unit: "fraction", Doc: "1 once the system has failed (liquidation constraint infeasible, or depegged)", Worse: metric.HigherIsWorse},
		{Name: "infeasible", Unit: "fraction", Doc: "1 if it failed because no supply change met the liquidation constraint", Worse: metric.HigherIsWorse},
		{Name: "failure_time", Unit: "days", Doc: "time of the failure; the time so far while running (censored)", Worse: metric.LowerIsWorse},
	}
}

// Observe implements market.Protocol.
func (s *Spiral) Observe(m *market.Market, dst []float64) {
	sys := &s.sys
	dst[0], dst[1], dst[2], dst[3] = sys.L, sys.PD, sys.N, sys.CollateralRatio()
	dst[4], dst[5] = s.minRate, sys.Volatility()
	dst[6], dst[7] = 0, 0
	at := m.Step
	if sys.Cause != spiral.Running {
		dst[6], at = 1, sys.FailedAt
		if sys.Cause == spiral.Infeasible {
			dst[7] = 1
		}
	}
	dst[8] = float64(at) * m.StepSeconds / 86400
}
