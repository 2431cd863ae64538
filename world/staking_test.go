package world

import (
	"context"
	"github.com/cascade-risk/cascade/market"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
)

// posTamper is a test agent that moves one raw unit of native out of the
// pool's account at a chosen step, behind the pool's back: the staking
// chain's accounting check must stop the run there.
type posTamper struct {
	protocol, at int
	s            *protocol.Staking
}

func (a *posTamper) Reset(m *market.Market, _ *rand.Rand) {
	a.s, _ = m.Protocols[a.protocol].(*protocol.Staking)
}

func (a *posTamper) Act(m *market.Market) {
	if m.Step == a.at && a.s != nil {
		_ = a.s.Chain().Transfer(a.s.PoolAccount(), a.s.Public(), 1)
	}
}
func (a *posTamper) Metrics() []metric.Def                 { return nil }
func (a *posTamper) Observe(_ *market.Market, _ []float64) {}

func init() {
	agentBuilders["test_pos_tamper"] = func(b *builder, c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
		var p struct {
			Chain string `yaml:"chain,required"`
			At    int    `yaml:"at"`
		}
		if !b.decode(c, &p) {
			return nil, false
		}
		k, _, ok := b.stakingOf(c, p.Chain)
		if !ok {
			return nil, false
		}
		return func() market.Agent { return &posTamper{protocol: k, at: p.At} }, true
	}
}

// posScenario is a small chain with every staking agent type, with faults
// frequent enough that a few months see slashings and defaults.
const posScenario = `
name: pos
horizon: 90d
step: 1d
sample_every: 10d
numeraire: USD
assets:
  USD: {decimals: 6}
  STK: {decimals: 9}
  sSTK: {decimals: 9, price: 10}
processes:
  stk: {type: gbm, asset: STK, initial: 10, volatility: 60%/yr}
mechanisms:
  pool: {type: uniswap_v2, tokens: [STK, sSTK], reserves: [50_000, 50_000], fee: 0.3%}
  chain:
    type: staking
    native: STK
    synthetic: sSTK
    pool: pool
    supply: 2_000_000
    unbonding: 14d
    issuance: {model: fixed_rate, rate: 6%/yr}
    slashing: {offence: double_sign, fraction: 30%}
    loans: {collateral_ratio: 125%, rate: 3%/yr}
    design: DESIGN
    lending: {demand: 100_000}
agents:
  validators:
    type: pos_validators
    chain: chain
    count: 12
    stake: {pareto: 1.5, min: 10_000, max: 200_000}
    max_per_validator: 50_000
    leverage: [1.5, 3]
    risk_awareness: 0%
    sell: 70%
    fault_rate: 1/yr
    incident_rate: 1/yr
    downtime_rate: 2/yr
    client_bug: {rate: 2/yr, share: 30%}
  whale: {type: pos_validators, chain: chain, stake: 300_000, max_per_validator: 50_000, leverage: 3, risk_awareness: 0%, incident_rate: 1/yr}
  delegators:
    type: pos_delegators
    chain: chain
    count: 60
    wealth: {pareto: 1.2, min: 500, max: 50_000}
    staked: 60%
    lent: 20%
    inertia: 10d
    derivatives: true
  arb: {type: pos_arbitrageur, chain: chain, capital: 100_000, stake: 100_000, margin: 0.5%}
`

func posCompile(t testing.TB, design string) *Model {
	t.Helper()
	return compile(t, strings.Replace(posScenario, "DESIGN", design, 1))
}

// A small chain runs end to end under both designs, every identity checked
// after every step, and its outcomes are coherent: slashing burned stake,
// over-levered borrowers were foreclosed, the enshrined design halted new
// loans after them while the hub never did.
func TestStakingScenario(t *testing.T) {
	sum := func(m *Model, rows [][]float64, name string) float64 {
		k := metricIndex(t, m, name)
		var s float64
		for _, r := range rows {
			s += r[k]
		}
		return s
	}
	hub := posCompile(t, "external_hub")
	en := posCompile(t, "enshrined")
	rh := runAll(t, hub, 8, 2, 1)
	re := runAll(t, en, 8, 2, 1)
	for _, tc := range []struct {
		m    *Model
		rows [][]float64
	}{{hub, rh}, {en, re}} {
		for _, r := range tc.rows {
			for _, name := range []string{"chain.staking_ratio", "chain.burned_fraction", "chain.gini_stake", "chain.gini_wealth", "delegators.staked_share"} {
				if v := r[metricIndex(t, tc.m, name)]; !(v >= 0 && v <= 1) {
					t.Errorf("%s = %v outside [0, 1]", name, v)
				}
			}
			if r[metricIndex(t, tc.m, "chain.min_staking_ratio")] > r[metricIndex(t, tc.m, "chain.staking_ratio")] {
				t.Error("minimum staking ratio above its final value")
			}
			if r[metricIndex(t, tc.m, "chain.defaults")] > r[metricIndex(t, tc.m, "chain.foreclosures")] {
				t.Error("more borrower defaults than loans foreclosed")
			}
		}
		if sum(tc.m, tc.rows, "chain.slashings") == 0 || sum(tc.m, tc.rows, "chain.stake_burned") == 0 {
			t.Error("no slashing in 8 runs")
		}
		if sum(tc.m, tc.rows, "chain.defaults") == 0 || sum(tc.m, tc.rows, "chain.cascade_depth") == 0 {
			t.Error("no defaults in 8 runs of 3× leverage and 30% slashes")
		}
	}
	if h := sum(hub, rh, "chain.halted_fraction"); h != 0 {
		t.Errorf("the external hub halted (%v)", h)
	}
	if h := sum(en, re, "chain.halted_fraction"); h == 0 {
		t.Error("the enshrined design never halted")
	}
}

