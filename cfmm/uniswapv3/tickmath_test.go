package uniswapv3

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/holiman/uint256"
)

func TestSqrtRatioAtTickVectors(t *testing.T) {
	rows := readCSV(t, "tickmath_get_sqrt_ratio_at_tick.csv")
	if len(rows) != 32 {
		t.Fatalf("got %d rows, want 32", len(rows))
	}
	for _, row := range rows {
		tick, err := strconv.ParseInt(row[0], 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		want := num(t, row[1])
		got, err := SqrtRatioAtTick(int32(tick))
		if err != nil || got != want {
			t.Errorf("SqrtRatioAtTick(%d) = %s, %v; want %s (%s)", tick, got.Dec(), err, want.Dec(), row[2])
		}
	}
}

func TestTickAtSqrtRatioVectors(t *testing.T) {
	rows := readCSV(t, "tickmath_get_tick_at_sqrt_ratio.csv")
	if len(rows) != 17 {
		t.Fatalf("got %d rows, want 17", len(rows))
	}
	for _, row := range rows {
		price := num(t, row[0])
		want, err := strconv.ParseInt(row[1], 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		got, err := TickAtSqrtRatio(&price)
		if err != nil || int64(got) != want {
			t.Errorf("TickAtSqrtRatio(%s) = %d, %v; want %d (%s)", row[0], got, err, want, row[2])
		}
	}
}

func TestTickMathReverts(t *testing.T) {
	for _, tick := range []int32{MinTick - 1, MaxTick + 1, math.MinInt32, math.MaxInt32} {
		if _, err := SqrtRatioAtTick(tick); reason(err) != "T" {
			t.Errorf("SqrtRatioAtTick(%d): err %v, want revert T", tick, err)
		}
	}
	belowMin := MinSqrtRatio()
	belowMin.SubUint64(&belowMin, 1)
	for _, p := range []uint256.Int{{}, belowMin, MaxSqrtRatio(), maxUint160, maxUint256} {
		if _, err := TickAtSqrtRatio(&p); reason(err) != "R" {
			t.Errorf("TickAtSqrtRatio(%s): err %v, want revert R", p.Dec(), err)
		}
	}
	if s, _ := SqrtRatioAtTick(MinTick); s != MinSqrtRatio() {
		t.Errorf("SqrtRatioAtTick(MinTick) = %s, want MinSqrtRatio", s.Dec())
	}
	if s, _ := SqrtRatioAtTick(MaxTick); s != MaxSqrtRatio() {
		t.Errorf("SqrtRatioAtTick(MaxTick) = %s, want MaxSqrtRatio", s.Dec())
	}
}

// TestTickMathInverse checks that the two functions, which share no
// constants but the tie-break, invert each other: the price of tick t maps
// back to t, and one unit below it to t−1. The ticks cover every bit of
// |tick| and a stride through the whole range.
func TestTickMathInverse(t *testing.T) {
	ticks := []int32{MinTick, MinTick + 1, MaxTick - 1, 0, 1, -1}
	for b := 0; b < 20; b++ {
		for _, v := range []int32{1 << b, 1<<b - 1, 1<<b + 1} {
			if v <= MaxTick {
				ticks = append(ticks, v, -v)
			}
		}
	}
	for tick := MinTick; tick < MaxTick; tick += 97 {
		ticks = append(ticks, tick)
	}
	for _, tick := range ticks {
		s, err := SqrtRatioAtTick(tick)
		if err != nil {
			t.Fatalf("SqrtRatioAtTick(%d): %v", tick, err)
		}
		if got, err := TickAtSqrtRatio(&s); err != nil || got != tick {
			t.Errorf("TickAtSqrtRatio(SqrtRatioAtTick(%d)) = %d, %v", tick, got, err)
		}
		if tick > MinTick {
			s.SubUint64(&s, 1)
			if got, err := TickAtSqrtRatio(&s); err != nil || got != tick-1 {
				t.Errorf("TickAtSqrtRatio(SqrtRatioAtTick(%d)-1) = %d, %v", tick, got, err)
			}
		}
	}
}

// TestTickEstimateExact checks the floating-point tick against the
// contract's method at random prices over the whole range and at prices
// within a few units of tick boundaries, where the estimate must defer.
func TestTickEstimateExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(p *uint256.Int) {
		if p.Lt(&minSqrtRatio) || !p.Lt(&maxSqrtRatio) {
			return
		}
		want, err := tickAtSqrtRatioExact(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := tickEstimate(p); ok && got != want {
			t.Fatalf("tickEstimate(%s) = %d, want %d", p.Dec(), got, want)
		}
		if got, _ := TickAtSqrtRatio(p); got != want {
			t.Fatalf("TickAtSqrtRatio(%s) = %d, want %d", p.Dec(), got, want)
		}
	}
	deferred := 0
	for range 200000 {
		tick := MinTick + rng.Int32N(MaxTick-MinTick)
		s, _ := SqrtRatioAtTick(tick)
		var d uint256.Int
		d.SetUint64(rng.Uint64N(4))
		for _, p := range []uint256.Int{*new(uint256.Int).Add(&s, &d), *new(uint256.Int).Sub(&s, &d)} {
			check(&p)
			if _, ok := tickEstimate(&p); !ok {
				deferred++
			}
		}
		// A random point within the tick.
		next, _ := SqrtRatioAtTick(min(tick+1, MaxTick))
		var w uint256.Int
		w.Sub(&next, &s)
		w.Rsh(&w, uint(rng.IntN(64)))
		w.Add(&w, &s)
		check(&w)
	}
	if deferred == 0 {
		t.Fatal("no price near a boundary deferred to the exact method")
	}
}
