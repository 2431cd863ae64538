package report

import (
	"encoding/json"
	"fmt"
	"github.com/cascade-risk/cascade/scenario"
	"math"
	"os"
	"path/filepath"

	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/results"
)

// Names of the files a report reads besides manifest.json and runs.parquet.
const (
	summaryFile = "summary.json"
	fansFile    = "fans.json"
)

// cellSummary is one element of summary.json: the aggregate of one arm at
// one sweep point. The report reads the file format, not the experiment
// package's types, so that it depends only on what a results directory
// documents.
type cellSummary struct {
	Cell    int             `json:"cell"`
	Arm     string          `json:"arm"`
	Params  map[string]any  `json:"params"`
	Metrics []metricSummary `json:"metrics"`
}

// metricSummary is one metric of a cellSummary.
type metricSummary struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Doc  string `json:"doc"`
	// Threshold is the loss threshold the scenario gives, if any.
	Threshold *float64 `json:"threshold,omitempty"`
	metric.SummaryReport
}

// fanFile is fans.json.
type fanFile struct {
	Quantiles []float64  `json:"quantiles"`
	Cells     []fanCells `json:"cells"`
}

// fanCells is one (cell, arm) of fans.json: Metrics[name][q][k] is quantile
// Quantiles[q] at Times[k] seconds.
type fanCells struct {
	Cell    int                         `json:"cell"`
	Arm     string                      `json:"arm"`
	Times   []float64                   `json:"times"`
	Metrics map[string][][]metric.Float `json:"metrics"`
}

// data is what a report reads from a results directory.
type data struct {
	manifest results.Manifest
	layout   results.Layout
	runs     []results.Run
	summary  []cellSummary
	fans     *fanFile // nil when the directory has no fans.json
	// byKey indexes the summaries by cell, arm and metric.
	byKey map[summaryKey]*metricSummary
	// scenario is the scenario copied into the directory, nil if it is
	// missing or no longer loads; source is its text.
	scenario *scenario.Scenario
	source   string
}

type summaryKey struct {
	cell        int
	arm, metric string
}

// load reads the results directory dir. summary.json is required (the tail
// table and confidence intervals come from it); fans.json is optional, as
// directories written without series have none.
func load(dir string) (*data, error) {
	d := &data{}
	var err error
	if d.manifest, err = results.ReadManifest(dir); err != nil {
		return nil, err
	}
	if d.layout, d.runs, err = results.ReadRuns(dir); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, summaryFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := json.Unmarshal(raw, &d.summary); err != nil {
		return nil, fmt.Errorf("report: %s: %w", filepath.Join(dir, summaryFile), err)
	}
	raw, err = os.ReadFile(filepath.Join(dir, fansFile))
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, fmt.Errorf("report: %w", err)
	default:
		d.fans = new(fanFile)
		if err := json.Unmarshal(raw, d.fans); err != nil {
			return nil, fmt.Errorf("report: %s: %w", filepath.Join(dir, fansFile), err)
		}
	}
	if src, err := os.ReadFile(filepath.Join(dir, "scenario.yaml")); err == nil {
		d.source = string(src)
		if f, err := scenario.LoadBytes("scenario.yaml", src); err == nil && len(f.Cells) > 0 {
			d.scenario = &f.Cells[0].Scenario
		}
	}
	return d, d.check()
}

// check verifies that the files agree with one another, so that later code
// can index without guarding every access.
func (d *data) check() error {
	m := &d.manifest
	if len(d.layout.Scalars) == 0 {
		return fmt.Errorf("report: runs.parquet has no metric columns")
	}
	cells := map[int]bool{}
	for _, c := range m.Cells {
		if len(c.Params) != len(m.Params) {
			return fmt.Errorf("report: manifest cell %d has %d parameters, want %d", c.Cell, len(c.Params), len(m.Params))
		}
		cells[c.Cell] = true
	}
	arms := map[string]bool{}
	for _, a := range m.Arms {
		arms[a] = true
	}
	for _, r := range d.runs {
		if !cells[r.Cell] {
			return fmt.Errorf("report: runs.parquet has cell %d, which the manifest does not list", r.Cell)
		}
		if !arms[r.Arm] {
			return fmt.Errorf("report: runs.parquet has arm %q, which the manifest does not list", r.Arm)
		}
	}
	for _, cs := range d.summary {
		if !cells[cs.Cell] || !arms[cs.Arm] {
			return fmt.Errorf("report: summary.json has cell %d arm %q, which the manifest does not list", cs.Cell, cs.Arm)
		}
		for _, ms := range cs.Metrics {
			if ms.Worse != metric.LowerIsWorse && ms.Worse != metric.HigherIsWorse && ms.Worse != metric.Neutral {
				return fmt.Errorf("report: summary.json: metric %q has no valid \"worse\"", ms.Name)
			}
		}
	}
	d.byKey = map[summaryKey]*metricSummary{}
	for i := range d.summary {
		cs := &d.summary[i]
		for k := range cs.Metrics {
			d.byKey[summaryKey{cs.Cell, cs.Arm, cs.Metrics[k].Name}] = &cs.Metrics[k]
		}
	}
	if d.fans != nil {
		for _, fc := range d.fans.Cells {
			for name, qs := range fc.Metrics {
				if len(qs) != len(d.fans.Quantiles) {
					return fmt.Errorf("report: fans.json: metric %q has %d quantiles, want %d", name, len(qs), len(d.fans.Quantiles))
				}
				for _, q := range qs {
					if len(q) != len(fc.Times) {
						return fmt.Errorf("report: fans.json: metric %q has %d points, want %d", name, len(q), len(fc.Times))
					}
				}
			}
		}
	}
	return nil
}

// summaryOf returns the summary of metric name in (cell, arm), if any.
func (d *data) summaryOf(cell int, arm, name string) (*metricSummary, bool) {
	ms, ok := d.byKey[summaryKey{cell, arm, name}]
	return ms, ok
}

// paramLabel returns the label of parameter p (index into the manifest's
// params) in cell as the scenario wrote it ("0.3%", "4%/day"), falling back
// to the number when summary.json does not give it.
func (d *data) paramLabel(cell, p int) string {
	name := d.manifest.Params[p]
	for _, cs := range d.summary {
		if cs.Cell == cell {
			if v, ok := cs.Params[name]; ok {
				switch v := v.(type) {
				case string:
					return v
				case float64:
					return formatNumber(v)
				}
			}
		}
	}
	for _, c := range d.manifest.Cells {
		if c.Cell == cell {
			return formatNumber(c.Params[p])
		}
	}
	return "?"
}

// paramValue returns the numeric value of parameter p in cell.
func (d *data) paramValue(cell, p int) float64 {
	for _, c := range d.manifest.Cells {
		if c.Cell == cell {
			return c.Params[p]
		}
	}
	return math.NaN()
}

// shortParam shortens a sweep parameter path for labels: the section name
// is dropped ("mechanisms.pool.fee" → "pool.fee").
func shortParam(path string) string {
	for _, prefix := range []string{"mechanisms.", "processes.", "agents.", "metrics.", "assets."} {
		if len(path) > len(prefix) && path[:len(prefix)] == prefix {
			return path[len(prefix):]
		}
	}
	return path
}
