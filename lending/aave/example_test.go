package aave_test

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending/aave"
)

// ray returns permille/1000 of a ray (1e27): ray(38) is 3.8%.
func ray(permille uint64) uint256.Int {
	var z uint256.Int
	z.Mul(uint256.NewInt(permille), uint256.NewInt(1e18))
	z.Mul(&z, uint256.NewInt(1e6))
	return z
}

func Example() {
	const weth, usdc = 0, 1
	const alice, bob, carol = 1, 2, 3
	pool := aave.NewPool()
	pool.AddReserve(aave.ReserveConfig{
		Decimals: 18, LTV: 8000, LiquidationThreshold: 8250, LiquidationBonus: 10500,
		ReserveFactor: 1000, LiquidationProtocolFee: 1000, BorrowingEnabled: true,
		Strategy: aave.RateStrategy{OptimalUsageRatio: ray(800), VariableRateSlope1: ray(38), VariableRateSlope2: ray(800)},
	})
	pool.AddReserve(aave.ReserveConfig{
		Decimals: 6, LTV: 8000, LiquidationThreshold: 8500, LiquidationBonus: 10450,
		ReserveFactor: 1000, BorrowingEnabled: true,
		Strategy: aave.RateStrategy{OptimalUsageRatio: ray(900), VariableRateSlope1: ray(40), VariableRateSlope2: ray(600)},
	})
	pool.SetPrice(weth, uint256.NewInt(2000e8)) // USD, 8 decimals
	pool.SetPrice(usdc, uint256.NewInt(1e8))

	// Bob lends 100,000 USDC; Alice deposits 10 WETH and borrows 15,000 USDC.
	now := uint64(1_700_000_000)
	pool.Supply(now, usdc, bob, uint256.NewInt(100_000e6))
	pool.Supply(now, weth, alice, uint256.MustFromDecimal("10000000000000000000"))
	if err := pool.Borrow(now, usdc, alice, uint256.NewInt(15_000e6)); err != nil {
		fmt.Println(err)
	}
	hf, _ := pool.HealthFactor(now, alice)
	fmt.Println("health factor", hf.Dec())

	// A year later, WETH has fallen to 1,800 USD.
	now += aave.SecondsPerYear
	pool.SetPrice(weth, uint256.NewInt(1800e8))
	debt, _ := pool.DebtBalance(now, usdc, alice)
	hf, _ = pool.HealthFactor(now, alice)
	fmt.Println("debt", debt.Dec(), "health factor", hf.Dec())

	// The health factor is below 1 but above 0.95, so Carol may repay half
	// the debt; she receives its value in WETH plus the 5% bonus, less the
	// protocol's 10% share of the bonus.
	all := new(uint256.Int).SetAllOne()
	liq, err := pool.LiquidationCall(now, weth, usdc, alice, carol, all, false)
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println("repaid", liq.Repaid.Dec(), "seized", liq.Seized.Dec())
	hf, _ = pool.HealthFactor(now, alice)
	fmt.Println("health factor", hf.Dec())
	// Output:
	// health factor 1100000000000000000
	// debt 15100333333 health factor 983421999536068122
	// repaid 7550166667 seized 4383291203897222222
	// health factor 1100593998941718991
}

// ExampleRayMul shows the half-up rounding of ray multiplication: 1.5 wei
// rounds up to 2, 1.4999… down to 1.
func ExampleRayMul() {
	three := uint256.NewInt(3)
	half := uint256.MustFromDecimal("500000000000000000000000000")
	a, _ := aave.RayMul(three, half)
	b, _ := aave.RayMul(three, uint256.MustFromDecimal("499999999999999999999999999"))
	fmt.Println(a.Dec(), b.Dec())
	// Output: 2 1
}
