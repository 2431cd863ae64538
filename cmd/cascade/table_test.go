package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files of the summary table")

// The summary table of quickstart and collar fits 80 columns and matches
// its golden file (testdata/*.golden; go test -run Golden -update rewrites
// them after a deliberate change to the model or the table).
func TestSummaryTableGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two examples")
	}
	for _, name := range []string{"quickstart", "collar"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("COLUMNS", "80")
			code, stdout, stderr := run(t, "run", filepath.Join("..", "..", "examples", name+".yaml"), "--no-results", "--quiet", "--workers", "2")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for k, line := range strings.Split(stdout, "\n") {
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("line %d is %d columns: %q", k+1, n, line)
				}
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if stdout != string(want) {
				t.Errorf("summary differs from %s:\n%s\nwant:\n%s", golden, stdout, want)
			}
		})
	}
}

// A narrow terminal drops quantile columns in pairs and keeps within its
// width; a wide one shows every quantile the run count supports.
func TestSummaryTableWidths(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an example")
	}
	for _, w := range []string{"60", "140"} {
		t.Setenv("COLUMNS", w)
		// 500 runs support p1 and p99 (5 runs beyond each), not p99.9.
		code, stdout, stderr := run(t, "run", filepath.Join("..", "..", "examples", "quickstart.yaml"), "--no-results", "--quiet", "--runs", "500")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if n := utf8.RuneCountInString(line); n > map[string]int{"60": 60, "140": 140}[w] {
				t.Errorf("COLUMNS=%s: line of %d columns: %q", w, n, line)
			}
		}
		head := strings.Fields(strings.Split(stdout, "\n")[0])
		hasP5, hasP1 := strings.Contains(stdout, " p5 "), strings.Contains(strings.Join(head, " "), "p1")
		if w == "140" && (!hasP5 || !hasP1) {
			t.Errorf("COLUMNS=140 at 500 runs should show p1 and p5: %v", head)
		}
		if strings.Contains(stdout, "p99.9") {
			t.Errorf("COLUMNS=%s: p99.9 shown at 500 runs", w)
		}
	}
}
