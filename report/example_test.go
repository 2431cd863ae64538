package report_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/report"
)

// A hedge that costs a little in every run but halves losses beyond 10:
// it costs in the mean and gains in the tail. The runs of the two arms are
// paired: run i of each saw the same market.
func ExampleCompare() {
	var base, hedged []float64
	for i := range 1000 {
		x := 100 - float64(i%100) // outcomes 1 … 100, ten runs each
		y := x - 1                // the hedge's premium
		if x < 10 {
			y = 10 - (10-x)/2 - 1 // half the loss below 10 is covered
		}
		base, hedged = append(base, x), append(hedged, y)
	}
	threshold := report.DefaultThreshold(base, metric.LowerIsWorse)
	c, err := report.Compare(base, hedged, metric.LowerIsWorse, threshold, report.Bootstrap{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	cvar, _ := c.Tail(0.99)
	fmt.Printf("mean: %+.3f [%+.3f, %+.3f]\n", c.Mean.Value, c.Mean.Lo, c.Mean.Hi)
	fmt.Printf("CVaR 99%%: %+.3f\n", cvar.CVaR.Value)
	fmt.Printf("runs below %g: %.1f%% → %.1f%%\n", threshold, 100*c.PBase.Value, 100*c.PArm.Value)
	// Output:
	// mean: -0.775 [-0.825, -0.721]
	// CVaR 99%: +3.500
	// runs below 5: 4.0% → 1.0%
}
