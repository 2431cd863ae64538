package pos

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestGini(t *testing.T) {
	for _, tc := range []struct {
		x    []uint64
		want float64
	}{
		{nil, 0},
		{[]uint64{0, 0, 0}, 0},
		{[]uint64{5}, 0},
		{[]uint64{7, 7, 7, 7}, 0},
		{[]uint64{1, 2, 3, 4}, 0.25},  // Σ|xi−xj| = 20, 2n²μ = 80
		{[]uint64{4, 1, 3, 2}, 0.25},  // order does not matter
		{[]uint64{0, 0, 0, 10}, 0.75}, // (n−1)/n
		{[]uint64{math.MaxUint64, 0}, 0.5},
		{[]uint64{math.MaxUint64, math.MaxUint64, 0}, 1.0 / 3},
	} {
		in := append([]uint64(nil), tc.x...)
		if got := Gini(tc.x); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("Gini(%v) = %v, want %v", tc.x, got, tc.want)
		}
		for i := range in {
			if in[i] != tc.x[i] {
				t.Fatalf("Gini modified its input")
			}
		}
	}
	// Against the O(n²) definition.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		x := make([]uint64, 1+rng.IntN(40))
		for i := range x {
			x[i] = rng.Uint64N(1e6)
		}
		var diff, sum float64
		for _, a := range x {
			sum += float64(a)
			for _, b := range x {
				diff += math.Abs(float64(a) - float64(b))
			}
		}
		want := 0.0
		if sum != 0 {
			want = diff / (2 * float64(len(x)) * sum)
		}
		if got := Gini(x); math.Abs(got-want) > 1e-12 {
			t.Fatalf("Gini(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestLargestShareAndStakingRatio(t *testing.T) {
	if got := LargestShare([]uint64{1, 3, 4}); got != 0.5 {
		t.Errorf("LargestShare = %v", got)
	}
	if got := LargestShare(nil); got != 0 {
		t.Errorf("LargestShare(nil) = %v", got)
	}
	if got := LargestShare([]uint64{math.MaxUint64, math.MaxUint64}); got != 0.5 {
		t.Errorf("LargestShare of huge = %v", got)
	}
	l := Ledger{Initial: 100, Minted: 20, BurnedSlash: 20, Bonded: 60, Liquid: 40}
	if got := StakingRatio(l); got != 0.6 {
		t.Errorf("StakingRatio = %v", got)
	}
	if got := StakingRatio(Ledger{}); got != 0 {
		t.Errorf("StakingRatio of empty = %v", got)
	}
}

// SortAgain sorts the amounts and carries the permutation along, whether
// they are nearly sorted (insertion) or far from it (the fallback), and
// GiniSorted of the result is Gini of the original.
func TestSortAgain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name  string
		n     int
		moves int // random transpositions of a sorted list; -1: reversed
	}{
		{"empty", 0, 0},
		{"one", 1, 0},
		{"sorted", 100, 0},
		{"nearly sorted", 500, 10},
		{"shuffled", 500, 1000},
		{"reversed", 300, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := make([]uint64, tc.n)
			for i := range x {
				x[i] = rng.Uint64N(1000)
			}
			slices.Sort(x)
			if tc.moves < 0 {
				slices.Reverse(x)
			}
			for range max(tc.moves, 0) {
				i, j := rng.IntN(tc.n), rng.IntN(tc.n)
				x[i], x[j] = x[j], x[i]
			}
			orig := slices.Clone(x)
			perm := make([]int32, tc.n)
			for i := range perm {
				perm[i] = int32(i)
			}
			want := Gini(orig)
			SortAgain(x, perm)
			if !slices.IsSorted(x) {
				t.Fatal("not sorted")
			}
			for i, p := range perm {
				if orig[p] != x[i] {
					t.Fatalf("perm[%d] = %d: amount %d, sorted %d", i, p, orig[p], x[i])
				}
			}
			if got := GiniSorted(x); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("GiniSorted %v, Gini %v", got, want)
			}
		})
	}
}

// quoFloat rounds num/den as big.Rat does, at every magnitude and at the
// ties between two floats.
func TestQuoFloatMatchesRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	check := func(num, den uint64) {
		t.Helper()
		want, _ := new(big.Rat).SetFrac(new(big.Int).SetUint64(num), new(big.Int).SetUint64(den)).Float64()
		got, ok := quoFloat(num, den)
		if num >= den {
			if ok {
				t.Fatalf("quoFloat(%d, %d) accepted num ≥ den", num, den)
			}
			return
		}
		if !ok || got != want {
			t.Fatalf("quoFloat(%d, %d) = %v, want %v", num, den, got, want)
		}
	}
	for range 200_000 {
		den := rng.Uint64() >> rng.UintN(64)
		if den == 0 {
			continue
		}
		check(rng.Uint64N(den), den)
		check(rng.Uint64()>>rng.UintN(64), den)
	}
	// Ties: an odd num of 54 bits over a power of two lies halfway between
	// two floats; den ± 1 puts it just either side.
	for range 10_000 {
		num := (1<<52|rng.Uint64N(1<<52))<<1 | 1
		for _, den := range []uint64{1 << 54, 1<<54 + 1, 1<<54 - 1} {
			check(num, den)
		}
		check(num<<9, 1<<63)
		check(num<<9, 1<<63+1)
	}
	for _, c := range [][2]uint64{{0, 1}, {1, 2}, {1, 3}, {2, 3}, {1<<64 - 2, 1<<64 - 1}, {1, 1<<64 - 1}, {5, 5}, {6, 5}} {
		check(c[0], c[1])
	}
}
