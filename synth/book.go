package synth

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/cascade-risk/cascade/pos"
	"github.com/holiman/uint256"
)

// Stake is the staking ledger a Book lends against; *pos.Chain implements
// it. The Book locks, unlocks and seizes shares of delegations through it.
type Stake interface {
	SharesValue(v pos.ValidatorID, shares uint64) (uint64, error)
	Lock(v pos.ValidatorID, d pos.AccountID, shares uint64) error
	Unlock(v pos.ValidatorID, d pos.AccountID, shares uint64) error
	Seize(v pos.ValidatorID, d pos.AccountID, shares uint64, disp pos.Disposition, treasury pos.AccountID) (uint64, error)
	Bonded() uint64
}

var _ Stake = (*pos.Chain)(nil)

// Params configure a Book. Ratios and rates are rays.
type Params struct {
	// CollateralRatio bounds new debt: debt ≤ value/CollateralRatio
	// (e.g. 4 for the brief's 25 synthetic against 100 staked).
	CollateralRatio uint256.Int
	// LiquidationRatio defines default: value < debt·LiquidationRatio. It
	// must be positive and at most CollateralRatio.
	LiquidationRatio uint256.Int
	// Curve is the yearly borrow rate in utilization.
	Curve RateCurve
	// EpochsPerYear converts the yearly rate to a per-epoch one.
	EpochsPerYear uint64
	// Disposition of seized collateral; Treasury receives it under
	// pos.ToTreasury.
	Disposition pos.Disposition
	Treasury    pos.AccountID
	// DefaultWindow is the number of epochs (≥ 1) over which the default
	// rate is measured.
	DefaultWindow uint64
	// Term is a loan's maturity in epochs: a loan opened at epoch e falls
	// due at e + Term (a top-up does not extend it) and is foreclosed at
	// the first Step on or after that unless repaid, like a recalled loan
	// whose deadline has passed. Zero: loans never mature. Protocol-owned
	// liquidity never matures.
	Term uint64
	// Dust is the smallest debt a loan may keep, in synthetic tokens: a
	// repayment that leaves no more than Dust owed closes the loan, and the
	// remainder is written off to the deficit. Zero closes only on full
	// repayment.
	Dust uint256.Int
}

// LoanID names a loan, numbered from 0 in opening order.
type LoanID uint32

// Status is a loan's state.
type Status uint8

// Loan states.
const (
	Open Status = iota
	Repaid
	Foreclosed
)

// String returns the status's name.
func (s Status) String() string {
	switch s {
	case Open:
		return "open"
	case Repaid:
		return "repaid"
	case Foreclosed:
		return "foreclosed"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Errors returned by Book operations, wrapped with details.
var (
	ErrNotInitialized    = errors.New("synth: book not created with New")
	ErrParams            = errors.New("synth: invalid params")
	ErrEpoch             = errors.New("synth: epoch before the book's")
	ErrHalted            = errors.New("synth: new loans halted")
	ErrZero              = errors.New("synth: zero amount")
	ErrUndercollateral   = errors.New("synth: debt above collateral/CollateralRatio")
	ErrInsufficient      = errors.New("synth: insufficient synthetic balance")
	ErrUnknownLoan       = errors.New("synth: unknown loan")
	ErrClosed            = errors.New("synth: loan not open")
	ErrOverflow          = errors.New("synth: amount overflows uint256")
	ErrIdentity          = errors.New("synth: accounting identity violated")
	errCollateralUnknown = errors.New("synth: collateral lookup failed")
)

// due reports whether loan id (l) must be foreclosed at epoch for a
// passed deadline: its recall's, or its maturity.
func (b *Book) due(id LoanID, l *loan, epoch uint64) bool {
	return (l.recalled && epoch >= b.terms[id].deadline) || (l.matures != 0 && epoch >= l.matures)
}

// loan is what the sweep and Check read of a loan, 32 bytes; its art,
// while it is open, is Book.openArt[at], and once it is closed it owes
// nothing. What only a view or a recalled loan's test reads is in
// loanTerms.
type loan struct {
	shares  uint64
	matures uint64 // epoch the loan falls due; 0: never
	holder  pos.AccountID
	val     pos.ValidatorID
	// at is the loan's index in Book.open while it is open (below the
	// 2^32 − 1 loans Borrow allows), closed once it is not.
	at       uint32
	status   Status
	recalled bool
	// owned marks protocol-owned liquidity: never recalled.
	owned bool
}

// closed is loan.at of a closed loan.
const closed = math.MaxUint32

// loanTerms is the rest of a loan: the epoch it was opened and its
// recall's deadline.
type loanTerms struct {
	opened, deadline uint64
}

// Stats are cumulative counters.
type Stats struct {
	Opened, Repaid, Foreclosed, Recalled int
	// DustClosed counts loans closed with a dust remainder written off,
	// DustWrittenOff totals those remainders (rad).
	DustClosed     int
	DustWrittenOff uint256.Int
	// Borrowed is the synthetic lent (tokens), ForeclosedDebt the debt
	// deleted by foreclosures (rad), Seized the collateral seized (native
	// tokens).
	Borrowed       uint256.Int
	ForeclosedDebt uint256.Int
	Seized         uint64
}

// Book is a loan book of one synthetic token. Create it with New; the zero
// Book rejects every operation. A Book is not safe for concurrent use.
type Book struct {
	stake  Stake
	pooled pooledStake // stake, if it reports its pools
	policy Policy
	p      Params
	ok     bool

	epoch   uint64
	index   uint256.Int // ray
	rate    uint256.Int // yearly, ray
	rateVer uint64      // bumped whenever rate is set (RateVersion)
	premium uint256.Int
	action  Action

	loans []loan
	terms []loanTerms // by loan, as loans
	open  []LoanID
	// openArt is the normalised debt of the open loans, by their place in
	// open: Check sums it without reading the closed loans, which have
	// none.
	openArt []uint256.Int

	totalArt    uint256.Int
	debt        uint256.Int // rad
	deficit     uint256.Int // rad
	holdings    uint256.Int // rad
	supply      uint256.Int // rad
	minted      uint256.Int // rad
	burned      uint256.Int // rad
	circulating uint256.Int // tokens
	// Balances (tokens) by account, missing accounts holding nothing:
	// account a holds bal[a] + high[a]·2^64, high holding the three upper
	// words of the balances of 2^64 or more (none in practice). A word a
	// balance is what agents read and Check sums, where a 256-bit balance
	// was four.
	bal  []uint64
	high map[pos.AccountID][3]uint64

	window    []uint256.Int // rad foreclosed per epoch, slot epoch mod len
	windowSum uint256.Int
	// lent is the debt opened per epoch (rad), slot epoch mod len, and
	// lentSum its sum over the window; startDebt is the outstanding debt
	// when each epoch of the window began. They fix the default rate's
	// denominator (see DefaultRate).
	lent      []uint256.Int
	lentSum   uint256.Int
	startDebt []uint256.Int

	stats Stats
}

// New returns an empty book at epoch, lending against stake under policy
// (nil means ExternalHub).
func New(stake Stake, p Params, policy Policy, epoch uint64) (*Book, error) {
	bad := func(format string, a ...any) (*Book, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrParams}, a...)...)
	}
	if stake == nil {
		return bad("nil Stake")
	}
	if p.LiquidationRatio.IsZero() || p.CollateralRatio.Lt(&p.LiquidationRatio) {
		return bad("need 0 < LiquidationRatio ≤ CollateralRatio")
	}
	if err := p.Curve.validate(); err != nil {
		return nil, err
	}
	if p.EpochsPerYear == 0 {
		return bad("EpochsPerYear must be positive")
	}
	if p.DefaultWindow == 0 || p.DefaultWindow > 1<<20 {
		return bad("DefaultWindow %d outside [1, 2^20]", p.DefaultWindow)
	}
	if p.Disposition > pos.Liquidate {
		return bad("unknown disposition %d", p.Disposition)
	}
	if policy == nil {
		policy = ExternalHub{}
	}
	p.Curve = append(RateCurve(nil), p.Curve...)
	b := &Book{
		stake: stake, policy: policy, p: p, ok: true, epoch: epoch, index: ray,
		window:    make([]uint256.Int, p.DefaultWindow),
		lent:      make([]uint256.Int, p.DefaultWindow),
		startDebt: make([]uint256.Int, p.DefaultWindow),
	}
	b.pooled, _ = stake.(pooledStake)
	b.updateRate()
	return b, nil
}

