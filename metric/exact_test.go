package metric

import (
	"cmp"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// totalOrder sorts a copy of xs ascending with −0 before +0, independently
// of the package's sorting.
func totalOrder(xs []float64) []float64 {
	ys := slices.Clone(xs)
	slices.SortFunc(ys, func(a, b float64) int {
		if c := cmp.Compare(a, b); c != 0 {
			return c
		}
		return cmp.Compare(btoi(!math.Signbit(a)), btoi(!math.Signbit(b)))
	})
	return ys
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sameBits reports whether a and b have the same bits, any NaN matching any
// NaN.
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

func sameEstimateBits(a, b Estimate) bool {
	return sameBits(a.Value, b.Value) && sameBits(a.Lo, b.Lo) && sameBits(a.Hi, b.Hi) && sameBits(a.StdErr, b.StdErr)
}

// refQuantile returns the q-quantile of the sorted sample xs (infinities
// included) by the package's conventions: the order statistic at ⌊q(n−1)⌋,
// interval ends at the order statistics of the binomial ranks, unbounded
// beyond the sample.
func refQuantile(xs []float64, q float64) Estimate {
	n := float64(len(xs))
	k := floorIndex(q, n)
	lo, hi := quantileCI(q, n, k)
	e := Estimate{Value: xs[int(k)], Lo: math.Inf(-1), Hi: math.Inf(1)}
	if lo >= 0 {
		e.Lo = xs[int(lo)]
	}
	if hi <= n-1 {
		e.Hi = xs[int(hi)]
	}
	e.StdErr = (e.Hi - e.Lo) / (2 * Z)
	return e
}

// refTail returns VaR and CVaR of the sorted sample xs by the definition of
// Tail: for HigherIsWorse those of the lower tail of −X, negated. The tail
// is summed from the worst observation inward.
func refTail(xs []float64, level float64, worse Direction) (VaR, CVaR Estimate) {
	n := len(xs)
	w := slices.Clone(xs) // ascending, worst first
	if worse == HigherIsWorse {
		for i := range w {
			w[i] = -xs[n-1-i]
		}
	}
	beta := 1 - level
	VaR = refQuantile(w, beta)
	m := int(floorIndex(beta, float64(n))) + 1
	var sum, sumY, sumY2 float64
	for _, x := range w[:m] {
		sum += x
		y := x - VaR.Value
		sumY += y
		sumY2 += float64(y * y)
	}
	cvar := sum / float64(m)
	switch {
	case math.IsInf(cvar, 0) || math.IsNaN(cvar):
		CVaR = Estimate{cvar, cvar, cvar, math.NaN()}
	case n < 2:
		CVaR = Estimate{cvar, math.Inf(-1), math.Inf(1), math.Inf(1)}
	default:
		nf := float64(n)
		varY := math.Max((sumY2-float64(sumY*sumY)/nf)/(nf-1), 0)
		se := math.Sqrt(varY / float64(float64(beta*beta)*nf))
		h := float64(Z * se)
		CVaR = Estimate{cvar, cvar - h, cvar + h, se}
	}
	if worse == HigherIsWorse {
		VaR, CVaR = VaR.negate(), CVaR.negate()
	}
	return VaR, CVaR
}

// exactSamples are samples that exercise the exact mode: tiny, with ties,
// signed zeros, infinities, and a narrow spread at a high level.
func exactSamples() map[string][]float64 {
	rng := rand.New(rand.NewPCG(1000, 1))
	inf := math.Inf(1)
	negZero := math.Copysign(0, -1)
	draw := func(n int, f func() float64) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = f()
		}
		return xs
	}
	return map[string][]float64{
		"one":         {3.25},
		"two":         {2, -1},
		"ties":        {5, 1, 5, 5, 2, 2, 9, 5, 1},
		"signed zero": {0, negZero, 1, negZero, -1, 0, 0, negZero},
		"infinities":  {-inf, 4, inf, 1, -inf, 2, 3, inf},
		"only inf":    {inf, inf, -inf},
		"normal 1000": draw(1000, func() float64 { return 10 + 3*rng.NormFloat64() }),
		"mixed 20000": draw(20000, func() float64 { return testDistributions[2].draw(rng) }),
		"lp/hodl 5000": draw(5000, func() float64 {
			return 0.997 + 0.002*rng.Float64()
		}),
	}
}

