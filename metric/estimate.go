package metric

import (
	"fmt"
	"math"

	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
	"gonum.org/v1/gonum/stat/distuv"
)

// Z is the 0.975 quantile of the standard normal distribution: the half-width,
// in standard errors, of a two-sided 95% normal confidence interval.
const Z = 1.959964

// Estimate is a point estimate with a two-sided 95% confidence interval
// [Lo, Hi] and its standard error, all in the units of the observations.
// Fields that cannot be estimated are NaN; an interval known to be unbounded
// has infinite ends. Estimate marshals to JSON with NaN and ±Inf as null.
type Estimate struct {
	Value  float64
	Lo     float64
	Hi     float64
	StdErr float64
}

var nanEstimate = Estimate{math.NaN(), math.NaN(), math.NaN(), math.NaN()}

// Direction says which end of an outcome's distribution is the bad one.
type Direction int

const (
	// LowerIsWorse is for outcomes where less is bad, such as profit and
	// loss, collateral value or security budget: the tail at level 0.99 is
	// the lowest 1% of outcomes.
	LowerIsWorse Direction = iota
	// HigherIsWorse is for outcomes where more is bad, such as bad debt,
	// stake burned or peg deviation: the tail at level 0.99 is the highest 1%
	// of outcomes.
	HigherIsWorse
	// Neutral is for outcomes with no bad end, such as a price or an amount
	// of debt outstanding: reports say "higher" or "lower", never "gain"
	// or "cost". Its tails are those of the lower end, as for LowerIsWorse.
	Neutral
)

