package metric

import (
	"errors"
	"fmt"
)

// Fan summarises a sampled time series across runs: for each of K sample
// points (for example every 100th block) it keeps a Summary of the values the
// runs took there, from which quantile bands ("fan charts") are drawn. Its
// memory is bounded by K sketches and, while runs are being added, a batch
// of at most 32 KiB of runs not yet added to them, whatever the number of
// runs; reading or merging the fan releases the batch. Create one
// with NewFan (the zero Fan has no sample points). A Fan is not safe for
// concurrent use, not even by readers (reading adds the batch); give each
// worker its own and Merge them.
//
// The Summaries of a Fan keep no exact observations (their exact cap is 0):
// its quantiles always come from the sketches, within RelativeAccuracy
// (0.5%), or within CoarseAccuracy (2%) for a coarse fan (NewCoarseFanOf),
// whose sketches occupy about 30% as many bins.
// Keeping c exact observations per point would store c whole paths, K·8·c
// bytes per fan, which is what a Fan exists to avoid: thousands of points
// times many metrics and sweep cells would need gigabytes at c = 1000. The
// price is that the bands of a metric whose spread is narrower than a bin
// (0.5% of its level) collapse onto one bin value; the metric's end-of-run
// Summary, which is exact up to DefaultExactCap runs, resolves them.
type Fan struct {
	// points are the K Summaries, made at the first need (pts): a
	// worker's fan that holds back all its runs until it is absorbed
	// never makes them. k is K and coarse their accuracy.
	points []Summary
	k      int
	coarse bool
	// keep, when not nil, are the indices of the series values that the
	// points summarise (see NewFanOf); n is the series length then.
	keep []int
	n    int
	runs int64
	// pending holds the last runs' values, not yet in the Summaries:
	// pending[i*width+r] is run r's value at point i, for r < held. Adding
	// them point by point keeps one sketch in cache while it takes a whole
	// batch; added run by run, each of the K sketches would be fetched
	// from memory for every run. It is allocated by the first Add after
	// a read or merge, and released by them, so that a fan that only
	// receives merges never holds one.
	pending []float64
	// width is the runs pending holds: fanFirstBatch at first, doubled
	// (the held runs kept) each time it fills, up to batch, the most;
	// then each full batch is flushed into the Summaries. A fan given few
	// runs (a worker's share of a short run) holds memory for about as
	// many and builds no sketch before it is read, merged or absorbed:
	// fresh memory is not free (each page the process first touches costs
	// a page fault, some microseconds), and a fan absorbed adds its held
	// runs straight into the absorbing fan's sketches (Absorb).
	width int
	batch int
	held  int
}

// fanExactCap is the exact cap of a Fan's Summaries; see Fan.
const fanExactCap = 0

// fanPendingValues bounds the values a Fan holds back (32 KiB), so that a
// fan of many sample points holds back fewer runs.
const fanPendingValues = 4096

// fanMaxBatch is the most runs a Fan holds back.
const fanMaxBatch = 32

// fanFirstBatch is the runs a Fan's first batch holds (see Fan.width).
const fanFirstBatch = 4

// NewFan returns an empty Fan of k sample points, or an error if k < 1.
func NewFan(k int) (*Fan, error) { return newFan(k, false) }

// NewCoarseFan is NewFan whose points are coarse Summaries: quantiles
// within CoarseAccuracy (2%) rather than RelativeAccuracy (0.5%).
func NewCoarseFan(k int) (*Fan, error) { return newFan(k, true) }

func newFan(k int, coarse bool) (*Fan, error) {
	if k < 1 {
		return nil, fmt.Errorf("metric: fan needs at least one sample point, got %d", k)
	}
	batch := max(1, min(fanMaxBatch, fanPendingValues/k))
	return &Fan{k: k, coarse: coarse, batch: batch, width: min(batch, fanFirstBatch)}, nil
}

// pts returns the points' Summaries, making them at the first call.
func (f *Fan) pts() []Summary {
	if f.points == nil && f.k > 0 {
		f.points = make([]Summary, f.k)
		for i := range f.points {
			f.points[i].exactCap = fanExactCap
			f.points[i].coarse = f.coarse
		}
	}
	return f.points
}

