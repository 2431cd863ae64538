// Package compound is a Compound v2 money market as a pure state machine:
// cToken markets that accrue interest per block through a jump-rate model,
// the Comptroller's liquidity check against collateral factors, and
// liquidations bounded by the close factor and paid with the liquidation
// incentive.
//
// # Version
//
// The semantics are those of compound-protocol at commit a3214f67 (the
// Solidity 0.8 contracts with custom errors): CToken with the 2.8% protocol
// seize share, the Comptroller with borrow caps, pause guardians and
// deprecated markets, and JumpRateModel (the interest rate model of the
// reference vectors; JumpRateModelV2's constructor is provided too, and the
// white-paper model is a JumpRateModel whose kink is never reached).
//
// # Arithmetic
//
// Everything is the contracts' unsigned integer arithmetic: Exp values are
// mantissas scaled by 1e18, every product of two mantissas and every
// division truncates (rounds down), and any overflow or underflow reverts.
// Rates are per block. Oracle prices are Compound's underlying prices: USD
// per whole token scaled by 1e(36−decimals), so that price·amount/1e18 is a
// USD value with 18 decimals (a 6-decimal token at 1 USD is 1e30, an
// 18-decimal token at 2000 USD is 2000e18).
//
// # Time
//
// There is no clock: every operation takes the block number and accrues the
// markets it touches up to that block, exactly as the contract would in that
// block. Block numbers must not decrease. Markets not touched keep their
// stored borrow index and exchange rate, and the Comptroller's liquidity
// check uses those stored values, as on chain.
//
// # What is left out
//
// COMP rewards, cToken transfers and approvals, admin fees and the admin
// roles themselves (configuration changes are plain method calls), the
// seize and transfer pause guardians, and fee-on-transfer tokens (every
// transfer moves exactly the amount asked). A user repays for itself, and a
// liquidator receives cTokens, as on chain.
package compound
