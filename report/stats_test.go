package report

import (
	"math"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{0, "0"},
		{0.93671, "0.9367"},
		{1.0193, "1.019"},
		{1981.2, "1981"},
		{28250, "28.25k"},
		{2825000, "2.825M"},
		{-0.06327, "−0.06327"},
		{1.999e-4, "1.999e-4"},
		{9.99996, "10.00"},
		{99999, "100.0k"},
		{3.2e12, "3.200T"},
		{math.NaN(), "–"},
		{math.Inf(1), "∞"},
		{math.Inf(-1), "−∞"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.x); got != tt.want {
			t.Errorf("formatNumber(%v) = %q, want %q", tt.x, got, tt.want)
		}
	}
	short := map[float64]string{500: "500", 0.02: "0.02", 2500: "2500", 250000: "250k", 0.05: "0.05"}
	for x, want := range short {
		if got := formatShort(x); got != want {
			t.Errorf("formatShort(%v) = %q, want %q", x, got, want)
		}
	}
	pct := map[float64]string{0.049: "4.9%", 0.0015: "0.15%", 0: "0%", 1: "100.0%"}
	for x, want := range pct {
		if got := formatPercent(x); got != want {
			t.Errorf("formatPercent(%v) = %q, want %q", x, got, want)
		}
	}
	if got := formatSignedPercent(0.209); got != "+20.9 pp" {
		t.Errorf("formatSignedPercent = %q", got)
	}
	if got := formatCount(1234567); got != "1,234,567" {
		t.Errorf("formatCount = %q", got)
	}
}

// Bins cover the data with a round width and about the asked-for count.
func TestNiceBins(t *testing.T) {
	tests := []struct{ lo, hi float64 }{
		{0, 1}, {0.6513, 1.008}, {137.4, 14484.7}, {-3.2, -1.1}, {1e6, 1e6 + 3}, {5, 5}, {0, 0},
	}
	for _, tt := range tests {
		e := niceBins(tt.lo, tt.hi, histBins)
		n := len(e) - 1
		if e[0] > tt.lo || e[n] < tt.hi {
			t.Errorf("niceBins(%v, %v) = [%v … %v] does not cover the range", tt.lo, tt.hi, e[0], e[n])
		}
		if tt.hi > tt.lo && (n < 15 || n > 45) {
			t.Errorf("niceBins(%v, %v) has %d bins", tt.lo, tt.hi, n)
		}
		w := (e[n] - e[0]) / float64(n)
		m := w / math.Pow(10, math.Floor(math.Log10(w)+1e-9))
		round := false
		for _, c := range []float64{1, 2, 2.5, 5, 10} {
			round = round || math.Abs(m-c) < 1e-6
		}
		if !round {
			t.Errorf("niceBins(%v, %v): width %v is not round", tt.lo, tt.hi, w)
		}
	}
}

func TestHistogramAndECDF(t *testing.T) {
	var xs []float64
	for i := range 10000 {
		xs = append(xs, float64(i%97)*1.5)
	}
	xs = append(xs, math.NaN(), math.Inf(1))
	edges := niceBins(0, 144, histBins)
	var sum float64
	for _, p := range histogram(xs, edges) {
		sum += p
	}
	if math.Abs(sum-100) > 1e-9 {
		t.Errorf("histogram sums to %v%%", sum)
	}
	x, f := ecdf(xs, ecdfPoints)
	if len(x) > ecdfPoints || len(x) != len(f) {
		t.Fatalf("ecdf has %d and %d points", len(x), len(f))
	}
	if x[0] != 0 || x[len(x)-1] != 144 || f[len(f)-1] != 1 {
		t.Errorf("ecdf ends: (%v, %v) … (%v, %v)", x[0], f[0], x[len(x)-1], f[len(f)-1])
	}
	// F at the smallest value counts its ties: 104 of 10,000 values are 0.
	if want := 104.0 / 10000; f[0] != want {
		t.Errorf("F(0) = %v, want %v", f[0], want)
	}
	for i := 1; i < len(x); i++ {
		if !(x[i] > x[i-1] && f[i] >= f[i-1]) {
			t.Fatalf("ecdf not increasing at %d", i)
		}
	}
	if x, _ := ecdf([]float64{3, 1, 2}, ecdfPoints); len(x) != 3 {
		t.Errorf("a small sample keeps every point: %v", x)
	}
}

func TestTimeUnit(t *testing.T) {
	for _, tt := range []struct {
		span float64
		name string
	}{{365 * 86400, "days"}, {2 * 86400, "hours"}, {600, "minutes"}, {60, "seconds"}} {
		if _, name := timeUnit(tt.span); name != tt.name {
			t.Errorf("timeUnit(%v) = %s, want %s", tt.span, name, tt.name)
		}
	}
	if got := formatDuration(86400); got != "1 day" {
		t.Errorf("formatDuration(1d) = %q", got)
	}
	if got := formatDuration(180 * 86400); got != "180 days" {
		t.Errorf("formatDuration(180d) = %q", got)
	}
	if got := formatDuration(3600); got != "1 hour" {
		t.Errorf("formatDuration(1h) = %q", got)
	}
}
