package experiment

import (
	"math"
	"testing"
)

func TestEng(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{
		{1_123_456, "1.12M"}, {4049, "4.05k"}, {-100_000, "-100k"}, {999.96, "1.00k"}, {953.9, "954"},
		{12.34, "12.3"}, {1, "1.00"}, {0.0123, "0.0123"}, {0.001, "0.00100"}, {2e-4, "200µ"}, {8.93e-7, "893n"},
		{1e-12, "1.00e-12"}, {2.5e15, "2.50e+15"}, {0, "0"}, {math.Inf(-1), "-inf"}, {math.NaN(), "–"},
	} {
		if got := eng(tc.x); got != tc.want {
			t.Errorf("eng(%g) = %q, want %q", tc.x, got, tc.want)
		}
	}
}
