package metric

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// coverageTol is the half-width allowed around a coverage probability p
// estimated from reps independent repetitions: 4 binomial standard errors.
func coverageTol(p float64, reps int) float64 {
	return 4 * math.Sqrt(p*(1-p)/float64(reps))
}

func TestMeanEstimateSmall(t *testing.T) {
	inf := math.Inf(1)
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		want Estimate
	}{
		{"empty", nil, Estimate{nan, nan, nan, nan}},
		{"one", []float64{3}, Estimate{3, -inf, inf, inf}},
		{"constant", []float64{2, 2, 2}, Estimate{2, 2, 2, 0}},
		// sd = √2, se = 1, t(1, 0.975) = 12.7062047361747.
		{"two", []float64{1, 3}, Estimate{2, 2 - 12.706204736174707, 2 + 12.706204736174707, 1}},
		{"infinite", []float64{1, inf}, Estimate{inf, inf, inf, nan}},
		{"both infinities", []float64{-inf, inf}, Estimate{nan, nan, nan, nan}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaryOf(tt.in...).MeanEstimate()
			if !sameEstimate(got, tt.want, 1e-9) {
				t.Errorf("MeanEstimate() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// sameEstimate compares estimates field by field to relative tolerance rel,
// with NaN equal to NaN and infinities compared exactly.
func sameEstimate(a, b Estimate, rel float64) bool {
	eq := func(x, y float64) bool {
		return sameFloat(x, y) || (!math.IsInf(y, 0) && relClose(x, y, rel))
	}
	return eq(a.Value, b.Value) && eq(a.Lo, b.Lo) && eq(a.Hi, b.Hi) && eq(a.StdErr, b.StdErr)
}

// TestMeanCriticalValue checks that the interval half-width is Student's t
// quantile times the standard error below n = 30 and Z from n = 30 on.
func TestMeanCriticalValue(t *testing.T) {
	tests := []struct {
		n    int
		crit float64
	}{
		{2, 12.706204736174707},
		{5, 2.7764451051977987},
		{10, 2.2621571627409915},
		{29, 2.048407141795244},
		{30, Z},
		{1000, Z},
	}
	for _, tt := range tests {
		s := NewSummary()
		for i := 0; i < tt.n; i++ {
			s.Add(float64(i % 7))
		}
		e := s.MeanEstimate()
		se := s.StdDev() / math.Sqrt(float64(tt.n))
		if !relClose(e.StdErr, se, 1e-15) || !relClose(e.Hi-e.Value, tt.crit*se, 1e-9) || !relClose(e.Value-e.Lo, tt.crit*se, 1e-9) {
			t.Errorf("n=%d: %+v; want half-width %v·%v", tt.n, e, tt.crit, se)
		}
	}
}

// TestMeanCoverage checks that the mean's 95% interval covers the true mean
// of known distributions at the nominal rate.
func TestMeanCoverage(t *testing.T) {
	const reps = 1000
	tests := []struct {
		name string
		n    int
		mean float64
		draw func(*rand.Rand) float64
	}{
		{"normal n=200", 200, 3, func(r *rand.Rand) float64 { return 3 + 2*r.NormFloat64() }},
		{"normal n=10 (Student t)", 10, -1, func(r *rand.Rand) float64 { return -1 + 0.5*r.NormFloat64() }},
		{"uniform n=200", 200, 0.5, func(r *rand.Rand) float64 { return r.Float64() }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(100+uint64(i), 7))
			covered := 0
			for rep := 0; rep < reps; rep++ {
				s := NewSummary()
				for j := 0; j < tt.n; j++ {
					s.Add(tt.draw(rng))
				}
				if e := s.MeanEstimate(); e.Lo <= tt.mean && tt.mean <= e.Hi {
					covered++
				}
			}
			got := float64(covered) / reps
			t.Logf("coverage %v", got)
			if math.Abs(got-0.95) > coverageTol(0.95, reps) {
				t.Errorf("coverage %v, want 0.95 ± %v", got, coverageTol(0.95, reps))
			}
		})
	}
}

// distributions used for accuracy tests; each draws n values.
var testDistributions = []struct {
	name string
	draw func(*rand.Rand) float64
}{
	{"normal", func(r *rand.Rand) float64 { return 10 + 3*r.NormFloat64() }},
	{"lognormal", func(r *rand.Rand) float64 { return math.Exp(1.5 * r.NormFloat64()) }},
	{"mixed sign", func(r *rand.Rand) float64 {
		// Losses with a heavy left tail, gains, and exact zeros.
		switch u := r.Float64(); {
		case u < 0.1:
			return 0
		case u < 0.4:
			return -math.Exp(2 * r.NormFloat64())
		default:
			return 2 + 3*r.NormFloat64()
		}
	}},
}

// sample returns a Summary of exact cap exactCap fed n draws, and the draws
// sorted ascending.
func sample(seed uint64, n, exactCap int, draw func(*rand.Rand) float64) (*Summary, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := NewSummaryCap(exactCap)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = draw(rng)
		s.Add(xs[i])
	}
	slices.Sort(xs)
	return s, xs
}

// withinAccuracy reports whether got approximates the exact value want with
// the sketch's guarantee |got − want| ≤ α·|want|, allowing for the last bits
// of math.Log and math.Exp at bin boundaries.
func withinAccuracy(got, want float64) bool {
	return math.Abs(got-want) <= RelativeAccuracy*math.Abs(want)*(1+1e-9)
}

// withinBin reports whether a bin edge is within one bin width,
// 2α/(1−α) relative, of the value x in the bin (or within the zero bin's
// half-width of 0).
func withinBin(edge, x float64) bool {
	return math.Abs(edge-x) <= 2*RelativeAccuracy/(1-RelativeAccuracy)*math.Abs(x)*(1+1e-9)+binMapping.MinIndexableValue()
}

// TestQuantileAccuracy checks that quantiles read from the sketch are within
// its relative accuracy of the exact order statistics of n = 1e5 samples, and
// that their interval ends enclose the exact order statistics within a bin.
// (TestExactQuantiles checks the exact mode.)
func TestQuantileAccuracy(t *testing.T) {
	const n = 100000
	qs := []float64{0, 1e-5, 0.001, 0.01, 0.05, 0.1, 0.25, 0.29, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.99999, 1}
	for i, d := range testDistributions {
		s, xs := sample(200+uint64(i), n, 0, d.draw)
		for _, q := range qs {
			e := s.Quantile(q)
			k := floorIndex(q, n)
			lo, hi := quantileCI(q, n, k)
			if want := xs[int(k)]; !withinAccuracy(e.Value, want) {
				t.Errorf("%s: Quantile(%v) = %v, exact order statistic [%v] = %v", d.name, q, e.Value, k, want)
			}
			// The interval's ends are the outer edges of the bins of its
			// order statistics: outside them, by at most a bin's width.
			if lo < 0 {
				if !math.IsInf(e.Lo, -1) {
					t.Errorf("%s: Quantile(%v) lo = %v, want -Inf", d.name, q, e.Lo)
				}
			} else if x := xs[int(lo)]; e.Lo > x || !withinBin(e.Lo, x) {
				t.Errorf("%s: Quantile(%v) lo = %v, order statistic [%v] = %v", d.name, q, e.Lo, lo, x)
			}
			if hi >= n {
				if !math.IsInf(e.Hi, 1) {
					t.Errorf("%s: Quantile(%v) hi = %v, want +Inf", d.name, q, e.Hi)
				}
			} else if x := xs[int(hi)]; e.Hi < x || !withinBin(e.Hi, x) {
				t.Errorf("%s: Quantile(%v) hi = %v, order statistic [%v] = %v", d.name, q, e.Hi, hi, x)
			}
			if se := (e.Hi - e.Lo) / (2 * Z); e.StdErr != se {
				t.Errorf("%s: Quantile(%v) StdErr = %v, want %v", d.name, q, e.StdErr, se)
			}
		}
	}
	// The decimal guard: 0.29·(101−1) is 28.999999999999996 in binary.
	if k := floorIndex(0.29, 101); k != 29 {
		t.Errorf("floorIndex(0.29, 101) = %v, want 29", k)
	}
}

// exactQuantileCoverage returns the probability that the interval of
// Quantile(q) over n observations of a continuous distribution covers the
// true q-quantile.
func exactQuantileCoverage(q, n float64) float64 {
	lo, hi := quantileCI(q, n, floorIndex(q, n))
	// [X_(lo+1), X_(hi+1)] (1-based) covers the q-quantile iff the number
	// B of observations below it, Binomial(n, q), is in [lo+1, hi]; an
	// index beyond the sample is an unbounded end, which the binomial CDF
	// (0 below 0, 1 from n on) accounts for.
	b := distuv.Binomial{N: n, P: q}
	return b.CDF(hi) - b.CDF(lo)
}

// TestQuantileCIExactCoverage checks the exact binomial coverage of the
// order-statistic interval. Wherever n·q·(1−q) ≥ 9 it is conservative but
// not wasteful, between 94.9% and 98% (outward rounding of the ranks keeps
// small samples above 95%; as n grows coverage tends to 95% from either
// side). Below that the normal approximation is rough, but unbounded ends
// keep coverage at 90% or more.
func TestQuantileCIExactCoverage(t *testing.T) {
	for _, n := range []float64{10, 20, 50, 100, 200, 1000, 10000, 100000} {
		for _, q := range []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999} {
			lo, hi := 0.949, 0.98
			if n*q*(1-q) < 9 {
				lo, hi = 0.90, 1
			}
			if c := exactQuantileCoverage(q, n); c < lo || c > hi {
				t.Errorf("n=%v q=%v: exact coverage %v, want in [%v, %v]", n, q, c, lo, hi)
			}
		}
	}
}

