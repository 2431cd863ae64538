package protocol

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/stableswap"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// StakingConfig is the template a Staking protocol rebuilds every run from.
// Token amounts are raw units of the native token (10^−Decimals tokens),
// which are also the chain's and the synthetic's units.
type StakingConfig struct {
	// Chain is the Proof-of-Stake ledger's parameters; one chain epoch
	// lasts EpochSteps simulation steps.
	Chain      pos.Config
	EpochSteps int
	// Offence is what a validator fault is: pos.DoubleSign (Cosmos fixed
	// fraction, tombstoned) or pos.EthSlashing (Ethereum's initial and
	// correlation penalties).
	Offence pos.Offence
	// Decimals are the native token's (and the synthetic's) decimals.
	Decimals int
	// Supply is the genesis supply, all of it first held by the public
	// float account, which endows agents and pays lending interest.
	Supply uint64
	// Book configures the loan book; Book.Treasury is set at Reset.
	Book synth.Params
	// Policy is the design: synth.Enshrined (the network as lender) or
	// synth.ExternalHub (nil means ExternalHub).
	Policy synth.Policy
	// MarkToPool values collateral at the pool: price = 1/TWAP synthetic
	// per native; otherwise at par.
	MarkToPool bool
	// Native and Synth are asset indices; Venue is the index of the pool
	// that trades them against each other (uniswap_v2 or stableswap).
	Native, Synth, Venue int
	// LPCollateral is the stake the pool's liquidity provider locks per
	// unit of synthetic in the pool at genesis (≥ the collateral ratio).
	LPCollateral float64
	// TWAPSteps is the length of the pool price average, in steps.
	TWAPSteps int
	// UseOracle reads the synthetic's average price from the Feed at
	// Market.Protocols[Oracle] (in the numeraire, divided by the native
	// token's price) instead of averaging the pool itself. The oracle must
	// be stepped before the chain.
	UseOracle bool
	Oracle    int
	// Lending is the external lending market of the native token.
	Lending StakingLending
	// CascadeSteps is the window of the cascade depth, in steps.
	CascadeSteps int
	// CorruptionShare is the share of the security budget an attacker must
	// control (1/3 or 2/3, by consensus).
	CorruptionShare float64
	// YieldHalfLife is the half-life, in epochs, of the staking yield
	// estimate.
	YieldHalfLife float64
	// CheckAtEpoch defers the default check to the book's epoch Step;
	// otherwise loans are checked the moment stake is lost (a slashing, a
	// downtime slash, an epoch's penalties), whatever the offence, so
	// borrowers cannot cure between the loss and the check.
	CheckAtEpoch bool
}

// StakingLending is the external lending market: Compound's JumpRateModel
// on deposits of the native token, borrowed by the public up to Demand.
type StakingLending struct {
	Model compound.JumpRateModel
	// Demand is what the public wants to borrow (raw units).
	Demand uint64
	// MaxUtilization caps borrows/(cash + borrows), a 1e18 mantissa.
	MaxUtilization uint64
	// BlocksPerStep is how many of the model's blocks one step lasts.
	BlocksPerStep uint64
}

