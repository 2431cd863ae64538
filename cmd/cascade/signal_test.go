//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunProcess runs cascade with the arguments in CASCADE_TEST_ARGS
// (separated by newlines) when started by TestSignals; otherwise it does
// nothing.
func TestRunProcess(t *testing.T) {
	args := os.Getenv("CASCADE_TEST_ARGS")
	if args == "" {
		t.Skip("run by TestSignals")
	}
	os.Exit(execute(strings.Split(args, "\n"), os.Stdout, os.Stderr))
}

// A run stopped by SIGINT, SIGTERM or SIGHUP removes its staging
// directory, says so and exits with 128 + the signal number, leaving the
// earlier results as they were. One killed by SIGKILL cannot clean up; the
// next run to the same directory removes what it left.
func TestSignals(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	if err := os.WriteFile("s.yaml", []byte(scenarioWith(0, 0, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, _, stderr := run(t, "run", "s.yaml", "--runs", "2", "-q", "--out", "res"); status != 0 {
		t.Fatalf("first run: %d %s", status, stderr)
	}
	before := tree(t, "res")
	for _, tc := range []struct {
		sig    syscall.Signal
		status int
		name   string
	}{
		{syscall.SIGINT, 130, "SIGINT"},
		{syscall.SIGTERM, 143, "SIGTERM"},
		{syscall.SIGHUP, 129, "SIGHUP"},
		{syscall.SIGKILL, -1, ""},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestRunProcess$")
			cmd.Env = append(os.Environ(), "CASCADE_TEST_ARGS="+strings.Join([]string{"run", "s.yaml", "--runs", "10000000", "-q", "--out", "res"}, "\n"))
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			staging := waitForStaging(t, root)
			time.Sleep(100 * time.Millisecond) // into the runs
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("run ended with %v, want an exit status", err)
			}
			if tc.sig == syscall.SIGKILL {
				if !exit.Sys().(syscall.WaitStatus).Signaled() {
					t.Fatalf("not killed: %v", err)
				}
				if _, err := os.Stat(staging); err != nil {
					t.Fatalf("SIGKILL left no staging directory: %v", err)
				}
			} else {
				want := fmt.Sprintf("cascade: interrupted by %s; no results written (res is as it was)\n", tc.name)
				if exit.ExitCode() != tc.status || stderr.String() != want {
					t.Fatalf("exit %d, stderr %q; want %d and %q", exit.ExitCode(), stderr.String(), tc.status, want)
				}
				if got := entries(t, root); !slices.Equal(got, []string{"res", "s.yaml"}) {
					t.Fatalf("left %q", got)
				}
			}
			if after := tree(t, "res"); after != before {
				t.Fatalf("earlier results changed:\n%s\nwant\n%s", after, before)
			}
		})
	}
	// The next run removes the killed run's staging directory and says so.
	status, _, stderr := run(t, "run", "s.yaml", "--runs", "2", "-q", "--out", "res")
	if status != 0 || !strings.Contains(stderr, "which stopped before cleaning up") {
		t.Fatalf("run after SIGKILL: status %d, stderr %q", status, stderr)
	}
	if got := entries(t, root); !slices.Equal(got, []string{"res", "s.yaml"}) {
		t.Fatalf("left %q", got)
	}
}

// waitForStaging returns the staging directory a run makes in dir.
func waitForStaging(t *testing.T, dir string) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, e := range entries(t, dir) {
			if strings.HasPrefix(e, ".res.tmp-") {
				return filepath.Join(dir, e)
			}
		}
	}
	t.Fatal("no staging directory appeared")
	return ""
}
