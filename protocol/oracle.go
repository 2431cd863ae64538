package protocol

import (
	"math"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/trace"
)

// Feed is a published price that protocols read instead of the market's
// external price: an oracle.
type Feed interface {
	// Price returns the published price of the feed's asset, in the
	// numeraire per whole token.
	Price() float64
}

// PriceSource is where an oracle observes a price: the external price of
// Asset, or, when Venue ≥ 0, the marginal price of Asset on that venue
// (before fees) valued at the external price of the token it is quoted in.
// A venue source is what makes an oracle endogenous: trades on the venue
// move it.
type PriceSource struct {
	Asset int
	// Venue is an index into Market.Venues, or −1 for the external price.
	Venue int
	// Quote is the venue's index of the token Asset is priced in; set by
	// Bind.
	Quote int
	base  int // the venue's index of Asset
}

// Bind resolves the venue token indices of a venue source. It reports
// false when the venue does not trade Asset or has no other token.
func (s *PriceSource) Bind(assets []int) bool {
	if s.Venue < 0 {
		return true
	}
	s.base, s.Quote = -1, -1
	for k, a := range assets {
		if a == s.Asset && s.base < 0 {
			s.base = k
		} else if s.Quote < 0 {
			s.Quote = k
		}
	}
	return s.base >= 0 && s.Quote >= 0
}

// Observe returns the source's current price, numeraire per whole token.
func (s *PriceSource) Observe(m *market.Market) float64 {
	if s.Venue < 0 {
		return m.Prices[s.Asset]
	}
	v := m.Venues[s.Venue]
	q := v.Assets[s.Quote]
	// Raw units of the quote token per raw unit of Asset, to whole tokens
	// and then to the numeraire.
	return v.Pool.SpotPrice(s.base, s.Quote) * m.Prices[q] * m.Unit[q] / m.Unit[s.Asset]
}

// lagged keeps the last Lag+Window observations of a source, so that an
// oracle can publish what it saw Lag steps ago.
type lagged struct {
	buf  []float64
	next int // slot of the next observation
}

func (l *lagged) reset(n int, v float64) {
	if cap(l.buf) < n {
		l.buf = make([]float64, n)
	}
	l.buf = l.buf[:n]
	for k := range l.buf {
		l.buf[k] = v
	}
	l.next = 0
}

func (l *lagged) push(v float64) {
	l.buf[l.next] = v
	if l.next++; l.next == len(l.buf) {
		l.next = 0
	}
}

// at returns the observation made ago steps before the latest (0: latest).
func (l *lagged) at(ago int) float64 {
	k := l.next - 1 - ago
	for k < 0 {
		k += len(l.buf)
	}
	return l.buf[k]
}

// ChainlinkOracle publishes a price the way a Chainlink aggregator does: a
// new round when the observed price deviates from the last published one
// by at least Deviation, or when Heartbeat steps have passed since the
// last round. Observations reach it Lag steps late (the time for node
// reports to aggregate and land on chain; Maker's OSM is a one-hour lag
// with a one-hour heartbeat and no deviation trigger).
//
// It observes at the start of each step, after exogenous prices move and
// before agents act, so trades on a venue source show up in the next
// step's observation. It is a Protocol so that the world steps it before
// the protocols that read it.
type ChainlinkOracle struct {
	Source PriceSource
	// Deviation is the relative change that triggers a round, |p/p₀ − 1| ≥
	// Deviation; zero disables the trigger.
	Deviation float64
	// Heartbeat is the most steps between rounds; zero disables it.
	Heartbeat int
	// Lag is the delay, in steps, between an observation and its use.
	Lag int
	// Deferred moves the observation from the step's start to a Sample
	// call inside the agents' turns.
	Deferred bool

	hist            lagged
	price, lastStep float64
	rounds          int
	err             errorTrack
	trace           *trace.Recorder // nil unless the run is traced
	name            string
}

// SetTrace implements trace.Emitter: a traced oracle reports every round,
// named by its trigger.
func (o *ChainlinkOracle) SetTrace(r *trace.Recorder, name string) { o.trace, o.name = r, name }

// Reset implements Protocol: the first round publishes the price at step 0.
func (o *ChainlinkOracle) Reset(m *market.Market) {
	p := o.Source.Observe(m)
	o.hist.reset(o.Lag+1, p)
	o.price, o.lastStep, o.rounds = p, 0, 0
	o.err = errorTrack{}
}

// Step implements Protocol: the oracle observes now, at the step's start,
// unless it is Deferred.
func (o *ChainlinkOracle) Step(m *market.Market) error {
	if !o.Deferred {
		o.Sample(m)
	}
	return nil
}

