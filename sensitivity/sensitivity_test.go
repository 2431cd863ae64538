package sensitivity

import (
	"math"
	"testing"

	"github.com/cascade-risk/cascade/design"
)

func TestSobolIshigami(t *testing.T) {
	const n = 4096
	pts, err := SaltelliPoints(n, 3, design.RNG(1))
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(pts))
	for k, u := range pts {
		x := []float64{(2*u[0] - 1) * math.Pi, (2*u[1] - 1) * math.Pi, (2*u[2] - 1) * math.Pi}
		y[k] = Ishigami(x, 7, 0.1)
	}
	res, err := Sobol([]string{"x1", "x2", "x3"}, y, 0.99, 1000, design.RNG(2))
	if err != nil {
		t.Fatal(err)
	}
	first, total := IshigamiIndices(7, 0.1)
	for i, ix := range res.Indices {
		t.Logf("%s: S=%.4f [%.4f, %.4f] (analytic %.4f)  ST=%.4f [%.4f, %.4f] (analytic %.4f)",
			ix.Name, ix.First, ix.FirstLo, ix.FirstHi, first[i], ix.Total, ix.TotalLo, ix.TotalHi, total[i])
		if first[i] < ix.FirstLo || first[i] > ix.FirstHi {
			t.Errorf("%s: analytic S %.4f outside [%.4f, %.4f]", ix.Name, first[i], ix.FirstLo, ix.FirstHi)
		}
		if total[i] < ix.TotalLo || total[i] > ix.TotalHi {
			t.Errorf("%s: analytic ST %.4f outside [%.4f, %.4f]", ix.Name, total[i], ix.TotalLo, ix.TotalHi)
		}
	}
	if r := res.Ranked(); r[0].Name != "x1" || r[2].Name != "x3" {
		t.Errorf("ranking by total index %v, want x1, x2, x3", r)
	}
}

func TestMorrisGFunction(t *testing.T) {
	a := []float64{0, 0.5, 3, 9, 99}
	names := []string{"x1", "x2", "x3", "x4", "x5"}
	plan, err := NewMorrisPlan(len(a), 50, 4, design.RNG(5))
	if err != nil {
		t.Fatal(err)
	}
	pts := plan.Points()
	y := make([]float64, len(pts))
	for k, u := range pts {
		y[k] = GFunction(u, a)
	}
	res, err := plan.Effects(names, y, 0.95, 1000, design.RNG(6))
	if err != nil {
		t.Fatal(err)
	}
	for k, e := range res.Ranked() {
		t.Logf("%s μ*=%.3f [%.3f, %.3f] σ=%.3f", e.Name, e.MuStar, e.MuStarLo, e.MuStarHi, e.Sigma)
		if e.Name != names[k] {
			t.Errorf("rank %d is %s, want %s", k, e.Name, names[k])
		}
	}
	// The inputs' μ* intervals separate from the next one's.
	for k := 0; k+1 < 3; k++ {
		if res.Effects[k].MuStarLo <= res.Effects[k+1].MuStarHi {
			t.Errorf("%s and %s: μ* intervals overlap", names[k], names[k+1])
		}
	}
}

func TestMorrisPoints(t *testing.T) {
	plan, _ := NewMorrisPlan(3, 10, 6, design.RNG(1))
	pts := plan.Points()
	if len(pts) != 40 {
		t.Fatalf("%d points", len(pts))
	}
	for k, p := range pts {
		for _, v := range p {
			lv := v * 5
			if v < 0 || v > 1 || math.Abs(lv-math.Round(lv)) > 1e-9 {
				t.Fatalf("point %d %v is off the grid", k, p)
			}
		}
		if k%4 != 0 {
			moved := 0
			for j := range p {
				if d := math.Abs(p[j] - pts[k-1][j]); d > 1e-12 {
					moved++
					if math.Abs(d-plan.Delta) > 1e-12 {
						t.Fatalf("step %g, want Δ=%g", d, plan.Delta)
					}
				}
			}
			if moved != 1 {
				t.Fatalf("point %d moves %d inputs", k, moved)
			}
		}
	}
}

func TestSobolErrors(t *testing.T) {
	if _, err := Sobol([]string{"a"}, []float64{1, 2, 3, 4, 5}, 0.95, 10, design.RNG(1)); err == nil {
		t.Error("wrong length accepted")
	}
	if _, err := Sobol([]string{"a"}, []float64{1, 1, 1, 1, 1, 1}, 0.95, 10, design.RNG(1)); err == nil {
		t.Error("constant output accepted")
	}
	if _, err := Sobol([]string{"a"}, []float64{1, math.NaN(), 1, 1, 1, 2}, 0.95, 10, design.RNG(1)); err == nil {
		t.Error("NaN accepted")
	}
}
