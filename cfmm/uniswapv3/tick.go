package uniswapv3

import "github.com/holiman/uint256"

// Tick is the state of an initialized tick (Tick.Info without the oracle
// fields).
type Tick struct {
	// LiquidityGross is the total liquidity of the positions with this tick
	// as a bound (uint128); the tick is initialized while it is non-zero.
	LiquidityGross uint256.Int
	// LiquidityNet is the liquidity added to the active liquidity when the
	// price crosses the tick upwards, and removed when it crosses downwards
	// (an int128, two's complement).
	LiquidityNet uint256.Int
	// FeeGrowthOutside0X128 and FeeGrowthOutside1X128 are the fee growth per
	// unit of liquidity (Q128.128, wrapping) on the side of the tick away from
	// the current price, relative to the moment the tick was initialized.
	FeeGrowthOutside0X128 uint256.Int
	FeeGrowthOutside1X128 uint256.Int
	// Initialized is whether the tick is referenced by any position.
	Initialized bool
}

// MaxLiquidityPerTick returns the most gross liquidity a tick may reference
// for a tick spacing: (2^128−1) divided by the number of usable ticks, so
// that the liquidity active at any price fits in a uint128
// (Tick.tickSpacingToMaxLiquidityPerTick). It returns zero for a spacing
// that is not positive.
func MaxLiquidityPerTick(tickSpacing int32) uint256.Int {
	if tickSpacing <= 0 {
		return uint256.Int{}
	}
	n := uint64((MaxUsableTick(tickSpacing)-MinUsableTick(tickSpacing))/tickSpacing) + 1
	var z uint256.Int
	z.Div(&maxUint128, uint256.NewInt(n))
	return z
}

// MinUsableTick returns the lowest tick that is a multiple of tickSpacing:
// ceil(MinTick/tickSpacing)·tickSpacing. A spacing that is not positive
// yields MinTick.
func MinUsableTick(tickSpacing int32) int32 {
	if tickSpacing <= 0 {
		return MinTick
	}
	return MinTick / tickSpacing * tickSpacing // truncation rounds towards zero
}

// MaxUsableTick returns the highest tick that is a multiple of tickSpacing:
// floor(MaxTick/tickSpacing)·tickSpacing. A spacing that is not positive
// yields MaxTick.
func MaxUsableTick(tickSpacing int32) int32 {
	if tickSpacing <= 0 {
		return MaxTick
	}
	return MaxTick / tickSpacing * tickSpacing
}

// updateTick returns info after liquidityDelta (an int128) is added to a
// position bounded by tick (Tick.update), and whether the tick flipped
// between initialized and uninitialized. Fee growth before a tick is
// initialized is by convention taken to have happened below it.
func updateTick(info Tick, tick, tickCurrent int32, liquidityDelta, feeGrowthGlobal0X128, feeGrowthGlobal1X128 *uint256.Int, upper bool, maxLiquidity *uint256.Int) (Tick, bool, error) {
	grossAfter, err := AddDelta(&info.LiquidityGross, liquidityDelta)
	if err != nil {
		return info, false, err
	}
	if grossAfter.Gt(maxLiquidity) {
		return info, false, errLO
	}
	flipped := grossAfter.IsZero() != info.LiquidityGross.IsZero()
	if info.LiquidityGross.IsZero() {
		if tick <= tickCurrent {
			info.FeeGrowthOutside0X128 = *feeGrowthGlobal0X128
			info.FeeGrowthOutside1X128 = *feeGrowthGlobal1X128
		}
		info.Initialized = true
	}
	info.LiquidityGross = grossAfter
	// Crossing a lower (upper) bound upwards adds (removes) the liquidity.
	var ok bool
	if upper {
		ok = subSigned(&info.LiquidityNet, &info.LiquidityNet, liquidityDelta)
	} else {
		ok = addSigned(&info.LiquidityNet, &info.LiquidityNet, liquidityDelta)
	}
	if !ok {
		return info, false, errLowGasSafeMath
	}
	if !isInt128(&info.LiquidityNet) {
		return info, false, errSafeCast
	}
	return info, flipped, nil
}

// feeGrowthInside returns the fee growth per unit of liquidity inside
// [tickLower, tickUpper) (Tick.getFeeGrowthInside): global growth less the
// growth below the lower tick and above the upper one, all modulo 2^256 so
// that only differences between two readings are meaningful.
func feeGrowthInside(lower, upper *Tick, tickLower, tickUpper, tickCurrent int32, global0, global1 *uint256.Int) (inside0, inside1 uint256.Int) {
	var below0, below1, above0, above1 uint256.Int
	if tickCurrent >= tickLower {
		below0, below1 = lower.FeeGrowthOutside0X128, lower.FeeGrowthOutside1X128
	} else {
		below0.Sub(global0, &lower.FeeGrowthOutside0X128)
		below1.Sub(global1, &lower.FeeGrowthOutside1X128)
	}
	if tickCurrent < tickUpper {
		above0, above1 = upper.FeeGrowthOutside0X128, upper.FeeGrowthOutside1X128
	} else {
		above0.Sub(global0, &upper.FeeGrowthOutside0X128)
		above1.Sub(global1, &upper.FeeGrowthOutside1X128)
	}
	inside0.Sub(global0, &below0)
	inside0.Sub(&inside0, &above0)
	inside1.Sub(global1, &below1)
	inside1.Sub(&inside1, &above1)
	return inside0, inside1
}
