// Package design chooses the points of a parameter space at which to run a
// scenario: Latin hypercube samples and scrambled Sobol sequences over
// stated ranges, each reproducible from a seed.
//
// A design is built in the unit cube [0,1)^d and mapped to parameter values
// by each dimension's Range: linear (lo + u·(hi−lo)), logarithmic
// (lo·(hi/lo)^u) or integer-valued (lo + ⌊u·(hi−lo+1)⌋, so every integer of
// [lo, hi] has probability 1/(hi−lo+1)).
package design

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Range is one dimension of a parameter space.
type Range struct {
	// Name is the parameter's dotted path ("mechanisms.pool.fee").
	Name string
	// Lo and Hi are the ends, Lo < Hi (Lo ≤ Hi for integers).
	Lo, Hi float64
	// Log spaces values evenly in log(value); both ends must be positive.
	Log bool
	// Integer rounds values down to whole numbers spread evenly over
	// [Lo, Hi]; with Log, over [ln Lo, ln(Hi+1)).
	Integer bool
}

// Check reports a range that cannot be sampled.
func (r Range) Check() error {
	switch {
	case math.IsNaN(r.Lo) || math.IsNaN(r.Hi) || math.IsInf(r.Lo, 0) || math.IsInf(r.Hi, 0):
		return fmt.Errorf("expected finite ends, got [%g, %g]", r.Lo, r.Hi)
	case r.Integer && r.Lo > r.Hi, !r.Integer && r.Lo >= r.Hi:
		return fmt.Errorf("expected from below to, got from %g to %g", r.Lo, r.Hi)
	case r.Log && r.Lo <= 0:
		return fmt.Errorf("a log-scaled range needs positive ends, got from %g", r.Lo)
	case r.Integer && (r.Lo != math.Trunc(r.Lo) || r.Hi != math.Trunc(r.Hi)):
		return fmt.Errorf("an integer range needs whole ends, got [%g, %g]", r.Lo, r.Hi)
	}
	return nil
}

// Map returns the parameter value at u ∈ [0,1).
func (r Range) Map(u float64) float64 {
	u = min(max(u, 0), math.Nextafter(1, 0))
	lo, hi := r.Lo, r.Hi
	if r.Integer {
		hi++ // [lo, hi+1) so that ⌊·⌋ reaches hi with the same weight
	}
	var v float64
	if r.Log {
		v = lo * math.Exp(u*math.Log(hi/lo))
	} else {
		v = lo + u*(hi-lo)
	}
	if r.Integer {
		return min(math.Floor(v), r.Hi)
	}
	return v
}

// Unit is Map's inverse for values inside the range: the u ∈ [0,1] at which
// Map returns v (for integers, the middle of v's interval).
func (r Range) Unit(v float64) float64 {
	lo, hi := r.Lo, r.Hi
	if r.Integer {
		hi++
		v += 0.5
		if r.Log {
			v = math.Sqrt((v - 0.5) * (v + 0.5)) // geometric middle of [v, v+1)
		}
	}
	if r.Log {
		return math.Log(v/lo) / math.Log(hi/lo)
	}
	return (v - lo) / (hi - lo)
}

// Space is a parameter space: one Range per dimension.
type Space []Range

// Map maps a point of the unit cube to parameter values.
func (s Space) Map(u []float64) []float64 {
	out := make([]float64, len(s))
	for k, r := range s {
		out[k] = r.Map(u[k])
	}
	return out
}

// MapAll maps every point of a unit-cube design.
func (s Space) MapAll(us [][]float64) [][]float64 {
	out := make([][]float64, len(us))
	for k, u := range us {
		out[k] = s.Map(u)
	}
	return out
}

// Names returns the parameter names in order.
func (s Space) Names() []string {
	out := make([]string, len(s))
	for k, r := range s {
		out[k] = r.Name
	}
	return out
}

// RNG returns the generator a design with this seed draws from: PCG seeded
// with (seed, a constant naming designs), so that a design and a scenario
// with the same seed do not share random numbers.
func RNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x64657369676e)) // "design"
}

// LatinHypercube returns n points in [0,1)^d such that each dimension's n
// equal strata [i/n, (i+1)/n) hold exactly one point: point k has
// coordinate (π_j(k) + U_kj)/n in dimension j, with π_j an independent
// uniform permutation and U_kj uniform on [0,1) (McKay, Beckman and
// Conover 1979).
func LatinHypercube(n, d int, rng *rand.Rand) [][]float64 {
	pts := make([][]float64, n)
	for k := range pts {
		pts[k] = make([]float64, d)
	}
	for j := range d {
		perm := rng.Perm(n)
		for k := range pts {
			pts[k][j] = (float64(perm[k]) + rng.Float64()) / float64(n)
		}
	}
	return pts
}

// Uniform returns n independent uniform points in [0,1)^d.
func Uniform(n, d int, rng *rand.Rand) [][]float64 {
	pts := make([][]float64, n)
	for k := range pts {
		pts[k] = make([]float64, d)
		for j := range pts[k] {
			pts[k][j] = rng.Float64()
		}
	}
	return pts
}
