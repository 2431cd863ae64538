package process

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Bootstrap builds price paths from blocks of recorded log-returns, so that
// the paths keep the record's fat tails, volatility clustering within a
// block and, for several assets, its cross-asset dependence: all assets
// take their returns from the same recorded instants. Each step multiplies
// price j by e^(r_j) for the next return r in the current block.
//
// Blocks are circular: a block that runs past the last recorded return
// continues from the first. Every recorded return is then equally likely at
// every step, so the expected log-return per step is exactly the record's
// mean (Politis and Romano's circular block bootstrap, 1992).
//
// Block lengths are either fixed (NewBlockBootstrap) or geometric with a
// given mean (NewStationaryBootstrap: Politis and Romano's stationary
// bootstrap, 1994, whose paths are stationary). Each path starts a new block
// at its first step.
type Bootstrap struct {
	growth []float64 // e^(r) for each recorded instant, row after row
	n, dim int
	s0, s  []float64
	fixed  int     // fixed block length, or 0 for the stationary bootstrap
	pNew   float64 // stationary: chance a step starts a new block, 1/L
	left   int     // fixed: steps left in the current block
	fresh  bool    // the path has not taken a step yet
	pos    int     // recorded instant of the last step
	rng    *rand.Rand
}

// NewBlockBootstrap returns a circular block bootstrap with blocks of
// blockLen consecutive returns, 1 ≤ blockLen ≤ the record length.
// returns[j] holds the recorded log-returns of asset j (all the same
// length, as from history.LogReturns), s0[j] its start price.
func NewBlockBootstrap(returns [][]float64, s0 []float64, blockLen int) (*Bootstrap, error) {
	b, err := newBootstrap("block bootstrap", returns, s0)
	if err != nil {
		return nil, err
	}
	if blockLen < 1 || blockLen > b.n {
		return nil, fmt.Errorf("process: block bootstrap: block length %d, want 1 to %d (the number of returns)", blockLen, b.n)
	}
	b.fixed = blockLen
	return b, nil
}

// NewStationaryBootstrap returns a stationary bootstrap whose block lengths
// are geometric with mean meanBlockLen: each step after the first starts a
// new block, at a uniformly drawn recorded instant, with probability
// 1/meanBlockLen, and otherwise takes the next recorded return. The mean
// must lie between 1 (independent draws) and the record length. returns and
// s0 are as for NewBlockBootstrap.
func NewStationaryBootstrap(returns [][]float64, s0 []float64, meanBlockLen float64) (*Bootstrap, error) {
	b, err := newBootstrap("stationary bootstrap", returns, s0)
	if err != nil {
		return nil, err
	}
	if !(meanBlockLen >= 1 && meanBlockLen <= float64(b.n)) {
		return nil, fmt.Errorf("process: stationary bootstrap: mean block length %v, want 1 to %d (the number of returns)", meanBlockLen, b.n)
	}
	b.pNew = 1 / meanBlockLen
	return b, nil
}

func newBootstrap(proc string, returns [][]float64, s0 []float64) (*Bootstrap, error) {
	dim := len(returns)
	if dim == 0 {
		return nil, fmt.Errorf("process: %s: no return series", proc)
	}
	if len(s0) != dim {
		return nil, fmt.Errorf("process: %s: %d start prices for %d return series", proc, len(s0), dim)
	}
	n := len(returns[0])
	if n == 0 {
		return nil, fmt.Errorf("process: %s: return series are empty", proc)
	}
	b := &Bootstrap{
		growth: make([]float64, n*dim), n: n, dim: dim,
		s0: append([]float64(nil), s0...), s: append([]float64(nil), s0...),
	}
	for j, r := range returns {
		if len(r) != n {
			return nil, fmt.Errorf("process: %s: return series %d has %d returns, series 0 has %d", proc, j, len(r), n)
		}
		if err := checkPrice(proc, fmt.Sprintf("s0[%d]", j), s0[j]); err != nil {
			return nil, err
		}
		for i, x := range r {
			g := math.Exp(x)
			if math.IsNaN(x) || g == 0 || math.IsInf(g, 0) {
				return nil, fmt.Errorf("process: %s: return series %d index %d is %v, want a finite log-return", proc, j, i, x)
			}
			b.growth[i*dim+j] = g
		}
	}
	return b, nil
}

// Dim returns the number of assets.
func (b *Bootstrap) Dim() int { return b.dim }

// Reset starts a new path at the start prices, drawing blocks from rng.
func (b *Bootstrap) Reset(rng *rand.Rand, out []float64) {
	b.rng = rng
	copy(b.s, b.s0)
	b.left = 0
	b.fresh = true
	b.pos = 0
	copy(out, b.s)
}

// Step applies the next return of the current block, or of a new block,
// and writes the prices to out.
func (b *Bootstrap) Step(out []float64) {
	if b.rng != nil {
		var newBlock bool
		if b.fixed > 0 {
			if b.left == 0 {
				newBlock, b.left = true, b.fixed
			}
			b.left--
		} else {
			newBlock = b.fresh || b.rng.Float64() < b.pNew
		}
		b.fresh = false
		if newBlock {
			b.pos = b.rng.IntN(b.n)
		} else if b.pos++; b.pos == b.n {
			b.pos = 0
		}
		g := b.growth[b.pos*b.dim : (b.pos+1)*b.dim]
		for j, f := range g {
			b.s[j] *= f
		}
	}
	copy(out, b.s)
}
