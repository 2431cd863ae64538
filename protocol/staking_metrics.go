package protocol

import (
	"fmt"
	"math"
	"slices"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/pos"
	"github.com/holiman/uint256"
)

// What the Staking protocol checks and records: its accounting
// identities, its metrics and the inequality measures.

// snapshot records the genesis outcomes, once agents have been endowed.
func (s *Staking) snapshot(m *market.Market) {
	s.started = true
	if s.chain == nil {
		return
	}
	s.bonded0 = s.chain.Bonded()
	s.giniStake0 = s.giniStake()
	s.giniWealth0 = s.giniWealth()
	s.largest = -1
	var best uint64
	for k := range s.operators {
		if st := s.operatorStake(k); st > best {
			s.largest, best = k, st
		}
	}
	s.largestStake0 = best
	s.minStaking, s.minSecurity = math.Inf(1), math.Inf(1)
	s.trackMinima()
}

func (s *Staking) operatorStake(k int) uint64 {
	var t uint64
	for _, v := range s.operators[k].vals {
		t += s.chain.Tokens(v)
	}
	return t
}

// giniStake is the Gini coefficient of the operators' stakes (the tokens
// of the validators each runs).
func (s *Staking) giniStake() float64 {
	s.scratch = s.scratch[:0]
	for k := range s.operators {
		s.scratch = append(s.scratch, s.operatorStake(k))
	}
	// Sorted in place (scratch is rebuilt before every use): pos.Gini
	// would copy it first.
	slices.Sort(s.scratch)
	return pos.GiniSorted(s.scratch)
}

// wealth is participant k's net wealth in native raw units: liquid +
// delegations + unbonding + lending claim + synthetic at the pool price −
// debt, floored at zero; its debt and synthetic as readHoldings read them.
func (s *Staking) wealth(k int, chainWealth []uint64) uint64 {
	a, h := s.accounts[k], &s.held[k]
	w := float64(chainWealth[a]) + float64(s.Lent(a)) + float64(h.syn)*s.spot
	w -= float64(h.debt)
	if !(w > 0) {
		return 0
	}
	return uint64(min(w, math.MaxUint64/2))
}

// posHeld is a participant's debt and synthetic balance.
type posHeld struct{ debt, syn uint64 }

// readHoldings reads every participant's debt and synthetic into s.held,
// in the order of s.accounts: what giniWealth and soldShare both use.
func (s *Staking) readHoldings() {
	s.held = s.held[:0]
	for _, a := range s.accounts {
		d, _ := s.Debt(a)
		s.held = append(s.held, posHeld{d, s.Synthetic(a)})
	}
}

// giniWealth is the Gini coefficient of the participants' net wealth. It
// reads the holdings (readHoldings) for soldShare too.
//
// The participants are listed in the order that sorted their wealth at
// the last observation, and sorted again from there: wealth moves little
// between observations, so that sort is about linear.
func (s *Staking) giniWealth() float64 {
	s.chainWealth = s.chain.Wealth(s.chainWealth[:0])
	s.readHoldings()
	if len(s.wealthOrder) != len(s.accounts) {
		s.wealthOrder = s.wealthOrder[:0]
		for k := range s.accounts {
			s.wealthOrder = append(s.wealthOrder, int32(k))
		}
	}
	s.scratch = s.scratch[:0]
	for _, k := range s.wealthOrder {
		s.scratch = append(s.scratch, s.wealth(int(k), s.chainWealth))
	}
	pos.SortAgain(s.scratch, s.wealthOrder)
	return pos.GiniSorted(s.scratch)
}

func (s *Staking) trackMinima() {
	if s.chain == nil || !s.started {
		return
	}
	l := s.chain.Ledger()
	s.minStaking = min(s.minStaking, pos.StakingRatio(l))
	s.minSecurity = min(s.minSecurity, s.securityRatio())
	s.maxDiscount = max(s.maxDiscount, 1-s.spot)
	s.maxPremium = max(s.maxPremium, s.spot-1)
}

// securityTokens is bonded − debt·p, in raw native units.
func (s *Staking) securityTokens() float64 {
	t := s.book.Totals()
	return float64(s.chain.Bonded()) - t.Debt.Float64()/1e27*s.spot
}

func (s *Staking) securityRatio() float64 {
	sup := s.chain.Ledger().Supply()
	if sup == 0 {
		return 0
	}
	return s.securityTokens() / float64(sup)
}

