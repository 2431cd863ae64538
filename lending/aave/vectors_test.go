package aave

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

// vectorDir holds the Aave v3 reference vectors (origin in
// testdata/PROVENANCE.md); the tests fail rather than skip when one is missing.
var vectorDir = "testdata"

// TestWadRayMathVectors checks every row of wadraymath.csv: the inputs of
// aave-v3-core's wadraymath.spec.ts and the integers the test expects.
func TestWadRayMathVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(vectorDir, "wadraymath.csv"))
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	var body []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "#") {
			body = append(body, line)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(strings.Join(body, "\n"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "function,a,b,expected" {
		t.Fatalf("unexpected layout: %v", rows[:1])
	}
	rows = rows[1:]
	if len(rows) != 12 {
		t.Fatalf("%d rows, want 12", len(rows))
	}
	for i, row := range rows {
		fn, a, want := row[0], num(t, row[1]), num(t, row[3])
		var got uint256.Int
		var err error
		switch fn {
		case "wadMul":
			got, err = WadMul(&a, ptr(num(t, row[2])))
		case "wadDiv":
			got, err = WadDiv(&a, ptr(num(t, row[2])))
		case "rayMul":
			got, err = RayMul(&a, ptr(num(t, row[2])))
		case "rayDiv":
			got, err = RayDiv(&a, ptr(num(t, row[2])))
		case "rayToWad":
			got = RayToWad(&a)
		case "wadToRay":
			got, err = WadToRay(&a)
		default:
			t.Fatalf("row %d: unknown function %q", i, fn)
		}
		if err != nil {
			t.Errorf("row %d %s(%s, %s): %v", i, fn, row[1], row[2], err)
			continue
		}
		if !got.Eq(&want) {
			t.Errorf("row %d %s(%s, %s) = %s, want %s", i, fn, row[1], row[2], got.Dec(), want.Dec())
		}
	}
}

func ptr(x uint256.Int) *uint256.Int { return &x }

type strategyVectors struct {
	Params        map[string]string `json:"strategy_params_ray"`
	ReserveFactor uint64            `json:"reserveFactor_bps"`
	Cases         []struct {
		Test     string            `json:"test"`
		Inputs   map[string]string `json:"inputs"`
		Expected map[string]string `json:"expected"`
	} `json:"cases"`
}

// TestInterestRateStrategyVectors checks every case of
// interest_rate_strategy.json: rateStrategyStableTwo at the usages of
// rate-strategy.spec.ts, with the aToken holding no underlying, so the cash
// seen by the strategy is liquidityAdded − liquidityTaken.
func TestInterestRateStrategyVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(vectorDir, "interest_rate_strategy.json"))
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	var v strategyVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) != 7 {
		t.Fatalf("%d cases, want 7", len(v.Cases))
	}
	p := func(k string) uint256.Int {
		s, ok := v.Params[k]
		if !ok {
			t.Fatalf("missing strategy parameter %s", k)
		}
		return num(t, s)
	}
	s := RateStrategy{
		OptimalUsageRatio:             p("optimalUsageRatio"),
		BaseVariableBorrowRate:        p("baseVariableBorrowRate"),
		VariableRateSlope1:            p("variableRateSlope1"),
		VariableRateSlope2:            p("variableRateSlope2"),
		StableRateSlope1:              p("stableRateSlope1"),
		StableRateSlope2:              p("stableRateSlope2"),
		BaseStableRateOffset:          p("baseStableRateOffset"),
		StableRateExcessOffset:        p("stableRateExcessOffset"),
		OptimalStableToTotalDebtRatio: p("optimalStableToTotalDebtRatio"),
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Cases {
		in := func(k string) uint256.Int {
			x, ok := c.Inputs[k]
			if !ok {
				t.Fatalf("%s: missing input %s", c.Test, k)
			}
			return num(t, x)
		}
		got, err := s.CalculateInterestRates(&RateInputs{
			Unbacked:                in("unbacked"),
			LiquidityAdded:          in("liquidityAdded"),
			LiquidityTaken:          in("liquidityTaken"),
			TotalStableDebt:         in("totalStableDebt"),
			TotalVariableDebt:       in("totalVariableDebt"),
			AverageStableBorrowRate: in("averageStableBorrowRate"),
			ReserveFactor:           v.ReserveFactor,
		})
		if err != nil {
			t.Errorf("%s: %v", c.Test, err)
			continue
		}
		for _, f := range []struct {
			name string
			got  uint256.Int
		}{
			{"liquidityRate", got.Liquidity},
			{"stableBorrowRate", got.StableBorrow},
			{"variableBorrowRate", got.VariableBorrow},
		} {
			want := num(t, c.Expected[f.name])
			if !f.got.Eq(&want) {
				t.Errorf("%s: %s = %s, want %s", c.Test, f.name, f.got.Dec(), want.Dec())
			}
		}
	}
}

