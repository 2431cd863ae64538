package synth

import "github.com/holiman/uint256"

// Signals are what a Policy observes at a Step. Ratios are rays.
type Signals struct {
	Epoch uint64
	// DefaultRate is the debt foreclosed in the last DefaultWindow epochs
	// divided by that plus the outstanding debt (0 when both are 0).
	DefaultRate uint256.Int
	// PoolDiscount is 1 − (synthetic's pool price in native), passed in by
	// the caller (0 at or above par).
	PoolDiscount uint256.Int
	// Utilization is outstanding debt / bonded stake.
	Utilization uint256.Int
}

// Action is a Policy's decision, in force until the next Step.
type Action struct {
	// Halt refuses new loans.
	Halt bool
	// RatePremium (yearly, ray) is added to the rate curve.
	RatePremium uint256.Int
	// Recall gives every open loan not yet recalled a deadline of
	// RecallWindow epochs from now: a loan not repaid by then is
	// foreclosed. Deadlines, once set, stay. New loans are refused while
	// Recall is in force.
	Recall       bool
	RecallWindow uint64
}

// Policy decides the protocol's response to the signals. It must be a pure
// function of its argument.
type Policy interface {
	Decide(s Signals) Action
}

// Enshrined is the network as lender: it halts new loans, raises rates
// and recalls loans when the default rate or the pool discount reaches a
// threshold. Each trigger fires when DefaultRate ≥ its default-rate
// threshold or PoolDiscount ≥ its discount threshold; a zero threshold
// never fires. A recall also halts new loans.
type Enshrined struct {
	HaltDefaultRate, HaltDiscount     uint256.Int
	RaiseDefaultRate, RaiseDiscount   uint256.Int
	Premium                           uint256.Int
	RecallDefaultRate, RecallDiscount uint256.Int
	RecallWindow                      uint64
}

// Decide implements Policy.
func (p Enshrined) Decide(s Signals) Action {
	fires := func(rate, discount *uint256.Int) bool {
		return (!rate.IsZero() && !s.DefaultRate.Lt(rate)) || (!discount.IsZero() && !s.PoolDiscount.Lt(discount))
	}
	var a Action
	a.Halt = fires(&p.HaltDefaultRate, &p.HaltDiscount)
	if fires(&p.RaiseDefaultRate, &p.RaiseDiscount) {
		a.RatePremium = p.Premium
	}
	if fires(&p.RecallDefaultRate, &p.RecallDiscount) {
		a.Recall, a.RecallWindow, a.Halt = true, p.RecallWindow, true
	}
	return a
}

// ExternalHub is a lending contract outside consensus: it cannot halt,
// reprice or recall, whatever it observes.
type ExternalHub struct{}

// Decide implements Policy: always the zero Action.
func (ExternalHub) Decide(Signals) Action { return Action{} }
