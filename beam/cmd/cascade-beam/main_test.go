package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommand: the command runs a sweep on Prism in-process into --out,
// and refuses bad input with exit status 2 and a message naming the file,
// line and column.
func TestCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "fee")
	for name, v := range map[string]string{"out": out, "runs": "3", "runs-per-item": "2", "quiet": "true"} {
		if err := flag.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := set.Set("horizon=10d"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"sweep", []string{"../../../examples/fee_sweep.yaml"}, 0, "results: " + out},
		{"no file", nil, 2, "takes one scenario file"},
		{"missing file", []string{"../../../examples/nothing.yaml"}, 2, "nothing.yaml"},
		{"bad scenario", []string{"../../../examples/mistakes/bad.yaml"}, 2, "bad.yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(tc.args, &stdout, &stderr)
			if status != tc.status || !strings.Contains(stdout.String()+stderr.String(), tc.want) {
				t.Fatalf("exit %d, want %d with %q; stdout:\n%s\nstderr:\n%s", status, tc.status, tc.want, stdout.String(), stderr.String())
			}
		})
	}
	for _, f := range []string{"summary.json", "fans.json", "runs.parquet", "series.parquet", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the pipeline wrote no %s: %v", f, err)
		}
	}
}
