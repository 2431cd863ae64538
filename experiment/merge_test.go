package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

// shardCase is a scenario reduced for tests by overrides and a run count.
type shardCase struct {
	file string
	set  []scenario.Override
	runs int
}

var shardCases = []shardCase{
	{"quickstart.yaml", []scenario.Override{{Path: "horizon", Value: "60d"}}, 40},
	// A sweep with compare arms: 16 points × 3 designs.
	{"pos_study.yaml", []scenario.Override{{Path: "horizon", Value: "10d"}}, 2},
	{"pos_small.yaml", []scenario.Override{{Path: "horizon", Value: "30d"}}, 5},
}

func loadCase(t *testing.T, c shardCase) *scenario.File {
	t.Helper()
	f, err := scenario.Load("../examples/"+c.file, c.set...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runShards writes shards 0..n−1 of c under dir and returns their paths.
func runShards(t *testing.T, c shardCase, dir string, n int, seed *uint64) []string {
	t.Helper()
	var dirs []string
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		d := filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d", i, n))
		if _, err := Run(context.Background(), loadCase(t, c), Options{Runs: c.runs, Seed: seed, Workers: 2, Out: d, Shard: i, Shards: n}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// sameResults fails unless every file of a and b is byte-identical, the
// manifests apart from their timings and record of shards.
func sameResults(t *testing.T, a, b string) {
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
	if strings.Join(na, " ") != strings.Join(nb, " ") {
		t.Fatalf("files differ: %v and %v", na, nb)
	}
	for _, n := range na {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if n == "manifest.json" {
			x, y = withoutTimings(t, x), withoutTimings(t, y)
		}
		if !bytes.Equal(x, y) {
			t.Fatalf("%s differs between %s and %s", n, a, b)
		}
	}
}

func withoutTimings(t *testing.T, data []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"started", "finished", "wall_seconds", "shards"} {
		delete(m, k)
	}
	return mustJSON(t, m)
}

// TestShardsMergeToTheSingleProcessRun: for the quickstart, a sweep with
// compare arms and a staking example, 1, 2, 3 and 7 shards merge into the
// single-process results directory byte for byte, timings aside.
func TestShardsMergeToTheSingleProcessRun(t *testing.T) {
	for _, c := range shardCases {
		t.Run(c.file, func(t *testing.T) {
			dir := t.TempDir()
			single := filepath.Join(dir, "single")
			if _, err := Run(context.Background(), loadCase(t, c), Options{Runs: c.runs, Workers: 2, Out: single}); err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{1, 2, 3, 7} {
				shards := runShards(t, c, dir, n, nil)
				// Any order on the command line.
				shards[0], shards[n-1] = shards[n-1], shards[0]
				merged := filepath.Join(dir, fmt.Sprintf("merged-%d", n))
				res, err := Merge(context.Background(), shards, MergeOptions{Out: merged})
				if err != nil {
					t.Fatal(err)
				}
				sameResults(t, single, merged)
				var buf bytes.Buffer
				if err := res.WriteSummary(&buf); err != nil || buf.Len() == 0 {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestMergeRefuses: overlapping, missing and mismatched shards are refused
// with a message that says which and why.
func TestMergeRefuses(t *testing.T) {
	c := shardCases[0]
	dir := t.TempDir()
	three := runShards(t, c, dir, 3, nil)
	other := uint64(99)
	seeded := runShards(t, c, filepath.Join(dir, "seed"), 3, &other)
	overridden := shardCase{c.file, append([]scenario.Override{{Path: "mechanisms.pool.fee", Value: "1%"}}, c.set...), c.runs}
	over := runShards(t, overridden, filepath.Join(dir, "set"), 3, nil)
	two := runShards(t, c, filepath.Join(dir, "two"), 2, nil)
	// A shard of a different scenario file: the quickstart with one more
	// comment line.
	src, err := os.ReadFile("../examples/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "changed.yaml")
	if err := os.WriteFile(changed, append([]byte("# changed\n"), src...), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := scenario.Load(changed, c.set...)
	if err != nil {
		t.Fatal(err)
	}
	otherFile := filepath.Join(dir, "changed-shard-1")
	if _, err := Run(context.Background(), f, Options{Runs: c.runs, Out: otherFile, Shard: 1, Shards: 3}); err != nil {
		t.Fatal(err)
	}
	single := filepath.Join(dir, "single")
	if _, err := Run(context.Background(), loadCase(t, c), Options{Runs: c.runs, Out: single}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		dirs    []string
		version string
		want    string
	}{
		{"overlap", []string{three[0], three[1], three[1], three[2]}, "", "overlapping"},
		{"missing", []string{three[0], three[2]}, "", "missing shard(s) 1/3"},
		{"seed", []string{three[0], seeded[1], three[2]}, "", "seed 1 and 99"},
		{"overrides", []string{three[0], over[1], three[2]}, "", "overrides"},
		{"scenario", []string{three[0], otherFile, three[2]}, "", "scenario SHA-256"},
		{"shard count", []string{three[0], two[1], three[2]}, "", "shard count 3 and 2"},
		{"version", three, "9.9.9", "merge with the build that ran them"},
		{"not a shard", []string{single}, "", "not a shard"},
		{"none", nil, "", "no shard directories"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "merged-"+strings.ReplaceAll(tc.name, " ", "-"))
			_, err := Merge(context.Background(), tc.dirs, MergeOptions{Out: out, Version: tc.version})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("a refused merge left %s", out)
			}
		})
	}
}
