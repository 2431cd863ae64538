package report

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"
)

// discoverDir runs cascade discover on src and returns its directory.
func discoverDir(t *testing.T, path string, src []byte) string {
	t.Helper()
	f, err := scenario.LoadBytes(path, src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := experiment.Discover(context.Background(), f, experiment.Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return out
}

// The report of a discover directory opens with where the design breaks:
// the share of failing points with its interval, PRIM's box as readable
// ranges with coverage and density and their intervals, drawn on the
// points' maps, and the worst runs with (point, arm, run, seed) and the
// cascade trace command that replays each.
func TestDiscoveryReport(t *testing.T) {
	const src = `name: ishigami
question: Where does the Ishigami function stay below 8?
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
  design: lhs
  samples: 200
  parameters:
    agents.f.x1: {from: -3.14159, to: 3.14159}
    agents.f.x2: {from: -3.14159, to: 3.14159}
    agents.f.x3: {from: -3.14159, to: 3.14159}
  safe: low
`
	r, err := New(discoverDir(t, "ishigami.yaml", []byte(src)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.disc == nil {
		t.Fatal("not a discovery report")
	}
	var boxes, maps int
	for _, f := range r.figures() {
		if f.kind == figPoints {
			maps++
			boxes += len(f.points.boxes)
			if len(f.points.worst) == 0 {
				t.Errorf("%s marks no worst run", f.id)
			}
		}
	}
	if maps != 3 || boxes == 0 {
		t.Errorf("%d maps with %d boxes, want 3 maps (three parameters) with boxes", maps, boxes)
	}
	page := filepath.Join(t.TempDir(), "r.html")
	if err := r.WriteFile(page, HTML); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(page)
	tags := regexp.MustCompile(`<[^>]+>`)
	text := tags.ReplaceAllString(string(b), " ")
	html := string(b)
	html = html[strings.Index(html, `<section id="answer"`):]
	answer := tags.ReplaceAllString(html[:strings.Index(html, "</section>")], " ")
	for _, want := range []string{
		"Question: Where does the Ishigami function stay below 8?",
		"low (mean(f.value) &lt; 8) fails at",
		"PRIM box where it fails: f.x",
		"(coverage 0.",
		"(density ",
		"Worst run: point ",
	} {
		if !strings.Contains(answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, answer)
		}
	}
	for _, want := range []string{"Counterexamples", "cascade trace ishigami.yaml --set agents.f.x1=", "Wilson"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Parameter ranges are readable: no 17-digit numbers outside the
	// replay commands, which must be exact.
	long := regexp.MustCompile(`\d\.\d{8,}`)
	if m := long.FindString(answer); m != "" {
		t.Errorf("unreadable number %s in the answer", m)
	}
	if err := r.WriteMarkdown(filepath.Join(t.TempDir(), "r.md")); err != nil {
		t.Fatal(err)
	}
}

// The adaptive boundary search's report states each line's crossing, the
// search's cost against a grid and the certified box, and draws the
// crossings and the box on the map.
func TestDiscoveryReportBoundary(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "examples", "loan_boundary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(discoverDir(t, "loan_boundary.yaml", src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(r.Headline(), "\n")
	for _, want := range []string{"Boundary of solvent along agents.loan.slash", "a grid of the same resolution would cost", "Certified safe: agents.loan.slash from 0% to "} {
		if !strings.Contains(lines, want) {
			t.Errorf("answer lacks %q:\n%s", want, lines)
		}
	}
	// Each line's crossing, readable (the search's own test checks it
	// against the closed form).
	for _, l := range r.disc.Boundary.Lines {
		if l.Outcome == "crossing" && !strings.Contains(lines, paramText(l.Estimate, "%")+" ± ") {
			t.Errorf("answer lacks the crossing %s of line %s", paramText(l.Estimate, "%"), l.Others[0])
		}
	}
	var crossings int
	for _, f := range r.figures() {
		if f.kind == figPoints {
			crossings += len(f.points.crossings)
		}
	}
	if crossings == 0 {
		t.Error("the map draws no boundary estimate")
	}
}

// sensitivitySources are discover scenarios with Sobol indices and Morris
// effects, for the ranked sensitivity charts: one run a point of a test
// function of three parameters.
var sensitivitySources = map[string]string{
	"sobol":  sensitivitySource("ishigami", "f", "ishigami", "saltelli", 256, -3.14159, 3.14159),
	"morris": sensitivitySource("gfunction", "g", "g_function", "morris", 40, 0, 1) + "  levels: 4\n",
}

func sensitivitySource(name, agent, function, design string, samples int, lo, hi float64) string {
	s := fmt.Sprintf("name: %s\nhorizon: 1d\nstep: 1d\nruns: 1\nnumeraire: USD\nassets: {USD: {decimals: 6}}\n"+
		"agents:\n  %s: {type: test_function, function: %s}\ndiscover:\n  design: %s\n  samples: %d\n  parameters:\n",
		name, agent, function, design, samples)
	for k := 1; k <= 3; k++ {
		s += fmt.Sprintf("    agents.%s.x%d: {from: %g, to: %g}\n", agent, k, lo, hi)
	}
	return s
}

// Sensitivity rankings are drawn, not only tabled: a forest with one row
// per parameter in rank order and each index with its interval.
func TestDiscoveryReportRanksSensitivity(t *testing.T) {
	for name, src := range sensitivitySources {
		t.Run(name, func(t *testing.T) {
			r, err := New(discoverDir(t, name+".yaml", []byte(src)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var ranked *figure
			for _, f := range r.figures() {
				if f.kind == figForest && strings.Contains(f.id, "-"+name+"-") {
					ranked = f
				}
			}
			if ranked == nil {
				t.Fatalf("no %s ranking chart", name)
			}
			if len(ranked.forest.rows) != 3 {
				t.Fatalf("rows %v, want the three parameters", ranked.forest.rows)
			}
			// Rank order: the last series (total index, or μ*) falls down the rows.
			last := ranked.series[len(ranked.series)-1]
			prev := math.Inf(1)
			for _, row := range ranked.forest.rows {
				for _, p := range ranked.forest.points {
					if p.row == row && p.series == last {
						if p.v > prev || !(p.lo <= p.v && p.v <= p.hi) {
							t.Errorf("%s %s: %g [%g, %g] after %g", row, last, p.v, p.lo, p.hi, prev)
						}
						prev = p.v
					}
				}
			}
			checkFigures(t, r)
			// The Markdown version draws it as an SVG too.
			md := filepath.Join(t.TempDir(), "r.md")
			if err := r.WriteFile(md, Markdown); err != nil {
				t.Fatal(err)
			}
			svgs, _ := filepath.Glob(filepath.Join(filepath.Dir(md), "r_files", "*-"+name+"-*.svg"))
			if len(svgs) != 1 {
				t.Errorf("Markdown report: %d SVGs of the %s ranking, want 1", len(svgs), name)
			}
		})
	}
}
