package world

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

const securityScenario = `
name: security
horizon: 60d
step: 1d
numeraire: USD
assets:
  USD: {decimals: 6}
  ATOM: {decimals: 6, price: 10}
mechanisms:
  provider: {type: shared_security, token: ATOM, design: %s}
agents:
  validators:
    type: security_validators
    provider: provider
    count: 12
    stake: 1000
    capacity: [1, 1]
    cost: {from: 3000, to: 3000}
    opt_in: 100%%
    yield: 10%%/yr
    commission: 20%%
    margin: 0
  consumers: {type: consumer_chains, provider: provider, initial: 3, validators: [5, 5], own_stake: {from: 900, to: 900}}
`

// Equal validators asking cost / (yield × commission) = 3000 / 0.02 =
// 150,000 USD of bonded stake: through the scenario path two chains of 5
// clear at that price two epochs after they arrive (validators ask during
// the first, the auction clears at the start of the second), the third
// waits (12
// validators of capacity 1), each chain's attack cost is 2 of its 5
// stakes of 10,000 USD, 20,000, against a third of its own 900. Under
// governance all 12 serve all 3 after 30 days and every validator is over
// its budget of one chain.
func TestSecurityScenario(t *testing.T) {
	for _, tc := range []struct {
		design string
		bids   bool
		want   map[string]float64
	}{
		// Bidding 200,000 for a first validator down to 100,000 for a
		// fifth (200, 175, 150, 125, 100 thousand), a chain meets the
		// asks of 150,000 at its third: all three chains launch with 3.
		{"auction", true, map[string]float64{
			"provider.live": 3, "provider.waiting": 0, "provider.clearing_price": 150_000, "provider.validators_per_chain": 3,
			"provider.bonded_per_chain": 450_000, "validators.serving": 9.0 / 12,
		}},
		{"auction", false, map[string]float64{
			"provider.live": 2, "provider.waiting": 1, "provider.launched": 2, "provider.time_to_launch": 2,
			"provider.clearing_price": 150_000, "provider.bonded_per_chain": 750_000, "provider.validators_per_chain": 5,
			"provider.secured_per_chain": 50_000, "provider.attack_cost_min": 20_000, "provider.vs_sovereign": 20_000.0 / 300,
			"provider.overloaded": 0, "validators.serving": 10.0 / 12, "validators.over_budget": 0,
		}},
		{"governance, delay: 30d", false, map[string]float64{
			"provider.live": 3, "provider.waiting": 0, "provider.launched": 3, "provider.time_to_launch": 30,
			"provider.clearing_price": 0, "provider.bonded_per_chain": 0, "provider.validators_per_chain": 12,
			"provider.secured_per_chain": 120_000, "provider.attack_cost_min": 40_000,
			"provider.overloaded": 12, "validators.serving": 3, "validators.over_budget": 1,
		}},
	} {
		src := fmt.Sprintf(securityScenario, tc.design)
		if tc.bids {
			src = strings.Replace(src, "validators: [5, 5]", "validators: [2, 5], bids: {first: 200_000, last: 100_000}", 1)
		}
		m := compile(t, src)
		row := runAll(t, m, 2, 1, 1)[0]
		for name, want := range tc.want {
			if got := row[metricIndex(t, m, name)]; math.Abs(got-want) > 1e-9*math.Max(1, want) {
				t.Errorf("%s: %s = %v, want %v", tc.design, name, got, want)
			}
		}
	}
}

func TestSecurityErrors(t *testing.T) {
	src := fmt.Sprintf(securityScenario, "auction")
	for _, c := range []struct{ old, new, want string }{
		{"design: auction}", "design: auctoin}", `mechanisms.provider.design: expected auction or governance, got "auctoin"`},
		{"design: auction}", "design: governance}", "mechanisms.provider: the governance design needs delay"},
		{"design: auction}", "design: auction, threshold: 1/2}", "mechanisms.provider.threshold: expected 1/3 or 2/3"},
		{"capacity: [1, 1]", "capacity: [3, 1]", "agents.validators.capacity: expected [low, high]"},
		{"validators: [5, 5]", "validators: [0, 5]", "agents.consumers.validators: expected [low, high] with 1 ≤ low"},
		{"initial: 3,", "initial: 0,", "agents.consumers: no chain ever arrives"},
		{"provider: provider, initial", "provider: validators, initial", `agents.consumers.provider: unknown mechanism "validators"`},
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

// Results are identical for 1 and 2 workers.
func TestSecurityWorkers(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(securityScenario, "auction"), "stake: 1000", "stake: {pareto: 1.5, min: 1000, max: 100_000}", 1)
	src = strings.Replace(src, "initial: 3,", "initial: 1, rate: 20/yr, lifetime: 20d,", 1)
	m := compile(t, src)
	if a, b := runAll(t, m, 6, 1, 4), runAll(t, m, 6, 2, 4); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("results differ between 1 and 2 workers")
	}
}
