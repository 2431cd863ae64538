package pos

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// AccountID names an account: a holder of liquid tokens, delegations and
// unbonding entries. Accounts are numbered from 0 in creation order.
type AccountID uint32

// ValidatorID names a validator, numbered from 0 in creation order.
type ValidatorID uint32

// NoValidator stands for "no validator", e.g. no proposer to reward.
const NoValidator ValidatorID = math.MaxUint32

// Errors returned by Chain operations, wrapped with details.
var (
	ErrNotInitialized  = errors.New("pos: chain not created with New")
	ErrUnknown         = errors.New("pos: unknown account or validator")
	ErrInsufficient    = errors.New("pos: insufficient balance")
	ErrOverflow        = errors.New("pos: amount overflows uint64")
	ErrZero            = errors.New("pos: zero amount")
	ErrInactive        = errors.New("pos: validator inactive")
	ErrInsolvent       = errors.New("pos: validator has shares but no tokens")
	ErrLocked          = errors.New("pos: shares are locked")
	ErrFrozen          = errors.New("pos: slashed validator frozen until its withdrawable epoch")
	ErrEpoch           = errors.New("pos: wrong epoch")
	ErrNotSlashable    = errors.New("pos: validator not slashable for this offence")
	ErrUnsupported     = errors.New("pos: offence not supported by the config")
	ErrStillJailed     = errors.New("pos: validator still jailed")
	ErrBadDisposition  = errors.New("pos: unknown disposition")
	ErrBadFraction     = errors.New("pos: fraction above One")
	ErrDuplicateTarget = errors.New("pos: validator listed twice")
	ErrNotJailed       = errors.New("pos: validator not jailed")
)

// Chain is the state of a Proof-of-Stake ledger. Create it with New; the
// zero Chain rejects every operation. A Chain is not safe for concurrent
// use.
type Chain struct {
	cfg       Config
	ok        bool
	epoch     uint64
	ledger    Ledger
	inflation uint64

	liquid []uint64
	vals   []validator
	// The index lists account a's delegations: for each, its validator and
	// its index in vals[v].dels. An account delegates to few validators,
	// so a scan of its list finds one faster than a hash. The list is
	// first[a], unless its val is NoValidator, then more[a]: most accounts
	// have one delegation at most, and a flat array of first entries finds
	// it in one load where a slice per account took two (find, refAt).
	first []delRef
	more  [][]delRef
	queue []unbonding

	// slashings is the Ethereum slashings vector, slashSum its sum.
	slashings []uint64
	slashSum  uint64

	// scratch space reused by epoch processing and SlashMany.
	mark   []bool
	reward []uint64
}

type validator struct {
	// The fields Check, Alive, Pool and the delegation lookups read every
	// step (status, pool, the minted and burned totals, the delegations)
	// come first, packed into the first 64 bytes, and the three flags
	// share the operator's word: 104 bytes a validator instead of 128, so
	// the validator passes stream fewer cache lines.
	operator   AccountID
	jailed     bool
	tombstoned bool
	// slashed marks an EthSlashing; withdrawable is its withdrawable epoch.
	slashed bool
	tokens  uint64
	shares  uint64
	// minted and burned are this validator's share of the ledger totals.
	minted, burned uint64

	dels []delegation

	commission   uint64
	eff          uint64
	jailedUntil  uint64
	withdrawable uint64
	infraction   uint64
}

type delegation struct {
	acct   AccountID
	shares uint64
	locked uint64
}

type delRef struct {
	val ValidatorID
	idx uint32
}

type unbonding struct {
	val     ValidatorID
	acct    AccountID
	initial uint64
	balance uint64
	created uint64
	release uint64
}

// New returns a chain at epoch 0 with one account per entry of balances,
// holding that many liquid tokens; the initial supply is their sum.
func New(cfg Config, balances []uint64) (*Chain, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Chain{cfg: cfg, ok: true}
	for _, b := range balances {
		s, ok := add(c.ledger.Initial, b)
		if !ok {
			return nil, fmt.Errorf("%w: initial supply", ErrOverflow)
		}
		c.ledger.Initial = s
	}
	c.ledger.Liquid = c.ledger.Initial
	c.liquid = slices.Clone(balances)
	if cfg.Eth.EpochsPerSlashingsVector != 0 {
		c.slashings = make([]uint64, cfg.Eth.EpochsPerSlashingsVector)
	}
	c.inflation = cfg.Issuance.Inflation
	if cfg.Issuance.Model == CosmosInflation {
		c.inflation = min(max(c.inflation, cfg.Issuance.InflationMin), cfg.Issuance.InflationMax)
	}
	return c, nil
}

