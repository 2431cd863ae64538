package process

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/history"
)

// Replay plays back a recorded series, one row per step: Reset writes row
// 0 and the k-th Step writes row k. It draws no randomness, so every path
// is the same. The series should be resampled to the simulation step first
// (history.Resample); Replay checks that its timestamps are evenly spaced.
//
// With rescaling, column j is multiplied by s0[j] / (its row-0 value), so
// that the path starts at s0[j] and keeps the recorded relative moves.
type Replay struct {
	rows  []float64 // steps+1 rows of dim values, row after row
	dim   int
	steps int
	k     int // current row
}

// NewReplay returns a replay of the first steps+1 rows of s (the start and
// steps steps). If s0 is nil the recorded values are played raw; otherwise
// s0 gives the start value of each column and the column is rescaled to it.
// It fails if s has fewer than steps+1 rows, if the rows played lack
// timestamps or are not evenly spaced, or if a column cannot be rescaled (row-0 value zero).
// The values are copied, so later changes to s do not affect the replay.
func NewReplay(s *history.Series, steps int, s0 []float64) (*Replay, error) {
	const proc = "Replay"
	if s == nil || len(s.Values) == 0 {
		return nil, fmt.Errorf("process: %s: series has no columns", proc)
	}
	if steps < 0 {
		return nil, fmt.Errorf("process: %s: steps = %d, want ≥ 0", proc, steps)
	}
	rows := len(s.Values[0])
	for j, col := range s.Values {
		if len(col) != rows {
			return nil, fmt.Errorf("process: %s: column %d has %d values, column 0 has %d", proc, j, len(col), rows)
		}
	}
	if rows < steps+1 {
		return nil, fmt.Errorf("process: %s: series has %d rows, %d steps need %d (%d more)", proc, rows, steps, steps+1, steps+1-rows)
	}
	if s0 != nil && len(s0) != len(s.Values) {
		return nil, fmt.Errorf("process: %s: %d start values for %d columns", proc, len(s0), len(s.Values))
	}
	if len(s.Times) != rows {
		return nil, fmt.Errorf("process: %s: series has %d timestamps for %d rows", proc, len(s.Times), rows)
	}
	if steps >= 1 {
		dt := s.Times[1].Sub(s.Times[0])
		for k := 2; k <= steps; k++ {
			if d := s.Times[k].Sub(s.Times[k-1]); d != dt {
				return nil, fmt.Errorf("process: %s: rows %d and %d are %v apart but rows 0 and 1 are %v: resample the series to the step (history.Resample)", proc, k-1, k, d, dt)
			}
		}
	}
	dim := len(s.Values)
	r := &Replay{rows: make([]float64, (steps+1)*dim), dim: dim, steps: steps}
	for j, col := range s.Values {
		name := fmt.Sprintf("column %d", j)
		if j < len(s.Names) {
			name = fmt.Sprintf("column %q", s.Names[j])
		}
		f := 1.0
		if s0 != nil {
			if err := checkFinite(proc, name+" start value s0", s0[j]); err != nil {
				return nil, err
			}
			if col[0] == 0 || math.IsNaN(col[0]) || math.IsInf(col[0], 0) {
				return nil, fmt.Errorf("process: %s: %s starts at %v and cannot be rescaled to %v", proc, name, col[0], s0[j])
			}
			f = s0[j] / col[0]
		}
		for k := 0; k <= steps; k++ {
			v := col[k] * f
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("process: %s: %s row %d is %v after rescaling by %v, want a finite number", proc, name, k, v, f)
			}
			r.rows[k*dim+j] = v
		}
		if s0 != nil {
			r.rows[j] = s0[j] // exactly, whatever the rounding of f
		}
	}
	return r, nil
}

// Dim returns the number of columns.
func (r *Replay) Dim() int { return r.dim }

// Reset writes row 0 to out; rng is not used.
func (r *Replay) Reset(_ *rand.Rand, out []float64) {
	r.k = 0
	copy(out, r.rows[:r.dim])
}

// Step writes the next row to out. After the last row it holds there, as
// the record says nothing further.
func (r *Replay) Step(out []float64) {
	if r.k < r.steps {
		r.k++
	}
	copy(out, r.rows[r.k*r.dim:(r.k+1)*r.dim])
}
