package aave

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// Market is a Pool seen through lending.Market.
type Market struct{ *Pool }

var _ lending.Market = Market{}

// Liquidate is LiquidationCall with the collateral paid to the liquidator's
// wallet as underlying.
func (m Market) Liquidate(now uint64, liquidator, borrower, debtAsset, collateralAsset int, amount *uint256.Int) (lending.Liquidation, error) {
	return m.LiquidationCall(now, collateralAsset, debtAsset, borrower, liquidator, amount, false)
}

// Account reports the collateral weighted by liquidation thresholds,
// percentMul(TotalCollateralBase, LiquidationThreshold), the debt, and
// whether the health factor is below 1.
func (m Market) Account(now uint64, user int) (lending.Account, error) {
	d, err := m.accountData(now, m.account(user))
	if err != nil {
		return lending.Account{}, err
	}
	var a lending.Account
	if err := percentMul(&a.Collateral, &d.TotalCollateralBase, d.LiquidationThreshold); err != nil {
		return lending.Account{}, err
	}
	a.Debt = d.TotalDebtBase
	a.Liquidatable = d.HealthFactor.CmpUint64(HealthFactorLiquidationThreshold) < 0
	return a, nil
}

// Clone returns a Market over a deep copy of the pool.
func (m Market) Clone() lending.Market { return Market{m.Pool.Clone()} }
