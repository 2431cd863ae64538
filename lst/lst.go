// Package lst is a liquid-staking token as a pure state machine, after
// Lido's stETH: holders own shares of a pool of staked ether; rewards and
// slashing change the pool, not the shares, so the share rate — ether per
// share — rises with rewards and falls with losses. Withdrawals, where
// they exist, wait in a first-in first-out queue that leaves the
// validator set at most Churn wei per epoch; with no withdrawals (stETH
// before April 2023) shares can only be sold.
//
// Amounts are wei and share units (18 decimals) in uint256, rounded as the
// contract rounds: shares for a deposit and ether for shares round down.
//
//	rate        = pooled / shares
//	deposit(e)  → ⌊e · shares / pooled⌋ shares
//	reward(R)   : pooled += R; fee shares minted to the treasury,
//	              ⌊R · fee · shares / (pooled' · 10⁴ − R · fee)⌋ (fee in bps,
//	              pooled' after the reward), so the treasury gets fee of R
//	slash(L)    : pooled −= L
//
// A withdrawal request locks its shares and the ether they are worth at
// the request; it is finalized, in order, when the churn allows, at the
// lower of the rate at request and at finalization (a loss in between is
// shared by the queue), and its shares are burned then.
package lst

import (
	"errors"

	"github.com/holiman/uint256"
)

// TotalBP is the basis-point denominator of the fee.
const TotalBP = 10_000

// Errors.
var (
	ErrNoWithdrawals = errors.New("lst: withdrawals are disabled")
	ErrShares        = errors.New("lst: more shares than held outside the queue")
	ErrZero          = errors.New("lst: amount rounds to zero")
	ErrLoss          = errors.New("lst: loss exceeds the pooled ether")
	ErrFee           = errors.New("lst: fee above 100%")
)

// Config states a token's rules.
type Config struct {
	// FeeBP is the protocol's share of rewards, in basis points.
	FeeBP uint64
	// Withdrawals enables the queue; without it RequestWithdrawal fails.
	Withdrawals bool
	// Churn is the most wei the queue finalizes per epoch; zero is no
	// limit.
	Churn uint256.Int
}

// Request is a queued withdrawal.
type Request struct {
	Shares uint256.Int
	// Ether is what the shares were worth at the request, wei.
	Ether uint256.Int
}

// Token is the state of a liquid-staking token.
type Token struct {
	cfg            Config
	pooled, shares uint256.Int
	queue          []Request
	queuedShares   uint256.Int
	treasury       uint256.Int // fee shares minted
	finalized      uint256.Int // wei paid out by the queue
	credit         uint256.Int // exit capacity accrued while requests wait, wei
}

// New returns a token with shares outstanding against pooled wei (both
// positive, so the rate is defined).
func New(cfg Config, pooled, shares *uint256.Int) (*Token, error) {
	if cfg.FeeBP > TotalBP {
		return nil, ErrFee
	}
	if pooled.IsZero() || shares.IsZero() {
		return nil, ErrZero
	}
	return &Token{cfg: cfg, pooled: *pooled, shares: *shares}, nil
}

// Clone returns an independent copy.
func (t *Token) Clone() *Token {
	c := *t
	c.queue = append([]Request(nil), t.queue...)
	return &c
}

// Pooled returns the ether backing all shares, wei (the queue's included
// until finalized).
func (t *Token) Pooled() uint256.Int { return t.pooled }

// Shares returns the shares outstanding, the queue's included.
func (t *Token) Shares() uint256.Int { return t.shares }

// Treasury returns the fee shares minted so far.
func (t *Token) Treasury() uint256.Int { return t.treasury }

// Finalized returns the wei the queue has paid out.
func (t *Token) Finalized() uint256.Int { return t.finalized }

// Queued returns the shares waiting in the queue and the number of
// requests.
func (t *Token) Queued() (uint256.Int, int) { return t.queuedShares, len(t.queue) }

// Rate returns the share rate, wei per share, as a float (for agents and
// metrics; the state is exact).
func (t *Token) Rate() float64 { return t.pooled.Float64() / t.shares.Float64() }

