package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

var testLayout = Layout{
	Params: []string{"fee", "vol"},
	Scalars: []Column{
		{Name: "bad_debt", Unit: "USD", Description: "debt left after liquidations"},
		{Name: "peg_dev_max", Unit: "1", Description: "largest relative deviation from the peg"},
		{Name: "Gini", Unit: "1"},
	},
	Series: []Column{
		{Name: "price", Unit: "USD"},
		{Name: "tvl", Unit: "USD", Description: "total value locked"},
	},
}

// testRuns makes a deterministic set of runs over 3 cells and 2 arms. The
// sample counts vary, include 0 and one run longer than a series batch, and
// some values are NaN, ±Inf, −0 or subnormal.
func testRuns(l Layout, perCell int) []Run {
	var runs []Run
	seed := uint64(0)
	for cell := range 3 {
		params := []float64{0.003 * float64(cell+1), 0.5 + float64(cell)}[:len(l.Params)]
		for _, arm := range []string{"base", "collar"} {
			for run := range perCell {
				seed += 0x9E3779B97F4A7C15 // many seeds ≥ 2⁶³
				r := Run{Cell: cell, Arm: arm, Run: run, Seed: seed, Params: params}
				r.Scalars = make([]float64, len(l.Scalars))
				for j := range r.Scalars {
					r.Scalars[j] = float64(cell*1000+run*10+j) / 4
				}
				special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.MaxFloat64}
				if len(r.Scalars) > 1 {
					r.Scalars[1] = special[(cell+run)%len(special)]
				}
				if len(l.Series) > 0 {
					k := (run % 4) * 3
					if cell == 1 && arm == "collar" && run == 1 {
						k = seriesBatch*2 + 17
					}
					r.Times = make([]float64, k)
					r.Series = make([][]float64, len(l.Series))
					for i := range r.Series {
						r.Series[i] = make([]float64, k)
					}
					for t := range k {
						r.Times[t] = 12 * float64(t)
						for i := range r.Series {
							r.Series[i][t] = float64(t*(i+1)+run) / 8
						}
					}
					if k > 2 {
						r.Series[0][2] = math.NaN()
					}
				}
				runs = append(runs, r)
			}
		}
	}
	return runs
}

func testManifest() Manifest {
	return Manifest{
		ScenarioName:   "test",
		ScenarioFile:   "scenarios/test.yaml",
		ScenarioSHA256: strings.Repeat("ab", 32),
		Seed:           math.MaxUint64,
		Runs:           5,
		Workers:        2,
		CascadeVersion: "v0.0.0-test",
		GitCommit:      "0123456789abcdef",
		Timesteps:      1000,
		StepsPerRun:    100,
		StepSeconds:    12,
	}
}

func writeDir(t testing.TB, dest string, l Layout, opt Options, runs []Run, m Manifest) {
	t.Helper()
	w, err := Create(dest, l, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, r := range runs {
		if err := w.WriteRun(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(m); err != nil {
		t.Fatal(err)
	}
}

func readAllRows(t testing.TB, path string) (*parquet.Schema, []parquet.Row) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	var rows []parquet.Row
	buf := make([]parquet.Row, 100)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			rows = append(rows, row.Clone())
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return pf.Schema(), rows
}

func columnNames(s *parquet.Schema) []string {
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name())
	}
	return names
}

