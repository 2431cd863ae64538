package metric

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// binCount returns the number of non-empty bins of s's sketch, both signs.
func binCount(s *Summary) int {
	if s.sk == nil {
		return 0
	}
	n := 0
	count := func(int, float64) bool { n++; return false }
	s.sk.GetPositiveValueStore().ForEach(count)
	s.sk.GetNegativeValueStore().ForEach(count)
	return n
}

// randomWalk writes into path a run of a Gaussian random walk from 100.
func randomWalk(rng *rand.Rand, path []float64) {
	x := 100.0
	for i := range path {
		x += rng.NormFloat64()
		path[i] = x
	}
}

func TestFanQuantiles(t *testing.T) {
	const k, runs = 8, 20000
	f, err := NewFan(k)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(600, 1))
	cols := make([][]float64, k)
	path := make([]float64, k)
	for r := 0; r < runs; r++ {
		randomWalk(rng, path)
		if err := f.Add(path); err != nil {
			t.Fatal(err)
		}
		for i, x := range path {
			cols[i] = append(cols[i], x)
		}
	}
	if f.Len() != k || f.Runs() != runs {
		t.Fatalf("Len, Runs = %d, %d", f.Len(), f.Runs())
	}
	for i := range k {
		// Fan points keep no observations (exact cap 0; see Fan).
		if p := f.Point(i); p.Exact() || p.xs != nil {
			t.Fatalf("point %d keeps observations: Exact %v, %d kept", i, p.Exact(), len(p.xs))
		}
	}
	qs := []float64{0.01, 0.1, 0.5, 0.9, 0.99, 2}
	got := f.Quantiles(qs)
	if len(got) != k {
		t.Fatalf("Quantiles returned %d rows, want %d", len(got), k)
	}
	for i, col := range cols {
		slices.Sort(col)
		for j, q := range qs {
			if q > 1 {
				if !math.IsNaN(got[i][j]) {
					t.Errorf("point %d: quantile %v = %v, want NaN", i, q, got[i][j])
				}
				continue
			}
			want := col[int(floorIndex(q, runs))]
			if !withinAccuracy(got[i][j], want) {
				t.Errorf("point %d: quantile %v = %v, exact %v", i, q, got[i][j], want)
			}
			if e := f.Point(i).Quantile(q).Value; e != got[i][j] {
				t.Errorf("point %d: Quantiles and Point.Quantile disagree: %v vs %v", i, got[i][j], e)
			}
		}
	}
}

// TestFanBoundedMemory checks that a Fan's sketches stop growing: the bin
// count is bounded by the range of values, not the number of runs, and
// adding runs in steady state allocates nothing.
func TestFanBoundedMemory(t *testing.T) {
	const k = 16
	f, _ := NewFan(k)
	rng := rand.New(rand.NewPCG(700, 1))
	path := make([]float64, k)
	var prev int
	for _, runs := range []int{1000, 10000, 100000} {
		for f.Runs() < int64(runs) {
			randomWalk(rng, path)
			_ = f.Add(path)
		}
		bins := 0
		for i := 0; i < k; i++ {
			bins += binCount(f.Point(i))
		}
		// Values lie within 100 ± 30, i.e. [70, 130]: at most the 63 bins
		// between those values per point, whatever the number of runs.
		limit := k * (binMapping.Index(130) - binMapping.Index(70) + 1)
		t.Logf("%d runs: %d bins", runs, bins)
		if bins > limit {
			t.Errorf("%d runs: %d bins, want at most %d", runs, bins, limit)
		}
		if bins < prev {
			t.Errorf("bin count fell from %d to %d", prev, bins)
		}
		prev = bins
	}
	// Replaying in-range paths allocates nothing: memory is fixed.
	allocs := testing.AllocsPerRun(1000, func() {
		randomWalk(rng, path)
		for i := range path {
			path[i] = math.Min(math.Max(path[i], 70), 130)
		}
		_ = f.Add(path)
	})
	if allocs != 0 {
		t.Errorf("Fan.Add allocates %v times per run in steady state, want 0", allocs)
	}
}

