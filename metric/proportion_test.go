package metric

import (
	"math"
	"testing"
)

// Reference intervals: R's binom.test(k, n)$conf.int (exact Clopper–Pearson).
func TestProportion(t *testing.T) {
	for _, tc := range []struct {
		k, n   int64
		lo, hi float64
	}{
		{0, 100, 0, 0.03621669},
		{100, 100, 0.96378331, 1},
		{5, 100, 0.01643187, 0.11283491},
		{1, 10, 0.002528579, 0.445016117},
		{15, 30, 0.3129703, 0.6870297},
	} {
		e := Proportion(tc.k, tc.n)
		if math.Abs(e.Lo-tc.lo) > 1e-7 || math.Abs(e.Hi-tc.hi) > 1e-7 || e.Value != float64(tc.k)/float64(tc.n) {
			t.Errorf("Proportion(%d, %d) = %v [%v, %v], want [%v, %v]", tc.k, tc.n, e.Value, e.Lo, e.Hi, tc.lo, tc.hi)
		}
	}
	if e := Proportion(0, 0); !math.IsNaN(e.Value) {
		t.Errorf("Proportion(0, 0) = %v, want NaN", e)
	}
}
