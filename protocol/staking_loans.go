package protocol

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// The Staking protocol's loan side: borrowing against stake at the mark
// price, repaying, the per-holder cache of loans and debt, and the
// quantities borrowers decide with.

// StressSlash is the share of its stake one incident burns from an
// operator holding share of the bonded stake: Cosmos's double-sign
// fraction; on Ethereum the initial penalty 1/MinSlashingPenaltyQuotient
// plus the correlation penalty min(1, multiplier·share) the incident
// brings on itself.
func (s *Staking) StressSlash(share float64) float64 {
	// Through pointers: a copy of the chain's configuration (240 bytes)
	// cost more than the arithmetic, for every operator at every epoch.
	cfg := &s.Config.Chain
	if s.Config.Offence != pos.EthSlashing {
		return float64(cfg.Cosmos.SlashFractionDoubleSign) / float64(pos.One)
	}
	r := &cfg.Eth
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
	// Yields' Borrow and Issuance, without its lending rates.
	return (1 + max(s.borrowRate(), 0)) / (1 + max(s.issueEst, 0))
}

// MarkPrice returns the collateral price the book uses, synthetic per
// native (ray): 1/TWAP with MarkToPool, else par.
func (s *Staking) MarkPrice() uint256.Int {
	if !s.Config.MarkToPool || !(s.twap > 0) || math.IsInf(s.twap, 0) {
		return synth.RayOne()
	}
	s.markAt()
	return s.markRay
}

// markAt brings the cached mark, posRay(1/twap) and its float, up to the
// current TWAP (which moves once a step).
func (s *Staking) markAt() {
	if !s.markOK || s.markTwap != s.twap {
		s.markTwap, s.markRay, s.markOK = s.twap, posRay(1/s.twap), true
		s.markF = posRayFloat(&s.markRay)
	}
}

// Mark is MarkPrice as a float: synthetic per native, 1 at par.
func (s *Staking) Mark() float64 {
	if !s.Config.MarkToPool || !(s.twap > 0) || math.IsInf(s.twap, 0) {
		return rayOneFloat
	}
	s.markAt()
	return s.markF
}

// rayOneFloat is posRayFloat(RAY): the float conversion of RAY divided by
// the float 1e27, not quite 1.
var rayOneFloat = func() float64 { r := synth.RayOne(); return posRayFloat(&r) }()

func posRay(f float64) uint256.Int { return cfmm.Amount(f * 1e27) }

func posRayFloat(x *uint256.Int) float64 { return x.Float64() / 1e27 }

// Borrow lends holder amount of synthetic against shares more of its
// delegation to v, at the current epoch and mark price: a top-up of its
// open loan on v if it has one that is not recalled (one loan per
// position, synth.Book.TopUp), a new loan otherwise. A top-up the loan's
// collateral does not cover fails with an error wrapping
// synth.ErrUndercollateral, without the book's figures.
func (s *Staking) Borrow(holder pos.AccountID, v pos.ValidatorID, shares, amount uint64) (synth.LoanID, error) {
	if s.book == nil {
		return 0, s.errOrInit()
	}
	h := s.holder(holder)
	for _, id := range s.Loans(holder) {
		l, err := s.book.LoanState(id)
		if err != nil || l.Status != synth.Open || l.Validator != v || l.Recalled {
			continue
		}
		ok, err := s.book.TopUpIf(s.chain.Epoch(), id, shares, *uint256.NewInt(amount), s.MarkPrice())
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, errTopUpRefused
		}
		h.stale = true
		return id, nil
	}
	id, err := s.book.Borrow(s.chain.Epoch(), holder, v, shares, *uint256.NewInt(amount), s.MarkPrice())
	if err != nil {
		return 0, err
	}
	c := &s.holderLoans[holder]
	c.loans = append(c.loans, id)
	h.stale = true
	return id, nil
}

// errTopUpRefused is Borrow's refusal of a top-up its loan's collateral
// does not cover: one error value, where synth.Book.TopUp would build one
// with its figures at every refusal (operators probe their limit at every
// epoch).
var errTopUpRefused = fmt.Errorf("%w: the loan's collateral does not cover the top-up", synth.ErrUndercollateral)

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
	return posMulDivPrice(value, &price, &cr)
}

