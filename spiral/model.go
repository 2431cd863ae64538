package spiral

import (
	"errors"
	"math"
)

// ConstantDemand is the model's special case in which holders demand a
// constant D dollars of stablecoins (unit-elastic demand): x = D and
// y = −L_{t−1}, so
//
//	pD_t = D / L_t,   Δ* = −L + √(L·D·r̂)
//
// This is the setting of Table 3.1 and Theorem 3.1.
type ConstantDemand struct {
	Constraint
	D    float64 // $ demand for stablecoins
	RHat float64 // r̂, speculator's expected gross ETH return per period
}

// State is the system at the end of a period.
type State struct {
	L  float64 // L_t, stablecoin supply [coins]
	N  float64 // n_t, speculator's collateral [ETH]
	PD float64 // pD_t = D/L_t, stablecoin price [$]
}

// Initial returns the state with supply L0 and collateral n0, priced at
// pD = D/L0.
func (c ConstantDemand) Initial(l0, n0 float64) State { return State{L: l0, N: n0, PD: c.D / l0} }

// Market returns the speculator's step quantities when the ETH price moves
// to pE: x = D, y = −L_{t−1}, z = n_{t−1}·pE.
func (c ConstantDemand) Market(s State, pE float64) Market {
	return Market{X: c.D, Y: -s.L, Z: s.N * pE, L: s.L}
}

// Step advances one period at ETH price pE: the speculator picks Δ (Decide),
// then
//
//	L_t  = L_{t−1} + Δ
//	pD_t = D / L_t
//	n_t  = n_{t−1} + Δ·pD_t / pE     (coins sold for ETH, or bought with it)
//
// It returns the new state and Δ, or ErrInfeasible with s unchanged.
func (c ConstantDemand) Step(s State, pE float64) (State, float64, error) {
	if !(pE > 0) {
		return s, 0, errors.New("spiral: ETH price must be positive")
	}
	m := c.Market(s, pE)
	d, err := c.Decide(m, c.RHat)
	if err != nil {
		return s, 0, err
	}
	l := s.L + d
	pd := m.Price(d)
	return State{L: l, N: s.N + d*pd/pE, PD: pd}, d, nil
}

// Simulate runs Step along the ETH price path pE, appending each period's
// state to dst (and Δ to deltas, if non-nil). It stops at the first
// infeasible period and returns ErrInfeasible with the states so far.
func (c ConstantDemand) Simulate(s State, pE []float64, dst []State, deltas []float64) ([]State, []float64, error) {
	for _, p := range pE {
		next, d, err := c.Step(s, p)
		if err != nil {
			return dst, deltas, err
		}
		s = next
		dst = append(dst, s)
		if deltas != nil {
			deltas = append(deltas, d)
		}
	}
	return dst, deltas, nil
}

// SupplyPath is Theorem 3.1's closed form: with constant demand, L_0 = D and
// the leverage constraint never binding,
//
//	L_t = D · r̂^((2^t − 1)/2^t)
//
// so the supply converges exponentially fast to D·r̂ and the price D/L_t to
// 1/r̂ (below 1 when the speculator expects ETH to rise, r̂ > 1).
func SupplyPath(d, rHat float64, t int) float64 {
	if t <= 0 {
		return d
	}
	e := 1.0
	if t < 1075 { // beyond that 2^-t underflows and the exponent is exactly 1
		e = -math.Expm1(-float64(t) * math.Ln2) // 1 − 2^−t without cancellation
	}
	return d * math.Pow(rHat, e)
}

// PriceRatio is Prop. 3.5: with constant demand and the constraint
// inactive, the price moves by
//
//	pD_t / pD_{t−1} = √(L_{t−1} / (D·r̂))
func PriceRatio(lPrev, d, rHat float64) float64 { return math.Sqrt(lPrev / (d * rHat)) }
