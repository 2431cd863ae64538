package spiral

import (
	"errors"
	"fmt"
	"math"
)

// This file is the paper's stochastic model (Sec. 3.5 of the
// dissertation's ch. 3) as a state machine the world drives one period at
// a time: System is the stablecoin market with its holders and the
// speculator's position; Speculator is the speculator's decision rule. The
// ETH price is an input: neither type draws random numbers.

// Failure says why a System stopped.
type Failure int

// The model's two failure events (the setup's "failure time").
const (
	// Running: no failure yet.
	Running Failure = iota
	// Infeasible: no supply change satisfies the liquidation constraint
	// (Prop. 3.3 with λ̃ = 1): the speculator cannot deleverage enough at any
	// price, and the protocol would be undercollateralized.
	Infeasible
	// Depegged: the stablecoin traded below the failure price for the
	// failure run of consecutive periods (the setup's global settlement).
	Depegged
)

// String names the failure.
func (f Failure) String() string {
	return [...]string{"running", "infeasible", "depegged"}[f]
}

// ErrFailed reports a Clear on a System that has failed.
var ErrFailed = errors.New("spiral: the system has failed")

// Demand is the stablecoin holders' demand. With Share = 0 holders demand a
// constant Dollars of stablecoins whatever the ETH price (unit-elastic
// demand: x = D, y = −L, so pD = D/L). With Share = w^D > 0 holders keep a
// share w^D of their wealth — n̄ ETH and m̄ coins — in stablecoins:
//
//	x = w^D·n̄_{t−1}·pE_t,   y = w^D·m̄_{t−1} − L_{t−1}
type Demand struct {
	Dollars float64 // D [$], when Share = 0
	Share   float64 // w^D ∈ (0, 1), or 0 for constant demand
}

// System is the stochastic model's state after a period. The zero value
// is not usable: set Beta, Demand, the failure rule and the initial
// quantities, then call Open.
type System struct {
	// Beta is β, the protocol's liquidation threshold (collateral value
	// over supply).
	Beta   float64
	Demand Demand
	// FailPrice and FailSteps are the depeg failure rule: the system fails
	// once pD < FailPrice for FailSteps consecutive periods (0.5 and 2 in
	// the setup). FailSteps = 0 disables it.
	FailPrice float64
	FailSteps int

	L     float64 // L_t, supply [coins]
	N     float64 // n_t, speculator's collateral [ETH]
	NBar  float64 // n̄_t, holders' ETH (a running ledger under constant demand)
	MBar  float64 // m̄_t, holders' coins; holders own the whole supply, m̄ = L
	PD    float64 // pD_t [$]
	PE    float64 // pE_t, the ETH price of the last period [$]
	Cause Failure
	// Period counts Move calls; FailedAt is the period of the failure.
	Period, FailedAt int

	eth0 float64 // n + n̄ at Open: ETH only changes hands
	low  int     // consecutive periods below FailPrice
	// Welford accumulators of the stablecoin's log returns.
	rets          int
	retMean, retM float64
}

// Open starts a path: supply l0 held by the holders, the speculator's n0
// ETH, the holders' nBar0 ETH, and the ETH price pE0. The starting
// stablecoin price is D/l0 under constant demand; under wealth-share
// demand it is pD0, or with pD0 = 0 the price that clears the market with
// no supply change, pD(0) = w^D·n̄0·pE0 / ((1 − w^D)·l0).
func (s *System) Open(l0, n0, nBar0, pE0, pD0 float64) error {
	switch {
	case !(l0 > 0) || !(n0 >= 0) || !(pE0 > 0) || math.IsInf(l0+n0+pE0, 0):
		return fmt.Errorf("spiral: need supply > 0, collateral ≥ 0 and an ETH price > 0, got %g, %g, %g", l0, n0, pE0)
	case !(s.Beta > 1):
		return fmt.Errorf("spiral: liquidation threshold β = %g, want > 1", s.Beta)
	case s.Demand.Share == 0 && !(s.Demand.Dollars > 0):
		return fmt.Errorf("spiral: constant demand D = %g, want > 0", s.Demand.Dollars)
	case s.Demand.Share < 0 || s.Demand.Share >= 1:
		return fmt.Errorf("spiral: demand share w^D = %g, want in (0, 1)", s.Demand.Share)
	case s.Demand.Share > 0 && (!(nBar0 > 0) || !(pD0 >= 0)):
		return fmt.Errorf("spiral: wealth-share demand needs holders' ETH > 0 and a starting price ≥ 0, got %g, %g", nBar0, pD0)
	}
	s.L, s.N, s.NBar, s.MBar, s.PE = l0, n0, nBar0, l0, pE0
	s.PD = pD0
	switch {
	case s.Demand.Share == 0:
		s.PD = s.Demand.Dollars / l0
	case pD0 == 0:
		w := s.Demand.Share
		s.PD = w * nBar0 * pE0 / ((1 - w) * l0)
	}
	s.Cause, s.Period, s.FailedAt, s.low = Running, 0, 0, 0
	s.eth0 = n0 + nBar0
	s.rets, s.retMean, s.retM = 0, 0, 0
	return nil
}

