package spiral

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// paperDir holds copies of the paper's tables (see testdata/PROVENANCE.md).
var paperDir = "testdata"

func readCSV(t testing.TB, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(paperDir, name))
	if err != nil {
		t.Fatalf("reference papers missing: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func num(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(s), "~"), 64)
	if err != nil {
		t.Fatalf("bad number %q: %v", s, err)
	}
	return v
}

// setup returns β, r̂ = r0 and D from the Sec. 3.5 simulation setup.
func setup(t testing.TB) (beta, rHat, d float64) {
	params := map[string]string{}
	for _, rec := range readCSV(t, "km_simulation_setup.csv")[1:] {
		params[rec[0]] = rec[1]
	}
	return num(t, params["beta"]), num(t, params["r0"]), num(t, params["D"])
}

// TestTable31 reproduces Table 3.1: a deleveraging spiral as ETH falls from
// 85 to 81, with β, r̂ and D from the simulation setup, L0 = D·r̂ and
// n0 = 1.8 ETH. Tolerances are the table's printed precision: L within
// 0.01, pD and n within 0.002.
func TestTable31(t *testing.T) {
	beta, rHat, d := setup(t)
	rows := readCSV(t, "km_table3_1_deleveraging_spiral.csv")
	hdr := map[string]int{}
	for i, h := range rows[0] {
		hdr[h] = i
	}
	rows = rows[1:]
	if len(rows) != 4 {
		t.Fatalf("want t = 0..3, got %d rows", len(rows))
	}
	get := func(row []string, col string) float64 { return num(t, row[hdr[col]]) }
	m := ConstantDemand{Constraint: Constraint{Beta: beta, Lambda: 1}, D: d, RHat: rHat}
	l0 := get(rows[0], "L")
	if math.Abs(l0-d*rHat) > 0.01 {
		t.Fatalf("table L0 %v is not D·r̂ = %v", l0, d*rHat)
	}
	s := m.Initial(d*rHat, get(rows[0], "n"))
	if math.Abs(s.PD-get(rows[0], "pD")) > 0.002 {
		t.Errorf("t=0: pD %.4f, table %v", s.PD, rows[0][hdr["pD"]])
	}
	for _, row := range rows[1:] {
		pE := get(row, "pE")
		next, delta, err := m.Step(s, pE)
		if err != nil {
			t.Fatalf("t=%s: %v", row[0], err)
		}
		lo, hi, _ := m.Feasible(m.Market(s, pE))
		if delta != hi || m.Market(s, pE).Optimum(rHat) <= hi || lo >= hi {
			t.Errorf("t=%s: the constraint should bind at Δmax: Δ %v, set [%v, %v]", row[0], delta, lo, hi)
		}
		s = next
		for _, c := range []struct {
			col      string
			got, tol float64
		}{
			{"Delta", delta, 0.01},
			{"L", s.L, 0.01},
			{"pD", s.PD, 0.002},
			{"n", s.N, 0.002},
		} {
			if want := get(row, c.col); math.Abs(c.got-want) > c.tol {
				t.Errorf("t=%s: %s = %.5f, table %v (tolerance %v)", row[0], c.col, c.got, want, c.tol)
			}
		}
		// A binding constraint holds with equality: n·pE = β·L.
		if r := s.N * pE / (beta * s.L); math.Abs(r-1) > 1e-12 {
			t.Errorf("t=%s: collateral ratio / β = %v, want 1", row[0], r)
		}
	}
}

// TestTheorem31 checks the closed-form supply path L_t = D·r̂^((2^t−1)/2^t)
// against the simulated one when the constraint never binds, within 1e-9,
// and Prop. 3.5's price ratio along it.
func TestTheorem31(t *testing.T) {
	beta, rHat, d := setup(t)
	for _, rh := range []float64{rHat, 0.97, 1.25} {
		m := ConstantDemand{Constraint: Constraint{Beta: beta, Lambda: 1}, D: d, RHat: rh}
		s := m.Initial(d, 400) // n0 = 400 ETH from the setup: far from the constraint
		const pE = 100.0
		for step := 1; step <= 60; step++ {
			mk := m.Market(s, pE)
			next, delta, err := m.Step(s, pE)
			if err != nil {
				t.Fatal(err)
			}
			if delta != mk.Optimum(rh) {
				t.Fatalf("r̂ %v t=%d: constraint binds", rh, step)
			}
			if want := SupplyPath(d, rh, step); math.Abs(next.L-want) > 1e-9 {
				t.Errorf("r̂ %v t=%d: L %.15g, Theorem 3.1 %.15g", rh, step, next.L, want)
			}
			if got, want := next.PD/s.PD, PriceRatio(s.L, d, rh); math.Abs(got-want) > 1e-12 {
				t.Errorf("r̂ %v t=%d: pD ratio %v, Prop 3.5 %v", rh, step, got, want)
			}
			s = next
		}
		if math.Abs(s.PD-1/rh) > 1e-12 {
			t.Errorf("r̂ %v: steady price %v, want 1/r̂", rh, s.PD)
		}
	}
	if SupplyPath(d, rHat, 0) != d || SupplyPath(d, rHat, 5000) != d*rHat {
		t.Error("SupplyPath limits")
	}
}

// TestFeasibleSet checks Props. 3.1, 3.3 and 3.4 on a grid of markets: the
// feasible set's endpoints satisfy the constraint with equality, points
// inside satisfy it, Prop. 3.3's condition agrees with Feasible, and the
// maximum reduction empties the speculator's collateral.
func TestFeasibleSet(t *testing.T) {
	for _, lam := range []float64{1, 0.8, 0.5} {
		c := Constraint{Beta: 1.5, Lambda: lam}
		for _, x := range []float64{20, 100, 300} {
			for _, y := range []float64{-150, -100, -30} {
				for _, z := range []float64{40, 120, 160, 300, 1000} {
					m := Market{X: x, Y: y, Z: z, L: 100}
					slack := func(d float64) float64 { return c.Lambda*(m.Z+d*m.Price(d)) - c.Beta*(m.L+d) }
					lo, hi, ok := c.Feasible(m)
					disc := c.InfeasibleProp33(m)
					if disc && ok {
						t.Errorf("%+v λ̃ %v: Prop 3.3 says infeasible, Feasible found [%v, %v]", m, lam, lo, hi)
					}
					if !ok {
						if _, err := c.Decide(m, 1.01); !errors.Is(err, ErrInfeasible) {
							t.Errorf("%+v: Decide err %v", m, err)
						}
						continue
					}
					if s := slack(hi); math.Abs(s) > 1e-9*(1+math.Abs(m.Z)) {
						t.Errorf("%+v λ̃ %v: slack at Δmax %v", m, lam, s)
					}
					if lo > m.Y {
						if s := slack(lo); math.Abs(s) > 1e-9*(1+math.Abs(m.Z)) {
							t.Errorf("%+v λ̃ %v: slack at Δmin %v", m, lam, s)
						}
					}
					for _, f := range []float64{0.1, 0.5, 0.9} {
						if d := lo + f*(hi-lo); d > m.Y && slack(d) < -1e-9 {
							t.Errorf("%+v: interior point %v violates the constraint", m, d)
						}
					}
					if d, err := c.Decide(m, 1.01); err != nil || d < lo || d > hi {
						t.Errorf("%+v: Decide %v, %v outside [%v, %v]", m, d, err, lo, hi)
					}
				}
				m := Market{X: x, Y: y, Z: 77, L: 100}
				dm := m.MaxReduction()
				if got := m.Z + dm*m.Price(dm); math.Abs(got) > 1e-9 {
					t.Errorf("%+v: collateral after maximum reduction %v", m, got)
				}
				if dm <= m.Y || dm >= 0 {
					t.Errorf("%+v: Δ⁻ %v not in (y, 0)", m, dm)
				}
			}
		}
	}
}

// TestOptimum checks Prop. 3.2: Δ* is a stationary point and a maximum of
// the expected equity r̂(z + Δ·pD(Δ)) − (L + Δ).
func TestOptimum(t *testing.T) {
	m := Market{X: 100, Y: -97, Z: 150, L: 97}
	const r = 1.00583
	eq := func(d float64) float64 { return r*(m.Z+d*m.Price(d)) - (m.L + d) }
	d := m.Optimum(r)
	for _, h := range []float64{1e-3, 1e-1, 1} {
		if eq(d+h) > eq(d) || eq(d-h) > eq(d) {
			t.Errorf("Δ* = %v is not a maximum at ±%v", d, h)
		}
	}
}

func TestStabilityClosedForms(t *testing.T) {
	for _, c := range []struct{ alpha, d, l, nBar float64 }{
		{1.05, 100, 100, 2}, {1, 100, 60, 1.5}, {1.28, 250, 300, 4},
	} {
		u := ExhaustionPrice(c.alpha, c.d, c.l, c.nBar) * c.nBar
		if res := u*(2*u-2*c.l) - c.alpha*c.d*(3*c.l-2*u); math.Abs(res) > 1e-9*c.d*c.l {
			t.Errorf("%+v: c(L) residual %v", c, res)
		}
		x := 0.9 * LiquidationPrice(1.5, c.l, c.nBar)
		if got, want := Repurchase(1.5, c.l, c.nBar, x), 3*c.l-2*c.nBar*x; math.Abs(got-want) > 1e-9 {
			t.Errorf("%+v: ℓ %v, 3L − 2N̄X = %v", c, got, want)
		}
		// Prop. 2.2 scale invariance: scaling L, D, N̄ by γ scales ℓ by γ
		// and leaves thresholds in ETH price unchanged.
		const g = 3.7
		if a, b := ExhaustionPrice(c.alpha, g*c.d, g*c.l, g*c.nBar), ExhaustionPrice(c.alpha, c.d, c.l, c.nBar); math.Abs(a-b) > 1e-12*b {
			t.Errorf("%+v: c not scale invariant: %v vs %v", c, a, b)
		}
		if a, b := Repurchase(1.5, g*c.l, g*c.nBar, x), g*Repurchase(1.5, c.l, c.nBar, x); math.Abs(a-b) > 1e-9*math.Abs(b) {
			t.Errorf("%+v: ℓ not homogeneous: %v vs %v", c, a, b)
		}
	}
	if !SufficientStability(1.05, 100, 65) || SufficientStability(1.05, 100, 60) {
		t.Error("Assumption 2.8 at α = 1.05: Z < 1.62 should hold, Z = 1.667 should not")
	}
}
