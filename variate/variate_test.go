package variate

import (
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// pair returns a Source and a rand.Rand on two generators seeded alike.
func pair(t testing.TB, seed uint64) (Source, *rand.Rand, *rand.PCG, *rand.PCG) {
	t.Helper()
	var pa, pb rand.PCG
	pa.Seed(seed, 7)
	pb.Seed(seed, 7)
	s, ok := New(rand.New(&pb), &pb)
	if !ok {
		t.Fatal("New refused: the ziggurat probe failed")
	}
	return s, rand.New(&pa), &pa, &pb
}

// TestExpMatchesExpFloat64 checks that Exp draws exactly what
// rand.Rand.ExpFloat64 draws on the same PCG, the slow paths (about 2% of
// draws, the tail among them) included, and leaves the generator where
// ExpFloat64 does.
func TestExpMatchesExpFloat64(t *testing.T) {
	draws := 3_000_000
	if testing.Short() {
		draws = 300_000
	}
	for _, seed := range []uint64{1, 2, 12345} {
		s, want, pa, pb := pair(t, seed)
		slow := 0
		for k := range draws {
			before := *pb
			w, g := want.ExpFloat64(), s.Exp()
			if w != g {
				t.Fatalf("seed %d, draw %d: Exp gave %v, ExpFloat64 %v", seed, k, g, w)
			}
			// A draw accepted at once advances the generator once.
			if before.Uint64(); *pb != before {
				slow++
			}
		}
		if *pa != *pb {
			t.Fatalf("seed %d: the generators ended in different states", seed)
		}
		if slow == 0 {
			t.Fatalf("seed %d: no draw took ExpFloat64's slow path", seed)
		}
	}
}

// TestNormalMatchesNormFloat64 checks that Normal draws exactly what
// rand.Rand.NormFloat64 draws on the same PCG, the slow paths (about 1% of
// draws, the tail among them) included.
func TestNormalMatchesNormFloat64(t *testing.T) {
	draws := 2_000_000
	if testing.Short() {
		draws = 200_000
	}
	for _, seed := range []uint64{1, 2, 12345} {
		s, want, pa, pb := pair(t, seed)
		for k := range draws {
			if w, g := want.NormFloat64(), s.Normal(); w != g {
				t.Fatalf("seed %d, draw %d: Normal gave %v, NormFloat64 %v", seed, k, g, w)
			}
		}
		if *pa != *pb {
			t.Fatalf("seed %d: the generators ended in different states", seed)
		}
	}
}

// TestIntNMatchesRand checks IntN against rand.Rand.IntN for powers of
// two, 1, small and large n (where Lemire's rejection happens), mixed with
// Exp and Rand's own draws on the same generator.
func TestIntNMatchesRand(t *testing.T) {
	ns := []int{1, 2, 3, 4, 5, 7, 64, 1000, 1<<62 + 1, 3 << 61}
	s, want, pa, pb := pair(t, 99)
	for k := range 400_000 {
		n := ns[k%len(ns)]
		if w, g := want.IntN(n), s.IntN(n); w != g {
			t.Fatalf("draw %d, n = %d: IntN gave %d, rand %d", k, n, g, w)
		}
		if k%3 == 0 {
			if w, g := want.ExpFloat64(), s.Exp(); w != g {
				t.Fatalf("draw %d: Exp gave %v, ExpFloat64 %v", k, g, w)
			}
		}
		if k%2 == 0 {
			if w, g := want.Float64(), s.Float64(); w != g {
				t.Fatalf("draw %d: Float64 gave %v, rand %v", k, g, w)
			}
		}
		if k%5 == 0 {
			if w, g := want.NormFloat64(), s.Normal(); w != g {
				t.Fatalf("draw %d: Normal gave %v, NormFloat64 %v", k, g, w)
			}
		}
	}
	if *pa != *pb {
		t.Fatal("the generators ended in different states")
	}
}

// TestExpProbeBounds checks the probed tables' shape: most layers accept
// most draws at once, each with a positive scale.
func TestExpProbeBounds(t *testing.T) {
	if !expOK {
		t.Fatal("the probe failed")
	}
	for i := range 256 {
		if expK[i] >= 2 && !(expW[i] > 0) {
			t.Fatalf("k_%d = %#x, w_%d = %v", i, expK[i], i, expW[i])
		}
	}
	if expK[0] < 1<<31 || expK[255] < 1<<31 {
		t.Errorf("k_0 = %#x, k_255 = %#x", expK[0], expK[255])
	}
}

// TestZigProbeBounds checks the probed tables' shape: layer 0 (the base
// strip and tail) and the top layers accept most draws, layer 1 none.
func TestZigProbeBounds(t *testing.T) {
	if zigK[1] != 0 || zigK[0] < 1<<30 || zigK[127] < 1<<30 {
		t.Errorf("k_0 = %#x, k_1 = %#x, k_127 = %#x", zigK[0], zigK[1], zigK[127])
	}
	for i := 1; i < 128; i++ {
		if !(zigW[i] > 0) {
			t.Fatalf("w_%d = %v", i, zigW[i])
		}
	}
}

func TestNewRefusesNil(t *testing.T) {
	var p rand.PCG
	if _, ok := New(nil, &p); ok {
		t.Error("New accepted a nil Rand")
	}
	if _, ok := New(rand.New(&p), nil); ok {
		t.Error("New accepted a nil PCG")
	}
}

func BenchmarkExp(b *testing.B) {
	s, _, _, _ := pair(b, 1)
	x := 0.0
	for b.Loop() {
		x += s.Exp()
	}
	_ = x
}

func BenchmarkExpFloat64(b *testing.B) {
	_, r, _, _ := pair(b, 1)
	x := 0.0
	for b.Loop() {
		x += r.ExpFloat64()
	}
	_ = x
}

// Skip(k) leaves the generator where k draws of Uint64 do.
func TestSkipMatchesUint64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []uint64{0, 1, 2, 3, 7, 64, 65, 600, 1000, 4097} {
		for range 5 {
			a := rand.NewPCG(rng.Uint64(), rng.Uint64())
			b := *a
			for range k {
				a.Uint64()
			}
			Skip(&b, k)
			if *a != b {
				t.Fatalf("Skip(%d) ended at %v, %d draws at %v", k, b, k, *a)
			}
			if a.Uint64() != b.Uint64() {
				t.Fatalf("after Skip(%d) the next draws differ", k)
			}
		}
	}
}

