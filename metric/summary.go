package metric

import (
	"math"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
)

// RelativeAccuracy is the relative accuracy of the quantile sketch: every
// value read from it is within this fraction of the exact order statistic it
// stands for.
const RelativeAccuracy = 0.005

// MaxBins is the largest number of bins the sketch keeps for each sign. It
// bounds the sketch's memory at about 2·8·MaxBins bytes (64 KiB), whatever
// the number of observations; see the package documentation for what is lost
// when it is reached.
const MaxBins = 4096

// DefaultExactCap is the number of finite observations a Summary made by
// NewSummary keeps exactly: up to it, quantiles and tails are the exact
// order statistics of the sample, at a cost of 8 bytes per observation
// (800 KB at the cap).
const DefaultExactCap = 100_000

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

// CoarseAccuracy is the relative accuracy of a coarse Summary's sketch
// (NewCoarseSummary): its bins are 4 times as wide as RelativeAccuracy's,
// so that a spread-out sample occupies about 30% as many (TestCoarseFanAccuracy).
const CoarseAccuracy = 0.02

// coarseMapping is the mapping of every coarse sketch; see binMapping.
var coarseMapping = func() *mapping.CubicallyInterpolatedMapping {
	m, err := mapping.NewCubicallyInterpolatedMapping(CoarseAccuracy)
	if err != nil {
		panic(err) // unreachable: CoarseAccuracy is a valid constant
	}
	return m
}()

// maxIndexable and coarseMaxIndexable are the largest magnitudes the
// sketches can index, slightly below math.MaxFloat64 (the mapping keeps
// math.Exp from overflowing).
var (
	maxIndexable       = binMapping.MaxIndexableValue()
	coarseMaxIndexable = coarseMapping.MaxIndexableValue()
)

func newSketch(coarse bool) *ddsketch.DDSketch {
	m := binMapping
	if coarse {
		m = coarseMapping
	}
	return ddsketch.NewDDSketch(m,
		newBinStore(MaxBins), newBinStore(MaxBins))
}

// Summary accumulates scalar observations, one per Monte Carlo run, in
// bounded memory. While it has recorded at most its exact cap of finite
// observations it keeps them all, and quantiles and tails are exact; beyond
// the cap it releases them and answers from its sketch (see the package
// documentation). The zero value is an empty Summary ready to use, with exact
// cap 0: it answers from the sketch only. A Summary is not safe for
// concurrent use, not even by readers (the first quantile asked sorts the
// kept observations in place); give each worker its own and Merge them.
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

	// xs holds every finite observation while dropped is false; len(xs) = n
	// and cap(xs) ≤ exactCap. Once n exceeds exactCap it is released for
	// good.
	xs       []float64
	exactCap int64
	dropped  bool
	sorted   bool // xs is in ascending total order (−0 before +0)
	// coarse selects the sketch's mapping: CoarseAccuracy rather than
	// RelativeAccuracy.
	coarse bool
}

// NewSummary returns an empty Summary that keeps up to DefaultExactCap
// finite observations exactly. It is equivalent to NewSummaryCap(DefaultExactCap).
func NewSummary() *Summary { return NewSummaryCap(DefaultExactCap) }

// NewCoarseSummary returns an empty sketch-only Summary (exact cap 0) whose
// quantiles are within CoarseAccuracy (2%) rather than RelativeAccuracy of
// the order statistics they stand for, in about 30% of the bins. A
// coarse Summary merges only with coarse ones (see Merge).
func NewCoarseSummary() *Summary { return &Summary{coarse: true} }

// Accuracy returns the relative accuracy of the quantiles s answers from its
// sketch: RelativeAccuracy, or CoarseAccuracy for a coarse Summary.
func (s *Summary) Accuracy() float64 {
	if s.coarse {
		return CoarseAccuracy
	}
	return RelativeAccuracy
}

// NewSummaryCap returns an empty Summary that keeps up to exactCap finite
// observations exactly, in at most 8·exactCap bytes besides the sketch.
// An exactCap of 0 or less gives a sketch-only Summary, like the zero value.
func NewSummaryCap(exactCap int) *Summary {
	return &Summary{exactCap: int64(max(exactCap, 0))}
}

// Exact reports whether s holds every finite observation it has recorded,
// so that quantiles and tails are computed from the exact sample rather
// than from the sketch.
func (s *Summary) Exact() bool { return !s.dropped }