// accrual is interest computed but not yet applied, so an operation that
// fails can leave the book unchanged.
type accrual struct {
	epoch    uint64
	index    uint256.Int
	interest uint256.Int // rad
}

func (b *Book) prepare(epoch uint64) (accrual, error) {
	if !b.ok {
		return accrual{}, ErrNotInitialized
	}
	if epoch < b.epoch {
		return accrual{}, fmt.Errorf("%w: %d < %d", ErrEpoch, epoch, b.epoch)
	}
	a := accrual{epoch: epoch, index: b.index}
	if epoch == b.epoch {
		return a, nil
	}
	var perEpoch, x uint256.Int
	perEpoch.Div(&b.rate, uint256.NewInt(b.p.EpochsPerYear))
	if _, over := x.AddOverflow(&ray, &perEpoch); over {
		return accrual{}, fmt.Errorf("%w: rate", ErrOverflow)
	}
	f, ok := rpow(x, epoch-b.epoch)
	if !ok {
		return accrual{}, fmt.Errorf("%w: compounding %d epochs", ErrOverflow, epoch-b.epoch)
	}
	if over := mulDivRay(&a.index, &b.index, &f); over {
		return accrual{}, fmt.Errorf("%w: index", ErrOverflow)
	}
	var delta uint256.Int
	delta.Sub(&a.index, &b.index)
	if _, over := a.interest.MulOverflow(&b.totalArt, &delta); over {
		return accrual{}, fmt.Errorf("%w: interest", ErrOverflow)
	}
	// minted ≥ supply ≥ debt, holdings: bounding it bounds them all.
	if !fits(&b.minted, &a.interest) {
		return accrual{}, fmt.Errorf("%w: interest", ErrOverflow)
	}
	return a, nil
}

// commit applies an accrual and advances the default window.
func (b *Book) commit(a accrual) {
	if a.epoch == b.epoch {
		return
	}
	b.index = a.index
	b.debt.Add(&b.debt, &a.interest)
	b.supply.Add(&b.supply, &a.interest)
	b.holdings.Add(&b.holdings, &a.interest)
	b.minted.Add(&b.minted, &a.interest)
	n := uint64(len(b.window))
	for e, k := b.epoch+1, uint64(0); e <= a.epoch && k < n; e, k = e+1, k+1 {
		s := &b.window[e%n]
		b.windowSum.Sub(&b.windowSum, s)
		s.Clear()
		l := &b.lent[e%n]
		b.lentSum.Sub(&b.lentSum, l)
		l.Clear()
		b.startDebt[e%n] = b.debt
	}
	b.epoch = a.epoch
}

// Accrue brings interest up to epoch (≥ Epoch()).
func (b *Book) Accrue(epoch uint64) error {
	a, err := b.prepare(epoch)
	if err != nil {
		return err
	}
	b.commit(a)
	return nil
}

