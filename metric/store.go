package metric

import (
	"errors"
	"math"
	"slices"
	"sync"

	enc "github.com/DataDog/sketches-go/ddsketch/encoding"
	"github.com/DataDog/sketches-go/ddsketch/pb/sketchpb"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// binStore holds the bin counts of one sign of a sketch, in memory that
// follows the bins actually occupied rather than the span of indices between
// the lowest and the highest.
//
// It keeps exactly the counts of a sketches-go CollapsingLowestDenseStore of
// maxBins bins fed the same indices: a count added at index i lands in bin
// max(i, top − maxBins + 1), top being the highest index ever added, whatever
// the order of the additions and merges. Only its memory differs. A dense
// store spends 8 bytes on every index between its lowest and highest bin, up
// to maxBins (32 KiB): a fan's sketch of 1,000 runs of a price that has
// spread over 30 orders of magnitude holds 1,000 counts in 4,096 bins. This
// store keeps such a sketch sparse, 8 bytes per occupied bin: key and count
// packed in a uint64 (see pack), in ascending order, with up to half as many
// more for the latest unit counts, appended unsorted and merged in a batch.
// Once the occupied bins are at least two thirds of the span it turns dense
// (float64 counts over the span, as the library's store), which costs at most
// 1.5 times as much and adds in constant time; it never turns back.
//
// Counts are integers below 2^32 in the sparse form; a count that is not
// (a decoded or reweighted sketch), or a total that would pass 2^32 − 1,
// turns the store dense. Indices are clamped to ±2^30 (real ones stay within
// about ±71,000), so that no arithmetic on them overflows, whatever a decoded
// sketch holds.
type binStore struct {
	// entries are the sparse form's occupied bins, ascending by index,
	// distinct.
	entries []uint64
	// held are unit counts added since the last compaction, unsorted; in
	// the sparse form only.
	held []uint64
	// dense, when not nil, holds every count instead of entries and held.
	dense   *denseBins
	total   float64
	maxBins int
}

// denseBins is the dense form of a binStore: bins[j] is the count of index
// offset+j; every count lies in [low, top], which the slice covers.
type denseBins struct {
	bins      []float64
	offset    int
	low, top  int
	populated bool
}

// maxStoreIndex bounds the indices a binStore accepts (see binStore).
const maxStoreIndex = 1 << 30

// keyBias maps int32 indices to uint32 in the same order.
const keyBias = 1 << 31

// pack returns the sparse entry of count c at index i: the biased index in
// the high 32 bits, so that entries sort by index, and the count in the low.
func pack(i int, c uint32) uint64 { return uint64(uint32(int64(i)+keyBias))<<32 | uint64(c) }

func key(e uint64) int { return int(int64(e>>32) - keyBias) }

func count(e uint64) uint32 { return uint32(e) }

// maxHeld is the most unit counts a sparse store holds back.
const maxHeld = 1024

// sparseMinEntries is the fewest occupied bins for which a store turns
// dense: below it the sparse form's slices cost little whatever the span.
const sparseMinEntries = 32

func newBinStore(maxBins int) *binStore { return &binStore{maxBins: maxBins} }

// Add adds a count of 1 at index.
func (s *binStore) Add(index int) { s.AddWithCount(index, 1) }

// AddBin adds bin's count at its index.
func (s *binStore) AddBin(bin store.Bin) { s.AddWithCount(bin.Index(), bin.Count()) }

// AddWithCount adds c at index i.
func (s *binStore) AddWithCount(i int, c float64) {
	if c == 0 {
		return
	}
	i = min(max(i, -maxStoreIndex), maxStoreIndex)
	if s.dense == nil && c == 1 && s.total < math.MaxUint32 {
		if len(s.held) == cap(s.held) {
			s.compact()
			if s.dense == nil {
				// Hold back up to half as many counts as there are
				// entries (at least 8, at most maxHeld) between
				// compactions: each is a pass over them.
				if want := min(max(len(s.entries)/2, 8), maxHeld); cap(s.held) < want {
					s.held = make([]uint64, 0, want)
				}
			}
		}
		if s.dense == nil {
			s.held = append(s.held, pack(i, 1))
			s.total++
			return
		}
	}
	if s.dense == nil && c > 0 && c == math.Trunc(c) && s.total+c <= math.MaxUint32 {
		s.compact()
		if s.dense == nil {
			e := [1]uint64{pack(i, uint32(c))}
			s.merge(e[:])
			s.total += c
			s.fold()
			s.maybeDense()
			return
		}
	}
	s.toDense()
	s.dense.add(i, c, s.maxBins)
	s.total += c
}

// compact merges the held unit counts into the sorted entries, applies the
// collapse and, if the occupied bins fill the span, turns the store dense.
func (s *binStore) compact() {
	s.mergeHeld()
	s.maybeDense()
}

// mergeHeld merges the held unit counts into the sorted entries and
// applies the collapse.
func (s *binStore) mergeHeld() {
	if s.dense == nil && len(s.held) > 0 {
		sortHeld(s.held)
		// Coalesce runs of one index into one entry, in place.
		n := 0
		for _, e := range s.held {
			if n > 0 && e>>32 == s.held[n-1]>>32 {
				s.held[n-1]++
				continue
			}
			s.held[n] = e
			n++
		}
		s.merge(s.held[:n])
		s.held = s.held[:0]
		s.fold()
	}
}

// radixMin is the fewest held entries sortHeld sorts by radix rather
// than by comparison.
const radixMin = 48

// radixBufs are sortHeld's scratch buffers, shared by every store.
var radixBufs = sync.Pool{New: func() any { return new([maxHeld]uint64) }}

// sortHeld sorts held unit entries (pack(i, 1)) into ascending order. With
// many of them it is a least-significant-digit radix sort, 8 bits a pass,
// on the index less the smallest: two passes for indices that span fewer
// than 65,536 bins, as a sketch's do, and no comparison branches, which
// a comparison sort of values arriving in random order mispredicts about
// half the time. Entries of one index are equal, so the order is the
// same as any sort's.
func sortHeld(a []uint64) {
	if len(a) < radixMin || len(a) > maxHeld {
		slices.Sort(a)
		return
	}
	lo, hi := a[0]>>32, a[0]>>32
	for _, e := range a[1:] {
		k := e >> 32
		lo, hi = min(lo, k), max(hi, k)
	}
	buf := radixBufs.Get().(*[maxHeld]uint64)
	defer radixBufs.Put(buf)
	src, dst := a, buf[:len(a)]
	for shift := uint(0); (hi-lo)>>shift != 0; shift += 8 {
		var at [256]uint32
		for _, e := range src {
			at[((e>>32)-lo)>>shift&255]++
		}
		var sum uint32
		for d, c := range at {
			at[d] = sum
			sum += c
		}
		for _, e := range src {
			d := ((e >> 32) - lo) >> shift & 255
			dst[at[d]] = e
			at[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// merge adds the ascending, distinct entries add to s.entries (sparse form;
// the caller keeps total).
func (s *binStore) merge(add []uint64) {
	if len(add) == 0 {
		return
	}
	old := len(s.entries)
	n := old + len(add)
	if n > cap(s.entries) {
		// Grow to the merged length exactly: count the indices of add not
		// among the entries.
		n = old
		for i, j := 0, 0; j < len(add); {
			switch {
			case i == old || s.entries[i]>>32 > add[j]>>32:
				n++
				j++
			case s.entries[i]>>32 < add[j]>>32:
				i++
			default:
				i++
				j++
			}
		}
		if n > cap(s.entries) {
			grown := make([]uint64, old, n+n/4)
			copy(grown, s.entries)
			s.entries = grown
		}
	}
	// Merge from the back, so that no entry is overwritten before it moves;
	// where n counted every entry of add as new, the merged entries end up
	// above k and move down.
	s.entries = s.entries[:n]
	i, j, k := old-1, len(add)-1, n-1
	for j >= 0 {
		switch {
		case i >= 0 && s.entries[i]>>32 > add[j]>>32:
			s.entries[k] = s.entries[i]
			i--
		case i >= 0 && s.entries[i]>>32 == add[j]>>32:
			s.entries[k] = s.entries[i] + uint64(count(add[j]))
			i--
			j--
		default:
			s.entries[k] = add[j]
			j--
		}
		k--
	}
	if k > i {
		s.entries = s.entries[:copy(s.entries[i+1:], s.entries[k+1:])+i+1]
	}
}

// fold moves the counts of the entries below the lowest bin kept, top −
// maxBins + 1, into that bin.
func (s *binStore) fold() {
	if len(s.entries) == 0 {
		return
	}
	floor := key(s.entries[len(s.entries)-1]) - s.maxBins + 1
	if key(s.entries[0]) >= floor {
		return
	}
	var c uint32
	i := 0
	for ; key(s.entries[i]) < floor; i++ {
		c += count(s.entries[i])
	}
	if key(s.entries[i]) == floor {
		s.entries[i] += uint64(c)
	} else {
		i--
		s.entries[i] = pack(floor, c)
	}
	s.entries = s.entries[:copy(s.entries, s.entries[i:])]
}

// maybeDense turns a compacted sparse store dense once its occupied bins
// are at least two thirds of its span.
func (s *binStore) maybeDense() {
	if s.dense != nil || len(s.held) > 0 || len(s.entries) < sparseMinEntries {
		return
	}
	span := key(s.entries[len(s.entries)-1]) - key(s.entries[0]) + 1
	if 2*span <= 3*len(s.entries) {
		s.toDense()
	}
}

// toDense turns the store dense.
func (s *binStore) toDense() {
	if s.dense != nil {
		return
	}
	s.mergeHeld()
	d := &denseBins{}
	for _, e := range s.entries {
		d.add(key(e), float64(count(e)), s.maxBins)
	}
	s.dense, s.entries, s.held = d, nil, nil
}

// add adds c at index i (|i| ≤ maxStoreIndex), collapsing the lowest bins
// so that no more than maxBins lie between low and top.
func (d *denseBins) add(i int, c float64, maxBins int) {
	if !d.populated {
		d.populated, d.low, d.top = true, i, i
		d.cover(i, i, maxBins)
		d.bins[i-d.offset] += c
		return
	}
	if i > d.top {
		floor := i - maxBins + 1
		var folded float64
		for j := d.low; j < min(floor, d.top+1); j++ {
			folded += d.bins[j-d.offset]
			d.bins[j-d.offset] = 0
		}
		low := d.low
		if low < floor {
			low = floor
		}
		d.cover(low, i, maxBins)
		d.low, d.top = low, i
		d.bins[low-d.offset] += folded
	} else if i < d.low {
		i = max(i, d.top-maxBins+1)
		d.cover(i, d.top, maxBins)
		d.low = i
	}
	d.bins[i-d.offset] += c
}

// cover makes the slice cover [lo, hi] (hi − lo < maxBins), keeping the
// counts of [max(low, lo), min(top, hi)]; all others must be zero.
func (d *denseBins) cover(lo, hi, maxBins int) {
	if lo >= d.offset && hi < d.offset+len(d.bins) {
		return
	}
	need := hi - lo + 1
	n := min(maxBins, max(len(d.bins), need+need/4+16))
	offset := lo - (n-need)/2
	keepLo, keepHi := max(d.low, lo), min(d.top, hi)
	if n > len(d.bins) {
		bins := make([]float64, n)
		if keepLo <= keepHi && d.bins != nil {
			copy(bins[keepLo-offset:], d.bins[keepLo-d.offset:keepHi-d.offset+1])
		}
		d.bins, d.offset = bins, offset
		return
	}
	// Same length: shift in place and clear what the counts left.
	var kept []float64
	if keepLo <= keepHi {
		kept = d.bins[keepLo-d.offset : keepHi-d.offset+1]
		copy(d.bins[keepLo-offset:], kept)
	}
	for j := range d.bins {
		if idx := j + offset; idx < keepLo || idx > keepHi {
			d.bins[j] = 0
		}
	}
	d.offset = offset
}

// each calls f with every non-zero count in ascending index order, until f
// returns true.
func (s *binStore) each(f func(index int, count float64) bool) {
	s.compact()
	if d := s.dense; d != nil {
		if !d.populated {
			return
		}
		for j := d.low; j <= d.top; j++ {
			if c := d.bins[j-d.offset]; c != 0 && f(j, c) {
				return
			}
		}
		return
	}
	for _, e := range s.entries {
		if f(key(e), float64(count(e))) {
			return
		}
	}
}

// ForEach calls f with every positive count in ascending index order, until
// f returns true.
func (s *binStore) ForEach(f func(index int, count float64) (stop bool)) {
	s.each(func(i int, c float64) bool { return c > 0 && f(i, c) })
}

// Bins returns the positive bins, ascending, on a channel; ForEach is
// cheaper.
func (s *binStore) Bins() <-chan store.Bin {
	var bins []store.Bin
	s.ForEach(func(i int, c float64) bool {
		b, _ := store.NewBin(i, c)
		bins = append(bins, *b)
		return false
	})
	ch := make(chan store.Bin, len(bins))
	for _, b := range bins {
		ch <- b
	}
	close(ch)
	return ch
}

// Copy returns a deep copy of s.
func (s *binStore) Copy() store.Store {
	s.compact()
	t := &binStore{total: s.total, maxBins: s.maxBins}
	if d := s.dense; d != nil {
		e := *d
		e.bins = slices.Clone(d.bins)
		t.dense = &e
		return t
	}
	t.entries = slices.Clip(slices.Clone(s.entries))
	return t
}

// Clear empties s.
func (s *binStore) Clear() { *s = binStore{maxBins: s.maxBins} }

// IsEmpty reports whether s holds no counts.
func (s *binStore) IsEmpty() bool { return s.total == 0 }

// TotalCount returns the sum of the counts.
func (s *binStore) TotalCount() float64 { return s.total }

// bounds returns the lowest and highest index of a bin.
func (s *binStore) bounds() (lo, hi int, ok bool) {
	if s.IsEmpty() {
		return 0, 0, false
	}
	s.compact()
	if d := s.dense; d != nil {
		return d.low, d.top, d.populated
	}
	if len(s.entries) == 0 {
		return 0, 0, false
	}
	return key(s.entries[0]), key(s.entries[len(s.entries)-1]), true
}

var errEmptyStore = errors.New("metric: empty sketch store")

// MinIndex returns the lowest index of a bin.
func (s *binStore) MinIndex() (int, error) {
	lo, _, ok := s.bounds()
	if !ok {
		return 0, errEmptyStore
	}
	return lo, nil
}

// MaxIndex returns the highest index of a bin.
func (s *binStore) MaxIndex() (int, error) {
	_, hi, ok := s.bounds()
	if !ok {
		return 0, errEmptyStore
	}
	return hi, nil
}

// KeyAtRank returns the index of the bin that holds the count of 0-based
// ascending rank rank: the first whose cumulative count exceeds it, or the
// highest index if none does (as the library's dense store).
func (s *binStore) KeyAtRank(rank float64) int {
	rank = max(rank, 0)
	var n float64
	found := 0
	hit := false
	s.each(func(i int, c float64) bool {
		found = i
		n += c
		hit = n > rank
		return hit
	})
	if !hit {
		_, hi, _ := s.bounds()
		return hi
	}
	return found
}

// MergeWith adds every count of other to s.
func (s *binStore) MergeWith(other store.Store) {
	o, ok := other.(*binStore)
	if !ok {
		other.ForEach(func(i int, c float64) bool { s.AddWithCount(i, c); return false })
		return
	}
	if o.IsEmpty() {
		return
	}
	o.compact()
	s.compact()
	if s.dense == nil && o.dense == nil && s.total+o.total <= math.MaxUint32 {
		if s == o {
			add := slices.Clone(o.entries)
			s.entries = s.entries[:0]
			s.merge(add)
			s.merge(add)
		} else {
			s.merge(o.entries)
		}
		s.total += o.total
		s.fold()
		s.maybeDense()
		return
	}
	s.toDense()
	if s == o {
		d := s.dense
		for j := d.low; j <= d.top; j++ {
			d.bins[j-d.offset] *= 2
		}
		s.total *= 2
		return
	}
	o.each(func(i int, c float64) bool {
		s.dense.add(i, c, s.maxBins)
		return false
	})
	s.total += o.total
}

// denseCopy returns the library's dense store with the counts of s, which
// encodes them in the library's formats.
func (s *binStore) denseCopy() *store.DenseStore {
	d := store.NewDenseStore()
	s.each(func(i int, c float64) bool { d.AddWithCount(i, c); return false })
	return d
}

// ToProto returns the protobuf form of s.
func (s *binStore) ToProto() *sketchpb.Store { return s.denseCopy().ToProto() }

// EncodeProto writes s to a protobuf builder.
func (s *binStore) EncodeProto(builder *sketchpb.StoreBuilder) { s.denseCopy().EncodeProto(builder) }

// Reweight multiplies every count by w > 0.
func (s *binStore) Reweight(w float64) error {
	if w <= 0 {
		return errors.New("metric: can't reweight a sketch store by a non-positive factor")
	}
	if w == 1 {
		return nil
	}
	s.toDense()
	if d := s.dense; d.populated {
		for j := d.low; j <= d.top; j++ {
			d.bins[j-d.offset] *= w
		}
	}
	s.total *= w
	return nil
}

// Encode appends s in the library's encoding, as its dense store would.
func (s *binStore) Encode(b *[]byte, t enc.FlagType) { s.denseCopy().Encode(b, t) }

// DecodeAndMergeWith adds the counts encoded at the start of *b, advancing
// it past them.
func (s *binStore) DecodeAndMergeWith(b *[]byte, mode enc.SubFlag) error {
	return store.DecodeAndMergeWith(s, b, mode)
}

var _ store.Store = (*binStore)(nil)
