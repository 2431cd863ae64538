package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/spf13/cobra"
)

func newDiscoverCmd() *cobra.Command {
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
		Use:   "discover FILE",
		Short: "Explore a scenario's discover: block: sampling design, sensitivity, where the safe region fails, its boundary",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkRunFlags(cmd, runs, workers); err != nil {
				return err
			}
			f, err := sf.load(args[0])
			if err != nil {
				return err
			}
			if f.Discover() == nil {
				return usageError{fmt.Errorf("%s has no discover: block (see README, \"Finding where a design breaks\"); cascade run runs it as written", args[0])}
			}
			opt := experiment.Options{Runs: runs, Workers: workers, Version: version, Commit: commit()}
			if cmd.Flags().Changed("seed") {
				opt.Seed = &seed
			}
			if !noOut {
				opt.Out = out
				if opt.Out == "" {
					opt.Out = filepath.Join("out", f.Cells[0].Scenario.Name+".discover")
					if err := os.MkdirAll("out", 0o755); err != nil {
						return err
					}
				}
				opt.Overwrite = true
				opt.Notice = notice(cmd.ErrOrStderr())
			}
			bar := startProgress(cmd.ErrOrStderr(), quiet)
			opt.Progress = bar.updater()
			ctx, stop := onSignal(context.Background())
			defer stop()
			res, err := experiment.Discover(ctx, f, opt)
			bar.finish()
			if err != nil {
				return stopped(ctx, opt.Out, err)
			}
			res.Summary(cmd.OutOrStdout())
			if !quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "%d simulations in %.2fs on %d workers\n", res.Simulations, res.Elapsed.Seconds(), res.Workers)
				if res.Out != "" {
					fmt.Fprintf(cmd.ErrOrStderr(), "results: %s\n", res.Out)
				}
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().IntVar(&runs, "runs", 0, "runs per design point (default: the scenario's runs); a boundary search sets its own")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "master seed of the runs (default: the scenario's seed)")
	cmd.Flags().IntVar(&workers, "workers", 0, "worker goroutines (default: all cores); results do not depend on it")
	cmd.Flags().StringVar(&out, "out", "", "results directory (default: out/<scenario name>.discover); replaced if it holds earlier results")
	cmd.Flags().BoolVar(&noOut, "no-results", false, "do not write a results directory")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress on stderr")
	return cmd
}
