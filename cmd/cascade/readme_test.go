package main

import (
	"os"
	"strings"
	"testing"
)

// indented renders command output as README shows it: a block indented by
// four spaces.
func indented(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if l != "" {
			b.WriteString("    " + l)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// README's sample output and its example of error messages are what the
// commands print, from the repository's root as a newcomer runs them, so
// that they cannot drift: after a deliberate change, paste the output this
// test prints.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the quickstart")
	}
	t.Chdir("../..")
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	t.Setenv("COLUMNS", "80")
	code, stdout, stderr := run(t, "run", "examples/quickstart.yaml", "--no-results", "--quiet")
	if code != 0 {
		t.Fatalf("quickstart: exit %d: %s", code, stderr)
	}
	if !strings.Contains(readme, "\n"+indented(stdout)+"\n") {
		t.Errorf("README's sample output is not what `cascade run examples/quickstart.yaml` prints, which is:\n%s", indented(stdout))
	}
	code, _, stderr = run(t, "validate", "examples/mistakes/bad.yaml")
	if code != exitUsage {
		t.Fatalf("validate examples/mistakes/bad.yaml: exit %d, want %d", code, exitUsage)
	}
	want := indented("$ cascade validate examples/mistakes/bad.yaml\n" + stderr)
	if !strings.Contains(readme, "\n"+want+"\n") {
		t.Errorf("README's error example is not what `cascade validate examples/mistakes/bad.yaml` prints, which is:\n%s", want)
	}
	for _, missing := range []string{"examples/bad.yaml"} {
		if strings.Contains(readme, missing) {
			t.Errorf("README mentions %s, which does not exist", missing)
		}
	}
}
