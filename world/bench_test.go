package world

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
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

// BenchmarkUniswapV3Step measures one simulated step of
// examples/uniswap_v3.yaml (a noise trader, an arbitrageur and a passive LP
// on a concentrated-liquidity pool) on one goroutine.
func BenchmarkUniswapV3Step(b *testing.B) {
	src, err := os.ReadFile("../examples/uniswap_v3.yaml")
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

// BenchmarkLendingBook measures one step of examples/lending_cascade.yaml
// with 200 and 2,000 borrowers, each arm on its own (deep: prices calm
// after the first round of liquidations; shallow: a cascade), over runs of
// 2,000 steps on one goroutine, book opening included; calm is the deep
// arm over runs of 20,000 steps, where the opening weighs a tenth as much
// and the step's own cost shows. With the book screened by liquidation key
// the deep arm's step costs about the same at both sizes; what grows is
// opening the positions at the start of each run and, in the cascade, the
// positions that are liquidatable or underwater.
func BenchmarkLendingBook(b *testing.B) {
	src, err := os.ReadFile("../examples/lending_cascade.yaml")
	if err != nil {
		b.Fatal(err)
	}
	text := string(src)
	text = text[:strings.Index(text, "compare:")] + text[strings.Index(text, "metrics:"):]
	for _, arm := range []struct {
		name, horizon string
		deep          bool
	}{{"deep", "20000min", true}, {"shallow", "20000min", false}, {"calm", "200000min", true}} {
		for _, n := range []int{200, 2000} {
			b.Run(fmt.Sprintf("%s/%d", arm.name, n), func(b *testing.B) {
				over := []scenario.Override{{Path: "agents.borrowers.count", Value: fmt.Sprint(n)}, {Path: "horizon", Value: arm.horizon}}
				if arm.deep {
					over = append(over, scenario.Override{Path: "mechanisms.dex.reserves", Value: "[2_000_000, 4_000_000_000]"})
				}
				f, err := scenario.LoadBytes("lending_cascade.yaml", []byte(text), over...)
				if err != nil {
					b.Fatal(err)
				}
				m, err := Compile(f)
				if err != nil {
					b.Fatal(err)
				}
				steps := m.Steps(0)
				runs := max(1, b.N/steps)
				b.ResetTimer()
				err = engine.Run(context.Background(), m, engine.Config{Runs: runs, Workers: 1}, func(*engine.Outcome) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(runs*steps)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}
