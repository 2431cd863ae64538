package uniswapv3

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

func TestComputeSwapStepVectors(t *testing.T) {
	var file struct {
		Cases []struct {
			Test                string            `json:"test"`
			SqrtRatioCurrentX96 string            `json:"sqrtRatioCurrentX96"`
			SqrtRatioTargetX96  string            `json:"sqrtRatioTargetX96"`
			Liquidity           string            `json:"liquidity"`
			AmountRemaining     string            `json:"amountRemaining"`
			FeePips             uint32            `json:"feePips"`
			Expected            map[string]string `json:"expected"`
			Derived             map[string]string `json:"derived_not_asserted_in_test"`
		} `json:"cases"`
	}
	readJSON(t, "swap_math_compute_swap_step.json", &file)
	if len(file.Cases) != 9 {
		t.Fatalf("got %d cases, want 9", len(file.Cases))
	}
	for _, c := range file.Cases {
		cur, target := num(t, c.SqrtRatioCurrentX96), num(t, c.SqrtRatioTargetX96)
		l, rem := num(t, c.Liquidity), num(t, c.AmountRemaining)
		s, err := ComputeSwapStep(&cur, &target, &l, &rem, c.FeePips)
		if err != nil {
			t.Errorf("%s: %v", c.Test, err)
			continue
		}
		got := map[string]string{
			"sqrtRatioNextX96": s.SqrtRatioNextX96.Dec(),
			"amountIn":         s.AmountIn.Dec(),
			"amountOut":        s.AmountOut.Dec(),
			"feeAmount":        s.FeeAmount.Dec(),
		}
		want := map[string]string{}
		for k, v := range c.Derived {
			want[k] = v
		}
		for k, v := range c.Expected {
			want[k] = v
		}
		if len(want) != 4 {
			t.Errorf("%s: %d expected fields, want all 4", c.Test, len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %s, want %s", c.Test, k, got[k], v)
			}
		}
		// Exact input never spends more than offered, exact output never
		// delivers more than asked.
		if rem.Sign() >= 0 {
			var spent = s.AmountIn
			spent.Add(&spent, &s.FeeAmount)
			if spent.Gt(&rem) {
				t.Errorf("%s: spent %s of %s", c.Test, spent.Dec(), rem.Dec())
			}
		}
	}
}

