package protocol

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// The external lending market of the native token that Staking runs
// beside the chain (Compound's jump-rate model), and the yields agents
// compare.

// Deposit moves amount of acct's native tokens into the lending market.
// Shares minted: amount·S/(cash + borrows), amount when S = 0 (rounded
// down).
func (s *Staking) Deposit(acct pos.AccountID, amount uint64) error {
	if s.chain == nil {
		return s.errOrInit()
	}
	if amount == 0 {
		return nil
	}
	sh := amount
	if s.totalShares != 0 {
		claims := s.cash + s.borrows
		if claims == 0 {
			return errors.New("staking: lending market has shares but no claims")
		}
		sh = posMulDiv(amount, s.totalShares, claims)
	}
	if sh == 0 {
		return nil
	}
	if err := s.chain.Transfer(acct, s.lendAcct, amount); err != nil {
		return err
	}
	s.cash += amount
	for int(acct) >= len(s.shares) {
		s.shares = append(s.shares, 0)
	}
	s.shares[acct] += sh
	s.totalShares += sh
	return nil
}

// Withdraw returns up to amount of acct's lending claim (math.MaxUint64:
// all of it), limited by the market's cash, and reports what was paid.
// Shares burned: ⌈paid·S/(cash + borrows)⌉, at most the account's.
func (s *Staking) Withdraw(acct pos.AccountID, amount uint64) (uint64, error) {
	if s.chain == nil {
		return 0, s.errOrInit()
	}
	if int(acct) >= len(s.shares) || s.shares[acct] == 0 {
		return 0, nil
	}
	claims := s.cash + s.borrows
	mine := s.shares[acct]
	value := posMulDiv(mine, claims, s.totalShares)
	pay := min(amount, value, s.cash)
	if pay == 0 {
		return 0, nil
	}
	burn := mine
	if pay < value {
		burn = min(mine, posMulDivCeil(pay, s.totalShares, claims))
	}
	if err := s.chain.Transfer(s.lendAcct, acct, pay); err != nil {
		return 0, err
	}
	s.cash -= pay
	s.shares[acct] -= burn
	s.totalShares -= burn
	return pay, nil
}

// Lent returns the value of acct's lending claim: shares·(cash + borrows)/S.
func (s *Staking) Lent(acct pos.AccountID) uint64 {
	if int(acct) >= len(s.shares) || s.shares[acct] == 0 || s.totalShares == 0 {
		return 0 // ⌊0·b/d⌋ without the division
	}
	return posMulDiv(s.shares[acct], s.cash+s.borrows, s.totalShares)
}

func posMulDiv(a, b, d uint64) uint64 {
	// ⌊a·b/d⌋ in two words when the quotient fits one (hi < d); the same
	// floor as the wide path.
	if hi, lo := bits.Mul64(a, b); hi < d {
		q, _ := bits.Div64(hi, lo, d)
		return q
	}
	var x uint256.Int
	x.SetUint64(a)
	x.MulDivOverflow(&x, uint256.NewInt(b), uint256.NewInt(d))
	if !x.IsUint64() {
		return math.MaxUint64
	}
	return x.Uint64()
}

func posMulDivCeil(a, b, d uint64) uint64 {
	var x, r uint256.Int
	x.SetUint64(a)
	x.Mul(&x, uint256.NewInt(b))
	x.DivMod(&x, uint256.NewInt(d), &r)
	if !r.IsZero() {
		x.AddUint64(&x, 1)
	}
	if !x.IsUint64() {
		return math.MaxUint64
	}
	return x.Uint64()
}

// StakingYields are annual rates agents compare.
type StakingYields struct {
	// Stake is the staking yield estimate (issuance net of stake burned,
	// per bonded token); Valid is false before the first epoch.
	Stake float64
	Valid bool
	// Issuance is the gross staking yield estimate: rewards issued per
	// bonded token, before anyone's losses. A borrower's own carry is
	// measured against it and its own slashing risk, not against the
	// losses of others (which Stake includes).
	Issuance float64
	// Lend and LendBorrow are the lending market's supply and borrow
	// rates; Borrow is the synthetic's borrow rate.
	Lend, LendBorrow, Borrow float64
}

