// Package synth models staking derivatives as loans against stake: a loan
// book in which holders lock bonded stake (shares of a delegation in a
// pos.Chain) as collateral and borrow one synthetic token, with interest,
// default, foreclosure and the protocol's policy, as a pure, deterministic
// state machine with no clock, no randomness and no I/O. Operations through
// which time passes (Accrue, Borrow, Repay, Foreclose, Step) take the epoch
// as an argument, never earlier than the book's; transfers of synthetic do
// not depend on time. An operation that fails returns an error and leaves
// the book (and the stake ledger) unchanged; Step is the one exception,
// documented there.
//
// # Units and rounding
//
// Synthetic amounts are uint256 in the synthetic's smallest unit, the same
// unit as the native token's (so a price of one native per synthetic is
// RayOne). Ratios, prices and rates are rays (1e27 = 1). Debt is kept in
// rads (synthetic unit × 1e27), as Maker's Vat keeps it, so interest
// accrual is exact: a loan holds normalised debt art and owes art·index
// rads; the book's debt is Σ art·index = totalArt·index exactly. Whatever
// rounding happens is in the protocol's favour (at most one unit of the
// synthetic per operation, since art has the synthetic's precision) and is
// credited to the protocol's holdings, so no unit is created or lost:
//
//   - Borrow(x): art = ⌈x·RAY/index⌉; the borrower receives x, the
//     protocol art·index − x·RAY rads.
//   - Repay(y): art falls by ⌊y·RAY/index⌋ (the whole art when y covers
//     the debt, whose token amount is ⌈art·index/RAY⌉); the protocol keeps
//     y·RAY minus the debt removed.
//   - Accrue(k epochs): index' = ⌊index·rpow(RAY + rate/EpochsPerYear, k)/RAY⌋,
//     where rate is the yearly rate in force (rounded down per epoch) and
//     rpow is Maker's exponentiation by squaring rounding each product half
//     up. The interest totalArt·(index' − index) rads is minted to the
//     protocol's holdings (as Maker's fold mints fees to the Vow).
//     Accruing k epochs at once may differ from k single-epoch accruals in
//     the last digits of the index.
//
// # Collateral and default
//
// A loan locks shares of the holder's delegation to a validator (pos.Chain
// Lock). Its collateral value is the shares' token value (pos SharesValue,
// rounded down) times a price passed in by the caller, in synthetic per
// native (ray; RayOne values collateral 1:1 in native units). A loan may be
// opened while debt·CollateralRatio ≤ value·RAY, i.e. debt ≤
// value/CollateralRatio. It is in default when
// value·RAY < debt·LiquidationRatio; the comparison is exact (512-bit
// intermediate). Slashing the validator lowers the shares' value and can
// push loans into default.
//
// # Foreclosure
//
// Foreclosing a loan deletes its debt (art·index rads move from debt to the
// protocol's deficit: the synthetic the borrower holds is now unbacked),
// seizes all its locked shares and disposes of them as Params.Disposition
// says: burned, redistributed to all staking pools pro rata to their
// tokens, or moved to the treasury account (see pos.Disposition).
//
// # The pooled liability
//
// Every loan owes the same synthetic. The book tracks, in rads and exactly:
//
//	supply   = minted − burned
//	supply   = circulating·RAY + holdings
//	supply   = debt + deficit
//
// where circulating is the synthetic held by accounts (Σ balances, in
// tokens), holdings the synthetic the protocol holds (interest, rounding,
// bought-back synthetic), debt the outstanding loans and deficit the debt
// deleted by foreclosures and not yet covered. With no foreclosures the
// deficit is zero and supply = outstanding debt; BuyBack moves synthetic
// from an account to the protocol's holdings and Heal burns holdings
// against the deficit. Check verifies all of these.
//
// # Rates and policy
//
// The yearly borrow rate is RateCurve.At(utilization) + premium, where
// utilization = debt / bonded stake (ray: outstanding synthetic per bonded
// native token, from Stake.Bonded) and the premium is set by the policy.
// The rate is recomputed after every operation that changes the book and
// applies until the next one (bonded stake changed by the pos chain alone
// is seen at the book's next operation).
//
// Step observes the signals — the default rate (debt foreclosed in the last
// DefaultWindow epochs ÷ (that + outstanding debt)), a pool discount of the
// synthetic passed in by the caller, and utilization — and asks the Policy
// for an Action: halt new loans, add a rate premium, recall loans (each
// open loan must be repaid within RecallWindow epochs or is foreclosed).
// Enshrined implements the network-as-lender design with thresholds;
// ExternalHub, a contract outside consensus, has none of these powers and
// always returns the zero Action. Both foreclose loans in default.
package synth