// Check implements Protocol.
func (s *Staking) Check() error {
	if s.chain == nil {
		return s.err
	}
	if err := s.chain.Check(); err != nil {
		return err
	}
	if err := s.book.Check(); err != nil {
		return err
	}
	fail := func(name, format string, a ...any) error {
		return fmt.Errorf("%w: %s: "+format, append([]any{ErrStakingIdentity, name}, a...)...)
	}
	l := s.chain.Ledger()
	if l.Minted != s.issued {
		return fail("minted", "chain minted %d, rewards issued %d", l.Minted, s.issued)
	}
	if got := l.BurnedSlash + l.BurnedPenalty; got != s.slashBurned+s.penaltyBurned {
		return fail("burned", "chain burned %d by slashing and penalties, slashings and penalties applied %d", got, s.slashBurned+s.penaltyBurned)
	}
	switch s.Config.Book.Disposition {
	case pos.Burn:
		if l.BurnedForeclosure != s.seized {
			return fail("foreclosed", "chain burned %d by foreclosure, collateral seized %d", l.BurnedForeclosure, s.seized)
		}
	case pos.Redistribute:
		if l.BurnedForeclosure > s.seized {
			return fail("foreclosed", "chain burned %d by foreclosure, more than the %d seized", l.BurnedForeclosure, s.seized)
		}
	default:
		if l.BurnedForeclosure != 0 {
			return fail("foreclosed", "chain burned %d by foreclosure with collateral to the treasury", l.BurnedForeclosure)
		}
	}
	hold := &s.poolHeld
	posPoolBalances(s.venue.Pool, hold)
	if h := &hold[s.nat]; !h.IsUint64() || h.Uint64() != s.chain.Liquid(s.poolAcct) {
		return fail("pool", "pool holds %s native, its account %d", hold[s.nat].Dec(), s.chain.Liquid(s.poolAcct))
	}
	if sb := s.book.Balance(s.poolAcct); !hold[s.syn].Eq(&sb) {
		return fail("pool", "pool holds %s synthetic, its account %s", hold[s.syn].Dec(), sb.Dec())
	}
	if got := s.chain.Liquid(s.lendAcct); got != s.cash {
		return fail("lending", "lending account holds %d, market cash %d", got, s.cash)
	}
	if sh := posSum(s.shares); sh != s.totalShares {
		return fail("lending", "Σ deposit shares %d ≠ total %d", sh, s.totalShares)
	}
	// The book's Check found Σ of all balances = circulating. When the
	// accounts the adapter knows (five of its own, distinct, and the
	// participants, each created by Endow) are every account of the chain
	// and no balance lies beyond them, their sum is that sum.
	if n := s.chain.NumAccounts(); n == 5+len(s.accounts) && s.book.NumAccounts() <= n {
		return nil
	}
	var circ uint256.Int
	for _, a := range []pos.AccountID{s.public, s.poolAcct, s.lp, s.lendAcct, s.treasury} {
		x := s.book.Balance(a)
		circ.Add(&circ, &x)
	}
	for _, a := range s.accounts {
		x := s.book.Balance(a)
		circ.Add(&circ, &x)
	}
	if t := s.book.Totals(); !circ.Eq(&t.Circulating) {
		return fail("synthetic", "known accounts hold %s, circulating %s", circ.Dec(), t.Circulating.Dec())
	}
	return nil
}

// posSum returns Σ xs mod 2^64, in four running sums: additions mod 2^64
// commute, and four chains of additions need not wait on each other.
func posSum(xs []uint64) uint64 {
	var s0, s1, s2, s3 uint64
	for len(xs) >= 4 {
		s0 += xs[0]
		s1 += xs[1]
		s2 += xs[2]
		s3 += xs[3]
		xs = xs[4:]
	}
	for _, x := range xs {
		s0 += x
	}
	return s0 + s1 + s2 + s3
}

