package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// base is a valid scenario; each malformed case replaces one of its lines
// (1-based) and expects an error at a position in that line.
var base = []string{
	"name: t",                         // 1
	"horizon: 30d",                    // 2
	"step: 1d",                        // 3
	"numeraire: USDC",                 // 4
	"assets:",                         // 5
	"  ETH: {decimals: 18}",           // 6
	"  USDC: {decimals: 6}",           // 7
	"processes:",                      // 8
	"  eth:",                          // 9
	"    type: gbm",                   // 10
	"    asset: ETH",                  // 11
	"    initial: 2000",               // 12
	"    volatility: 4%/day",          // 13
	"mechanisms:",                     // 14
	"  pool:",                         // 15
	"    type: uniswap_v2",            // 16
	"    tokens: [ETH, USDC]",         // 17
	"    reserves: [1000, 2e6]",       // 18
	"    fee: 0.3%",                   // 19
	"agents:",                         // 20
	"  arb:",                          // 21
	"    type: arbitrageur",           // 22
	"    pools: [pool]",               // 23
	"  lp:",                           // 24
	"    type: passive_lp",            // 25
	"    pool: pool",                  // 26
	"metrics: [lp.lp_hodl, pool.lvr]", // 27
}

// scenarioWith replaces lines from..to (1-based, inclusive) of base.
func scenarioWith(from, to int, text string) string {
	lines := append([]string(nil), base...)
	if from > 0 {
		to = max(to, from)
		lines = append(lines[:from-1], append([]string{text}, lines[to:]...)...)
	}
	return strings.Join(lines, "\n") + "\n"
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	status := execute(args, &out, &errb)
	return status, out.String(), errb.String()
}

