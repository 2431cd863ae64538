package design

import (
	"math"
	"testing"
)

func TestSobolFirstPoints(t *testing.T) {
	// The first eight points of the unscrambled three-dimensional sequence
	// in Gray-code order (as SciPy's qmc.Sobol(scramble=False) gives them).
	want := [][]float64{
		{0, 0, 0}, {0.5, 0.5, 0.5}, {0.75, 0.25, 0.25}, {0.25, 0.75, 0.75},
		{0.375, 0.375, 0.625}, {0.875, 0.875, 0.125}, {0.625, 0.125, 0.875}, {0.125, 0.625, 0.375},
	}
	got, err := SobolPoints(8, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		for j := range want[k] {
			if got[k][j] != want[k][j] {
				t.Fatalf("point %d = %v, want %v", k, got[k], want[k])
			}
		}
	}
}

// stratified reports whether each of n equal strata of every dimension
// holds exactly one of the n points.
func stratified(pts [][]float64) bool {
	n := len(pts)
	for j := range pts[0] {
		seen := make([]bool, n)
		for _, p := range pts {
			s := int(p[j] * float64(n))
			if s < 0 || s >= n || seen[s] {
				return false
			}
			seen[s] = true
		}
	}
	return true
}

func TestSobolNets(t *testing.T) {
	// The first 2^m points of a Sobol sequence, scrambled or not, are a
	// (0, m, 1)-net in every dimension: one point per stratum of width
	// 2^−m. Dimensions 1 and 2 together form a (0, m, 2)-net: every
	// elementary box of area 2^−m holds exactly one point.
	for _, scramble := range []bool{false, true} {
		rng := RNG(7)
		if !scramble {
			rng = nil
		}
		const m = 10
		pts, err := SobolPoints(1<<m, MaxSobolDims, rng)
		if err != nil {
			t.Fatal(err)
		}
		if !stratified(pts) {
			t.Fatalf("scramble=%v: some dimension is not stratified", scramble)
		}
		for a := 0; a <= m; a++ {
			counts := map[[2]int]int{}
			for _, p := range pts {
				counts[[2]int{int(p[0] * float64(int(1)<<a)), int(p[1] * float64(int(1)<<(m-a)))}]++
			}
			if len(counts) != 1<<m {
				t.Fatalf("scramble=%v: boxes 2^-%d × 2^-%d: %d of %d occupied", scramble, a, m-a, len(counts), 1<<m)
			}
		}
	}
}

func TestSobolScrambledMean(t *testing.T) {
	// A scrambled Sobol average of f(u) = ∏ 2u_j (integral 1) has a far
	// smaller error than Monte Carlo's 1/√n ≈ 0.03 at n = 1024 in 5 dimensions.
	pts, _ := SobolPoints(1024, 5, RNG(3))
	sum := 0.0
	for _, p := range pts {
		f := 1.0
		for _, u := range p {
			f *= 2 * u
		}
		sum += f
	}
	if mean := sum / 1024; math.Abs(mean-1) > 0.01 {
		t.Fatalf("mean %g, want 1 within 0.01", mean)
	}
}

func TestReproducible(t *testing.T) {
	a, _ := SobolPoints(64, 4, RNG(11))
	b, _ := SobolPoints(64, 4, RNG(11))
	c, _ := SobolPoints(64, 4, RNG(12))
	l1, l2 := LatinHypercube(50, 3, RNG(11)), LatinHypercube(50, 3, RNG(11))
	for k := range a {
		for j := range a[k] {
			if a[k][j] != b[k][j] {
				t.Fatal("same seed, different Sobol points")
			}
		}
	}
	for k := range l1 {
		for j := range l1[k] {
			if l1[k][j] != l2[k][j] {
				t.Fatal("same seed, different LHS points")
			}
		}
	}
	if a[1][0] == c[1][0] && a[1][1] == c[1][1] {
		t.Fatal("different seeds gave the same scrambling")
	}
}

func TestLatinHypercube(t *testing.T) {
	for _, n := range []int{1, 7, 100} {
		if !stratified(LatinHypercube(n, 4, RNG(uint64(n)))) {
			t.Fatalf("n=%d: not a Latin hypercube", n)
		}
	}
}

func TestRange(t *testing.T) {
	tests := []struct {
		r    Range
		u    float64
		want float64
	}{
		{Range{Lo: 2, Hi: 8}, 0.5, 5},
		{Range{Lo: 1, Hi: 100, Log: true}, 0.5, 10},
		{Range{Lo: 1, Hi: 4, Integer: true}, 0, 1},
		{Range{Lo: 1, Hi: 4, Integer: true}, 0.2499, 1},
		{Range{Lo: 1, Hi: 4, Integer: true}, 0.25, 2},
		{Range{Lo: 1, Hi: 4, Integer: true}, 0.9999999, 4},
		{Range{Lo: 1, Hi: 4, Integer: true}, 1, 4},
		{Range{Lo: 3, Hi: 3, Integer: true}, 0.7, 3},
	}
	for _, tt := range tests {
		if got := tt.r.Map(tt.u); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%+v.Map(%g) = %g, want %g", tt.r, tt.u, got, tt.want)
		}
		if err := tt.r.Check(); err != nil {
			t.Errorf("%+v: %v", tt.r, err)
		}
	}
	for _, r := range []Range{{Lo: 2, Hi: 8}, {Lo: 0.01, Hi: 3, Log: true}} {
		for _, u := range []float64{0, 0.3, 0.9} {
			if back := r.Unit(r.Map(u)); math.Abs(back-u) > 1e-12 {
				t.Errorf("%+v: Unit(Map(%g)) = %g", r, u, back)
			}
		}
	}
	for _, bad := range []Range{{Lo: 1, Hi: 1}, {Lo: 0, Hi: 1, Log: true}, {Lo: 0.5, Hi: 3, Integer: true}, {Lo: math.NaN(), Hi: 1}} {
		if bad.Check() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
