package protocol

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/stableswap"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/market"
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
	// DepositRate (yearly, ray) is the rate the network, as lender, pays
	// on bonded stake out of the interest its loans earn ("its own best
	// bank"); 0: none. See payDeposits.
	DepositRate uint256.Int
	// DepositFromIssuance pays the deposit rate in full by issuance rather
	// than out of the loans' interest.
	DepositFromIssuance bool
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
// The agents' endowments are drawn (a Pareto tail of stakes and wealth),
// so in a rare run they ask for more than the float holds. Such a run's
// genesis is scaled: every endowment is the fraction F/D of what was
// asked, rounded down, where F is the float after the pool and its
// provider are funded and D the sum of all the run's requests. Each
// agent's share of the agents' wealth is what its draw gave it, the
// supply stays what the scenario says, and the total fits (Σ⌊x·F/D⌋ ≤
// F). It takes a second genesis: the first one, short, only counts the
// requests (an account of a request the float cannot pay is opened
// empty); Regenesis then asks the world to reset the run again with the
// same random numbers. Runs whose requests fit are untouched: every
// endowment is exactly what was asked. The genesis_scale metric is F/D,
// 1 when the requests fit.
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
//     holdings (and, under the Liquidate disposition, from the seized
//     collateral it sells; see sellSeized). The staking yield estimate is an exponential average, of
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
	mkt   *market.Market // the run's market, for the protocol's own trades
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
	// holderLoans holds the holders' loans, by account, apart (see
	// posHolder).
	holderLoans []posHolderLoans
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
	// soldSeized is the seized native the protocol sold on the pool under
	// the Liquidate disposition, boughtBack the synthetic it bought.
	soldSeized, boughtBack uint64
	// depositPaid is the deposit interest paid to stakers over the run;
	// depositEpoch what was paid at the last epoch, which enters the next
	// epoch's yield estimate.
	depositPaid, depositEpoch uint64

	// genesis endowments: float0 is the float after genesis funded the
	// pool and its provider, asked the endowments requested (saturating),
	// short that a request found the float too small. A scaled genesis
	// pays ⌊x·scaleNum/scaleDen⌋ for a request x (scaleDen 0: x itself);
	// rescale carries the scale over the next Reset, which is that run's
	// pass'th genesis.
	float0, asked      uint64
	short              bool
	scaleNum, scaleDen uint64
	rescale            bool
	pass               int

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

	// caches of values derived from state that moves at most once a step
	lendF     lendFloats
	lendRates lendRatesMemo
	rateVer   uint64
	rateF     float64
	rateOK    bool
	markTwap  float64
	markRay   uint256.Int
	markF     float64
	markOK    bool

	scratch []uint64
	// swapIn and poolHeld are Swap's input and Check's pool balances,
	// fields because they pass through the pool's interface, which would
	// move a local to the heap at every call.
	swapIn       uint256.Int
	poolHeld     [2]uint256.Int
	chainWealth  []uint64
	wealthOrder  []int32 // participants by wealth at the last observation
	held         []posHeld
	scratchV     []pos.ValidatorID
	choice       []pos.ValidatorID // ChooseValidator's candidates: not dead, not infra
	choiceNext   int               // the first validator id not yet in choice
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
	num, den, pass := uint64(0), uint64(0), 0
	if s.rescale {
		num, den, pass = s.scaleNum, s.scaleDen, s.pass+1
	}
	*s = Staking{Config: *cfg, prices: s.prices[:0], window: s.window[:0], shares: s.shares[:0],
		accounts: s.accounts[:0], operators: s.operators[:0], holders: s.holders[:0], holderLoans: s.holderLoans[:0], bookVer: 1, fullVer: 1,
		scratch: s.scratch, chainWealth: s.chainWealth, wealthOrder: s.wealthOrder[:0], held: s.held[:0], scratchV: s.scratchV, choice: s.choice[:0], open: s.open, largestLoans: s.largestLoans, largest: -1, mkt: m,
		scaleNum: num, scaleDen: den, pass: pass}
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
	return s.found()
}

