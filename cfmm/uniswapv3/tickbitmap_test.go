package uniswapv3

import (
	"math/rand/v2"
	"testing"
)

// TestNextInitializedTickTable uses v3-core's TickBitmap.spec.ts layout:
// ticks -200, -55, -4, 70, 78, 84, 139, 240, 535 initialized, spacing 1.
func TestNextInitializedTickTable(t *testing.T) {
	tests := []struct {
		name     string
		extra    int32 // another tick to initialize, 0 for none
		tick     int32
		lte      bool
		want     int32
		wantInit bool
	}{
		{"right of an initialized tick", 0, 78, false, 84, true},
		{"right of a negative initialized tick", 0, -55, false, -4, true},
		{"directly to the right", 0, 77, false, 78, true},
		{"directly to the right, negative", 0, -56, false, -55, true},
		{"next word from the right boundary", 0, 255, false, 511, false},
		{"next word from the right boundary, negative", 0, -257, false, -200, true},
		{"next word's initialized tick", 340, 328, false, 340, true},
		{"does not pass the word boundary", 0, 508, false, 511, false},
		{"skips a whole word", 0, 255, false, 511, false},
		{"skips half a word", 0, 383, false, 511, false},
		{"same tick when initialized", 0, 78, true, 78, true},
		{"directly to the left", 0, 79, true, 78, true},
		{"stops at the word boundary", 0, 258, true, 256, false},
		{"at the word boundary", 0, 256, true, 256, false},
		{"word boundary less one", 0, 72, true, 70, true},
		{"negative word boundary", 0, -257, true, -512, false},
		{"entire empty word", 0, 1023, true, 768, false},
		{"half an empty word", 0, 900, true, 768, false},
		{"initialized word boundary", 329, 456, true, 329, true},
	}
	for _, tt := range tests {
		b := newTickBitmap(1)
		for _, tick := range []int32{-200, -55, -4, 70, 78, 84, 139, 240, 535} {
			b.flip(tick)
		}
		if tt.extra != 0 {
			b.flip(tt.extra)
		}
		got, init := b.next(tt.tick, tt.lte)
		if got != tt.want || init != tt.wantInit {
			t.Errorf("%s: next(%d, lte=%v) = %d, %v; want %d, %v", tt.name, tt.tick, tt.lte, got, init, tt.want, tt.wantInit)
		}
	}
}

// TestNextInitializedTickBruteForce compares the word-bounded search with a
// scan of the initialized ticks, for several spacings and random layouts.
func TestNextInitializedTickBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, ts := range []int32{1, 10, 60, 200} {
		b := newTickBitmap(ts)
		set := map[int64]bool{} // compressed ticks
		lo, hi := MinUsableTick(ts)/ts, MaxUsableTick(ts)/ts
		var queries []int32
		for range 400 {
			c := lo + rng.Int32N(hi-lo+1)
			b.flip(c * ts)
			set[int64(c)] = !set[int64(c)]
			queries = append(queries, c*ts-1, c*ts, c*ts+1, c*ts+ts/2)
		}
		for range 2000 {
			queries = append(queries, MinTick+rng.Int32N(MaxTick-MinTick+1))
		}
		queries = append(queries, MinTick, MaxTick, 0, -1, 255*ts, 256*ts, -256*ts, -257*ts)
		for _, q := range queries {
			if q < MinTick || q > MaxTick {
				continue
			}
			for _, lte := range []bool{true, false} {
				want, wantInit := scanNext(set, q, ts, lte)
				got, init := b.next(q, lte)
				if got != want || init != wantInit {
					t.Fatalf("spacing %d: next(%d, lte=%v) = %d, %v; want %d, %v", ts, q, lte, got, init, want, wantInit)
				}
			}
		}
	}
}

func scanNext(set map[int64]bool, tick, ts int32, lte bool) (int32, bool) {
	c := int64(floorDiv(tick, ts))
	if lte {
		start := c >> 8 << 8
		for x := c; x >= start; x-- {
			if set[x] {
				return int32(x * int64(ts)), true
			}
		}
		return int32(start * int64(ts)), false
	}
	c++
	end := c>>8<<8 + 255
	for x := c; x <= end; x++ {
		if set[x] {
			return int32(x * int64(ts)), true
		}
	}
	return int32(end * int64(ts)), false
}

// TestNextTickSpan checks that every starting tick of a span answers what
// the span's answer is, and that the ticks just outside it answer
// otherwise, on random bitmaps of several spacings and densities.
func TestNextTickSpan(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, ts := range []int32{1, 10, 60, 200} {
		for _, density := range []int{3, 40, 600} {
			b := newTickBitmap(ts)
			lo, hi := MinUsableTick(ts), MaxUsableTick(ts)
			// Cluster ticks near zero so that words hold several.
			for range density {
				c := int32(rng.NormFloat64() * 600)
				tick := min(max(c*ts, lo), hi)
				b.flip(tick)
			}
			for range 3000 {
				start := int32(rng.NormFloat64() * 900 * float64(ts))
				start = min(max(start, MinTick), MaxTick)
				for _, lte := range []bool{true, false} {
					r, init := b.next(start, lte)
					sLo, sHi := b.span(r, lte)
					if start < sLo || start > sHi {
						t.Fatalf("ts %d: span(%d, %v) = [%d, %d] misses the start %d", ts, r, lte, sLo, sHi, start)
					}
					for _, s := range []int32{sLo, sHi, sLo + (sHi-sLo)/2, sLo + rng.Int32N(sHi-sLo+1)} {
						if got, gotInit := b.next(s, lte); got != r || gotInit != init {
							t.Fatalf("ts %d: next(%d, %v) = %d, %v; span of %d says %d, %v", ts, s, lte, got, gotInit, start, r, init)
						}
					}
					for _, s := range []int32{sLo - 1, sHi + 1} {
						if got, _ := b.next(s, lte); got == r {
							t.Fatalf("ts %d: span(%d, %v) = [%d, %d] stops short: next(%d) = %d too", ts, r, lte, sLo, sHi, s, got)
						}
					}
				}
			}
		}
	}
}
