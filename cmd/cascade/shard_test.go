package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cascade run --shard i/3 three times and cascade merge give the runs and
// summaries of the single-process run; merge refuses a missing shard with
// exit status 2; cascade trace replays a run named in the summary.
func TestShardMergeTraceCommands(t *testing.T) {
	dir := t.TempDir()
	qs := filepath.Join("..", "..", "examples", "quickstart.yaml")
	common := []string{"--runs", "20", "--set", "horizon=30d", "--quiet"}
	if code, _, stderr := run(t, append([]string{"run", qs, "--out", filepath.Join(dir, "single")}, common...)...); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	var shards []string
	for _, s := range []string{"0/3", "1/3", "2/3"} {
		d := filepath.Join(dir, "shard"+strings.ReplaceAll(s, "/", "of"))
		code, stdout, stderr := run(t, append([]string{"run", qs, "--shard", s, "--out", d}, common...)...)
		if code != 0 || !strings.Contains(stdout, "shard "+s) {
			t.Fatalf("run --shard %s: exit %d: %s %s", s, code, stdout, stderr)
		}
		shards = append(shards, d)
	}
	merged := filepath.Join(dir, "merged")
	code, stdout, stderr := run(t, append([]string{"merge", "--out", merged, "--quiet"}, shards...)...)
	if code != 0 || !strings.Contains(stdout, "lp.lp_hodl") {
		t.Fatalf("merge: exit %d: %s %s", code, stdout, stderr)
	}
	for _, name := range []string{"runs.parquet", "series.parquet", "summary.json", "fans.json", "scenario.yaml"} {
		a, _ := os.ReadFile(filepath.Join(dir, "single", name))
		b, _ := os.ReadFile(filepath.Join(merged, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("%s differs between the single-process run and the merge", name)
		}
	}
	code, _, stderr = run(t, "merge", "--out", filepath.Join(dir, "m2"), shards[0], shards[2])
	if code != exitUsage || !strings.Contains(stderr, "missing shard(s) 1/3") {
		t.Fatalf("merge with a shard missing: exit %d: %s", code, stderr)
	}
	for _, bad := range []string{"3/3", "-1/2", "1", "a/b", "0/0"} {
		if code, _, stderr := run(t, "run", qs, "--shard", bad, "--quiet", "--out", filepath.Join(dir, "x")); code != exitUsage || !strings.Contains(stderr, "--shard") {
			t.Fatalf("--shard %s: exit %d: %s", bad, code, stderr)
		}
	}

	trace := filepath.Join(dir, "trace")
	code, stdout, stderr = run(t, "trace", qs, "--cell", "0", "--run", "7", "--set", "horizon=30d", "--out", trace, "--quiet")
	if code != 0 || !strings.Contains(stdout, "# Trace: quickstart") || !strings.Contains(stdout, "| arb | pool | trade |") {
		t.Fatalf("trace: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	for _, name := range []string{"steps.parquet", "events.parquet", "trace.md", "runs.parquet", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(trace, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"--cell", "1"}, {"--arm", "x"}, {"--run", "-2"}} {
		code, _, stderr := run(t, append([]string{"trace", qs, "--no-results"}, args...)...)
		if code != exitUsage {
			t.Fatalf("trace %v: exit %d: %s", args, code, stderr)
		}
	}
}

// The manifest and the report record the overrides, the scenario's
// description and its text.
func TestResultsSayHowTheyWereMade(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	collar := filepath.Join("..", "..", "examples", "collar.yaml")
	code, _, stderr := run(t, "run", collar, "--runs", "30", "--set", "horizon=20d", "--set", "agents.treasury.put_strike=80%", "--out", dir, "--quiet", "--report=md")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	for _, want := range []string{`"overrides": [`, `"horizon=20d"`, `"agents.treasury.put_strike=80%"`, `"scenario_description": "ETH treasury`, `"scenario_copy": "scenario.yaml"`} {
		if !strings.Contains(string(manifest), want) {
			t.Errorf("manifest lacks %s", want)
		}
	}
	src, _ := os.ReadFile(collar)
	copied, _ := os.ReadFile(filepath.Join(dir, "scenario.yaml"))
	if !bytes.Equal(src, copied) {
		t.Error("scenario.yaml is not a copy of the scenario file")
	}
	entries, _ := os.ReadDir(dir)
	var report []byte
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			report, _ = os.ReadFile(filepath.Join(dir, e.Name()))
		}
	}
	for _, want := range []string{"Assumptions", "agents.treasury.put_strike", "80%", "ETH treasury, unhedged versus", "implied_volatility: 75%/yr"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
