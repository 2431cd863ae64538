// Package history loads recorded time series — prices, gas, rates — from CSV
// files, so that simulations can replay them or bootstrap from them.
//
// Loading is strict: every data row must have a valid, strictly increasing
// timestamp and a finite number in every requested column. A row that does
// not is an error naming the file, the line and the column; no row is ever
// skipped silently. Only comment lines (when Options.Comment is set) and
// blank lines, which hold no row, are passed over.
package history

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Timestamp formats understood by Options.TimeFormat besides Go layouts.
const (
	// FormatRFC3339 is RFC 3339 with optional fractional seconds, as in
	// "2019-01-01T00:00:00Z". It is the default.
	FormatRFC3339 = "rfc3339"
	// FormatUnix is an integer count of seconds since 1970-01-01T00:00:00Z.
	FormatUnix = "unix"
	// FormatUnixMilli is an integer count of milliseconds since
	// 1970-01-01T00:00:00Z.
	FormatUnixMilli = "unixms"
)

// DefaultMinRows is the number of data rows Load requires when
// Options.MinRows is zero: two rows are the fewest that hold one return.
const DefaultMinRows = 2

// Options says which columns Load reads and how it parses them.
type Options struct {
	// TimeColumn is the header name of the timestamp column. It is required.
	TimeColumn string
	// TimeFormat is FormatRFC3339 (the default when empty), FormatUnix,
	// FormatUnixMilli, or a layout for time.Parse such as
	// "2006-01-02 15:04". Timestamps without a zone are taken as UTC.
	TimeFormat string
	// Columns are the header names of the value columns to load, in the
	// order wanted in Series.Values. Empty means every column except
	// TimeColumn, in file order.
	Columns []string
	// Comment, if not zero, marks lines that begin with it as comments.
	// It cannot be '"', '\r', '\n' or the comma.
	Comment rune
	// MinRows is the fewest data rows accepted; zero means DefaultMinRows.
	MinRows int
	// Prices requires every value to be a price: from MinPrice to
	// MaxPrice. Zero, negative, subnormal and absurdly large values are
	// errors at their line rather than a simulation that divides by them.
	Prices bool
}

// The range of values accepted as prices (Options.Prices), in the
// numeraire per token: far beyond any traded asset, and far from float64's
// limits so that products of prices and amounts stay finite.
const (
	MinPrice = 1e-18
	MaxPrice = 1e18
)

// MaxFileSize is the largest CSV file Load reads, in bytes.
const MaxFileSize = 256 << 20

// Series is a time series with one timestamp per row and one or more value
// columns. Values[j][i] is the value of column Names[j] at Times[i].
type Series struct {
	// Times are the row timestamps in UTC, strictly increasing.
	Times []time.Time
	// Names are the value column names, one per element of Values.
	Names []string
	// Values holds one slice per column, each len(Times) long.
	Values [][]float64
	// Lines are the file lines the rows came from (Load sets them; nil
	// for series built otherwise).
	Lines []int
}

// Len returns the number of rows.
func (s *Series) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Times)
}

// Column returns the values of the column with the given name, and whether
// there is one. The slice is shared with s, not copied.
func (s *Series) Column(name string) ([]float64, bool) {
	if s == nil {
		return nil, false
	}
	i := slices.Index(s.Names, name)
	if i < 0 || i >= len(s.Values) {
		return nil, false
	}
	return s.Values[i], true
}

// Error describes a problem with a CSV file: where it is and what is wrong.
// Line counts from 1 and is 0 when the problem is not on a particular line;
// Column is the header name concerned, or empty.
type Error struct {
	File   string // path of the file, as given to Load
	Line   int    // 1-based line number, or 0
	Column string // header name of the column, or ""
	Msg    string // what is wrong, and what was expected
}

// Error formats e as "file:line: column "name": msg", leaving out the line
// and column parts when they are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Column != "" {
		b.WriteString("column ")
		b.WriteString(strconv.Quote(e.Column))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads the CSV file at path: a header row naming the columns, then one
