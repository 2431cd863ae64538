package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

// Borrowers is a population of Count positions in a protocol.LendingPool, each
// depositing Deposit whole tokens of the collateral reserve and borrowing
// the debt reserve to a target health factor h (weighted collateral over
// debt), drawn uniformly from [HealthLo, HealthHi] per position and run.
// A position's liquidation price is about h times below its opening price,
// so the spread of targets is the spread of liquidation prices a cascade
// walks down.
//
// Borrowed tokens leave the model (spent), unless the borrowers loop: with
// Loops > 0 the loan is turned into more collateral — swapped on
// LoopVenue, or, with LoopVenue < 0, staked at the ratio of the two
// external prices (deposit a staking token, borrow the native token, stake
// it again) — deposited, and borrowed against again, Loops rounds in all. Looping
// to h multiplies the exposure by up to 1/(1 − LT/h), LT the liquidation
// threshold.
//
// With Band > 0 the borrowers keep their targets each step: a position
// whose health rises above h·(1+Band) borrows (and loops) back to h; one
// whose health falls below h·(1−Band), while still safe, sells collateral
// on Venue to repay debt back toward h, withdrawing no more than keeps its
// health above 1.
type Borrowers struct {
	Pool               int // protocol index of the protocol.LendingPool
	Collateral, Debt   int // reserve indices
	Count              int
	Deposit            float64 // whole collateral tokens per position
	HealthLo, HealthHi float64
	// Loops is the number of borrow-and-redeposit rounds; 0 spends the
	// single loan.
	Loops     int
	LoopVenue int // m.Venues index, or −1 to stake at external prices
	Band      float64
	Venue     int // where deleveraging sells collateral; −1: never deleverage
	// Route, with Venue −1, makes deleveraging sell collateral for the
	// debt along the best route of up to three hops among all venues
	// (Routes, BestRoute), each hop exact.
	Route bool
	// OpenedAt, if positive, is the collateral's price (numeraire per whole
	// token) when the Count starting positions were opened: they borrow to
	// their targets at that price, under the protocol's checks, and start
	// the run at the health today's price gives them — a scenario can
	// start mid-crisis.
	OpenedAt float64
	// Arrivals is the expected number of new positions a step (a Poisson
	// process), each opened at the step's prices with its own target.
	Arrivals float64

	pool                  *protocol.LendingPool
	users                 []int
	mine                  []bool // by user id: one of users
	target                []float64
	opened, levered, sold float64
	failed, arrived       int
	rng                   *rand.Rand
	dep                   uint256.Int
	routes                []Route
}

// Reset implements Agent: opens the starting positions, at step 0 or at
// OpenedAt.
func (b *Borrowers) Reset(m *market.Market, rng *rand.Rand) {
	b.pool = m.Protocols[b.Pool].(*protocol.LendingPool)
	b.users, b.target = b.users[:0], b.target[:0]
	clear(b.mine)
	b.opened, b.levered, b.sold, b.failed, b.arrived = 0, 0, 0, 0, 0
	b.rng = rng
	p := b.pool
	b.dep = cfmm.Amount(b.Deposit * math.Pow(10, float64(p.Decimals[b.Collateral])))
	b.routes = nil
	if b.Route && b.Venue < 0 {
		b.routes = Routes(m, p.Assets[b.Collateral], p.Assets[b.Debt], 3)
	}
	open := func() {
		for range b.Count {
			b.open(m)
		}
	}
	if b.OpenedAt > 0 {
		if p.OpenAt(b.Collateral, b.OpenedAt, open) != nil {
			b.failed++
		}
		return
	}
	open()
}

// open registers one position, deposits and borrows to a target drawn
// from [HealthLo, HealthHi].
func (b *Borrowers) open(m *market.Market) {
	p := b.pool
	h := b.HealthLo + (b.HealthHi-b.HealthLo)*b.rng.Float64()
	u := p.Register()
	b.users = append(b.users, u)
	for len(b.mine) <= u {
		b.mine = append(b.mine, false)
	}
	b.mine[u] = true
	b.target = append(b.target, h)
	p.Fund(u, b.Collateral, &b.dep)
	if p.Supply(u, b.Collateral, &b.dep) != nil {
		b.failed++
		return
	}
	b.lever(m, u, h)
	b.opened += p.Account(u).Debt
}

// poisson draws a Poisson count of mean lambda (small: inversion).
func poisson(rng *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	n, p, l := 0, rng.Float64(), math.Exp(-lambda)
	for p > l {
		n++
		p *= rng.Float64()
	}
	return n
}

// lever borrows toward health h. Without looping the loan is spent; with
// Loops rounds each loan becomes collateral and is borrowed against again.
func (b *Borrowers) lever(m *market.Market, u int, h float64) {
	p := b.pool
	for range max(b.Loops, 1) {
		v := p.Account(u)
		want := v.Weighted/h - v.Debt
		// Stay inside the borrowing limit (Aave's LTV is below its
		// liquidation threshold), with a margin for rounding.
		want = min(want, v.Available*0.999)
		if want <= 0 {
			return
		}
		amt := cfmm.Amount(want / p.PriceOf(b.Debt) * math.Pow(10, float64(p.Decimals[b.Debt])))
		if amt.IsZero() || p.Borrow(u, b.Debt, &amt) != nil {
			b.failed++
			return
		}
		b.levered += want
		if b.Loops == 0 {
			_ = p.Remove(u, b.Debt, &amt)
			return
		}
		got, ok := b.convert(m, u, &amt)
		if !ok || p.Supply(u, b.Collateral, &got) != nil {
			b.failed++
			return
		}
	}
}

