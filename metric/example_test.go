package metric_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/metric"
)

// A Summary of the profit and loss of 10,000 runs: the mean with its 95%
// interval, and the median with its distribution-free interval. 10,000 runs
// are within the exact cap, so both are exact order statistics of the runs.
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
	// median=100.1 [99.7, 100.5]
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
	// VaR99  -2.342 [-2.368, -2.319]
	// CVaR99 -2.681 [-2.709, -2.652]
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
// written as null. The runs are within the exact cap, so quantiles and tails
// are exact (relative_accuracy 0): the median is the 50th of the 100 values,
// the 90% tail the 10 largest, 91 to 100.
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
	//  "relative_accuracy": 0,
	//  "quantiles": [
	//   {
	//    "label": "p50",
	//    "q": 0.5,
	//    "estimate": {
	//     "value": 50,
	//     "lo": 40,
	//     "hi": 60,
	//     "stderr": 5.102134529001553
	//    }
	//   }
	//  ],
	//  "tails": [
	//   {
	//    "level": 0.9,
	//    "var": {
	//     "value": 91,
	//     "lo": 85,
	//     "hi": 97,
	//     "stderr": 3.061280717400932
	//    },
	//    "cvar": {
	//     "value": 95.5,
	//     "lo": 92.2948490969465,
	//     "hi": 98.7051509030535,
	//     "stderr": 1.6353111093129729
	//    }
	//   }
	//  ]
	// }
}

// An LP/HODL value ratio that varies between 0.997 and 0.999 across runs:
// narrower than one bin of the sketch, so that a sketch-only Summary
// (exact cap 0) reads nearly every quantile as the same bin value, whereas
// a Summary within its exact cap gives the runs' order statistics.
func ExampleNewSummaryCap() {
	rng := rand.New(rand.NewPCG(7, 8))
	exact, sketch := metric.NewSummary(), metric.NewSummaryCap(0)
	for run := 0; run < 10000; run++ {
		ratio := 0.997 + 0.002*rng.Float64()
		exact.Add(ratio)
		sketch.Add(ratio)
	}
	for _, s := range []*metric.Summary{exact, sketch} {
		fmt.Printf("exact=%-5v p1=%.5f p50=%.5f p99=%.5f\n", s.Exact(),
			s.Quantile(0.01).Value, s.Quantile(0.5).Value, s.Quantile(0.99).Value)
	}
	// Output:
	// exact=true  p1=0.99702 p50=0.99801 p99=0.99898
	// exact=false p1=0.99700 p50=0.99700 p99=0.99700
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