// Staking is a Proof-of-Stake chain with a staking-derivatives loan book and
// an external lending market, as a Protocol: a pos.Chain and a synth.Book
// rebuilt from Config every run, the pool where the synthetic trades
// against the native token, and the accounts agents act through.
//
// # Genesis (Reset)
//
// Account 0 is the public float, holding Supply. The pool's reserves become
// balances of a pool account: its native reserve is transferred from the
// float, and its synthetic reserve is borrowed by a liquidity-provider
// account against LPCollateral·reserve of stake on an infrastructure
// validator (validator 0, never faulting), so every synthetic token is
// backed by a loan from the start. Agents then Endow their accounts from
// the float in their own Reset.
//
// # Each step (Step, before agents act)
//
//   - The step that just ended enters the TWAP (the mean of the last
//     TWAPSteps step prices) with its price: the mean of its opening pool
//     price p (native per synthetic) and the price after each of its
//     trades through Swap — so a premium or discount inside the step
//     counts whatever the order of the agents' turns.
//   - Lending: borrows grow by ⌊borrows·rate_block·BlocksPerStep/1e18⌋
//     (JumpRateModel.BorrowRate at the current cash and borrows), then
//     the public repays or borrows toward
//     min(Demand, ⌊(cash + borrows)·MaxUtilization/1e18⌋), paying from
//     or receiving into its float.
//   - Every EpochSteps steps: the chain processes its epoch (issuance,
//     penalties, unbonding releases; offline validators as reported by
//     Downtime), then the book runs its Step at the new epoch with the
//     TWAP's discount max(0, 1 − TWAP) and the collateral price
//     (1/TWAP with MarkToPool, else par), and heals its deficit from its
//     holdings. The staking yield estimate is an exponential average, of
//     half-life YieldHalfLife epochs, of
//     (minted − stake burned in the epoch)/bonded·EpochsPerYear.
//   - The synthetic's external price is set to p·(native price).
//
// # Checks (Check, after agents act)
//
// Besides the chain's and the book's own identities: minted equals the
// rewards the adapter saw issued; stake burned by slashing and penalties
// equals the slashings and penalties it applied; collateral burned by
// foreclosure equals the collateral seized (Burn disposition; at most it
// for Redistribute, zero for ToTreasury); the pool's token balances equal
// the pool account's native and synthetic balances; the lending account
// holds exactly the market's cash; the synthetic in circulation is exactly
// the balances of the accounts the adapter knows (none leaked); and
// synthetic supply = outstanding debt + deficit = circulating + protocol
// holdings.
type Staking struct {
	Config StakingConfig

	chain *pos.Chain
	book  *synth.Book
	venue *market.Venue
	err   error

	nat, syn int // pool token indices
	unit     uint64
	public   pos.AccountID
	poolAcct pos.AccountID
	lp       pos.AccountID
	lendAcct pos.AccountID
	treasury pos.AccountID
	infra    pos.ValidatorID

	accounts  []pos.AccountID // participants, in Endow order
	operators []posOp
	holders   []posHolder // by account
	// bookVer is bumped by every book Step (the index moves), fullVer by
	// a Step that foreclosed or recalled loans; a holder's own Borrow and
	// Repay invalidate its cache. No other operation changes a loan: the
	// book's epoch, hence its index, moves only at Step, since every
	// operation uses the chain's epoch.
	bookVer, fullVer uint64
	offline          []pos.ValidatorID

	// lending market
	cash, borrows uint64
	shares        []uint64 // by account
	totalShares   uint64

	// pool price average
	prices     []float64
	pi         int
	priceSum   float64
	spot, twap float64
	// turnSum and turns accumulate the pool prices seen within the step:
	// its opening price and the price after each trade through Swap.
	turnSum float64
	turns   int

	// identities the adapter tracks
	issued, slashBurned, penaltyBurned, seized uint64

	// per-run outcomes
	started                               bool
	newEpoch                              bool
	epochs, haltedEpochs                  int
	slashings, defaults, recallForeclosed int
	defaultLoans                          int
	// foreclosedThisStep counts borrowers foreclosed in the current step,
	// for the cascade window.
	foreclosedThisStep                   int
	maxPremium                           float64
	defaulted, foreclosed                []pos.AccountID
	recalled                             int
	burnSinceEpoch                       uint64
	yieldEst, issueEst                   float64
	yieldValid                           bool
	window                               []int
	windowAt, windowSum, maxDepth        int
	maxDiscount, minStaking, minSecurity float64
	bonded0                              uint64
	giniStake0, giniWealth0              float64
	largest                              int // index into operators, −1 if none
	largestStake0, largestLost           uint64

	scratch      []uint64
	scratchV     []pos.ValidatorID
	open         []synth.LoanID
	largestLoans []posLoanValue
}

// posOp is an operator: an account running validators.
type posOp struct {
	acct pos.AccountID
	vals []pos.ValidatorID
}

// Errors the Staking adapter returns, wrapped with details.
var (
	ErrStakingIdentity = errors.New("staking: accounting identity violated")
	ErrStakingGenesis  = errors.New("staking: genesis")
)

// Reset implements Protocol: it rebuilds the chain, the book and the
// genesis accounts from Config.
func (s *Staking) Reset(m *market.Market) {
	cfg := &s.Config
	*s = Staking{Config: *cfg, prices: s.prices[:0], window: s.window[:0], shares: s.shares[:0],
		accounts: s.accounts[:0], operators: s.operators[:0], holders: s.holders[:0], bookVer: 1, fullVer: 1,
		scratch: s.scratch, scratchV: s.scratchV, open: s.open, largestLoans: s.largestLoans, largest: -1}
	if err := s.genesis(m); err != nil {
		s.err = fmt.Errorf("%w: %w", ErrStakingGenesis, err)
		s.chain, s.book = nil, nil
	}
}