// Metrics implements Protocol.
func (s *Staking) Metrics() []metric.Def {
	lo, hi := metric.LowerIsWorse, metric.HigherIsWorse
	return []metric.Def{
		{Name: "security_budget", Unit: "numeraire", Doc: "native price × (bonded stake − outstanding synthetic debt × pool price)", Worse: lo},
		{Name: "cost_of_corruption", Unit: "numeraire", Doc: "the consensus share (1/3 or 2/3) of the security budget", Worse: lo},
		{Name: "security_ratio", Unit: "fraction", Doc: "(bonded − debt × pool price) / supply", Worse: lo},
		{Name: "min_security_ratio", Unit: "fraction", Doc: "lowest security ratio over the run", Worse: lo},
		{Name: "bonded", Unit: "tokens", Doc: "bonded stake", Worse: lo},
		{Name: "staking_ratio", Unit: "fraction", Doc: "bonded / supply", Worse: lo},
		{Name: "min_staking_ratio", Unit: "fraction", Doc: "lowest staking ratio over the run", Worse: lo},
		{Name: "debt", Unit: "tokens", Doc: "outstanding synthetic debt", Worse: hi},
		{Name: "deficit", Unit: "tokens", Doc: "synthetic debt deleted by foreclosure and not yet healed", Worse: hi},
		{Name: "stake_burned", Unit: "tokens", Doc: "stake burned by slashing, penalties and foreclosure", Worse: hi},
		{Name: "burned_fraction", Unit: "fraction", Doc: "stake burned / bonded stake at genesis", Worse: hi},
		{Name: "slashings", Unit: "count", Doc: "slashing incidents (one per correlated set)", Worse: hi},
		{Name: "defaults", Unit: "count", Doc: "borrower defaults: distinct holders of loans foreclosed for default, per epoch", Worse: hi},
		{Name: "foreclosures", Unit: "count", Doc: "loans foreclosed, for default or a missed recall", Worse: hi},
		{Name: "recalls", Unit: "count", Doc: "loans recalled by the policy", Worse: hi},
		{Name: "cascade_depth", Unit: "count", Doc: "most borrowers foreclosed (default or missed recall) inside one cascade window", Worse: hi},
		{Name: "discount", Unit: "fraction", Doc: "1 − pool price of the synthetic in native", Worse: hi},
		{Name: "twap_discount", Unit: "fraction", Doc: "1 − time-weighted average pool price", Worse: hi},
		{Name: "max_discount", Unit: "fraction", Doc: "largest discount over the run", Worse: hi},
		{Name: "gini_stake", Unit: "ratio", Doc: "Gini coefficient of operators' stake", Worse: hi},
		{Name: "gini_stake_change", Unit: "ratio", Doc: "Gini of stake minus its genesis value", Worse: hi},
		{Name: "gini_wealth", Unit: "ratio", Doc: "Gini coefficient of participants' net wealth", Worse: hi},
		{Name: "gini_wealth_change", Unit: "ratio", Doc: "Gini of wealth minus its genesis value", Worse: hi},
		{Name: "staking_yield", Unit: "fraction/yr", Doc: "staking yield estimate, issuance net of stake burned", Worse: lo},
		{Name: "lending_rate", Unit: "fraction/yr", Doc: "external lending market's supply rate", Worse: hi},
		{Name: "borrow_rate", Unit: "fraction/yr", Doc: "synthetic's borrow rate", Worse: hi},
		{Name: "largest_loss", Unit: "fraction", Doc: "largest operator's stake lost to slashing and foreclosure / its genesis stake (its incentive to fork)", Worse: hi},
		{Name: "halted_fraction", Unit: "fraction", Doc: "share of epochs with new loans halted", Worse: hi},
		{Name: "minted", Unit: "tokens", Doc: "rewards issued", Worse: lo},
		{Name: "burned_slashing", Unit: "tokens", Doc: "stake burned by slashing and penalties", Worse: hi},
		{Name: "burned_foreclosure", Unit: "tokens", Doc: "collateral burned by foreclosure", Worse: hi},
		{Name: "default_foreclosures", Unit: "count", Doc: "loans foreclosed for default", Worse: hi},
		{Name: "recall_foreclosures", Unit: "count", Doc: "loans foreclosed for a missed recall deadline", Worse: hi},
		{Name: "premium", Unit: "fraction", Doc: "pool price of the synthetic in native − 1 (negative: a discount)", Worse: hi},
		{Name: "max_premium", Unit: "fraction", Doc: "largest premium over the run (0 if it never traded above par)", Worse: hi},
		{Name: "sold_share", Unit: "fraction", Doc: "share of borrowers' debt they no longer hold as synthetic (sold, or spent)", Worse: hi},
		{Name: "cost_of_corruption_no_loans", Unit: "numeraire", Doc: "the consensus share of native price × bonded stake, as if no stake were borrowed against", Worse: lo},
		{Name: "sold_seized", Unit: "tokens", Doc: "seized collateral the protocol sold on the pool for synthetic (disposition liquidate)", Worse: hi},
		{Name: "bought_back", Unit: "tokens", Doc: "synthetic the protocol bought on the pool with seized collateral and burned against the deficit", Worse: hi},
		{Name: "deposit_paid", Unit: "tokens", Doc: "deposit interest the enshrined lender paid stakers out of its loans' interest", Worse: lo},
		{Name: "genesis_scale", Unit: "fraction", Doc: "share of their requests the agents' genesis endowments got: 1 when the float could pay every draw, else float/requested, every endowment scaled by it", Worse: lo, Optional: true},
	}
}

