// Package sensitivity apportions the variance of a model output to its
// inputs: Sobol first-order and total indices from Saltelli's design, and
// Morris elementary effects, each with bootstrap confidence intervals.
//
// Both methods work in the unit cube: they say which points to evaluate
// (SaltelliPoints, MorrisPlan.Points), the caller maps them to parameter
// values (design.Space) and runs the model, and the indices are computed
// from the outputs in the same order.
package sensitivity

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cascade-risk/cascade/design"
)

// Index is one input's Sobol indices with their confidence intervals.
type Index struct {
	Name string
	// First is S_i, the share of Var(Y) explained by X_i alone; Total is
	// S_Ti, the share that involves X_i at all (alone or in interactions).
	First, Total float64
	// [FirstLo, FirstHi] and [TotalLo, TotalHi] are percentile bootstrap
	// intervals at the Sobol result's Level.
	FirstLo, FirstHi, TotalLo, TotalHi float64
}

// SobolResult is a Sobol analysis of one output.
type SobolResult struct {
	// N is the number of base rows; the model ran N·(d+2) times.
	N int
	// Mean and Variance of the output over the A and B samples.
	Mean, Variance float64
	// Level is the confidence level of the intervals (0.95).
	Level   float64
	Indices []Index
}

// SaltelliPoints returns the unit-cube points at which to evaluate a model
// of d inputs for Sobol indices from n base rows: two independent samples
// A and B (the two halves of a 2d-dimensional scrambled Sobol sequence) and,
// for each input i, A_B^(i), which is A with column i taken from B. Row j
// gives d+2 consecutive points: A_j, A_B^(1)_j, …, A_B^(d)_j, B_j.
func SaltelliPoints(n, d int, rng *rand.Rand) ([][]float64, error) {
	if n < 2 || d < 1 {
		return nil, fmt.Errorf("need at least 2 rows and 1 input, got %d and %d", n, d)
	}
	base, err := design.SobolPoints(n, 2*d, rng)
	if err != nil {
		return nil, fmt.Errorf("%d inputs: %w", d, err)
	}
	pts := make([][]float64, 0, n*(d+2))
	for _, row := range base {
		a, b := row[:d], row[d:]
		pts = append(pts, slices.Clone(a))
		for i := range d {
			ab := slices.Clone(a)
			ab[i] = b[i]
			pts = append(pts, ab)
		}
		pts = append(pts, slices.Clone(b))
	}
	return pts, nil
}

// sobolEstimate computes (V, S_i, S_Ti) from the rows in idx.
//
//	V    = variance of the 2N values f(A_j), f(B_j)
//	S_i  = (1/N) Σ_j f(B_j) · (f(A_B^(i)_j) − f(A_j)) / V        (Saltelli et al. 2010, eq. (b))
//	S_Ti = (1/2N) Σ_j (f(A_j) − f(A_B^(i)_j))² / V               (Jansen 1999)
func sobolEstimate(y []float64, d int, idx []int, first, total []float64) (mean, v float64) {
	w := d + 2
	n := float64(len(idx))
	for _, j := range idx {
		mean += y[j*w] + y[j*w+d+1]
	}
	mean /= 2 * n
	for _, j := range idx {
		a, b := y[j*w]-mean, y[j*w+d+1]-mean
		v += a*a + b*b
	}
	v /= 2*n - 1
	for i := range d {
		var s, st float64
		for _, j := range idx {
			fa, fb, fab := y[j*w], y[j*w+d+1], y[j*w+1+i]
			s += fb * (fab - fa)
			st += (fa - fab) * (fa - fab)
		}
		first[i] = s / n / v
		total[i] = st / (2 * n) / v
	}
	return mean, v
}

// Sobol computes first-order and total indices from outputs y evaluated at
// SaltelliPoints (same order), with percentile bootstrap intervals at the
// given level from boot resamples of the rows, drawn from rng.
func Sobol(names []string, y []float64, level float64, boot int, rng *rand.Rand) (*SobolResult, error) {
	d := len(names)
	w := d + 2
	if d == 0 || len(y)%w != 0 || len(y) < 2*w {
		return nil, fmt.Errorf("expected a multiple of %d outputs (at least 2 rows), got %d", w, len(y))
	}
	for k, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("output %d is %g; Sobol indices need finite outputs", k, v)
		}
	}
	n := len(y) / w
	idx := make([]int, n)
	for j := range idx {
		idx[j] = j
	}
	res := &SobolResult{N: n, Level: level, Indices: make([]Index, d)}
	first, total := make([]float64, d), make([]float64, d)
	res.Mean, res.Variance = sobolEstimate(y, d, idx, first, total)
	if res.Variance == 0 {
		return nil, fmt.Errorf("the output does not vary over the %d points; no variance to apportion", len(y))
	}
	bf, bt := make([][]float64, d), make([][]float64, d)
	fb, tb := make([]float64, d), make([]float64, d)
	for range boot {
		for j := range idx {
			idx[j] = rng.IntN(n)
		}
		if _, v := sobolEstimate(y, d, idx, fb, tb); v == 0 {
			continue
		}
		for i := range d {
			bf[i] = append(bf[i], fb[i])
			bt[i] = append(bt[i], tb[i])
		}
	}
	for i := range d {
		lo, hi := percentiles(bf[i], level)
		tlo, thi := percentiles(bt[i], level)
		res.Indices[i] = Index{Name: names[i], First: first[i], Total: total[i], FirstLo: lo, FirstHi: hi, TotalLo: tlo, TotalHi: thi}
	}
	return res, nil
}

// percentiles returns the (1−level)/2 and (1+level)/2 empirical quantiles
// of xs (sorted in place), or NaNs when xs is empty.
func percentiles(xs []float64, level float64) (float64, float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(xs)
	q := func(p float64) float64 {
		h := p * float64(len(xs)-1)
		k := int(h)
		if k+1 >= len(xs) {
			return xs[len(xs)-1]
		}
		return xs[k] + (h-float64(k))*(xs[k+1]-xs[k])
	}
	return q((1 - level) / 2), q((1 + level) / 2)
}

// Ranked returns the indices ordered by total index, largest first.
func (r *SobolResult) Ranked() []Index {
	out := slices.Clone(r.Indices)
	slices.SortStableFunc(out, func(a, b Index) int {
		switch {
		case a.Total > b.Total:
			return -1
		case a.Total < b.Total:
			return 1
		}
		return 0
	})
	return out
}