// Market returns the speculator's step quantities at ETH price pE.
func (s *System) Market(pE float64) Market {
	if s.Demand.Share == 0 {
		return Market{X: s.Demand.Dollars, Y: -s.L, Z: s.N * pE, L: s.L}
	}
	w := s.Demand.Share
	return Market{X: w * s.NBar * pE, Y: w*s.MBar - s.L, Z: s.N * pE, L: s.L}
}

// Move starts a period at ETH price pE. If no supply change satisfies the
// liquidation constraint (λ̃ = 1) the system fails as Infeasible. It
// returns the failure, Running if none.
func (s *System) Move(pE float64) Failure {
	if s.Cause != Running {
		return s.Cause
	}
	s.Period++
	s.PE = pE
	if _, _, ok := (Constraint{Beta: s.Beta, Lambda: 1}).Feasible(s.Market(pE)); !ok {
		s.fail(Infeasible)
	}
	return s.Cause
}

func (s *System) fail(c Failure) {
	s.Cause, s.FailedAt = c, s.Period
}

// Clear applies the speculator's supply change Δ at this period's ETH
// price and clears the market:
//
//	pD_t = x / (Δ − y),   L_t = L_{t−1} + Δ
//	n_t  = n_{t−1} + Δ·pD_t/pE_t,   n̄_t = n̄_{t−1} − Δ·pD_t/pE_t,   m̄_t = L_t
//
// (the speculator sells new coins for the holders' ETH, or buys coins back
// with ETH). It then applies the depeg failure rule. Δ must exceed y.
func (s *System) Clear(delta float64) error {
	if s.Cause != Running {
		return ErrFailed
	}
	m := s.Market(s.PE)
	if !(delta > m.Y) || math.IsInf(delta, 0) {
		return fmt.Errorf("spiral: supply change %g at or below y = %g", delta, m.Y)
	}
	prev := s.PD
	s.PD = m.Price(delta)
	eth := delta * s.PD / s.PE
	s.L += delta
	s.N += eth
	s.NBar -= eth
	s.MBar = s.L
	r := math.Log(s.PD / prev)
	s.rets++
	d := r - s.retMean
	s.retMean += d / float64(s.rets)
	s.retM += d * (r - s.retMean)
	if s.FailSteps > 0 && s.PD < s.FailPrice {
		if s.low++; s.low >= s.FailSteps {
			s.fail(Depegged)
		}
	} else {
		s.low = 0
	}
	return nil
}

// Volatility returns the population standard deviation of the
// stablecoin's per-period log returns so far (the setup's volatility
// measure), 0 before two returns.
func (s *System) Volatility() float64 {
	if s.rets < 2 {
		return 0
	}
	return math.Sqrt(s.retM / float64(s.rets))
}

// CollateralRatio returns n·pE/L, the collateral value per coin at the
// last ETH price.
func (s *System) CollateralRatio() float64 { return s.N * s.PE / s.L }

// Check verifies the model's identities: ETH only changes hands between
// the speculator and the holders (n + n̄ constant), the holders own the
// whole supply (m̄ = L), and while running the liquidation constraint
// n·pE ≥ β·L holds, to a relative 1e-9 for floating-point rounding.
func (s *System) Check() error {
	const tol = 1e-9
	if eth := s.N + s.NBar; math.Abs(eth-s.eth0) > tol*math.Max(1, math.Abs(s.eth0)) {
		return fmt.Errorf("spiral: ETH n + n̄ = %.12g, opened with %.12g", eth, s.eth0)
	}
	if s.MBar != s.L {
		return fmt.Errorf("spiral: holders own %.12g coins of a supply of %.12g", s.MBar, s.L)
	}
	if s.Cause == Running && s.Period > 0 && s.N*s.PE < s.Beta*s.L*(1-tol) {
		return fmt.Errorf("spiral: collateral %.12g $ below β·L = %.12g $ while running", s.N*s.PE, s.Beta*s.L)
	}
	return nil
}

