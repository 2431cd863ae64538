package uniswapv3

import "github.com/holiman/uint256"

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

	if exactIn {
		var lessFee uint256.Int
		if lessFee, err = MulDiv(amountRemaining, &feeComplement, &denominator); err != nil {
			return SwapStep{}, err
		}
		if zeroForOne {
			s.AmountIn, err = Amount0Delta(target, cur, liquidity, true)
		} else {
			s.AmountIn, err = Amount1Delta(cur, target, liquidity, true)
		}
		if err != nil {
			return SwapStep{}, err
		}
		if !lessFee.Lt(&s.AmountIn) {
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
	if zeroForOne {
		if !reached || !exactIn {
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
		if !reached || !exactIn {
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
