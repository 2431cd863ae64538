package uniswapv3

import (
	"math"
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// Tick bounds: the ticks whose prices 1.0001^tick stay within what a Q64.96
// square root can hold (TickMath.MIN_TICK and MAX_TICK).
const (
	MinTick int32 = -887272
	MaxTick int32 = 887272
)

var (
	minSqrtRatio = uint256.Int{4295128739, 0, 0, 0}
	maxSqrtRatio = *uint256.MustFromDecimal("1461446703485210103287273052203988822378723970342")

	// Default price limits of an unbounded swap: one inside each extreme.
	minSqrtRatioPlusOne  = uint256.Int{4295128740, 0, 0, 0}
	maxSqrtRatioMinusOne = *new(uint256.Int).SubUint64(&maxSqrtRatio, 1)
)

// MinSqrtRatio returns SqrtRatioAtTick(MinTick) = 4295128739, the lowest
// sqrtPriceX96 a pool can have (TickMath.MIN_SQRT_RATIO).
func MinSqrtRatio() uint256.Int { return minSqrtRatio }

// MaxSqrtRatio returns SqrtRatioAtTick(MaxTick), one above the highest
// sqrtPriceX96 a pool can have (TickMath.MAX_SQRT_RATIO).
func MaxSqrtRatio() uint256.Int { return maxSqrtRatio }

// sqrtRatioFactors[i] is 2^128/sqrt(1.0001)^(2^i) rounded to the nearest
// integer: the Q128.128 factor for bit i of |tick|. Each is below 2^128 and
// is kept as its two low 64-bit limbs.
var sqrtRatioFactors = func() (f [20][2]uint64) {
	for i, h := range [20]string{
		"0xfffcb933bd6fad37aa2d162d1a594001",
		"0xfff97272373d413259a46990580e213a",
		"0xfff2e50f5f656932ef12357cf3c7fdcc",
		"0xffe5caca7e10e4e61c3624eaa0941cd0",
		"0xffcb9843d60f6159c9db58835c926644",
		"0xff973b41fa98c081472e6896dfb254c0",
		"0xff2ea16466c96a3843ec78b326b52861",
		"0xfe5dee046a99a2a811c461f1969c3053",
		"0xfcbe86c7900a88aedcffc83b479aa3a4",
		"0xf987a7253ac413176f2b074cf7815e54",
		"0xf3392b0822b70005940c7a398e4b70f3",
		"0xe7159475a2c29b7443b29c7fa6e889d9",
		"0xd097f3bdfd2022b8845ad8f792aa5825",
		"0xa9f746462d870fdf8a65dc1f90e061e5",
		"0x70d869a156d2a1b890bb3df62baf32f7",
		"0x31be135f97d08fd981231505542fcfa6",
		"0x9aa508b5b7a84e1c677de54f3e99bc9",
		"0x5d6af8dedb81196699c329225ee604",
		"0x2216e584f5fa1ea926041bedfe98",
		"0x48a170391f7dc42444e8fa2",
	} {
		x := uint256.MustFromHex(h)
		f[i] = [2]uint64{x[0], x[1]}
	}
	return f
}()

// mul128 returns the 256-bit product of the 128-bit numbers (a1, a0) and
// (b1, b0), most significant limb first.
func mul128(a1, a0, b1, b0 uint64) (w3, w2, w1, w0 uint64) {
	h00, w0 := bits.Mul64(a0, b0)
	h01, l01 := bits.Mul64(a0, b1)
	h10, l10 := bits.Mul64(a1, b0)
	h11, l11 := bits.Mul64(a1, b1)
	var c1, c2 uint64
	w1, c1 = bits.Add64(h00, l01, 0)
	w1, c2 = bits.Add64(w1, l10, 0)
	w2, c1 = bits.Add64(h01, h10, c1)
	w3 = h11 + c1
	w2, c1 = bits.Add64(w2, l11, c2)
	w3 += c1
	return w3, w2, w1, w0
}

// SqrtRatioAtTick returns sqrt(1.0001^tick)·2^96 as a Q64.96
// (TickMath.getSqrtRatioAtTick). The product of the per-bit factors is
// formed in Q128.128 for |tick|, each multiplication truncating the low 128
// bits, inverted as (2^256−1)/ratio for positive ticks, and the final
// conversion to Q64.96 rounds up, so that TickAtSqrtRatio of the result is
// tick. It reverts "T" if |tick| > MaxTick.
func SqrtRatioAtTick(tick int32) (uint256.Int, error) {
	abs := int64(tick)
	if abs < 0 {
		abs = -abs
	}
	if abs > int64(MaxTick) {
		return uint256.Int{}, errT
	}
	// The ratio starts at 1.0 = 2^128, which needs a third limb; until the
	// first factor it is tracked by one instead, since 2^128·f >> 128 = f.
	var r1, r0 uint64
	one := true
	for i := range sqrtRatioFactors {
		if abs&(1<<i) == 0 {
			continue
		}
		f := &sqrtRatioFactors[i]
		if one {
			r1, r0, one = f[1], f[0], false
			continue
		}
		r1, r0, _, _ = mul128(r1, r0, f[1], f[0])
	}
	ratio := uint256.Int{r0, r1, 0, 0}
	if one {
		ratio = q128
	}
	if tick > 0 {
		ratio.Div(&maxUint256, &ratio)
	}
	roundUp := ratio[0]&(1<<32-1) != 0
	ratio.Rsh(&ratio, 32)
	if roundUp {
		ratio.AddUint64(&ratio, 1)
	}
	return ratio, nil
}

var (
	// log base sqrt(1.0001) of 2 as a Q64.64: times a Q64.64 log2 it gives
	// the Q128.128 log base sqrt(1.0001), that is the tick.
	log2ToLogSqrt10001 = *uint256.MustFromDecimal("255738958999603826347141")
	// Error bounds of the 14-bit log2 approximation, in Q128.128 ticks.
	tickLowOffset = *uint256.MustFromDecimal("3402992956809132418596140100660247210")
	tickHiOffset  = *uint256.MustFromDecimal("291339464771989622907027621153398088495")
)

// TickAtSqrtRatio returns the greatest tick t with SqrtRatioAtTick(t) <=
// sqrtPriceX96 (TickMath.getTickAtSqrtRatio). It reverts "R" unless
// MinSqrtRatio() <= sqrtPriceX96 < MaxSqrtRatio().
//
// The tick is first estimated in floating point, t̂ = 2·(ln P − 96·ln 2) /
// ln 1.0001, within 1e-9 of the exact real value (P's conversion and the
// logarithm, at most 111, err by a few units in the last place, 2e-14,
// which the factor 2/ln 1.0001 ≈ 20,000 scales to 4e-10).
// SqrtRatioAtTick(t) itself lies within 5e-6 ticks of the real sqrt
// 1.0001^(t/2)·2^96 (its Q64.96 rounding is at most 2^-32 relative, at
// MinTick). So when t̂ is more than 1e-4 from an integer, floor(t̂) is the
// contract's tick; otherwise the contract's method settles it.
func TickAtSqrtRatio(sqrtPriceX96 *uint256.Int) (int32, error) {
	if sqrtPriceX96.Lt(&minSqrtRatio) || !sqrtPriceX96.Lt(&maxSqrtRatio) {
		return 0, errR
	}
	if t, ok := tickEstimate(sqrtPriceX96); ok {
		return t, nil
	}
	return tickAtSqrtRatioExact(sqrtPriceX96)
}

// ticksPerLn is 2/ln(1.0001): ticks per unit of ln of the sqrt price.
var ticksPerLn = 2 / math.Log(1.0001)

// tickEstimate returns floor(t̂) for a price within TickMath's range, and
// whether t̂ is far enough from an integer (1e-4) for that to be exact.
func tickEstimate(p *uint256.Int) (int32, bool) {
	t := (math.Log(cfmm.Float(p)) - 96*math.Ln2) * ticksPerLn
	f := math.Floor(t)
	if d := t - f; d < 1e-4 || d > 1-1e-4 {
		return 0, false
	}
	return int32(f), true
}

// tickAtSqrtRatioExact is TickMath.getTickAtSqrtRatio step by step for a
// price within its range: log2 of the price to 14 fractional bits,
// converted to a range of at most two candidate ticks, settled exactly.
func tickAtSqrtRatioExact(sqrtPriceX96 *uint256.Int) (int32, error) {
	var ratio, r uint256.Int
	ratio.Lsh(sqrtPriceX96, 32)
	msb := uint(ratio.BitLen() - 1)
	if msb >= 128 {
		r.Rsh(&ratio, msb-127)
	} else {
		r.Lsh(&ratio, 127-msb)
	}

	// log2 = (msb-128)·2^64 as a two's-complement int256 (a Q64.64).
	var log2 uint256.Int
	if msb >= 128 {
		log2.SetUint64(uint64(msb - 128))
		log2.Lsh(&log2, 64)
	} else {
		log2.SetUint64(uint64(128 - msb))
		log2.Lsh(&log2, 64)
		log2.Neg(&log2)
	}
	// Each squaring of the normalised mantissa r in [2^127, 2^128), a Q1.127
	// in [1, 2), yields one more fractional bit of log2: r² >> 127 lies in
	// [2^127, 2^129), bit 128 is the next bit, and shifting it out
	// renormalises. The contract stops after 14 bits.
	r1, r0 := r[1], r[0]
	for bit := 63; bit >= 50; bit-- {
		w3, w2, w1, _ := mul128(r1, r0, r1, r0)
		s2, s1, s0 := w3>>63, w3<<1|w2>>63, w2<<1|w1>>63 // r² >> 127
		log2[0] |= s2 << uint(bit)
		if s2 != 0 {
			s0, s1 = s0>>1|s1<<63, s1>>1|s2<<63
		}
		r1, r0 = s1, s0
	}

	var logSqrt, lo, hi uint256.Int
	logSqrt.Mul(&log2, &log2ToLogSqrt10001)
	lo.Sub(&logSqrt, &tickLowOffset)
	lo.SRsh(&lo, 128)
	hi.Add(&logSqrt, &tickHiOffset)
	hi.SRsh(&hi, 128)
	tickLow := int32(int64(lo[0]))
	tickHi := int32(int64(hi[0]))
	if tickLow == tickHi {
		return tickLow, nil
	}
	s, err := SqrtRatioAtTick(tickHi)
	if err != nil {
		return 0, err
	}
	if !s.Gt(sqrtPriceX96) {
		return tickHi, nil
	}
	return tickLow, nil
}