// Speculator is the speculator's decision rule of the simulations: it
// estimates ETH's log return by exponential moving averages and caps its
// leverage by a risk constraint
//
//	λ̃ = exp(−α·(σ̂² + σ₀²)^b)
//
// where σ̂² is its variance estimate: b = ½ with α the normal quantile
// Φ⁻¹(1−a) is a value-at-risk constraint at level a assuming normal
// returns; α = √(1/(2a)) is the bound for the heaviest-tailed returns of
// finite variance (Chebyshev–Cantelli); b < 0 makes the constraint
// anticyclical (looser when volatility is high); α = 0 is the risk-neutral
// speculator, bound only by the protocol (λ̃ = 1). It maximises expected
// equity (Prop. 3.2) within the constraint; when that is infeasible it
// falls back to the liquidation constraint alone (recovery mode).
type Speculator struct {
	Alpha, B, Sigma0 float64
	// Memory is the EMA weight γ = δ of the newest observation.
	Memory float64
	// Fixed, if positive, is a constant r̂ used in place of the estimate
	// (as in Table 3.1).
	Fixed float64

	// Mean and Var are the EMA mean and variance of ETH's log returns;
	// r̂ = e^Mean.
	Mean, Var float64
	// Recovery and Binding describe the last decision: the risk
	// constraint was infeasible, or it bound (Δ* outside the set).
	Recovery, Binding bool
}

// Start sets the initial estimates: log-return mean mu0 and variance v0.
func (sp *Speculator) Start(mu0, v0 float64) {
	sp.Mean, sp.Var = mu0, v0
	sp.Recovery, sp.Binding = false, false
}

// Observe updates the estimates with one period's ETH log return r:
//
//	m ← (1−γ)m + γr,   v ← (1−γ)v + γ(r − m)²
//
// the variance update using the new mean, as in the authors' simulator
// (which has separate weights γ for the mean and δ for the variance, both
// 0.1 in the setup).
func (sp *Speculator) Observe(r float64) {
	g := sp.Memory
	sp.Mean = (1-g)*sp.Mean + g*r
	d := r - sp.Mean
	sp.Var = (1-g)*sp.Var + g*d*d
}

// RHat returns r̂, the expected gross ETH return over the next period.
func (sp *Speculator) RHat() float64 {
	if sp.Fixed > 0 {
		return sp.Fixed
	}
	return math.Exp(sp.Mean)
}

// Bound returns λ̃, the share of collateral value the speculator's own risk
// constraint counts.
func (sp *Speculator) Bound() float64 {
	if sp.Alpha == 0 {
		return 1
	}
	return math.Exp(-sp.Alpha * math.Pow(sp.Var+sp.Sigma0*sp.Sigma0, sp.B))
}

// Decide returns the supply change for market m under liquidation
// threshold beta, or ErrInfeasible when even the liquidation constraint
// cannot be met.
func (sp *Speculator) Decide(m Market, beta float64) (float64, error) {
	c := Constraint{Beta: beta, Lambda: math.Min(sp.Bound(), 1)}
	lo, hi, ok := c.Feasible(m)
	sp.Recovery = !ok
	if !ok {
		c.Lambda = 1
		if lo, hi, ok = c.Feasible(m); !ok {
			return 0, ErrInfeasible
		}
	}
	opt := m.Optimum(sp.RHat())
	sp.Binding = !(opt >= lo && opt <= hi)
	return math.Min(math.Max(opt, lo), hi), nil
}

// NormalQuantile returns Φ⁻¹(1−a), the VaR multiple α for level a under
// normal returns (1.2816 for a = 10%).
func NormalQuantile(a float64) float64 { return -math.Sqrt2 * math.Erfinv(2*a-1) }

// HeavyQuantile returns √(1/(2a)), the VaR multiple for the heaviest-tailed
// finite-variance returns at level a (2.236 for a = 10%).
func HeavyQuantile(a float64) float64 { return math.Sqrt(1 / (2 * a)) }