// Results are bit-identical for 1, 2 and 8 workers.
func TestStakingIdenticalAcrossWorkers(t *testing.T) {
	m := posCompile(t, "enshrined")
	ref := runAll(t, m, 6, 1, 9)
	for _, w := range []int{2, 8} {
		got := runAll(t, m, 6, w, 9)
		for k := range ref {
			for c := range ref[k] {
				if math.Float64bits(got[k][c]) != math.Float64bits(ref[k][c]) {
					t.Fatalf("workers=%d: run %d value %d: %v ≠ %v", w, k, c, got[k][c], ref[k][c])
				}
			}
		}
	}
}

// Breaking the pool's accounting at step 5 stops the run at step 5 with
// the identity violated, naming run, seed and step.
func TestStakingTamperNamesRunSeedStep(t *testing.T) {
	src := strings.Replace(posScenario, "DESIGN", "external_hub", 1) + "  tamper: {type: test_pos_tamper, chain: chain, at: 5}\n"
	m := compile(t, src)
	err := engine.Run(context.Background(), m, engine.Config{Runs: 4, Seed: 77, Workers: 2}, func(*engine.Outcome) error { return nil })
	if err == nil {
		t.Fatal("the run survived a broken pool account")
	}
	want := regexp.MustCompile(`run \d+ \(seed \d+\): step 5: chain: accounting check failed: staking: accounting identity violated: pool: pool holds \d+ native, its account \d+`)
	if !want.MatchString(err.Error()) {
		t.Fatalf("error %q does not match %s", err, want)
	}
}

