package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
)

// StakeValidators are a group of validator operators with heterogeneous
// stake, leverage and fault rates; one with Count 1 and a Fixed stake is a
// whale.
//
// At Reset each operator draws its stake from Stake, is endowed with it
// and runs ⌈stake/MaxPerValidator⌉ validators sharing it (one when
// MaxPerValidator is 0), and draws a target leverage λ uniformly from
// [LeverageMin, LeverageMax].
//
// Faults, every step, with a fixed number of draws per operator so that
// policy arms see the same faults (common random numbers): with
// probability FaultProb·n one of its n alive validators faults alone; with
// probability IncidentProb all of them fault at once (one operator's
// correlated incident); with probability DowntimeProb one goes offline.
// With probability BugProb a client bug strikes, and every operator is
// caught with probability BugShare; all validators caught are slashed as
// one incident (their Ethereum correlation penalties see each other).
//
// Leverage, every epoch, operators in a fresh random order: each chooses
// its debt against its own risk and the rates on offer. With stake S (the
// value of its own delegations), leverage appetite λ, the liquidation
// ratio LR, and f the share of its stake one incident of its own would
// burn (Staking.StressSlash), the target debt is
//
//	D* = S·min(m, 1)·min(1 − 1/λ, 0.95·(1 − f)/LR)
//
// — the most it may owe and still not default after one incident, with
// its stake valued as the book values it, at the mark m (synthetic per
// native: 1 at par, 1/TWAP when collateral is marked to the pool), and
// at par, where the mark returns when a discount closes (so a discount
// never lets it owe more) — and zero when the carry does not pay for its
// own risk:
//
//	p·y_issuance − r_borrow − π·f·p ≤ 0
//
// where p is the pool price (native per synthetic), y_issuance the gross
// staking yield, r_borrow the synthetic's rate and π its own yearly
// incident probability (its fault, incident and client-bug rates); also
// zero when a loan has been recalled or no validator is alive. Others'
// slashings change its decision through the rates, the pool price and
// the mark: a premium on the synthetic lowers every operator's D*, so
// operators marked to the pool buy synthetic back as it gets dearer (the
// margin spiral through which one borrower's forced buying reaches the
// others). Below D*·(1 − Band) it borrows the difference, at most 98% of
// what the unlocked shares of its validator with the most allow, as one
// loan (unless new loans are halted), and aims to hold only the fraction
// 1 − Sell of its debt in synthetic: the rest is sold on the pool while
// the price net of the fee stays at or above its break-even
// (Staking.BreakEven, or Floor if higher), and with Restake the proceeds
// are delegated to that validator. Above D*·(1 + Band) it repays: from its
// synthetic, then by buying synthetic with its liquid tokens — up to the
// inverse of that price, or at any price when a loan is recalled or its
// debt exceeds what its stake allows at the collateral ratio — then by
// unbonding unlocked stake to buy later.
//
// Mobility: when the external lending market pays more than the gross
// staking yield by more than Threshold, an operator with no debt unbonds
// the share Mobility of its own stake and lends it; when staking pays
// more again it withdraws and restakes.
//
// Forking: an operator whose stake lost to slashing and foreclosure
// exceeds ForkCost of its genesis stake forks the chain (0: never): it
// stops validating here, unbonds all it can and acts no more; forks counts
// them. Synthetic beyond its remaining debt — after a
// foreclosure, all of it — is dumped on the pool at any price (defaulters
// sell what they no longer owe). Commission and released stake are
// restaked. Stake on dead validators (tombstoned or Ethereum-slashed) is
// unbonded once unlocked; an operator whose validators are all dead, with
// no debt left, starts a new validator with its liquid tokens. Jailed
// validators are unjailed when their time is up.
type StakeValidators struct {
	Protocol                 int
	Count                    int
	Stake                    StakeDistribution
	MaxPerValidator          uint64
	Commission               uint64
	LeverageMin, LeverageMax float64
	Sell                     float64
	Floor                    float64
	Restake                  bool
	FaultProb, IncidentProb  float64
	DowntimeProb             float64
	BugProb, BugShare        float64
	Band                     float64
	ForkCost                 float64
	Mobility, Threshold      float64
	// FaultAt is a step at which every operator of the group suffers an
	// incident (all its validators at once, one correlated set): a stated
	// shock for stress tests. 0: none.
	FaultAt int
	// RiskAwareness is the share of its true incident rate an operator
	// prices into its leverage (1: all of it; 0: a naive borrower who
	// levers to its appetite whenever the carry is positive).
	RiskAwareness float64

	s       *protocol.Staking
	rng     *rand.Rand
	draw    posDraw
	shuffle posShuffle
	ops     []posOperator
	order   []int
	alive   []pos.ValidatorID
	caught  []pos.ValidatorID
	u       []float64 // a step's fault draws
	faults  int
	lost    int
	forks   int
	dumped  uint64
	// lr and cr are the book's liquidation and collateral ratios as
	// floats, valid when ratiosOK (reset every run).
	lr, cr   float64
	ratiosOK bool
	bounds   leverageBounds
	unsold   posUnsold
	// general makes manage offer every operator's surplus synthetic for
	// sale, whatever posUnsold knows (tests compare the two).
	general bool
}

