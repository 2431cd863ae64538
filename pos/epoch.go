package pos

import (
	"fmt"
	"math"
	"math/bits"
)

// EpochReport summarises what ProcessEpoch did.
type EpochReport struct {
	Epoch uint64
	// Minted is the issuance paid this epoch.
	Minted uint64
	// PenaltyBurned is the Ethereum offline penalties burned.
	PenaltyBurned uint64
	// CorrelationBurned is the Ethereum correlation penalties burned
	// (bonded and unbonding), CorrelationSlashed how many validators paid one.
	CorrelationBurned  uint64
	CorrelationSlashed int
	// Released is the unbonded stake made liquid.
	Released uint64
	// Inflation is the CosmosInflation rate used this epoch.
	Inflation uint64
}

// Reward mints amount as a reward to validator v (e.g. the block reward of
// a proposer drawn by the caller) and splits it as the package
// documentation describes: commission to the operator, the rest
// compounded into the pool or paid out. It returns ErrInactive if v has no
// shares to own the reward. The tokens minted can fall short of amount in
// payout mode (the rounding remainder is not created).
func (c *Chain) Reward(v ValidatorID, amount uint64) error {
	if err := c.checkValidator(v); err != nil {
		return err
	}
	if c.vals[v].shares == 0 {
		return fmt.Errorf("%w: validator %d has no shares", ErrInactive, v)
	}
	if err := c.canMint(amount); err != nil {
		return err
	}
	c.pay(v, amount)
	return nil
}

// canMint reports whether minting amount keeps the supply and the minted
// total within uint64.
func (c *Chain) canMint(amount uint64) error {
	if _, ok := add(c.ledger.Supply(), amount); !ok {
		return fmt.Errorf("%w: minting %d on a supply of %d", ErrOverflow, amount, c.ledger.Supply())
	}
	if _, ok := add(c.ledger.Minted, amount); !ok {
		return fmt.Errorf("%w: minted total %d + %d", ErrOverflow, c.ledger.Minted, amount)
	}
	return nil
}

// pay mints reward r to validator v (shares > 0, overflow checked) and
// returns the tokens minted.
func (c *Chain) pay(v ValidatorID, r uint64) uint64 {
	val := &c.vals[v]
	comm := mulDivFloor(r, val.commission, One)
	rest := r - comm
	c.liquid[val.operator] += comm
	c.ledger.Liquid += comm
	minted := comm
	if !c.cfg.Payout {
		val.tokens += rest
		c.ledger.Bonded += rest
		minted += rest
	} else {
		var paid uint64
		for _, dl := range val.dels {
			x := mulDivFloor(rest, dl.shares, val.shares)
			c.liquid[dl.acct] += x
			paid += x
		}
		c.ledger.Liquid += paid
		minted += paid
	}
	val.minted += minted
	c.ledger.Minted += minted
	return minted
}

func (c *Chain) eligible(v *validator) bool { return v.shares != 0 && !v.jailed && !v.slashed }

// ProcessEpoch ends epoch (which must equal Epoch()) and advances the chain
// to the next one. offline lists the validators that did not participate
// in the epoch (drawn by the caller); they earn no issuance and, under
// EthIssuance, pay the offline penalty. In order, as the consensus specs
// order epoch processing: issuance and penalties, Ethereum correlation
// penalties for validators at the halfway point of their slashing window,
// effective-balance updates, reset of the next slot of the slashings
// vector, then release of unbonding entries due at the start of epoch+1.
func (c *Chain) ProcessEpoch(epoch uint64, offline []ValidatorID) (EpochReport, error) {
	if !c.ok {
		return EpochReport{}, ErrNotInitialized
	}
	if epoch != c.epoch {
		return EpochReport{}, fmt.Errorf("%w: processing epoch %d, chain is at %d", ErrEpoch, epoch, c.epoch)
	}
	for _, v := range offline {
		if int(v) >= len(c.vals) {
			return EpochReport{}, fmt.Errorf("%w: offline validator %d", ErrUnknown, v)
		}
	}
	c.mark = grow(c.mark, len(c.vals))
	c.reward = grow(c.reward, len(c.vals))
	for _, v := range offline {
		c.mark[v] = true
	}
	defer clear(c.mark)
	rep := EpochReport{Epoch: epoch}
	if err := c.issue(&rep); err != nil {
		return EpochReport{}, err
	}
	c.correlationPenalties(&rep)
	down, up := c.cfg.Eth.hysteresis()
	for i := range c.vals {
		v := &c.vals[i]
		v.eff = c.cfg.Eth.nextEff(v.tokens, v.eff, down, up)
	}
	if n := uint64(len(c.slashings)); n != 0 {
		i := (epoch + 1) % n
		c.slashSum -= c.slashings[i]
		c.slashings[i] = 0
	}
	k := 0
	for k < len(c.queue) && c.queue[k].release <= epoch+1 {
		e := &c.queue[k]
		c.liquid[e.acct] += e.balance
		c.ledger.Liquid += e.balance
		c.ledger.Unbonding -= e.balance
		rep.Released += e.balance
		k++
	}
	if k != 0 {
		c.queue = c.queue[:copy(c.queue, c.queue[k:])]
	}
	c.epoch++
	return rep, nil
}