// Borrow opens a loan at epoch: holder locks shares of its delegation to
// validator v and receives amount of synthetic. price is the collateral
// price in synthetic per native (ray; RayOne for 1:1). It fails with
// ErrHalted while the policy halts or recalls, and with ErrUndercollateral
// unless art·index·CollateralRatio ≤ value·price·RAY, where
// art = ⌈amount·RAY/index⌉.
func (b *Book) Borrow(epoch uint64, holder pos.AccountID, v pos.ValidatorID, shares uint64, amount, price uint256.Int) (LoanID, error) {
	a, err := b.prepare(epoch)
	if err != nil {
		return 0, err
	}
	if b.action.Halt || b.action.Recall {
		return 0, ErrHalted
	}
	if amount.IsZero() || shares == 0 {
		return 0, fmt.Errorf("%w: borrow %s against %d shares", ErrZero, amount.Dec(), shares)
	}
	if len(b.loans) >= math.MaxUint32 {
		return 0, fmt.Errorf("%w: too many loans", ErrOverflow)
	}
	value, err := b.stake.SharesValue(v, shares)
	if err != nil {
		return 0, err
	}
	var amountRad, art, debt, coll uint256.Int
	if _, over := amountRad.MulOverflow(&amount, &ray); over {
		return 0, fmt.Errorf("%w: amount %s", ErrOverflow, amount.Dec())
	}
	art = ceilDiv(amountRad, a.index)
	if _, over := debt.MulOverflow(&art, &a.index); over {
		return 0, fmt.Errorf("%w: debt", ErrOverflow)
	}
	coll.SetUint64(value)
	if _, over := coll.MulOverflow(&coll, &price); !over {
		if maxDebt, under := b.beyondLimit(&coll, &debt); under {
			return 0, &undercollateral{debt, price, maxDebt, value}
		}
	}
	// minted bounds every other total (supply, debt, holdings, and
	// totalArt, circulating and Borrowed, which are at most supply/RAY).
	if !fits(&b.minted, &a.interest, &debt) {
		return 0, fmt.Errorf("%w: totals", ErrOverflow)
	}
	if err := b.stake.Lock(v, holder, shares); err != nil {
		return 0, err
	}
	b.commit(a)
	var rounding uint256.Int
	rounding.Sub(&debt, &amountRad)
	b.totalArt.Add(&b.totalArt, &art)
	b.debt.Add(&b.debt, &debt)
	b.supply.Add(&b.supply, &debt)
	b.minted.Add(&b.minted, &debt)
	b.holdings.Add(&b.holdings, &rounding)
	b.credit(holder, amount)
	b.circulating.Add(&b.circulating, &amount)
	b.stats.Opened++
	b.stats.Borrowed.Add(&b.stats.Borrowed, &amount)
	lent := &b.lent[b.epoch%uint64(len(b.lent))]
	lent.Add(lent, &debt)
	b.lentSum.Add(&b.lentSum, &debt)
	id := LoanID(len(b.loans))
	var matures uint64
	if b.p.Term > 0 {
		matures = epoch + b.p.Term
		if matures < epoch {
			matures = math.MaxUint64
		}
	}
	b.loans = append(b.loans, loan{holder: holder, val: v, shares: shares, matures: matures, at: uint32(len(b.open))})
	b.openArt = append(b.openArt, art)
	b.terms = append(b.terms, loanTerms{opened: epoch})
	b.open = append(b.open, id)
	b.updateRate()
	return id, nil
}

// beyondLimit reports whether debt exceeds maxDebt = ⌊coll·RAY/CR⌋,
// the most that collateral coll (value·price) allows at the
// collateral ratio CR, and returns maxDebt when it does. For integers and
// CR > 0, ⌊X/CR⌋ < debt exactly when X < debt·CR, so where both products
// fit 256 bits the check is two multiplications and the division is made
// only for a failure's figure; otherwise it is MulDivOverflow's 512-bit
// quotient (not under when that overflows).
func (b *Book) beyondLimit(coll, debt *uint256.Int) (maxDebt uint256.Int, under bool) {
	cr := &b.p.CollateralRatio
	var x, y uint256.Int
	if _, over := x.MulOverflow(coll, &ray); !over && !cr.IsZero() {
		if _, over := y.MulOverflow(debt, cr); !over {
			if !x.Lt(&y) {
				return maxDebt, false
			}
			maxDebt.Div(&x, cr)
			return maxDebt, true
		}
	}
	_, over := maxDebt.MulDivOverflow(coll, &ray, cr)
	return maxDebt, !over && maxDebt.Lt(debt)
}

// refusedBelow reports whether collateral value at price is refused
// against a debt of at least art·index + amountRad (see topUp):
// value·price·RAY < (art·index + amountRad)·CR, each product fitting 256
// bits, with art, amountRad and index below 2^127 and CR positive.
func (b *Book) refusedBelow(art, amountRad, index *uint256.Int, value uint64, price *uint256.Int) bool {
	cr := &b.p.CollateralRatio
	if art[3]|amountRad[3]|index[3]|art[2]|amountRad[2]|index[2] != 0 || (art[1]|amountRad[1]|index[1])>>63 != 0 || cr.IsZero() {
		return false
	}
	var x, lb uint256.Int
	x.SetUint64(value)
	if _, over := x.MulOverflow(&x, price); over {
		return false
	}
	if _, over := x.MulOverflow(&x, &ray); over {
		return false
	}
	lb.Mul(art, index) // below 2^254
	lb.Add(&lb, amountRad)
	if _, over := lb.MulOverflow(&lb, cr); over {
		return false
	}
	return x.Lt(&lb)
}

// undercollateral is ErrUndercollateral with its figures, formatted only
// when read: borrowers probe limits that fail every epoch, and formatting
// the message cost more than the check.
type undercollateral struct {
	debt, price, maxDebt uint256.Int
	value                uint64
}

func (e *undercollateral) Error() string {
	return fmt.Sprintf("%v: debt %s rad, collateral %d tokens at price %s allows %s rad",
		ErrUndercollateral, e.debt.Dec(), e.value, e.price.Dec(), e.maxDebt.Dec())
}

func (e *undercollateral) Unwrap() error { return ErrUndercollateral }

