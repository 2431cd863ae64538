package option

import (
	"fmt"
	"math"
)

// maxSolveIter bounds the iterations of the root finder. Bisection alone
// brings a bracket [0, w] to full float64 precision around a root ρ in about
// log2(w/ρ) + 53 halvings, so 200 iterations suffice for every root down to
// 2^−140·w, far smaller than any volatility or strike a price in float64 can
// tell apart from zero.
const maxSolveIter = 200

// solve finds a root of the monotone function f in the bracket [lo, hi],
// where f(lo) and f(hi) have opposite signs (f(lo) < 0 < f(hi) if increasing,
// f(lo) > 0 > f(hi) if not), starting from x in [lo, hi]. f returns its value
// and derivative. A Newton step is taken when it lands strictly inside the
// bracket and is at most half as long as the step before; otherwise the
// bracket is bisected, so that convergence is guaranteed where Newton's
// method would crawl or leave the bracket. It stops when f is exactly zero or
// the bracket cannot shrink any more at float64 precision.
func solve(f func(float64) (float64, float64), lo, hi, x float64, increasing bool) float64 {
	prevStep := hi - lo
	for range maxSolveIter {
		fx, dfx := f(x)
		if fx == 0 {
			return x
		}
		if (fx < 0) == increasing {
			lo = x
		} else {
			hi = x
		}
		next := x - fx/dfx
		// Newton is trusted only strictly inside the bracket and when its
		// step is at most half the previous one: the test that keeps it from
		// crawling where the derivative is small.
		step := math.Abs(next - x)
		if !(next > lo && next < hi) || 2*step > prevStep {
			next = lo + (hi-lo)/2
			step = math.Abs(next - x)
		}
		prevStep = step
		if next == x || next <= lo || next >= hi {
			// No float64 lies strictly between the ends of the bracket, or
			// the step is below the spacing of float64 at x.
			return x
		}
		x = next
	}
	return x
}

// maxTotalVol is the largest total volatility σ√τ the implied volatility
// search considers. At σ√τ = 2^11 a price differs from its upper bound by a
// fraction of about N(−2^10) ≈ e^(−524288), so far below the precision of
// float64 that the computed price equals the bound: every price below the
// bound is bracketed by then.
const maxTotalVol = 2048

// ImpliedVol returns the volatility σ (per year) at which Price(k, spot,
// strike, r, q, σ, tau) equals price, for tau > 0.
//
// The price must lie within the no-arbitrage bounds of its kind, with
// x = S·e^(−qτ) and y = K·e^(−rτ):
//
//	call: max(x − y, 0) ≤ price < x
//	put:  max(y − x, 0) ≤ price < y
//
// otherwise the error wraps ErrBounds. Within them the price increases
// strictly with σ, from the lower bound at σ = 0 towards the upper bound as
// σ → ∞, so the implied volatility is unique; a price equal to the lower
// bound gives 0. The root is found in σ√τ by Newton's method safeguarded by
// bisection, to the precision of float64: the returned σ reproduces the
// price to within a few units in the last place of x + y, so that its own
// error is about that divided by Vega.
func ImpliedVol(k Kind, price, spot, strike, r, q, tau float64) (float64, error) {
	if err := checkKind(k); err != nil {
		return 0, err
	}
	if err := checkFinite("price", price); err != nil {
		return 0, err
	}
	m, err := newModel(spot, strike, r, q, 0, tau)
	if err != nil {
		return 0, err
	}
	if tau == 0 {
		return 0, fmt.Errorf("%w: implied volatility at expiry (time to expiry 0)", ErrInvalid)
	}
	lower, upper := max(m.x-m.y, 0), m.x
	if k == Put {
		lower, upper = max(m.y-m.x, 0), m.y
	}
	if !(price >= lower && price < upper) {
		return 0, fmt.Errorf("%w: %v price %v not in [%v, %v)", ErrBounds, k, price, lower, upper)
	}
	if price == lower {
		return 0, nil
	}
	// Here x, y > 0: upper > lower ≥ 0 rules out x = 0 for a call and
	// y = 0 for a put, and for the other side x − y < x forces y > 0 and
	// y − x < y forces x > 0.
	x, y := m.x, m.y
	f := func(sd float64) (float64, float64) {
		d1 := logRatio(x, y)/sd + 0.5*sd
		return priceXY(k, x, y, sd) - price, x * normPDF(d1) // ∂price/∂(σ√τ) = x·φ(d1)
	}
	lo, hi := 0.0, 1.0
	for {
		v, _ := f(hi)
		if v >= 0 {
			break
		}
		if hi >= maxTotalVol { // not expected (see maxTotalVol); keeps the loop bounded
			return 0, fmt.Errorf("%w: %v price %v indistinguishable from its upper bound %v", ErrBounds, k, price, upper)
		}
		lo, hi = hi, 2*hi
	}
	// Start at the inflection point σ√τ = √(2|ln(x/y)|) of the price in
	// σ√τ, where vega is largest and Newton's method converges
	// monotonically from; at the money it is 0, so take the bracket's
	// midpoint instead.
	start := math.Sqrt(2 * math.Abs(logRatio(x, y)))
	if !(start > lo && start < hi) {
		start = lo + (hi-lo)/2
	}
	sd := solve(f, lo, hi, start, true)
	return sd / math.Sqrt(tau), nil
}