func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// entries lists a directory's names, to check that nothing is left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestRoundTrip writes runs over several row groups and reads both files back
// with parquet-go, comparing every value bit for bit, and checks the
// manifest's description of the files against the files themselves.
func TestRoundTrip(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out")
	runs := testRuns(testLayout, 7)
	writeDir(t, dest, testLayout, Options{RowGroupRows: 10}, runs, testManifest())

	// runs.parquet through ReadRuns.
	l, got, err := ReadRuns(dest)
	if err != nil {
		t.Fatal(err)
	}
	if !layoutEqual(l, testLayout) {
		t.Errorf("layout read back = %+v, want %+v", l, testLayout)
	}
	if len(got) != len(runs) {
		t.Fatalf("read %d runs, wrote %d", len(got), len(runs))
	}
	for i, want := range runs {
		g := got[i]
		if g.Cell != want.Cell || g.Arm != want.Arm || g.Run != want.Run || g.Seed != want.Seed {
			t.Fatalf("run %d keys = (%d %q %d %d), want (%d %q %d %d)", i, g.Cell, g.Arm, g.Run, g.Seed, want.Cell, want.Arm, want.Run, want.Seed)
		}
		if !sameFloats(g.Params, want.Params) || !sameFloats(g.Scalars, want.Scalars) {
			t.Fatalf("run %d values = %v %v, want %v %v", i, g.Params, g.Scalars, want.Params, want.Scalars)
		}
	}

	// runs.parquet schema: order, physical and logical types.
	schema, _ := readAllRows(t, filepath.Join(dest, RunsFile))
	wantNames := []string{"cell", "arm", "run", "seed", "fee", "vol", "bad_debt", "peg_dev_max", "Gini"}
	if names := columnNames(schema); !slices.Equal(names, wantNames) {
		t.Errorf("runs.parquet columns = %v, want %v", names, wantNames)
	}
	seed := schema.Fields()[3].Type()
	if lt := seed.LogicalType(); seed.Kind() != parquet.Int64 || lt.String() != "INT(64,false)" {
		t.Errorf("seed column type = %v %v, want INT64 annotated INT(64,false)", seed.Kind(), lt)
	}
	if lt := schema.Fields()[1].Type().LogicalType(); lt.String() != "STRING" {
		t.Errorf("arm column logical type = %v, want STRING", lt)
	}

	// series.parquet, row by row.
	schema, rows := readAllRows(t, filepath.Join(dest, SeriesFile))
	wantNames = []string{"cell", "arm", "run", "sample", "time_s", "price", "tvl"}
	if names := columnNames(schema); !slices.Equal(names, wantNames) {
		t.Errorf("series.parquet columns = %v, want %v", names, wantNames)
	}
	n := 0
	for _, r := range runs {
		for k := range r.Times {
			if n >= len(rows) {
				t.Fatalf("series.parquet has %d rows, want more", len(rows))
			}
			row := rows[n]
			n++
			ok := row[0].Int32() == int32(r.Cell) && string(row[1].ByteArray()) == r.Arm &&
				row[2].Int32() == int32(r.Run) && row[3].Int32() == int32(k) && sameBits(row[4].Double(), r.Times[k])
			for i := range r.Series {
				ok = ok && sameBits(row[5+i].Double(), r.Series[i][k])
			}
			if !ok {
				t.Fatalf("series row %d = %v, want run (%d %q %d) sample %d", n-1, row, r.Cell, r.Arm, r.Run, k)
			}
		}
	}
	if n != len(rows) {
		t.Fatalf("series.parquet has %d rows, want %d", len(rows), n)
	}

	// The manifest describes the files as they are.
	m, err := ReadManifest(dest)
	if err != nil {
		t.Fatal(err)
	}
	wantRows := map[string]int64{RunsFile: int64(len(runs)), SeriesFile: int64(n)}
	if len(m.Files) != 2 {
		t.Fatalf("manifest lists %d files, want 2", len(m.Files))
	}
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(dest, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if f.Rows == nil || *f.Rows != wantRows[f.Name] || f.Bytes != int64(len(data)) || f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("manifest entry %+v does not describe %s (%d rows, %d bytes)", f, f.Name, wantRows[f.Name], len(data))
		}
	}
	if !slices.Equal(m.Arms, []string{"base", "collar"}) {
		t.Errorf("manifest arms = %q", m.Arms)
	}
	if !slices.Equal(m.Params, testLayout.Params) || len(m.Cells) != 3 || m.Cells[2].Cell != 2 || !slices.Equal(m.Cells[2].Params, runs[len(runs)-1].Params) {
		t.Errorf("manifest params %v cells %v", m.Params, m.Cells)
	}
	if m.Seed != math.MaxUint64 || m.FormatVersion != FormatVersion || m.GoVersion == "" || m.Started.IsZero() || m.Finished.Before(m.Started) {
		t.Errorf("manifest = %+v", m)
	}
	if got := entries(t, filepath.Dir(dest)); !slices.Equal(got, []string{"out"}) {
		t.Errorf("parent holds %q, want only the results directory", got)
	}
}

func layoutEqual(a, b Layout) bool {
	return slices.Equal(a.Params, b.Params) && slices.Equal(a.Scalars, b.Scalars) && slices.Equal(a.Series, b.Series)
}