// Config returns the chain's parameters.
func (c *Chain) Config() Config { return c.cfg }

// Epoch returns the current epoch: the one the next ProcessEpoch ends.
func (c *Chain) Epoch() uint64 { return c.epoch }

// Inflation returns the current CosmosInflation rate, in units of One.
func (c *Chain) Inflation() uint64 { return c.inflation }

// NumAccounts returns the number of accounts.
func (c *Chain) NumAccounts() int { return len(c.liquid) }

// NumValidators returns the number of validators.
func (c *Chain) NumValidators() int { return len(c.vals) }

// NewAccount adds an empty account and returns its id.
func (c *Chain) NewAccount() (AccountID, error) {
	if !c.ok {
		return 0, ErrNotInitialized
	}
	if len(c.liquid) >= math.MaxUint32 {
		return 0, fmt.Errorf("%w: too many accounts", ErrOverflow)
	}
	c.liquid = append(c.liquid, 0)
	return AccountID(len(c.liquid) - 1), nil
}

// Liquid returns an account's liquid balance (0 for an unknown account).
func (c *Chain) Liquid(a AccountID) uint64 {
	if int(a) >= len(c.liquid) {
		return 0
	}
	return c.liquid[a]
}

// Bonded returns the tokens held by all validators.
func (c *Chain) Bonded() uint64 { return c.ledger.Bonded }

// Transfer moves liquid tokens between accounts.
func (c *Chain) Transfer(from, to AccountID, amount uint64) error {
	if err := c.checkAccount(from); err != nil {
		return err
	}
	if err := c.checkAccount(to); err != nil {
		return err
	}
	if c.liquid[from] < amount {
		return fmt.Errorf("%w: account %d has %d, transfer %d", ErrInsufficient, from, c.liquid[from], amount)
	}
	c.liquid[from] -= amount
	c.liquid[to] += amount
	return nil
}

// AddValidator creates a validator run by operator with a commission rate
// (units of One) and self-stake delegated from the operator's liquid
// balance. Its effective balance is set from the self-stake at once.
func (c *Chain) AddValidator(operator AccountID, commission, selfStake uint64) (ValidatorID, error) {
	if err := c.checkAccount(operator); err != nil {
		return 0, err
	}
	if commission > One {
		return 0, fmt.Errorf("%w: commission %d", ErrBadFraction, commission)
	}
	if selfStake == 0 {
		return 0, fmt.Errorf("%w: self-stake", ErrZero)
	}
	if c.liquid[operator] < selfStake {
		return 0, fmt.Errorf("%w: operator %d has %d, self-stake %d", ErrInsufficient, operator, c.liquid[operator], selfStake)
	}
	if len(c.vals) >= math.MaxUint32-1 {
		return 0, fmt.Errorf("%w: too many validators", ErrOverflow)
	}
	c.vals = append(c.vals, validator{operator: operator, commission: commission})
	v := ValidatorID(len(c.vals) - 1)
	if _, err := c.Delegate(v, operator, selfStake); err != nil {
		c.vals = c.vals[:len(c.vals)-1]
		return 0, err
	}
	c.vals[v].eff = c.cfg.Eth.InitialEffectiveBalance(c.vals[v].tokens)
	return v, nil
}

// SetCommission changes a validator's commission rate (units of One).
func (c *Chain) SetCommission(v ValidatorID, rate uint64) error {
	if err := c.checkValidator(v); err != nil {
		return err
	}
	if rate > One {
		return fmt.Errorf("%w: commission %d", ErrBadFraction, rate)
	}
	c.vals[v].commission = rate
	return nil
}

