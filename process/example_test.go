package process_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cascade-risk/cascade/history"
	"github.com/cascade-risk/cascade/process"
)

// With zero drift GBM is a martingale: the mean price over many paths stays
// at the start price, while the median falls by e^(−σ²T/2).
func ExampleGBM() {
	const hoursPerYear = 24 * 365
	// ETH-like: 80% yearly volatility, hourly steps, yearly units.
	p, err := process.NewGBM(2000, 0, 0.8, 1.0/hoursPerYear)
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]float64, p.Dim())
	var sum float64
	const paths = 10000
	for range paths {
		p.Reset(rng, out)
		for range 24 * 7 { // one week
			p.Step(out)
		}
		sum += out[0]
	}
	// The standard error of this mean is about 0.001.
	fmt.Printf("mean price after a week / start price: %.2f\n", sum/paths/2000)
	// Output:
	// mean price after a week / start price: 1.00
}

func ExampleNewCorrelatedGBM() {
	// Pairwise plausible, jointly impossible: no three assets can be
	// correlated like this.
	_, err := process.NewCorrelatedGBM(
		[]float64{1, 1, 1}, []float64{0, 0, 0}, []float64{0.5, 0.5, 0.5},
		[][]float64{
			{1, 0.9, -0.9},
			{0.9, 1, 0.9},
			{-0.9, 0.9, 1},
		}, 1.0/365)
	fmt.Println(err)
	// Output:
	// process: CorrelatedGBM: correlation matrix is not positive definite: the correlations are mutually inconsistent or some assets are perfectly (anti)correlated
}

func ExampleReplay() {
	t0 := time.Date(2020, 3, 12, 0, 0, 0, 0, time.UTC)
	s := &history.Series{
		Times:  []time.Time{t0, t0.Add(time.Hour), t0.Add(2 * time.Hour)},
		Names:  []string{"close"},
		Values: [][]float64{{200, 190, 150}},
	}
	// Replay the recorded moves from a start price of 1.
	p, err := process.NewReplay(s, 2, []float64{1})
	if err != nil {
		fmt.Println(err)
		return
	}
	out := make([]float64, 1)
	p.Reset(nil, out)
	fmt.Printf("%.4g\n", out[0])
	p.Step(out)
	fmt.Printf("%.4g\n", out[0])
	p.Step(out)
	fmt.Printf("%.4g\n", out[0])
	_, err = process.NewReplay(s, 3, nil)
	fmt.Println(err)
	// Output:
	// 1
	// 0.95
	// 0.75
	// process: Replay: series has 3 rows, 3 steps need 4 (1 more)
}