// TopUp adds to an open loan at epoch: its holder locks shares more of
// the same delegation and receives amount more synthetic, as Borrow would
// for a new loan, and the whole loan must then satisfy
// art·index·CollateralRatio ≤ value·price·RAY, with art growing by
// ⌈amount·RAY/index⌉ (the value of all its shares, rounded down). One loan
// per position keeps a borrower's book, and the work of every check, from
// growing with the number of times it adds to its debt. It fails like
// Borrow (ErrHalted, ErrUndercollateral, ErrZero) and, for a recalled loan,
// with ErrHalted; on failure nothing changes.
func (b *Book) TopUp(epoch uint64, id LoanID, shares uint64, amount, price uint256.Int) error {
	var fig undercollateral
	under, err := b.topUp(epoch, id, shares, amount, price, &fig)
	if under {
		e := fig // allocated only for a refusal
		return &e
	}
	return err
}

// TopUpIf is TopUp, reporting a refusal for want of collateral
// (ErrUndercollateral) as ok false with a nil error and without its
// figures: for borrowers who probe their limit at every epoch, where
// building the refusal's error cost more than the check.
func (b *Book) TopUpIf(epoch uint64, id LoanID, shares uint64, amount, price uint256.Int) (ok bool, err error) {
	under, err := b.topUp(epoch, id, shares, amount, price, nil)
	return !under && err == nil, err
}

// topUp is TopUp; a refusal for want of collateral returns under, its
// figures in fig (unless fig is nil), and a nil error.
//
// Without figures to give, a refusal is first tried without the division
// ⌈amount·RAY/index⌉: art·index ≥ amount·RAY, so the debt after the top-up
// is at least art₀·index + amount·RAY, and collateral X = value·price·RAY
// below that bound times CR is below the debt times CR, which is
// beyondLimit's refusal. Operands below 2^127 (the index is at least RAY,
// so the new art is at most amount·RAY) keep the debt below 2^255, so no
// overflow error would have come first.
func (b *Book) topUp(epoch uint64, id LoanID, shares uint64, amount, price uint256.Int, fig *undercollateral) (under bool, err error) {
	a, err := b.prepare(epoch)
	if err != nil {
		return false, err
	}
	l, err := b.openLoan(id)
	if err != nil {
		return false, err
	}
	if b.action.Halt || b.action.Recall || l.recalled {
		return false, ErrHalted
	}
	if amount.IsZero() {
		return false, fmt.Errorf("%w: top up %s", ErrZero, amount.Dec())
	}
	if l.shares+shares < l.shares {
		return false, fmt.Errorf("%w: shares", ErrOverflow)
	}
	value, err := b.stake.SharesValue(l.val, l.shares+shares)
	if err != nil {
		return false, err
	}
	var amountRad, art, total, debt, coll uint256.Int
	if _, over := amountRad.MulOverflow(&amount, &ray); over {
		return false, fmt.Errorf("%w: amount %s", ErrOverflow, amount.Dec())
	}
	la := &b.openArt[l.at]
	if fig == nil && b.refusedBelow(la, &amountRad, &a.index, value, &price) {
		return true, nil
	}
	art = ceilDiv(amountRad, a.index)
	total.Add(la, &art)
	if _, over := debt.MulOverflow(&total, &a.index); over {
		return false, fmt.Errorf("%w: debt", ErrOverflow)
	}
	var added uint256.Int
	added.Mul(&art, &a.index)
	coll.SetUint64(value)
	if _, over := coll.MulOverflow(&coll, &price); !over {
		if maxDebt, under := b.beyondLimit(&coll, &debt); under {
			if fig != nil {
				*fig = undercollateral{debt, price, maxDebt, value}
			}
			return true, nil
		}
	}
	if !fits(&b.minted, &a.interest, &added) {
		return false, fmt.Errorf("%w: totals", ErrOverflow)
	}
	if shares > 0 {
		if err := b.stake.Lock(l.val, l.holder, shares); err != nil {
			return false, err
		}
	}
	b.commit(a)
	var rounding uint256.Int
	rounding.Sub(&added, &amountRad)
	b.totalArt.Add(&b.totalArt, &art)
	b.debt.Add(&b.debt, &added)
	b.supply.Add(&b.supply, &added)
	b.minted.Add(&b.minted, &added)
	b.holdings.Add(&b.holdings, &rounding)
	b.credit(l.holder, amount)
	b.circulating.Add(&b.circulating, &amount)
	b.stats.Borrowed.Add(&b.stats.Borrowed, &amount)
	lent := &b.lent[b.epoch%uint64(len(b.lent))]
	lent.Add(lent, &added)
	b.lentSum.Add(&b.lentSum, &added)
	*la = total
	l.shares += shares
	b.updateRate()
	return false, nil
}

