// Package results writes and reads Cascade results directories.
//
// A results directory holds the outcome of one simulation command in files
// that DuckDB, pandas and polars read directly:
//
//	manifest.json   what was run, with which build, and what every file and column means
//	runs.parquet    one row per run: cell, arm, run, seed, the sweep parameters, the scalar metrics
//	series.parquet  one row per (cell, arm, run, sample): the sampled time series, long ("tidy") format
//
// plus any extra files added with [Writer.WriteFile] (a summary, a report).
//
// The directory appears atomically. [Create] makes a staging directory
// beside the destination; [Writer.Finish] completes every file, syncs it to
// disk and moves the directory into place, replacing earlier results in one
// atomic exchange. If anything fails, or [Writer.Abort] is called, the
// staging directory is removed and the destination is left as it was. A
// reader therefore sees the old directory (or none) or the complete new one,
// never a half-written one, and a crash at any point leaves one of the two:
// the next writer to the same destination finishes what a dead one left
// (see [Recover]).
//
// Only what Cascade wrote is ever replaced: a directory holding anything
// but a Cascade manifest, the files it lists and reports is refused.
//
// The Parquet files contain no timestamps and no host-dependent content: the
// same layout and the same runs, written in the same order, give
// byte-identical files. Only manifest.json records when and how long.
//
// # Column conventions
//
// Keys are INT32 (cell, run, sample), STRING (arm, dictionary-encoded) and
// seed, an INT64 annotated as unsigned 64-bit (Parquet INT(64, false)): the
// column stores the bit pattern of the uint64 seed, and readers that honour
// the annotation (DuckDB: UBIGINT, polars: UInt64, pyarrow: uint64) show the
// seed itself; a reader that ignores it shows seeds of 2⁶³ and above as
// negative numbers with the same bits. Every metric, parameter and series
// value is a required DOUBLE. NaN and ±Inf are written as they are, not as
// null, so values round-trip bit for bit; there are no nulls in either file.
// A metric that is undefined for a run is NaN, and tools that skip nulls do
// not skip NaN: in DuckDB avg and max over a column holding a NaN are NaN,
// and NaN compares greater than +Inf; in polars NaN is a value, not null.
// Filter with isnan (DuckDB) or is_nan (polars) first.
//
// Both files are zstd-compressed, PLAIN-encoded (the arm dictionary-encoded)
// and use version 1 data pages, which every current Parquet reader accepts.
//
// A layout with no series writes no series.parquet at all (rather than a file
// of keys without values); the manifest then lists runs.parquet only.
package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

// File names inside a results directory.
const (
	ManifestFile = "manifest.json"
	RunsFile     = "runs.parquet"
	SeriesFile   = "series.parquet"
)

// FormatVersion is the version of the results directory format written by
// this package, recorded in the manifest. It changes when a column is
// renamed, removed or changes type; adding columns or manifest fields does not
// change it.
const FormatVersion = 1

// Column describes a metric column of a results file: its name as it appears in Parquet and SQL, its unit (free text such as "ETH",
// "USD", "s", "1" for a ratio) and a one-line description.
//
// Names are an ASCII letter or underscore followed by ASCII letters, digits,
// '_', '.' or '-', at most 128 bytes. Cascade names metrics
// "component.metric" and sweep parameters by their dotted path, so in SQL
// they are quoted: SELECT avg("lp.lp_hodl") FROM 'runs.parquet'. Within a layout every name is
// unique, ignoring case (DuckDB compares names without case), and differs from
// the key columns cell, arm, run, seed, sample and time_s.
type Column struct {
	Name        string `json:"name"`
	Unit        string `json:"unit,omitempty"`
	Description string `json:"description,omitempty"`
}

// Layout is the shape of the results of one command: which scalar metrics
// each run reports, which time series it samples and which sweep parameters
// identify a cell. Columns appear in the files in the order given here.
type Layout struct {
	// Scalars are the per-run scalar metrics, one DOUBLE column each in
	// runs.parquet.
	Scalars []Column
	// Series are the sampled time series, one DOUBLE column each in
	// series.parquet. With no series, no series.parquet is written.
	Series []Column
	// Params name the sweep parameters, one DOUBLE column each in
	// runs.parquet (before the scalars) and a value each in the manifest's
	// cells. May be empty.
	Params []string
	// ParamUnits are the units of Params, in the same order (may be
	// empty); they go to the manifest's column descriptions and to the
	// Parquet files' "cascade.units" metadata.
	ParamUnits []string
}

