// Package terra is the x/market module of Terra Classic (terra-money/
// classic-core): the on-chain swap between Luna and the Terra stablecoins
// whose mint/burn arbitrage held the peg and, in May 2022, drove the death
// spiral.
//
// A swap is priced at the oracle exchange rate and charged a spread. For
// Terra↔Luna the spread comes from two virtual constant-product pools of
// µSDR value, Terra pool B+δ and Luna pool B²/(B+δ): the more the market
// has been sold one way, the dearer the next swap in that direction, and
// never cheaper than MinStabilitySpread. δ decays towards zero each block
// (Replenish). Terra↔Terra swaps pay the Tobin tax instead. The offered
// coins are burnt and the asked coins minted, so supplies change with every
// swap: seigniorage.
//
// Arithmetic is the Cosmos SDK's sdk.Dec (18 decimals, banker's rounding;
// see Dec), so results equal the chain's to the last 10^-18. The package
// has no clock, no randomness and no I/O: the engine calls Replenish once
// per block and feeds oracle prices through SetExchangeRate.
package terra
