package aave

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// Close factors and thresholds of LiquidationLogic (v3.0).
const (
	// DefaultLiquidationCloseFactor is the share of a debt one liquidation
	// may repay while the health factor is above CloseFactorHFThreshold.
	DefaultLiquidationCloseFactor = 5000
	// MaxLiquidationCloseFactor applies at or below the threshold.
	MaxLiquidationCloseFactor = 10000
	// CloseFactorHFThreshold is 0.95 as a wad.
	CloseFactorHFThreshold = 0.95e18
	// HealthFactorLiquidationThreshold is 1 as a wad: below it a position
	// can be liquidated.
	HealthFactorLiquidationThreshold = Wad
)

// LiquidationCall has liquidator repay up to debtToCover of user's variable
// debt in reserve debtAsset and take user's collateral in reserve
// collateralAsset at the liquidation bonus (LiquidationLogic, v3.0). Amounts:
//
//	maxDebt    = percentMul(debt, closeFactor)          50%, or 100% when HF ≤ 0.95
//	repay      = min(debtToCover, maxDebt)
//	base       = ⌊debtPrice·repay·10^collDecimals / (collPrice·10^debtDecimals)⌋
//	collateral = percentMul(base, bonus)
//
// When that exceeds the user's collateral balance, all of it is taken and
// repay becomes percentDiv(⌊collPrice·balance·10^debtDecimals /
// (debtPrice·10^collDecimals)⌋, bonus). The protocol fee is
// percentMul(collateral − percentDiv(collateral, bonus), fee), moved to the
// treasury as aTokens; the liquidator gets collateral − fee, as underlying or,
// with receiveAToken, as aTokens (switched on as collateral if it had none).
//
// It reverts when either reserve is paused, the health factor is at least 1,
// the collateral is not enabled as collateral or has no liquidation
// threshold, the user has no debt in debtAsset, the collateral price is
// zero, or the repayment rounds to zero scaled debt. The result reports the
// debt repaid, the collateral the liquidator received and the protocol fee.
func (p *Pool) LiquidationCall(now uint64, collateralAsset, debtAsset, user, liquidator int, debtToCover *uint256.Int, receiveAToken bool) (res lending.Liquidation, err error) {
	if !p.listed(collateralAsset) || !p.listed(debtAsset) {
		return res, errNotListed
	}
	ui, err := p.accountIndex(user)
	if err != nil {
		return res, err
	}
	li, err := p.accountIndex(liquidator)
	if err != nil {
		return res, err
	}
	ua, la := &p.accounts[ui], &p.accounts[li]
	cr, dr := &p.reserves[collateralAsset], &p.reserves[debtAsset]
	uc, ud, lc := &ua.pos[collateralAsset], &ua.pos[debtAsset], &la.pos[collateralAsset]
	// The reserves, and the positions, may be the same; restoring in reverse
	// order of saving puts back the originals either way.
	savedC, savedD := cr.st, dr.st
	savedUC, savedUD, savedLC := *uc, *ud, *lc
	defer func() {
		if err != nil {
			*lc, *ud, *uc = savedLC, savedUD, savedUC
			dr.st, cr.st = savedD, savedC
			res = lending.Liquidation{}
		}
	}()

	if err = dr.updateState(now); err != nil {
		return res, err
	}
	d, err := p.accountData(now, ua)
	if err != nil {
		return res, err
	}
	var index, userDebt, maxDebt uint256.Int
	if !ud.debt.IsZero() {
		if err = dr.normalizedDebt(&index, now); err != nil {
			return res, err
		}
		if err = rayMul(&userDebt, &ud.debt, &index); err != nil {
			return res, err
		}
	}
	closeFactor := uint64(MaxLiquidationCloseFactor)
	if d.HealthFactor.CmpUint64(CloseFactorHFThreshold) > 0 {
		closeFactor = DefaultLiquidationCloseFactor
	}
	if err = percentMul(&maxDebt, &userDebt, closeFactor); err != nil {
		return res, err
	}
	repay := *debtToCover
	if repay.Gt(&maxDebt) {
		repay = maxDebt
	}

	if cr.cfg.Paused || dr.cfg.Paused {
		return res, errPaused
	}
	if d.HealthFactor.CmpUint64(HealthFactorLiquidationThreshold) >= 0 {
		return res, errHFNotBelow
	}
	if cr.cfg.LiquidationThreshold == 0 || !uc.collateral {
		return res, errCannotLiquidate
	}
	if userDebt.IsZero() {
		return res, errNotBorrowed
	}

	var userCollateral uint256.Int
	if err = cr.normalizedIncome(&index, now); err != nil {
		return res, err
	}
	if err = rayMul(&userCollateral, &uc.supply, &index); err != nil {
		return res, err
	}
	seized, repaid, fee, err := availableCollateral(cr, dr, &repay, &userCollateral)
	if err != nil {
		return res, err
	}

	if userDebt.Eq(&repaid) {
		ud.borrowing = false
	}
	var all uint256.Int
	if _, o := all.AddOverflow(&seized, &fee); o {
		return res, errOverflow
	}
	if all.Eq(&userCollateral) {
		uc.collateral = false
	}

	// Burn the debt. Without stable debt, repaid above the variable debt
	// would burn stable debt the user does not have, which underflows.
	if userDebt.Lt(&repaid) {
		return res, errOverflow
	}
	if err = burnScaled(&ud.debt, &dr.st.ScaledVariableDebt, &repaid, &dr.st.VariableBorrowIndex); err != nil {
		return res, err
	}
	if err = dr.updateInterestRates(&repaid, &zero); err != nil {
		return res, err
	}

	if receiveAToken {
		var before uint256.Int
		if err = cr.normalizedIncome(&index, now); err != nil {
			return res, err
		}
		if err = rayMul(&before, &lc.supply, &index); err != nil {
			return res, err
		}
		if err = transferScaled(&uc.supply, &lc.supply, &seized, &index); err != nil {
			return res, err
		}
		if before.IsZero() && cr.cfg.LTV != 0 {
			lc.collateral = true
		}
	} else {
		if err = cr.updateState(now); err != nil {
			return res, err
		}
		if err = cr.updateInterestRates(&zero, &seized); err != nil {
			return res, err
		}
		if err = burnScaled(&uc.supply, &cr.st.ScaledSupply, &seized, &cr.st.LiquidityIndex); err != nil {
			return res, err
		}
		if _, o := cr.st.Cash.SubOverflow(&cr.st.Cash, &seized); o {
			return res, errOverflow
		}
	}

	if !fee.IsZero() {
		if err = cr.normalizedIncome(&index, now); err != nil {
			return res, err
		}
		var scaledFee uint256.Int
		if err = rayDiv(&scaledFee, &fee, &index); err != nil {
			return res, err
		}
		// As the contract does, cap the fee at the user's remaining
		// balance, which rounding can leave a unit short.
		if scaledFee.Gt(&uc.supply) {
			if err = rayMul(&fee, &uc.supply, &index); err != nil {
				return res, err
			}
		}
		if err = transferScaled(&uc.supply, &cr.st.TreasuryScaled, &fee, &index); err != nil {
			return res, err
		}
	}
	if _, o := dr.st.Cash.AddOverflow(&dr.st.Cash, &repaid); o {
		return res, errOverflow
	}
	res.Repaid, res.Seized, res.ProtocolFee = repaid, seized, fee
	return res, nil
}