// Observe implements Protocol.
func (s *Staking) Observe(m *market.Market, dst []float64) { s.observe(m, dst, true) }

// ObserveUnrecorded implements market.UnrecordedObserver: Observe without
// the Gini coefficients of stake and wealth, their changes and the sold
// share (dst[19..22] and dst[35]), which cannot be non-finite: a Gini of
// fewer than 2^31 integers is in [0, 1] (pos.GiniSorted), the genesis
// values subtracted are such Ginis too, and the sold share is 1 − held/owed
// with owed > 0 a sum of amounts and held at most owed.
func (s *Staking) ObserveUnrecorded(m *market.Market, dst []float64) { s.observe(m, dst, false) }

// observe is Observe, without the metrics ObserveUnrecorded leaves unless
// all.
func (s *Staking) observe(m *market.Market, dst []float64, all bool) {
	if s.chain == nil {
		clear(dst[:len(s.Metrics())])
		return
	}
	if !s.started {
		s.snapshot(m)
	}
	u := float64(s.unit)
	l := s.chain.Ledger()
	t := s.book.Totals()
	sec := s.securityTokens()
	price := m.Prices[s.Config.Native]
	dst[0] = price * sec / u
	dst[1] = dst[0] * s.Config.CorruptionShare
	// Minima include the state being observed, after the agents' turn.
	dst[2] = s.securityRatio()
	dst[3] = min(s.minSecurity, dst[2])
	dst[4] = float64(l.Bonded) / u
	dst[5] = pos.StakingRatio(l)
	dst[6] = min(s.minStaking, dst[5])
	dst[7] = t.Debt.Float64() / 1e27 / u
	dst[8] = t.Deficit.Float64() / 1e27 / u
	dst[9] = float64(l.Burned()) / u
	dst[10] = 0
	if s.bonded0 > 0 {
		dst[10] = float64(l.Burned()) / float64(s.bonded0)
	}
	dst[11] = float64(s.slashings)
	dst[12] = float64(s.defaults)
	dst[13] = float64(s.defaultLoans + s.recallForeclosed)
	dst[14] = float64(s.recalled)
	dst[15] = float64(s.maxDepth)
	spot := s.poolPrice()
	dst[16] = 1 - spot
	dst[17] = 1 - s.twap
	dst[18] = max(s.maxDiscount, 1-spot)
	if all {
		gs, gw := s.giniStake(), s.giniWealth()
		dst[19], dst[20] = gs, gs-s.giniStake0
		dst[21], dst[22] = gw, gw-s.giniWealth0
		dst[35] = s.soldShare()
	}
	y := s.Yields()
	dst[23], dst[24], dst[25] = y.Stake, y.Lend, y.Borrow
	dst[26] = 0
	if s.largestStake0 > 0 {
		dst[26] = float64(s.largestLost) / float64(s.largestStake0)
	}
	dst[27] = 0
	if s.epochs > 0 {
		dst[27] = float64(s.haltedEpochs) / float64(s.epochs)
	}
	dst[28] = float64(l.Minted) / u
	dst[29] = float64(l.BurnedSlash+l.BurnedPenalty) / u
	dst[30] = float64(l.BurnedForeclosure) / u
	dst[31] = float64(s.defaultLoans)
	dst[32] = float64(s.recallForeclosed)
	dst[33] = spot - 1
	dst[34] = max(s.maxPremium, spot-1)
	dst[36] = price * float64(l.Bonded) / u * s.Config.CorruptionShare
	dst[37], dst[38] = float64(s.soldSeized)/u, float64(s.boughtBack)/u
	dst[39] = float64(s.depositPaid) / u
	dst[40] = s.GenesisScale()
	// The step in progress counts toward the cascade depth too.
	if n := len(s.window); n > 0 {
		dst[15] = float64(max(s.maxDepth, s.windowSum-s.window[s.windowAt%n]+s.foreclosedThisStep))
	}
}

// soldShare is 1 − (synthetic the borrowers hold)/(what they owe), over
// the participants with debt; 0 when no participant owes anything. It
// reads the holdings the observation's giniWealth read (nothing moves in
// between).
func (s *Staking) soldShare() float64 {
	var held, owed float64
	for _, h := range s.held {
		if h.debt == 0 {
			continue
		}
		owed += float64(h.debt)
		held += min(float64(h.syn), float64(h.debt))
	}
	if owed == 0 {
		return 0
	}
	return 1 - held/owed
}
