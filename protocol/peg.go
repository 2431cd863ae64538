package protocol

import (
	"math"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
)

// PegTracker follows a stablecoin's market price against its peg of one
// numeraire unit: where it trades at the end of each step, its worst
// deviation, and how long it spent more than Band away.
type PegTracker struct {
	// Source is where the stablecoin's price is observed: its external
	// price (a process, a replay), or its price on a venue.
	Source PriceSource
	// Band is the tolerated deviation, |p − 1| ≤ Band.
	Band float64

	price, maxDev float64
	below, off    int
}

func (t *PegTracker) reset(m *market.Market) {
	t.price = t.Source.Observe(m)
	t.maxDev, t.below, t.off = math.Abs(t.price-1), 0, 0
}

// observe records the price at the start of a step (the price the
// previous step left).
func (t *PegTracker) observe(m *market.Market) {
	t.price = t.Source.Observe(m)
	d := t.price - 1
	t.maxDev = max(t.maxDev, math.Abs(d))
	if d < -t.Band {
		t.below++
	}
	if math.Abs(d) > t.Band {
		t.off++
	}
}

// Price returns the last observed price.
func (t *PegTracker) Price() float64 { return t.price }

func pegMetrics() []metric.Def {
	return []metric.Def{
		{Name: "peg", Unit: "numeraire", Doc: "stablecoin market price", Worse: metric.LowerIsWorse},
		{Name: "max_peg_deviation", Unit: "fraction", Doc: "largest |price − 1| over the run", Worse: metric.HigherIsWorse},
		{Name: "time_below_peg", Unit: "days", Doc: "time the price spent below 1 − band", Worse: metric.HigherIsWorse},
		{Name: "time_off_peg", Unit: "days", Doc: "time the price spent more than band from 1", Worse: metric.HigherIsWorse},
	}
}

func (t *PegTracker) write(m *market.Market, dst []float64) {
	day := m.StepSeconds / 86400
	dst[0], dst[1], dst[2], dst[3] = t.price, t.maxDev, float64(t.below)*day, float64(t.off)*day
}

// PegMonitor watches one pegged asset's market price, where no mechanism of
// its own does (a Maker system and a Terra market keep their own
// trackers): a stablecoin whose price is set by its pools and redemption
// paths. It observes at the start of every step, before agents act — the
// price the previous step left — so time below the peg counts whole
// steps.
type PegMonitor struct {
	PegTracker
}

// Reset implements market.Protocol.
func (p *PegMonitor) Reset(m *market.Market) { p.reset(m) }

// Step implements market.Protocol: it observes the price.
func (p *PegMonitor) Step(m *market.Market) error {
	p.observe(m)
	return nil
}

// Check implements market.Protocol; a monitor has no accounts.
func (p *PegMonitor) Check() error { return nil }

// Metrics implements market.Protocol.
func (p *PegMonitor) Metrics() []metric.Def { return pegMetrics() }

// Observe implements market.Protocol.
func (p *PegMonitor) Observe(m *market.Market, dst []float64) { p.write(m, dst) }
