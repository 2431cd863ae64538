package world

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
)

// TestNonFiniteStopsTheRun: a price that overflows stops the run at the
// step it happens, with the cell, run and seed, whatever the worker count.
func TestNonFiniteStopsTheRun(t *testing.T) {
	for _, c := range []struct{ name, proc, what string }{
		{"initial 1e300 with a huge drift", "initial: 1e300, drift: 500%/day, volatility: 4%/day", "the price of ETH is +Inf"},
		{"drift 1e6%/day", "initial: 2000, drift: 1e6%/day, volatility: 4%/day", "the price of ETH is +Inf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := compile(t, `name: t
horizon: 30d
step: 1d
numeraire: USDC
assets:
  ETH: {decimals: 18}
  USDC: {decimals: 6}
processes:
  eth: {type: gbm, asset: ETH, `+c.proc+`}
`)
			for _, workers := range []int{1, 3} {
				err := engine.Run(context.Background(), m, engine.Config{Runs: 4, Seed: 7, Workers: workers}, func(*engine.Outcome) error { return nil })
				var nf *NonFiniteError
				var re *engine.RunError
				if !errors.As(err, &nf) || !errors.As(err, &re) {
					t.Fatalf("workers %d: error %v, want a NonFiniteError in a RunError", workers, err)
				}
				if re.Cell != 0 || re.Run != 0 || nf.Step < 1 || nf.Step > 30 || !strings.Contains(err.Error(), c.what) {
					t.Errorf("workers %d: %v (cell %d, run %d, step %d)", workers, err, re.Cell, re.Run, nf.Step)
				}
			}
		})
	}
}