func TestValidScenarioValidates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ok.yaml")
	if err := os.WriteFile(path, []byte(scenarioWith(0, 0, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, out, errs := run(t, "validate", path); status != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("status %d, stdout %q, stderr %q", status, out, errs)
	}
}

func TestMalformedScenarios(t *testing.T) {
	cases := []struct {
		name string
		src  string // whole file; or built from a line replacement
		line int
		to   int // last line replaced, if more than one
		text string
		want string // "line:col: ..." substring expected in stderr
	}{
		{name: "yaml syntax", line: 17, text: "    tokens: [ETH, USDC", want: "18:5: invalid YAML: ',' or ']' must be specified"},
		{name: "empty file", src: "\n", want: "1:1: the file is empty"},
		{name: "not a mapping", src: "- a\n- b\n", want: "1:1: expected a scenario mapping"},
		{name: "unknown top-level key", line: 2, text: "horizn: 30d", want: `2:1: horizn: unknown key "horizn"; did you mean "horizon"?`},
		{name: "missing required key", line: 3, text: "# no step", want: `1:1: missing required key "step"`},
		{name: "unknown time unit", line: 2, text: "horizon: 30 parsecs", want: `2:10: horizon: expected a duration such as 12s, 15min, 1h, 1d, 30d or 1yr, got "30 parsecs": unknown time unit "parsecs"`},
		{name: "months are ambiguous", line: 3, text: "step: 1mo", want: "3:7: step: expected a duration"},
		{name: "horizon not whole steps", line: 3, text: "step: 7d", want: "2:10: horizon: horizon 30d is not a whole number of 7d steps"},
		{name: "negative runs", line: 1, text: "name: t\nruns: -5", want: "2:7: runs: expected at least 1 run, got -5"},
		{name: "runs not a number", line: 1, text: "name: t\nruns: many", want: `2:7: runs: expected a whole number, got "many"`},
		{name: "unknown numeraire", line: 4, text: "numeraire: USCD", want: `4:12: numeraire: numeraire "USCD" is not among the assets; did you mean "USDC"?`},
		{name: "impossible decimals", line: 6, text: "  ETH: {decimals: 40}", want: "6:19: assets.ETH.decimals: expected decimals from 0 to 36, got 40"},
		{name: "unknown process type", line: 10, text: "    type: gmb", want: `10:11: processes.eth.type: unknown process type "gmb"; did you mean "gbm"?`},
		{name: "unknown asset", line: 11, text: "    asset: ETTH", want: `11:12: processes.eth.asset: unknown asset "ETTH"; did you mean "ETH"?`},
		{name: "rate without time unit", line: 13, text: "    volatility: 4%", want: `13:17: processes.eth.volatility: expected a rate such as 4%/day, 80%/yr or 0.05/yr, got "4%" (the time unit is required)`},
		{name: "impossible rate unit", line: 13, text: "    volatility: 4%/parsec", want: `13:17: processes.eth.volatility: expected a rate such as 4%/day`},
		{name: "negative volatility", line: 13, text: "    volatility: -4%/day", want: "13:17: processes.eth.volatility: expected a non-negative volatility"},
		{name: "negative reserve", line: 18, text: "    reserves: [-1000, 2e6]", want: "18:16: mechanisms.pool.reserves.0: expected a positive amount, got -1000"},
		{name: "too many decimals", line: 18, text: "    reserves: [1000, 2000000.0000001]", want: "18:22: mechanisms.pool.reserves.1: amount 2000000.0000001: more fractional digits than the token has decimals (6)"},
		{name: "reserves not a list", line: 18, text: "    reserves: 1000", want: `18:15: mechanisms.pool.reserves: expected a list such as [a, b], got "1000"`},
		{name: "fee out of range", line: 19, text: "    fee: 150%", want: "19:10: mechanisms.pool.fee: expected a fee from 0 to below 100% in whole basis points"},
		{name: "unknown mechanism key", line: 19, text: "    fees: 0.3%", want: `19:5: mechanisms.pool.fees: unknown key "fees"; did you mean "fee"?`},
		{name: "three tokens for a pair", line: 17, text: "    tokens: [ETH, USDC, ETH]", want: "17:13: mechanisms.pool.tokens: expected 2 tokens, got 3"},
		{name: "unknown pool", line: 26, text: "    pool: pol", want: `26:11: agents.lp.pool: unknown pool "pol"; did you mean "pool"?`},
		{name: "unknown agent type", line: 25, text: "    type: pasive_lp", want: `25:11: agents.lp.type: unknown agent type "pasive_lp"; did you mean "passive_lp"?`},
		{name: "unknown metric", line: 27, text: "metrics: [lp.lp_hold, pool.lvr]", want: `27:11: metrics.0: no metric "lp.lp_hold"; did you mean "lp.lp_hodl"?`},
		{name: "duplicate key", line: 12, text: "    initial: 2000\n    initial: 2100", want: `13:5: invalid YAML: mapping key "initial" already defined at [12:5]`},
		{name: "sweep of an unknown key", line: 27, text: "sweep:\n  mechanisms.pool.fe: [0.3%, 1%]", want: `28:3: mechanisms.pool.fe: unknown key "fe"; did you mean "fee"?`},
		{name: "sweep of a missing component", line: 27, text: "sweep:\n  mechanisms.pol.fee: [0.3%, 1%]", want: `28:3: sweep.mechanisms.pol.fee: no parameter "mechanisms.pol.fee" in this scenario; did you mean "mechanisms.pool.fee"?`},
		{name: "sweep range with two units", line: 27, text: "sweep:\n  processes.eth.volatility: {from: 2%/day, to: 8%, steps: 3}", want: `28:48: sweep.processes.eth.volatility.to: expected the same unit as from ("%/day"), got "%"`},
		{name: "bad value in a sweep cell", line: 27, text: "sweep:\n  mechanisms.pool.fee: [0.3%, lots]", want: `28:31: mechanisms.pool.fee: expected a fraction such as 0.3%, 30bps or 0.003, got "lots"`},
		{name: "component name reused", line: 21, text: "  pool:", want: `21:3: agents.pool: name "pool" is already used in mechanisms; component names must be unique`},
		{name: "replay file missing", line: 10, to: 13, text: "    type: replay\n    asset: ETH\n    file: nowhere.csv\n    column: close", want: "12:11: processes.eth.file: open "},
		{name: "correlation not positive definite", line: 7, to: 13, text: "  USDC: {decimals: 6}\n  BTC: {decimals: 8}\nprocesses:\n  pair:\n    type: correlated_gbm\n    assets: [ETH, BTC]\n    initial: [2000, 60000]\n    volatility: [4%/day, 3%/day]\n    correlation: [[1, 2], [2, 1]]", want: "15:18: processes.pair.correlation: "},
		{name: "numeraire driven by a process", line: 11, text: "    asset: USDC", want: "11:12: processes.eth.asset: USDC is the numeraire; its price is 1 by definition and no process can drive it"},
		{name: "negative noise size", line: 26, text: "    pool: pool\n  noise: {type: noise_trader, pool: pool, rate: 5/day, size: -10}", want: "27:62: agents.noise.size: expected a positive median trade size, got -10"},
		{name: "tag not supported", line: 12, text: "    initial: !!float 2000", want: "12:14: YAML tags (!!float) are not supported"},
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if src == "" {
				src = scenarioWith(c.line, c.to, c.text)
			}
			path := filepath.Join(dir, "test.yaml")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"validate", path}, {"run", path, "--no-results", "--quiet"}} {
				cmd := args[0]
				status, _, errs := run(t, args...)
				if status != 2 {
					t.Fatalf("%s: exit status %d, want 2; stderr:\n%s", cmd, status, errs)
				}
				if !strings.Contains(errs, path+":"+strings.TrimPrefix(c.want, ":")) && !strings.Contains(errs, path+c.want) {
					t.Fatalf("%s: stderr lacks %q:\n%s", cmd, path+":"+c.want, errs)
				}
				if strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic") {
					t.Fatalf("%s: a panic reached the user:\n%s", cmd, errs)
				}
			}
		})
	}
}