// issue computes every validator's reward into c.reward, checks that the
// total can be minted, and only then pays it; on error nothing changed.
// quoRecip returns ⌊r/e⌋ for e ≥ 1, given m = ⌊(2^64−1)/e⌋: the high word
// q of r·m is r·m/2^64 rounded down, and (2^64−1)/e − 1 < m ≤ (2^64−1)/e
// gives r/e − 2 < r·m/2^64 < r/e, so ⌊r/e⌋ − 2 ≤ q ≤ ⌊r/e⌋; the loop adds
// the at most two missing units while the remainder r − q·e (never
// negative, never overflowing: q·e ≤ r) is at least e. A multiply and a
// compare or two instead of a 64-bit division.
func quoRecip(r, e, m uint64) uint64 {
	q, _ := bits.Mul64(r, m)
	for r-q*e >= e {
		q++
	}
	return q
}

func (c *Chain) issue(rep *EpochReport) error {
	is := &c.cfg.Issuance
	rules := &c.cfg.Eth
	rewards := c.reward[:len(c.vals)]
	clear(rewards)
	var total uint64
	overflow := false
	sum := func(x uint64) {
		s, ok := add(total, x)
		overflow = overflow || !ok
		total = s
	}
	inflation := c.inflation
	switch is.Model {
	case NoIssuance:
		return nil
	case EthIssuance:
		inc := rules.EffectiveBalanceIncrement
		var active, online uint64
		for i := range c.vals {
			v := &c.vals[i]
			if c.eligible(v) {
				active = satAdd(active, v.eff)
				if !c.mark[i] {
					online = satAdd(online, v.eff)
				}
			}
		}
		active, online = max(active, inc), max(online, inc)
		perIncrement := rules.BaseRewardPerIncrement(active)
		for i := range c.vals {
			v := &c.vals[i]
			if !c.eligible(v) || c.mark[i] {
				continue
			}
			base := satMul(v.eff/inc, perIncrement)
			r, ok := mulDiv(base, online/inc, active/inc)
			overflow = overflow || !ok
			rewards[i] = r
			sum(r)
		}
	case CosmosInflation, FixedAmount:
		var bonded, online uint64
		for i := range c.vals {
			v := &c.vals[i]
			if c.eligible(v) {
				bonded += v.tokens
				if !c.mark[i] {
					online += v.tokens
				}
			}
		}
		provision := is.Amount
		if is.Model == CosmosInflation {
			inflation = c.nextInflation(bonded)
			provision = mulDivFloor(inflation, c.ledger.Supply(), One) / c.cfg.EpochsPerYear
		}
		if online != 0 {
			for i := range c.vals {
				v := &c.vals[i]
				if c.eligible(v) && !c.mark[i] {
					rewards[i] = mulDivFloor(provision, v.tokens, online)
					sum(rewards[i])
				}
			}
		}
	case FixedRate:
		// r/E by a multiply rather than a division per validator.
		e := c.cfg.EpochsPerYear
		m := ^uint64(0) / e
		for i := range c.vals {
			v := &c.vals[i]
			if c.eligible(v) && !c.mark[i] {
				r, ok := mulDiv(v.tokens, is.Rate, One)
				overflow = overflow || !ok
				q := quoRecip(r, e, m)
				rewards[i] = q
				sum(q)
			}
		}
	}
	if overflow {
		return fmt.Errorf("%w: epoch issuance", ErrOverflow)
	}
	if err := c.canMint(total); err != nil {
		return err
	}
	c.inflation = inflation
	rep.Inflation = inflation
	for i, r := range rewards {
		if r != 0 {
			rep.Minted += c.pay(ValidatorID(i), r)
		}
	}
	if is.Model == EthIssuance {
		rep.PenaltyBurned = c.offlinePenalties()
	}
	return nil
}

