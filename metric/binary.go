package metric

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// binaryVersion is the first byte of an encoded Summary or Fan; it changes
// when the encoding does.
const binaryVersion = 1

// MarshalBinary encodes s: its counts, moments, extrema, kept observations
// and sketch bins, so that a Summary decoded by UnmarshalBinary answers and
// merges exactly as s does. It is how a Summary crosses process boundaries
// (a distributed runner's workers); the encoding is this package's own and
// may change between Cascade versions.
func (s *Summary) MarshalBinary() ([]byte, error) {
	b := []byte{binaryVersion}
	return s.appendBinary(b), nil
}

// UnmarshalBinary decodes what MarshalBinary encoded into s, replacing its
// contents.
func (s *Summary) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if v := d.byte(); v != binaryVersion {
		return fmt.Errorf("metric: encoded summary of version %d, want %d", v, binaryVersion)
	}
	s.decode(&d)
	return d.done("summary")
}

// MarshalBinary encodes f (its sample points' Summaries and run count), as
// Summary.MarshalBinary does.
func (f *Fan) MarshalBinary() ([]byte, error) {
	f.settle()
	b := []byte{binaryVersion}
	points := f.pts()
	b = binary.AppendUvarint(b, uint64(len(points)))
	b = binary.AppendVarint(b, f.runs)
	for i := range points {
		b = points[i].appendBinary(b)
	}
	return b, nil
}

// UnmarshalBinary decodes what Fan.MarshalBinary encoded into f, replacing
// its contents.
func (f *Fan) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if v := d.byte(); v != binaryVersion {
		return fmt.Errorf("metric: encoded fan of version %d, want %d", v, binaryVersion)
	}
	k := d.uvarint()
	if d.err == nil && (k < 1 || k > uint64(len(d.b))) {
		d.err = fmt.Errorf("%d sample points", k)
	}
	runs := d.varint()
	if d.err != nil {
		return fmt.Errorf("metric: encoded fan: %w", d.err)
	}
	g, err := NewFan(int(k))
	if err != nil {
		return err
	}
	g.runs = runs
	points := g.pts()
	for i := range points {
		points[i].decode(&d)
	}
	if err := d.done("fan"); err != nil {
		return err
	}
	g.coarse = points[0].coarse
	*f = *g
	return nil
}

func (s *Summary) appendBinary(b []byte) []byte {
	for _, n := range []int64{s.n, s.nan, s.negInf, s.posInf, s.exactCap} {
		b = binary.AppendVarint(b, n)
	}
	for _, x := range []float64{s.mean, s.m2, s.min, s.max} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	var flags byte
	if s.dropped {
		flags |= 1
	}
	if s.sk != nil {
		flags |= 2
	}
	if s.coarse {
		flags |= 4
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(s.xs)))
	for _, x := range s.xs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	if s.sk != nil {
		var sk []byte
		s.sk.Encode(&sk, true)
		b = binary.AppendUvarint(b, uint64(len(sk)))
		b = append(b, sk...)
	}
	return b
}

// decode reads one Summary; errors are left in d.
func (s *Summary) decode(d *decoder) {
	var t Summary
	for _, p := range []*int64{&t.n, &t.nan, &t.negInf, &t.posInf, &t.exactCap} {
		*p = d.varint()
	}
	for _, p := range []*float64{&t.mean, &t.m2, &t.min, &t.max} {
		*p = math.Float64frombits(d.uint64())
	}
	flags := d.byte()
	t.dropped, t.coarse = flags&1 != 0, flags&4 != 0
	nx := d.uvarint()
	if d.err == nil && (nx > uint64(len(d.b))/8 || int64(nx) > t.exactCap || t.dropped && nx > 0) {
		d.err = fmt.Errorf("%d kept observations with exact cap %d", nx, t.exactCap)
	}
	if d.err != nil {
		return
	}
	if nx > 0 {
		t.xs = make([]float64, nx)
	}
	for i := range t.xs {
		t.xs[i] = math.Float64frombits(d.uint64())
	}
	if !t.dropped && int64(len(t.xs)) != t.n {
		d.err = fmt.Errorf("%d kept observations of %d", len(t.xs), t.n)
		return
	}
	if flags&2 != 0 {
		n := d.uvarint()
		if d.err == nil && n > uint64(len(d.b)) {
			d.err = errors.New("sketch longer than the data")
		}
		if d.err != nil {
			return
		}
		// Merging into an empty sketch of the package's own mapping and
		// stores reproduces the encoded bins, counts being exact integers.
		t.sk = newSketch(t.coarse)
		if err := t.sk.DecodeAndMergeWith(d.b[:n]); err != nil {
			d.err = fmt.Errorf("sketch: %w", err)
			return
		}
		d.b = d.b[n:]
	}
	*s = t
}

// decoder reads an encoding, keeping the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.err = errors.New("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uint64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errors.New("truncated")
		return 0
	}
	x := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return x
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errors.New("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errors.New("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) done(what string) error {
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d bytes after the end", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("metric: encoded %s: %w", what, d.err)
	}
	return nil
}
