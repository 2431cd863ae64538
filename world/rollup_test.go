package world

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

const rollupScenario = `
name: rollup
horizon: 30d
step: %s
numeraire: ETH
assets:
  ETH: {decimals: 18}
processes:
  demand: {type: gbm, signal: demand, initial: %d, volatility: 0%%/yr}
mechanisms:
  chain:
    type: rollup
    reference_gas: 25
    deployment: 1
    posting: 0.5/day
    data_per_tx: 0.000075
    markup: 0.00001
agents:
  users: {type: rollup_users, chain: chain, demand: demand}
`

// Through the scenario path, with constant gas and demand, the ledger
// follows the closed form: break-even throughput 0.5 / 1e-5 = 50,000
// tx/day; at 60,000 tx/day the 1 ETH deployment is recovered in 10 days
// and 30 days end 2 ETH up; at 40,000 the chain loses 0.1 ETH a day.
// Halving the step changes none of it.
func TestRollupScenarioClosedForm(t *testing.T) {
	for _, step := range []string{"1d", "12h"} {
		for _, tc := range []struct {
			demand       int
			profit, days float64
			loss         float64
		}{
			{60_000, 2, 10, 0},
			{40_000, -4, 30, 1},
		} {
			m := compile(t, fmt.Sprintf(rollupScenario, step, tc.demand))
			row := runAll(t, m, 2, 1, 1)[0]
			get := func(n string) float64 { return row[metricIndex(t, m, n)] }
			for _, c := range []struct {
				name string
				want float64
			}{
				{"chain.profit", tc.profit}, {"chain.days_to_break_even", tc.days}, {"chain.loss", tc.loss},
				{"chain.break_even_txs", 50_000}, {"chain.txs_per_day", float64(tc.demand)}, {"users.txs", 30 * float64(tc.demand)},
			} {
				if got := get(c.name); math.Abs(got-c.want) > 1e-9*math.Max(1, math.Abs(c.want)) {
					t.Errorf("step %s demand %d: %s = %v, want %v", step, tc.demand, c.name, got, c.want)
				}
			}
		}
	}
}

func TestRollupErrors(t *testing.T) {
	src := fmt.Sprintf(rollupScenario, "1d", 1000)
	for _, c := range []struct{ old, new, want string }{
		{"    markup: 0.00001\n", "    markup: 0.00001\n    price: 0.0001\n", "mechanisms.chain: give price"},
		{"    reference_gas: 25\n", "    reference_gas: 0\n", "mechanisms.chain.reference_gas: expected a gas price above 0"},
		{"demand: demand}", "demand: demnd}", `agents.users.demand: unknown signal "demnd"; did you mean "demand"?`},
		{"chain: chain,", "chain: users,", `agents.users.chain: unknown mechanism "users"`},
		{"    posting: 0.5/day\n", "    posting: 0.5\n", "mechanisms.chain.posting: expected a rate"},
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

// Price-elastic users: at a reference price twice the fee and elasticity
// 1, the demand signal's 10,000 tx/day become 20,000.
func TestRollupElasticUsers(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(rollupScenario, "1d", 10_000), "demand: demand}", "demand: demand, elasticity: 1, reference_price: 0.00017}", 1)
	m := compile(t, src)
	row := runAll(t, m, 1, 1, 1)[0]
	if got := row[metricIndex(t, m, "chain.txs_per_day")]; got != 20_000 {
		t.Fatalf("%v tx/day, want 20,000", got)
	}
}
