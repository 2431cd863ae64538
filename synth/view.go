package synth

import (
	"fmt"
	"math/bits"

	"github.com/cascade-risk/cascade/pos"
	"github.com/holiman/uint256"
)

// Epoch returns the epoch interest has been accrued to.
func (b *Book) Epoch() uint64 { return b.epoch }

// Index returns the interest index (ray, 1 at creation).
func (b *Book) Index() uint256.Int { return b.index }

// Rate returns the yearly borrow rate in force (ray).
func (b *Book) Rate() uint256.Int { return b.rate }

// RateVersion changes whenever the rate may have (it counts the times it
// was set): a caller that converts the rate can key its conversion on
// one word rather than on the rate's four.
func (b *Book) RateVersion() uint64 { return b.rateVer }

// Action returns the policy's action in force since the last Step.
func (b *Book) Action() Action { return b.action }

// Params returns the book's parameters.
func (b *Book) Params() Params { return b.p }

// Stats returns the cumulative counters.
func (b *Book) Stats() Stats { return b.stats }

// Balance returns an account's synthetic balance (tokens).
func (b *Book) Balance(a pos.AccountID) uint256.Int {
	if int(a) >= len(b.bal) {
		return uint256.Int{}
	}
	x := uint256.Int{b.bal[a]}
	if len(b.high) != 0 {
		if h, ok := b.high[a]; ok {
			x[1], x[2], x[3] = h[0], h[1], h[2]
		}
	}
	return x
}

// BalanceUint64 returns an account's synthetic balance and whether it
// fits 64 bits (Balance(a).Uint64(), Balance(a).IsUint64()) without
// building the 256-bit balance.
func (b *Book) BalanceUint64(a pos.AccountID) (uint64, bool) {
	if int(a) >= len(b.bal) {
		return 0, true
	}
	if len(b.high) != 0 {
		if _, ok := b.high[a]; ok {
			return b.bal[a], false
		}
	}
	return b.bal[a], true
}

// NumAccounts returns one more than the largest account that has held
// synthetic (0 if none has): Balance is zero from it on.
func (b *Book) NumAccounts() int { return len(b.bal) }

// NumLoans returns the number of loans ever opened.
func (b *Book) NumLoans() int { return len(b.loans) }

// OpenLoans appends the ids of the open loans, in the book's internal
// order, to dst.
func (b *Book) OpenLoans(dst []LoanID) []LoanID { return append(dst, b.open...) }

// Totals are the book's aggregate quantities. Supply, Debt, Deficit and
// Holdings are rads; Circulating is tokens; TotalArt is normalised debt.
type Totals struct {
	Supply, Debt, Deficit, Holdings uint256.Int
	Circulating                     uint256.Int
	TotalArt                        uint256.Int
}

// Totals returns the aggregates.
func (b *Book) Totals() Totals {
	return Totals{b.supply, b.debt, b.deficit, b.holdings, b.circulating, b.totalArt}
}

// LoanInfo is a read-only view of a loan.
type LoanInfo struct {
	Holder    pos.AccountID
	Validator pos.ValidatorID
	Shares    uint64
	// Art is the normalised debt; Debt = ⌈Art·index/RAY⌉ the synthetic
	// owed at the book's epoch.
	Art, Debt uint256.Int
	Opened    uint64
	Recalled  bool
	Deadline  uint64
	// Matures is the epoch the loan falls due (Params.Term); 0: never.
	Matures uint64
	Status  Status
	// ProtocolOwned marks protocol-owned liquidity, which recalls skip.
	ProtocolOwned bool
}

// Loan returns a view of a loan.
func (b *Book) Loan(id LoanID) (LoanInfo, error) {
	info, err := b.LoanState(id)
	if err != nil {
		return info, err
	}
	var d uint256.Int
	d.Mul(&info.Art, &b.index)
	info.Debt = ceilDiv(d, ray)
	return info, nil
}

// LoanState returns Loan's view without the debt (Debt is zero), which
// costs a multiplication and a division by RAY: for callers that read
// the loan's status, holder, collateral or art.
func (b *Book) LoanState(id LoanID) (LoanInfo, error) {
	if !b.ok {
		return LoanInfo{}, ErrNotInitialized
	}
	if int(id) >= len(b.loans) {
		return LoanInfo{}, fmt.Errorf("%w: %d", ErrUnknownLoan, id)
	}
	l := &b.loans[id]
	t := &b.terms[id]
	var art uint256.Int
	if l.status == Open {
		art = b.openArt[l.at]
	}
	return LoanInfo{l.holder, l.val, l.shares, art, uint256.Int{}, t.opened, l.recalled, t.deadline, l.matures, l.status, l.owned}, nil
}