// posMulDivPrice returns ⌊value·price/cr⌋, or the largest uint64 where that
// does not fit (0 for cr = 0, as MulDivOverflow). Where value·price fits
// 256 bits (always, for a price below 2^192) it is a 256-bit division,
// else MulDivOverflow's 512-bit one: the same quotient.
func posMulDivPrice(value uint64, price, cr *uint256.Int) uint64 {
	var x uint256.Int
	x.SetUint64(value)
	if _, over := x.MulOverflow(&x, price); !over {
		x.Div(&x, cr)
	} else {
		x.SetUint64(value)
		if _, over := x.MulDivOverflow(&x, price, cr); over {
			return math.MaxUint64
		}
	}
	if !x.IsUint64() {
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
	l, err := s.book.LoanState(id)
	if err != nil {
		return 0, err
	}
	paid, err := s.book.Repay(s.chain.Epoch(), id, *uint256.NewInt(amount))
	if err == nil {
		s.holder(l.Holder).stale = true
	}
	return paid.Uint64(), err
}

// posHolder caches a borrower's debt between book changes: what every
// query reads, 40 bytes, apart from its loans (posHolderLoans), which only
// the update after a book change reads. The holders of pos_small are 300
// or so, queried several times a step each, and with their loans inline
// they filled the first-level cache.
type posHolder struct {
	stale      bool   // the holder borrowed or repaid since
	recalled   bool   // one of its open loans is recalled
	foreclosed uint32 // foreclosures seen and not yet reported by Settle (fewer than the book's 2^32 loans)
	fullAt     uint64 // fullVer of the last full refresh
	ver        uint64 // bookVer of debt
	debt       uint64
	matures    uint64 // earliest maturity of its open loans; 0: none
}

// posHolderLoans is a holder's open loans at its last full refresh and
// their normalised debt.
type posHolderLoans struct {
	art   uint256.Int
	loans []synth.LoanID
}

// holder returns a's cache, extending holders and holderLoans (one entry
// each per account) to it.
func (s *Staking) holder(a pos.AccountID) *posHolder {
	for int(a) >= len(s.holders) {
		s.holders = append(s.holders, posHolder{})
		s.holderLoans = append(s.holderLoans, posHolderLoans{})
	}
	return &s.holders[a]
}

// refresh brings holder a's cache h up to date: a full pass over its
// loans (dropping closed ones, counting foreclosures) after its own
// Borrow or Repay or a Step that foreclosed or recalled loans; otherwise
// only the debt, ⌈Σart·index/RAY⌉, when the index may have moved. The
// test is apart from the work (update), small enough to be inlined into
// the holder's queries, which agents make several times a step and which
// find nothing to do but on the first.
func (s *Staking) refresh(a pos.AccountID, h *posHolder) {
	if h.stale || h.fullAt != s.fullVer || h.ver != s.bookVer {
		s.update(a, h)
	}
}

// update is refresh's work.
func (s *Staking) update(a pos.AccountID, h *posHolder) {
	c := &s.holderLoans[a]
	if h.stale || h.fullAt != s.fullVer {
		h.stale, h.fullAt, h.ver, h.recalled, h.matures = false, s.fullVer, 0, false, 0
		c.art.Clear()
		k := 0
		for _, id := range c.loans {
			l, err := s.book.LoanState(id)
			switch {
			case err == nil && l.Status == synth.Open:
				c.loans[k] = id
				k++
				c.art.Add(&c.art, &l.Art)
				h.recalled = h.recalled || l.Recalled
				if l.Matures != 0 && (h.matures == 0 || l.Matures < h.matures) {
					h.matures = l.Matures
				}
			case err == nil && l.Status == synth.Foreclosed:
				h.foreclosed++
			}
		}
		c.loans = c.loans[:k]
	}
	if h.ver != s.bookVer {
		h.ver, h.debt = s.bookVer, 0
		if !c.art.IsZero() {
			var d uint256.Int
			idx := s.book.Index()
			if c.art[2]|c.art[3]|idx[2]|idx[3] == 0 {
				mul128(&d, &c.art, &idx)
			} else if _, over := d.MulOverflow(&c.art, &idx); over {
				h.debt = math.MaxUint64
				return
			}
			h.debt = ceilRay(&d)
		}
	}
}

// five27 is 5^27: RAY = 10^27 = 2^27·5^27, and 5^27 < 2^63.
const five27 = 7450580596923828125

// ceilRay returns ⌈x/RAY⌉, or the largest uint64 if that does not fit:
// x = 2^27·q1 + r1 and q1 = 5^27·q + r2, so ⌊x/RAY⌋ = q and the remainder
// 2^27·r2 + r1 is zero exactly when both are. q fits a word exactly when
// q1 < 5^27·2^64, that is when q1's words above the second are zero and
// its second is below 5^27: then q and r2 are one hardware division of
// q1's two words by 5^27, where a division by RAY's two words is Knuth's.
func ceilRay(x *uint256.Int) uint64 {
	if x[3] != 0 || x[2]>>27 != 0 {
		return math.MaxUint64 // q1 ≥ 2^128
	}
	r1 := x[0] & (1<<27 - 1)
	lo := x[0]>>27 | x[1]<<37
	hi := x[1]>>27 | x[2]<<37
	if hi >= five27 {
		return math.MaxUint64
	}
	q, r2 := bits.Div64(hi, lo, five27)
	if r1 != 0 || r2 != 0 {
		if q == math.MaxUint64 {
			return math.MaxUint64
		}
		return q + 1
	}
	return q
}

// mul128 sets z = x·y for x and y below 2^128 (the product fits 256
// bits): four word products, where MulOverflow multiplies four words by
// four.
func mul128(z, x, y *uint256.Int) {
	h00, l00 := bits.Mul64(x[0], y[0])
	h01, l01 := bits.Mul64(x[0], y[1])
	h10, l10 := bits.Mul64(x[1], y[0])
	h11, l11 := bits.Mul64(x[1], y[1])
	var c uint64
	z[0] = l00
	z[1], c = bits.Add64(h00, l01, 0)
	t2, c2 := bits.Add64(h01, l11, c)
	z[1], c = bits.Add64(z[1], l10, 0)
	t2, c3 := bits.Add64(t2, h10, c)
	z[2] = t2
	z[3] = h11 + c2 + c3
}

// Loans returns holder's open loans opened through Borrow.
func (s *Staking) Loans(holder pos.AccountID) []synth.LoanID {
	if s.book == nil || int(holder) >= len(s.holders) {
		return nil
	}
	s.refresh(holder, &s.holders[holder])
	return s.holderLoans[holder].loans
}

// Settle returns how many of holder's loans were foreclosed since the last
// call.
func (s *Staking) Settle(holder pos.AccountID) (foreclosed int) {
	if s.book == nil || int(holder) >= len(s.holders) {
		return 0
	}
	h := &s.holders[holder]
	s.refresh(holder, h)
	n := h.foreclosed
	h.foreclosed = 0
	return int(n)
}

// SettleDebt is Settle followed by Debt, from one look at the holder.
func (s *Staking) SettleDebt(holder pos.AccountID) (foreclosed int, debt uint64, due bool) {
	if s.book == nil || int(holder) >= len(s.holders) {
		return 0, 0, false
	}
	h := &s.holders[holder]
	s.refresh(holder, h)
	foreclosed, h.foreclosed = int(h.foreclosed), 0
	return foreclosed, h.debt, s.due(h)
}

// Debt returns what holder owes on its open loans (synthetic, rounded up)
// and whether any of them is due: recalled, or maturing (synth.Params.Term)
// within the chain's unbonding delay and two epochs — the time a borrower
// needs to unbond stake and buy the synthetic back — so behaviours repay
// it at any price, as they do a recalled loan, and borrow afresh later.
func (s *Staking) Debt(holder pos.AccountID) (debt uint64, due bool) {
	if s.book == nil || int(holder) >= len(s.holders) {
		return 0, false
	}
	h := &s.holders[holder]
	s.refresh(holder, h)
	return h.debt, s.due(h)
}

// due reports whether one of h's open loans is recalled or matures
// within the unbonding delay and two epochs (see Debt).
func (s *Staking) due(h *posHolder) bool {
	if h.matures == 0 {
		return h.recalled
	}
	return h.recalled || h.matures <= s.chain.Epoch()+s.chain.Config().UnbondingDelay+2
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
	b, ok := s.book.BalanceUint64(acct)
	if !ok {
		return math.MaxUint64
	}
	return b
}

// Halted reports whether the policy refuses new loans.
func (s *Staking) Halted() bool {
	if s.book == nil {
		return true
	}
	a := s.book.Action()
	return a.Halt || a.Recall
}

// sellSeized closes foreclosed borrowers' positions the way a lending
// market liquidates: under the Liquidate disposition the seized
// collateral is the treasury's, liquid, and the protocol sells it on the
// pool for the synthetic its deficit lacks — the least native x with
// Quote(x) ≥ ⌈(deficit − holdings)/RAY⌉, found by bisection on the pool's
// exact quote, or all it has — and burns what it buys against the
// deficit. This is forced buying of the synthetic: a foreclosure raises
// its price for every other borrower, and with collateral marked to the
// pool, lowers their collateral's value (the cascade channel of a short
// squeeze). Native left once the deficit is covered stays in the
// treasury. Under other dispositions it does nothing.
func (s *Staking) sellSeized() error {
	if s.Config.Book.Disposition != pos.Liquidate || s.book == nil || s.venue == nil || s.mkt == nil {
		return nil
	}
	s.book.Heal()
	t := s.book.Totals()
	have := s.chain.Liquid(s.treasury)
	if t.Deficit.IsZero() || have == 0 {
		return nil
	}
	var need uint256.Int
	ray := synth.RayOne()
	need.Add(&t.Deficit, &ray)
	need.SubUint64(&need, 1)
	need.Div(&need, &ray)
	want := need.Uint64()
	in := have
	if s.Quote(true, have) > want {
		lo, hi := uint64(0), have // Quote(lo) < want ≤ Quote(hi)
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if s.Quote(true, mid) >= want {
				hi = mid
			} else {
				lo = mid
			}
		}
		in = hi
	}
	out, err := s.Swap(s.mkt, s.treasury, true, in)
	if err != nil || out == 0 {
		return nil // the pool cannot take it now; the native stays for later
	}
	if err := s.book.BuyBack(s.treasury, *uint256.NewInt(out)); err != nil {
		return err
	}
	s.book.Heal()
	s.soldSeized += in
	s.boughtBack += out
	return nil
}
