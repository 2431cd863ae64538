package option

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Errors returned by the package. Returned errors wrap one of these, with
// the offending value in the message; test for them with errors.Is.
var (
	// ErrInvalid reports an argument outside its domain: a negative, NaN
	// or infinite spot, strike, volatility or time, an unknown Kind, or a
	// discount factor or total volatility σ√τ that overflows.
	ErrInvalid = errors.New("option: invalid argument")

	// ErrBounds reports an option price outside the no-arbitrage bounds,
	// so that no volatility reproduces it.
	ErrBounds = errors.New("option: price outside no-arbitrage bounds")

	// ErrNoSolution reports that no strike gives the requested premium.
	ErrNoSolution = errors.New("option: no solution")

	// ErrUndefined reports a Greek that does not exist: at the kink of the
	// payoff of an option with no time value (σ√τ = 0 with the discounted
	// spot equal to the discounted strike), gamma is a Dirac mass and
	// delta jumps. It also reports a Greek that overflows float64.
	ErrUndefined = errors.New("option: undefined")

	// ErrExpired reports a valuation time after a leg's expiry.
	ErrExpired = errors.New("option: valuation time after expiry")
)

// Kind is the kind of a European option: a Call or a Put. The zero Kind is
// invalid, so that a forgotten field is an error rather than a call.
type Kind uint8

// The kinds of option.
const (
	// Call pays max(S_T − K, 0) at expiry.
	Call Kind = iota + 1
	// Put pays max(K − S_T, 0) at expiry.
	Put
)

// String returns "call", "put" or "Kind(n)".
func (k Kind) String() string {
	switch k {
	case Call:
		return "call"
	case Put:
		return "put"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Payoff returns the value at expiry of one option of kind k with the given
// strike when the spot is s: max(s − strike, 0) for a call, max(strike − s,
// 0) for a put, and 0 for an invalid Kind.
func (k Kind) Payoff(s, strike float64) float64 {
	switch k {
	case Call:
		return max(s-strike, 0)
	case Put:
		return max(strike-s, 0)
	}
	return 0
}

// Greeks are the first-order sensitivities of an option's price V, and its
// second derivative in the spot, for one unit of the option.
type Greeks struct {
	// Delta is ∂V/∂S, per unit of spot:
	// e^(−qτ)·N(d1) for a call, −e^(−qτ)·N(−d1) for a put.
	Delta float64
	// Gamma is ∂²V/∂S², per unit of spot squared:
	// e^(−qτ)·φ(d1)/(S·σ√τ) for both kinds, φ the standard normal density.
	Gamma float64
	// Vega is ∂V/∂σ per 1.00 of volatility (divide by 100 for one
	// volatility point): S·e^(−qτ)·φ(d1)·√τ for both kinds.
	Vega float64
	// Theta is ∂V/∂t = −∂V/∂τ per year of calendar time with the spot held
	// fixed (divide by 365 for one day):
	// −S·e^(−qτ)·φ(d1)·σ/(2√τ) − r·K·e^(−rτ)·N(d2) + q·S·e^(−qτ)·N(d1)
	// for a call, and
	// −S·e^(−qτ)·φ(d1)·σ/(2√τ) + r·K·e^(−rτ)·N(−d2) − q·S·e^(−qτ)·N(−d1)
	// for a put.
	Theta float64
	// Rho is ∂V/∂r per 1.00 of rate (divide by 100 for one percentage
	// point): τ·K·e^(−rτ)·N(d2) for a call, −τ·K·e^(−rτ)·N(−d2) for a put.
	Rho float64
}

// add returns g + w·h, the Greeks of a combination of positions.
func (g Greeks) add(h Greeks, w float64) Greeks {
	return Greeks{
		Delta: g.Delta + w*h.Delta,
		Gamma: g.Gamma + w*h.Gamma,
		Vega:  g.Vega + w*h.Vega,
		Theta: g.Theta + w*h.Theta,
		Rho:   g.Rho + w*h.Rho,
	}
}

// normCDF is the standard normal distribution function N(z). Through erfc
// it keeps full relative accuracy for large negative z, where 1 − N(−z)
// would cancel; that accuracy is what keeps deep out-of-the-money prices and
// put–call parity exact to rounding.
func normCDF(z float64) float64 {
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}

// invSqrt2Pi is 1/√(2π).
const invSqrt2Pi = 0.398942280401432677939946059934381868475858631164934657665925

// normPDF is the standard normal density φ(z) = e^(−z²/2)/√(2π).
func normPDF(z float64) float64 {
	return invSqrt2Pi * math.Exp(-0.5*z*z)
}

// model holds the quantities shared by the price and the Greeks of one
// option: the discount factors, the discounted spot and strike, and the
// total volatility σ√τ.
type model struct {
	dq, dr float64 // e^(−qτ), e^(−rτ)
	x, y   float64 // S·e^(−qτ), K·e^(−rτ)
	sd     float64 // σ√τ
}

// checkNonNeg reports whether v is a finite number ≥ 0, wrapping ErrInvalid
// with the name of the argument if not.
func checkNonNeg(name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("%w: %s %v, want a finite number ≥ 0", ErrInvalid, name, v)
	}
	return nil
}

// checkFinite reports whether v is a finite number, wrapping ErrInvalid
// with the name of the argument if not.
func checkFinite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s %v, want a finite number", ErrInvalid, name, v)
	}
	return nil
}

