// Package deposit is a deposit protocol that pays stablecoin depositors a
// target rate out of borrowers' interest and a reserve that makes up the
// difference (Anchor's "yield reserve", which subsidised a 19.5% rate on
// UST until May 2022). When the reserve runs dry the depositors get only
// what borrowers pay; a rate rule may lower the target first, to make the
// reserve last.
//
// Amounts are integers in the stablecoin's smallest unit (micro units for
// a 6-decimal coin). Depositors hold shares; a share is worth
// Deposits/Shares, which grows as interest is credited. The per-period
// rates are fixed-point fractions scaled by 10^18 (wad), rounded to
// nearest from the annual rate once per period; interest amounts round
// down, as contracts do. Every flow moves integers between named balances,
// so the accounting identities hold exactly (Check).
//
// Pool has no clock, randomness or I/O: the world calls Accrue once per
// step and Deposit/Withdraw in between.
package deposit

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Wad is 10^18, the scale of per-period rates.
const Wad = 1_000_000_000_000_000_000

// Rule is how the target rate responds to the reserve.
type Rule int

// The rate rules.
const (
	// Fixed pays Config.Rate until the reserve is empty.
	Fixed Rule = iota
	// Runway pays at most the rate the reserve can sustain for
	// Config.Runway years at the current deposits and borrowing:
	//
	//	rate = min(Rate, max(Floor, (income + Reserve/Runway) / Deposits))
	//
	// income the borrowers' interest per year.
	Runway
	// Stepped is Anchor's semi-dynamic rate (March 2022): every Epoch
	// periods the target moves by Step, down if the reserve fell over the
	// epoch and up if it grew, within [Floor, Rate].
	Stepped
)

// String names the rule as scenario files do.
func (r Rule) String() string { return [...]string{"fixed", "runway", "stepped"}[r] }

// Config is a pool's parameters. Rates are annual fractions.
type Config struct {
	Rate       float64 // target deposit rate, and the cap of the rules
	BorrowRate float64 // borrowers' rate on Loans
	Rule       Rule
	Floor      float64 // lowest target the Runway and Stepped rules set
	Runway     float64 // years the Runway rule keeps the reserve for
	Step       float64 // change per epoch of the Stepped rule
	Epoch      int     // periods per epoch of the Stepped rule
	// PeriodYears is the length of one period in years.
	PeriodYears float64
}

// Pool is the protocol's state. Its zero value is empty; Open starts it.
type Pool struct {
	Config
	// Deposits is what depositors are owed, principal and interest;
	// Shares their claims on it.
	Deposits, Shares uint64
	// Loans is borrowers' principal; Cash is the protocol's stablecoin
	// balance; Reserve is the part of the protocol's equity that pays the
	// subsidy. Cash + Loans = Deposits + Reserve.
	Loans, Cash, Reserve uint64

	// Target is the current target rate; Paid is the annualised rate the
	// last period actually credited.
	Target, Paid float64
	// Period counts Accrue calls; DepletedAt is the first period the
	// reserve could not pay the whole subsidy (0: never).
	Period, DepletedAt int

	// Flows since Open, for the identities.
	deposits0, reserve0                uint64
	In, Out, Income, Credited, Subsidy uint64
	Surplus                            uint64
	epochReserve                       uint64
}

// Errors of Open, Deposit and Withdraw.
var (
	ErrIlliquid = errors.New("deposit: not enough cash for the withdrawal")
	ErrShares   = errors.New("deposit: more shares than held")
)

// Open starts a pool with deposits (one share per unit), loans and a
// reserve; the cash is deposits + reserve − loans and must not be negative.
func (p *Pool) Open(deposits, loans, reserve uint64) error {
	c := p.Config
	switch {
	case !(c.Rate >= 0) || !(c.BorrowRate >= 0) || c.Rate > 10 || c.BorrowRate > 10:
		return fmt.Errorf("deposit: rates %g and %g, want from 0 to 1000%%/yr", c.Rate, c.BorrowRate)
	case !(c.PeriodYears > 0):
		return fmt.Errorf("deposit: period of %g years, want > 0", c.PeriodYears)
	case c.Rule == Runway && !(c.Runway > 0):
		return fmt.Errorf("deposit: runway of %g years, want > 0", c.Runway)
	case c.Rule == Stepped && (c.Epoch < 1 || !(c.Step > 0)):
		return fmt.Errorf("deposit: stepped rule needs an epoch ≥ 1 period and a step > 0, got %d, %g", c.Epoch, c.Step)
	case c.Rule != Fixed && !(c.Floor >= 0 && c.Floor <= c.Rate):
		return fmt.Errorf("deposit: floor %g, want from 0 to the rate %g", c.Floor, c.Rate)
	case deposits > math.MaxUint64/4 || reserve > math.MaxUint64/4:
		return fmt.Errorf("deposit: amounts above %d units", uint64(math.MaxUint64/4))
	case loans > deposits+reserve:
		return fmt.Errorf("deposit: loans %d exceed deposits %d plus reserve %d", loans, deposits, reserve)
	}
	p.Deposits, p.Shares, p.Loans, p.Reserve = deposits, deposits, loans, reserve
	p.Cash = deposits + reserve - loans
	p.Target, p.Paid, p.Period, p.DepletedAt = c.Rate, c.Rate, 0, 0
	p.deposits0, p.reserve0, p.epochReserve = deposits, reserve, reserve
	p.In, p.Out, p.Income, p.Credited, p.Subsidy, p.Surplus = 0, 0, 0, 0, 0, 0
	return nil
}