// maxLogStrike bounds the logarithms of the strike K and of the discounted
// strike K·e^(−rτ) in the search for a strike, keeping both within float64
// (whose largest value is about e^709.8 and smallest normal e^−708.4).
const maxLogStrike = 708

// Strike returns the strike K at which one European option of kind k costs
// price, for spot > 0, vol > 0 and tau > 0 (see Price for the model).
//
// A call's price falls strictly from S·e^(−qτ) at K = 0 towards 0 as
// K → ∞, and a put's rises strictly from 0 without bound, so the strike is
// unique when it exists: for a call it exists if 0 < price < S·e^(−qτ), for
// a put if price > 0. Otherwise, or if the strike or the discounted strike
// K·e^(−rτ) would lie outside [e^−708, e^708], or e^(−rτ) is below the
// smallest normal float64 (2^−1022), the error wraps ErrNoSolution. The root is found in ln K by Newton's method safeguarded by
// bisection, then refined by Newton steps in K, so that the strike reprices
// to within a few units in the last place of S·e^(−qτ) + K·e^(−rτ).
func Strike(k Kind, price, spot, r, q, vol, tau float64) (float64, error) {
	if err := checkKind(k); err != nil {
		return 0, err
	}
	if err := checkFinite("price", price); err != nil {
		return 0, err
	}
	m, err := newModel(spot, 0, r, q, vol, tau)
	if err != nil {
		return 0, err
	}
	if m.x == 0 || m.sd == 0 {
		return 0, fmt.Errorf("%w: strike from price needs spot·e^(−qτ) > 0 and σ√τ > 0 (spot %v, volatility %v, time %v)",
			ErrInvalid, spot, vol, tau)
	}
	if !(price > 0) || k == Call && price >= m.x {
		return 0, fmt.Errorf("%w: no %v strike has price %v (spot·e^(−qτ) = %v)", ErrNoSolution, k, price, m.x)
	}
	// Price discounts a strike by multiplying it by e^(−rτ); below the
	// smallest normal float64 that product no longer resolves strikes.
	if m.dr < 0x1p-1022 {
		return 0, fmt.Errorf("%w: discount factor e^(−rτ) = %v underflows", ErrNoSolution, m.dr)
	}
	// The search domain of u = ln K: |u| ≤ 708 and |u − rτ| ≤ 708. It is
	// not empty, since −709.8 < rτ < 708.4 here.
	rt := r * tau
	uMin, uMax := max(-maxLogStrike, rt-maxLogStrike), min(maxLogStrike, rt+maxLogStrike)
	if uMin > uMax {
		return 0, fmt.Errorf("%w: discount factor e^(−rτ) = %v leaves no strike in float64", ErrNoSolution, m.dr)
	}
	x, sd := m.x, m.sd
	// g(u) = price of the option with strike e^u, less the target. With
	// y = e^(u − rτ): ∂call/∂u = −y·N(d2) and ∂put/∂u = y·N(−d2).
	g := func(u float64) (float64, float64) {
		y := math.Exp(u - rt)
		d2 := logRatio(x, y)/sd - 0.5*sd
		if k == Call {
			return priceXY(Call, x, y, sd) - price, -y * normCDF(d2)
		}
		return priceXY(Put, x, y, sd) - price, y * normCDF(-d2)
	}
	increasing := k == Put
	// wrongLo and wrongHi report whether g at the ends of the bracket has
	// the sign that puts the root beyond them.
	wrongLo := func(v float64) bool { return (v <= 0) != increasing }
	wrongHi := func(v float64) bool { return (v >= 0) != increasing }
	// Bracket the root by stepping out from the forward (where y = x) in
	// ln K, doubling the step each time, within the domain.
	fwd := min(max(math.Log(spot)+(r-q)*tau, uMin), uMax)
	lo, hi := fwd, fwd
	for step := max(sd, 1.0/16); ; step *= 2 {
		vlo, _ := g(lo)
		vhi, _ := g(hi)
		if !wrongLo(vlo) && !wrongHi(vhi) {
			break
		}
		if wrongLo(vlo) && lo == uMin || wrongHi(vhi) && hi == uMax {
			return 0, fmt.Errorf("%w: the %v strike with price %v lies outside [e^−%d, e^%d] or discounts outside it",
				ErrNoSolution, k, price, maxLogStrike, maxLogStrike)
		}
		if wrongLo(vlo) {
			lo = max(fwd-step, uMin)
		}
		if wrongHi(vhi) {
			hi = min(fwd+step, uMax)
		}
	}
	var u float64
	if vlo, _ := g(lo); vlo == 0 {
		u = lo
	} else if vhi, _ := g(hi); vhi == 0 {
		u = hi
	} else {
		u = solve(g, lo, hi, lo+(hi-lo)/2, increasing)
	}
	// ln K is known to an ulp of u, which is |u|·ε relative in K. Newton
	// steps in K itself, priced as Price prices (with y = K·e^(−rτ)),
	// refine it to the precision of the price.
	K := math.Exp(u)
	dr := m.dr
	resid := func(K float64) (float64, float64) {
		y := K * dr
		d2 := logRatio(x, y)/sd - 0.5*sd
		if k == Call {
			return priceXY(Call, x, y, sd) - price, -dr * normCDF(d2)
		}
		return priceXY(Put, x, y, sd) - price, dr * normCDF(-d2)
	}
	for range 2 {
		f0, df := resid(K)
		K1 := K - f0/df
		if !(K1 > 0) || math.IsInf(K1, 1) {
			break
		}
		if f1, _ := resid(K1); !(math.Abs(f1) < math.Abs(f0)) {
			break
		}
		K = K1
	}
	return K, nil
}

