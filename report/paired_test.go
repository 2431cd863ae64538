package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cascade-risk/cascade/metric"
)

// pairs draws n paired outcomes: a baseline and an arm that moves each run
// by shift plus noise and damps the lower tail, as a hedge would.
func pairs(n int, seed uint64) (base, arm []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for range n {
		x := rng.NormFloat64()*10 + 100
		y := x - 0.5 + rng.NormFloat64()*0.3
		if x < 85 {
			y += (85 - x) / 2
		}
		base, arm = append(base, x), append(arm, y)
	}
	return base, arm
}

// The point estimates of the tails are exactly those of the metric
// package's exact summaries, in both directions: the report's comparison
// and the tail table agree to the last bit.
func TestCompareMatchesSummaryTails(t *testing.T) {
	base, arm := pairs(1000, 1)
	for _, worse := range []metric.Direction{metric.LowerIsWorse, metric.HigherIsWorse} {
		c, err := Compare(base, arm, worse, DefaultThreshold(base, worse), Bootstrap{Resamples: 50})
		if err != nil {
			t.Fatal(err)
		}
		sb, sa := metric.NewSummary(), metric.NewSummary()
		for i := range base {
			sb.Add(base[i])
			sa.Add(arm[i])
		}
		var sum float64
		for i := range base {
			sum += arm[i] - base[i]
		}
		if want := sum / float64(len(base)); c.Mean.Value != want {
			t.Errorf("%v: mean difference %v, want %v", worse, c.Mean.Value, want)
		}
		for _, td := range c.Tails {
			vb, cb := sb.Tail(td.Level, worse)
			va, ca := sa.Tail(td.Level, worse)
			if td.VaR.Value != va.Value-vb.Value {
				t.Errorf("%v %v: ΔVaR %v, want %v", worse, td.Level, td.VaR.Value, va.Value-vb.Value)
			}
			if td.CVaR.Value != ca.Value-cb.Value {
				t.Errorf("%v %v: ΔCVaR %v, want %v", worse, td.Level, td.CVaR.Value, ca.Value-cb.Value)
			}
		}
		// The default threshold is the baseline's VaR 95%.
		if vb, _ := sb.Tail(0.95, worse); c.Threshold != vb.Value {
			t.Errorf("%v: threshold %v, want VaR 95%% %v", worse, c.Threshold, vb.Value)
		}
	}
}

