package agent

import (
	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/metric"
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
	volume  float64
	trades  int
	failed  int
	// amount is the trade size handed to the pool, kept here so that a
	// pool's pointer argument does not allocate a trade.
	amount uint256.Int
}

// Reset implements Agent.
func (t *NoiseTrader) Reset(m *market.Market, rng *rand.Rand) {
	t.rng = rng
	t.arrival = distuv.Poisson{Lambda: t.Rate, Src: rng}
	t.volume, t.trades, t.failed = 0, 0, 0
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

// Act implements Agent.
func (t *NoiseTrader) Act(m *market.Market) {
	if t.Rate <= 0 {
		return
	}
	v := m.Venues[t.Venue]
	n := v.Pool.NumTokens()
	for k := int(t.arrival.Rand()); k > 0; k-- {
		i := t.rng.IntN(n)
		j := (i + 1 + t.rng.IntN(n-1)) % n
		size := t.Median * math.Exp(t.Dispersion*t.rng.NormFloat64())
		t.amount = cfmm.Amount(size / m.RawPrice(v.Assets[i]))
		if t.amount.IsZero() {
			continue
		}
		if _, err := v.Swap(m, i, j, &t.amount); err != nil {
			t.failed++
			continue
		}
		t.volume += size
		t.trades++
	}
}
