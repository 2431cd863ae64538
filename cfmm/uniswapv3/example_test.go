package uniswapv3_test

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm/uniswapv3"
)

func Example() {
	// A 0.3% pool (tick spacing 60) at price 1: sqrtPriceX96 = 2^96.
	price := new(uint256.Int).Lsh(uint256.NewInt(1), 96)
	pool, err := uniswapv3.NewPool(3000, 60, price)
	if err != nil {
		panic(err)
	}
	// 1e21 liquidity over the full range, and as much again near the price.
	liquidity := uint256.MustFromDecimal("1000000000000000000000")
	a0, a1, _ := pool.MintFullRange("alice", liquidity)
	fmt.Println("alice deposits", a0.Dec(), a1.Dec())
	b0, b1, _ := pool.Mint("bob", -600, 600, liquidity)
	fmt.Println("bob deposits  ", b0.Dec(), b1.Dec())

	// Sell 80 token0 (18 decimals): the price moves down across tick -600.
	trade, err := pool.Swap(0, 1, uint256.MustFromDecimal("80000000000000000000"))
	if err != nil {
		panic(err)
	}
	_, tick := pool.Slot0()
	fmt.Println("out", trade.Out.Dec(), "fee", trade.Fee.Dec(), "tick", tick)

	// Bob's range is now above the price: he holds token0 only, plus fees.
	bob := pool.Position("bob", -600, 600)
	pool.Burn("bob", -600, 600, &bob.Liquidity)
	owed := pool.Position("bob", -600, 600)
	c0, c1, _ := pool.Collect("bob", -600, 600, &owed.TokensOwed0, &owed.TokensOwed1)
	fmt.Println("bob withdraws ", c0.Dec(), c1.Dec())
	// Output:
	// alice deposits 999999999999999999946 999999999999999999946
	// bob deposits   29553010879137169681 29553010879137169681
	// out 76543082495804694835 fee 240000000000000001 tick -963
	// bob withdraws  60097633121777848879 0
}
