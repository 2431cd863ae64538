package cfmmtest

import (
	"math"
	"testing"
)

func TestGoldenMax(t *testing.T) {
	for _, c := range []struct{ peak, lo, hi float64 }{
		{2, 0, 10}, {-3.5, -40, 1}, {1e6, 1, 1e7},
	} {
		x := GoldenMax(func(x float64) float64 { return -(x - c.peak) * (x - c.peak) }, c.lo, c.hi)
		if math.Abs(x-c.peak) > 1e-6*math.Max(1, math.Abs(c.peak)) {
			t.Errorf("peak %g on [%g, %g]: got %g", c.peak, c.lo, c.hi, x)
		}
	}
}
