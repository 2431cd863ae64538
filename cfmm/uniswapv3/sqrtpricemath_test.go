package uniswapv3

import (
	"encoding/json"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

type sqrtPriceMathCase struct {
	Function string `json:"function"`
	Args     struct {
		SqrtPX96      string `json:"sqrtPX96"`
		SqrtRatioAX96 string `json:"sqrtRatioAX96"`
		SqrtRatioBX96 string `json:"sqrtRatioBX96"`
		Liquidity     string `json:"liquidity"`
		Amount        string `json:"amount"`
		ZeroForOne    bool   `json:"zeroForOne"`
		RoundUp       bool   `json:"roundUp"`
	} `json:"args"`
	Expected string `json:"expected"`
	Test     string `json:"test"`
}

func TestSqrtPriceMathVectors(t *testing.T) {
	var file struct {
		Cases []sqrtPriceMathCase `json:"cases"`
	}
	readJSON(t, "sqrt_price_math.json", &file)
	if len(file.Cases) != 35 {
		t.Fatalf("got %d cases, want 35", len(file.Cases))
	}
	for _, c := range file.Cases {
		var got uint256.Int
		var err error
		a := c.Args
		switch c.Function {
		case "getNextSqrtPriceFromInput", "getNextSqrtPriceFromOutput":
			p, l, amt := num(t, a.SqrtPX96), num(t, a.Liquidity), num(t, a.Amount)
			if c.Function == "getNextSqrtPriceFromInput" {
				got, err = NextSqrtPriceFromInput(&p, &l, &amt, a.ZeroForOne)
			} else {
				got, err = NextSqrtPriceFromOutput(&p, &l, &amt, a.ZeroForOne)
			}
		case "getAmount0Delta", "getAmount1Delta":
			pa, pb, l := num(t, a.SqrtRatioAX96), num(t, a.SqrtRatioBX96), num(t, a.Liquidity)
			if c.Function == "getAmount0Delta" {
				got, err = Amount0Delta(&pa, &pb, &l, a.RoundUp)
			} else {
				got, err = Amount1Delta(&pa, &pb, &l, a.RoundUp)
			}
		default:
			t.Fatalf("unknown function %q", c.Function)
		}
		args, _ := json.Marshal(c.Args)
		if c.Expected == "revert" {
			if !cfmm.IsRevert(err) {
				t.Errorf("%s(%s) = %s, %v; want revert (%s)", c.Function, args, got.Dec(), err, c.Test)
			}
			continue
		}
		if want := num(t, c.Expected); err != nil || got != want {
			t.Errorf("%s(%s) = %s, %v; want %s (%s)", c.Function, args, got.Dec(), err, c.Expected, c.Test)
		}
	}
}

// TestAmount0DeltaOverflowingPrices checks the relation the upstream test
// asserts for prices whose product overflows 256 bits: rounding up adds
// exactly one.
func TestAmount0DeltaOverflowingPrices(t *testing.T) {
	a := num(t, "2787593149816327892691964784081045188247552")  // 2^141, encodePriceSqrt(2^90, 1)
	b := num(t, "22300745198530623141535718272648361505980416") // 2^144, encodePriceSqrt(2^96, 1)
	l := num(t, "1000000000000000000")
	up, err1 := Amount0Delta(&a, &b, &l, true)
	down, err2 := Amount0Delta(&a, &b, &l, false)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	down.AddUint64(&down, 1)
	if up != down {
		t.Errorf("round up %s, round down + 1 %s", up.Dec(), down.Dec())
	}
}

func TestAmountDeltaSigned(t *testing.T) {
	a := num(t, "79228162514264337593543950336")
	b := num(t, "87150978765690771352898345369")
	l := num(t, "1000000000000000000")
	var negL uint256.Int
	negL.Neg(&l)
	tests := []struct {
		name string
		f    func(a, b, l *uint256.Int) (uint256.Int, error)
		l    *uint256.Int
		want string
	}{
		{"amount0 added", Amount0DeltaSigned, &l, "90909090909090910"},
		{"amount0 removed", Amount0DeltaSigned, &negL, "-90909090909090909"},
		{"amount1 added", Amount1DeltaSigned, &l, "100000000000000000"},
		{"amount1 removed", Amount1DeltaSigned, &negL, "-99999999999999999"},
	}
	for _, tt := range tests {
		got, err := tt.f(&a, &b, tt.l)
		if err != nil || signed(&got) != tt.want {
			t.Errorf("%s: got %s, %v; want %s", tt.name, signed(&got), err, tt.want)
		}
	}
	tooBig := uint256.Int{0, 1 << 63, 0, 0} // 2^127 is not an int128
	if _, err := Amount0DeltaSigned(&a, &b, &tooBig); reason(err) != "SafeCast" {
		t.Errorf("liquidity 2^127: err %v, want SafeCast", err)
	}
}