// Every bad input is reported at its node with what was expected.
func TestStakingValidation(t *testing.T) {
	base := strings.Replace(posScenario, "DESIGN", "external_hub", 1)
	for _, tc := range []struct{ old, new, want string }{
		{"design: external_hub", "design: central_bank", `mechanisms.chain.design: unknown design "central_bank" (expected enshrined or external_hub)`},
		{"loans: {collateral_ratio: 125%, rate: 3%/yr}", "loans: {collateral_ratio: 125%, liquidation_ratio: 130%}", "mechanisms.chain.loans.liquidation_ratio: expected a liquidation ratio above 0 and at most the collateral ratio"},
		{"loans: {collateral_ratio: 125%, rate: 3%/yr}", "loans: {collateral_ratio: 90%}", "mechanisms.chain.loans.collateral_ratio: expected a collateral ratio from 100%"},
		{"loans: {collateral_ratio: 125%, rate: 3%/yr}", "loans: {curve: [{utilization: 50%, rate: 5%/yr}, {utilization: 10%, rate: 9%/yr}]}", "mechanisms.chain.loans.curve.1.utilization: utilizations must increase"},
		{"sSTK: {decimals: 9, price: 10}", "sSTK: {decimals: 6, price: 10}", "the synthetic sSTK has 6 decimals, the native token STK 9"},
		{"slashing: {offence: double_sign, fraction: 30%}", "slashing: {offence: treason}", `mechanisms.chain.slashing.offence: unknown offence "treason"`},
		{"slashing: {offence: double_sign, fraction: 30%}", "slashing: {offence: ethereum, fraction: 5%}", "mechanisms.chain.slashing.fraction: fraction applies to offence: double_sign"},
		{"issuance: {model: fixed_rate, rate: 6%/yr}", "issuance: {model: fixed_rate}", "mechanisms.chain.issuance: issuance model fixed_rate needs rate"},
		{"supply: 2_000_000", "supply: 100_000", "mechanisms.chain.supply: the supply 100000 cannot fund"},
		{"pool: pool\n", "pool: pol\n", `mechanisms.chain.pool: unknown pool "pol"; did you mean "pool"?`},
		{"    leverage: [1.5, 3]\n", "    leverage: [3, 1.5]\n", "agents.validators.leverage: expected a leverage (stake/equity) of at least 1"},
		{"stake: {pareto: 1.5, min: 10_000, max: 200_000}", "stake: {pareto: -1, min: 10_000}", "agents.validators.stake.pareto: expected a Pareto tail index above 0"},
		{"stake: {pareto: 1.5, min: 10_000, max: 200_000}", "stake: {pareto: 1.5, min: 10_000, max: 5_000}", "agents.validators.stake.max: max 5000 is below min 10000"},
		{"stake: {pareto: 1.5, min: 10_000, max: 200_000}", "stake: lots", `agents.validators.stake: expected an amount of tokens or {pareto: α, min: amount, max: amount}, got "lots"`},
		{"    staked: 60%\n", "    staked: 90%\n", "agents.delegators: staked (0.9) and lent (0.2) must be non-negative fractions adding up to at most 100%"},
		{"arb: {type: pos_arbitrageur, chain: chain,", "arb: {type: pos_arbitrageur, chain: pool,", `agents.arb.chain: unknown mechanism "pool"`},
		{"    client_bug: {rate: 2/yr, share: 30%}\n", "    client_bug: {rate: 2/yr, share: 130%}\n", "agents.validators.client_bug.share: expected the share of operators a bug strikes"},
		{"loans: {collateral_ratio: 125%, rate: 3%/yr}", "loans: {collateral_ratio: 125%, term: 15d}", "mechanisms.chain.loans.term: a term of 360h0m0s is due as soon as it opens: it must exceed the unbonding delay and two epochs (16 epochs)"},
	} {
		if !strings.Contains(base, tc.old) {
			t.Fatalf("scenario lacks %q", tc.old)
		}
		f, err := scenario.LoadBytes("pos.yaml", []byte(strings.Replace(base, tc.old, tc.new, 1)))
		if err == nil {
			_, err = Compile(f)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "pos.yaml:") {
			t.Errorf("%s: got %v, want %q at a file position", tc.new, err, tc.want)
		}
	}
}

// Ethereum rules compile: issuance in Gwei, summed over the 225 Ethereum
// epochs of a day, and the correlation penalty's window in epochs; they
// need a 9-decimal token. Without faults the yield is Ethereum's
// 64·82125/√(stake in Gwei) a year, about 16% for a million tokens staked.
func TestStakingEthereumRules(t *testing.T) {
	src := strings.Replace(posScenario, "DESIGN", "external_hub", 1)
	src = strings.Replace(src, "issuance: {model: fixed_rate, rate: 6%/yr}", "issuance: {model: ethereum, fork: electra}", 1)
	src = strings.Replace(src, "slashing: {offence: double_sign, fraction: 30%}", "slashing: {offence: ethereum, window: 36d, multiplier: 3}", 1)
	m := compile(t, src)
	rows := runAll(t, m, 2, 1, 5)
	if b := rows[0][metricIndex(t, m, "chain.stake_burned")]; !(b > 0) {
		t.Fatalf("no stake burned by Ethereum slashing: %v", b)
	}
	quiet := strings.NewReplacer("fault_rate: 1/yr", "fault_rate: 0/yr", "incident_rate: 1/yr", "incident_rate: 0/yr",
		"downtime_rate: 2/yr", "downtime_rate: 0/yr", "client_bug: {rate: 2/yr", "client_bug: {rate: 0/yr").Replace(src)
	m = compile(t, quiet)
	rows = runAll(t, m, 1, 1, 5)
	y, bonded := rows[0][metricIndex(t, m, "chain.staking_yield")], rows[0][metricIndex(t, m, "chain.bonded")]
	if want := 64 * 82125 / math.Sqrt(bonded*1e9); math.Abs(y-want) > 0.1*want {
		t.Fatalf("staking yield %v with %v bonded, want about %v", y, bonded, want)
	}
	bad := strings.NewReplacer("STK: {decimals: 9}", "STK: {decimals: 6}", "sSTK: {decimals: 9, price: 10}", "sSTK: {decimals: 6, price: 10}").Replace(src)
	f, err := scenario.LoadBytes("eth.yaml", []byte(bad))
	if err == nil {
		_, err = Compile(f)
	}
	if err == nil || !strings.Contains(err.Error(), "ethereum issuance is defined in Gwei") {
		t.Fatalf("got %v", err)
	}
}