// CarryYields returns Yields' Valid, Issuance and Borrow, what a
// borrower's carry is judged by, without the lending market's rates.
func (s *Staking) CarryYields() (valid bool, issuance, borrow float64) {
	return s.yieldValid, s.issueEst, s.borrowRate()
}

// IssuanceYield is Yields().Issuance.
func (s *Staking) IssuanceYield() float64 { return s.issueEst }

// Yields returns the current yields.
func (s *Staking) Yields() StakingYields {
	y := StakingYields{Stake: s.yieldEst, Valid: s.yieldValid, Issuance: s.issueEst, Borrow: s.borrowRate()}
	y.Lend, y.LendBorrow = s.lendingRates()
	return y
}

// borrowRate is the synthetic's borrow rate as a float (0 without a
// book). The rate moves only when the book's state does: it is converted
// once per version of it (synth.Book.RateVersion).
func (s *Staking) borrowRate() float64 {
	if s.book == nil {
		return 0
	}
	if v := s.book.RateVersion(); v != s.rateVer || !s.rateOK {
		r := s.book.Rate()
		s.rateVer, s.rateF, s.rateOK = v, posRayFloat(&r), true
	}
	return s.rateF
}

// lendingRates returns the yearly supply and borrow rates of the lending
// market, in floating point for agents' decisions (interest itself
// accrues in integers): with u = borrows/(cash + borrows),
//
//	borrow = base + multiplier·min(u, kink) + jump·max(0, u − kink)
//	supply = u·borrow
//
// per block, times BlocksPerYear. An empty market with demand quotes what
// its first depositor would earn, at u = MaxUtilization.
func (s *Staking) lendingRates() (supply, borrow float64) {
	// A function of cash and borrows alone (the model is the run's):
	// computed once per pair of them.
	if c := &s.lendRates; c.ok && c.cash == s.cash && c.borrows == s.borrows {
		return c.supply, c.borrow
	}
	supply, borrow = s.computeLendingRates()
	s.lendRates = lendRatesMemo{true, s.cash, s.borrows, supply, borrow}
	return supply, borrow
}

// lendRatesMemo is the last lendingRates and the cash and borrows it was
// computed at.
type lendRatesMemo struct {
	ok             bool
	cash, borrows  uint64
	supply, borrow float64
}

func (s *Staking) computeLendingRates() (supply, borrow float64) {
	l := &s.Config.Lending
	claims := float64(s.cash) + float64(s.borrows)
	var u float64
	switch {
	case claims > 0:
		u = float64(s.borrows) / claims
	case l.Demand > 0:
		u = float64(l.MaxUtilization) / compound.ExpScale
	default:
		return 0, 0
	}
	mc := s.lendModel()
	kink := mc.kink
	b := mc.base + mc.mult*min(u, kink) + mc.jump*max(0, u-kink)
	b *= compound.BlocksPerYear / compound.ExpScale
	return u * b, b
}

// lendFloats are the lending model's parameters as floats, converted once
// a run rather than at every quote.
type lendFloats struct {
	ok                     bool
	kink, base, mult, jump float64
}

func (s *Staking) lendModel() *lendFloats {
	if !s.lendF.ok {
		m := &s.Config.Lending.Model
		s.lendF = lendFloats{true, m.Kink.Float64() / compound.ExpScale, m.BaseRatePerBlock.Float64(),
			m.MultiplierPerBlock.Float64(), m.JumpMultiplierPerBlock.Float64()}
	}
	return &s.lendF
}

