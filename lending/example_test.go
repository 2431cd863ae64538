package lending_test

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
	"github.com/cascade-risk/cascade/lending/aave"
	"github.com/cascade-risk/cascade/lending/compound"
)

// drive puts the same position through any market: 10 ETH deposited,
// 14,000 USD borrowed against them, then ETH falling from 2,000 to 1,600
// USD; it reports whether the position can be liquidated.
func drive(m lending.Market, now uint64, ten, loan, dropped *uint256.Int) {
	const lender, borrower = 1, 2
	m.Supply(now, 1, lender, uint256.NewInt(100_000e6))
	m.Supply(now, 0, borrower, ten)
	if err := m.Borrow(now, 1, borrower, loan); err != nil {
		fmt.Println(err)
		return
	}
	a, _ := m.Account(now, borrower)
	fmt.Println("liquidatable:", a.Liquidatable)
	m.SetPrice(0, dropped)
	a, _ = m.Account(now, borrower)
	fmt.Println("after the drop:", a.Liquidatable)
	// Borrowing more than the collateral allows is a revert.
	err := m.Borrow(now, 1, borrower, loan)
	fmt.Println("revert:", lending.IsRevert(err))
}

func Example() {
	ten := uint256.MustFromDecimal("10000000000000000000")
	loan := uint256.NewInt(14_000e6)
	ray := func(permille uint64) uint256.Int { // permille/1000 of 1e27
		var z uint256.Int
		return *z.Mul(uint256.NewInt(permille*1e15), uint256.NewInt(1e9))
	}

	pool := aave.NewPool()
	strategy := aave.RateStrategy{OptimalUsageRatio: ray(800), VariableRateSlope1: ray(40), VariableRateSlope2: ray(750)}
	pool.AddReserve(aave.ReserveConfig{Decimals: 18, LTV: 8000, LiquidationThreshold: 8250, LiquidationBonus: 10500, Strategy: strategy})
	pool.AddReserve(aave.ReserveConfig{Decimals: 6, LTV: 8000, LiquidationThreshold: 8500, LiquidationBonus: 10450, BorrowingEnabled: true, Strategy: strategy})
	pool.SetPrice(0, uint256.NewInt(2000e8)) // USD with 8 decimals
	pool.SetPrice(1, uint256.NewInt(1e8))
	fmt.Println("Aave:")
	drive(aave.Market{Pool: pool}, 1_700_000_000, ten, loan, uint256.NewInt(1600e8))

	c := compound.NewComptroller(uint256.NewInt(5e17), uint256.NewInt(108e16))
	model := compound.NewJumpRateModel(uint256.NewInt(0), uint256.NewInt(4e16), uint256.NewInt(1e18), uint256.NewInt(8e17))
	c.AddMarket(compound.MarketConfig{Model: model, CollateralFactor: *uint256.NewInt(75e16),
		InitialExchangeRate: *uint256.MustFromDecimal("200000000000000000000000000")}, 15_000_000)
	c.AddMarket(compound.MarketConfig{Model: model, CollateralFactor: *uint256.NewInt(8e17),
		InitialExchangeRate: *uint256.NewInt(2e14)}, 15_000_000)
	c.SetPrice(0, uint256.MustFromDecimal("2000000000000000000000")) // USD·1e(36−decimals)
	c.SetPrice(1, uint256.MustFromDecimal("1000000000000000000000000000000"))
	fmt.Println("Compound:")
	drive(compound.Market{Comptroller: c}, 15_000_000, ten, loan, uint256.MustFromDecimal("1600000000000000000000"))
	// Output:
	// Aave:
	// liquidatable: false
	// after the drop: true
	// revert: true
	// Compound:
	// liquidatable: false
	// after the drop: true
	// revert: true
}
