package metric

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// fullReport is every statistic of s, marshalled, for comparisons to the bit.
func fullReport(t *testing.T, s *Summary) string {
	t.Helper()
	b, err := json.Marshal(s.Report([]float64{0.5, 0.9, 0.99}, []float64{0, 0.01, 0.25, 0.5, 0.75, 0.99, 1}, HigherIsWorse))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSummaryBinaryRoundTrip: a decoded Summary reports, takes more
// observations and merges exactly as the one encoded, exact or from the
// sketch, empty or holding NaN and infinities.
func TestSummaryBinaryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 4))
	draw := func(n int) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = rng.NormFloat64() * math.Exp(rng.NormFloat64())
		}
		return xs
	}
	for _, tc := range []struct {
		name string
		cap  int
		xs   []float64
	}{
		{"empty", 100, nil},
		{"nan only", 100, []float64{math.NaN()}},
		{"exact", 100, draw(60)},
		{"exact with infinities", 100, append(draw(30), math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1))},
		{"past the cap", 50, draw(300)},
		{"sketch only", 0, draw(500)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := summaryCapOf(tc.cap, tc.xs...)
			b, err := s.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Summary
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if g, w := fullReport(t, &got), fullReport(t, s); g != w {
				t.Fatalf("decoded report differs:\n%s\n%s", g, w)
			}
			more := draw(40)
			for _, x := range more {
				s.Add(x)
				got.Add(x)
			}
			other := summaryCapOf(tc.cap, draw(25)...)
			s.Merge(other)
			got.Merge(other)
			if g, w := fullReport(t, &got), fullReport(t, s); g != w {
				t.Fatalf("after adds and a merge, reports differ:\n%s\n%s", g, w)
			}
		})
	}
}

// TestFanBinaryRoundTrip: a decoded Fan has the quantiles and run count of
// the one encoded, runs still held back included, and merges like it.
func TestFanBinaryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	fill := func(f *Fan, runs int) {
		row := make([]float64, f.Len())
		for range runs {
			for i := range row {
				row[i] = float64(i) + rng.ExpFloat64()
			}
			if err := f.Add(row); err != nil {
				t.Fatal(err)
			}
		}
	}
	qs := []float64{0.05, 0.5, 0.95}
	f, _ := NewFan(7)
	fill(f, 45) // 45 is not a multiple of the batch: some runs are held back
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Fan
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	same := func() {
		t.Helper()
		a, _ := json.Marshal(got.Quantiles(qs))
		w, _ := json.Marshal(f.Quantiles(qs))
		if string(a) != string(w) || got.Runs() != f.Runs() || got.Len() != f.Len() {
			t.Fatalf("decoded fan differs: %s (%d runs) and %s (%d runs)", a, got.Runs(), w, f.Runs())
		}
	}
	same()
	other, _ := NewFan(7)
	fill(other, 13)
	if err := f.Merge(other); err != nil {
		t.Fatal(err)
	}
	if err := got.Merge(other); err != nil {
		t.Fatal(err)
	}
	same()
}

// TestBinaryRefusesDamage: truncated or altered encodings are errors, not
// panics or silently wrong Summaries.
func TestBinaryRefusesDamage(t *testing.T) {
	s := summaryCapOf(10, 1, 2, 3)
	b, _ := s.MarshalBinary()
	f, _ := NewFan(3)
	_ = f.Add([]float64{1, 2, 3})
	fb, _ := f.MarshalBinary()
	for name, data := range map[string][]byte{
		"empty":         nil,
		"version":       append([]byte{9}, b[1:]...),
		"truncated":     b[:len(b)-3],
		"trailing":      append(append([]byte{}, b...), 0),
		"fan truncated": fb[:len(fb)/2],
	} {
		var x Summary
		var g Fan
		if name == "fan truncated" {
			if err := g.UnmarshalBinary(data); err == nil {
				t.Errorf("%s: no error", name)
			}
			continue
		}
		if err := x.UnmarshalBinary(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