// EtherFor returns what shares are worth now, ⌊shares · pooled / total⌋.
func (t *Token) EtherFor(shares *uint256.Int) uint256.Int {
	var e uint256.Int
	e.MulDivOverflow(shares, &t.pooled, &t.shares)
	return e
}

// Deposit stakes e wei and returns the shares minted, ⌊e · shares /
// pooled⌋.
func (t *Token) Deposit(e *uint256.Int) (uint256.Int, error) {
	var s uint256.Int
	s.MulDivOverflow(e, &t.shares, &t.pooled)
	if s.IsZero() {
		return s, ErrZero
	}
	t.pooled.Add(&t.pooled, e)
	t.shares.Add(&t.shares, &s)
	return s, nil
}

// Reward adds r wei of staking rewards and mints the fee's shares to the
// treasury. It returns the shares minted.
func (t *Token) Reward(r *uint256.Int) uint256.Int {
	t.pooled.Add(&t.pooled, r)
	var fee, num, den uint256.Int
	if t.cfg.FeeBP == 0 || r.IsZero() {
		return fee
	}
	bp := uint256.NewInt(t.cfg.FeeBP)
	num.Mul(r, bp)
	den.Mul(&t.pooled, uint256.NewInt(TotalBP))
	den.Sub(&den, &num)
	fee.MulDivOverflow(&num, &t.shares, &den)
	t.shares.Add(&t.shares, &fee)
	t.treasury.Add(&t.treasury, &fee)
	return fee
}

// Slash removes l wei of losses from the pool.
func (t *Token) Slash(l *uint256.Int) error {
	if !l.Lt(&t.pooled) {
		return ErrLoss
	}
	t.pooled.Sub(&t.pooled, l)
	return nil
}

// RequestWithdrawal queues shares for withdrawal and returns the wei they
// are worth now (the most the request can pay). The shares stay
// outstanding, and in Shares, until finalized.
func (t *Token) RequestWithdrawal(shares *uint256.Int) (uint256.Int, error) {
	if !t.cfg.Withdrawals {
		return uint256.Int{}, ErrNoWithdrawals
	}
	var free uint256.Int
	free.Sub(&t.shares, &t.queuedShares)
	if shares.Gt(&free) {
		return uint256.Int{}, ErrShares
	}
	e := t.EtherFor(shares)
	if e.IsZero() {
		return e, ErrZero
	}
	t.queue = append(t.queue, Request{Shares: *shares, Ether: e})
	t.queuedShares.Add(&t.queuedShares, shares)
	return e, nil
}

// Finalize processes one epoch of the queue. Each epoch adds Churn wei of
// exit capacity while requests wait (capacity does not build up while
// the queue is empty); in order, the first request is paid once the
// capacity covers its payout — the lower of its locked ether and its
// shares' worth now — and its shares are burned. A request larger than
// one epoch's churn so waits several epochs, and those behind it wait for
// it. With no churn limit every request is paid at once. It returns the
// payouts, wei, in order.
func (t *Token) Finalize() []uint256.Int {
	var paid []uint256.Int
	limit := !t.cfg.Churn.IsZero()
	if limit && len(t.queue) > 0 {
		t.credit.Add(&t.credit, &t.cfg.Churn)
	}
	for len(t.queue) > 0 {
		r := &t.queue[0]
		pay := t.EtherFor(&r.Shares)
		if r.Ether.Lt(&pay) {
			pay = r.Ether
		}
		if limit {
			if pay.Gt(&t.credit) {
				break
			}
			t.credit.Sub(&t.credit, &pay)
		}
		t.pooled.Sub(&t.pooled, &pay)
		t.shares.Sub(&t.shares, &r.Shares)
		t.queuedShares.Sub(&t.queuedShares, &r.Shares)
		t.finalized.Add(&t.finalized, &pay)
		paid = append(paid, pay)
		t.queue = t.queue[1:]
	}
	if len(t.queue) == 0 {
		t.credit = uint256.Int{}
	}
	return paid
}
