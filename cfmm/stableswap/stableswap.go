// Package stableswap implements Curve's StableSwap pool (the v1 contracts:
// 3pool and the base pool template) as a pure state machine for 2 to 8
// coins, with the contract's integer arithmetic, rounding and reverts.
//
// Balances are held in raw coin units. Each coin has a rate (RATES in the
// contract, 10^(36−decimals) for a plain coin) and every formula works on
// normalized balances xp = balance·rate/1e18, so that an 18-decimal coin and
// a 6-decimal coin have comparable xp. The invariant is
//
//	Ann·Σx + D = Ann·D + D^(n+1) / (n^n·∏x),   Ann = A·n
//
// where A is the contract's A() (the whitepaper's A·n^(n−1)), solved by
// Newton's iteration (GetD, GetY, GetYD). The amplification is held as
// A·APrecision, as the base template holds it. With an integer A this gives
// exactly the integers of 3pool's form without A_PRECISION; during a ramp
// the template interpolates A·100, so an intermediate A may lie between
// integers where 3pool would floor it to one.
//
// Fees are in units of 1e-10 (FeeDenominator): an exchange keeps
// fee/1e10 of the output, of which adminFee/1e10 leaves the pool's balances
// for the protocol; liquidity operations that change the pool's composition
// pay fee·n/(4(n−1)) on each coin's distance from the proportional balance.
//
// There is no clock: the pool holds the current block timestamp, which the
// caller advances with SetTime, and amplification ramps interpolate against
// it.
package stableswap

