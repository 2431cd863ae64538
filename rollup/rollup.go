// Package rollup is the unit economics of an application rollup: what it
// costs to deploy and run on a settlement layer, what its users pay, and
// who takes a share, period by period.
//
// A Chain is a pure state machine in integer gwei. The world opens a
// period at the settlement layer's gas price (Open charges the fixed
// costs: batch and state-root posting priced at that gas, the operator's
// own infrastructure, a sequencer service's fee), records the period's
// transactions (Transact: users' fees in, their data's L1 cost out) and
// the next Open closes the period, charging the shares of its revenue
// that a sequencer service and the rollup framework take.
//
// Costs are rounded up and revenue down, one transaction at a time, so the
// ledger never flatters the operator, and
//
//	Balance = Revenue − Deployment − Posting − Data − Operations − Service − Framework
//
// holds exactly after every call (Check).
package rollup

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Gwei is an amount of ETH in units of 10⁻⁹ ETH. An int64 holds ±9.2e9 ETH.
type Gwei = int64

// GweiPerETH is the number of gwei in one ETH.
const GweiPerETH = 1_000_000_000

// PPM is the denominator of DataCost: parts per million.
const PPM = 1_000_000

// BPS is the denominator of revenue and profit shares: basis points.
const BPS = 10_000

// Config is a rollup's cost and pricing structure. Gas amounts are
// settlement-layer gas units; money is gwei.
type Config struct {
	// DeployGas is the gas to deploy the rollup's contracts, paid once.
	DeployGas uint64
	// PostingGas is the gas per period to post batches and state roots,
	// whatever the number of transactions.
	PostingGas uint64
	// TxGas is the gas to post one transaction's data.
	TxGas uint64
	// DataCost scales the gas of posting and of transaction data, in
	// parts per million: PPM is calldata, PPM/10 a tenfold cut (blob
	// space).
	DataCost uint64
	// Price is a flat fee per transaction; when zero, users pay the
	// current data cost of their transaction plus Markup.
	Price, Markup Gwei
	// Operations is the operator's own cost per period (sequencer,
	// nodes, staff), for an isolated sequencer.
	Operations Gwei
	// ServiceShare is the share of revenue a sequencer service takes, in
	// basis points.
	ServiceShare int64
	// FrameworkRevenue and FrameworkProfit are the framework's take per
	// period, in basis points: the greater of FrameworkRevenue × revenue
	// and FrameworkProfit × (revenue − L1 costs), as the OP Stack's
	// Superchain terms (2.5% of revenue or 15% of profit).
	FrameworkRevenue, FrameworkProfit int64
}

// Validate reports a configuration that makes no sense.
func (c *Config) Validate() error {
	switch {
	case c.Price < 0 || c.Markup < 0 || c.Operations < 0:
		return errors.New("negative price, markup or operations cost")
	case c.Price > 0 && c.Markup > 0:
		return errors.New("give a flat price or a markup over data cost, not both")
	case c.DataCost == 0 || c.DataCost > 100*PPM:
		return fmt.Errorf("data cost multiplier %d ppm outside (0, 100×]", c.DataCost)
	case c.ServiceShare < 0 || c.FrameworkRevenue < 0 || c.FrameworkProfit < 0 ||
		c.ServiceShare+c.FrameworkRevenue > BPS || c.FrameworkProfit > BPS:
		return errors.New("revenue shares must lie in [0, 100%] and sum to at most 100%")
	}
	return nil
}

// Cost returns the price of gas units at weiPerGas, scaled by ppm parts
// per million, in gwei rounded up: ⌈gas·ppm·wei / 10¹⁵⌉.
func Cost(gas, ppm, weiPerGas uint64) Gwei {
	hi, lo := bits.Mul64(gas, ppm)
	if hi != 0 {
		return math.MaxInt64
	}
	hi, lo = bits.Mul64(lo, weiPerGas)
	const d = PPM * 1_000_000_000
	if hi >= d {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, d)
	if r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return Gwei(q)
}

// share returns x·bps/10⁴ rounded toward +∞ (a charge).
func share(x, bps int64) Gwei {
	if x <= 0 || bps == 0 {
		return 0
	}
	p := x * bps
	return (p + BPS - 1) / BPS
}

