// Package process generates exogenous paths — prices, gas, rates — one
// simulation step at a time: geometric Brownian motion (single and
// correlated), Merton jump-diffusion, Student-t log-returns, replay of
// recorded history and block bootstrap of historical returns.
//
// A Process holds no clock and draws randomness only from the generator it
// is handed at Reset, so the engine alone decides streams and seeds.
//
// Constructors validate every parameter and return a descriptive error;
// after that nothing fails and nothing panics. Step allocates nothing. It
// writes the first min(len(out), Dim()) values; a path that has not been
// Reset, or was Reset with a nil generator, holds still. Parameters are per
// unit time with an explicit step dt, the caller choosing the unit.
package process

import "math/rand/v2"

// Process produces a path of Dim() values, advancing one step per call.
type Process interface {
	// Dim returns how many values the process produces each step.
	Dim() int
	// Reset starts a new path, drawing randomness from rng, and writes the
	// initial values (time 0) into out.
	Reset(rng *rand.Rand, out []float64)
	// Step advances the path by one step and writes the new values into out.
	Step(out []float64)
}

// PCGResetter is a Process that can draw from the PCG generator behind its
// rand.Rand directly: the same numbers at less cost.
type PCGResetter interface {
	// ResetPCG is Reset(rng, out) for rng = rand.New(pcg).
	ResetPCG(rng *rand.Rand, pcg *rand.PCG, out []float64)
}
