package agent

import (
	"github.com/cascade-risk/cascade/market"
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/option"
)

// Treasury holds an exposure to one asset — a quantity of it, or the
// liquidity position of a pool — and may hedge it with a collar: a long put
// and a short call on U units, priced by Black–Scholes at an implied
// volatility, bought at the start of each period (the whole horizon, or
// every Roll steps) and settled at the period's end. Strikes are fractions
// of the spot when each collar opens; with ZeroCost the call strike is the
// one whose premium equals the put's. U is the quantity held, or for a pool
// position the LPs' holdings of the asset when the collar opens.
//
// Per period of τ years opened at spot S₀ and closed at S₁, with the
// holding worth V₀ and V₁ and premium P paid (negative if received)
// financed at the rate r:
//
//	pnl = (V₁ − V₀) + U·(max(Kp − S₁, 0) − max(S₁ − Kc, 0)) − P·e^(rτ)
//
// For a plain holding V = U·S and the P&L lies in [U·(Kp − S₀) − P·e^(rτ),
// U·(Kc − S₀) − P·e^(rτ)]; a pool position is not linear in S, so it has no
// such bounds (reported as NaN). Realized period P&L is added up without
// interest between periods; within a period the open collar is marked to
// model. Without a hedge, pnl = V_t − V_0.
type Treasury struct {
	Asset    int
	Quantity float64 // whole tokens, for a plain holding
	// Venue, when ≥ 0, makes the holding the LP position of that venue.
	Venue int
	Hedge bool
	// PutMoneyness and CallMoneyness are strikes as fractions of the spot
	// at each opening; CallMoneyness is ignored with ZeroCost.
	PutMoneyness, CallMoneyness float64
	ZeroCost                    bool
	Vol, Rate                   float64 // per year, continuously compounded
	// StepYears is the length of one step; Roll the steps per period (0 for
	// a single period over the horizon); Steps the horizon in steps.
	StepYears   float64
	Roll, Steps int

	v0, open float64 // holding value at the start of the run and of the period
	opened   int     // step the current collar opened at
	units    float64 // U of the current collar
	pos      option.Position
	premium  float64 // of the current collar
	realized float64 // P&L of closed periods
	paid     float64 // premiums paid, summed
	lo, hi   float64 // bounds of the realized P&L plus the open period's
	failed   bool
}

// Reset implements Agent.
func (t *Treasury) Reset(m *market.Market, _ *rand.Rand) {
	t.v0 = t.value(m)
	t.realized, t.paid, t.lo, t.hi, t.failed = 0, 0, 0, 0, false
	t.openCollar(m, 0)
}

// value returns the holding's value in the numeraire.
func (t *Treasury) value(m *market.Market) float64 {
	if t.Venue >= 0 {
		return m.Venues[t.Venue].Value(m, m.Prices)
	}
	return t.Quantity * m.Prices[t.Asset]
}

// exposure returns the units of the asset the holding contains.
func (t *Treasury) exposure(m *market.Market) float64 {
	if t.Venue < 0 {
		return t.Quantity
	}
	v := m.Venues[t.Venue]
	h := v.Holdings()
	for k, a := range v.Assets {
		if a == t.Asset {
			return h[k].Float64() * m.Unit[a]
		}
	}
	return 0
}

func (t *Treasury) period() int {
	if t.Roll > 0 {
		return t.Roll
	}
	return t.Steps
}

// openCollar buys the collar for the period starting at step.
func (t *Treasury) openCollar(m *market.Market, step int) {
	spot := m.Prices[t.Asset]
	t.open, t.opened = t.value(m), step
	if !t.Hedge {
		return
	}
	t.units = t.exposure(m)
	steps := min(t.period(), t.Steps-step)
	tau := float64(steps) * t.StepYears
	kp := t.PutMoneyness * spot
	kc := t.CallMoneyness * spot
	if t.ZeroCost {
		var err error
		if kc, err = option.ZeroCostCall(spot, kp, t.Rate, 0, t.Vol, tau); err != nil {
			t.failed = true
			return
		}
	}
	t.pos = option.Collar(t.units, kp, kc, tau)
	p, err := t.pos.Premium(spot, t.Rate, 0, t.Vol, 0)
	if err != nil {
		t.failed = true
		return
	}
	t.premium = p
	t.paid += p
	if t.Venue >= 0 {
		t.lo, t.hi = math.NaN(), math.NaN()
		return
	}
	lo, hi, err := t.pos.Bounds(spot, p, t.Rate)
	if err != nil {
		t.failed = true
		return
	}
	t.lo, t.hi = t.lo+lo, t.hi+hi
}

