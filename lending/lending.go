// Package lending defines what the rest of Cascade sees of an
// over-collateralised lending market: deposits that earn interest, loans
// against them, and liquidations when a loan's collateral no longer covers
// it.
//
// Each protocol lives in its own sub-package (aave for Aave v3, compound for
// Compound v2) as a pure state machine: no clock, no randomness, no I/O, and
// the protocol's own integer arithmetic and rounding. The world passes the
// protocol's clock into every call (a block timestamp for Aave, a block
// number for Compound) and sets oracle prices explicitly, so a market evolves
// only when it is driven.
//
// Amounts are raw token units (for an 18-decimal token, 1 token = 1e18 units)
// held in uint256.Int values, exactly as the contracts hold them. A call the
// contract would revert returns an error and leaves the market unchanged.
package lending

import (
	"errors"

	"github.com/holiman/uint256"
)

// Market is a lending market seen from outside. Assets are indices into the
// market's asset list, 0 to NumAssets()-1; users are non-negative integers
// chosen by the caller. now is the protocol's clock: the block timestamp in
// seconds for Aave, the block number for Compound. It must never decrease
// from one call to the next.
type Market interface {
	// NumAssets returns how many assets the market lists.
	NumAssets() int
	// SetPrice sets the oracle price of an asset, in the units of the
	// protocol's oracle (see the protocol package).
	SetPrice(asset int, price *uint256.Int) error
	// Supply deposits amount of asset from user's wallet.
	Supply(now uint64, asset, user int, amount *uint256.Int) error
	// Withdraw returns up to amount of asset to user's wallet and reports how
	// much was paid out; an amount of 2^256−1 withdraws the whole deposit.
	Withdraw(now uint64, asset, user int, amount *uint256.Int) (uint256.Int, error)
	// Borrow lends amount of asset to user against the user's collateral.
	Borrow(now uint64, asset, user int, amount *uint256.Int) error
	// Repay pays back up to amount of user's debt in asset from user's
	// wallet and reports how much was repaid; 2^256−1 repays all of it.
	Repay(now uint64, asset, user int, amount *uint256.Int) (uint256.Int, error)
	// Liquidate has liquidator repay up to amount of borrower's debt in
	// debtAsset in exchange for borrower's collateral in collateralAsset at
	// the protocol's discount.
	Liquidate(now uint64, liquidator, borrower, debtAsset, collateralAsset int, amount *uint256.Int) (Liquidation, error)
	// Account summarises user's position as the protocol's risk check sees it.
	Account(now uint64, user int) (Account, error)
	// Clone returns an independent deep copy, so a market built once from a
	// scenario can start every run from the same state.
	Clone() Market
}

// Liquidation is the outcome of a liquidation.
type Liquidation struct {
	// Repaid is the debt the liquidator paid, in units of the debt asset.
	Repaid uint256.Int
	// Seized is the collateral the liquidator received, in units of the
	// collateral asset's underlying token (for Compound, the seized cTokens
	// valued at the exchange rate, rounded down).
	Seized uint256.Int
	// ProtocolFee is the part of the seized collateral kept by the protocol,
	// in the same units as Seized.
	ProtocolFee uint256.Int
}

// Account is a position valued at oracle prices, in the base units of the
// protocol's oracle.
type Account struct {
	// Collateral is the collateral value weighted by each asset's liquidation
	// threshold (Aave) or collateral factor (Compound): the debt the position
	// may carry before it can be liquidated.
	Collateral uint256.Int
	// Debt is the value of the debt.
	Debt uint256.Int
	// Liquidatable reports whether the protocol would let the position be
	// liquidated now.
	Liquidatable bool
}

// Revert is an operation the contract would reject. Reason is the
// contract's revert string or custom error name where it has one.
type Revert struct{ Reason string }

// Error returns "reverted: " and the reason.
func (r *Revert) Error() string { return "reverted: " + r.Reason }

// IsRevert reports whether err is a contract revert.
func IsRevert(err error) bool {
	var r *Revert
	return errors.As(err, &r)
}