// Repay pays up to amount of the loan's debt at epoch from the holder's
// synthetic balance and returns what was paid. If amount covers the debt
// ⌈art·index/RAY⌉, exactly that is paid, the loan is closed and its shares
// unlocked. Otherwise art falls by ⌊amount·RAY/index⌋ (which must be
// positive), all of amount is paid, and the collateral is released pro
// rata: ⌊shares·artDrop/art⌋ shares are unlocked (rounded down, so the
// loan's collateral ratio never falls). If what is then owed is at most
// Params.Dust, the loan closes: the remainder is written off to the
// deficit and all its shares are unlocked. Rounding goes to the protocol's
// holdings.
func (b *Book) Repay(epoch uint64, id LoanID, amount uint256.Int) (uint256.Int, error) {
	a, err := b.prepare(epoch)
	if err != nil {
		return uint256.Int{}, err
	}
	l, err := b.openLoan(id)
	if err != nil {
		return uint256.Int{}, err
	}
	la := &b.openArt[l.at]
	var owed, owedTokens, pay, artDrop, removed uint256.Int
	owed.Mul(la, &a.index) // ≤ debt after accrual, which prepare checked
	owedTokens = ceilDiv(owed, ray)
	full := !amount.Lt(&owedTokens)
	if full {
		pay, artDrop, removed = owedTokens, *la, owed
	} else {
		var amountRad uint256.Int
		amountRad.Mul(&amount, &ray) // amount < owedTokens, so this fits
		artDrop.Div(&amountRad, &a.index)
		if artDrop.IsZero() {
			return uint256.Int{}, fmt.Errorf("%w: %s repays no normalised debt", ErrZero, amount.Dec())
		}
		pay = amount
		removed.Mul(&artDrop, &a.index)
	}
	bal := b.Balance(l.holder)
	if bal.Lt(&pay) {
		return uint256.Int{}, fmt.Errorf("%w: account %d holds %s, repay %s", ErrInsufficient, l.holder, bal.Dec(), pay.Dec())
	}
	// dust is the normalised debt written off when the repayment leaves
	// no more than Params.Dust owed.
	var dust, dustRad uint256.Int
	release := l.shares
	if !full {
		var left, leftRad uint256.Int
		left.Sub(la, &artDrop)
		leftRad.Mul(&left, &a.index)
		if leftTokens := ceilDiv(leftRad, ray); !b.p.Dust.IsZero() && !b.p.Dust.Lt(&leftTokens) {
			dust, dustRad = left, leftRad
		} else {
			// shares·artDrop/art < shares, and shares < 2^64.
			var r uint256.Int
			r.SetUint64(l.shares)
			r.MulDivOverflow(&r, &artDrop, la)
			release = r.Uint64()
		}
	}
	closing := full || !dust.IsZero()
	if release > 0 {
		if err := b.stake.Unlock(l.val, l.holder, release); err != nil {
			return uint256.Int{}, err
		}
	}
	b.commit(a)
	var payRad, keep uint256.Int
	payRad.Mul(&pay, &ray)
	keep.Sub(&payRad, &removed)
	bal.Sub(&bal, &pay)
	b.setBalance(l.holder, bal)
	b.circulating.Sub(&b.circulating, &pay)
	b.holdings.Add(&b.holdings, &keep)
	b.supply.Sub(&b.supply, &removed)
	b.burned.Add(&b.burned, &removed)
	b.debt.Sub(&b.debt, &removed)
	b.totalArt.Sub(&b.totalArt, &artDrop)
	la.Sub(la, &artDrop)
	l.shares -= release
	if !dust.IsZero() {
		b.debt.Sub(&b.debt, &dustRad)
		b.deficit.Add(&b.deficit, &dustRad)
		b.totalArt.Sub(&b.totalArt, &dust)
		la.Clear()
		b.stats.DustClosed++
		b.stats.DustWrittenOff.Add(&b.stats.DustWrittenOff, &dustRad)
	}
	if closing {
		l.status = Repaid
		b.stats.Repaid++
		b.removeOpen(id)
	}
	b.updateRate()
	return pay, nil
}

// MarkProtocolOwned marks an open loan as protocol-owned liquidity (the
// synthetic side of the protocol's own pool position): a recall does not
// give it a deadline, and it never matures. It still defaults like any
// loan.
func (b *Book) MarkProtocolOwned(id LoanID) error {
	if !b.ok {
		return ErrNotInitialized
	}
	l, err := b.openLoan(id)
	if err != nil {
		return err
	}
	l.owned, l.matures = true, 0
	return nil
}

// Foreclose forecloses an open loan at epoch whatever its health: its debt
// moves to the deficit and its collateral is seized (see the package
// documentation).
func (b *Book) Foreclose(epoch uint64, id LoanID) error {
	a, err := b.prepare(epoch)
	if err != nil {
		return err
	}
	if _, err := b.openLoan(id); err != nil {
		return err
	}
	if err := b.foreclose(id, &a); err != nil {
		return err
	}
	b.updateRate()
	return nil
}

// foreclose seizes the loan's collateral, then commits a (if not nil) and
// moves the debt to the deficit. On a seizure error nothing changes.
func (b *Book) foreclose(id LoanID, a *accrual) error {
	l := &b.loans[id]
	seized, err := b.stake.Seize(l.val, l.holder, l.shares, b.p.Disposition, b.p.Treasury)
	if err != nil {
		return err
	}
	if a != nil {
		b.commit(*a)
	}
	la := &b.openArt[l.at]
	var removed uint256.Int
	removed.Mul(la, &b.index)
	b.debt.Sub(&b.debt, &removed)
	b.deficit.Add(&b.deficit, &removed)
	b.totalArt.Sub(&b.totalArt, la)
	la.Clear()
	l.status = Foreclosed
	s := &b.window[b.epoch%uint64(len(b.window))]
	s.Add(s, &removed)
	b.windowSum.Add(&b.windowSum, &removed)
	b.stats.Foreclosed++
	b.stats.ForeclosedDebt.Add(&b.stats.ForeclosedDebt, &removed)
	b.stats.Seized += seized
	b.removeOpen(id)
	return nil
}

// InDefault reports whether an open loan's collateral, valued at price
// (ray), is below its debt times LiquidationRatio:
// value·price·RAY < art·index·LiquidationRatio, evaluated exactly.
func (b *Book) InDefault(id LoanID, price uint256.Int) (bool, error) {
	if !b.ok {
		return false, ErrNotInitialized
	}
	l, err := b.openLoan(id)
	if err != nil {
		return false, err
	}
	return b.inDefault(l, &b.openArt[l.at], price)
}

// thresholds holds price·RAY and index·LiquidationRatio for a sweep, so
// each loan's test is value·(price·RAY) < art·(index·LR): two 256-bit
// products instead of a 512-bit division. ok is false if either constant
// overflows, and the slow path is used; set marks thresholds computed.
type thresholds struct {
	priceRay, indexLR uint256.Int
	ok, set           bool
}

