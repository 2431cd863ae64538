package process

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/variate"
)

// normals draws standard normal variates straight from a PCG generator:
// the same numbers, from the same draws, as rand.New(pcg).NormFloat64, in
// about half the instructions (variate.Source.Normal).
type normals struct {
	pcg *rand.PCG
	rng *rand.Rand // rand.New(pcg)
}

// next returns the next standard normal variate.
func (n *normals) next() float64 {
	return variate.Source{PCG: n.pcg, Rand: n.rng}.Normal()
}

// zigOK reports whether package variate could read the ziggurats'
// tables; without them no GBM uses normals.
var zigOK = func() bool {
	var p rand.PCG
	_, ok := variate.New(rand.New(&p), &p)
	return ok
}()