// checkKind reports whether k is Call or Put.
func checkKind(k Kind) error {
	if k != Call && k != Put {
		return fmt.Errorf("%w: kind %v, want Call or Put", ErrInvalid, k)
	}
	return nil
}

// newModel validates the market inputs and computes the shared quantities.
// The discount factors and the discounted spot and strike must be finite:
// with a large negative rate or yield over a long time e^(−rτ) overflows,
// and no price is meaningful.
func newModel(spot, strike, r, q, vol, tau float64) (model, error) {
	// One combined test keeps the valid path to a few comparisons; the
	// slow path then names the culprit.
	if !(spot >= 0 && strike >= 0 && vol >= 0 && tau >= 0) ||
		math.IsInf(spot+strike+vol+tau, 0) || math.IsNaN(r+q) || math.IsInf(r, 0) || math.IsInf(q, 0) {
		for _, c := range [...]struct {
			name string
			v    float64
		}{{"spot", spot}, {"strike", strike}, {"volatility", vol}, {"time to expiry", tau}} {
			if err := checkNonNeg(c.name, c.v); err != nil {
				return model{}, err
			}
		}
		if err := checkFinite("rate", r); err != nil {
			return model{}, err
		}
		if err := checkFinite("yield", q); err != nil {
			return model{}, err
		}
		// The sum of finite numbers overflowed; the arguments are valid.
	}
	m := model{dq: math.Exp(-q * tau), dr: math.Exp(-r * tau), sd: vol * math.Sqrt(tau)}
	m.x, m.y = spot*m.dq, strike*m.dr
	// A discount factor that overflows is rejected even when it multiplies
	// a zero spot or strike, where the product would be NaN.
	if math.IsInf(m.dq, 0) || math.IsInf(m.dr, 0) || math.IsInf(m.x, 0) || math.IsInf(m.y, 0) {
		return model{}, fmt.Errorf("%w: discount factor overflows (spot %v, strike %v, rate %v, yield %v, time %v)",
			ErrInvalid, spot, strike, r, q, tau)
	}
	if math.IsInf(m.sd, 0) {
		return model{}, fmt.Errorf("%w: total volatility σ√τ overflows (volatility %v, time %v)", ErrInvalid, vol, tau)
	}
	return m, nil
}

// degenerate reports whether the option has no time value in the model:
// zero total volatility, or a zero discounted spot or strike, where d1 and
// d2 are infinite or undefined.
func (m model) degenerate() bool {
	return m.sd == 0 || m.x == 0 || m.y == 0
}

// logRatio returns ln(x/y) for x, y > 0. The quotient overflows or
// underflows only when x and y are some 10^308 apart; the difference of
// logarithms, slower, is used then.
func logRatio(x, y float64) float64 {
	if q := x / y; q >= 0x1p-1022 && q <= math.MaxFloat64 {
		return math.Log(q)
	}
	return math.Log(x) - math.Log(y)
}

// priceXY returns the price of an option from its discounted spot x,
// discounted strike y and total volatility sd = σ√τ > 0, with x, y > 0.
// The result is clamped to the no-arbitrage bounds [max(x − y, 0), x] for a
// call and [max(y − x, 0), y] for a put: the exact price lies within them,
// and rounding in the difference of two nearly equal terms could otherwise
// push a deep out-of-the-money price below zero.
func priceXY(k Kind, x, y, sd float64) float64 {
	d1 := logRatio(x, y)/sd + 0.5*sd
	d2 := d1 - sd
	if k == Call {
		return min(max(x*normCDF(d1)-y*normCDF(d2), x-y, 0), x)
	}
	return min(max(y*normCDF(-d2)-x*normCDF(-d1), y-x, 0), y)
}

// price returns the model price of an option of kind k, which must be valid.
func (m model) price(k Kind) float64 {
	if m.degenerate() {
		if k == Call {
			return max(m.x-m.y, 0)
		}
		return max(m.y-m.x, 0)
	}
	return priceXY(k, m.x, m.y, m.sd)
}

