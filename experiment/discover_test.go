package experiment

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/boundary"
	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/sensitivity"
	"github.com/cascade-risk/cascade/world"
	"gonum.org/v1/gonum/stat/distuv"
)

func loadDiscover(t *testing.T, src string) *scenario.File {
	t.Helper()
	f, err := scenario.LoadBytes("discover.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const ishigamiScenario = `name: ishigami
horizon: 1d
step: 1d
runs: 1
seed: 1
numeraire: USD
assets: {USD: {decimals: 6}}
agents:
  f: {type: test_function, function: ishigami}
discover:
  design: saltelli
  samples: 1024
  confidence: 99%
  parameters:
    agents.f.x1: {from: -3.141592653589793, to: 3.141592653589793}
    agents.f.x2: {from: -3.141592653589793, to: 3.141592653589793}
    agents.f.x3: {from: -3.141592653589793, to: 3.141592653589793}
`

// TestDiscoverIshigami runs the Ishigami function as a scenario (a
// test_function agent, one run per point) through cascade discover's path:
// the analytic first-order and total indices lie within the 99% bootstrap
// intervals, and the ranking by total index is x1, x2, x3.
func TestDiscoverIshigami(t *testing.T) {
	res, err := Discover(context.Background(), loadDiscover(t, ishigamiScenario), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sobol) != 1 || res.Sobol[0].Result == nil {
		t.Fatalf("Sobol reports %+v", res.Sobol)
	}
	first, total := sensitivity.IshigamiIndices(7, 0.1)
	for i, ix := range res.Sobol[0].Result.Indices {
		t.Logf("%s: S=%.4f [%.4f, %.4f] (analytic %.4f)  ST=%.4f [%.4f, %.4f] (analytic %.4f)",
			ix.Name, ix.First, ix.FirstLo, ix.FirstHi, first[i], ix.Total, ix.TotalLo, ix.TotalHi, total[i])
		if first[i] < ix.FirstLo || first[i] > ix.FirstHi || total[i] < ix.TotalLo || total[i] > ix.TotalHi {
			t.Errorf("%s: analytic indices outside the intervals", ix.Name)
		}
	}
	ranked := res.Sobol[0].Result.Ranked()
	if ranked[0].Name != "agents.f.x1" || ranked[1].Name != "agents.f.x2" || ranked[2].Name != "agents.f.x3" {
		t.Errorf("ranking %v", ranked)
	}
	if res.Simulations != 1024*5 {
		t.Errorf("%d simulations, want %d", res.Simulations, 1024*5)
	}
}

// TestDiscoverMorris ranks the g-function's inputs (a = 0, 1, 4.5, 9, 99:
// importance falls with a) through the scenario path.
func TestDiscoverMorris(t *testing.T) {
	src := `name: g
horizon: 1d
step: 1d
runs: 1
numeraire: USD
assets: {USD: {decimals: 6}}
agents:
  g: {type: test_function, function: g_function}
discover:
  design: morris
  samples: 40
  levels: 4
  parameters:
    agents.g.x1: {from: 0, to: 1}
    agents.g.x2: {from: 0, to: 1}
    agents.g.x3: {from: 0, to: 1}
    agents.g.x4: {from: 0, to: 1}
    agents.g.x5: {from: 0, to: 1}
`
	res, err := Discover(context.Background(), loadDiscover(t, src), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for k, e := range res.Morris[0].Result.Ranked() {
		t.Logf("%s μ*=%.3f [%.3f, %.3f] σ=%.3f", e.Name, e.MuStar, e.MuStarLo, e.MuStarHi, e.Sigma)
		if want := "agents.g.x" + string(rune('1'+k)); e.Name != want {
			t.Errorf("rank %d: %s, want %s", k, e.Name, want)
		}
	}
}

const loanScenario = `name: loan_boundary
horizon: 1d
step: 1d
runs: 20
seed: 3
numeraire: USD
assets: {USD: {decimals: 6}}
agents:
  loan: {type: test_function, function: loan_default, slash: 0%, collateral_ratio: 150%, liquidation_ratio: 125%, volatility: 10%}
regions:
  solvent: [{metric: loan.value, above: 0}]
discover:
  parameters:
    agents.loan.slash: {from: 0%, to: 50%}
    agents.loan.collateral_ratio: {from: 160%, to: 260%}
  safe: solvent
`

// failProb is the loan model's closed-form probability of default (see
// world.LoanMargin) with liquidation ratio 1.25 and volatility 10%.
func failProb(s, cr float64) float64 {
	const lr, vol = 1.25, 0.1
	return distuv.UnitNormal.CDF((math.Log(lr/(cr*(1-s))) + vol*vol/2) / vol)
}

// slashAt is the slash at which failProb equals p.
func slashAt(p, cr float64) float64 {
	const lr, vol = 1.25, 0.1
	return 1 - lr/cr*math.Exp(vol*vol/2-vol*distuv.UnitNormal.Quantile(p))
}

// TestDiscoverBoundaryLoan: the adaptive search finds the staking loans'
// default boundary, known in closed form, within a stated tolerance, for
// at least 10× fewer simulations than a grid of the same resolution, and
// the certified-safe box's bound holds on an independent validation run.
func TestDiscoverBoundaryLoan(t *testing.T) {
	const p0, maxRuns, res128 = 0.05, 2000, 128
	src := loanScenario + "  boundary: {along: agents.loan.slash, max_failure: 5%, resolution: 128, lines: 8, max_runs: 2000, batch: 20}\n"
	f := loadDiscover(t, src)
	res, err := Discover(context.Background(), f, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Boundary
	// Tolerance. Undecided points count as unsafe, so a line's last safe
	// value lies between the slash where a Safe verdict at max_runs stops
	// being likely and the true boundary s*(p0). The former is where p is
	// three binomial standard errors (at max_runs) below the largest p the
	// test can still prove safe; the bracket adds one grid step.
	test := boundary.Test{P0: p0, Alpha: 0.05, Batch: 20, MaxRuns: maxRuns}
	conf := 1 - test.Alpha/float64(test.Looks())
	pSafe := 0.0 // the largest p whose expected failure count is proved safe at max_runs
	for k := 0; k < maxRuns; k++ {
		if boundary.UpperBound(k, maxRuns, conf) >= p0 {
			break
		}
		pSafe = float64(k) / maxRuns
	}
	pLow := pSafe - 3*math.Sqrt(pSafe*(1-pSafe)/maxRuns)
	step := 0.5 / (res128 - 1)
	for _, l := range b.Lines {
		var cr float64
		if _, err := fmtSscan(l.Others[0], &cr); err != nil {
			t.Fatal(err)
		}
		sStar, sLow := slashAt(p0, cr/100), slashAt(pLow, cr/100)
		est := l.Estimate / 100
		t.Logf("CR %.4g%%: boundary %.4f ± %.4f; closed form s*(5%%) = %.4f, tolerance [%.4f, %.4f]", cr, est, l.HalfWidth/100, sStar, sLow-step, sStar+step)
		if l.Outcome != "crossing" || est < sLow-step || est > sStar+step {
			t.Errorf("CR %.4g%%: boundary %.4f outside [%.4f, %.4f]", cr, est, sLow-step, sStar+step)
		}
	}
	total := b.Simulations + b.CertifySimulations
	t.Logf("adaptive: %d points, %d simulations (+%d to certify, %d in all); grid of the same resolution: %d points × %d runs = %d simulations: %.1f× more",
		b.Points, b.Simulations, b.CertifySimulations, total, b.GridPoints, maxRuns, b.GridSimulations, float64(b.GridSimulations)/float64(total))
	if b.GridSimulations < 10*total {
		t.Errorf("grid %d simulations is less than 10× the search's %d", b.GridSimulations, total)
	}
	// The same sequential test at every grid point (rather than max_runs
	// everywhere) would cost, with the closed-form failure probabilities:
	seqGrid := sequentialGridCost(t, res, test, res128)
	t.Logf("a grid running the same sequential test at each of its %d points: about %d simulations (%.1f× the search)", b.GridPoints, seqGrid, float64(seqGrid)/float64(b.Simulations))

	box := b.Box
	if box == nil {
		t.Fatal("no certified box")
	}
	t.Logf("certified: %s; bound %.4f", box.Describe, box.Bound)
	// The bound holds: at each line's box edge (its worst point under the
	// monotonicity the model has), the closed-form probability is below it,
	// and an independent run (another seed, 4000 runs) observes a failure
	// rate whose lower 99.9% Clopper–Pearson bound stays below it.
	var pts []scenario.DiscoverPoint
	for _, l := range b.Lines {
		var cr float64
		fmtSscan(l.Others[0], &cr)
		pts = append(pts, scenario.DiscoverPoint{box.Hi, cr})
	}
	// Lines carry rounded labels; take the exact values from the points.
	pts = pts[:0]
	for _, p := range res.Points[len(res.Points)-len(b.Lines):] {
		pts = append(pts, scenario.DiscoverPoint{p.Values[0], p.Values[1]})
	}
	fails := validate(t, f, pts, 4000, 99)
	for k, p := range pts {
		exact := failProb(p[0]/100, p[1]/100)
		lo := boundary.LowerBound(fails[k], 4000, 0.999)
		t.Logf("edge %.4g%% × %.4g%%: closed-form p %.4f, validation %d/4000 (lower bound %.4f), certified ≤ %.4f", p[0], p[1], exact, fails[k], lo, box.Bound)
		if exact > box.Bound || lo > box.Bound {
			t.Errorf("the certified bound %.4f does not hold at %v", box.Bound, p)
		}
	}
}

// validate runs the points with another seed and counts failures (loan
// margin ≤ 0) among runs runs.
func validate(t *testing.T, f *scenario.File, pts []scenario.DiscoverPoint, runs int, seed uint64) []int {
	t.Helper()
	g, err := f.WithPoints(pts, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := world.Compile(g)
	if err != nil {
		t.Fatal(err)
	}
	fails := make([]int, len(pts))
	err = engine.Run(context.Background(), m, engine.Config{Runs: runs, Seed: seed, Workers: 2}, func(o *engine.Outcome) error {
		if !(o.Scalars[0] > 0) {
			fails[o.Cell]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fails
}

// sequentialGridCost simulates, with Bernoulli draws at the closed-form
// failure probabilities, the runs a full grid would spend running the
// search's sequential test at every grid value of every line.
func sequentialGridCost(t *testing.T, res *DiscoverResult, test boundary.Test, r int) int {
	t.Helper()
	rng := newTestRNG()
	total := 0
	for _, l := range res.Boundary.Lines {
		var cr float64
		fmtSscan(l.Others[0], &cr)
		for i := range r {
			p := failProb(0.5*float64(i)/float64(r-1), cr/100)
			var pt boundary.Point
			for n := pt.NextRuns(test); n > 0; n = pt.NextRuns(test) {
				k := 0
				for range n {
					if rng.Float64() < p {
						k++
					}
				}
				pt.Add(test, k, n)
			}
			total += pt.Runs
		}
	}
	return total
}

// TestDiscoverDesignDeterministic: an LHS design with a stochastic metric
// gives the same report whatever the worker count, and PRIM and CART
// describe where the loans are insolvent on average.
func TestDiscoverDesignDeterministic(t *testing.T) {
	src := strings.Replace(loanScenario, "  safe: solvent\n", "  safe: solvent\n  design: lhs\n  samples: 200\n", 1)
	var reports [][]byte
	for _, w := range []int{1, 3} {
		res, err := Discover(context.Background(), loadDiscover(t, src), Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, mustJSON(t, res.Report()))
		if w == 1 {
			var sb strings.Builder
			res.Summary(&sb)
			t.Log("\n" + sb.String())
			if len(res.Boxes) == 0 || res.Boxes[0].Method != "prim" {
				t.Fatalf("boxes %+v", res.Boxes)
			}
			if !strings.Contains(sb.String(), "cascade trace discover.yaml --set agents.loan.slash=") {
				t.Error("summary lacks the replay command")
			}
			checkReplay(t, src, res)
		}
	}
	if string(reports[0]) != string(reports[1]) {
		t.Error("reports differ between 1 and 3 workers")
	}
}

func TestDiscoverErrors(t *testing.T) {
	f := loadDiscover(t, strings.Replace(loanScenario, "discover:", "compare: {a: {}, b: {}}\ndiscover:", 1)+
		"  boundary: {along: agents.loan.slash, max_failure: 5%}\n")
	if _, err := Discover(context.Background(), f, Options{}); err == nil || !strings.Contains(err.Error(), "one policy at a time") {
		t.Errorf("compare with boundary: %v", err)
	}
	plain := loadDiscover(t, strings.Split(loanScenario, "discover:")[0])
	if _, err := Discover(context.Background(), plain, Options{}); err == nil || !strings.Contains(err.Error(), "no discover: block") {
		t.Errorf("no block: %v", err)
	}
}

// checkReplay loads the file as cascade trace would, with the
// counterexample's values set, and checks that its run K is the same run:
// same seed, same value of the broken metric.
func checkReplay(t *testing.T, src string, res *DiscoverResult) {
	t.Helper()
	if len(res.Counterexamples) == 0 {
		t.Fatal("no counterexamples")
	}
	for _, c := range res.Counterexamples[:3] {
		var ov []scenario.Override
		for k, p := range res.Discover.Parameters {
			ov = append(ov, scenario.Override{Path: p.Name, Value: c.Labels[k]})
		}
		f, err := scenario.LoadBytes("discover.yaml", []byte(src), ov...)
		if err != nil {
			t.Fatal(err)
		}
		m, err := world.Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for j, d := range m.Metrics {
			if d.FullName == c.Condition {
				k = j
			}
		}
		found := false
		err = engine.Run(context.Background(), m, engine.Config{Runs: c.Run + 1, Seed: res.Seed, Workers: 1}, func(o *engine.Outcome) error {
			if o.Cell == 0 && o.Run == c.Run {
				found = true
				if o.Seed != c.Seed || o.Scalars[k] != c.Value {
					t.Errorf("replay of point %d run %d: seed %d value %g, want seed %d value %g", c.Point, c.Run, o.Seed, o.Scalars[k], c.Seed, c.Value)
				}
			}
			return nil
		})
		if err != nil || !found {
			t.Fatalf("replay: %v (found %v)", err, found)
		}
	}
}
