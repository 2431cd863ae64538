package aave

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// RateStrategy is Aave v3.0's DefaultReserveInterestRateStrategy: a variable
// borrow rate in two linear pieces of the borrow usage ratio with a kink at
// OptimalUsageRatio, a stable rate built the same way plus premiums, and a
// supply rate that passes the borrowers' interest, less the reserve factor,
// to suppliers. Every field is a ray (1e27 = 100% per year).
type RateStrategy struct {
	// OptimalUsageRatio is the borrow usage at the kink.
	OptimalUsageRatio uint256.Int
	// BaseVariableBorrowRate is the variable rate at zero usage.
	BaseVariableBorrowRate uint256.Int
	// VariableRateSlope1 is the variable rate's rise from zero usage to the
	// kink; VariableRateSlope2 its further rise from the kink to 100%.
	VariableRateSlope1 uint256.Int
	VariableRateSlope2 uint256.Int
	// StableRateSlope1 and StableRateSlope2 are the stable rate's rises
	// below and above the kink.
	StableRateSlope1 uint256.Int
	StableRateSlope2 uint256.Int
	// BaseStableRateOffset is the stable rate's premium over
	// VariableRateSlope1 at zero usage.
	BaseStableRateOffset uint256.Int
	// StableRateExcessOffset is the premium added, in proportion, as the
	// stable share of debt rises from OptimalStableToTotalDebtRatio to 100%.
	StableRateExcessOffset        uint256.Int
	OptimalStableToTotalDebtRatio uint256.Int
}

// Validate checks what the strategy's constructor requires: both optimal
// ratios at most 1e27.
func (s *RateStrategy) Validate() error {
	if s.OptimalUsageRatio.Gt(&ray) {
		return &lending.Revert{Reason: "INVALID_OPTIMAL_USAGE_RATIO"}
	}
	if s.OptimalStableToTotalDebtRatio.Gt(&ray) {
		return &lending.Revert{Reason: "INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO"}
	}
	return nil
}

// BaseStableBorrowRate returns VariableRateSlope1 + BaseStableRateOffset,
// the stable rate at zero usage.
func (s *RateStrategy) BaseStableBorrowRate() (uint256.Int, error) {
	var z uint256.Int
	if _, o := z.AddOverflow(&s.VariableRateSlope1, &s.BaseStableRateOffset); o {
		return uint256.Int{}, errOverflow
	}
	return z, nil
}

// RateInputs is the state of a reserve that its interest rates depend on
// (DataTypes.CalculateInterestRatesParams). Amounts are raw units of the
// reserve's token; AverageStableBorrowRate is a ray.
type RateInputs struct {
	// Unbacked is aTokens minted without backing (Aave portals).
	Unbacked uint256.Int
	// Cash is the underlying held by the aToken before the operation.
	Cash uint256.Int
	// LiquidityAdded and LiquidityTaken are the operation's effect on Cash.
	LiquidityAdded uint256.Int
	LiquidityTaken uint256.Int

	TotalStableDebt         uint256.Int
	TotalVariableDebt       uint256.Int
	AverageStableBorrowRate uint256.Int
	// ReserveFactor is the share of interest kept by the treasury, in basis
	// points.
	ReserveFactor uint64
}

// Rates are annual rates in ray.
type Rates struct {
	// Liquidity is the rate suppliers earn.
	Liquidity uint256.Int
	// StableBorrow is the rate a new stable-rate loan would pay.
	StableBorrow uint256.Int
	// VariableBorrow is the rate variable-rate debt pays.
	VariableBorrow uint256.Int
}

