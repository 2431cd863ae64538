package process

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// symTol is how far a correlation matrix may stray from exact symmetry and
// unit diagonal: matrices estimated from data carry rounding of this order.
const symTol = 1e-12

// CorrelatedGBM is n geometric Brownian motions whose Brownian increments
// are correlated: asset i follows
//
//	S^i_{t+1} = S^i_t · exp((μ_i − σ_i²/2)·dt + σ_i·√dt·W_i),  W = L·Z,
//
// where Z is a vector of independent standard normals and L the lower
// Cholesky factor of the correlation matrix R = L·Lᵀ, so that
// corr(W_i, W_j) = R_ij. Units are as for GBM: μ_i, σ_i per unit time, dt
// the step in that unit. L is computed once, at construction.
type CorrelatedGBM struct {
	s0, s []float64
	drift []float64 // (μ_i − σ_i²/2)·dt
	// lv holds σ_i·√dt·L_ij for j ≤ i, row after row (packed lower triangle).
	lv  []float64
	z   []float64 // scratch for the independent normals
	rng *rand.Rand
}

// NewCorrelatedGBM returns n = len(s0) correlated geometric Brownian motions
// with start prices s0, drifts mu and volatilities sigma (per unit time,
// each of length n), stepped by dt. corr is the n×n correlation matrix of
// the Brownian increments: it must be symmetric with unit diagonal and
// positive definite, so perfectly correlated assets (|ρ| = 1) must be
// modelled as one.
func NewCorrelatedGBM(s0, mu, sigma []float64, corr [][]float64, dt float64) (*CorrelatedGBM, error) {
	const proc = "CorrelatedGBM"
	n := len(s0)
	if n == 0 {
		return nil, fmt.Errorf("process: %s: no assets (s0 is empty)", proc)
	}
	if len(mu) != n || len(sigma) != n {
		return nil, fmt.Errorf("process: %s: %d start prices but %d drifts and %d volatilities", proc, n, len(mu), len(sigma))
	}
	if len(corr) != n {
		return nil, fmt.Errorf("process: %s: correlation matrix has %d rows, want %d", proc, len(corr), n)
	}
	for i, row := range corr {
		if len(row) != n {
			return nil, fmt.Errorf("process: %s: correlation matrix row %d has %d entries, want %d", proc, i, len(row), n)
		}
	}
	c := &CorrelatedGBM{
		s0: append([]float64(nil), s0...), s: make([]float64, n),
		drift: make([]float64, n), lv: make([]float64, n*(n+1)/2), z: make([]float64, n),
	}
	copy(c.s, s0)
	for i := range n {
		name := fmt.Sprintf("asset %d", i)
		if err := checkPrice(proc, name+" s0", s0[i]); err != nil {
			return nil, err
		}
		if err := checkDiffusion(proc+" "+name, mu[i], sigma[i], dt); err != nil {
			return nil, err
		}
		c.drift[i] = (mu[i] - sigma[i]*sigma[i]/2) * dt
		if err := checkFinite(proc, name+" per-step drift", c.drift[i]); err != nil {
			return nil, err
		}
	}
	r := mat.NewSymDense(n, nil)
	for i := range n {
		for j := range n {
			v := corr[i][j]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("process: %s: correlation [%d][%d] = %v, want a finite number", proc, i, j, v)
			}
			if i == j {
				if math.Abs(v-1) > symTol {
					return nil, fmt.Errorf("process: %s: correlation diagonal [%d][%d] = %v, want 1", proc, i, i, v)
				}
				r.SetSym(i, i, 1)
				continue
			}
			if math.Abs(v) > 1 {
				return nil, fmt.Errorf("process: %s: correlation [%d][%d] = %v, want a value in [-1, 1]", proc, i, j, v)
			}
			if j < i {
				if w := corr[j][i]; math.Abs(v-w) > symTol {
					return nil, fmt.Errorf("process: %s: correlation matrix is not symmetric: [%d][%d] = %v but [%d][%d] = %v", proc, i, j, v, j, i, w)
				}
				r.SetSym(i, j, (v+corr[j][i])/2)
			}
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(r) {
		return nil, fmt.Errorf("process: %s: correlation matrix is not positive definite: the correlations are mutually inconsistent or some assets are perfectly (anti)correlated", proc)
	}
	var l mat.TriDense
	chol.LTo(&l)
	k := 0
	for i := range n {
		vol := sigma[i] * math.Sqrt(dt)
		for j := 0; j <= i; j++ {
			c.lv[k] = vol * l.At(i, j)
			k++
		}
	}
	return c, nil
}

// Dim returns the number of assets.
func (c *CorrelatedGBM) Dim() int { return len(c.s) }

// Reset starts a new path at the start prices, drawing shocks from rng.
func (c *CorrelatedGBM) Reset(rng *rand.Rand, out []float64) {
	c.rng = rng
	copy(c.s, c.s0)
	copy(out, c.s)
}

// Step draws n independent normals, correlates them through the Cholesky
// factor and moves every price by its lognormal factor; it writes the prices
// to out.
func (c *CorrelatedGBM) Step(out []float64) {
	if c.rng != nil {
		z := c.z
		for i := range z {
			z[i] = c.rng.NormFloat64()
		}
		k := 0
		for i := range c.s {
			row := c.lv[k : k+i+1]
			var w float64
			for j, l := range row {
				w += l * z[j]
			}
			k += i + 1
			c.s[i] *= exp(c.drift[i] + w)
		}
	}
	copy(out, c.s)
}
