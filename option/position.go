package option

import (
	"fmt"
	"math"
)

// Leg is a quantity of one European option in a Position.
type Leg struct {
	// Kind is Call or Put.
	Kind Kind
	// Strike is the strike price, in units of the spot, ≥ 0.
	Strike float64
	// Expiry is the time of expiry in years from the position's inception,
	// ≥ 0.
	Expiry float64
	// Quantity is the number of options, each on one unit of the
	// underlying: positive when long (bought), negative when short (sold).
	Quantity float64
}

// Position is a holding of the underlying together with option legs. The
// methods validate the Position and return an error wrapping ErrInvalid for
// a non-finite quantity, an invalid Kind, or a negative or non-finite strike
// or expiry.
type Position struct {
	// Underlying is the quantity of the underlying held: positive when
	// long, negative when short.
	Underlying float64
	// Legs are the options.
	Legs []Leg
}

// Collar returns a collar on underlyingQty units of the underlying: the
// holding, a long put with strike putStrike and a short call with strike
// callStrike, both on underlyingQty units and expiring expiry years after
// inception. For a long holding (underlyingQty > 0) with putStrike ≤
// callStrike the value of the position at expiry is
// underlyingQty·min(max(S_T, putStrike), callStrike): the put floors the
// holding's value and the call, sold, caps it and pays for the put. For a
// short holding the legs are short the put and long the call, which hedges
// it the same way.
func Collar(underlyingQty, putStrike, callStrike, expiry float64) Position {
	return Position{
		Underlying: underlyingQty,
		Legs: []Leg{
			{Kind: Put, Strike: putStrike, Expiry: expiry, Quantity: underlyingQty},
			{Kind: Call, Strike: callStrike, Expiry: expiry, Quantity: -underlyingQty},
		},
	}
}

// Validate reports whether every field of p is in its domain.
func (p Position) Validate() error {
	if err := checkFinite("underlying quantity", p.Underlying); err != nil {
		return err
	}
	for i, l := range p.Legs {
		if err := checkKind(l.Kind); err != nil {
			return fmt.Errorf("leg %d: %w", i, err)
		}
		if err := checkNonNeg("strike", l.Strike); err != nil {
			return fmt.Errorf("leg %d: %w", i, err)
		}
		if err := checkNonNeg("expiry", l.Expiry); err != nil {
			return fmt.Errorf("leg %d: %w", i, err)
		}
		if err := checkFinite("quantity", l.Quantity); err != nil {
			return fmt.Errorf("leg %d: %w", i, err)
		}
	}
	return nil
}

// Expiry returns the common expiry of the legs, in years from inception. The
// error wraps ErrInvalid if p is invalid, has no legs, or has legs of
// different expiries, for which a single horizon does not exist.
func (p Position) Expiry() (float64, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	if len(p.Legs) == 0 {
		return 0, fmt.Errorf("%w: position has no legs, so no expiry", ErrInvalid)
	}
	t := p.Legs[0].Expiry
	for i, l := range p.Legs[1:] {
		if l.Expiry != t {
			return 0, fmt.Errorf("%w: leg %d expires at %v, leg 0 at %v; want one expiry", ErrInvalid, i+1, l.Expiry, t)
		}
	}
	return t, nil
}

// legs evaluates each leg's model at time t (years from inception) and
// passes it with the leg to f. The error wraps ErrExpired for a leg that
// expired before t.
func (p Position) legs(spot, r, q, vol, t float64, f func(Leg, model) error) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := checkNonNeg("valuation time", t); err != nil {
		return err
	}
	for i, l := range p.Legs {
		tau := l.Expiry - t
		if tau < 0 {
			return fmt.Errorf("%w: leg %d expires at %v, valued at %v", ErrExpired, i, l.Expiry, t)
		}
		m, err := newModel(spot, l.Strike, r, q, vol, tau)
		if err != nil {
			return err
		}
		if err := f(l, m); err != nil {
			return fmt.Errorf("leg %d: %w", i, err)
		}
	}
	return nil
}

