package examples_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/world"
)

// TestStakingGenesisShortfallScaled runs testdata/genesis_shortfall.yaml
// (pos_study's economy at a 300% collateral ratio), whose run 62 draws
// endowments beyond the chain's float and stopped the whole run at commit
// 5a91726. Now every run completes: run 62's genesis is scaled (its
// chain.genesis_scale below 1, the endowments each that fraction of the
// draws), every other run's is not (exactly 1), and a scaled run leaves
// nothing behind in the simulator its worker reuses: runs 60 to 65 give
// the same numbers, bit for bit, in one batch on one worker and each
// alone.
func TestStakingGenesisShortfallScaled(t *testing.T) {
	f, err := scenario.Load("testdata/genesis_shortfall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := world.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	scale := slices.IndexFunc(m.Metrics, func(d world.Metric) bool { return d.FullName == "chain.genesis_scale" })
	if scale < 0 {
		t.Fatal("no metric chain.genesis_scale")
	}
	seed := f.Cells[0].Scenario.Seed
	run := func(cfg engine.Config) map[int][]uint64 {
		t.Helper()
		got := map[int][]uint64{}
		cfg.Seed = seed
		err := engine.Run(context.Background(), m, cfg, func(o *engine.Outcome) error {
			b := make([]uint64, len(o.Scalars))
			for k, x := range o.Scalars {
				b[k] = math.Float64bits(x)
			}
			got[o.Run] = b
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	all := run(engine.Config{Runs: 100, Workers: 2})
	var scaled []int
	for r := range 100 {
		g := math.Float64frombits(all[r][scale])
		switch {
		case g == 1:
		case g > 0.9 && g < 1:
			scaled = append(scaled, r)
			t.Logf("run %d: genesis scaled by %.6f", r, g)
		default:
			t.Errorf("run %d: genesis_scale %g", r, g)
		}
	}
	if !slices.Equal(scaled, []int{62}) {
		t.Errorf("scaled runs %v, want [62] (the run that stopped the study before)", scaled)
	}
	batch := run(engine.Config{Runs: 6, FirstRun: 60, Workers: 1})
	for r := 60; r < 66; r++ {
		alone := run(engine.Config{Runs: 1, FirstRun: r, Workers: 1})
		if !slices.Equal(alone[r], batch[r]) || !slices.Equal(alone[r], all[r]) {
			t.Errorf("run %d differs between a batch and alone", r)
		}
	}
}
