package agent

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
)

// TestFunction records a closed-form function of its parameters as a
// metric, so that analyses with known answers (the Ishigami function's
// Sobol indices, a boundary known in closed form) run through the same
// path as any scenario. At the start of each run it draws z, a standard
// normal from its own stream, and records F(z) as "value" for the whole
// run; deterministic functions ignore z.
type TestFunction struct {
	F func(z float64) float64
	// Doc describes the value; Worse says which tail is bad.
	Doc   string
	Worse metric.Direction

	v float64
}

// Reset implements market.Agent.
func (t *TestFunction) Reset(_ *market.Market, rng *rand.Rand) { t.v = t.F(rng.NormFloat64()) }

// Act implements market.Agent: a test function does not trade.
func (t *TestFunction) Act(*market.Market) {}

// Metrics implements market.Agent.
func (t *TestFunction) Metrics() []metric.Def {
	return []metric.Def{{Name: "value", Unit: "number", Doc: t.Doc, Worse: t.Worse}}
}

// Observe implements market.Agent.
func (t *TestFunction) Observe(_ *market.Market, dst []float64) { dst[0] = t.v }
