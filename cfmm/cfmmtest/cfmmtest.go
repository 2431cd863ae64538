// Package cfmmtest holds what the pools' tests share: a reference optimizer
// that the pools' own closed forms and Newton solvers are checked against.
package cfmmtest

import "math"

// GoldenMax maximizes f on [lo, hi], f unimodal there, by golden-section
// search to a relative width of 1e-13 (about 70 evaluations per decade of
// the interval's width relative to its end). It is deliberately simple and
// slow: a reference, not a solver for the step loop.
func GoldenMax(f func(float64) float64, lo, hi float64) float64 {
	const g = 0.6180339887498949 // (√5 − 1)/2
	a, b := lo, hi
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := f(c), f(d)
	for b-a > 1e-13*math.Abs(b) {
		if fc > fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = f(d)
		}
	}
	return (a + b) / 2
}
