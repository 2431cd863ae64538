package spiral

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// The state machine with a risk-neutral speculator of constant r̂ follows
// ConstantDemand exactly: Table 3.1 by the stochastic model's path.
func TestSystemTable31(t *testing.T) {
	beta, rHat, d := setup(t)
	rows := readCSV(t, "km_table3_1_deleveraging_spiral.csv")[1:]
	s := System{Beta: beta, Demand: Demand{Dollars: d}, FailPrice: 0.5, FailSteps: 2}
	if err := s.Open(d*rHat, num(t, rows[0][5]), 0, num(t, rows[0][1]), 0); err != nil {
		t.Fatal(err)
	}
	sp := Speculator{Fixed: rHat, Memory: 0.1}
	cd := ConstantDemand{Constraint: Constraint{Beta: beta, Lambda: 1}, D: d, RHat: rHat}
	ref := cd.Initial(d*rHat, num(t, rows[0][5]))
	for _, row := range rows[1:] {
		pE := num(t, row[1])
		if f := s.Move(pE); f != Running {
			t.Fatalf("t=%s: %v", row[0], f)
		}
		delta, err := sp.Decide(s.Market(pE), beta)
		if err != nil {
			t.Fatal(err)
		}
		if !sp.Binding || sp.Recovery {
			t.Errorf("t=%s: binding %v recovery %v, want a binding liquidation constraint", row[0], sp.Binding, sp.Recovery)
		}
		if err := s.Clear(delta); err != nil {
			t.Fatal(err)
		}
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
		ref, _, _ = cd.Step(ref, pE)
		if s.L != ref.L || s.N != ref.N || s.PD != ref.PD {
			t.Errorf("t=%s: System (%v, %v, %v), ConstantDemand (%v, %v, %v)", row[0], s.L, s.N, s.PD, ref.L, ref.N, ref.PD)
		}
	}
}

// Under constant demand and λ̃ = 1 the discriminant of Prop. 3.1's quadratic
// is (n·pE + D)² − 4βLD, so the system fails exactly when
//
//	n·pE < 2√(βLD) − D.
func TestInfeasibleThreshold(t *testing.T) {
	for _, c := range []struct{ beta, l, d, n float64 }{{1.5, 100, 100, 150}, {1.5, 120, 100, 3}, {2, 80, 100, 10}} {
		crit := (2*math.Sqrt(c.beta*c.l*c.d) - c.d) / c.n
		for _, f := range []float64{0.999, 1.001} {
			s := System{Beta: c.beta, Demand: Demand{Dollars: c.d}}
			if err := s.Open(c.l, c.n, 0, 2*crit, 0); err != nil {
				t.Fatal(err)
			}
			got := s.Move(crit * f)
			if want := map[bool]Failure{true: Infeasible, false: Running}[f < 1]; got != want {
				t.Errorf("%+v at %v × critical price: %v, want %v", c, f, got, want)
			}
		}
	}
}

// Along random paths every rule keeps the identities, and a failed system
// refuses to clear.
func TestSystemIdentities(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rules := []Speculator{
		{Memory: 0.1}, // risk neutral
		{Alpha: NormalQuantile(0.1), B: 0.5, Memory: 0.1}, // VaR, normal
		{Alpha: HeavyQuantile(0.01), B: 0.5, Memory: 0.1}, // VaR, heavy tails
		{Alpha: 0.01, B: -0.25, Memory: 0.1},              // anticyclical
		{Alpha: NormalQuantile(0.1), B: 0.5, Memory: 0.1, Fixed: 1.00583},
	}
	for _, dem := range []Demand{{Dollars: 100}, {Share: 0.2}} {
		for k, rule := range rules {
			s := System{Beta: 1.5, Demand: dem, FailPrice: 0.5, FailSteps: 2}
			if err := s.Open(100, 400, 2000, 1, 1); err != nil {
				t.Fatal(err)
			}
			sp := rule
			sp.Start(0, 0.028*0.028)
			pE := 1.0
			for step := 0; step < 2000 && s.Cause == Running; step++ {
				r := 0.05 * rng.NormFloat64()
				pE *= math.Exp(r)
				sp.Observe(r)
				if s.Move(pE) != Running {
					break
				}
				delta, err := sp.Decide(s.Market(pE), s.Beta)
				if err != nil {
					t.Fatalf("rule %d: feasible system, infeasible decision: %v", k, err)
				}
				if err := s.Clear(delta); err != nil {
					t.Fatal(err)
				}
				if err := s.Check(); err != nil {
					t.Fatalf("rule %d step %d: %v", k, step, err)
				}
			}
			if s.Cause != Running {
				if err := s.Clear(0); !errors.Is(err, ErrFailed) {
					t.Errorf("clear after failure: %v", err)
				}
				if s.FailedAt != s.Period {
					t.Errorf("failed at %d, period %d", s.FailedAt, s.Period)
				}
			}
		}
	}
}

// The VaR multiples of the setup: α ≈ 1.28 for a normal VaR at a = 0.1.
func TestQuantiles(t *testing.T) {
	for _, c := range []struct{ got, want, tol float64 }{
		{NormalQuantile(0.1), 1.2815515655446004, 1e-12},
		{NormalQuantile(0.01), 2.3263478740408408, 1e-12},
		{HeavyQuantile(0.1), math.Sqrt(5), 1e-15},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
	sp := Speculator{Alpha: 1.28, B: 0.5}
	sp.Start(0, 0.04)
	if got := sp.Bound(); math.Abs(got-math.Exp(-1.28*0.2)) > 1e-15 {
		t.Errorf("λ̃ %v", got)
	}
}

// A depeg below the failure price for FailSteps periods fails the system.
func TestDepegRule(t *testing.T) {
	s := System{Beta: 1.5, Demand: Demand{Dollars: 100}, FailPrice: 0.5, FailSteps: 2}
	if err := s.Open(100, 1e6, 0, 1, 0); err != nil {
		t.Fatal(err)
	}
	for k, delta := range []float64{150, -40, 200, 10} { // prices 0.4, 0.476 (L 210), …
		s.Move(1)
		if err := s.Clear(delta); err != nil {
			t.Fatal(err)
		}
		want := map[int]Failure{0: Running, 1: Depegged}[k]
		if s.Cause != want {
			t.Fatalf("step %d: pD %v, %v, want %v", k, s.PD, s.Cause, want)
		}
		if s.Cause != Running {
			break
		}
	}
}
