package examples_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

// runResults runs a scenario file into a results directory and reads its
// runs back, with each scalar metric's column by name.
func runResults(t *testing.T, file string) (map[string]int, []results.Run) {
	t.Helper()
	f, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := experiment.Run(context.Background(), f, experiment.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	layout, runs, err := results.ReadRuns(dir)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for k, c := range layout.Scalars {
		col[c.Name] = k
	}
	return col, runs
}

// pairedArms runs a scenario file and returns, for each metric named, the
// per-run values of two compare arms, paired by run index.
func pairedArms(t *testing.T, file, a, b string, metrics ...string) map[string][2][]float64 {
	t.Helper()
	col, runs := runResults(t, file)
	out := map[string][2][]float64{}
	for _, name := range metrics {
		k, ok := col[name]
		if !ok {
			t.Fatalf("no metric %s", name)
		}
		var pair [2][]float64
		for side, arm := range []string{a, b} {
			byRun := map[int]float64{}
			for _, r := range runs {
				if r.Arm == arm {
					byRun[r.Run] = r.Scalars[k]
				}
			}
			pair[side] = make([]float64, len(byRun))
			for run, v := range byRun {
				pair[side][run] = v
			}
		}
		if len(pair[0]) == 0 || len(pair[0]) != len(pair[1]) {
			t.Fatalf("%s: %d runs in %s, %d in %s", name, len(pair[0]), a, len(pair[1]), b)
		}
		out[name] = pair
	}
	return out
}

// pairedDiff returns the mean of b − a over paired runs and its 95%
// half-width, 1.96 standard errors of the mean difference.
func pairedDiff(p [2][]float64) (mean, half float64) {
	n := float64(len(p[0]))
	for k := range p[0] {
		mean += (p[1][k] - p[0][k]) / n
	}
	var ss float64
	for k := range p[0] {
		d := p[1][k] - p[0][k] - mean
		ss += d * d
	}
	return mean, 1.96 * math.Sqrt(ss/(n-1)/n)
}

// examples/stablecoin_run.yaml, the psm arm against no_psm, paired by run
// (the same USDC paths and holders), each claim a 95% interval from the
// standard error at the file's 60 runs that excludes zero:
//   - the PSM passes USDC's fall on to DAI: DAI's worst deviation and its
//     time below the 1% band are larger with the PSM than without;
//   - its headroom drains: USDC flows in (the gem grows) and never beyond
//     the 400M ceiling;
//   - the ceiling caps the transmission: with the PSM, DAI ends above
//     USDC's price (paired within the arm).
func TestStablecoinRunPSM(t *testing.T) {
	names := []string{"dai_peg.peg", "dai_peg.max_peg_deviation", "dai_peg.time_below_peg", "psm.balance_USDC", "USDC.price", "holders.recovered", "news.recovered"}
	d := pairedArms(t, "stablecoin_run.yaml", "no_psm", "psm", names...)
	for _, name := range names {
		mu, half := pairedDiff(d[name])
		t.Logf("%s: psm − no_psm = %.4g ± %.4g", name, mu, half)
	}
	for _, name := range []string{"dai_peg.max_peg_deviation", "dai_peg.time_below_peg"} {
		if mu, half := pairedDiff(d[name]); mu-half <= 0 {
			t.Errorf("%s: psm − no_psm = %.4g ± %.4g, want a rise whose interval excludes zero", name, mu, half)
		}
	}
	const gem0, ceiling = 300e6, 400e6
	psmGem := d["psm.balance_USDC"][1]
	start := make([]float64, len(psmGem))
	for k := range start {
		start[k] = gem0
	}
	if mu, half := pairedDiff([2][]float64{start, psmGem}); mu-half <= 0 {
		t.Errorf("PSM gem grows by %.4g ± %.4g, want inflows whose interval excludes zero", mu, half)
	}
	for k, g := range psmGem {
		if g > ceiling {
			t.Errorf("run %d: the PSM holds %.0f USDC, above its %.0f ceiling", k, g, float64(ceiling))
		}
	}
	gap, half := pairedDiff([2][]float64{d["USDC.price"][1], d["dai_peg.peg"][1]})
	t.Logf("psm arm: DAI − USDC at the end = %.4f ± %.4f", gap, half)
	if gap-half <= 0 {
		t.Errorf("psm arm: DAI ends %.4f ± %.4f above USDC, want a gap whose interval excludes zero (the ceiling caps the transmission)", gap, half)
	}
}
