package report

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"
)

// pos_study (48 cells: 16 sweep points × 3 arms, 40-odd metrics) makes a
// report under 3 MB whose first section is the answer: the question, the
// arms counted over the cells on the headline metric, and the regions
// mapped with their uncertainty. Run with 3 runs a cell to keep it short;
// the report's size depends on cells and metrics, not on runs.
func TestPosStudyReportAnswersFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pos_study")
	}
	f, err := scenario.Load(filepath.Join("..", "examples", "pos_study.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := experiment.Run(context.Background(), f, experiment.Options{Out: dir, Runs: 3}); err != nil {
		t.Fatal(err)
	}
	r, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(t.TempDir(), "r.html")
	if err := r.WriteFile(html, HTML); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(html)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report.html: %d bytes, %d charts", st.Size(), r.Charts())
	if st.Size() >= 3<<20 {
		t.Errorf("report.html is %d bytes, want under 3 MB", st.Size())
	}
	b, _ := os.ReadFile(html)
	first := string(b)
	if k := strings.Index(first, `<section id="answer"`); k >= 0 {
		first = first[k:]
		if e := strings.Index(first, "</section>"); e >= 0 {
			first = first[:e]
		}
	} else {
		t.Fatalf("no answer section")
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(first, " ")
	for _, want := range []string{
		"Question: Where do staking-derivative loans leave the chain fairer",
		"enshrined against external_hub, mean of chain.security_budget",
		"Region fairer_and_safe: mean(chain.gini_stake_change) &lt; 0 and mean(chain.burned_fraction) &lt; 0.05",
		"In the region: external_hub",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("first section lacks %q:\n%.3000s", want, text)
		}
	}
}
