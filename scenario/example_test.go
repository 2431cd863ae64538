package scenario_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/scenario"
)

// Every problem in a file is reported at once, each at its line and column
// with the key path and what was expected.
func ExampleLoadBytes_errors() {
	src := `name: demo
horizon: 30 days
step: 7d
numeraire: USD
assets:
  USDC: {decimals: 6}
`
	_, err := scenario.LoadBytes("demo.yaml", []byte(src))
	fmt.Println(err)
	// Output:
	// demo.yaml:2:10: horizon: horizon 30d is not a whole number of 7d steps
	// demo.yaml:4:12: numeraire: numeraire "USD" is not among the assets; did you mean "USDC"?
}

// A sweep expands into one cell per combination, the last axis varying
// fastest.
func ExampleLoadBytes_sweep() {
	src := `name: demo
horizon: 30d
step: 1d
numeraire: USDC
assets:
  USDC: {decimals: 6}
  ETH: {decimals: 18, price: 2000}
sweep:
  runs: [100, 200]
  seed: {from: 1, to: 3, steps: 3}
`
	f, err := scenario.LoadBytes("demo.yaml", []byte(src))
	if err != nil {
		panic(err)
	}
	for _, c := range f.Cells {
		fmt.Println(c.Index, c.Describe(), c.Scenario.RunCount(), c.Scenario.Seed)
	}
	// Output:
	// 0 runs=100, seed=1 100 1
	// 1 runs=100, seed=2 100 2
	// 2 runs=100, seed=3 100 3
	// 3 runs=200, seed=1 200 1
	// 4 runs=200, seed=2 200 2
	// 5 runs=200, seed=3 200 3
}