// TestMathReverts checks the libraries' overflow guards at their exact
// boundaries: the largest operand that passes and the next one, which
// reverts.
func TestMathReverts(t *testing.T) {
	maxDiv := func(half, unit *uint256.Int) uint256.Int { // ⌊(2^256−1−half)/unit⌋
		var z uint256.Int
		z.Sub(&maxU256, half)
		z.Div(&z, unit)
		return z
	}
	one := uint256.NewInt(1)
	type fn func(a, b *uint256.Int) (uint256.Int, error)
	tests := []struct {
		name string
		f    fn
		b    uint256.Int
		edge uint256.Int // largest a that passes
	}{
		{"wadMul", WadMul, wad, maxDiv(&halfWad, &wad)},
		{"rayMul", RayMul, ray, maxDiv(&halfRay, &ray)},
		{"wadDiv", WadDiv, *uint256.NewInt(3), maxDiv(one, &wad)},
		{"rayDiv", RayDiv, *uint256.NewInt(3), maxDiv(one, &ray)},
		{"percentMul", PercentMul, *uint256.NewInt(7000), maxDiv(&halfPct, uint256.NewInt(7000))},
		{"percentDiv", PercentDiv, *uint256.NewInt(7000), maxDiv(uint256.NewInt(3500), &pctFactor)},
	}
	for _, tt := range tests {
		if _, err := tt.f(&tt.edge, &tt.b); err != nil {
			t.Errorf("%s(%s, %s): unexpected revert %v", tt.name, tt.edge.Dec(), tt.b.Dec(), err)
		}
		var next uint256.Int
		next.AddUint64(&tt.edge, 1)
		if _, err := tt.f(&next, &tt.b); err == nil {
			t.Errorf("%s(%s, %s): no revert", tt.name, next.Dec(), tt.b.Dec())
		}
	}
	for _, f := range []fn{WadDiv, RayDiv, PercentDiv} {
		if _, err := f(one, &zero); err == nil {
			t.Error("division by zero did not revert")
		}
	}
	for _, f := range []fn{WadMul, RayMul, PercentMul} {
		if z, err := f(&maxU256, &zero); err != nil || !z.IsZero() {
			t.Errorf("x·0 = %s, %v; want 0", z.Dec(), err)
		}
	}
	var big uint256.Int
	big.Div(&maxU256, &wadRay)
	if _, err := WadToRay(&big); err != nil {
		t.Errorf("wadToRay(%s): %v", big.Dec(), err)
	}
	big.AddUint64(&big, 1)
	if _, err := WadToRay(&big); err == nil {
		t.Errorf("wadToRay(%s): no revert", big.Dec())
	}
}

