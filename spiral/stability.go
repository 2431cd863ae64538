package spiral

import "math"

// Closed forms of the companion model "While Stability Lasts" (ch. 2 of the
// dissertation), with holders' demand D, supply L_t, speculator collateral
// N̄_t [ETH] and ETH price X_t. The speculator is liquidated when
// N̄_{t−1}·X_t < β·L_{t−1}; liquidations repurchase coins at α times the
// market price (α ≥ 1 is the liquidation cost multiple).

// LiquidationPrice is b(L) = β·L / N̄, the highest ETH price at which the
// position breaches the liquidation threshold.
func LiquidationPrice(beta, l, nBar float64) float64 { return beta * l / nBar }

// Repurchase is the supply a liquidation must buy back to restore the
// threshold at ETH price X:
//
//	ℓ = (β·L − N̄·X) / (β − 1)        (= 3L − 2·N̄·X for β = 3/2)
func Repurchase(beta, l, nBar, x float64) float64 { return (beta*l - nBar*x) / (beta - 1) }

// ExhaustionPrice is c(L), the ETH price below which a liquidation (β = 3/2)
// consumes all the collateral:
//
//	c(L) = ( √(α²D² + 4αDL + L²) − αD + L ) / (2·N̄)
//
// the positive root u/N̄ of u·(2u − 2L) = α·D·(3L − 2u), u = N̄·X: the
// collateral value u pays for the repurchase ℓ = 3L − 2u at α times the
// price D/(L − ℓ).
func ExhaustionPrice(alpha, d, l, nBar float64) float64 {
	return (math.Sqrt(alpha*alpha*d*d+4*alpha*d*l+l*l) - alpha*d + l) / (2 * nBar)
}

// SufficientStability reports Assumption 2.8, a sufficient condition for
// the stability results of ch. 2: α·Z_t ≤ 46/27 with Z_t = D/L_t.
func SufficientStability(alpha, d, l float64) bool { return alpha*d/l <= 46.0/27 }