// Options control [Create].
type Options struct {
	// Overwrite allows an existing destination to be replaced. Only an
	// earlier results directory (a Cascade manifest.json, the files it
	// lists and reports, nothing else) or an empty directory is ever
	// replaced; anything else is refused, so that a mistyped destination
	// cannot delete unrelated files.
	Overwrite bool
	// Notice, if set, is told what Create did to clean up after writers to
	// the same destination that died (see [Recover]), one line each.
	Notice func(string)
	// RowGroupRows is the largest number of rows in one Parquet row group
	// (and so, roughly, the memory a writer holds per file). Zero chooses as
	// many rows as fit in about 16 MiB of uncompressed values, at least 1024.
	RowGroupRows int
}

// Run is the record of one simulation run. Slices are read during
// [Writer.WriteRun] only and may be reused by the caller afterwards.
type Run struct {
	Cell int    // sweep cell index, 0 ≤ Cell < 2³¹
	Arm  string // compare arm name (valid UTF-8); "" when there is no comparison
	Run  int    // run index within the cell and arm, 0 ≤ Run < 2³¹
	Seed uint64 // seed of this run's random stream

	Params  []float64 // sweep parameter values of the cell (finite), len(Layout.Params)
	Scalars []float64 // scalar metrics, len(Layout.Scalars)

	// Times are the sample times in seconds since the start of the run, K
	// of them; K may differ between runs and may be 0.
	Times []float64
	// Series holds the sampled values: Series[i][k] is series i of the
	// layout at Times[k]. len(Series) = len(Layout.Series) and every
	// len(Series[i]) = len(Times). Both are empty when the layout has no
	// series.
	Series [][]float64
}

const (
	maxNameLen       = 128
	defaultGroupSize = 16 << 20 // uncompressed bytes of values per row group
	minGroupRows     = 1024
	seriesBatch      = 1024 // series rows handed to parquet-go per call
)

// reservedNames are the key columns; layout names may not reuse them.
var reservedNames = []string{"cell", "arm", "run", "seed", "sample", "time_s"}

// Writer streams runs into a results directory under construction. Its
// memory use does not grow with the number of runs, except for one entry per
// distinct sweep cell and arm (recorded for the manifest). A Writer is not
// safe for concurrent use.
//
// After any error the Writer has already removed its temporary directory;
// every later call returns that error. Abort after Finish, or after an error,
// does nothing, so `defer w.Abort()` is always safe.
type Writer struct {
	dest    string
	stage   *staging // nil once removed
	tmp     string   // stage's new/, where the files are written
	keep    bool     // a failed swap left the old results in stage: keep them for Recover
	opt     Options
	layout  Layout
	started time.Time

	runs   *table
	series *table // nil when the layout has no series
	extras []FileInfo

	runRow     parquet.Row
	seriesRows []parquet.Row // a batch of rows over one backing array

	arms      map[string][]byte // arm name → bytes for ByteArrayValue
	armOrder  []string
	cells     map[int][]float64
	cellOrder []int

	err error // sticky: set by the first failure, or by Abort/Finish
}

var (
	errAborted  = errors.New("results: writer aborted")
	errFinished = errors.New("results: writer already finished")
)

