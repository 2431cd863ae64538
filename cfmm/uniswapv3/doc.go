// Package uniswapv3 is a Uniswap v3 pool (v3-core UniswapV3Pool and its
// libraries) as a pure state machine: concentrated liquidity in tick ranges,
// swaps that walk across initialized ticks, and fee growth accounted per unit
// of liquidity, with the contract's integer arithmetic and rounding.
//
// # Fixed point and units
//
// Prices are square roots in Q64.96: sqrtPriceX96 = sqrt(token1/token0)·2^96,
// a uint160. Tick t has price 1.0001^t, so sqrt price 1.0001^(t/2); ticks run
// from MinTick to MaxTick. Fee growth is in Q128.128 fees per unit of
// liquidity and, like the contract, wraps modulo 2^256. Liquidity is a
// uint128. Fees are in pips: hundredths of a basis point, 3000 = 0.3%.
// Amounts are raw token units.
//
// # Signed integers
//
// The contract's int256 amounts and int128 liquidity deltas are held as
// two's-complement uint256.Int values, the EVM's own encoding. The
// uint256.Int methods Sign, Neg, Abs, Slt and Sgt read them as signed; a
// negative amount x is built with new(uint256.Int).Neg(x). This keeps
// int256 arithmetic exact at its edges (type(int256).min and max) and makes
// the unchecked operations of Solidity 0.7 (which v3-core uses) wrap exactly
// as they do on chain; the checked ones (LowGasSafeMath, SafeCast) are
// checked here too.
//
// # Reverts
//
// An operation the contract would reject returns a *cfmm.Revert and leaves
// the pool unchanged. Reason is the contract's revert string ("T", "R",
// "SPL", "AS", "LOK", "AI", "TLU", "TLM", "TUM", "LO", "LS", "LA", "NP",
// "TF"). Where the contract's require has no string, Reason names the
// library or contract whose check failed: "FullMath" (zero denominator or a
// quotient beyond 256 bits), "SafeCast", "LowGasSafeMath", "SqrtPriceMath",
// "TickBitmap" (tick not a multiple of the spacing), "UniswapV3Pool"
// (zero mint amount, invalid protocol fee), or "division by zero".
//
// # Differences from the contract
//
// There is no oracle and no callback: a minter or swapper pays exactly what
// the pool asks, and the pool's token balances are tracked as state. Tokens
// are indexed 0 and 1, positions are keyed by an owner string and their tick
// range, and a position with no liquidity and nothing owed is forgotten
// (its fee-growth checkpoint affects nothing while its liquidity is zero).
package uniswapv3