// CalculateInterestRates returns the reserve's rates after an operation
// (calculateInterestRates). With D = stable + variable debt,
// L = Cash + LiquidityAdded − LiquidityTaken, U = rayDiv(D, L+D) the borrow
// usage and U* the optimal usage:
//
//	variable = base + rayDiv(rayMul(slope1, U), U*)                      U ≤ U*
//	variable = base + slope1 + rayMul(slope2, rayDiv(U−U*, 1e27−U*))     U > U*
//
// the stable rate likewise from slope1 + offset with the stable slopes, plus
// rayMul(excessOffset, rayDiv(S−S*, 1e27−S*)) when the stable share
// S = rayDiv(stable, D) exceeds its optimum S*; and
//
//	liquidity = percentMul(rayMul(overall, rayDiv(D, L+D+Unbacked)), 10000−ReserveFactor)
//
// where overall is the debt-weighted mean of the variable rate and the
// average stable rate. Every step rounds half up. It reverts on underflow of
// L, on ReserveFactor above 10000, and on overflow.
func (s *RateStrategy) CalculateInterestRates(in *RateInputs) (Rates, error) {
	var out Rates
	var totalDebt, borrowUsage, supplyUsage, stableRatio uint256.Int
	if _, o := totalDebt.AddOverflow(&in.TotalStableDebt, &in.TotalVariableDebt); o {
		return Rates{}, errOverflow
	}
	variable := s.BaseVariableBorrowRate
	stable, err := s.BaseStableBorrowRate()
	if err != nil {
		return Rates{}, err
	}

	if !totalDebt.IsZero() {
		if err := rayDiv(&stableRatio, &in.TotalStableDebt, &totalDebt); err != nil {
			return Rates{}, err
		}
		var avail uint256.Int
		if _, o := avail.AddOverflow(&in.Cash, &in.LiquidityAdded); o {
			return Rates{}, errOverflow
		}
		if _, o := avail.SubOverflow(&avail, &in.LiquidityTaken); o {
			return Rates{}, errOverflow
		}
		if _, o := avail.AddOverflow(&avail, &totalDebt); o {
			return Rates{}, errOverflow
		}
		if err := rayDiv(&borrowUsage, &totalDebt, &avail); err != nil {
			return Rates{}, err
		}
		if _, o := avail.AddOverflow(&avail, &in.Unbacked); o {
			return Rates{}, errOverflow
		}
		if err := rayDiv(&supplyUsage, &totalDebt, &avail); err != nil {
			return Rates{}, err
		}
	}

	var t uint256.Int
	if borrowUsage.Gt(&s.OptimalUsageRatio) {
		var excess, maxExcess uint256.Int
		excess.Sub(&borrowUsage, &s.OptimalUsageRatio)
		maxExcess.Sub(&ray, &s.OptimalUsageRatio)
		if err := rayDiv(&excess, &excess, &maxExcess); err != nil {
			return Rates{}, err
		}
		if err := rayMul(&t, &s.StableRateSlope2, &excess); err != nil {
			return Rates{}, err
		}
		if !addAll(&stable, &s.StableRateSlope1, &t) {
			return Rates{}, errOverflow
		}
		if err := rayMul(&t, &s.VariableRateSlope2, &excess); err != nil {
			return Rates{}, err
		}
		if !addAll(&variable, &s.VariableRateSlope1, &t) {
			return Rates{}, errOverflow
		}
	} else {
		if err := slopeBelowOptimal(&t, &s.StableRateSlope1, &borrowUsage, &s.OptimalUsageRatio); err != nil {
			return Rates{}, err
		}
		if _, o := stable.AddOverflow(&stable, &t); o {
			return Rates{}, errOverflow
		}
		if err := slopeBelowOptimal(&t, &s.VariableRateSlope1, &borrowUsage, &s.OptimalUsageRatio); err != nil {
			return Rates{}, err
		}
		if _, o := variable.AddOverflow(&variable, &t); o {
			return Rates{}, errOverflow
		}
	}

	if stableRatio.Gt(&s.OptimalStableToTotalDebtRatio) {
		var excess, maxExcess uint256.Int
		excess.Sub(&stableRatio, &s.OptimalStableToTotalDebtRatio)
		maxExcess.Sub(&ray, &s.OptimalStableToTotalDebtRatio)
		if err := rayDiv(&excess, &excess, &maxExcess); err != nil {
			return Rates{}, err
		}
		if err := rayMul(&t, &s.StableRateExcessOffset, &excess); err != nil {
			return Rates{}, err
		}
		if _, o := stable.AddOverflow(&stable, &t); o {
			return Rates{}, errOverflow
		}
	}

	if err := overallBorrowRate(&t, &in.TotalStableDebt, &in.TotalVariableDebt, &variable, &in.AverageStableBorrowRate); err != nil {
		return Rates{}, err
	}
	if err := rayMul(&t, &t, &supplyUsage); err != nil {
		return Rates{}, err
	}
	if in.ReserveFactor > PercentageFactor {
		return Rates{}, errOverflow
	}
	if err := percentMul(&out.Liquidity, &t, PercentageFactor-in.ReserveFactor); err != nil {
		return Rates{}, err
	}
	out.StableBorrow = stable
	out.VariableBorrow = variable
	return out, nil
}

// slopeBelowOptimal sets z = rayDiv(rayMul(slope, usage), optimal).
func slopeBelowOptimal(z, slope, usage, optimal *uint256.Int) error {
	if err := rayMul(z, slope, usage); err != nil {
		return err
	}
	return rayDiv(z, z, optimal)
}

// addAll sets z += a + b, evaluated as Solidity's z += a + b, and reports
// false on overflow.
func addAll(z, a, b *uint256.Int) bool {
	var s uint256.Int
	if _, o := s.AddOverflow(a, b); o {
		return false
	}
	_, o := z.AddOverflow(z, &s)
	return !o
}

// overallBorrowRate sets z to the debt-weighted mean borrow rate
// (_getOverallBorrowRate):
//
//	rayDiv(rayMul(wadToRay(variableDebt), variableRate) + rayMul(wadToRay(stableDebt), stableRate), wadToRay(stableDebt+variableDebt))
//
// and to zero when there is no debt.
func overallBorrowRate(z, stableDebt, variableDebt, variableRate, avgStableRate *uint256.Int) error {
	var total uint256.Int
	if _, o := total.AddOverflow(stableDebt, variableDebt); o {
		return errOverflow
	}
	if total.IsZero() {
		z.Clear()
		return nil
	}
	var wv, ws, tr uint256.Int
	if _, o := wv.MulOverflow(variableDebt, &wadRay); o {
		return errWadRayMath
	}
	if err := rayMul(&wv, &wv, variableRate); err != nil {
		return err
	}
	if _, o := ws.MulOverflow(stableDebt, &wadRay); o {
		return errWadRayMath
	}
	if err := rayMul(&ws, &ws, avgStableRate); err != nil {
		return err
	}
	if _, o := wv.AddOverflow(&wv, &ws); o {
		return errOverflow
	}
	if _, o := tr.MulOverflow(&total, &wadRay); o {
		return errWadRayMath
	}
	return rayDiv(z, &wv, &tr)
}
