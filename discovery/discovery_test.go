package discovery

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cascade-risk/cascade/design"
)

// planted labels points of [0,1]^3 true with probability 0.9 inside the box
// [0.2, 0.6] × [0.5, 0.9] × [0, 1] and 0.05 outside.
func planted(n int, seed uint64) ([][]float64, []bool) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := design.LatinHypercube(n, 3, design.RNG(seed))
	y := make([]bool, n)
	for k, p := range x {
		in := p[0] >= 0.2 && p[0] <= 0.6 && p[1] >= 0.5 && p[1] <= 0.9
		pr := 0.05
		if in {
			pr = 0.9
		}
		y[k] = rng.Float64() < pr
	}
	return x, y
}

// The planted box's true mass is 0.16; cases inside are 0.9·0.16 = 0.144 and
// outside 0.05·0.84 = 0.042 of the space, so its coverage is
// 0.144/0.186 = 0.7742 and its density 0.9.
const trueCoverage, trueDensity = 0.144 / 0.186, 0.9

// truth returns a box's exact coverage and density under planted's model.
func truth(b Box) (coverage, density float64) {
	side := func(j int, lo, hi float64) float64 {
		return math.Max(0, math.Min(hi, math.Min(b.Hi[j], 1))-math.Max(lo, math.Max(b.Lo[j], 0)))
	}
	mass := side(0, 0, 1) * side(1, 0, 1) * side(2, 0, 1)
	inPlanted := side(0, 0.2, 0.6) * side(1, 0.5, 0.9) * side(2, 0, 1)
	cases := 0.9*inPlanted + 0.05*(mass-inPlanted)
	return cases / 0.186, cases / mass
}

func TestPRIMPlantedBox(t *testing.T) {
	x, y := planted(3000, 1)
	res, err := PRIM(x, y, PRIMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"a", "b", "c"}
	t.Logf("box %s (trajectory of %d, chose %d)", res.Box.Describe(names, nil), len(res.Trajectory), res.Chosen)
	// The box's bounds: within 0.05 (a peel of 5% of a box of 480 points
	// moves a side by about 0.02) of the planted ones; c unrestricted or
	// nearly so.
	want := [][2]float64{{0.2, 0.6}, {0.5, 0.9}, {0, 1}}
	for j, w := range want {
		lo, hi := math.Max(res.Box.Lo[j], 0), math.Min(res.Box.Hi[j], 1)
		if math.Abs(lo-w[0]) > 0.05 || math.Abs(hi-w[1]) > 0.05 {
			t.Errorf("%s in [%.3f, %.3f], planted [%g, %g]", names[j], lo, hi, w[0], w[1])
		}
	}
	// The found box's true coverage and density (exact under the
	// generating model) are within three standard errors, at this sample
	// size, of the planted box's: SE of a density over the 0.16·n points
	// of the box, of a coverage over the 0.186·n cases.
	cov, den := truth(res.Box)
	n := 3000.0
	seD := math.Sqrt(trueDensity * (1 - trueDensity) / (0.16 * n))
	seC := math.Sqrt(trueCoverage * (1 - trueCoverage) / (0.186 * n))
	t.Logf("found box: true coverage %.3f (planted %.3f ± %.3f), true density %.3f (planted %.3f ± %.3f)",
		cov, trueCoverage, 3*seC, den, trueDensity, 3*seD)
	if math.Abs(cov-trueCoverage) > 3*seC || math.Abs(den-trueDensity) > 3*seD {
		t.Errorf("found box's coverage %.3f / density %.3f too far from the planted %.3f / %.3f", cov, den, trueCoverage, trueDensity)
	}
	// On an independent sample the box's 99% Wilson intervals hold its
	// true coverage and density.
	vx, vy := planted(3000, 2)
	s := res.Box.Evaluate(vx, vy, 0.99)
	t.Logf("validation: coverage %.3f [%.3f, %.3f], density %.3f [%.3f, %.3f]",
		s.Coverage, s.CoverageLo, s.CoverageHi, s.Density, s.DensityLo, s.DensityHi)
	if cov < s.CoverageLo || cov > s.CoverageHi {
		t.Errorf("coverage interval [%.3f, %.3f] misses %.3f", s.CoverageLo, s.CoverageHi, cov)
	}
	if den < s.DensityLo || den > s.DensityHi {
		t.Errorf("density interval [%.3f, %.3f] misses %.3f", s.DensityLo, s.DensityHi, den)
	}
	// The trajectory trades coverage for density.
	first, last := res.Trajectory[0].Stats, res.Trajectory[len(res.Trajectory)-1].Stats
	if first.Coverage != 1 || last.Density <= first.Density {
		t.Errorf("trajectory from %+v to %+v", first, last)
	}
}

func TestTreePlantedBox(t *testing.T) {
	x, y := planted(3000, 3)
	leaves, err := Tree(x, y, TreeOptions{MaxDepth: 4})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"a", "b", "c"}
	var fail []Leaf
	for _, l := range leaves {
		if l.Label {
			fail = append(fail, l)
			t.Logf("true leaf: %s coverage %.3f density %.3f", l.Box.Describe(names, nil), l.Box.Stats.Coverage, l.Box.Stats.Density)
		}
	}
	if len(fail) != 1 {
		t.Fatalf("%d leaves labelled true, want 1", len(fail))
	}
	b := fail[0].Box
	want := [][2]float64{{0.2, 0.6}, {0.5, 0.9}}
	for j, w := range want {
		if math.Abs(b.Lo[j]-w[0]) > 0.05 || math.Abs(b.Hi[j]-w[1]) > 0.05 {
			t.Errorf("%s in [%.3f, %.3f], planted %v", names[j], b.Lo[j], b.Hi[j], w)
		}
	}
}

func TestWilson(t *testing.T) {
	// 8 of 10 at 95%: centre (0.8 + z²/20)/(1 + z²/10) = 0.71674, half
	// width z·√(0.016 + z²/400)/(1 + z²/10) = 0.22658, z = 1.959964.
	p, lo, hi := Wilson(8, 10, 0.95)
	if p != 0.8 || math.Abs(lo-0.4902) > 1e-4 || math.Abs(hi-0.9433) > 1e-4 {
		t.Errorf("Wilson(8, 10) = %g [%g, %g]", p, lo, hi)
	}
	if _, lo, hi := Wilson(0, 20, 0.95); lo != 0 || hi < 0.16 || hi > 0.17 {
		t.Errorf("Wilson(0, 20) = [%g, %g]", lo, hi)
	}
}
