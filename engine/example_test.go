package engine_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/engine"
)

// coin is a model whose paths count heads in 100 fair coin flips.
type coin struct{}

func (coin) Cells() int                     { return 1 }
func (coin) Shape(int) engine.Shape         { return engine.Shape{Scalars: 1} }
func (coin) StreamCell(c int) int           { return c }
func (coin) NewSim(int) (engine.Sim, error) { return &flipper{}, nil }

type flipper struct{ pcg rand.PCG }

func (f *flipper) Run(job engine.Job, out *engine.Outcome) error {
	f.pcg.Seed(engine.Stream(job.Seed, 0))
	r := rand.New(&f.pcg)
	heads := 0
	for range 100 {
		heads += int(r.Uint64() & 1)
	}
	out.Scalars[0] = float64(heads)
	return nil
}

// Outcomes arrive in run order and are the same for any number of workers.
func Example() {
	for _, workers := range []int{1, 4} {
		var first []float64
		_ = engine.Run(context.Background(), coin{}, engine.Config{Runs: 5, Seed: 7, Workers: workers}, func(o *engine.Outcome) error {
			first = append(first, o.Scalars[0])
			return nil
		})
		fmt.Println(workers, first)
	}
	// Output:
	// 1 [47 47 49 53 48]
	// 4 [47 47 49 53 48]
}
