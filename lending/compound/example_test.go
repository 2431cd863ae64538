package compound_test

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending/compound"
)

func mantissa(s string) *uint256.Int { return uint256.MustFromDecimal(s) }

func Example() {
	const eth, usd = 0, 1
	const alice, bob, carol = 1, 2, 3
	block := uint64(15_000_000)
	// 50% close factor, 8% liquidation incentive.
	c := compound.NewComptroller(mantissa("500000000000000000"), mantissa("1080000000000000000"))
	c.AddMarket(compound.MarketConfig{
		Model: compound.NewJumpRateModel(mantissa("20000000000000000"), mantissa("180000000000000000"),
			mantissa("4000000000000000000"), mantissa("800000000000000000")),
		ReserveFactor:       *mantissa("200000000000000000"),
		CollateralFactor:    *mantissa("750000000000000000"),
		InitialExchangeRate: *mantissa("200000000000000000000000000"),
	}, block)
	c.AddMarket(compound.MarketConfig{
		Model: compound.NewJumpRateModel(mantissa("0"), mantissa("40000000000000000"),
			mantissa("1090000000000000000"), mantissa("800000000000000000")),
		ReserveFactor:       *mantissa("100000000000000000"),
		CollateralFactor:    *mantissa("800000000000000000"),
		InitialExchangeRate: *mantissa("200000000000000"),
	}, block)
	// Prices are USD per whole token scaled by 1e(36 − decimals).
	c.SetPrice(eth, mantissa("2000000000000000000000"))
	c.SetPrice(usd, mantissa("1000000000000000000000000000000"))

	// Bob lends 100,000 USD; Alice supplies 10 ETH as collateral and
	// borrows 14,000 USD.
	c.Mint(block, usd, bob, uint256.NewInt(100_000e6))
	c.Mint(block, eth, alice, mantissa("10000000000000000000"))
	c.EnterMarket(eth, alice)
	if err := c.Borrow(block, usd, alice, uint256.NewInt(14_000e6)); err != nil {
		fmt.Println(err)
	}
	liquidity, _, _ := c.AccountLiquidity(alice)
	fmt.Println("liquidity", liquidity.Dec())

	// 100,000 blocks later ETH is at 1,800 USD.
	block += 100_000
	c.SetPrice(eth, mantissa("1800000000000000000000"))
	c.AccrueInterest(block, usd)
	debt, _ := c.BorrowBalanceStored(usd, alice)
	_, shortfall, _ := c.AccountLiquidity(alice)
	fmt.Println("debt", debt.Dec(), "shortfall", shortfall.Dec())

	// Carol repays half the debt and seizes Alice's cETH.
	half := new(uint256.Int).Rsh(&debt, 1)
	res, err := c.LiquidateBorrow(block, usd, eth, carol, alice, half)
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println("repaid", res.Repaid.Dec(), "seized", res.SeizeTokens.Dec(), "to carol", res.LiquidatorTokens.Dec())
	liquidity, shortfall, _ = c.AccountLiquidity(alice)
	fmt.Println("liquidity", liquidity.Dec(), "shortfall", shortfall.Dec())
	// Output:
	// liquidity 1000000000000000000000
	// debt 14003729071 shortfall 503729071000000000000
	// repaid 7001864535 seized 21005593605 to carol 20417436985
	// liquidity 826625190650000000000 shortfall 0
}

// ExampleJumpRateModel prints the annual borrow rate below, at and above
// the kink of a model with a 10% base, 20% slope, 100% jump and 90% kink.
func ExampleJumpRateModel() {
	m := compound.NewJumpRateModel(mantissa("100000000000000000"), mantissa("200000000000000000"),
		mantissa("1000000000000000000"), mantissa("900000000000000000"))
	for _, util := range []uint64{50, 90, 100} {
		borrows := new(uint256.Int).Mul(uint256.NewInt(util), uint256.NewInt(1e16))
		cash := new(uint256.Int).Sub(uint256.NewInt(1e18), borrows)
		rate, _ := m.BorrowRate(cash, borrows, new(uint256.Int))
		fmt.Printf("%d%%: %s per block, %.4f%% a year\n", util, rate.Dec(), rate.Float64()*compound.BlocksPerYear/1e16)
	}
	// Output:
	// 50%: 95129375950 per block, 20.0000% a year
	// 90%: 133181126330 per block, 28.0000% a year
	// 100%: 180745814305 per block, 38.0000% a year
}