// offlinePenalties burns the Altair source and target penalties of offline
// eligible validators: base·(SOURCE + TARGET weights)/WEIGHT_DENOMINATOR.
func (c *Chain) offlinePenalties() uint64 {
	rules := &c.cfg.Eth
	inc := rules.EffectiveBalanceIncrement
	var active uint64
	for i := range c.vals {
		if c.eligible(&c.vals[i]) {
			active = satAdd(active, c.vals[i].eff)
		}
	}
	perIncrement := rules.BaseRewardPerIncrement(max(active, inc))
	var burned uint64
	for i := range c.vals {
		v := &c.vals[i]
		if !c.eligible(v) || !c.mark[i] {
			continue
		}
		base := satMul(v.eff/inc, perIncrement)
		p := min(mulDivFloor(base, rules.TimelySourceWeight+rules.TimelyTargetWeight, rules.WeightDenominator), v.tokens)
		v.tokens -= p
		c.ledger.Bonded -= p
		c.burn(ValidatorID(i), p, &c.ledger.BurnedPenalty)
		burned += p
	}
	return burned
}

// nextInflation applies one epoch of the x/mint inflation update given the
// bonded tokens.
func (c *Chain) nextInflation(bonded uint64) uint64 {
	is := &c.cfg.Issuance
	epy := c.cfg.EpochsPerYear
	ratio := mulDivFloor(bonded, One, c.ledger.Supply())
	toGoal, ok := mulDiv(ratio, One, is.GoalBonded)
	if !ok {
		toGoal = math.MaxUint64
	}
	infl := c.inflation
	if toGoal < One {
		infl += mulDivFloor(One-toGoal, is.InflationRateChange, One) / epy
	} else {
		d, ok := mulDiv(toGoal-One, is.InflationRateChange, One)
		if !ok {
			d = math.MaxUint64
		}
		infl -= min(infl, d/epy)
	}
	return min(max(infl, is.InflationMin), is.InflationMax)
}

// correlationPenalties applies process_slashings to the validators at the
// halfway point of their slashings window.
func (c *Chain) correlationPenalties(rep *EpochReport) {
	n := uint64(len(c.slashings))
	if n == 0 {
		return
	}
	rules := &c.cfg.Eth
	due := rep.Epoch + n/2
	var active uint64
	found := false
	for i := range c.vals {
		v := &c.vals[i]
		if c.eligible(v) {
			active = satAdd(active, v.eff)
		}
		found = found || (v.slashed && v.withdrawable == due)
	}
	if !found {
		return
	}
	for i := range c.vals {
		v := &c.vals[i]
		if !v.slashed || v.withdrawable != due {
			continue
		}
		p := rules.CorrelationPenalty(v.eff, c.slashSum, active)
		b, u := c.slashValidator(ValidatorID(i), v.infraction, p, v.eff)
		rep.CorrelationBurned += b + u
		rep.CorrelationSlashed++
	}
}

// slashValidator burns penalty from v's tokens (saturating) and
// floor(initial·num/den) from each of v's unbonding entries created at or
// after the infraction epoch (capped at the entry's balance; nothing if den
// is 0). It returns the amounts burned from bonded and unbonding stake.
func (c *Chain) slashValidator(v ValidatorID, infraction, penalty, den uint64) (fromBonded, fromUnbonding uint64) {
	val := &c.vals[v]
	fromBonded = min(penalty, val.tokens)
	val.tokens -= fromBonded
	c.ledger.Bonded -= fromBonded
	fromUnbonding = c.slashEntries(v, infraction, penalty, den)
	c.burn(v, fromBonded+fromUnbonding, &c.ledger.BurnedSlash)
	return fromBonded, fromUnbonding
}

func (c *Chain) slashEntries(v ValidatorID, infraction, num, den uint64) uint64 {
	if den == 0 {
		return 0
	}
	var burned uint64
	for i := range c.queue {
		e := &c.queue[i]
		if e.val != v || e.created < infraction {
			continue
		}
		x, ok := mulDiv(e.initial, num, den)
		if !ok || x > e.balance {
			x = e.balance
		}
		e.balance -= x
		burned += x
	}
	c.ledger.Unbonding -= burned
	return burned
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
