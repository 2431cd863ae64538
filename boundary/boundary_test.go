package boundary

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestClopperPearson(t *testing.T) {
	// With no failures the bound solves (1−p)^n = 1 − conf; with all
	// failures the lower bound solves p^n = 1 − conf.
	for _, n := range []int{1, 10, 59, 300} {
		if got, want := UpperBound(0, n, 0.95), 1-math.Pow(0.05, 1/float64(n)); math.Abs(got-want) > 1e-9 {
			t.Errorf("UpperBound(0, %d) = %g, want %g", n, got, want)
		}
		if got, want := LowerBound(n, n, 0.95), math.Pow(0.05, 1/float64(n)); math.Abs(got-want) > 1e-9 {
			t.Errorf("LowerBound(%d, %d) = %g, want %g", n, n, got, want)
		}
	}
	// 3 of 20 at 97.5% each side (the two-sided 95% interval): [0.0321, 0.3789].
	if lo, hi := LowerBound(3, 20, 0.975), UpperBound(3, 20, 0.975); math.Abs(lo-0.0321) > 1e-4 || math.Abs(hi-0.3789) > 1e-4 {
		t.Errorf("3/20: [%g, %g]", lo, hi)
	}
}

func TestSequentialTestErrorRate(t *testing.T) {
	// At p = p0/2 a wrong (unsafe) verdict must be rare, and at p = 2p0 a
	// wrong (safe) one: at most alpha each. Over 400 points the count of
	// wrong verdicts is below the binomial 99.9% quantile for alpha = 5%,
	// which is 33.
	test := Test{P0: 0.05, Alpha: 0.05, Batch: 20, MaxRuns: 2000}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		p     float64
		wrong Verdict
	}{{0.025, Unsafe}, {0.1, Safe}} {
		wrong, runs := 0, 0
		for range 400 {
			var pt Point
			for {
				n := pt.NextRuns(test)
				if n == 0 {
					break
				}
				k := 0
				for range n {
					if rng.Float64() < c.p {
						k++
					}
				}
				pt.Add(test, k, n)
			}
			if pt.Verdict == c.wrong {
				wrong++
			}
			runs += pt.Runs
		}
		t.Logf("p=%g: %d wrong verdicts of 400, %.0f runs per point", c.p, wrong, float64(runs)/400)
		if wrong > 33 {
			t.Errorf("p=%g: %d wrong verdicts", c.p, wrong)
		}
	}
}

func TestLineBisection(t *testing.T) {
	// Deterministic verdicts: unsafe from index e on (or below e when
	// decreasing). The search finds the bracket [e−1, e] with about
	// log2(R) + 2 points.
	for _, r := range []int{2, 3, 64, 1000} {
		for _, e := range []int{1, r / 2, r - 1} {
			for _, inc := range []bool{true, false} {
				l := NewLine(r)
				for {
					i, ok := l.Next()
					if !ok {
						break
					}
					unsafe := i >= e
					if !inc {
						unsafe = i < r-e
					}
					v := Safe
					if unsafe {
						v = Unsafe
					}
					l.Record(i, v)
				}
				o, s, u := l.Result()
				wantS, wantU := e-1, e
				if !inc {
					wantS, wantU = r-e, r-e-1
				}
				if o != Crossing || s != wantS || u != wantU || l.Increasing() != inc {
					t.Errorf("R=%d e=%d inc=%v: %v [%d, %d], want [%d, %d]", r, e, inc, o, s, u, wantS, wantU)
				}
				if max := int(math.Ceil(math.Log2(float64(r)))) + 2; l.Evaluated() > max {
					t.Errorf("R=%d: %d points, want at most %d", r, l.Evaluated(), max)
				}
			}
		}
	}
	l := NewLine(10)
	l.Record(0, Safe)
	l.Record(9, Safe)
	if _, ok := l.Next(); ok {
		t.Error("all-safe line not finished")
	}
	if o, _, _ := l.Result(); o != AllSafe {
		t.Errorf("outcome %v", o)
	}
}