// mulDiv returns ⌊a·b/d⌋; the quotient must fit in 64 bits.
func mulDiv(a, b, d uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= d {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, d)
	return q
}

// perPeriod converts an annual rate to a wad fraction per period, rounded
// to nearest.
func (p *Pool) perPeriod(annual float64) uint64 {
	return uint64(math.Round(annual * p.PeriodYears * Wad))
}

// Accrue runs one period: the rule sets the target, borrowers pay
// interest into cash, and depositors are credited the target's interest —
// from that income first, the rest from the reserve. A surplus of income
// goes to the reserve; a reserve too small pays what it has, and
// depositors get less than the target.
func (p *Pool) Accrue() {
	p.Period++
	p.setTarget()
	income := mulDiv(p.Loans, p.perPeriod(p.BorrowRate), Wad)
	owed := mulDiv(p.Deposits, p.perPeriod(p.Target), Wad)
	p.Cash += income
	p.Income += income
	credit := owed
	if income >= owed {
		p.Reserve += income - owed
		p.Surplus += income - owed
	} else {
		sub := min(owed-income, p.Reserve)
		if sub < owed-income && p.DepletedAt == 0 {
			p.DepletedAt = p.Period
		}
		p.Reserve -= sub
		p.Subsidy += sub
		credit = income + sub
	}
	if p.Deposits > 0 {
		p.Paid = float64(credit) / float64(p.Deposits) / p.PeriodYears
	}
	p.Deposits += credit
	p.Credited += credit
}

func (p *Pool) setTarget() {
	c := p.Config
	switch c.Rule {
	case Runway:
		if p.Deposits == 0 {
			p.Target = c.Rate
			return
		}
		sustain := (float64(p.Loans)*c.BorrowRate + float64(p.Reserve)/c.Runway) / float64(p.Deposits)
		p.Target = min(c.Rate, max(c.Floor, sustain))
	case Stepped:
		if (p.Period-1)%c.Epoch != 0 || p.Period == 1 {
			return
		}
		switch {
		case p.Reserve < p.epochReserve:
			p.Target = max(c.Floor, p.Target-c.Step)
		case p.Reserve > p.epochReserve:
			p.Target = min(c.Rate, p.Target+c.Step)
		}
		p.epochReserve = p.Reserve
	}
}

// Deposit adds amount to the pool and returns the shares minted,
// ⌊amount·Shares/Deposits⌋ (rounding against the depositor).
func (p *Pool) Deposit(amount uint64) uint64 {
	s := amount
	if p.Shares > 0 && p.Deposits > 0 {
		s = mulDiv(amount, p.Shares, p.Deposits)
	}
	p.Deposits += amount
	p.Shares += s
	p.Cash += amount
	p.In += amount
	return s
}

// Value returns what shares are worth, ⌊shares·Deposits/Shares⌋.
func (p *Pool) Value(shares uint64) uint64 {
	if p.Shares == 0 {
		return 0
	}
	return mulDiv(shares, p.Deposits, p.Shares)
}

// Withdraw burns shares for their value in cash; it fails with ErrIlliquid,
// changing nothing, when the cash does not cover them (the loans are out).
func (p *Pool) Withdraw(shares uint64) (uint64, error) {
	if shares > p.Shares {
		return 0, ErrShares
	}
	v := p.Value(shares)
	if v > p.Cash {
		return 0, ErrIlliquid
	}
	p.Shares -= shares
	p.Deposits -= v
	p.Cash -= v
	p.Out += v
	return v, nil
}

// Runway returns how many years the reserve lasts at the last period's
// net draw (subsidy less surplus per year), or +Inf if it is not drawn.
func (p *Pool) Runway() float64 {
	income := float64(p.Loans) * p.BorrowRate
	owed := float64(p.Deposits) * p.Target
	if owed <= income {
		return math.Inf(1)
	}
	return float64(p.Reserve) / (owed - income)
}

// Check verifies the identities, exactly:
//
//	Cash + Loans = Deposits + Reserve
//	Reserve  = Reserve₀ + Σsurplus − Σsubsidy
//	Deposits = Deposits₀ + Σin − Σout + Σcredited
//	Σcredited = Σincome − Σsurplus + Σsubsidy
func (p *Pool) Check() error {
	if p.Cash+p.Loans != p.Deposits+p.Reserve {
		return fmt.Errorf("deposit: cash %d + loans %d ≠ deposits %d + reserve %d", p.Cash, p.Loans, p.Deposits, p.Reserve)
	}
	if p.reserve0+p.Surplus-p.Subsidy != p.Reserve {
		return fmt.Errorf("deposit: reserve %d, but %d + surplus %d − subsidy %d", p.Reserve, p.reserve0, p.Surplus, p.Subsidy)
	}
	if p.deposits0+p.In-p.Out+p.Credited != p.Deposits {
		return fmt.Errorf("deposit: deposits %d, but %d + in %d − out %d + credited %d", p.Deposits, p.deposits0, p.In, p.Out, p.Credited)
	}
	if p.Income-p.Surplus+p.Subsidy != p.Credited {
		return fmt.Errorf("deposit: credited %d, but income %d − surplus %d + subsidy %d", p.Credited, p.Income, p.Surplus, p.Subsidy)
	}
	return nil
}