// Delegate bonds amount of d's liquid tokens to validator v and returns the
// shares minted: amount·S/T rounded down, or amount when v has no shares.
// Jailed, tombstoned and Ethereum-slashed validators accept no delegations.
func (c *Chain) Delegate(v ValidatorID, d AccountID, amount uint64) (uint64, error) {
	if err := c.checkValidator(v); err != nil {
		return 0, err
	}
	if err := c.checkAccount(d); err != nil {
		return 0, err
	}
	if amount == 0 {
		return 0, fmt.Errorf("%w: delegation", ErrZero)
	}
	if c.liquid[d] < amount {
		return 0, fmt.Errorf("%w: account %d has %d, delegation %d", ErrInsufficient, d, c.liquid[d], amount)
	}
	val := &c.vals[v]
	if val.jailed || val.slashed {
		return 0, &refused{ErrInactive, v, 0}
	}
	shares := amount
	if val.shares != 0 {
		if val.tokens == 0 {
			return 0, fmt.Errorf("%w: validator %d", ErrInsolvent, v)
		}
		var ok bool
		if shares, ok = mulDiv(amount, val.shares, val.tokens); !ok {
			return 0, fmt.Errorf("%w: shares of validator %d", ErrOverflow, v)
		}
	}
	if shares == 0 {
		return 0, &refused{ErrZero, v, amount}
	}
	if _, ok := add(val.shares, shares); !ok {
		return 0, fmt.Errorf("%w: shares of validator %d", ErrOverflow, v)
	}
	c.liquid[d] -= amount
	c.ledger.Liquid -= amount
	val.tokens += amount
	val.shares += shares
	c.ledger.Bonded += amount
	c.delegationFor(v, d).shares += shares
	return shares, nil
}

// refused is a delegation Delegate refuses, formatted only when read:
// agents offer delegations that fail every epoch (to a jailed validator,
// dust), and formatting the message cost more than the checks.
type refused struct {
	kind   error // ErrInactive or ErrZero
	v      ValidatorID
	amount uint64
}

func (e *refused) Error() string {
	if e.kind == ErrInactive {
		return fmt.Sprintf("%v: validator %d is jailed or slashed", ErrInactive, e.v)
	}
	return fmt.Sprintf("%v: %d tokens buy no share of validator %d", e.kind, e.amount, e.v)
}

func (e *refused) Unwrap() error { return e.kind }

// Unbond starts unbonding shares of d's delegation to v and returns the
// tokens moved to the unbonding queue: shares·T/S rounded down (all of T
// for the last shares). They are released UnbondingDelay epochs later and
// remain slashable until then. Locked shares cannot be unbonded, nor can a
// delegation to an Ethereum-slashed validator before its withdrawable epoch.
func (c *Chain) Unbond(v ValidatorID, d AccountID, shares uint64) (uint64, error) {
	dl, err := c.delegation(v, d)
	if err != nil {
		return 0, err
	}
	if shares == 0 {
		return 0, fmt.Errorf("%w: shares to unbond", ErrZero)
	}
	if dl.shares-dl.locked < shares {
		return 0, fmt.Errorf("%w: delegation (%d, %d) has %d shares, %d locked, unbond %d", ErrLocked, v, d, dl.shares, dl.locked, shares)
	}
	val := &c.vals[v]
	if val.slashed && c.epoch < val.withdrawable {
		return 0, fmt.Errorf("%w: validator %d until epoch %d", ErrFrozen, v, val.withdrawable)
	}
	tokens := c.removeShares(v, d, shares)
	if tokens == 0 {
		return 0, nil
	}
	c.ledger.Bonded -= tokens
	if c.cfg.UnbondingDelay == 0 {
		c.liquid[d] += tokens
		c.ledger.Liquid += tokens
		return tokens, nil
	}
	e := unbonding{val: v, acct: d, initial: tokens, balance: tokens, created: c.epoch, release: c.epoch + c.cfg.UnbondingDelay}
	// Entries stay sorted by release epoch; with a constant delay that is
	// always the end.
	i := len(c.queue)
	for i > 0 && c.queue[i-1].release > e.release {
		i--
	}
	c.queue = slices.Insert(c.queue, i, e)
	c.ledger.Unbonding += tokens
	return tokens, nil
}

// Lock marks shares of d's delegation to v as collateral: they can no
// longer be unbonded until Unlock or Seize.
func (c *Chain) Lock(v ValidatorID, d AccountID, shares uint64) error {
	dl, err := c.delegation(v, d)
	if err != nil {
		return err
	}
	if shares == 0 {
		return fmt.Errorf("%w: shares to lock", ErrZero)
	}
	if dl.shares-dl.locked < shares {
		return fmt.Errorf("%w: delegation (%d, %d) has %d unlocked shares, lock %d", ErrInsufficient, v, d, dl.shares-dl.locked, shares)
	}
	dl.locked += shares
	return nil
}