// Create starts writing a results directory that will appear at dest when
// [Writer.Finish] succeeds. Missing parent directories of dest are created.
// If dest exists, Create fails unless opt.Overwrite is set and dest is a
// directory that may be replaced (see [Options]). Create first cleans up
// after dead writers to dest ([Recover]).
func Create(dest string, layout Layout, opt Options) (*Writer, error) {
	if dest == "" {
		return nil, errors.New("results: empty destination path")
	}
	if opt.RowGroupRows < 0 {
		return nil, fmt.Errorf("results: Options.RowGroupRows is %d, want ≥ 0", opt.RowGroupRows)
	}
	if err := layout.validate(); err != nil {
		return nil, err
	}
	dest = filepath.Clean(dest)
	if err := checkDest(dest, opt.Overwrite); err != nil {
		return nil, err
	}
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("results: making the parent directory of %s: %w", dest, err)
	}
	notes, err := Recover(dest)
	if opt.Notice != nil {
		for _, n := range notes {
			opt.Notice(n)
		}
	}
	if err != nil {
		return nil, err
	}
	// Recovery may have restored dest.
	if err := checkDest(dest, opt.Overwrite); err != nil {
		return nil, err
	}
	st, err := newStaging(parent, filepath.Base(dest))
	if err != nil {
		return nil, err
	}
	w := &Writer{
		dest:    dest,
		stage:   st,
		tmp:     st.newDir(),
		opt:     opt,
		layout:  layout.clone(),
		started: time.Now().UTC(),
		arms:    make(map[string][]byte),
		cells:   make(map[int][]float64),
	}
	if err := w.open(); err != nil {
		w.fail(err)
		return nil, err
	}
	hook(phaseStaged)
	return w, nil
}

func (w *Writer) open() error {
	rc := w.layout.runsColumns()
	t, err := openTable(w.tmp, RunsFile, runsDescription, rc, w.groupRows(rc))
	if err != nil {
		return err
	}
	w.runs = t
	w.runRow = make(parquet.Row, len(rc))
	if len(w.layout.Series) > 0 {
		sc := w.layout.seriesColumns()
		t, err := openTable(w.tmp, SeriesFile, seriesDescription, sc, w.groupRows(sc))
		if err != nil {
			return err
		}
		w.series = t
		buf := make([]parquet.Value, seriesBatch*len(sc))
		w.seriesRows = make([]parquet.Row, seriesBatch)
		for i := range w.seriesRows {
			w.seriesRows[i] = buf[i*len(sc) : (i+1)*len(sc) : (i+1)*len(sc)]
		}
	}
	return nil
}

func (w *Writer) groupRows(cols []ColumnInfo) int64 {
	if w.opt.RowGroupRows > 0 {
		return int64(w.opt.RowGroupRows)
	}
	width := 0
	for _, c := range cols {
		switch c.Type {
		case TypeInt32:
			width += 4
		case TypeString:
			width += 16 // a typical arm name with its length prefix
		default:
			width += 8
		}
	}
	return int64(max(minGroupRows, defaultGroupSize/width))
}

