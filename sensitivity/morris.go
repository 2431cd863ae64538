package sensitivity

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// MorrisPlan is a Morris screening design (Morris 1991, with Campolongo et
// al.'s μ* 2007): r trajectories through a p-level grid of the unit cube,
// each of d+1 points moving one input at a time by Δ = p/(2(p−1)).
type MorrisPlan struct {
	D, Levels int
	Delta     float64
	// Order[t] is the order in which trajectory t moves the inputs and
	// Sign[t][i] the direction (+1 or −1) in which it moves input i.
	Order [][]int
	Sign  [][]float64
	// Base[t] is trajectory t's starting point.
	Base [][]float64
}

// NewMorrisPlan draws r trajectories for d inputs on a grid of levels
// levels (even, at least 2) from rng. Every point lies on the grid
// {0, 1/(p−1), …, 1}; starting levels are drawn among those from which a
// step of Δ stays inside the cube, and each input steps up or down with
// equal probability.
func NewMorrisPlan(d, r, levels int, rng *rand.Rand) (*MorrisPlan, error) {
	if d < 1 || r < 2 || levels < 2 || levels%2 != 0 {
		return nil, fmt.Errorf("need at least 1 input, 2 trajectories and an even number of levels, got %d, %d, %d", d, r, levels)
	}
	p := &MorrisPlan{D: d, Levels: levels, Delta: float64(levels) / (2 * float64(levels-1))}
	for range r {
		order := rng.Perm(d)
		sign := make([]float64, d)
		base := make([]float64, d)
		for i := range d {
			// Levels 0 … p/2−1 can step up by Δ (= p/2 levels).
			lv := rng.IntN(levels / 2)
			base[i] = float64(lv) / float64(levels-1)
			sign[i] = 1
			if rng.IntN(2) == 1 {
				base[i] += p.Delta
				sign[i] = -1
			}
		}
		p.Order = append(p.Order, order)
		p.Sign = append(p.Sign, sign)
		p.Base = append(p.Base, base)
	}
	return p, nil
}

// Points returns the r·(d+1) unit-cube points to evaluate, trajectory by
// trajectory.
func (p *MorrisPlan) Points() [][]float64 {
	var pts [][]float64
	for t := range p.Order {
		x := slices.Clone(p.Base[t])
		pts = append(pts, slices.Clone(x))
		for _, i := range p.Order[t] {
			x[i] += p.Sign[t][i] * p.Delta
			x[i] = min(max(x[i], 0), 1)
			pts = append(pts, slices.Clone(x))
		}
	}
	return pts
}

// Effect is one input's Morris statistics: of the elementary effects
// EE_i = (f(x + s·Δ·e_i) − f(x)) / (s·Δ) over the trajectories, μ is their
// mean, μ* the mean of their absolute values and σ their standard
// deviation (in output units per unit of the normalized input: per
// full range of the parameter). μ* ranks influence; σ large against μ*
// flags interactions or nonlinearity.
type Effect struct {
	Name               string
	Mu, MuStar         float64
	Sigma              float64
	MuStarLo, MuStarHi float64
}

// MorrisResult is a Morris analysis of one output.
type MorrisResult struct {
	Trajectories int
	Level        float64
	Effects      []Effect
}

// Effects computes the elementary effects from outputs y evaluated at
// Points (same order), with a percentile bootstrap interval on μ* at level
// from boot resamples of the trajectories.
func (p *MorrisPlan) Effects(names []string, y []float64, level float64, boot int, rng *rand.Rand) (*MorrisResult, error) {
	d, r := p.D, len(p.Order)
	if len(names) != d || len(y) != r*(d+1) {
		return nil, fmt.Errorf("expected %d outputs for %d inputs, got %d", r*(d+1), d, len(y))
	}
	ee := make([][]float64, d) // ee[i][t]
	for i := range ee {
		ee[i] = make([]float64, r)
	}
	for t := range r {
		for k, i := range p.Order[t] {
			a, b := y[t*(d+1)+k], y[t*(d+1)+k+1]
			if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
				return nil, fmt.Errorf("trajectory %d has a non-finite output", t)
			}
			ee[i][t] = (b - a) / (p.Sign[t][i] * p.Delta)
		}
	}
	res := &MorrisResult{Trajectories: r, Level: level}
	for i := range d {
		var mu, abs float64
		for _, e := range ee[i] {
			mu += e
			abs += math.Abs(e)
		}
		mu /= float64(r)
		abs /= float64(r)
		var ss float64
		for _, e := range ee[i] {
			ss += (e - mu) * (e - mu)
		}
		var bs []float64
		for range boot {
			s := 0.0
			for range r {
				s += math.Abs(ee[i][rng.IntN(r)])
			}
			bs = append(bs, s/float64(r))
		}
		lo, hi := percentiles(bs, level)
		res.Effects = append(res.Effects, Effect{Name: names[i], Mu: mu, MuStar: abs, Sigma: math.Sqrt(ss / float64(r-1)), MuStarLo: lo, MuStarHi: hi})
	}
	return res, nil
}

// Ranked returns the effects ordered by μ*, largest first.
func (r *MorrisResult) Ranked() []Effect {
	out := slices.Clone(r.Effects)
	slices.SortStableFunc(out, func(a, b Effect) int {
		switch {
		case a.MuStar > b.MuStar:
			return -1
		case a.MuStar < b.MuStar:
			return 1
		}
		return 0
	})
	return out
}
