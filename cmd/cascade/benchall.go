package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/scenario"
	"github.com/spf13/cobra"
)

// benchAllRuns is bench --all's default number of runs per example.
const benchAllRuns = 20

// benchChild returns the command that runs this executable with args; a
// test replaces it.
var benchChild = func(args []string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.Command(exe, args...), nil
}

// benchRow is one example of bench --all: its report, or why it failed.
type benchRow struct {
	File  string       `json:"file"`
	Error string       `json:"error,omitempty"`
	Bench *benchReport `json:"bench,omitempty"`
}

// benchAll benchmarks every scenario file in dir, each in a child process
// (this executable's bench --json) so that each peak memory is its own, and
// prints a Markdown table, or the rows as JSON.
func benchAll(cmd *cobra.Command, dir string, runs, steps, workers, repeat int, asJSON bool) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{fmt.Errorf("bench --all %s: no *.yaml files there", dir)}
	}
	slices.Sort(files)
	var rows []benchRow
	for _, file := range files {
		args := []string{"bench", file, "--json", "--runs", strconv.Itoa(runs), "--steps", strconv.Itoa(steps),
			"--repeat", strconv.Itoa(repeat)}
		if workers > 0 {
			args = append(args, "--workers", strconv.Itoa(workers))
		}
		var out, errs bytes.Buffer
		child, err := benchChild(args)
		if err != nil {
			return err
		}
		child.Stdout, child.Stderr = &out, &errs
		row := benchRow{File: file}
		err = child.Run()
		if own := ownSteps(file); err != nil && own > 0 && own < steps {
			// A replay cannot run past its data: bench it over its own
			// horizon.
			args[6] = strconv.Itoa(own)
			out.Reset()
			errs.Reset()
			if child, err = benchChild(args); err != nil {
				return err
			}
			child.Stdout, child.Stderr = &out, &errs
			err = child.Run()
		}
		if err != nil {
			msg := strings.TrimSpace(errs.String())
			if msg == "" {
				msg = err.Error()
			}
			row.Error = firstLine(msg)
		} else {
			var r benchReport
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				return fmt.Errorf("bench %s: %v", file, err)
			}
			row.Bench = &r
		}
		rows = append(rows, row)
		if !asJSON {
			fmt.Fprintf(cmd.ErrOrStderr(), "cascade: benchmarked %s\n", file)
		}
	}
	w := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	fmt.Fprintf(w, "| example | runs × steps | timesteps/s | agent-steps/s | peak memory |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		name := strings.TrimSuffix(filepath.Base(r.File), ".yaml")
		if r.Bench == nil {
			fmt.Fprintf(w, "| %s | failed: %s | | | |\n", name, strings.ReplaceAll(r.Error, "|", "\\|"))
			continue
		}
		b := r.Bench
		cells := b.Timesteps / int64(max(1, b.Runs*b.StepsPerRun))
		shape := fmt.Sprintf("%d × %d", b.Runs, b.StepsPerRun)
		if cells > 1 {
			shape = fmt.Sprintf("%d cells × %s", cells, shape)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f MiB |\n", name, shape, humanRate(b.TimestepsPerSec), humanRate(b.AgentStepsPerSec), float64(b.PeakRSSBytes)/(1<<20))
	}
	fmt.Fprintf(w, "\n%d workers; %s\n", rows[0].workers(workers), benchMachine())
	return nil
}

func (r benchRow) workers(flag int) int {
	if r.Bench != nil {
		return r.Bench.Workers
	}
	if flag <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return flag
}

// humanRate prints a rate with three significant digits and a k or M.
func humanRate(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.3gM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.3gk", x/1e3)
	}
	return fmt.Sprintf("%.3g", x)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// benchMachine describes the CPU, from /proc/cpuinfo where there is one.
func benchMachine() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "CPU unknown"
	}
	model, n := "", 0
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			model = strings.TrimSpace(v)
		case "processor":
			n++
		}
	}
	return fmt.Sprintf("%d × %s", n, model)
}

// ownSteps returns the steps of file's own horizon, 0 if it does not load.
func ownSteps(file string) int {
	f, err := scenario.Load(file)
	if err != nil {
		return 0
	}
	return f.Cells[0].Scenario.Steps()
}

// agentCount counts the agents of f's first cell, a population with a
// count key as that many.
func agentCount(f *scenario.File) int {
	n := 0
	for _, a := range f.Cells[0].Scenario.Agents {
		k := 1
		if c := a.Node.Get("count"); c != nil {
			if v, err := strconv.Atoi(strings.ReplaceAll(c.Text, "_", "")); err == nil && v > 0 {
				k = v
			}
		}
		n += k
	}
	return n
}
