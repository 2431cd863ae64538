package world

import (
	"math"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

// A deposit protocol with nobody leaving: the reserve pays
// D·r − B·b a year, compounding on the deposits it credits, so under the
// fixed rule it runs dry on the first day t with
//
//	Σ_{s<t} (D(1+r/365)^s·r − B·b)/365 > R
//
// The scenario's depletion time must be that day, exactly, on every run.
const depositScenario = `
name: dep
horizon: 120d
step: 1d
numeraire: USDC
assets:
  UST: {decimals: 6, price: 1}
  USDC: {decimals: 6}
mechanisms:
  anchor: {type: deposit, stablecoin: UST, rate: 19.5%/yr, deposits: 14_000_000_000, borrowed: 3_000_000_000, borrow_rate: 12%/yr, reserve: 500_000_000}
metrics: [anchor.depletion_time, anchor.depleted, anchor.reserve, anchor.paid_rate]
`

func TestDepositDepletionScenario(t *testing.T) {
	m := compile(t, depositScenario)
	at, dep := metricIndex(t, m, "anchor.depletion_time"), metricIndex(t, m, "anchor.depleted")
	const d, r, b, loan, res = 14e9, 0.195, 0.12, 3e9, 5e8
	want, drawn := 0, 0.0
	for day := 1; day <= 120; day++ {
		drawn += (d*math.Pow(1+r/365, float64(day-1))*r - loan*b) / 365
		if drawn > res {
			want = day
			break
		}
	}
	for k, row := range runAll(t, m, 4, 2, 1) {
		if row[dep] != 1 || row[at] != float64(want) {
			t.Errorf("run %d: depleted %v at day %v, want day %d", k, row[dep], row[at], want)
		}
	}
}

func TestDepositErrors(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"reserve: 500_000_000}", "reserve: -5}", "expected a non-negative amount of UST"},
		{"reserve: 500_000_000}", "reserve: 500_000_000, rule: runway}", "the runway rule needs runway:"},
		{"reserve: 500_000_000}", "reserve: 500_000_000, rule: stepped, step: 1%/yr, epoch: 36h}", "the stepped rule needs epoch: a whole number of 1d steps"},
		{"reserve: 500_000_000}", "reserve: 500_000_000, rule: clever}", "expected fixed, runway or stepped"},
		{"reserve: 500_000_000}", "reserve: 500_000_000, floor: 4%/yr}", "floor, runway, step and epoch need a rule"},
		{"borrowed: 3_000_000_000", "borrowed: 30_000_000_000", "loans 30000000000000000 exceed deposits"},
	} {
		src := strings.Replace(depositScenario, c.from, c.to, 1)
		f, err := scenario.LoadBytes("test.yaml", []byte(src))
		if err == nil {
			_, err = Compile(f)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.to, err, c.want)
		}
	}
}