import (
	"errors"
	"math"
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// Contract constants.
const (
	// MaxCoins is the largest number of coins a Pool may hold.
	MaxCoins = 8
	// APrecision is the factor by which the amplification is stored
	// (A_PRECISION): amp = A·APrecision.
	APrecision = 100
	// FeeDenominator is the unit of fee and admin fee: a fee of 4e6 is
	// 4e6/1e10 = 0.04 %.
	FeeDenominator = 10_000_000_000
	// Precision is the scale of rates: xp = balance·rate/Precision.
	Precision = 1_000_000_000_000_000_000
	// MaxFee is the largest swap fee (50 %).
	MaxFee = 5_000_000_000
	// MaxAdminFee is the largest admin share of fees (100 %).
	MaxAdminFee = 10_000_000_000
	// MaxA is the exclusive upper bound of A (not of A·APrecision).
	MaxA = 1_000_000
	// MaxAChange is the largest factor by which one ramp may change A.
	MaxAChange = 10
	// MinRampTime is the shortest ramp, and the shortest time between the
	// start of two ramps, in seconds.
	MinRampTime = 86400
	// AdminActionsDelay is the time between committing a new fee and
	// applying it, in seconds.
	AdminActionsDelay = 3 * 86400
)

var (
	errSlippageExchange = &cfmm.Revert{Reason: "Exchange resulted in fewer coins than expected"}
	errSlippageLP       = &cfmm.Revert{Reason: "Slippage screwed you"}
	errSlippageWithdraw = &cfmm.Revert{Reason: "Withdrawal resulted in fewer coins than expected"}
	errSlippageOne      = &cfmm.Revert{Reason: "Not enough coins removed"}
	errInitialDeposit   = &cfmm.Revert{Reason: "initial deposit requires all coins"}
	errDNotIncreased    = &cfmm.Revert{Reason: "D1 <= D0"}
	errZeroBurn         = &cfmm.Revert{Reason: "zero tokens burned"}
	errBurnExceeds      = &cfmm.Revert{Reason: "insufficient funds"}
	errRampTooSoon      = &cfmm.Revert{Reason: "ramp_A: too soon after last ramp"}
	errRampTime         = &cfmm.Revert{Reason: "insufficient time"}
	errRampA            = &cfmm.Revert{Reason: "ramp_A: future A out of range"}
	errRampChange       = &cfmm.Revert{Reason: "ramp_A: change too large"}
	errActiveAction     = &cfmm.Revert{Reason: "active action"}
	errNoAction         = &cfmm.Revert{Reason: "no active action"}
	errFeeMax           = &cfmm.Revert{Reason: "fee exceeds maximum"}
	errAdminFeeMax      = &cfmm.Revert{Reason: "admin fee exceeds maximum"}
	errActionTime       = &cfmm.Revert{Reason: "insufficient time"}
)

// RateForDecimals returns the rate of a plain coin with the given number of
// decimals (at most 36): 10^(36−decimals), so that xp is in 18 decimals.
func RateForDecimals(decimals uint8) uint256.Int {
	var r, ten uint256.Int
	ten.SetUint64(10)
	r.Exp(&ten, uint256.NewInt(uint64(36-int(min(decimals, 36)))))
	return r
}

// Config describes a pool at deployment.
type Config struct {
	// A is the amplification coefficient as passed to the constructor (the
	// value the contract's A() returns), 1 <= A < MaxA.
	A uint64
	// Fee is the swap fee in units of 1/FeeDenominator, at most MaxFee.
	Fee uint64
	// AdminFee is the protocol's share of fees in units of 1/FeeDenominator,
	// at most MaxAdminFee.
	AdminFee uint64
	// Rates holds one rate per coin (2 to MaxCoins of them): xp =
	// balance·rate/1e18. A zero rate is replaced by 1e18 (18 decimals).
	Rates []uint256.Int
	// Time is the block timestamp at deployment, in seconds. The ramp
	// start time is 0, as the constructor leaves it.
	Time uint64
}

// Pool is a StableSwap pool: its balances, LP token supply, fees and
// amplification schedule. The zero value is not usable; create pools with
// New. A Pool is a plain value with no pointers to mutable state, so
// copying it (as Clone does) gives an independent pool.
type Pool struct {
	n        int
	balances [MaxCoins]uint256.Int // belong to LPs
	admin    [MaxCoins]uint256.Int // coin held for the protocol: ERC20 balance − balances
	rates    [MaxCoins]uint256.Int
	// scale is rate/1e18 where the rate is a multiple of 1e18 below
	// 2^64·1e18 (every plain coin of at most 18 decimals), else 0:
	// then x·rate/1e18 = x·scale and x·1e18/rate = ⌊x/scale⌋ exactly.
	scale  [MaxCoins]uint64
	supply uint256.Int // LP token total supply

	fee, adminFee             uint64
	futureFee, futureAdminFee uint64
	actionsDeadline           uint64

	initialA, futureA         uint64 // A·APrecision
	initialATime, futureATime uint64
	now                       uint64

	// dMemo remembers the invariant of the last normalized balances and A
	// an exchange saw. Quotes at one pool state (an arbitrageur's search
	// makes dozens) then solve only for y; the integers are unchanged.
	dMemo struct {
		valid bool
		amp   uint64
		xp    [MaxCoins]uint256.Int
		d     uint256.Int
		err   error
	}
	// fMemo holds, for SpotPrice and EstimateOut, the float64 normalized
	// balances and invariant of the balances and A they last saw.
	fMemo floatMemo
	// xMemo remembers the last exchange computed and the state it was
	// computed from, so that a Swap of the amount just quoted (what an
	// arbitrageur does) does not compute it again.
	xMemo exchangeMemo
}

// exchangeMemo is one exchange(i, j, dx) and the state it was computed
// from.
type exchangeMemo struct {
	valid         bool
	i, j          int
	amp, fee, adm uint64
	dx            uint256.Int
	bal           [MaxCoins]uint256.Int
	dy, dyFee     uint256.Int
	admFee        uint256.Int
}

// floatMemo is a pool state in float64: see Pool.floats.
type floatMemo struct {
	valid bool
	exact bool // d is the exact invariant, not floatInvariant's
	amp   uint64
	bal   [MaxCoins]uint256.Int
	xp    [MaxCoins]float64
	d     float64
}

// invariant returns GetD(xp, amp), reusing the last result when the
// normalized balances and amplification are the same. A revert is
// remembered too: get_D gives up only after its 255 iterations, and a pool
// it cannot solve is asked again by every quote until its balances change.
func (p *Pool) invariant(xp *[MaxCoins]uint256.Int, amp uint64) (uint256.Int, error) {
	m := &p.dMemo
	if m.valid && m.amp == amp && m.xp == *xp {
		return m.d, m.err
	}
	d, err := GetD(xp[:p.n], amp)
	m.valid, m.amp, m.xp, m.d, m.err = true, amp, *xp, d, err
	return d, err
}

var _ cfmm.Optimizer = (*Pool)(nil)

// New returns an empty pool (no balances, no LP tokens) configured by cfg.
// The first AddLiquidity must deposit every coin.
func New(cfg Config) (*Pool, error) {
	n := len(cfg.Rates)
	switch {
	case n < 2 || n > MaxCoins:
		return nil, errors.New("stableswap: need 2 to 8 coins")
	case cfg.A == 0 || cfg.A >= MaxA:
		return nil, errors.New("stableswap: A out of range [1, MaxA)")
	case cfg.Fee > MaxFee:
		return nil, errors.New("stableswap: fee exceeds MaxFee")
	case cfg.AdminFee > MaxAdminFee:
		return nil, errors.New("stableswap: admin fee exceeds MaxAdminFee")
	}
	p := &Pool{
		n:        n,
		fee:      cfg.Fee,
		adminFee: cfg.AdminFee,
		initialA: cfg.A * APrecision,
		futureA:  cfg.A * APrecision,
		now:      cfg.Time,
	}
	for k := range n {
		p.rates[k] = cfg.Rates[k]
		if p.rates[k].IsZero() {
			p.rates[k].SetUint64(Precision)
		}
		var q, r uint256.Int
		q.DivMod(&p.rates[k], uint256.NewInt(Precision), &r)
		if r.IsZero() && q.IsUint64() {
			p.scale[k] = q.Uint64()
		}
	}
	return p, nil
}

// NumTokens returns the number of coins.
func (p *Pool) NumTokens() int { return p.n }

// SetTime advances the pool's block timestamp to t seconds. Time never goes
// back: an earlier t is an error and leaves the pool unchanged.
func (p *Pool) SetTime(t uint64) error {
	if t < p.now {
		return errors.New("stableswap: time went backwards")
	}
	p.now = t
	return nil
}

// Time returns the pool's current block timestamp.
func (p *Pool) Time() uint64 { return p.now }

// APrecise returns the current amplification A·APrecision, interpolated
// linearly in time during a ramp with a floored division:
//
//	A0 ± |A1 − A0|·(t − t0)/(t1 − t0)
func (p *Pool) APrecise() uint64 {
	t1, a1 := p.futureATime, p.futureA
	if p.now >= t1 {
		return a1
	}
	a0, t0 := p.initialA, p.initialATime
	// now >= t0 because ramps start at the current time and time never goes
	// back; the quotient is below |A1 − A0| so Div64 cannot overflow.
	if a1 > a0 {
		return a0 + mulDiv64(a1-a0, p.now-t0, t1-t0)
	}
	return a0 - mulDiv64(a0-a1, p.now-t0, t1-t0)
}

// A returns the current amplification coefficient, APrecise()/APrecision
// floored: the contract's A().
func (p *Pool) A() uint64 { return p.APrecise() / APrecision }

func mulDiv64(x, y, d uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	q, _ := bits.Div64(hi, lo, d)
	return q
}

// RampA starts a linear change of A from its current value to futureA,
// reached at futureTime (seconds). As ramp_A, it reverts unless at least
// MinRampTime has passed since the last ramp started, futureTime is at
// least MinRampTime ahead, 0 < futureA < MaxA, and A changes by at most a
// factor MaxAChange.
func (p *Pool) RampA(futureA, futureTime uint64) error {
	if p.now-p.initialATime < MinRampTime {
		return errRampTooSoon
	}
	if futureTime < p.now || futureTime-p.now < MinRampTime {
		return errRampTime
	}
	if futureA == 0 || futureA >= MaxA {
		return errRampA
	}
	initial := p.APrecise()
	future := futureA * APrecision
	if future < initial {
		if future*MaxAChange < initial {
			return errRampChange
		}
	} else if future > initial*MaxAChange {
		return errRampChange
	}
	p.initialA, p.futureA = initial, future
	p.initialATime, p.futureATime = p.now, futureTime
	return nil
}

// StopRampA freezes A at its current value (stop_ramp_A).
func (p *Pool) StopRampA() {
	a := p.APrecise()
	p.initialA, p.futureA = a, a
	p.initialATime, p.futureATime = p.now, p.now
}

// Fee returns the swap fee and the admin share, in units of 1/FeeDenominator.
func (p *Pool) Fee() (fee, adminFee uint64) { return p.fee, p.adminFee }

// CommitNewFee schedules a new fee and admin fee, applicable after
// AdminActionsDelay (commit_new_fee). It reverts while another change is
// pending or if a value exceeds its maximum.
func (p *Pool) CommitNewFee(fee, adminFee uint64) error {
	switch {
	case p.actionsDeadline != 0:
		return errActiveAction
	case fee > MaxFee:
		return errFeeMax
	case adminFee > MaxAdminFee:
		return errAdminFeeMax
	}
	p.actionsDeadline = p.now + AdminActionsDelay
	p.futureFee, p.futureAdminFee = fee, adminFee
	return nil
}

// ApplyNewFee applies the committed fees once the delay has passed
// (apply_new_fee).
func (p *Pool) ApplyNewFee() error {
	if p.now < p.actionsDeadline {
		return errActionTime
	}
	if p.actionsDeadline == 0 {
		return errNoAction
	}
	p.actionsDeadline = 0
	p.fee, p.adminFee = p.futureFee, p.futureAdminFee
	return nil
}

// RevertNewParameters cancels a committed fee change
// (revert_new_parameters).
func (p *Pool) RevertNewParameters() { p.actionsDeadline = 0 }

// Balances writes the pool's balances (the contract's balances(i), raw
// units, admin fees excluded) into dst, which must have length NumTokens().
func (p *Pool) Balances(dst []uint256.Int) { copy(dst, p.balances[:p.n]) }

// LPHoldings writes the balances that belong to liquidity providers, which
// are the pool's balances: admin fees are already taken out of them.
func (p *Pool) LPHoldings(dst []uint256.Int) { p.Balances(dst) }

// AdminBalances writes the coin the pool holds for the protocol
// (admin_balances: ERC20 balance − balances) into dst.
func (p *Pool) AdminBalances(dst []uint256.Int) { copy(dst, p.admin[:p.n]) }

// WithdrawAdminFees writes the admin balances into dst and clears them
// (withdraw_admin_fees).
func (p *Pool) WithdrawAdminFees(dst []uint256.Int) {
	copy(dst, p.admin[:p.n])
	clear(p.admin[:])
}

// TotalSupply returns the LP token supply.
func (p *Pool) TotalSupply() uint256.Int { return p.supply }

// Rates writes the coins' rates into dst.
func (p *Pool) Rates(dst []uint256.Int) { copy(dst, p.rates[:p.n]) }

// Clone returns an independent copy of the pool.
func (p *Pool) Clone() cfmm.Pool {
	c := *p
	return &c
}

// xp returns the normalized balances rate·balance/1e18 of bal.
func (p *Pool) xp(a *arith, bal *[MaxCoins]uint256.Int) (xp [MaxCoins]uint256.Int) {
	for k := range p.n {
		p.normalize(a, &xp[k], &bal[k], k)
	}
	return xp
}

// normalize sets z = x·rate_k/1e18 (floored). For x < 2^128 and a rate
// that is scale_k·1e18 (< 2^124) the product cannot overflow and the
// quotient is x·scale_k.
func (p *Pool) normalize(a *arith, z, x *uint256.Int, k int) {
	if s := p.scale[k]; s != 0 && x[2]|x[3] == 0 {
		mulWord(z, x, s)
		return
	}
	a.mul(z, &p.rates[k], x)
	a.div64(z, z, Precision)
}

// denormalize sets z = x·1e18/rate_k (floored): ⌊x/scale_k⌋ for x < 2^128
// and a rate that is scale_k·1e18, where x·1e18 cannot overflow.
func (p *Pool) denormalize(a *arith, z, x *uint256.Int, k int) {
	if s := p.scale[k]; s != 0 && x[2]|x[3] == 0 {
		if s != 1 {
			divWord(z, x, s)
		} else if z != x {
			*z = *x
		}
		return
	}
	a.mul64(z, x, Precision)
	a.div(z, z, &p.rates[k])
}

func (p *Pool) checkIndex(i int) error {
	if i < 0 || i >= p.n {
		return errIndex
	}
	return nil
}

// Invariant returns D for the current balances and amplification.
func (p *Pool) Invariant() (uint256.Int, error) {
	var a arith
	xp := p.xp(&a, &p.balances)
	if a.err != nil {
		return uint256.Int{}, a.err
	}
	return GetD(xp[:p.n], p.APrecise())
}

// VirtualPrice returns D·1e18/supply, the value of one LP token in
// normalized units (get_virtual_price).
func (p *Pool) VirtualPrice() (uint256.Int, error) {
	d, err := p.Invariant()
	if err != nil {
		return d, err
	}
	var a arith
	a.mul64(&d, &d, Precision)
	a.div(&d, &d, &p.supply)
	return d, a.err
}

// exchange computes exchange(i, j, dx) without changing the pool: the
// amount paid out, the fee retained (output coin, raw units, admin share
// included) and the admin share.
func (p *Pool) exchange(i, j int, dx *uint256.Int) (dy, fee, adminFee uint256.Int, err error) {
	if dx == nil {
		return dy, fee, adminFee, errNilAmount
	}
	if err := p.checkIndex(i); err != nil {
		return dy, fee, adminFee, err
	}
	if err := p.checkIndex(j); err != nil {
		return dy, fee, adminFee, err
	}
	amp := p.APrecise()
	m := &p.xMemo
	if m.valid && m.i == i && m.j == j && m.dx == *dx && m.amp == amp && m.fee == p.fee && m.adm == p.adminFee && m.bal == p.balances {
		return m.dy, m.dyFee, m.admFee, nil
	}
	dy, fee, adminFee, err = p.computeExchange(i, j, dx, amp)
	if err == nil {
		*m = exchangeMemo{true, i, j, amp, p.fee, p.adminFee, *dx, p.balances, dy, fee, adminFee}
	}
	return dy, fee, adminFee, err
}

// computeExchange is exchange at amplification amp, without the memo.
func (p *Pool) computeExchange(i, j int, dx *uint256.Int, amp uint64) (dy, fee, adminFee uint256.Int, err error) {
	var a arith
	xp := p.xp(&a, &p.balances)
	var x uint256.Int
	p.normalize(&a, &x, dx, i)
	a.add(&x, &x, &xp[i])
	if a.err != nil {
		return dy, fee, adminFee, a.err
	}
	if i == j {
		return dy, fee, adminFee, errSameCoin
	}
	d, err := p.invariant(&xp, amp)
	if err != nil {
		return dy, fee, adminFee, err
	}
	y, err := solveY(i, j, &x, xp[:p.n], &d, amp)
	if err != nil {
		return dy, fee, adminFee, err
	}
	// The contract subtracts one unit "just in case there were some rounding
	// errors", in favour of the pool.
	var one, dyFee uint256.Int
	one.SetOne()
	a.sub(&dy, &xp[j], &y)
	a.sub(&dy, &dy, &one)
	a.mul64(&dyFee, &dy, p.fee)
	a.div64(&dyFee, &dyFee, FeeDenominator)
	a.sub(&dy, &dy, &dyFee)
	p.denormalize(&a, &dy, &dy, j)
	a.mul64(&adminFee, &dyFee, p.adminFee)
	a.div64(&adminFee, &adminFee, FeeDenominator)
	p.denormalize(&a, &adminFee, &adminFee, j)
	p.denormalize(&a, &fee, &dyFee, j)
	return dy, fee, adminFee, a.err
}

// GetDy returns what Exchange(i, j, dx, 0) would pay (get_dy):
//
//	dy = xp[j] − GetY(i, j, xp[i] + dx·rate_i/1e18) − 1
//	out = (dy − ⌊dy·fee/1e10⌋)·1e18/rate_j
//
// all divisions floored.
func (p *Pool) GetDy(i, j int, dx *uint256.Int) (uint256.Int, error) {
	t, err := p.Quote(i, j, dx)
	return t.Out, err
}

// Exchange sells dx raw units of coin i for coin j and returns the amount
// of j paid (exchange). It reverts if that is below minDy. The pool's
// balance of i grows by dx; its balance of j falls by the amount paid and
// by the admin share of the fee, ⌊⌊dy_fee·adminFee/1e10⌋·1e18/rate_j⌋, so
// that the rest of the fee stays with liquidity providers.
func (p *Pool) Exchange(i, j int, dx, minDy *uint256.Int) (uint256.Int, error) {
	t, err := p.swap(i, j, dx, minDy)
	return t.Out, err
}

// trade computes a swap without changing the pool: the trade and the new
// balances of coins i and j.
func (p *Pool) trade(i, j int, dx, minDy *uint256.Int) (t cfmm.Trade, bi, bj, adminFee uint256.Int, err error) {
	dy, fee, adminFee, err := p.exchange(i, j, dx)
	if err != nil {
		return t, bi, bj, adminFee, err
	}
	if minDy != nil && dy.Lt(minDy) {
		return t, bi, bj, adminFee, errSlippageExchange
	}
	var a arith
	a.add(&bi, &p.balances[i], dx)
	a.sub(&bj, &p.balances[j], &dy)
	a.sub(&bj, &bj, &adminFee)
	if a.err != nil {
		return t, bi, bj, adminFee, a.err
	}
	t.In, t.Out, t.Fee, t.FeeToken = *dx, dy, fee, j
	return t, bi, bj, adminFee, nil
}

func (p *Pool) swap(i, j int, dx, minDy *uint256.Int) (cfmm.Trade, error) {
	t, bi, bj, adminFee, err := p.trade(i, j, dx, minDy)
	if err != nil {
		return cfmm.Trade{}, err
	}
	p.balances[i], p.balances[j] = bi, bj
	p.admin[j].Add(&p.admin[j], &adminFee)
	return t, nil
}

// Quote returns the trade Swap(i, j, amountIn) would make, leaving the pool
// unchanged. The fee is in the output coin: ⌊dy_fee·1e18/rate_j⌋ raw units,
// admin share included.
func (p *Pool) Quote(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	t, _, _, _, err := p.trade(i, j, amountIn, nil)
	if err != nil {
		return cfmm.Trade{}, err
	}
	return t, nil
}

// Swap sells exactly amountIn raw units of coin i for coin j: Exchange with
// no minimum, reported as a cfmm.Trade whose fee is in the output coin.
func (p *Pool) Swap(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	return p.swap(i, j, amountIn, nil)
}

// SpotPrice returns the marginal price of coin i in coin j before fees, in
// raw units of j per raw unit of i, from the derivative of the invariant:
//
//	dy/dx = (Ann + D_P/x_i) / (Ann + D_P/x_j) · rate_i/rate_j,
//	D_P = D^(n+1)/(n^n·∏x),  Ann = A·n
//
// with the exact D and float64 arithmetic; where the contract's get_D
// reverts (a pool so imbalanced that every exchange reverts), with D solved
// in float64 (floatInvariant). It returns NaN for an invalid index or a
// pool with an empty coin, and 1 when i == j.
func (p *Pool) SpotPrice(i, j int) float64 {
	if p.checkIndex(i) != nil || p.checkIndex(j) != nil {
		return math.NaN()
	}
	if i == j {
		return 1
	}
	f, ok := p.floats()
	if !ok || f.d == 0 {
		return math.NaN()
	}
	n := float64(p.n)
	df := f.d
	dp := df
	for k := range p.n {
		dp = dp * df / (n * f.xp[k])
	}
	ann := float64(f.amp) * n / APrecision
	price := (ann + dp/f.xp[i]) / (ann + dp/f.xp[j])
	return price * p.rates[i].Float64() / p.rates[j].Float64()
}

// EstimateOut implements cfmm.Estimator: exchange's formula in float64,
// from the exact invariant D of the current balances,
//
//	y:  y² + (b − D)·y = c  by Newton's iteration from y = D,
//	dy = xp[j] − y − 1,  out = dy·(1 − fee)·1e18/rate_j
//
// (b and c as in GetY). Newton stops at a relative change of 1e-15.
func (p *Pool) EstimateOut(i, j int, in float64) (float64, bool) {
	if p.checkIndex(i) != nil || p.checkIndex(j) != nil || i == j || !(in >= 0) {
		return 0, false
	}
	f, ok := p.floats()
	if !ok || !f.exact || f.d == 0 {
		return 0, false
	}
	n := float64(p.n)
	df := f.d
	ann := float64(f.amp) * n
	x := f.xp[i] + in*p.rates[i].Float64()/Precision
	c, s := df, 0.0
	for k := range p.n {
		xk := f.xp[k]
		switch k {
		case i:
			xk = x
		case j:
			continue
		}
		s += xk
		c = c * df / (xk * n)
	}
	c = c * df * APrecision / (ann * n)
	b := s + df*APrecision/ann
	y := df
	for range maxIterations {
		prev := y
		y = (y*y + c) / (2*y + b - df)
		if math.Abs(y-prev) <= 1e-15*y {
			break
		}
	}
	dy := f.xp[j] - y - 1
	if dy <= 0 {
		return 0, true
	}
	dy -= dy * float64(p.fee) / FeeDenominator
	return dy * Precision / p.rates[j].Float64(), true
}

// OptimalIn implements cfmm.Optimizer. In normalized units, selling coin
// i moves its balance to x = xp_i + a·rate_i/1e18 and coin j's to the y
// of y² + (b − D)·y = c (GetY's equation, with c = C/x and b = b₀ + x,
// C and b₀ not depending on x). The output is (xp_j − y − 1)·(1 − fee)
// raw-scaled by 1e18/rate_j, so the profit is maximal where
//
//	φ(x) = −y'(x) − K = 0,  K = price·rate_j/(rate_i·(1 − fee)),
//	−y' = (C/x² + y)/G,  y'' = (2C/x³ − 2y'(1 + y'))/G,  G = 2y + b − D
//
// (implicit derivatives of the equation). −y' falls as x grows (the
// invariant's level set is convex), so φ has one root, found by Newton's
// method on φ kept inside a bracket that bisection narrows when a Newton
// step leaves it, to a relative precision of 1e-12 in the trade, 1e-15
// of xp_i (x's own float64 resolution) or until φ is zero to float64
// precision; y comes from the quadratic formula at each x. The bracket's top is the input 10
// times the pool's balance of i.
func (p *Pool) OptimalIn(i, j int, price float64) float64 {
	if p.checkIndex(i) != nil || p.checkIndex(j) != nil || i == j || !(price > 0) {
		return 0
	}
	f, ok := p.floats()
	if !ok || !f.exact || f.d == 0 {
		return 0
	}
	n := float64(p.n)
	df := f.d
	ann := float64(f.amp) * n
	ri, rj := p.rates[i].Float64()/Precision, p.rates[j].Float64()/Precision
	gamma := 1 - float64(p.fee)/FeeDenominator
	if !(gamma > 0) {
		return 0
	}
	k := price * rj / (ri * gamma)
	// c·x and b − x: C and b₀ at the current balances.
	c, b0 := df, df*APrecision/ann
	for m := range p.n {
		if m == j {
			continue
		}
		c = c * df / (f.xp[m] * n)
		if m != i {
			b0 += f.xp[m]
		}
	}
	bigC := c * df * APrecision / (ann * n) * f.xp[i]
	// slope returns y(x), −y'(x) and y''(x).
	slope := func(x float64) (y, dy, d2y float64) {
		c := bigC / x
		e := b0 + x - df // b − D
		sq := math.Sqrt(e*e + 4*c)
		if e >= 0 {
			y = 2 * c / (e + sq)
		} else {
			y = (sq - e) / 2
		}
		g := 2*y + e
		dy = (bigC/(x*x) + y) / g
		d2y = (2*bigC/(x*x*x) + 2*dy*(1-dy)) / g
		return y, dy, d2y
	}
	lo, hi := f.xp[i], f.xp[i]+10*p.balances[i].Float64()*ri
	_, s0, d0 := slope(lo)
	if !(s0 > k) {
		return 0
	}
	if _, s, _ := slope(hi); s >= k {
		return (hi - lo) / ri
	}
	// Newton from lo: φ > 0 left of the root, < 0 right of it.
	x, s, d2 := lo, s0, d0
	for range 100 {
		if math.Abs(s-k) <= 0x1p-52*k {
			break // φ = 0 to the resolution of its float64 terms
		}
		if s > k {
			lo = x
		} else {
			hi = x
		}
		// x' = x − φ/φ' with φ' = −y''.
		next := x + (s-k)/d2
		if !(next > lo && next < hi) {
			next = lo + (hi-lo)/2
		}
		// x resolves the trade only to float64's precision of xp_i: stop
		// at 1e-12 of the trade or a few units in xp_i's last place.
		tol := 1e-12*(next-f.xp[i]) + 1e-15*f.xp[i]
		done := math.Abs(next-x) <= tol || hi-lo <= tol
		x = next
		if done {
			break
		}
		_, s, d2 = slope(x)
	}
	return (x - f.xp[i]) / ri
}

// floats returns the normalized balances and the invariant of the current
// balances and A as float64, computed once per pool state. The invariant is
// the exact one where the contract's get_D converges; where it reverts (an
// extremely imbalanced pool, whose every exchange then reverts too) it is
// floatInvariant's, and f.exact is false.
func (p *Pool) floats() (*floatMemo, bool) {
	amp := p.APrecise()
	f := &p.fMemo
	if f.valid && f.amp == amp && f.bal == p.balances {
		return f, true
	}
	var a arith
	xp := p.xp(&a, &p.balances)
	if a.err != nil {
		return f, false
	}
	for k := range p.n {
		f.xp[k] = xp[k].Float64()
	}
	d, err := p.invariant(&xp, amp)
	exact, df := err == nil, d.Float64()
	if !exact {
		var ok bool
		if df, ok = floatInvariant(f.xp[:p.n], amp); !ok {
			f.valid = false
			return f, false
		}
	}
	f.valid, f.exact, f.amp, f.bal, f.d = true, exact, amp, p.balances, df
	return f, true
}

// floatInvariant solves the StableSwap invariant
//
//	Ann·S + D = Ann·D + D^(n+1)/(n^n·∏x),  Ann = A·n,  S = Σx
//
// for D in float64 by the contract's Newton iteration
//
//	D' = (Ann·S + n·D_P)·D / ((Ann − 1)·D + (n + 1)·D_P),  D_P = D^(n+1)/(n^n·∏x)
//
// from D = S until D changes by at most 1e-15 of itself, at most 255
// iterations. It reports false if D does not settle or a balance is zero
// (D_P undefined). It gives a pool the exact get_D cannot solve a
// marginal price.
func floatInvariant(xp []float64, amp uint64) (float64, bool) {
	n := float64(len(xp))
	ann := float64(amp) * n / APrecision
	var s float64
	for _, x := range xp {
		if !(x > 0) {
			return 0, false
		}
		s += x
	}
	d := s
	for range maxIterations {
		dp := d
		for _, x := range xp {
			dp = dp * d / (n * x)
		}
		next := (ann*s + n*dp) * d / ((ann-1)*d + (n+1)*dp)
		if !(next > 0) || math.IsInf(next, 0) {
			return 0, false
		}
		if math.Abs(next-d) <= 1e-15*next {
			return next, true
		}
		d = next
	}
	return 0, false
}

func (p *Pool) checkAmounts(amounts []uint256.Int) error {
	if len(amounts) != p.n {
		return errLengthDiffer
	}
	return nil
}

// imbalanceFee is fee·n/(4(n−1)), the per-coin fee rate of liquidity
// operations that change the pool's composition.
func (p *Pool) imbalanceFee() uint64 {
	n := uint64(p.n)
	return p.fee * n / (4 * (n - 1))
}

// CalcTokenAmount returns the change of LP supply a deposit (or
// withdrawal) of amounts would cause, without fees (calc_token_amount):
// |D1 − D0|·supply/D0.
func (p *Pool) CalcTokenAmount(amounts []uint256.Int, deposit bool) (uint256.Int, error) {
	if err := p.checkAmounts(amounts); err != nil {
		return uint256.Int{}, err
	}
	amp := p.APrecise()
	var a arith
	xp := p.xp(&a, &p.balances)
	if a.err != nil {
		return uint256.Int{}, a.err
	}
	d0, err := GetD(xp[:p.n], amp)
	if err != nil {
		return uint256.Int{}, err
	}
	bal := p.balances
	for k := range p.n {
		if deposit {
			a.add(&bal[k], &bal[k], &amounts[k])
		} else {
			a.sub(&bal[k], &bal[k], &amounts[k])
		}
	}
	xp = p.xp(&a, &bal)
	if a.err != nil {
		return uint256.Int{}, a.err
	}
	d1, err := GetD(xp[:p.n], amp)
	if err != nil {
		return uint256.Int{}, err
	}
	var diff uint256.Int
	if deposit {
		a.sub(&diff, &d1, &d0)
	} else {
		a.sub(&diff, &d0, &d1)
	}
	a.mul(&diff, &diff, &p.supply)
	a.div(&diff, &diff, &d0)
	return diff, a.err
}

// chargeImbalance applies the imbalance fee of add_liquidity and
// remove_liquidity_imbalance: for each coin, fee_k = f·|D1·old_k/D0 −
// new_k|/1e10 with f = imbalanceFee(); the pool keeps new_k minus the admin
// share of fee_k, and D2 is computed from new_k − fee_k.
func (p *Pool) chargeImbalance(a *arith, old, bal *[MaxCoins]uint256.Int, d0, d1 *uint256.Int, amp uint64) (kept, admin [MaxCoins]uint256.Int, d2 uint256.Int, err error) {
	f := p.imbalanceFee()
	var reduced [MaxCoins]uint256.Int
	for k := range p.n {
		var ideal, diff, fee uint256.Int
		a.mul(&ideal, d1, &old[k])
		a.div(&ideal, &ideal, d0)
		if ideal.Gt(&bal[k]) {
			diff.Sub(&ideal, &bal[k])
		} else {
			diff.Sub(&bal[k], &ideal)
		}
		a.mul64(&fee, &diff, f)
		a.div64(&fee, &fee, FeeDenominator)
		a.mul64(&admin[k], &fee, p.adminFee)
		a.div64(&admin[k], &admin[k], FeeDenominator)
		a.sub(&kept[k], &bal[k], &admin[k])
		a.sub(&reduced[k], &bal[k], &fee)
	}
	xp := p.xp(a, &reduced)
	if a.err != nil {
		return kept, admin, d2, a.err
	}
	d2, err = GetD(xp[:p.n], amp)
	return kept, admin, d2, err
}

// AddLiquidity deposits amounts (raw units, one per coin) and returns the
// LP tokens minted (add_liquidity). The first deposit must include every
// coin and mints D. Later deposits mint supply·(D2 − D0)/D0, where D2 is
// the invariant after the imbalance fee (see CalcTokenAmount for the
// fee-free amount). It reverts if the invariant does not grow or the mint
// is below minMint.
func (p *Pool) AddLiquidity(amounts []uint256.Int, minMint *uint256.Int) (uint256.Int, error) {
	var mint uint256.Int
	if err := p.checkAmounts(amounts); err != nil {
		return mint, err
	}
	amp := p.APrecise()
	var a arith
	old := p.balances
	xp := p.xp(&a, &old)
	if a.err != nil {
		return mint, a.err
	}
	d0, err := GetD(xp[:p.n], amp)
	if err != nil {
		return mint, err
	}
	bal := old
	for k := range p.n {
		if p.supply.IsZero() && amounts[k].IsZero() {
			return mint, errInitialDeposit
		}
		a.add(&bal[k], &bal[k], &amounts[k])
	}
	xp = p.xp(&a, &bal)
	if a.err != nil {
		return mint, a.err
	}
	d1, err := GetD(xp[:p.n], amp)
	if err != nil {
		return mint, err
	}
	if !d1.Gt(&d0) {
		return mint, errDNotIncreased
	}
	kept, admin := bal, [MaxCoins]uint256.Int{}
	if p.supply.IsZero() {
		mint = d1 // the first depositor takes any dust
	} else {
		var d2 uint256.Int
		kept, admin, d2, err = p.chargeImbalance(&a, &old, &bal, &d0, &d1, amp)
		if err != nil {
			return mint, err
		}
		a.sub(&mint, &d2, &d0)
		a.mul(&mint, &mint, &p.supply)
		a.div(&mint, &mint, &d0)
	}
	var supply uint256.Int
	a.add(&supply, &p.supply, &mint)
	if a.err != nil {
		return uint256.Int{}, a.err
	}
	if minMint != nil && mint.Lt(minMint) {
		return uint256.Int{}, errSlippageLP
	}
	p.commit(&kept, &admin, &supply)
	return mint, nil
}

func (p *Pool) commit(bal, admin *[MaxCoins]uint256.Int, supply *uint256.Int) {
	p.balances = *bal
	for k := range p.n {
		p.admin[k].Add(&p.admin[k], &admin[k])
	}
	p.supply = *supply
}

// RemoveLiquidity burns amount LP tokens for a proportional share of every
// coin, ⌊balance·amount/supply⌋ each, written into dst, without fees
// (remove_liquidity). minAmounts may be nil; otherwise it reverts if a coin
// falls short of its minimum. dst may be nil.
func (p *Pool) RemoveLiquidity(amount *uint256.Int, minAmounts, dst []uint256.Int) error {
	if amount == nil {
		return errNilAmount
	}
	if minAmounts != nil {
		if err := p.checkAmounts(minAmounts); err != nil {
			return err
		}
	}
	var a arith
	var out, bal [MaxCoins]uint256.Int
	for k := range p.n {
		a.mul(&out[k], &p.balances[k], amount)
		a.div(&out[k], &out[k], &p.supply)
		if a.err != nil {
			return a.err
		}
		if minAmounts != nil && out[k].Lt(&minAmounts[k]) {
			return errSlippageWithdraw
		}
		a.sub(&bal[k], &p.balances[k], &out[k])
	}
	if amount.Gt(&p.supply) {
		return errBurnExceeds
	}
	if a.err != nil {
		return a.err
	}
	var supply uint256.Int
	supply.Sub(&p.supply, amount)
	p.commit(&bal, &[MaxCoins]uint256.Int{}, &supply)
	copy(dst, out[:p.n])
	return nil
}

// RemoveLiquidityImbalance withdraws exactly amounts (raw units, one per
// coin) and returns the LP tokens burned (remove_liquidity_imbalance):
// (D0 − D2)·supply/D0 + 1, D2 being the invariant after the imbalance fee.
// It reverts if that exceeds maxBurn (nil for no limit) or is zero before
// the +1.
func (p *Pool) RemoveLiquidityImbalance(amounts []uint256.Int, maxBurn *uint256.Int) (uint256.Int, error) {
	var burn uint256.Int
	if err := p.checkAmounts(amounts); err != nil {
		return burn, err
	}
	amp := p.APrecise()
	var a arith
	old := p.balances
	xp := p.xp(&a, &old)
	if a.err != nil {
		return burn, a.err
	}
	d0, err := GetD(xp[:p.n], amp)
	if err != nil {
		return burn, err
	}
	bal := old
	for k := range p.n {
		a.sub(&bal[k], &bal[k], &amounts[k])
	}
	xp = p.xp(&a, &bal)
	if a.err != nil {
		return burn, a.err
	}
	d1, err := GetD(xp[:p.n], amp)
	if err != nil {
		return burn, err
	}
	kept, admin, d2, err := p.chargeImbalance(&a, &old, &bal, &d0, &d1, amp)
	if err != nil {
		return burn, err
	}
	a.sub(&burn, &d0, &d2)
	a.mul(&burn, &burn, &p.supply)
	a.div(&burn, &burn, &d0)
	if a.err != nil {
		return uint256.Int{}, a.err
	}
	if burn.IsZero() {
		return burn, errZeroBurn
	}
	// One more unit against rounding, to the detriment of the withdrawer.
	var one uint256.Int
	one.SetOne()
	a.add(&burn, &burn, &one)
	if a.err != nil {
		return uint256.Int{}, a.err
	}
	if maxBurn != nil && burn.Gt(maxBurn) {
		return uint256.Int{}, errSlippageLP
	}
	if burn.Gt(&p.supply) {
		return uint256.Int{}, errBurnExceeds
	}
	var supply uint256.Int
	supply.Sub(&p.supply, &burn)
	p.commit(&kept, &admin, &supply)
	return burn, nil
}

// calcWithdrawOneCoin is the contract's _calc_withdraw_one_coin: the amount
// paid and the fee (both raw units of coin i).
func (p *Pool) calcWithdrawOneCoin(tokenAmount *uint256.Int, i int) (dy, fee uint256.Int, err error) {
	if tokenAmount == nil {
		return dy, fee, errNilAmount
	}
	if err := p.checkIndex(i); err != nil {
		return dy, fee, err
	}
	amp := p.APrecise()
	var a arith
	xp := p.xp(&a, &p.balances)
	if a.err != nil {
		return dy, fee, a.err
	}
	d0, err := GetD(xp[:p.n], amp)
	if err != nil {
		return dy, fee, err
	}
	var d1 uint256.Int
	a.mul(&d1, tokenAmount, &d0)
	a.div(&d1, &d1, &p.supply)
	a.sub(&d1, &d0, &d1)
	if a.err != nil {
		return dy, fee, a.err
	}
	newY, err := GetYD(i, xp[:p.n], &d1, amp)
	if err != nil {
		return dy, fee, err
	}
	f := p.imbalanceFee()
	reduced := xp
	for k := range p.n {
		var expected, t uint256.Int
		a.mul(&t, &xp[k], &d1)
		a.div(&t, &t, &d0)
		if k == i {
			a.sub(&expected, &t, &newY)
		} else {
			a.sub(&expected, &xp[k], &t)
		}
		a.mul64(&t, &expected, f)
		a.div64(&t, &t, FeeDenominator)
		a.sub(&reduced[k], &reduced[k], &t)
	}
	if a.err != nil {
		return dy, fee, a.err
	}
	y, err := GetYD(i, reduced[:p.n], &d1, amp)
	if err != nil {
		return dy, fee, err
	}
	// One unit less "to account for rounding errors"; with rate =
	// 10^(36−decimals) the division by rate/1e18 equals the templates'
	// division by PRECISION_MUL.
	var one, dy0 uint256.Int
	one.SetOne()
	a.sub(&dy, &reduced[i], &y)
	a.sub(&dy, &dy, &one)
	a.mul64(&dy, &dy, Precision)
	a.div(&dy, &dy, &p.rates[i])
	a.sub(&dy0, &xp[i], &newY)
	a.mul64(&dy0, &dy0, Precision)
	a.div(&dy0, &dy0, &p.rates[i])
	a.sub(&fee, &dy0, &dy)
	return dy, fee, a.err
}

// CalcWithdrawOneCoin returns what RemoveLiquidityOneCoin(tokenAmount, i)
// would pay (calc_withdraw_one_coin). With D1 = D0 − tokenAmount·D0/supply
// and y = GetYD(i, xp, D1), each coin's normalized balance is reduced by
// the imbalance fee on its distance from the proportional withdrawal
// (xp_i·D1/D0 − y for coin i, xp_k − xp_k·D1/D0 for the others); the
// payment is (xp'_i − GetYD(i, xp', D1) − 1)·1e18/rate_i, floored.
func (p *Pool) CalcWithdrawOneCoin(tokenAmount *uint256.Int, i int) (uint256.Int, error) {
	dy, _, err := p.calcWithdrawOneCoin(tokenAmount, i)
	return dy, err
}

// RemoveLiquidityOneCoin burns tokenAmount LP tokens for coin i and returns
// the amount paid (remove_liquidity_one_coin, see CalcWithdrawOneCoin). The
// pool's balance of i falls by the payment and by the admin share of the
// fee; it reverts if the payment is below minAmount (nil for none).
func (p *Pool) RemoveLiquidityOneCoin(tokenAmount *uint256.Int, i int, minAmount *uint256.Int) (uint256.Int, error) {
	dy, fee, err := p.calcWithdrawOneCoin(tokenAmount, i)
	if err != nil {
		return uint256.Int{}, err
	}
	if minAmount != nil && dy.Lt(minAmount) {
		return uint256.Int{}, errSlippageOne
	}
	var a arith
	var admin [MaxCoins]uint256.Int
	a.mul64(&admin[i], &fee, p.adminFee)
	a.div64(&admin[i], &admin[i], FeeDenominator)
	var take uint256.Int
	a.add(&take, &dy, &admin[i])
	bal := p.balances
	a.sub(&bal[i], &bal[i], &take)
	if a.err != nil {
		return uint256.Int{}, a.err
	}
	if tokenAmount.Gt(&p.supply) {
		return uint256.Int{}, errBurnExceeds
	}
	var supply uint256.Int
	supply.Sub(&p.supply, tokenAmount)
	p.commit(&bal, &admin, &supply)
	return dy, nil
}

// FeeRate returns the swap fee as a fraction of the output, fee/1e10.
func (p *Pool) FeeRate() float64 { return float64(p.fee) / FeeDenominator }
