package experiment

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
)

// WorstRuns is how many of the worst runs of each metric and cell a summary
// names.
const WorstRuns = 3

// RunRef names one run the way `cascade trace` takes it: sweep cell, arm
// and run index; Value is the run's value of the metric it is listed for.
type RunRef struct {
	Cell  int          `json:"cell"`
	Arm   string       `json:"arm,omitempty"`
	Run   int          `json:"run"`
	Value metric.Float `json:"value"`
}

// worse inserts r into list, the worst runs so far worst first, keeping at
// most WorstRuns. Runs arrive in order, so of equal values the earlier run
// ranks first. NaN values are not ranked.
func worse(list []RunRef, r RunRef, dir metric.Direction) []RunRef {
	v := float64(r.Value)
	if math.IsNaN(v) {
		return list
	}
	worseThan := func(a, b float64) bool {
		if dir == metric.HigherIsWorse {
			return a > b
		}
		return a < b
	}
	i := len(list)
	for i > 0 && worseThan(v, float64(list[i-1].Value)) {
		i--
	}
	if i >= WorstRuns {
		return list
	}
	if len(list) < WorstRuns {
		list = append(list, RunRef{})
	}
	copy(list[i+1:], list[i:])
	list[i] = r
	return list
}

// ReplayCommand is the command line that traces one run alone: the
// scenario file, the --seed given on the command line if any, and the
// --set overrides, quoted for a POSIX shell.
func ReplayCommand(f *scenario.File, seed *uint64, cell int, arm string, run int) string {
	args := []string{"cascade", "trace", shellQuote(f.Path), "--cell", strconv.Itoa(cell)}
	if arm != "" {
		args = append(args, "--arm", shellQuote(arm))
	}
	args = append(args, "--run", strconv.Itoa(run))
	if seed != nil {
		args = append(args, "--seed", strconv.FormatUint(*seed, 10))
	}
	for _, o := range f.Overrides {
		args = append(args, "--set", shellQuote(o.String()))
	}
	return strings.Join(args, " ")
}

// Replay returns the command that traces run of engine cell c of r.
func (r *Result) Replay(c, run int) string {
	var seed *uint64
	if r.SeedSet {
		seed = &r.Seed
	}
	return ReplayCommand(r.File, seed, r.Cells[c].Point, r.Cells[c].Arm, run)
}

// RunFailure is a run that failed: which one, why, and the command that
// replays it.
type RunFailure struct {
	Cell int
	Arm  string
	Run  int
	Seed uint64
	Err  error
	// Replay is the command that traces the failing run alone.
	Replay string
}

func (e *RunFailure) Error() string {
	where := fmt.Sprintf("cell %d", e.Cell)
	if e.Arm != "" {
		where += ", arm " + e.Arm
	}
	return fmt.Sprintf("%s, run %d (run seed %d): %v\n  replay and inspect it with: %s", where, e.Run, e.Seed, e.Err, e.Replay)
}

func (e *RunFailure) Unwrap() error { return e.Err }

// runError names the run and gives the replay command of an engine
// RunError; other errors pass through.
func (r *Result) runError(err error) error {
	var re *engine.RunError
	if !errors.As(err, &re) || re.Cell < 0 || re.Cell >= len(r.Cells) {
		return err
	}
	c := &r.Cells[re.Cell]
	return &RunFailure{Cell: c.Point, Arm: c.Arm, Run: re.Run, Seed: re.Seed, Err: re.Err, Replay: r.Replay(re.Cell, re.Run)}
}
