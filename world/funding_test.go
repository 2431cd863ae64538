package world

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

const fundingScenario = `
name: funding
horizon: 90d
step: 1d
numeraire: USD
assets:
  USD: {decimals: 6}
mechanisms:
  program: {type: funding_rounds, round: 30d, pool: 1000, cap: %s, threshold: 10}
agents:
  projects: {type: grant_projects, program: program, count: 3, results: 100%%}
  attacker: {type: sybil_attacker, program: program, budget: 100, identity_cost: 5, score_cost: 1, max_identities: 50}
`

// An attacker alone: one identity draws no match ((√B)² − B = 0), two draw
// an ideal of B and so the whole pool, for one fake credential of
// 5 + 1 × 10 kept for all three rounds. With a 40% cap it is held at 400 a
// round and 600 a round stays unpaid.
func TestFundingScenarioSybilAlone(t *testing.T) {
	for _, tc := range []struct {
		cap            string
		perRound, left float64
	}{{"0%", 1000, 0}, {"40%", 400, 600}} {
		m := compile(t, fmt.Sprintf(fundingScenario, tc.cap))
		row := runAll(t, m, 2, 1, 3)[1]
		get := func(n string) float64 { return row[metricIndex(t, m, n)] }
		for _, c := range []struct {
			name string
			want float64
		}{
			{"program.rounds", 3}, {"program.matched", 3 * tc.perRound}, {"program.remainder", tc.left},
			{"attacker.captured", 3 * tc.perRound}, {"attacker.sybil_gain", 3 * tc.perRound},
			{"attacker.credential_cost", 15}, {"attacker.net_gain", 3*tc.perRound - 15},
			{"attacker.identities", 2}, {"attacker.captured_share", 1}, {"projects.share", 0}, {"program.top_share", 1},
		} {
			if got := get(c.name); math.Abs(got-c.want) > 1e-9*math.Max(1, c.want) {
				t.Errorf("cap %s: %s = %v, want %v", tc.cap, c.name, got, c.want)
			}
		}
	}
}

// Quadratic funding with honest donors: the pool is paid in full each
// round (no cap), the books balance every step, and results are identical
// for 1 and 2 workers.
func TestFundingScenarioDonors(t *testing.T) {
	src := fmt.Sprintf(fundingScenario, "0%") + `  donors: {type: grant_donors, program: program, count: 200, gift: 20, dispersion: 1, projects: 2, popularity: 1, score: {from: 0, to: 40}}
`
	m := compile(t, src)
	a, b := runAll(t, m, 4, 1, 5), runAll(t, m, 4, 2, 5)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("results differ between 1 and 2 workers")
	}
	for _, row := range a {
		if got := row[metricIndex(t, m, "program.matched")]; math.Abs(got-3000) > 1e-6 {
			t.Fatalf("matched %v, want 3 pools of 1000", got)
		}
		if u := row[metricIndex(t, m, "program.unmatched_share")]; !(u > 0.15 && u < 0.35) {
			t.Fatalf("unmatched share %v; a quarter of donors score below 10", u)
		}
	}
}

func TestFundingErrors(t *testing.T) {
	src := fmt.Sprintf(fundingScenario, "0%")
	for _, c := range []struct{ old, new, want string }{
		{"round: 30d,", "round: 2d,", "mechanisms.program.round: a round must last at least 3 steps"},
		{"cap: 0%,", "cap: 120%,", "cap 1.2 outside [0, 1]"},
		{"results: 100%}", "results: 150%}", "agents.projects.results: expected a probability"},
		{"program: program, budget", "program: projects, budget", `agents.attacker.program: unknown mechanism "projects"`},
		{"max_identities: 50", "max_identities: 0", "agents.attacker.max_identities: expected from 1 to 10000"},
	} {
		bad := strings.Replace(src, c.old, c.new, 1)
		f, err := scenario.LoadBytes("test.yaml", []byte(bad))
		if err == nil {
			_, err = Compile(f)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.new, err, c.want)
		}
	}
}

// Control: the attacker acts at the last step of a round, where no donor
// gives, and projects report at its first: the agents' order within a step
// cannot change the outcome, so shuffled and listed orders agree exactly.
func TestFundingOrderInvariant(t *testing.T) {
	src := fmt.Sprintf(fundingScenario, "5%") + `  donors: {type: grant_donors, program: program, count: 300, gift: 20, dispersion: 1, projects: 2, popularity: 1, score: {from: 0, to: 40}}
`
	listed := compile(t, src+"ordering: listed\n")
	shuffled := compile(t, src)
	if a, b := runAll(t, listed, 3, 1, 8), runAll(t, shuffled, 3, 2, 8); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("agent order changed the outcome")
	}
}