// Expect tells f that it will be given about runs runs before it is read,
// merged or absorbed: its first batch of held-back runs is sized for them
// (at most its largest batch), rather than starting small and growing. A
// worker's share of a run is known; held back whole, it is added once.
func (f *Fan) Expect(runs int) {
	if f.pending == nil && runs > 0 {
		f.width = min(f.batch, runs)
	}
}

// NewFanOf returns an empty Fan of the sample points keep (ascending
// indices) of series of n values: Add takes the whole series and records
// only those values. It bounds a fan's memory whatever the horizon.
func NewFanOf(n int, keep []int) (*Fan, error) { return newFanOf(n, keep, false) }

// NewCoarseFanOf is NewFanOf whose points are coarse Summaries (see
// NewCoarseFan).
func NewCoarseFanOf(n int, keep []int) (*Fan, error) { return newFanOf(n, keep, true) }

func newFanOf(n int, keep []int, coarse bool) (*Fan, error) {
	for i, k := range keep {
		if k < 0 || k >= n || (i > 0 && k <= keep[i-1]) {
			return nil, fmt.Errorf("metric: fan point %d is %d, want ascending indices below %d", i, k, n)
		}
	}
	f, err := newFan(len(keep), coarse)
	if err != nil {
		return nil, err
	}
	f.keep, f.n = keep, n
	return f, nil
}

// MaxFanPoints is the most sample times a run's fans keep (see FanPoints):
// as many as a report draws per series at most, so that charts lose
// nothing, while the fans' memory, a sketch per point and metric (and per
// worker while running), does not grow with the horizon.
const MaxFanPoints = 150

// FanPoints returns the indices kept by a fan of at most max points over
// series of n values: every s-th value from the first, s = ⌈n/max⌉, with
// the last value in place of the final stride's when it is not one of them,
// so the horizon is always kept. With n ≤ max it keeps them all.
func FanPoints(n, max int) []int {
	s := (n + max - 1) / max
	var out []int
	for i := 0; i < n; i += s {
		if i+s >= n {
			i = n - 1
		}
		out = append(out, i)
	}
	return out
}

// Accuracy returns the relative accuracy of the fan's quantiles:
// RelativeAccuracy, or CoarseAccuracy for a coarse fan.
func (f *Fan) Accuracy() float64 {
	if f.coarse {
		return CoarseAccuracy
	}
	return RelativeAccuracy
}

// Len returns the number of sample points K.
func (f *Fan) Len() int { return f.k }

// Runs returns the number of runs added (directly or by Merge).
func (f *Fan) Runs() int64 { return f.runs }

// Add records one run: values[i] is the run's value at sample point i (at
// series index i; for a fan made by NewFanOf, the values at its kept
// indices). It returns an error, and records nothing, unless len(values) is
// K (NewFanOf: n).
func (f *Fan) Add(values []float64) error {
	switch {
	case f.keep != nil && len(values) != f.n:
		return fmt.Errorf("metric: fan run has %d values, want %d", len(values), f.n)
	case f.keep == nil && len(values) != f.k:
		return fmt.Errorf("metric: fan run has %d values, want %d", len(values), f.k)
	}
	if f.pending == nil {
		f.pending = make([]float64, f.k*f.width)
	} else if f.held == f.width {
		if f.width < f.batch {
			f.grow()
		} else {
			f.flush()
		}
	}
	if f.keep != nil {
		for i, k := range f.keep {
			f.pending[i*f.width+f.held] = values[k]
		}
	} else {
		for i, x := range values {
			f.pending[i*f.width+f.held] = x
		}
	}
	f.held++
	f.runs++
	return nil
}

// grow doubles the runs pending holds, up to batch, keeping those held.
func (f *Fan) grow() {
	w := min(f.batch, 2*f.width)
	p := make([]float64, f.k*w)
	for i := range f.k {
		copy(p[i*w:i*w+f.held], f.pending[i*f.width:i*f.width+f.held])
	}
	f.pending, f.width = p, w
}

