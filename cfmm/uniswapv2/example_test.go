package uniswapv2_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/holiman/uint256"
)

// A pair of 5 and 10 tokens (18 decimals) pays 1.662497915624478906 tokens
// for 1 token in at the 0.3% fee: the value Uniswap's own tests assert.
func Example() {
	pair, _ := uniswapv2.NewPair(30, false)
	e18 := uint256.NewInt(1e18)
	five, ten := new(uint256.Int).Mul(uint256.NewInt(5), e18), new(uint256.Int).Mul(uint256.NewInt(10), e18)
	if _, err := pair.Mint(five, ten); err != nil {
		panic(err)
	}
	trade, err := pair.Swap(0, 1, e18)
	fmt.Println(trade.Out.Dec(), err)
	// Output: 1662497915624478906 <nil>
}
