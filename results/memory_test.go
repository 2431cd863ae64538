package results

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// bigLayout is a realistic layout: a few sweep parameters, a dozen scalar
// metrics, a handful of series.
var bigLayout = func() Layout {
	var l Layout
	l.Params = []string{"fee", "vol"}
	for i := range 12 {
		l.Scalars = append(l.Scalars, Column{Name: fmt.Sprintf("metric_%d", i), Unit: "1"})
	}
	for i := range 4 {
		l.Series = append(l.Series, Column{Name: fmt.Sprintf("series_%d", i), Unit: "1"})
	}
	return l
}()

// runSource fills one reusable Run with the values of run i, the way an
// engine reuses its buffers, so that the test measures the writer alone.
type runSource struct {
	l   Layout
	run Run
}

func newRunSource(l Layout, samples int) *runSource {
	s := &runSource{l: l}
	s.run.Params = make([]float64, len(l.Params))
	s.run.Scalars = make([]float64, len(l.Scalars))
	s.run.Times = make([]float64, samples)
	s.run.Series = make([][]float64, len(l.Series))
	for i := range s.run.Series {
		s.run.Series[i] = make([]float64, samples)
	}
	return s
}

func (s *runSource) at(i, cells int) Run {
	r := &s.run
	r.Cell = i % cells
	r.Arm = [2]string{"base", "policy"}[i/cells%2]
	r.Run = i / (2 * cells)
	r.Seed = uint64(i) * 0x9E3779B97F4A7C15
	for j := range r.Params {
		r.Params[j] = float64(r.Cell*10 + j)
	}
	for j := range r.Scalars {
		// Values that do not compress to nothing, like real metrics.
		r.Scalars[j] = float64(r.Seed>>(j+8)) * 0x1p-40
	}
	for k := range r.Times {
		r.Times[k] = float64(k) * 3600
		for j := range r.Series {
			r.Series[j][k] = float64((r.Seed>>k)^uint64(j)) * 0x1p-50
		}
	}
	return *r
}

// TestMemoryFlat writes many runs and samples the live heap as it goes. The
// row group buffers reach their working size within the first row groups;
// after that the heap may grow only by the footer metadata that Parquet
// keeps for every column chunk until the file is closed (about 1 KiB per
// column per row group, so 0.1 MiB per million rows at the default row
// group size). The run count is 200,000 (3.2 million series rows); -short
// writes 40,000.
func TestMemoryFlat(t *testing.T) {
	runs, samples, cells := 200_000, 16, 50
	if testing.Short() {
		runs = 40_000
	}
	const groupRows = 8192 // small, so that many row groups are flushed
	dest := filepath.Join(t.TempDir(), "out")
	w, err := Create(dest, bigLayout, Options{RowGroupRows: groupRows})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	src := newRunSource(bigLayout, samples)

	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	const every = 10_000
	var base, peak uint64
	for i := range runs {
		if err := w.WriteRun(src.at(i, cells)); err != nil {
			t.Fatal(err)
		}
		if (i+1)%every == 0 {
			h := heap()
			if i+1 == every {
				base = h
			}
			peak = max(peak, h)
		}
	}
	if err := w.Finish(Manifest{}); err != nil {
		t.Fatal(err)
	}
	chunks := func(rows, cols int) int { return (rows + groupRows - 1) / groupRows * cols }
	footer := uint64(1536 * (chunks(runs, 4+len(bigLayout.Params)+len(bigLayout.Scalars)) +
		chunks(runs*samples, 5+len(bigLayout.Series))))
	const slack = 1 << 20
	t.Logf("%d runs, %d series rows: heap in use %.1f MiB after %d runs, peak %.1f MiB, footer allowance %.1f MiB",
		runs, runs*samples, mib(base), every, mib(peak), mib(footer))
	if peak > base+footer+slack {
		t.Errorf("heap grew from %.1f MiB to %.1f MiB; want growth under %.1f MiB",
			mib(base), mib(peak), mib(footer+slack))
	}
	if peak > 32<<20 {
		t.Errorf("peak heap %.1f MiB, want under 32 MiB", mib(peak))
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// BenchmarkWriteRun measures writing one run of the big layout with 16
// samples (one runs row, 16 series rows). Allocations per run should be
// near zero; B/op is what the writer allocates, not what it holds.
func BenchmarkWriteRun(b *testing.B) {
	for _, samples := range []int{0, 16, 256} {
		b.Run(fmt.Sprintf("samples=%d", samples), func(b *testing.B) {
			l := bigLayout
			if samples == 0 {
				l.Series = nil
			}
			w, err := Create(filepath.Join(b.TempDir(), "out"), l, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Abort()
			src := newRunSource(l, samples)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := w.WriteRun(src.at(i, 50)); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Finish(Manifest{}); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
