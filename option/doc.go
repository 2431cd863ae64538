// Package option prices European options in the Black–Scholes–Merton model
// and measures what an option hedge does to the profit and loss of a
// holding: the collar (long put, short call) that makes the average outcome
// a bit worse and the worst outcome much better.
//
// # Model and units
//
// The underlying follows geometric Brownian motion under the pricing measure
// with a constant continuously compounded risk-free rate r and a constant
// continuous yield q (dividend, staking or carry yield; for most crypto
// assets q = 0). Rates, yields and the volatility σ are per year, as
// fractions (0.05 is 5% a year, 0.8 is 80% volatility); times are in years.
// Prices are in the unit of the spot and strike (for example USD per ETH).
// For time to expiry τ, with
//
//	x  = S·e^(−qτ)        the spot discounted at the yield,
//	y  = K·e^(−rτ)        the strike discounted at the rate,
//	d1 = ln(x/y)/(σ√τ) + σ√τ/2,   d2 = d1 − σ√τ,
//
// the prices of a call and a put are
//
//	C = x·N(d1) − y·N(d2),   P = y·N(−d2) − x·N(−d1),
//
// where N is the standard normal distribution function, evaluated as
// N(z) = erfc(−z/√2)/2 so that it keeps full relative accuracy in the tails.
// They satisfy put–call parity C − P = x − y. When σ√τ = 0, S = 0 or K = 0
// the model is degenerate and the price is the discounted intrinsic value
// max(x − y, 0) for a call and max(y − x, 0) for a put, which is the limit
// of the formula.
//
// # Positions and hedged profit and loss
//
// A Position is a holding of the underlying together with option legs, each
// expiring a stated number of years after the position's inception. The
// hedged profit and loss of a Position held from inception to the common
// expiry T of its legs, in cash at T, is
//
//	PnL(S_T) = U·(S_T − S_0) + Σ qᵢ·payoffᵢ(S_T) − premium·e^(rT),
//
// where U is the quantity of the underlying held, qᵢ the signed quantity of
// leg i, and premium the cash paid for the legs at inception (negative when
// received), financed at r until T. For a collar on U > 0 units with put
// strike Kp ≤ call strike Kc, PnL lies in
// [U·(Kp − S_0) − premium·e^(rT), U·(Kc − S_0) − premium·e^(rT)].
//
// A Roller re-opens a collar at fixed intervals along a path of spot prices
// and reports the profit and loss of the hedged holding period by period.
//
// Every function is a pure function of its arguments: no clock, no
// randomness, no I/O. Invalid arguments produce errors, never panics.
package option