// ZeroCostCall returns the call strike Kc of a zero-cost collar with put
// strike putStrike: the strike at which a call costs what the put costs,
// Price(Call, spot, Kc, …) = Price(Put, spot, putStrike, …), so that buying
// the put and selling the call costs nothing at inception. It exists when
// the put's premium is positive and less than S·e^(−qτ), the price of a call
// with strike 0; otherwise the error wraps ErrNoSolution. See Strike for
// the domain and the precision.
func ZeroCostCall(spot, putStrike, r, q, vol, tau float64) (float64, error) {
	p, err := Price(Put, spot, putStrike, r, q, vol, tau)
	if err != nil {
		return 0, err
	}
	return Strike(Call, p, spot, r, q, vol, tau)
}

// ZeroCostPut returns the put strike Kp of a zero-cost collar with call
// strike callStrike: the strike at which a put costs what the call costs.
// It exists whenever the call's premium is positive, since a put's price
// grows without bound in its strike; otherwise the error wraps
// ErrNoSolution. See Strike for the domain and the precision.
func ZeroCostPut(spot, callStrike, r, q, vol, tau float64) (float64, error) {
	c, err := Price(Call, spot, callStrike, r, q, vol, tau)
	if err != nil {
		return 0, err
	}
	return Strike(Put, c, spot, r, q, vol, tau)
}
