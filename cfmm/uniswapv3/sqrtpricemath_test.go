package uniswapv3

import (
	"encoding/json"
	"math/rand/v2"
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

// amount0DeltaContract is getAmount0Delta as the contract computes it: two
// divisions, each rounded.
func amount0DeltaContract(a, b, liquidity *uint256.Int, roundUp bool) (uint256.Int, error) {
	if a.Gt(b) {
		a, b = b, a
	}
	var numerator1, numerator2 uint256.Int
	numerator1.Lsh(liquidity, 96)
	numerator2.Sub(b, a)
	if a.IsZero() {
		return uint256.Int{}, errSqrtPriceMath
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

// TestAmount0DeltaOneDivision checks Amount0Delta's single division
// against the contract's two at random uint160 prices and uint128
// liquidities of every magnitude.
func TestAmount0DeltaOneDivision(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	bitsOf := func(n int) uint256.Int {
		var z uint256.Int
		z.SetUint64(rng.Uint64())
		z[1], z[2] = rng.Uint64(), rng.Uint64()
		z.Rsh(&z, uint(192-n))
		return z
	}
	for range 200000 {
		a, b := bitsOf(1+rng.IntN(160)), bitsOf(1+rng.IntN(160))
		if rng.IntN(4) == 0 { // nearby prices
			b = a
			var d uint256.Int
			d.SetUint64(rng.Uint64() >> uint(rng.IntN(64)))
			b.Add(&b, &d)
			truncate160(&b)
		}
		l := bitsOf(rng.IntN(129))
		for _, up := range []bool{false, true} {
			want, werr := amount0DeltaContract(&a, &b, &l, up)
			got, err := Amount0Delta(&a, &b, &l, up)
			if got != want || (err == nil) != (werr == nil) {
				t.Fatalf("Amount0Delta(%s, %s, %s, %v) = %s, %v; want %s, %v", a.Dec(), b.Dec(), l.Dec(), up, got.Dec(), err, want.Dec(), werr)
			}
		}
	}
}

// TestAmount0WithinMatchesAmount0Delta checks the valuation's split
// formula against Amount0Delta at random bounds, prices within them and
// liquidities of every width, near-equal prices included.
func TestAmount0WithinMatchesAmount0Delta(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 200000 {
		lower := MinTick + rng.Int32N(MaxTick-MinTick)
		upper := lower + 1 + rng.Int32N(MaxTick-lower)
		if rng.IntN(3) == 0 {
			upper = min(lower+1+rng.Int32N(100), MaxTick)
		}
		var e positionEntry
		e.sqrtLower, _ = SqrtRatioAtTick(lower)
		e.sqrtUpper, _ = SqrtRatioAtTick(upper)
		e.Liquidity[0] = rng.Uint64() >> uint(rng.IntN(64))
		if rng.IntN(2) == 0 {
			e.Liquidity[1] = rng.Uint64() >> uint(rng.IntN(64))
		}
		e.setValuation()
		// A price in [lower, upper): a bound, one above it, or in between.
		var p uint256.Int
		switch rng.IntN(4) {
		case 0:
			p = e.sqrtLower
		case 1:
			p.SubUint64(&e.sqrtUpper, 1)
		default:
			var span uint256.Int
			span.Sub(&e.sqrtUpper, &e.sqrtLower)
			f := rng.Float64()
			d := cfmm.Amount(cfmm.Float(&span) * f)
			if !d.Lt(&span) {
				d.SubUint64(&span, 1)
			}
			p.Add(&e.sqrtLower, &d)
		}
		// Half the time through a memo of this liquidity and price, as
		// the pool's quotient memo would hold it.
		var m quotMemo
		if rng.IntN(2) == 0 {
			l := &e.Liquidity
			if q1, q0, r1, r0, ok := quot96(l[1], l[0], p[1], p[0]); ok && p[2]|p[3] == 0 {
				m = quotMemo{l1: l[1], l0: l[0], p1: p[1], p0: p[0], q1: q1, q0: q0, r1: r1, r0: r0}
			}
		}
		got, ok := e.amount0Within(&p, &m)
		if !ok {
			if p[2]|p[3] == 0 {
				t.Fatalf("amount0Within refused a price below 2^128: %s in [%d, %d)", p.Dec(), lower, upper)
			}
			continue
		}
		want, _ := Amount0Delta(&p, &e.sqrtUpper, &e.Liquidity, false)
		if got != want {
			t.Fatalf("amount0Within(%s) in [%d, %d), L %s = %s, want %s", p.Dec(), lower, upper, e.Liquidity.Dec(), got.Dec(), want.Dec())
		}
	}
}
