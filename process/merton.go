package process

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Jumps describes the jumps of a Merton jump-diffusion: they arrive as a
// Poisson process of rate Lambda per unit time, and each multiplies the
// price by e^Y with Y ~ N(Mu, Sigma²).
type Jumps struct {
	Lambda float64 // expected jumps per unit time, ≥ 0
	Mu     float64 // mean of the log jump size
	Sigma  float64 // standard deviation of the log jump size, ≥ 0
}

// maxJumpsPerStep bounds λ·dt: drawing the jump count costs time in
// proportion to it, and a step with hundreds of expected jumps is better
// modelled by a finer grid.
const maxJumpsPerStep = 1000

// poissonChunk bounds the Poisson mean drawn by one inversion, so that
// e^(−mean) stays far from underflow; larger means are drawn as sums.
const poissonChunk = 16

// Merton is Merton's jump-diffusion sampled exactly on a grid of step dt:
//
//	S_{t+1} = S_t · exp((μ − σ²/2 − λ·k)·dt + σ·√dt·Z + Y_1 + … + Y_N)
//
// with Z ~ N(0, 1), N ~ Poisson(λ·dt) and Y_i ~ N(μ_J, σ_J²), all
// independent. The compensator k = e^(μ_J + σ_J²/2) − 1 is the mean
// relative jump size, so that E[S_{t+1}/S_t] = e^(μ·dt) and μ = 0 makes
// the price a martingale. The per-step log-return X has
//
//	E[X]   = (μ − σ²/2 − λ·k)·dt + λ·dt·μ_J
//	Var[X] = (σ² + λ·(μ_J² + σ_J²))·dt
//
// Units are as for GBM: μ, σ and λ per unit time, dt the step in that unit.
type Merton struct {
	s0, s      float64
	drift, vol float64 // (μ − σ²/2 − λk)·dt and σ·√dt
	muJ, sigJ  float64
	chunks     int     // the jump count is a sum of this many Poisson draws
	chunkMean  float64 // λ·dt / chunks
	chunkP0    float64 // e^(−chunkMean), the chance of no jump in a chunk
	rng        *rand.Rand
}

// NewMerton returns a Merton jump-diffusion starting at s0 > 0 with
// diffusion drift mu and volatility sigma ≥ 0 per unit time, jumps j, and
// step dt > 0.
func NewMerton(s0, mu, sigma float64, j Jumps, dt float64) (*Merton, error) {
	const proc = "Merton"
	if err := checkPrice(proc, "s0", s0); err != nil {
		return nil, err
	}
	if err := checkDiffusion(proc, mu, sigma, dt); err != nil {
		return nil, err
	}
	if !(j.Lambda >= 0) || math.IsInf(j.Lambda, 0) {
		return nil, fmt.Errorf("process: %s: jump rate Lambda = %v, want a finite number ≥ 0", proc, j.Lambda)
	}
	if err := checkFinite(proc, "log jump mean Jumps.Mu", j.Mu); err != nil {
		return nil, err
	}
	if !(j.Sigma >= 0) || math.IsInf(j.Sigma, 0) {
		return nil, fmt.Errorf("process: %s: log jump volatility Jumps.Sigma = %v, want a finite number ≥ 0", proc, j.Sigma)
	}
	m := j.Lambda * dt
	if m > maxJumpsPerStep {
		return nil, fmt.Errorf("process: %s: %v expected jumps per step (Lambda·dt), want at most %d: use a shorter step", proc, m, maxJumpsPerStep)
	}
	k := math.Expm1(j.Mu + j.Sigma*j.Sigma/2)
	p := &Merton{
		s0: s0, s: s0,
		drift: (mu - sigma*sigma/2 - j.Lambda*k) * dt,
		vol:   sigma * math.Sqrt(dt),
		muJ:   j.Mu, sigJ: j.Sigma,
	}
	if err := checkFinite(proc, "per-step drift (mu - sigma^2/2 - Lambda*k)*dt with compensator k = exp(Jumps.Mu + Jumps.Sigma^2/2) - 1", p.drift); err != nil {
		return nil, err
	}
	if err := checkFinite(proc, "per-step volatility sigma*sqrt(dt)", p.vol); err != nil {
		return nil, err
	}
	if m > 0 {
		p.chunks = int(math.Ceil(m / poissonChunk))
		p.chunkMean = m / float64(p.chunks)
		p.chunkP0 = math.Exp(-p.chunkMean)
	}
	return p, nil
}

// Dim returns 1.
func (p *Merton) Dim() int { return 1 }

// Reset starts a new path at S_0, drawing shocks and jumps from rng.
func (p *Merton) Reset(rng *rand.Rand, out []float64) {
	p.rng = rng
	p.s = p.s0
	if len(out) > 0 {
		out[0] = p.s
	}
}

// Step applies one diffusion shock and the step's jumps, if any, and writes
// the price to out[0].
func (p *Merton) Step(out []float64) {
	if p.rng != nil {
		x := p.drift + p.vol*p.rng.NormFloat64()
		if n := p.jumps(); n > 0 {
			// The sum of n independent N(μ_J, σ_J²) is N(n·μ_J, n·σ_J²).
			f := float64(n)
			x += f*p.muJ + math.Sqrt(f)*p.sigJ*p.rng.NormFloat64()
		}
		p.s *= exp(x)
	}
	if len(out) > 0 {
		out[0] = p.s
	}
}

// jumps draws the number of jumps in one step, Poisson(λ·dt), as a sum of
// Poisson(chunkMean) draws, each by inversion of its distribution function
// with a single uniform.
func (p *Merton) jumps() int {
	n := 0
	for range p.chunks {
		u := p.rng.Float64()
		q := p.chunkP0 // P(N = k)
		f := q         // P(N ≤ k)
		k := 0
		// Stop too once q underflows: f can no longer grow, and u lies in
		// a tail of probability below 1e-300.
		for u >= f && q > 0 {
			k++
			q *= p.chunkMean / float64(k)
			f += q
		}
		n += k
	}
	return n
}