// convert turns amt of the debt token in u's wallet into the collateral
// token: a swap on LoopVenue, or staking at the external price ratio.
func (b *Borrowers) convert(m *market.Market, u int, amt *uint256.Int) (uint256.Int, bool) {
	p := b.pool
	if err := p.Remove(u, b.Debt, amt); err != nil {
		return uint256.Int{}, false
	}
	var out uint256.Int
	if b.LoopVenue >= 0 {
		v := m.Venues[b.LoopVenue]
		i, j := venueIndex(v, p.Assets[b.Debt]), venueIndex(v, p.Assets[b.Collateral])
		t, err := v.Swap(m, i, j, amt)
		if err != nil {
			return out, false
		}
		out = t.Out
	} else {
		dA, cA := p.Assets[b.Debt], p.Assets[b.Collateral]
		out = cfmm.Amount(amt.Float64() * m.RawPrice(dA) / m.RawPrice(cA))
	}
	if out.IsZero() {
		return out, false
	}
	p.Fund(u, b.Collateral, &out)
	return out, true
}

// venueIndex returns the venue's token index of asset a, or −1.
func venueIndex(v *market.Venue, a int) int {
	for k, x := range v.Assets {
		if x == a {
			return k
		}
	}
	return -1
}

// Act implements Agent: new positions arrive; with a band, positions
// return to their targets.
func (b *Borrowers) Act(m *market.Market) {
	if b.Arrivals > 0 {
		for range poisson(b.rng, b.Arrivals) {
			b.open(m)
			b.arrived++
		}
	}
	if b.Band <= 0 {
		return
	}
	p := b.pool
	for k, u := range b.users {
		h := b.target[k]
		v := p.Account(u)
		if v.Debt <= 0 || v.Liquidatable {
			continue
		}
		switch hf := v.Health(); {
		case hf > h*(1+b.Band):
			b.lever(m, u, h)
		case hf < h*(1-b.Band) && (b.Venue >= 0 || b.routes != nil):
			b.deleverage(m, u, h, &v)
		}
	}
}

// deleverage withdraws collateral worth y and sells it to repay debt, with
// y = (h·D − W)/(h − W/C) bringing the health to h (D debt, C collateral,
// W weighted collateral), capped so the withdrawal alone leaves the health
// above 1.
func (b *Borrowers) deleverage(m *market.Market, u int, h float64, v *protocol.AccountView) {
	p := b.pool
	lt := v.Weighted / v.Collateral
	if h <= lt {
		return
	}
	y := (h*v.Debt - v.Weighted) / (h - lt)
	y = min(y, 0.98*(v.Collateral-v.Debt/lt))
	if y <= 0 {
		return
	}
	amt := cfmm.Amount(y / p.PriceOf(b.Collateral) * math.Pow(10, float64(p.Decimals[b.Collateral])))
	if amt.IsZero() {
		return
	}
	got, err := p.Withdraw(u, b.Collateral, &amt)
	if err != nil || p.Remove(u, b.Collateral, &got) != nil {
		return
	}
	out, ok := b.sell(m, &got)
	if !ok {
		// The sale failed: the collateral goes back.
		p.Fund(u, b.Collateral, &got)
		_ = p.Supply(u, b.Collateral, &got)
		return
	}
	p.Fund(u, b.Debt, &out)
	b.sold += got.Float64() * m.RawPrice(p.Assets[b.Collateral])
	if _, err := p.Repay(u, b.Debt, &out); err != nil {
		return
	}
	// What the repayment did not use is spent.
	if left := p.Balance(u, b.Debt); !left.IsZero() {
		_ = p.Remove(u, b.Debt, &left)
	}
}

// sell sells collateral for the debt token on Venue or along the best
// route; a route that fails part-way is undone by nothing (the pools keep
// the hops made) and reported as failed, with what it held lost.
func (b *Borrowers) sell(m *market.Market, amt *uint256.Int) (uint256.Int, bool) {
	p := b.pool
	if b.Venue >= 0 {
		ven := m.Venues[b.Venue]
		t, err := ven.Swap(m, venueIndex(ven, p.Assets[b.Collateral]), venueIndex(ven, p.Assets[b.Debt]), amt)
		return t.Out, err == nil
	}
	r, _, ok := BestRoute(m, b.routes, amt)
	if !ok {
		return uint256.Int{}, false
	}
	out, _, err := r.Swap(m, amt)
	if err != nil {
		b.failed++
		return uint256.Int{}, true
	}
	return out, true
}

// Metrics implements Agent.
func (b *Borrowers) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "opened", Unit: "numeraire", Doc: "debt at opening, oracle prices", Worse: metric.HigherIsWorse},
		{Name: "borrowed", Unit: "numeraire", Doc: "all borrowing, opening and re-levering, at oracle prices", Worse: metric.HigherIsWorse},
		{Name: "deleveraged", Unit: "numeraire", Doc: "collateral sold to deleverage, at external prices", Worse: metric.HigherIsWorse},
		{Name: "liquidatable", Unit: "count", Doc: "positions that can be liquidated now", Worse: metric.HigherIsWorse},
		{Name: "underwater", Unit: "count", Doc: "positions whose debt exceeds their collateral", Worse: metric.HigherIsWorse},
		{Name: "arrived", Unit: "count", Doc: "positions opened after the start", Worse: metric.Neutral},
	}
}

// Observe implements Agent.
func (b *Borrowers) Observe(_ *market.Market, dst []float64) {
	var liq, under int
	for _, r := range b.pool.Risky() {
		if r.User >= len(b.mine) || !b.mine[r.User] {
			continue
		}
		if r.Liquidatable {
			liq++
		}
		if r.Underwater {
			under++
		}
	}
	dst[0], dst[1], dst[2], dst[3], dst[4] = b.opened, b.levered, b.sold, float64(liq), float64(under)
	dst[5] = float64(b.arrived)
}
