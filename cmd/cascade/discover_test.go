package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const discoverFile = `name: ishigami
horizon: 1d
step: 1d
runs: 1
numeraire: USD
assets: {USD: {decimals: 6}}
agents:
  f: {type: test_function, function: ishigami}
regions:
  low: [{metric: f.value, below: 8}]
discover:
  design: saltelli
  samples: 64
  parameters:
    agents.f.x1: {from: -3.14159, to: 3.14159}
    agents.f.x2: {from: -3.14159, to: 3.14159}
    agents.f.x3: {from: -3.14159, to: 3.14159}
  safe: low
`

func TestDiscoverCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.yaml")
	if err := os.WriteFile(path, []byte(discoverFile), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	status, stdout, stderr := run(t, "discover", path, "--out", out, "--quiet", "--workers", "2")
	if status != 0 {
		t.Fatalf("status %d, stderr %s", status, stderr)
	}
	for _, want := range []string{"Sobol indices of f.value", "agents.f.x1", `Where "low" fails`, "prim ", "cascade trace " + path + " --set agents.f.x1="} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"runs.parquet", "discover.json", "discover.md", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("results: %v", err)
		}
	}
	// Its report is a discovery report: the boxes, drawn on maps of the
	// points, and the worst runs with their replay commands.
	if status, _, stderr := run(t, "report", out); status != 0 {
		t.Fatalf("report of a discover directory: status %d, %s", status, stderr)
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Discovery report", "PRIM box where it fails", "coverage", "Counterexamples", "cascade trace " + path} {
		if !strings.Contains(string(page), want) {
			t.Errorf("discovery report lacks %q", want)
		}
	}
}

func TestDiscoverCommandErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := write("plain.yaml", strings.Split(discoverFile, "discover:")[0])
	if status, _, stderr := run(t, "discover", plain, "--no-results"); status != 2 || !strings.Contains(stderr, "has no discover: block") {
		t.Errorf("no block: status %d, %s", status, stderr)
	}
	// A parameter the component does not have is reported at its key in
	// the discover block.
	bad := write("bad.yaml", strings.Replace(discoverFile, "agents.f.x3:", "agents.f.x9:", 1))
	if status, _, stderr := run(t, "discover", bad, "--no-results"); status != 2 || !strings.Contains(stderr, "bad.yaml:17:5: agents.f.x9") {
		t.Errorf("bad parameter: status %d, %s", status, stderr)
	}
	typo := write("typo.yaml", strings.Replace(discoverFile, "design: saltelli", "design: saltely", 1))
	if status, _, stderr := run(t, "discover", typo, "--no-results"); status != 2 || !strings.Contains(stderr, `typo.yaml:12:11: discover.design: expected one of sobol, lhs, uniform, saltelli, morris, got "saltely"; did you mean "saltelli"?`) {
		t.Errorf("typo: status %d, %s", status, stderr)
	}
}
