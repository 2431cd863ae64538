//go:build unix

package results

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// The crash tests run this test binary again as a writer that kills itself
// with SIGKILL at one phase (no deferred function, no cleanup runs), then
// check what the output path holds and that the next writer cleans up.
const (
	envPhase    = "CASCADE_CRASH_PHASE"
	envDest     = "CASCADE_CRASH_DEST"
	envFallback = "CASCADE_CRASH_FALLBACK"
)

// phaseWriting kills the writer halfway through its runs.
const phaseWriting = "writing"

// TestCrashWriter is the writer process of TestCrashAtEveryPhase; it does
// nothing unless run by it.
func TestCrashWriter(t *testing.T) {
	phase := os.Getenv(envPhase)
	if phase == "" {
		t.Skip("run by TestCrashAtEveryPhase")
	}
	die := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL); select {} }
	testHook = func(p string) {
		if p == phase {
			die()
		}
	}
	noExchange = os.Getenv(envFallback) == "1"
	w, err := Create(os.Getenv(envDest), testLayout, Options{Overwrite: true, RowGroupRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	runs := testRuns(testLayout, 3)
	for i, r := range runs {
		if phase == phaseWriting && i == len(runs)/2 {
			die()
		}
		if err := w.WriteRun(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteFile("summary.json", []byte(`{"new": true}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(Manifest{ScenarioName: "new"}); err != nil {
		t.Fatal(err)
	}
}

// TestCrashAtEveryPhase kills a writer at each phase of writing and
// swapping, with and without earlier results at the destination, with the
// atomic exchange and with the two-rename fallback. Afterwards the
// destination must hold the complete old results or the complete new ones
// (or nothing, if there were none); in the fallback, a kill between the two
// renames leaves nothing there until the next writer restores the old
// results. The next writer must remove every staging directory and succeed.
func TestCrashAtEveryPhase(t *testing.T) {
	if os.Getenv(envPhase) != "" {
		t.Skip("in the writer process")
	}
	type want int
	const (
		wantNone   want = iota // no destination
		wantOld                // the old results, unchanged
		wantNew                // the complete new results
		wantMissed             // nothing at dest until recovery restores the old results
	)
	tests := []struct {
		fallback bool
		old      bool
		phase    string
		want     want
	}{
		{false, false, phaseStaged, wantNone},
		{false, false, phaseWriting, wantNone},
		{false, false, phaseComplete, wantNone},
		{false, false, phasePlaced, wantNew},
		{false, true, phaseStaged, wantOld},
		{false, true, phaseWriting, wantOld},
		{false, true, phaseComplete, wantOld},
		{false, true, phaseExchanged, wantNew},
		{true, true, phaseComplete, wantOld},
		{true, true, phaseAside, wantMissed},
		{true, true, phaseSwapped, wantNew},
	}
	for _, tt := range tests {
		mode := "exchange"
		if tt.fallback {
			mode = "fallback"
		}
		name := fmt.Sprintf("%s/old=%v/%s", mode, tt.old, tt.phase)
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dest := filepath.Join(parent, "out")
			var before string
			if tt.old {
				writeOld(t, dest)
				before = snapshot(t, dest)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
			cmd.Env = append(os.Environ(), envPhase+"="+tt.phase, envDest+"="+dest)
			if tt.fallback {
				cmd.Env = append(cmd.Env, envFallback+"=1")
			}
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() {
				t.Fatalf("writer was not killed at %s: %v\n%s", tt.phase, err, out)
			}

			switch tt.want {
			case wantNone:
				if exists(dest) {
					t.Fatalf("destination exists after a crash before the swap")
				}
			case wantOld:
				if got := snapshot(t, dest); got != before {
					t.Fatalf("destination changed:\n%s\nwant the old results\n%s", got, before)
				}
			case wantNew:
				checkComplete(t, dest, "new")
			case wantMissed:
				if exists(dest) {
					t.Fatal("destination exists between the two renames")
				}
				// A reader that recovers first finds the old results.
				notes, err := Recover(dest)
				if err != nil {
					t.Fatal(err)
				}
				if len(notes) != 1 || !strings.Contains(notes[0], "restored "+dest) {
					t.Errorf("notes = %q", notes)
				}
				if got := snapshot(t, dest); got != before {
					t.Fatalf("recovered destination:\n%s\nwant the old results\n%s", got, before)
				}
			}
			if tt.want != wantMissed && !slices.ContainsFunc(entries(t, parent), func(e string) bool { return strings.HasPrefix(e, ".out.tmp-") }) {
				t.Fatalf("no staging directory left by the killed writer: %q", entries(t, parent))
			}

			// The next writer removes what the dead one left and replaces
			// the destination.
			var notes []string
			w, err := Create(dest, testLayout, Options{Overwrite: true, Notice: func(s string) { notes = append(notes, s) }})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != wantMissed && (len(notes) != 1 || !strings.Contains(notes[0], "which stopped before cleaning up")) {
				t.Errorf("notices = %q, want one removal", notes)
			}
			for _, r := range testRuns(testLayout, 1) {
				if err := w.WriteRun(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Finish(Manifest{ScenarioName: "next"}); err != nil {
				t.Fatal(err)
			}
			checkComplete(t, dest, "next")
			if got := entries(t, parent); !slices.Equal(got, []string{"out"}) {
				t.Fatalf("parent holds %q after the next run, want out only", got)
			}
		})
	}
}

// checkComplete requires dest to be a complete results directory of the
// named scenario: every file the manifest lists, with its size and hash,
// and nothing else.
func checkComplete(t *testing.T, dest, scenario string) {
	t.Helper()
	m, err := ReadManifest(dest)
	if err != nil {
		t.Fatal(err)
	}
	if m.ScenarioName != scenario {
		t.Fatalf("destination holds %q results, want %q", m.ScenarioName, scenario)
	}
	want := []string{ManifestFile}
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(dest, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Fatalf("%s does not match the manifest", f.Name)
		}
		want = append(want, f.Name)
	}
	slices.Sort(want)
	if got := entries(t, dest); !slices.Equal(got, want) {
		t.Fatalf("destination holds %q, want %q", got, want)
	}
}

// A running writer's staging directory is locked: recovery leaves it alone,
// and two writers to one destination both finish, the later one winning.
func TestRecoverSparesRunningWriters(t *testing.T) {
	parent := t.TempDir()
	dest := filepath.Join(parent, "out")
	a, err := Create(dest, testLayout, Options{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	notes, err := Recover(dest)
	if err != nil || len(notes) != 0 {
		t.Fatalf("Recover = %q, %v; want nothing done", notes, err)
	}
	b, err := Create(dest, testLayout, Options{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(entries(t, parent)); n != 2 {
		t.Fatalf("parent holds %d entries, want two staging directories", n)
	}
	for _, w := range []*Writer{a, b} {
		if err := w.WriteRun(testRuns(testLayout, 1)[0]); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Finish(Manifest{ScenarioName: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(Manifest{ScenarioName: "b"}); err != nil {
		t.Fatal(err)
	}
	checkComplete(t, dest, "b")
	if got := entries(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Fatalf("parent holds %q", got)
	}
}

// Leftovers of earlier Cascade versions, which took no lock: a replaced
// directory stranded between the two renames is restored, temporary
// directories are removed; other names are never touched.
func TestRecoverLegacyLeftovers(t *testing.T) {
	parent := t.TempDir()
	dest := filepath.Join(parent, "out")
	writeOld(t, filepath.Join(parent, ".out.tmp-123.old"))
	old := snapshot(t, filepath.Join(parent, ".out.tmp-123.old"))
	mkdir(t, filepath.Join(parent, ".out.tmp-123", "partial"))
	mkdir(t, filepath.Join(parent, ".other.tmp-5"))
	writeFile(t, filepath.Join(parent, ".out.tmp-77"), "a file, not a directory")
	mkdir(t, filepath.Join(parent, ".out.tmp-x"))
	notes, err := Recover(dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 {
		t.Errorf("notes = %q", notes)
	}
	if got := snapshot(t, dest); got != old {
		t.Errorf("restored:\n%s\nwant\n%s", got, old)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{".other.tmp-5", ".out.tmp-77", ".out.tmp-x", "out"}) {
		t.Errorf("parent holds %q", got)
	}
}

// Create makes missing parent directories.
func TestCreateMakesParents(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "a", "b", "out")
	writeDir(t, dest, testLayout, Options{}, testRuns(testLayout, 1), Manifest{ScenarioName: "x"})
	checkComplete(t, dest, "x")
}
