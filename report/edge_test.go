package report

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
)

// edgeMetrics are metrics with awkward values: NaN and infinite outcomes,
// a constant, one with no finite outcome at all.
var edgeMetrics = []struct {
	name  string
	worse metric.Direction
	value func(arm, run int) float64
}{
	{"x.normal", metric.LowerIsWorse, func(arm, run int) float64 { return math.Sin(float64(run)) * float64(1+arm) }},
	{"x.nan", metric.HigherIsWorse, func(arm, run int) float64 {
		if run%7 == 0 {
			return math.NaN()
		}
		return float64(run % 13)
	}},
	{"x.inf", metric.LowerIsWorse, func(arm, run int) float64 {
		if run == 3 {
			return math.Inf(-1)
		}
		return float64(run) + float64(arm)
	}},
	{"x.const", metric.HigherIsWorse, func(int, int) float64 { return 3 }},
	{"x.allnan", metric.LowerIsWorse, func(int, int) float64 { return math.NaN() }},
}

// writeEdge writes a results directory by hand: two arms, no sweep, no
// fans.json, runs per arm.
func writeEdge(t testing.TB, runs int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "edge")
	var layout results.Layout
	for _, m := range edgeMetrics {
		layout.Scalars = append(layout.Scalars, results.Column{Name: m.name, Unit: "USD", Description: "an awkward metric"})
	}
	w, err := results.Create(dir, layout, results.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var summary []cellSummary
	for a, arm := range []string{"base", "alt"} {
		cs := cellSummary{Cell: 0, Arm: arm}
		sums := make([]*metric.Summary, len(edgeMetrics))
		for k := range sums {
			sums[k] = metric.NewSummary()
		}
		for run := range runs {
			var scalars []float64
			for k, m := range edgeMetrics {
				v := m.value(a, run)
				scalars = append(scalars, v)
				sums[k].Add(v)
			}
			if err := w.WriteRun(results.Run{Arm: arm, Run: run, Seed: uint64(run), Params: []float64{}, Scalars: scalars}); err != nil {
				t.Fatal(err)
			}
		}
		for k, m := range edgeMetrics {
			cs.Metrics = append(cs.Metrics, metricSummary{Name: m.name, Unit: "USD", Doc: "an awkward metric", SummaryReport: sums[k].Report(nil, nil, m.worse)})
		}
		summary = append(summary, cs)
	}
	data, err := json.Marshal(summary)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile("summary.json", data); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(results.Manifest{ScenarioName: "edge", Runs: runs, StepsPerRun: 10, StepSeconds: 3600}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Awkward values make a report, not a panic: non-finite outcomes are left
// out and counted, constant metrics are named instead of drawn, a single
// run gives unbounded intervals, and a directory without fans.json has no
// fan charts.
func TestEdgeCases(t *testing.T) {
	for _, runs := range []int{1, 2, 60} {
		dir := writeEdge(t, runs)
		r, err := New(dir, Options{})
		if err != nil {
			t.Fatalf("%d runs: %v", runs, err)
		}
		var h bytes.Buffer
		if err := r.WriteHTML(&h); err != nil {
			t.Fatalf("%d runs: %v", runs, err)
		}
		if err := r.WriteMarkdown(filepath.Join(t.TempDir(), "r.md")); err != nil {
			t.Fatalf("%d runs: %v", runs, err)
		}
		if k := kinds(r); k[figFan] != 0 || (runs == 60 && k[figHist] != 3) {
			t.Errorf("%d runs: charts %v, want no fans (and 3 histograms of 60 runs)", runs, k)
		}
		page := h.String()
		for _, want := range []string{"x.const = 3", "x.allnan", "non-finite outcomes"} {
			if !strings.Contains(page, want) {
				t.Errorf("%d runs: the page does not say %q", runs, want)
			}
		}
		if runs == 60 {
			c := r.comps[0][0][1] // x.nan: 9 of 60 runs are NaN in both arms
			if c.N != 51 || c.Dropped != 9 {
				t.Errorf("x.nan compared %d pairs, dropped %d; want 51 and 9", c.N, c.Dropped)
			}
		}
	}
}
