package compound

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

// vectorDir holds the Compound v2 reference vectors (origin in
// testdata/PROVENANCE.md); the tests fail rather than skip when one is missing.
var vectorDir = "testdata"

// pct returns a whole percentage as a mantissa: pct(10) = 0.1e18.
func pct(t testing.TB, s string) uint256.Int {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("bad percentage %q: %v", s, err)
	}
	var z uint256.Int
	return *z.Mul(uint256.NewInt(n), uint256.NewInt(1e16))
}

// TestJumpRateModelVectors checks every point of jump_rate_model_points.csv
// three ways:
//   - the constructor's per-block constants, exactly;
//   - the utilization and per-block borrow rate at the exact utilization
//     util%·1e16 (cash = 1e18 − borrows, no reserves), exactly;
//   - the test's own assertion: with borrows = reserves = 1e18 and
//     cash = 1e36/(util·1e16) computed in floating point as the JavaScript
//     test does, the annualised rate rate/1e16·2102400 is within the
//     tolerance of the expected percentage.
func TestJumpRateModelVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(vectorDir, "jump_rate_model_points.csv"))
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
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range []string{"jump_pct", "kink_pct", "base_pct", "slope_pct", "baseRatePerBlock",
		"multiplierPerBlock", "jumpMultiplierPerBlock", "kink_mantissa", "util_pct",
		"expected_annual_borrow_rate_pct", "tolerance_pct", "derived_util_mantissa", "derived_borrow_rate_per_block"} {
		if _, ok := col[name]; !ok {
			t.Fatalf("missing column %s", name)
		}
	}
	rows = rows[1:]
	if len(rows) != 18 {
		t.Fatalf("%d points, want 18", len(rows))
	}
	for _, row := range rows {
		get := func(name string) string { return row[col[name]] }
		name := "jump=" + get("jump_pct") + " kink=" + get("kink_pct") + " util=" + get("util_pct")
		base, slope, jump, kink := pct(t, get("base_pct")), pct(t, get("slope_pct")), pct(t, get("jump_pct")), pct(t, get("kink_pct"))
		m := NewJumpRateModel(&base, &slope, &jump, &kink)
		for _, f := range []struct {
			col string
			got uint256.Int
		}{
			{"baseRatePerBlock", m.BaseRatePerBlock},
			{"multiplierPerBlock", m.MultiplierPerBlock},
			{"jumpMultiplierPerBlock", m.JumpMultiplierPerBlock},
			{"kink_mantissa", m.Kink},
		} {
			if want := num(t, get(f.col)); !f.got.Eq(&want) {
				t.Errorf("%s: %s = %s, want %s", name, f.col, f.got.Dec(), want.Dec())
			}
		}

		// Exact utilization.
		borrows := pct(t, get("util_pct"))
		var cash uint256.Int
		cash.Sub(&expScale, &borrows)
		util, err := UtilizationRate(&cash, &borrows, &zero)
		if want := num(t, get("derived_util_mantissa")); err != nil || !util.Eq(&want) {
			t.Errorf("%s: utilization %s, %v; want %s", name, util.Dec(), err, want.Dec())
		}
		rate, err := m.BorrowRate(&cash, &borrows, &zero)
		if want := num(t, get("derived_borrow_rate_per_block")); err != nil || !rate.Eq(&want) {
			t.Errorf("%s: borrow rate %s, %v; want %s", name, rate.Dec(), err, want.Dec())
		}

		// The JavaScript test's setup and tolerance.
		u, _ := strconv.ParseFloat(get("util_pct"), 64)
		expected, _ := strconv.ParseFloat(get("expected_annual_borrow_rate_pct"), 64)
		tol, _ := strconv.ParseFloat(get("tolerance_pct"), 64)
		var jsBorrows, jsReserves, jsCash uint256.Int
		if u != 0 {
			jsBorrows.SetUint64(1e18)
			jsReserves.SetUint64(1e18)
			jsCash = num(t, strconv.FormatFloat(1e36/(u*1e16), 'f', -1, 64))
		}
		rate, err = m.BorrowRate(&jsCash, &jsBorrows, &jsReserves)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		annual := rate.Float64() / 1e16 * BlocksPerYear
		if math.Abs(annual-expected) > tol {
			t.Errorf("%s: annual rate %v%%, want %v%% ± %v", name, annual, expected, tol)
		}
	}
}

// TestJumpRateModelV2 checks BaseJumpRateModelV2's multiplier scaling, which
// makes the per-year multiplier the rate reached at the kink:
// ⌊0.2e18·1e18 / (2102400·0.8e18)⌋.
func TestJumpRateModelV2(t *testing.T) {
	base, mult, jump, kink := uint256.NewInt(2e16), uint256.NewInt(2e17), uint256.NewInt(1e18), uint256.NewInt(8e17)
	m, err := NewJumpRateModelV2(base, mult, jump, kink)
	if err != nil {
		t.Fatal(err)
	}
	// 2e35 / 1.68192e24 = 118911719939.117…
	if got := m.MultiplierPerBlock.Dec(); got != "118911719939" {
		t.Errorf("multiplierPerBlock = %s", got)
	}
	if got := m.BaseRatePerBlock.Dec(); got != "9512937595" {
		t.Errorf("baseRatePerBlock = %s", got)
	}
	if _, err := NewJumpRateModelV2(base, mult, jump, &zero); err == nil {
		t.Error("zero kink did not revert")
	}
}

// TestModelReverts checks the models' reverts and rounding edges.
func TestModelReverts(t *testing.T) {
	m := NewJumpRateModel(uint256.NewInt(1e17), uint256.NewInt(2e17), uint256.NewInt(1e18), uint256.NewInt(9e17))
	one := uint256.NewInt(1)
	if _, err := UtilizationRate(&zero, one, uint256.NewInt(2)); err == nil {
		t.Error("reserves above cash + borrows did not revert")
	}
	if _, err := UtilizationRate(&zero, one, one); err == nil {
		t.Error("zero denominator did not revert")
	}
	if _, err := UtilizationRate(&maxU256, one, &zero); err == nil {
		t.Error("cash + borrows overflow did not revert")
	}
	if _, err := m.SupplyRate(one, one, &zero, uint256.NewInt(1e18+1)); err == nil {
		t.Error("reserve factor above 1e18 did not revert")
	}
	// Reserves above cash make utilization exceed 100%, as on chain.
	u, err := UtilizationRate(uint256.NewInt(50), uint256.NewInt(100), uint256.NewInt(75))
	if err != nil || u.Dec() != "1333333333333333333" {
		t.Errorf("utilization = %s, %v", u.Dec(), err)
	}
	// Supply rate at 50% utilization, 10% reserve factor.
	r, err := m.SupplyRate(uint256.NewInt(5e17), uint256.NewInt(5e17), &zero, uint256.NewInt(1e17))
	var want uint256.Int
	want.Mul(&m.MultiplierPerBlock, uint256.NewInt(5e17))
	want.Div(&want, &expScale)
	want.Add(&want, &m.BaseRatePerBlock)
	want.Mul(&want, uint256.NewInt(9e17))
	want.Div(&want, &expScale)
	want.Mul(&want, uint256.NewInt(5e17))
	want.Div(&want, &expScale)
	if err != nil || !r.Eq(&want) {
		t.Errorf("supply rate = %s, %v; want %s", r.Dec(), err, want.Dec())
	}
}