// TestSketchBinCap checks the hard cap: values spanning 600 orders of
// magnitude keep at most MaxBins bins per sign, and the largest magnitudes
// keep their accuracy.
func TestSketchBinCap(t *testing.T) {
	s := NewSummary()
	var xs []float64
	for e := -300.0; e <= 300; e += 0.01 {
		x := math.Pow(10, e)
		xs = append(xs, x, -x)
		s.Add(x)
		s.Add(-x)
	}
	slices.Sort(xs)
	pos, neg := 0, 0
	s.sk.GetPositiveValueStore().ForEach(func(int, float64) bool { pos++; return false })
	s.sk.GetNegativeValueStore().ForEach(func(int, float64) bool { neg++; return false })
	if pos > MaxBins || neg > MaxBins {
		t.Errorf("bins per sign = %d, %d; want at most %d", pos, neg, MaxBins)
	}
	n := float64(len(xs))
	for _, q := range []float64{0, 0.001, 0.01, 0.99, 0.999, 1} {
		want := xs[int(floorIndex(q, n))]
		if got := s.Quantile(q).Value; !withinAccuracy(got, want) {
			t.Errorf("Quantile(%v) = %v, exact %v", q, got, want)
		}
	}
	// Magnitudes below max/γ^MaxBins are collapsed into one bin: the median
	// (about ±1e-300) is read as a magnitude near 1e300/6e17.
	if got := math.Abs(s.Quantile(0.5).Value); got < 1e282 || got > 1e283 {
		t.Errorf("collapsed median magnitude = %v, want about 1.6e282", got)
	}
}

func TestFanErrors(t *testing.T) {
	for _, k := range []int{0, -1} {
		if f, err := NewFan(k); err == nil || f != nil {
			t.Errorf("NewFan(%d) = %v, %v; want error", k, f, err)
		}
	}
	f, _ := NewFan(3)
	for _, vals := range [][]float64{nil, {1, 2}, {1, 2, 3, 4}} {
		if err := f.Add(vals); err == nil {
			t.Errorf("Add(%v) succeeded on a fan of 3 points", vals)
		}
	}
	if f.Runs() != 0 || f.Point(0).N() != 0 {
		t.Errorf("failed Add recorded something")
	}
	g, _ := NewFan(4)
	if err := f.Merge(g); err == nil {
		t.Errorf("merging fans of 3 and 4 points succeeded")
	}
	if err := f.Merge(nil); err == nil {
		t.Errorf("merging nil fan succeeded")
	}
	if f.Point(-1) != nil || f.Point(3) != nil {
		t.Errorf("Point out of range is not nil")
	}
	for _, row := range f.Quantiles([]float64{0.5}) {
		if !math.IsNaN(row[0]) {
			t.Errorf("quantile of empty fan point = %v, want NaN", row[0])
		}
	}
}

// TestFanMerge checks that merged fans give the quantiles of one fan fed all
// runs, bit for bit.
func TestFanMerge(t *testing.T) {
	const k = 5
	all, _ := NewFan(k)
	parts := make([]*Fan, 3)
	for i := range parts {
		parts[i], _ = NewFan(k)
	}
	rng := rand.New(rand.NewPCG(800, 1))
	path := make([]float64, k)
	for r := 0; r < 3000; r++ {
		randomWalk(rng, path)
		_ = all.Add(path)
		_ = parts[r%3].Add(path)
	}
	m := parts[2]
	if err := m.Merge(parts[0]); err != nil {
		t.Fatal(err)
	}
	if err := m.Merge(parts[1]); err != nil {
		t.Fatal(err)
	}
	if m.Runs() != all.Runs() {
		t.Errorf("Runs = %d, want %d", m.Runs(), all.Runs())
	}
	qs := []float64{0, 0.05, 0.5, 0.95, 1}
	got, want := m.Quantiles(qs), all.Quantiles(qs)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("point %d: merged %v, want %v", i, got[i], want[i])
		}
	}
}

