package world

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/spiral"
)

// Table 3.1's setting as a scenario: ETH replays 85, 83, 82, 81; constant
// demand D = 100; L0 = D·r̂; n0 = 1.8 ETH; a risk-neutral speculator with
// constant r̂ = 1.00583 per day.
const table31Scenario = `
name: table31
horizon: 3d
step: 1d
sample_every: 1d
runs: 8
numeraire: USD
assets:
  ETH: {decimals: 18}
  USD: {decimals: 6}
processes:
  eth: {type: replay, asset: ETH, file: km_table3_1_eth.csv, column: eth_usd}
mechanisms:
  dai:
    type: spiral
    collateral: ETH
    collateral_amount: 1.8
    supply: 100.583
    liquidation_ratio: 150%
    demand: 100
agents:
  speculator: {type: spiral_speculator, market: dai, expected_return: 0.583%/day}
`

func readTable(t *testing.T, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]int{}
	for i, h := range recs[0] {
		hdr[h] = i
	}
	return hdr, recs[1:]
}

// TestSpiralTable31Scenario reproduces Table 3.1 through the scenario path:
// load, compile, run on the engine, read the recorded series. The path is
// deterministic, so the runs' standard error is zero (checked: every run
// records the same series, bit for bit), and the tolerance is the table's printed
// precision plus four standard errors: Δ and L within 0.01, pD and n
// within 0.002, as in the spiral package's own test.
func TestSpiralTable31Scenario(t *testing.T) {
	f, err := scenario.LoadBytes("testdata/table31.yaml", []byte(table31Scenario))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]int{}
	for _, name := range []string{"dai.supply", "dai.price", "dai.collateral", "dai.failed", "speculator.binding_time"} {
		cols[name] = metricIndex(t, m, name)
	}
	var series [][][]float64 // run, metric, sample
	err = engine.Run(context.Background(), m, engine.Config{Runs: 8, Seed: 1, Workers: 2}, func(o *engine.Outcome) error {
		var s [][]float64
		for _, x := range o.Series {
			s = append(s, append([]float64(nil), x...))
		}
		series = append(series, s)
		if o.Scalars[cols["dai.failed"]] != 0 || o.Scalars[cols["speculator.binding_time"]] != 3 {
			return fmt.Errorf("run %d: failed %v, binding %v days, want 0 and 3", o.Run, o.Scalars[cols["dai.failed"]], o.Scalars[cols["speculator.binding_time"]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hdr, rows := readTable(t, "testdata/km_table3_1_deleveraging_spiral.csv")
	num := func(row []string, col string) float64 {
		v, err := strconv.ParseFloat(strings.TrimSpace(row[hdr[col]]), 64)
		if err != nil {
			t.Fatalf("table %s: %v", col, err)
		}
		return v
	}
	for k, row := range rows {
		for _, c := range []struct {
			metric, col string
			tol         float64
		}{{"dai.supply", "L", 0.01}, {"dai.price", "pD", 0.002}, {"dai.collateral", "n", 0.002}} {
			var sum, ss float64
			for _, run := range series {
				sum += run[cols[c.metric]][k]
			}
			n := float64(len(series))
			mean := sum / n
			for _, run := range series {
				d := run[cols[c.metric]][k] - mean
				ss += d * d
			}
			se := math.Sqrt(ss / (n - 1) / n)
			if want := num(row, c.col); math.Abs(mean-want) > c.tol+4*se {
				t.Errorf("t=%d %s: %.5f ± %.2g, table %v", k, c.col, mean, se, want)
			}
			for r, run := range series {
				if run[cols[c.metric]][k] != series[0][cols[c.metric]][k] {
					t.Errorf("t=%d %s: run %d differs from run 0 on a deterministic path", k, c.col, r)
				}
			}
		}
		if k > 0 {
			delta := series[0][cols["dai.supply"]][k] - series[0][cols["dai.supply"]][k-1]
			if want := num(row, "Delta"); math.Abs(delta-want) > 0.01 {
				t.Errorf("t=%d Δ %.4f, table %v", k, delta, want)
			}
		}
	}
}

// One step of Student-t ETH returns (ν = 3, 5%/day) from n0 = 150 ETH at
// $1 against L0 = D = 100: under constant demand the liquidation constraint
// is infeasible exactly when n·pE < 2√(βLD) − D (spiral's
// TestInfeasibleThreshold), so the failure probability is the t CDF at the
// critical log return. The estimate is the failed fraction over the runs;
// the tolerance is four binomial standard errors.
func TestSpiralFailureProbability(t *testing.T) {
	const runs = 4000
	src := `
name: onestep
horizon: 1d
step: 1d
numeraire: USD
assets:
  ETH: {decimals: 18}
  USD: {decimals: 6}
processes:
  eth: {type: student_t, asset: ETH, initial: 1, volatility: 5%/day, dof: 3}
mechanisms:
  dai: {type: spiral, collateral: ETH, collateral_amount: 150, supply: 100, liquidation_ratio: 150%, demand: 100}
agents:
  speculator: {type: spiral_speculator, market: dai, risk: var_normal, level: 10%, volatility: 5%/day}
metrics: [dai.failed, dai.infeasible]
`
	m := compile(t, src)
	failed := metricIndex(t, m, "dai.failed")
	var n, hits float64
	for _, row := range runAll(t, m, runs, 2, 7) {
		n++
		hits += row[failed]
	}
	// X = drift + σ·√((ν−2)/ν)·T, T ~ t₃, whose CDF is
	// F(t) = ½ + (1/π)·(t/(√3·(1 + t²/3)) + atan(t/√3)).
	crit := math.Log((2*math.Sqrt(1.5*100*100) - 100) / 150)
	tc := crit / (0.05 * math.Sqrt(1.0/3))
	p := 0.5 + (tc/(math.Sqrt(3)*(1+tc*tc/3))+math.Atan(tc/math.Sqrt(3)))/math.Pi
	got := hits / n
	se := math.Sqrt(p * (1 - p) / n)
	t.Logf("one-step failure probability %.4f, exact %.4f (SE %.4f)", got, p, se)
	if math.Abs(got-p) > 4*se {
		t.Errorf("failure probability %.4f, exact %.4f ± 4×%.4f", got, p, se)
	}
}

// With ample collateral the constraint never binds, and the supply follows
// Theorem 3.1's closed form L_t = D·r̂^((2^t−1)/2^t) on every path,
// whatever ETH does.
func TestSpiralTheorem31Scenario(t *testing.T) {
	src := `
name: thm31
horizon: 30d
step: 1d
sample_every: 1d
numeraire: USD
assets:
  ETH: {decimals: 18}
  USD: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 1, volatility: 3%/day}
mechanisms:
  dai: {type: spiral, collateral: ETH, collateral_amount: 400, supply: 100, liquidation_ratio: 150%, demand: 100}
agents:
  speculator: {type: spiral_speculator, market: dai, expected_return: 0.583%/day}
metrics: [dai.supply, speculator.binding_time]
`
	m := compile(t, src)
	supply, binding := metricIndex(t, m, "dai.supply"), metricIndex(t, m, "speculator.binding_time")
	scalars := len(m.Metrics)
	for r, row := range runAll(t, m, 20, 2, 3) {
		if row[binding] != 0 {
			t.Fatalf("run %d: constraint bound", r)
		}
		path := row[scalars+supply*31 : scalars+supply*31+31]
		for k, l := range path {
			if want := spiral.SupplyPath(100, 1.00583, k); math.Abs(l-want) > 1e-9 {
				t.Errorf("run %d t=%d: L %.12g, Theorem 3.1 %.12g", r, k, l, want)
			}
		}
	}
}

// Bad parameters are reported at their line and column.
func TestSpiralErrors(t *testing.T) {
	base := strings.Replace(table31Scenario, "km_table3_1_eth.csv", "testdata/km_table3_1_eth.csv", 1)
	for _, c := range []struct{ from, to, want string }{
		{"liquidation_ratio: 150%", "liquidation_ratio: 90%", "test.yaml:19:24: mechanisms.dai.liquidation_ratio: expected a liquidation ratio above 100%"},
		{"demand: 100", "demand: 100\n    demand_share: 10%", "give demand (constant dollars) or demand_share"},
		{"collateral: ETH", "collateral: ETC", `unknown asset "ETC"`},
		{"market: dai,", "market: eth,", `unknown mechanism "eth"`},
		{"expected_return: 0.583%/day}", "risk: var_normal, level: 60%}", "expected a VaR level from above 0 to below 50%"},
		{"expected_return: 0.583%/day}", "risk: cautious}", "expected none, var_normal, var_heavy or power"},
		{"expected_return: 0.583%/day}", "risk: power, alpha: 0.01, exponent: -0.25}", "anticyclical constraint (exponent < 0) needs a starting volatility"},
	} {
		src := strings.Replace(base, c.from, c.to, 1)
		f, err := scenario.LoadBytes("test.yaml", []byte(src))
		if err == nil {
			_, err = Compile(f)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: got %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

// Wealth-share demand (the paper's general model): holders keep w^D of
// their wealth in coins. The run's identities are checked every step; at
// the start the price clears the market with no supply change,
// pD = w·n̄·pE/((1 − w)·L); and a slack, risk-neutral speculator with
// constant r̂ moves the supply by Prop. 3.2's Δ* = y + √(−y·r̂·x).
func TestSpiralWealthShare(t *testing.T) {
	src := `
name: share
horizon: 200d
step: 1d
sample_every: 1d
numeraire: USD
assets:
  ETH: {decimals: 18}
  USD: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, initial: 2, volatility: 3%/day}
mechanisms:
  dai: {type: spiral, collateral: ETH, collateral_amount: 400, supply: 100, liquidation_ratio: 150%, demand_share: 20%, holder_collateral: 250}
agents:
  speculator: {type: spiral_speculator, market: dai, risk: var_normal, level: 5%, volatility: 3%/day}
metrics: [dai.price, dai.supply, dai.failed, speculator.binding_time]
`
	m := compile(t, src)
	price, failed := metricIndex(t, m, "dai.price"), metricIndex(t, m, "dai.failed")
	scalars := len(m.Metrics)
	rows := runAll(t, m, 50, 2, 5)
	for r, row := range rows {
		p0 := row[scalars+price*201]
		if want := 0.2 * 250 * 2 / (0.8 * 100); math.Abs(p0-want) > 1e-12 {
			t.Fatalf("run %d: starting price %v, want %v", r, p0, want)
		}
	}
	var fails float64
	for _, row := range rows {
		fails += row[failed]
	}
	t.Logf("failed in %v of %d runs", fails, len(rows))

	// One slack step by hand: ETH from 2 to 2, r̂ = 1.01.
	sys := spiral.System{Beta: 1.5, Demand: spiral.Demand{Share: 0.2}}
	if err := sys.Open(100, 400, 250, 2, 0); err != nil {
		t.Fatal(err)
	}
	sys.Move(2)
	mk := sys.Market(2)
	sp := spiral.Speculator{Fixed: 1.01, Memory: 0.1}
	d, err := sp.Decide(mk, 1.5)
	if err != nil || sp.Binding {
		t.Fatalf("Δ %v, %v, binding %v", d, err, sp.Binding)
	}
	if want := mk.Y + math.Sqrt(-mk.Y*1.01*mk.X); d != want {
		t.Errorf("Δ %v, Prop. 3.2 %v", d, want)
	}
	if err := sys.Clear(d); err != nil || sys.Check() != nil {
		t.Fatal(err, sys.Check())
	}
	if got, want := sys.PD, mk.X/(d-mk.Y); got != want {
		t.Errorf("pD %v, want x/(Δ − y) = %v", got, want)
	}
}
