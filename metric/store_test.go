package metric

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	enc "github.com/DataDog/sketches-go/ddsketch/encoding"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

type bin struct {
	i int
	c float64
}

func binsOf(s store.Store) []bin {
	var out []bin
	s.ForEach(func(i int, c float64) bool { out = append(out, bin{i, c}); return false })
	return out
}

// sameStore fails unless got holds the counts of want, the library's
// collapsing dense store: bins, total, ranks and encoding.
func sameStore(t *testing.T, name string, got *binStore, want store.Store) {
	t.Helper()
	if g, w := binsOf(got), binsOf(want); !slices.Equal(g, w) {
		t.Fatalf("%s: bins\n got %v\nwant %v", name, g, w)
	}
	if g, w := got.TotalCount(), want.TotalCount(); g != w {
		t.Fatalf("%s: total %v, want %v", name, g, w)
	}
	for _, r := range []float64{-1, 0, 0.5, 1, got.TotalCount() / 3, got.TotalCount() - 1, got.TotalCount(), got.TotalCount() + 5} {
		if g, w := got.KeyAtRank(r), want.KeyAtRank(r); g != w && !want.IsEmpty() {
			t.Fatalf("%s: KeyAtRank(%v) = %d, want %d", name, r, g, w)
		}
	}
	var gb, wb []byte
	got.Encode(&gb, enc.FlagTypePositiveStore)
	want.Encode(&wb, enc.FlagTypePositiveStore)
	if !slices.Equal(gb, wb) {
		t.Fatalf("%s: encodings differ", name)
	}
}

// TestBinStoreMatchesCollapsingDense feeds the same indices, unit counts,
// integral counts and merges to a binStore and to sketches-go's
// CollapsingLowestDenseStore of as many bins, in spans from a few bins to
// far beyond the cap, and checks that they hold the same counts: the
// sparse store changes a sketch's memory, never its answers.
func TestBinStoreMatchesCollapsingDense(t *testing.T) {
	for _, tc := range []struct {
		name    string
		maxBins int
		spread  float64 // standard deviation of the indices
		drift   float64 // indices per addition, so that the top moves
		n       int
	}{
		{"few", 64, 3, 0, 20},
		{"narrow", 64, 5, 0, 5000},
		{"sparse", 4096, 800, 0, 2000},
		{"collapsing", 64, 200, 0, 3000},
		{"drifting", 128, 20, 0.3, 4000},
		{"wide", MaxBins, 5000, 1, 10000},
	} {
		rng := rand.New(rand.NewPCG(9, uint64(tc.n)))
		index := func(k int) int { return int(rng.NormFloat64()*tc.spread + tc.drift*float64(k)) }
		a, b := newBinStore(tc.maxBins), newBinStore(tc.maxBins)
		wa, wb := store.NewCollapsingLowestDenseStore(tc.maxBins), store.NewCollapsingLowestDenseStore(tc.maxBins)
		for k := range tc.n {
			i := index(k)
			switch rng.IntN(10) {
			case 0:
				c := float64(1 + rng.IntN(5))
				b.AddWithCount(i, c)
				wb.AddWithCount(i, c)
			case 1, 2, 3:
				b.Add(i)
				wb.Add(i)
			default:
				a.Add(i)
				wa.Add(i)
			}
			if rng.IntN(40) == 0 {
				sameStore(t, tc.name+" a", a, wa)
			}
		}
		sameStore(t, tc.name+" a", a, wa)
		sameStore(t, tc.name+" b", b, wb)
		c := b.Copy().(*binStore)
		a.MergeWith(b)
		wa.MergeWith(wb)
		sameStore(t, tc.name+" merged", a, wa)
		sameStore(t, tc.name+" copy", c, wb)
		c.MergeWith(c)
		wb.MergeWith(wb)
		sameStore(t, tc.name+" self-merged", c, wb)
		// Decoding the library's encoding reproduces the counts.
		var e []byte
		wa.Encode(&e, enc.FlagTypePositiveStore)
		d := newBinStore(tc.maxBins)
		if err := d.DecodeAndMergeWith(&e, decodeMode(t, &e)); err != nil {
			t.Fatal(err)
		}
		sameStore(t, tc.name+" decoded", d, wa)
	}
}

// TestBinStoreReadsAfterAdds compares the stores after every number of
// contiguous additions up to 100, so that reads find the held counts at
// every fill, including those whose merge turns the store dense.
func TestBinStoreReadsAfterAdds(t *testing.T) {
	for n := 1; n <= 100; n++ {
		s, w := newBinStore(64), store.NewCollapsingLowestDenseStore(64)
		for i := range n {
			s.Add(i % 70)
			w.Add(i % 70)
		}
		sameStore(t, "contiguous", s, w)
		s, w = newBinStore(64), store.NewCollapsingLowestDenseStore(64)
		for i := range n {
			s.Add(i % 70)
			w.Add(i % 70)
		}
		o, wo := newBinStore(64), store.NewCollapsingLowestDenseStore(64)
		o.Add(3)
		wo.Add(3)
		s.MergeWith(o)
		w.MergeWith(wo)
		sameStore(t, "merged into", s, w)
		o.MergeWith(s)
		wo.MergeWith(w)
		sameStore(t, "merged", o, wo)
	}
}

// decodeMode reads the flag at the start of an encoded store.
func decodeMode(t *testing.T, b *[]byte) enc.SubFlag {
	t.Helper()
	f, err := enc.DecodeFlag(b)
	if err != nil {
		t.Fatal(err)
	}
	return f.SubFlag()
}

// TestBinStoreMemory checks the point of the sparse form: 1,000 scattered
// counts over 4,000 bins cost about 8 bytes each, not the span's 32 KiB,
// and a store whose counts fill their span turns dense.
func TestBinStoreMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := newBinStore(MaxBins)
	for range 1000 {
		s.Add(rng.IntN(4000))
	}
	s.compact()
	if s.dense != nil || cap(s.entries)*8 > 1000*8*5/4 || cap(s.held) > 512 {
		t.Errorf("1,000 scattered counts: dense %v, %d entries of capacity %d, held %d", s.dense != nil, len(s.entries), cap(s.entries), cap(s.held))
	}
	for i := range 4000 {
		s.Add(i)
	}
	s.compact()
	if s.dense == nil || len(s.dense.bins) > MaxBins {
		t.Errorf("4,000 contiguous bins: dense %v", s.dense != nil)
	}
	// Hostile counts and indices from a decoded sketch do not panic.
	h := newBinStore(MaxBins)
	for _, c := range []float64{1, -1, math.NaN(), 0.5, math.Inf(1), 3} {
		h.AddWithCount(math.MaxInt, c)
		h.AddWithCount(math.MinInt, c)
	}
	_ = h.KeyAtRank(2)
}

// TestSortHeld checks sortHeld against slices.Sort on held unit entries of
// every size up to maxHeld and spans of indices from one bin to beyond
// 2^16 (three radix passes), negative indices included.
func TestSortHeld(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, radixMin - 1, radixMin, 100, 333, maxHeld} {
		for _, span := range []int{1, 2, 255, 256, 257, 4096, 65535, 65536, 1 << 20} {
			a := make([]uint64, n)
			for k := range a {
				a[k] = pack(rng.IntN(span)-span/2, 1)
			}
			want := slices.Sorted(slices.Values(a))
			sortHeld(a)
			if !slices.Equal(a, want) {
				t.Fatalf("%d entries over %d bins: not sorted", n, span)
			}
		}
	}
}
