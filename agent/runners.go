package agent

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// Runners are Count holders of a pegged asset, Holdings whole tokens among
// them in equal shares, each with its own panic threshold drawn uniformly
// from [Lo, Hi]: a holder runs once the asset's market price, read on
// Venue (its marginal price against the venue's other token, valued at
// that token's external price), falls more than its threshold below Peg
// (numeraire per token) — or, with News, when the external price of asset
// Watch does (news about what backs the asset: its collateral questioned).
// Heterogeneous thresholds make a run: the first to
// leave push the price down, which crosses the next thresholds.
//
// A runner sells what it holds for asset Into along the best route among
// the scenario's pools (Routes, BestRoute): from the step it starts
// running, a 1/Steps share of its initial holding a step (all of it in one
// step by default), that step's share sold a 1/Rounds part in each of
// Rounds rounds with the price re-read in between, so later rounds see
// the earlier sales and other agents act between steps. Nothing here is specific
// to one protocol; an algorithmic stablecoin's redemption path is the
// stablecoin_holders agent.
type Runners struct {
	Venue  int // m.Venues index whose price the holders watch
	Asset  int // asset index of the pegged asset
	Into   int // asset index runners sell into
	Peg    float64
	Count  int
	Lo, Hi float64 // thresholds, fractions below the peg
	// Holdings is the holders' total, whole tokens.
	Holdings float64
	Rounds   int
	// Steps spreads a holder's exit over this many steps (0 or 1: one).
	Steps int
	// News makes the holders watch the external price of asset Watch
	// instead of the asset's own price on Venue.
	News  bool
	Watch int

	hold      []uint256.Int
	quota     []uint256.Int // what each holder has left to sell this step
	each      uint256.Int   // one holder's share a step
	threshold []float64
	running   []bool
	routes    []Route
	runners   int
	sold, got float64 // whole tokens sold; numeraire received
	failed    int
}

// Reset implements Agent.
func (r *Runners) Reset(m *market.Market, rng *rand.Rand) {
	r.hold, r.threshold, r.running, r.quota = r.hold[:0], r.threshold[:0], r.running[:0], r.quota[:0]
	each := cfmm.Amount(r.Holdings / float64(r.Count) / m.Unit[r.Asset])
	r.each.Div(&each, uint256.NewInt(uint64(max(r.Steps, 1))))
	if r.each.IsZero() {
		r.each = each
	}
	for range r.Count {
		r.hold = append(r.hold, each)
		r.quota = append(r.quota, uint256.Int{})
		r.threshold = append(r.threshold, r.Lo+(r.Hi-r.Lo)*rng.Float64())
		r.running = append(r.running, false)
	}
	r.routes = Routes(m, r.Asset, r.Into, 3)
	r.runners, r.sold, r.got, r.failed = 0, 0, 0, 0
}

// price returns the price the holders watch, numeraire per token: the
// asset's market price on Venue, or Watch's external price.
func (r *Runners) price(m *market.Market) float64 {
	if r.News {
		return m.Prices[r.Watch]
	}
	v := m.Venues[r.Venue]
	i := venueIndex(v, r.Asset)
	j := 1 - i
	if v.Pool.NumTokens() > 2 {
		j = 0
		if i == 0 {
			j = 1
		}
	}
	return v.Pool.SpotPrice(i, j) * m.RawPrice(v.Assets[j]) / m.Unit[r.Asset]
}

// Act implements Agent.
func (r *Runners) Act(m *market.Market) {
	rounds := max(r.Rounds, 1)
	for k := range r.hold {
		r.setQuota(k)
	}
	for round := range rounds {
		p := r.price(m)
		for k := range r.hold {
			if !r.running[k] && 1-p/r.Peg > r.threshold[k] {
				r.running[k] = true
				r.runners++
				r.setQuota(k)
			}
		}
		for k := range r.hold {
			if !r.running[k] || r.quota[k].IsZero() {
				continue
			}
			var amt uint256.Int
			amt.Div(&r.quota[k], uint256.NewInt(uint64(rounds-round)))
			if amt.IsZero() {
				amt = r.quota[k]
			}
			best, _, ok := BestRoute(m, r.routes, &amt)
			if !ok {
				r.failed++
				continue
			}
			out, failed, err := best.Swap(m, &amt)
			if err != nil && failed == 0 {
				r.failed++
				continue
			}
			r.hold[k].Sub(&r.hold[k], &amt)
			r.quota[k].Sub(&r.quota[k], &amt)
			r.sold += amt.Float64() * m.Unit[r.Asset]
			if err == nil {
				r.got += out.Float64() * m.RawPrice(r.Into)
			} else {
				h := best[failed]
				r.got += out.Float64() * m.RawPrice(m.Venues[h.Venue].Assets[h.In])
			}
		}
	}
}

// setQuota gives running holder k this step's share to sell: its
// per-step share, or what it has left if less.
func (r *Runners) setQuota(k int) {
	r.quota[k] = uint256.Int{}
	if r.running[k] {
		r.quota[k] = r.each
		if r.hold[k].Lt(&r.each) {
			r.quota[k] = r.hold[k]
		}
	}
}

// Metrics implements Agent.
func (r *Runners) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "runners", Unit: "count", Doc: "holders who ran", Worse: metric.HigherIsWorse},
		{Name: "sold", Unit: "tokens", Doc: "whole tokens sold by runners", Worse: metric.HigherIsWorse},
		{Name: "recovered", Unit: "numeraire", Doc: "what runners received, at the prices of each sale", Worse: metric.LowerIsWorse},
		{Name: "failed", Unit: "count", Doc: "sales no route could take", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (r *Runners) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2], dst[3] = float64(r.runners), r.sold, r.got, float64(r.failed)
}
