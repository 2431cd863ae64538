package world

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/scenario"
)

// FuzzLoad feeds arbitrary bytes to the scenario loader and compiler: every
// input must end in a model or in a scenario.List of positioned errors,
// never in a panic. Inputs that compile also run one short path.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*.yaml")
	for _, p := range seeds {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("name: x\nhorizon: 2d\nstep: 1d\nnumeraire: U\nassets: {U: {decimals: 6}, E: {decimals: 18, price: 3}}\n" +
		"mechanisms: {p: {type: uniswap_v2, tokens: [E, U], reserves: [1, 3]}}\nagents: {a: {type: arbitrageur}}\n"))
	f.Add([]byte("a: [1, {b: *x}]\n"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := scenario.LoadBytes("fuzz.yaml", src)
		if err != nil {
			if _, ok := err.(scenario.List); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		m, err := Compile(file)
		if err != nil {
			if _, ok := err.(scenario.List); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// Run one path of the first cell if it is short, so each input
		// stays fast.
		if m.Steps(0) > 200 {
			return
		}
		sim, err := m.NewSim(0)
		if err != nil {
			return
		}
		out := &engine.Outcome{}
		shape := m.Shape(0)
		out.Scalars = make([]float64, shape.Scalars)
		out.Series = make([][]float64, shape.Series)
		for k := range out.Series {
			out.Series[k] = make([]float64, shape.Samples)
		}
		_ = sim.Run(engine.Job{Seed: 1}, out)
	})
}
