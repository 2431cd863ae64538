package results

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// interopExpect is what testdata/interop.mjs checks a results directory
// against. Values are chosen so that every sum is exact in any order, so
// tools must agree to the last bit.
type interopExpect struct {
	RunsColumns   [][2]string `json:"runs_columns"`   // name, DuckDB type
	SeriesColumns [][2]string `json:"series_columns"` // name, DuckDB type
	Runs          int64       `json:"runs"`
	AvgBadDebt    float64     `json:"avg_bad_debt"`
	NaNPeg        int64       `json:"nan_peg"`
	InfPeg        int64       `json:"inf_peg"`
	MinSeed       string      `json:"min_seed"`
	MaxSeed       string      `json:"max_seed"`
	Arms          int64       `json:"arms"`
	SeriesRows    int64       `json:"series_rows"`
	AvgPrice      float64     `json:"avg_price"`
	SumTime       float64     `json:"sum_time"`
	MaxSample     int64       `json:"max_sample"`
	RunsInSeries  int64       `json:"runs_in_series"`
}

// TestInterop writes a results directory and has DuckDB (and nodejs-polars,
// when installed) read it through testdata/interop.mjs. It runs only with
// CASCADE_INTEROP=1, after `npm ci` in testdata; it fails, rather than
// skips, when asked to run without Node.js or the packages.
func TestInterop(t *testing.T) {
	if os.Getenv("CASCADE_INTEROP") != "1" {
		t.Skip("set CASCADE_INTEROP=1 (after `npm ci` in results/testdata) to read results with DuckDB and polars")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("CASCADE_INTEROP=1 but node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join("testdata", "node_modules", "@duckdb", "node-api")); err != nil {
		t.Fatal("CASCADE_INTEROP=1 but testdata/node_modules lacks @duckdb/node-api: run `npm ci` in results/testdata")
	}

	layout := Layout{
		Params: []string{"fee"},
		Scalars: []Column{
			{Name: "vault.bad_debt", Unit: "USD"},
			{Name: "peg_dev_max", Unit: "1"},
		},
		Series: []Column{{Name: "ETH.price", Unit: "USD"}, {Name: "tvl", Unit: "USD"}},
	}
	var e interopExpect
	e.RunsColumns = [][2]string{{"cell", "INTEGER"}, {"arm", "VARCHAR"}, {"run", "INTEGER"}, {"seed", "UBIGINT"},
		{"fee", "DOUBLE"}, {"vault.bad_debt", "DOUBLE"}, {"peg_dev_max", "DOUBLE"}}
	e.SeriesColumns = [][2]string{{"cell", "INTEGER"}, {"arm", "VARCHAR"}, {"run", "INTEGER"}, {"sample", "INTEGER"},
		{"time_s", "DOUBLE"}, {"ETH.price", "DOUBLE"}, {"tvl", "DOUBLE"}}

	dest := filepath.Join(t.TempDir(), "out")
	w, err := Create(dest, layout, Options{RowGroupRows: 100}) // several row groups
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var sumBad, sumPrice float64
	minSeed, maxSeed := uint64(math.MaxUint64), uint64(0)
	arms := []string{"base", "collar"}
	for cell := range 4 {
		for _, arm := range arms {
			for run := range 50 {
				seed := uint64(cell*100+run+1) * 0x9E3779B97F4A7C15
				minSeed, maxSeed = min(minSeed, seed), max(maxSeed, seed)
				bad := float64(run+7*cell) / 4
				peg := float64(run) / 8
				switch run % 10 {
				case 3:
					peg = math.NaN()
					e.NaNPeg++
				case 7:
					peg = math.Inf(1)
					e.InfPeg++
				}
				k := run % 5 * 4
				r := Run{Cell: cell, Arm: arm, Run: run, Seed: seed, Params: []float64{float64(cell) / 1024},
					Scalars: []float64{bad, peg}, Times: make([]float64, k), Series: [][]float64{make([]float64, k), make([]float64, k)}}
				for s := range k {
					r.Times[s] = 12 * float64(s)
					r.Series[0][s] = 1000 + float64(s+run)/16
					r.Series[1][s] = float64(cell)
					sumPrice += r.Series[0][s]
					e.SumTime += r.Times[s]
					e.MaxSample = max(e.MaxSample, int64(s))
				}
				if k > 0 {
					e.RunsInSeries++
				}
				e.SeriesRows += int64(k)
				e.Runs++
				sumBad += bad
				if err := w.WriteRun(r); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	e.AvgBadDebt = sumBad / float64(e.Runs)
	e.AvgPrice = sumPrice / float64(e.SeriesRows)
	e.MinSeed = strconv.FormatUint(minSeed, 10)
	e.MaxSeed = strconv.FormatUint(maxSeed, 10)
	e.Arms = int64(len(arms))
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile("expected.json", data); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(testManifest()); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "interop.mjs", dest)
	cmd.Dir = "testdata"
	out, err := cmd.CombinedOutput()
	t.Logf("node interop.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("interop.mjs: %v", err)
	}
}
