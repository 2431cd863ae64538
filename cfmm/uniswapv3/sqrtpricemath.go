package uniswapv3

import "github.com/holiman/uint256"

// The functions of SqrtPriceMath take sqrt prices as uint160 Q64.96 values
// and liquidity as a uint128, as the contract's types guarantee; callers
// pass values within those types.

// truncate160 keeps the low 160 bits of z, the effect of a uint160 cast.
func truncate160(z *uint256.Int) {
	z[2] &= 1<<32 - 1
	z[3] = 0
}

// NextSqrtPriceFromAmount0RoundingUp returns the sqrt price after adding
// (add) or removing amount of token0 at liquidity L from sqrt price P
// (SqrtPriceMath.getNextSqrtPriceFromAmount0RoundingUp):
//
//	P' = L·2^96·P / (L·2^96 ± amount·P), rounded up,
//
// so the price moves less than exactly when token0 is added and more when it
// is removed. When amount·P overflows 256 bits while adding, it uses the
// equivalent ceil(L·2^96 / (L·2^96/P + amount)). It reverts
// ("SqrtPriceMath") when removing more token0 than the liquidity holds.
func NextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amount *uint256.Int, add bool) (uint256.Int, error) {
	if amount.IsZero() {
		// The general formula need not return P exactly for a zero amount.
		return *sqrtPX96, nil
	}
	var numerator1, product uint256.Int
	numerator1.Lsh(liquidity, 96)
	_, overflow := product.MulOverflow(amount, sqrtPX96)
	if add {
		if !overflow {
			var denominator uint256.Int
			denominator.Add(&numerator1, &product)
			if !denominator.Lt(&numerator1) {
				z, err := MulDivRoundingUp(&numerator1, sqrtPX96, &denominator)
				truncate160(&z) // the contract's uint160 cast; the value is at most P
				return z, err
			}
		}
		if sqrtPX96.IsZero() {
			return uint256.Int{}, errDivZero
		}
		var d uint256.Int
		d.Div(&numerator1, sqrtPX96)
		if _, of := d.AddOverflow(&d, amount); of {
			return uint256.Int{}, errLowGasSafeMath
		}
		z := DivRoundingUp(&numerator1, &d)
		truncate160(&z)
		return z, nil
	}
	// If the product overflows, the denominator would underflow.
	if overflow || !numerator1.Gt(&product) {
		return uint256.Int{}, errSqrtPriceMath
	}
	var denominator uint256.Int
	denominator.Sub(&numerator1, &product)
	z, err := MulDivRoundingUp(&numerator1, sqrtPX96, &denominator)
	if err != nil {
		return uint256.Int{}, err
	}
	if z.Gt(&maxUint160) {
		return uint256.Int{}, errSafeCast
	}
	return z, nil
}

// NextSqrtPriceFromAmount1RoundingDown returns the sqrt price after adding
// (add) or removing amount of token1 at liquidity L from sqrt price P
// (SqrtPriceMath.getNextSqrtPriceFromAmount1RoundingDown):
//
//	P' = P ± amount·2^96/L, rounded down,
//
// the quotient being rounded down when adding and up when removing. It
// reverts ("LowGasSafeMath" or "SafeCast") if the price would exceed a
// uint160 and ("SqrtPriceMath") if it would not stay above zero.
func NextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amount *uint256.Int, add bool) (uint256.Int, error) {
	var quotient uint256.Int
	var err error
	// For amounts below 2^160 the shift cannot overflow, avoiding a mulDiv.
	small := !amount.Gt(&maxUint160)
	if add {
		if small {
			if liquidity.IsZero() {
				return uint256.Int{}, errDivZero
			}
			quotient.Lsh(amount, 96)
			quotient.Div(&quotient, liquidity)
		} else if quotient, err = MulDiv(amount, &q96, liquidity); err != nil {
			return uint256.Int{}, err
		}
		var z uint256.Int
		if _, of := z.AddOverflow(sqrtPX96, &quotient); of {
			return uint256.Int{}, errLowGasSafeMath
		}
		if z.Gt(&maxUint160) {
			return uint256.Int{}, errSafeCast
		}
		return z, nil
	}
	if small {
		var shifted uint256.Int
		shifted.Lsh(amount, 96)
		quotient = DivRoundingUp(&shifted, liquidity)
	} else if quotient, err = MulDivRoundingUp(amount, &q96, liquidity); err != nil {
		return uint256.Int{}, err
	}
	if !sqrtPX96.Gt(&quotient) {
		return uint256.Int{}, errSqrtPriceMath
	}
	var z uint256.Int
	z.Sub(sqrtPX96, &quotient)
	return z, nil
}

