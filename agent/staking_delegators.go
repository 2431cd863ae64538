package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
)

// Delegator modes.
const (
	posHold uint8 = iota
	posLend
	posStake
	posLever
)

// StakeDelegators are holders who chase yield between holding, the
// external lending market, staking and — with Derivatives — staking while
// borrowing the synthetic against their stake, selling it and lending the
// proceeds.
//
// At Reset each draws its wealth from Wealth and a mode: staking with
// probability Staked, lending with probability Lent, holding otherwise.
// Each step, from the first epoch on, each reconsiders with probability
// SwitchProb (inertia: the mean time between reconsiderations is
// 1/SwitchProb steps) and moves to the mode with the highest yield if it
// beats its current one by more than Threshold (a year fraction):
//
//	hold: 0   lend: r_lend   stake: y   lever: y + LTV/CR·(p·r_lend − r_borrow)
//
// where y is the staking yield estimate, p the synthetic's pool price in
// native, CR the collateral ratio and r_borrow the synthetic's rate; lever
// is offered only while new loans are not halted. Moving honours the
// unbonding delay: leaving staking repays loans (withdrawing from lending
// and buying synthetic as needed), unbonds, and waits for the release;
// withdrawals are limited by the lending market's cash. Delegations go to
// a validator drawn uniformly (or in proportion to stake, StakeWeighted)
// and are moved when it dies. A levered delegator borrows LTV of its
// limit (valued at the mark, or at par when the mark is higher), sells the synthetic while the pool price net of the fee stays at
// or above Floor and lends the proceeds; repaying buys synthetic up to
// 1/Floor, at any price once a loan is due (recalled or maturing) or its
// validator dead.
// Synthetic beyond what is owed is dumped.
type StakeDelegators struct {
	Protocol      int
	Count         int
	Wealth        StakeDistribution
	Staked, Lent  float64
	SwitchProb    float64
	Threshold     float64
	Derivatives   bool
	LTV           float64
	Floor         float64
	StakeWeighted bool

	s          *protocol.Staking
	rng        *rand.Rand
	draw       posDraw
	shuffle    posShuffle
	order      []int
	wealth     []uint64 // scratch for Observe
	ds         []posDelegator
	switches   int
	foreclosed int
	// general makes Act work every delegator, idle or not (tests compare
	// it with the idle skip).
	general bool
	idled   int // delegators not worked because idle, over the run
}

type posDelegator struct {
	acct    pos.AccountID
	mode    uint8
	v       pos.ValidatorID
	hasV    bool
	w       float64 // the draw that picks its validator
	busy    bool
	release uint64
	// loans is what work's last look at its loans found (see posLoans).
	loans posLoans
}

// posLoans is what a delegator's loans were at work's last look
// (Staking.SettleDebt): whether it owed anything and whether a loan was
// due, with the book's count of foreclosures and recalls then (events).
// Until the book forecloses or recalls a loan (events changes) or the
// delegator borrows or repays (only work does, and it clears ok before),
// SettleDebt would report no foreclosure and the same owes — a debt of
// open loans with the same normalised debt, rounded up, stays positive or
// zero — and the same due, where loans never mature (Term 0) or a loan
// was due already (recalled stays recalled, a maturity stays passed) or
// nothing was owed.
type posLoans struct {
	ok, owes, due bool
	events        int
}

// Reset implements Agent.
func (g *StakeDelegators) Reset(m *market.Market, rng *rand.Rand) {
	g.rng = rng
	g.draw = posDraw{rng: rng}
	g.shuffle.seed(rng)
	g.ds = g.ds[:0]
	g.switches, g.foreclosed, g.idled = 0, 0, 0
	g.s = posStaking(m, g.Protocol)
	if g.s == nil {
		return
	}
	for range g.Count {
		x := max(g.Wealth.draw(rng), 1)
		u, w := rng.Float64(), rng.Float64()
		acct, err := g.s.Endow(x)
		if err != nil {
			g.s = nil
			return
		}
		d := posDelegator{acct: acct, w: w, busy: true}
		switch {
		case u < g.Staked:
			d.mode = posStake
		case u < g.Staked+g.Lent:
			d.mode = posLend
		}
		d.busy = !g.work(m, &d)
		g.ds = append(g.ds, d)
	}
}

