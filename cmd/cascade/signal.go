package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals end a run early: Ctrl-C, kill, and a closed terminal.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interrupted is the error of a command stopped by a signal. It exits with
// status 128 + the signal's number, as a shell reports a process killed by
// it: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
type interrupted struct {
	sig  os.Signal
	what string // what was kept or discarded, for the message
}

func (e interrupted) Error() string {
	msg := fmt.Sprintf("interrupted by %s", signalName(e.sig))
	if e.what != "" {
		msg += "; " + e.what
	}
	return msg
}

func (e interrupted) status() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// onSignal returns a context that the first of stopSignals cancels, with an
// interrupted error as its cause, so that the run stops and cleans up
// (the results writer removes its staging directory). After that first
// signal the signals take their default action again: a second one ends
// the process at once, and the next run removes what it left. stop releases
// the signals.
func onSignal(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Reset(stopSignals...)
			cancel(interrupted{sig: s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// stopped returns the interrupted error when ctx was cancelled by a signal,
// saying that nothing was written to out (if a directory was to be written),
// and err otherwise.
func stopped(ctx context.Context, out string, err error) error {
	intr, ok := context.Cause(ctx).(interrupted)
	if !ok {
		return err
	}
	intr.what = "no results written"
	if out != "" {
		intr.what = fmt.Sprintf("no results written (%s is as it was)", out)
	}
	return intr
}
