package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
)

// StakeArbitrageur keeps the synthetic's pool price near its value: a
// trader with Capital in native tokens and Stake delegated to the
// infrastructure validator, against which it can borrow the synthetic.
// It values the synthetic at par while it owes synthetic (it can repay
// at par) and at the backing min(1, debt/circulating) otherwise. Each
// step, with that value V and a Margin m:
//
//   - below V·(1 − m) it buys the synthetic with its native tokens, the
//     amount that maximises the trade's profit at that value, and repays
//     its own loans with it;
//   - above V·(1 + m) it sells the synthetic it holds;
//   - above 1 + m, holding none, it borrows against its stake (unless new
//     loans are halted) and sells.
type StakeArbitrageur struct {
	Protocol      int
	Capital       uint64
	Stake         uint64
	Margin        float64
	s             *protocol.Staking
	acct          pos.AccountID
	wealth0       float64
	trades, loans int
}

// Reset implements Agent.
func (a *StakeArbitrageur) Reset(m *market.Market, _ *rand.Rand) {
	a.trades, a.loans = 0, 0
	a.s = posStaking(m, a.Protocol)
	if a.s == nil {
		return
	}
	acct, err := a.s.Endow(a.Capital + a.Stake)
	if err != nil {
		a.s = nil
		return
	}
	a.acct = acct
	if stake := a.s.Endowment(a.Stake); stake > 0 {
		_, _ = a.s.Chain().Delegate(a.s.InfraValidator(), acct, stake)
	}
	a.wealth0 = a.wealth()
}

func (a *StakeArbitrageur) wealth() float64 {
	s := a.s
	w := float64(s.Chain().Liquid(a.acct)) + float64(s.Synthetic(a.acct))*s.PoolPrice()
	if d, ok := s.Chain().Delegation(s.InfraValidator(), a.acct); ok {
		w += float64(d.Value)
	}
	debt, _ := s.Debt(a.acct)
	return w - float64(debt)
}

// Metrics implements Agent.
func (a *StakeArbitrageur) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "profit", Unit: "tokens", Doc: "net wealth gained, native tokens at the pool price, staking rewards included", Worse: metric.LowerIsWorse},
		{Name: "trades", Unit: "count", Doc: "trades on the pool", Worse: metric.LowerIsWorse},
		{Name: "loans", Unit: "count", Doc: "loans taken to sell the synthetic at a premium", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (a *StakeArbitrageur) Observe(m *market.Market, dst []float64) {
	clear(dst[:3])
	if a.s == nil || a.s.Chain() == nil {
		return
	}
	dst[0] = (a.wealth() - a.wealth0) / float64(a.s.Unit())
	dst[1], dst[2] = float64(a.trades), float64(a.loans)
}

// Act implements Agent.
func (a *StakeArbitrageur) Act(m *market.Market) {
	s := a.s
	if s == nil || s.Chain() == nil || s.Err() != nil {
		return
	}
	c := s.Chain()
	s.Settle(a.acct)
	debt, _ := s.Debt(a.acct)
	v := s.Backing()
	if debt > 0 {
		v = 1
	}
	if n := c.Liquid(a.acct); n > 0 {
		if x := optimalIn(s, true, 1, v*(1-a.Margin)); x > 0 {
			if _, err := s.Swap(m, a.acct, true, min(x, n)); err == nil {
				a.trades++
			}
		}
	}
	if h := s.Synthetic(a.acct); debt > 0 && h > 0 {
		posRepay(m, s, a.acct, min(h, debt), math.Inf(1))
		debt, _ = s.Debt(a.acct)
		if debt == 0 {
			v = s.Backing()
		}
	}
	if h := s.Synthetic(a.acct); h > 0 {
		if x := optimalIn(s, false, v*(1+a.Margin), 1); x > 0 {
			if _, err := s.Swap(m, a.acct, false, min(x, h)); err == nil {
				a.trades++
			}
		}
		return
	}
	if s.Halted() {
		return
	}
	x := optimalIn(s, false, 1+a.Margin, 1)
	if x < s.Unit() {
		return
	}
	infra := s.InfraValidator()
	d, ok := c.Delegation(infra, a.acct)
	if !ok || d.Shares <= d.Locked {
		return
	}
	free := d.Shares - d.Locked
	cap := s.MaxBorrow(infra, free) / 100 * 98
	amount := min(x, cap)
	if amount < s.Unit() || cap == 0 {
		return
	}
	shares := min(free, uint64(math.Ceil(float64(free)*float64(amount)/float64(cap)*0.98*1.02))+1)
	if _, err := s.Borrow(a.acct, infra, shares, amount); err != nil {
		return
	}
	a.loans++
	if _, err := s.Swap(m, a.acct, false, amount); err == nil {
		a.trades++
	}
}