// ResetPCG implements market.PCGResetter: Reset, the moves' draws then
// taken from pcg directly (the same numbers).
func (g *StakeDelegators) ResetPCG(m *market.Market, rng *rand.Rand, pcg *rand.PCG) {
	g.Reset(m, rng)
	g.draw.pcg = pcg
}

// Metrics implements Agent.
func (g *StakeDelegators) Metrics() []metric.Def {
	lo, hi := metric.LowerIsWorse, metric.HigherIsWorse
	return []metric.Def{
		{Name: "staked_share", Unit: "fraction", Doc: "share of the delegators' gross wealth staked", Worse: lo},
		{Name: "lent_share", Unit: "fraction", Doc: "share lent in the external lending market", Worse: hi},
		{Name: "held_share", Unit: "fraction", Doc: "share held liquid or unbonding", Worse: hi},
		{Name: "levered", Unit: "fraction", Doc: "share of delegators staking with a synthetic loan", Worse: hi},
		{Name: "debt", Unit: "tokens", Doc: "synthetic the delegators owe", Worse: hi},
		{Name: "switches", Unit: "count", Doc: "decisions to change mode", Worse: hi},
		{Name: "foreclosed", Unit: "count", Doc: "delegators' loans foreclosed", Worse: hi},
	}
}

// Observe implements Agent.
func (g *StakeDelegators) Observe(m *market.Market, dst []float64) {
	clear(dst[:7])
	s := g.s
	if s == nil || s.Chain() == nil {
		return
	}
	var staked, lent, total, debt float64
	levered := 0
	g.wealth = s.Chain().Wealth(g.wealth[:0])
	cw := g.wealth
	for k := range g.ds {
		d := &g.ds[k]
		l := float64(s.Lent(d.acct))
		var st float64
		if d.hasV {
			if del, ok := s.Chain().Delegation(d.v, d.acct); ok {
				st = float64(del.Value)
			}
		}
		staked += st
		lent += l
		total += float64(cw[d.acct]) + l
		x, _ := s.Debt(d.acct)
		debt += float64(x)
		if d.mode == posLever && x > 0 {
			levered++
		}
	}
	if total > 0 {
		dst[0], dst[1] = staked/total, lent/total
		dst[2] = max(0, 1-dst[0]-dst[1])
	}
	if len(g.ds) > 0 {
		dst[3] = float64(levered) / float64(len(g.ds))
	}
	dst[4] = debt / float64(s.Unit())
	dst[5], dst[6] = float64(g.switches), float64(g.foreclosed)
}

// ObserveUnrecorded implements market.UnrecordedObserver: nothing, since
// none of the group's metrics can be non-finite. The shares divide sums of
// at most Count 64-bit amounts (finite) by such a sum guarded positive,
// the held share is at most 1 and at least 0, the levered share divides
// by Count > 0, the debt by the unit (10^decimals ≥ 1) and the rest are
// counts.
func (g *StakeDelegators) ObserveUnrecorded(m *market.Market, dst []float64) {}

