package agent

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// TestNoiseTraderResetPCGSameTrades checks that a noise trader drawing
// from its generator directly (ResetPCG) sends the trades it sends through
// rand.Rand (Reset): the same counts, volumes and pool state after every
// step, at rates on both sides of the Poisson method's switch at 10, and
// that the two generators end in the same state.
func TestNoiseTraderResetPCGSameTrades(t *testing.T) {
	for _, rate := range []float64{0.3, 2.08, 9.5, 10, 25} {
		ma, mb := testMarket(t, 2000, 30), testMarket(t, 2000, 30)
		a := &NoiseTrader{Venue: 0, Rate: rate, Median: 2000, Dispersion: 1.5}
		b := &NoiseTrader{Venue: 0, Rate: rate, Median: 2000, Dispersion: 1.5}
		var pa, pb rand.PCG
		pa.Seed(5, uint64(rate*100))
		pb.Seed(5, uint64(rate*100))
		a.Reset(ma, rand.New(&pa))
		b.ResetPCG(mb, rand.New(&pb), &pb)
		if !b.direct || b.own != (rate < 10 && !is32bit) {
			t.Fatalf("rate %g: ResetPCG did not take the generator (direct %v, own %v)", rate, b.direct, b.own)
		}
		oa, ob := make([]float64, 2), make([]float64, 2)
		ha, hb := make([]uint256.Int, 2), make([]uint256.Int, 2)
		for step := 1; step <= 3000; step++ {
			ma.Step, mb.Step = step, step
			a.Act(ma)
			b.Act(mb)
			a.Observe(ma, oa)
			b.Observe(mb, ob)
			ma.Venues[0].Pool.LPHoldings(ha)
			mb.Venues[0].Pool.LPHoldings(hb)
			if oa[0] != ob[0] || oa[1] != ob[1] || ha[0] != hb[0] || ha[1] != hb[1] || a.failed != b.failed {
				t.Fatalf("rate %g, step %d: through rand %v (pool %v), direct %v (pool %v)", rate, step, oa, ha, ob, hb)
			}
		}
		if oa[1] == 0 {
			t.Fatalf("rate %g: no trades", rate)
		}
		if pa != pb {
			t.Fatalf("rate %g: the generators ended in different states", rate)
		}
	}
}
