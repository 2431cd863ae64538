package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

func TestMain(m *testing.M) {
	beam.Init()
	os.Exit(m.Run())
}

// load reads one of the repository's examples with overrides.
func load(t *testing.T, name string, set ...scenario.Override) *scenario.File {
	t.Helper()
	f, err := scenario.Load(filepath.Join("..", "..", "examples", name), set...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runOnPrism builds the pipeline for f and runs it on Prism in this process.
func runOnPrism(t *testing.T, f *scenario.File, opt Options) error {
	t.Helper()
	p, s := beam.NewPipelineWithRoot()
	if _, err := Build(s, f, opt); err != nil {
		t.Fatal(err)
	}
	_, err := prism.Execute(context.Background(), p)
	return err
}

// sameDirs fails unless a and b hold the same files, byte for byte, the
// manifests apart from timings and worker counts.
func sameDirs(t *testing.T, a, b string) {
	t.Helper()
	names := func(d string) []string {
		es, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}
	na, nb := names(a), names(b)
	if !slices.Equal(na, nb) {
		t.Fatalf("files differ: %v and %v", na, nb)
	}
	for _, want := range []string{"fans.json", "manifest.json", "runs.parquet", "scenario.yaml", "series.parquet", "summary.json"} {
		if !slices.Contains(na, want) {
			t.Fatalf("the local run wrote no %s: %v", want, na)
		}
	}
	for _, n := range na {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if n == "manifest.json" {
			x, y = withoutTimings(t, x), withoutTimings(t, y)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between the local run and the pipeline", n)
		}
	}
}

func withoutTimings(t *testing.T, data []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"started", "finished", "wall_seconds", "workers"} {
		delete(m, k)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPipelineOnPrismMatchesTheLocalRun: a sweep with compare arms (16
// points × 3 designs) and a sweep with regions, run as a Beam pipeline on
// Prism in this process with work items smaller than a cell, write the
// results directory of the local run: summary.json, fans.json,
// regions.md, runs.parquet, series.parquet and the scenario copy byte for
// byte, the manifest apart from timings and workers.
func TestPipelineOnPrismMatchesTheLocalRun(t *testing.T) {
	seed := uint64(7)
	for _, tc := range []struct {
		file        string
		set         []scenario.Override
		runs, items int
		seed        *uint64
	}{
		{"pos_study.yaml", []scenario.Override{{Path: "horizon", Value: "10d"}}, 3, 2, nil},
		{"fee_sweep.yaml", []scenario.Override{{Path: "horizon", Value: "20d"}}, 7, 3, &seed},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			local := filepath.Join(dir, "local")
			if _, err := experiment.Run(context.Background(), load(t, tc.file, tc.set...), experiment.Options{Runs: tc.runs, Seed: tc.seed, Workers: 2, Out: local}); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "beam")
			if err := runOnPrism(t, load(t, tc.file, tc.set...), Options{Runs: tc.runs, Seed: tc.seed, RunsPerItem: tc.items, Workers: 1, Out: out}); err != nil {
				t.Fatal(err)
			}
			sameDirs(t, local, out)
		})
	}
}

// TestPipelineNamesTheFailedRun: a run that overflows fails the pipeline
// with a message naming scenario, cell, arm, run and seed, and the command
// that replays it; no results directory is left.
func TestPipelineNamesTheFailedRun(t *testing.T) {
	f := load(t, "quickstart.yaml",
		scenario.Override{Path: "horizon", Value: "30d"},
		scenario.Override{Path: "processes.eth.initial", Value: "1e300"},
		scenario.Override{Path: "processes.eth.drift", Value: "500%/day"})
	out := filepath.Join(t.TempDir(), "beam")
	err := runOnPrism(t, f, Options{Runs: 4, RunsPerItem: 2, Workers: 1, Out: out})
	if err == nil {
		t.Fatal("the pipeline succeeded")
	}
	for _, want := range []string{`scenario "quickstart"`, "cell 0, arm \"\", run 0, seed ", "replay this run alone with: cascade trace ", "--run 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed pipeline left %s", out)
	}
}

// TestTallyRefusesMissingAndRepeatedRuns: the combine's output checks that
// every run of the cell arrived exactly once, whatever the order of the
// partials.
func TestTallyRefusesMissingAndRepeatedRuns(t *testing.T) {
	f := load(t, "quickstart.yaml", scenario.Override{Path: "horizon", Value: "5d"})
	job := Job{Path: f.Path, Source: f.Source, Runs: 4}
	res, err := job.load()
	if err != nil {
		t.Fatal(err)
	}
	part := func(runs ...int64) Partial {
		p := Partial{Cell: 0, Metric: 0}
		fan, _ := metricFan(t, len(res.Cells[0].Times), len(runs))
		p.Fan = fan
		for _, r := range runs {
			p.Runs = append(p.Runs, r)
			p.Values = append(p.Values, float64(r))
		}
		return p
	}
	fn := &tallyFn{Job: job}
	for _, tc := range []struct {
		name  string
		parts []Partial
		want  string
	}{
		{"complete, out of order", []Partial{part(3, 1), part(0, 2)}, ""},
		{"missing", []Partial{part(0, 1), part(3)}, "run 3 where run 2 was expected"},
		{"repeated", []Partial{part(0, 1, 2), part(2, 3)}, "run 2 where run 3 was expected"},
		{"short", []Partial{part(0, 1, 2)}, "has 3 of 4 runs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := tc.parts[0]
			for _, p := range tc.parts[1:] {
				if acc, err = fn.MergeAccumulators(acc, p); err != nil {
					t.Fatal(err)
				}
			}
			_, err := fn.ExtractOutput(acc)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// metricFan encodes a fan of k points holding runs runs.
func metricFan(t *testing.T, k, runs int) ([]byte, error) {
	t.Helper()
	f, err := metric.NewFan(k)
	if err != nil {
		t.Fatal(err)
	}
	for range runs {
		if err := f.Add(make([]float64, k)); err != nil {
			t.Fatal(err)
		}
	}
	return f.MarshalBinary()
}
