package examples_test

import (
	"cmp"
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/world"
)

// armRuns runs an example with overrides and returns each run's scalars by
// arm and metric name; arms share their random numbers run by run, so the
// k-th values of two arms are a pair.
func armRuns(t *testing.T, path string, runs int, overrides ...scenario.Override) map[string]map[string][]float64 {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return armRunsSource(t, path, src, runs, overrides...)
}

// meanCI returns the mean of xs and the half-width of its 95% confidence
// interval from the standard error.
func meanCI(xs []float64) (mean, half float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, 1.96 * math.Sqrt(ss/(n-1)/n)
}

func diff(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for k := range a {
		d[k] = a[k] - b[k]
	}
	return d
}

// TestStakingCascade runs examples/staking_cascade.yaml under its controls
// and pins what survives them.
//
// The channel: the whale, slashed 25% on day 20 at 2.5× leverage, falls
// below the liquidation ratio and is foreclosed at once. The protocol
// liquidates (disposition: liquidate): it sells the seized stake on the
// pool for the synthetic the whale owed — forced buying of the synthetic,
// as when a short is closed. In a shallow pool that raises the synthetic's
// price far above par within the step; collateral is marked at the pool's
// average price (synthetic per native), so every other loan's collateral
// value falls with it. Validators levered close to the collateral ratio
// drop below the liquidation ratio, are foreclosed, and their seized stake
// is sold in turn. In a deep pool the same buyback barely moves the price.
//
// Controls: the follow-on (the validators' foreclosed loans, the whale's
// own excluded) must be above one loan with its 95% CI above zero in the
// shallow arm and below one, CI included, in the deep arm, with agents
// shuffled and listed and with the step halved; the two ablations — the
// collateral marked at par, and the seized stake burned instead of sold —
// must remove it, so it is the mark and the forced buying that carry it,
// not the whale's default alone. The whale defaults in every run of both
// arms, so the arms differ in what follows, not in the trigger.
func TestStakingCascade(t *testing.T) {
	follow := "validators.foreclosed"
	for _, c := range []struct {
		name    string
		set     []scenario.Override
		cascade bool // whether the shallow arm cascades
		runs    int  // 60 unless stated
	}{
		{"shuffled", nil, true, 0},
		{"more runs", nil, true, 240},
		{"listed", []scenario.Override{{Path: "ordering", Value: "listed"}}, true, 0},
		{"half step", []scenario.Override{{Path: "step", Value: "12h"}, {Path: "sample_every", Value: "12h"}}, true, 0},
		{"ablation: mark at par", []scenario.Override{{Path: "mechanisms.chain.mark", Value: "par"}}, false, 0},
		{"ablation: seized stake burned", []scenario.Override{{Path: "mechanisms.chain.loans.disposition", Value: "burn"}}, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			runs := cmp.Or(c.runs, 60)
			r := armRuns(t, "staking_cascade.yaml", runs, c.set...)
			sm, sh := meanCI(r["shallow"][follow])
			dm, dh := meanCI(r["deep"][follow])
			t.Logf("follow-on foreclosures: shallow %.2f ± %.2f, deep %.2f ± %.2f", sm, sh, dm, dh)
			for _, arm := range []string{"shallow", "deep"} {
				if lo := slices.Min(r[arm]["whale.foreclosed"]); lo < 1 {
					t.Errorf("%s arm: a run where the whale did not default", arm)
				}
			}
			if dm+dh >= 1 {
				t.Errorf("deep arm: %.2f ± %.2f follow-on foreclosures, want none", dm, dh)
			}
			switch {
			case c.cascade && (sm <= 1 || sm-sh <= 0):
				t.Errorf("shallow arm: %.2f ± %.2f follow-on foreclosures, want more than one with a CI above zero", sm, sh)
			case !c.cascade && sm+sh >= 1:
				t.Errorf("shallow arm without the channel: %.2f ± %.2f follow-on foreclosures, want none", sm, sh)
			}
		})
	}
}

