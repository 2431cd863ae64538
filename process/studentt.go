package process

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// StudentT is a price whose per-step log-returns are independent, scaled
// Student-t variables with ν > 2 degrees of freedom:
//
//	S_{t+1} = S_t · exp(μ·dt + σ·√dt·√((ν−2)/ν)·T),  T ~ t_ν
//
// The factor √((ν−2)/ν) makes the log-return standard deviation exactly
// σ·√dt (Var T = ν/(ν−2)); its excess kurtosis is 6/(ν−4) for ν > 4 and
// infinite for 2 < ν ≤ 4. Units are as for GBM.
//
// Unlike GBM, μ is the mean of the log-return per unit time, not the
// growth rate of the expected price: E[e^X] is infinite for a Student-t X,
// so no drift makes the price a martingale, and μ = 0 gives a price whose
// median, not mean, stays at S_0.
type StudentT struct {
	s0, s  float64
	drift  float64 // μ·dt
	scale  float64 // σ·√dt·√(ν−2), applied to Z/√V with V ~ χ²_ν
	gd, gc float64 // Marsaglia–Tsang constants for Gamma(ν/2)
	rng    *rand.Rand
}

// NewStudentT returns a Student-t log-return process starting at s0 > 0
// with log-return mean mu and standard deviation sigma ≥ 0 per unit time,
// nu > 2 degrees of freedom, and step dt > 0.
func NewStudentT(s0, mu, sigma, nu, dt float64) (*StudentT, error) {
	const proc = "StudentT"
	if err := checkPrice(proc, "s0", s0); err != nil {
		return nil, err
	}
	if err := checkDiffusion(proc, mu, sigma, dt); err != nil {
		return nil, err
	}
	if !(nu > 2) || math.IsInf(nu, 0) {
		return nil, fmt.Errorf("process: %s: degrees of freedom nu = %v, want a finite number > 2 (the variance is infinite for nu ≤ 2)", proc, nu)
	}
	p := &StudentT{s0: s0, s: s0, drift: mu * dt, scale: sigma * math.Sqrt(dt) * math.Sqrt(nu-2)}
	if err := checkFinite(proc, "per-step drift mu*dt", p.drift); err != nil {
		return nil, err
	}
	if err := checkFinite(proc, "per-step scale sigma*sqrt(dt)*sqrt(nu-2)", p.scale); err != nil {
		return nil, err
	}
	// T·√((ν−2)/ν) = Z·√(ν−2)/√V with V = 2·G, G ~ Gamma(ν/2, 1); ν/2 > 1,
	// where Marsaglia–Tsang needs no boost.
	p.gd = nu/2 - 1.0/3
	p.gc = 1 / math.Sqrt(9*p.gd)
	return p, nil
}

// Dim returns 1.
func (p *StudentT) Dim() int { return 1 }

// Reset starts a new path at S_0, drawing shocks from rng.
func (p *StudentT) Reset(rng *rand.Rand, out []float64) {
	p.rng = rng
	p.s = p.s0
	if len(out) > 0 {
		out[0] = p.s
	}
}

// Step multiplies the price by e^X for one Student-t log-return X and
// writes it to out[0].
func (p *StudentT) Step(out []float64) {
	if p.rng != nil {
		z := p.rng.NormFloat64()
		v := 2 * p.gamma()
		p.s *= exp(p.drift + p.scale*z/math.Sqrt(v))
	}
	if len(out) > 0 {
		out[0] = p.s
	}
}

// gamma draws from Gamma(ν/2, 1) by Marsaglia and Tsang's method (2000),
// valid for shape ≥ 1: accept d·v, v = (1 + c·x)³, x normal, by a squeeze
// test and then the exact log test.
func (p *StudentT) gamma() float64 {
	d, c := p.gd, p.gc
	for {
		x := p.rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := p.rng.Float64()
		x2 := x * x
		if u < 1-0.0331*x2*x2 {
			return d * v
		}
		if math.Log(u) < 0.5*x2+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
