package aave

import (
	"math"

	"github.com/holiman/uint256"
)

// Shape is how a position's health factor is formed, for callers that
// screen many positions cheaply before valuing a few exactly.
type Shape uint8

const (
	// NoDebt: no reserve is flagged as borrowed; the health factor is
	// 2^256−1 and the debt zero.
	NoDebt Shape = iota
	// PairShape: exactly one reserve counts as collateral (enabled, with a
	// non-zero liquidation threshold) and holds a non-zero scaled supply,
	// and exactly one reserve is borrowed, with a non-zero scaled debt.
	PairShape
	// OtherShape: anything else with a borrowing flag (several collateral
	// or debt reserves, or collateral gone).
	OtherShape
)

// Pair is a position of PairShape: its collateral reserve C and debt
// reserve D with their scaled balances.
type Pair struct {
	C, D         int
	Supply, Debt uint256.Int
}

// PairOf returns the shape of user's position and, for PairShape, the
// pair.
func (p *Pool) PairOf(user int) (Shape, Pair) {
	a := p.account(user)
	if a == nil {
		return NoDebt, Pair{}
	}
	var pr Pair
	nc, nd := 0, 0
	for i := range a.pos {
		ps := &a.pos[i]
		if ps.collateral && p.reserves[i].cfg.LiquidationThreshold != 0 {
			nc++
			pr.C, pr.Supply = i, ps.supply
		}
		if ps.borrowing {
			nd++
			pr.D, pr.Debt = i, ps.debt
		}
	}
	switch {
	case nd == 0:
		return NoDebt, Pair{}
	case nc == 1 && nd == 1 && !pr.Supply.IsZero() && !pr.Debt.IsZero():
		return PairShape, pr
	}
	return OtherShape, Pair{}
}

// PairThreshold is what a PairShape position's health needs from the
// market at now, for collateral reserve c and debt reserve d. With s the
// scaled supply and b the scaled debt, and I_c, I_d the normalized income
// and debt, P the prices, U = 10^decimals and LT the liquidation
// threshold in basis points, the unrounded values are
//
//	C* = s·I_c·P_c/(1e27·U_c)   W* = C*·LT/1e4   D* = b·I_d·P_d/(1e27·U_d)
//
// so W*/D* = Liquidation/κ and C*/D* = Collateral/κ with κ = b/s:
//
//	Liquidation = I_c·P_c·U_d·LT / (I_d·P_d·U_c·1e4)   Collateral = Liquidation·1e4/LT
//
// The exact (rounded) health factor is at least 1 whenever
// W*/D* ≥ 1 + Margin, and the collateral value at least the debt whenever
// C*/D* ≥ 1 + Margin, for every position whose scaled debt is at least
// MinDebt: rounding moves W (or C) and D by at most
// E = 2.5 + (P_c/U_c + P_d/U_d)/2 base units (half a token unit at each
// rayMul, one unit at each ⌊·/U⌋, half at percentMul), D* ≥ b·P_d/U_d as
// the index never falls below one ray, and MinDebt makes E at most half
// of Margin·D*, the other half covering the float arithmetic. Without
// usable prices or indexes Valid is false.
type PairThreshold struct {
	Liquidation, Collateral float64
	Margin, MinDebt         float64
	Valid                   bool
}

// Threshold returns the PairThreshold of collateral c and debt d at now
// with relative margin margin (below 1e-3; 1e-6 is ample).
func (p *Pool) Threshold(now uint64, c, d int, margin float64) PairThreshold {
	t := PairThreshold{Margin: margin, MinDebt: math.Inf(1)}
	if !p.listed(c) || !p.listed(d) {
		return t
	}
	rc, rd := &p.reserves[c], &p.reserves[d]
	var ic, id uint256.Int
	if rc.normalizedIncome(&ic, now) != nil || rd.normalizedDebt(&id, now) != nil {
		return t
	}
	lt := float64(rc.cfg.LiquidationThreshold)
	pc, pd := rc.price.Float64(), rd.price.Float64()
	uc, ud := rc.unit.Float64(), rd.unit.Float64()
	fc, fd := ic.Float64(), id.Float64()
	if lt <= 0 || pc <= 0 || pd <= 0 || id.Lt(&ray) || fc <= 0 {
		return t
	}
	t.Liquidation = fc * pc * ud * lt / (fd * pd * uc * PercentageFactor)
	t.Collateral = t.Liquidation * PercentageFactor / lt
	e := 2.5 + (pc/uc+pd/ud)/2
	t.MinDebt = 2 * e / (margin * pd / ud)
	t.Valid = !math.IsInf(t.Liquidation, 0) && !math.IsNaN(t.Liquidation) && t.Liquidation > 0
	return t
}

// NormalizedIncome returns reserve i's liquidity index at now
// (ReserveLogic.getNormalizedIncome), without storing it.
func (p *Pool) NormalizedIncome(now uint64, i int) (uint256.Int, error) {
	var z uint256.Int
	if !p.listed(i) {
		return z, errNotListed
	}
	err := p.reserves[i].normalizedIncome(&z, now)
	return z, err
}

// NormalizedDebt returns reserve i's variable borrow index at now
// (ReserveLogic.getNormalizedVariableDebt), without storing it.
func (p *Pool) NormalizedDebt(now uint64, i int) (uint256.Int, error) {
	var z uint256.Int
	if !p.listed(i) {
		return z, errNotListed
	}
	err := p.reserves[i].normalizedDebt(&z, now)
	return z, err
}

// TotalDebtBase is reserve i's whole variable debt valued as
// getUserAccountData values one holder's: ⌊rayMul(scaled total,
// normalized debt)·price/10^decimals⌋, base currency units.
func (p *Pool) TotalDebtBase(now uint64, i int) (uint256.Int, error) {
	var z uint256.Int
	if !p.listed(i) {
		return z, errNotListed
	}
	r := &p.reserves[i]
	if err := r.normalizedDebt(&z, now); err != nil {
		return uint256.Int{}, err
	}
	if err := rayMul(&z, &r.st.ScaledVariableDebt, &z); err != nil {
		return uint256.Int{}, err
	}
	if _, o := z.MulOverflow(&z, &r.price); o {
		return uint256.Int{}, errOverflow
	}
	return *z.Div(&z, &r.unit), nil
}

// PairValues returns a PairShape position's collateral reserve and its
// collateral and debt valued as getUserAccountData values them,
// ⌊rayMul(scaled, index)·price/10^decimals⌋ in base currency units
// (TotalCollateralBase and TotalDebtBase), without its health factor; ok
// is false for any other shape, on any error of that valuation, and when
// either value is 2^100 or more.
func (p *Pool) PairValues(now uint64, user int) (c int, coll, debt uint256.Int, ok bool) {
	shape, pr := p.PairOf(user)
	if shape != PairShape {
		return 0, coll, debt, false
	}
	value := func(z *uint256.Int, scaled *uint256.Int, r *reserve, income bool) bool {
		var index uint256.Int
		var err error
		if income {
			err = r.normalizedIncome(&index, now)
		} else {
			err = r.normalizedDebt(&index, now)
		}
		if err != nil || rayMul(z, scaled, &index) != nil {
			return false
		}
		return mulDivWord(z, z, &r.price, &r.unit) && z.BitLen() < 100
	}
	ok = value(&coll, &pr.Supply, &p.reserves[pr.C], true) && value(&debt, &pr.Debt, &p.reserves[pr.D], false)
	return pr.C, coll, debt, ok
}
