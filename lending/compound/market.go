package compound

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// Market is a Comptroller seen through lending.Market, with block numbers as
// the clock.
type Market struct{ *Comptroller }

var _ lending.Market = Market{}

// Supply mints cTokens for amount and enters the market, so that the supply
// counts as collateral, as a depositor using it as collateral would.
func (m Market) Supply(now uint64, asset, user int, amount *uint256.Int) error {
	if _, err := m.Mint(now, asset, user, amount); err != nil {
		return err
	}
	return m.EnterMarket(asset, user)
}

// Withdraw redeems amount of underlying (RedeemUnderlying), or all of the
// user's cTokens (Redeem) when amount is 2^256−1, and returns the
// underlying paid.
func (m Market) Withdraw(now uint64, asset, user int, amount *uint256.Int) (uint256.Int, error) {
	if amount.Eq(&maxU256) {
		tokens := m.Position(asset, user).Tokens
		return m.Redeem(now, asset, user, &tokens)
	}
	if _, err := m.RedeemUnderlying(now, asset, user, amount); err != nil {
		return uint256.Int{}, err
	}
	return *amount, nil
}

// Repay is RepayBorrow.
func (m Market) Repay(now uint64, asset, user int, amount *uint256.Int) (uint256.Int, error) {
	return m.RepayBorrow(now, asset, user, amount)
}

// Liquidate is LiquidateBorrow. Seized is the liquidator's cTokens valued
// at the collateral market's exchange rate after the seizure, rounded down,
// and ProtocolFee the underlying added to reserves.
func (m Market) Liquidate(now uint64, liquidator, borrower, debtAsset, collateralAsset int, amount *uint256.Int) (lending.Liquidation, error) {
	r, err := m.LiquidateBorrow(now, debtAsset, collateralAsset, liquidator, borrower, amount)
	if err != nil {
		return lending.Liquidation{}, err
	}
	var out lending.Liquidation
	var rate uint256.Int
	if err := m.markets[collateralAsset].exchangeRate(&rate); err != nil {
		return lending.Liquidation{}, err
	}
	if !mulExp(&out.Seized, &rate, &r.LiquidatorTokens) {
		return lending.Liquidation{}, errOverflow
	}
	out.Repaid, out.ProtocolFee = r.Repaid, r.ProtocolAmount
	return out, nil
}

// Account reports the collateral-factor-weighted collateral and the borrows
// of the liquidity check, from stored values (now is not used: Compound
// accrues only the markets an operation touches), and whether there is a
// shortfall.
func (m Market) Account(now uint64, user int) (lending.Account, error) {
	var a lending.Account
	code, err := m.sums(m.account(user), -1, &zero, &zero, &a.Collateral, &a.Debt)
	if err != nil {
		return lending.Account{}, err
	}
	if code != noError {
		return lending.Account{}, errPriceError
	}
	a.Liquidatable = a.Debt.Gt(&a.Collateral)
	return a, nil
}

// Clone returns a Market over a deep copy of the Comptroller.
func (m Market) Clone() lending.Market { return Market{m.Comptroller.Clone()} }