// Act implements Agent: at the end of each period the collar settles and
// the next one opens.
func (t *Treasury) Act(m *market.Market) {
	if !t.Hedge || t.failed || m.Step == t.Steps || (m.Step-t.opened)%t.period() != 0 {
		return
	}
	t.settle(m)
	t.openCollar(m, m.Step)
}

func (t *Treasury) settle(m *market.Market) {
	pnl, err := t.periodPnL(m)
	if err != nil {
		t.failed = true
		return
	}
	t.realized += pnl
}

// periodPnL is the P&L of the current period at its expiry. For a plain
// holding it is the option package's HedgedPnL, whose rounding keeps it
// within the bounds exactly.
func (t *Treasury) periodPnL(m *market.Market) (float64, error) {
	spot := m.Prices[t.Asset]
	if t.Venue < 0 {
		return t.pos.HedgedPnL(t.open/t.Quantity, spot, t.premium, t.Rate)
	}
	payoff, err := t.pos.Payoff(spot)
	tau, _ := t.pos.Expiry()
	return t.value(m) - t.open + payoff - t.premium*math.Exp(t.Rate*tau), err
}

// Metrics implements Agent.
func (t *Treasury) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "pnl", Unit: "numeraire", Doc: "profit and loss of the holding and its hedge (marked to model while a collar is open)", Worse: metric.LowerIsWorse},
		{Name: "unhedged_pnl", Unit: "numeraire", Doc: "profit and loss of the holding alone", Worse: metric.LowerIsWorse},
		{Name: "premium", Unit: "numeraire", Doc: "option premiums paid (negative: received)", Worse: metric.HigherIsWorse},
		{Name: "pnl_floor", Unit: "numeraire", Doc: "least P&L the collars allow at the horizon (−Inf unhedged)", Worse: metric.LowerIsWorse, NonFinite: true},
		{Name: "pnl_cap", Unit: "numeraire", Doc: "greatest P&L the collars allow at the horizon (+Inf unhedged)", Worse: metric.LowerIsWorse, NonFinite: true},
	}
}

// Observe implements Agent.
func (t *Treasury) Observe(m *market.Market, dst []float64) {
	spot := m.Prices[t.Asset]
	v := t.value(m)
	dst[1] = v - t.v0
	dst[2] = t.paid
	if !t.Hedge || t.failed {
		dst[0], dst[3], dst[4] = dst[1], math.Inf(-1), math.Inf(1)
		if t.Venue >= 0 {
			dst[3], dst[4] = math.NaN(), math.NaN()
		}
		if t.failed {
			dst[0] = math.NaN()
		}
		return
	}
	dst[3], dst[4] = t.lo, t.hi
	if m.Step == t.Steps {
		pnl, err := t.periodPnL(m)
		if err != nil {
			pnl = math.NaN()
		}
		dst[0] = t.realized + pnl
		return
	}
	elapsed := float64(m.Step-t.opened) * t.StepYears
	mtm, err := t.pos.MarkToMarket(spot, t.Rate, 0, t.Vol, elapsed)
	if err != nil {
		dst[0] = math.NaN()
		return
	}
	// As at expiry: the holding's value change, the legs' model value
	// (MarkToMarket less the U·spot it includes), and the premium financed
	// at r so far.
	dst[0] = t.realized + v - t.open + mtm - t.units*spot - t.premium*math.Exp(t.Rate*elapsed)
}