func (b *Book) thresholds(price uint256.Int) thresholds {
	var t thresholds
	_, o1 := t.priceRay.MulOverflow(&price, &ray)
	_, o2 := t.indexLR.MulOverflow(&b.index, &b.p.LiquidationRatio)
	t.ok, t.set = !o1 && !o2, true
	return t
}

func (b *Book) inDefaultFast(l *loan, art *uint256.Int, price uint256.Int, t *thresholds) (bool, error) {
	if !t.ok {
		return b.inDefault(l, art, price)
	}
	value, err := b.stake.SharesValue(l.val, l.shares)
	if err != nil {
		return false, fmt.Errorf("%w: %w", errCollateralUnknown, err)
	}
	var lhs, rhs uint256.Int
	lo := mulWord(&lhs, &t.priceRay, value)
	var ro bool
	if art[1]|art[2]|art[3] == 0 {
		ro = mulWord(&rhs, &t.indexLR, art[0])
	} else {
		_, ro = rhs.MulOverflow(art, &t.indexLR)
	}
	switch {
	case !lo && !ro:
		return lhs.Lt(&rhs), nil
	case !lo && ro:
		return true, nil // lhs < 2^256 ≤ rhs
	case lo && !ro:
		return false, nil
	}
	return b.inDefault(l, art, price)
}

// pooledStake is a Stake that reports a validator's pool (pos.Chain):
// SharesValue(v, x) must be ⌊x·Tokens/Shares⌋ for x < Shares, as
// pos.StakePool documents.
type pooledStake interface {
	Pool(v pos.ValidatorID) (pos.StakePool, bool)
}

// screenMargin is the relative margin of screen.safe: 2^-30, against
// rounding errors below 2^-49 (see safe).
const screenMargin = 1 + 0x1p-30

// screen proves loans out of default without their SharesValue, from
// their validators' pools: most loans of a calm epoch are far from their
// threshold, and a float test with a margin settles them, leaving the
// exact test (inDefaultFast) to the loans near it. p and i are price·RAY
// and index·LiquidationRatio as floats. The pool is read as each loan is
// tested, so it includes the seizures of the loans foreclosed before it
// in the sweep, as SharesValue does.
type screen struct {
	src   pooledStake
	chain *pos.Chain // src, when it is a pos.Chain: called directly, inlined
	p, i  float64
}

// screen returns the sweep's screen at price; a screen without src (the
// Stake does not report its pools) proves nothing.
func (b *Book) screen(price *uint256.Int) screen {
	if b.pooled == nil {
		return screen{}
	}
	c, _ := b.pooled.(*pos.Chain)
	return screen{src: b.pooled, chain: c, p: price.Float64() * 1e27, i: b.index.Float64() * b.p.LiquidationRatio.Float64()}
}

// safe reports whether the loan is provably not in default at the
// screen's price and index: it says true only when
// value·price·RAY ≥ art·index·LR holds exactly, so that every exact test
// (inDefaultFast, inDefault) finds the loan not in default — they report
// a default only where the inequality fails, and art·index fits 256 bits
// since the book's debt, totalArt·index, does — and false when it cannot
// tell.
//
// For a loan of x < S shares of a validator with T tokens and S shares,
// value = ⌊x·T/S⌋ > x·T/S − 1, so with P = price·RAY and I = index·LR
// the loan is safe when (x·T/S − 1)·P ≥ art·I, that is when
// x·T·P ≥ (art·I + P)·S. The test evaluates both sides in float64 with
// art below 2^64: every operand is an integer converted with a relative
// error below 2^-52 (uint256's Float64 truncates, a uint64 rounds to
// nearest), the constant 1e27 is rounded by at most 2^-53, and each of
// the at most six products and sums of positive terms adds 2^-53, so each
// side is within 2^-49 of its exact value, no side can overflow
// (everything is below 2^650) and none underflows (the factors are 0 or
// at least 1). The margin of 2^-30 on the right then makes a true
// verdict imply the exact inequality. x ≥ S (value T), an unknown
// validator (the exact test's error) and art of more than one word go
// to the exact test.
func (s *screen) safe(l *loan, art *uint256.Int) bool {
	if s.src == nil || art[1]|art[2]|art[3] != 0 {
		return false
	}
	var e pos.StakePool
	var ok bool
	if s.chain != nil {
		e, ok = s.chain.Pool(l.val)
	} else {
		e, ok = s.src.Pool(l.val)
	}
	if !ok || l.shares >= e.Shares {
		return false
	}
	return float64(l.shares)*float64(e.Tokens)*s.p > (float64(art[0])*s.i+s.p)*float64(e.Shares)*screenMargin
}

// mulWord sets z = x·w mod 2^256 and reports whether x·w overflowed
// 256 bits: four word products, where MulOverflow multiplies four words
// by four.
func mulWord(z, x *uint256.Int, w uint64) bool {
	h0, l0 := bits.Mul64(x[0], w)
	h1, l1 := bits.Mul64(x[1], w)
	h2, l2 := bits.Mul64(x[2], w)
	h3, l3 := bits.Mul64(x[3], w)
	var c uint64
	z[0] = l0
	z[1], c = bits.Add64(l1, h0, 0)
	z[2], c = bits.Add64(l2, h1, c)
	z[3], c = bits.Add64(l3, h2, c)
	return h3 != 0 || c != 0
}

func (b *Book) inDefault(l *loan, art *uint256.Int, price uint256.Int) (bool, error) {
	value, err := b.stake.SharesValue(l.val, l.shares)
	if err != nil {
		return false, fmt.Errorf("%w: %w", errCollateralUnknown, err)
	}
	var coll, lhs, debt uint256.Int
	coll.SetUint64(value)
	if _, over := coll.MulOverflow(&coll, &price); over {
		return false, nil
	}
	// value·price·RAY < debt·LR ⟺ ⌊value·price·RAY/LR⌋ < debt for integers.
	if _, over := lhs.MulDivOverflow(&coll, &ray, &b.p.LiquidationRatio); over {
		return false, nil
	}
	debt.Mul(art, &b.index)
	return lhs.Lt(&debt), nil
}

