package spiral_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/spiral"
)

// Table 3.1 of Klages-Mundt & Minca: as ETH falls from 85 to 81 the
// speculator, at its leverage limit, must buy back stablecoins, whose price
// rises above $1 with each step: a deleveraging spiral.
func Example() {
	m := spiral.ConstantDemand{
		Constraint: spiral.Constraint{Beta: 1.5, Lambda: 1},
		D:          100,
		RHat:       1.00583,
	}
	s := m.Initial(100*1.00583, 1.8)
	states, deltas, err := m.Simulate(s, []float64{83, 82, 81}, nil, []float64{})
	fmt.Println(err)
	for i, st := range states {
		fmt.Printf("t=%d Δ=%.3f L=%.3f pD=%.3f n=%.3f\n", i+1, deltas[i], st.L, st.PD, st.N)
	}
	// Output:
	// <nil>
	// t=1 Δ=-3.110 L=97.473 pD=1.026 n=1.762
	// t=2 Δ=-4.107 L=93.366 pD=1.071 n=1.708
	// t=3 Δ=-4.569 L=88.797 pD=1.126 n=1.644
}

// Theorem 3.1: with the constraint slack, supply converges to D·r̂ and the
// price to 1/r̂.
func ExampleSupplyPath() {
	for _, t := range []int{0, 1, 2, 10} {
		fmt.Printf("L_%d = %.6f\n", t, spiral.SupplyPath(100, 1.00583, t))
	}
	// Output:
	// L_0 = 100.000000
	// L_1 = 100.291076
	// L_2 = 100.436932
	// L_10 = 100.582429
}