func (s *Staking) lendingStep() error {
	l := &s.Config.Lending
	if s.borrows != 0 {
		var cash, borrows, zero, rate uint256.Int
		cash.SetUint64(s.cash)
		borrows.SetUint64(s.borrows)
		r, err := l.Model.BorrowRate(&cash, &borrows, &zero)
		if err != nil {
			return fmt.Errorf("staking: lending rate: %w", err)
		}
		rate.Mul(&r, uint256.NewInt(l.BlocksPerStep))
		interest, ok := posInterest(s.borrows, &rate)
		if !ok || s.borrows+interest < s.borrows {
			return errors.New("staking: lending interest overflows")
		}
		s.borrows += interest
	}
	target := min(l.Demand, posMulDiv(s.cash+s.borrows, l.MaxUtilization, compound.ExpScale))
	switch {
	case s.borrows > target:
		pay := min(s.borrows-target, s.chain.Liquid(s.public))
		if err := s.chain.Transfer(s.public, s.lendAcct, pay); err != nil {
			return err
		}
		s.cash += pay
		s.borrows -= pay
	case s.borrows < target:
		out := min(target-s.borrows, s.cash)
		if err := s.chain.Transfer(s.lendAcct, s.public, out); err != nil {
			return err
		}
		s.cash -= out
		s.borrows += out
	}
	return nil
}

// posInterest returns ⌊borrows·rate/ExpScale⌋ and whether it fits 64
// bits. For a rate of one word (every step of a sane market) the product
// is two words and one hardware division gives the quotient, which fits
// exactly when the high word is below ExpScale; otherwise MulDivOverflow's
// 512-bit quotient.
func posInterest(borrows uint64, rate *uint256.Int) (uint64, bool) {
	if rate.IsUint64() {
		hi, lo := bits.Mul64(borrows, rate.Uint64())
		if hi >= compound.ExpScale {
			return 0, false
		}
		q, _ := bits.Div64(hi, lo, compound.ExpScale)
		return q, true
	}
	var x uint256.Int
	x.SetUint64(borrows)
	x.MulDivOverflow(&x, rate, uint256.NewInt(compound.ExpScale))
	return x.Uint64(), x.IsUint64()
}

// payDeposits pays stakers the deposit rate out of interest, the rads of
// synthetic the book's loans earned in the epoch: the network mints
//
//	pay = min(⌊interest/RAY⌋, ⌊bonded·DepositRate/(RAY·EpochsPerYear)⌋)
//
// (the second term alone with DepositFromIssuance: a promised rate, paid
// by dilution whatever the loans earn)
// native tokens as rewards to the validators that can earn (not jailed,
// tombstoned or slashed), each ⌊pay·tokens/Σtokens⌋, shared with their
// delegators as issuance is; the remainder is not minted. The synthetic
// interest stays in the protocol's holdings, against deficits: the loans'
// revenue backs what the network pays its depositors.
func (s *Staking) payDeposits(interest *uint256.Int) error {
	s.depositEpoch = 0
	if s.Config.DepositRate.IsZero() || (interest.IsZero() && !s.Config.DepositFromIssuance) {
		return nil
	}
	c := s.chain
	ray := synth.RayOne()
	var budget, limit uint256.Int
	budget.Div(interest, &ray)
	limit.SetUint64(c.Bonded())
	if _, over := limit.MulDivOverflow(&limit, &s.Config.DepositRate, &ray); over {
		return nil
	}
	limit.Div(&limit, uint256.NewInt(max(s.Config.Chain.EpochsPerYear, 1)))
	if limit.Lt(&budget) || s.Config.DepositFromIssuance {
		budget = limit
	}
	if budget.IsZero() || !budget.IsUint64() {
		return nil
	}
	pay := budget.Uint64()
	var total uint64
	for v := range pos.ValidatorID(c.NumValidators()) {
		if info, err := c.Validator(v); err == nil && info.Shares > 0 && !info.Jailed && !info.Tombstoned && !info.Slashed {
			total += info.Tokens
		}
	}
	if total == 0 {
		return nil
	}
	minted0 := c.Ledger().Minted
	for v := range pos.ValidatorID(c.NumValidators()) {
		info, err := c.Validator(v)
		if err != nil || info.Shares == 0 || info.Jailed || info.Tombstoned || info.Slashed {
			continue
		}
		var x uint256.Int
		x.SetUint64(pay)
		x.MulDivOverflow(&x, uint256.NewInt(info.Tokens), uint256.NewInt(total))
		if a := x.Uint64(); a > 0 {
			if err := c.Reward(v, a); err != nil {
				return err
			}
		}
	}
	paid := c.Ledger().Minted - minted0
	s.issued += paid
	s.depositPaid += paid
	s.depositEpoch = paid
	return nil
}
