package protocol

import (
	"math"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/secmarket"
)

// Security is a provider chain selling shared security to consumer chains
// (secmarket.Market) in the simulation: each step is one epoch, advanced
// before agents act, so asks and arrivals of a step clear at the next.
// Amounts inside the market are provider tokens; metrics value them at
// the provider token's price.
type Security struct {
	Config secmarket.Config
	// Token is the asset index of the provider token.
	Token    int
	StepDays float64

	m *secmarket.Market
}

// Reset implements market.Protocol.
func (s *Security) Reset(*market.Market) { s.m, _ = secmarket.New(s.Config) }

// Market returns the state machine, for agents to act on.
func (s *Security) Market() *secmarket.Market { return s.m }

// TokenPrice returns the provider token's price this step.
func (s *Security) TokenPrice(m *market.Market) float64 { return m.Prices[s.Token] }

// Step implements market.Protocol: one epoch.
func (s *Security) Step(*market.Market) error {
	s.m.Advance()
	return nil
}

// Check implements market.Protocol.
func (s *Security) Check() error { return s.m.Check() }

// Metrics implements market.Protocol.
func (s *Security) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "live", Unit: "chains", Doc: "consumer chains running", Worse: metric.LowerIsWorse},
		{Name: "waiting", Unit: "chains", Doc: "consumer chains waiting for validators or for their vote", Worse: metric.HigherIsWorse},
		{Name: "launched", Unit: "chains", Doc: "consumer chains launched so far", Worse: metric.LowerIsWorse},
		{Name: "time_to_launch", Unit: "days", Doc: "mean days from arrival to launch over launched chains", Worse: metric.HigherIsWorse},
		{Name: "clearing_price", Unit: "numeraire", Doc: "mean uniform price per validator of live chains (provider stake bonded to each; 0 under governance)", Worse: metric.HigherIsWorse},
		{Name: "bonded_per_chain", Unit: "numeraire", Doc: "mean provider stake a live chain bonded (price × validators)", Worse: metric.HigherIsWorse},
		{Name: "validators_per_chain", Unit: "validators", Doc: "mean validators per live chain", Worse: metric.LowerIsWorse},
		{Name: "secured_per_chain", Unit: "numeraire", Doc: "mean provider stake of a live chain's validators", Worse: metric.LowerIsWorse},
		{Name: "attack_cost_min", Unit: "numeraire", Doc: "least cost of attacking a live chain: stake of the cheapest coalition with the threshold of its power", Worse: metric.LowerIsWorse},
		{Name: "attack_cost_mean", Unit: "numeraire", Doc: "mean over live chains of that cost", Worse: metric.LowerIsWorse},
		{Name: "vs_sovereign", Unit: "ratio", Doc: "mean over live chains of the attack cost over what attacking it would cost were it secured by its own token (threshold × own stake)", Worse: metric.LowerIsWorse},
		{Name: "overloaded", Unit: "validators", Doc: "validators running more chains than their resources allow", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Protocol.
func (s *Security) Observe(m *market.Market, dst []float64) {
	mk := s.m
	px := s.TokenPrice(m)
	live, waiting, own := 0, 0, 0
	var price, bond, vals, sec, ac, ratio float64
	minAC := math.Inf(1)
	for c := range mk.Chains() {
		switch {
		case mk.Waiting(c):
			waiting++
		case mk.Live(c):
			live++
			st := mk.State(c)
			price += st.Price
			bond += st.Bond
			vals += float64(st.Validators)
			sec += st.Secured
			ac += st.AttackCost
			minAC = min(minAC, st.AttackCost)
			if st.OwnCost > 0 {
				own++
				ratio += st.AttackCost / st.OwnCost
			}
		}
	}
	mean := func(x float64, n int) float64 {
		if n == 0 {
			return 0
		}
		return x / float64(n)
	}
	if live == 0 {
		minAC = 0
	}
	dst[0], dst[1], dst[2] = float64(live), float64(waiting), float64(mk.Launched)
	dst[3] = mean(float64(mk.Wait), mk.Launched) * s.StepDays
	dst[4], dst[5] = mean(price, live)*px, mean(bond, live)*px
	dst[6], dst[7] = mean(vals, live), mean(sec, live)*px
	dst[8], dst[9] = minAC*px, mean(ac, live)*px
	dst[10] = mean(ratio, own)
	dst[11] = float64(mk.Overloaded())
}
