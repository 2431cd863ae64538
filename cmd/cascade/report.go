package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/report"
	"github.com/spf13/cobra"
)

// addReportFlags adds the flags that shape a report, shared by `cascade
// report` and `cascade run --report`; reportOptions reads them.
func addReportFlags(cmd *cobra.Command) {
	cmd.Flags().StringSlice("metrics", nil, "metrics to report, in order, comma-separated (default: all)")
	cmd.Flags().String("headline", "", "metric of the headline sentences (default: the first metric the policy arms change)")
	cmd.Flags().StringArray("threshold", nil, "loss threshold of a metric for the policy comparison, as metric=value (repeatable; default: the baseline's 5% quantile at the bad end)")
	cmd.Flags().Int("resamples", report.DefaultResamples, "bootstrap resamples for the policy comparison's confidence intervals")
	cmd.Flags().Uint64("bootstrap-seed", 0, "seed of the bootstrap (reports are the same for the same seed)")
}

func reportOptions(cmd *cobra.Command) (report.Options, error) {
	fs := cmd.Flags()
	var opt report.Options
	var err error
	if opt.Metrics, err = fs.GetStringSlice("metrics"); err != nil {
		return opt, err
	}
	if opt.Headline, err = fs.GetString("headline"); err != nil {
		return opt, err
	}
	if opt.Bootstrap.Resamples, err = fs.GetInt("resamples"); err != nil {
		return opt, err
	}
	if opt.Bootstrap.Seed, err = fs.GetUint64("bootstrap-seed"); err != nil {
		return opt, err
	}
	if opt.Bootstrap.Resamples < 1 {
		return opt, usageError{fmt.Errorf("--resamples %d: must be at least 1", opt.Bootstrap.Resamples)}
	}
	thresholds, err := fs.GetStringArray("threshold")
	if err != nil {
		return opt, err
	}
	for _, t := range thresholds {
		name, value, ok := strings.Cut(t, "=")
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || strings.TrimSpace(name) == "" || err != nil {
			return opt, usageError{fmt.Errorf("--threshold %q: expected metric=number", t)}
		}
		if opt.Thresholds == nil {
			opt.Thresholds = map[string]float64{}
		}
		opt.Thresholds[strings.TrimSpace(name)] = v
	}
	return opt, nil
}

// addRunReportFlags adds --report and the report's flags to `cascade run`,
// and checks them before the run starts, so that a mistake does not cost
// a run.
func addRunReportFlags(cmd *cobra.Command) {
	cmd.Flags().String("report", "", "also write a report into the results directory: --report (HTML) or --report=md (Markdown with SVG charts)")
	cmd.Flags().Lookup("report").NoOptDefVal = "html"
	addReportFlags(cmd)
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if !cmd.Flags().Changed("report") {
			return nil
		}
		format, _ := cmd.Flags().GetString("report")
		if _, err := report.ParseFormat(format); err != nil {
			return usageError{fmt.Errorf("--report=%s: want html or md", format)}
		}
		if noOut, _ := cmd.Flags().GetBool("no-results"); noOut {
			return usageError{fmt.Errorf("--report needs a results directory; drop --no-results")}
		}
		_, err := reportOptions(cmd)
		return err
	}
}

// reportAfterRun writes the report that --report asks for on the results
// directory dir that the run wrote.
func reportAfterRun(cmd *cobra.Command, dir string) error {
	if !cmd.Flags().Changed("report") || dir == "" {
		return nil
	}
	name, _ := cmd.Flags().GetString("report")
	format, err := report.ParseFormat(name)
	if err != nil {
		return usageError{err}
	}
	opt, err := reportOptions(cmd)
	if err != nil {
		return err
	}
	w := cmd.ErrOrStderr()
	if quiet, _ := cmd.Flags().GetBool("quiet"); quiet {
		w = io.Discard
	}
	return writeReport(w, dir, "", format, opt)
}

// writeReport reports on the results directory dir in format, to out or
// the default place, and says where on w.
func writeReport(w io.Writer, dir, out string, format report.Format, opt report.Options) error {
	r, err := report.New(dir, opt)
	if err != nil {
		return err
	}
	if out == "" {
		out = report.DefaultPath(dir, format)
	}
	if err := r.WriteFile(out, format); err != nil {
		return err
	}
	fmt.Fprintf(w, "report: %s\n", out)
	return nil
}

func newReportCmd() *cobra.Command {
	var (
		out    string
		format string
	)
	cmd := &cobra.Command{
		Use:   "report RESULTS_DIR",
		Short: "Write a report of a results directory: one offline HTML page, or Markdown with SVG charts",
		Long: "Writes a report of a results directory: a summary and headline, the policy comparison (paired differences " +
			"with bootstrap intervals) when the scenario compares arms, the tail table, sweep maps, distributions and fan charts. " +
			"The HTML page holds its charts and libraries inline and loads nothing from the network.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return usageError{err}
			}
			opt, err := reportOptions(cmd)
			if err != nil {
				return err
			}
			return writeReport(cmd.ErrOrStderr(), args[0], out, f, opt)
		},
	}
	addReportFlags(cmd)
	cmd.Flags().StringVarP(&out, "out", "o", "", "report file (default: RESULTS_DIR/report.html, or report.md with --format md)")
	cmd.Flags().StringVar(&format, "format", "html", "html, or md for Markdown with SVG charts in a directory beside it")
	return cmd
}