// TestQuantileCICoverage checks by simulation that the distribution-free
// interval, exact or read from the sketch, covers the true quantile at the
// rate its order statistics promise.
func TestQuantileCICoverage(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) { testQuantileCICoverage(t, mode.cap) })
	}
}

func testQuantileCICoverage(t *testing.T, exactCap int) {
	const reps, n = 1000, 200
	norm := distuv.UnitNormal
	for i, q := range []float64{0.1, 0.5, 0.9} {
		truth := norm.Quantile(q)
		want := exactQuantileCoverage(q, n)
		rng := rand.New(rand.NewPCG(300+uint64(i), 3))
		covered := 0
		for rep := 0; rep < reps; rep++ {
			s := NewSummaryCap(exactCap)
			for j := 0; j < n; j++ {
				s.Add(rng.NormFloat64())
			}
			if e := s.Quantile(q); e.Lo <= truth && truth <= e.Hi {
				covered++
			}
		}
		got := float64(covered) / reps
		t.Logf("q=%v: coverage %v, exact %v", q, got, want)
		if math.Abs(got-want) > coverageTol(want, reps) {
			t.Errorf("q=%v: coverage %v, want %v ± %v", q, got, want, coverageTol(want, reps))
		}
	}
}

// exactTail returns VaR and CVaR of sorted xs by the definition of Tail, the
// tail summed from its worst observation inward, and the mean absolute value
// of the tail.
func exactTail(xs []float64, level float64, worse Direction) (VaR, CVaR, meanAbs float64) {
	n := len(xs)
	m := int(floorIndex(1-level, float64(n))) + 1
	VaR = xs[m-1]
	if worse == HigherIsWorse {
		VaR = xs[n-m]
	}
	for i := range m {
		x := xs[i]
		if worse == HigherIsWorse {
			x = xs[n-1-i]
		}
		CVaR += x
		meanAbs += math.Abs(x)
	}
	return VaR, CVaR / float64(m), meanAbs / float64(m)
}

