package protocol

import (
	"math"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/rollup"
)

// Rollup is an application rollup's profit and loss in the simulation
// (rollup.Chain). It deploys at the first step's gas price; every step is
// one period: Step opens it at the step's settlement-layer gas price,
// charging posting, operations and the sequencer service's fee, and the
// rollup's users (agent.RollupUsers) transact during it. Money is ETH.
type Rollup struct {
	Config rollup.Config
	// Gas is the signal index of the settlement layer's gas price in
	// gwei, or −1 for the constant RefGas.
	Gas int
	// RefGas is the gas price, in wei per gas, when Gas is −1.
	RefGas uint64
	// ETH is the asset index of ETH, for the service fee quoted in the
	// numeraire; −1 when the numeraire is ETH.
	ETH int
	// ServiceFee is the sequencer service's fee per step, in the
	// numeraire.
	ServiceFee float64
	// StepDays is the length of a step in days.
	StepDays float64

	ch      rollup.Chain
	err     error
	lastGas uint64
	fee     rollup.Gwei
}

// Reset implements market.Protocol: a fresh chain deploys at the starting
// gas price.
func (r *Rollup) Reset(m *market.Market) {
	r.ch = rollup.Chain{Config: r.Config}
	r.err = nil
	r.lastGas = r.gasNow(m)
	r.fee = r.serviceFee(m)
	if err := r.ch.Deploy(r.lastGas); err != nil {
		r.err = err
	}
}

func (r *Rollup) gasNow(m *market.Market) uint64 {
	if r.Gas < 0 {
		return r.RefGas
	}
	g := m.Signals[r.Gas] * 1e9
	if !(g > 0) {
		return 0
	}
	return uint64(math.Round(min(g, 1e18)))
}

// serviceFee converts the fee per step to gwei at ETH's price.
func (r *Rollup) serviceFee(m *market.Market) rollup.Gwei {
	if r.ServiceFee == 0 {
		return 0
	}
	eth := 1.0
	if r.ETH >= 0 {
		eth = m.Prices[r.ETH]
	}
	if !(eth > 0) {
		return math.MaxInt32
	}
	return rollup.Gwei(math.Ceil(r.ServiceFee / eth * rollup.GweiPerETH))
}

// Step implements market.Protocol: the next period opens.
func (r *Rollup) Step(m *market.Market) error {
	if r.err != nil {
		return r.err
	}
	r.lastGas = r.gasNow(m)
	r.fee = r.serviceFee(m)
	return r.ch.Open(r.lastGas, r.fee)
}

// PriceNow returns the fee per transaction this step, in ETH.
func (r *Rollup) PriceNow() float64 { return float64(r.ch.PriceNow()) / rollup.GweiPerETH }

// Transact records n transactions this step. A failure is reported by
// Check.
func (r *Rollup) Transact(n int64) {
	if err := r.ch.Transact(n); err != nil && r.err == nil {
		r.err = err
	}
}

// Check implements market.Protocol.
func (r *Rollup) Check() error {
	if r.err != nil {
		return r.err
	}
	return r.ch.Check()
}

// Metrics implements market.Protocol.
func (r *Rollup) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "profit", Unit: "ETH", Doc: "cumulative profit, deployment included, the current step settled", Worse: metric.LowerIsWorse},
		{Name: "revenue", Unit: "ETH", Doc: "users' fees", Worse: metric.LowerIsWorse},
		{Name: "l1_cost", Unit: "ETH", Doc: "settlement-layer costs: deployment, posting and transaction data", Worse: metric.HigherIsWorse},
		{Name: "shares", Unit: "ETH", Doc: "sequencer service's fee and revenue share, framework's share, own operations", Worse: metric.HigherIsWorse},
		{Name: "loss", Unit: "probability", Doc: "1 when the cumulative profit is negative: its mean over runs is the probability of a loss at that time", Worse: metric.HigherIsWorse},
		{Name: "broke_even", Unit: "probability", Doc: "1 once the cumulative profit has reached zero", Worse: metric.LowerIsWorse},
		{Name: "days_to_break_even", Unit: "days", Doc: "days until the cumulative profit first reached zero; the days elapsed (censored) while it has not", Worse: metric.HigherIsWorse},
		{Name: "break_even_txs", Unit: "tx/day", Doc: "closed-form break-even throughput at this step's gas: fixed cost / (price − variable cost), shares included; 1e12 when no throughput breaks even (unit_margin ≤ 0)", Worse: metric.HigherIsWorse},
		{Name: "unit_margin", Unit: "ETH", Doc: "profit per additional transaction at this step's gas, after the sequencer's and the framework's shares", Worse: metric.LowerIsWorse},
		{Name: "txs_per_day", Unit: "tx/day", Doc: "transactions in the current step, per day", Worse: metric.LowerIsWorse},
		{Name: "gas", Unit: "gwei", Doc: "settlement-layer gas price this step", Worse: metric.HigherIsWorse},
	}
}

// NoBreakEven is the break-even throughput, in transactions a day,
// recorded when none exists (the margin per transaction is not positive):
// metrics must be finite.
const NoBreakEven = 1e12

// Observe implements market.Protocol.
func (r *Rollup) Observe(m *market.Market, dst []float64) {
	c := &r.ch
	eth := func(g rollup.Gwei) float64 { return float64(g) / rollup.GweiPerETH }
	settled := c.Settled()
	dst[0] = eth(settled)
	dst[1] = eth(c.Revenue)
	dst[2] = eth(c.Deployment + c.Posting + c.Data)
	dst[3] = eth(c.Service + c.Operations + (c.Framework + c.Balance - settled))
	dst[4] = b2f(settled < 0)
	be := c.BreakEven
	if be == 0 && settled >= 0 && c.Periods > 0 {
		be = c.Periods
	}
	dst[5] = b2f(be > 0)
	if be > 0 {
		dst[6] = float64(be) * r.StepDays
	} else {
		dst[6] = float64(m.Step) * r.StepDays
	}
	dst[7] = min(NoBreakEven, r.Config.BreakEvenTxs(r.lastGas, r.fee)/r.StepDays)
	dst[8] = r.Config.UnitMargin(r.lastGas) / rollup.GweiPerETH
	dst[9] = float64(c.PeriodTxs()) / r.StepDays
	dst[10] = float64(r.lastGas) / 1e9
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