// NextSqrtPriceFromInput returns the sqrt price after amountIn of token0
// (zeroForOne) or token1 enters at liquidity L from sqrt price P
// (SqrtPriceMath.getNextSqrtPriceFromInput), rounded so that the price does
// not pass the exact target. It reverts ("SqrtPriceMath") if P or L is zero.
func NextSqrtPriceFromInput(sqrtPX96, liquidity, amountIn *uint256.Int, zeroForOne bool) (uint256.Int, error) {
	if sqrtPX96.IsZero() || liquidity.IsZero() {
		return uint256.Int{}, errSqrtPriceMath
	}
	if zeroForOne {
		return NextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, true)
	}
	return NextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, true)
}

// NextSqrtPriceFromOutput returns the sqrt price after amountOut of token1
// (zeroForOne) or token0 leaves at liquidity L from sqrt price P
// (SqrtPriceMath.getNextSqrtPriceFromOutput), rounded so that the price
// reaches at least the exact target. It reverts ("SqrtPriceMath") if P or L
// is zero or the liquidity cannot supply amountOut.
func NextSqrtPriceFromOutput(sqrtPX96, liquidity, amountOut *uint256.Int, zeroForOne bool) (uint256.Int, error) {
	if sqrtPX96.IsZero() || liquidity.IsZero() {
		return uint256.Int{}, errSqrtPriceMath
	}
	if zeroForOne {
		return NextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, false)
	}
	return NextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, false)
}

// Amount0Delta returns the token0 held by liquidity L between sqrt prices A
// and B, in either order (SqrtPriceMath.getAmount0Delta):
//
//	amount0 = L·2^96·(B−A) / B / A,  with A < B,
//
// rounded up when roundUp (at each of the two divisions) and down
// otherwise. It reverts ("SqrtPriceMath") if the lower price is zero.
//
// Neither division can revert (the first quotient is below L·2^96 since
// B−A < B), and for positive integers ceil(ceil(x/B)/A) = ceil(x/(A·B)) and
// floor(floor(x/B)/A) = floor(x/(A·B)); so when A·B fits in 256 bits, as it
// does for prices below 2^128, one division by A·B gives the contract's
// result.
func Amount0Delta(sqrtRatioAX96, sqrtRatioBX96, liquidity *uint256.Int, roundUp bool) (uint256.Int, error) {
	a, b := sqrtRatioAX96, sqrtRatioBX96
	if a.Gt(b) {
		a, b = b, a
	}
	var numerator1, numerator2 uint256.Int
	numerator1.Lsh(liquidity, 96)
	numerator2.Sub(b, a)
	if a.IsZero() {
		return uint256.Int{}, errSqrtPriceMath
	}
	if a[2]|a[3]|b[2]|b[3]|liquidity[2]|liquidity[3] == 0 {
		return amount0Words(a, b, &numerator2, liquidity, roundUp), nil
	}
	if a[2]|a[3]|b[3]|liquidity[2]|liquidity[3] == 0 {
		// B up to 2^192, as a full-range position's upper bound is.
		if z, ok := amount0Wide(a, b, &numerator2, liquidity, roundUp); ok {
			return z, nil
		}
	}
	var ab uint256.Int
	if _, overflow := ab.MulOverflow(a, b); !overflow {
		var z uint256.Int
		inexact, _ := mulDiv(&z, &numerator1, &numerator2, &ab)
		if roundUp && inexact {
			z.AddUint64(&z, 1)
		}
		return z, nil
	}
	if roundUp {
		t, err := MulDivRoundingUp(&numerator1, &numerator2, b)
		if err != nil {
			return uint256.Int{}, err
		}
		return DivRoundingUp(&t, a), nil
	}
	t, err := MulDiv(&numerator1, &numerator2, b)
	if err != nil {
		return uint256.Int{}, err
	}
	t.Div(&t, a)
	return t, nil
}

// Amount1Delta returns the token1 held by liquidity L between sqrt prices A
// and B, in either order (SqrtPriceMath.getAmount1Delta):
//
//	amount1 = L·(B−A) / 2^96,
//
// rounded up when roundUp and down otherwise.
func Amount1Delta(sqrtRatioAX96, sqrtRatioBX96, liquidity *uint256.Int, roundUp bool) (uint256.Int, error) {
	a, b := sqrtRatioAX96, sqrtRatioBX96
	if a.Gt(b) {
		a, b = b, a
	}
	var diff uint256.Int
	diff.Sub(b, a)
	if diff[2]|diff[3]|liquidity[2]|liquidity[3] == 0 {
		// L·(B−A) fits in four words; dividing by 2^96 drops one and a half.
		w3, w2, w1, w0 := mul128(liquidity[1], liquidity[0], diff[1], diff[0])
		z := uint256.Int{w1>>32 | w2<<32, w2>>32 | w3<<32, w3 >> 32, 0}
		if roundUp && (w0 != 0 || w1&(1<<32-1) != 0) {
			z.AddUint64(&z, 1)
		}
		return z, nil
	}
	if roundUp {
		return MulDivRoundingUp(liquidity, &diff, &q96)
	}
	return MulDiv(liquidity, &diff, &q96)
}

