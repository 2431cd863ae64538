package process

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GBM is geometric Brownian motion sampled exactly on a grid of step dt:
//
//	S_{t+1} = S_t · exp((μ − σ²/2)·dt + σ·√dt·Z),  Z ~ N(0, 1)
//
// μ is the drift and σ the volatility per unit of time (say per year), and
// dt is the length of one step in that unit (1/8760 for hourly steps with
// yearly parameters); to give per-step drift and volatility, pass dt = 1.
// Each step multiplies the price by a lognormal factor of mean e^(μ·dt), so
// E[S_t] = S_0·e^(μ·t·dt) and μ = 0 makes the price a martingale; the
// log-returns are independent with mean (μ − σ²/2)·dt and variance σ²·dt.
type GBM struct {
	s0, s      float64
	drift, vol float64 // (μ − σ²/2)·dt and σ·√dt, per step
	rng        *rand.Rand
	// norm draws the shocks from rng's generator directly, when ResetPCG
	// gave it; norm.pcg is nil otherwise.
	norm normals
	// path holds the next steps' prices, drawn gbmBatch at a time;
	// path[next:] are still to be stepped to, and s is the last of them.
	path [gbmBatch]float64
	next int
}

// gbmBatch is how many steps a GBM draws at once. Drawn one per step, each
// exponential sits on the step's critical path; drawn in a loop, they are
// independent and the processor overlaps them. The draws and the
// arithmetic are the same, so the path is the same.
const gbmBatch = 64

// NewGBM returns geometric Brownian motion starting at s0 > 0 with drift mu
// and volatility sigma ≥ 0 per unit time, stepped by dt > 0 of that unit.
func NewGBM(s0, mu, sigma, dt float64) (*GBM, error) {
	if err := checkPrice("GBM", "s0", s0); err != nil {
		return nil, err
	}
	if err := checkDiffusion("GBM", mu, sigma, dt); err != nil {
		return nil, err
	}
	g := &GBM{s0: s0, s: s0, drift: (mu - sigma*sigma/2) * dt, vol: sigma * math.Sqrt(dt), next: gbmBatch}
	if err := checkFinite("GBM", "per-step drift (mu - sigma^2/2)*dt", g.drift); err != nil {
		return nil, err
	}
	if err := checkFinite("GBM", "per-step volatility sigma*sqrt(dt)", g.vol); err != nil {
		return nil, err
	}
	return g, nil
}

// Dim returns 1.
func (g *GBM) Dim() int { return 1 }

// Reset starts a new path at S_0, drawing shocks from rng.
func (g *GBM) Reset(rng *rand.Rand, out []float64) {
	g.rng = rng
	g.norm = normals{}
	g.s = g.s0
	g.next = gbmBatch
	if len(out) > 0 {
		out[0] = g.s
	}
}

// ResetPCG is Reset(rng, out) for rng = rand.New(pcg): the path is the
// same, its shocks drawn from pcg directly (see normals).
func (g *GBM) ResetPCG(rng *rand.Rand, pcg *rand.PCG, out []float64) {
	g.Reset(rng, out)
	if rng != nil && pcg != nil && zigOK {
		g.norm = normals{pcg: pcg, rng: rng}
	}
}

// Step multiplies the price by one lognormal factor and writes it to out[0].
func (g *GBM) Step(out []float64) {
	if g.next == gbmBatch {
		g.draw()
	}
	if len(out) > 0 {
		out[0] = g.path[g.next]
	}
	g.next++
}

// draw fills path with the next prices, each the last times exp(drift +
// vol·Z), Z standard normal; without a generator the price stays.
func (g *GBM) draw() {
	s := g.s
	switch {
	case g.norm.pcg != nil:
		for k := range g.path {
			s *= exp(g.drift + g.vol*g.norm.next())
			g.path[k] = s
		}
	case g.rng != nil:
		for k := range g.path {
			s *= exp(g.drift + g.vol*g.rng.NormFloat64())
			g.path[k] = s
		}
	default:
		for k := range g.path {
			g.path[k] = s
		}
	}
	g.s = s
	g.next = 0
}

// checkPrice reports an error unless v is a positive finite price.
func checkPrice(proc, name string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("process: %s: %s = %v, want a positive finite price", proc, name, v)
	}
	return nil
}

// checkFinite reports an error unless v is finite.
func checkFinite(proc, name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("process: %s: %s = %v, want a finite number", proc, name, v)
	}
	return nil
}

// checkDiffusion validates a drift, a volatility and a time step.
func checkDiffusion(proc string, mu, sigma, dt float64) error {
	if err := checkFinite(proc, "mu", mu); err != nil {
		return err
	}
	if !(sigma >= 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("process: %s: volatility sigma = %v, want a finite number ≥ 0", proc, sigma)
	}
	if !(dt > 0) || math.IsInf(dt, 0) {
		return fmt.Errorf("process: %s: time step dt = %v, want a finite number > 0", proc, dt)
	}
	return nil
}
