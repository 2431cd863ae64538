package experiment

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/scenario"
)

// TestInteropTrace writes a trace directory and has DuckDB read every
// Parquet file in it through results/testdata/tables.mjs. Like the results
// package's TestInterop it runs only with CASCADE_INTEROP=1, after `npm ci`
// in results/testdata, and fails rather than skips without Node.js.
func TestInteropTrace(t *testing.T) {
	if os.Getenv("CASCADE_INTEROP") != "1" {
		t.Skip("set CASCADE_INTEROP=1 (after `npm ci` in results/testdata) to read a trace with DuckDB")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("CASCADE_INTEROP=1 but node is not on PATH")
	}
	testdata := filepath.Join("..", "results", "testdata")
	if _, err := os.Stat(filepath.Join(testdata, "node_modules", "@duckdb", "node-api")); err != nil {
		t.Fatal("CASCADE_INTEROP=1 but results/testdata/node_modules lacks @duckdb/node-api: run `npm ci` there")
	}
	f, err := scenario.Load("../examples/lending_cascade.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := filepath.Abs(filepath.Join(t.TempDir(), "trace"))
	if err != nil {
		t.Fatal(err)
	}
	arm := f.Arms()[0]
	if _, err := Trace(f, TraceOptions{Arm: arm, Run: 3, Out: out}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "tables.mjs", out)
	cmd.Dir = testdata
	msg, err := cmd.CombinedOutput()
	t.Logf("node tables.mjs:\n%s", msg)
	if err != nil {
		t.Fatalf("tables.mjs: %v", err)
	}
}
