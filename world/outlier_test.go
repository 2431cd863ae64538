package world

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

// A replayed price with one bad tick (line 5: 2,010 → 20,100 → 2,000)
// inside the replayed window: without a decision it is an error at the
// process's file key naming the data file's line; outliers: drop replays
// the series without the row (the price carried from line 4), keep
// replays it as recorded. A bad tick outside the window is not reported,
// and max_jump: 0 turns the check off.
func TestReplayOutliers(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("ts_utc,price\n")
	for h := range 12 {
		p := 2000 + 10*h
		switch h {
		case 3:
			p = 20100
		case 10:
			p = 1 // outside the window the scenario replays
		}
		fmt.Fprintf(&b, "2020-01-01T%02d:00:00Z,%d\n", h, p)
	}
	csv := filepath.Join(dir, "p.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `name: outliers
horizon: 6h
step: 1h
sample_every: 1h
numeraire: USD
assets:
  USD: {decimals: 6}
  ETH: {decimals: 18}
processes:
  eth: {type: replay, asset: ETH, file: ` + csv + `, column: price%s}
metrics: [ETH.price]
`
	f, err := scenario.LoadBytes("outliers.yaml", []byte(fmt.Sprintf(src, "")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(f)
	if err == nil || !strings.Contains(err.Error(), "outliers.yaml:10:") || !strings.Contains(err.Error(), "p.csv:5: price 20100 between 2020 and 2040") || strings.Contains(err.Error(), "p.csv:12") {
		t.Fatalf("want an error at the file key naming line 5 only, got %v", err)
	}
	t.Log(err)
	for _, c := range []struct {
		extra string
		at3   float64
	}{{", outliers: drop", 2020}, {", outliers: keep", 20100}, {", max_jump: 0", 20100}} {
		m := compile(t, fmt.Sprintf(src, c.extra))
		row := runAll(t, m, 1, 1, 1)[0]
		// The series follow the scalar: ETH.price at samples 0..6.
		if got := row[1+3]; got != c.at3 {
			t.Errorf("%s: price at 3h %v, want %v", c.extra, got, c.at3)
		}
	}
}
