// Command cascade runs stress tests of crypto-economic systems described in
// scenario files. This package only wires the command line to the library:
// scenario (files), experiment (running), results (output).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2 // bad input: malformed scenario, unknown flag
	// exitMemory (3, memory.go): stopped at the memory limit.
)

// usageError marks command-line mistakes, which exit with status 2.
type usageError struct{ error }

func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "cascade",
		Short:         "Stress-test crypto-economic systems with exact, deterministic Monte Carlo",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newRunCmd(), newDiscoverCmd(), newValidateCmd(), newTraceCmd(), newMergeCmd(), newBenchCmd(), newReportCmd(), newVersionCmd(), typesCmd())
	return root
}

// execute runs the command line and returns the exit status. Every error,
// including a panic, becomes a message on stderr: no stack trace reaches a
// user unless CASCADE_DEBUG=1.
func execute(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "cascade: internal error: %v (this is a bug; please report it)\n", r)
			if os.Getenv("CASCADE_DEBUG") == "1" {
				fmt.Fprintf(stderr, "%s", debug.Stack())
			}
			status = exitFailure
		}
	}()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var list scenario.List
	var ue usageError
	var intr interrupted
	switch {
	case errors.As(err, &intr):
		fmt.Fprintf(stderr, "cascade: %v\n", intr)
		return intr.status()
	case errors.As(err, &list):
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		fmt.Fprintf(stderr, "cascade: %d problem(s) in the scenario\n", len(list))
		return exitUsage
	case errors.Is(err, results.ErrRefused):
		// The output directory given (or out/<name>) holds someone else's
		// files: bad input, like a malformed scenario.
		fmt.Fprintf(stderr, "cascade: %v\n", err)
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "cascade: %v\n", ue.error)
		return exitUsage
	case strings.HasPrefix(err.Error(), "unknown command "):
		// cobra's error for a mistyped subcommand; it suggests the
		// closest one itself.
		fmt.Fprintf(stderr, "cascade: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "cascade: %v\n", err)
	return exitFailure
}

func main() {
	if err := guardMemory(os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "cascade: %v\n", err)
		os.Exit(exitUsage)
	}
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}