func (s *Staking) genesis(m *market.Market) error {
	cfg := &s.Config
	if cfg.EpochSteps < 1 || cfg.TWAPSteps < 1 || cfg.CascadeSteps < 1 {
		return errors.New("EpochSteps, TWAPSteps and CascadeSteps must be positive")
	}
	if cfg.Venue < 0 || cfg.Venue >= len(m.Venues) {
		return fmt.Errorf("no venue %d", cfg.Venue)
	}
	if cfg.UseOracle {
		if cfg.Oracle < 0 || cfg.Oracle >= len(m.Protocols) {
			return fmt.Errorf("no oracle %d", cfg.Oracle)
		}
		if _, ok := m.Protocols[cfg.Oracle].(Feed); !ok {
			return fmt.Errorf("protocol %d is not a price feed", cfg.Oracle)
		}
	}
	s.venue = m.Venues[cfg.Venue]
	v := s.venue
	if v.Pool.NumTokens() != 2 {
		return fmt.Errorf("pool %s has %d tokens, want 2", v.Name, v.Pool.NumTokens())
	}
	switch {
	case v.Assets[0] == cfg.Native && v.Assets[1] == cfg.Synth:
		s.nat, s.syn = 0, 1
	case v.Assets[1] == cfg.Native && v.Assets[0] == cfg.Synth:
		s.nat, s.syn = 1, 0
	default:
		return fmt.Errorf("pool %s does not trade the native token against the synthetic", v.Name)
	}
	s.unit = 1
	for range cfg.Decimals {
		s.unit *= 10
	}
	c, err := pos.New(cfg.Chain, []uint64{cfg.Supply})
	if err != nil {
		return err
	}
	s.chain = c
	s.public = 0
	for _, a := range []*pos.AccountID{&s.poolAcct, &s.lp, &s.lendAcct, &s.treasury} {
		if *a, err = c.NewAccount(); err != nil {
			return err
		}
	}
	var hold [2]uint256.Int
	posPoolBalances(v.Pool, &hold)
	if !hold[0].IsUint64() || !hold[1].IsUint64() {
		return errors.New("pool reserves exceed 2^64 raw units")
	}
	natRes, synRes := hold[s.nat].Uint64(), hold[s.syn].Uint64()
	if err := c.Transfer(s.public, s.poolAcct, natRes); err != nil {
		return fmt.Errorf("funding the pool's native reserve: %w", err)
	}
	lpStake := uint64(math.Ceil(float64(synRes) * cfg.LPCollateral))
	if lpStake == 0 {
		lpStake = 1
	}
	if err := c.Transfer(s.public, s.lp, lpStake); err != nil {
		return fmt.Errorf("funding the pool's liquidity provider: %w", err)
	}
	if s.infra, err = c.AddValidator(s.lp, 0, lpStake); err != nil {
		return err
	}
	p := cfg.Book
	p.Treasury = s.treasury
	if s.book, err = synth.New(c, p, cfg.Policy, 0); err != nil {
		return err
	}
	if synRes > 0 {
		d, _ := c.Delegation(s.infra, s.lp)
		id, err := s.book.Borrow(0, s.lp, s.infra, d.Shares, *uint256.NewInt(synRes), synth.RayOne())
		if err != nil {
			return fmt.Errorf("borrowing the pool's synthetic reserve: %w", err)
		}
		// The pool's synthetic reserve is the protocol's own liquidity: no
		// agent stands behind it to repay a recall.
		if err := s.book.MarkProtocolOwned(id); err != nil {
			return err
		}
		h := s.holder(s.lp)
		h.loans, h.stale = append(h.loans, id), true
		if err := s.book.Transfer(s.lp, s.poolAcct, *uint256.NewInt(synRes)); err != nil {
			return err
		}
	}
	s.spot = s.poolPrice()
	s.twap = s.spot
	s.prices = append(s.prices, s.spot)
	s.priceSum = s.spot
	s.turnSum, s.turns = s.spot, 1
	s.window = append(s.window, make([]int, cfg.CascadeSteps)...)
	return nil
}

// posPoolBalances writes the pool's token balances: reserves for a
// Uniswap v2 pair, balances plus admin fees for a StableSwap pool, the
// liquidity providers' holdings otherwise.
func posPoolBalances(p cfmm.Pool, dst *[2]uint256.Int) {
	switch q := p.(type) {
	case *uniswapv2.Pair:
		dst[0], dst[1] = q.Reserves()
	case *stableswap.Pool:
		var b, a [2]uint256.Int
		q.Balances(b[:])
		q.AdminBalances(a[:])
		dst[0].Add(&b[0], &a[0])
		dst[1].Add(&b[1], &a[1])
	default:
		p.LPHoldings(dst[:])
	}
}

// Err returns the error that stopped the protocol this run, if any.
func (s *Staking) Err() error { return s.err }

// Chain returns the run's chain (nil before Reset or after a failed one).
func (s *Staking) Chain() *pos.Chain { return s.chain }

// Book returns the run's loan book.
func (s *Staking) Book() *synth.Book { return s.book }

// Public returns the float account; PoolAccount, LPAccount,
// LendingAccount and Treasury the other infrastructure accounts.
func (s *Staking) Public() pos.AccountID { return s.public }

// PoolAccount returns the account whose balances are the pool's.
func (s *Staking) PoolAccount() pos.AccountID { return s.poolAcct }

// InfraValidator returns the infrastructure validator, which never faults.
func (s *Staking) InfraValidator() pos.ValidatorID { return s.infra }

// Unit returns the raw units per whole native token.
func (s *Staking) Unit() uint64 { return s.unit }

// NewEpoch reports whether this step ended a chain epoch.
func (s *Staking) NewEpoch() bool { return s.newEpoch }

// Endow creates a participant account and funds it with amount from the
// public float. A shortfall stops the run at its next Step.
func (s *Staking) Endow(amount uint64) (pos.AccountID, error) {
	if s.chain == nil {
		return 0, s.errOrInit()
	}
	a, err := s.chain.NewAccount()
	if err == nil {
		err = s.chain.Transfer(s.public, a, amount)
	}
	if err != nil {
		s.err = fmt.Errorf("%w: endowing an agent with %d raw units from a float of %d: %w",
			ErrStakingGenesis, amount, s.chain.Liquid(s.public), err)
		return 0, s.err
	}
	s.accounts = append(s.accounts, a)
	return a, nil
}

func (s *Staking) errOrInit() error {
	if s.err != nil {
		return s.err
	}
	return errors.New("staking: not reset")
}

// AddValidator creates a validator operated by op with stake from op's
// liquid balance, and counts op as an operator for the stake metrics.
func (s *Staking) AddValidator(op pos.AccountID, commission, stake uint64) (pos.ValidatorID, error) {
	if s.chain == nil {
		return 0, s.errOrInit()
	}
	v, err := s.chain.AddValidator(op, commission, stake)
	if err != nil {
		return 0, err
	}
	for k := range s.operators {
		if s.operators[k].acct == op {
			s.operators[k].vals = append(s.operators[k].vals, v)
			return v, nil
		}
	}
	s.operators = append(s.operators, posOp{acct: op, vals: []pos.ValidatorID{v}})
	return v, nil
}