// TestManifestJSON checks the wire form of fields that JSON readers could
// mangle: the seed is a decimal string, times are RFC 3339.
func TestManifestJSON(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out")
	m := testManifest()
	m.Started = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m.Finished = m.Started.Add(90 * time.Second)
	writeDir(t, dest, testLayout, Options{}, testRuns(testLayout, 1), m)
	data, err := os.ReadFile(filepath.Join(dest, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"seed":         "18446744073709551615",
		"started":      "2026-01-02T03:04:05Z",
		"finished":     "2026-01-02T03:05:35Z",
		"wall_seconds": 90.0,
		"runs":         5.0,
	}
	for k, v := range want {
		if raw[k] != v {
			t.Errorf("manifest %q = %#v, want %#v", k, raw[k], v)
		}
	}
}

// TestAtomicity checks that a directory appears only at Finish, and that an
// abort or any error leaves neither the destination nor a temporary
// directory behind, after which the writer refuses further use.
func TestAtomicity(t *testing.T) {
	good := testRuns(testLayout, 3)
	bad := good[4]
	bad.Scalars = bad.Scalars[:1]
	nanStep := testManifest()
	nanStep.StepSeconds = math.NaN()

	tests := []struct {
		name string
		do   func(w *Writer) error // returns the error that ends the writer, nil for Abort
	}{
		{"abort before any run", func(w *Writer) error { return w.Abort() }},
		{"abort mid-write", func(w *Writer) error {
			for _, r := range good[:5] {
				if err := w.WriteRun(r); err != nil {
					return err
				}
			}
			return w.Abort()
		}},
		{"abort after extra file", func(w *Writer) error {
			if err := w.WriteFile("summary.json", []byte("{}")); err != nil {
				return err
			}
			return w.Abort()
		}},
		{"bad run mid-write", func(w *Writer) error {
			for _, r := range append(good[:4:4], bad) {
				if err := w.WriteRun(r); err != nil {
					return err
				}
			}
			return nil
		}},
		{"bad extra file name", func(w *Writer) error { return w.WriteFile("../escape", nil) }},
		{"unencodable manifest", func(w *Writer) error {
			for _, r := range good {
				if err := w.WriteRun(r); err != nil {
					return err
				}
			}
			return w.Finish(nanStep)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dest := filepath.Join(parent, "out")
			w, err := Create(dest, testLayout, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries(t, parent)) != 1 {
				t.Fatalf("Create made %q, want one temporary directory", entries(t, parent))
			}
			if err := w.WriteRun(good[0]); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("destination exists before Finish: %v", err)
			}
			end := tt.do(w)
			if tt.name[:5] != "abort" && end == nil {
				t.Fatal("no error")
			}
			if got := entries(t, parent); len(got) != 0 {
				t.Fatalf("left behind %q", got)
			}
			if err := w.WriteRun(good[1]); err == nil {
				t.Error("WriteRun after the end succeeded")
			}
			if err := w.Finish(testManifest()); err == nil {
				t.Error("Finish after the end succeeded")
			}
			if err := w.Abort(); err != nil {
				t.Errorf("second Abort = %v", err)
			}
			if got := entries(t, parent); len(got) != 0 {
				t.Fatalf("left behind %q", got)
			}
		})
	}
}

