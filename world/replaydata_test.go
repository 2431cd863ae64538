package world

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

// replayDataScenario replays ETH prices and a gas series, as the Black
// Thursday example does; the test breaks one data file at a time.
const replayDataScenario = `name: bad_data
horizon: 30min
step: 10min
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: replay, asset: ETH, file: eth.csv, column: close}
  gas: {type: replay, signal: gas_price, file: gas.csv, column: p60_gwei}
mechanisms:
  dex: {type: uniswap_v2, tokens: [ETH, USDC], reserves: [1000, 195_000]}
agents:
  arb: {type: arbitrageur, pools: [dex]}
`

const goodETH = `ts_utc,close
2020-03-12T00:00:00Z,194.52
2020-03-12T00:10:00Z,193.93
2020-03-12T00:20:00Z,194.25
2020-03-12T00:30:00Z,193.15
`

const goodGas = `ts_utc,p60_gwei
2020-03-12T00:00:00Z,6.9
2020-03-12T00:10:00Z,6.0
2020-03-12T00:20:00Z,8.0
2020-03-12T00:30:00Z,9.0
`

// validate writes the scenario and its two data files into a directory and
// does what `cascade validate` does: load and compile.
func validate(t *testing.T, eth, gas string) error {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{"s.yaml": replayDataScenario, "eth.csv": eth, "gas.csv": gas} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := scenario.Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		return err
	}
	_, err = Compile(f)
	return err
}

// Bad data in a replayed file is an error that names the scenario
// position of the file key and the file, line and column of the problem;
// no row is skipped.
func TestReplayDataErrors(t *testing.T) {
	if err := validate(t, goodETH, goodGas); err != nil {
		t.Fatalf("good data: %v", err)
	}
	for _, c := range []struct {
		name, eth, gas string
		want           []string
	}{
		{"missing column", strings.Replace(goodETH, "ts_utc,close", "ts_utc,open", 1), goodGas,
			[]string{"s.yaml:9:41: processes.eth.file: ", "eth.csv:1: column \"close\": no such column; available: ts_utc, open"}},
		{"unsorted timestamps", strings.Replace(goodETH, "00:20:00Z,194.25", "00:05:00Z,194.25", 1), goodGas,
			[]string{"s.yaml:9:41: processes.eth.file: ", "eth.csv:4: column \"ts_utc\": timestamps not sorted: 2020-03-12T00:05:00Z comes after 2020-03-12T00:10:00Z on line 3"}},
		{"duplicate timestamp", goodETH, strings.Replace(goodGas, "00:20:00Z,8.0", "00:10:00Z,8.0", 1),
			[]string{"s.yaml:10:48: processes.gas.file: ", "gas.csv:4: column \"ts_utc\": duplicate timestamp 2020-03-12T00:10:00Z (also on line 3)"}},
		{"non-numeric value", goodETH, strings.Replace(goodGas, "6.0", "six", 1),
			[]string{"s.yaml:10:48: processes.gas.file: ", "gas.csv:3: column \"p60_gwei\": value \"six\" is not a number"}},
		{"empty value", strings.Replace(goodETH, "193.93", "", 1), goodGas,
			[]string{"eth.csv:3: column \"close\": empty value"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := validate(t, c.eth, c.gas)
			if err == nil {
				t.Fatal("no error")
			}
			if _, ok := err.(scenario.List); !ok {
				t.Errorf("error is %T, not a scenario.List (the CLI's exit status 2)", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