// Price returns the Black–Scholes–Merton price of one European option of
// kind k, in units of the spot, for spot ≥ 0, strike ≥ 0, continuously
// compounded rate r, continuous yield q, volatility vol ≥ 0 (per year) and
// time to expiry tau ≥ 0 (years):
//
//	call = S·e^(−qτ)·N(d1) − K·e^(−rτ)·N(d2)
//	put  = K·e^(−rτ)·N(−d2) − S·e^(−qτ)·N(−d1)
//	d1 = (ln(S/K) + (r − q + σ²/2)·τ)/(σ√τ),  d2 = d1 − σ√τ.
//
// When σ√τ = 0, S = 0 or K = 0 it returns the discounted intrinsic value
// max(±(S·e^(−qτ) − K·e^(−rτ)), 0), the limit of the formula. The result
// always lies within the no-arbitrage bounds of its kind (see ImpliedVol).
// The error wraps ErrInvalid for an argument outside its domain.
func Price(k Kind, spot, strike, r, q, vol, tau float64) (float64, error) {
	if err := checkKind(k); err != nil {
		return 0, err
	}
	m, err := newModel(spot, strike, r, q, vol, tau)
	if err != nil {
		return 0, err
	}
	return m.price(k), nil
}

// PriceGreeks returns the price of one European option, as Price does, with
// its Greeks (see Greeks for the formulas and units).
//
// When the option has no time value (σ√τ = 0, S = 0 or K = 0) the Greeks
// are those of its discounted intrinsic value: an in-the-money call has
// Delta e^(−qτ), Theta q·S·e^(−qτ) − r·K·e^(−rτ) and Rho τ·K·e^(−rτ); an
// in-the-money put the negatives; an out-of-the-money option zero Greeks;
// Gamma and Vega are zero. At the kink itself, S·e^(−qτ) = K·e^(−rτ) > 0,
// the Greeks do not exist and the error wraps ErrUndefined. The error also
// wraps ErrUndefined if a Greek overflows float64, as Gamma can for an
// option at the money with a total volatility σ√τ near the smallest
// float64, or Theta for a yield times a discounted spot beyond 1.8e308.
func PriceGreeks(k Kind, spot, strike, r, q, vol, tau float64) (float64, Greeks, error) {
	if err := checkKind(k); err != nil {
		return 0, Greeks{}, err
	}
	m, err := newModel(spot, strike, r, q, vol, tau)
	if err != nil {
		return 0, Greeks{}, err
	}
	v, g, err := m.greeks(k, spot, strike, r, q, vol, tau)
	if err != nil {
		return 0, Greeks{}, err
	}
	for _, f := range [...]float64{g.Delta, g.Gamma, g.Vega, g.Theta, g.Rho} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, Greeks{}, fmt.Errorf("%w: Greeks overflow (spot %v, strike %v, rate %v, yield %v, σ√τ %v)",
				ErrUndefined, spot, strike, r, q, m.sd)
		}
	}
	return v, g, nil
}

// greeks returns the price and Greeks of PriceGreeks from a valid model.
func (m model) greeks(k Kind, spot, strike, r, q, vol, tau float64) (float64, Greeks, error) {
	if m.degenerate() {
		var itm Greeks // Greeks of the in-the-money side
		switch {
		case m.x > m.y || strike == 0: // the call is the prepaid forward less the discounted strike
			itm = Greeks{Delta: m.dq, Theta: q*m.x - r*m.y, Rho: tau * m.y}
			if k == Call {
				return m.x - m.y, itm, nil
			}
			return 0, Greeks{}, nil
		case m.x < m.y || spot == 0:
			itm = Greeks{Delta: -m.dq, Theta: r*m.y - q*m.x, Rho: -tau * m.y}
			if k == Put {
				return m.y - m.x, itm, nil
			}
			return 0, Greeks{}, nil
		}
		return 0, Greeks{}, fmt.Errorf("%w: Greeks at the kink of an option with no time value (spot %v, strike %v, σ√τ %v)",
			ErrUndefined, spot, strike, m.sd)
	}
	d1 := logRatio(m.x, m.y)/m.sd + 0.5*m.sd
	d2 := d1 - m.sd
	pdf := normPDF(d1)
	sqrtTau := math.Sqrt(tau)
	// decay is the time-value part of theta, common to both kinds.
	decay := -m.x * pdf * vol / (2 * sqrtTau)
	g := Greeks{
		Gamma: m.dq * pdf / (spot * m.sd),
		Vega:  m.x * pdf * sqrtTau,
	}
	var v float64
	if k == Call {
		n1, n2 := normCDF(d1), normCDF(d2)
		v = min(max(m.x*n1-m.y*n2, m.x-m.y, 0), m.x)
		g.Delta = m.dq * n1
		g.Theta = decay - r*m.y*n2 + q*m.x*n1
		g.Rho = tau * m.y * n2
	} else {
		n1, n2 := normCDF(-d1), normCDF(-d2)
		v = min(max(m.y*n2-m.x*n1, m.y-m.x, 0), m.y)
		g.Delta = -m.dq * n1
		g.Theta = decay + r*m.y*n2 - q*m.x*n1
		g.Rho = -tau * m.y * n2
	}
	return v, g, nil
}