// availableCollateral is _calculateAvailableCollateralToLiquidate: the
// collateral for the liquidator, the debt to repay and the protocol fee.
func availableCollateral(cr, dr *reserve, debtToCover, userCollateral *uint256.Int) (seized, repaid, fee uint256.Int, err error) {
	bonus := cr.cfg.LiquidationBonus
	var num, den, amount uint256.Int
	if !mulAll(&num, &dr.price, debtToCover, &cr.unit) || !mulAll(&den, &cr.price, &dr.unit, nil) {
		return seized, repaid, fee, errOverflow
	}
	if den.IsZero() {
		return seized, repaid, fee, errDivZero
	}
	num.Div(&num, &den)
	if err = percentMul(&amount, &num, bonus); err != nil {
		return
	}
	if amount.Gt(userCollateral) {
		amount = *userCollateral
		if !mulAll(&num, &cr.price, &amount, &dr.unit) || !mulAll(&den, &dr.price, &cr.unit, nil) {
			return seized, repaid, fee, errOverflow
		}
		if den.IsZero() {
			return seized, repaid, fee, errDivZero
		}
		num.Div(&num, &den)
		if err = percentDiv(&repaid, &num, bonus); err != nil {
			return
		}
	} else {
		repaid = *debtToCover
	}
	if pf := cr.cfg.LiquidationProtocolFee; pf != 0 {
		var bonusPart uint256.Int
		if err = percentDiv(&bonusPart, &amount, bonus); err != nil {
			return
		}
		if _, o := bonusPart.SubOverflow(&amount, &bonusPart); o {
			return seized, repaid, fee, errOverflow
		}
		if err = percentMul(&fee, &bonusPart, pf); err != nil {
			return
		}
		if _, o := amount.SubOverflow(&amount, &fee); o {
			return seized, repaid, fee, errOverflow
		}
	}
	return amount, repaid, fee, nil
}

// mulAll sets z = a·b·c (c may be nil) with checked multiplication.
func mulAll(z, a, b, c *uint256.Int) bool {
	if _, o := z.MulOverflow(a, b); o {
		return false
	}
	if c != nil {
		if _, o := z.MulOverflow(z, c); o {
			return false
		}
	}
	return true
}