// Act implements Agent.
func (g *StakeDelegators) Act(m *market.Market) {
	s := g.s
	if s == nil || s.Chain() == nil || s.Err() != nil {
		return
	}
	y := s.Yields()
	cr := rayFloat(&s.Config.Book.CollateralRatio)
	value := [4]float64{0, y.Lend, y.Stake, y.Stake + g.LTV/cr*(s.PoolPrice()*y.Lend-y.Borrow)}
	best := posHold
	for mode := posLend; mode <= posLever; mode++ {
		if mode == posLever && (!g.Derivatives || s.Halted()) {
			continue
		}
		if value[mode] > value[best] {
			best = mode
		}
	}
	epoch := s.NewEpoch()
	// Every delegator takes two draws a step, u and w, read only when a
	// move from its mode would pay: draws nobody reads are skipped in one
	// jump of the generator (posDraw.skip), the same stream.
	var moves [posLever + 1]bool
	for mode := range moves {
		moves[mode] = y.Valid && best != uint8(mode) && value[best]-value[mode] > g.Threshold
	}
	g.order = g.order[:0]
	var unread uint64
	for k := range g.ds {
		d := &g.ds[k]
		if !moves[d.mode] {
			unread += 2
		} else {
			g.draw.skip(unread)
			unread = 0
			if u, w := g.draw.float64(), g.draw.float64(); u < g.SwitchProb {
				d.mode, d.w, d.busy = best, w, true
				g.switches++
			}
		}
		// At each epoch, look again at what may have changed: a dead
		// validator, a levered position.
		if epoch && !d.busy && (d.mode == posLever || d.hasV && !s.Alive(d.v)) {
			d.busy = true
		}
		if d.busy {
			g.order = append(g.order, k)
		}
	}
	g.draw.skip(unread)
	// Those with something to do act in a fresh random order.
	g.shuffle.ints(g.order)
	// One whose loans are as work last saw them (posLoans) and for whom
	// work would do nothing (idle) is not worked: what work would return
	// is read off.
	// The book's events are read again only after a delegator worked:
	// nothing else runs in between.
	stable := s.Config.Book.Term == 0
	events := posLoanEvents(s)
	for _, k := range g.order {
		d := &g.ds[k]
		if l := &d.loans; !g.general && l.ok && l.events == events && (stable || !l.owes || l.due) {
			if idle, done := g.idle(d, l.owes, l.due); idle {
				d.busy = !done
				g.idled++
				continue
			}
		}
		d.busy = !g.work(m, d)
		events = posLoanEvents(s)
	}
}

// posLoanEvents counts the book's foreclosures and recalls so far: the
// events that change a loan other than its holder's own Borrow and Repay.
func posLoanEvents(s *protocol.Staking) int {
	b := s.Book()
	if b == nil {
		return 0
	}
	st := b.Stats()
	return st.Foreclosed + st.Recalled
}

// idle reports whether work would change nothing for d, given whether d
// owes anything (owes) and whether a loan is due (what SettleDebt reports,
// with no foreclosure to count), and what work would then return (done).
// It follows work's branches:
//
//   - owing, and repaying (not levered, or its validator dead, or a loan
//     due): with no synthetic, no liquid tokens and nothing lent, the
//     withdrawal pays nothing and the repayment buys nothing (no liquid
//     tokens) and pays nothing (no synthetic): work returns false;
//   - otherwise: nothing to unbond (no validator, or one it stays with),
//     nothing to withdraw (lending wanted, or nothing lent), no synthetic
//     to sell (none held), no liquid tokens to place (dust at most, or
//     holding), and no loan to take (not levered, or owing already, or no
//     validator): work returns whether its unbonding is released.
//
// Anything else is not idle (false), though work may find nothing to do.
func (g *StakeDelegators) idle(d *posDelegator, owes, due bool) (idle, done bool) {
	s := g.s
	c := s.Chain()
	if s.Synthetic(d.acct) != 0 {
		return false, false
	}
	liquid := c.Liquid(d.acct)
	dead := d.hasV && !s.Alive(d.v)
	if owes && (d.mode != posLever || dead || due) {
		return liquid == 0 && s.Lent(d.acct) == 0, false
	}
	if d.hasV && (d.mode < posStake || dead) {
		return false, false
	}
	if d.mode != posLend && d.mode != posLever && s.Lent(d.acct) > 0 {
		return false, false
	}
	if d.mode != posHold && liquid > max(s.Unit()/100, 1) {
		return false, false
	}
	if d.mode == posLever && !owes && d.hasV {
		return false, false
	}
	return true, c.Epoch() >= d.release
}

