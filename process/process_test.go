package process

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/history"
)

var (
	_ Process = (*GBM)(nil)
	_ Process = (*CorrelatedGBM)(nil)
	_ Process = (*Merton)(nil)
	_ Process = (*StudentT)(nil)
	_ Process = (*Replay)(nil)
	_ Process = (*Bootstrap)(nil)
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

func mustGBM(t testing.TB, s0, mu, sigma, dt float64) *GBM {
	p, err := NewGBM(s0, mu, sigma, dt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// logReturns runs paths of the given number of steps and returns, per
// dimension, every per-step log-return, and the final price relatives
// S_T/S_0 of each path.
func logReturns(p Process, rng *rand.Rand, paths, steps int) (ret [][]float64, final [][]float64) {
	d := p.Dim()
	ret = make([][]float64, d)
	final = make([][]float64, d)
	prev := make([]float64, d)
	cur := make([]float64, d)
	start := make([]float64, d)
	for range paths {
		p.Reset(rng, start)
		copy(prev, start)
		for range steps {
			p.Step(cur)
			for j := range d {
				ret[j] = append(ret[j], math.Log(cur[j]/prev[j]))
			}
			copy(prev, cur)
		}
		for j := range d {
			final[j] = append(final[j], cur[j]/start[j])
		}
	}
	return ret, final
}

func TestGBMMoments(t *testing.T) {
	const (
		paths, steps = 20000, 50
		sigma, dt    = 0.8, 1.0 / 365
	)
	for i, mu := range []float64{0, 0.5, -1} {
		p := mustGBM(t, 2000, mu, sigma, dt)
		ret, final := logReturns(p, newRNG(100+uint64(i)), paths, steps)
		var f, r moments
		f.xs, r.xs = final[0], ret[0]
		// S_T/S_0 is lognormal: mean e^(μT), variance e^(2μT)(e^(σ²T) − 1).
		T := steps * dt
		mean := math.Exp(mu * T)
		sd := mean * math.Sqrt(math.Expm1(sigma*sigma*T))
		within(t, "mean S_T/S_0", f.mean(), mean, sd/math.Sqrt(f.n()))
		// Log-returns are iid N((μ − σ²/2)dt, σ²dt).
		v := sigma * sigma * dt
		within(t, "mean log-return", r.mean(), (mu-sigma*sigma/2)*dt, math.Sqrt(v/r.n()))
		within(t, "variance of log-returns", r.variance(), v, v*math.Sqrt(2/(r.n()-1)))
		within(t, "lag-1 autocorrelation", corr(r.xs[:len(r.xs)-1], r.xs[1:]), 0, 1/math.Sqrt(r.n()))
	}
}

func TestCorrelatedGBMMoments(t *testing.T) {
	const (
		paths, steps = 2000, 100
		dt           = 1.0 / 365
	)
	mu := []float64{0.1, 0, -0.2}
	sigma := []float64{0.5, 0.8, 0.3}
	R := [][]float64{
		{1, 0.6, -0.3},
		{0.6, 1, 0.2},
		{-0.3, 0.2, 1},
	}
	p, err := NewCorrelatedGBM([]float64{2000, 1, 30}, mu, sigma, R, dt)
	if err != nil {
		t.Fatal(err)
	}
	ret, final := logReturns(p, newRNG(2), paths, steps)
	n := float64(len(ret[0]))
	for i := range 3 {
		var r, f moments
		r.xs, f.xs = ret[i], final[i]
		v := sigma[i] * sigma[i] * dt
		within(t, "mean log-return", r.mean(), (mu[i]-sigma[i]*sigma[i]/2)*dt, math.Sqrt(v/n))
		within(t, "variance of log-returns", r.variance(), v, v*math.Sqrt(2/(n-1)))
		T := steps * dt
		mean := math.Exp(mu[i] * T)
		within(t, "mean S_T/S_0", f.mean(), mean, mean*math.Sqrt(math.Expm1(sigma[i]*sigma[i]*T)/f.n()))
		for j := range i {
			rho := R[i][j]
			within(t, "correlation of log-returns", corr(ret[i], ret[j]), rho, (1-rho*rho)/math.Sqrt(n))
		}
	}
}

func TestCorrelatedGBMFactorsOnce(t *testing.T) {
	// A one-asset CorrelatedGBM is a GBM: same draws, same path.
	c, err := NewCorrelatedGBM([]float64{5}, []float64{0.3}, []float64{0.7}, [][]float64{{1}}, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	g := mustGBM(t, 5, 0.3, 0.7, 0.01)
	a, b := make([]float64, 1), make([]float64, 1)
	c.Reset(newRNG(3), a)
	g.Reset(newRNG(3), b)
	for k := range 1000 {
		c.Step(a)
		g.Step(b)
		if math.Abs(a[0]-b[0]) > 1e-12*b[0] {
			t.Fatalf("step %d: correlated %v, plain %v", k, a[0], b[0])
		}
	}
}

func TestMertonMoments(t *testing.T) {
	const (
		paths, steps = 10000, 100
		dt           = 1.0 / 365
		sigma        = 0.5
	)
	j := Jumps{Lambda: 20, Mu: -0.05, Sigma: 0.08}
	k := math.Exp(j.Mu+j.Sigma*j.Sigma/2) - 1
	for i, mu := range []float64{0, 0.3} {
		p, err := NewMerton(100, mu, sigma, j, dt)
		if err != nil {
			t.Fatal(err)
		}
		ret, _ := logReturns(p, newRNG(400+uint64(i)), paths, steps)
		var r, g moments
		r.xs = ret[0]
		for _, x := range r.xs {
			g.add(math.Exp(x))
		}
		ld := j.Lambda * dt
		mean := (mu-sigma*sigma/2-j.Lambda*k)*dt + ld*j.Mu
		v := (sigma*sigma + j.Lambda*(j.Mu*j.Mu+j.Sigma*j.Sigma)) * dt
		within(t, "mean log-return", r.mean(), mean, math.Sqrt(v/r.n()))
		within(t, "variance of log-returns", r.variance(), v, r.varianceSE())
		// E[e^X] = e^(μ dt) by the compensator; E[e^(2X)] follows from
		// the moment generating functions of the normal and the compound
		// Poisson parts: e^(2(μ−σ²/2−λk)dt + 2σ²dt + λdt(e^(2μJ+2σJ²) − 1)).
		m1 := math.Exp(mu * dt)
		m2 := math.Exp(2*(mu-sigma*sigma/2-j.Lambda*k)*dt + 2*sigma*sigma*dt + ld*math.Expm1(2*j.Mu+2*j.Sigma*j.Sigma))
		within(t, "mean S_{t+1}/S_t", g.mean(), m1, math.Sqrt((m2-m1*m1)/g.n()))
		if r.excessKurtosis() <= 0 {
			t.Errorf("excess kurtosis %v, want > 0 with jumps", r.excessKurtosis())
		}
	}
}

func TestMertonNoJumpsIsGBM(t *testing.T) {
	m, err := NewMerton(7, 0.2, 0.4, Jumps{Lambda: 0, Mu: -1, Sigma: 1}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	g := mustGBM(t, 7, 0.2, 0.4, 0.1)
	a, b := make([]float64, 1), make([]float64, 1)
	m.Reset(newRNG(5), a)
	g.Reset(newRNG(5), b)
	for k := range 1000 {
		m.Step(a)
		g.Step(b)
		if a[0] != b[0] {
			t.Fatalf("step %d: Merton %v, GBM %v", k, a[0], b[0])
		}
	}
}

func TestPoissonJumpCounts(t *testing.T) {
	// Means below, at and above one inversion chunk, and at the cap.
	for _, tc := range []struct {
		mean float64
		n    int
	}{{0.02, 200000}, {3, 200000}, {16, 100000}, {40, 100000}, {1000, 10000}} {
		p, err := NewMerton(1, 0, 0, Jumps{Lambda: tc.mean}, 1)
		if err != nil {
			t.Fatal(err)
		}
		p.rng = newRNG(6)
		var c moments
		zeros := 0
		for range tc.n {
			k := p.jumps()
			c.add(float64(k))
			if k == 0 {
				zeros++
			}
		}
		m := tc.mean
		// Poisson: mean = variance = m; Var(s²) ≈ (μ4 − σ⁴)/n with
		// μ4 = m(1 + 3m).
		within(t, "mean count", c.mean(), m, math.Sqrt(m/c.n()))
		within(t, "variance of count", c.variance(), m, math.Sqrt((m+2*m*m)/c.n()))
		p0 := math.Exp(-m)
		within(t, "P(no jump)", float64(zeros)/c.n(), p0, math.Max(math.Sqrt(p0*(1-p0)/c.n()), 1e-300))
	}
}

func TestStudentTMoments(t *testing.T) {
	const (
		paths, steps = 10000, 100
		dt           = 1.0 / 365
		sigma, mu    = 0.6, 0.2
	)
	for i, nu := range []float64{10, 12.5} {
		p, err := NewStudentT(100, mu, sigma, nu, dt)
		if err != nil {
			t.Fatal(err)
		}
		ret, _ := logReturns(p, newRNG(700+uint64(i)), paths, steps)
		var r moments
		r.xs = ret[0]
		sd := sigma * math.Sqrt(dt)
		kurt := 6 / (nu - 4) // excess
		within(t, "mean log-return", r.mean(), mu*dt, sd/math.Sqrt(r.n()))
		// Delta method: SE(s) ≈ σ·√((κ − 1)/(4n)), κ = 3 + excess kurtosis.
		within(t, "sd of log-returns", math.Sqrt(r.variance()), sd, sd*math.Sqrt((2+kurt)/(4*r.n())))
		// The kurtosis estimate's SE comes from its spread over batches
		// (the eighth moment is finite for ν > 8).
		const batches = 100
		size := len(r.xs) / batches
		var bk moments
		for b := range batches {
			var m moments
			m.xs = r.xs[b*size : (b+1)*size]
			bk.add(m.excessKurtosis())
		}
		within(t, "excess kurtosis", r.excessKurtosis(), kurt, math.Sqrt(bk.variance()/batches))
	}
	// With ν = 5 the kurtosis has no usable standard error, but its sign is
	// plain: Student-t tails are fatter than normal.
	p, err := NewStudentT(100, 0, sigma, 5, dt)
	if err != nil {
		t.Fatal(err)
	}
	ret, _ := logReturns(p, newRNG(8), 1000, 100)
	var r moments
	r.xs = ret[0]
	if k := r.excessKurtosis(); k <= 0 {
		t.Errorf("ν = 5: excess kurtosis %v, want > 0", k)
	}
}

func hourly(t0 time.Time, cols ...[]float64) *history.Series {
	s := &history.Series{Values: cols}
	for i := range cols[0] {
		s.Times = append(s.Times, t0.Add(time.Duration(i)*time.Hour))
	}
	for i := range cols {
		s.Names = append(s.Names, string(rune('a'+i)))
	}
	return s
}

func TestReplay(t *testing.T) {
	t0 := time.Date(2020, 3, 12, 0, 0, 0, 0, time.UTC)
	a := []float64{193.37, 184.45, 184.01, 183.11, 181.1}
	b := []float64{1, 1.01, 0.98, 0.97, 1.2}
	s := hourly(t0, a, b)
	tests := []struct {
		name  string
		steps int
		s0    []float64
		want  [][2]float64
	}{
		{"raw", 3, nil, [][2]float64{{193.37, 1}, {184.45, 1.01}, {184.01, 0.98}, {183.11, 0.97}, {183.11, 0.97}, {183.11, 0.97}}},
		{"rescaled", 4, []float64{1, 100}, [][2]float64{
			{1, 100}, {184.45 / 193.37, 101}, {184.01 / 193.37, 98}, {183.11 / 193.37, 97}, {181.1 / 193.37, 120}, {181.1 / 193.37, 120}}},
		{"no steps", 0, nil, [][2]float64{{193.37, 1}, {193.37, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReplay(s, tc.steps, tc.s0)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // replay is the same after every Reset
				out := make([]float64, 2)
				r.Reset(newRNG(9), out)
				for k, w := range tc.want {
					if k > 0 {
						r.Step(out)
					}
					for j := range 2 {
						if math.Abs(out[j]-w[j]) > 1e-15*math.Abs(w[j]) {
							t.Fatalf("row %d column %d = %v, want %v", k, j, out[j], w[j])
						}
					}
				}
			}
		})
	}
	// The replay holds its own copy.
	r, _ := NewReplay(s, 1, nil)
	a[1] = -1
	out := make([]float64, 2)
	r.Reset(nil, out)
	r.Step(out)
	if out[0] != 184.45 {
		t.Errorf("replay changed with its source: %v", out[0])
	}
	a[1] = 184.45
}

func TestBootstrapBlocks(t *testing.T) {
	// Return i is (i+1)/1000, so each step's price ratio names the recorded
	// instant it came from.
	const n = 50
	r := make([]float64, n)
	for i := range r {
		r[i] = float64(i+1) / 1000
	}
	index := func(prev, cur float64) int { return int(math.Round(math.Log(cur/prev)*1000)) - 1 }

	t.Run("fixed", func(t *testing.T) {
		const L = 7
		b, err := NewBlockBootstrap([][]float64{r}, []float64{1}, L)
		if err != nil {
			t.Fatal(err)
		}
		rng := newRNG(10)
		out := make([]float64, 1)
		wrapped := false
		for range 200 {
			b.Reset(rng, out)
			prevIdx := -1
			for k := range 5 * L {
				prev := out[0]
				b.Step(out)
				idx := index(prev, out[0])
				if idx < 0 || idx >= n {
					t.Fatalf("step %d: ratio %v names no recorded return", k, out[0]/prev)
				}
				if k%L != 0 && idx != (prevIdx+1)%n {
					t.Fatalf("step %d inside a block took return %d after %d", k, idx, prevIdx)
				}
				wrapped = wrapped || (k%L != 0 && idx == 0)
				prevIdx = idx
			}
		}
		if !wrapped {
			t.Error("no block ever wrapped from the last return to the first")
		}
	})

	t.Run("stationary", func(t *testing.T) {
		const L = 5.0
		b, err := NewStationaryBootstrap([][]float64{r}, []float64{1}, L)
		if err != nil {
			t.Fatal(err)
		}
		rng := newRNG(11)
		out := make([]float64, 1)
		breaks, steps := 0, 0
		for range 2000 {
			b.Reset(rng, out)
			prevIdx := -1
			for k := range 100 {
				prev := out[0]
				b.Step(out)
				idx := index(prev, out[0])
				if k > 0 {
					steps++
					if idx != (prevIdx+1)%n {
						breaks++
					}
				}
				prevIdx = idx
			}
		}
		// A step breaks the run when it starts a new block (chance 1/L)
		// at any instant but the next one (chance 1 − 1/n); steps are
		// independent Bernoulli trials.
		q := (1 / L) * (1 - 1.0/n)
		within(t, "share of steps starting a new block", float64(breaks)/float64(steps), q, math.Sqrt(q*(1-q)/float64(steps)))
	})
}

func TestBootstrapJointAssets(t *testing.T) {
	// Both assets must take returns from the same instant at every step.
	a := []float64{0.01, -0.02, 0.03, 0.005}
	bb := []float64{-0.01, 0.02, -0.03, -0.005}
	for _, mk := range []func() (*Bootstrap, error){
		func() (*Bootstrap, error) { return NewBlockBootstrap([][]float64{a, bb}, []float64{10, 20}, 2) },
		func() (*Bootstrap, error) { return NewStationaryBootstrap([][]float64{a, bb}, []float64{10, 20}, 2) },
	} {
		p, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, 2)
		p.Reset(newRNG(12), out)
		for range 1000 {
			p.Step(out)
			// Opposite returns: S_a/10 · S_b/20 stays 1.
			if x := out[0] / 10 * out[1] / 20; math.Abs(x-1) > 1e-9 {
				t.Fatalf("assets drew from different instants: product %v", x)
			}
		}
	}
}

// ethCloses loads a year (2020, Black Thursday included) of real ETH/USD
// hourly closes, resampled hourly (origin in testdata/PROVENANCE.md).
func ethCloses(t *testing.T) *history.Series {
	t.Helper()
	path := filepath.Join("testdata", "gemini_ethusd_1h_2020_close.csv")
	s, err := history.Load(path, history.Options{TimeColumn: "ts_utc", Columns: []string{"close"}})
	if err != nil {
		t.Fatalf("loading the reference ETH/USD history: %v", err)
	}
	n := int(s.Times[s.Len()-1].Sub(s.Times[0])/time.Hour) + 1
	h, err := history.Resample(s, s.Times[0], time.Hour, n)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBootstrapHistoricalMean(t *testing.T) {
	h := ethCloses(t)
	r, err := history.LogReturns(h.Values[0])
	if err != nil {
		t.Fatal(err)
	}
	var hist moments
	hist.xs = r
	want := hist.mean()
	const paths, steps = 4000, 240
	for _, tc := range []struct {
		name string
		mk   func() (*Bootstrap, error)
	}{
		{"fixed 24h blocks", func() (*Bootstrap, error) { return NewBlockBootstrap([][]float64{r}, []float64{1}, 24) }},
		{"stationary 24h mean blocks", func() (*Bootstrap, error) { return NewStationaryBootstrap([][]float64{r}, []float64{1}, 24) }},
		{"iid draws", func() (*Bootstrap, error) { return NewStationaryBootstrap([][]float64{r}, []float64{1}, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.mk()
			if err != nil {
				t.Fatal(err)
			}
			// Paths are independent, so the spread of their mean
			// log-returns gives the standard error, whatever the
			// dependence inside a path.
			_, final := logReturns(b, newRNG(13), paths, steps)
			var pm moments
			for _, f := range final[0] {
				pm.add(math.Log(f) / steps)
			}
			within(t, "mean bootstrapped log-return", pm.mean(), want, math.Sqrt(pm.variance()/pm.n()))
		})
	}
}

func TestReplayRealHistory(t *testing.T) {
	h := ethCloses(t)
	const steps = 1000
	p, err := NewReplay(h, steps, []float64{1})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 1)
	p.Reset(nil, out)
	c := h.Values[0]
	for k := 1; k <= steps; k++ {
		p.Step(out)
		if want := c[k] * (1 / c[0]); out[0] != want {
			t.Fatalf("step %d = %v, want %v", k, out[0], want)
		}
	}
	if _, err := NewReplay(h, h.Len(), nil); err == nil || !strings.Contains(err.Error(), "(1 more)") {
		t.Errorf("replay one step past the record: err = %v", err)
	}
}

// allProcesses returns one instance of every Process in the package.
func allProcesses(t testing.TB) map[string]Process {
	t.Helper()
	must := func(p Process, err error) Process {
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := []float64{0.01, -0.02, 0.005, 0.0, 0.03}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return map[string]Process{
		"GBM": must(NewGBM(100, 0.1, 0.5, 1.0/365)),
		"CorrelatedGBM": must(NewCorrelatedGBM([]float64{1, 2, 3}, []float64{0, 0, 0}, []float64{0.5, 0.6, 0.7},
			[][]float64{{1, 0.5, 0.2}, {0.5, 1, 0.1}, {0.2, 0.1, 1}}, 1.0/365)),
		"Merton":              must(NewMerton(100, 0, 0.5, Jumps{Lambda: 50, Mu: -0.1, Sigma: 0.1}, 1.0/365)),
		"StudentT":            must(NewStudentT(100, 0, 0.5, 3.5, 1.0/365)),
		"Replay":              must(NewReplay(hourly(t0, []float64{1, 2, 3, 4}), 3, []float64{10})),
		"BlockBootstrap":      must(NewBlockBootstrap([][]float64{r}, []float64{100}, 2)),
		"StationaryBootstrap": must(NewStationaryBootstrap([][]float64{r}, []float64{100}, 2.5)),
	}
}

func TestDeterministicAndReset(t *testing.T) {
	path := func(p Process, seed uint64) []float64 {
		out := make([]float64, p.Dim())
		p.Reset(newRNG(seed), out)
		all := slices.Clone(out)
		for range 200 {
			p.Step(out)
			all = append(all, out...)
		}
		return all
	}
	for name, p := range allProcesses(t) {
		a := path(p, 42)
		b := path(p, 42) // the same object, reset: no state may leak
		if !slices.Equal(a, b) {
			t.Errorf("%s: two paths from the same seed differ", name)
		}
		for _, v := range a {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Errorf("%s: path value %v", name, v)
				break
			}
		}
		if name != "Replay" && slices.Equal(a, path(p, 43)) {
			t.Errorf("%s: seeds 42 and 43 give the same path", name)
		}
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	for name, p := range allProcesses(t) {
		out := make([]float64, p.Dim())
		p.Reset(newRNG(1), out)
		if a := testing.AllocsPerRun(1000, func() { p.Step(out) }); a != 0 {
			t.Errorf("%s: Step allocates %v times per call", name, a)
		}
	}
}

func TestWithoutGeneratorOrRoom(t *testing.T) {
	for name, p := range allProcesses(t) {
		// Stepping before any Reset, or after a Reset with a nil
		// generator, holds the path still instead of panicking.
		out := make([]float64, p.Dim())
		p.Step(out)
		before := slices.Clone(out)
		p.Step(out)
		if name != "Replay" && !slices.Equal(before, out) {
			t.Errorf("%s: path moved without a generator: %v to %v", name, before, out)
		}
		p.Reset(nil, out)
		start := slices.Clone(out)
		p.Step(out)
		if name != "Replay" && !slices.Equal(start, out) {
			t.Errorf("%s: path moved after Reset(nil): %v to %v", name, start, out)
		}
		// Short or missing output slices get a prefix, not a panic.
		p.Reset(newRNG(1), nil)
		p.Step(nil)
		p.Step(out[:0])
		if p.Dim() > 1 {
			p.Step(out[:1])
		}
	}
}

func TestConstructorErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	R2 := [][]float64{{1, 0.5}, {0.5, 1}}
	one := []float64{1}
	tests := []struct {
		name string
		err  error
		msg  string
	}{
		{"GBM zero price", second(NewGBM(0, 0, 0.1, 1)), "s0 = 0, want a positive finite price"},
		{"GBM NaN price", second(NewGBM(nan, 0, 0.1, 1)), "s0 = NaN"},
		{"GBM negative volatility", second(NewGBM(1, 0, -0.1, 1)), "volatility sigma = -0.1, want a finite number ≥ 0"},
		{"GBM infinite drift", second(NewGBM(1, inf, 0.1, 1)), "mu = +Inf"},
		{"GBM zero step", second(NewGBM(1, 0, 0.1, 0)), "time step dt = 0"},
		{"GBM overflowing drift", second(NewGBM(1, 1e300, 0.1, 1e300)), "per-step drift"},
		{"Correlated no assets", second(NewCorrelatedGBM(nil, nil, nil, nil, 1)), "no assets"},
		{"Correlated length mismatch", second(NewCorrelatedGBM([]float64{1, 1}, one, []float64{1, 1}, R2, 1)), "2 start prices but 1 drifts"},
		{"Correlated rows", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, 1}, R2[:1], 1)), "has 1 rows, want 2"},
		{"Correlated ragged", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, 1}, [][]float64{{1, 0}, {0}}, 1)), "row 1 has 1 entries"},
		{"Correlated asymmetric", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, 1}, [][]float64{{1, 0.5}, {0.4, 1}}, 1)), "not symmetric: [1][0] = 0.4 but [0][1] = 0.5"},
		{"Correlated diagonal", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, 1}, [][]float64{{1, 0.5}, {0.5, 0.9}}, 1)), "diagonal [1][1] = 0.9, want 1"},
		{"Correlated out of range", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, 1}, [][]float64{{1, 1.5}, {1.5, 1}}, 1)), "[0][1] = 1.5, want a value in [-1, 1]"},
		{"Correlated NaN", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, 1}, [][]float64{{1, nan}, {nan, 1}}, 1)), "[0][1] = NaN"},
		{"Correlated not positive definite", second(NewCorrelatedGBM([]float64{1, 1, 1}, []float64{0, 0, 0}, []float64{1, 1, 1},
			[][]float64{{1, 0.9, -0.9}, {0.9, 1, 0.9}, {-0.9, 0.9, 1}}, 1)), "not positive definite"},
		{"Correlated perfectly correlated", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, 1}, [][]float64{{1, 1}, {1, 1}}, 1)), "not positive definite"},
		{"Correlated negative volatility", second(NewCorrelatedGBM([]float64{1, 1}, []float64{0, 0}, []float64{1, -1}, R2, 1)), "asset 1: volatility sigma = -1"},
		{"Correlated bad price", second(NewCorrelatedGBM([]float64{1, -1}, []float64{0, 0}, []float64{1, 1}, R2, 1)), "asset 1 s0 = -1"},
		{"Merton negative rate", second(NewMerton(1, 0, 0.1, Jumps{Lambda: -1}, 1)), "jump rate Lambda = -1"},
		{"Merton negative jump volatility", second(NewMerton(1, 0, 0.1, Jumps{Lambda: 1, Sigma: -0.1}, 1)), "Jumps.Sigma = -0.1"},
		{"Merton NaN jump mean", second(NewMerton(1, 0, 0.1, Jumps{Lambda: 1, Mu: nan}, 1)), "Jumps.Mu = NaN"},
		{"Merton too many jumps", second(NewMerton(1, 0, 0.1, Jumps{Lambda: 2000}, 1)), "2000 expected jumps per step"},
		{"Merton overflowing compensator", second(NewMerton(1, 0, 0.1, Jumps{Lambda: 1, Mu: 800}, 1)), "compensator"},
		{"StudentT nu = 2", second(NewStudentT(1, 0, 0.1, 2, 1)), "nu = 2, want a finite number > 2"},
		{"StudentT nu NaN", second(NewStudentT(1, 0, 0.1, nan, 1)), "nu = NaN"},
		{"StudentT nu infinite", second(NewStudentT(1, 0, 0.1, inf, 1)), "nu = +Inf"},
		{"StudentT negative volatility", second(NewStudentT(1, 0, -1, 5, 1)), "volatility sigma = -1"},
		{"Replay nil series", second(NewReplay(nil, 1, nil)), "no columns"},
		{"Replay too short", second(NewReplay(hourly(time.Time{}, []float64{1, 2}), 5, nil)), "series has 2 rows, 5 steps need 6 (4 more)"},
		{"Replay negative steps", second(NewReplay(hourly(time.Time{}, one), -1, nil)), "steps = -1"},
		{"Replay uneven", second(NewReplay(&history.Series{Times: []time.Time{{}, time.Time{}.Add(time.Hour), time.Time{}.Add(3 * time.Hour)}, Values: [][]float64{{1, 2, 3}}}, 2, nil)),
			"rows 1 and 2 are 2h0m0s apart but rows 0 and 1 are 1h0m0s"},
		{"Replay no times", second(NewReplay(&history.Series{Values: [][]float64{{1, 2}}}, 1, nil)), "0 timestamps for 2 rows"},
		{"Replay zero start", second(NewReplay(hourly(time.Time{}, []float64{0, 2}), 1, one)), `column "a" starts at 0 and cannot be rescaled`},
		{"Replay s0 count", second(NewReplay(hourly(time.Time{}, []float64{1, 2}), 1, []float64{1, 2})), "2 start values for 1 columns"},
		{"Bootstrap no series", second(NewBlockBootstrap(nil, nil, 1)), "no return series"},
		{"Bootstrap empty", second(NewBlockBootstrap([][]float64{{}}, one, 1)), "return series are empty"},
		{"Bootstrap ragged", second(NewBlockBootstrap([][]float64{{0.1, 0.2}, {0.1}}, []float64{1, 1}, 1)), "series 1 has 1 returns, series 0 has 2"},
		{"Bootstrap bad price", second(NewBlockBootstrap([][]float64{{0.1}}, []float64{0}, 1)), "s0[0] = 0"},
		{"Bootstrap NaN return", second(NewBlockBootstrap([][]float64{{0.1, nan}}, one, 1)), "index 1 is NaN"},
		{"Bootstrap huge return", second(NewBlockBootstrap([][]float64{{0.1, 1000}}, one, 1)), "index 1 is 1000"},
		{"Bootstrap block too long", second(NewBlockBootstrap([][]float64{{0.1, 0.2}}, one, 3)), "block length 3, want 1 to 2"},
		{"Bootstrap zero block", second(NewBlockBootstrap([][]float64{{0.1, 0.2}}, one, 0)), "block length 0"},
		{"Stationary mean below 1", second(NewStationaryBootstrap([][]float64{{0.1, 0.2}}, one, 0.5)), "mean block length 0.5, want 1 to 2"},
		{"Stationary NaN mean", second(NewStationaryBootstrap([][]float64{{0.1, 0.2}}, one, nan)), "mean block length NaN"},
	}
	for _, tc := range tests {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.HasPrefix(tc.err.Error(), "process: ") || !strings.Contains(tc.err.Error(), tc.msg) {
			t.Errorf("%s: error %q, want it to contain %q", tc.name, tc.err, tc.msg)
		}
	}
}

func second[T any](_ T, err error) error { return err }