// TestTailAccuracy checks VaR against the exact order statistic and CVaR
// against the exact mean of the sample's tail: equal while the Summary is
// exact, within the documented bound RelativeAccuracy·mean|tail| from the
// sketch.
func TestTailAccuracy(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) { testTailAccuracy(t, mode.cap) })
	}
}

func testTailAccuracy(t *testing.T, exactCap int) {
	const n = 100000
	levels := []float64{0.5, 0.9, 0.95, 0.99, 0.999, 0.99999}
	for i, d := range testDistributions {
		s, xs := sample(200+uint64(i), n, exactCap, d.draw)
		if s.Exact() != (exactCap >= n) {
			t.Fatalf("Exact() = %v with cap %d", s.Exact(), exactCap)
		}
		for _, worse := range []Direction{LowerIsWorse, HigherIsWorse} {
			for _, level := range levels {
				VaR, CVaR := s.Tail(level, worse)
				wantVaR, wantCVaR, meanAbs := exactTail(xs, level, worse)
				if s.Exact() && (VaR.Value != wantVaR || CVaR.Value != wantCVaR) {
					t.Errorf("%s %v %v: VaR, CVaR = %v, %v; exact %v, %v",
						d.name, worse, level, VaR.Value, CVaR.Value, wantVaR, wantCVaR)
				}
				if !withinAccuracy(VaR.Value, wantVaR) {
					t.Errorf("%s %v %v: VaR = %v, exact %v", d.name, worse, level, VaR.Value, wantVaR)
				}
				if bound := RelativeAccuracy * meanAbs * (1 + 1e-9); math.Abs(CVaR.Value-wantCVaR) > bound {
					t.Errorf("%s %v %v: CVaR = %v, exact %v, error %v > bound %v",
						d.name, worse, level, CVaR.Value, wantCVaR, math.Abs(CVaR.Value-wantCVaR), bound)
				}
				// CVaR is at least as bad as VaR.
				if worse == LowerIsWorse && CVaR.Value > VaR.Value || worse == HigherIsWorse && CVaR.Value < VaR.Value {
					t.Errorf("%s %v %v: CVaR %v not as bad as VaR %v", d.name, worse, level, CVaR.Value, VaR.Value)
				}
				if q := s.Quantile(1 - level); worse == LowerIsWorse && q != VaR {
					t.Errorf("%s %v: VaR %+v differs from Quantile(β) %+v", d.name, level, VaR, q)
				}
			}
		}
	}
}