// Unlock releases locked shares of d's delegation to v.
func (c *Chain) Unlock(v ValidatorID, d AccountID, shares uint64) error {
	dl, err := c.delegation(v, d)
	if err != nil {
		return err
	}
	if dl.locked < shares {
		return fmt.Errorf("%w: delegation (%d, %d) has %d locked shares, unlock %d", ErrInsufficient, v, d, dl.locked, shares)
	}
	dl.locked -= shares
	return nil
}

// Disposition says what Seize does with seized stake.
type Disposition uint8

// Dispositions of seized collateral.
const (
	// Burn destroys the seized tokens (Ledger.BurnedForeclosure).
	Burn Disposition = iota
	// Redistribute removes the seized tokens from the validator and adds
	// them to every validator with shares pro rata to its tokens (after
	// the removal): floor(t·T_w/ΣT). The rounding remainder is burned.
	Redistribute
	// ToTreasury moves the seized shares, still bonded, to the treasury
	// account's delegation to the same validator.
	ToTreasury
	// Liquidate removes the seized tokens from the validator and credits
	// them, liquid, to the treasury account at once: the protocol's power
	// to enforce a foreclosure immediately, without the unbonding queue,
	// so that it can sell the collateral for the debt.
	Liquidate
)

// String returns the disposition's name.
func (d Disposition) String() string {
	switch d {
	case Burn:
		return "burn"
	case Redistribute:
		return "redistribute"
	case ToTreasury:
		return "treasury"
	case Liquidate:
		return "liquidate"
	}
	return fmt.Sprintf("Disposition(%d)", uint8(d))
}

// Seize takes shares of d's locked shares of validator v (a foreclosure)
// and returns their token value shares·T/S (all of T for the last shares).
// disp says what becomes of them; treasury is used by ToTreasury and
// Liquidate only.
func (c *Chain) Seize(v ValidatorID, d AccountID, shares uint64, disp Disposition, treasury AccountID) (uint64, error) {
	dl, err := c.delegation(v, d)
	if err != nil {
		return 0, err
	}
	if shares == 0 {
		return 0, fmt.Errorf("%w: shares to seize", ErrZero)
	}
	if dl.locked < shares {
		return 0, fmt.Errorf("%w: delegation (%d, %d) has %d locked shares, seize %d", ErrInsufficient, v, d, dl.locked, shares)
	}
	switch disp {
	case Burn, Redistribute:
	case ToTreasury, Liquidate:
		if err := c.checkAccount(treasury); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("%w: %d", ErrBadDisposition, disp)
	}
	val := &c.vals[v]
	value := c.sharesValue(val, shares)
	dl.locked -= shares
	switch disp {
	case Burn:
		c.removeShares(v, d, shares)
		c.ledger.Bonded -= value
		c.burn(v, value, &c.ledger.BurnedForeclosure)
	case Redistribute:
		c.removeShares(v, d, shares)
		c.ledger.Bonded -= value
		c.redistribute(v, value)
	case Liquidate:
		c.removeShares(v, d, shares)
		c.ledger.Bonded -= value
		c.ledger.Liquid += value
		c.liquid[treasury] += value
	case ToTreasury:
		if d != treasury {
			c.removeSharesOnly(v, d, shares)
			c.delegationFor(v, treasury).shares += shares
			c.vals[v].shares += shares
		}
	}
	return value, nil
}

// redistribute adds t tokens, already removed from validator src and from
// Bonded, to all pools pro rata to their tokens; the remainder is burned
// and charged to src.
func (c *Chain) redistribute(src ValidatorID, t uint64) {
	var total uint64
	for i := range c.vals {
		if c.vals[i].shares != 0 {
			total += c.vals[i].tokens
		}
	}
	paid := uint64(0)
	if total != 0 {
		for i := range c.vals {
			w := &c.vals[i]
			if w.shares == 0 || w.tokens == 0 {
				continue
			}
			x := mulDivFloor(t, w.tokens, total)
			w.tokens += x
			paid += x
		}
	}
	c.ledger.Bonded += paid
	c.burn(src, t-paid, &c.ledger.BurnedForeclosure)
}

// burn records amount burned on behalf of validator v in the bucket.
func (c *Chain) burn(v ValidatorID, amount uint64, bucket *uint64) {
	*bucket += amount
	c.vals[v].burned += amount
}

