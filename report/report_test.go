package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
)

// kinds counts a report's figures by kind.
func kinds(r *Report) map[figKind]int {
	m := map[figKind]int{}
	for _, f := range r.figures() {
		m[f.kind]++
	}
	return m
}

func sectionIDs(r *Report) []string {
	var ids []string
	for _, s := range r.sections {
		ids = append(ids, s.id)
	}
	return ids
}

// Each kind of results directory gets the sections and charts it calls
// for.
func TestReportSections(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		sections []string
		want     map[figKind]int // at least this many of each kind
		none     []figKind
	}{
		{"plain", base, []string{"answer", "summary", "tails", "distributions", "paths", "assumptions", "method"},
			map[figKind]int{figHist: 4, figECDF: 4, figFan: 4}, []figKind{figForest, figHeat, figSweepLine}},
		{"compare", compareOnly, []string{"answer", "summary", "comparison", "tails", "distributions", "paths", "assumptions", "method"},
			map[figKind]int{figForest: 1, figHist: 4, figECDF: 4, figFan: 4}, []figKind{figHeat, figSweepLine}},
		{"compare and sweep", compareSweep, []string{"answer", "summary", "comparison", "tails", "sweep", "distributions", "paths", "assumptions", "method"},
			map[figKind]int{figForest: 1, figSweepLine: 4, figHist: 4, figECDF: 4, figFan: 4}, []figKind{figHeat}},
		{"grid", grid, []string{"answer", "summary", "tails", "sweep", "distributions", "paths", "assumptions", "method"},
			map[figKind]int{figHeat: 8, figHist: 4, figECDF: 4, figFan: 4}, []figKind{figForest, figSweepLine}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeResults(t, tt.src, experiment.Options{})
			r, err := New(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := sectionIDs(r); !slices.Equal(got, tt.sections) {
				t.Errorf("sections %v, want %v", got, tt.sections)
			}
			got := kinds(r)
			for k, n := range tt.want {
				if got[k] < n {
					t.Errorf("%d charts of kind %d, want at least %d", got[k], k, n)
				}
			}
			for _, k := range tt.none {
				if got[k] != 0 {
					t.Errorf("%d charts of kind %d, want none", got[k], k)
				}
			}
			if len(r.Headline()) == 0 {
				t.Error("no headline")
			}
		})
	}
}

