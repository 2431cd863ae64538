package weighted

import "github.com/holiman/uint256"

// WeightedMath limits.
const (
	// MinWeight is the smallest normalized weight (1 %).
	MinWeight = 10_000_000_000_000_000
	// MaxInRatio bounds an input to 30 % of the input balance.
	MaxInRatio = 300_000_000_000_000_000
	// MaxOutRatio bounds an output to 30 % of the output balance.
	MaxOutRatio = 300_000_000_000_000_000
)

var (
	maxInRatio  = uint256.NewInt(MaxInRatio)
	maxOutRatio = uint256.NewInt(MaxOutRatio)
)

// CalculateInvariant returns ∏ balance_i^weight_i (WeightedMath
// ._calculateInvariant), each power with PowDown and the product with
// MulDown from 1.0, so the invariant rounds down. Balances are 18-decimal
// (upscaled) amounts and weights normalized 18-decimal fractions. It reverts
// with BAL#311 if the result is zero and BAL#103 if the lengths differ.
func CalculateInvariant(weights, balances []uint256.Int) (uint256.Int, error) {
	var inv uint256.Int
	if len(weights) != len(balances) {
		return inv, errLengthMismatch
	}
	var f fp
	var p uint256.Int
	inv.Set(one)
	for k := range weights {
		f.powDown(&p, &balances[k], &weights[k])
		f.mulDown(&inv, &inv, &p)
		if f.err != nil {
			return uint256.Int{}, f.err
		}
	}
	if inv.IsZero() {
		return inv, errZeroInvariant
	}
	return inv, nil
}

// CalcOutGivenIn returns the amount out for amountIn, before any swap fee
// (WeightedMath._calcOutGivenIn):
//
//	out = bOut·(1 − (bIn/(bIn + aIn))^(wIn/wOut))
//
// rounded down overall: the base bIn/(bIn+aIn) with DivUp, the exponent with
// DivDown, the power with PowUp, the product with MulDown. Only the ratio of
// the weights matters. It reverts with BAL#304 if amountIn exceeds
// MulDown(bIn, 0.3).
func CalcOutGivenIn(balanceIn, weightIn, balanceOut, weightOut, amountIn *uint256.Int) (uint256.Int, error) {
	if hasNil(balanceIn, weightIn, balanceOut, weightOut, amountIn) {
		return uint256.Int{}, errNilAmount
	}
	var out uint256.Int
	err := calcOutGivenIn(&out, balanceIn, weightIn, balanceOut, weightOut, amountIn)
	return out, err
}

func calcOutGivenIn(z, balanceIn, weightIn, balanceOut, weightOut, amountIn *uint256.Int) error {
	var f fp
	var t uint256.Int
	if f.mulDown(&t, balanceIn, maxInRatio); f.err != nil {
		return f.err
	}
	if amountIn.Gt(&t) {
		return errMaxInRatio
	}
	var base, exponent, power uint256.Int
	f.add(&t, balanceIn, amountIn)
	f.divUp(&base, balanceIn, &t)
	f.divDown(&exponent, weightIn, weightOut)
	if f.err != nil {
		return f.err
	}
	f.powUp(&power, &base, &exponent)
	complement(&t, &power)
	f.mulDown(z, balanceOut, &t)
	return f.err
}

// CalcInGivenOut returns the amount in needed for amountOut, before any
// swap fee (WeightedMath._calcInGivenOut):
//
//	in = bIn·((bOut/(bOut − aOut))^(wOut/wIn) − 1)
//
// rounded up overall: the base with DivUp, the exponent with DivUp, the
// power with PowUp, the product with MulUp. It reverts with BAL#305 if
// amountOut exceeds MulDown(bOut, 0.3).
func CalcInGivenOut(balanceIn, weightIn, balanceOut, weightOut, amountOut *uint256.Int) (uint256.Int, error) {
	if hasNil(balanceIn, weightIn, balanceOut, weightOut, amountOut) {
		return uint256.Int{}, errNilAmount
	}
	var in uint256.Int
	err := calcInGivenOut(&in, balanceIn, weightIn, balanceOut, weightOut, amountOut)
	return in, err
}

func calcInGivenOut(z, balanceIn, weightIn, balanceOut, weightOut, amountOut *uint256.Int) error {
	var f fp
	var t uint256.Int
	if f.mulDown(&t, balanceOut, maxOutRatio); f.err != nil {
		return f.err
	}
	if amountOut.Gt(&t) {
		return errMaxOutRatio
	}
	var base, exponent, power uint256.Int
	f.sub(&t, balanceOut, amountOut)
	f.divUp(&base, balanceOut, &t)
	f.divUp(&exponent, weightOut, weightIn)
	if f.err != nil {
		return f.err
	}
	f.powUp(&power, &base, &exponent)
	f.sub(&t, &power, one)
	f.mulUp(z, balanceIn, &t)
	return f.err
}