// TestCVaRCICoverage checks that the CVaR interval, exact or from the sketch,
// covers the true expected shortfall of a normal distribution at about the
// nominal rate.
func TestCVaRCICoverage(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) { testCVaRCICoverage(t, mode.cap) })
	}
}

func testCVaRCICoverage(t *testing.T, exactCap int) {
	const reps, n, level = 1000, 4000, 0.95
	beta := 1 - level
	// Expected shortfall of N(0,1) below its β-quantile: −φ(z_β)/β.
	trueES := -distuv.UnitNormal.Prob(distuv.UnitNormal.Quantile(beta)) / beta
	for _, worse := range []Direction{LowerIsWorse, HigherIsWorse} {
		rng := rand.New(rand.NewPCG(400, uint64(worse)))
		truth := trueES
		if worse == HigherIsWorse {
			truth = -trueES
		}
		covered := 0
		for rep := 0; rep < reps; rep++ {
			s := NewSummaryCap(exactCap)
			for j := 0; j < n; j++ {
				s.Add(rng.NormFloat64())
			}
			if _, c := s.Tail(level, worse); c.Lo <= truth && truth <= c.Hi {
				covered++
			}
		}
		got := float64(covered) / reps
		t.Logf("%v: CVaR coverage %v", worse, got)
		if math.Abs(got-0.95) > coverageTol(0.95, reps) {
			t.Errorf("%v: CVaR coverage %v, want 0.95 ± %v", worse, got, coverageTol(0.95, reps))
		}
	}
}