// The HTML is self-contained: every script is inline and hashed in a
// Content-Security-Policy that forbids loading anything, no attribute
// points at the network, and no CDN is named anywhere.
func TestHTMLOffline(t *testing.T) {
	dir := writeResults(t, compareSweep, experiment.Options{})
	r, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(page)
	if csp == nil || !strings.Contains(csp[1], "default-src &#39;none&#39;") || !strings.Contains(csp[1], "connect-src &#39;none&#39;") {
		t.Fatalf("no CSP forbidding remote loads: %v", csp)
	}
	if strings.Contains(csp[1], "unsafe-eval") || strings.Contains(csp[1], "script-src &#39;unsafe-inline") {
		t.Errorf("CSP allows eval or any inline script: %s", csp[1])
	}
	if n := strings.Count(page, "<script>"); n != 4 || strings.Count(csp[1], "sha256-") != 4 {
		t.Errorf("%d inline scripts, %d hashes; want 4 of each", n, strings.Count(csp[1], "sha256-"))
	}
	for _, bad := range []string{"<script src", "<link", "@import", "cdn.", "jsdelivr", "unpkg", "sourceMappingURL"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(page); m != "" {
		t.Errorf("the page links to the network: %q", m)
	}
	if n := strings.Count(page, `class="vis"`); n != r.Charts() {
		t.Errorf("%d chart elements, %d charts", n, r.Charts())
	}
}

// The vendored libraries are what assets/SHA256SUMS says, and about a
// megabyte in all.
func TestAssets(t *testing.T) {
	sums, err := os.ReadFile(filepath.Join("assets", "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	total := len(vegaJS) + len(vegaLiteJS) + len(vegaEmbedJS)
	t.Logf("inlined libraries: %d bytes", total)
	if total > 1500_000 {
		t.Errorf("inlined libraries take %d bytes", total)
	}
	for name, src := range map[string]string{"vega.min.js": vegaJS, "vega-lite.min.js": vegaLiteJS, "vega-embed.min.js": vegaEmbedJS} {
		sum := sha256.Sum256([]byte(src))
		if line := hex.EncodeToString(sum[:]) + "  " + name + "\n"; !strings.Contains(string(sums), line) {
			t.Errorf("%s is not what SHA256SUMS says", name)
		}
		if !strings.Contains(src, "globalThis") {
			t.Errorf("%s is not a UMD build", name)
		}
	}
	for _, v := range []string{vegaVersion, vegaLiteVersion, vegaEmbedVersion} {
		pkg, _ := os.ReadFile(filepath.Join("assets", "package.json"))
		if !strings.Contains(string(pkg), `"`+v+`"`) {
			t.Errorf("version %s is not the one in assets/package.json", v)
		}
	}
}

// Reports are deterministic: the same directory gives the same bytes, in
// both formats, charts included.
func TestDeterministic(t *testing.T) {
	dir := writeResults(t, compareSweep, experiment.Options{})
	render := func() ([]byte, []byte, map[string][]byte) {
		r, err := New(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var h bytes.Buffer
		if err := r.WriteHTML(&h); err != nil {
			t.Fatal(err)
		}
		md := filepath.Join(t.TempDir(), "r.md")
		if err := r.WriteMarkdown(md); err != nil {
			t.Fatal(err)
		}
		text, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		svgs := map[string][]byte{}
		entries, _ := os.ReadDir(filepath.Join(filepath.Dir(md), "r_files"))
		for _, e := range entries {
			svgs[e.Name()], _ = os.ReadFile(filepath.Join(filepath.Dir(md), "r_files", e.Name()))
		}
		return h.Bytes(), text, svgs
	}
	h1, m1, s1 := render()
	h2, m2, s2 := render()
	if !bytes.Equal(h1, h2) {
		t.Error("two HTML reports of one directory differ")
	}
	if !bytes.Equal(m1, m2) {
		t.Error("two Markdown reports of one directory differ")
	}
	if len(s1) == 0 || len(s1) != len(s2) {
		t.Fatalf("%d and %d SVG files", len(s1), len(s2))
	}
	for name, b := range s1 {
		if !bytes.Equal(b, s2[name]) {
			t.Errorf("%s differs between two reports", name)
		}
	}
}

// The Markdown report links one well-formed SVG file per chart, and has the
// HTML report's sections.
func TestMarkdown(t *testing.T) {
	dir := writeResults(t, compareSweep, experiment.Options{})
	r, err := New(dir, Options{Headline: "lp.lp_hodl"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "post.md")
	if err := r.WriteFile(path, Markdown); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.sections {
		if !bytes.Contains(text, []byte("## "+s.title+"\n")) {
			t.Errorf("no section %q", s.title)
		}
	}
	links := regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`).FindAllSubmatch(text, -1)
	if len(links) != r.Charts() {
		t.Errorf("%d images, %d charts", len(links), r.Charts())
	}
	for _, l := range links {
		svg, err := os.ReadFile(filepath.Join(filepath.Dir(path), string(l[1])))
		if err != nil {
			t.Error(err)
			continue
		}
		d := xml.NewDecoder(bytes.NewReader(svg))
		for {
			if _, err := d.Token(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("%s: %v", l[1], err)
				}
				break
			}
		}
		if !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s is not SVG", l[1])
		}
	}
	if !bytes.Contains(text, []byte("> - At eth.volatility = 3%/day: high_fee: ")) {
		t.Errorf("no headline callout in:\n%.2000s", text)
	}

	// A second report replaces the charts of the first; a chart directory
	// holding anything else, or a file in its place, is never deleted.
	if err := r.WriteFile(path, Markdown); err != nil {
		t.Fatalf("rewriting: %v", err)
	}
	notes := filepath.Join(filepath.Dir(path), "post_files", "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile(path, Markdown); err == nil || !strings.Contains(err.Error(), "holds notes.txt") {
		t.Errorf("chart directory with notes.txt: err = %v", err)
	}
	other := filepath.Join(filepath.Dir(path), "other.md")
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "other_files"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile(other, Markdown); err == nil {
		t.Error("a file at other_files was replaced")
	}
	for _, p := range []string{notes, filepath.Join(filepath.Dir(path), "other_files")} {
		if b, err := os.ReadFile(p); err != nil || string(b) != "mine" {
			t.Errorf("%s: %q, %v", p, b, err)
		}
	}
}

// The report's paired comparison is Compare on the runs of runs.parquet,
// paired by run index, and its headline speaks of the arm's cost or gain.
func TestReportComparison(t *testing.T) {
	dir := writeResults(t, compareOnly, experiment.Options{})
	r, err := New(dir, Options{Metrics: []string{"ETH.price", "lp.lp_hodl"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.metrics[r.headline].name; got != "lp.lp_hodl" {
		t.Errorf("headline metric %s, want lp.lp_hodl: ETH.price is the same in both arms", got)
	}
	layout, runs, err := results.ReadRuns(dir)
	if err != nil {
		t.Fatal(err)
	}
	col := slices.IndexFunc(layout.Scalars, func(c results.Column) bool { return c.Name == "lp.lp_hodl" })
	byArm := map[string][]float64{}
	for _, run := range runs {
		v := byArm[run.Arm]
		for len(v) <= run.Run {
			v = append(v, 0)
		}
		v[run.Run] = run.Scalars[col]
		byArm[run.Arm] = v
	}
	want, err := Compare(byArm["low_fee"], byArm["high_fee"], metric.LowerIsWorse, DefaultThreshold(byArm["low_fee"], metric.LowerIsWorse), Bootstrap{})
	if err != nil {
		t.Fatal(err)
	}
	got := r.comps[0][0][1]
	if !equalComparisons(got, want) {
		t.Errorf("report comparison\n%+v\nwant\n%+v", got, want)
	}
	if !isUnchanged(&r.comps[0][0][0]) {
		t.Errorf("ETH.price should be unchanged by the fee: %+v", r.comps[0][0][0])
	}
	h := r.Headline()
	if len(h) != 1 || !strings.HasPrefix(h[0], "high_fee: ") || !strings.Contains(h[0], "in the mean of lp.lp_hodl") ||
		!strings.Contains(h[0], "in the mean of the worst 1% of runs") {
		t.Errorf("headline %q", h)
	}
	// A threshold given for a metric replaces the default.
	r, err = New(dir, Options{Metrics: []string{"lp.lp_hodl"}, Thresholds: map[string]float64{"lp.lp_hodl": 0.9}})
	if err != nil {
		t.Fatal(err)
	}
	if c := r.comps[0][0][0]; c.Threshold != 0.9 {
		t.Errorf("threshold %v, want 0.9", c.Threshold)
	}
}

func equalComparisons(a, b Comparison) bool {
	same := func(x, y metric.Estimate) bool { return x == y }
	if a.N != b.N || a.Threshold != b.Threshold || !same(a.Mean, b.Mean) || !same(a.PBase, b.PBase) || !same(a.PArm, b.PArm) || !same(a.PDiff, b.PDiff) {
		return false
	}
	for i := range a.Tails {
		if a.Tails[i] != b.Tails[i] {
			return false
		}
	}
	return true
}

func TestNewErrors(t *testing.T) {
	dir := writeResults(t, base, experiment.Options{})
	tests := []struct {
		name string
		dir  string
		opt  Options
		want string
	}{
		{"missing dir", filepath.Join(dir, "nope"), Options{}, "no such file"},
		{"unknown metric", dir, Options{Metrics: []string{"lp.nope"}}, `no metric "lp.nope"`},
		{"unknown headline", dir, Options{Headline: "pool.nope"}, `headline metric "pool.nope"`},
		{"threshold for no metric", dir, Options{Thresholds: map[string]float64{"x": 1}}, `threshold for "x"`},
	}
	for _, tt := range tests {
		if _, err := New(tt.dir, tt.opt); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	// A damaged summary.json is an error, not a panic.
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(`[{"cell": 0, "metrics": [{"name": "x", "worse": "sideways"}]}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(dir, Options{}); err == nil {
		t.Error("a damaged summary.json gave no error")
	}
}
