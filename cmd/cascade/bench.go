package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cascade-risk/cascade/examples"
	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/world"
	"github.com/spf13/cobra"
)

// benchReport is what `cascade bench --json` prints.
type benchReport struct {
	Scenario        string  `json:"scenario"`
	Runs            int     `json:"runs"`
	StepsPerRun     int     `json:"steps_per_run"`
	Timesteps       int64   `json:"timesteps"`
	Seconds         float64 `json:"seconds"`
	TimestepsPerSec float64 `json:"timesteps_per_sec"`
	// Repeats holds each repetition's timesteps per second, in order, when
	// there were several; TimestepsPerSec and Seconds are then the
	// median's.
	Repeats []float64 `json:"repeats,omitempty"`
	// Agents counts the scenario's agents, a population (count: N) as N;
	// AgentStepsPerSec is TimestepsPerSec times it.
	Agents           int     `json:"agents"`
	AgentStepsPerSec float64 `json:"agent_steps_per_sec"`
	Workers          int     `json:"workers"`
	PeakRSSBytes     int64   `json:"peak_rss_bytes"`
	Version          string  `json:"version"`
	Commit           string  `json:"commit"`
}

func newBenchCmd() *cobra.Command {
	var (
		runs, steps, workers   int
		repeat                 int
		asJSON, all            bool
		cpuProfile, memProfile string
		sets                   []string
	)
	cmd := &cobra.Command{
		Use:   "bench [FILE | --all [DIR]]",
		Short: "Measure throughput (timesteps per second) and peak memory on a scenario (default: the built-in quickstart), or on every example with --all",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkRunFlags(cmd, runs, workers); err != nil {
				return err
			}
			if all {
				if !cmd.Flags().Changed("runs") {
					runs = benchAllRuns
				}
				dir := "examples"
				if len(args) == 1 {
					dir = args[0]
				}
				if len(sets) > 0 {
					return usageError{fmt.Errorf("--set applies to one scenario, not to --all")}
				}
				return benchAll(cmd, dir, runs, steps, workers, repeat, asJSON)
			}
			if steps < 1 {
				return usageError{fmt.Errorf("--steps %d: want at least 1", steps)}
			}
			if repeat < 1 || repeat > 1000 {
				return usageError{fmt.Errorf("--repeat %d: want from 1 to 1000", repeat)}
			}
			var set []scenario.Override
			for _, s := range sets {
				p, v, ok := strings.Cut(s, "=")
				if !ok || p == "" {
					return usageError{fmt.Errorf("--set %q: expected path=value", s)}
				}
				set = append(set, scenario.Override{Path: p, Value: v})
			}
			ov := append([]scenario.Override{{Path: "horizon", Value: ""}}, set...)
			name, src := "quickstart.yaml", examples.Quickstart
			var f *scenario.File
			var err error
			if len(args) == 1 {
				name = args[0]
				f, err = scenario.Load(name, set...)
			} else {
				f, err = scenario.LoadBytes(name, src, set...)
			}
			if err != nil {
				return err
			}
			// The horizon becomes steps × step of the scenario.
			own, step := f.Cells[0].Scenario.Steps(), f.Cells[0].Scenario.Step.Std()
			load := func(steps int) (*scenario.File, error) {
				ov[0].Value = fmt.Sprintf("%dms", int64(steps)*step.Milliseconds())
				if len(args) == 1 {
					return scenario.Load(name, ov...)
				}
				return scenario.LoadBytes(name, src, ov...)
			}
			f, err = load(steps)
			if err == nil {
				_, err = world.Compile(f)
			}
			if err != nil && !cmd.Flags().Changed("steps") && own < steps {
				// A replay cannot run past its data: without --steps, bench
				// it over its own horizon, as --all does.
				why := err
				if f, err = load(own); err == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "cascade: %s cannot run %d steps (%v); benchmarking its own horizon, %d steps\n", name, steps, why, own)
				}
			}
			if err != nil {
				return err
			}
			if cpuProfile != "" {
				pf, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer pf.Close()
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			var each []benchReport
			for range repeat {
				start := time.Now()
				res, err := experiment.Run(context.Background(), f, experiment.Options{Runs: runs, Workers: workers})
				if err != nil {
					return err
				}
				r := benchReport{
					Scenario: name, Runs: res.Runs, StepsPerRun: res.Model.Steps(0), Timesteps: res.Timesteps,
					Seconds: time.Since(start).Seconds(), Workers: res.Workers, Version: version, Commit: commit(),
				}
				r.TimestepsPerSec = float64(r.Timesteps) / r.Seconds
				r.Agents = agentCount(f)
				r.AgentStepsPerSec = r.TimestepsPerSec * float64(r.Agents)
				each = append(each, r)
			}
			// A shared machine only ever slows a repetition down; the
			// median is robust to that without flattering the figure.
			rep := slices.SortedFunc(slices.Values(each), func(a, b benchReport) int {
				return cmp.Compare(a.TimestepsPerSec, b.TimestepsPerSec)
			})[(len(each)-1)/2]
			if repeat > 1 {
				for _, r := range each {
					rep.Repeats = append(rep.Repeats, r.TimestepsPerSec)
				}
			}
			rep.PeakRSSBytes = peakRSS()
			if memProfile != "" {
				if err := writeHeapProfile(memProfile); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d runs × %d steps = %d timesteps in %.2fs\n", rep.Scenario, rep.Runs, rep.StepsPerRun, rep.Timesteps, rep.Seconds)
			fmt.Fprintf(cmd.OutOrStdout(), "throughput: %.3g timesteps/s on %d workers", rep.TimestepsPerSec, rep.Workers)
			if len(rep.Repeats) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), " (median of %d repetitions, %.3g to %.3g)", len(rep.Repeats), slices.Min(rep.Repeats), slices.Max(rep.Repeats))
			}
			fmt.Fprintln(cmd.OutOrStdout())
			fmt.Fprintf(cmd.OutOrStdout(), "peak memory (RSS): %.1f MiB\n", float64(rep.PeakRSSBytes)/(1<<20))
			return nil
		},
	}
	cmd.Flags().IntVar(&runs, "runs", 1000, "runs")
	cmd.Flags().IntVar(&steps, "steps", 10000, "steps per run (the horizon becomes steps × the scenario's step)")
	cmd.Flags().IntVar(&workers, "workers", 0, "worker goroutines (default: all cores)")
	cmd.Flags().IntVar(&repeat, "repeat", 1, "run the benchmark this many times and report the median")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "override a scenario value, as path=value (repeatable), e.g. --set agents.borrowers.count=2000")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON report with a timesteps_per_sec field")
	cmd.Flags().BoolVar(&all, "all", false, fmt.Sprintf("benchmark every *.yaml in DIR (default examples), each in its own process, and print a table (--runs defaults to %d)", benchAllRuns))
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) to this file")
	cmd.Flags().StringVar(&memProfile, "memprofile", "", "write a heap profile (go tool pprof; -sample_index=alloc_space for allocations) to this file at the end")
	return cmd
}

// peakRSS returns the process's peak resident set size in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // Linux reports kilobytes
}

// writeHeapProfile writes the heap profile to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