// BenchmarkFanAdd adds runs to a dozen fans of 101 points each, the
// quickstart's series: per run, what a worker does after simulating it.
func BenchmarkFanAdd(b *testing.B) {
	const fans, k = 12, 101
	fs := make([]*Fan, fans)
	paths := make([][]float64, fans)
	rng := rand.New(rand.NewPCG(900, 1))
	for i := range fs {
		fs[i], _ = NewFan(k)
		paths[i] = make([]float64, k)
		randomWalk(rng, paths[i])
	}
	b.ResetTimer()
	for range b.N {
		for i, f := range fs {
			if err := f.Add(paths[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FanPoints keeps at most max evenly strided indices, always the first and
// the last; NewFanOf records only those values of each series.
func TestFanPoints(t *testing.T) {
	for _, c := range []struct {
		n, max int
		want   []int
	}{
		{1, 150, []int{0}},
		{5, 150, []int{0, 1, 2, 3, 4}},
		{10, 5, []int{0, 2, 4, 6, 9}},
		{11, 5, []int{0, 3, 6, 10}},
		{7, 3, []int{0, 3, 6}},
	} {
		got := FanPoints(c.n, c.max)
		if !slices.Equal(got, c.want) {
			t.Errorf("FanPoints(%d, %d) = %v, want %v", c.n, c.max, got, c.want)
		}
	}
	for _, n := range []int{150, 151, 1441, 14401, 144001} {
		got := FanPoints(n, 150)
		if len(got) > 150 || got[0] != 0 || got[len(got)-1] != n-1 {
			t.Errorf("FanPoints(%d, 150): %d points from %d to %d", n, len(got), got[0], got[len(got)-1])
		}
	}
	f, err := NewFanOf(5, []int{0, 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Add([]float64{1, 2, 3, 4, 5}); err != nil {
		t.Fatal(err)
	}
	if f.Add([]float64{1, 2}) == nil {
		t.Error("a series of 2 values added to a fan of series of 5")
	}
	if f.Len() != 2 || f.Point(0).Max() != 1 || f.Point(1).Max() != 5 {
		t.Errorf("fan of points 0 and 4 recorded %v, %v", f.Point(0).Max(), f.Point(1).Max())
	}
	if _, err := NewFanOf(5, []int{3, 3}); err == nil {
		t.Error("NewFanOf accepted repeated indices")
	}
}

// BenchmarkFanAddSpread adds runs of a geometric random walk whose values
// spread over many orders of magnitude (the quickstart's price at a long
// horizon) to a fan of 150 points, 1,000 runs to a fan: each sketch holds
// about as many bins as runs.
func BenchmarkFanAddSpread(b *testing.B) {
	const k, runs = 150, 1000
	rng := rand.New(rand.NewPCG(901, 1))
	paths := make([][]float64, runs)
	for r := range paths {
		paths[r] = make([]float64, k)
		x := 0.0
		for i := range paths[r] {
			x += 0.5 * rng.NormFloat64()
			paths[r][i] = 2000 * math.Exp(x)
		}
	}
	b.ResetTimer()
	for n := 0; b.Loop(); n++ {
		f, _ := NewFan(k)
		for _, p := range paths {
			_ = f.Add(p)
		}
		_ = f.Quantiles([]float64{0.5})
	}
}

// TestCoarseFanAccuracy checks a coarse fan's quantiles against the exact
// order statistics of spread-out samples (normal, lognormal over some 5 decades,
// mixed signs with zeros): within CoarseAccuracy (2%) each, with bin
// values farther than RelativeAccuracy from the sample (so the bins are
// genuinely coarser) and under 40% of the bins of a fine fan; a fine
// fan stays within RelativeAccuracy (0.5%). It also checks that fans of
// the two accuracies refuse to merge, and that the encoding keeps the
// accuracy.
func TestCoarseFanAccuracy(t *testing.T) {
	const n = 20000
	qs := []float64{0, 0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1}
	for i, d := range testDistributions {
		rng := rand.New(rand.NewPCG(300+uint64(i), 1))
		fine, _ := NewFan(1)
		coarse, _ := NewCoarseFan(1)
		xs := make([]float64, n)
		for j := range xs {
			xs[j] = d.draw(rng)
			_ = fine.Add(xs[j : j+1])
			_ = coarse.Add(xs[j : j+1])
		}
		slices.Sort(xs)
		if fine.Accuracy() != RelativeAccuracy || coarse.Accuracy() != CoarseAccuracy {
			t.Fatalf("%s: accuracies %v, %v; want %v, %v", d.name, fine.Accuracy(), coarse.Accuracy(), RelativeAccuracy, CoarseAccuracy)
		}
		worst := 0.0
		for _, q := range qs {
			want := xs[int(floorIndex(q, n))]
			for _, c := range []struct {
				f     *Fan
				bound float64
			}{{fine, RelativeAccuracy}, {coarse, CoarseAccuracy}} {
				got := c.f.Point(0).Quantile(q).Value
				if math.Abs(got-want) > c.bound*math.Abs(want)*(1+1e-9) {
					t.Errorf("%s: accuracy %v: Quantile(%v) = %v, exact %v", d.name, c.bound, q, got, want)
				}
				if c.bound == CoarseAccuracy && want != 0 {
					worst = max(worst, math.Abs(got-want)/math.Abs(want))
				}
			}
		}
		if worst <= RelativeAccuracy {
			t.Errorf("%s: coarse quantiles all within %v of exact (worst %v): bins not coarser", d.name, RelativeAccuracy, worst)
		}
		b, c := binCount(fine.Point(0)), binCount(coarse.Point(0))
		t.Logf("%s: coarse worst relative error %.4f, bins %d coarse against %d fine", d.name, worst, c, b)
		if 5*c > 2*b {
			t.Errorf("%s: coarse fan occupies %d bins, fine %d: want under 40%%", d.name, c, b)
		}
		if err := fine.Merge(coarse); err == nil {
			t.Errorf("%s: a fine fan merged a coarse one", d.name)
		}
		data, err := coarse.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Fan
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		if back.Accuracy() != CoarseAccuracy || back.Point(0).Quantile(0.5) != coarse.Point(0).Quantile(0.5) {
			t.Errorf("%s: decoded coarse fan: accuracy %v, median %v; want %v, %v", d.name,
				back.Accuracy(), back.Point(0).Quantile(0.5), CoarseAccuracy, coarse.Point(0).Quantile(0.5))
		}
		if err := back.Merge(coarse); err != nil {
			t.Errorf("%s: decoded coarse fan refuses a coarse one: %v", d.name, err)
		}
	}
}

// BenchmarkFanWorkers is the fans' life in `cascade bench` of uniswap_v3
// at 20 runs on 2 workers: each worker fills 16 fans of 101 points with 10
// runs, then the result's empty fans take both workers' (Absorb).
func BenchmarkFanWorkers(b *testing.B) {
	const fans, k, workers, runs = 16, 101, 2, 20
	rng := rand.New(rand.NewPCG(902, 1))
	paths := make([][]float64, runs)
	for r := range paths {
		paths[r] = make([]float64, k)
		randomWalk(rng, paths[r])
	}
	for b.Loop() {
		res := make([]*Fan, fans)
		for i := range res {
			res[i], _ = NewFan(k)
		}
		for w := range workers {
			mine := make([]*Fan, fans)
			for i := range mine {
				mine[i], _ = NewFan(k)
			}
			for r := w; r < runs; r += workers {
				for _, f := range mine {
					_ = f.Add(paths[r])
				}
			}
			for i, f := range mine {
				if err := res[i].Absorb(f); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// TestFanAbsorb checks that fans absorbed into empty and non-empty fans,
// with runs held back or in their sketches, give the quantiles, counts
// and extrema of the same fans merged at every point (the moments to
// rounding), and that an absorbed fan is left empty.
func TestFanAbsorb(t *testing.T) {
	const k = 7
	// fill returns a fan of runs random walks drawn from seed: the same
	// fan for the same arguments.
	fill := func(seed uint64, runs int) *Fan {
		rng := rand.New(rand.NewPCG(803, seed))
		f, _ := NewFan(k)
		if seed%2 == 1 {
			f.Expect(runs) // one batch of runs, if it fits
		}
		path := make([]float64, k)
		for range runs {
			randomWalk(rng, path)
			path[2] = math.NaN()
			path[3] = -path[3]
			_ = f.Add(path)
		}
		return f
	}
	qs := []float64{0, 0.05, 0.25, 0.5, 0.75, 0.95, 1}
	for _, runs := range []int{0, 1, 3, 10, 40, 100} {
		sizes := []int{runs, runs + 3, 5, 2 * runs}
		merged, _ := NewFan(k)
		for j, n := range sizes {
			if err := merged.Merge(fill(uint64(j), n)); err != nil {
				t.Fatal(err)
			}
		}
		absorbed, _ := NewFan(k)
		if runs%2 == 1 {
			_ = absorbed.Absorb(fill(9, 0)) // an empty fan absorbed first
		}
		for j, n := range sizes {
			p := fill(uint64(j), n)
			if p.held == 0 && n > 0 && n <= fanMaxBatch {
				t.Fatalf("a fan of %d runs holds none back", n)
			}
			if n <= fanMaxBatch && (p.points != nil || j%2 == 1 && n > 0 && p.width != n) {
				t.Fatalf("a fan of %d runs held back (Expect: %v) has width %d, points made %v", n, j%2 == 1, p.width, p.points != nil)
			}
			if err := absorbed.Absorb(p); err != nil {
				t.Fatal(err)
			}
			if p.Runs() != 0 || p.Point(0).N() != 0 || p.Point(2).NaNs() != 0 {
				t.Errorf("runs %d: absorbed fan keeps %d runs", runs, p.Runs())
			}
		}
		if absorbed.Runs() != merged.Runs() {
			t.Errorf("runs %d: absorbed %d runs, merged %d", runs, absorbed.Runs(), merged.Runs())
		}
		got, want := absorbed.Quantiles(qs), merged.Quantiles(qs)
		for i := range k {
			a, m := absorbed.Point(i), merged.Point(i)
			if !slices.Equal(got[i], want[i]) && !(m.N() == 0 && a.N() == 0) {
				t.Errorf("runs %d, point %d: absorbed quantiles %v, merged %v", runs, i, got[i], want[i])
			}
			if a.N() != m.N() || a.NaNs() != m.NaNs() || !sameFloat(a.Min(), m.Min()) || !sameFloat(a.Max(), m.Max()) {
				t.Errorf("runs %d, point %d: absorbed n %d nan %d [%v, %v], merged n %d nan %d [%v, %v]",
					runs, i, a.N(), a.NaNs(), a.Min(), a.Max(), m.N(), m.NaNs(), m.Min(), m.Max())
			}
			if d := math.Abs(a.Mean() - m.Mean()); d > 1e-12*math.Abs(m.Mean()) {
				t.Errorf("runs %d, point %d: absorbed mean %v, merged %v", runs, i, a.Mean(), m.Mean())
			}
		}
	}
	f, _ := NewFan(k)
	if g, _ := NewFan(k + 1); f.Absorb(g) == nil || f.Absorb(nil) == nil {
		t.Error("Absorb accepted a fan Merge refuses")
	}
}
