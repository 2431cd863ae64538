package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/variate"
	"github.com/holiman/uint256"
	"gonum.org/v1/gonum/stat/distuv"
)

// NoiseTrader sends uninformed trades to one venue: arrivals form a Poisson
// process with Rate trades per step; each picks a direction uniformly among
// the ordered token pairs and a size whose numeraire value is lognormal,
// exp(ln(Median) + Dispersion·Z).
type NoiseTrader struct {
	Venue      int
	Rate       float64 // expected trades per step
	Median     float64 // median trade size, numeraire
	Dispersion float64 // standard deviation of ln(size)

	rng     *rand.Rand
	arrival distuv.Poisson
	// fast draws from rng's generator directly when ResetPCG gave it
	// (direct is true): the same numbers as rng.
	fast   variate.Source
	direct bool
	// own is true when Act steps the generator itself (drawOwn): pcg's
	// state is then kept in hi, lo, stepped in registers (variate.Next), and
	// written back to pcg at the end of every Act.
	own    bool
	pcg    *rand.PCG
	hi, lo uint64
	volume float64
	trades int
	failed int
	// amount is the trade size handed to the pool, kept here so that a
	// pool's pointer argument does not allocate a trade.
	amount uint256.Int
	// trade receives each swap's trade (Venue.SwapInto), for the same reason.
	trade cfmm.Trade
	// orders are the step's trades, drawn before any is sent.
	orders []noiseOrder
}

// Reset implements Agent.
func (t *NoiseTrader) Reset(m *market.Market, rng *rand.Rand) {
	t.rng = rng
	t.arrival = distuv.Poisson{Lambda: t.Rate, Src: rng}
	t.fast, t.direct = variate.Source{}, false
	t.own, t.pcg = false, nil
	t.volume, t.trades, t.failed = 0, 0, 0
}

// ResetPCG implements market.PCGResetter: Reset, the arrivals,
// directions and sizes then drawn from pcg directly.
func (t *NoiseTrader) ResetPCG(m *market.Market, rng *rand.Rand, pcg *rand.PCG) {
	t.Reset(m, rng)
	t.fast, t.direct = variate.New(rng, pcg)
	if t.direct && t.Rate < 10 && !is32bit {
		t.hi, t.lo, t.own = variate.State(pcg)
		t.pcg = pcg
	}
}

// arrivals returns the number of trades of a step: distuv.Poisson's draw.
// For a rate below 10 that is its direct method, the count of exponential
// inter-arrival times (rate 1) whose running sum stays below the rate,
// done here on the generator directly with the same draws.
func (t *NoiseTrader) arrivals() int {
	if !t.direct || !(t.Rate < 10) {
		return int(t.arrival.Rand())
	}
	n, s := 0, 0.0
	for {
		s += t.fast.Exp()
		if s >= t.Rate {
			return n
		}
		n++
	}
}

// normal returns rng.NormFloat64().
func (t *NoiseTrader) normal() float64 {
	if t.direct {
		return t.fast.Normal()
	}
	return t.rng.NormFloat64()
}

// direction returns a uniformly random ordered pair of distinct tokens
// among n: rng.IntN(n), then the output among the n−1 others.
func (t *NoiseTrader) direction(n int) (i, j int) {
	if t.direct {
		i = t.fast.IntN(n)
		return i, (i + 1 + t.fast.IntN(n-1)) % n
	}
	i = t.rng.IntN(n)
	return i, (i + 1 + t.rng.IntN(n-1)) % n
}

// Metrics implements Agent.
func (t *NoiseTrader) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "volume", Unit: "numeraire", Doc: "noise volume sent", Worse: metric.LowerIsWorse},
		{Name: "trades", Unit: "count", Doc: "noise trades executed", Worse: metric.LowerIsWorse},
	}
}

// Observe implements Agent.
func (t *NoiseTrader) Observe(m *market.Market, dst []float64) {
	dst[0], dst[1] = t.volume, float64(t.trades)
}

// Act implements Agent. A step's trades are all drawn before any is sent:
// the draws do not depend on the pool, and their exponentials then
// overlap in the processor rather than each waiting on a swap.
func (t *NoiseTrader) Act(m *market.Market) {
	if t.Rate <= 0 {
		return
	}
	v := m.Venues[t.Venue]
	n := v.Pool.NumTokens()
	t.orders = t.orders[:0]
	if t.own {
		t.drawOwn(n)
	} else {
		for k := t.arrivals(); k > 0; k-- {
			i, j := t.direction(n)
			t.orders = append(t.orders, noiseOrder{i, j, t.Median * math.Exp(t.Dispersion*t.normal())})
		}
	}
	for _, o := range t.orders {
		// Word by word: a whole copy of Amount's result would read back
		// its fresh stores with loads the processor cannot forward.
		f := o.size / m.RawPrice(v.Assets[o.i])
		if lo, hi, ok := cfmm.Amount128(f); ok { // f >= 1: not zero
			t.amount[0], t.amount[1], t.amount[2], t.amount[3] = lo, hi, 0, 0
		} else if t.amount = cfmm.Amount(f); t.amount.IsZero() {
			continue
		}
		if err := v.SwapInto(m, o.i, o.j, &t.amount, &t.trade); err != nil {
			t.failed++
			continue
		}
		t.volume += o.size
		t.trades++
	}
}

// drawOwn draws a step's orders as arrivals, direction and normal do (the
// same draws, in the same order), with the generator's state in locals
// the compiler keeps in registers rather than in pcg's fields in memory at
// every draw: the Poisson count's exponentials and each order's normal
// from the ziggurats' common case (variate.ExpOf, NormalOf), each
// direction by Lemire's multiply-and-reject (variate.Source.IntN). A draw
// the ziggurat does not accept at once goes to rng from the state before
// it, and the state is read back after.
func (t *NoiseTrader) drawOwn(n int) {
	hi, lo := t.hi, t.lo
	var u uint64
	k, sum := 0, 0.0
	for {
		h, l := hi, lo
		hi, lo, u = variate.Next(hi, lo)
		x, ok := variate.ExpOf(u)
		if !ok {
			t.pcg.Seed(h, l)
			x = t.rng.ExpFloat64()
			hi, lo, _ = variate.State(t.pcg)
		}
		if sum += x; sum >= t.Rate {
			break
		}
		k++
	}
	for ; k > 0; k-- {
		var i, j int
		if n == 2 { // IntN(2) and IntN(1) are masks: the low bit, and 0
			hi, lo, u = variate.Next(hi, lo)
			i = int(u & 1)
			hi, lo, _ = variate.Next(hi, lo)
		} else {
			var u0, u1 uint64
			hi, lo, u0 = variate.Uint64n(hi, lo, uint64(n))
			hi, lo, u1 = variate.Uint64n(hi, lo, uint64(n-1))
			i, j = int(u0), int(u1)
		}
		j = (i + 1 + j) % n
		h, l := hi, lo
		hi, lo, u = variate.Next(hi, lo)
		z, ok := variate.NormalOf(u)
		if !ok {
			t.pcg.Seed(h, l)
			z = t.rng.NormFloat64()
			hi, lo, _ = variate.State(t.pcg)
		}
		t.orders = append(t.orders, noiseOrder{i, j, t.Median * math.Exp(t.Dispersion*z)})
	}
	t.hi, t.lo = hi, lo
	t.pcg.Seed(hi, lo)
}

// noiseOrder is one trade a noise trader sends: size in the numeraire of
// token i, for token j.
type noiseOrder struct {
	i, j int
	size float64
}