// armRunsSource is armRuns on scenario source text.
func armRunsSource(t *testing.T, name string, src []byte, runs int, overrides ...scenario.Override) map[string]map[string][]float64 {
	t.Helper()
	f, err := scenario.LoadBytes(name, src, overrides...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := world.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]float64{}
	err = engine.Run(context.Background(), m, engine.Config{Runs: runs, Seed: f.Cells[0].Scenario.Seed, Workers: 2}, func(o *engine.Outcome) error {
		arm := f.Cells[o.Cell].Arm
		if out[arm] == nil {
			out[arm] = map[string][]float64{}
		}
		for k, d := range m.Metrics {
			out[arm][d.FullName] = append(out[arm][d.FullName], o.Scalars[k])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStakingOrderInvariance runs examples/pos_small.yaml with its agents
// listed in two orders — the whale after the validators, as written, and
// before them — and checks that every headline metric's distribution
// agrees: the difference of the two means lies within 3 standard errors
// of the difference (independent samples: the streams follow the listing).
// Three rather than two standard errors because eight metrics are tested
// at once. Agents take their turns in a fresh random order every step, and
// members of a group too, so the listing only relabels streams.
func TestStakingOrderInvariance(t *testing.T) {
	const runs = 80
	src, err := os.ReadFile("pos_small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start := strings.Index(text, "  whale:\n")
	end := strings.Index(text, "  delegators:\n")
	if start < 0 || end < start {
		t.Fatal("pos_small.yaml: no whale block before the delegators")
	}
	whale := text[start:end]
	moved := strings.Replace(strings.Replace(text, whale, "", 1), "agents:\n", "agents:\n"+whale, 1)
	set := []scenario.Override{{Path: "horizon", Value: "180d"}}
	a := armRunsSource(t, "pos_small.yaml", src, runs, set...)[""]
	b := armRunsSource(t, "pos_small_whale_first.yaml", []byte(moved), runs, set...)[""]
	for _, name := range []string{"chain.gini_stake_change", "chain.gini_wealth_change", "chain.foreclosures", "chain.defaults",
		"chain.stake_burned", "chain.staking_ratio", "chain.discount", "chain.sold_share"} {
		ma, ha := meanCI(a[name])
		mb, hb := meanCI(b[name])
		se := math.Hypot(ha, hb) / 1.96
		t.Logf("%-26s as written %.4g ± %.2g, whale first %.4g ± %.2g", name, ma, ha, mb, hb)
		if math.Abs(ma-mb) > 3*se && math.Abs(ma-mb) > 1e-12 {
			t.Errorf("%s: %.4g vs %.4g, %.1f standard errors apart", name, ma, mb, math.Abs(ma-mb)/se)
		}
	}
}

// TestSyntheticDiscountPricesDefaultRisk: with a demand side for the
// synthetic, its pool discount carries the risk of default. The borrowers
// here are naive (they lever to their appetite whatever their slashing
// risk), so raising the share a double sign burns from 5% to 30% leaves
// the supply of synthetic alone and raises defaults; holders value the
// synthetic net of the unbacked share and the default rate, and the mean
// discount at the horizon rises (paired by run, common random numbers: the
// 95% CI of the difference excludes zero).
//
// No constant sets the price: borrowers sell down to their own break-even
// (1 + borrow rate)/(1 + staking yield), not to sell_floor, so a stated
// floor below it — 90% or 95%, which used to be where the price sat —
// changes no run's discount at all.
func TestSyntheticDiscountPricesDefaultRisk(t *testing.T) {
	const runs = 80
	naive := []scenario.Override{{Path: "horizon", Value: "180d"},
		{Path: "agents.validators.risk_awareness", Value: "0"}, {Path: "agents.whale.risk_awareness", Value: "0"}}
	at := func(fraction string, extra ...scenario.Override) map[string][]float64 {
		set := append(append([]scenario.Override{{Path: "mechanisms.chain.slashing.fraction", Value: fraction}}, naive...), extra...)
		return armRuns(t, "pos_small.yaml", runs, set...)[""]
	}
	low, high := at("5%"), at("30%")
	const d = "chain.twap_discount"
	lm, lh := meanCI(low[d])
	hm, hh := meanCI(high[d])
	pm, ph := meanCI(diff(high[d], low[d]))
	t.Logf("discount: 5%% slashing %.4f ± %.4f, 30%% slashing %.4f ± %.4f, paired difference %.4f ± %.4f", lm, lh, hm, hh, pm, ph)
	if !(pm-ph > 0) {
		t.Errorf("raising slashing from 5%% to 30%% changed the discount by %.4f ± %.4f, want a rise with its CI above 0", pm, ph)
	}
	for _, floor := range []string{"90%", "95%"} {
		f := at("5%", scenario.Override{Path: "agents.validators.sell_floor", Value: floor},
			scenario.Override{Path: "agents.whale.sell_floor", Value: floor},
			scenario.Override{Path: "agents.delegators.sell_floor", Value: floor})
		for k := range f[d] {
			if f[d][k] != low[d][k] {
				t.Fatalf("sell_floor %s changed run %d's discount: %v vs %v", floor, k, f[d][k], low[d][k])
			}
		}
	}
}

// TestStakingYieldCompetition sweeps the outside demand for borrowing the
// native token. Once the lending market pays more than staking issues
// (6%/yr), holders — validators as well as delegators — unbond and lend,
// and the staking ratio falls: each step up in demand lowers the mean
// staking ratio (paired by run; the CI of the difference excludes zero),
// and validators lend part of their stake only when lending pays more.
func TestStakingYieldCompetition(t *testing.T) {
	const runs = 30
	at := func(demand string) map[string][]float64 {
		return armRuns(t, "pos_small.yaml", runs, scenario.Override{Path: "horizon", Value: "180d"},
			scenario.Override{Path: "mechanisms.chain.lending.demand", Value: demand},
			scenario.Override{Path: "agents.validators.mobility", Value: "50%"})[""]
	}
	none, some := at("0"), at("2_000_000")
	const ratio = "chain.staking_ratio"
	nm, nh := meanCI(none[ratio])
	sm, sh := meanCI(some[ratio])
	dm, dh := meanCI(diff(none[ratio], some[ratio]))
	t.Logf("staking ratio: no lending demand %.3f ± %.3f, 2M demand %.3f ± %.3f; fall %.3f ± %.3f", nm, nh, sm, sh, dm, dh)
	if !(dm-dh > 0) {
		t.Errorf("lending demand lowered the staking ratio by %.3f ± %.3f, want a fall with its CI above 0", dm, dh)
	}
	if l, _ := meanCI(none["validators.lent_share"]); l != 0 {
		t.Errorf("validators lent %.3f of their stake with no lending demand", l)
	}
	lm, lh := meanCI(some["validators.lent_share"])
	rm, _ := meanCI(some["chain.lending_rate"])
	if !(rm > 0.06 && lm-lh > 0) {
		t.Errorf("lending at %.3f/yr: validators lent %.3f ± %.3f of their stake, want a share above 0", rm, lm, lh)
	}
}

// TestStakingDepositRate: the network as "its own best bank". Outside
// lending demand (1.5M tokens) pulls stake away; the enshrined lender pays
// stakers a deposit rate of 2%/yr, by issuance (a promised rate) or only
// out of its loans' interest. With the lender's halt and rate triggers
// off, so that the deposit is the only difference, the deposit rate paid
// by issuance keeps more stake bonded than none — the paired difference
// of the staking ratio (same random numbers run by run) has its 95% CI
// above zero — and so does the rate paid out of interest, less. With the
// triggers as the study sets them (halt at a 3% pool discount or a 2%
// default rate, +10%/yr at a 2% discount) the difference is logged: the
// deposit raises the staking yield, so borrowers' break-even price and
// the pool falls, the discount trips the triggers more often, levered
// stake shrinks, and the staking ratio gains nothing detectable.
func TestStakingDepositRate(t *testing.T) {
	const runs = 60
	at := func(deposit, from string, triggers bool) map[string][]float64 {
		set := []scenario.Override{{Path: "horizon", Value: "180d"},
			{Path: "mechanisms.chain.lending.demand", Value: "1_500_000"},
			{Path: "agents.validators.mobility", Value: "50%"},
			{Path: "mechanisms.chain.design", Value: "enshrined"},
			{Path: "mechanisms.chain.enshrined.deposit_rate", Value: deposit},
			{Path: "mechanisms.chain.enshrined.deposit_from", Value: from}}
		if !triggers {
			for _, k := range []string{"halt_default_rate", "halt_discount", "raise_discount"} {
				set = append(set, scenario.Override{Path: "mechanisms.chain.enshrined." + k, Value: "0"})
			}
		}
		return armRuns(t, "pos_small.yaml", runs, set...)[""]
	}
	const ratio = "chain.staking_ratio"
	none := at("0%/yr", "interest", false)
	for _, c := range []struct {
		from string
		arm  map[string][]float64
	}{{"issuance", at("2%/yr", "issuance", false)}, {"interest", at("2%/yr", "interest", false)}} {
		m, h := meanCI(diff(c.arm[ratio], none[ratio]))
		p, _ := meanCI(c.arm["chain.deposit_paid"])
		t.Logf("deposit by %s, triggers off: staking ratio %+.4f ± %.4f (paid %.0f tokens)", c.from, m, h, p)
		if !(m-h > 0) || !(p > 0) {
			t.Errorf("deposit by %s: staking ratio %+.4f ± %.4f, paid %.0f; want a rise with its CI above 0", c.from, m, h, p)
		}
	}
	if slices.Max(none["chain.deposit_paid"]) != 0 {
		t.Error("deposits paid with no rate")
	}
	with, without := at("2%/yr", "issuance", true), at("0%/yr", "interest", true)
	m, h := meanCI(diff(with[ratio], without[ratio]))
	l, lh := meanCI(diff(with["validators.leverage"], without["validators.leverage"]))
	t.Logf("deposit by issuance, triggers as set: staking ratio %+.4f ± %.4f, validators' leverage %+.4f ± %.4f", m, h, l, lh)
	if !(l+lh < 0) || m-h > 0 {
		t.Errorf("with the triggers as set the deposit changed leverage by %+.4f ± %.4f and the staking ratio by %+.4f ± %.4f; the comment says leverage falls and the ratio gains nothing detectable", l, lh, m, h)
	}
}

// TestStakingWhaleSlashingEqualizes isolates the podcast's "a large
// validator gets slashed and that increases returns for everybody else":
// examples/pos_small.yaml run as written and with the whale never
// slashed, the same random numbers otherwise. Slashing the largest
// operator lowers the Gini coefficient of stake: the paired difference of
// the Gini change is negative, its 95% CI below zero.
func TestStakingWhaleSlashingEqualizes(t *testing.T) {
	const runs = 80
	set := scenario.Override{Path: "horizon", Value: "180d"}
	with := armRuns(t, "pos_small.yaml", runs, set)[""]
	without := armRuns(t, "pos_small.yaml", runs, set, scenario.Override{Path: "agents.whale.incident_rate", Value: "0/yr"})[""]
	const g = "chain.gini_stake_change"
	dm, dh := meanCI(diff(with[g], without[g]))
	t.Logf("Gini change, whale slashable − never slashed: %.4f ± %.4f", dm, dh)
	if !(dm+dh < 0) {
		t.Errorf("slashing the whale changed the Gini of stake by %.4f ± %.4f, want a fall with its CI below 0", dm, dh)
	}
}

// TestPosStudyControls puts the staking study's headline findings (README,
// "Staking derivatives study") through their controls on the two cells
// they are read from: the agents in a fresh random order every step (as
// run) and in the listed order, the step halved, and twice the runs. Each
// finding is a paired difference whose 95% CI must exclude zero in every
// control:
//
//   - slashing the largest operator makes stake more equal: at 200%
//     collateral and 30% slashing, the Gini change is higher when the
//     whale is never slashed than on the hub (the ablation arm);
//
//   - harsh slashing stops rational borrowers from levering: the hub's
//     cascade depth is higher at 125%/2% than at 200%/30% (cells share
//     their random numbers, so the runs pair);
//
//   - the enshrined lender, as set, keeps less stake bonded: at 125%/2%
//     the hub's staking ratio and minimum security ratio exceed the
//     enshrined lender's.
//
// Two earlier findings do not survive: that the enshrined thresholds, as
// set, deepen cascades, and that recalls deepen them further (at 125%/2%,
// each arm's cascade depth minus the hub's). They hold with the agents
// shuffled, with the step halved and with more runs, but with the agents
// in the listed order their CIs span zero. The test pins that too: these
// effects depend on the order of turns within a step, so the README does
// not claim them.
func TestPosStudyControls(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two cells of the study four times")
	}
	src, err := os.ReadFile("pos_study.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cell := func(cr, slash string) []byte {
		s := strings.Replace(string(src), "[125%, 150%, 200%, 300%]", "["+cr+"]", 1)
		return []byte(strings.Replace(s, "[2%, 5%, 15%, 30%]", "["+slash+"]", 1))
	}
	arm := func(r map[string]map[string][]float64, name string) map[string][]float64 {
		for k, v := range r {
			if strings.HasPrefix(k, name) {
				return v
			}
		}
		t.Fatalf("no arm %s", name)
		return nil
	}
	for _, c := range []struct {
		name string
		runs int
		set  []scenario.Override
	}{
		{"shuffled", 60, nil},
		{"listed", 60, []scenario.Override{{Path: "ordering", Value: "listed"}}},
		{"half step", 60, []scenario.Override{{Path: "step", Value: "12h"}}},
		{"more runs", 120, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			mild := armRunsSource(t, "pos_study.yaml", cell("125%", "2%"), c.runs, c.set...)
			harsh := armRunsSource(t, "pos_study.yaml", cell("200%", "30%"), c.runs, c.set...)
			for _, f := range []struct {
				finding string
				a, b    []float64
				holds   bool
			}{
				{"whale never slashed − hub, Gini change at 200%/30%",
					arm(harsh, "whale_never_slashed")["chain.gini_stake_change"], arm(harsh, "external_hub")["chain.gini_stake_change"], true},
				{"hub cascade depth, 125%/2% − 200%/30%",
					arm(mild, "external_hub")["chain.cascade_depth"], arm(harsh, "external_hub")["chain.cascade_depth"], true},
				{"enshrined − hub, cascade depth at 125%/2%",
					arm(mild, "enshrined")["chain.cascade_depth"], arm(mild, "external_hub")["chain.cascade_depth"], c.name != "listed"},
				{"enshrined with recalls − hub, cascade depth at 125%/2%",
					arm(mild, "enshrined_recall")["chain.cascade_depth"], arm(mild, "external_hub")["chain.cascade_depth"], c.name != "listed"},
				{"hub − enshrined, staking ratio at 125%/2%",
					arm(mild, "external_hub")["chain.staking_ratio"], arm(mild, "enshrined")["chain.staking_ratio"], true},
				{"hub − enshrined, min security ratio at 125%/2%",
					arm(mild, "external_hub")["chain.min_security_ratio"], arm(mild, "enshrined")["chain.min_security_ratio"], true},
			} {
				m, h := meanCI(diff(f.a, f.b))
				t.Logf("%s: %+.4f ± %.4f", f.finding, m, h)
				switch {
				case f.holds && !(m-h > 0):
					t.Errorf("%s: %+.4f ± %.4f, want a positive difference with its CI above 0", f.finding, m, h)
				case !f.holds && m-h > 0:
					t.Errorf("%s: %+.4f ± %.4f; it used to depend on the order of turns — update the README", f.finding, m, h)
				}
			}
		})
	}
}

// TestStakingDeterministicAcrossWorkers: the staking examples — shuffled
// turns, the protocol's own liquidation trades, holders, forks — give
// bit-identical per-run metrics with 1, 2 and 8 workers.
func TestStakingDeterministicAcrossWorkers(t *testing.T) {
	for _, c := range []struct {
		file string
		set  []scenario.Override
	}{
		{"staking_cascade.yaml", nil},
		{"pos_small.yaml", []scenario.Override{{Path: "horizon", Value: "90d"}}},
	} {
		t.Run(c.file, func(t *testing.T) {
			f, err := scenario.Load(c.file, c.set...)
			if err != nil {
				t.Fatal(err)
			}
			m, err := world.Compile(f)
			if err != nil {
				t.Fatal(err)
			}
			var ref map[[2]int][]uint64
			for _, w := range []int{1, 2, 8} {
				got := map[[2]int][]uint64{}
				err := engine.Run(context.Background(), m, engine.Config{Runs: 12, Seed: 5, Workers: w}, func(o *engine.Outcome) error {
					bits := make([]uint64, len(o.Scalars))
					for k, x := range o.Scalars {
						bits[k] = math.Float64bits(x)
					}
					got[[2]int{o.Cell, o.Run}] = bits
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = got
					continue
				}
				for k, v := range ref {
					if !slices.Equal(v, got[k]) {
						t.Fatalf("%d workers: cell %d run %d differs from 1 worker", w, k[0], k[1])
					}
				}
			}
		})
	}
}