// The chain can read its average from a twap_oracle of the synthetic on
// the pool, listed before it; a mechanism that is not an oracle is refused.
func TestStakingOracle(t *testing.T) {
	src := strings.Replace(posScenario, "DESIGN", "enshrined", 1)
	src = strings.Replace(src, "  chain:\n", "  twap: {type: twap_oracle, asset: sSTK, venue: pool, window: 3d}\n  chain:\n", 1)
	withOracle := strings.Replace(src, "    lending: {demand: 100_000}\n", "    lending: {demand: 100_000}\n    oracle: twap\n", 1)
	m := compile(t, withOracle)
	rows := runAll(t, m, 3, 1, 2)
	if d := rows[0][metricIndex(t, m, "chain.twap_discount")]; math.Abs(d) > 0.5 {
		t.Fatalf("discount read through the oracle: %v", d)
	}
	if p := rows[0][metricIndex(t, m, "twap.price")]; !(p > 0) {
		t.Fatalf("oracle price %v", p)
	}
	bad := strings.Replace(src, "    lending: {demand: 100_000}\n", "    lending: {demand: 100_000}\n    oracle: twap\n    twap: 2d\n", 1)
	for _, tc := range []struct{ src, want string }{
		{bad, "mechanisms.chain.twap: give twap (the adapter's own average) or oracle, not both"},
		{strings.Replace(withOracle, "oracle: twap", "oracle: pool", 1), `mechanisms.chain.oracle: unknown mechanism "pool"`},
	} {
		f, err := scenario.LoadBytes("o.yaml", []byte(tc.src))
		if err == nil {
			_, err = Compile(f)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}

// A whale whose loss passes its fork cost forks: slashed 30% on day 10,
// with a fork cost of 10% of its genesis stake, it leaves the chain — its
// stake unbonds, bonded stake falls by about its size — and forks counts
// it. With a fork cost above its loss it stays.
func TestStakingFork(t *testing.T) {
	src := func(cost string) string {
		s := strings.Replace(posScenario, "DESIGN", "external_hub", 1)
		s = strings.Replace(s, "whale: {type: pos_validators, chain: chain, stake: 300_000, max_per_validator: 50_000, leverage: 3, risk_awareness: 0%, incident_rate: 1/yr}",
			"whale: {type: pos_validators, chain: chain, stake: 300_000, max_per_validator: 50_000, fault_at: 10d, fork_cost: "+cost+"}", 1)
		return strings.Replace(s, "fault_rate: 1/yr", "fault_rate: 0/yr", 1)
	}
	for _, c := range []struct {
		cost  string
		forks float64
	}{{"10%", 1}, {"50%", 0}} {
		m := compile(t, src(c.cost))
		rows := runAll(t, m, 4, 2, 5)
		for k, r := range rows {
			if got := r[metricIndex(t, m, "whale.forks")]; got != c.forks {
				t.Errorf("fork cost %s, run %d: %v forks, want %v", c.cost, k, got, c.forks)
			}
			stake := r[metricIndex(t, m, "whale.stake")]
			if c.forks == 1 && stake > 1 {
				t.Errorf("fork cost %s, run %d: the whale still stakes %v after forking", c.cost, k, stake)
			}
			if c.forks == 0 && stake < 200_000 {
				t.Errorf("fork cost %s, run %d: the whale stakes only %v", c.cost, k, stake)
			}
		}
	}
}

// With a loan term, loans fall due and borrowers roll them: a term of 30
// days on the small chain (14-day unbonding) sees loans repaid before
// they mature and borrowed afresh (debt still outstanding at the horizon,
// three terms later), and some borrowers who cannot unwind in time
// foreclosed for the missed maturity.
func TestStakingLoanTerm(t *testing.T) {
	src := strings.Replace(posScenario, "DESIGN", "external_hub", 1)
	with := strings.Replace(src, "loans: {collateral_ratio: 125%, rate: 3%/yr}", "loans: {collateral_ratio: 125%, rate: 3%/yr, term: 30d}", 1)
	mean := func(src, name string) float64 {
		m := compile(t, src)
		rows := runAll(t, m, 8, 2, 3)
		var x float64
		for _, r := range rows {
			x += r[metricIndex(t, m, name)]
		}
		return x / float64(len(rows))
	}
	if got := mean(src, "chain.recall_foreclosures"); got != 0 {
		t.Errorf("no term: %v loans foreclosed for a passed deadline", got)
	}
	missed, debt := mean(with, "chain.recall_foreclosures"), mean(with, "chain.debt")
	t.Logf("30-day term: %.1f loans foreclosed at maturity a run, %.0f tokens owed at the horizon", missed, debt)
	if !(missed > 0) || !(debt > 0) {
		t.Errorf("30-day term: %v missed maturities, %v owed at the horizon; want loans maturing and borrowed again", missed, debt)
	}
}
