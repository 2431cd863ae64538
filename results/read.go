package results

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
)

// ReadRuns reads the manifest and runs.parquet of the results directory dir.
// It returns the layout recorded in the manifest and every run in file
// order, with Params and Scalars filled and Times and Series empty.
//
// ReadRuns loads the whole file into memory: it is meant for reports and
// tests over up to a few million runs. Tools that need less memory read the
// Parquet file directly.
func ReadRuns(dir string) (Layout, []Run, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return Layout{}, nil, err
	}
	layout, err := m.Layout()
	if err != nil {
		return Layout{}, nil, err
	}
	runs, err := readRuns(filepath.Join(dir, RunsFile), layout)
	if err != nil {
		return Layout{}, nil, err
	}
	return layout, runs, nil
}

func readRuns(path string, l Layout) (runs []Run, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	// parquet-go may panic on a corrupt file rather than return an error;
	// a damaged results file must not crash a report.
	defer func() {
		if p := recover(); p != nil {
			runs, err = nil, fmt.Errorf("results: reading %s: corrupt file: %v", path, p)
		}
	}()
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("results: reading %s: %w", path, err)
	}
	want := l.runsColumns()
	if err := checkSchema(pf.Schema(), want); err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}

	nrows := pf.NumRows()
	runs = make([]Run, 0, nrows)
	// One backing array for all parameter and scalar values keeps the
	// result to a few large allocations.
	np, ns := len(l.Params), len(l.Scalars)
	vals := make([]float64, 0, nrows*int64(np+ns))

	r := parquet.NewReader(pf)
	defer r.Close()
	buf := make([]parquet.Row, 256)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			if len(row) != len(want) {
				return nil, fmt.Errorf("results: %s: row has %d values, want %d", path, len(row), len(want))
			}
			run := Run{
				Cell: int(row[0].Int32()),
				Arm:  string(row[1].ByteArray()),
				Run:  int(row[2].Int32()),
				Seed: row[3].Uint64(),
			}
			start := len(vals)
			for _, v := range row[4:] {
				vals = append(vals, v.Double())
			}
			run.Params = vals[start : start+np : start+np]
			run.Scalars = vals[start+np : start+np+ns : start+np+ns]
			runs = append(runs, run)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("results: reading %s: %w", path, err)
		}
	}
	if int64(len(runs)) != nrows {
		return nil, fmt.Errorf("results: %s: read %d rows, footer says %d", path, len(runs), nrows)
	}
	return runs, nil
}

// checkSchema reports whether s has exactly the columns want, in order,
// with the physical types this package writes.
func checkSchema(s *parquet.Schema, want []ColumnInfo) error {
	fields := s.Fields()
	if len(fields) != len(want) {
		return fmt.Errorf("has %d columns, manifest describes %d", len(fields), len(want))
	}
	for i, f := range fields {
		c := want[i]
		if f.Name() != c.Name {
			return fmt.Errorf("column %d is %q, manifest says %q", i, f.Name(), c.Name)
		}
		if !f.Leaf() || !f.Required() {
			return fmt.Errorf("column %q is not a required leaf column", c.Name)
		}
		var kind parquet.Kind
		switch c.Type {
		case TypeInt32:
			kind = parquet.Int32
		case TypeUint64:
			kind = parquet.Int64
		case TypeString:
			kind = parquet.ByteArray
		case TypeDouble:
			kind = parquet.Double
		default:
			return fmt.Errorf("manifest gives column %q the unknown type %q", c.Name, c.Type)
		}
		if got := f.Type().Kind(); got != kind {
			return fmt.Errorf("column %q has type %v, want %v", c.Name, got, kind)
		}
	}
	return nil
}
