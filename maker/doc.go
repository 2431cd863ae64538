// Package maker is the liquidation machinery of the Maker protocol (DAI) as
// a pure state machine: vaults and stability fees (Vat, Jug, Spotter),
// liquidations (Dog) and Dutch auctions (Clipper, with the abaci price
// curves), following makerdao/dss "Liquidations 2.0".
//
// Amounts use the contracts' fixed-point units and unsigned 256-bit
// integers: collateral and normalised debt in wads (10^18), prices, rates
// and ratios in rays (10^27), DAI balances and debts in rads (10^45). Every
// multiplication and division rounds as the contracts do: rmul, wmul and
// rdiv round down, and Rpow rounds each intermediate product half up. Tests
// check every result against the dss test suite to the last unit.
//
// A vault (Urn) holds Ink collateral and Art normalised debt; its debt is
// Art·rate and it is unsafe when Ink·spot < Art·rate, where spot is the
// feed price divided by the liquidation ratio. Bark moves (part of) an
// unsafe vault into an auction with tab = debt·chop; the auction starts at
// top = feed·buf and its price falls along a Calc. Take buys collateral at
// the current price; Redo restarts an auction that ran past tail or fell
// below cusp·top.
//
// The package has no clock, no randomness and no I/O: every operation takes
// the block time as an argument, and an operation the contracts would
// revert returns a *Revert without changing the System.
package maker
