package world

import (
	"context"
	"os"
	"testing"

	"github.com/cascade-risk/cascade/engine"
)

// BenchmarkQuickstartStep measures one simulated step of the reference model
// (examples/quickstart.yaml) on one goroutine.
func BenchmarkQuickstartStep(b *testing.B) {
	src, err := os.ReadFile("../examples/quickstart.yaml")
	if err != nil {
		b.Fatal(err)
	}
	m := compile(b, string(src))
	steps := m.Steps(0)
	runs := max(1, b.N/steps)
	b.ReportAllocs()
	b.ResetTimer()
	err = engine.Run(context.Background(), m, engine.Config{Runs: runs, Workers: 1}, func(*engine.Outcome) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(runs*steps)/b.Elapsed().Seconds(), "steps/s")
}
