package history

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func writeCSV(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadErrors(t *testing.T) {
	base := Options{TimeColumn: "ts", Columns: []string{"close"}}
	with := func(f func(*Options)) Options {
		o := base
		f(&o)
		return o
	}
	tests := []struct {
		name   string
		body   string
		opt    Options
		line   int
		column string
		msg    string // substring of Error.Msg
	}{
		{"missing value column", "ts,open,high\n2020-01-01T00:00:00Z,1,2\n", base,
			1, "close", "no such column; available: ts, open, high"},
		{"missing time column", "time,close\n2020-01-01T00:00:00Z,1\n", base,
			1, "ts", "no such column; available: time, close"},
		{"unsorted timestamps", "ts,close\n2020-01-01T00:00:00Z,1\n2020-01-01T02:00:00Z,2\n2020-01-01T01:00:00Z,3\n", base,
			4, "ts", "not sorted: 2020-01-01T01:00:00Z comes after 2020-01-01T02:00:00Z on line 3"},
		{"duplicate timestamp", "ts,close\n2020-01-01T00:00:00Z,1\n2020-01-01T01:00:00Z,2\n2020-01-01T01:00:00Z,3\n", base,
			4, "ts", "duplicate timestamp 2020-01-01T01:00:00Z (also on line 3)"},
		{"duplicate instant in other zone", "ts,close\n2020-01-01T01:00:00Z,1\n2020-01-01T02:00:00+01:00,2\n", base,
			3, "ts", "duplicate timestamp"},
		{"non-numeric value", "ts,close\n2020-01-01T00:00:00Z,1\n2020-01-01T01:00:00Z,abc\n", base,
			3, "close", `value "abc" is not a number`},
		{"empty value", "ts,close\n2020-01-01T00:00:00Z,\n2020-01-01T01:00:00Z,2\n", base,
			2, "close", "empty value"},
		{"blank value", "ts,close\n2020-01-01T00:00:00Z,1\n2020-01-01T01:00:00Z,  \n", base,
			3, "close", "empty value"},
		{"NaN value", "ts,close\n2020-01-01T00:00:00Z,NaN\n2020-01-01T01:00:00Z,2\n", base,
			2, "close", "not a finite number"},
		{"overflowing value", "ts,close\n2020-01-01T00:00:00Z,1e999\n2020-01-01T01:00:00Z,2\n", base,
			2, "close", "not a finite number"},
		{"unparseable timestamp", "ts,close\n2020-01-01T00:00:00Z,1\n2020-13-01T00:00:00Z,2\n", base,
			3, "ts", `cannot parse "2020-13-01T00:00:00Z" as an RFC 3339 timestamp`},
		{"empty timestamp", "ts,close\n,1\n2020-01-01T00:00:00Z,2\n", base,
			2, "ts", "empty timestamp"},
		{"unix seconds not integer", "ts,close\n1577836800,1\n1577836800.5,2\n", with(func(o *Options) { o.TimeFormat = FormatUnix }),
			3, "ts", "as integer unix seconds: not an integer"},
		{"layout mismatch", "ts,close\n2020-01-01 00:00,1\n2020/01/01 01:00,2\n", with(func(o *Options) { o.TimeFormat = "2006-01-02 15:04" }),
			3, "ts", `in layout "2006-01-02 15:04"`},
		{"empty file", "", base,
			1, "", "empty file"},
		{"only comments", "# nothing here\n", with(func(o *Options) { o.Comment = '#' }),
			1, "", "empty file"},
		{"too few rows", "ts,close\n2020-01-01T00:00:00Z,1\n", base,
			2, "", "too few rows: 1 data rows, need at least 2"},
		{"header only", "ts,close\n", base,
			1, "", "too few rows: 0 data rows, need at least 2"},
		{"too few rows for MinRows", "ts,close\n2020-01-01T00:00:00Z,1\n2020-01-01T01:00:00Z,2\n", with(func(o *Options) { o.MinRows = 3 }),
			3, "", "need at least 3"},
		{"short row", "ts,close,open\n2020-01-01T00:00:00Z,1,1\n2020-01-01T01:00:00Z,2\n", base,
			3, "", "row has 2 fields, header has 3"},
		{"bad quote", "ts,close\n2020-01-01T00:00:00Z,1\n2020-01-01T01:00:00Z,2\"\n", base,
			3, "", `bare " in non-quoted-field (at character 23)`},
		{"comments keep line numbers", "# source: test\nts,close\n# first row follows\n2020-01-01T00:00:00Z,1\n\n2020-01-01T01:00:00Z,x\n",
			with(func(o *Options) { o.Comment = '#' }),
			6, "close", `value "x" is not a number`},
		{"comment without Comment option", "# note\nts,close\n2020-01-01T00:00:00Z,1\n", base,
			1, "ts", "no such column; available: # note"},
		{"duplicate header", "ts,close,close\n2020-01-01T00:00:00Z,1,2\n", base,
			1, "close", "appears twice in the header"},
		{"time column as value", "ts,close\n2020-01-01T00:00:00Z,1\n", with(func(o *Options) { o.Columns = []string{"ts"} }),
			1, "ts", "is the time column"},
		{"no value columns", "ts\n2020-01-01T00:00:00Z\n", with(func(o *Options) { o.Columns = nil }),
			1, "", "no value columns"},
		{"no time column option", "ts,close\n", with(func(o *Options) { o.TimeColumn = "" }),
			0, "", "TimeColumn is not set"},
		{"bad comment rune", "ts,close\n", with(func(o *Options) { o.Comment = ',' }),
			0, "", "Options.Comment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeCSV(t, "in.csv", tc.body)
			s, err := Load(path, tc.opt)
			if err == nil {
				t.Fatalf("Load succeeded with %d rows; want error at line %d", s.Len(), tc.line)
			}
			var he *Error
			if !errors.As(err, &he) {
				t.Fatalf("error %v is %T, want *history.Error", err, err)
			}
			if he.File != path || he.Line != tc.line || he.Column != tc.column || !strings.Contains(he.Msg, tc.msg) {
				t.Fatalf("got %+v\nwant file %s line %d column %q msg containing %q", *he, path, tc.line, tc.column, tc.msg)
			}
			want := path
			if tc.line > 0 {
				want += ":" + strconv.Itoa(tc.line)
			}
			want += ": "
			if tc.column != "" {
				want += `column "` + tc.column + `": `
			}
			if got := err.Error(); !strings.HasPrefix(got, want) {
				t.Fatalf("Error() = %q, want prefix %q", got, want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.csv"), Options{TimeColumn: "ts"})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want os.ErrNotExist", err)
	}
}

func TestLoadFormats(t *testing.T) {
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	want := []time.Time{t0, t0.Add(time.Hour), t0.Add(90 * time.Minute)}
	tests := []struct {
		name string
		body string
		opt  Options
	}{
		{"rfc3339", "ts,close\n2020-01-01T00:00:00Z,1\n2020-01-01T02:00:00+01:00,2.5\n2020-01-01T01:30:00.000Z,-3e2\n",
			Options{TimeColumn: "ts", Columns: []string{"close"}}},
		{"unix", "ts,close\n1577836800,1\n1577840400,2.5\n1577842200,-3e2\n",
			Options{TimeColumn: "ts", TimeFormat: FormatUnix, Columns: []string{"close"}}},
		{"unixms", "ts,close\n1577836800000,1\n1577840400000,2.5\n1577842200000,-3e2\n",
			Options{TimeColumn: "ts", TimeFormat: FormatUnixMilli, Columns: []string{"close"}}},
		{"layout", "ts,close\n01/01/2020 00:00,1\n01/01/2020 01:00,2.5\n01/01/2020 01:30,-3e2\n",
			Options{TimeColumn: "ts", TimeFormat: "01/02/2006 15:04", Columns: []string{"close"}}},
		{"comments, BOM, CRLF, spaces, quotes", "\uFEFF# header next\r\nts, close\r\n# a row\r\n2020-01-01T00:00:00Z, 1\r\n\r\n\"2020-01-01T01:00:00Z\",\"2.5\"\r\n2020-01-01T01:30:00Z,-3e2\r\n",
			Options{TimeColumn: "ts", Columns: []string{"close"}, Comment: '#'}},
		{"all columns by default", "close,ts\n1,2020-01-01T00:00:00Z\n2.5,2020-01-01T01:00:00Z\n-3e2,2020-01-01T01:30:00Z\n",
			Options{TimeColumn: "ts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(writeCSV(t, "in.csv", tc.body), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(s.Times, want, time.Time.Equal) {
				t.Errorf("Times = %v, want %v", s.Times, want)
			}
			for _, tm := range s.Times {
				if tm.Location() != time.UTC {
					t.Errorf("time %v not in UTC", tm)
				}
			}
			if !slices.Equal(s.Names, []string{"close"}) {
				t.Errorf("Names = %q", s.Names)
			}
			if c, ok := s.Column("close"); !ok || !slices.Equal(c, []float64{1, 2.5, -300}) {
				t.Errorf("close = %v, %v", c, ok)
			}
		})
	}
}

func TestLoadColumnOrder(t *testing.T) {
	body := "ts,a,b,c\n2020-01-01T00:00:00Z,1,2,3\n2020-01-01T01:00:00Z,4,5,6\n"
	s, err := Load(writeCSV(t, "in.csv", body), Options{TimeColumn: "ts", Columns: []string{"c", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Names, []string{"c", "a"}) || !slices.Equal(s.Values[0], []float64{3, 6}) || !slices.Equal(s.Values[1], []float64{1, 4}) {
		t.Fatalf("got names %q values %v", s.Names, s.Values)
	}
	if _, ok := s.Column("b"); ok {
		t.Fatal("column b was not requested but is present")
	}
}

func series(t0 time.Time, offsets []time.Duration, vals ...[]float64) *Series {
	s := &Series{Values: vals}
	for i := range vals {
		s.Names = append(s.Names, string(rune('a'+i)))
	}
	for _, d := range offsets {
		s.Times = append(s.Times, t0.Add(d))
	}
	return s
}

func TestResample(t *testing.T) {
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	m := time.Minute
	s := series(t0, []time.Duration{0, 10 * m, 25 * m, 40 * m}, []float64{1, 2, 3, 4}, []float64{10, 20, 30, 40})
	tests := []struct {
		name  string
		start time.Duration
		step  time.Duration
		n     int
		want  []float64 // column a; column b is ten times it
	}{
		{"finer grid", 0, 5 * m, 9, []float64{1, 1, 2, 2, 2, 3, 3, 3, 4}},
		{"offset coarser grid", 3 * m, 10 * m, 4, []float64{1, 2, 2, 3}},
		{"exact observation instants", 10 * m, 15 * m, 3, []float64{2, 3, 4}},
		{"single instant at the end", 40 * m, time.Hour, 1, []float64{4}},
		{"just before an observation", 25*m - time.Nanosecond, time.Nanosecond, 2, []float64{2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Resample(s, t0.Add(tc.start), tc.step, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Times) != tc.n {
				t.Fatalf("len = %d, want %d", len(r.Times), tc.n)
			}
			for k, tm := range r.Times {
				if want := t0.Add(tc.start + time.Duration(k)*tc.step); !tm.Equal(want) {
					t.Errorf("Times[%d] = %v, want %v", k, tm, want)
				}
			}
			if !slices.Equal(r.Values[0], tc.want) {
				t.Errorf("a = %v, want %v", r.Values[0], tc.want)
			}
			for k, v := range r.Values[1] {
				if v != 10*tc.want[k] {
					t.Errorf("b[%d] = %v, want %v", k, v, 10*tc.want[k])
				}
			}
			if !slices.Equal(r.Names, s.Names) {
				t.Errorf("Names = %q", r.Names)
			}
		})
	}
}

func TestResampleErrors(t *testing.T) {
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	s := series(t0, []time.Duration{0, time.Hour}, []float64{1, 2})
	tests := []struct {
		name  string
		s     *Series
		start time.Time
		step  time.Duration
		n     int
		msg   string
	}{
		{"start too early", s, t0.Add(-90 * time.Second), time.Minute, 2, "is 1m30s before the first observation 2020-01-01T00:00:00Z"},
		{"end too late", s, t0.Add(30 * time.Minute), 10 * time.Minute, 5, "is 10m0s after the last observation 2020-01-01T01:00:00Z"},
		{"zero step", s, t0, 0, 2, "step 0s is not positive"},
		{"zero count", s, t0, time.Minute, 0, "count 0 is not positive"},
		{"overflow", s, t0, time.Hour, math.MaxInt, "overflows"},
		{"nil series", nil, t0, time.Minute, 1, "empty series"},
		{"ragged series", &Series{Times: s.Times, Values: [][]float64{{1}}}, t0, time.Minute, 1, "column 0 has 1 values for 2 timestamps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resample(tc.s, tc.start, tc.step, tc.n)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.msg)
			}
		})
	}
}

func TestLogReturns(t *testing.T) {
	r, err := LogReturns([]float64{100, 110, 99, 99})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{math.Log(1.1), math.Log(0.9), 0}
	for i := range want {
		if math.Abs(r[i]-want[i]) > 1e-15 {
			t.Errorf("r[%d] = %v, want %v", i, r[i], want[i])
		}
	}
	if r, err := LogReturns([]float64{1e-300, 1e300}); err != nil || math.Abs(r[0]-600*math.Ln10) > 1e-12 {
		t.Errorf("LogReturns of extreme values = %v, %v; want %v", r, err, 600*math.Ln10)
	}
	for _, bad := range [][]float64{nil, {1}, {1, 0}, {1, -2}, {1, math.NaN()}, {math.Inf(1), 1}} {
		if _, err := LogReturns(bad); err == nil {
			t.Errorf("LogReturns(%v) succeeded", bad)
		}
	}
}

// ethPath is the real ETH/USD hourly history, every row with its time and
// close (origin in testdata/PROVENANCE.md); its absence is a failure, not a
// skip.
var ethPath = filepath.Join("testdata", "gemini_ethusd_1h_2019_2024_close.csv")

func TestRealETHHistory(t *testing.T) {
	s, err := Load(ethPath, Options{TimeColumn: "ts_utc", Columns: []string{"close"}})
	if err != nil {
		t.Fatalf("loading the reference ETH/USD history: %v", err)
	}
	// Row count, range and spot values from the file's PROVENANCE.md.
	first := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(2024, 2, 25, 21, 0, 0, 0, time.UTC)
	if s.Len() != 45163 || !s.Times[0].Equal(first) || !s.Times[s.Len()-1].Equal(last) {
		t.Fatalf("got %d rows from %v to %v", s.Len(), s.Times[0], s.Times[s.Len()-1])
	}
	// The file has three one-hour holes; hourly resampling fills each from
	// the hour before.
	n := int(last.Sub(first)/time.Hour) + 1
	if n != s.Len()+3 {
		t.Fatalf("hourly span has %d instants, want rows+3 = %d", n, s.Len()+3)
	}
	h, err := Resample(s, first, time.Hour, n)
	if err != nil {
		t.Fatal(err)
	}
	at := func(ts string) float64 {
		tm, _ := time.Parse(time.RFC3339, ts)
		return h.Values[0][int(tm.Sub(first)/time.Hour)]
	}
	checks := []struct {
		ts   string
		want float64
	}{
		{"2019-01-01T00:00:00Z", 131.1},
		{"2020-03-12T23:00:00Z", 109.28}, // Black Thursday close, per PROVENANCE.md
		{"2024-02-25T21:00:00Z", 3109.74},
		{"2019-11-13T00:00:00Z", at("2019-11-12T23:00:00Z")}, // a hole, carried forward
	}
	for _, c := range checks {
		if got := at(c.ts); got != c.want {
			t.Errorf("close at %s = %v, want %v", c.ts, got, c.want)
		}
	}
	r, err := LogReturns(h.Values[0])
	if err != nil {
		t.Fatal(err)
	}
	// Total log return telescopes to ln(last/first).
	var sum float64
	for _, x := range r {
		sum += x
	}
	if want := math.Log(3109.74 / 131.1); math.Abs(sum-want) > 1e-9 {
		t.Errorf("sum of log returns = %v, want %v", sum, want)
	}
}
