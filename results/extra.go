package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/parquet-go/parquet-go"
)

// Table is an extra Parquet file built in memory, such as a trace's
// per-step state, with the conventions of runs.parquet: INT32, UINT64,
// STRING (dictionary-encoded) and DOUBLE columns, zstd, version 1 data
// pages, no nulls. Add it to a results directory with [Writer.WriteTable],
// which lists its rows and columns in the manifest.
type Table struct {
	name, desc string
	cols       []ColumnInfo
	buf        bytes.Buffer
	pw         *parquet.Writer
	row        parquet.Row
	rows       int64
	err        error
}

// NewTable starts a Parquet file named name (a plain file name ending in
// .parquet) of the given columns, in order. Column names follow the rules
// of [Column] and are unique.
func NewTable(name, description string, cols []ColumnInfo) (*Table, error) {
	seen := map[string]bool{}
	for _, c := range cols {
		if err := checkName(c.Name); err != nil {
			return nil, fmt.Errorf("results: table %s column %q: %w", name, c.Name, err)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("results: table %s has two columns %q", name, c.Name)
		}
		seen[c.Name] = true
		switch c.Type {
		case TypeInt32, TypeUint64, TypeString, TypeDouble:
		default:
			return nil, fmt.Errorf("results: table %s column %q has unknown type %q", name, c.Name, c.Type)
		}
	}
	codec, err := newZstdCodec()
	if err != nil {
		return nil, err
	}
	t := &Table{name: name, desc: description, cols: append([]ColumnInfo(nil), cols...), row: make(parquet.Row, len(cols))}
	t.pw = parquet.NewWriter(&t.buf, schemaOf(cols), parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(int64(max(minGroupRows, defaultGroupSize/(8*max(1, len(cols)))))),
		parquet.DataPageVersion(1))
	return t, nil
}

// Add appends one row: one value per column, an int for INT32 (within
// int32), a uint64 for UINT64, a string for STRING, a float64 for DOUBLE.
func (t *Table) Add(vals ...any) error {
	if t.err != nil {
		return t.err
	}
	if len(vals) != len(t.cols) {
		t.err = fmt.Errorf("results: table %s row has %d values, want %d", t.name, len(vals), len(t.cols))
		return t.err
	}
	for c, v := range vals {
		var pv parquet.Value
		ok := false
		switch t.cols[c].Type {
		case TypeInt32:
			if x, is := v.(int); is && x >= math.MinInt32 && x <= math.MaxInt32 {
				pv, ok = parquet.Int32Value(int32(x)), true
			}
		case TypeUint64:
			if x, is := v.(uint64); is {
				pv, ok = parquet.Int64Value(int64(x)), true
			}
		case TypeString:
			if x, is := v.(string); is {
				pv, ok = parquet.ByteArrayValue([]byte(x)), true
			}
		case TypeDouble:
			if x, is := v.(float64); is {
				pv, ok = parquet.DoubleValue(x), true
			}
		}
		if !ok {
			t.err = fmt.Errorf("results: table %s column %q (%s) cannot hold %T %v", t.name, t.cols[c].Name, t.cols[c].Type, v, v)
			return t.err
		}
		t.row[c] = pv.Level(0, 0, c)
	}
	if _, err := t.pw.WriteRows([]parquet.Row{t.row}); err != nil {
		t.err = fmt.Errorf("results: table %s: %w", t.name, err)
		return t.err
	}
	t.rows++
	return nil
}

// Rows returns the number of rows added.
func (t *Table) Rows() int64 { return t.rows }

// WriteTable completes t and adds it to the directory as an extra file,
// listed in the manifest with its rows and columns.
func (w *Writer) WriteTable(t *Table) error {
	if w.err != nil {
		return w.err
	}
	if t.err != nil {
		return w.fail(t.err)
	}
	if err := t.pw.Close(); err != nil {
		return w.fail(fmt.Errorf("results: table %s: %w", t.name, err))
	}
	t.err = errFinished
	if err := w.WriteFile(t.name, t.buf.Bytes()); err != nil {
		return err
	}
	fi := &w.extras[len(w.extras)-1]
	sum := sha256.Sum256(t.buf.Bytes())
	rows := t.rows
	fi.Description, fi.Rows, fi.Columns, fi.SHA256 = t.desc, &rows, t.cols, hex.EncodeToString(sum[:])
	return nil
}