// Alive reports whether validator v can still take delegations and earn:
// not tombstoned, not Ethereum-slashed.
func (s *Staking) Alive(v pos.ValidatorID) bool {
	if s.chain == nil {
		return false
	}
	info, err := s.chain.Validator(v)
	return err == nil && !info.Tombstoned && !info.Slashed && info.Shares != 0
}

// ChooseValidator picks an alive validator other than the infrastructure
// one from a uniform draw u in [0, 1): uniformly, or with probability
// proportional to its tokens when weighted.
func (s *Staking) ChooseValidator(u float64, weighted bool) (pos.ValidatorID, bool) {
	if s.chain == nil {
		return 0, false
	}
	s.scratchV = s.scratchV[:0]
	var total float64
	for k := range s.chain.NumValidators() {
		v := pos.ValidatorID(k)
		if v == s.infra {
			continue
		}
		info, _ := s.chain.Validator(v)
		if info.Tombstoned || info.Slashed || info.Jailed || info.Shares == 0 {
			continue
		}
		s.scratchV = append(s.scratchV, v)
		total += float64(info.Tokens)
	}
	n := len(s.scratchV)
	if n == 0 {
		return 0, false
	}
	if !weighted || total == 0 {
		return s.scratchV[min(n-1, int(u*float64(n)))], true
	}
	target := u * total
	for _, v := range s.scratchV {
		info, _ := s.chain.Validator(v)
		target -= float64(info.Tokens)
		if target < 0 {
			return v, true
		}
	}
	return s.scratchV[n-1], true
}

// Fault applies one incident of the configured offence to the validators
// in vs (one correlated incident when there are several), skipping those
// not slashable for it. It returns the stake burned.
func (s *Staking) Fault(vs []pos.ValidatorID) (uint64, error) {
	if s.chain == nil {
		return 0, s.errOrInit()
	}
	s.scratchV = s.scratchV[:0]
	for _, v := range vs {
		info, err := s.chain.Validator(v)
		if err != nil || v == s.infra || info.Tombstoned || s.Config.Offence == pos.EthSlashing && info.Slashed {
			continue
		}
		s.scratchV = append(s.scratchV, v)
	}
	if len(s.scratchV) == 0 {
		return 0, nil
	}
	before := s.largestBurned()
	rep, err := s.chain.SlashMany(s.Config.Offence, s.scratchV, s.chain.Epoch(), pos.NoValidator)
	if err != nil {
		return 0, err
	}
	s.largestLost += s.largestBurned() - before
	s.slashBurned += rep.Burned()
	s.issued += rep.Whistleblower
	s.burnSinceEpoch += rep.Burned()
	s.slashings++
	if err := s.checkNow(); err != nil {
		return rep.Burned(), err
	}
	return rep.Burned(), nil
}

// checkNow forecloses loans in default at once, unless defaults are
// checked at the epoch (Config.CheckAtEpoch).
func (s *Staking) checkNow() error {
	if s.Config.CheckAtEpoch {
		return nil
	}
	s.open = s.book.OpenLoans(s.open[:0])
	before := s.largestOpenLoans()
	rep, err := s.book.ForecloseDefaults(s.chain.Epoch(), s.MarkPrice())
	if err != nil {
		s.err = err
		return err
	}
	if rep.ForeclosedDefault > 0 {
		s.fullVer++
		s.recordForeclosures(rep, before)
	}
	return nil
}

// largestOpenLoans lists the largest operator's open loans with the value
// of their collateral, to count what it loses to foreclosure.
func (s *Staking) largestOpenLoans() []posLoanValue {
	s.largestLoans = s.largestLoans[:0]
	if s.largest < 0 {
		return nil
	}
	for _, id := range s.Loans(s.operators[s.largest].acct) {
		if l, err := s.book.Loan(id); err == nil && l.Status == synth.Open {
			v, _ := s.chain.SharesValue(l.Validator, l.Shares)
			s.largestLoans = append(s.largestLoans, posLoanValue{id, v})
		}
	}
	return s.largestLoans
}

type posLoanValue struct {
	id    synth.LoanID
	value uint64
}

// recordForeclosures counts a book report's foreclosures: the loans in
// s.open (listed before the report) now foreclosed give the borrowers
// foreclosed and those in default; largest are the largest operator's
// loans before the report.
func (s *Staking) recordForeclosures(rep synth.StepReport, largest []posLoanValue) {
	c, b := s.chain, s.book
	defaulted, foreclosed := 0, 0
	if rep.ForeclosedDefault+rep.ForeclosedRecall > 0 {
		s.defaulted, s.foreclosed = s.defaulted[:0], s.foreclosed[:0]
		for _, id := range s.open {
			l, err := b.Loan(id)
			if err != nil || l.Status != synth.Foreclosed {
				continue
			}
			s.foreclosed = append(s.foreclosed, l.Holder)
			if !l.Recalled || l.Deadline > c.Epoch() {
				s.defaulted = append(s.defaulted, l.Holder)
			}
		}
		slices.Sort(s.defaulted)
		slices.Sort(s.foreclosed)
		defaulted = len(slices.Compact(s.defaulted))
		foreclosed = len(slices.Compact(s.foreclosed))
	}
	for _, lv := range largest {
		if l, _ := b.Loan(lv.id); l.Status == synth.Foreclosed {
			s.largestLost += lv.value
		}
	}
	s.seized += rep.Seized
	s.defaults += defaulted
	s.defaultLoans += rep.ForeclosedDefault
	s.recallForeclosed += rep.ForeclosedRecall
	s.foreclosedThisStep += foreclosed
}