// CheckGenesis runs the genesis of a chain whose pool trades the native
// token at index nat, before agents are endowed, on a copy of pool: the
// error every run's Reset would meet, if any, so that a scenario can be
// refused before it starts.
func (c *StakingConfig) CheckGenesis(pool cfmm.Pool, nat int) error {
	if pool.NumTokens() != 2 || nat < 0 || nat > 1 {
		return errors.New("the pool must trade the native token against the synthetic")
	}
	s := Staking{Config: *c, nat: nat, syn: 1 - nat, largest: -1, bookVer: 1, fullVer: 1}
	assets := []int{c.Native, c.Synth}
	if nat == 1 {
		assets[0], assets[1] = assets[1], assets[0]
	}
	s.venue = market.NewVenue("", pool.Clone(), assets)
	return s.found()
}

// found builds the chain, the infrastructure accounts, the pool's reserves
// and its liquidity provider's loan on s.venue (the genesis the agents
// are then endowed after).
func (s *Staking) found() error {
	cfg := &s.Config
	v := s.venue
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
	natRes, synRes, lpStake, err := cfg.genesisReserves(v.Pool, s.nat)
	if err != nil {
		return err
	}
	if err := c.Transfer(s.public, s.poolAcct, natRes); err != nil {
		return fmt.Errorf("funding the pool's native reserve: %w", err)
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
		s.holder(s.lp).stale = true
		c := &s.holderLoans[s.lp]
		c.loans = append(c.loans, id)
		if err := s.book.Transfer(s.lp, s.poolAcct, *uint256.NewInt(synRes)); err != nil {
			return err
		}
	}
	s.float0 = c.Liquid(s.public)
	s.spot = s.poolPrice()
	s.twap = s.spot
	s.prices = append(s.prices, s.spot)
	s.priceSum = s.spot
	s.turnSum, s.turns = s.spot, 1
	s.window = append(s.window, make([]int, cfg.CascadeSteps)...)
	return nil
}

// genesisReserves returns what genesis funds from the supply before
// agents are endowed: the pool's native reserve natRes (nat is the native
// token's index in the pool), and the stake lpStake = ⌈synRes ×
// LPCollateral⌉ (at least 1) its liquidity provider locks for the pool's
// synthetic reserve synRes.
func (c *StakingConfig) genesisReserves(pool cfmm.Pool, nat int) (natRes, synRes, lpStake uint64, err error) {
	var hold [2]uint256.Int
	posPoolBalances(pool, &hold)
	if !hold[0].IsUint64() || !hold[1].IsUint64() {
		return 0, 0, 0, errors.New("pool reserves exceed 2^64 raw units")
	}
	natRes, synRes = hold[nat].Uint64(), hold[1-nat].Uint64()
	lpStake = uint64(math.Ceil(float64(synRes) * c.LPCollateral))
	if lpStake == 0 {
		lpStake = 1
	}
	return natRes, synRes, lpStake, nil
}