// TestOverwrite checks when an existing destination is refused and when it
// is replaced, and that refusing leaves it untouched.
func TestOverwrite(t *testing.T) {
	noSeries := Layout{Scalars: testLayout.Scalars}
	tests := []struct {
		name      string
		setup     func(t *testing.T, dest string)
		overwrite bool
		wantErr   string // "" for success
	}{
		{"absent", func(*testing.T, string) {}, false, ""},
		{"absent, overwrite", func(*testing.T, string) {}, true, ""},
		{"results dir", writeOld, false, "already exists"},
		{"results dir, overwrite", writeOld, true, ""},
		{"empty dir", mkdir, false, "already exists"},
		{"empty dir, overwrite", mkdir, true, ""},
		{"other dir, overwrite", func(t *testing.T, dest string) {
			mkdir(t, dest)
			writeFile(t, filepath.Join(dest, "thesis.tex"), "precious")
		}, true, "not a Cascade results directory (no manifest.json)"},
		{"manifest is a directory, overwrite", func(t *testing.T, dest string) {
			mkdir(t, filepath.Join(dest, ManifestFile))
		}, true, "not a Cascade results directory (manifest.json is not a regular file)"},
		{"someone else's manifest.json, overwrite", func(t *testing.T, dest string) {
			mkdir(t, dest)
			writeFile(t, filepath.Join(dest, ManifestFile), `{"name": "my web app", "files": []}`)
			writeFile(t, filepath.Join(dest, "index.html"), "precious")
		}, true, "manifest.json is not Cascade's: no format_version"},
		{"results dir with a file added, overwrite", func(t *testing.T, dest string) {
			writeOld(t, dest)
			writeFile(t, filepath.Join(dest, "notes.txt"), "precious")
		}, true, "holds notes.txt, which Cascade did not write"},
		{"results dir with a directory added, overwrite", func(t *testing.T, dest string) {
			writeOld(t, dest)
			mkdir(t, filepath.Join(dest, "analysis"))
		}, true, "holds analysis, which Cascade did not write"},
		{"results dir with a file added to the report's charts, overwrite", func(t *testing.T, dest string) {
			writeOld(t, dest)
			writeFile(t, filepath.Join(dest, "report_files", "fan.svg"), "<svg/>")
			writeFile(t, filepath.Join(dest, "report_files", "notes.txt"), "precious")
		}, true, "holds report_files, which Cascade did not write"},
		{"results dir with reports, overwrite", func(t *testing.T, dest string) {
			writeOld(t, dest)
			writeFile(t, filepath.Join(dest, "report.html"), "<html>")
			writeFile(t, filepath.Join(dest, "report.md"), "# report")
			writeFile(t, filepath.Join(dest, "report_files", "fan.svg"), "<svg/>")
		}, true, ""},
		{"regular file, overwrite", func(t *testing.T, dest string) { writeFile(t, dest, "precious") }, true, "not a directory"},
		{"symlink, overwrite", func(t *testing.T, dest string) {
			writeOld(t, dest+"-target")
			if err := os.Symlink(dest+"-target", dest); err != nil {
				t.Fatal(err)
			}
		}, true, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dest := filepath.Join(parent, "out")
			tt.setup(t, dest)
			before := snapshot(t, parent)
			w, err := Create(dest, noSeries, Options{Overwrite: tt.overwrite})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Create error = %v, want one containing %q", err, tt.wantErr)
				}
				if after := snapshot(t, parent); after != before {
					t.Fatalf("refused Create changed the parent:\n%s\nwant\n%s", after, before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteRun(Run{Scalars: []float64{1, 2, 3}}); err != nil {
				t.Fatal(err)
			}
			if err := w.Finish(Manifest{ScenarioName: "new"}); err != nil {
				t.Fatal(err)
			}
			if got := entries(t, parent); !slices.Contains(got, "out") || len(got) != len(entries(t, parent)) {
				t.Fatalf("parent holds %q", got)
			}
			m, err := ReadManifest(dest)
			if err != nil || m.ScenarioName != "new" {
				t.Fatalf("manifest = %+v, %v; want the new one", m, err)
			}
			if got := entries(t, dest); !slices.Equal(got, []string{ManifestFile, RunsFile}) {
				t.Fatalf("destination holds %q, want only the new files", got)
			}
			for _, e := range entries(t, parent) {
				if strings.HasPrefix(e, ".") {
					t.Fatalf("left behind %q", e)
				}
			}
		})
	}

	t.Run("destination appears before Finish", func(t *testing.T) {
		parent := t.TempDir()
		dest := filepath.Join(parent, "out")
		w, err := Create(dest, noSeries, Options{})
		if err != nil {
			t.Fatal(err)
		}
		writeOld(t, dest)
		before := snapshot(t, dest)
		if err := w.Finish(Manifest{}); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("Finish error = %v, want 'already exists'", err)
		}
		if after := snapshot(t, dest); after != before {
			t.Fatalf("failed Finish changed the destination:\n%s\nwant\n%s", after, before)
		}
		if got := entries(t, parent); !slices.Equal(got, []string{"out"}) {
			t.Fatalf("parent holds %q, want the other directory only", got)
		}
	})
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeOld writes a results directory with series, which its replacement
// lacks, so a stale file would show.
func writeOld(t *testing.T, dest string) {
	t.Helper()
	writeDir(t, dest, testLayout, Options{}, testRuns(testLayout, 1), Manifest{ScenarioName: "old"})
}

