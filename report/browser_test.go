package report

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"
)

// writeExample runs examples/name.yaml (with runs runs a cell if runs > 0)
// and returns its results directory.
func writeExample(t *testing.T, name string, runs int) string {
	t.Helper()
	f, err := scenario.Load(filepath.Join("..", "examples", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := experiment.Run(context.Background(), f, experiment.Options{Out: dir, Runs: runs}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser opens reports in headless Chromium (Debian's package, at
// /usr/bin/chromium) and checks that every chart renders, with no console
// error, no exception, no CSP violation and no request beyond the page
// itself. It saves a full-page screenshot of each report, and the report,
// to $CASCADE_ARTIFACTS (or a temporary directory) and logs the paths and
// the time the charts took to render: a figure to watch, not a limit.
//
// It runs when CASCADE_BROWSER=1, and then fails if Chromium is missing:
//
//	CASCADE_BROWSER=1 go test -v -run TestBrowser ./report
func TestBrowser(t *testing.T) {
	if os.Getenv("CASCADE_BROWSER") != "1" {
		t.Skip("set CASCADE_BROWSER=1 to open reports in headless Chromium")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("CASCADE_BROWSER=1 but Chromium is missing (apt-get install chromium): %v", err)
	}
	out := os.Getenv("CASCADE_ARTIFACTS")
	if out == "" {
		out = t.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := startBrowser(t.TempDir())
	if err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	defer b.cancel()

	// Between them the first two reports have every section and kind of
	// chart: the policy comparison, a one-parameter sweep, heat maps,
	// faceted and overlaid histograms, ECDFs and fan charts. The third has
	// NaN and infinite outcomes, which reach the charts as nulls.
	for _, tt := range []struct {
		name    string
		results func(t *testing.T) string
		opt     Options
	}{
		{"report-compare-sweep", func(t *testing.T) string { return writeResults(t, compareSweep, experiment.Options{}) }, Options{Headline: "lp.lp_hodl"}},
		{"report-grid", func(t *testing.T) string { return writeResults(t, grid, experiment.Options{}) }, Options{Headline: "lp.lp_hodl"}},
		{"report-edge", func(t *testing.T) string { return writeEdge(t, 60) }, Options{}},
		// The four examples the issue names; pos_study with 3 runs a cell
		// (its charts and size depend on cells and metrics, not runs).
		{"collar", func(t *testing.T) string { return writeExample(t, "collar", 0) }, Options{}},
		{"lending_cascade", func(t *testing.T) string { return writeExample(t, "lending_cascade", 0) }, Options{}},
		{"fee_sweep", func(t *testing.T) string { return writeExample(t, "fee_sweep", 0) }, Options{}},
		{"pos_study", func(t *testing.T) string { return writeExample(t, "pos_study", 3) }, Options{}},
		// Discovery reports: point maps and the ranked sensitivity charts.
		{"discover-sobol", func(t *testing.T) string { return discoverDir(t, "ishigami.yaml", []byte(sensitivitySources["sobol"])) }, Options{}},
		{"discover-morris", func(t *testing.T) string {
			return discoverDir(t, "gfunction.yaml", []byte(sensitivitySources["morris"]))
		}, Options{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.results(t), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			page := filepath.Join(out, tt.name+".html")
			if err := r.WriteFile(page, HTML); err != nil {
				t.Fatal(err)
			}
			checkFigures(t, r)
			if sc := r.d.scenario; sc != nil && len(sc.Regions) > 0 {
				html, _ := os.ReadFile(page)
				for _, reg := range sc.Regions {
					if !strings.Contains(string(html), "Region "+reg.Name+":") {
						t.Errorf("region %s is not mapped in the answer", reg.Name)
					}
					if r.mapsRegions() && !strings.Contains(string(html), `-region-`+slug(reg.Name)+`"`) {
						t.Errorf("region %s has no map", reg.Name)
					}
				}
			}
			if page, err = filepath.Abs(page); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, err := b.open(page, 2*time.Minute)
			wall := time.Since(start)
			for _, p := range res.problems {
				t.Errorf("browser: %s", p)
			}
			if err != nil {
				t.Fatalf("opening %s: %v", page, err)
			}
			if res.renderErr != "" {
				t.Errorf("rendering failed: %s", res.renderErr)
			}
			if want := r.Charts(); res.rendered != want || res.svgs != want {
				t.Errorf("%d charts rendered and %d chart SVGs in the page, want %d", res.rendered, res.svgs, want)
			}
			for _, e := range res.exports {
				if !strings.HasPrefix(e, "data:image/png;base64,") && !strings.HasPrefix(e, "blob:") && !strings.HasPrefix(e, "data:image/svg") {
					t.Errorf("chart export gave %.60q", e)
				}
			}
			if len(res.exports) != 2 {
				t.Errorf("%d chart exports, want a PNG and an SVG", len(res.exports))
			}
			for _, u := range res.requests {
				if !strings.HasPrefix(u, "file://") || !strings.HasSuffix(u, filepath.Base(page)) {
					t.Errorf("the page requested %s", u)
				}
			}
			shot := filepath.Join(out, tt.name+".png")
			if err := os.WriteFile(shot, res.png, 0o644); err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(page)
			t.Logf("%d charts rendered in %.0f ms (%.0f ms after navigation started, %v with the screenshot); report %s (%d bytes); screenshot %s",
				res.rendered, res.embedMs, res.loadMs, wall.Round(time.Millisecond), page, fi.Size(), shot)
		})
	}
}
