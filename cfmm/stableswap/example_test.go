package stableswap_test

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm/stableswap"
)

// A 3pool-like pool of one 18-decimal and two 6-decimal stablecoins: seed
// it, swap, and withdraw in one coin.
func Example() {
	rates := []uint256.Int{
		stableswap.RateForDecimals(18),
		stableswap.RateForDecimals(6),
		stableswap.RateForDecimals(6),
	}
	pool, err := stableswap.New(stableswap.Config{
		A:        2000,
		Fee:      1_000_000,     // 0.01 %
		AdminFee: 5_000_000_000, // half of the fees
		Rates:    rates,
	})
	if err != nil {
		panic(err)
	}
	million := func(decimals string) uint256.Int { return *uint256.MustFromDecimal("1000000" + decimals) }
	lp, err := pool.AddLiquidity([]uint256.Int{
		million("000000000000000000"), million("000000"), million("000000"),
	}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("LP tokens:", lp.Dec())

	// Sell 100 000 of coin 0 for coin 2.
	trade, err := pool.Swap(0, 2, uint256.MustFromDecimal("100000000000000000000000"))
	if err != nil {
		panic(err)
	}
	fmt.Println("out:", trade.Out.Dec(), "fee:", trade.Fee.Dec(), "in coin", trade.FeeToken)
	fmt.Printf("spot price of coin 0 in coin 2: %.6e\n", pool.SpotPrice(0, 2))

	out, err := pool.RemoveLiquidityOneCoin(uint256.MustFromDecimal("1000000000000000000000"), 1, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("one-coin withdrawal:", out.Dec())
	// Output:
	// LP tokens: 3000000000000000000000000
	// out: 99984952832 fee: 9999495 in coin 2
	// spot price of coin 0 in coin 2: 9.998980e-13
	// one-coin withdrawal: 999953178
}
