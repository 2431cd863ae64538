// Package boundary locates the edge of a safe region by adaptive search:
// bisection along lines of a parameter grid, each point's verdict settled
// by a sequential test on its failure probability, and bounds the failure
// probability of the region found.
//
// A point x of the parameter space fails a run with probability p(x); it
// is safe when p(x) ≤ p0. Along a line (one parameter varying on a grid of
// R values, the others fixed), p is assumed monotone: the search then needs
// about log2(R) points per line instead of R. The assumption is stated with
// every result; a line whose verdicts contradict it is reported.
//
// Everything here is a pure state machine: the caller runs simulations and
// reports failures; the package says which point and how many runs next.
package boundary

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Verdict is the outcome of a point's sequential test.
type Verdict int

// Verdicts.
const (
	Pending   Verdict = iota // more runs needed
	Safe                     // p ≤ p0 at the stated confidence
	Unsafe                   // p > p0 at the stated confidence
	Undecided                // the run budget ran out: p is close to p0
)

func (v Verdict) String() string {
	return [...]string{"pending", "safe", "unsafe", "undecided"}[v]
}

// UpperBound is the one-sided Clopper–Pearson upper confidence bound on a
// binomial proportion after k failures in n trials: the p at which
// P(X ≤ k | n, p) = 1 − conf, which is the conf-quantile of Beta(k+1, n−k)
// (1 when k = n).
func UpperBound(k, n int, conf float64) float64 {
	if n == 0 || k >= n {
		return 1
	}
	return distuv.Beta{Alpha: float64(k + 1), Beta: float64(n - k)}.Quantile(conf)
}

// LowerBound is the one-sided Clopper–Pearson lower bound: the
// (1−conf)-quantile of Beta(k, n−k+1) (0 when k = 0).
func LowerBound(k, n int, conf float64) float64 {
	if n == 0 || k <= 0 {
		return 0
	}
	return distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(1 - conf)
}

// Test is a group-sequential test of p ≤ P0 against p > P0: runs are added
// Batch at a time up to MaxRuns; after each batch, with k failures in n
// runs, the point is Safe if UpperBound(k, n, 1−a) < P0 and Unsafe if
// LowerBound(k, n, 1−a) > P0, where a = Alpha / looks and looks =
// ⌈MaxRuns/Batch⌉. Splitting Alpha over the looks (Bonferroni) keeps the
// probability of a wrong verdict at each point at most Alpha however many
// looks are taken.
type Test struct {
	P0, Alpha      float64
	Batch, MaxRuns int
}

// Check reports an unusable test.
func (t Test) Check() error {
	switch {
	case !(t.P0 > 0 && t.P0 < 1):
		return fmt.Errorf("p0 must be between 0 and 1, got %g", t.P0)
	case !(t.Alpha > 0 && t.Alpha < 1):
		return fmt.Errorf("alpha must be between 0 and 1, got %g", t.Alpha)
	case t.Batch < 1 || t.MaxRuns < t.Batch:
		return fmt.Errorf("need 1 ≤ batch ≤ max runs, got %d and %d", t.Batch, t.MaxRuns)
	}
	return nil
}

// Looks is the number of interim analyses.
func (t Test) Looks() int { return (t.MaxRuns + t.Batch - 1) / t.Batch }

// Verdict returns the test's verdict after k failures in n runs.
func (t Test) Verdict(k, n int) Verdict {
	if n == 0 {
		return Pending
	}
	conf := 1 - t.Alpha/float64(t.Looks())
	if UpperBound(k, n, conf) < t.P0 {
		return Safe
	}
	if LowerBound(k, n, conf) > t.P0 {
		return Unsafe
	}
	if n >= t.MaxRuns {
		return Undecided
	}
	return Pending
}

// MinSafeRuns is the fewest runs that can prove a point safe (with no
// failure at all): the smallest n with 1 − (a)^(1/n) < P0.
func (t Test) MinSafeRuns() int {
	a := t.Alpha / float64(t.Looks())
	return int(math.Ceil(math.Log(a) / math.Log(1-t.P0)))
}

// Point is the running state of one point's test.
type Point struct {
	Fails, Runs int
	Verdict     Verdict
}

// Add records a batch of runs with fails failures and updates the verdict.
func (p *Point) Add(t Test, fails, runs int) {
	p.Fails += fails
	p.Runs += runs
	p.Verdict = t.Verdict(p.Fails, p.Runs)
}

// NextRuns is the number of runs the point needs next (0 when settled).
func (p *Point) NextRuns(t Test) int {
	if p.Verdict != Pending && p.Runs > 0 {
		return 0
	}
	return min(t.Batch, t.MaxRuns-p.Runs)
}
