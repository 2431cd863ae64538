package process

import (
	"math/rand/v2"
	"testing"
)

// TestNormalsMatchNormFloat64 checks that normals draws exactly what
// rand.Rand.NormFloat64 draws on the same PCG, the slow paths (about 1% of
// draws, the tail among them) included.
func TestNormalsMatchNormFloat64(t *testing.T) {
	if !zigOK {
		t.Fatal("the ziggurat probe failed")
	}
	draws := 2_000_000
	if testing.Short() {
		draws = 200_000
	}
	for _, seed := range []uint64{1, 2, 12345} {
		var pa, pb rand.PCG
		pa.Seed(seed, 7)
		pb.Seed(seed, 7)
		want := rand.New(&pa)
		got := normals{pcg: &pb, rng: rand.New(&pb)}
		for k := range draws {
			if w, g := want.NormFloat64(), got.next(); w != g {
				t.Fatalf("seed %d, draw %d: normals gave %v, NormFloat64 %v", seed, k, g, w)
			}
		}
		if pa != pb {
			t.Fatalf("seed %d: the generators ended in different states", seed)
		}
	}
}

func BenchmarkNormals(b *testing.B) {
	var p rand.PCG
	p.Seed(1, 2)
	n := normals{pcg: &p, rng: rand.New(&p)}
	s := 0.0
	for b.Loop() {
		s += n.next()
	}
	_ = s
}

func BenchmarkNormFloat64(b *testing.B) {
	var p rand.PCG
	p.Seed(1, 2)
	r := rand.New(&p)
	s := 0.0
	for b.Loop() {
		s += r.NormFloat64()
	}
	_ = s
}

// TestGBMResetPCGSamePath checks that a GBM drawing from its generator
// directly follows the path it follows through rand.Rand.
func TestGBMResetPCGSamePath(t *testing.T) {
	a, b := mustGBM(t, 2000, 0, 0.04, 1), mustGBM(t, 2000, 0, 0.04, 1)
	var pa, pb rand.PCG
	pa.Seed(3, 4)
	pb.Seed(3, 4)
	oa, ob := make([]float64, 1), make([]float64, 1)
	a.Reset(rand.New(&pa), oa)
	b.ResetPCG(rand.New(&pb), &pb, ob)
	if b.norm.pcg == nil {
		t.Fatal("ResetPCG did not take the generator")
	}
	for k := range 100_000 {
		a.Step(oa)
		b.Step(ob)
		if oa[0] != ob[0] {
			t.Fatalf("step %d: %v through rand.Rand, %v direct", k+1, oa[0], ob[0])
		}
	}
}