// computeSwapStepContract is SwapMath.computeSwapStep line by line, as
// ComputeSwapStep was before its shortcuts, for comparison.
func computeSwapStepContract(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, amountRemaining *uint256.Int, feePips uint32) (SwapStep, error) {
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
			s.AmountIn, err = amount0DeltaContract(target, cur, liquidity, true)
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
			s.AmountOut, err = amount0DeltaContract(cur, target, liquidity, false)
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
			if s.AmountIn, err = amount0DeltaContract(next, cur, liquidity, true); err != nil {
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
			if s.AmountOut, err = amount0DeltaContract(cur, next, liquidity, false); err != nil {
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

// TestComputeSwapStepShortcuts compares ComputeSwapStep with the contract's
// sequence on random steps: prices within TickMath's range (often close
// together), liquidities and amounts of every magnitude, both directions,
// exact input and output.
func TestComputeSwapStepShortcuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	bitsOf := func(n int) uint256.Int {
		var z uint256.Int
		z[0], z[1], z[2], z[3] = rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()
		z.Rsh(&z, uint(256-n))
		return z
	}
	words := 0
	for n := range 400000 {
		// Half the steps at prices below 2^128, where stepWords applies.
		top := MaxTick
		if n%2 == 0 {
			top = 443000
		}
		cur, _ := SqrtRatioAtTick(MinTick + rng.Int32N(top-MinTick))
		var target uint256.Int
		if rng.IntN(2) == 0 {
			target, _ = SqrtRatioAtTick(MinTick + rng.Int32N(top-MinTick))
		} else {
			d := bitsOf(rng.IntN(cur.BitLen()))
			if rng.IntN(2) == 0 {
				target.Add(&cur, &d)
			} else {
				target.Sub(&cur, &d)
			}
		}
		l := bitsOf(rng.IntN(129))
		rem := bitsOf(rng.IntN(256))
		if rng.IntN(4) == 0 {
			rem.Neg(&rem)
		}
		fee := []uint32{0, 100, 500, 3000, 10000, 999999}[rng.IntN(6)]
		got, err := ComputeSwapStep(&cur, &target, &l, &rem, fee)
		want, werr := computeSwapStepContract(&cur, &target, &l, &rem, fee)
		if got != want || reason(err) != reason(werr) {
			t.Fatalf("ComputeSwapStep(%s, %s, %s, %s, %d) = %+v, %v; want %+v, %v", cur.Dec(), target.Dec(), l.Dec(), rem.Dec(), fee, got, err, want, werr)
		}
		if w, ok := stepWords(&cur, &target, &l, &rem, fee); ok {
			words++
			if w != want || werr != nil {
				t.Fatalf("stepWords(%s, %s, %s, %s, %d) = %+v; want %+v, %v", cur.Dec(), target.Dec(), l.Dec(), rem.Dec(), fee, w, want, werr)
			}
		}
	}
	if words < 50000 {
		t.Fatalf("stepWords took only %d steps", words)
	}
}

// TestNextPriceWordsIsIn checks nextPriceWords' claim that the token0 added
// is exactly the input to the new price, Amount0Delta(P', P, L, true),
// whenever it makes it, at random prices below 2^128, liquidities and
// amounts of every width, and that it makes it often.
func TestNextPriceWordsIsIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	bitsOf := func(n int) uint256.Int {
		var z uint256.Int
		z[0], z[1] = rng.Uint64(), rng.Uint64()
		z.Rsh(&z, uint(128-n))
		return z
	}
	claimed, checked := 0, 0
	for range 300000 {
		p, _ := SqrtRatioAtTick(MinTick + rng.Int32N(443000-MinTick))
		l, a := bitsOf(1+rng.IntN(128)), bitsOf(1+rng.IntN(128))
		if l.IsZero() || a.IsZero() {
			continue // nextPriceWords' domain: L >= 1; a zero amount moves nothing
		}
		next, isIn, ok := nextPriceWords(&p, &l, &a, true)
		if !ok {
			continue
		}
		checked++
		want, err := NextSqrtPriceFromInput(&p, &l, &a, true)
		if err != nil || next != want {
			t.Fatalf("nextPriceWords(%s, %s, %s) = %s, want %s, %v", p.Dec(), l.Dec(), a.Dec(), next.Dec(), want.Dec(), err)
		}
		in, _ := Amount0Delta(&next, &p, &l, true)
		if isIn {
			claimed++
			if in != a {
				t.Fatalf("nextPriceWords(%s, %s, %s) claims the amount is the input, which is %s", p.Dec(), l.Dec(), a.Dec(), in.Dec())
			}
		}
	}
	if claimed < checked/4 {
		t.Fatalf("isIn claimed on %d of %d", claimed, checked)
	}
	t.Logf("isIn claimed on %d of %d", claimed, checked)
}

// TestFeeGrowthDeltaReciprocal checks feeGrowthDelta, whose one-word fees
// and liquidities divide through the memo of 2^128's quotient by the
// liquidity, against MulDiv(fee, 2^128, liquidity) on edge and random words,
// with the memo kept across calls and refilled as the liquidity changes.
func TestFeeGrowthDeltaReciprocal(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 5))
	special := []uint64{0, 1, 2, 3, 1 << 63, 1<<63 - 1, 1<<63 + 1, ^uint64(0), ^uint64(0) - 1, 1 << 32, 1<<32 - 1}
	word := func() uint64 {
		switch rng.IntN(3) {
		case 0:
			return rng.Uint64()
		case 1:
			return rng.Uint64() >> rng.UintN(64)
		}
		return special[rng.IntN(len(special))]
	}
	var m recipMemo
	l := uint256.Int{word()}
	for n := range 300000 {
		if n%5 == 0 {
			l = uint256.Int{word()}
			if n%35 == 0 {
				l[1] = word()
			}
		}
		if l.IsZero() {
			continue
		}
		fee := uint256.Int{word()}
		if n%11 == 0 {
			fee[1] = word()
		}
		want, err := MulDiv(&fee, &q128, &l)
		got, gotErr := feeGrowthDelta(&fee, &l, &m)
		if err != nil || gotErr != nil || got != want {
			t.Fatalf("feeGrowthDelta(%s, %s) = %s, %v; want %s, %v", fee.Hex(), l.Hex(), got.Hex(), gotErr, want.Hex(), err)
		}
	}
}