// Add records one observation. NaN is counted and otherwise ignored; ±Inf is
// counted and ranked but kept out of the moments (see the package
// documentation).
func (s *Summary) Add(x float64) {
	if x != x {
		s.nan++
		return
	}
	if s.sk == nil {
		s.sk = newSketch(s.coarse)
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
	if !s.dropped {
		if s.n <= s.exactCap {
			if len(s.xs) == cap(s.xs) {
				s.grow(1)
			}
			s.xs = append(s.xs, x)
			s.sorted = false
		} else {
			s.drop()
		}
	}
	top := maxIndexable
	if s.coarse {
		top = coarseMaxIndexable
	}
	if x > top {
		x = top
	} else if x < -top {
		x = -top
	}
	// x is finite and within range, so the sketch cannot refuse it.
	_ = s.sk.Add(x)
}

// Merge adds every observation recorded by other to s, as if they had been
// added one by one: counts, extrema, the sketch and the kept observations
// merge exactly, so quantiles and tails do not depend on merge order; mean
// and variance combine by the parallel formula of Chan, Golub and LeVeque,
//
//	δ = mean_b − mean_a,  n = n_a + n_b,
//	mean = mean_a + δ·n_b/n,  M2 = M2_a + M2_b + δ²·n_a·n_b/n,
//
// which agrees with sequential Add to rounding error.
//
// s stays exact only if both s and other are exact and their combined number
// of finite observations is within the exact cap of s; otherwise it answers
// from the merged sketch from then on. When every Summary merged has the same
// cap, whether the result is exact therefore depends on the observations
// only, not on the order or grouping of the merges.
//
// A nil other is a no-op; s.Merge(s) doubles every count.
func (s *Summary) Merge(other *Summary) {
	if other == nil {
		return
	}
	o := *other // read other fully before writing s, in case other == s
	switch {
	case s.dropped:
	case o.dropped || s.n+o.n > s.exactCap:
		s.drop()
	case len(o.xs) > 0:
		// If other == s, o.xs is the old s.xs: grow copies it before
		// append reads it, and without growth the two do not overlap.
		s.grow(len(o.xs))
		s.xs = append(s.xs, o.xs...)
		s.sorted = false
	}
	s.nan += o.nan
	s.negInf += o.negInf
	s.posInf += o.posInf
	if o.sk != nil {
		if s.sk == nil {
			s.sk = o.sk.Copy()
			s.coarse = o.coarse
		} else {
			// Summaries of one accuracy share a mapping, so MergeWith
			// cannot fail; Fan.Merge refuses fans of different ones.
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

// empty reports whether s has recorded nothing, not even a NaN.
func (s *Summary) empty() bool {
	return s.n == 0 && s.nan == 0 && s.negInf == 0 && s.posInf == 0 && s.sk == nil && len(s.xs) == 0 && !s.dropped
}

// grow makes room in s.xs for k more observations (len(s.xs)+k ≤
// s.exactCap), doubling the capacity but never beyond the cap, so that the
// kept observations cost at most 8·exactCap bytes.
func (s *Summary) grow(k int) {
	need := len(s.xs) + k
	if need <= cap(s.xs) {
		return
	}
	c := int(min(max(int64(2*cap(s.xs)), int64(need), 16), s.exactCap))
	xs := make([]float64, len(s.xs), c)
	copy(xs, s.xs)
	s.xs = xs
}

// drop releases the kept observations for good: s answers from its sketch.
func (s *Summary) drop() {
	s.dropped, s.sorted, s.xs = true, false, nil
}

// sortedSample returns the kept observations in ascending order, sorting
// them in place if an Add or Merge has come since the last call. The order
// is total, −0 before +0, so that it (and every sum taken along it) does
// not depend on the order in which equal values arrived.
func (s *Summary) sortedSample() []float64 {
	if s.sorted {
		return s.xs
	}
	xs := s.xs
	slices.Sort(xs)
	// Zeros compare equal, so they form one run in arbitrary sign order.
	i, _ := slices.BinarySearch(xs, 0)
	j, neg := i, 0
	for ; j < len(xs) && xs[j] == 0; j++ {
		if math.Signbit(xs[j]) {
			neg++
		}
	}
	for k := i; k < j; k++ {
		xs[k] = 0
		if k < i+neg {
			xs[k] = math.Copysign(0, -1)
		}
	}
	s.sorted = true
	return xs
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
