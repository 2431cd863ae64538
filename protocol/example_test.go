package protocol_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
)

// A Chainlink-style feed publishes a new round when the price moves by its
// deviation threshold (0.5%) or when its heartbeat (4 steps) comes due,
// whichever is first: small moves reach it only with the heartbeat.
func ExampleChainlinkOracle() {
	m := &market.Market{Prices: []float64{2000, 1}, Unit: []float64{1e-18, 1e-6}}
	o := &protocol.ChainlinkOracle{Source: protocol.PriceSource{Asset: 0, Venue: -1}, Deviation: 0.005, Heartbeat: 4}
	o.Reset(m)
	for step, p := range []float64{2004, 2008, 2006, 2006, 2012, 1900} {
		m.Step, m.Prices[0] = step+1, p
		_ = o.Step(m)
		fmt.Printf("step %d: market %.0f, published %.0f\n", m.Step, p, o.Price())
	}
	// Output:
	// step 1: market 2004, published 2000
	// step 2: market 2008, published 2000
	// step 3: market 2006, published 2000
	// step 4: market 2006, published 2006
	// step 5: market 2012, published 2006
	// step 6: market 1900, published 1900
}