// sharesValue is shares·T/S rounded down, all of T for all the shares.
func (c *Chain) sharesValue(val *validator, shares uint64) uint64 {
	if shares >= val.shares {
		return val.tokens
	}
	return mulDivFloor(shares, val.tokens, val.shares)
}

// SharesValue returns the token value of shares of validator v:
// shares·T/S rounded down (T for shares ≥ S).
func (c *Chain) SharesValue(v ValidatorID, shares uint64) (uint64, error) {
	if err := c.checkValidator(v); err != nil {
		return 0, err
	}
	return c.sharesValue(&c.vals[v], shares), nil
}

// removeShares removes shares of (v, d) and their tokens from the pool
// (not from Bonded) and returns the tokens.
func (c *Chain) removeShares(v ValidatorID, d AccountID, shares uint64) uint64 {
	val := &c.vals[v]
	tokens := c.sharesValue(val, shares)
	val.tokens -= tokens
	c.removeSharesOnly(v, d, shares)
	return tokens
}

// removeSharesOnly removes shares from (v, d) and from v's total, dropping
// the delegation once it has no shares.
func (c *Chain) removeSharesOnly(v ValidatorID, d AccountID, shares uint64) {
	val := &c.vals[v]
	r, _ := c.find(v, d)
	i := int(c.refAt(d, r).idx)
	dl := &val.dels[i]
	dl.shares -= shares
	val.shares -= shares
	if dl.shares == 0 && dl.locked == 0 {
		last := len(val.dels) - 1
		if i != last {
			val.dels[i] = val.dels[last]
			moved := val.dels[i].acct
			k, _ := c.find(v, moved)
			c.refAt(moved, k).idx = uint32(i)
		}
		val.dels = val.dels[:last]
		c.deleteRef(d, r)
	}
}

// refAt returns the entry of d's index at position k, as find numbers
// them: 0 for first[d], k for more[d][k−1].
func (c *Chain) refAt(d AccountID, k int) *delRef {
	if k == 0 {
		return &c.first[d]
	}
	return &c.more[d][k-1]
}

// deleteRef removes the entry at position k of d's index, keeping the
// order of the others: more[d][0] becomes the first entry when k is 0.
func (c *Chain) deleteRef(d AccountID, k int) {
	if k > 0 {
		c.more[d] = slices.Delete(c.more[d], k-1, k)
		return
	}
	if int(d) < len(c.more) && len(c.more[d]) > 0 {
		c.first[d] = c.more[d][0]
		c.more[d] = slices.Delete(c.more[d], 0, 1)
		return
	}
	c.first[d] = delRef{NoValidator, 0}
}

// find returns the position of (v, d) in d's index.
// Position 0 is first[d] (when d has one), position k the entry
// more[d][k−1]. v must be a validator, not NoValidator.
func (c *Chain) find(v ValidatorID, d AccountID) (int, bool) {
	if int(d) < len(c.first) && c.first[d].val == v {
		return 0, true
	}
	if int(d) < len(c.more) {
		for k, r := range c.more[d] {
			if r.val == v {
				return k + 1, true
			}
		}
	}
	return 0, false
}

// index returns the index of (v, d)'s delegation in vals[v].dels.
func (c *Chain) index(v ValidatorID, d AccountID) (int, bool) {
	k, ok := c.find(v, d)
	if !ok {
		return 0, false
	}
	return int(c.refAt(d, k).idx), true
}

// delegationFor returns (v, d)'s delegation, creating an empty one.
func (c *Chain) delegationFor(v ValidatorID, d AccountID) *delegation {
	val := &c.vals[v]
	if i, ok := c.index(v, d); ok {
		return &val.dels[i]
	}
	val.dels = append(val.dels, delegation{acct: d})
	r := delRef{v, uint32(len(val.dels) - 1)}
	for int(d) >= len(c.first) {
		c.first = append(c.first, delRef{NoValidator, 0})
	}
	if c.first[d].val == NoValidator && (int(d) >= len(c.more) || len(c.more[d]) == 0) {
		c.first[d] = r
	} else {
		for int(d) >= len(c.more) {
			c.more = append(c.more, nil)
		}
		c.more[d] = append(c.more[d], r)
	}
	return &val.dels[len(val.dels)-1]
}

