package aave

import (
	"math/bits"

	"github.com/holiman/uint256"
)

// AccountData is a user's position valued at oracle prices
// (Pool.getUserAccountData). Values are in base currency units.
type AccountData struct {
	// TotalCollateralBase is Σ ⌊balance_i·price_i/10^decimals_i⌋ over the
	// reserves enabled as collateral that have a non-zero liquidation
	// threshold.
	TotalCollateralBase uint256.Int
	// TotalDebtBase is Σ ⌊debt_i·price_i/10^decimals_i⌋ over the reserves
	// flagged as borrowed.
	TotalDebtBase uint256.Int
	// AvailableBorrowsBase is percentMul(collateral, LTV) − debt, or zero.
	AvailableBorrowsBase uint256.Int
	// LTV and LiquidationThreshold are the collateral-weighted averages of
	// the reserves' values, in basis points, rounded down.
	LTV                  uint64
	LiquidationThreshold uint64
	// HealthFactor is wadDiv(percentMul(collateral, LiquidationThreshold),
	// debt), a wad; 2^256−1 when there is no debt. Below 1e18 the position
	// can be liquidated.
	HealthFactor uint256.Int
	// ZeroLTVCollateral reports collateral with a zero LTV, which blocks
	// withdrawing other collateral.
	ZeroLTVCollateral bool
}

// UserAccountData values user's position at now without changing the pool
// (GenericLogic.calculateUserAccountData): balances are taken at the
// reserves' normalized income and debt of now. An unknown user has no
// collateral, no debt and a health factor of 2^256−1.
func (p *Pool) UserAccountData(now uint64, user int) (AccountData, error) {
	d, err := p.accountData(now, p.account(user))
	if err != nil {
		return AccountData{}, err
	}
	if err := percentMul(&d.AvailableBorrowsBase, &d.TotalCollateralBase, d.LTV); err != nil {
		return AccountData{}, err
	}
	if d.AvailableBorrowsBase.Lt(&d.TotalDebtBase) {
		d.AvailableBorrowsBase.Clear()
	} else {
		d.AvailableBorrowsBase.Sub(&d.AvailableBorrowsBase, &d.TotalDebtBase)
	}
	return d, nil
}

// HealthFactor returns user's health factor at now, a wad:
//
//	HF = wadDiv(percentMul(Σ collateral_i, ⌊Σ collateral_i·LT_i / Σ collateral_i⌋), Σ debt_i)
//
// with each term in base currency, rounded as in UserAccountData; 2^256−1
// when there is no debt.
func (p *Pool) HealthFactor(now uint64, user int) (uint256.Int, error) {
	d, err := p.accountData(now, p.account(user))
	return d.HealthFactor, err
}

// accountData is calculateUserAccountData without AvailableBorrowsBase.
func (p *Pool) accountData(now uint64, a *account) (AccountData, error) {
	var d AccountData
	d.HealthFactor = maxU256
	if a == nil {
		return d, nil
	}
	var sumLTV, sumLT, index, v uint256.Int
	// One collateral reserve alone (the common case) has the averages
	// ⌊v·f/v⌋ = f: its own factors, without the divisions.
	colls, lastLTV, lastLT := 0, uint64(0), uint64(0)
	for i := range a.pos {
		ps := &a.pos[i]
		if !ps.collateral && !ps.borrowing {
			continue
		}
		r := &p.reserves[i]
		if r.cfg.LiquidationThreshold != 0 && ps.collateral {
			if err := r.normalizedIncome(&index, now); err != nil {
				return AccountData{}, err
			}
			if err := rayMul(&v, &ps.supply, &index); err != nil {
				return AccountData{}, err
			}
			if !mulDivWord(&v, &v, &r.price, &r.unit) {
				return AccountData{}, errOverflow
			}
			if _, o := d.TotalCollateralBase.AddOverflow(&d.TotalCollateralBase, &v); o {
				return AccountData{}, errOverflow
			}
			colls++
			lastLTV, lastLT = r.cfg.LTV, r.cfg.LiquidationThreshold
			if r.cfg.LTV != 0 {
				if !addProduct(&sumLTV, &v, r.cfg.LTV) {
					return AccountData{}, errOverflow
				}
			} else {
				d.ZeroLTVCollateral = true
			}
			if !addProduct(&sumLT, &v, r.cfg.LiquidationThreshold) {
				return AccountData{}, errOverflow
			}
		}
		if ps.borrowing {
			v.Clear()
			if !ps.debt.IsZero() {
				if err := r.normalizedDebt(&index, now); err != nil {
					return AccountData{}, err
				}
				if err := rayMul(&v, &ps.debt, &index); err != nil {
					return AccountData{}, err
				}
			}
			if !mulDivWord(&v, &r.price, &v, &r.unit) {
				return AccountData{}, errOverflow
			}
			if _, o := d.TotalDebtBase.AddOverflow(&d.TotalDebtBase, &v); o {
				return AccountData{}, errOverflow
			}
		}
	}
	switch {
	case d.TotalCollateralBase.IsZero():
	case colls == 1:
		d.LTV, d.LiquidationThreshold = lastLTV, lastLT
	default:
		// Each average is at most the largest factor, below 2^16.
		sumLTV.Div(&sumLTV, &d.TotalCollateralBase)
		sumLT.Div(&sumLT, &d.TotalCollateralBase)
		d.LTV, d.LiquidationThreshold = sumLTV.Uint64(), sumLT.Uint64()
	}
	if !d.TotalDebtBase.IsZero() {
		if err := percentMul(&v, &d.TotalCollateralBase, d.LiquidationThreshold); err != nil {
			return AccountData{}, err
		}
		if err := wadDiv(&d.HealthFactor, &v, &d.TotalDebtBase); err != nil {
			return AccountData{}, err
		}
	}
	return d, nil
}

// addProduct sets z += v·f and reports false on overflow.
func addProduct(z, v *uint256.Int, f uint64) bool {
	if v[3] == 0 {
		// v·f < 2^256: three words times one.
		var t uint256.Int
		var h, c uint64
		h, t[0] = bits.Mul64(v[0], f)
		hi, lo := bits.Mul64(v[1], f)
		t[1], c = bits.Add64(lo, h, 0)
		h = hi + c
		hi, lo = bits.Mul64(v[2], f)
		t[2], c = bits.Add64(lo, h, 0)
		t[3] = hi + c
		_, o := z.AddOverflow(z, &t)
		return !o
	}
	var t uint256.Int
	if _, o := t.MulOverflow(v, &uint256.Int{f, 0, 0, 0}); o {
		return false
	}
	_, o := z.AddOverflow(z, &t)
	return !o
}