func TestEveryErrorReportedAtOnce(t *testing.T) {
	src := scenarioWith(2, 2, "horizn: 30d")
	src = strings.Replace(src, "    type: gbm", "    type: gmb", 1)
	src = strings.Replace(src, "    fee: 0.3%", "    fees: 0.3%", 1)
	path := filepath.Join(t.TempDir(), "many.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, errs := run(t, "validate", path)
	if status != 2 {
		t.Fatalf("status %d", status)
	}
	// The top-level error stops decoding of the rest, so fix it and check
	// that component errors are all reported together.
	src = strings.Replace(src, "horizn: 30d", "horizon: 30d", 1)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, errs = run(t, "validate", path)
	if status != 2 || !strings.Contains(errs, ":10:11:") || !strings.Contains(errs, ":19:5:") || !strings.Contains(errs, "2 problem(s)") {
		t.Fatalf("status %d, want both errors:\n%s", status, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"run"}, {"run", "a", "b"}, {"run", "--bogus", "x.yaml"}, {"validate", "/nonexistent/x.yaml"}, {"run", "x.yaml", "--set", "novalue"}} {
		if status, _, errs := run(t, args...); status != 2 {
			t.Errorf("%v: status %d, stderr %q", args, status, errs)
		}
	}
}

// Bad data in a replay file is reported with the scenario position and the
// data file's line, never skipped.
func TestBadReplayData(t *testing.T) {
	dir := t.TempDir()
	scenario := strings.Join([]string{
		"name: replay",
		"horizon: 3h",
		"step: 1h",
		"numeraire: USD",
		"assets: {ETH: {decimals: 18}, USD: {decimals: 6}}",
		"processes:",
		"  eth: {type: replay, asset: ETH, file: eth.csv, column: close}",
	}, "\n") + "\n"
	for _, c := range []struct {
		name, csv, want string
	}{
		{"non-numeric", "ts_utc,close\n2020-03-12T00:00:00Z,194.5\n2020-03-12T01:00:00Z,19x\n", `eth.csv:3: column "close"`},
		{"missing column", "ts_utc,open\n2020-03-12T00:00:00Z,194.5\n", `eth.csv:1: column "close"`},
		{"unsorted", "ts_utc,close\n2020-03-12T01:00:00Z,194.5\n2020-03-12T00:00:00Z,190\n", "eth.csv:3:"},
		{"duplicate", "ts_utc,close\n2020-03-12T00:00:00Z,194.5\n2020-03-12T00:00:00Z,190\n", "eth.csv:3:"},
	} {
		if err := os.WriteFile(filepath.Join(dir, "eth.csv"), []byte(c.csv), 0o644); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "replay.yaml")
		if err := os.WriteFile(path, []byte(scenario), 0o644); err != nil {
			t.Fatal(err)
		}
		status, _, errs := run(t, "validate", path)
		if status != 2 || !strings.Contains(errs, path+":7:") || !strings.Contains(errs, c.want) {
			t.Errorf("%s: status %d, stderr:\n%s", c.name, status, errs)
		}
	}
}

