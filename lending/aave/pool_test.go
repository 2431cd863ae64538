package aave

import (
	"reflect"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending/lendingtest"

	"github.com/cascade-risk/cascade/lending"
)

const (
	weth = 0
	usdc = 1
	t0   = 1_700_000_000
	day  = 86400
)

// rayPct returns pct/1000 of a ray: rayPct(38) is 3.8%.
func rayPct(permille uint64) uint256.Int {
	var z uint256.Int
	z.Mul(&ray, uint256.NewInt(permille))
	return *z.Div(&z, uint256.NewInt(1000))
}

func wethConfig() ReserveConfig {
	return ReserveConfig{
		Decimals: 18, LTV: 8000, LiquidationThreshold: 8250, LiquidationBonus: 10500,
		ReserveFactor: 1000, LiquidationProtocolFee: 1000, BorrowingEnabled: true,
		Strategy: RateStrategy{OptimalUsageRatio: rayPct(800), VariableRateSlope1: rayPct(38), VariableRateSlope2: rayPct(800)},
	}
}

func usdcConfig() ReserveConfig {
	return ReserveConfig{
		Decimals: 6, LTV: 8000, LiquidationThreshold: 8500, LiquidationBonus: 10450,
		ReserveFactor: 1000, LiquidationProtocolFee: 1000, BorrowingEnabled: true,
		Strategy: RateStrategy{OptimalUsageRatio: rayPct(900), VariableRateSlope1: rayPct(40), VariableRateSlope2: rayPct(600)},
	}
}

// newTestPool lists WETH at 2000 USD and USDC at 1 USD (8-decimal base
// currency).
func newTestPool(t testing.TB) *Pool {
	t.Helper()
	p := NewPool()
	for i, c := range []ReserveConfig{wethConfig(), usdcConfig()} {
		k, err := p.AddReserve(c)
		if err != nil || k != i {
			t.Fatalf("AddReserve: %d, %v", k, err)
		}
	}
	must(t, p.SetPrice(weth, u(2000e8)))
	must(t, p.SetPrice(usdc, u(1e8)))
	return p
}

func u(x uint64) *uint256.Int { return uint256.NewInt(x) }

var (
	num  = lendingtest.Num
	dec  = lendingtest.Dec
	must = lendingtest.Must
	eq   = lendingtest.Eq
)

// TestScenario follows a deposit, a borrow at the LTV limit, a month of
// interest, a price drop, a liquidation, a repayment, a treasury mint and a
// full withdrawal, checking every figure against an independent evaluation
// of the v3.0 formulas.
func TestScenario(t *testing.T) {
	p := newTestPool(t)
	const alice, bob, carol = 1, 2, 3
	must(t, p.Supply(t0, usdc, bob, u(100_000e6)))
	must(t, p.Supply(t0, weth, alice, dec(t, "10000000000000000000")))
	if !p.Position(weth, alice).Collateral {
		t.Fatal("first WETH supply is not collateral")
	}
	// 16,000 USDC against 20,000 USD at 80% LTV: exactly the limit.
	must(t, p.Borrow(t0, usdc, alice, u(16_000e6)))
	r := p.Reserve(usdc)
	eq(t, "liquidity rate", r.LiquidityRate, "1024000000000000002000000")
	eq(t, "variable rate", r.VariableBorrowRate, "7111111111111111111111111")
	eq(t, "cash", r.Cash, "84000000000")
	hf, err := p.HealthFactor(t0, alice)
	must(t, err)
	eq(t, "HF at borrow", hf, "1031250000000000000")
	if err := p.Borrow(t0, usdc, alice, u(1)); !isReason(err, "COLLATERAL_CANNOT_COVER_NEW_BORROW") {
		t.Errorf("borrow past the LTV: %v", err)
	}

	t1 := uint64(t0 + 30*day)
	debt, err := p.DebtBalance(t1, usdc, alice)
	must(t, err)
	eq(t, "debt after 30 days", debt, "16009354331")
	must(t, p.SetPrice(weth, u(1900e8)))
	d, err := p.UserAccountData(t1, alice)
	must(t, err)
	eq(t, "collateral", d.TotalCollateralBase, "1900000000000")
	eq(t, "debt base", d.TotalDebtBase, "1600935433100")
	eq(t, "HF before liquidation", d.HealthFactor, "979115064599915376")

	liq, err := p.LiquidationCall(t1, weth, usdc, alice, carol, &maxU256, false)
	must(t, err)
	eq(t, "repaid", liq.Repaid, "8004677166")
	eq(t, "seized", liq.Seized, "4402572441299999999")
	eq(t, "protocol fee", liq.ProtocolFee, "21064939910526316")
	r = p.Reserve(usdc)
	eq(t, "usdc liquidity index", r.LiquidityIndex, "1000084164383561643835780821")
	eq(t, "usdc borrow index", r.VariableBorrowIndex, "1000584645691224041327951488")
	eq(t, "usdc liquidity rate", r.LiquidityRate, "256251482656351109498132")
	eq(t, "usdc variable rate", r.VariableBorrowRate, "3557301534204249440949186")
	eq(t, "usdc accrued to treasury", r.AccruedToTreasury, "935354")
	eq(t, "usdc scaled debt", r.ScaledVariableDebt, "8000000000")
	eq(t, "usdc cash", r.Cash, "92004677166")
	w := p.Reserve(weth)
	eq(t, "weth scaled supply", w.ScaledSupply, "5597427558700000001")
	eq(t, "weth cash", w.Cash, "5597427558700000001")
	eq(t, "weth treasury", w.TreasuryScaled, "21064939910526316")
	eq(t, "alice weth", p.Position(weth, alice).ScaledSupply, "5576362618789473685")
	hf, err = p.HealthFactor(t1, alice)
	must(t, err)
	eq(t, "HF after liquidation", hf, "1091980129077200563")
	if _, err := p.LiquidationCall(t1, weth, usdc, alice, carol, &maxU256, false); !isReason(err, "HEALTH_FACTOR_NOT_BELOW_THRESHOLD") {
		t.Errorf("second liquidation: %v", err)
	}

	t2 := t1 + day
	paid, err := p.Repay(t2, usdc, alice, &maxU256)
	must(t, err)
	eq(t, "repaid in full", paid, "8004755180")
	if ps := p.Position(usdc, alice); ps.Borrowing || !ps.ScaledDebt.IsZero() {
		t.Errorf("after full repay: %+v", ps)
	}
	r = p.Reserve(usdc)
	eq(t, "accrued before mint", r.AccruedToTreasury, "943154")
	minted, err := p.MintToTreasury(t2, usdc)
	must(t, err)
	eq(t, "minted to treasury", minted, "943234")
	out, err := p.Withdraw(t2, usdc, bob, &maxU256)
	must(t, err)
	eq(t, "bob withdraws", out, "100008486650")
	r = p.Reserve(usdc)
	eq(t, "cash left", r.Cash, "945696")
	eq(t, "scaled supply left", r.ScaledSupply, "943154")
	tb, err := p.TreasuryBalance(t2, usdc)
	must(t, err)
	eq(t, "treasury balance", tb, "943234")
}