// TestExactQuantiles checks that below the cap, quantiles, their intervals
// and tails are the exact sample's order statistics and tail sums, bit for
// bit, with infinities as the extreme order statistics.
func TestExactQuantiles(t *testing.T) {
	qs := []float64{0, 1e-4, 0.001, 0.01, 0.05, 0.1, 0.25, 0.29, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}
	levels := []float64{0.5, 0.8, 0.9, 0.95, 0.99, 0.999}
	for name, in := range exactSamples() {
		t.Run(name, func(t *testing.T) {
			s := summaryOf(in...)
			if !s.Exact() {
				t.Fatal("Exact() = false below the cap")
			}
			xs := totalOrder(in)
			for _, q := range qs {
				if got, want := s.Quantile(q), refQuantile(xs, q); !sameEstimateBits(got, want) {
					t.Errorf("Quantile(%v) = %+v, want %+v", q, got, want)
				}
				if got, want := s.quantileValue(q), refQuantile(xs, q).Value; !sameBits(got, want) {
					t.Errorf("quantileValue(%v) = %v, want %v", q, got, want)
				}
			}
			for _, worse := range []Direction{LowerIsWorse, HigherIsWorse} {
				for _, level := range levels {
					VaR, CVaR := s.Tail(level, worse)
					wantVaR, wantCVaR := refTail(xs, level, worse)
					if !sameEstimateBits(VaR, wantVaR) || !sameEstimateBits(CVaR, wantCVaR) {
						t.Errorf("Tail(%v, %v) = %+v, %+v; want %+v, %+v", level, worse, VaR, CVaR, wantVaR, wantCVaR)
					}
				}
			}
			if r := s.Report(nil, nil, LowerIsWorse); r.RelativeAccuracy != 0 {
				t.Errorf("report of an exact Summary has RelativeAccuracy %v, want 0", r.RelativeAccuracy)
			}
		})
	}
}