// posUnsold remembers the last pool state at which selling synthetic at a
// floor profits nothing: optimalIn's first test, SpotPrice(syn, nat)·(1 −
// fee)·1 ≤ floor, which sellSynthetic (with floor > 0) makes before
// anything else and which then has it sell nothing. That test reads only
// the pair's reserves, its fee (fixed when the pair is made) and the
// floor, so with the same pair, reserves and floor it fails again, and
// the sale is not offered. Most operators hold more synthetic than they
// keep at most epochs, and nearly always the pool is below their floor;
// between two of them the pool moves only if one traded.
type posUnsold struct {
	s      *protocol.Staking
	pair   *uniswapv2.Pair
	r0, r1 [4]uint64
	floor  float64
	ok     bool
	hits   int // sales not offered (tests)
}

// at reports whether selling synthetic at floor on s's pool profits
// nothing, remembered or found by optimalIn's test; false when it does
// not know (a pool that is not a pair, a floor not positive).
func (u *posUnsold) at(s *protocol.Staking, floor float64) bool {
	if !(floor > 0) {
		return false
	}
	pair, ok := s.Pool().(*uniswapv2.Pair)
	if !ok {
		return false
	}
	r0, r1 := pair.Reserves()
	if u.ok && u.s == s && u.pair == pair && u.floor == floor && u.r0 == r0 && u.r1 == r1 {
		u.hits++
		return true
	}
	syn, nat := s.Tokens()
	if pair.SpotPrice(syn, nat)*(1-pair.FeeRate())*1 <= floor {
		*u = posUnsold{s: s, pair: pair, r0: r0, r1: r1, floor: floor, ok: true, hits: u.hits + 1}
		return true
	}
	return false
}

type posOperator struct {
	acct     pos.AccountID
	vals     []pos.ValidatorID
	leverage float64
	pending  uint64 // unbonding started and not yet released
	release  uint64 // epoch the last unbonding is released
	stake0   uint64 // genesis stake
	forked   bool
	lending  bool
}

// Reset implements Agent.
func (g *StakeValidators) Reset(m *market.Market, rng *rand.Rand) {
	g.rng = rng
	g.draw = posDraw{rng: rng}
	g.ratiosOK = false
	g.unsold = posUnsold{}
	g.shuffle.seed(rng)
	g.ops = g.ops[:0]
	g.faults, g.lost, g.dumped, g.forks = 0, 0, 0, 0
	g.s = posStaking(m, g.Protocol)
	if g.s == nil {
		return
	}
	for range g.Count {
		x := max(g.Stake.draw(rng), 1)
		lev := g.LeverageMin + rng.Float64()*(g.LeverageMax-g.LeverageMin)
		acct, err := g.s.Endow(x)
		if err != nil {
			g.s = nil
			return
		}
		x = g.s.Endowment(x)
		op := posOperator{acct: acct, leverage: lev, stake0: x}
		n := uint64(1)
		if g.MaxPerValidator > 0 {
			n = (x + g.MaxPerValidator - 1) / g.MaxPerValidator
		}
		for k := range n {
			part := x / n
			if k == n-1 {
				part = x - part*(n-1)
			}
			if part == 0 {
				continue
			}
			v, err := g.s.AddValidator(acct, g.Commission, part)
			if err != nil {
				continue
			}
			op.vals = append(op.vals, v)
		}
		g.ops = append(g.ops, op)
	}
}

// ResetPCG implements market.PCGResetter: Reset, the faults' draws then
// taken from pcg directly (the same numbers).
func (g *StakeValidators) ResetPCG(m *market.Market, rng *rand.Rand, pcg *rand.PCG) {
	g.Reset(m, rng)
	g.draw.pcg = pcg
}

