// Package discovery finds the regions of a parameter space where a
// condition holds (scenario discovery, Bryant and Lempert 2010): PRIM boxes
// (Friedman and Fisher 1999) and a classification tree (CART, Breiman et
// al. 1984), each region reported as a box of parameter ranges with its
// coverage and density.
//
// Data are n points x_k ∈ R^d with a 0/1 label y_k (1: the case of
// interest, such as "the design fails"). For a box B:
//
//	coverage = #{k: x_k ∈ B, y_k = 1} / #{k: y_k = 1}   (share of cases the box explains)
//	density  = #{k: x_k ∈ B, y_k = 1} / #{k: x_k ∈ B}   (share of the box that is a case)
//	mass     = #{k: x_k ∈ B} / n
//
// Intervals on coverage and density are Wilson score intervals for a
// binomial proportion. They are exact about the data given the box; a box
// chosen on the same data is optimistic, so Evaluate on an independent
// sample states a box's honest coverage and density.
package discovery

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Box is a hyper-rectangle: Lo[j] ≤ x_j ≤ Hi[j] for every dimension j, with
// ±Inf for an unrestricted side.
type Box struct {
	Lo, Hi []float64
	// Stats describe the box on the data it was found with.
	Stats Stats
}

// Stats are a box's coverage, density and mass, with Wilson intervals.
type Stats struct {
	// In is the number of points in the box, Cases those of them labelled
	// 1, Total the number of points and TotalCases those labelled 1.
	In, Cases, Total, TotalCases int
	Coverage, Density, Mass      float64
	CoverageLo, CoverageHi       float64
	DensityLo, DensityHi         float64
	// Level is the confidence level of the intervals.
	Level float64
}

// Unbounded returns the box covering all of R^d.
func Unbounded(d int) Box {
	b := Box{Lo: make([]float64, d), Hi: make([]float64, d)}
	for j := range d {
		b.Lo[j], b.Hi[j] = math.Inf(-1), math.Inf(1)
	}
	return b
}

// Contains reports whether x lies in the box.
func (b *Box) Contains(x []float64) bool {
	for j, v := range x {
		if v < b.Lo[j] || v > b.Hi[j] {
			return false
		}
	}
	return true
}

// containsExcept reports whether x lies within the box's bounds on every
// dimension but skip.
func (b *Box) containsExcept(x []float64, skip int) bool {
	for j, v := range x {
		if j != skip && (v < b.Lo[j] || v > b.Hi[j]) {
			return false
		}
	}
	return true
}

// Restricted returns the dimensions the box bounds on at least one side.
func (b *Box) Restricted() []int {
	var out []int
	for j := range b.Lo {
		if !math.IsInf(b.Lo[j], -1) || !math.IsInf(b.Hi[j], 1) {
			out = append(out, j)
		}
	}
	return out
}

// Describe renders the box as readable ranges, "fee in [0.003, 0.01] and
// vol ≥ 0.6", naming dimensions by names and formatting values with format
// (strconv-like %g when nil). An unrestricted box is "everywhere".
func (b *Box) Describe(names []string, format func(j int, v float64) string) string {
	if format == nil {
		format = func(_ int, v float64) string { return fmt.Sprintf("%.4g", v) }
	}
	var parts []string
	for _, j := range b.Restricted() {
		lo, hi := !math.IsInf(b.Lo[j], -1), !math.IsInf(b.Hi[j], 1)
		switch {
		case lo && hi:
			parts = append(parts, fmt.Sprintf("%s in [%s, %s]", names[j], format(j, b.Lo[j]), format(j, b.Hi[j])))
		case lo:
			parts = append(parts, fmt.Sprintf("%s ≥ %s", names[j], format(j, b.Lo[j])))
		default:
			parts = append(parts, fmt.Sprintf("%s ≤ %s", names[j], format(j, b.Hi[j])))
		}
	}
	if len(parts) == 0 {
		return "everywhere"
	}
	return strings.Join(parts, " and ")
}

// Evaluate computes the box's coverage, density and mass on data (x, y),
// with Wilson intervals at level.
func (b *Box) Evaluate(x [][]float64, y []bool, level float64) Stats {
	s := Stats{Total: len(x), Level: level}
	for k := range x {
		if y[k] {
			s.TotalCases++
		}
		if b.Contains(x[k]) {
			s.In++
			if y[k] {
				s.Cases++
			}
		}
	}
	s.Coverage, s.CoverageLo, s.CoverageHi = Wilson(s.Cases, s.TotalCases, level)
	s.Density, s.DensityLo, s.DensityHi = Wilson(s.Cases, s.In, level)
	if s.Total > 0 {
		s.Mass = float64(s.In) / float64(s.Total)
	}
	return s
}

// Wilson returns k/n and the Wilson score interval for a binomial
// proportion at the given two-sided level:
//
//	(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n),  z = Φ⁻¹((1+level)/2).
//
// With n = 0 all three are NaN.
func Wilson(k, n int, level float64) (p, lo, hi float64) {
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	z := distuv.UnitNormal.Quantile((1 + level) / 2)
	nf := float64(n)
	p = float64(k) / nf
	c := (p + z*z/(2*nf)) / (1 + z*z/nf)
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / (1 + z*z/nf)
	lo, hi = max(0, c-h), min(1, c+h)
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return p, lo, hi
}
