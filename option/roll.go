package option

import (
	"fmt"
	"math"
)

// Roller rolls a collar along a path of spot prices: at the start of the
// path, and again each time the previous collar expires, it opens a new
// collar on the holding, with strikes set relative to the spot at that
// moment and the premium priced from a given implied volatility.
//
// Periods are counted in steps of the path, not in years, so that every
// collar opens and expires at an observed spot and no floating-point
// comparison of times decides where a period ends.
type Roller struct {
	// PutMoneyness sets the put strike at each roll: Kp = PutMoneyness·S,
	// S the spot at the roll (0.9 for a put 10% out of the money). ≥ 0.
	PutMoneyness float64
	// CallMoneyness sets the call strike at each roll: Kc = CallMoneyness·S
	// (1.1 for a call 10% out of the money). ≥ 0. Ignored if ZeroCost.
	CallMoneyness float64
	// ZeroCost, if set, chooses the call strike at each roll so that the
	// call's premium equals the put's (see ZeroCostCall). It needs Vol > 0
	// and a positive spot at every roll.
	ZeroCost bool
	// Every is the number of steps of the path in one period, ≥ 1. The last
	// period ends at the end of the path and may be shorter.
	Every int
	// Rate is the continuously compounded risk-free rate per year, used to
	// price the legs and to finance the premiums.
	Rate float64
	// Yield is the underlying's continuous yield per year, used to price
	// the legs.
	Yield float64
	// Vol is the implied volatility per year at which every collar is
	// priced, ≥ 0.
	Vol float64
}

// RollPeriod is the record of one collar of a roll.
type RollPeriod struct {
	// Start and End are the indices in the path of the roll and of the
	// collar's expiry.
	Start, End int
	// Tau is the collar's life, times[End] − times[Start], in years.
	Tau float64
	// PutStrike and CallStrike are the collar's strikes.
	PutStrike, CallStrike float64
	// Premium is the cash paid for the legs at Start (negative if
	// received), as Position.Premium returns it.
	Premium float64
	// Payoff is the cash the legs pay at End, as Position.Payoff returns it.
	Payoff float64
	// PnL is the hedged profit and loss of the period in cash at End,
	// qty·(S_End − S_Start) + Payoff − Premium·e^(r·Tau), as
	// Position.HedgedPnL returns it.
	PnL float64
	// Lo and Hi are the bounds of PnL over every spot at End, as
	// Position.Bounds returns them: Lo ≤ PnL ≤ Hi holds exactly.
	Lo, Hi float64
}

// RollResult is the outcome of a roll along one path.
type RollResult struct {
	// Periods has one record per collar, in order.
	Periods []RollPeriod
	// Unhedged is the profit and loss of the holding alone over the path,
	// qty·(S_n − S_0), with S_n the last spot.
	Unhedged float64
	// Hedged is the profit and loss of the hedged holding over the path in
	// cash at the last time t_n: the holding's price change plus the net
	// cash of each collar at its expiry, carried at the rate to t_n,
	//
	//	Hedged = qty·(S_n − S_0) + Σₖ (Payoffₖ − Premiumₖ·e^(r·Tauₖ))·e^(r·(t_n − t_Endₖ)).
	//
	// With a zero rate it is the sum of the periods' PnL, to rounding.
	Hedged float64
}

// Run rolls collars on qty units of the underlying (negative for a short
// holding) along the path whose spot at time times[i] (years, strictly
// increasing) is spots[i] (≥ 0). Periods start at indices 0, Every,
// 2·Every, … and each ends Every steps later or at the last index. The
// records of the periods are appended to buf[:0], which may be nil; passing
// the previous result's Periods reuses its storage across paths.
//
// Run is a pure function of its arguments. The error wraps ErrInvalid for
// invalid arguments and the errors of ZeroCostCall, with the index of the
// period, if a zero-cost strike does not exist.
func (ro Roller) Run(qty float64, times, spots []float64, buf []RollPeriod) (RollResult, error) {
	if err := ro.validate(qty, times, spots); err != nil {
		return RollResult{}, err
	}
	n := len(spots) - 1
	res := RollResult{Periods: buf[:0], Unhedged: qty * (spots[n] - spots[0])}
	var cash float64 // Σ option cash flows carried to t_n
	for start := 0; start < n; start += ro.Every {
		end := min(start+ro.Every, n)
		s := spots[start]
		tau := times[end] - times[start]
		kp, kc := ro.PutMoneyness*s, ro.CallMoneyness*s
		if ro.ZeroCost {
			var err error
			if kc, err = ZeroCostCall(s, kp, ro.Rate, ro.Yield, ro.Vol, tau); err != nil {
				return RollResult{}, fmt.Errorf("period starting at step %d: %w", start, err)
			}
		}
		// A local array keeps the legs off the heap.
		legs := [2]Leg{
			{Kind: Put, Strike: kp, Expiry: tau, Quantity: qty},
			{Kind: Call, Strike: kc, Expiry: tau, Quantity: -qty},
		}
		pos := Position{Underlying: qty, Legs: legs[:]}
		rp := RollPeriod{Start: start, End: end, Tau: tau, PutStrike: kp, CallStrike: kc}
		var err error
		if rp.Premium, err = pos.Premium(s, ro.Rate, ro.Yield, ro.Vol, 0); err != nil {
			return RollResult{}, fmt.Errorf("period starting at step %d: %w", start, err)
		}
		if rp.Payoff, err = pos.Payoff(spots[end]); err != nil {
			return RollResult{}, fmt.Errorf("period starting at step %d: %w", start, err)
		}
		if rp.PnL, err = pos.HedgedPnL(s, spots[end], rp.Premium, ro.Rate); err != nil {
			return RollResult{}, fmt.Errorf("period starting at step %d: %w", start, err)
		}
		if rp.Lo, rp.Hi, err = pos.Bounds(s, rp.Premium, ro.Rate); err != nil {
			return RollResult{}, fmt.Errorf("period starting at step %d: %w", start, err)
		}
		net := rp.Payoff - rp.Premium*math.Exp(ro.Rate*tau)
		cash += net * math.Exp(ro.Rate*(times[n]-times[end]))
		res.Periods = append(res.Periods, rp)
	}
	res.Hedged = res.Unhedged + cash
	return res, nil
}

// validate checks the Roller's fields and Run's arguments.
func (ro Roller) validate(qty float64, times, spots []float64) error {
	if ro.Every < 1 {
		return fmt.Errorf("%w: roll every %d steps, want ≥ 1", ErrInvalid, ro.Every)
	}
	for _, c := range [...]struct {
		name string
		v    float64
	}{{"put moneyness", ro.PutMoneyness}, {"call moneyness", ro.CallMoneyness}, {"volatility", ro.Vol}} {
		if err := checkNonNeg(c.name, c.v); err != nil {
			return err
		}
	}
	for _, c := range [...]struct {
		name string
		v    float64
	}{{"rate", ro.Rate}, {"yield", ro.Yield}, {"quantity", qty}} {
		if err := checkFinite(c.name, c.v); err != nil {
			return err
		}
	}
	if len(times) != len(spots) || len(spots) == 0 {
		return fmt.Errorf("%w: %d times and %d spots, want equal and ≥ 1", ErrInvalid, len(times), len(spots))
	}
	for i, s := range spots {
		if err := checkNonNeg("spot", s); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		if err := checkFinite("time", times[i]); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		if i > 0 && !(times[i] > times[i-1]) {
			return fmt.Errorf("%w: step %d: time %v not after %v", ErrInvalid, i, times[i], times[i-1])
		}
	}
	return nil
}