// snapshot describes every file and directory under dir with its content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b.WriteString(rel)
		if d.Type().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			b.WriteString(" " + hex.EncodeToString(sum[:8]))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDeterministic writes the same runs twice, at different times, and
// requires byte-identical Parquet files and manifests that differ only in
// their timings.
func TestDeterministic(t *testing.T) {
	runs := testRuns(testLayout, 9)
	var dirs [2]string
	for i := range dirs {
		dirs[i] = filepath.Join(t.TempDir(), "out")
		m := testManifest()
		m.Started = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)
		m.Finished = m.Started.Add(time.Duration(i+1) * time.Second)
		writeDir(t, dirs[i], testLayout, Options{RowGroupRows: 16}, runs, m)
	}
	for _, name := range []string{RunsFile, SeriesFile} {
		a, errA := os.ReadFile(filepath.Join(dirs[0], name))
		b, errB := os.ReadFile(filepath.Join(dirs[1], name))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between identical writes (%d and %d bytes)", name, len(a), len(b))
		}
	}
	var ms [2]Manifest
	for i := range ms {
		m, err := ReadManifest(dirs[i])
		if err != nil {
			t.Fatal(err)
		}
		m.Started, m.Finished, m.WallSeconds = time.Time{}, time.Time{}, 0
		ms[i] = m
	}
	a, _ := json.Marshal(ms[0])
	b, _ := json.Marshal(ms[1])
	if !bytes.Equal(a, b) {
		t.Errorf("manifests differ beyond timings:\n%s\n%s", a, b)
	}
}

