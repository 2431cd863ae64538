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