// Downtime reports validator v offline: under EthSlashing it misses the
// current epoch's rewards and pays the offline penalty at the epoch's end;
// otherwise it is slashed for pos.Downtime and jailed.
func (s *Staking) Downtime(v pos.ValidatorID) error {
	if s.chain == nil {
		return s.errOrInit()
	}
	info, err := s.chain.Validator(v)
	if err != nil || v == s.infra || info.Jailed || info.Slashed {
		return err
	}
	if s.Config.Offence == pos.EthSlashing {
		for _, w := range s.offline {
			if w == v {
				return nil
			}
		}
		s.offline = append(s.offline, v)
		return nil
	}
	before := s.largestBurned()
	rep, err := s.chain.Slash(pos.Downtime, v, s.chain.Epoch(), pos.NoValidator)
	if err != nil {
		return err
	}
	s.largestLost += s.largestBurned() - before
	s.slashBurned += rep.Burned()
	s.burnSinceEpoch += rep.Burned()
	return s.checkNow()
}

// largestBurned sums the burned totals of the largest operator's validators.
func (s *Staking) largestBurned() uint64 {
	if s.largest < 0 {
		return 0
	}
	var b uint64
	for _, v := range s.operators[s.largest].vals {
		info, _ := s.chain.Validator(v)
		b += info.Burned
	}
	return b
}

// StressSlash is the share of its stake one incident burns from an
// operator holding share of the bonded stake: Cosmos's double-sign
// fraction; on Ethereum the initial penalty 1/MinSlashingPenaltyQuotient
// plus the correlation penalty min(1, multiplier·share) the incident
// brings on itself.
func (s *Staking) StressSlash(share float64) float64 {
	cfg := s.Config.Chain
	if s.Config.Offence != pos.EthSlashing {
		return float64(cfg.Cosmos.SlashFractionDoubleSign) / float64(pos.One)
	}
	r := cfg.Eth
	f := 0.0
	if r.MinSlashingPenaltyQuotient > 0 {
		f = 1 / float64(r.MinSlashingPenaltyQuotient)
	}
	return min(1, f+min(1, float64(r.ProportionalSlashingMultiplier)*share))
}

// BreakEven is the lowest pool price, native per synthetic, at which
// selling borrowed synthetic to stake the proceeds pays for itself over a
// year when it is bought back at par: p·(1 + issuance) = 1 + borrow rate.
// Borrowers sell no lower; it moves with the rates on offer, so no
// constant sets the pool price.
func (s *Staking) BreakEven() float64 {
	y := s.Yields()
	return (1 + max(y.Borrow, 0)) / (1 + max(y.Issuance, 0))
}

// MarkPrice returns the collateral price the book uses, synthetic per
// native (ray): 1/TWAP with MarkToPool, else par.
func (s *Staking) MarkPrice() uint256.Int {
	if !s.Config.MarkToPool || !(s.twap > 0) || math.IsInf(s.twap, 0) {
		return synth.RayOne()
	}
	return posRay(1 / s.twap)
}

func posRay(f float64) uint256.Int { return cfmm.Amount(f * 1e27) }

func posRayFloat(x *uint256.Int) float64 { return x.Float64() / 1e27 }

// Borrow opens a loan: holder locks shares of its delegation to v and
// receives amount of synthetic, at the current epoch and mark price.
func (s *Staking) Borrow(holder pos.AccountID, v pos.ValidatorID, shares, amount uint64) (synth.LoanID, error) {
	if s.book == nil {
		return 0, s.errOrInit()
	}
	id, err := s.book.Borrow(s.chain.Epoch(), holder, v, shares, *uint256.NewInt(amount), s.MarkPrice())
	if err != nil {
		return 0, err
	}
	h := s.holder(holder)
	h.loans = append(h.loans, id)
	h.stale = true
	return id, nil
}

// MaxBorrow returns the synthetic that shares of v allow at the mark
// price: ⌊value·price/CollateralRatio⌋.
func (s *Staking) MaxBorrow(v pos.ValidatorID, shares uint64) uint64 {
	if s.chain == nil || shares == 0 {
		return 0
	}
	value, err := s.chain.SharesValue(v, shares)
	if err != nil {
		return 0
	}
	price := s.MarkPrice()
	cr := s.Config.Book.CollateralRatio
	var x uint256.Int
	x.SetUint64(value)
	if _, over := x.MulDivOverflow(&x, &price, &cr); over || !x.IsUint64() {
		return math.MaxUint64
	}
	return x.Uint64()
}

// Repay pays up to amount of a loan from its holder's synthetic and
// returns what was paid.
func (s *Staking) Repay(id synth.LoanID, amount uint64) (uint64, error) {
	if s.book == nil {
		return 0, s.errOrInit()
	}
	l, err := s.book.Loan(id)
	if err != nil {
		return 0, err
	}
	paid, err := s.book.Repay(s.chain.Epoch(), id, *uint256.NewInt(amount))
	if err == nil {
		s.holder(l.Holder).stale = true
	}
	return paid.Uint64(), err
}

// posHolder caches a borrower's loans and debt between book changes.
type posHolder struct {
	loans      []synth.LoanID // open at the last full refresh
	art        uint256.Int    // their normalised debt
	stale      bool           // the holder borrowed or repaid since
	fullAt     uint64         // fullVer of the last full refresh
	ver        uint64         // bookVer of debt
	debt       uint64
	recalled   bool
	foreclosed int // foreclosures seen and not yet reported by Settle
}