// Chain is a rollup's ledger. The zero value is a chain not yet deployed.
type Chain struct {
	Config Config
	// Cumulative amounts since deployment; all but Balance are ≥ 0.
	Revenue, Deployment, Posting, Data, Operations, Service, Framework Gwei
	// Balance is the cumulative profit, deployment included.
	Balance Gwei
	// Txs is the number of transactions so far; Periods the number of
	// periods opened.
	Txs, Periods int64
	// BreakEven is the first period at whose close Balance was ≥ 0, or 0.
	BreakEven int64

	open      bool
	gas       uint64 // wei per gas of the open period
	perTxData Gwei   // the open period's data cost of one transaction
	price     Gwei   // the open period's fee per transaction
	periodRev Gwei   // the open period's revenue
	periodL1  Gwei   // the open period's L1 costs (posting and data)
	periodTxs int64
	deployed  bool
	lastTxs   int64
}

// New returns a chain with the given configuration, not yet deployed.
func New(c Config) (*Chain, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Chain{Config: c}, nil
}

// Deploy pays for the contracts at weiPerGas.
func (ch *Chain) Deploy(weiPerGas uint64) error {
	if ch.deployed {
		return errors.New("already deployed")
	}
	ch.deployed = true
	ch.Deployment = Cost(ch.Config.DeployGas, PPM, weiPerGas)
	ch.Balance -= ch.Deployment
	return nil
}

// Open closes the current period, if any, and opens the next at weiPerGas,
// charging its fixed costs: posting, operations and serviceFee (a
// sequencer service's fee for the period, in gwei).
func (ch *Chain) Open(weiPerGas uint64, serviceFee Gwei) error {
	if !ch.deployed {
		return errors.New("not deployed")
	}
	if serviceFee < 0 {
		return fmt.Errorf("negative service fee %d", serviceFee)
	}
	ch.close()
	c := &ch.Config
	ch.open, ch.gas = true, weiPerGas
	ch.Periods++
	ch.perTxData = Cost(c.TxGas, c.DataCost, weiPerGas)
	ch.price = c.Price
	if c.Price == 0 {
		ch.price = ch.perTxData + c.Markup
	}
	post := Cost(c.PostingGas, c.DataCost, weiPerGas)
	ch.Posting += post
	ch.Operations += c.Operations
	ch.Service += serviceFee
	ch.Balance -= post + c.Operations + serviceFee
	ch.periodRev, ch.periodL1, ch.periodTxs = 0, post, 0
	return nil
}

// PriceNow returns the fee per transaction in the open period.
func (ch *Chain) PriceNow() Gwei { return ch.price }

// DataCostNow returns the L1 data cost of one transaction in the open
// period.
func (ch *Chain) DataCostNow() Gwei { return ch.perTxData }

// Transact records n transactions in the open period: each pays the
// period's price and costs its data's L1 cost; the sequencer service's
// share of the revenue is charged as it comes.
func (ch *Chain) Transact(n int64) error {
	if !ch.open {
		return errors.New("no open period")
	}
	if n < 0 {
		return fmt.Errorf("negative transaction count %d", n)
	}
	if n == 0 {
		return nil
	}
	if ch.price > 0 && n > math.MaxInt64/4/ch.price || ch.perTxData > 0 && n > math.MaxInt64/4/ch.perTxData {
		return fmt.Errorf("%d transactions overflow the ledger", n)
	}
	rev, data := n*ch.price, n*ch.perTxData
	svc := share(ch.periodRev+rev, ch.Config.ServiceShare) - share(ch.periodRev, ch.Config.ServiceShare)
	ch.Revenue += rev
	ch.Data += data
	ch.Service += svc
	ch.Balance += rev - data - svc
	ch.periodRev += rev
	ch.periodL1 += data
	ch.periodTxs += n
	ch.Txs += n
	return nil
}

// frameworkFee is the framework's take on a period's revenue and L1 costs.
func (c *Config) frameworkFee(rev, l1 Gwei) Gwei {
	return max(share(rev, c.FrameworkRevenue), share(rev-l1, c.FrameworkProfit))
}

