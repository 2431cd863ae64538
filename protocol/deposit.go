package protocol

import (
	"math"

	"github.com/cascade-risk/cascade/deposit"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
)

// Deposit is a reserve-funded deposit protocol (deposit.Pool) in the
// simulation: each step is one period of interest, and depositors
// (agent.StableHolders with a deposit) withdraw between periods. Amounts
// are the stablecoin's raw units.
type Deposit struct {
	// Initial is the configured pool; Deposits0, Loans0 and Reserve0 open
	// it, in raw units.
	Initial                     deposit.Pool
	Deposits0, Loans0, Reserve0 uint64
	// Stable is the stablecoin's asset index; Unit is whole coins per raw
	// unit.
	Stable int
	Unit   float64

	p       deposit.Pool
	refused int
	minRate float64
}

// Reset implements market.Protocol.
func (d *Deposit) Reset(*market.Market) {
	d.p = d.Initial
	_ = d.p.Open(d.Deposits0, d.Loans0, d.Reserve0) // checked at compile time
	d.refused, d.minRate = 0, d.p.Target
}

// Step implements market.Protocol: one period accrues.
func (d *Deposit) Step(*market.Market) error {
	d.p.Accrue()
	d.minRate = min(d.minRate, d.p.Paid)
	return nil
}

// Rate returns the rate depositors see: the target, or what the last
// period paid if that was less (the reserve ran dry).
func (d *Deposit) Rate() float64 { return min(d.p.Target, d.p.Paid) }

// Open credits amount raw units to a new depositor and returns its shares.
func (d *Deposit) Open(amount uint64) uint64 { return d.p.Deposit(amount) }

// Take withdraws shares; ok is false, and nothing changes, when the
// protocol's cash does not cover them.
func (d *Deposit) Take(shares uint64) (amount uint64, ok bool) {
	v, err := d.p.Withdraw(shares)
	if err != nil {
		d.refused++
		return 0, false
	}
	return v, true
}

// Check implements market.Protocol.
func (d *Deposit) Check() error { return d.p.Check() }

// Metrics implements market.Protocol.
func (d *Deposit) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "rate", Unit: "fraction/yr", Doc: "the target deposit rate the rule sets", Worse: metric.LowerIsWorse},
		{Name: "paid_rate", Unit: "fraction/yr", Doc: "the rate the last period credited (below target once the reserve is dry)", Worse: metric.LowerIsWorse},
		{Name: "min_paid_rate", Unit: "fraction/yr", Doc: "lowest rate a period credited", Worse: metric.LowerIsWorse},
		{Name: "reserve", Unit: "stablecoin", Doc: "the yield reserve", Worse: metric.LowerIsWorse},
		{Name: "runway", Unit: "days", Doc: "days the reserve lasts at the current target, deposits and borrowing (capped at 100 years)", Worse: metric.LowerIsWorse},
		{Name: "depleted", Unit: "fraction", Doc: "1 once a period's subsidy exceeded the reserve", Worse: metric.HigherIsWorse},
		{Name: "depletion_time", Unit: "days", Doc: "when the reserve ran dry; the time so far if it has not (censored)", Worse: metric.LowerIsWorse},
		{Name: "deposits", Unit: "stablecoin", Doc: "owed to depositors, principal and interest", Worse: metric.LowerIsWorse},
		{Name: "withdrawn", Unit: "stablecoin", Doc: "cumulative withdrawals (outflows)", Worse: metric.HigherIsWorse},
		{Name: "subsidy", Unit: "stablecoin", Doc: "cumulative interest paid from the reserve", Worse: metric.HigherIsWorse},
		{Name: "refused", Unit: "count", Doc: "withdrawals refused for lack of cash", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Protocol.
func (d *Deposit) Observe(m *market.Market, dst []float64) {
	p := &d.p
	day := m.StepSeconds / 86400
	dst[0], dst[1], dst[2] = p.Target, p.Paid, d.minRate
	dst[3] = float64(p.Reserve) * d.Unit
	dst[4] = math.Min(p.Runway()*365, 36500)
	dst[5], dst[6] = 0, float64(m.Step)*day
	if p.DepletedAt > 0 {
		dst[5], dst[6] = 1, float64(p.DepletedAt)*day
	}
	dst[7] = float64(p.Deposits) * d.Unit
	dst[8] = float64(p.Out) * d.Unit
	dst[9] = float64(p.Subsidy) * d.Unit
	dst[10] = float64(d.refused)
}
