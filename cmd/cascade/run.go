package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/engine"
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
	sf, err := scenario.Load(path, ov...)
	var list scenario.List
	if err != nil && sf != nil && sf.Partial && errors.As(err, &list) {
		// Errors in top-level values do not hide the components' own.
		return nil, append(list, componentErrors(sf)...).Err()
	}
	if err != nil {
		return nil, err
	}
	return sf, nil
}

// componentErrors compiles a partially loaded file to find the problems of
// its components. A panic on the stand-in values is not the user's
// problem: then it reports nothing more.
func componentErrors(f *scenario.File) (list scenario.List) {
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("CASCADE_DEBUG") == "1" {
				fmt.Fprintf(os.Stderr, "cascade: checking components on stand-in values: %v\n", r)
			}
			list = nil
		}
	}()
	_, err := world.Compile(f)
	errors.As(err, &list)
	return list
}

func newRunCmd() *cobra.Command {
	var (
		sf        scenarioFlags
		runs      int
		seed      uint64
		workers   int
		out       string
		noOut     bool
		quiet     bool
		cellsFlag bool
		shard     string
	)
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a scenario: every path of every sweep cell, then a summary and a results directory",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkRunFlags(cmd, runs, workers); err != nil {
				return err
			}
			f, err := sf.load(args[0])
			if err != nil {
				return err
			}
			if runs > scenario.MaxRuns/len(f.Cells) {
				return usageError{fmt.Errorf("--runs %d: %d runs in each of %d sweep cells are more than %d runs in all", runs, runs, len(f.Cells), scenario.MaxRuns)}
			}
			opt := experiment.Options{Runs: runs, Workers: workers, Version: version, Commit: commit()}
			if cmd.Flags().Changed("seed") {
				opt.Seed = &seed
			}
			if shard != "" {
				if opt.Shard, opt.Shards, err = parseShard(shard); err != nil {
					return err
				}
				if noOut || cmd.Flags().Changed("report") {
					return usageError{fmt.Errorf("--shard writes a partial results directory for cascade merge; it takes neither --no-results nor --report (merge takes --report)")}
				}
			}
			if !noOut {
				opt.Out = out
				if opt.Out == "" {
					// The name is one plain file name (scenario.CheckName),
					// so this is a directory inside out/.
					name := f.Cells[0].Scenario.Name
					if err := scenario.CheckName(name); err != nil {
						return usageError{err}
					}
					opt.Out = filepath.Join("out", name)
					if opt.Shards > 0 {
						opt.Out += fmt.Sprintf(".shard-%d-of-%d", opt.Shard, opt.Shards)
					}
				}
				opt.Overwrite = true
				opt.Notice = notice(cmd.ErrOrStderr())
			}
			bar := startProgress(cmd.ErrOrStderr(), quiet)
			opt.Progress = bar.updater()
			ctx, stop := onSignal(context.Background())
			defer stop()
			res, err := experiment.Run(ctx, f, opt)
			bar.finish()
			if err != nil {
				if ctx.Err() != nil {
					return stopped(ctx, opt.Out, err)
				}
				return replayable(err, args[0], f, opt.Seed, sf.set)
			}
			if res.Shards > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "shard %d/%d: jobs %d to %d of %d (cell, arm, run) written to %s; combine all %d with cascade merge\n",
					res.Shard, res.Shards, res.From, res.To-1, res.Runs*len(res.Cells), res.Out, res.Shards)
			} else if err := res.WriteSummaryTable(cmd.OutOrStdout(), experiment.TableOptions{Width: termWidth(cmd.OutOrStdout()), Cells: cellsFlag}); err != nil {
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
	cmd.Flags().StringVar(&out, "out", "", "results directory (default: out/<scenario name>); missing parents are created; replaced only if it holds earlier Cascade results and nothing else")
	cmd.Flags().BoolVar(&noOut, "no-results", false, "do not write a results directory")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress or timing on stderr")
	cmd.Flags().BoolVar(&cellsFlag, "cells", false, "print every statistic of every metric per sweep cell and arm, one block each, instead of the compact table")
	cmd.Flags().StringVar(&shard, "shard", "", "run only shard i/N of the (cell, arm, run) jobs, 0 ≤ i < N, into a partial results directory for cascade merge")
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
			if err := world.CheckFanBudget(f); err != nil {
				return err
			}
			m, err := world.Compile(f)
			if err != nil {
				return err
			}
			if err := m.CheckFans(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%s)\n", args[0], cellCount(f))
			return nil
		},
	}
	sf.add(cmd)
	return cmd
}

// MaxWorkers bounds --workers: each worker keeps its own aggregates, and
// results do not depend on the count, so more workers than this only cost
// memory.
const MaxWorkers = 1024

// checkRunFlags rejects run counts and worker counts out of range, which
// flag parsing alone accepts.
func checkRunFlags(cmd *cobra.Command, runs, workers int) error {
	if cmd.Flags().Changed("runs") && (runs < 1 || runs > scenario.MaxRuns) {
		return usageError{fmt.Errorf("--runs %d: expected from 1 to %d runs", runs, scenario.MaxRuns)}
	}
	if cmd.Flags().Changed("workers") && (workers < 1 || workers > MaxWorkers) {
		return usageError{fmt.Errorf("--workers %d: expected from 1 to %d workers (leave it out to use every core)", workers, MaxWorkers)}
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes %d argument(s), got %d (usage: cascade %s)", cmd.Name(), n, len(args), cmd.Use)}
		}
		return nil
	}
}

// replayable adds to a failure inside one run where it happened (scenario,
// master seed, cell, arm, run) and the command that replays that run alone.
// A value that overflowed or became undefined is the scenario's doing and
// exits with status 2.
func replayable(err error, path string, f *scenario.File, seed *uint64, sets []string) error {
	var re *engine.RunError
	if !errors.As(err, &re) || re.Cell < 0 || re.Cell >= len(f.Cells) {
		return err
	}
	c := f.Cells[re.Cell]
	master := c.Scenario.Seed
	if seed != nil {
		master = *seed
	}
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %q (%s), seed %d, cell %d", c.Scenario.Name, path, master, c.Point)
	if len(c.Params) > 0 {
		var ps []string
		for _, p := range c.Params {
			ps = append(ps, p.Path+"="+p.Label)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(ps, ", "))
	}
	if c.Arm != "" {
		fmt.Fprintf(&b, ", arm %q", c.Arm)
	}
	fmt.Fprintf(&b, ", run %d: %v\n", re.Run, re.Err)
	cmd := []string{"cascade", "trace", path, "--cell", strconv.Itoa(c.Point)}
	if c.Arm != "" {
		cmd = append(cmd, "--arm", c.Arm)
	}
	cmd = append(cmd, "--run", strconv.Itoa(re.Run))
	if seed != nil {
		cmd = append(cmd, "--seed", strconv.FormatUint(*seed, 10))
	}
	for _, s := range sets {
		cmd = append(cmd, "--set", s)
	}
	for k := range cmd {
		cmd[k] = shellQuote(cmd[k])
	}
	fmt.Fprintf(&b, "replay this run alone with: %s", strings.Join(cmd, " "))
	out := fmt.Errorf("%s", b.String())
	var nf *world.NonFiniteError
	if errors.As(err, &nf) {
		return usageError{out}
	}
	return out
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./=:%,+@.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:%,+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
