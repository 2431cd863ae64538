package metric

import (
	"math"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// RelativeAccuracy is the relative accuracy of the quantile sketch: every
// value read from it is within this fraction of the exact order statistic it
// stands for.
const RelativeAccuracy = 0.005

// MaxBins is the largest number of bins the sketch keeps for each sign. It
// bounds a Summary's memory at about 2·8·MaxBins bytes (64 KiB), whatever the
// number of observations; see the package documentation for what is lost
// when it is reached.
const MaxBins = 4096

// binMapping is shared by every sketch of the package: it is immutable, and a
// common mapping is what makes sketches mergeable. The cubically
// interpolated mapping approximates log by the float's exponent and a cubic in
// its significand: it keeps the relative accuracy with a few percent more
// bins than the exact logarithmic mapping, and spares Add a math.Log call,
// which dominated its cost.
var binMapping = func() *mapping.CubicallyInterpolatedMapping {
	m, err := mapping.NewCubicallyInterpolatedMapping(RelativeAccuracy)
	if err != nil {
		panic(err) // unreachable: RelativeAccuracy is a valid constant
	}
	return m
}()

// maxIndexable is the largest magnitude the sketch can index, slightly below
// math.MaxFloat64 (the mapping keeps math.Exp from overflowing).
var maxIndexable = binMapping.MaxIndexableValue()

func newSketch() *ddsketch.DDSketch {
	return ddsketch.NewDDSketch(binMapping,
		store.NewCollapsingLowestDenseStore(MaxBins),
		store.NewCollapsingLowestDenseStore(MaxBins))
}

// Summary accumulates scalar observations, one per Monte Carlo run, in
// bounded memory. The zero value is an empty Summary ready to use. A Summary
// is not safe for concurrent use; give each worker its own and Merge them.
type Summary struct {
	n      int64   // finite observations
	mean   float64 // Welford running mean of the finite observations
	m2     float64 // Welford sum of squared deviations from the mean
	min    float64 // smallest finite observation (valid when n > 0)
	max    float64 // largest finite observation (valid when n > 0)
	nan    int64
	negInf int64
	posInf int64
	sk     *ddsketch.DDSketch // nil until the first non-NaN observation
}

// NewSummary returns an empty Summary. It is equivalent to new(Summary).
func NewSummary() *Summary { return new(Summary) }

// Add records one observation. NaN is counted and otherwise ignored; ±Inf is
// counted and ranked but kept out of the moments (see the package
// documentation).
func (s *Summary) Add(x float64) {
	if x != x {
		s.nan++
		return
	}
	if s.sk == nil {
		s.sk = newSketch()
	}
	if x > math.MaxFloat64 {
		s.posInf++
		return
	}
	if x < -math.MaxFloat64 {
		s.negInf++
		return
	}
	// Welford's update. The conversions round each product so that the
	// compiler cannot fuse it into an FMA: results must not depend on the
	// target architecture.
	s.n++
	d := x - s.mean
	s.mean += float64(d / float64(s.n))
	s.m2 += float64(d * (x - s.mean))
	if s.n == 1 {
		s.min, s.max = x, x
	} else if x < s.min {
		s.min = x
	} else if x > s.max {
		s.max = x
	}
	if x > maxIndexable {
		x = maxIndexable
	} else if x < -maxIndexable {
		x = -maxIndexable
	}
	// x is finite and within range, so the sketch cannot refuse it.
	_ = s.sk.Add(x)
}

// Merge adds every observation recorded by other to s, as if they had been
// added one by one: counts, extrema and the sketch merge exactly, so
// quantiles and tails do not depend on merge order; mean and variance combine
// by the parallel formula of Chan, Golub and LeVeque,
//
//	δ = mean_b − mean_a,  n = n_a + n_b,
//	mean = mean_a + δ·n_b/n,  M2 = M2_a + M2_b + δ²·n_a·n_b/n,
//
// which agrees with sequential Add to rounding error. A nil other is a no-op;
// s.Merge(s) doubles every count.
func (s *Summary) Merge(other *Summary) {
	if other == nil {
		return
	}
	o := *other // read other fully before writing s, in case other == s
	s.nan += o.nan
	s.negInf += o.negInf
	s.posInf += o.posInf
	if o.sk != nil {
		if s.sk == nil {
			s.sk = o.sk.Copy()
		} else {
			// Both sketches use binMapping, so MergeWith cannot fail.
			_ = s.sk.MergeWith(o.sk)
		}
	}
	switch {
	case o.n == 0:
	case s.n == 0:
		s.n, s.mean, s.m2, s.min, s.max = o.n, o.mean, o.m2, o.min, o.max
	default:
		na, nb := float64(s.n), float64(o.n)
		n := na + nb
		d := o.mean - s.mean
		s.mean += float64(d * float64(nb/n))
		s.m2 += o.m2 + float64(float64(d*d)*float64(float64(na*nb)/n))
		s.n += o.n
		s.min = math.Min(s.min, o.min)
		s.max = math.Max(s.max, o.max)
	}
}

// N returns the number of observations recorded, NaN excluded, infinities
// included.
func (s *Summary) N() int64 { return s.n + s.negInf + s.posInf }

// NaNs returns the number of NaN observations, which are excluded from every
// statistic.
func (s *Summary) NaNs() int64 { return s.nan }

// Infs returns the numbers of −Inf and +Inf observations.
func (s *Summary) Infs() (neg, pos int64) { return s.negInf, s.posInf }

// Mean returns the arithmetic mean of the observations: NaN if there are
// none; −Inf or +Inf if there are infinite observations of that sign only;
// NaN if there are both.
func (s *Summary) Mean() float64 {
	switch {
	case s.negInf > 0 && s.posInf > 0:
		return math.NaN()
	case s.negInf > 0:
		return math.Inf(-1)
	case s.posInf > 0:
		return math.Inf(1)
	case s.n == 0:
		return math.NaN()
	}
	return s.mean
}

// StdDev returns the sample standard deviation sqrt(M2/(n−1)) of the
// observations: NaN for fewer than two; +Inf if any observation is infinite
// (the spread is unbounded).
func (s *Summary) StdDev() float64 {
	switch {
	case s.negInf > 0 || s.posInf > 0:
		if s.N() < 2 {
			return math.NaN()
		}
		return math.Inf(1)
	case s.n < 2:
		return math.NaN()
	}
	return math.Sqrt(s.m2 / float64(s.n-1))
}

// Min returns the smallest observation, exactly (−Inf if one was added); NaN
// if there are none.
func (s *Summary) Min() float64 {
	switch {
	case s.negInf > 0:
		return math.Inf(-1)
	case s.n > 0:
		return s.min
	case s.posInf > 0:
		return math.Inf(1)
	}
	return math.NaN()
}

// Max returns the largest observation, exactly (+Inf if one was added); NaN
// if there are none.
func (s *Summary) Max() float64 {
	switch {
	case s.posInf > 0:
		return math.Inf(1)
	case s.n > 0:
		return s.max
	case s.negInf > 0:
		return math.Inf(-1)
	}
	return math.NaN()
}