// amount0Wide is amount0Words for B below 2^192: L·diff·2^96 in at most
// eight words over A·B, which must fit in four (ok false if not).
func amount0Wide(a, b, diff, liquidity *uint256.Int, roundUp bool) (uint256.Int, bool) {
	var ab [8]uint64
	abn := mulWords(&ab, a, b, limbs(a), limbs(b))
	if abn > 4 {
		return uint256.Int{}, false
	}
	den := uint256.Int{ab[0], ab[1], ab[2], ab[3]}
	var p [8]uint64
	pn := mulWords(&p, liquidity, diff, limbs(liquidity), limbs(diff))
	if pn == 0 {
		return uint256.Int{}, true
	}
	// × 2^96: one word and 32 bits up; L·diff < 2^320 leaves room.
	var n [8]uint64
	for i := pn; i >= 0; i-- {
		var lo uint64
		if i > 0 {
			lo = p[i-1] >> 32
		}
		n[i+1] = p[i]<<32 | lo
	}
	un := pn + 2
	for un > 0 && n[un-1] == 0 {
		un--
	}
	var q [8]uint64
	inexact := divWords(&q, &n, un, &den, abn)
	z := uint256.Int{q[0], q[1], q[2], q[3]} // below L·2^96 < 2^224
	if roundUp && inexact {
		z.AddUint64(&z, 1)
	}
	return z, true
}

// amount0Words is Amount0Delta for prices A < B and liquidity L below
// 2^128, with diff = B−A: one division of L·diff·2^96 (at most six words)
// by A·B (at most four), rounded as asked.
func amount0Words(a, b, diff, liquidity *uint256.Int, roundUp bool) uint256.Int {
	var n [8]uint64
	w3, w2, w1, w0 := mul128(liquidity[1], liquidity[0], diff[1], diff[0])
	n[1], n[2], n[3], n[4], n[5] = w0<<32, w1<<32|w0>>32, w2<<32|w1>>32, w3<<32|w2>>32, w3>>32
	un := 6
	for un > 0 && n[un-1] == 0 {
		un--
	}
	d3, d2, d1, d0 := mul128(a[1], a[0], b[1], b[0])
	den := uint256.Int{d0, d1, d2, d3}
	var q [8]uint64
	inexact := divWords(&q, &n, un, &den, limbs(&den))
	z := uint256.Int{q[0], q[1], q[2], q[3]} // below L·2^96/B < 2^224
	if roundUp && inexact {
		z.AddUint64(&z, 1)
	}
	return z
}

// Amount0DeltaSigned returns the signed token0 owed to the pool for a
// liquidity change (an int128, two's complement), as an int256 in two's
// complement: rounded up for added liquidity, and the negative of the
// rounded-down amount for removed liquidity, so the pool never pays out more
// than it took in (SqrtPriceMath.getAmount0Delta with int128 liquidity).
func Amount0DeltaSigned(sqrtRatioAX96, sqrtRatioBX96, liquidity *uint256.Int) (uint256.Int, error) {
	return signedDelta(Amount0Delta, sqrtRatioAX96, sqrtRatioBX96, liquidity)
}

// Amount1DeltaSigned is Amount0DeltaSigned for token1.
func Amount1DeltaSigned(sqrtRatioAX96, sqrtRatioBX96, liquidity *uint256.Int) (uint256.Int, error) {
	return signedDelta(Amount1Delta, sqrtRatioAX96, sqrtRatioBX96, liquidity)
}

func signedDelta(delta func(a, b, l *uint256.Int, roundUp bool) (uint256.Int, error), a, b, liquidity *uint256.Int) (uint256.Int, error) {
	if !isInt128(liquidity) {
		return uint256.Int{}, errSafeCast
	}
	if liquidity.Sign() < 0 {
		var m uint256.Int
		m.Neg(liquidity)
		z, err := delta(a, b, &m, false)
		if err != nil {
			return uint256.Int{}, err
		}
		if !isInt256(&z) {
			return uint256.Int{}, errSafeCast
		}
		z.Neg(&z)
		return z, nil
	}
	z, err := delta(a, b, liquidity, true)
	if err != nil {
		return uint256.Int{}, err
	}
	if !isInt256(&z) {
		return uint256.Int{}, errSafeCast
	}
	return z, nil
}