// TestNoSeries checks the documented choice for a layout without series: no
// series.parquet, and runs that carry samples are refused.
func TestNoSeries(t *testing.T) {
	l := Layout{Scalars: testLayout.Scalars}
	dest := filepath.Join(t.TempDir(), "out")
	writeDir(t, dest, l, Options{}, testRuns(l, 2), Manifest{})
	if got := entries(t, dest); !slices.Equal(got, []string{ManifestFile, RunsFile}) {
		t.Errorf("directory holds %q, want manifest and runs only", got)
	}
	m, err := ReadManifest(dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].Name != RunsFile {
		t.Errorf("manifest files = %+v", m.Files)
	}
	got, runs, err := ReadRuns(dest)
	if err != nil || len(runs) != 12 || len(got.Series) != 0 || len(got.Params) != 0 {
		t.Errorf("ReadRuns = %+v, %d runs, %v", got, len(runs), err)
	}

	w, err := Create(filepath.Join(t.TempDir(), "out"), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRun(Run{Scalars: []float64{1, 2, 3}, Times: []float64{0}}); err == nil {
		t.Error("a run with samples was accepted by a layout without series")
	}
}

func TestLayoutValidation(t *testing.T) {
	tests := []struct {
		name    string
		layout  Layout
		wantErr string
	}{
		{"empty layout", Layout{}, ""},
		{"ok", testLayout, ""},
		{"empty name", Layout{Scalars: []Column{{Name: ""}}}, "empty"},
		{"leading digit", Layout{Scalars: []Column{{Name: "1x"}}}, "want a name"},
		{"space", Layout{Series: []Column{{Name: "bad debt"}}}, "want a name"},
		{"comma", Layout{Params: []string{"a,b"}}, "want a name"},
		{"quote", Layout{Params: []string{`a"`}}, "want a name"},
		{"non-ASCII", Layout{Params: []string{"σ"}}, "want a name"},
		{"too long", Layout{Params: []string{strings.Repeat("x", maxNameLen+1)}}, "longer"},
		{"reserved", Layout{Scalars: []Column{{Name: "seed"}}}, "key column"},
		{"reserved, other case", Layout{Series: []Column{{Name: "Time_S"}}}, "key column"},
		{"duplicate across kinds", Layout{Params: []string{"fee"}, Scalars: []Column{{Name: "FEE"}}}, `param "fee"`},
		{"duplicate series", Layout{Series: []Column{{Name: "p"}, {Name: "p"}}}, `series "p"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			w, err := Create(filepath.Join(parent, "out"), tt.layout, Options{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				w.Abort()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if got := entries(t, parent); len(got) != 0 {
				t.Fatalf("left behind %q", got)
			}
		})
	}
}

func TestRunValidation(t *testing.T) {
	ok := testRuns(testLayout, 2)[1] // a run with samples
	tests := []struct {
		name    string
		edit    func(r *Run)
		wantErr string
	}{
		{"negative cell", func(r *Run) { r.Cell = -1 }, "cell -1"},
		{"cell too large", func(r *Run) { r.Cell = math.MaxInt32 + 1 }, "out of range"},
		{"negative run", func(r *Run) { r.Run = -1 }, "run index -1"},
		{"bad UTF-8 arm", func(r *Run) { r.Arm = "\xff" }, "UTF-8"},
		{"missing param", func(r *Run) { r.Params = r.Params[:1] }, "1 params"},
		{"NaN param in a new cell", func(r *Run) { r.Cell, r.Params = 5, []float64{math.NaN(), 1} }, "finite"},
		{"Inf param in a new cell", func(r *Run) { r.Cell, r.Params = 5, []float64{1, math.Inf(-1)} }, "finite"},
		{"extra scalar", func(r *Run) { r.Scalars = append(r.Scalars, 0) }, "4 scalars"},
		{"missing series", func(r *Run) { r.Series = r.Series[:1] }, "1 series"},
		{"short series", func(r *Run) { r.Series = [][]float64{r.Series[0], r.Series[1][:1]} }, `"tvl" has 1 samples`},
		{"params differ within a cell", func(r *Run) { r.Params = []float64{9, 9} }, "differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Create(filepath.Join(t.TempDir(), "out"), testLayout, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			if err := w.WriteRun(ok); err != nil {
				t.Fatal(err)
			}
			r := ok
			tt.edit(&r)
			if err := w.WriteRun(r); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestWriteFile checks that extra files land in the directory, are listed in
// the manifest after the Parquet files, and that reserved, nested and
// repeated names are refused.
func TestWriteFile(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out")
	w, err := Create(dest, testLayout, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile("summary.json", []byte(`{"ok":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile("report.html", []byte("<html></html>")); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(Manifest{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dest, "summary.json"))
	if err != nil || string(data) != `{"ok":true}` {
		t.Fatalf("summary.json = %q, %v", data, err)
	}
	m, err := ReadManifest(dest)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	if want := []string{RunsFile, SeriesFile, "summary.json", "report.html"}; !slices.Equal(names, want) {
		t.Errorf("manifest files = %q, want %q", names, want)
	}
	if f, _ := m.File("report.html"); f.Bytes != 13 || f.Rows != nil || f.SHA256 == "" {
		t.Errorf("report.html entry = %+v", f)
	}

	for _, name := range []string{"", ".", "..", "a/b", "/abs", `a\b`, ManifestFile, RunsFile, SeriesFile, "twice"} {
		w, err := Create(filepath.Join(t.TempDir(), "out"), testLayout, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if name == "twice" {
			if err := w.WriteFile(name, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.WriteFile(name, nil); err == nil {
			t.Errorf("WriteFile(%q) succeeded", name)
		}
		w.Abort()
	}
}

func TestReadManifestErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadManifest(dir); err == nil {
		t.Error("missing manifest: no error")
	}
	for _, content := range []string{"{", `{"runs": 1}`, `{"format_version": 99}`} {
		writeFile(t, filepath.Join(dir, ManifestFile), content)
		if _, err := ReadManifest(dir); err == nil {
			t.Errorf("manifest %s: no error", content)
		}
	}
}

// TestReadRunsCorrupt checks that a damaged runs.parquet is an error, not a
// panic.
func TestReadRunsCorrupt(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out")
	writeDir(t, dest, testLayout, Options{}, testRuns(testLayout, 3), Manifest{})
	path := filepath.Join(dest, RunsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range []func([]byte) []byte{
		func(b []byte) []byte { return b[:len(b)/2] },
		func(b []byte) []byte { return nil },
		func(b []byte) []byte {
			b = slices.Clone(b)
			for i := 4; i < len(b)-8; i += 7 {
				b[i] ^= 0x5a
			}
			return b
		},
	} {
		writeFile(t, path, string(edit(data)))
		if _, _, err := ReadRuns(dest); err == nil {
			t.Error("corrupt runs.parquet read without error")
		}
	}
}
