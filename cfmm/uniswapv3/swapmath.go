package uniswapv3

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// feeDenominator is the fee unit: fees are in pips, millionths of the amount.
const feeDenominator = 1_000_000

// SwapStep is the outcome of one step of a swap within a single price range.
type SwapStep struct {
	// SqrtRatioNextX96 is the sqrt price after the step (Q64.96).
	SqrtRatioNextX96 uint256.Int
	// AmountIn is the input consumed by the price move, fee excluded.
	AmountIn uint256.Int
	// AmountOut is the output released.
	AmountOut uint256.Int
	// FeeAmount is the fee charged, in the input token.
	FeeAmount uint256.Int
}

// ComputeSwapStep moves the sqrt price from sqrtRatioCurrentX96 towards
// sqrtRatioTargetX96 at constant liquidity, spending (exact input,
// amountRemaining >= 0) or receiving (exact output, amountRemaining < 0;
// an int256 in two's complement) at most |amountRemaining|
// (SwapMath.computeSwapStep). The direction is zeroForOne when the current
// price is at or above the target.
//
// Input amounts are rounded up and output amounts down. With exact input the
// fee is taken first, amountRemaining·(1e6−feePips)/1e6 rounded down being
// what may move the price; if the target is not reached, everything not
// consumed by the price move is kept as fee. Otherwise the fee is
// AmountIn·feePips/(1e6−feePips) rounded up. feePips is a uint24.
func ComputeSwapStep(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, amountRemaining *uint256.Int, feePips uint32) (SwapStep, error) {
	var s SwapStep
	var err error
	feePips &= 1<<24 - 1
	fee := uint256.Int{uint64(feePips), 0, 0, 0}
	// 1e6 − feePips is uint24 arithmetic in the contract and wraps there.
	feeComplement := uint256.Int{uint64((feeDenominator - feePips) & (1<<24 - 1)), 0, 0, 0}
	denominator := uint256.Int{feeDenominator, 0, 0, 0}

	cur, target := sqrtRatioCurrentX96, sqrtRatioTargetX96
	zeroForOne := !cur.Lt(target)
	exactIn := amountRemaining.Sign() >= 0
	var remainingOut uint256.Int // −amountRemaining when exact output

	// haveIn: s.AmountIn holds the input needed to reach the target.
	haveIn := false
	if exactIn {
		var lessFee uint256.Int
		if lessFee, err = MulDiv(amountRemaining, &feeComplement, &denominator); err != nil {
			return SwapStep{}, err
		}
		if !inputFallsShort(cur, target, liquidity, &lessFee, zeroForOne) {
			if zeroForOne {
				s.AmountIn, err = Amount0Delta(target, cur, liquidity, true)
			} else {
				s.AmountIn, err = Amount1Delta(cur, target, liquidity, true)
			}
			if err != nil {
				return SwapStep{}, err
			}
			haveIn = true
		}
		if haveIn && !lessFee.Lt(&s.AmountIn) {
			s.SqrtRatioNextX96 = *target
		} else if s.SqrtRatioNextX96, err = NextSqrtPriceFromInput(cur, liquidity, &lessFee, zeroForOne); err != nil {
			return SwapStep{}, err
		}
	} else {
		remainingOut.Neg(amountRemaining)
		if zeroForOne {
			s.AmountOut, err = Amount1Delta(target, cur, liquidity, false)
		} else {
			s.AmountOut, err = Amount0Delta(cur, target, liquidity, false)
		}
		if err != nil {
			return SwapStep{}, err
		}
		if !remainingOut.Lt(&s.AmountOut) {
			s.SqrtRatioNextX96 = *target
		} else if s.SqrtRatioNextX96, err = NextSqrtPriceFromOutput(cur, liquidity, &remainingOut, zeroForOne); err != nil {
			return SwapStep{}, err
		}
	}

	reached := *target == s.SqrtRatioNextX96
	next := &s.SqrtRatioNextX96
	// Without haveIn the input to the target was never computed; if the
	// price still lands on the target, the input to next is that input.
	if zeroForOne {
		if !reached || !exactIn || !haveIn {
			if s.AmountIn, err = Amount0Delta(next, cur, liquidity, true); err != nil {
				return SwapStep{}, err
			}
		}
		if !reached || exactIn {
			if s.AmountOut, err = Amount1Delta(next, cur, liquidity, false); err != nil {
				return SwapStep{}, err
			}
		}
	} else {
		if !reached || !exactIn || !haveIn {
			if s.AmountIn, err = Amount1Delta(cur, next, liquidity, true); err != nil {
				return SwapStep{}, err
			}
		}
		if !reached || exactIn {
			if s.AmountOut, err = Amount0Delta(cur, next, liquidity, false); err != nil {
				return SwapStep{}, err
			}
		}
	}

	// The rounded-down output may still exceed what was asked for.
	if !exactIn && s.AmountOut.Gt(&remainingOut) {
		s.AmountOut = remainingOut
	}

	if exactIn && !reached {
		s.FeeAmount.Sub(amountRemaining, &s.AmountIn)
	} else if s.FeeAmount, err = MulDivRoundingUp(&s.AmountIn, &fee, &feeComplement); err != nil {
		return SwapStep{}, err
	}
	return s, nil
}

// inputFallsShort reports whether lessFee, an exact input net of fee, is
// certainly less than the input that moves the price from cur to target at
// liquidity L, judged in floating point: L·2^96·(cur−target)/(cur·target)
// of token0 (zeroForOne) or L·(target−cur)/2^96 of token1, each within
// 2e-15 relatively of the real value, which the contract's rounded-up input
// is at least. Requiring a margin of 1e-9 makes a false "short" impossible;
// a false "not short" only costs the exact computation. The step then
// needs no input to the target: the price stops short of it. Prices must
// be within TickMath's range, as they are in a pool, or the answer is false.
func inputFallsShort(cur, target, liquidity, lessFee *uint256.Int, zeroForOne bool) bool {
	if cur.Lt(&minSqrtRatio) || target.Lt(&minSqrtRatio) || !cur.Lt(&maxSqrtRatio) || !target.Lt(&maxSqrtRatio) {
		return false
	}
	var diff uint256.Int
	var need float64
	if zeroForOne {
		diff.Sub(cur, target)
		need = cfmm.Float(liquidity) * cfmm.Float(&diff) / cfmm.Float(cur) / cfmm.Float(target) * 0x1p96
	} else {
		diff.Sub(target, cur)
		need = cfmm.Float(liquidity) * cfmm.Float(&diff) * 0x1p-96
	}
	return cfmm.Float(lessFee) < need*(1-1e-9)
}
