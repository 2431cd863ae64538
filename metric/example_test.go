package metric_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/metric"
)

// A Summary of the profit and loss of 10,000 runs: the mean with its 95%
// interval, and the median read from the sketch. The median's interval is
// as wide as the sketch's bins around 100 (0.5% accuracy: about ±0.5), which
// here exceed the sampling error.
func ExampleSummary() {
	rng := rand.New(rand.NewPCG(1, 2))
	s := metric.NewSummary()
	for run := 0; run < 10000; run++ {
		s.Add(100 + 15*rng.NormFloat64()) // one outcome per run
	}
	m := s.MeanEstimate()
	p50 := s.Quantile(0.5)
	fmt.Printf("n=%d mean=%.2f [%.2f, %.2f]\n", s.N(), m.Value, m.Lo, m.Hi)
	fmt.Printf("median=%.1f [%.1f, %.1f]\n", p50.Value, p50.Lo, p50.Hi)
	// Output:
	// n=10000 mean=100.13 [99.83, 100.42]
	// median=100.4 [98.9, 100.9]
}

// Value-at-risk and expected shortfall of P&L, where lower is worse: the 1%
// quantile and the mean of the worst 1% of runs.
func ExampleSummary_Tail() {
	rng := rand.New(rand.NewPCG(3, 4))
	pnl := metric.NewSummary()
	for run := 0; run < 100000; run++ {
		pnl.Add(rng.NormFloat64()) // N(0,1): VaR99 = −2.326, CVaR99 = −2.665
	}
	VaR, CVaR := pnl.Tail(0.99, metric.LowerIsWorse)
	fmt.Printf("VaR99  %.3f [%.3f, %.3f]\n", VaR.Value, VaR.Lo, VaR.Hi)
	fmt.Printf("CVaR99 %.3f [%.3f, %.3f]\n", CVaR.Value, CVaR.Lo, CVaR.Hi)
	// Output:
	// VaR99  -2.332 [-2.390, -2.298]
	// CVaR99 -2.681 [-2.710, -2.652]
}

// Shards of runs summarised by separate workers merge into the summary of
// all runs; quantiles do not depend on the order of merging.
func ExampleSummary_Merge() {
	a, b := metric.NewSummary(), metric.NewSummary()
	for i := 1; i <= 50; i++ {
		a.Add(float64(i))
		b.Add(float64(i + 50))
	}
	ab, ba := metric.NewSummary(), metric.NewSummary()
	ab.Merge(a)
	ab.Merge(b)
	ba.Merge(b)
	ba.Merge(a)
	fmt.Println(ab.N(), ab.Mean(), ab.Quantile(0.9) == ba.Quantile(0.9))
	// Output:
	// 100 50.5 true
}

// A report ready for summary.json, here of bad debt (higher is worse) over
// 100 runs, one of which produced NaN. Numbers that are not finite would be
// written as null.
func ExampleSummary_Report() {
	s := metric.NewSummary()
	for run := 1; run <= 100; run++ {
		s.Add(float64(run))
	}
	s.Add(math.NaN())
	r := s.Report([]float64{0.9}, []float64{0.5}, metric.HigherIsWorse)
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output:
	// {
	//  "n": 100,
	//  "nan": 1,
	//  "neg_inf": 0,
	//  "pos_inf": 0,
	//  "mean": {
	//   "value": 50.5,
	//   "lo": 44.81385201409824,
	//   "hi": 56.18614798590176,
	//   "stderr": 2.9011491975882016
	//  },
	//  "sd": 29.011491975882016,
	//  "min": 1,
	//  "max": 100,
	//  "worse": "higher",
	//  "relative_accuracy": 0.005,
	//  "quantiles": [
	//   {
	//    "label": "p50",
	//    "q": 0.5,
	//    "estimate": {
	//     "value": 50.203198544476244,
	//     "lo": 39.78029666144605,
	//     "hi": 60.36817191865683,
	//     "stderr": 5.252105461429592
	//    }
	//   }
	//  ],
	//  "tails": [
	//   {
	//    "level": 0.9,
	//    "var": {
	//     "value": 90.9042822927436,
	//     "lo": 84.40613782615388,
	//     "hi": 97.93476816126272,
	//     "stderr": 3.451244598142834
	//    },
	//    "cvar": {
	//     "value": 95.44841086844914,
	//     "lo": 92.14979338637316,
	//     "hi": 98.74702835052513,
	//     "stderr": 1.6829990153268055
	//    }
	//   }
	//  ]
	// }
}

// A fan of 1,000 random-walk paths sampled at 4 points: the 5%, 50% and 95%
// bands widen with time.
func ExampleFan() {
	rng := rand.New(rand.NewPCG(5, 6))
	fan, err := metric.NewFan(4)
	if err != nil {
		fmt.Println(err)
		return
	}
	path := make([]float64, 4)
	for run := 0; run < 1000; run++ {
		x := 100.0
		for i := range path {
			for step := 0; step < 25; step++ {
				x += rng.NormFloat64()
			}
			path[i] = x
		}
		if err := fan.Add(path); err != nil {
			fmt.Println(err)
			return
		}
	}
	for i, q := range fan.Quantiles([]float64{0.05, 0.5, 0.95}) {
		fmt.Printf("t=%d  %.0f  %.0f  %.0f\n", 25*(i+1), q[0], q[1], q[2])
	}
	// Output:
	// t=25  92  100  108
	// t=50  88  100  111
	// t=75  86  100  113
	// t=100  85  100  117
}
