package agent

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// ScheduledSeller is directional flow: a fund unwinding, a treasury sale,
// forced selling. From step Start it sells Total whole tokens of Asset for
// the venue's token Get, Total/Steps each step for Steps steps (what a
// step could not sell is carried to the next). With a Floor it sells only
// while the pool pays, net of its fee, at least Floor times the asset's
// external value in Get, and only as much as keeps it there: a seller
// that will not dump below a price.
type ScheduledSeller struct {
	Venue int
	// Asset and Get are pool token indices of the token sold and the token
	// received.
	Asset, Get int
	// Total is the amount to sell, whole tokens; Start the first step and
	// Steps the number of steps to spread it over (at least 1).
	Total        float64
	Start, Steps int
	// Floor is the lowest pool price, as a fraction of the external price,
	// it sells down to; 0 sells at any price.
	Floor float64

	owed, sold, proceeds, value float64
	holdings                    []uint256.Int
}

// Reset implements Agent.
func (s *ScheduledSeller) Reset(*market.Market, *rand.Rand) {
	s.owed, s.sold, s.proceeds, s.value = 0, 0, 0, 0
}

// Metrics implements Agent.
func (s *ScheduledSeller) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "sold", Unit: "tokens", Doc: "whole tokens sold", Worse: metric.Neutral},
		{Name: "unsold", Unit: "tokens", Doc: "tokens due but not sold (the floor held them back)", Worse: metric.Neutral},
		{Name: "shortfall", Unit: "numeraire", Doc: "external value of what was sold less the numeraire value received, at each sale's prices", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (s *ScheduledSeller) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2] = s.sold, s.owed, s.value-s.proceeds
}

// Act implements Agent.
func (s *ScheduledSeller) Act(m *market.Market) {
	steps := max(s.Steps, 1)
	if m.Step >= s.Start && m.Step < s.Start+steps {
		s.owed += s.Total / float64(steps)
	}
	if s.owed <= 0 {
		return
	}
	v := m.Venues[s.Venue]
	unit := m.Unit[v.Assets[s.Asset]]
	pa, pg := m.RawPrice(v.Assets[s.Asset]), m.RawPrice(v.Assets[s.Get])
	amt := cfmm.Amount(s.owed / unit)
	if s.Floor > 0 {
		if !(pa > 0 && pg > 0) || v.Pool.SpotPrice(s.Asset, s.Get)*(1-v.Pool.FeeRate())*pg <= s.Floor*pa {
			return
		}
		// The largest sale that keeps the marginal price at the floor is
		// the one maximising Out·p_Get − a·Floor·p_Asset.
		if len(s.holdings) != v.Pool.NumTokens() {
			s.holdings = make([]uint256.Int, v.Pool.NumTokens())
		}
		best := numericOptimum(v.Pool, s.Asset, s.Get, s.Floor*pa, pg, s.holdings)
		if best.Lt(&amt) {
			amt = best
		}
	}
	if amt.IsZero() {
		return
	}
	t, err := v.Swap(m, s.Asset, s.Get, &amt)
	if err != nil {
		return
	}
	in := cfmm.Float(&t.In) * unit
	s.owed = max(0, s.owed-in)
	s.sold += in
	s.value += cfmm.Float(&t.In) * pa
	s.proceeds += cfmm.Float(&t.Out) * pg
}