// Observation is what the caller observes from outside the book at a Step.
type Observation struct {
	// PoolDiscount is 1 − the synthetic's pool price in native (ray), 0
	// at or above par.
	PoolDiscount uint256.Int
	// Price values collateral in synthetic per native (ray). The zero
	// value is a price of zero, which puts every loan in default: pass
	// RayOne() for 1:1.
	Price uint256.Int
}

// StepReport is what a Step did.
type StepReport struct {
	Signals Signals
	Action  Action
	// Recalled counts loans given a deadline now; ForeclosedRecall and
	// ForeclosedDefault count foreclosures for a passed deadline (a
	// recall's or the loan's maturity) and for default.
	Recalled, ForeclosedRecall, ForeclosedDefault int
	// DebtDeleted (rad) and Seized (native tokens) total this Step's
	// foreclosures.
	DebtDeleted uint256.Int
	Seized      uint64
}

// Step runs the protocol at epoch: accrue interest, observe the signals,
// apply the policy's Action, foreclose loans due — recalled loans whose
// deadline has come (epoch ≥ deadline) and matured loans (epoch ≥
// opened + Term) — and loans in default at obs.Price. If a
// seizure fails, Step returns the error after the foreclosures already
// done, each of which is complete.
func (b *Book) Step(epoch uint64, obs Observation) (rep StepReport, err error) {
	a, err := b.prepare(epoch)
	if err != nil {
		return StepReport{}, err
	}
	b.commit(a)
	rep.Signals = Signals{Epoch: epoch, DefaultRate: b.DefaultRate(), PoolDiscount: obs.PoolDiscount, Utilization: b.utilization()}
	rep.Action = b.policy.Decide(rep.Signals)
	b.action = rep.Action
	b.premium = rep.Action.RatePremium
	if rep.Action.Recall {
		deadline := epoch + rep.Action.RecallWindow
		if deadline < epoch {
			deadline = math.MaxUint64
		}
		for _, id := range b.open {
			if l := &b.loans[id]; !l.recalled && !l.owned {
				l.recalled, b.terms[id].deadline = true, deadline
				rep.Recalled++
			}
		}
		b.stats.Recalled += rep.Recalled
	}
	before := b.stats
	defer func() {
		rep.DebtDeleted.Sub(&b.stats.ForeclosedDebt, &before.ForeclosedDebt)
		rep.Seized = b.stats.Seized - before.Seized
		b.updateRate()
	}()
	// th, for the loans the screen does not clear, is computed at the
	// first of them.
	var th thresholds
	sc := b.screen(&obs.Price)
	// Backwards, so the swap-removal of a foreclosed loan only moves
	// loans already visited. Foreclosures do not change the index, so th
	// and the screen stay valid.
	for i := len(b.open) - 1; i >= 0; i-- {
		id := b.open[i]
		l := &b.loans[id]
		due := b.due(id, l, epoch)
		if !due {
			art := &b.openArt[i]
			if sc.safe(l, art) {
				continue
			}
			if !th.set {
				th = b.thresholds(obs.Price)
			}
			d, err := b.inDefaultFast(l, art, obs.Price, &th)
			if err != nil {
				return rep, err
			}
			if !d {
				continue
			}
		}
		if err := b.foreclose(id, nil); err != nil {
			return rep, err
		}
		if due {
			rep.ForeclosedRecall++
		} else {
			rep.ForeclosedDefault++
		}
	}
	return rep, nil
}

// ForecloseDefaults forecloses, at epoch, every open loan in default at
// price (ray, synthetic per native) — the check Step makes, without the
// policy's signals or recalls — and reports the foreclosures. The caller
// runs it right after a loss of stake (a slashing, a penalty) when defaults
// are to be checked at once rather than at the next Step.
func (b *Book) ForecloseDefaults(epoch uint64, price uint256.Int) (rep StepReport, err error) {
	a, err := b.prepare(epoch)
	if err != nil {
		return StepReport{}, err
	}
	b.commit(a)
	before := b.stats
	defer func() {
		rep.DebtDeleted.Sub(&b.stats.ForeclosedDebt, &before.ForeclosedDebt)
		rep.Seized = b.stats.Seized - before.Seized
		b.updateRate()
	}()
	var th thresholds
	sc := b.screen(&price)
	for i := len(b.open) - 1; i >= 0; i-- {
		id := b.open[i]
		l, art := &b.loans[id], &b.openArt[i]
		if sc.safe(l, art) {
			continue
		}
		if !th.set {
			th = b.thresholds(price)
		}
		d, err := b.inDefaultFast(l, art, price, &th)
		if err != nil {
			return rep, err
		}
		if !d {
			continue
		}
		if err := b.foreclose(id, nil); err != nil {
			return rep, err
		}
		rep.ForeclosedDefault++
	}
	return rep, nil
}

// DefaultRate returns the debt foreclosed in the last DefaultWindow epochs
// (up to the book's epoch) over the debt exposed in that window — the debt
// outstanding when the window began plus the debt opened since — as a ray
// rounded down and at most RAY; 0 if nothing was foreclosed.
//
// The denominator is fixed by the window's start: borrowers who repay
// during the window do not raise the rate of those who default, so a rush
// to delever cannot by itself trip a policy's default-rate trigger (which
// a denominator of the outstanding debt would).
func (b *Book) DefaultRate() uint256.Int {
	var den, r uint256.Int
	if b.windowSum.IsZero() {
		return r
	}
	start := b.startDebt[(b.epoch+1)%uint64(len(b.startDebt))]
	if _, over := den.AddOverflow(&start, &b.lentSum); over || !b.windowSum.Lt(&den) {
		return ray
	}
	r.MulDivOverflow(&b.windowSum, &ray, &den)
	return r
}