// String returns "lower", "higher" or "none".
func (d Direction) String() string {
	switch d {
	case LowerIsWorse:
		return "lower"
	case HigherIsWorse:
		return "higher"
	case Neutral:
		return "none"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// MarshalText encodes d as "lower", "higher" or "none".
func (d Direction) MarshalText() ([]byte, error) {
	if d != LowerIsWorse && d != HigherIsWorse && d != Neutral {
		return nil, fmt.Errorf("metric: invalid Direction %d", int(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "lower", "higher" or "none".
func (d *Direction) UnmarshalText(b []byte) error {
	switch string(b) {
	case "lower":
		*d = LowerIsWorse
	case "higher":
		*d = HigherIsWorse
	case "none":
		*d = Neutral
	default:
		return fmt.Errorf("metric: invalid Direction %q: want \"lower\", \"higher\" or \"none\"", b)
	}
	return nil
}

// MeanEstimate returns the mean with the confidence interval
// mean ± c·sd/√n, where c is Z for n ≥ 30 and the 0.975 quantile of
// Student's t with n−1 degrees of freedom for smaller n (exact for normal
// observations, conservative otherwise).
//
// With no observations every field is NaN. With one, the interval is
// (−Inf, +Inf) and StdErr +Inf: a single run says nothing of the spread. If
// infinite observations were recorded the mean is infinite (or NaN) and so is
// the interval, with StdErr NaN: a distribution that yields an infinity with
// positive probability has an infinite mean.
func (s *Summary) MeanEstimate() Estimate {
	if s.N() == 0 {
		return nanEstimate
	}
	m := s.Mean()
	if s.negInf > 0 || s.posInf > 0 {
		return Estimate{m, m, m, math.NaN()}
	}
	if s.n == 1 {
		return Estimate{m, math.Inf(-1), math.Inf(1), math.Inf(1)}
	}
	se := s.StdDev() / math.Sqrt(float64(s.n))
	h := float64(criticalValue(s.n) * se)
	return Estimate{Value: m, Lo: m - h, Hi: m + h, StdErr: se}
}

// criticalValue returns the two-sided 95% critical value for a mean of n ≥ 2
// observations.
func criticalValue(n int64) float64 {
	if n >= 30 {
		return Z
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of the observations: the order
// statistic at index ⌊q·(n−1)⌋ (from 0, ascending). While s is Exact it is
// that observation exactly; otherwise it is read from the sketch and clamped
// to [Min, Max], and the smallest and largest finite observations are still
// returned exactly.
//
// The confidence interval is distribution-free: the number B of observations
// below the true quantile is Binomial(n, q), so the order statistics at
// 1-based ranks ⌊nq − Z·√(nq(1−q))⌋ and ⌈nq + Z·√(nq(1−q))⌉ bracket it with
// probability ≈ 95%. The ranks are rounded outward, which keeps small samples
// conservative: exact binomial coverage is between 94.9% and 98% whenever
// n·q·(1−q) ≥ 9, tending to 95% as n grows. Where n·q·(1−q) < 9 the normal
// approximation to the binomial is rough, and coverage ranges from about 90%
// to 100%. A rank below 1 or above n means the sample cannot bound the
// quantile on that side, and that end is −Inf or +Inf rather than the
// sample's extreme (100 runs cannot bound the 1% quantile from below: all of
// them exceed it with probability 37%).
//
// While s is Exact the ends are those order statistics exactly. Otherwise
// they are the outer edges of the sketch bins holding them (Lo the lower
// edge, Hi the upper), so the interval contains the exact order-statistic
// interval and covers at least as often; each end is within
// 2·RelativeAccuracy/(1−RelativeAccuracy) (about 1%) of its order statistic,
// and where the sampling interval is narrower than a bin (the median of many
// runs), the sketch's resolution, not the run count, sets the width.
// StdErr is (Hi − Lo)/(2Z), infinite if an end is.
//
// For q outside [0, 1], NaN q or no observations, every field is NaN.
func (s *Summary) Quantile(q float64) Estimate {
	if !(q >= 0 && q <= 1) || s.N() == 0 {
		return nanEstimate
	}
	v := s.view(false)
	return v.quantile(q)
}

// quantileValue returns Quantile(q).Value without the interval.
func (s *Summary) quantileValue(q float64) float64 {
	if !(q >= 0 && q <= 1) || s.N() == 0 {
		return math.NaN()
	}
	v := s.view(false)
	x, _, _ := v.at(floorIndex(q, v.n))
	return x
}

// Tail returns the value-at-risk and conditional value-at-risk (expected
// shortfall) at level (0 < level < 1, such as 0.95 or 0.99), in the units of
// the observations, with worse saying which end of the distribution is bad.
//
// With β = 1 − level and n observations, the tail is the m = ⌊β·(n−1)⌋ + 1
// worst observations. VaR is the least bad of them: for LowerIsWorse the
// β-quantile (Quantile(β)), for HigherIsWorse its mirror image, the
// observation at the same index counted from the top. CVaR is the mean of the
// tail: the mean of the observations at least as bad as VaR. Negating every
// observation and flipping worse negates both results exactly.
//
// VaR's interval is the quantile interval of Quantile, at q = β counted from
// the worse end. While s is Exact, CVaR is the exact tail's sum, accumulated
// in float64 from the worst observation inward, divided by m. Otherwise it is
// computed from the sketch bins, and differs from the exact mean of the
// sample's tail by at most RelativeAccuracy times the mean absolute value of
// that tail (so by at most 0.5% of |CVaR| when the tail has one sign). Its
// interval is CVaR ± Z·SE with the asymptotic variance of the
// expected-shortfall estimator,
//
//	SE² = Var((X − VaR)·1{X in tail}) / (β²·n),
//
// the variance taken over all n observations (1/(n−1) normalisation), from
// the same values as CVaR. It needs n·β of at least a few tens to be
// reliable. If the tail contains an infinite observation, CVaR is infinite,
// its interval is the point, and its StdErr is NaN.
//
// For level outside (0, 1), an invalid worse, or no observations, every
// field of both estimates is NaN.
func (s *Summary) Tail(level float64, worse Direction) (VaR, CVaR Estimate) {
	if !(level > 0 && level < 1) || s.N() == 0 ||
		(worse != LowerIsWorse && worse != HigherIsWorse && worse != Neutral) {
		return nanEstimate, nanEstimate
	}
	mirror := worse == HigherIsWorse
	v := s.view(mirror)
	VaR, CVaR = v.lowerTail(1 - level)
	if mirror {
		VaR, CVaR = VaR.negate(), CVaR.negate()
	}
	return VaR, CVaR
}

// negate returns the estimate of −X given that of X.
func (e Estimate) negate() Estimate {
	return Estimate{Value: -e.Value, Lo: -e.Hi, Hi: -e.Lo, StdErr: e.StdErr}
}

// view presents the observations of a Summary, or of its mirror image −X, as
// an ascending sequence: negInf infinities, then the finite observations,
// then posInf infinities. The finite part is either the exact sorted sample
// (exact views) or the sketch: the negative store (magnitudes, so read from
// its highest index down), zero, the positive store. Working on the mirror
// lets one lower-tail routine serve both directions with exact symmetry.
type view struct {
	exact bool
	// Exact views only: the finite observations of the Summary (not of the
	// mirror image), ascending.
	xs     []float64
	mirror bool

	m              mapping.IndexMapping // the sketch's, for bin values and edges
	neg, pos       store.Store
	zero           float64 // count of the sketch's zero bin
	negInf, posInf float64
	nNeg, nPos     float64 // total counts of neg and pos
	n              float64 // total count
	lo, hi         float64 // finite min and max, for clamping bin values
}

func (s *Summary) view(mirror bool) view {
	if s.Exact() {
		v := view{exact: true, xs: s.sortedSample(), mirror: mirror,
			negInf: float64(s.negInf), posInf: float64(s.posInf)}
		if mirror {
			v.negInf, v.posInf = v.posInf, v.negInf
		}
		v.n = v.negInf + float64(len(v.xs)) + v.posInf
		return v
	}
	v := view{
		m:      s.sk.IndexMapping,
		neg:    s.sk.GetNegativeValueStore(),
		pos:    s.sk.GetPositiveValueStore(),
		zero:   s.sk.GetZeroCount(),
		negInf: float64(s.negInf),
		posInf: float64(s.posInf),
		lo:     s.min,
		hi:     s.max,
	}
	if s.n == 0 {
		// No finite values: clamping never happens as the sketch is empty.
		v.lo, v.hi = math.Inf(-1), math.Inf(1)
	}
	if mirror {
		v.neg, v.pos = v.pos, v.neg
		v.negInf, v.posInf = v.posInf, v.negInf
		v.lo, v.hi = -v.hi, -v.lo
	}
	v.nNeg, v.nPos = v.neg.TotalCount(), v.pos.TotalCount()
	v.n = v.negInf + v.nNeg + v.zero + v.nPos + v.posInf
	return v
}

// negValue and posValue return, in view coordinates, the representative of a
// bin of the negative or positive store, clamped to the finite range: the
// true values lie in it, so clamping never moves a bin value further from
// them.
func (v *view) negValue(index int) float64 { return v.clamp(-v.m.Value(index)) }

func (v *view) posValue(index int) float64 { return v.clamp(v.m.Value(index)) }

// finite returns the finite observation at ascending index i of an exact
// view.
func (v *view) finite(i int) float64 {
	if v.mirror {
		return -v.xs[len(v.xs)-1-i]
	}
	return v.xs[i]
}

// at returns the observation at ascending index k (0 ≤ k < n, integral) as
// the view represents it, x, and bounds below ≤ x ≤ above between which the
// exact observation lies: the edges of its sketch bin, or x itself in an
// exact view.
func (v *view) at(k float64) (x, below, above float64) {
	if k < v.negInf {
		return math.Inf(-1), math.Inf(-1), math.Inf(-1)
	}
	k -= v.negInf
	if v.exact {
		if k < float64(len(v.xs)) {
			x = v.finite(int(k))
			return x, x, x
		}
		return math.Inf(1), math.Inf(1), math.Inf(1)
	}
	// The extreme finite observations are known exactly.
	if nFinite := v.nNeg + v.zero + v.nPos; k == 0 && nFinite > 0 {
		return v.lo, v.lo, v.lo
	} else if k == nFinite-1 {
		return v.hi, v.hi, v.hi
	}
	if k < v.nNeg {
		// Ascending order of negative values is descending magnitude.
		i := v.neg.KeyAtRank(v.nNeg - 1 - k)
		return v.negValue(i), v.clamp(-v.upperEdge(i)), v.clamp(-v.lowerEdge(i))
	}
	k -= v.nNeg
	if k < v.zero {
		// The zero bin holds magnitudes up to the smallest indexable one.
		m := v.m.MinIndexableValue()
		return v.clamp(0), v.clamp(-m), v.clamp(m)
	}
	k -= v.zero
	if k < v.nPos {
		i := v.pos.KeyAtRank(k)
		return v.posValue(i), v.clamp(v.lowerEdge(i)), v.clamp(v.upperEdge(i))
	}
	return math.Inf(1), math.Inf(1), math.Inf(1)
}

// lowerEdge and upperEdge return the bounds of the magnitudes in bin i,
// moved outward by a relative 1e-12: the mapping's inverse is off by a few
// ulps at bin boundaries, and the edges must enclose every value in the bin.
func (v *view) lowerEdge(i int) float64 { return v.m.LowerBound(i) * (1 - 1e-12) }

func (v *view) upperEdge(i int) float64 { return v.m.LowerBound(i+1) * (1 + 1e-12) }

// clamp limits x to the finite range [lo, hi] of the observations.
func (v *view) clamp(x float64) float64 { return math.Min(math.Max(x, v.lo), v.hi) }

// floorIndex returns ⌊q·(n−1)⌋, the package's quantile index. The factor
// 1 + 1e-12 undoes the representation error of a decimal q (0.29·100 is
// 28.999999999999996 in binary), which is about 1e-16 relative, without
// moving any index that is not within a relative 1e-12 below an integer.
func floorIndex(q, n float64) float64 {
	k := math.Floor(float64(q*(n-1)) * (1 + 1e-12))
	return math.Min(math.Max(k, 0), n-1)
}

// quantileCI returns the 0-based ascending indices of the order statistics
// bracketing the q-quantile of n observations with ≈ 95% probability, widened
// if needed to contain the point index k. An index below 0 or above n−1 means
// that end lies beyond the sample.
func quantileCI(q, n, k float64) (lo, hi float64) {
	nq := float64(n * q)
	h := float64(Z * math.Sqrt(float64(nq*(1-q))))
	lo = math.Floor(nq-h) - 1 // 1-based rank ⌊nq − h⌋, made 0-based
	hi = math.Ceil(nq+h) - 1  // 1-based rank ⌈nq + h⌉, made 0-based
	return math.Min(lo, k), math.Max(hi, k)
}

func (v *view) quantile(q float64) Estimate {
	k := floorIndex(q, v.n)
	lo, hi := quantileCI(q, v.n, k)
	e := Estimate{Lo: math.Inf(-1), Hi: math.Inf(1)}
	e.Value, _, _ = v.at(k)
	if lo >= 0 {
		_, e.Lo, _ = v.at(lo)
	}
	if hi <= v.n-1 {
		_, _, e.Hi = v.at(hi)
	}
	e.StdErr = (e.Hi - e.Lo) / (2 * Z)
	return e
}

// lowerTail returns VaR and CVaR of the lowest fraction beta of the view.
func (v *view) lowerTail(beta float64) (VaR, CVaR Estimate) {
	k := floorIndex(beta, v.n)
	VaR = v.quantile(beta)
	m := k + 1
	var sum, sumY, sumY2 float64
	v.forEachLowest(m, func(x, c float64) {
		sum += float64(c * x)
		y := x - VaR.Value
		sumY += float64(c * y)
		sumY2 += float64(c * float64(y*y))
	})
	cvar := sum / m
	if math.IsInf(cvar, 0) || math.IsNaN(cvar) {
		return VaR, Estimate{cvar, cvar, cvar, math.NaN()}
	}
	CVaR = Estimate{Value: cvar, Lo: math.NaN(), Hi: math.NaN(), StdErr: math.NaN()}
	if v.n < 2 {
		CVaR.Lo, CVaR.Hi, CVaR.StdErr = math.Inf(-1), math.Inf(1), math.Inf(1)
		return VaR, CVaR
	}
	// Variance of Y = (X − VaR)·1{tail} over all n observations; Y is 0
	// outside the tail.
	varY := (sumY2 - float64(sumY*sumY)/v.n) / (v.n - 1)
	varY = math.Max(varY, 0) // cancellation can leave a tiny negative
	CVaR.StdErr = math.Sqrt(varY / float64(float64(beta*beta)*v.n))
	h := float64(Z * CVaR.StdErr)
	CVaR.Lo, CVaR.Hi = cvar-h, cvar+h
	return VaR, CVaR
}

// Regions of the finite part of a view.
const (
	regionNeg = iota
	regionZero
	regionPos
)

// lowestBin and highestBin locate the bins holding the smallest and largest
// finite observations (the view must hold at least one).
func (v *view) lowestBin() (region, key int) {
	switch {
	case v.nNeg > 0:
		key, _ = v.neg.MaxIndex()
		return regionNeg, key
	case v.zero > 0:
		return regionZero, 0
	}
	key, _ = v.pos.MinIndex()
	return regionPos, key
}

func (v *view) highestBin() (region, key int) {
	switch {
	case v.nPos > 0:
		key, _ = v.pos.MaxIndex()
		return regionPos, key
	case v.zero > 0:
		return regionZero, 0
	}
	key, _ = v.neg.MinIndex()
	return regionNeg, key
}

// forEachLowest calls f(x, c) for groups of c observations of value x (as the
// view represents them, in view coordinates) making up the m lowest
// observations of the view. Groups come in a fixed order for a given sketch
// state or sample, so sums over them are deterministic. An exact view gives
// each finite observation as a group of its own, in ascending order.
//
// The smallest finite observation, and the largest if every finite one is
// among the m, are known exactly (lo, hi): they are given as groups of their
// own and taken out of their bins, as in at, so that a tail's mean is never
// less bad than its VaR.
func (v *view) forEachLowest(m float64, f func(x, c float64)) {
	take := func(avail float64) float64 {
		t := math.Min(avail, m)
		m -= t
		return t
	}
	if t := take(v.negInf); t > 0 {
		f(math.Inf(-1), t)
	}
	if v.exact {
		t := int(take(float64(len(v.xs))))
		for i := 0; i < t; i++ {
			f(v.finite(i), 1)
		}
		if t := take(v.posInf); t > 0 {
			f(math.Inf(1), t)
		}
		return
	}
	nFinite := v.nNeg + v.zero + v.nPos
	low := m > 0 && nFinite > 0
	high := m >= nFinite && nFinite > 1
	var lowRegion, lowKey, highRegion, highKey int
	if nFinite > 0 {
		lowRegion, lowKey = v.lowestBin()
		highRegion, highKey = v.highestBin()
	}
	emit := func(region, key int, x, c float64) {
		if low && region == lowRegion && key == lowKey {
			f(v.lo, 1)
			c--
			low = false
		}
		if high && region == highRegion && key == highKey {
			f(v.hi, 1)
			c--
			high = false
		}
		if c > 0 {
			f(x, c)
		}
	}
	if t := take(v.nNeg); t > 0 {
		v.topOfStore(v.neg, v.nNeg, t, func(i int, c float64) { emit(regionNeg, i, v.negValue(i), c) })
	}
	if t := take(v.zero); t > 0 {
		emit(regionZero, 0, v.clamp(0), t)
	}
	if t := take(v.nPos); t > 0 {
		v.bottomOfStore(v.pos, v.nPos, t, func(i int, c float64) { emit(regionPos, i, v.posValue(i), c) })
	}
	if t := take(v.posInf); t > 0 {
		f(math.Inf(1), t)
	}
}

// topOfStore calls f(index, count) for the t highest-index counts of st,
// which holds total counts, splitting the boundary bin.
func (v *view) topOfStore(st store.Store, total, t float64, f func(int, float64)) {
	if t >= total {
		st.ForEach(func(i int, c float64) bool { f(i, c); return false })
		return
	}
	// The first count of the top t has 0-based ascending rank total − t.
	key := st.KeyAtRank(total - t)
	var above float64
	st.ForEach(func(i int, c float64) bool {
		if i > key {
			above += c
		}
		return false
	})
	st.ForEach(func(i int, c float64) bool {
		switch {
		case i > key:
			f(i, c)
		case i == key:
			f(i, t-above)
		}
		return false
	})
}

// bottomOfStore calls f(index, count) for the t lowest-index counts of st,
// which holds total counts, splitting the boundary bin.
func (v *view) bottomOfStore(st store.Store, total, t float64, f func(int, float64)) {
	if t >= total {
		st.ForEach(func(i int, c float64) bool { f(i, c); return false })
		return
	}
	key := st.KeyAtRank(t - 1)
	var below float64
	st.ForEach(func(i int, c float64) bool {
		if i < key {
			below += c
		}
		return false
	})
	st.ForEach(func(i int, c float64) bool {
		switch {
		case i < key:
			f(i, c)
		case i == key:
			f(i, t-below)
		}
		return false
	})
}
