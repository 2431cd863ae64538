package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Column types as named in the manifest.
const (
	TypeInt32  = "INT32"  // Parquet INT32, signed
	TypeUint64 = "UINT64" // Parquet INT64 annotated INT(64, false): the uint64 bit pattern
	TypeString = "STRING" // Parquet BYTE_ARRAY annotated STRING (UTF-8)
	TypeDouble = "DOUBLE" // Parquet DOUBLE (IEEE 754 binary64)
)

// Column roles as named in the manifest.
const (
	RoleKey    = "key"    // identifies a row: cell, arm, run, seed, sample, time_s
	RoleParam  = "param"  // a sweep parameter of the run's cell
	RoleScalar = "scalar" // a per-run scalar metric
	RoleSeries = "series" // a sampled time series
)

const (
	runsDescription   = "One row per run: cell, arm, run, seed, the cell's sweep parameters, then the scalar metrics."
	seriesDescription = "Sampled time series in long format: one row per (cell, arm, run, sample), sample times in seconds since the start of the run."
)

var (
	keyCell   = ColumnInfo{Name: "cell", Type: TypeInt32, Role: RoleKey, Description: "sweep cell index; the manifest's cells give its parameters"}
	keyArm    = ColumnInfo{Name: "arm", Type: TypeString, Role: RoleKey, Description: "compare arm; empty when there is no comparison"}
	keyRun    = ColumnInfo{Name: "run", Type: TypeInt32, Role: RoleKey, Description: "run index within the cell and arm"}
	keySeed   = ColumnInfo{Name: "seed", Type: TypeUint64, Role: RoleKey, Description: "seed of the run's random stream (unsigned 64-bit)"}
	keySample = ColumnInfo{Name: "sample", Type: TypeInt32, Role: RoleKey, Description: "sample index within the run, from 0"}
	keyTime   = ColumnInfo{Name: "time_s", Type: TypeDouble, Role: RoleKey, Unit: "s", Description: "sample time since the start of the run"}
)

// validate checks names. Names must be unique within each file (ignoring
// case): runs.parquet holds params and scalars, series.parquet the series,
// so a metric may be both a scalar and a series of the same name.
func (l *Layout) validate() error {
	var seen map[string]string // lower-case name → where it was used in this file
	newFile := func() {
		seen = make(map[string]string)
		for _, n := range reservedNames {
			seen[n] = "a key column"
		}
	}
	newFile()
	check := func(kind, name string) error {
		if err := checkName(name); err != nil {
			return fmt.Errorf("results: %s name %q: %w", kind, name, err)
		}
		low := strings.ToLower(name)
		if prev, dup := seen[low]; dup {
			return fmt.Errorf("results: %s name %q is already used by %s (names are compared without case)", kind, name, prev)
		}
		seen[low] = kind + " " + strconv.Quote(name)
		return nil
	}
	for _, p := range l.Params {
		if err := check("param", p); err != nil {
			return err
		}
	}
	for _, c := range l.Scalars {
		if err := check("scalar", c.Name); err != nil {
			return err
		}
	}
	newFile()
	for _, c := range l.Series {
		if err := check("series", c.Name); err != nil {
			return err
		}
	}
	return nil
}

func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("empty")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("longer than %d bytes", maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case ('0' <= c && c <= '9' || c == '.' || c == '-') && i > 0:
		default:
			return fmt.Errorf("want a name of ASCII letters, digits, '_', '.' and '-', starting with a letter or '_'")
		}
	}
	return nil
}

func (l Layout) clone() Layout {
	return Layout{
		Scalars:    append([]Column(nil), l.Scalars...),
		Series:     append([]Column(nil), l.Series...),
		Params:     append([]string(nil), l.Params...),
		ParamUnits: append([]string(nil), l.ParamUnits...),
	}
}

func (l *Layout) runsColumns() []ColumnInfo {
	cols := []ColumnInfo{keyCell, keyArm, keyRun, keySeed}
	for k, p := range l.Params {
		c := ColumnInfo{Name: p, Type: TypeDouble, Role: RoleParam, Description: "sweep parameter of the run's cell"}
		if k < len(l.ParamUnits) {
			c.Unit = l.ParamUnits[k]
		}
		cols = append(cols, c)
	}
	for _, c := range l.Scalars {
		cols = append(cols, ColumnInfo{Name: c.Name, Type: TypeDouble, Role: RoleScalar, Unit: c.Unit, Description: c.Description})
	}
	return cols
}