// GenesisFloat returns the float the agents' endowments are paid from:
// the supply less the pool's native reserve and its liquidity provider's
// stake (see Staking's Genesis section), for the pool trading the native
// token at index nat; ok is false when the supply cannot fund those.
func (c *StakingConfig) GenesisFloat(pool cfmm.Pool, nat int) (float, natRes, lpStake uint64, ok bool) {
	natRes, _, lpStake, err := c.genesisReserves(pool, nat)
	if err != nil || natRes > c.Supply || lpStake > c.Supply-natRes {
		return 0, natRes, lpStake, false
	}
	return c.Supply - natRes - lpStake, natRes, lpStake, true
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

// Treasury returns the protocol's treasury account, which receives seized
// collateral under the treasury and liquidate dispositions.
func (s *Staking) Treasury() pos.AccountID { return s.treasury }

// PoolAccount returns the account whose balances are the pool's.
func (s *Staking) PoolAccount() pos.AccountID { return s.poolAcct }

// InfraValidator returns the infrastructure validator, which never faults.
func (s *Staking) InfraValidator() pos.ValidatorID { return s.infra }

// Unit returns the raw units per whole native token.
func (s *Staking) Unit() uint64 { return s.unit }

// NewEpoch reports whether this step ended a chain epoch.
func (s *Staking) NewEpoch() bool { return s.newEpoch }

// Endow creates a participant account and funds it from the public float
// with Endowment(amount), what this run's genesis pays for a request of
// amount. A request the float cannot pay opens the account empty and
// marks the genesis short (see the type's Genesis section): Regenesis then
// asks for a scaled genesis, and without one the run stops at its next
// Step.
func (s *Staking) Endow(amount uint64) (pos.AccountID, error) {
	if s.chain == nil {
		return 0, s.errOrInit()
	}
	a, err := s.chain.NewAccount()
	if err != nil {
		s.err = fmt.Errorf("%w: opening an agent's account: %w", ErrStakingGenesis, err)
		return 0, s.err
	}
	s.asked = satAdd(s.asked, amount)
	grant := s.Endowment(amount)
	if s.short || grant > s.chain.Liquid(s.public) {
		s.short = true
	} else if err := s.chain.Transfer(s.public, a, grant); err != nil {
		s.err = fmt.Errorf("%w: endowing an agent with %d raw units from a float of %d: %w",
			ErrStakingGenesis, grant, s.chain.Liquid(s.public), err)
		return 0, s.err
	}
	s.accounts = append(s.accounts, a)
	return a, nil
}

// Endowment returns what Endow pays for a request of amount raw units:
// amount itself, or ⌊amount·F/D⌋ in a scaled genesis (see the type's
// Genesis section). An agent that splits its endowment (stake and
// capital) splits what it was paid: Endowment(part) of each part, whose
// sum is at most Endowment of the whole.
func (s *Staking) Endowment(amount uint64) uint64 {
	if s.scaleDen == 0 {
		return amount
	}
	hi, lo := bits.Mul64(amount, s.scaleNum)
	q, _ := bits.Div64(hi, lo, s.scaleDen) // scaleNum < scaleDen, so hi < scaleDen
	return q
}

// GenesisScale returns the fraction of what the agents asked that this
// run's genesis paid them: F/D when scaled, else 1.
func (s *Staking) GenesisScale() float64 {
	if s.scaleDen == 0 {
		return 1
	}
	return float64(s.scaleNum) / float64(s.scaleDen)
}

// maxGenesisPasses bounds the geneses of one run: the second is scaled to
// the first's requests, which are the same draws, so it fits; a third is
// needed only if agents asked differently for their smaller endowments.
const maxGenesisPasses = 4

// Regenesis implements market.Regenesis: after the agents' Reset, a
// genesis whose requests exceeded the float asks to be run again scaled
// by F/D (and reports false once it fits, or after maxGenesisPasses).
func (s *Staking) Regenesis() bool {
	if !s.short || s.chain == nil || s.err != nil || s.asked <= s.float0 || s.pass+1 >= maxGenesisPasses {
		return false
	}
	s.rescale, s.scaleNum, s.scaleDen = true, s.float0, s.asked
	return true
}

// satAdd returns a + b, or the largest uint64 if that overflows.
func satAdd(a, b uint64) uint64 {
	if c := a + b; c >= a {
		return c
	}
	return math.MaxUint64
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
	return s.chain != nil && s.chain.Alive(v)
}

// ChooseValidator picks an alive validator other than the infrastructure
// one from a uniform draw u in [0, 1): uniformly, or with probability
// proportional to its tokens when weighted.
//
// It draws among the validators, in id order, that are not jailed and
// have shares. Those tombstoned or Ethereum-slashed never will be
// (pos.Chain.Dead), so they leave the list it walks (s.choice), which
// would otherwise grow with the horizon as operators start new ones.
func (s *Staking) ChooseValidator(u float64, weighted bool) (pos.ValidatorID, bool) {
	if s.chain == nil {
		return 0, false
	}
	c := s.chain
	for n := c.NumValidators(); s.choiceNext < n; s.choiceNext++ {
		if v := pos.ValidatorID(s.choiceNext); v != s.infra {
			s.choice = append(s.choice, v)
		}
	}
	s.scratchV = s.scratchV[:0]
	var total float64
	k := 0
	for _, v := range s.choice {
		if c.Dead(v) {
			continue
		}
		s.choice[k] = v
		k++
		if c.Delegable(v) {
			s.scratchV = append(s.scratchV, v)
			total += float64(c.Tokens(v))
		}
	}
	s.choice = s.choice[:k]
	n := len(s.scratchV)
	if n == 0 {
		return 0, false
	}
	if !weighted || total == 0 {
		return s.scratchV[min(n-1, int(u*float64(n)))], true
	}
	target := u * total
	for _, v := range s.scratchV {
		target -= float64(c.Tokens(v))
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
		if err := s.sellSeized(); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// largestOpenLoans lists the largest operator's open loans with what
// values their collateral, to count what it loses to foreclosure.
func (s *Staking) largestOpenLoans() []posLoanValue {
	s.largestLoans = s.largestLoans[:0]
	if s.largest < 0 {
		return nil
	}
	for _, id := range s.Loans(s.operators[s.largest].acct) {
		if l, err := s.book.LoanState(id); err == nil && l.Status == synth.Open {
			pool, _ := s.chain.Pool(l.Validator)
			s.largestLoans = append(s.largestLoans, posLoanValue{id, l.Shares, pool})
		}
	}
	return s.largestLoans
}

// posLoanValue is an open loan's collateral and its validator's pool,
// from which recordForeclosures values it (pos.StakePool.Value, the
// SharesValue of the time) only if it was foreclosed, which is rare.
type posLoanValue struct {
	id     synth.LoanID
	shares uint64
	pool   pos.StakePool
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
			l, err := b.LoanState(id)
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
	// The loans in largest were open, so without a foreclosure in the
	// report none of them is foreclosed.
	if rep.ForeclosedDefault+rep.ForeclosedRecall > 0 {
		for _, lv := range largest {
			if l, _ := b.LoanState(lv.id); l.Status == synth.Foreclosed {
				s.largestLost += lv.pool.Value(lv.shares)
			}
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
		b += s.chain.Burned(v)
	}
	return b
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
	in := s.swapIn.SetUint64(amountIn)
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

// Step implements Protocol.
func (s *Staking) Step(m *market.Market) error {
	if s.err != nil {
		return s.err
	}
	if s.short {
		s.err = fmt.Errorf("%w: the agents asked for %d raw units at genesis, more than the float of %d the supply leaves after the pool and its liquidity provider, and the genesis was not scaled (%d passes)",
			ErrStakingGenesis, s.asked, s.float0, s.pass+1)
		return s.err
	}
	s.mkt = m
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

// ErrStakingOverflow stops a run whose chain can no longer hold its
// amounts in 64-bit raw units.
var ErrStakingOverflow = errors.New("staking: the chain's amounts overflow 64-bit raw units")

// overflow explains an epoch the chain could not process because an
// amount no longer fits 64 bits: issuance compounds the supply (a fixed
// yearly rate on bonded stake that earns it multiplies the supply by about
// e^(rate·bonded share·years)), and raw units of 10^−Decimals tokens cap it
// at 2^64 of them.
func (s *Staking) overflow(err error) error {
	l := s.chain.Ledger()
	u := float64(s.unit)
	return fmt.Errorf("%w after %d epochs: a supply of %.4g tokens (%.4g times genesis; at most %.4g at %d decimals) cannot grow by this epoch's issuance; give the native token fewer decimals or shorten the horizon: %w",
		ErrStakingOverflow, s.epochs, float64(l.Supply())/u, float64(l.Supply())/max(float64(s.Config.Supply), 1),
		float64(math.MaxUint64)/u, s.Config.Decimals, err)
}

// processEpoch ends the chain's epoch and runs the book.
func (s *Staking) processEpoch() error {
	c, b := s.chain, s.book
	bonded := c.Bonded()
	before := s.largestBurned()
	rep, err := c.ProcessEpoch(c.Epoch(), s.offline)
	if err != nil {
		if errors.Is(err, pos.ErrOverflow) {
			return s.overflow(err)
		}
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
		minted := float64(rep.Minted) + float64(s.depositEpoch)
		y := (minted - float64(burned)) / float64(bonded) * epy
		g := minted / float64(bonded) * epy
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
	held := b.Totals().Holdings
	srep, err := b.Step(c.Epoch(), obs)
	// Step changes the holdings only by the interest it accrues.
	var earned uint256.Int
	if h := b.Totals().Holdings; held.Lt(&h) {
		earned.Sub(&h, &held)
	}
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
	if err := s.sellSeized(); err != nil {
		return err
	}
	if err := s.payDeposits(&earned); err != nil {
		return err
	}
	s.epochs++
	if srep.Action.Halt || srep.Action.Recall {
		s.haltedEpochs++
	}
	b.Heal()
	return nil
}