// Check verifies the book's identities exactly and returns an error
// wrapping ErrIdentity that names the first one violated, with amounts:
//
//   - art:          Σ open loans' art = totalArt (closed loans have no
//     art: it is held by place in the open list)
//   - debt:         debt = totalArt·index
//   - circulating:  Σ balances = circulating
//   - holders:      supply = circulating·RAY + holdings
//   - backing:      supply = debt + deficit
//   - issuance:     supply = minted − burned
//   - window:       Σ default window = its running sum ≤ foreclosed debt;
//     Σ lent in the window = its running sum
//   - open list:    the open list holds exactly the open loans (and
//     every loan has its terms)
func (b *Book) Check() error {
	if !b.ok {
		return ErrNotInitialized
	}
	fail := func(name, format string, a ...any) error {
		return fmt.Errorf("%w: %s: "+format, append([]any{ErrIdentity, name}, a...)...)
	}
	if len(b.terms) != len(b.loans) || len(b.openArt) != len(b.open) {
		return fail("open list", "%d loans, terms of %d; open list of %d, art of %d", len(b.loans), len(b.terms), len(b.open), len(b.openArt))
	}
	nOpen := 0
	for i := range b.loans {
		l := &b.loans[i]
		if l.status != Open {
			continue
		}
		nOpen++
		if int(l.at) >= len(b.open) || b.open[l.at] != LoanID(i) {
			return fail("open list", "loan %d open but not at its place in the open list", i)
		}
	}
	if nOpen != len(b.open) {
		return fail("open list", "%d open loans, open list of %d", nOpen, len(b.open))
	}
	// Σ art in four words, the carry out of the top one an overflow.
	var a0, a1, a2, a3 uint64
	for i := range b.openArt {
		x := &b.openArt[i]
		var c uint64
		a0, c = bits.Add64(a0, x[0], 0)
		a1, c = bits.Add64(a1, x[1], c)
		a2, c = bits.Add64(a2, x[2], c)
		a3, c = bits.Add64(a3, x[3], c)
		if c != 0 {
			return fail("art", "Σ art overflows")
		}
	}
	art := uint256.Int{a0, a1, a2, a3}
	if !art.Eq(&b.totalArt) {
		return fail("art", "Σ loan art %s ≠ totalArt %s", art.Dec(), b.totalArt.Dec())
	}
	var d uint256.Int
	if _, over := d.MulOverflow(&b.totalArt, &b.index); over || !d.Eq(&b.debt) {
		return fail("debt", "totalArt %s · index %s = %s ≠ debt %s", b.totalArt.Dec(), b.index.Dec(), d.Dec(), b.debt.Dec())
	}
	// The low words are summed in two words, then the high words of the
	// balances that have them added: balances are not negative, so the
	// total overflows 256 bits exactly when a running sum in any order
	// does (and the map's order does not matter).
	var lo, hi uint64
	for _, x := range b.bal {
		var c uint64
		lo, c = bits.Add64(lo, x, 0)
		hi += c
	}
	circ := uint256.Int{lo, hi}
	for a, h := range b.high {
		if int(a) >= len(b.bal) || h == [3]uint64{} {
			return fail("circulating", "account %d has high words %v, beyond the %d accounts or zero", a, h, len(b.bal))
		}
		if _, over := circ.AddOverflow(&circ, &uint256.Int{0, h[0], h[1], h[2]}); over {
			return fail("circulating", "Σ balances overflows")
		}
	}
	if !circ.Eq(&b.circulating) {
		return fail("circulating", "Σ balances %s ≠ circulating %s", circ.Dec(), b.circulating.Dec())
	}
	var held, cr uint256.Int
	_, o1 := cr.MulOverflow(&b.circulating, &ray)
	_, o2 := held.AddOverflow(&cr, &b.holdings)
	if o1 || o2 || !held.Eq(&b.supply) {
		return fail("holders", "circulating %s·RAY + holdings %s = %s ≠ supply %s rad",
			b.circulating.Dec(), b.holdings.Dec(), held.Dec(), b.supply.Dec())
	}
	var backed uint256.Int
	if _, over := backed.AddOverflow(&b.debt, &b.deficit); over || !backed.Eq(&b.supply) {
		return fail("backing", "debt %s + deficit %s = %s ≠ supply %s rad", b.debt.Dec(), b.deficit.Dec(), backed.Dec(), b.supply.Dec())
	}
	var issued uint256.Int
	if _, under := issued.SubOverflow(&b.minted, &b.burned); under || !issued.Eq(&b.supply) {
		return fail("issuance", "minted %s − burned %s ≠ supply %s rad", b.minted.Dec(), b.burned.Dec(), b.supply.Dec())
	}
	w := sumMod(b.window)
	if !w.Eq(&b.windowSum) || b.stats.ForeclosedDebt.Lt(&w) {
		return fail("window", "Σ window %s, running sum %s, foreclosed debt %s", w.Dec(), b.windowSum.Dec(), b.stats.ForeclosedDebt.Dec())
	}
	w = sumMod(b.lent)
	if !w.Eq(&b.lentSum) {
		return fail("window", "Σ lent in the window %s, running sum %s", w.Dec(), b.lentSum.Dec())
	}
	return nil
}

// sumMod returns Σ xs mod 2^256, as a running uint256 Add would: the
// words added with their carries in place, without copying each x.
func sumMod(xs []uint256.Int) uint256.Int {
	var s0, s1, s2, s3 uint64
	for i := range xs {
		x := &xs[i]
		var c uint64
		s0, c = bits.Add64(s0, x[0], 0)
		s1, c = bits.Add64(s1, x[1], c)
		s2, c = bits.Add64(s2, x[2], c)
		s3, _ = bits.Add64(s3, x[3], c)
	}
	return uint256.Int{s0, s1, s2, s3}
}
