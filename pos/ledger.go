package pos

import (
	"errors"
	"fmt"
	"math/bits"
)

// Ledger holds the chain's token totals. Every token is in exactly one of
// Liquid, Bonded and Unbonding, and
//
//	Liquid + Bonded + Unbonding = Initial + Minted − Burned()
//
// holds after every operation (see Chain.Check).
type Ledger struct {
	// Initial is the genesis supply.
	Initial uint64
	// Minted is every reward issued: epoch issuance, block rewards,
	// commission and whistleblower rewards.
	Minted uint64
	// BurnedSlash is stake destroyed by slashing offences (initial and
	// correlation penalties, Cosmos fractions), bonded or unbonding.
	BurnedSlash uint64
	// BurnedPenalty is stake destroyed by Ethereum offline penalties.
	BurnedPenalty uint64
	// BurnedForeclosure is seized collateral burned, including the
	// rounding remainder of a redistribution.
	BurnedForeclosure uint64
	// Bonded is the tokens held by validators, Unbonding those in the
	// unbonding queue, Liquid those in accounts.
	Bonded, Unbonding, Liquid uint64
}

// Burned returns the sum of all burn buckets.
func (l Ledger) Burned() uint64 { return l.BurnedSlash + l.BurnedPenalty + l.BurnedForeclosure }

// Supply returns Initial + Minted − Burned(): the tokens in existence.
func (l Ledger) Supply() uint64 { return l.Initial + l.Minted - l.Burned() }

// Ledger returns the current totals.
func (c *Chain) Ledger() Ledger { return c.ledger }

// ErrIdentity is wrapped by every error Check returns.
var ErrIdentity = errors.New("pos: accounting identity violated")

