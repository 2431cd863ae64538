package compound

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// Constants of the contracts. Mantissas are scaled by ExpScale.
const (
	// ExpScale is 1e18, the scale of every Exp mantissa.
	ExpScale = 1e18
	// BlocksPerYear is the interest rate models' blocksPerYear: 15-second
	// blocks.
	BlocksPerYear = 2102400
	// BorrowRateMaxMantissa is the largest per-block borrow rate
	// accrueInterest accepts (0.0005%).
	BorrowRateMaxMantissa = 0.0005e16
	// ReserveFactorMaxMantissa is the largest reserve factor (100%).
	ReserveFactorMaxMantissa = 1e18
	// CollateralFactorMaxMantissa is the largest collateral factor (90%).
	CollateralFactorMaxMantissa = 0.9e18
	// ProtocolSeizeShareMantissa is the share of seized cTokens added to
	// the collateral market's reserves instead of going to the liquidator
	// (2.8%).
	ProtocolSeizeShareMantissa = 2.8e16
)

// Solidity 0.8's checked arithmetic panics; these are its reverts.
var (
	errOverflow error = &lending.Revert{Reason: "arithmetic underflow or overflow"}
	errDivZero  error = &lending.Revert{Reason: "division or modulo by zero"}
)

var (
	expScale      = uint256.Int{ExpScale, 0, 0, 0}
	expOdd        = uint256.Int{3814697265625, 0, 0, 0} // 1e18 = 5^18·2^18
	blocksPerYear = uint256.Int{BlocksPerYear, 0, 0, 0}
	maxU256       = uint256.Int{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
)

// mulExp sets z = ⌊a·b/1e18⌋, the product of two mantissas (mul_(Exp, Exp),
// mul_ScalarTruncate, mul_(uint, Exp)), and reports false on overflow.
// Dividing by 2^18 and then by 5^18 gives the same floor with a one-word
// divisor.
func mulExp(z, a, b *uint256.Int) bool {
	if _, o := z.MulOverflow(a, b); o {
		return false
	}
	z.Rsh(z, 18)
	z.Div(z, &expOdd)
	return true
}

// divExp sets z = ⌊a·1e18/b⌋ (div_(Exp, Exp), div_(uint, Exp)).
func divExp(z, a, b *uint256.Int) error {
	var p uint256.Int
	if _, o := p.MulOverflow(a, &expScale); o {
		return errOverflow
	}
	if b.IsZero() {
		return errDivZero
	}
	z.Div(&p, b)
	return nil
}

// JumpRateModel is Compound's JumpRateModel: a per-block borrow rate linear
// in utilization up to Kink and steeper above it. All fields are mantissas
// (1e18 = 100%); the rates are per block.
type JumpRateModel struct {
	// BaseRatePerBlock is the borrow rate at zero utilization.
	BaseRatePerBlock uint256.Int
	// MultiplierPerBlock is the rate's slope up to the kink.
	MultiplierPerBlock uint256.Int
	// JumpMultiplierPerBlock is the rate's slope above the kink.
	JumpMultiplierPerBlock uint256.Int
	// Kink is the utilization where the slope changes.
	Kink uint256.Int
}

// NewJumpRateModel returns the model JumpRateModel's constructor builds from
// annual mantissas: each per-year value divided by BlocksPerYear, rounded
// down; kink is kept as given.
func NewJumpRateModel(baseRatePerYear, multiplierPerYear, jumpMultiplierPerYear, kink *uint256.Int) JumpRateModel {
	var m JumpRateModel
	m.BaseRatePerBlock.Div(baseRatePerYear, &blocksPerYear)
	m.MultiplierPerBlock.Div(multiplierPerYear, &blocksPerYear)
	m.JumpMultiplierPerBlock.Div(jumpMultiplierPerYear, &blocksPerYear)
	m.Kink = *kink
	return m
}

// NewJumpRateModelV2 returns the model BaseJumpRateModelV2 builds, whose
// multiplier is scaled so that multiplierPerYear is the rate at the kink
// rather than at 100% utilization:
//
//	multiplierPerBlock = ⌊multiplierPerYear·1e18 / (BlocksPerYear·kink)⌋
//
// It reverts when kink is zero or the product overflows.
func NewJumpRateModelV2(baseRatePerYear, multiplierPerYear, jumpMultiplierPerYear, kink *uint256.Int) (JumpRateModel, error) {
	var m JumpRateModel
	var num, den uint256.Int
	if _, o := num.MulOverflow(multiplierPerYear, &expScale); o {
		return m, errOverflow
	}
	if _, o := den.MulOverflow(&blocksPerYear, kink); o {
		return m, errOverflow
	}
	if den.IsZero() {
		return m, errDivZero
	}
	m.BaseRatePerBlock.Div(baseRatePerYear, &blocksPerYear)
	m.MultiplierPerBlock.Div(&num, &den)
	m.JumpMultiplierPerBlock.Div(jumpMultiplierPerYear, &blocksPerYear)
	m.Kink = *kink
	return m, nil
}

// UtilizationRate returns ⌊borrows·1e18 / (cash + borrows − reserves)⌋, or
// zero when there are no borrows. It reverts when cash + borrows < reserves
// or the denominator is zero.
func UtilizationRate(cash, borrows, reserves *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	err := utilizationRate(&z, cash, borrows, reserves)
	return z, err
}

func utilizationRate(z, cash, borrows, reserves *uint256.Int) error {
	if borrows.IsZero() {
		z.Clear()
		return nil
	}
	var den uint256.Int
	if _, o := den.AddOverflow(cash, borrows); o {
		return errOverflow
	}
	if _, o := den.SubOverflow(&den, reserves); o {
		return errOverflow
	}
	return divExp(z, borrows, &den)
}

// BorrowRate returns the per-block borrow rate at the market's utilization
// u (getBorrowRate):
//
//	⌊u·multiplier/1e18⌋ + base                                            u ≤ kink
//	⌊(u−kink)·jumpMultiplier/1e18⌋ + ⌊kink·multiplier/1e18⌋ + base        u > kink
func (m *JumpRateModel) BorrowRate(cash, borrows, reserves *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	err := m.borrowRate(&z, cash, borrows, reserves)
	return z, err
}

func (m *JumpRateModel) borrowRate(z, cash, borrows, reserves *uint256.Int) error {
	var util uint256.Int
	if err := utilizationRate(&util, cash, borrows, reserves); err != nil {
		return err
	}
	if !util.Gt(&m.Kink) {
		if !mulExp(z, &util, &m.MultiplierPerBlock) {
			return errOverflow
		}
		if _, o := z.AddOverflow(z, &m.BaseRatePerBlock); o {
			return errOverflow
		}
		return nil
	}
	var normal, excess uint256.Int
	if !mulExp(&normal, &m.Kink, &m.MultiplierPerBlock) {
		return errOverflow
	}
	if _, o := normal.AddOverflow(&normal, &m.BaseRatePerBlock); o {
		return errOverflow
	}
	excess.Sub(&util, &m.Kink)
	if !mulExp(z, &excess, &m.JumpMultiplierPerBlock) {
		return errOverflow
	}
	if _, o := z.AddOverflow(z, &normal); o {
		return errOverflow
	}
	return nil
}

// SupplyRate returns the per-block rate suppliers earn (getSupplyRate):
//
//	⌊u · ⌊borrowRate·(1e18 − reserveFactor)/1e18⌋ / 1e18⌋
//
// It reverts when reserveFactor exceeds 1e18.
func (m *JumpRateModel) SupplyRate(cash, borrows, reserves, reserveFactor *uint256.Int) (uint256.Int, error) {
	var oneMinus, rate, util uint256.Int
	if _, o := oneMinus.SubOverflow(&expScale, reserveFactor); o {
		return uint256.Int{}, errOverflow
	}
	if err := m.borrowRate(&rate, cash, borrows, reserves); err != nil {
		return uint256.Int{}, err
	}
	if !mulExp(&rate, &rate, &oneMinus) {
		return uint256.Int{}, errOverflow
	}
	if err := utilizationRate(&util, cash, borrows, reserves); err != nil {
		return uint256.Int{}, err
	}
	if !mulExp(&rate, &util, &rate) {
		return uint256.Int{}, errOverflow
	}
	return rate, nil
}