// row per observation. It returns the timestamps and the requested value
// columns, or an *Error naming the file and line of the first problem (an
// I/O failure opening the file is returned as is).
func Load(path string, opt Options) (*Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch m := st.Mode(); {
	case m.IsDir():
		return nil, &Error{File: path, Msg: "is a directory, not a CSV file"}
	case !m.IsRegular() && m&os.ModeNamedPipe == 0:
		return nil, &Error{File: path, Msg: "is a device or socket, not a CSV file"}
	case st.Size() > MaxFileSize:
		return nil, &Error{File: path, Msg: fmt.Sprintf("has %d bytes; at most %d (%d MiB) are read", st.Size(), MaxFileSize, MaxFileSize>>20)}
	}
	return parse(io.LimitReader(f, MaxFileSize), path, opt)
}

// timeParser turns one timestamp field into a time.
type timeParser func(string) (time.Time, error)

func newTimeParser(format string) timeParser {
	switch format {
	case "", FormatRFC3339:
		return func(v string) (time.Time, error) {
			return time.Parse(time.RFC3339Nano, v)
		}
	case FormatUnix, FormatUnixMilli:
		milli := format == FormatUnixMilli
		return func(v string) (time.Time, error) {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				if errors.Is(err, strconv.ErrRange) {
					return time.Time{}, errors.New("out of range")
				}
				return time.Time{}, errors.New("not an integer")
			}
			if milli {
				return time.UnixMilli(n), nil
			}
			return time.Unix(n, 0), nil
		}
	default:
		return func(v string) (time.Time, error) {
			return time.Parse(format, v)
		}
	}
}

func formatName(format string) string {
	switch format {
	case "", FormatRFC3339:
		return "an RFC 3339 timestamp"
	case FormatUnix:
		return "integer unix seconds"
	case FormatUnixMilli:
		return "integer unix milliseconds"
	}
	return "a timestamp in layout " + strconv.Quote(format)
}