// work moves a posDelegator toward its mode and reports whether it is there.
func (g *StakeDelegators) work(m *market.Market, d *posDelegator) bool {
	s := g.s
	c := s.Chain()
	dust := max(s.Unit()/100, 1)
	needStake := d.mode >= posStake
	needLend := d.mode == posLend || d.mode == posLever
	foreclosed, debt, recalled := s.SettleDebt(d.acct)
	g.foreclosed += foreclosed
	d.loans = posLoans{true, debt > 0, recalled, posLoanEvents(s)}
	if idle, done := g.idle(d, debt > 0, recalled); idle && !g.general {
		return done
	}
	// What follows may borrow or repay.
	d.loans.ok = false
	dead := d.hasV && !s.Alive(d.v)
	if debt > 0 && (d.mode != posLever || dead || recalled) {
		if h := s.Synthetic(d.acct); h < debt {
			want := uint64(float64(debt-h) * max(s.PoolPrice(), 1) * 1.1)
			if l := c.Liquid(d.acct); l < want {
				_, _ = s.Withdraw(d.acct, want-l)
			}
		}
		ceiling := 1 / sellFloor(s, g.Floor)
		if recalled || dead {
			ceiling = math.Inf(1)
		}
		if posRepay(m, s, d.acct, debt, ceiling) > 0 {
			return false
		}
		debt = 0
	}
	if d.hasV && (!needStake || dead) {
		if del, ok := c.Delegation(d.v, d.acct); ok && del.Shares > del.Locked {
			if got, err := c.Unbond(d.v, d.acct, del.Shares-del.Locked); err == nil && got > 0 {
				d.release = c.Epoch() + c.Config().UnbondingDelay
			}
		}
		if del, ok := c.Delegation(d.v, d.acct); ok && del.Shares > 0 {
			return false // locked or frozen: try again later
		}
		d.hasV = false
	}
	if !needLend && s.Lent(d.acct) > 0 {
		_, _ = s.Withdraw(d.acct, math.MaxUint64)
		if s.Lent(d.acct) > dust {
			return false
		}
	}
	if h := s.Synthetic(d.acct); h > debt {
		sellSynthetic(m, s, d.acct, h-debt, 0)
	}
	liquid := c.Liquid(d.acct)
	switch d.mode {
	case posStake, posLever:
		if liquid > dust {
			if !d.hasV {
				v, ok := s.ChooseValidator(d.w, g.StakeWeighted)
				if !ok {
					return false
				}
				d.v, d.hasV = v, true
			}
			if _, err := c.Delegate(d.v, d.acct, liquid); err != nil {
				return false
			}
		}
		if d.mode == posLever && debt == 0 && d.hasV && !s.Halted() {
			if del, ok := c.Delegation(d.v, d.acct); ok && del.Shares > del.Locked {
				free := del.Shares - del.Locked
				// The limit at the mark, but never above its value at par:
				// a discount does not let it owe more (as operators size
				// their debt).
				amount := uint64(float64(s.MaxBorrow(d.v, free)) * g.LTV * min(1, 1/s.Mark()))
				if amount >= dust {
					_, _ = s.Borrow(d.acct, d.v, free, amount)
				}
			}
		}
	case posLend:
		if liquid > dust {
			_ = s.Deposit(d.acct, liquid)
		}
	}
	if d.mode == posLever {
		if h := s.Synthetic(d.acct); h > 0 {
			if _, got := sellSynthetic(m, s, d.acct, h, sellFloor(s, g.Floor)); got > 0 {
				_ = s.Deposit(d.acct, got)
			}
		}
		if s.Synthetic(d.acct) > dust {
			return false
		}
	}
	return c.Epoch() >= d.release
}