// TestTailSmall checks Tail on small samples against hand-computed values.
func TestTailSmall(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name      string
		in        []float64
		level     float64
		worse     Direction
		VaR, CVaR float64
	}{
		// n = 5, β = 0.2: k = ⌊0.2·4⌋ = 0, the tail is the single worst value,
		// read exactly as Min or Max.
		{"lower one", []float64{-5, 1, 2, 3, 4}, 0.8, LowerIsWorse, -5, -5},
		{"higher one", []float64{-5, 1, 2, 3, 4}, 0.8, HigherIsWorse, 4, 4},
		// n = 11, β = 0.2: k = 2, the tail is the 3 worst values.
		{"lower three", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 0.8, LowerIsWorse, 2, 1},
		{"higher three", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 0.8, HigherIsWorse, 8, 9},
		{"single", []float64{42}, 0.99, LowerIsWorse, 42, 42},
		{"infinite tail", []float64{-inf, 1, 2}, 0.5, LowerIsWorse, 1, -inf},
		{"infinity outside tail", []float64{inf, 1, 2, 3, 4}, 0.8, LowerIsWorse, 1, 1},
		{"higher infinite", []float64{inf, 1, 2, 3, 4}, 0.8, HigherIsWorse, inf, inf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			VaR, CVaR := summaryOf(tt.in...).Tail(tt.level, tt.worse)
			if !sameFloat(VaR.Value, tt.VaR) && !withinAccuracy(VaR.Value, tt.VaR) {
				t.Errorf("VaR = %v, want %v", VaR.Value, tt.VaR)
			}
			if !sameFloat(CVaR.Value, tt.CVaR) && !withinAccuracy(CVaR.Value, tt.CVaR) {
				t.Errorf("CVaR = %v, want %v", CVaR.Value, tt.CVaR)
			}
			if VaR.Lo > VaR.Value || VaR.Value > VaR.Hi || CVaR.Lo > CVaR.Value || CVaR.Value > CVaR.Hi {
				t.Errorf("intervals do not contain estimates: VaR %+v CVaR %+v", VaR, CVaR)
			}
		})
	}
}

// TestTailMirror checks that negating the data and flipping the direction
// negates VaR and CVaR exactly, in both modes.
func TestTailMirror(t *testing.T) {
	for _, mode := range modes {
		rng := rand.New(rand.NewPCG(500, 1))
		a, b := NewSummaryCap(mode.cap), NewSummaryCap(mode.cap)
		for i := 0; i < 30000; i++ {
			x := testDistributions[2].draw(rng)
			a.Add(x)
			b.Add(-x)
		}
		for _, level := range []float64{0.5, 0.95, 0.99, 0.999} {
			va, ca := a.Tail(level, HigherIsWorse)
			vb, cb := b.Tail(level, LowerIsWorse)
			if va != vb.negate() || ca != cb.negate() {
				t.Errorf("%s, level %v: higher tail of X (%+v, %+v) is not the negated lower tail of −X (%+v, %+v)",
					mode.name, level, va, ca, vb, cb)
			}
		}
	}
}

// TestInvalidArguments checks that out-of-domain arguments give NaN
// estimates rather than errors or panics.
func TestInvalidArguments(t *testing.T) {
	s := summaryOf(1, 2, 3)
	var empty Summary
	isNaN := func(e Estimate) bool {
		return math.IsNaN(e.Value) && math.IsNaN(e.Lo) && math.IsNaN(e.Hi) && math.IsNaN(e.StdErr)
	}
	for _, q := range []float64{-0.01, 1.01, math.NaN(), math.Inf(1)} {
		if e := s.Quantile(q); !isNaN(e) {
			t.Errorf("Quantile(%v) = %+v, want NaN", q, e)
		}
		if v := s.quantileValue(q); !math.IsNaN(v) {
			t.Errorf("quantileValue(%v) = %v, want NaN", q, v)
		}
	}
	for _, c := range []struct {
		level float64
		worse Direction
	}{{0, LowerIsWorse}, {1, LowerIsWorse}, {-1, HigherIsWorse}, {math.NaN(), LowerIsWorse}, {0.9, Direction(3)}, {0.9, Direction(-1)}} {
		if v, cv := s.Tail(c.level, c.worse); !isNaN(v) || !isNaN(cv) {
			t.Errorf("Tail(%v, %v) = %+v, %+v; want NaN", c.level, c.worse, v, cv)
		}
	}
	if e := empty.Quantile(0.5); !isNaN(e) {
		t.Errorf("empty Quantile = %+v", e)
	}
	if v, c := empty.Tail(0.99, LowerIsWorse); !isNaN(v) || !isNaN(c) {
		t.Errorf("empty Tail = %+v, %+v", v, c)
	}
}