func parse(r io.Reader, file string, opt Options) (*Series, error) {
	fail := func(line int, col, format string, args ...any) error {
		return &Error{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
	}
	if opt.TimeColumn == "" {
		return nil, fail(0, "", "Options.TimeColumn is not set")
	}
	if opt.MinRows < 0 {
		return nil, fail(0, "", "Options.MinRows is negative (%d)", opt.MinRows)
	}
	minRows := opt.MinRows
	if minRows == 0 {
		minRows = DefaultMinRows
	}
	switch c := opt.Comment; {
	case c == '"', c == '\r', c == '\n', c == ',', c == utf8.RuneError, c != 0 && !utf8.ValidRune(c):
		return nil, fail(0, "", "Options.Comment %q cannot be used", c)
	}
	parseTime := newTimeParser(opt.TimeFormat)

	// A UTF-8 byte order mark, as spreadsheet exports write, is not data.
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comment = opt.Comment
	cr.ReuseRecord = true
	// FieldsPerRecord 0: every row must have as many fields as the header.

	// lastLine is the last line the reader consumed, for errors at the end.
	lastLine := 0
	read := func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				msg := fmt.Sprintf("%v (at character %d)", pe.Err, pe.Column)
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					msg = fmt.Sprintf("row has %d fields, header has %d", len(rec), cr.FieldsPerRecord)
				}
				return nil, 0, fail(pe.Line, "", "%s", msg)
			}
			return nil, 0, err
		}
		line, _ := cr.FieldPos(0)
		lastLine = line
		return rec, line, nil
	}

	header, headerLine, err := read()
	if err == io.EOF {
		return nil, fail(1, "", "empty file: no header row")
	}
	if err != nil {
		return nil, err
	}
	header = slices.Clone(header) // ReuseRecord would overwrite it.
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
	}

	find := func(name string) (int, error) {
		idx := -1
		for i, h := range header {
			if h != name {
				continue
			}
			if idx >= 0 {
				return 0, fail(headerLine, name, "appears twice in the header (fields %d and %d)", idx+1, i+1)
			}
			idx = i
		}
		if idx < 0 {
			return 0, fail(headerLine, name, "no such column; available: %s", strings.Join(header, ", "))
		}
		return idx, nil
	}
	timeIdx, err := find(opt.TimeColumn)
	if err != nil {
		return nil, err
	}
	names := opt.Columns
	if len(names) == 0 {
		for i, h := range header {
			if i != timeIdx {
				names = append(names, h)
			}
		}
		if len(names) == 0 {
			return nil, fail(headerLine, "", "no value columns: the header has only %q", opt.TimeColumn)
		}
	}
	cols := make([]int, len(names))
	for j, name := range names {
		if name == opt.TimeColumn {
			return nil, fail(headerLine, name, "is the time column and cannot also be a value column")
		}
		if k := slices.Index(names[:j], name); k >= 0 {
			return nil, fail(0, name, "requested twice in Options.Columns")
		}
		if cols[j], err = find(name); err != nil {
			return nil, err
		}
	}

	s := &Series{Names: slices.Clone(names), Values: make([][]float64, len(names))}
	prevLine := 0
	for {
		rec, line, err := read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		tf := strings.TrimSpace(rec[timeIdx])
		if tf == "" {
			return nil, fail(line, opt.TimeColumn, "empty timestamp")
		}
		t, err := parseTime(tf)
		if err != nil {
			return nil, fail(line, opt.TimeColumn, "cannot parse %q as %s: %v", tf, formatName(opt.TimeFormat), err)
		}
		t = t.UTC()
		if n := len(s.Times); n > 0 {
			prev := s.Times[n-1]
			if t.Equal(prev) {
				return nil, fail(line, opt.TimeColumn, "duplicate timestamp %s (also on line %d)", t.Format(time.RFC3339Nano), prevLine)
			}
			if t.Before(prev) {
				return nil, fail(line, opt.TimeColumn, "timestamps not sorted: %s comes after %s on line %d", t.Format(time.RFC3339Nano), prev.Format(time.RFC3339Nano), prevLine)
			}
		}
		for j, c := range cols {
			vf := strings.TrimSpace(rec[c])
			if vf == "" {
				return nil, fail(line, names[j], "empty value")
			}
			v, err := strconv.ParseFloat(vf, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, fail(line, names[j], "value %q is not a number", vf)
			}
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, fail(line, names[j], "value %q is not a finite number", vf)
			}
			if opt.Prices && !(v >= MinPrice && v <= MaxPrice) {
				return nil, fail(line, names[j], "price %q is not from %g to %g", vf, MinPrice, MaxPrice)
			}
			s.Values[j] = append(s.Values[j], v)
		}
		s.Times = append(s.Times, t)
		s.Lines = append(s.Lines, line)
		prevLine = line
	}
	if len(s.Times) < minRows {
		return nil, fail(max(lastLine, headerLine), "", "too few rows: %d data rows, need at least %d", len(s.Times), minRows)
	}
	return s, nil
}

// Outlier is an isolated jump in a series: row Index, whose value moved
// from its predecessor by more than the stated jump and came back by its
// successor.
type Outlier struct {
	Index int // row index
	Line  int // file line, 0 if unknown
	// Prev, Value and Next are the values before, at and after the row.
	Prev, Value, Next float64
}

// Outliers returns the isolated outliers of column j beyond jump, a
// fraction: rows whose value is more than jump away from both neighbours
// in log terms, |ln(v/prev)| > ln(1+jump) and |ln(next/v)| > ln(1+jump),
// in opposite directions, while the neighbours are within jump of each
// other — a spike (or a hole) of one row that a replay would trade on,
// rather than a move the record keeps. Values must be positive.
func Outliers(s *Series, j int, jump float64) []Outlier {
	v := s.Values[j]
	lim := math.Log1p(jump)
	var out []Outlier
	for i := 1; i+1 < len(v); i++ {
		in, back, across := math.Log(v[i]/v[i-1]), math.Log(v[i+1]/v[i]), math.Log(v[i+1]/v[i-1])
		if math.Abs(in) > lim && math.Abs(back) > lim && (in > 0) != (back > 0) && math.Abs(across) <= lim {
			o := Outlier{Index: i, Prev: v[i-1], Value: v[i], Next: v[i+1]}
			if i < len(s.Lines) {
				o.Line = s.Lines[i]
			}
			out = append(out, o)
		}
	}
	return out
}