func (c *Chain) delegation(v ValidatorID, d AccountID) (*delegation, error) {
	if err := c.checkValidator(v); err != nil {
		return nil, err
	}
	i, ok := c.index(v, d)
	if !ok {
		return nil, fmt.Errorf("%w: no delegation of account %d to validator %d", ErrUnknown, d, v)
	}
	return &c.vals[v].dels[i], nil
}

func (c *Chain) checkAccount(a AccountID) error {
	if !c.ok {
		return ErrNotInitialized
	}
	if int(a) >= len(c.liquid) {
		return fmt.Errorf("%w: account %d", ErrUnknown, a)
	}
	return nil
}

func (c *Chain) checkValidator(v ValidatorID) error {
	if !c.ok {
		return ErrNotInitialized
	}
	if int(v) >= len(c.vals) {
		return fmt.Errorf("%w: validator %d", ErrUnknown, v)
	}
	return nil
}

// Delegation is a read-only view of one delegation.
type Delegation struct {
	Validator ValidatorID
	Account   AccountID
	Shares    uint64
	Locked    uint64
	// Value is the token value of Shares.
	Value uint64
}

// Delegation returns d's delegation to v, and false if there is none.
func (c *Chain) Delegation(v ValidatorID, d AccountID) (Delegation, bool) {
	// A lookup, not c.delegation: agents probe for delegations that do not
	// exist every step, and formatting that error dominated their cost.
	if !c.ok || int(v) >= len(c.vals) {
		return Delegation{}, false
	}
	i, ok := c.index(v, d)
	if !ok {
		return Delegation{}, false
	}
	dl := &c.vals[v].dels[i]
	return Delegation{v, d, dl.shares, dl.locked, c.sharesValue(&c.vals[v], dl.shares)}, true
}

// StakeIn returns the token value of d's delegations to the validators
// in vals (listed at most once each), wrapping modulo 2^64: the sum of
// Delegation(v, d).Value over vals, from one pass over d's few
// delegations rather than a lookup per validator.
func (c *Chain) StakeIn(d AccountID, vals []ValidatorID) uint64 {
	var t uint64
	add := func(r delRef) {
		for _, v := range vals {
			if v == r.val {
				val := &c.vals[v]
				t += c.sharesValue(val, val.dels[r.idx].shares)
				break
			}
		}
	}
	if int(d) < len(c.first) && c.first[d].val != NoValidator {
		add(c.first[d])
	}
	if int(d) < len(c.more) {
		for _, r := range c.more[d] {
			add(r)
		}
	}
	return t
}

// Delegations appends v's delegations to dst, in the chain's internal
// order, and returns it.
func (c *Chain) Delegations(dst []Delegation, v ValidatorID) []Delegation {
	if int(v) >= len(c.vals) {
		return dst
	}
	val := &c.vals[v]
	for _, dl := range val.dels {
		dst = append(dst, Delegation{v, dl.acct, dl.shares, dl.locked, c.sharesValue(val, dl.shares)})
	}
	return dst
}

// ValidatorInfo is a read-only view of a validator.
type ValidatorInfo struct {
	Operator         AccountID
	Commission       uint64
	Tokens           uint64
	Shares           uint64
	EffectiveBalance uint64
	Jailed           bool
	Tombstoned       bool
	JailedUntil      uint64
	// Slashed is set by EthSlashing; Withdrawable is then the epoch at
	// which the stake is no longer frozen.
	Slashed      bool
	Withdrawable uint64
	// Minted and Burned are the validator's cumulative parts of the
	// ledger totals.
	Minted, Burned uint64
	// Delegations is the number of delegations.
	Delegations int
}

// Active reports whether the validator earns issuance: it has shares and
// is neither jailed nor Ethereum-slashed.
func (v ValidatorInfo) Active() bool { return v.Shares != 0 && !v.Jailed && !v.Slashed }

// Validator returns a view of validator v.
func (c *Chain) Validator(v ValidatorID) (ValidatorInfo, error) {
	if err := c.checkValidator(v); err != nil {
		return ValidatorInfo{}, err
	}
	x := &c.vals[v]
	return ValidatorInfo{
		Operator: x.operator, Commission: x.commission, Tokens: x.tokens, Shares: x.shares,
		EffectiveBalance: x.eff, Jailed: x.jailed, Tombstoned: x.tombstoned, JailedUntil: x.jailedUntil,
		Slashed: x.slashed, Withdrawable: x.withdrawable, Minted: x.minted, Burned: x.burned,
		Delegations: len(x.dels),
	}, nil
}

