// Package aave is an Aave v3 lending pool as a pure state machine: reserves
// whose liquidity and variable-borrow indexes grow with time, scaled aToken
// and debt-token balances, the reserve factor accrued to the treasury,
// supply, withdraw, borrow, repay, collateral switches, health factors and
// liquidations.
//
// # Version
//
// The semantics are those of aave-v3-core v3.0.2 (the last release of that
// repository), which the reference vectors come from: the interest rate
// strategy still has its stable-rate part, a liquidation may repay 50% of a
// debt (100% once the health factor is below 0.95), and the liquidation
// protocol fee is a share of the bonus. The v3.1 changes (virtual accounting,
// per-reserve rate parameters in basis points, state sync on configuration
// changes) and the v3.3 liquidation changes (dust rules, full liquidation of
// small positions) are not modelled.
//
// # Arithmetic
//
// Everything is the contracts' integer arithmetic on uint256 values:
// WadRayMath and PercentageMath round half up; base-currency conversions
// (amount·price/10^decimals) and the interest formulas' divisions round
// down. Indexes and rates are rays (1e27 = 1.0), health factors wads
// (1e18 = 1.0), percentages basis points (10000 = 100%). Oracle prices are
// in the pool's base currency units per whole token; on Aave v3 mainnet the
// base currency is USD with 8 decimals, so 2000 USD is 2000e8.
//
// # Time
//
// There is no clock: every operation takes now, the block timestamp in
// seconds, and accrues interest up to it exactly as the contract would in a
// block with that timestamp. Timestamps must not decrease.
//
// # What is left out
//
// Stable-rate borrowing (disabled on every v3 market since 2023) is not
// offered, though RateStrategy computes stable rates exactly; so are eMode,
// isolation mode, siloed borrowing, flash loans, unbacked (portal) minting,
// the price oracle sentinel, credit delegation and permits. Every reserve is
// active. The treasury is not a user: its aTokens and the interest accrued to
// it are held in each Reserve. A user repays and withdraws for itself
// (msg.sender is the user), and a liquidation's collateral goes to the
// liquidator's wallet unless LiquidationCall is asked for aTokens.
package aave
