package world

import (
	"context"
	"errors"
	"github.com/cascade-risk/cascade/market"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

// ledger is a test protocol that keeps two totals equal and breaks them at
// a chosen step, to show that a failed accounting check stops the run with
// its run, seed and step.
type ledger struct {
	breakAt  int
	in, out  float64
	steps    int
	gasSeen  float64
	gasIndex int
}

func (l *ledger) Reset(*market.Market) { l.in, l.out, l.steps = 0, 0, 0 }
func (l *ledger) Step(m *market.Market) error {
	l.steps++
	l.in++
	l.out++
	if l.steps == l.breakAt {
		l.out += 0.5
	}
	l.gasSeen = m.Signals[l.gasIndex]
	return nil
}
func (l *ledger) Check() error {
	if l.in != l.out {
		return errors.New("minted != burned + outstanding")
	}
	return nil
}
func (l *ledger) Metrics() []metric.Def {
	return []metric.Def{{Name: "steps", Unit: "count"}, {Name: "gas", Unit: "gwei"}}
}
func (l *ledger) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1] = float64(l.steps), l.gasSeen
}

func init() {
	protocolBuilders["test_ledger"] = func(b *builder, c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
		var p struct {
			BreakAt int    `yaml:"break_at"`
			Gas     string `yaml:"gas,required"`
		}
		if !b.decode(c, &p) {
			return nil, false
		}
		g, ok := b.signal(p.Gas, c.Node.Get("gas"), c.Path+".gas")
		if !ok {
			return nil, false
		}
		return func() market.Protocol { return &ledger{breakAt: p.BreakAt, gasIndex: g} }, true
	}
}

const ledgerScenario = `
name: ledger
horizon: 20d
step: 1d
numeraire: USD
assets: {USD: {decimals: 6}}
processes:
  gas: {type: gbm, signal: gas_price, initial: 30, volatility: 20%/day}
mechanisms:
  book: {type: test_ledger, break_at: %d, gas: gas_price}
`

func TestProtocolCheckedEveryStep(t *testing.T) {
	m := compile(t, strings.Replace(ledgerScenario, "%d", "0", 1))
	rows := runAll(t, m, 20, 2, 1)
	names := map[string]int{}
	for k, d := range m.Metrics {
		names[d.FullName] = k
	}
	if rows[0][names["book.steps"]] != 20 {
		t.Fatalf("protocol stepped %v times", rows[0][names["book.steps"]])
	}
	if g := rows[0][names["book.gas"]]; g <= 0 || g != rows[0][names["gas_price.value"]] {
		t.Fatalf("protocol saw gas %v, signal metric %v", g, rows[0][names["gas_price.value"]])
	}

	broken := compile(t, strings.Replace(ledgerScenario, "%d", "7", 1))
	err := engine.Run(context.Background(), broken, engine.Config{Runs: 20, Seed: 5, Workers: 2}, func(*engine.Outcome) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "run 0 (seed ") || !strings.Contains(err.Error(), "step 7: book: accounting check failed: ") ||
		!strings.Contains(err.Error(), "minted != burned + outstanding") {
		t.Fatalf("got %v", err)
	}
}

func TestUnknownSignalAndMechanism(t *testing.T) {
	src := strings.Replace(ledgerScenario, "%d", "0", 1)
	src = strings.Replace(src, "gas: gas_price}", "gas: gas_prise}", 1)
	f, err := scenario.LoadBytes("l.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(f)
	if err == nil || !strings.Contains(err.Error(), `unknown signal "gas_prise"; did you mean "gas_price"?`) {
		t.Fatalf("got %v", err)
	}
}
