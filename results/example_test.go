package results_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cascade-risk/cascade/results"
)

func Example() {
	parent, err := os.MkdirTemp("", "cascade-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(parent)
	dest := filepath.Join(parent, "out")

	layout := results.Layout{
		Params:  []string{"fee"},
		Scalars: []results.Column{{Name: "bad_debt", Unit: "USD", Description: "debt left uncovered"}},
		Series:  []results.Column{{Name: "price", Unit: "USD"}},
	}
	w, err := results.Create(dest, layout, results.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // does nothing once Finish has succeeded

	for run := range 3 {
		err := w.WriteRun(results.Run{
			Cell: 0, Arm: "", Run: run, Seed: uint64(1000 + run),
			Params:  []float64{0.003},
			Scalars: []float64{float64(run) * 1.5},
			Times:   []float64{0, 12, 24},
			Series:  [][]float64{{2000, 1990 - float64(run), 1985}},
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := w.WriteFile("summary.txt", []byte("3 runs\n")); err != nil {
		log.Fatal(err)
	}
	if err := w.Finish(results.Manifest{ScenarioName: "example", Seed: 1000, Runs: 3}); err != nil {
		log.Fatal(err)
	}

	m, err := results.ReadManifest(dest)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range m.Files {
		if f.Rows != nil {
			fmt.Printf("%s: %d rows\n", f.Name, *f.Rows)
		} else {
			fmt.Printf("%s: %d bytes\n", f.Name, f.Bytes)
		}
	}
	_, runs, err := results.ReadRuns(dest)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range runs {
		fmt.Printf("run %d seed %d fee %g bad_debt %g\n", r.Run, r.Seed, r.Params[0], r.Scalars[0])
	}
	// Output:
	// runs.parquet: 3 rows
	// series.parquet: 9 rows
	// summary.txt: 7 bytes
	// run 0 seed 1000 fee 0.003 bad_debt 0
	// run 1 seed 1001 fee 0.003 bad_debt 1.5
	// run 2 seed 1002 fee 0.003 bad_debt 3
}