// Drop returns s without the given rows (indices ascending), sharing
// nothing with s.
func Drop(s *Series, rows []int) *Series {
	out := &Series{Names: slices.Clone(s.Names), Values: make([][]float64, len(s.Values))}
	k := 0
	for i := range s.Times {
		if k < len(rows) && rows[k] == i {
			k++
			continue
		}
		out.Times = append(out.Times, s.Times[i])
		if i < len(s.Lines) {
			out.Lines = append(out.Lines, s.Lines[i])
		}
		for j := range s.Values {
			out.Values[j] = append(out.Values[j], s.Values[j][i])
		}
	}
	return out
}

// Resample returns the series observed at the n instants start + k*step,
// k = 0..n-1: each value is the last observation at or before that instant
// (carried forward). It fails if start is before the first observation or
// the last instant is after the last observation, saying by how much, since
// carrying a value past the end of the record would invent data.
func Resample(s *Series, start time.Time, step time.Duration, n int) (*Series, error) {
	if s == nil || len(s.Times) == 0 {
		return nil, errors.New("history: resample of an empty series")
	}
	for j, v := range s.Values {
		if len(v) != len(s.Times) {
			return nil, fmt.Errorf("history: resample: column %d has %d values for %d timestamps", j, len(v), len(s.Times))
		}
	}
	if step <= 0 {
		return nil, fmt.Errorf("history: resample step %v is not positive", step)
	}
	if n <= 0 {
		return nil, fmt.Errorf("history: resample count %d is not positive", n)
	}
	if int64(n-1) > math.MaxInt64/int64(step) {
		return nil, fmt.Errorf("history: resample span of %d steps of %v overflows", n-1, step)
	}
	first, last := s.Times[0], s.Times[len(s.Times)-1]
	if start.Before(first) {
		return nil, fmt.Errorf("history: resample start %s is %v before the first observation %s",
			start.UTC().Format(time.RFC3339Nano), first.Sub(start), first.Format(time.RFC3339Nano))
	}
	end := start.Add(time.Duration(n-1) * step)
	if end.After(last) {
		return nil, fmt.Errorf("history: resample end %s (%d steps of %v from %s) is %v after the last observation %s",
			end.UTC().Format(time.RFC3339Nano), n-1, step, start.UTC().Format(time.RFC3339Nano), end.Sub(last), last.Format(time.RFC3339Nano))
	}
	out := &Series{
		Times:  make([]time.Time, n),
		Names:  slices.Clone(s.Names),
		Values: make([][]float64, len(s.Values)),
	}
	for j := range out.Values {
		out.Values[j] = make([]float64, n)
	}
	i := 0 // index of the last observation at or before the current instant
	for k := range n {
		t := start.Add(time.Duration(k) * step)
		for i+1 < len(s.Times) && !s.Times[i+1].After(t) {
			i++
		}
		out.Times[k] = t.UTC()
		for j, v := range s.Values {
			out.Values[j][k] = v[i]
		}
	}
	return out, nil
}

// LogReturns returns r[i] = ln(values[i+1] / values[i]) for each pair of
// consecutive values. It fails if there are fewer than two values or any
// value is not positive and finite, naming the first offending index.
func LogReturns(values []float64) ([]float64, error) {
	if len(values) < 2 {
		return nil, fmt.Errorf("history: log returns need at least 2 values, got %d", len(values))
	}
	for i, v := range values {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("history: log return of value %v at index %d: values must be positive and finite", v, i)
		}
	}
	r := make([]float64, len(values)-1)
	for i := range r {
		q := values[i+1] / values[i]
		if q == 0 || math.IsInf(q, 0) {
			// The ratio of extreme values over- or underflows; the
			// difference of logarithms does not.
			r[i] = math.Log(values[i+1]) - math.Log(values[i])
			continue
		}
		r[i] = math.Log(q)
	}
	return r, nil
}
