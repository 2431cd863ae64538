package option_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cascade-risk/cascade/option"
)

// The textbook case: S = K = 100, r = 5%, σ = 20%, one year, no yield.
func ExamplePrice() {
	c, _ := option.Price(option.Call, 100, 100, 0.05, 0, 0.2, 1)
	p, _ := option.Price(option.Put, 100, 100, 0.05, 0, 0.2, 1)
	fmt.Printf("call %.4f put %.4f\n", c, p)
	// Output:
	// call 10.4506 put 5.5735
}

// Greeks of a three-month ETH put, 10% out of the money, at 80% volatility.
// Vega is per 1.00 of volatility and theta per year: divide by 100 and 365
// for one volatility point and one day.
func ExamplePriceGreeks() {
	v, g, _ := option.PriceGreeks(option.Put, 3000, 2700, 0.05, 0, 0.8, 0.25)
	fmt.Printf("price %.2f delta %.4f gamma %.6f\n", v, g.Delta, g.Gamma)
	fmt.Printf("vega %.2f/vol point theta %.2f/day rho %.2f/%%\n", g.Vega/100, g.Theta/365, g.Rho/100)
	// Output:
	// price 301.42 delta -0.3104 gamma 0.000294
	// vega 5.30/vol point theta -2.15/day rho -3.08/%
}

// The volatility implied by a quoted price.
func ExampleImpliedVol() {
	vol, err := option.ImpliedVol(option.Call, 10.4506, 100, 100, 0.05, 0, 1)
	fmt.Printf("%.4f %v\n", vol, err)
	_, err = option.ImpliedVol(option.Call, 101, 100, 100, 0.05, 0, 1)
	fmt.Println(err)
	// Output:
	// 0.2000 <nil>
	// option: price outside no-arbitrage bounds: call price 101 not in [4.877057549928594, 100)
}

// A zero-cost collar on ETH: the call strike whose premium pays for a
// three-month put 10% below the spot.
func ExampleZeroCostCall() {
	kc, _ := option.ZeroCostCall(3000, 2700, 0.05, 0, 0.8, 0.25)
	prem, _ := option.Collar(1, 2700, kc, 0.25).Premium(3000, 0.05, 0, 0.8, 0)
	fmt.Printf("call strike %.2f, collar premium %.2f\n", kc, math.Abs(prem))
	// Output:
	// call strike 3547.52, collar premium 0.00
}

// A collar on 10 ETH bought at 3000: whatever the price in three months,
// the hedged P&L stays between the floor and the cap.
func ExamplePosition_Bounds() {
	const s0, r, vol, T = 3000.0, 0.05, 0.8, 0.25
	collar := option.Collar(10, 2700, 3300, T)
	prem, _ := collar.Premium(s0, r, 0, vol, 0)
	lo, hi, _ := collar.Bounds(s0, prem, r)
	fmt.Printf("premium %.2f, P&L in [%.2f, %.2f]\n", prem, lo, hi)
	for _, sT := range []float64{1500, 2900, 4500} {
		pnl, _ := collar.HedgedPnL(s0, sT, prem, r)
		fmt.Printf("S_T %4.0f: unhedged %7.0f, collared %8.2f\n", sT, 10*(sT-s0), pnl)
	}
	// Output:
	// premium -756.05, P&L in [-2234.44, 3765.56]
	// S_T 1500: unhedged  -15000, collared -2234.44
	// S_T 2900: unhedged   -1000, collared  -234.44
	// S_T 4500: unhedged   15000, collared  3765.56
}

// Rolling monthly zero-cost collars on one unit along a short path: each
// period's P&L is bounded by its own floor and cap.
func ExampleRoller_Run() {
	times := []float64{0, 1.0 / 12, 2.0 / 12, 3.0 / 12}
	spots := []float64{3000, 2100, 2500, 2600}
	ro := option.Roller{PutMoneyness: 0.9, ZeroCost: true, Every: 1, Rate: 0.05, Vol: 0.8}
	res, _ := ro.Run(1, times, spots, nil)
	for _, p := range res.Periods {
		fmt.Printf("put %.0f call %.0f: P&L %7.2f in [%7.2f, %6.2f]\n", p.PutStrike, p.CallStrike, p.PnL, p.Lo, p.Hi)
	}
	fmt.Printf("unhedged %.2f, hedged %.2f\n", res.Unhedged, res.Hedged)
	// Output:
	// put 2700 call 3420: P&L -300.00 in [-300.00, 420.20]
	// put 1890 call 2394: P&L  294.14 in [-210.00, 294.14]
	// put 2250 call 2850: P&L  100.00 in [-250.00, 350.17]
	// unhedged -400.00, hedged 98.72
}

// A bit worse on average, much better in the worst case: 100,000 outcomes
// of a year of holding one ETH bought at 3000, which drifts up 10% a year
// with 80% volatility, unhedged and under a zero-cost collar with its put
// 20% below the spot (rate 5%, priced at the same 80% volatility). The
// collar gives up part of the upside the drift pays for, and in exchange
// removes the tail. (The exact means are 315.5 and 208.5; the sample means
// differ from them by sampling error.)
func Example_collarTradeoff() {
	const s0, r, mu, vol, T = 3000.0, 0.05, 0.10, 0.8, 1.0
	kc, _ := option.ZeroCostCall(s0, 0.8*s0, r, 0, vol, T)
	collar := option.Collar(1, 0.8*s0, kc, T)
	prem, _ := collar.Premium(s0, r, 0, vol, 0)

	rng := rand.New(rand.NewPCG(2021, 1226))
	const n = 100000
	bare, hedged := make([]float64, n), make([]float64, n)
	for i := range n {
		sT := s0 * math.Exp((mu-vol*vol/2)*T+vol*math.Sqrt(T)*rng.NormFloat64())
		bare[i] = sT - s0
		hedged[i], _ = collar.HedgedPnL(s0, sT, prem, r)
	}
	report := func(name string, x []float64) {
		slices.Sort(x)
		var sum float64
		for _, v := range x {
			sum += v
		}
		fmt.Printf("%-8s mean %6.0f  1%% worst %6.0f  worst %6.0f\n", name, sum/n, x[n/100], x[0])
	}
	fmt.Printf("collar: put 2400, call %.0f\n", kc)
	report("unhedged", bare)
	report("collared", hedged)
	// Output:
	// collar: put 2400, call 5005
	// unhedged mean    315  1% worst  -2624  worst  -2916
	// collared mean    214  1% worst   -600  worst   -600
}
