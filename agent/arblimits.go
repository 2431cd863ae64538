package agent

import (
	"math"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// ArbLimits gives an Arbitrageur a balance sheet and an external market of
// finite depth. The zero value is the idealised arbitrageur: unlimited
// capital against an infinitely deep external price.
//
// Capital: the arbitrageur buys the token a pool overprices on the external
// market, sells it into the pool and sells the proceeds externally. Each
// trade ties up its input's value until the external legs settle, which
// takes 1/Turnover days; the capital it can deploy in one step is
//
//	budget = Capital · min(1, Turnover · Δt[days])     (Turnover > 0)
//	budget = Capital                                   (Turnover = 0)
//
// and each trade is charged the cost of capital for the settlement time,
// input value · CostOfCapital[/yr] · hold[yr], hold = 1/(365·Turnover), or
// one step when Turnover is zero.
//
// Depth: the external market absorbs Depth numeraire per DepthSeconds with
// a 1% price move, and recovers between steps, so one step of length Δt
// has depth D = Depth · Δt/DepthSeconds. Trading value q there moves the
// price linearly by q/D percent; the average execution price is off by
// half that:
//
//	impact(q) = q · 0.005 · q/D     [numeraire]
//
// paid on both external legs. A depth that scales with the step keeps the
// arbitrage profit of a path finite as the step shrinks: the
// quadratic cost of closing a gap in one step grows as the step falls.
//
// With any limit set, every pool is arbitraged by maximising the exact
// quoted profit net of impact and cost of capital (Brent on ln a; the
// objective stays concave), capped by the step's remaining budget.
type ArbLimits struct {
	// Capital is the numeraire the arbitrageur can deploy; 0 is unlimited.
	Capital float64
	// Turnover is how many times a day capital can be recycled; 0 makes
	// the whole Capital available every step.
	Turnover float64
	// CostOfCapital is an annual rate on capital tied up.
	CostOfCapital float64
	// Depth is the external market's depth, numeraire per 1% move per
	// DepthSeconds; 0 is infinitely deep.
	Depth float64
	// DepthSeconds is the depth's period (one hour when zero).
	DepthSeconds float64
}

func (l *ArbLimits) active() bool { return l.Capital > 0 || l.Depth > 0 || l.CostOfCapital > 0 }

func (l *ArbLimits) metrics() []metric.Def {
	return []metric.Def{
		{Name: "impact_cost", Unit: "numeraire", Doc: "price impact paid on the external market", Worse: metric.Neutral},
		{Name: "capital_cost", Unit: "numeraire", Doc: "cost of capital charged on trades", Worse: metric.Neutral},
		{Name: "capital_used", Unit: "numeraire", Doc: "capital deployed, summed over trades (input value)", Worse: metric.Neutral},
	}
}

// budget returns the capital available in one step of m.
func (l *ArbLimits) budget(m *market.Market) float64 {
	if l.Capital <= 0 {
		return math.Inf(1)
	}
	if l.Turnover <= 0 {
		return l.Capital
	}
	return l.Capital * min(1, l.Turnover*m.StepSeconds/86400)
}

// depth returns the external depth of one step, numeraire per 1%.
func (l *ArbLimits) depth(m *market.Market) float64 {
	if l.Depth <= 0 {
		return math.Inf(1)
	}
	per := l.DepthSeconds
	if per <= 0 {
		per = 3600
	}
	return l.Depth * m.StepSeconds / per
}

// carryRate returns the cost of capital per numeraire deployed.
func (l *ArbLimits) carryRate(m *market.Market) float64 {
	if l.CostOfCapital <= 0 {
		return 0
	}
	hold := m.StepSeconds / (365 * 86400)
	if l.Turnover > 0 {
		hold = 1 / (365 * l.Turnover)
	}
	return l.CostOfCapital * hold
}

// impactCost is the external impact of trading value q at depth d.
func impactCost(q, d float64) float64 { return q * 0.005 * q / d }

// actLimited arbitrages every venue under the limits.
func (a *Arbitrageur) actLimited(m *market.Market) {
	a.left = a.Limits.budget(m)
	d, carry := a.Limits.depth(m), a.Limits.carryRate(m)
	for _, vi := range a.Venues {
		if v := m.Venues[vi]; a.Unpriced != nil && v.Pool.NumTokens() == 2 && (a.Unpriced[v.Assets[0]] || a.Unpriced[v.Assets[1]]) {
			continue
		}
		for range max(1, a.MaxTradesPerStep) {
			if a.left <= 0 || !a.tradeLimited(m, m.Venues[vi], d, carry) {
				break
			}
		}
	}
}

// tradeLimited makes the single most profitable trade on v net of external
// impact at depth d and cost of capital carry per numeraire, within the
// step's remaining budget.
func (a *Arbitrageur) tradeLimited(m *market.Market, v *market.Venue, d, carry float64) bool {
	n := v.Pool.NumTokens()
	if len(a.holdings) != n {
		a.holdings = make([]uint256.Int, n)
	}
	var best cfmm.Trade
	bi, bj, bestNet := -1, -1, 0.0
	for i := range n {
		for j := range n {
			if i == j || a.unpriced(v, i, j) {
				continue
			}
			pi, pj := m.RawPrice(v.Assets[i]), m.RawPrice(v.Assets[j])
			if !(pi > 0 && pj > 0) || v.Pool.SpotPrice(i, j)*(1-v.Pool.FeeRate())*pj <= pi*(1+carry) {
				continue
			}
			net := func(amt *uint256.Int) (cfmm.Trade, float64, bool) {
				t, err := v.Pool.Quote(i, j, amt)
				if err != nil {
					return t, 0, false
				}
				in, out := cfmm.Float(&t.In)*pi, cfmm.Float(&t.Out)*pj
				return t, out - in - impactCost(in, d) - impactCost(out, d) - carry*in, true
			}
			v.Pool.LPHoldings(a.holdings)
			scale := cfmm.Float(&a.holdings[i])
			top := min(scale*10, a.left/pi)
			if scale < 1 || top < 1 {
				continue
			}
			loss := func(lnA float64) float64 {
				amt := cfmm.Amount(math.Exp(lnA))
				if amt.IsZero() {
					return 0
				}
				_, p, ok := net(&amt)
				if !ok {
					return math.Inf(1)
				}
				return -p
			}
			x, fx := brentMin(loss, math.Log(min(scale*1e-12, top/2)), math.Log(top), 1e-7)
			if fx >= 0 {
				continue
			}
			amt := cfmm.Amount(math.Exp(x))
			if t, p, ok := net(&amt); ok && p > bestNet {
				best, bi, bj, bestNet = t, i, j, p
			}
		}
	}
	if bi < 0 || bestNet <= a.Gas {
		return false
	}
	valueBefore := v.Value(m, m.PrevPrices)
	t, err := v.Pool.Swap(bi, bj, &best.In)
	if err != nil {
		return false
	}
	in, out := cfmm.Float(&t.In)*m.RawPrice(v.Assets[bi]), cfmm.Float(&t.Out)*m.RawPrice(v.Assets[bj])
	a.settle(v, v.FeeValue(m, &t), in, out, valueBefore)
	imp, c := impactCost(in, d)+impactCost(out, d), carry*in
	a.profit -= imp + c
	a.impact += imp
	a.carry += c
	a.used += in
	a.left -= in
	return true
}
