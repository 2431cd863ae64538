package report

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/metric"
)

// histBins is the number of histogram bins a report aims for; nice bin
// widths make the actual count between about 30 and 45.
const histBins = 40

// ecdfPoints is the most points an ECDF curve has, whatever the run count.
const ecdfPoints = 200

// niceBins returns histogram bin edges covering [lo, hi]: about target bins
// of a width 1, 2, 2.5 or 5 times a power of ten, the first edge a multiple
// of the width. A zero-width range gets one bin around its value.
func niceBins(lo, hi float64, target int) []float64 {
	if !(hi > lo) {
		w := math.Abs(lo) / 2
		if w == 0 {
			w = 0.5
		}
		return []float64{lo - w, lo + w}
	}
	raw := (hi - lo) / float64(target)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	width := 10 * p
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= raw {
			width = m * p
			break
		}
	}
	start := math.Floor(lo/width) * width
	edges := []float64{start}
	for k := 1; edges[len(edges)-1] < hi || len(edges) < 2; k++ {
		// Multiplying, not accumulating, keeps the edges free of drift.
		edges = append(edges, start+float64(k)*width)
	}
	return edges
}

// histogram returns the percentage of the finite values of xs in each bin
// of edges; a value on an inner edge goes to the bin above it, and the last
// bin includes its upper edge. The percentages are of the finite values.
func histogram(xs []float64, edges []float64) []float64 {
	out := make([]float64, len(edges)-1)
	n := 0
	for _, x := range xs {
		if !isFinite(x) {
			continue
		}
		n++
		k, found := slices.BinarySearch(edges, x)
		if !found {
			k--
		}
		k = min(max(k, 0), len(out)-1)
		out[k]++
	}
	if n > 0 {
		for k := range out {
			out[k] *= 100 / float64(n)
		}
	}
	return out
}

// ecdf returns at most max points (x, F(x)) of the empirical distribution
// function of the finite values of xs, F(x) being the share of values ≤ x.
// With more values than points it keeps order statistics evenly spaced in
// rank, always including the smallest and the largest, so that the curve
// drawn as a step function is the ECDF to within 1/(max−1) in F.
func ecdf(xs []float64, max int) (x, f []float64) {
	s := make([]float64, 0, len(xs))
	for _, v := range xs {
		if isFinite(v) {
			s = append(s, v)
		}
	}
	n := len(s)
	if n == 0 {
		return nil, nil
	}
	slices.Sort(s)
	add := func(i int) {
		// F at an order statistic counts ties above it too.
		j := i
		for j+1 < n && s[j+1] == s[i] {
			j++
		}
		if len(x) > 0 && x[len(x)-1] == s[i] {
			return
		}
		x = append(x, s[i])
		f = append(f, float64(j+1)/float64(n))
	}
	if n <= max {
		for i := range n {
			add(i)
		}
		return x, f
	}
	for k := range max {
		add(int(math.Round(float64(k) * float64(n-1) / float64(max-1))))
	}
	return x, f
}

// timeUnit chooses the unit of a time axis whose last point is at span
// seconds: the largest of days, hours and minutes that gives at least
// three units, else seconds.
func timeUnit(span float64) (seconds float64, name string) {
	switch {
	case span >= 3*86400:
		return 86400, "days"
	case span >= 3*3600:
		return 3600, "hours"
	case span >= 3*60:
		return 60, "minutes"
	}
	return 1, "seconds"
}

// formatNumber formats x for tables and sentences with four significant
// digits: 0.9367, 1.019, 1981, 28.25k, 2.825M; very small or very large
// magnitudes in scientific notation (1.999e-4).
func formatNumber(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	case x == 0:
		return "0"
	}
	a := math.Abs(x)
	sign := ""
	if x < 0 {
		sign = "−"
	}
	if a < 1e-3 || a >= 1e15 {
		s := strconv.FormatFloat(a, 'e', 3, 64)
		mant, exp, _ := strings.Cut(s, "e")
		e, _ := strconv.Atoi(exp)
		return sign + mant + "e" + strconv.Itoa(e)
	}
	suffix := ""
	for _, u := range []struct {
		v float64
		s string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e4, "k"}} {
		if a >= u.v {
			if u.s == "k" {
				a /= 1e3
			} else {
				a /= u.v
			}
			suffix = u.s
			break
		}
	}
	// Round to four significant digits first: rounding can carry into a
	// new digit (9.9996 → 10.00).
	digits := int(math.Floor(math.Log10(a)))
	r := math.Round(a*math.Pow(10, float64(3-digits))) / math.Pow(10, float64(3-digits))
	digits = int(math.Floor(math.Log10(r)))
	dec := max(0, 3-digits)
	return sign + strconv.FormatFloat(r, 'f', dec, 64) + suffix
}

// formatShort is formatNumber without trailing zeros after the decimal
// point: 500, 0.02, 2.5k. It suits round numbers such as bin widths.
func formatShort(x float64) string {
	s := formatNumber(x)
	num := strings.TrimRight(s, "kMBT")
	suffix := s[len(num):]
	if strings.Contains(num, ".") && !strings.Contains(num, "e") {
		num = strings.TrimRight(strings.TrimRight(num, "0"), ".")
	}
	return num + suffix
}

// formatSigned is formatNumber with an explicit sign on positive numbers,
// for differences.
func formatSigned(x float64) string {
	if x > 0 {
		return "+" + formatNumber(x)
	}
	return formatNumber(x)
}

// formatPercent formats a share in [0, 1] as a percentage: 4.9%, 0.15%.
func formatPercent(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p == 0:
		return "0%"
	}
	dec := 1
	if math.Round(math.Abs(p*1000)) < 10 { // below 1.0% once rounded
		dec = 2
	}
	s := strconv.FormatFloat(p*100, 'f', dec, 64)
	return strings.Replace(s, "-", "−", 1) + "%"
}

// formatSignedPercent is formatPercent with a sign on positive shares, and
// "pp" (percentage points) as the unit, for differences of shares.
func formatSignedPercent(p float64) string {
	if math.IsNaN(p) {
		return "–"
	}
	s := strings.TrimSuffix(formatPercent(p), "%") + " pp"
	if p > 0 {
		return "+" + s
	}
	return s
}

// formatCI formats an interval as "[lo, hi]" with f.
func formatCI(e metric.Estimate, f func(float64) string) string {
	if math.IsNaN(e.Lo) && math.IsNaN(e.Hi) {
		return ""
	}
	return "[" + f(e.Lo) + ", " + f(e.Hi) + "]"
}

// levelLabel names a tail level: 0.99 → "99%".
func levelLabel(level float64) string {
	return strconv.FormatFloat(level*100, 'f', -1, 64) + "%"
}
