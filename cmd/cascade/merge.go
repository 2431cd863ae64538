package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/spf13/cobra"
)

// parseShard reads --shard i/N.
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n || n > 1<<20 {
		return 0, 0, usageError{fmt.Errorf("--shard %q: want i/N with 0 ≤ i < N (for example 0/4 to 3/4)", s)}
	}
	return i, n, nil
}

func newMergeCmd() *cobra.Command {
	var (
		out   string
		quiet bool
	)
	cmd := &cobra.Command{
		Use:   "merge DIR... --out DIR",
		Short: "Combine the partial results directories of cascade run --shard i/N into the single-process results directory",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("merge takes the shard directories (usage: cascade %s)", cmd.Use)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{fmt.Errorf("merge needs --out DIR, the merged results directory")}
			}
			ctx, stop := onSignal(context.Background())
			defer stop()
			res, err := experiment.Merge(ctx, args, experiment.MergeOptions{Out: out, Overwrite: true, Version: version, Commit: commit()})
			var refusal *experiment.MergeRefusal
			if errors.As(err, &refusal) {
				return usageError{err}
			}
			if err != nil {
				return stopped(ctx, out, err)
			}
			if err := res.WriteSummary(cmd.OutOrStdout()); err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "merged %d shard(s), %d runs: %s\n", len(args), res.Runs*len(res.Cells), out)
			}
			return reportAfterRun(cmd, out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "merged results directory (replaced if it holds earlier results)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "nothing on stderr")
	addRunReportFlags(cmd)
	return cmd
}
