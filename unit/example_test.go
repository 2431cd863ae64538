package unit_test

import (
	"fmt"
	"time"

	"github.com/cascade-risk/cascade/unit"
)

// A volatility of 4% per day over a one-hour step scales with the square root
// of time; a drift of 5% per year scales linearly.
func ExampleRate() {
	vol, _ := unit.ParseRate("4%/day")
	drift, _ := unit.ParseRate("5%/yr")
	fmt.Printf("%.6f %.8f\n", vol.OverSqrt(time.Hour), drift.Over(time.Hour))
	// Output: 0.008165 0.00000571
}