func isReason(err error, reason string) bool {
	r, ok := err.(*lending.Revert)
	return ok && r.Reason == reason
}

// TestReverts checks that each rejected operation returns the contract's
// reason and leaves the pool exactly as it was.
func TestReverts(t *testing.T) {
	const alice, bob = 1, 2
	setup := func(t *testing.T) *Pool {
		p := newTestPool(t)
		must(t, p.Supply(t0, usdc, bob, u(100_000e6)))
		must(t, p.Supply(t0, weth, alice, dec(t, "10000000000000000000")))
		must(t, p.Borrow(t0, usdc, alice, u(10_000e6)))
		return p
	}
	setConfig := func(i int, edit func(*ReserveConfig)) func(p *Pool) {
		return func(p *Pool) {
			c := p.ReserveConfig(i)
			edit(&c)
			must(t, p.SetReserveConfig(i, c))
		}
	}
	crash := func(p *Pool) { must(t, p.SetPrice(weth, u(1000e8))) }
	tests := []struct {
		name   string
		prep   func(p *Pool) // changes made before the snapshot
		op     func(p *Pool) error
		reason string
	}{
		{"supply zero", nil, func(p *Pool) error { return p.Supply(t0+1, usdc, bob, u(0)) }, "INVALID_AMOUNT"},
		{"supply paused", setConfig(usdc, func(c *ReserveConfig) { c.Paused = true }),
			func(p *Pool) error { return p.Supply(t0+1, usdc, bob, u(1)) }, "RESERVE_PAUSED"},
		{"supply frozen", setConfig(usdc, func(c *ReserveConfig) { c.Frozen = true }),
			func(p *Pool) error { return p.Supply(t0+1, usdc, bob, u(1)) }, "RESERVE_FROZEN"},
		// A day of interest pushes the supply over a cap it met at t0.
		{"supply cap", setConfig(usdc, func(c *ReserveConfig) { c.SupplyCap = 100_000 }),
			func(p *Pool) error { return p.Supply(t0+day, usdc, bob, u(1)) }, "SUPPLY_CAP_EXCEEDED"},
		{"borrow cap", setConfig(usdc, func(c *ReserveConfig) { c.BorrowCap = 10_000 }),
			func(p *Pool) error { return p.Borrow(t0, usdc, alice, u(1)) }, "BORROW_CAP_EXCEEDED"},
		{"borrowing disabled", setConfig(weth, func(c *ReserveConfig) { c.BorrowingEnabled = false }),
			func(p *Pool) error { return p.Borrow(t0, weth, bob, u(1)) }, "BORROWING_NOT_ENABLED"},
		{"borrow frozen", setConfig(usdc, func(c *ReserveConfig) { c.Frozen = true }),
			func(p *Pool) error { return p.Borrow(t0, usdc, alice, u(1)) }, "RESERVE_FROZEN"},
		{"borrow without collateral", nil, func(p *Pool) error { return p.Borrow(t0, weth, 9, u(1)) }, "COLLATERAL_BALANCE_IS_ZERO"},
		{"borrow past LTV", nil, func(p *Pool) error { return p.Borrow(t0, usdc, alice, u(6_000e6+1)) }, "COLLATERAL_CANNOT_COVER_NEW_BORROW"},
		{"borrow more than cash", func(p *Pool) { must(t, p.Supply(t0, weth, 7, dec(t, "1000000000000000000000"))) },
			func(p *Pool) error { return p.Borrow(t0, usdc, 7, u(90_000e6+1)) }, "arithmetic underflow or overflow"},
		{"withdraw breaking HF", nil, func(p *Pool) error {
			_, err := p.Withdraw(t0, weth, alice, dec(t, "4000000000000000000"))
			return err
		}, "HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD"},
		{"withdraw more than balance", nil, func(p *Pool) error {
			_, err := p.Withdraw(t0, usdc, bob, u(100_000e6+1))
			return err
		}, "NOT_ENOUGH_AVAILABLE_USER_BALANCE"},
		{"withdraw more than cash", nil, func(p *Pool) error {
			_, err := p.Withdraw(t0, usdc, bob, u(90_000e6+1))
			return err
		}, "arithmetic underflow or overflow"},
		{"repay without debt", nil, func(p *Pool) error {
			_, err := p.Repay(t0, usdc, bob, u(1))
			return err
		}, "NO_DEBT_OF_SELECTED_TYPE"},
		{"repay zero", nil, func(p *Pool) error {
			_, err := p.Repay(t0, usdc, alice, u(0))
			return err
		}, "INVALID_AMOUNT"},
		{"repay paused", setConfig(usdc, func(c *ReserveConfig) { c.Paused = true }), func(p *Pool) error {
			_, err := p.Repay(t0, usdc, alice, u(1))
			return err
		}, "RESERVE_PAUSED"},
		{"collateral off breaking HF", nil, func(p *Pool) error { return p.SetUseAsCollateral(t0, weth, alice, false) }, "HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD"},
		{"collateral on with no balance", nil, func(p *Pool) error { return p.SetUseAsCollateral(t0, weth, bob, true) }, "UNDERLYING_BALANCE_ZERO"},
		{"liquidate healthy", nil, func(p *Pool) error {
			_, err := p.LiquidationCall(t0, weth, usdc, alice, bob, u(1), false)
			return err
		}, "HEALTH_FACTOR_NOT_BELOW_THRESHOLD"},
		{"liquidate asset not collateral", crash, func(p *Pool) error {
			_, err := p.LiquidationCall(t0, usdc, usdc, alice, bob, u(1), false)
			return err
		}, "COLLATERAL_CANNOT_BE_LIQUIDATED"},
		{"liquidate debt not borrowed", crash, func(p *Pool) error {
			_, err := p.LiquidationCall(t0, weth, weth, alice, bob, u(1), false)
			return err
		}, "SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER"},
		{"liquidate zero", crash, func(p *Pool) error {
			_, err := p.LiquidationCall(t0, weth, usdc, alice, bob, u(0), false)
			return err
		}, "INVALID_BURN_AMOUNT"},
		{"liquidate paused", func(p *Pool) {
			crash(p)
			setConfig(weth, func(c *ReserveConfig) { c.Paused = true })(p)
		}, func(p *Pool) error {
			_, err := p.LiquidationCall(t0, weth, usdc, alice, bob, u(1e6), false)
			return err
		}, "RESERVE_PAUSED"},
		{"liquidate zero price", func(p *Pool) {
			must(t, p.SetPrice(usdc, u(3e8)))
			must(t, p.SetPrice(weth, u(0)))
		}, func(p *Pool) error {
			_, err := p.LiquidationCall(t0, weth, usdc, alice, bob, u(1e6), false)
			return err
		}, "division or modulo by zero"},
		{"time backwards", nil, func(p *Pool) error { return p.Supply(t0-1, usdc, bob, u(1)) }, "arithmetic underflow or overflow"},
		{"unlisted", nil, func(p *Pool) error { return p.Supply(t0, 5, bob, u(1)) }, "ASSET_NOT_LISTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := setup(t)
			if tt.prep != nil {
				tt.prep(p)
			}
			before := p.Clone()
			err := tt.op(p)
			if !isReason(err, tt.reason) {
				t.Fatalf("err = %v, want %s", err, tt.reason)
			}
			if !reflect.DeepEqual(p.reserves, before.reserves) {
				t.Errorf("reserves changed:\n%+v\n%+v", before.reserves, p.reserves)
			}
			for user, k := range before.ids {
				if !reflect.DeepEqual(before.accounts[k], p.accounts[p.ids[user]]) {
					t.Errorf("user %d changed", user)
				}
			}
		})
	}
}