func (s *Staking) holder(a pos.AccountID) *posHolder {
	for int(a) >= len(s.holders) {
		s.holders = append(s.holders, posHolder{})
	}
	return &s.holders[a]
}

// refresh brings a holder's cache up to date: a full pass over its loans
// (dropping closed ones, counting foreclosures) after its own Borrow or
// Repay or a Step that foreclosed or recalled loans; otherwise only the
// debt, ⌈Σart·index/RAY⌉, when the index may have moved.
func (s *Staking) refresh(h *posHolder) {
	if h.stale || h.fullAt != s.fullVer {
		h.stale, h.fullAt, h.ver, h.recalled = false, s.fullVer, 0, false
		h.art.Clear()
		k := 0
		for _, id := range h.loans {
			l, err := s.book.Loan(id)
			switch {
			case err == nil && l.Status == synth.Open:
				h.loans[k] = id
				k++
				h.art.Add(&h.art, &l.Art)
				h.recalled = h.recalled || l.Recalled
			case err == nil && l.Status == synth.Foreclosed:
				h.foreclosed++
			}
		}
		h.loans = h.loans[:k]
	}
	if h.ver != s.bookVer {
		h.ver, h.debt = s.bookVer, 0
		if !h.art.IsZero() {
			var d, r uint256.Int
			idx := s.book.Index()
			one := synth.RayOne()
			if _, over := d.MulOverflow(&h.art, &idx); over {
				h.debt = math.MaxUint64
				return
			}
			d.DivMod(&d, &one, &r)
			if !r.IsZero() {
				d.AddUint64(&d, 1)
			}
			h.debt = math.MaxUint64
			if d.IsUint64() {
				h.debt = d.Uint64()
			}
		}
	}
}

// Loans returns holder's open loans opened through Borrow.
func (s *Staking) Loans(holder pos.AccountID) []synth.LoanID {
	if s.book == nil || int(holder) >= len(s.holders) {
		return nil
	}
	h := &s.holders[holder]
	s.refresh(h)
	return h.loans
}

// Settle returns how many of holder's loans were foreclosed since the last
// call.
func (s *Staking) Settle(holder pos.AccountID) (foreclosed int) {
	if s.book == nil || int(holder) >= len(s.holders) {
		return 0
	}
	h := &s.holders[holder]
	s.refresh(h)
	n := h.foreclosed
	h.foreclosed = 0
	return n
}

// Debt returns what holder owes on its open loans (synthetic, rounded up)
// and whether any of them has been recalled.
func (s *Staking) Debt(holder pos.AccountID) (debt uint64, recalled bool) {
	if s.book == nil || int(holder) >= len(s.holders) {
		return 0, false
	}
	h := &s.holders[holder]
	s.refresh(h)
	return h.debt, h.recalled
}

func posSatAdd(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

// Synthetic returns acct's synthetic balance.
func (s *Staking) Synthetic(acct pos.AccountID) uint64 {
	if s.book == nil {
		return 0
	}
	b := s.book.Balance(acct)
	if !b.IsUint64() {
		return math.MaxUint64
	}
	return b.Uint64()
}

// Halted reports whether the policy refuses new loans.
func (s *Staking) Halted() bool {
	if s.book == nil {
		return true
	}
	a := s.book.Action()
	return a.Halt || a.Recall
}

// PoolPrice returns the pool's spot price of the synthetic in native
// tokens, before fees.
func (s *Staking) PoolPrice() float64 { return s.poolPrice() }

func (s *Staking) poolPrice() float64 {
	if s.venue == nil {
		return 1
	}
	return s.venue.Pool.SpotPrice(s.syn, s.nat)
}

// Pool returns the pool the synthetic trades on (nil before a successful
// Reset).
func (s *Staking) Pool() cfmm.Pool {
	if s.venue == nil {
		return nil
	}
	return s.venue.Pool
}

// Tokens returns the pool token indices of the synthetic and the native
// token.
func (s *Staking) Tokens() (syn, nat int) { return s.syn, s.nat }

// TWAP returns the average pool price over the last TWAPSteps steps.
func (s *Staking) TWAP() float64 { return s.twap }

// Circulating returns the synthetic held by accounts, in raw units.
func (s *Staking) Circulating() float64 {
	if s.book == nil {
		return 0
	}
	t := s.book.Totals()
	return t.Circulating.Float64()
}

// DefaultRate returns the book's default rate: debt foreclosed in its
// default window over the debt exposed in it (synth.Book.DefaultRate).
func (s *Staking) DefaultRate() float64 {
	if s.book == nil {
		return 0
	}
	r := s.book.DefaultRate()
	return posRayFloat(&r)
}

// Backing returns min(1, debt/circulating): the share of the synthetic in
// circulation that outstanding loans can absorb at par.
func (s *Staking) Backing() float64 {
	if s.book == nil {
		return 1
	}
	t := s.book.Totals()
	circ := t.Circulating.Float64()
	if circ == 0 {
		return 1
	}
	return min(1, t.Debt.Float64()/1e27/circ)
}

// Swap sells amountIn of the native token (sellNative) or of the synthetic
// on the pool for acct, moving the tokens between acct and the pool
// account, and returns the amount received.
func (s *Staking) Swap(m *market.Market, acct pos.AccountID, sellNative bool, amountIn uint64) (uint64, error) {
	if s.book == nil {
		return 0, s.errOrInit()
	}
	if amountIn == 0 {
		return 0, nil
	}
	i, j := s.syn, s.nat
	if sellNative {
		i, j = s.nat, s.syn
		if s.chain.Liquid(acct) < amountIn {
			return 0, fmt.Errorf("staking: account %d holds %d native, sells %d", acct, s.chain.Liquid(acct), amountIn)
		}
	} else if s.Synthetic(acct) < amountIn {
		return 0, fmt.Errorf("staking: account %d holds %d synthetic, sells %d", acct, s.Synthetic(acct), amountIn)
	}
	in := uint256.NewInt(amountIn)
	t, err := s.venue.Swap(m, i, j, in)
	if err != nil {
		return 0, err
	}
	out := t.Out.Uint64() // the pool's balances fit in 64 bits
	s.turnSum += s.venue.Pool.SpotPrice(s.syn, s.nat)
	s.turns++
	if sellNative {
		_ = s.chain.Transfer(acct, s.poolAcct, amountIn)
		_ = s.book.Transfer(s.poolAcct, acct, t.Out)
	} else {
		_ = s.book.Transfer(acct, s.poolAcct, *in)
		_ = s.chain.Transfer(s.poolAcct, acct, out)
	}
	return out, nil
}

// Quote returns what Swap would pay, without trading.
func (s *Staking) Quote(sellNative bool, amountIn uint64) uint64 {
	if s.venue == nil || amountIn == 0 {
		return 0
	}
	i, j := s.syn, s.nat
	if sellNative {
		i, j = s.nat, s.syn
	}
	t, err := s.venue.Pool.Quote(i, j, uint256.NewInt(amountIn))
	if err != nil || !t.Out.IsUint64() {
		return 0
	}
	return t.Out.Uint64()
}

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
	if int(acct) >= len(s.shares) || s.totalShares == 0 {
		return 0
	}
	return posMulDiv(s.shares[acct], s.cash+s.borrows, s.totalShares)
}