// WriteRun appends one run to runs.parquet and its samples to
// series.parquet. Rows appear in the files in the order of the calls; the
// caller writes runs in a deterministic order (for example by cell, arm and
// run) so that output does not depend on scheduling.
//
// Every run of one cell must carry the same Params. A run that does not fit
// the layout is an error, which, like any error, aborts the writer.
func (w *Writer) WriteRun(r Run) error {
	if w.err != nil {
		return w.err
	}
	if err := w.checkRun(&r); err != nil {
		return w.fail(err)
	}
	arm := w.arm(r.Arm)

	row := w.runRow
	c := 0
	row[c] = parquet.Int32Value(int32(r.Cell)).Level(0, 0, c)
	c++
	row[c] = parquet.ByteArrayValue(arm).Level(0, 0, c)
	c++
	row[c] = parquet.Int32Value(int32(r.Run)).Level(0, 0, c)
	c++
	row[c] = parquet.Int64Value(int64(r.Seed)).Level(0, 0, c)
	c++
	for _, v := range r.Params {
		row[c] = parquet.DoubleValue(v).Level(0, 0, c)
		c++
	}
	for _, v := range r.Scalars {
		row[c] = parquet.DoubleValue(v).Level(0, 0, c)
		c++
	}
	if err := w.runs.write(w.runRow[:c:c]); err != nil {
		return w.fail(err)
	}
	if w.series == nil {
		return nil
	}

	cell := parquet.Int32Value(int32(r.Cell)).Level(0, 0, 0)
	armv := parquet.ByteArrayValue(arm).Level(0, 0, 1)
	run := parquet.Int32Value(int32(r.Run)).Level(0, 0, 2)
	for k0 := 0; k0 < len(r.Times); k0 += seriesBatch {
		n := min(seriesBatch, len(r.Times)-k0)
		for j := range n {
			k := k0 + j
			row := w.seriesRows[j]
			row[0] = cell
			row[1] = armv
			row[2] = run
			row[3] = parquet.Int32Value(int32(k)).Level(0, 0, 3)
			row[4] = parquet.DoubleValue(r.Times[k]).Level(0, 0, 4)
			for i, s := range r.Series {
				row[5+i] = parquet.DoubleValue(s[k]).Level(0, 0, 5+i)
			}
		}
		if err := w.series.write(w.seriesRows[:n]...); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

func (w *Writer) checkRun(r *Run) error {
	l := &w.layout
	switch {
	case r.Cell < 0 || r.Cell > math.MaxInt32:
		return fmt.Errorf("results: run cell %d out of range [0, 2³¹)", r.Cell)
	case r.Run < 0 || r.Run > math.MaxInt32:
		return fmt.Errorf("results: run index %d out of range [0, 2³¹)", r.Run)
	case !utf8.ValidString(r.Arm):
		return fmt.Errorf("results: arm name %q is not valid UTF-8", r.Arm)
	case len(r.Params) != len(l.Params):
		return fmt.Errorf("results: cell %d run %d has %d params, layout has %d", r.Cell, r.Run, len(r.Params), len(l.Params))
	case len(r.Scalars) != len(l.Scalars):
		return fmt.Errorf("results: cell %d run %d has %d scalars, layout has %d", r.Cell, r.Run, len(r.Scalars), len(l.Scalars))
	case len(l.Series) == 0 && (len(r.Times) > 0 || len(r.Series) > 0):
		return fmt.Errorf("results: cell %d run %d has samples, but the layout has no series", r.Cell, r.Run)
	case len(l.Series) > 0 && len(r.Series) != len(l.Series):
		return fmt.Errorf("results: cell %d run %d has %d series, layout has %d", r.Cell, r.Run, len(r.Series), len(l.Series))
	case len(r.Times) > math.MaxInt32:
		return fmt.Errorf("results: cell %d run %d has %d samples, at most 2³¹-1 allowed", r.Cell, r.Run, len(r.Times))
	}
	for i, s := range r.Series {
		if len(s) != len(r.Times) {
			return fmt.Errorf("results: cell %d run %d: series %q has %d samples, times has %d",
				r.Cell, r.Run, l.Series[i].Name, len(s), len(r.Times))
		}
	}
	if p, ok := w.cells[r.Cell]; ok {
		if !sameFloats(p, r.Params) {
			return fmt.Errorf("results: cell %d run %d: params %v differ from the cell's earlier params %v",
				r.Cell, r.Run, r.Params, p)
		}
	} else {
		for i, v := range r.Params {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("results: cell %d param %q is %v; sweep parameters must be finite", r.Cell, l.Params[i], v)
			}
		}
		w.cells[r.Cell] = slices.Clone(r.Params)
		w.cellOrder = append(w.cellOrder, r.Cell)
	}
	return nil
}

// sameFloats compares bit patterns, so that a NaN parameter equals itself.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func (w *Writer) arm(name string) []byte {
	if b, ok := w.arms[name]; ok {
		return b
	}
	b := []byte(name)
	w.arms[name] = b
	w.armOrder = append(w.armOrder, name)
	return b
}

// WriteFile adds an extra file, such as summary.json or report.html, to the
// directory. name is a plain file name (no directory), not one of the names
// this package writes, and may be written once.
func (w *Writer) WriteFile(name string, data []byte) error {
	if w.err != nil {
		return w.err
	}
	if err := w.checkExtraName(name); err != nil {
		return w.fail(err)
	}
	sum := sha256.Sum256(data)
	if err := writeFileSync(filepath.Join(w.tmp, name), data); err != nil {
		return w.fail(err)
	}
	w.extras = append(w.extras, FileInfo{
		Name:   name,
		Bytes:  int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]),
	})
	return nil
}

