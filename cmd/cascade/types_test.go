package main

import (
	"strings"
	"testing"
)

// cascade types fits 80 columns and says, per key, its unit, default and
// meaning; cascade types NAME shows one type; a misspelt name is a usage
// error with a suggestion.
func TestTypesCommand(t *testing.T) {
	status, out, errOut := run(t, "types")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	for k, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 80 {
			t.Errorf("line %d is %d columns: %s", k+1, len([]rune(l)), l)
		}
	}
	status, out, _ = run(t, "types", "aave")
	if status != 0 || strings.Contains(out, "compound") {
		t.Fatalf("types aave: status %d, output %s", status, out)
	}
	for _, want := range []string{"insolvency_threshold  number [numeraire], default 0", "154.84", "start", "default 2020-01-01T00:00:00Z"} {
		if !strings.Contains(out, want) {
			t.Errorf("types aave lacks %q:\n%s", want, out)
		}
	}
	status, _, errOut = run(t, "types", "aaave")
	if status != 2 || !strings.Contains(errOut, `did you mean "aave"`) {
		t.Errorf("types aaave: status %d, %s", status, errOut)
	}
}