func posMulDiv(a, b, d uint64) uint64 {
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

// Yields returns the current yields.
func (s *Staking) Yields() StakingYields {
	y := StakingYields{Stake: s.yieldEst, Valid: s.yieldValid, Issuance: s.issueEst}
	if s.book != nil {
		r := s.book.Rate()
		y.Borrow = posRayFloat(&r)
	}
	y.Lend, y.LendBorrow = s.lendingRates()
	return y
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
	m := &l.Model
	kink := m.Kink.Float64() / compound.ExpScale
	b := m.BaseRatePerBlock.Float64() + m.MultiplierPerBlock.Float64()*min(u, kink) +
		m.JumpMultiplierPerBlock.Float64()*max(0, u-kink)
	b *= compound.BlocksPerYear / compound.ExpScale
	return u * b, b
}

// Step implements Protocol.
func (s *Staking) Step(m *market.Market) error {
	if s.err != nil {
		return s.err
	}
	if !s.started {
		s.snapshot(m)
	}
	// The step that just ended enters the average as the mean of its
	// opening price and the price after each of its trades, so a premium
	// or discount that lasted part of the step counts whichever agent's
	// turn came last.
	if s.turns > 0 {
		s.pushPrice(s.turnSum / float64(s.turns))
	}
	s.spot = s.poolPrice()
	s.turnSum, s.turns = s.spot, 1
	if s.Config.UseOracle {
		if f, ok := m.Protocols[s.Config.Oracle].(Feed); ok {
			if p := m.Prices[s.Config.Native]; p > 0 {
				s.twap = f.Price() / p
			}
		}
	}
	if err := s.lendingStep(); err != nil {
		return err
	}
	// Cascade depth: borrowers foreclosed in the last CascadeSteps steps,
	// counted when the step's slot is closed, so foreclosures at slashing
	// during the agents' turn count in their own step.
	s.closeCascadeSlot()
	s.newEpoch = m.Step%s.Config.EpochSteps == 0
	if s.newEpoch {
		if err := s.processEpoch(); err != nil {
			return err
		}
	}
	if p := s.Config.Synth; p >= 0 && p < len(m.Prices) {
		m.Prices[p] = s.spot * m.Prices[s.Config.Native]
	}
	s.trackMinima()
	return nil
}

// closeCascadeSlot moves the foreclosures counted since the last call into
// the cascade window's slot of the step that just ended.
func (s *Staking) closeCascadeSlot() {
	k := s.windowAt % len(s.window)
	s.windowSum += s.foreclosedThisStep - s.window[k]
	s.window[k] = s.foreclosedThisStep
	s.foreclosedThisStep = 0
	s.windowAt++
	s.maxDepth = max(s.maxDepth, s.windowSum)
}

func (s *Staking) pushPrice(p float64) {
	n := s.Config.TWAPSteps
	if len(s.prices) < n {
		s.prices = append(s.prices, p)
		s.priceSum += p
	} else {
		s.priceSum += p - s.prices[s.pi]
		s.prices[s.pi] = p
		s.pi = (s.pi + 1) % n
	}
	// Recomputed rather than updated, so rounding does not accumulate.
	if s.pi == 0 {
		s.priceSum = 0
		for _, x := range s.prices {
			s.priceSum += x
		}
	}
	s.twap = s.priceSum / float64(len(s.prices))
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
		rate.MulDivOverflow(&borrows, &rate, uint256.NewInt(compound.ExpScale))
		if !rate.IsUint64() || s.borrows+rate.Uint64() < s.borrows {
			return errors.New("staking: lending interest overflows")
		}
		s.borrows += rate.Uint64()
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

// processEpoch ends the chain's epoch and runs the book.
func (s *Staking) processEpoch() error {
	c, b := s.chain, s.book
	bonded := c.Bonded()
	before := s.largestBurned()
	rep, err := c.ProcessEpoch(c.Epoch(), s.offline)
	if err != nil {
		return err
	}
	s.offline = s.offline[:0]
	s.largestLost += s.largestBurned() - before
	s.issued += rep.Minted
	s.penaltyBurned += rep.PenaltyBurned
	s.slashBurned += rep.CorrelationBurned
	burned := s.burnSinceEpoch + rep.PenaltyBurned + rep.CorrelationBurned
	s.burnSinceEpoch = 0
	if bonded > 0 {
		epy := float64(s.Config.Chain.EpochsPerYear)
		y := (float64(rep.Minted) - float64(burned)) / float64(bonded) * epy
		g := float64(rep.Minted) / float64(bonded) * epy
		if !s.yieldValid {
			s.yieldEst, s.issueEst, s.yieldValid = y, g, true
		} else {
			a := 1 - math.Exp2(-1/max(s.Config.YieldHalfLife, 1e-9))
			s.yieldEst += a * (y - s.yieldEst)
			s.issueEst += a * (g - s.issueEst)
		}
	}
	// The largest operator's collateral lost to foreclosure.
	largest := s.largestOpenLoans()
	obs := synth.Observation{Price: s.MarkPrice()}
	if s.twap < 1 {
		obs.PoolDiscount = posRay(1 - s.twap)
	}
	s.open = b.OpenLoans(s.open[:0])
	srep, err := b.Step(c.Epoch(), obs)
	s.bookVer++
	if err != nil || srep.ForeclosedDefault+srep.ForeclosedRecall+srep.Recalled > 0 {
		s.fullVer++
	}
	if err != nil {
		return err
	}
	// Borrowers foreclosed: distinct holders of loans foreclosed, for
	// default or for a missed recall, and those in default.
	s.recordForeclosures(srep, largest)
	s.recalled += srep.Recalled
	s.epochs++
	if srep.Action.Halt || srep.Action.Recall {
		s.haltedEpochs++
	}
	b.Heal()
	return nil
}

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
		info, _ := s.chain.Validator(v)
		t += info.Tokens
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
	return pos.Gini(s.scratch)
}

// wealth is a participant's net wealth in native raw units: liquid +
// delegations + unbonding + lending claim + synthetic at the pool price −
// debt, floored at zero.
func (s *Staking) wealth(a pos.AccountID, chainWealth []uint64) uint64 {
	w := float64(chainWealth[a]) + float64(s.Lent(a)) + float64(s.Synthetic(a))*s.spot
	d, _ := s.Debt(a)
	w -= float64(d)
	if !(w > 0) {
		return 0
	}
	return uint64(min(w, math.MaxUint64/2))
}

// giniWealth is the Gini coefficient of the participants' net wealth.
func (s *Staking) giniWealth() float64 {
	cw := s.chain.Wealth(nil)
	s.scratch = s.scratch[:0]
	for _, a := range s.accounts {
		s.scratch = append(s.scratch, s.wealth(a, cw))
	}
	return pos.Gini(s.scratch)
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
	var hold [2]uint256.Int
	posPoolBalances(s.venue.Pool, &hold)
	if !hold[s.nat].Eq(uint256.NewInt(s.chain.Liquid(s.poolAcct))) {
		return fail("pool", "pool holds %s native, its account %d", hold[s.nat].Dec(), s.chain.Liquid(s.poolAcct))
	}
	if sb := s.book.Balance(s.poolAcct); !hold[s.syn].Eq(&sb) {
		return fail("pool", "pool holds %s synthetic, its account %s", hold[s.syn].Dec(), sb.Dec())
	}
	if got := s.chain.Liquid(s.lendAcct); got != s.cash {
		return fail("lending", "lending account holds %d, market cash %d", got, s.cash)
	}
	var sh uint64
	for _, x := range s.shares {
		sh += x
	}
	if sh != s.totalShares {
		return fail("lending", "Σ deposit shares %d ≠ total %d", sh, s.totalShares)
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
	}
}

// Observe implements Protocol.
func (s *Staking) Observe(m *market.Market, dst []float64) {
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
	gs, gw := s.giniStake(), s.giniWealth()
	dst[19], dst[20] = gs, gs-s.giniStake0
	dst[21], dst[22] = gw, gw-s.giniWealth0
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
	dst[35] = s.soldShare()
	dst[36] = price * float64(l.Bonded) / u * s.Config.CorruptionShare
	// The step in progress counts toward the cascade depth too.
	if n := len(s.window); n > 0 {
		dst[15] = float64(max(s.maxDepth, s.windowSum-s.window[s.windowAt%n]+s.foreclosedThisStep))
	}
}

// soldShare is 1 − (synthetic the borrowers hold)/(what they owe), over
// the participants with debt; 0 when no participant owes anything.
func (s *Staking) soldShare() float64 {
	var held, owed float64
	for _, a := range s.accounts {
		d, _ := s.Debt(a)
		if d == 0 {
			continue
		}
		owed += float64(d)
		held += min(float64(s.Synthetic(a)), float64(d))
	}
	if owed == 0 {
		return 0
	}
	return 1 - held/owed
}
