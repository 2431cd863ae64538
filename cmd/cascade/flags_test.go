package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagsOutOfRange: flag values that parse but make no sense are usage
// errors (status 2) naming the flag.
func TestFlagsOutOfRange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ok.yaml")
	if err := os.WriteFile(path, []byte(scenarioWith(0, 0, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", path, "--runs", "-1"}, "--runs -1: expected from 1 to 2147483647 runs"},
		{[]string{"run", path, "--runs", "0"}, "--runs 0: expected from 1"},
		{[]string{"run", path, "--runs", "2147483648"}, "--runs 2147483648: expected from 1 to 2147483647 runs"},
		{[]string{"run", path, "--runs", "99999999999999999999"}, "--runs"},
		{[]string{"run", path, "--workers", "100000"}, "--workers 100000: expected from 1 to 1024 workers"},
		{[]string{"run", path, "--workers", "-3"}, "--workers -3"},
		{[]string{"bench", "--workers", "100000"}, "--workers 100000"},
		{[]string{"bench", "--steps", "0"}, "--steps 0"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"validate", path, "--set", "processes.eth.volatility=abc"}, "--set processes.eth.volatility=abc: processes.eth.volatility: expected a rate"},
		{[]string{"validate", path, "--set", "processes.eth.volatilty=4%/day"}, `--set processes.eth.volatilty=4%/day: processes.eth.volatilty: unknown key "volatilty"`},
		{[]string{"validate", path, "--set", "nothing.here=1"}, `--set nothing.here=1: no parameter "nothing.here"`},
	} {
		status, _, errs := run(t, c.args...)
		if status != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: status %d, stderr %q; want 2 and %q", c.args, status, errs, c.want)
		}
		if strings.Contains(errs, path+":") {
			t.Errorf("%v: the error names the scenario file, not the flag: %q", c.args, errs)
		}
	}
}

// TestFiveUnrelatedErrorsInOnePass: errors in top-level values, an asset,
// a process, a mechanism and an agent all come out of one validate.
func TestFiveUnrelatedErrorsInOnePass(t *testing.T) {
	src := scenarioWith(2, 0, "horizon: 30x")
	for _, r := range [][2]string{
		{"USDC: {decimals: 6}", "USDC: {decimals: 60}"},
		{"initial: 2000", "initial: -5"},
		{"fee: 0.3%", "fee: 300%"},
		{"type: passive_lp", "type: pasive_lp"},
	} {
		src = strings.Replace(src, r[0], r[1], 1)
	}
	path := filepath.Join(t.TempDir(), "five.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"validate", "run"} {
		status, _, errs := run(t, cmd, path, "--no-results")
		if cmd == "validate" {
			status, _, errs = run(t, cmd, path)
		}
		for _, want := range []string{":2:10: horizon:", ":7:20: assets.USDC.decimals:", ":12:14: processes.eth.initial:", ":19:10: mechanisms.pool.fee:", ":25:11: agents.lp.type:", "5 problem(s)"} {
			if status != 2 || !strings.Contains(errs, want) {
				t.Errorf("%s: status %d, stderr lacks %q:\n%s", cmd, status, want, errs)
			}
		}
	}
}

// TestOverflowPrintsTheReplayCommand: a run stopped by a value that
// overflowed names scenario, seed, cell, arm, run and step, exits with
// status 2 and prints the trace command with the user's --seed and --set.
func TestOverflowPrintsTheReplayCommand(t *testing.T) {
	src := strings.Replace(scenarioWith(0, 0, ""), "    initial: 2000", "    initial: 1e300\n    drift: 500%/day", 1) +
		"compare:\n  calm: {}\n  wild: {processes.eth.volatility: 9%/day}\n"
	path := filepath.Join(t.TempDir(), "of.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, errs := run(t, "run", path, "--no-results", "-q", "--runs", "3", "--seed", "5", "--set", "mechanisms.pool.fee=1%")
	for _, want := range []string{
		`scenario "t" (` + path + `), seed 5, cell 0, arm "calm", run 0: step `,
		"is +Inf; a value overflowed",
		"replay this run alone with: cascade trace " + path + " --cell 0 --arm calm --run 0 --seed 5 --set mechanisms.pool.fee=1%",
	} {
		if status != 2 || !strings.Contains(errs, want) {
			t.Errorf("status %d, stderr lacks %q:\n%s", status, want, errs)
		}
	}
}
