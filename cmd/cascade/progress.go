package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows runs done: a bar with rate and ETA when stderr is a
// terminal, otherwise a plain line every few seconds (for logs and CI).
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	start time.Time
	last  time.Time
	done  int
	total int
}

// plainEvery is the interval between plain progress lines.
const plainEvery = 5 * time.Second

// startProgress starts a progress display on w, or returns nil when quiet;
// a nil progress has no updater and finishes as a no-op.
func startProgress(w io.Writer, quiet bool) *progress {
	if quiet {
		return nil
	}
	return newProgress(w)
}

// updater returns the function that reports runs done, nil for a nil
// progress (no reporting).
func (p *progress) updater() func(done, total int) {
	if p == nil {
		return nil
	}
	return p.update
}

// notice returns the function through which a command reports what it
// cleaned up or recovered, on stderr.
func notice(w io.Writer) func(string) {
	return func(s string) { fmt.Fprintf(w, "cascade: %s\n", s) }
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	p.last = p.start
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("runs"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("runs"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) update(done, total int) {
	p.done, p.total = done, total
	if p.bar != nil {
		if p.bar.GetMax() != total {
			p.bar.ChangeMax(total)
		}
		_ = p.bar.Set(done)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= plainEvery {
		p.last = now
		p.line()
	}
}

func (p *progress) line() {
	el := time.Since(p.start).Seconds()
	rate := float64(p.done) / el
	eta := float64(p.total-p.done) / rate
	fmt.Fprintf(p.w, "progress: %d/%d runs (%.0f%%), %.0f runs/s, ETA %.0fs\n", p.done, p.total, 100*float64(p.done)/float64(max(1, p.total)), rate, eta)
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// termWidth returns the width of w when it is a terminal, else $COLUMNS
// when set, else experiment.DefaultWidth.
func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return experiment.DefaultWidth
}

// cellCount describes a scenario's size: "1 cell", "3 sweep points × 2
// arms = 6 cells".
func cellCount(f *scenario.File) string {
	arms := len(f.Arms())
	points := len(f.Cells) / max(1, arms)
	switch {
	case len(f.Cells) == 1:
		return "1 cell"
	case arms > 1 && points > 1:
		return fmt.Sprintf("%d sweep points × %d arms = %d cells", points, arms, len(f.Cells))
	case arms > 1:
		return fmt.Sprintf("%d arms", arms)
	}
	return fmt.Sprintf("%d sweep points", points)
}