// ExpOf and NormalOf give Exp's and Normal's variates for the draws the
// ziggurats accept at once, and refuse the others (about 2% and 1%).
func TestExpOfNormalOf(t *testing.T) {
	p := rand.NewPCG(11, 12)
	s, ok := New(rand.New(p), p)
	if !ok {
		t.Skip("ziggurat tables not read")
	}
	refused := [2]int{}
	const n = 200000
	for k := range n {
		c := *p
		u := c.Uint64()
		var got, want float64
		var acc bool
		if k%2 == 0 {
			got, acc = ExpOf(u)
			want = s.Exp()
		} else {
			got, acc = NormalOf(u)
			want = s.Normal()
		}
		if !acc {
			refused[k%2]++
			continue
		}
		if got != want {
			t.Fatalf("draw %d: %v from the word, %v from the Source", k, got, want)
		}
	}
	if refused[0] == 0 || refused[1] == 0 || refused[0] > n/20 || refused[1] > n/20 {
		t.Errorf("refused %d exponential and %d normal draws of %d each", refused[0], refused[1], n/2)
	}
}

// Next steps and permutes as rand.PCG does.
func TestNextMatchesPCG(t *testing.T) {
	for _, seed := range [][2]uint64{{3, 4}, {0, 0}, {^uint64(0), ^uint64(0)}, {1 << 63, 12345}} {
		p := rand.NewPCG(seed[0], seed[1])
		hi, lo := seed[0], seed[1]
		for k := range 20000 {
			var x uint64
			hi, lo, x = Next(hi, lo)
			if want := p.Uint64(); x != want {
				t.Fatalf("seed %v, draw %d: %x, rand.PCG %x", seed, k, x, want)
			}
		}
		q := rand.NewPCG(hi, lo)
		if *q != *p {
			t.Fatalf("seed %v: state %v, rand.PCG's %v", seed, *q, *p)
		}
	}
}

// Uint64n draws as rand.Rand.Uint64N and Shuffle orders as
// rand.Rand.Shuffle of the same generator, bounds and lengths of every
// size to 300 and a few large ones (rejections included) one after
// another, the state carried across; State reads the state back.
func TestShuffleUint64nMatchRand(t *testing.T) {
	if bits.UintSize != 64 {
		t.Skip("math/rand/v2 draws differently on 32-bit platforms")
	}
	ref := rand.New(rand.NewPCG(5, 6))
	hi, lo := uint64(5), uint64(6)
	bounds := []uint64{1<<63 + 1, 3 << 61, 1<<64 - 1, 1 << 40, 6}
	for n := uint64(1); n <= 300; n++ {
		bounds = append(bounds, n)
	}
	for _, n := range bounds {
		var v uint64
		hi, lo, v = Uint64n(hi, lo, n)
		if want := ref.Uint64N(n); v != want {
			t.Fatalf("Uint64n(%d) = %d, rand %d", n, v, want)
		}
	}
	for n := range 300 {
		a, b := make([]int, n), make([]int, n)
		for i := range a {
			a[i], b[i] = i, i
		}
		hi, lo = Shuffle(hi, lo, a)
		ref.Shuffle(n, func(i, j int) { b[i], b[j] = b[j], b[i] })
		if !slices.Equal(a, b) {
			t.Fatalf("length %d: %v, want %v", n, a, b)
		}
	}
	p := rand.NewPCG(hi, lo)
	if h, l, ok := State(p); !ok || h != hi || l != lo {
		t.Fatalf("State = %x, %x, %v; want %x, %x", h, l, ok, hi, lo)
	}
	if ref.Uint64() != p.Uint64() {
		t.Fatal("the state after differs from rand's")
	}
}