// TestRoundingHalfUp checks the rounding of each operation on exact halves,
// where half-up and truncation differ.
func TestRoundingHalfUp(t *testing.T) {
	u := func(x uint64) *uint256.Int { return uint256.NewInt(x) }
	tests := []struct {
		name string
		got  func() (uint256.Int, error)
		want uint64
	}{
		{"wadMul 0.5 wei up", func() (uint256.Int, error) { return WadMul(u(1), u(Wad/2)) }, 1},
		{"wadMul below half down", func() (uint256.Int, error) { return WadMul(u(1), u(Wad/2-1)) }, 0},
		{"wadDiv 1/2 wei", func() (uint256.Int, error) { return WadDiv(u(1), u(2*Wad)) }, 1},
		{"wadDiv 1/3 wei", func() (uint256.Int, error) { return WadDiv(u(1), u(3*Wad)) }, 0},
		{"rayDiv 1/2 wei", func() (uint256.Int, error) { return RayDiv(u(1), ptr(num(t, "2000000000000000000000000000"))) }, 1},
		{"rayMul 0.5 wei up", func() (uint256.Int, error) { return RayMul(u(1), ptr(num(t, "500000000000000000000000000"))) }, 1},
		{"percentMul 0.5 up", func() (uint256.Int, error) { return PercentMul(u(1), u(5000)) }, 1},
		{"percentMul 0.4999 down", func() (uint256.Int, error) { return PercentMul(u(1), u(4999)) }, 0},
		{"percentDiv 1/20000", func() (uint256.Int, error) { return PercentDiv(u(1), u(20000)) }, 1},
		{"percentDiv 1/20001", func() (uint256.Int, error) { return PercentDiv(u(1), u(20001)) }, 0},
	}
	for _, tt := range tests {
		got, err := tt.got()
		if err != nil || got.CmpUint64(tt.want) != 0 {
			t.Errorf("%s = %s, %v; want %d", tt.name, got.Dec(), err, tt.want)
		}
	}
}

// TestInterestFormulas checks LinearInterest and CompoundedInterest against
// the closed forms: a 10% rate over a full year, and the binomial terms
// computed step by step at small n, where the n−1 and n−2 factors vanish.
func TestInterestFormulas(t *testing.T) {
	tenPct := num(t, "100000000000000000000000000") // 0.1 ray
	lin, err := LinearInterest(&tenPct, 1000, 1000+SecondsPerYear)
	if err != nil || lin.Dec() != "1100000000000000000000000000" {
		t.Errorf("linear 10%% over a year = %s, %v", lin.Dec(), err)
	}
	// n = 1: only the first term; n = 2: (n−2) is 0, no third term.
	for _, n := range []uint64{0, 1, 2, 3, SecondsPerYear} {
		got, err := CompoundedInterest(&tenPct, 5, 5+n)
		if err != nil {
			t.Fatal(err)
		}
		want := compoundedByHand(&tenPct, n)
		if !got.Eq(&want) {
			t.Errorf("compounded n=%d: %s, want %s", n, got.Dec(), want.Dec())
		}
	}
	// A year at 10% by the approximation: 1 + 0.1 + 0.005 + 0.000166…,
	// short of e^0.1 = 1.10517091…, as the contract undercharges.
	year, _ := CompoundedInterest(&tenPct, 0, SecondsPerYear)
	if s := year.Dec(); !strings.HasPrefix(s, "110516") {
		t.Errorf("compounded year = %s, want 1.10516…e27", s)
	}
	if _, err := LinearInterest(&tenPct, 10, 9); err == nil {
		t.Error("time going backwards did not revert")
	}
	if _, err := CompoundedInterest(&tenPct, 10, 9); err == nil {
		t.Error("time going backwards did not revert")
	}
}

// compoundedByHand evaluates the binomial formula term by term, without
// compoundedInterest's overflow checks.
func compoundedByHand(rate *uint256.Int, n uint64) uint256.Int {
	if n == 0 {
		return ray
	}
	y := uint256.NewInt(SecondsPerYear)
	var b2, b3, first, second, third, sum uint256.Int
	b2.Mul(rate, rate)
	b2.Add(&b2, &halfRay)
	b2.Div(&b2, &ray)
	b2.Div(&b2, uint256.NewInt(SecondsPerYear*SecondsPerYear))
	b3.Mul(&b2, rate)
	b3.Add(&b3, &halfRay)
	b3.Div(&b3, &ray)
	b3.Div(&b3, y)
	first.Mul(rate, uint256.NewInt(n))
	first.Div(&first, y)
	n2 := uint64(0)
	if n > 2 {
		n2 = n - 2
	}
	second.Mul(uint256.NewInt(n), uint256.NewInt(n-1))
	third.Mul(&second, uint256.NewInt(n2))
	second.Mul(&second, &b2)
	second.Div(&second, uint256.NewInt(2))
	third.Mul(&third, &b3)
	third.Div(&third, uint256.NewInt(6))
	sum.Add(&ray, &first)
	sum.Add(&sum, &second)
	sum.Add(&sum, &third)
	return sum
}
