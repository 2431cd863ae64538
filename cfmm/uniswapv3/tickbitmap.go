package uniswapv3

import (
	"math/bits"

	"github.com/holiman/uint256"
)

// tickBitmap marks initialized ticks (TickBitmap). Ticks are compressed by
// the spacing (tick/tickSpacing) and packed 256 to a word: compressed tick c
// is bit c&255 of word c>>8. The contract keeps words in a mapping; here the
// few words a spacing can reach are a dense slice starting at word minWord,
// and words outside it read as zero.
type tickBitmap struct {
	tickSpacing int32
	minWord     int32
	words       []uint256.Int
}

func newTickBitmap(tickSpacing int32) tickBitmap {
	lo := floorDiv(MinTick, tickSpacing) >> 8
	hi := floorDiv(MaxTick, tickSpacing) >> 8
	return tickBitmap{tickSpacing: tickSpacing, minWord: lo, words: make([]uint256.Int, hi-lo+1)}
}

// floorDiv returns floor(a/b) for b > 0.
func floorDiv(a, b int32) int32 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func (b *tickBitmap) word(pos int64) uint256.Int {
	i := pos - int64(b.minWord)
	if i < 0 || i >= int64(len(b.words)) {
		return uint256.Int{}
	}
	return b.words[i]
}

// flip toggles the initialized bit of tick (TickBitmap.flipTick). The
// caller has checked that tick is a multiple of the spacing (the contract's
// require) within [MinTick, MaxTick].
func (b *tickBitmap) flip(tick int32) {
	c := tick / b.tickSpacing
	i := int64(c>>8) - int64(b.minWord)
	if i < 0 || i >= int64(len(b.words)) {
		return
	}
	bit := uint(c & 0xff)
	b.words[i][bit/64] ^= 1 << (bit % 64)
}

// next returns the next initialized tick at or below tick (lte) or above it,
// looking no further than the 256-bit word of the starting compressed tick
// (TickBitmap.nextInitializedTickWithinOneWord). If the word holds none, it
// returns the word's last tick in that direction and initialized = false, so
// a swap advances by at most one word per step.
func (b *tickBitmap) next(tick int32, lte bool) (next int32, initialized bool) {
	ts := int64(b.tickSpacing)
	compressed := int64(floorDiv(tick, b.tickSpacing))
	if lte {
		bitPos := uint(compressed & 0xff)
		w := b.word(compressed >> 8)
		// Bits at or to the right of bitPos.
		var masked uint256.Int
		masked.SetAllOne()
		masked.Rsh(&masked, 255-bitPos)
		masked.And(&masked, &w)
		if masked.IsZero() {
			return int32((compressed - int64(bitPos)) * ts), false
		}
		msb := uint(masked.BitLen() - 1)
		return int32((compressed - int64(bitPos-msb)) * ts), true
	}
	// Start from the next compressed tick: the current one does not matter.
	compressed++
	bitPos := uint(compressed & 0xff)
	w := b.word(compressed >> 8)
	// Bits at or to the left of bitPos.
	var masked uint256.Int
	masked.SetAllOne()
	masked.Lsh(&masked, bitPos)
	masked.And(&masked, &w)
	if masked.IsZero() {
		return int32((compressed + int64(255-bitPos)) * ts), false
	}
	return int32((compressed + int64(lsb(&masked)-bitPos)) * ts), true
}

// lsb returns the index of the lowest set bit of a non-zero x.
func lsb(x *uint256.Int) uint {
	for i, limb := range x {
		if limb != 0 {
			return uint(i*64 + bits.TrailingZeros64(limb))
		}
	}
	return 256
}

// span returns the starting ticks lo..hi, inclusive, for which next(·, lte)
// answers the tick r it answered: with lte, those from r's compressed tick
// up to just below the next initialized one in r's word (or the word's
// end); without, those whose successor lies between the initialized tick
// before r in r's word (or the word's start) and r.
func (b *tickBitmap) span(r int32, lte bool) (lo, hi int32) {
	ts := b.tickSpacing
	c := floorDiv(r, ts) // r is a multiple of the spacing
	if lte {
		cHi := c
		if c&0xff != 0xff {
			n, initialized := b.next(r, false) // searches from c+1, in c's word
			cHi = floorDiv(n, ts)
			if initialized {
				cHi--
			}
		}
		return c * ts, (cHi+1)*ts - 1
	}
	cLo := c
	if c&0xff != 0 {
		n, initialized := b.next((c-1)*ts, true) // searches from c−1, in c's word
		cLo = floorDiv(n, ts)
		if initialized {
			cLo++
		}
	}
	return (cLo - 1) * ts, c*ts - 1
}