// Known comparisons: identical arms differ by nothing, with zero-width
// intervals; a constant shift moves every statistic by the shift in every
// resample; the probabilities count runs strictly beyond the threshold.
func TestCompareKnown(t *testing.T) {
	base, _ := pairs(500, 2)
	shifted := make([]float64, len(base))
	for i, x := range base {
		shifted[i] = x + 4
	}
	tests := []struct {
		name  string
		arm   []float64
		worse metric.Direction
		diff  float64 // every statistic's difference
	}{
		{"identical lower", base, metric.LowerIsWorse, 0},
		{"identical higher", base, metric.HigherIsWorse, 0},
		{"shift lower", shifted, metric.LowerIsWorse, 4},
		{"shift higher", shifted, metric.HigherIsWorse, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compare(base, tt.arm, tt.worse, DefaultThreshold(base, tt.worse), Bootstrap{Resamples: 200, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			near := func(what string, e metric.Estimate) {
				t.Helper()
				for _, v := range []float64{e.Value, e.Lo, e.Hi} {
					if math.Abs(v-tt.diff) > 1e-9 {
						t.Errorf("%s = %v [%v, %v], want %v throughout", what, e.Value, e.Lo, e.Hi, tt.diff)
						return
					}
				}
			}
			near("mean", c.Mean)
			for _, td := range c.Tails {
				near(fmt.Sprintf("VaR %v", td.Level), td.VaR)
				near(fmt.Sprintf("CVaR %v", td.Level), td.CVaR)
			}
			// m = ⌊0.05·499⌋ + 1 = 25 runs make the 5% tail; the
			// threshold is the least bad of them, so 24 are strictly
			// beyond it.
			if want := 24.0 / 500; c.PBase.Value != want {
				t.Errorf("PBase = %v, want %v", c.PBase.Value, want)
			}
			if tt.diff == 0 && (c.PDiff.Value != 0 || c.PDiff.Lo != 0 || c.PDiff.Hi != 0) {
				t.Errorf("PDiff = %+v, want 0", c.PDiff)
			}
			if c.N != 500 || c.Dropped != 0 {
				t.Errorf("N, Dropped = %d, %d, want 500, 0", c.N, c.Dropped)
			}
		})
	}
}

// Pairs with a non-finite outcome are left out of every statistic.
func TestCompareNonFinite(t *testing.T) {
	base, arm := pairs(300, 4)
	want, err := Compare(base, arm, metric.LowerIsWorse, 90, Bootstrap{Resamples: 1})
	if err != nil {
		t.Fatal(err)
	}
	base = append(base, math.NaN(), 1, math.Inf(-1))
	arm = append(arm, 5, math.NaN(), 3)
	got, err := Compare(base, arm, metric.LowerIsWorse, 90, Bootstrap{Resamples: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got.N != 300 || got.Dropped != 3 {
		t.Errorf("N, Dropped = %d, %d, want 300, 3", got.N, got.Dropped)
	}
	if got.Mean.Value != want.Mean.Value || got.Tails[1].CVaR.Value != want.Tails[1].CVaR.Value || got.PArm.Value != want.PArm.Value {
		t.Errorf("non-finite pairs changed the point estimates: %+v, want %+v", got, want)
	}
}

// The same inputs and seed give the same intervals; another seed gives
// others.
func TestCompareDeterministic(t *testing.T) {
	base, arm := pairs(400, 5)
	run := func(seed uint64) Comparison {
		c, err := Compare(base, arm, metric.LowerIsWorse, 88, Bootstrap{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b, c := run(9), run(9), run(10)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different results:\n%+v\n%+v", a, b)
	}
	if a.Mean.Lo == c.Mean.Lo && a.Tails[1].CVaR.Lo == c.Tails[1].CVaR.Lo {
		t.Errorf("seeds 9 and 10 gave the same intervals")
	}
	if a.Mean.Value != c.Mean.Value {
		t.Errorf("the point estimate depends on the seed")
	}
}

// Over many data sets whose pairs differ by a normal with known mean, the
// 95% interval of the mean difference covers that mean about 95% of the
// time.
func TestCompareCoverage(t *testing.T) {
	const sets, n, mu = 300, 100, 0.7
	rng := rand.New(rand.NewPCG(11, 12))
	covered := 0
	for s := range sets {
		base, arm := make([]float64, n), make([]float64, n)
		for i := range base {
			base[i] = rng.NormFloat64()
			arm[i] = base[i] + mu + rng.NormFloat64()
		}
		c, err := Compare(base, arm, metric.LowerIsWorse, 0, Bootstrap{Resamples: 400, Seed: uint64(s)})
		if err != nil {
			t.Fatal(err)
		}
		if c.Mean.Lo <= mu && mu <= c.Mean.Hi {
			covered++
		}
	}
	// Binomial(300, 0.95) lies in [270, 295] with probability > 99.9%;
	// the percentile bootstrap runs slightly narrow at n = 100.
	if covered < 270 || covered > 295 {
		t.Errorf("the interval covered the true mean in %d of %d data sets, want about 95%%", covered, sets)
	}
}

func TestCompareErrors(t *testing.T) {
	tests := []struct {
		name      string
		base, arm []float64
		worse     metric.Direction
		b         Bootstrap
	}{
		{"lengths", []float64{1, 2}, []float64{1}, metric.LowerIsWorse, Bootstrap{}},
		{"direction", []float64{1}, []float64{1}, metric.Direction(7), Bootstrap{}},
		{"resamples", []float64{1}, []float64{1}, metric.LowerIsWorse, Bootstrap{Resamples: -1}},
	}
	for _, tt := range tests {
		if _, err := Compare(tt.base, tt.arm, tt.worse, 0, tt.b); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	// No pairs at all is not an error: every statistic is NaN.
	c, err := Compare(nil, nil, metric.LowerIsWorse, 0, Bootstrap{})
	if err != nil || !math.IsNaN(c.Mean.Value) || c.N != 0 {
		t.Errorf("empty: %+v, %v", c, err)
	}
}

func TestDefaultThreshold(t *testing.T) {
	xs := make([]float64, 101)
	for i := range xs {
		xs[i] = float64(100 - i) // 100 … 0
	}
	xs = append(xs, math.NaN())
	if got := DefaultThreshold(xs, metric.LowerIsWorse); got != 5 {
		t.Errorf("lower is worse: %v, want 5", got)
	}
	if got := DefaultThreshold(xs, metric.HigherIsWorse); got != 95 {
		t.Errorf("higher is worse: %v, want 95", got)
	}
	if got := DefaultThreshold([]float64{math.NaN()}, metric.LowerIsWorse); !math.IsNaN(got) {
		t.Errorf("no finite values: %v, want NaN", got)
	}
}

// A comparison of 10,000 pairs with 2,000 resamples is quick, since a
// resample only walks the tail it needs.
func BenchmarkCompare10000(b *testing.B) {
	base, arm := pairs(10000, 6)
	for b.Loop() {
		if _, err := Compare(base, arm, metric.LowerIsWorse, 85, Bootstrap{}); err != nil {
			b.Fatal(err)
		}
	}
}
