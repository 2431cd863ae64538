package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// Manifest is the content of manifest.json: what was run, with which build,
// and what each file of the directory holds. The caller of [Writer.Finish]
// gives the fields about the command; the writer fills the fields about the
// files (see Finish).
//
// Times are written in RFC 3339 format. Seed is written as a decimal string,
// because JSON readers that hold numbers as float64 (JavaScript, pandas)
// would round seeds above 2⁵³.
type Manifest struct {
	// FormatVersion is the results format version ([FormatVersion]).
	FormatVersion int `json:"format_version"`

	ScenarioName   string `json:"scenario_name"`   // name given in the scenario file
	ScenarioFile   string `json:"scenario_file"`   // path of the scenario file as given on the command line
	ScenarioSHA256 string `json:"scenario_sha256"` // hex SHA-256 of the scenario file's bytes
	// ScenarioDescription is the scenario's description: field.
	ScenarioDescription string `json:"scenario_description,omitempty"`
	// ScenarioCopy names the copy of the scenario file (its bytes, before
	// overrides) inside the directory, if one was written.
	ScenarioCopy string `json:"scenario_copy,omitempty"`
	// Overrides are the --set changes applied to the scenario, as
	// path=value, in order.
	Overrides []string `json:"overrides,omitempty"`

	Seed    uint64 `json:"seed,string"` // master seed; each run's own seed is in runs.parquet
	Runs    int    `json:"runs"`        // runs per (cell, arm) as configured
	Workers int    `json:"workers"`     // worker goroutines used; does not affect results
	// CommonRandomNumbers is true when every sweep point used the same
	// random streams run by run (arms always share their point's streams).
	CommonRandomNumbers bool `json:"common_random_numbers"`

	CascadeVersion string `json:"cascade_version"`
	GitCommit      string `json:"git_commit"`
	GoVersion      string `json:"go_version"`

	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	WallSeconds float64   `json:"wall_seconds"` // Finished − Started, in seconds

	Timesteps   int64   `json:"timesteps"`     // simulated steps over all runs
	StepsPerRun int64   `json:"steps_per_run"` // simulated steps in one run
	StepSeconds float64 `json:"step_seconds"`  // simulated seconds per step

	// Params names the sweep parameters; Cells[i].Params are in this order.
	Params []string `json:"params"`
	// Cells lists every sweep cell that has runs, by increasing index.
	Cells []Cell `json:"cells"`
	// Arms lists the compare arms in order of first appearance; [""] when
	// there is no comparison.
	Arms []string `json:"arms"`
	// Shard is set in a partial directory written by `cascade run --shard`.
	Shard *ShardInfo `json:"shard,omitempty"`
	// Shards lists the partial directories a `cascade merge` combined, in
	// shard order.
	Shards []ShardRecord `json:"shards,omitempty"`
	// Trace is set in a directory written by `cascade trace`.
	Trace *TraceInfo `json:"trace,omitempty"`
	// Files describes the files of the directory other than manifest.json:
	// runs.parquet, series.parquet if written, then extra files in the
	// order they were written.
	Files []FileInfo `json:"files"`
}

// ShardInfo says which slice of the work a partial directory holds: shard
// Index of Count, the jobs From ≤ g < To of Jobs, a job being number
// g = engine cell·runs + run in (cell, arm, run) order.
type ShardInfo struct {
	Index int `json:"index"`
	Count int `json:"count"`
	From  int `json:"from"`
	To    int `json:"to"`
	Jobs  int `json:"jobs"`
}

// ShardRecord is one partial directory a merge combined.
type ShardRecord struct {
	ShardInfo
	Dir         string  `json:"dir"`
	Workers     int     `json:"workers"`
	WallSeconds float64 `json:"wall_seconds"`
	// RunsSHA256 is the SHA-256 of the shard's runs.parquet.
	RunsSHA256 string `json:"runs_sha256"`
}

// TraceInfo identifies the run a trace directory replays.
type TraceInfo struct {
	Cell    int    `json:"cell"`
	Arm     string `json:"arm"`
	Run     int    `json:"run"`
	RunSeed uint64 `json:"run_seed,string"`
	Command string `json:"command"`
}

// Cell is one sweep cell: its index and its parameter values.
type Cell struct {
	Cell   int       `json:"cell"`
	Params []float64 `json:"params"`
}

// FileInfo describes one file of a results directory.
type FileInfo struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Rows        *int64       `json:"rows,omitempty"` // Parquet files only
	Bytes       int64        `json:"bytes"`
	SHA256      string       `json:"sha256"` // hex SHA-256 of the file's bytes
	Columns     []ColumnInfo `json:"columns,omitempty"`
}

// ColumnInfo describes one column of a Parquet file.
type ColumnInfo struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // TypeInt32, TypeUint64, TypeString or TypeDouble
	Role        string `json:"role"` // RoleKey, RoleParam, RoleScalar or RoleSeries
	Unit        string `json:"unit,omitempty"`
	Description string `json:"description,omitempty"`
}

// File returns the description of the named file, if the manifest lists it.
func (m *Manifest) File(name string) (FileInfo, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return FileInfo{}, false
}

// Layout reconstructs the layout the directory was written with from the
// column roles of its files.
func (m *Manifest) Layout() (Layout, error) {
	var l Layout
	runs, ok := m.File(RunsFile)
	if !ok {
		return l, fmt.Errorf("results: manifest lists no %s", RunsFile)
	}
	for _, c := range runs.Columns {
		switch c.Role {
		case RoleParam:
			l.Params = append(l.Params, c.Name)
		case RoleScalar:
			l.Scalars = append(l.Scalars, Column{Name: c.Name, Unit: c.Unit, Description: c.Description})
		}
	}
	if series, ok := m.File(SeriesFile); ok {
		for _, c := range series.Columns {
			if c.Role == RoleSeries {
				l.Series = append(l.Series, Column{Name: c.Name, Unit: c.Unit, Description: c.Description})
			}
		}
	}
	return l, nil
}

func (m *Manifest) marshal() ([]byte, error) {
	finite := func(what string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("results: manifest %s is %v; JSON has no NaN or infinity", what, v)
		}
		return nil
	}
	if err := finite("step_seconds", m.StepSeconds); err != nil {
		return nil, err
	}
	if err := finite("wall_seconds", m.WallSeconds); err != nil {
		return nil, err
	}
	for _, c := range m.Cells {
		for i, v := range c.Params {
			if err := finite(fmt.Sprintf("cell %d param %q", c.Cell, m.Params[i]), v); err != nil {
				return nil, err
			}
		}
	}
	data, err := marshalIndent(m)
	if err != nil {
		return nil, fmt.Errorf("results: manifest: %w", err)
	}
	return data, nil
}

// ReadManifest reads dir/manifest.json. It fails on a manifest written in a
// newer format than this package knows.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("results: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("results: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	switch {
	case m.FormatVersion == 0:
		return m, errors.New("results: manifest has no format_version; not a Cascade results directory")
	case m.FormatVersion > FormatVersion:
		return m, fmt.Errorf("results: manifest format_version %d is newer than this build reads (%d)", m.FormatVersion, FormatVersion)
	}
	return m, nil
}
