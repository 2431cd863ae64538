package process

import (
	"math"
	"testing"
)

// moments accumulates the sample moments used by the statistical tests.
type moments struct {
	xs []float64
}

func (m *moments) add(x float64) { m.xs = append(m.xs, x) }

func (m *moments) n() float64 { return float64(len(m.xs)) }

func (m *moments) mean() float64 {
	var s float64
	for _, x := range m.xs {
		s += x
	}
	return s / m.n()
}

// central returns the k-th central sample moment (divisor n).
func (m *moments) central(k int) float64 {
	mu := m.mean()
	var s float64
	for _, x := range m.xs {
		s += math.Pow(x-mu, float64(k))
	}
	return s / m.n()
}

// variance is the unbiased sample variance.
func (m *moments) variance() float64 { return m.central(2) * m.n() / (m.n() - 1) }

// varianceSE is the standard error of the sample variance, from the sample
// fourth central moment: Var(s²) ≈ (μ4 − σ⁴)/n.
func (m *moments) varianceSE() float64 {
	m2, m4 := m.central(2), m.central(4)
	return math.Sqrt((m4 - m2*m2) / m.n())
}

// excessKurtosis is m4/m2² − 3.
func (m *moments) excessKurtosis() float64 {
	m2 := m.central(2)
	return m.central(4)/(m2*m2) - 3
}

// within fails t unless got is within 4 standard errors of want.
func within(t *testing.T, what string, got, want, se float64) {
	t.Helper()
	if !(math.Abs(got-want) <= 4*se) {
		t.Errorf("%s = %.6g, want %.6g ± 4×%.3g (off by %.1f SE)", what, got, want, se, (got-want)/se)
	} else {
		t.Logf("%s = %.6g, want %.6g (%.2f SE)", what, got, want, (got-want)/se)
	}
}

func corr(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}
