package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/world"
	"github.com/spf13/cobra"
)

// scenarioFlags are the flags every command that loads a scenario shares.
type scenarioFlags struct {
	set []string
}

func (f *scenarioFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.set, "set", nil, "override a scenario value, as path=value (repeatable), e.g. --set processes.eth.volatility=6%/day")
}

func (f *scenarioFlags) load(path string) (*scenario.File, error) {
	var ov []scenario.Override
	for _, s := range f.set {
		p, v, ok := strings.Cut(s, "=")
		if !ok || p == "" {
			return nil, usageError{fmt.Errorf("--set %q: expected path=value", s)}
		}
		ov = append(ov, scenario.Override{Path: p, Value: v})
	}
	return scenario.Load(path, ov...)
}

func newRunCmd() *cobra.Command {
	var (
		sf      scenarioFlags
		runs    int
		seed    uint64
		workers int
		out     string
		noOut   bool
		quiet   bool
	)
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a scenario: every path of every sweep cell, then a summary and a results directory",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := sf.load(args[0])
			if err != nil {
				return err
			}
			opt := experiment.Options{Runs: runs, Workers: workers, Version: version, Commit: commit()}
			if cmd.Flags().Changed("seed") {
				opt.Seed = &seed
			}
			if !noOut {
				opt.Out = out
				if opt.Out == "" {
					opt.Out = filepath.Join("out", f.Cells[0].Scenario.Name)
					if err := os.MkdirAll("out", 0o755); err != nil {
						return err
					}
				}
				opt.Overwrite = true
			}
			var bar *progress
			if !quiet {
				bar = newProgress(cmd.ErrOrStderr())
				opt.Progress = bar.update
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := experiment.Run(ctx, f, opt)
			if bar != nil {
				bar.finish()
			}
			if err != nil {
				return err
			}
			if err := res.WriteSummary(cmd.OutOrStdout()); err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintln(cmd.ErrOrStderr(), res.Describe())
				if res.Out != "" {
					fmt.Fprintf(cmd.ErrOrStderr(), "results: %s\n", res.Out)
				}
			}
			return reportAfterRun(cmd, res.Out)
		},
	}
	sf.add(cmd)
	cmd.Flags().IntVar(&runs, "runs", 0, "runs per sweep cell (default: the scenario's runs, or 1000)")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "master seed (default: the scenario's seed)")
	cmd.Flags().IntVar(&workers, "workers", 0, "worker goroutines (default: all cores); results do not depend on it")
	cmd.Flags().StringVar(&out, "out", "", "results directory (default: out/<scenario name>); replaced if it holds earlier results")
	cmd.Flags().BoolVar(&noOut, "no-results", false, "do not write a results directory")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress or timing on stderr")
	addRunReportFlags(cmd)
	return cmd
}

func newValidateCmd() *cobra.Command {
	var sf scenarioFlags
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a scenario file and report every problem with file:line:column",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := sf.load(args[0])
			if err != nil {
				return err
			}
			if _, err := world.Compile(f); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d sweep cell(s))\n", args[0], len(f.Cells))
			return nil
		},
	}
	sf.add(cmd)
	return cmd
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes %d argument(s), got %d (usage: cascade %s)", cmd.Name(), n, len(args), cmd.Use)}
		}
		return nil
	}
}
