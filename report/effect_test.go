package report

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

// A difference whose interval spans zero is never called a gain or a cost
// (nor higher or lower), whatever the direction; one whose interval excludes
// zero is, with the word the direction implies.
func TestEffectClauseHonest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	claim := regexp.MustCompile(`gain|cost|higher|lower`)
	for range 2000 {
		v := rng.NormFloat64() * 1e5
		lo, hi := v-rng.Float64()*2e5, v+rng.Float64()*2e5
		e := metric.Estimate{Value: v, Lo: lo, Hi: hi}
		for _, w := range []metric.Direction{metric.LowerIsWorse, metric.HigherIsWorse, metric.Neutral} {
			got := effectClause(w, "the mean of x", e, formatNumber)
			spans := lo <= 0 && hi >= 0
			if spans && claim.MatchString(got) {
				t.Fatalf("CI [%g, %g] spans zero but %s says %q", lo, hi, w, got)
			}
			if spans && !strings.HasPrefix(got, "no detectable difference") {
				t.Fatalf("CI [%g, %g] spans zero: %q", lo, hi, got)
			}
			if !spans && !claim.MatchString(got) {
				t.Fatalf("CI [%g, %g] excludes zero but %s says %q", lo, hi, w, got)
			}
		}
	}
	// The example: the collar "gains" 140.5k with CI [−111.7k, 377.9k].
	got := effectClause(metric.LowerIsWorse, "the mean of treasury.pnl", metric.Estimate{Value: 140.5e3, Lo: -111.7e3, Hi: 377.9e3}, formatNumber)
	if want := "no detectable difference in the mean of treasury.pnl (+140.5k, 95% CI [−111.7k, +377.9k])"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, tc := range []struct {
		w    metric.Direction
		e    metric.Estimate
		want string
	}{
		{metric.LowerIsWorse, metric.Estimate{Value: -5, Lo: -7, Hi: -3}, "costs 5.000 in m (95% CI [3.000, 7.000])"},
		{metric.HigherIsWorse, metric.Estimate{Value: -5, Lo: -7, Hi: -3}, "gains 5.000 in m (95% CI [3.000, 7.000])"},
		{metric.Neutral, metric.Estimate{Value: -5, Lo: -7, Hi: -3}, "m lower by 5.000 (95% CI [3.000, 7.000])"},
	} {
		if got := effectClause(tc.w, "m", tc.e, formatNumber); got != tc.want {
			t.Errorf("%v %v: got %q, want %q", tc.w, tc.e, got, tc.want)
		}
	}
}

// lending_cascade: with the shallow DEX every run ends insolvent, with the
// deep one none does. The report gives both rates with exact intervals
// (100 runs: [96.4%, 100%] and [0%, 3.6%]), not a "0% vs 0%" threshold row.
func TestLendingCascadeInsolvencyRates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lending_cascade")
	}
	f, err := scenario.Load(filepath.Join("..", "examples", "lending_cascade.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := experiment.Run(context.Background(), f, experiment.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	r, err := New(dir, Options{Headline: "lend.insolvent"})
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(r.Headline(), "\n")
	t.Log(head)
	for _, want := range []string{
		"Share of runs with lend.insolvent = 1: 100.0% (95% CI [96.4%, 100.0%], 100 of 100 runs) under shallow, 0% (95% CI [0%, 3.6%], 0 of 100 runs) under deep",
		"deep: better: the share of runs with lend.insolvent = 1 lower by 100.0 pp (95% CI [100.0 pp, 100.0 pp])",
	} {
		if !strings.Contains(head, want) {
			t.Errorf("headline lacks %q", want)
		}
	}
	md := filepath.Join(t.TempDir(), "r.md")
	if err := r.WriteMarkdown(md); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(md)
	if !strings.Contains(string(b), "| lend.insolvent | share with = 1 | 100.0% <sub>[96.4%, 100.0%]</sub> | 0% <sub>[0%, 3.6%]</sub> | −100.0 pp") {
		t.Errorf("comparison table lacks the insolvency rates:\n%s", grepLines(string(b), "insolvent"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