// close charges the open period's framework fee and marks a break-even.
func (ch *Chain) close() {
	if !ch.open {
		return
	}
	f := ch.Config.frameworkFee(ch.periodRev, ch.periodL1)
	ch.Framework += f
	ch.Balance -= f
	ch.open = false
	ch.lastTxs = ch.periodTxs
	if ch.BreakEven == 0 && ch.Balance >= 0 {
		ch.BreakEven = ch.Periods
	}
}

// Close closes the open period (at the end of a horizon).
func (ch *Chain) Close() { ch.close() }

// Settled returns the balance as if the open period closed now: the
// framework's fee on it charged.
func (ch *Chain) Settled() Gwei {
	if !ch.open {
		return ch.Balance
	}
	return ch.Balance - ch.Config.frameworkFee(ch.periodRev, ch.periodL1)
}

// PeriodTxs returns the transactions of the open period, or of the last
// closed one when none is open.
func (ch *Chain) PeriodTxs() int64 {
	if ch.open {
		return ch.periodTxs
	}
	return ch.lastTxs
}

// Check verifies the ledger's identity and signs.
func (ch *Chain) Check() error {
	for _, x := range []Gwei{ch.Revenue, ch.Deployment, ch.Posting, ch.Data, ch.Operations, ch.Service, ch.Framework} {
		if x < 0 {
			return fmt.Errorf("negative ledger entry %d", x)
		}
	}
	if want := ch.Revenue - ch.Deployment - ch.Posting - ch.Data - ch.Operations - ch.Service - ch.Framework; ch.Balance != want {
		return fmt.Errorf("balance %d gwei, revenue less costs %d", ch.Balance, want)
	}
	return nil
}

// BreakEven returns the throughput per period at which a period's profit
// is zero, fixed / (price − variable): the closed form of a linear P&L.
// It is +Inf when the margin is not positive.
func BreakEven(fixed, price, variable float64) float64 {
	if price <= variable {
		return math.Inf(1)
	}
	return fixed / (price - variable)
}

// BreakEvenTxs returns the transactions per period at which a period's
// profit is zero at weiPerGas with serviceFee, ignoring rounding. Profit
// is n·(p(1−s) − v) − F − max(a·n·p, b·(n·(p − v) − P)) for price p, data
// cost v, fixed costs F (of which posting P), service share s and the
// framework's shares a and b: the smaller of two lines, zero at the larger
// of their roots.
func (c *Config) BreakEvenTxs(weiPerGas uint64, serviceFee Gwei) float64 {
	v := float64(Cost(c.TxGas, c.DataCost, weiPerGas))
	p := float64(c.Price)
	if c.Price == 0 {
		p = v + float64(c.Markup)
	}
	post := float64(Cost(c.PostingGas, c.DataCost, weiPerGas))
	fixed := post + float64(c.Operations+serviceFee)
	s, a, b := float64(c.ServiceShare)/BPS, float64(c.FrameworkRevenue)/BPS, float64(c.FrameworkProfit)/BPS
	n1 := BreakEven(fixed, p*(1-s-a), v)
	n2 := BreakEven(fixed-b*post, p*(1-s-b), v*(1-b))
	if b == 0 {
		n2 = 0
	}
	return max(n1, n2)
}

// UnitMargin returns what one more transaction adds to a period's profit
// at weiPerGas once the framework's share is on its larger branch, in
// gwei, ignoring rounding: min(p(1 − s − a) − v, p(1 − s − b) − v(1 − b)),
// the slopes of the two lines of BreakEvenTxs (the first alone when b is
// 0). BreakEvenTxs is finite exactly when it is positive.
func (c *Config) UnitMargin(weiPerGas uint64) float64 {
	v := float64(Cost(c.TxGas, c.DataCost, weiPerGas))
	p := float64(c.Price)
	if c.Price == 0 {
		p = v + float64(c.Markup)
	}
	s, a, b := float64(c.ServiceShare)/BPS, float64(c.FrameworkRevenue)/BPS, float64(c.FrameworkProfit)/BPS
	m := p*(1-s-a) - v
	if b > 0 {
		m = min(m, p*(1-s-b)-v*(1-b))
	}
	return m
}