// Metrics implements Agent.
func (g *StakeValidators) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "stake", Unit: "tokens", Doc: "stake of the group's own delegations", Worse: metric.LowerIsWorse},
		{Name: "debt", Unit: "tokens", Doc: "synthetic the group owes", Worse: metric.HigherIsWorse},
		{Name: "leverage", Unit: "ratio", Doc: "stake / (stake − debt), the group's aggregate leverage", Worse: metric.HigherIsWorse},
		{Name: "faults", Unit: "count", Doc: "fault incidents the group caused", Worse: metric.HigherIsWorse},
		{Name: "foreclosed", Unit: "count", Doc: "the group's loans foreclosed", Worse: metric.HigherIsWorse},
		{Name: "dumped", Unit: "tokens", Doc: "synthetic sold beyond the group's debt (after foreclosures)", Worse: metric.HigherIsWorse},
		{Name: "forks", Unit: "count", Doc: "operators whose loss passed their fork cost and who forked the chain", Worse: metric.HigherIsWorse},
		{Name: "lent_share", Unit: "fraction", Doc: "share of the group's genesis stake lent in the external lending market", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (g *StakeValidators) Observe(m *market.Market, dst []float64) {
	clear(dst[:8])
	if g.s == nil || g.s.Chain() == nil {
		return
	}
	var lent, stake0 float64
	for k := range g.ops {
		lent += float64(g.s.Lent(g.ops[k].acct))
		stake0 += float64(g.ops[k].stake0)
	}
	dst[6] = float64(g.forks)
	if stake0 > 0 {
		dst[7] = lent / stake0
	}
	u := float64(g.s.Unit())
	var stake, debt float64
	for k := range g.ops {
		stake += float64(g.ownStake(&g.ops[k]))
		d, _ := g.s.Debt(g.ops[k].acct)
		debt += float64(d)
	}
	dst[0], dst[1] = stake/u, debt/u
	dst[2] = 1
	if stake > debt {
		dst[2] = stake / (stake - debt)
	}
	dst[3], dst[4], dst[5] = float64(g.faults), float64(g.lost), float64(g.dumped)/u
}

// ObserveUnrecorded implements market.UnrecordedObserver: nothing, since
// none of the group's metrics can be non-finite. Stake, debt and dumped
// are sums of 64-bit amounts (finite) divided by the unit (10^decimals ≥
// 1); the lent share divides such a sum by one guarded positive; the
// leverage stake/(stake − debt) is computed only for stake > debt ≥ 0:
// stake − debt is then more than stake/2 or, by Sterbenz's lemma, exact
// and at least half stake's unit in the last place, so the ratio is at
// most 2^54; the rest are counts.
func (g *StakeValidators) ObserveUnrecorded(m *market.Market, dst []float64) {}

// ownStake is the value of op's delegations to its validators.
func (g *StakeValidators) ownStake(op *posOperator) uint64 {
	return g.s.Chain().StakeIn(op.acct, op.vals)
}

// Act implements Agent.
func (g *StakeValidators) Act(m *market.Market) {
	s := g.s
	if s == nil || s.Chain() == nil || s.Err() != nil {
		return
	}
	// Every operator's four draws and the bug's, drawn at once (the same
	// numbers in the same order: nothing else draws in between).
	g.u = g.draw.fill(g.u[:0], 4*len(g.ops)+1)
	for k := range g.ops {
		op := &g.ops[k]
		u1, u2, u3, u4 := g.u[4*k], g.u[4*k+1], g.u[4*k+2], g.u[4*k+3]
		if op.forked {
			continue
		}
		// With n ≤ len(op.vals) alive validators and a fault rate not
		// negative, u1 ≥ FaultProb·len(op.vals) ≥ FaultProb·n: no draw
		// strikes whatever n is, and it is not counted.
		if u3 >= g.IncidentProb && u4 >= g.DowntimeProb && g.FaultProb >= 0 && u1 >= g.FaultProb*float64(len(op.vals)) {
			continue
		}
		n := g.countAlive(op)
		if n == 0 {
			continue
		}
		if u1 < g.FaultProb*float64(n) {
			g.alive = g.aliveOf(op, g.alive[:0])
			g.fault(g.alive[min(n-1, int(u2*float64(n)))])
		}
		if u3 < g.IncidentProb {
			g.alive = g.aliveOf(op, g.alive[:0])
			if len(g.alive) > 0 {
				if b, err := s.Fault(g.alive); err == nil && b > 0 {
					g.faults++
				}
			}
		}
		if u4 < g.DowntimeProb {
			g.alive = g.aliveOf(op, g.alive[:0])
			if n := len(g.alive); n > 0 {
				_ = s.Downtime(g.alive[min(n-1, int(u2*float64(n)))])
			}
		}
	}
	bug := g.u[4*len(g.ops)] < g.BugProb
	g.caught = g.caught[:0]
	if m.Step == g.FaultAt {
		for k := range g.ops {
			if !g.ops[k].forked {
				g.caught = g.aliveOf(&g.ops[k], g.caught)
			}
		}
	}
	if !bug {
		// Each operator's draw of whether the bug catches it is read
		// only when there is a bug: skipped in one jump otherwise.
		g.draw.skip(uint64(len(g.ops)))
	}
	for k := range g.ops {
		if !bug {
			break
		}
		if g.draw.float64() < g.BugShare && !g.ops[k].forked {
			g.caught = g.aliveOf(&g.ops[k], g.caught)
		}
	}
	if len(g.caught) > 0 {
		if b, err := s.Fault(g.caught); err == nil && b > 0 {
			g.faults++
		}
	}
	if s.NewEpoch() {
		// A fresh order every epoch: no operator is always first to sell
		// into the pool or last to buy back.
		g.order = g.order[:0]
		for k := range g.ops {
			g.order = append(g.order, k)
		}
		g.shuffle.ints(g.order)
		for _, k := range g.order {
			if op := &g.ops[k]; !op.forked {
				g.manage(m, op)
			}
		}
	}
}

// incidentsPerYear is op's own expected number of incidents a year: its
// per-validator faults, operator incidents and client-bug strikes.
func (g *StakeValidators) incidentsPerYear(m *market.Market, n int) float64 {
	perStep := g.FaultProb*float64(n) + g.IncidentProb + g.BugProb*g.BugShare
	return perStep * 365 * 86400 / max(m.StepSeconds, 1)
}

func (g *StakeValidators) fault(v pos.ValidatorID) {
	if b, err := g.s.Fault([]pos.ValidatorID{v}); err == nil && b > 0 {
		g.faults++
	}
}

// countAlive is len(aliveOf(op, nil)).
func (g *StakeValidators) countAlive(op *posOperator) int {
	n := 0
	for _, v := range op.vals {
		if g.s.Alive(v) {
			n++
		}
	}
	return n
}

// aliveOf appends op's validators that are neither tombstoned nor
// Ethereum-slashed.
func (g *StakeValidators) aliveOf(op *posOperator, dst []pos.ValidatorID) []pos.ValidatorID {
	for _, v := range op.vals {
		if g.s.Alive(v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// manage rebalances one operator toward its target leverage.
func (g *StakeValidators) manage(m *market.Market, op *posOperator) {
	s := g.s
	c := s.Chain()
	epoch := c.Epoch()
	if op.pending > 0 && epoch >= op.release {
		op.pending = 0
	}
	// Count foreclosures, unjail what can be, and unbond what is not
	// locked from dead validators, which earn nothing.
	//
	// A dead validator to which op no longer delegates, with no unjailing
	// pending, can never hold op's stake again (a tombstoned validator
	// stays jailed, a slashed one takes no delegations): every pass over
	// op's validators finds nothing to do with it, so it leaves op's list,
	// which would otherwise grow with the horizon as op starts new ones.
	//
	// The same pass lists op's alive validators (aliveOf): nothing in it
	// changes whether one of them is alive (unjailing does not, and it
	// unbonds only from dead ones), nor does what follows it up to their
	// use.
	g.lost += s.Settle(op.acct)
	alive := g.alive[:0]
	k := 0
	for _, v := range op.vals {
		info := c.Status(v)
		if info.Jailed && !info.Tombstoned && epoch >= info.JailedUntil {
			_ = c.Unjail(v)
		}
		if !info.Tombstoned && !info.Slashed {
			op.vals[k] = v
			k++
			if c.Alive(v) {
				alive = append(alive, v)
			}
			continue
		}
		if d, ok := c.Delegation(v, op.acct); ok && d.Shares > d.Locked {
			if got, err := c.Unbond(v, op.acct, d.Shares-d.Locked); err == nil && got > 0 {
				op.pending += got
				op.release = epoch + c.Config().UnbondingDelay
			}
		}
		if _, ok := c.Delegation(v, op.acct); ok || info.Jailed && !info.Tombstoned {
			op.vals[k] = v
			k++
		}
	}
	clear(op.vals[k:])
	op.vals = op.vals[:k]
	g.alive = alive
	stake := g.ownStake(op)
	if g.ForkCost > 0 && g.lostTo(op) > g.ForkCost*float64(op.stake0) {
		g.fork(op)
		return
	}
	debt, recalled := s.Debt(op.acct)
	// The lending market's rates only for mobility (see mobile).
	var y protocol.StakingYields
	if g.Mobility > 0 {
		y = s.Yields()
	} else {
		y.Valid, y.Issuance, y.Borrow = s.CarryYields()
	}
	if g.mobile(m, op, alive, debt, y) {
		return
	}
	target := uint64(0)
	if len(alive) > 0 && !recalled && op.leverage > 1 && y.Valid {
		share := float64(stake) / max(float64(c.Bonded()), 1)
		lr, cr := g.ratios()
		lev := g.bounds.choose(op.leverage, y.Issuance, y.Borrow, s.StressSlash(share), lr, cr,
			g.RiskAwareness*g.incidentsPerYear(m, len(alive)))
		target = uint64(float64(stake) * min(s.Mark(), 1) * (1 - 1/lev))
	}
	band := g.Band
	floor := sellFloor(s, g.Floor)
	switch {
	case float64(debt) > float64(target)*(1+band)+float64(s.Unit())/100:
		ceiling := 1 / floor
		if recalled || debt > g.capacity(op) {
			ceiling = math.Inf(1)
		}
		g.delever(m, op, debt-target, ceiling)
	case len(alive) > 0 && float64(debt) < float64(target)*(1-band) && !s.Halted():
		g.lever(m, op, alive, target-debt)
	}
	// Synthetic beyond what is owed is dumped; beyond the liquidity the
	// operator keeps, sold down to the floor.
	debt, _ = s.Debt(op.acct)
	if h := s.Synthetic(op.acct); h > debt {
		if sold, _ := sellSynthetic(m, s, op.acct, h-debt, 0); sold > 0 {
			g.dumped += sold
		}
	}
	if keep := uint64(float64(debt) * (1 - g.Sell)); s.Synthetic(op.acct) > keep && (g.general || !g.unsold.at(s, floor)) {
		sellSynthetic(m, s, op.acct, s.Synthetic(op.acct)-keep, floor)
	}
	liquid := c.Liquid(op.acct)
	if liquid == 0 {
		return
	}
	if len(alive) == 0 {
		if debt == 0 && op.pending == 0 && liquid >= s.Unit() {
			if v, err := s.AddValidator(op.acct, g.Commission, liquid); err == nil {
				op.vals = append(op.vals, v)
			}
		}
		return
	}
	// Restake liquid tokens (commission, proceeds) unless they are needed
	// to repay.
	if debt <= target || debt == 0 {
		_, _ = c.Delegate(alive[0], op.acct, liquid)
	}
}

// ratios returns the book's liquidation and collateral ratios as floats,
// converted once a run.
func (g *StakeValidators) ratios() (lr, cr float64) {
	if !g.ratiosOK {
		b := &g.s.Config.Book
		g.lr, g.cr, g.ratiosOK = rayFloat(&b.LiquidationRatio), rayFloat(&b.CollateralRatio), true
	}
	return g.lr, g.cr
}

// lostTo is what op has lost to slashing and foreclosure: the stake burned
// on its validators plus its loans foreclosed, valued at genesis stake
// less what it still has, bonded, unbonding, liquid and lent.
func (g *StakeValidators) lostTo(op *posOperator) float64 {
	c := g.s.Chain()
	have := float64(g.ownStake(op)) + float64(op.pending) + float64(c.Liquid(op.acct)) + float64(g.s.Lent(op.acct))
	have += float64(g.s.Synthetic(op.acct)) * g.s.PoolPrice()
	d, _ := g.s.Debt(op.acct)
	have -= float64(d) * g.s.PoolPrice()
	return float64(op.stake0) - have
}

// fork takes op off the chain: its unlocked stake is unbonded, and it acts
// no more.
func (g *StakeValidators) fork(op *posOperator) {
	c := g.s.Chain()
	op.forked = true
	g.forks++
	for _, v := range op.vals {
		if d, ok := c.Delegation(v, op.acct); ok && d.Shares > d.Locked {
			_, _ = c.Unbond(v, op.acct, d.Shares-d.Locked)
		}
	}
}

// mobile moves the share Mobility of op's stake between staking and the
// external lending market, following the better of the lending rate and
// the gross staking yield by more than Threshold; it reports whether op is
// lending (and so does not lever).
func (g *StakeValidators) mobile(m *market.Market, op *posOperator, alive []pos.ValidatorID, debt uint64, y protocol.StakingYields) bool {
	if g.Mobility <= 0 || !y.Valid {
		return false
	}
	s := g.s
	c := s.Chain()
	switch {
	case !op.lending && debt == 0 && y.Lend > y.Issuance+g.Threshold && len(alive) > 0:
		want := uint64(float64(g.ownStake(op)) * g.Mobility)
		for _, v := range op.vals {
			if want == 0 {
				break
			}
			d, ok := c.Delegation(v, op.acct)
			if !ok || d.Shares <= d.Locked || d.Value == 0 {
				continue
			}
			sh := min(d.Shares-d.Locked, uint64(math.Ceil(float64(want)/float64(d.Value)*float64(d.Shares))))
			if got, err := c.Unbond(v, op.acct, sh); err == nil && got > 0 {
				op.pending += got
				op.release = c.Epoch() + c.Config().UnbondingDelay
				want -= min(want, got)
			}
		}
		op.lending = true
	case op.lending && y.Issuance > y.Lend+g.Threshold:
		_, _ = s.Withdraw(op.acct, math.MaxUint64)
		op.lending = false
	}
	if op.lending {
		if l := c.Liquid(op.acct); l > 0 {
			_ = s.Deposit(op.acct, l)
		}
		return true
	}
	return false
}

// capacity is what op's whole stake allows it to owe at the collateral
// ratio and the mark price.
func (g *StakeValidators) capacity(op *posOperator) uint64 {
	var t uint64
	for _, v := range op.vals {
		if d, ok := g.s.Chain().Delegation(v, op.acct); ok {
			t = satAdd(t, g.s.MaxBorrow(v, d.Shares))
		}
	}
	return t
}

// lever borrows up to x more synthetic against the unlocked shares of
// one of op's validators — the one with the most — so that a top-up is
// one loan.
func (g *StakeValidators) lever(m *market.Market, op *posOperator, alive []pos.ValidatorID, x uint64) {
	s := g.s
	c := s.Chain()
	best, bestFree := pos.ValidatorID(0), uint64(0)
	for _, v := range alive {
		if c.Status(v).Jailed {
			continue
		}
		if d, ok := c.Delegation(v, op.acct); ok && d.Shares-d.Locked > bestFree {
			best, bestFree = v, d.Shares-d.Locked
		}
	}
	if bestFree == 0 {
		return
	}
	limit := s.MaxBorrow(best, bestFree) / 100 * 98
	amount := min(x, limit)
	if amount < max(s.Unit()/100, 1) {
		return
	}
	// Lock the shares the amount needs, with 2% to spare.
	shares := min(bestFree, uint64(math.Ceil(float64(bestFree)*float64(amount)/float64(limit)*0.98*1.02))+1)
	if _, err := s.Borrow(op.acct, best, shares, amount); err != nil {
		return
	}
	_, got := sellSynthetic(m, s, op.acct, uint64(float64(amount)*g.Sell), sellFloor(s, g.Floor))
	if g.Restake && got > 0 {
		_, _ = c.Delegate(best, op.acct, got)
	}
}

// delever repays up to x of op's debt: from its synthetic, then buying
// synthetic with liquid tokens, then unbonding unlocked stake.
func (g *StakeValidators) delever(m *market.Market, op *posOperator, x uint64, ceiling float64) {
	s := g.s
	need := posRepay(m, s, op.acct, x, ceiling)
	if need == 0 || op.pending > 0 {
		return
	}
	// Unbond unlocked stake worth what is still owed, at the pool price.
	want := uint64(float64(need) * max(s.PoolPrice(), 1) * 1.02)
	c := s.Chain()
	for _, v := range op.vals {
		if want == 0 {
			break
		}
		d, ok := c.Delegation(v, op.acct)
		if !ok || d.Shares <= d.Locked || d.Value == 0 {
			continue
		}
		free := d.Shares - d.Locked
		sh := min(free, uint64(math.Ceil(float64(want)/float64(d.Value)*float64(d.Shares))))
		got, err := c.Unbond(v, op.acct, sh)
		if err != nil || got == 0 {
			continue
		}
		op.pending += got
		op.release = c.Epoch() + c.Config().UnbondingDelay
		want -= min(want, got)
	}
}
