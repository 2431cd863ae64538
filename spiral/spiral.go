// Package spiral is the deleveraging-spiral model of non-custodial
// stablecoins by Klages-Mundt and Minca ("(In)Stability for the
// Blockchain: Deleveraging Spirals and Stablecoin Attacks", 2019–2021, and
// ch. 2–3 of Klages-Mundt's dissertation, Cornell 2023).
//
// A speculator holds n ETH as collateral against a stablecoin supply L. Each
// period the ETH price pE moves and the speculator changes the supply by Δ:
// issuing (Δ > 0) and selling the new coins for ETH, or buying coins back
// (Δ < 0) with ETH to retire them. The stablecoin price pD clears the market
// against the holders' demand. The speculator maximises expected equity
// under a leverage constraint; when the constraint binds after an ETH fall,
// retiring coins raises their price, which forces more ETH to be sold: the
// deleveraging spiral.
//
// This is a model, not a protocol: it is continuous, in float64. The
// notation follows the paper:
//
//	pE_t     ETH price at t [$]
//	n_t      speculator's ETH collateral [ETH]
//	L_t      stablecoin supply [coins]
//	pD_t     stablecoin price [$ per coin]
//	β        collateralization (liquidation) threshold, 1.5 for Dai
//	λ̃        fraction of collateral value the speculator's own risk
//	         constraint counts (λ̃ = 1: only the protocol's liquidation
//	         constraint)
//	r̂        speculator's expected gross ETH return over the next period
//	w^D      stablecoin holders' target share of wealth in stablecoins
//	n̄, m̄     holders' ETH and stablecoins
//
// Per-step quantities (after pE_t is revealed):
//
//	x = w^D·n̄_{t−1}·pE_t        new $ demand for stablecoins (> 0)
//	y = w^D·m̄_{t−1} − L_{t−1}   ≤ 0; −y is the free supply
//	z = n_{t−1}·pE_t            value of the speculator's collateral
//
// The package has no clock, no randomness and no I/O; ETH prices and
// expectations are inputs.
package spiral

import (
	"errors"
	"math"
)

// ErrInfeasible reports that no supply change satisfies the leverage
// constraint (Prop. 3.3): the speculator cannot deleverage enough at any
// price, the model's failure event.
var ErrInfeasible = errors.New("spiral: leverage constraint infeasible")

// Market is the state of the stablecoin market seen by the speculator at
// time t, in the paper's notation.
type Market struct {
	X float64 // x = w^D·n̄_{t−1}·pE_t, new $ demand
	Y float64 // y = w^D·m̄_{t−1} − L_{t−1} ≤ 0
	Z float64 // z = n_{t−1}·pE_t, collateral value [$]
	L float64 // L_{t−1}, supply before the step [coins]
}

// Price is the market-clearing stablecoin price after a supply change Δ:
//
//	pD(Δ) = x / (Δ − y),   defined for Δ > y
//
// It falls as the supply grows and explodes as Δ approaches y, when the
// speculator tries to retire the whole free supply.
func (m Market) Price(delta float64) float64 { return m.X / (delta - m.Y) }

// Constraint is the speculator's leverage constraint:
//
//	λ̃·(z + Δ·pD(Δ)) ≥ β·(L + Δ)
//
// collateral after the trade (ETH bought or sold at pD·Δ), discounted by λ̃,
// must cover β times the new supply.
type Constraint struct {
	Beta   float64 // β > 1
	Lambda float64 // λ̃ ∈ (0, 1]
}

// Feasible returns the supply changes that satisfy c (Prop. 3.1). Multiplying
// the constraint by Δ − y > 0 gives the concave quadratic
//
//	q(Δ) = −β·Δ² + Δ·(λ̃(z+x) − β(L−y)) − λ̃·z·y + β·L·y ≥ 0
//
// so the feasible set is [Δmin, Δmax] ∩ (y, ∞) between its roots. ok is
// false when it is empty: the discriminant is negative, i.e.
//
//	(λ̃(x+z) − β(L+y))² < −4·β·λ̃·x·y          (Prop. 3.3)
//
// or both roots lie at or below y. lo is max(Δmin, y); when it is y the set
// is open there, since pD(Δ) → ∞ as Δ → y.
func (c Constraint) Feasible(m Market) (lo, hi float64, ok bool) {
	a := -c.Beta
	b := c.Lambda*(m.Z+m.X) - c.Beta*(m.L-m.Y)
	k := -c.Lambda*m.Z*m.Y + c.Beta*m.L*m.Y
	disc := b*b - 4*a*k
	if disc < 0 || c.Beta <= 0 || c.Lambda <= 0 {
		return 0, 0, false
	}
	// Roots without cancellation: q = −(b + sign(b)·√disc)/2, roots q/a and k/q.
	s := math.Sqrt(disc)
	q := -0.5 * (b + math.Copysign(s, b))
	r1, r2 := q/a, otherRoot(k, q)
	if r1 > r2 {
		r1, r2 = r2, r1
	}
	if r2 <= m.Y {
		return 0, 0, false
	}
	return math.Max(r1, m.Y), r2, true
}

// otherRoot returns k/q, the second root of the quadratic; q = 0 happens
// only when b = k = 0, a double root at 0.
func otherRoot(k, q float64) float64 {
	if q == 0 {
		return 0
	}
	return k / q
}

// InfeasibleProp33 reports the closed-form infeasibility condition of
// Prop. 3.3 in terms of the step quantities:
//
//	(λ̃(x+z) − β(L+y))² < −4·β·λ̃·x·y
//
// which is the discriminant of Feasible's quadratic being negative. (With
// holders owning the whole supply, m̄ = L, this reads
// (λ̃(x+z) − β·w^D·L)² < 4·β·λ̃·x·(1−w^D)·L.)
func (c Constraint) InfeasibleProp33(m Market) bool {
	d := c.Lambda*(m.X+m.Z) - c.Beta*(m.L+m.Y)
	return d*d < -4*c.Beta*c.Lambda*m.X*m.Y
}

// Optimum is the speculator's unconstrained choice (Prop. 3.2). It
// maximises the expected next-period equity r̂·(z + Δ·pD(Δ)) − (L + Δ), whose
// first-order condition (Δ − y)² = −y·r̂·x gives
//
//	Δ* = y + √(−y·r̂·x)
func (m Market) Optimum(rHat float64) float64 { return m.Y + math.Sqrt(-m.Y*rHat*m.X) }

// MaxReduction is the largest supply reduction the speculator can make at
// time t (Prop. 3.4): selling all collateral, z + Δ·pD(Δ) = 0, gives
//
//	Δ⁻ = z·y / (z + x)
//
// which is never below y: even with outside capital the speculator cannot
// retire more than the free supply.
func (m Market) MaxReduction() float64 { return m.Z * m.Y / (m.Z + m.X) }

// Decide returns the speculator's supply change: the unconstrained optimum
// Δ* clipped to the feasible set [Δmin, Δmax] (Props. 3.1–3.2), or
// ErrInfeasible.
func (c Constraint) Decide(m Market, rHat float64) (float64, error) {
	lo, hi, ok := c.Feasible(m)
	if !ok {
		return 0, ErrInfeasible
	}
	d := m.Optimum(rHat)
	return math.Min(math.Max(d, lo), hi), nil
}
