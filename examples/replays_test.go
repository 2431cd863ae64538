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
// DAI of bad debt, a tenth of the debt auctioned. (Agents act in a shuffled
// order; with the listed order the figures differ by a few takes and about
// 10% of bad debt.)
// Compound's positions are liquidated in many small steps (a 50% close
// factor, 8% incentive, a liquidator back within the hour), and none ends
// with bad debt.
func TestBlackThursdayHeadlines(t *testing.T) {
	got, _ := replay(t, "black_thursday.yaml", 3, 2)
	pin(t, got, map[string][]float64{
		"mkr.liquidations":      {85, 95, 95},
		"mkr.takes":             {87, 96, 98},
		"mkr.zero_bids":         {2, 0, 2},
		"mkr.underpriced_takes": {9, 8, 13},
		"mkr.bad_debt":          {98931.13075791071, 92104.90201173771, 114127.61642532381},
		"comp.liquidations":     {349, 340, 334},
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
// few tens of millions of UST: about 3.6–3.8 billion UST burnt of 14
// billion held, the UST supply falling from 18.5 to about 14.8 billion.
// Each dollar redeemed mints a dollar of LUNA at the recorded price, which
// falls from 79 to 0.115 on 13 May and 0.000115 on 14 May: LUNA's supply
// grows from 350 million to about 38 billion, 105–110-fold, most of it
// minted on the last day. (Agents act in a shuffled order: in the steps
// where the arbitrageur acts after the holders, they find the LUNA pool as
// their own sales left it and redeem less that hour; with the listed order
// — arbitrageur always first — 4.39 billion were burnt and LUNA's supply
// grew 95-fold.) (The chain's supply reached trillions: its price fell within
// the day, which daily closes cannot show.)
func TestTerraHeadlines(t *testing.T) {
	got, _ := replay(t, "terra.yaml", 3, 2)
	pin(t, got, map[string][]float64{
		"market.luna_supply":       {3.763209143082131e+10, 3.860868824646924e+10, 3.79851117855264e+10},
		"market.supply_growth":     {106.52026123091804, 109.31053784705497, 107.52889081578971},
		"market.redeemed":          {3.749419410150867e+09, 3.573365569272954e+09, 3.778744513031525e+09},
		"market.stablecoin_supply": {1.4750580589849133e+10, 1.4926634430727045e+10, 1.4721255486968475e+10},
	})
}