// utilization is debt/bonded as a ray (rad/token = ray), rounded down; the
// maximum uint256 if there is debt and nothing bonded.
func (b *Book) utilization() uint256.Int {
	var u uint256.Int
	bonded := b.stake.Bonded()
	if bonded == 0 {
		if !b.debt.IsZero() {
			u.SetAllOne()
		}
		return u
	}
	return *u.Div(&b.debt, uint256.NewInt(bonded))
}

func (b *Book) updateRate() {
	b.rateVer++
	r := b.p.Curve.At(b.utilization())
	if _, over := b.rate.AddOverflow(&r, &b.premium); over {
		b.rate.SetAllOne()
	}
}

// Transfer moves synthetic between accounts.
func (b *Book) Transfer(from, to pos.AccountID, amount uint256.Int) error {
	if !b.ok {
		return ErrNotInitialized
	}
	bal := b.Balance(from)
	if bal.Lt(&amount) {
		return fmt.Errorf("%w: account %d holds %s, transfer %s", ErrInsufficient, from, bal.Dec(), amount.Dec())
	}
	if from == to {
		return nil
	}
	// The receiver's balance cannot overflow: it is at most circulating.
	bal.Sub(&bal, &amount)
	b.setBalance(from, bal)
	b.credit(to, amount)
	return nil
}

// BuyBack moves amount of synthetic from an account to the protocol's
// holdings (the native paid for it is the caller's affair, e.g. from the
// treasury's seized collateral).
func (b *Book) BuyBack(from pos.AccountID, amount uint256.Int) error {
	if !b.ok {
		return ErrNotInitialized
	}
	bal := b.Balance(from)
	if bal.Lt(&amount) {
		return fmt.Errorf("%w: account %d holds %s, buy back %s", ErrInsufficient, from, bal.Dec(), amount.Dec())
	}
	var r uint256.Int
	r.Mul(&amount, &ray) // amount ≤ circulating, and circulating·RAY ≤ supply
	bal.Sub(&bal, &amount)
	b.setBalance(from, bal)
	b.circulating.Sub(&b.circulating, &amount)
	b.holdings.Add(&b.holdings, &r)
	return nil
}

// Release moves amount of synthetic from the protocol's holdings to an
// account (the protocol sells or pays out synthetic).
func (b *Book) Release(to pos.AccountID, amount uint256.Int) error {
	if !b.ok {
		return ErrNotInitialized
	}
	var r uint256.Int
	if _, over := r.MulOverflow(&amount, &ray); over || b.holdings.Lt(&r) {
		return fmt.Errorf("%w: protocol holds %s rad, release %s", ErrInsufficient, b.holdings.Dec(), amount.Dec())
	}
	b.holdings.Sub(&b.holdings, &r)
	b.credit(to, amount)
	b.circulating.Add(&b.circulating, &amount)
	return nil
}

// Heal burns min(holdings, deficit) rads of the protocol's synthetic
// against the deficit and returns the amount burned.
func (b *Book) Heal() uint256.Int {
	if !b.ok {
		return uint256.Int{}
	}
	m := b.holdings
	if b.deficit.Lt(&m) {
		m = b.deficit
	}
	b.holdings.Sub(&b.holdings, &m)
	b.deficit.Sub(&b.deficit, &m)
	b.supply.Sub(&b.supply, &m)
	b.burned.Add(&b.burned, &m)
	return m
}

// credit adds amount to an account's balance, which cannot overflow when
// the tokens come from another account or from a checked total.
func (b *Book) credit(a pos.AccountID, amount uint256.Int) {
	bal := b.Balance(a)
	bal.Add(&bal, &amount)
	b.setBalance(a, bal)
}

func (b *Book) setBalance(a pos.AccountID, v uint256.Int) {
	if int(a) >= len(b.bal) {
		if v.IsZero() {
			return
		}
		b.bal = append(b.bal, make([]uint64, int(a)+1-len(b.bal))...)
	}
	b.bal[a] = v[0]
	if v[1]|v[2]|v[3] != 0 {
		if b.high == nil {
			b.high = make(map[pos.AccountID][3]uint64)
		}
		b.high[a] = [3]uint64{v[1], v[2], v[3]}
	} else if len(b.high) != 0 {
		delete(b.high, a)
	}
}

func (b *Book) openLoan(id LoanID) (*loan, error) {
	if int(id) >= len(b.loans) {
		return nil, fmt.Errorf("%w: %d", ErrUnknownLoan, id)
	}
	l := &b.loans[id]
	if l.status != Open {
		return nil, fmt.Errorf("%w: loan %d is %v", ErrClosed, id, l.status)
	}
	return l, nil
}

func (b *Book) removeOpen(id LoanID) {
	i := int(b.loans[id].at)
	last := len(b.open) - 1
	if i != last {
		b.open[i] = b.open[last]
		b.openArt[i] = b.openArt[last]
		b.loans[b.open[i]].at = uint32(i)
	}
	b.open = b.open[:last]
	b.openArt = b.openArt[:last]
	b.loans[id].at = closed
}

// fits reports whether the sum of xs fits in 256 bits.
func fits(xs ...*uint256.Int) bool {
	var s uint256.Int
	for _, x := range xs {
		if _, over := s.AddOverflow(&s, x); over {
			return false
		}
	}
	return true
}

// ceilDiv returns ⌈x/d⌉ for d > 0.
func ceilDiv(x, d uint256.Int) uint256.Int {
	var q, r uint256.Int
	q.DivMod(&x, &d, &r)
	if !r.IsZero() {
		q.AddUint64(&q, 1)
	}
	return q
}