// reportJSON returns the quantiles and tails of s's report as JSON, which
// tells −0 from +0.
func reportJSON(t *testing.T, s *Summary) string {
	t.Helper()
	r := s.Report([]float64{0.5, 0.9, 0.99}, []float64{0, 0.01, 0.25, 0.5, 0.75, 0.99, 1}, LowerIsWorse)
	b, err := json.Marshal(struct {
		A float64
		Q []QuantileReport
		T []TailReport
	}{r.RelativeAccuracy, r.Quantiles, r.Tails})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExactSwitchOver checks that a Summary of cap c is exact through c
// finite observations, and from c+1 on gives the sketch's answers bit for
// bit (those of a sketch-only Summary), whether the count passes the cap by
// Add or by Merge.
func TestExactSwitchOver(t *testing.T) {
	const c = 1000
	rng := rand.New(rand.NewPCG(1100, 1))
	xs := make([]float64, c+2)
	for i := range xs {
		xs[i] = 100 * (1 + 0.01*rng.NormFloat64())
	}
	xs[17] = math.Inf(1) // neither infinities nor NaN count towards the cap
	xs[c+1] = math.NaN()
	xs = append(xs, 99.5)
	// xs has c finite values before its last, and c+1 with it.
	at := summaryCapOf(c, xs[:c+2]...)
	if !at.Exact() || len(at.xs) != c {
		t.Fatalf("Exact() = %v with %d kept observations and cap %d", at.Exact(), len(at.xs), c)
	}
	if got, want := reportJSON(t, at), reportJSON(t, summaryOf(xs[:c+2]...)); got != want {
		t.Errorf("at the cap, report differs from an exact one:\n%s\n%s", got, want)
	}
	sketch := reportJSON(t, summaryCapOf(0, xs...))
	over := summaryCapOf(c, xs...)
	if over.Exact() || over.xs != nil {
		t.Errorf("past the cap: Exact() = %v, kept %d observations; want false, none", over.Exact(), len(over.xs))
	}
	if got := reportJSON(t, over); got != sketch {
		t.Errorf("past the cap, report differs from the sketch's:\n%s\n%s", got, sketch)
	}
	a, b := summaryCapOf(c, xs[:500]...), summaryCapOf(c, xs[500:]...)
	a.Merge(b)
	if a.Exact() || a.xs != nil {
		t.Errorf("merged past the cap: Exact() = %v, kept %d observations", a.Exact(), len(a.xs))
	}
	if got := reportJSON(t, a); got != sketch {
		t.Errorf("merged past the cap, report differs from the sketch's:\n%s\n%s", got, sketch)
	}
}

// TestExactMemoryBounded checks that the kept sample never has capacity
// beyond the cap and is released, for good, once the count passes it.
func TestExactMemoryBounded(t *testing.T) {
	for _, c := range []int{1, 5, 100, 1000, DefaultExactCap} {
		s := NewSummaryCap(c)
		rng := rand.New(rand.NewPCG(1200, uint64(c)))
		for i := 1; i <= c+1000; i++ {
			s.Add(rng.NormFloat64())
			if i <= c && (!s.Exact() || len(s.xs) != i || cap(s.xs) > c) {
				t.Fatalf("cap %d, %d observations: Exact %v, len %d, capacity %d", c, i, s.Exact(), len(s.xs), cap(s.xs))
			}
			if i > c && (s.Exact() || s.xs != nil) {
				t.Fatalf("cap %d, %d observations: Exact %v, capacity %d; want released", c, i, s.Exact(), cap(s.xs))
			}
		}
	}
	for _, c := range []int{0, -3} {
		s := NewSummaryCap(c)
		s.Add(math.Inf(1))
		if !s.Exact() {
			t.Errorf("cap %d: infinities alone made the Summary inexact", c)
		}
		s.Add(1)
		if s.Exact() || s.xs != nil {
			t.Errorf("cap %d: a finite observation was kept", c)
		}
	}
	var zero Summary
	zero.Add(1)
	if zero.Exact() {
		t.Errorf("the zero Summary kept an observation; want sketch only")
	}
}

// TestMergeExactness checks when a merged Summary stays exact: both parts
// exact and the combined count within the receiver's cap.
func TestMergeExactness(t *testing.T) {
	seq := func(c, from, n int) *Summary {
		s := NewSummaryCap(c)
		for i := range n {
			s.Add(float64(from + i))
		}
		return s
	}
	dropped := seq(3, 0, 4)
	tests := []struct {
		name  string
		a, b  *Summary
		exact bool
	}{
		{"within cap", seq(10, 0, 4), seq(10, 4, 6), true},
		{"one over", seq(10, 0, 5), seq(10, 5, 6), false},
		{"other inexact", seq(10, 0, 3), dropped, false},
		{"receiver inexact", seq(3, 0, 4), seq(10, 4, 1), false},
		{"receiver's cap governs", seq(100, 0, 5), seq(3, 5, 2), true},
		{"receiver's small cap", seq(3, 0, 2), seq(100, 2, 5), false},
		{"into zero value", new(Summary), seq(10, 0, 2), false},
		{"empty other", seq(10, 0, 2), new(Summary), true},
		{"infinities only", seq(2, 0, 2), summaryCapOf(0, math.Inf(1), math.Inf(-1)), true},
		{"nil", seq(10, 0, 2), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []float64
			for _, s := range []*Summary{tt.a, tt.b} {
				if s != nil {
					want = append(want, s.xs...)
					neg, pos := s.Infs()
					for range neg {
						want = append(want, math.Inf(-1))
					}
					for range pos {
						want = append(want, math.Inf(1))
					}
				}
			}
			tt.a.Merge(tt.b)
			if tt.a.Exact() != tt.exact {
				t.Fatalf("Exact() = %v, want %v", tt.a.Exact(), tt.exact)
			}
			if !tt.exact {
				if tt.a.xs != nil {
					t.Errorf("inexact merge kept %d observations", len(tt.a.xs))
				}
				return
			}
			xs := totalOrder(want)
			for _, q := range []float64{0, 0.3, 0.5, 0.9, 1} {
				if got, want := tt.a.Quantile(q), refQuantile(xs, q); !sameEstimateBits(got, want) {
					t.Errorf("Quantile(%v) = %+v, want %+v", q, got, want)
				}
			}
		})
	}

	// Self-merge doubles the sample, within the cap or not.
	s := seq(10, 1, 5)
	s.Merge(s)
	if !s.Exact() || !slices.Equal(s.sortedSample(), []float64{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}) {
		t.Errorf("self-merge within the cap: Exact %v, sample %v", s.Exact(), s.xs)
	}
	s = seq(10, 1, 6)
	s.Merge(s)
	if s.Exact() || s.N() != 12 {
		t.Errorf("self-merge past the cap: Exact %v, N %d", s.Exact(), s.N())
	}
}

