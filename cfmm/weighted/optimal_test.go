package weighted

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cascade-risk/cascade/cfmm/cfmmtest"
)

// TestOptimalIn checks that OptimalIn's closed form earns, on
// EstimateOut, at least what a fine golden-section search over ln a finds,
// for external prices from inside the fee band to 60% off the pool's
// price (where the 30% input limit binds), and 0 inside the band.
func TestOptimalIn(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			p := c.build(t)
			checked := 0
			for range 300 {
				i, j := r.IntN(p.n), r.IntN(p.n)
				if i == j {
					continue
				}
				amt := fraction(&p.balances[i], 0.2*r.Float64())
				if _, err := p.Swap(i, j, &amt); err != nil {
					continue
				}
				marginal := p.SpotPrice(i, j) * (1 - p.FeeRate())
				price := marginal * math.Exp(-math.Pow(r.Float64(), 3))
				if r.IntN(8) == 0 {
					price = marginal * 1.0001
				}
				profit := func(a float64) float64 {
					out, ok := p.EstimateOut(i, j, a)
					if !ok {
						return math.Inf(-1)
					}
					return out - price*a
				}
				a := p.OptimalIn(i, j, price)
				if price >= marginal {
					if a != 0 {
						t.Fatalf("%d→%d price %g above the marginal %g: OptimalIn %g", i, j, price, marginal, a)
					}
					continue
				}
				h := p.balances[i].Float64()
				best := math.Exp(cfmmtest.GoldenMax(func(l float64) float64 { return profit(math.Exp(l)) }, math.Log(h*1e-15), math.Log(h)))
				got, want := profit(a), profit(best)
				// EstimateOut floors a and rounds the fee up to raw units,
				// so the profit is a sawtooth up to two units of input
				// (2·price) around the smooth curve the closed form
				// maximizes; PowUp's margin is not in it either: 1e-9 of
				// the profit and a few units.
				tol := 1e-9*math.Abs(want) + 2*price + 4
				if !(got >= want-tol) {
					t.Fatalf("%d→%d price %g (marginal %g): OptimalIn %g earns %g, search %g earns %g", i, j, price, marginal, a, got, best, want)
				}
				checked++
			}
			if checked < 50 {
				t.Fatalf("only %d optima checked", checked)
			}
		})
	}
}
