package metric

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Proportion returns the share k/n of runs in which an event happened with
// its exact two-sided 95% Clopper–Pearson interval:
//
//	Lo = B⁻¹(0.025; k, n−k+1)   (0 when k = 0)
//	Hi = B⁻¹(0.975; k+1, n−k)   (1 when k = n)
//
// where B⁻¹(p; a, b) is the p-quantile of the Beta(a, b) distribution. The
// interval covers the true probability in at least 95% of samples whatever
// it is, so it never collapses to a point: 0 of 100 runs gives [0, 3.62%].
// StdErr is the binomial √(p(1−p)/n). With n = 0 every field is NaN.
func Proportion(k, n int64) Estimate {
	if n <= 0 || k < 0 || k > n {
		return nanEstimate
	}
	p := float64(k) / float64(n)
	e := Estimate{Value: p, Lo: 0, Hi: 1, StdErr: math.Sqrt(p * (1 - p) / float64(n))}
	if k > 0 {
		e.Lo = distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(0.025)
	}
	if k < n {
		e.Hi = distuv.Beta{Alpha: float64(k + 1), Beta: float64(n - k)}.Quantile(0.975)
	}
	return e
}