// Premium returns the cash paid to buy the legs at time t (years from
// inception; 0 to open the position at inception), when the spot is spot:
//
//	premium = Σ qᵢ·Vᵢ(spot, Kᵢ, r, q, σ, Expiryᵢ − t)
//
// with Vᵢ the Black–Scholes–Merton price of leg i (see Price) and qᵢ its
// signed quantity. It is negative when the legs bring in cash, as a collar
// whose call is worth more than its put does. The underlying holding is not
// included. The error wraps ErrExpired if t is after a leg's expiry and
// ErrInvalid for invalid arguments.
func (p Position) Premium(spot, r, q, vol, t float64) (float64, error) {
	var sum float64
	err := p.legs(spot, r, q, vol, t, func(l Leg, m model) error {
		sum += l.Quantity * m.price(l.Kind)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return sum, nil
}

// MarkToMarket returns the value of the whole position at time t (years
// from inception) when the spot is spot: the holding at the spot plus the
// legs at their model prices,
//
//	U·spot + Σ qᵢ·Vᵢ(spot, Kᵢ, r, q, σ, Expiryᵢ − t).
//
// At a leg's expiry its price is its payoff. The errors are those of
// Premium.
func (p Position) MarkToMarket(spot, r, q, vol, t float64) (float64, error) {
	legs, err := p.Premium(spot, r, q, vol, t)
	if err != nil {
		return 0, err
	}
	return p.Underlying*spot + legs, nil
}

// Greeks returns the Greeks of the whole position at time t (years from
// inception): Σ qᵢ times the Greeks of leg i (see PriceGreeks), with the
// holding adding U to Delta. The errors are those of Premium and
// PriceGreeks.
func (p Position) Greeks(spot, r, q, vol, t float64) (Greeks, error) {
	g := Greeks{Delta: p.Underlying}
	err := p.legs(spot, r, q, vol, t, func(l Leg, m model) error {
		_, lg, err := PriceGreeks(l.Kind, spot, l.Strike, r, q, vol, l.Expiry-t)
		g = g.add(lg, l.Quantity)
		return err
	})
	if err != nil {
		return Greeks{}, err
	}
	return g, nil
}

// Payoff returns the cash the legs pay when they expire with the spot at
// spotAtExpiry: Σ qᵢ·max(±(spotAtExpiry − Kᵢ), 0), + for calls and − for
// puts. The holding is not included. Every leg is paid at the same spot,
// which is meaningful when the legs share one expiry. The error wraps
// ErrInvalid if p is invalid or spotAtExpiry is negative or not finite.
func (p Position) Payoff(spotAtExpiry float64) (float64, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	if err := checkNonNeg("spot at expiry", spotAtExpiry); err != nil {
		return 0, err
	}
	var sum float64
	for _, l := range p.Legs {
		sum += l.Quantity * l.Kind.Payoff(spotAtExpiry, l.Strike)
	}
	return sum, nil
}

// carry returns premium·e^(rT), the cash owed at the common expiry T for a
// premium paid at inception and financed at the continuously compounded
// rate r, after validating p and the arguments shared by HedgedPnL and
// Bounds.
func (p Position) carry(s0, premium, r float64) (float64, error) {
	T, err := p.Expiry()
	if err != nil {
		return 0, err
	}
	if err := checkNonNeg("initial spot", s0); err != nil {
		return 0, err
	}
	if err := checkFinite("premium", premium); err != nil {
		return 0, err
	}
	if err := checkFinite("rate", r); err != nil {
		return 0, err
	}
	c := premium * math.Exp(r*T)
	if math.IsNaN(c) || math.IsInf(c, 0) {
		return 0, fmt.Errorf("%w: premium %v carried at rate %v for %v years overflows", ErrInvalid, premium, r, T)
	}
	return c, nil
}

// HedgedPnL returns the profit and loss, in cash at the common expiry T of
// the legs, of holding the position from inception, when the spot was s0
// at inception and is sT at expiry, and the legs cost premium at inception
// (as returned by Premium at t = 0; negative if received), financed at the
// continuously compounded rate r:
//
//	PnL = U·(sT − s0) + Payoff(sT) − premium·e^(rT).
//
// The holding's P&L is its price change only: its own financing and any
// yield it earns are not included (add U·S_0·(e^(qT) − 1) for a yield q
// reinvested at zero rate, for example). The error wraps ErrInvalid if the
// legs do not share one expiry, an argument is invalid or the P&L
// overflows float64.
//
// U·(sT − s0) + Payoff(sT) is piecewise linear in sT with kinks at the
// strikes. It is evaluated segment by segment from sT = 0, each knot's value
// obtained from the previous one by the same floating-point operations that
// Bounds uses, and with no fused multiply-add: the rounded result is then
// monotone on each segment, so it lies within Bounds exactly, not merely to
// rounding. It equals the formula above to within a few units in the last
// place of the magnitudes involved.
func (p Position) HedgedPnL(s0, sT, premium, r float64) (float64, error) {
	c, err := p.carry(s0, premium, r)
	if err != nil {
		return 0, err
	}
	if err := checkNonNeg("spot at expiry", sT); err != nil {
		return 0, err
	}
	v, _, _, ok := p.profile(s0, sT, false)
	if pnl := v - c; ok && !math.IsInf(pnl, 0) {
		return pnl, nil
	}
	return 0, fmt.Errorf("%w: P&L overflows float64 (s0 %v, sT %v, premium %v)", ErrInvalid, s0, sT, premium)
}

// Bounds returns the least and greatest hedged profit and loss, as returned
// by HedgedPnL, over every spot at expiry in [0, ∞): −∞ or +∞ if unbounded.
// For a collar on U > 0 units with putStrike Kp ≤ callStrike Kc they are
//
//	lo = U·(Kp − s0) − premium·e^(rT),   hi = U·(Kc − s0) − premium·e^(rT),
//
// reached for S_T ≤ Kp and S_T ≥ Kc; a protective put (a long holding and
// a long put, no call) has the same lo and hi = +∞. They are the exact
// extremes of the rounded values HedgedPnL returns, and equal the formula to
// within rounding. The errors are those of HedgedPnL.
func (p Position) Bounds(s0, premium, r float64) (lo, hi float64, err error) {
	c, err := p.carry(s0, premium, r)
	if err != nil {
		return 0, 0, err
	}
	_, lo, hi, ok := p.profile(s0, math.Inf(1), true)
	// An infinite bound is legitimate where the position is unbounded;
	// a finite one must stay finite once the carry is taken off.
	loC, hiC := lo-c, hi-c
	if ok && math.IsInf(loC, 0) == math.IsInf(lo, 0) && math.IsInf(hiC, 0) == math.IsInf(hi, 0) {
		return loC, hiC, nil
	}
	return 0, 0, fmt.Errorf("%w: P&L bounds overflow float64 (s0 %v, premium %v)", ErrInvalid, s0, premium)
}

// linStep returns v + m·d rounded as two separate operations. The explicit
// conversion forbids the compiler from fusing them into one multiply-add,
// so that HedgedPnL and Bounds round identically on every architecture.
func linStep(v, m, d float64) float64 {
	return v + float64(m*d)
}

// profile evaluates the terminal value of the position relative to the
// initial holding, U·(S − s0) + Σ qᵢ·payoffᵢ(S), at S = sT, walking the
// segments between strikes upwards from S = 0. With bounds set it walks
// every segment instead and also returns the least and greatest value over
// S in [0, ∞). ok is false if a value on the way overflows float64. The
// number of legs is small, so the strikes are visited in order by repeated
// scanning rather than sorted into a new slice.
func (p Position) profile(s0, sT float64, bounds bool) (v, lo, hi float64, ok bool) {
	// At S = 0 calls pay nothing and puts pay their strikes.
	v = -p.Underlying * s0
	for _, l := range p.Legs {
		if l.Kind == Put {
			v += l.Quantity * l.Strike
		}
	}
	lo, hi = v, v
	k := 0.0
	for {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, 0, false
		}
		// next is the smallest strike above k; m is the slope on (k, next):
		// the holding, the calls struck at or below k and, negatively,
		// the puts struck above k.
		next, m := math.Inf(1), p.Underlying
		for _, l := range p.Legs {
			if l.Strike > k {
				next = min(next, l.Strike)
			}
			switch {
			case l.Kind == Call && l.Strike <= k:
				m += l.Quantity
			case l.Kind == Put && l.Strike > k:
				m -= l.Quantity
			}
		}
		if !bounds && sT < next {
			v = linStep(v, m, sT-k)
			return v, 0, 0, !math.IsNaN(v) && !math.IsInf(v, 0)
		}
		if math.IsInf(next, 1) {
			switch {
			case m > 0:
				hi = math.Inf(1)
			case m < 0:
				lo = math.Inf(-1)
			}
			return v, lo, hi, true
		}
		v = linStep(v, m, next-k)
		lo, hi = min(lo, v), max(hi, v)
		k = next
	}
}