// Alive reports whether validator v exists, has shares and is neither
// tombstoned nor Ethereum-slashed: whether it can earn and, unless jailed,
// take delegations. A cheap test for every step.
func (c *Chain) Alive(v ValidatorID) bool {
	if int(v) >= len(c.vals) {
		return false
	}
	x := &c.vals[v]
	return x.shares != 0 && !x.tombstoned && !x.slashed
}

// Status is the part of a validator's view that says whether it can
// take delegations and earn.
type Status struct {
	Jailed, Tombstoned, Slashed bool
	JailedUntil                 uint64
}

// Status returns validator v's jail and slashing state (the zero Status
// for a validator that does not exist): Validator(v)'s fields of the
// same names without building the whole view.
func (c *Chain) Status(v ValidatorID) Status {
	if int(v) >= len(c.vals) {
		return Status{}
	}
	x := &c.vals[v]
	return Status{x.jailed, x.tombstoned, x.slashed, x.jailedUntil}
}

// Tokens returns validator v's tokens (0 for a validator that does not
// exist): Validator(v).Tokens without building the whole view.
func (c *Chain) Tokens(v ValidatorID) uint64 {
	if int(v) >= len(c.vals) {
		return 0
	}
	return c.vals[v].tokens
}

// Burned returns the stake burned on validator v (0 for a validator that
// does not exist): Validator(v).Burned without building the whole view.
func (c *Chain) Burned(v ValidatorID) uint64 {
	if int(v) >= len(c.vals) {
		return 0
	}
	return c.vals[v].burned
}

// Delegable reports whether validator v can take a delegation now: it
// exists, has shares, and is neither jailed, tombstoned nor
// Ethereum-slashed.
func (c *Chain) Delegable(v ValidatorID) bool {
	if int(v) >= len(c.vals) {
		return false
	}
	x := &c.vals[v]
	return x.shares != 0 && !x.jailed && !x.tombstoned && !x.slashed
}

// Dead reports whether validator v is tombstoned or Ethereum-slashed,
// states it never leaves: it will never take a delegation again.
func (c *Chain) Dead(v ValidatorID) bool {
	if int(v) >= len(c.vals) {
		return false
	}
	x := &c.vals[v]
	return x.tombstoned || x.slashed
}

// Unbonding is a read-only view of an unbonding entry.
type Unbonding struct {
	Validator ValidatorID
	Account   AccountID
	// Initial is the amount unbonded, Balance what is left after slashing.
	Initial, Balance uint64
	// Created is the epoch of the Unbond, Release the epoch at whose start
	// Balance becomes liquid.
	Created, Release uint64
}

// Queue appends the unbonding entries, ordered by release epoch, to dst.
func (c *Chain) Queue(dst []Unbonding) []Unbonding {
	for _, e := range c.queue {
		dst = append(dst, Unbonding{e.val, e.acct, e.initial, e.balance, e.created, e.release})
	}
	return dst
}

// OperatedBy appends the validators run by operator op, in id order, to
// dst: the set a correlated incident of that operator slashes.
func (c *Chain) OperatedBy(dst []ValidatorID, op AccountID) []ValidatorID {
	for i := range c.vals {
		if c.vals[i].operator == op {
			dst = append(dst, ValidatorID(i))
		}
	}
	return dst
}

// Stakes appends each validator's tokens, in id order, to dst.
func (c *Chain) Stakes(dst []uint64) []uint64 {
	for i := range c.vals {
		dst = append(dst, c.vals[i].tokens)
	}
	return dst
}

// Wealth appends each account's wealth, in id order, to dst: liquid
// balance + value of its delegations (locked or not) + unbonding balances,
// saturating at 2^64−1.
func (c *Chain) Wealth(dst []uint64) []uint64 {
	n := len(dst)
	dst = append(dst, c.liquid...)
	w := dst[n:]
	for i := range c.vals {
		val := &c.vals[i]
		for _, dl := range val.dels {
			w[dl.acct] = satAdd(w[dl.acct], c.sharesValue(val, dl.shares))
		}
	}
	for _, e := range c.queue {
		w[e.acct] = satAdd(w[e.acct], e.balance)
	}
	return dst
}

func add(a, b uint64) (uint64, bool) {
	s := a + b
	return s, s >= a
}

func satAdd(a, b uint64) uint64 {
	if s, ok := add(a, b); ok {
		return s
	}
	return math.MaxUint64
}