// TestExactMergeOrder checks that exact quantiles and tails, to the last bit
// and the sign of zero, do not depend on the order or grouping of merges or
// on the order of Adds.
func TestExactMergeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1300, 1))
	negZero := math.Copysign(0, -1)
	var all []float64
	for range 3000 {
		var x float64
		switch u := rng.Float64(); {
		case u < 0.05:
			x = negZero
		case u < 0.1:
			x = 0
		case u < 0.2:
			x = float64(rng.IntN(5)) // ties
		case u < 0.201:
			x = math.Inf(2*rng.IntN(2) - 1)
		default:
			x = rng.NormFloat64() * math.Exp(rng.NormFloat64())
		}
		all = append(all, x)
	}
	shards := [][]float64{all[:1], all[1:1000], all[1000:1037], all[1037:]}
	want := reportJSON(t, summaryOf(all...))
	perm := [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}}
	for _, order := range perm {
		m := NewSummary()
		for _, i := range order {
			m.Merge(summaryOf(shards[i]...))
			m.Quantile(0.5) // sorting between merges changes nothing
		}
		ab, cd := summaryOf(shards[order[0]]...), summaryOf(shards[order[2]]...)
		ab.Merge(summaryOf(shards[order[1]]...))
		cd.Merge(summaryOf(shards[order[3]]...))
		ab.Merge(cd)
		for _, s := range []*Summary{m, ab} {
			if !s.Exact() {
				t.Fatalf("order %v: merged Summary is not exact", order)
			}
			if got := reportJSON(t, s); got != want {
				t.Errorf("order %v: report differs:\n%s\n%s", order, got, want)
			}
		}
	}
	rev := slices.Clone(all)
	slices.Reverse(rev)
	if got := reportJSON(t, summaryOf(rev...)); got != want {
		t.Errorf("reversed Adds: report differs:\n%s\n%s", got, want)
	}
	// The lowest values are −Inf then the −0s; a zero quantile is −0 if one
	// was added, whatever the order.
	for _, in := range [][]float64{{0, negZero}, {negZero, 0}} {
		if q := summaryOf(in...).Quantile(0).Value; !math.Signbit(q) {
			t.Errorf("Quantile(0) of %v = %v, want -0", in, q)
		}
	}
}

// TestNarrowSpread is the case the exact mode exists for: a ratio between
// 0.997 and 0.999 over runs, narrower than a sketch bin. Exact quantiles
// are distinct order statistics; the sketch has at most two bins there and
// so at most two distinct quantiles.
func TestNarrowSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(1400, 1))
	exact, sketch := NewSummary(), NewSummaryCap(0)
	var xs []float64
	for range 10000 {
		x := 0.997 + 0.002*rng.Float64()
		xs = append(xs, x)
		exact.Add(x)
		sketch.Add(x)
	}
	slices.Sort(xs)
	r := exact.Report(nil, nil, LowerIsWorse)
	if r.RelativeAccuracy != 0 {
		t.Errorf("RelativeAccuracy = %v, want 0", r.RelativeAccuracy)
	}
	for i, q := range r.Quantiles {
		if want := xs[int(floorIndex(q.Q, 10000))]; q.Estimate.Value != want {
			t.Errorf("%s = %v, exact %v", q.Label, q.Estimate.Value, want)
		}
		if i > 0 && !(q.Estimate.Value > r.Quantiles[i-1].Estimate.Value) {
			t.Errorf("%s = %v, not above %s = %v", q.Label, q.Estimate.Value,
				r.Quantiles[i-1].Label, r.Quantiles[i-1].Estimate.Value)
		}
		if !(q.Estimate.Lo < q.Estimate.Hi) {
			t.Errorf("%s interval [%v, %v] is empty", q.Label, q.Estimate.Lo, q.Estimate.Hi)
		}
	}
	rs := sketch.Report(nil, nil, LowerIsWorse)
	distinct := map[float64]bool{}
	for _, q := range rs.Quantiles {
		distinct[q.Estimate.Value] = true
	}
	if rs.RelativeAccuracy != RelativeAccuracy || len(distinct) > 2 {
		t.Errorf("sketch: RelativeAccuracy %v, %d distinct quantiles; want %v, at most 2",
			rs.RelativeAccuracy, len(distinct), RelativeAccuracy)
	}
}