// flush adds the held-back runs to the Summaries. Their sketches count
// the same whatever the order of the values.
func (f *Fan) flush() {
	if f.held == 0 {
		return
	}
	points := f.pts()
	for i := range points {
		p := &points[i]
		for _, x := range f.pending[i*f.width : i*f.width+f.held] {
			p.Add(x)
		}
	}
	f.held = 0
}

// settle adds the held-back runs to the Summaries and releases the batch.
func (f *Fan) settle() {
	f.flush()
	f.pending = nil
}

// Merge adds the runs recorded by other to f, point by point (see
// Summary.Merge). It returns an error, and changes nothing, if the two fans
// have different numbers of sample points or different accuracies, or both
// were made by NewFanOf for series of different lengths. (A decoded fan forgets its kept
// indices; it merges with any fan of as many points.)
func (f *Fan) Merge(other *Fan) error {
	if err := f.compatible(other); err != nil {
		return err
	}
	runs := other.runs
	f.settle()
	other.settle()
	points, others := f.pts(), other.pts()
	for i := range points {
		points[i].Merge(&others[i])
	}
	f.runs += runs
	return nil
}

// compatible returns Merge's refusal of other, or nil.
func (f *Fan) compatible(other *Fan) error {
	if other == nil {
		return errors.New("metric: merge with nil fan")
	}
	if other.k != f.k || (f.keep != nil && other.keep != nil && other.n != f.n) {
		return fmt.Errorf("metric: merge fans of %d and %d sample points", f.k, other.k)
	}
	if other.Accuracy() != f.Accuracy() {
		return fmt.Errorf("metric: merge fans of relative accuracy %g and %g", f.Accuracy(), other.Accuracy())
	}
	return nil
}

// Absorb is Merge that leaves other empty, sparing work Merge would do:
// where f's point has recorded nothing it takes other's Summary, sketch
// and all, rather than copying the sketch, and the runs other holds back
// (not yet in its Summaries) are added straight into f's points rather
// than into other's sketches first. The counts and extrema, and so every
// quantile, are those Merge gives; the mean and variance of a point agree
// with Merge's to rounding (as Merge's agree with Add's). A worker's fans
// are merged once into the result's and dropped: absorbed, they cost no
// sketch copy, and a worker that held back all its runs builds no sketch.
func (f *Fan) Absorb(other *Fan) error {
	if other == f {
		return f.Merge(other)
	}
	if err := f.compatible(other); err != nil {
		return err
	}
	runs := other.runs
	f.settle()
	points := f.pts()
	for i := range points {
		p := &points[i]
		if other.points != nil {
			o := &other.points[i]
			if p.empty() && p.exactCap == o.exactCap && p.coarse == o.coarse {
				*p, *o = *o, *p
			} else {
				p.Merge(o)
				*o = Summary{exactCap: o.exactCap, coarse: o.coarse}
			}
		}
		if other.held > 0 {
			for _, x := range other.pending[i*other.width : i*other.width+other.held] {
				p.Add(x)
			}
		}
	}
	other.pending, other.held = nil, 0
	f.runs += runs
	other.runs = 0
	return nil
}

// Point returns the Summary of sample point i, owned by f (adding to it
// changes the fan), or nil if i is out of range.
func (f *Fan) Point(i int) *Summary {
	if i < 0 || i >= f.k {
		return nil
	}
	f.settle()
	return &f.pts()[i]
}

// Quantiles returns, for each sample point i, the values of the quantiles qs
// there: out[i][j] is Point(i).Quantile(qs[j]).Value, NaN where that is
// undefined (q outside [0, 1], or no observations at the point).
func (f *Fan) Quantiles(qs []float64) [][]float64 {
	f.settle()
	points := f.pts()
	out := make([][]float64, len(points))
	flat := make([]float64, len(points)*len(qs))
	for i := range points {
		row := flat[i*len(qs) : (i+1)*len(qs) : (i+1)*len(qs)]
		s := &points[i]
		for j, q := range qs {
			row[j] = s.quantileValue(q)
		}
		out[i] = row
	}
	return out
}