func (w *Writer) checkExtraName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("results: invalid file name %q", name)
	case filepath.Base(name) != name || strings.ContainsAny(name, `/\`):
		return fmt.Errorf("results: file name %q must not contain a directory", name)
	case name == ManifestFile || name == RunsFile || name == SeriesFile:
		return fmt.Errorf("results: file name %q is reserved", name)
	}
	for _, f := range w.extras {
		if f.Name == name {
			return fmt.Errorf("results: file %q written twice", name)
		}
	}
	return nil
}

// Finish completes the Parquet files, writes manifest.json, syncs everything
// to disk and renames the directory into place, replacing an existing one
// only as [Options] allow.
//
// Finish fills in what the writer knows and the caller does not, replacing
// any value given: FormatVersion, Params, Arms, Cells and Files. It also
// fills Started (the time of Create), Finished (now), WallSeconds (their
// difference) and GoVersion (runtime.Version()) when they are zero.
//
// An error before the rename leaves the destination as it was. The steps
// after it (syncing the parent directory, removing a replaced directory)
// can fail only with the new results already in place; the error says so.
func (w *Writer) Finish(m Manifest) error {
	if w.err != nil {
		return w.err
	}
	if err := w.finish(&m); err != nil {
		return w.fail(err)
	}
	w.err = errFinished
	return nil
}

func (w *Writer) finish(m *Manifest) error {
	files := make([]FileInfo, 0, 2+len(w.extras))
	for _, t := range []*table{w.runs, w.series} {
		if t == nil {
			continue
		}
		fi, err := t.close()
		if err != nil {
			return err
		}
		files = append(files, fi)
	}
	files = append(files, w.extras...)

	m.FormatVersion = FormatVersion
	m.Params = slices.Clone(w.layout.Params)
	if m.Params == nil {
		m.Params = []string{}
	}
	m.Arms = slices.Clone(w.armOrder)
	if m.Arms == nil {
		m.Arms = []string{}
	}
	sort.Ints(w.cellOrder)
	m.Cells = make([]Cell, len(w.cellOrder))
	for i, c := range w.cellOrder {
		m.Cells[i] = Cell{Cell: c, Params: w.cells[c]}
	}
	m.Files = files
	if m.Started.IsZero() {
		m.Started = w.started
	}
	if m.Finished.IsZero() {
		m.Finished = time.Now().UTC()
	}
	if m.WallSeconds == 0 {
		m.WallSeconds = m.Finished.Sub(m.Started).Seconds()
	}
	if m.GoVersion == "" {
		m.GoVersion = runtime.Version()
	}
	data, err := m.marshal()
	if err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(w.tmp, ManifestFile), data); err != nil {
		return err
	}
	if err := syncDir(w.tmp); err != nil {
		return err
	}
	hook(phaseComplete)
	if err := checkDest(w.dest, w.opt.Overwrite); err != nil {
		return err
	}
	return w.swap()
}

// Abort discards everything written: the temporary directory is removed and
// the destination is untouched. Abort after Finish or after an error does
// nothing and returns nil.
func (w *Writer) Abort() error {
	if w.err != nil {
		return nil
	}
	w.err = errAborted
	return w.cleanup()
}

// fail records err as the writer's sticky error, removes the temporary
// directory and returns err.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	if cerr := w.cleanup(); cerr != nil {
		return fmt.Errorf("%w (cleanup: %v)", err, cerr)
	}
	return err
}

func (w *Writer) cleanup() error {
	for _, t := range []*table{w.runs, w.series} {
		if t != nil {
			t.abandon()
		}
	}
	if w.keep {
		// The old results are in the staging directory and nothing is at
		// dest: unlock it, and the next writer (or Recover) restores them.
		w.stage.lock.Close()
		return nil
	}
	return w.stage.remove()
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("results: writing %s: %w", filepath.Base(path), err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("results: syncing %s: %w", dir, err)
	}
	return nil
}

// hashWriter counts and hashes what parquet-go writes to a file, so the
// manifest can give each file's size and SHA-256 without reading it back.
type hashWriter struct {
	f *os.File
	h hash.Hash
	n int64
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.f.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

// marshalIndent is json.MarshalIndent with a trailing newline.
func marshalIndent(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
