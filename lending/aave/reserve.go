package aave

import (
	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// MaxReserves is the most reserves a pool lists (ReserveConfiguration's
// MAX_RESERVES_COUNT).
const MaxReserves = 128

// maxDecimals keeps 10^decimals inside 256 bits, where the contracts'
// unchecked 10**decimals would otherwise wrap.
const maxDecimals = 77

// maxCap is the largest supply or borrow cap the configuration bitmap holds
// (36 bits, in whole tokens).
const maxCap = 1<<36 - 1

// ReserveConfig is a reserve's risk configuration. Percentages are basis
// points of 10000.
type ReserveConfig struct {
	// Decimals of the underlying token; one token is 10^Decimals units.
	Decimals uint8
	// LTV is the loan-to-value ratio: how much of the collateral's value may
	// be borrowed against.
	LTV uint64
	// LiquidationThreshold is the share of the collateral's value counted in
	// the health factor; zero means the asset is not collateral.
	LiquidationThreshold uint64
	// LiquidationBonus is what a liquidator receives per unit of debt
	// repaid, principal included: 10500 is a 5% bonus.
	LiquidationBonus uint64
	// ReserveFactor is the share of borrowers' interest kept by the
	// treasury.
	ReserveFactor uint64
	// LiquidationProtocolFee is the share of the liquidation bonus paid to
	// the treasury instead of the liquidator.
	LiquidationProtocolFee uint64
	// SupplyCap and BorrowCap are in whole tokens; zero means no cap.
	SupplyCap uint64
	BorrowCap uint64
	// BorrowingEnabled allows variable-rate borrowing.
	BorrowingEnabled bool
	// Frozen rejects new supply and borrowing; repay, withdraw and
	// liquidation continue. Paused rejects everything.
	Frozen bool
	Paused bool
	// Strategy sets the reserve's interest rates.
	Strategy RateStrategy
}

// Validate checks the configuration as PoolConfigurator does: LTV at most
// the liquidation threshold; for collateral, a bonus above 100% with
// threshold·bonus at most 100%; no bonus for non-collateral; factors and fees
// at most 100%; caps within 36 bits; a valid strategy. Decimals above 77 are
// also rejected (10^decimals would not fit in 256 bits).
func (c *ReserveConfig) Validate() error {
	bad := func() error { return &lending.Revert{Reason: "INVALID_RESERVE_PARAMS"} }
	if c.Decimals > maxDecimals {
		return &lending.Revert{Reason: "INVALID_DECIMALS"}
	}
	if c.LTV > c.LiquidationThreshold {
		return bad()
	}
	if c.LiquidationThreshold != 0 {
		if c.LiquidationBonus <= PercentageFactor || c.LiquidationThreshold > 1<<16-1 || c.LiquidationBonus > 1<<16-1 {
			return bad()
		}
		var z uint256.Int
		if err := percentMul(&z, uint256.NewInt(c.LiquidationThreshold), c.LiquidationBonus); err != nil || z.CmpUint64(PercentageFactor) > 0 {
			return bad()
		}
	} else if c.LiquidationBonus != 0 {
		return bad()
	}
	if c.ReserveFactor > PercentageFactor {
		return &lending.Revert{Reason: "INVALID_RESERVE_FACTOR"}
	}
	if c.LiquidationProtocolFee > PercentageFactor {
		return &lending.Revert{Reason: "INVALID_LIQUIDATION_PROTOCOL_FEE"}
	}
	if c.SupplyCap > maxCap {
		return &lending.Revert{Reason: "INVALID_SUPPLY_CAP"}
	}
	if c.BorrowCap > maxCap {
		return &lending.Revert{Reason: "INVALID_BORROW_CAP"}
	}
	return c.Strategy.Validate()
}

// Reserve is the state of one reserve (DataTypes.ReserveData and the totals
// of its tokens). Indexes and rates are rays; balances are raw units of the
// underlying token, "scaled" ones divided by the matching index.
type Reserve struct {
	// LiquidityIndex converts scaled aToken balances to underlying:
	// balance = rayMul(scaled, index). It grows linearly at LiquidityRate
	// between updates.
	LiquidityIndex uint256.Int
	// VariableBorrowIndex converts scaled variable debt to underlying; it
	// compounds at VariableBorrowRate between updates.
	VariableBorrowIndex uint256.Int
	LiquidityRate       uint256.Int
	VariableBorrowRate  uint256.Int
	StableBorrowRate    uint256.Int
	// LastUpdate is the timestamp of the last index update.
	LastUpdate uint64
	// AccruedToTreasury is the treasury's share of interest, scaled, not yet
	// minted to it as aTokens.
	AccruedToTreasury uint256.Int
	// ScaledSupply is the aToken's scaled total supply, treasury included.
	ScaledSupply uint256.Int
	// ScaledVariableDebt is the variable debt token's scaled total supply.
	ScaledVariableDebt uint256.Int
	// TreasuryScaled is the treasury's scaled aToken balance.
	TreasuryScaled uint256.Int
	// Cash is the underlying held by the aToken: supplied and repaid, less
	// withdrawn and lent.
	Cash uint256.Int

	// pending marks rates not yet computed from the inputs of the last
	// operation (see reserve.updateInterestRates): the liquidity
	// available, the scaled variable debt and its index. Reserve settles
	// them, so a returned Reserve never has them.
	pending                  bool
	pendingCash, pendingDebt uint256.Int
	pendingIndex             uint256.Int
}

// reserve is a listed reserve: its configuration, state and oracle price.
type reserve struct {
	cfg   ReserveConfig
	unit  uint256.Int // 10^Decimals
	price uint256.Int // base currency units per whole token
	st    Reserve
	// income and debt remember the last normalized income and debt
	// computed, with what they were computed from: valuing every position
	// of a book at one time then compounds the interest once.
	income, debt indexMemo
	// tame: the configuration's rates cannot fail to compute from
	// bounded inputs (see tameConfig), so they may be deferred.
	tame bool
}

// indexMemo is an index grown to time now from a rate and an index last
// updated at last.
type indexMemo struct {
	valid      bool
	now, last  uint64
	rate, base uint256.Int
	index      uint256.Int
}

func (m *indexMemo) get(z *uint256.Int, now, last uint64, rate, base *uint256.Int) bool {
	if m.valid && m.now == now && m.last == last && m.rate == *rate && m.base == *base {
		*z = m.index
		return true
	}
	return false
}

func (m *indexMemo) set(z *uint256.Int, now, last uint64, rate, base *uint256.Int) {
	m.valid, m.now, m.last, m.rate, m.base, m.index = true, now, last, *rate, *base, *z
}

func newReserve(cfg ReserveConfig) reserve {
	r := reserve{cfg: cfg, tame: tameConfig(&cfg)}
	r.unit.Exp(uint256.NewInt(10), uint256.NewInt(uint64(cfg.Decimals)))
	r.st.LiquidityIndex = ray
	r.st.VariableBorrowIndex = ray
	return r
}

// normalizedIncome sets z to the liquidity index at now without storing it
// (ReserveLogic.getNormalizedIncome).
func (r *reserve) normalizedIncome(z *uint256.Int, now uint64) error {
	if r.st.LastUpdate == now {
		z.Set(&r.st.LiquidityIndex)
		return nil
	}
	r.settle()
	st := &r.st
	if r.income.get(z, now, st.LastUpdate, &st.LiquidityRate, &st.LiquidityIndex) {
		return nil
	}
	if err := linearInterest(z, &st.LiquidityRate, st.LastUpdate, now); err != nil {
		return err
	}
	if err := rayMul(z, z, &st.LiquidityIndex); err != nil {
		return err
	}
	r.income.set(z, now, st.LastUpdate, &st.LiquidityRate, &st.LiquidityIndex)
	return nil
}

// normalizedDebt sets z to the variable borrow index at now without storing
// it (ReserveLogic.getNormalizedDebt).
func (r *reserve) normalizedDebt(z *uint256.Int, now uint64) error {
	if r.st.LastUpdate == now {
		z.Set(&r.st.VariableBorrowIndex)
		return nil
	}
	r.settle()
	st := &r.st
	if r.debt.get(z, now, st.LastUpdate, &st.VariableBorrowRate, &st.VariableBorrowIndex) {
		return nil
	}
	if err := compoundedInterest(z, &st.VariableBorrowRate, st.LastUpdate, now); err != nil {
		return err
	}
	if err := rayMul(z, z, &st.VariableBorrowIndex); err != nil {
		return err
	}
	r.debt.set(z, now, st.LastUpdate, &st.VariableBorrowRate, &st.VariableBorrowIndex)
	return nil
}

// updateState accrues interest up to now (ReserveLogic.updateState): the
// liquidity index grows linearly when the liquidity rate is non-zero, the
// variable borrow index compounds when there is variable debt, and the
// reserve factor's share of the debt's growth is accrued to the treasury,
// scaled by the new liquidity index. The state is unchanged on error.
func (r *reserve) updateState(now uint64) error {
	st := &r.st
	if st.LastUpdate == now {
		return nil
	}
	if now < st.LastUpdate {
		// Chains never go back in time; the contract's interest math would
		// underflow.
		return errOverflow
	}
	r.settle()
	nextLI, nextVBI := st.LiquidityIndex, st.VariableBorrowIndex
	var t uint256.Int
	if !st.LiquidityRate.IsZero() {
		if err := linearInterest(&t, &st.LiquidityRate, st.LastUpdate, now); err != nil {
			return err
		}
		if err := rayMul(&nextLI, &t, &st.LiquidityIndex); err != nil {
			return err
		}
		if nextLI.Gt(&maxU128) {
			return errSafeCast
		}
	}
	if !st.ScaledVariableDebt.IsZero() {
		if err := compoundedInterest(&t, &st.VariableBorrowRate, st.LastUpdate, now); err != nil {
			return err
		}
		if err := rayMul(&nextVBI, &t, &st.VariableBorrowIndex); err != nil {
			return err
		}
		if nextVBI.Gt(&maxU128) {
			return errSafeCast
		}
	}
	accrued := st.AccruedToTreasury
	if r.cfg.ReserveFactor != 0 {
		// Without stable debt the accrued debt is the variable debt's growth.
		var prev, curr uint256.Int
		if err := rayMul(&prev, &st.ScaledVariableDebt, &st.VariableBorrowIndex); err != nil {
			return err
		}
		if err := rayMul(&curr, &st.ScaledVariableDebt, &nextVBI); err != nil {
			return err
		}
		if _, o := t.SubOverflow(&curr, &prev); o {
			return errOverflow
		}
		if err := percentMul(&t, &t, r.cfg.ReserveFactor); err != nil {
			return err
		}
		if !t.IsZero() {
			if err := rayDiv(&t, &t, &nextLI); err != nil {
				return err
			}
			if t.Gt(&maxU128) {
				return errSafeCast
			}
			accrued.Add(&accrued, &t)
			if accrued.Gt(&maxU128) {
				return errOverflow
			}
		}
	}
	st.LiquidityIndex, st.VariableBorrowIndex = nextLI, nextVBI
	st.AccruedToTreasury = accrued
	st.LastUpdate = now
	return nil
}

// updateInterestRates recomputes the rates after an operation that adds or
// takes liquidity (ReserveLogic.updateInterestRates), from the debt after the
// operation and the cash before its transfer. The state is unchanged on
// error.
//
// The rates are read only when interest next accrues (a later time) or
// the reserve is read (Pool.Reserve), and computed from these inputs
// alone, so when the inputs and the configuration are bounded so that the
// computation cannot fail (tameConfig, cash and debt below 2^120) the
// inputs are kept and the rates computed then (settle): a book opened in
// one block computes a reserve's rates once rather than at every
// operation, to the same values.
func (r *reserve) updateInterestRates(added, taken *uint256.Int) error {
	st := &r.st
	if r.tame && st.ScaledVariableDebt.BitLen() <= 100 && st.VariableBorrowIndex.BitLen() <= 108 {
		var cash uint256.Int
		if _, o := cash.AddOverflow(&st.Cash, added); !o && cash.BitLen() <= 120 && !cash.Lt(taken) {
			st.pending = true
			st.pendingCash.Sub(&cash, taken)
			st.pendingDebt, st.pendingIndex = st.ScaledVariableDebt, st.VariableBorrowIndex
			return nil
		}
	}
	if err := r.computeRates(&st.Cash, added, taken, &st.ScaledVariableDebt, &st.VariableBorrowIndex); err != nil {
		return err
	}
	st.pending = false
	st.pendingCash, st.pendingDebt, st.pendingIndex = uint256.Int{}, uint256.Int{}, uint256.Int{}
	return nil
}

// settle computes deferred rates (see updateInterestRates).
func (r *reserve) settle() {
	st := &r.st
	if !st.pending {
		return
	}
	if err := r.computeRates(&st.pendingCash, &zero, &zero, &st.pendingDebt, &st.pendingIndex); err != nil {
		// tameConfig and the bounds checked when deferring rule it out.
		panic("aave: deferred interest rates failed: " + err.Error())
	}
	st.pending = false
	st.pendingCash, st.pendingDebt, st.pendingIndex = uint256.Int{}, uint256.Int{}, uint256.Int{}
}

// tameConfig reports whether c's rates compute without error from any
// liquidity below 2^120 and scaled variable debt below 2^100 at an index
// below 2^108 (total debt below 2^121): every strategy field below 2^100,
// an optimal usage ratio above zero (it divides the usage below it) and
// at most one ray, and a reserve factor at most 100%. Then each rayMul
// and rayDiv of CalculateInterestRates stays below 2^255 and the rates
// below 2^102.
func tameConfig(c *ReserveConfig) bool {
	s := &c.Strategy
	for _, v := range []*uint256.Int{&s.OptimalUsageRatio, &s.BaseVariableBorrowRate, &s.VariableRateSlope1, &s.VariableRateSlope2,
		&s.StableRateSlope1, &s.StableRateSlope2, &s.BaseStableRateOffset, &s.StableRateExcessOffset, &s.OptimalStableToTotalDebtRatio} {
		if v.BitLen() >= 100 {
			return false
		}
	}
	return !s.OptimalUsageRatio.IsZero() && !s.OptimalUsageRatio.Gt(&ray) && !s.OptimalStableToTotalDebtRatio.Gt(&ray) &&
		c.ReserveFactor <= PercentageFactor
}

// computeRates sets the rates from liquidity cash + added − taken and
// variable debt rayMul(scaled, index). The state is unchanged on error.
func (r *reserve) computeRates(cash, added, taken, scaled, index *uint256.Int) error {
	in := RateInputs{
		Cash:           *cash,
		LiquidityAdded: *added,
		LiquidityTaken: *taken,
		ReserveFactor:  r.cfg.ReserveFactor,
	}
	if err := rayMul(&in.TotalVariableDebt, scaled, index); err != nil {
		return err
	}
	rates, err := r.cfg.Strategy.CalculateInterestRates(&in)
	if err != nil {
		return err
	}
	if rates.Liquidity.Gt(&maxU128) || rates.StableBorrow.Gt(&maxU128) || rates.VariableBorrow.Gt(&maxU128) {
		return errSafeCast
	}
	r.st.LiquidityRate = rates.Liquidity
	r.st.StableBorrowRate = rates.StableBorrow
	r.st.VariableBorrowRate = rates.VariableBorrow
	return nil
}