func (l *Layout) seriesColumns() []ColumnInfo {
	cols := []ColumnInfo{keyCell, keyArm, keyRun, keySample, keyTime}
	for _, c := range l.Series {
		cols = append(cols, ColumnInfo{Name: c.Name, Type: TypeDouble, Role: RoleSeries, Unit: c.Unit, Description: c.Description})
	}
	return cols
}

// schemaOf builds the Parquet schema of cols, in their order. parquet.Group
// would sort the columns by name; a struct type made at run time keeps
// them in the layout's order, which is the order users see in every tool.
func schemaOf(cols []ColumnInfo) *parquet.Schema {
	fields := make([]reflect.StructField, len(cols))
	for i, c := range cols {
		tag := c.Name
		var t reflect.Type
		switch c.Type {
		case TypeInt32:
			t = reflect.TypeFor[int32]()
		case TypeUint64:
			t = reflect.TypeFor[uint64]()
		case TypeString:
			t = reflect.TypeFor[string]()
			tag += ",dict" // few distinct arms, repeated on every row
		default:
			t = reflect.TypeFor[float64]()
		}
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: t,
			Tag:  reflect.StructTag(`parquet:"` + tag + `"`),
		}
	}
	return parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface())
}

// table is one Parquet file being written.
type table struct {
	name, desc string
	cols       []ColumnInfo
	path       string
	out        *hashWriter
	pw         *parquet.Writer
	rows       int64
	closed     bool
}

func openTable(dir, name, desc string, cols []ColumnInfo, groupRows int64) (*table, error) {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	codec, err := newZstdCodec()
	if err != nil {
		f.Close()
		return nil, err
	}
	out := &hashWriter{f: f, h: sha256.New()}
	// The units of every column, as JSON {"column": "unit"}, for readers
	// that see only the Parquet file.
	units := map[string]string{}
	for _, c := range cols {
		if c.Unit != "" {
			units[c.Name] = c.Unit
		}
	}
	unitsJSON, _ := json.Marshal(units)
	pw := parquet.NewWriter(out,
		schemaOf(cols),
		parquet.KeyValueMetadata("cascade.units", string(unitsJSON)),
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(groupRows),
		// Version 1 data pages are read by every Parquet reader; version 2
		// pages are not (older Spark, Hive, some JavaScript readers).
		parquet.DataPageVersion(1),
	)
	return &table{name: name, desc: desc, cols: cols, path: path, out: out, pw: pw}, nil
}

func (t *table) write(rows ...parquet.Row) error {
	n, err := t.pw.WriteRows(rows)
	t.rows += int64(n)
	if err != nil {
		return fmt.Errorf("results: writing %s: %w", t.name, err)
	}
	return nil
}

// close writes the footer, syncs and closes the file, and describes it.
func (t *table) close() (FileInfo, error) {
	t.closed = true
	err := t.pw.Close()
	if err == nil {
		err = t.out.f.Sync()
	}
	if cerr := t.out.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return FileInfo{}, fmt.Errorf("results: writing %s: %w", t.name, err)
	}
	rows := t.rows
	return FileInfo{
		Name:        t.name,
		Description: t.desc,
		Rows:        &rows,
		Bytes:       t.out.n,
		SHA256:      hex.EncodeToString(t.out.h.Sum(nil)),
		Columns:     t.cols,
	}, nil
}

// abandon closes the file without completing it; the caller removes it.
func (t *table) abandon() {
	if !t.closed {
		t.closed = true
		t.out.f.Close()
	}
}

// zstdCodec is a Parquet ZSTD codec that keeps one encoder for the life of
// a file. parquet.Zstd keeps its encoders in a sync.Pool, which drops them at
// garbage collection; each new encoder then allocates a history buffer of
// several MiB, most of the writer's memory and much of its time. Its window
// is sized for pages of at most a few MiB, which is what a page can hold.
type zstdCodec struct {
	mu  sync.Mutex // parquet-go requires codecs to be safe for concurrent use
	enc *zstd.Encoder
}

func newZstdCodec() (*zstdCodec, error) {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstdLevel),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(zstdWindow),
		zstd.WithZeroFrames(true),
		zstd.WithEncoderCRC(false),
	)
	if err != nil {
		return nil, fmt.Errorf("results: zstd: %w", err)
	}
	return &zstdCodec{enc: enc}, nil
}

const (
	zstdLevel  = zstd.SpeedDefault // about zstd level 3
	zstdWindow = 1 << 20           // pages are at most 256 KiB before compression
)

func (c *zstdCodec) String() string                            { return "ZSTD" }
func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enc.EncodeAll(src, dst[:0]), nil
}

func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) { return parquet.Zstd.Decode(dst, src) }
