package results

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
)

// Scan reads the runs of the results directory dir in file order and calls
// fn with each, its samples attached (Times and Series from series.parquet),
// holding one run in memory at a time. The Run and its slices are reused
// between calls. Scan checks both files against the manifest's columns and
// that series rows come in the runs' order.
func Scan(dir string, fn func(*Run) error) (err error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	l, err := m.Layout()
	if err != nil {
		return err
	}
	runs, err := openRows(filepath.Join(dir, RunsFile), l.runsColumns())
	if err != nil {
		return err
	}
	defer runs.close()
	var series *rowStream
	if len(l.Series) > 0 {
		if series, err = openRows(filepath.Join(dir, SeriesFile), l.seriesColumns()); err != nil {
			return err
		}
		defer series.close()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("results: reading %s: corrupt file: %v", dir, p)
		}
	}()
	np, ns := len(l.Params), len(l.Scalars)
	r := Run{Params: make([]float64, np), Scalars: make([]float64, ns)}
	if len(l.Series) > 0 {
		r.Series = make([][]float64, len(l.Series))
	}
	for {
		row, err := runs.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		r.Cell, r.Arm, r.Run, r.Seed = int(row[0].Int32()), string(row[1].ByteArray()), int(row[2].Int32()), row[3].Uint64()
		for k := range np {
			r.Params[k] = row[4+k].Double()
		}
		for k := range ns {
			r.Scalars[k] = row[4+np+k].Double()
		}
		r.Times = r.Times[:0]
		for k := range r.Series {
			r.Series[k] = r.Series[k][:0]
		}
		for series != nil {
			row, err := series.peek()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if int(row[0].Int32()) != r.Cell || string(row[1].ByteArray()) != r.Arm || int(row[2].Int32()) != r.Run {
				break
			}
			if int(row[3].Int32()) != len(r.Times) {
				return fmt.Errorf("results: %s: cell %d arm %q run %d: sample %d out of order", series.path, r.Cell, r.Arm, r.Run, row[3].Int32())
			}
			r.Times = append(r.Times, row[4].Double())
			for k := range r.Series {
				r.Series[k] = append(r.Series[k], row[5+k].Double())
			}
			series.pos++
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if series != nil {
		if _, err := series.peek(); !errors.Is(err, io.EOF) {
			return fmt.Errorf("results: %s has samples of runs that %s does not list, or out of order", series.path, RunsFile)
		}
	}
	return nil
}

// rowStream reads the rows of one Parquet file a batch at a time.
type rowStream struct {
	path string
	f    *os.File
	r    *parquet.Reader
	buf  []parquet.Row
	n    int
	pos  int
	err  error
}

func openRows(path string, want []ColumnInfo) (*rowStream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("results: %w", err)
	}
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("results: reading %s: %w", path, err)
	}
	if err := checkSchema(pf.Schema(), want); err != nil {
		f.Close()
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	return &rowStream{path: path, f: f, r: parquet.NewReader(pf), buf: make([]parquet.Row, 256)}, nil
}

// peek returns the current row without consuming it; advance with pos++.
func (s *rowStream) peek() (parquet.Row, error) {
	if s.pos < s.n {
		return s.buf[s.pos], nil
	}
	if s.err != nil {
		return nil, s.err
	}
	n, err := s.r.ReadRows(s.buf)
	s.n, s.pos = n, 0
	if err != nil {
		if errors.Is(err, io.EOF) {
			s.err = io.EOF
		} else {
			s.err = fmt.Errorf("results: reading %s: %w", s.path, err)
		}
	}
	if n > 0 {
		return s.buf[0], nil
	}
	return nil, s.err
}

func (s *rowStream) next() (parquet.Row, error) {
	row, err := s.peek()
	if err == nil {
		s.pos++
	}
	return row, err
}

func (s *rowStream) close() {
	s.r.Close()
	s.f.Close()
}
