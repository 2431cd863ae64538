package terra_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/terra"
	"github.com/holiman/uint256"
)

// Selling 100,000 LUNA at 1.7 SDR into the default pools: the
// constant-product spread (14.5%) exceeds the 2% minimum, and the Terra pool
// shrinks by the SDR minted. A day of blocks brings it back.
func Example() {
	m, _ := terra.NewMarket(terra.DefaultParams())
	_ = m.SetExchangeRate(terra.MicroSDRDenom, terra.MustParseDec("1.7"))
	m.SetSupply(terra.MicroLunaDenom, *uint256.NewInt(1e15))

	s, err := m.Swap(terra.Coin{Denom: terra.MicroLunaDenom, Amount: *uint256.NewInt(100_000_000_000)}, terra.MicroSDRDenom)
	fmt.Println(err)
	fmt.Println("spread  ", s.Spread)
	fmt.Println("received", s.Received.Dec(), "usdr")
	fmt.Println("fee     ", s.Fee.Dec(), "usdr")
	fmt.Println("delta   ", m.TerraPoolDelta())
	for range 14400 {
		m.Replenish()
	}
	fmt.Printf("after a day %.0f\n", m.TerraPoolDelta().Float64())
	// Output:
	// <nil>
	// spread   0.145299145299145299
	// received 145299145299 usdr
	// fee      24700854701 usdr
	// delta    -145299145299.145299170000000000
	// after a day -53450712330
}