// Check verifies the ledger against the state, exactly, and returns an
// error naming the first identity violated with its amounts:
//
//   - supply:     Liquid + Bonded + Unbonding = Initial + Minted − Burned
//   - liquid:     Σ account balances = Liquid
//   - bonded:     Σ validator tokens = Bonded
//   - unbonding:  Σ queue balances = Unbonding
//   - minted:     Σ validator minted = Minted
//   - burned:     Σ validator burned = Burned
//   - shares:     Σ delegation shares of v = shares of v, for each v
//   - locked:     locked ≤ shares, for each delegation
//   - empty pool: a validator without shares has no tokens
//   - queue:      entry balance ≤ initial, entries sorted by release
//   - slashings:  Σ slashings vector = its running sum
//
// The sums are computed in 128 bits so an overflowed total cannot pass.
func (c *Chain) Check() error {
	if !c.ok {
		return ErrNotInitialized
	}
	l := &c.ledger
	fail := func(name, format string, a ...any) error {
		return fmt.Errorf("%w: %s: "+format, append([]any{ErrIdentity, name}, a...)...)
	}
	left := sum128{}.add(l.Liquid).add(l.Bonded).add(l.Unbonding)
	right := sum128{}.add(l.Initial).add(l.Minted)
	burned := sum128{}.add(l.BurnedSlash).add(l.BurnedPenalty).add(l.BurnedForeclosure)
	if left.add128(burned) != right {
		return fail("supply", "liquid %d + bonded %d + unbonding %d = %s, but initial %d + minted %d − burned %s = %s",
			l.Liquid, l.Bonded, l.Unbonding, left, l.Initial, l.Minted, burned, right.sub(burned))
	}
	// Four running sums, each a chain of carry adds, so that the adds of
	// one do not wait on another's.
	var s0, s1, s2, s3 sum128
	liq := c.liquid
	for len(liq) >= 4 {
		var cy uint64
		s0.lo, cy = bits.Add64(s0.lo, liq[0], 0)
		s0.hi += cy
		s1.lo, cy = bits.Add64(s1.lo, liq[1], 0)
		s1.hi += cy
		s2.lo, cy = bits.Add64(s2.lo, liq[2], 0)
		s2.hi += cy
		s3.lo, cy = bits.Add64(s3.lo, liq[3], 0)
		s3.hi += cy
		liq = liq[4:]
	}
	for _, b := range liq {
		s0 = s0.add(b)
	}
	if s := s0.add128(s1).add128(s2).add128(s3); s != (sum128{}).add(l.Liquid) {
		return fail("liquid", "Σ account balances %s ≠ ledger liquid %d", s, l.Liquid)
	}
	// The index finds every delegation at its place (c.index(v, d) is its
	// position in vals[v].dels) exactly when, for every delegation (v, j)
	// of an account a, the first entry of a's list naming v is (v, j), and
	// there are as many entries as delegations. Then that map from
	// delegations to entries is one to one (the entry names v and j), so
	// onto: every entry is the first naming its validator in its account's
	// list, and names a delegation of that account. Conversely when the
	// index is right each delegation has one entry and it is found. The
	// walk looks each delegation up where the validator loop already has
	// it; its first failure (bad) is reported where the index is checked.
	var tokens, minted, burnedV sum128
	n := 0
	bad, badV, badJ := false, 0, 0
	for i := range c.vals {
		v := &c.vals[i]
		tokens = tokens.add(v.tokens)
		minted = minted.add(v.minted)
		burnedV = burnedV.add(v.burned)
		var sh sum128
		for j, d := range v.dels {
			sh = sh.add(d.shares)
			if d.locked > d.shares {
				return fail("locked", "delegation (%d, %d) locks %d of %d shares", i, d.acct, d.locked, d.shares)
			}
			if !bad && !c.indexed(ValidatorID(i), j, d.acct) {
				bad, badV, badJ = true, i, j
			}
		}
		n += len(v.dels)
		if sh != (sum128{}).add(v.shares) {
			return fail("shares", "validator %d: Σ delegation shares %s ≠ shares %d", i, sh, v.shares)
		}
		if v.shares == 0 && v.tokens != 0 {
			return fail("empty pool", "validator %d has %d tokens and no shares", i, v.tokens)
		}
	}
	if tokens != (sum128{}).add(l.Bonded) {
		return fail("bonded", "Σ validator tokens %s ≠ ledger bonded %d", tokens, l.Bonded)
	}
	if minted != (sum128{}).add(l.Minted) {
		return fail("minted", "Σ validator minted %s ≠ ledger minted %d", minted, l.Minted)
	}
	if burnedV != burned {
		return fail("burned", "Σ validator burned %s ≠ ledger burned %s", burnedV, burned)
	}
	if bad {
		a := c.vals[badV].dels[badJ].acct
		return fail("index", "delegation %d of validator %d, account %d's, is not the first entry naming the validator in the account's index", badJ, badV, a)
	}
	// An account has an entry in first when its val is not NoValidator,
	// the largest ValidatorID: exactly when val − NoValidator borrows and
	// sets bit 63. Counted so, without a branch, which the accounts with
	// and without a delegation, interleaved, would mispredict.
	refs := 0
	for _, r := range c.first {
		refs += int((uint64(r.val) - uint64(NoValidator)) >> 63)
	}
	for _, r := range c.more {
		refs += len(r)
	}
	if n != refs {
		return fail("index", "%d delegations but %d index entries", n, refs)
	}
	var q sum128
	for i, e := range c.queue {
		q = q.add(e.balance)
		if e.balance > e.initial {
			return fail("queue", "entry %d balance %d exceeds initial %d", i, e.balance, e.initial)
		}
		if i > 0 && c.queue[i-1].release > e.release {
			return fail("queue", "entry %d released at %d before entry %d at %d", i, e.release, i-1, c.queue[i-1].release)
		}
	}
	if q != (sum128{}).add(l.Unbonding) {
		return fail("unbonding", "Σ queue balances %s ≠ ledger unbonding %d", q, l.Unbonding)
	}
	var sv sum128
	for _, x := range c.slashings {
		sv = sv.add(x)
	}
	if sv != (sum128{}).add(c.slashSum) {
		return fail("slashings", "Σ slashings vector %s ≠ running sum %d", sv, c.slashSum)
	}
	return nil
}

// indexed reports whether the first entry of account a's index naming
// validator v (the one c.find finds) is (v, j).
func (c *Chain) indexed(v ValidatorID, j int, a AccountID) bool {
	if int(a) < len(c.first) && c.first[a].val == v {
		return int(c.first[a].idx) == j
	}
	if int(a) < len(c.more) {
		for _, e := range c.more[a] {
			if e.val == v {
				return int(e.idx) == j
			}
		}
	}
	return false
}

// sum128 is an unsigned 128-bit accumulator.
type sum128 struct{ hi, lo uint64 }

// add returns s + x mod 2^128, the carry out of the low word taken by an
// add with carry rather than a compare and branch: Check's sums carry
// rarely, and the branchless form lets the adds of its independent sums
// overlap.
func (s sum128) add(x uint64) sum128 {
	var c uint64
	s.lo, c = bits.Add64(s.lo, x, 0)
	s.hi += c
	return s
}

func (s sum128) add128(x sum128) sum128 {
	s = s.add(x.lo)
	s.hi += x.hi
	return s
}

// sub returns s − x, wrapping (used only for messages).
func (s sum128) sub(x sum128) sum128 {
	lo := s.lo - x.lo
	hi := s.hi - x.hi
	if s.lo < x.lo {
		hi--
	}
	return sum128{hi, lo}
}

// String formats s in decimal when it fits in 64 bits.
func (s sum128) String() string {
	if s.hi == 0 {
		return fmt.Sprint(s.lo)
	}
	if s.hi>>63 != 0 {
		return "negative"
	}
	return fmt.Sprintf("%d·2^64+%d", s.hi, s.lo)
}
