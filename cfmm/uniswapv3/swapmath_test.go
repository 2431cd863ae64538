package uniswapv3

import (
	"testing"
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