// Sample implements Sampler: one observation, and a round if it is due.
func (o *ChainlinkOracle) Sample(m *market.Market) {
	o.hist.push(o.Source.Observe(m))
	seen := o.hist.at(o.Lag)
	step := float64(m.Step)
	deviated := o.Deviation > 0 && math.Abs(seen/o.price-1) >= o.Deviation
	if deviated || o.Heartbeat > 0 && step-o.lastStep >= float64(o.Heartbeat) {
		if o.trace != nil {
			why := "heartbeat"
			if deviated {
				why = "deviation"
			}
			o.trace.Emit(o.name, trace.KindRound, why, o.price, seen, float64(o.rounds+1))
		}
		o.price, o.lastStep = seen, step
		o.rounds++
	}
	o.err.add(o.price, m.Prices[o.Source.Asset])
}

// Sampler is an oracle whose observation the world can defer from the
// start of the step to a point inside the agents' turns (after a named
// agent acts): Step then does nothing and the world calls Sample once a
// step.
type Sampler interface {
	Sample(m *market.Market)
}

// errorTrack accumulates how far a published price is from the external
// price.
type errorTrack struct{ max, sum, n float64 }

func (t *errorTrack) add(published, external float64) {
	e := math.Abs(published/external - 1)
	t.max = max(t.max, e)
	t.sum += e
	t.n++
}

func (t *errorTrack) mean() float64 { return t.sum / max(t.n, 1) }

// Price implements Feed.
func (o *ChainlinkOracle) Price() float64 { return o.price }

// Check implements Protocol; an oracle holds no balances.
func (o *ChainlinkOracle) Check() error { return nil }

// Metrics implements Protocol.
func (o *ChainlinkOracle) Metrics() []metric.Def {
	return oracleMetrics("rounds published (deviation or heartbeat)")
}

func oracleMetrics(updates string) []metric.Def {
	return []metric.Def{
		{Name: "price", Unit: "numeraire", Doc: "published price", Worse: metric.LowerIsWorse},
		{Name: "updates", Unit: "count", Doc: updates, Worse: metric.HigherIsWorse},
		{Name: "error", Unit: "fraction", Doc: "mean |published/external − 1| over the steps", Worse: metric.HigherIsWorse},
		{Name: "max_error", Unit: "fraction", Doc: "largest |published/external − 1|", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Protocol.
func (o *ChainlinkOracle) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2], dst[3] = o.price, float64(o.rounds), o.err.mean(), o.err.max
}

// TWAPOracle publishes the time-weighted average of a venue's price over
// the last Window steps, Lag steps late, as a Uniswap v2 oracle built on
// the pair's cumulative price does (an arithmetic mean of the prices that
// held during each step; a price pushed for one step moves it by 1/Window
// of the push). Each step's observation is the price at the step's start.
type TWAPOracle struct {
	Source PriceSource
	// Window is the number of steps averaged, at least 1.
	Window int
	// Lag is the delay, in steps.
	Lag int
	// Deferred moves the observation from the step's start to a Sample
	// call inside the agents' turns.
	Deferred bool

	hist           lagged
	price, lastPub float64
	moves          int
	err            errorTrack
}

// Reset implements Protocol.
func (o *TWAPOracle) Reset(m *market.Market) {
	p := o.Source.Observe(m)
	o.hist.reset(o.Lag+max(o.Window, 1), p)
	o.price, o.lastPub, o.moves = p, p, 0
	o.err = errorTrack{}
}

// Step implements Protocol: the oracle observes now, at the step's start,
// unless it is Deferred.
func (o *TWAPOracle) Step(m *market.Market) error {
	if !o.Deferred {
		o.Sample(m)
	}
	return nil
}

// Sample implements Sampler.
func (o *TWAPOracle) Sample(m *market.Market) {
	o.hist.push(o.Source.Observe(m))
	w := max(o.Window, 1)
	var sum float64
	for k := range w {
		sum += o.hist.at(o.Lag + k)
	}
	o.price = sum / float64(w)
	if o.price != o.lastPub {
		o.moves++
		o.lastPub = o.price
	}
	o.err.add(o.price, m.Prices[o.Source.Asset])
}

// Price implements Feed.
func (o *TWAPOracle) Price() float64 { return o.price }

// Check implements Protocol.
func (o *TWAPOracle) Check() error { return nil }

// Metrics implements Protocol.
func (o *TWAPOracle) Metrics() []metric.Def {
	return oracleMetrics("steps in which the average changed")
}

// Observe implements Protocol.
func (o *TWAPOracle) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1] = o.price, float64(o.moves)
	dst[2], dst[3] = o.err.mean(), o.err.max
}

// FeedPrice returns the price of asset a read through the protocol at
// index feed (a Feed), or the external price when feed < 0.
func FeedPrice(m *market.Market, feed, a int) float64 {
	if feed < 0 {
		return m.Prices[a]
	}
	return m.Protocols[feed].(Feed).Price()
}
