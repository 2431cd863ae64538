package weighted_test

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm/weighted"
)

// An 80/20 pool of an 18-decimal token and USDC (6 decimals) with a 1 %
// swap fee.
func Example() {
	pool, err := weighted.New(weighted.Config{
		Weights: []uint256.Int{
			*uint256.NewInt(0.8e18),
			*uint256.NewInt(0.2e18),
		},
		Decimals: []uint8{18, 6},
		SwapFee:  *uint256.NewInt(0.01e18),
		Balances: []uint256.Int{
			*uint256.MustFromDecimal("1000000000000000000000"), // 1000 tokens
			*uint256.NewInt(500_000e6),                         // 500 000 USDC
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("spot price: %.2f USDC per token\n", pool.SpotPrice(0, 1)*1e18/1e6)

	// Sell 10 tokens.
	trade, err := pool.Swap(0, 1, uint256.MustFromDecimal("10000000000000000000"))
	if err != nil {
		panic(err)
	}
	fmt.Println("USDC out:", trade.Out.Dec(), "fee in token", trade.FeeToken, ":", trade.Fee.Dec())

	// Buy exactly 1000 USDC.
	trade, err = pool.SwapGivenOut(0, 1, uint256.NewInt(1000e6), nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("tokens in:", trade.In.Dec())

	// Selling 40 % of a balance at once is over the 30 % limit.
	_, err = pool.Swap(1, 0, uint256.NewInt(200_000e6))
	fmt.Println(err)
	// Output:
	// spot price: 2000.00 USDC per token
	// USDC out: 19319487509 fee in token 0 : 100000000000000000
	// tokens in: 531293954261861011
	// reverted: BAL#304
}
