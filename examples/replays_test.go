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

// replay runs the first runs paths of an example with the seed its file
// gives and returns every run's scalars, by metric name, and the whole
// outcome (scalars then series) of each run for comparisons.
func replay(t *testing.T, path string, runs, workers int) (map[string][]float64, [][]float64) {
	t.Helper()
	f, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := world.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]float64{}
	var all [][]float64
	err = engine.Run(context.Background(), m, engine.Config{Runs: runs, Seed: f.Cells[0].Scenario.Seed, Workers: workers}, func(o *engine.Outcome) error {
		row := slices.Clone(o.Scalars)
		for _, s := range o.Series {
			row = append(row, s...)
		}
		all = append(all, row)
		for k, d := range m.Metrics {
			byName[d.FullName] = append(byName[d.FullName], o.Scalars[k])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return byName, all
}

// The replays are deterministic: the same seed gives bit-identical scalars
// and series with one worker or two.
func TestReplaysDeterministic(t *testing.T) {
	for _, path := range []string{"black_thursday.yaml", "terra.yaml", "lending_cascade.yaml"} {
		t.Run(path, func(t *testing.T) {
			_, one := replay(t, path, 4, 1)
			_, two := replay(t, path, 4, 2)
			if len(one) != len(two) {
				t.Fatalf("%d runs vs %d", len(one), len(two))
			}
			for r := range one {
				for k := range one[r] {
					a, b := one[r][k], two[r][k]
					if math.Float64bits(a) != math.Float64bits(b) && !(math.IsNaN(a) && math.IsNaN(b)) {
						t.Fatalf("run %d value %d: %v with 1 worker, %v with 2", r, k, a, b)
					}
				}
			}
		})
	}
}

// pin compares the first runs of a replay with the values recorded for
// them. The values are exact: integers, or sums and ratios of the
// protocols' integers converted to float64, identical on every run of the
// same seed.
func pin(t *testing.T, got map[string][]float64, want map[string][]float64) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("no metric %s", name)
			continue
		}
		if !slices.Equal(g[:len(w)], w) {
			t.Errorf("%s = %v, want %v", name, g[:len(w)], w)
		}
	}
}

// Black Thursday, seed 12, the first three runs.
//
// Of the 300 vaults (ratios drawn from 155–400%), those whose ratio falls
// below 150% at the OSM's lowest price of the day (about 126 USD, an hour
// behind the market) are barked: about (2.31 − 1.55)/(4 − 1.55) ≈ 31% of
// them, 85–95. Keeper A (gas cap 100 gwei) takes auctions within minutes,
// 3% below the ETH/DAI pool, until gas passes its cap around noon; keeper
// B (150 gwei, 10% margin) takes the rest, until the afternoon's peak
// (about 14:00–18:00 UTC, 150–200 gwei) keeps it out too. Auctions then
// running fall along their one-hour linear curve and are taken, when gas
// falls back, for less than half the market price (underpriced takes) or
// for nothing at all (zero bids): their debt is not covered, about 100,000
// DAI of bad debt, a tenth of the debt auctioned.
// Compound's positions are liquidated in many small steps (a 50% close
// factor, 8% incentive, a liquidator back within the hour), and none ends
// with bad debt.
func TestBlackThursdayHeadlines(t *testing.T) {
	got, _ := replay(t, "black_thursday.yaml", 3, 2)
	pin(t, got, map[string][]float64{
		"mkr.liquidations":      {85, 95, 95},
		"mkr.takes":             {86, 97, 96},
		"mkr.zero_bids":         {2, 0, 2},
		"mkr.underpriced_takes": {9, 10, 13},
		"mkr.bad_debt":          {110052.19209528917, 98966.6198471969, 123307.93831831322},
		"comp.liquidations":     {351, 343, 334},
		"comp.bad_debt":         {0, 0, 0},
	})
	for k, b := range got["mkr.bad_debt"] {
		if d := got["mkr.liquidated_debt"][k]; !(b > 0.05*d && b < 0.2*d) {
			t.Errorf("run %d: bad debt %v is not a tenth or so of the %v auctioned", k, b, d)
		}
	}
}

// Terra, seed 22, the first three runs.
//
// Holders run as UST passes their depeg thresholds (below 0.99 from 8 May,
// near 0.5 on 11 May) and as the deposit rate falls below what they
// require (from 10 May); they redeem only while selling the LUNA they get
// beats selling UST, so each hour the LUNA pool's depth caps the run at a
// few tens of millions of UST: about 4.39 billion UST burnt of 14 billion
// held, the UST supply falling from 18.5 to 14.1 billion. Each dollar
// redeemed mints a dollar of LUNA at the recorded price, which falls from
// 79 to 0.115 on 13 May and 0.000115 on 14 May: LUNA's supply grows from
// 350 million to about 33.7 billion, 95-fold, most of it minted on the
// last day. (The chain's supply reached trillions: its price fell within
// the day, which daily closes cannot show.)
func TestTerraHeadlines(t *testing.T) {
	got, _ := replay(t, "terra.yaml", 3, 2)
	pin(t, got, map[string][]float64{
		"market.luna_supply":       {3.372137476040678e+10, 3.3721374760406776e+10, 3.3170914486184734e+10},
		"market.supply_growth":     {95.34678502973365, 95.34678502973365, 93.77404138909925},
		"market.redeemed":          {4.388750643004092e+09, 4.388750643004092e+09, 4.389050711591197e+09},
		"market.stablecoin_supply": {1.4111249356995909e+10, 1.4111249356995909e+10, 1.4110949288408804e+10},
	})
}
