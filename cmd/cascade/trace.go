package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/spf13/cobra"
)

func newTraceCmd() *cobra.Command {
	var (
		sf    scenarioFlags
		opt   experiment.TraceOptions
		seed  uint64
		out   string
		noOut bool
		quiet bool
	)
	cmd := &cobra.Command{
		Use:   "trace FILE",
		Short: "Replay one run alone and write its full per-step state and every event (Parquet and a readable summary)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := sf.load(args[0])
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("seed") {
				opt.Seed = &seed
			}
			opt.Version, opt.Commit = version, commit()
			if !noOut {
				opt.Out = out
				if opt.Out == "" {
					opt.Out = filepath.Join("out", traceDirName(f.Cells[0].Scenario.Name, opt.Cell, opt.Arm, opt.Run))
					if err := os.MkdirAll("out", 0o755); err != nil {
						return err
					}
				}
				opt.Overwrite = true
			}
			tr, err := experiment.Trace(f, opt)
			var bad *experiment.SelectionError
			if errors.As(err, &bad) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), tr.Summary)
			if !quiet && opt.Out != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "trace: %s (%d steps, %d events)\n", opt.Out, len(tr.Recorder.States)-1, len(tr.Recorder.Events))
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().IntVar(&opt.Cell, "cell", 0, "sweep cell of the run (the cell column of runs.parquet)")
	cmd.Flags().StringVar(&opt.Arm, "arm", "", "compare arm of the run (the arm column; omit when the scenario has no arms)")
	cmd.Flags().IntVar(&opt.Run, "run", 0, "run index within the cell and arm (the run column)")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "master seed, as given to cascade run (default: the scenario's seed)")
	cmd.Flags().StringVar(&out, "out", "", "trace directory (default: out/<scenario name>.trace-c<cell>[-<arm>]-r<run>)")
	cmd.Flags().BoolVar(&noOut, "no-results", false, "print the summary only; write no directory")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "nothing on stderr")
	return cmd
}

// traceDirName names a trace's default directory; characters of the arm
// other than letters, digits, '-' and '_' become '_'.
func traceDirName(name string, cell int, arm string, run int) string {
	var b strings.Builder
	b.WriteString(name + ".trace-c" + strconv.Itoa(cell))
	if arm != "" {
		b.WriteByte('-')
		for _, r := range arm {
			if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	b.WriteString("-r" + strconv.Itoa(run))
	return b.String()
}