// bench --repeat reports the median repetition and lists them all.
func TestBenchRepeat(t *testing.T) {
	status, out, errs := run(t, "bench", "--runs", "4", "--steps", "50", "--repeat", "3", "--json")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Timesteps != 200 || len(rep.Repeats) != 3 {
		t.Fatalf("timesteps %d, repeats %v", rep.Timesteps, rep.Repeats)
	}
	sorted := slices.Sorted(slices.Values(rep.Repeats))
	if rep.TimestepsPerSec != sorted[1] || !(rep.TimestepsPerSec > 0) {
		t.Errorf("timesteps_per_sec %v, want the median of %v", rep.TimestepsPerSec, rep.Repeats)
	}
	if status, _, errs := run(t, "bench", "--repeat", "0"); status != 2 || !strings.Contains(errs, "--repeat 0") {
		t.Errorf("--repeat 0: status %d, %q", status, errs)
	}
}

// bench --all benchmarks every scenario of a directory, each in its own
// process, and tabulates them; a file that fails gets a row saying why.
func TestBenchAll(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(scenarioWith(0, 0, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(scenarioWith(10, 10, "    type: nonsense")), 0o644); err != nil {
		t.Fatal(err)
	}
	old := benchChild
	defer func() { benchChild = old }()
	benchChild = func(args []string) (*exec.Cmd, error) {
		c := exec.Command(os.Args[0], "-test.run=^TestRunProcess$")
		c.Env = append(os.Environ(), "CASCADE_TEST_ARGS="+strings.Join(args, "\n"))
		return c, nil
	}
	status, out, errs := run(t, "bench", "--all", dir, "--runs", "2", "--steps", "20")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	for _, want := range []string{"| a | 2 × 20 |", "| b | failed: ", "agent-steps/s", "MiB |"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	status, out, _ = run(t, "bench", "--all", dir, "--runs", "2", "--steps", "20", "--json")
	var rows []benchRow
	if err := json.Unmarshal([]byte(out), &rows); status != 0 || err != nil || len(rows) != 2 || rows[0].Bench == nil || rows[0].Bench.Agents != 2 || rows[1].Error == "" {
		t.Fatalf("status %d, %v: %s", status, err, out)
	}
	if status, _, errs := run(t, "bench", "--all", t.TempDir()); status != 2 || !strings.Contains(errs, "no *.yaml") {
		t.Errorf("empty directory: status %d, %s", status, errs)
	}
}

// bench --set overrides a value of the scenario benchmarked, as run's does.
func TestBenchSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte(scenarioWith(0, 0, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, _, errs := run(t, "bench", path, "--runs", "2", "--steps", "10", "--set", "processes.eth.volatility=6%/day"); status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	if status, _, errs := run(t, "bench", path, "--runs", "2", "--steps", "10", "--set", "processes.eth.volatility=-1"); status != 2 || !strings.Contains(errs, "volatility") {
		t.Errorf("bad override: status %d, %s", status, errs)
	}
	if status, _, errs := run(t, "bench", path, "--set", "x"); status != 2 || !strings.Contains(errs, "path=value") {
		t.Errorf("--set x: status %d, %s", status, errs)
	}
}

// bench FILE without --steps benchmarks a replay over its own horizon
// when its data end before the default 10,000 steps; with --steps it
// refuses, naming the data's end.
func TestBenchReplayOwnHorizon(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "replay.yaml")
	status, out, errs := run(t, "bench", path, "--runs", "2")
	if status != 0 || !strings.Contains(out, "2 runs × 720 steps") || !strings.Contains(errs, "benchmarking its own horizon, 720 steps") {
		t.Fatalf("status %d:\n%s\n%s", status, out, errs)
	}
	if status, _, errs := run(t, "bench", path, "--runs", "2", "--steps", "10000"); status != 2 || !strings.Contains(errs, "after the last observation") {
		t.Errorf("--steps 10000: status %d, %s", status, errs)
	}
}
