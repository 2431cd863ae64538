// Package cfmm defines what the rest of Cascade sees of a constant-function
// market maker: quotes, exact-input swaps, marginal prices and the holdings
// that belong to liquidity providers.
//
// Each protocol lives in its own sub-package (uniswapv2, uniswapv3,
// stableswap, weighted) as a pure state machine: no clock, no randomness, no
// I/O, and the protocol's own integer arithmetic and rounding. Amounts are raw
// token units (for an 18-decimal token, 1 token = 1e18 units) held in
// uint256.Int values, exactly as the contracts hold them.
//
// Agents decide in float64 (how much to trade), mechanisms execute in integers
// (what the trade returns); a Quote or Swap therefore returns the same units
// the contract would.
package cfmm

import (
	"errors"
	"math"

	"github.com/holiman/uint256"
)

// Pool is a constant-function market maker seen from outside. Token indices
// are positions in the pool's token list, 0 to NumTokens()-1.
type Pool interface {
	// NumTokens returns how many tokens the pool trades.
	NumTokens() int
	// SpotPrice returns the marginal price of token i in token j, before fees:
	// raw units of j per raw unit of i for an infinitesimal trade.
	SpotPrice(i, j int) float64
	// Quote returns what Swap(i, j, amountIn) would return, leaving the pool
	// unchanged.
	Quote(i, j int, amountIn *uint256.Int) (Trade, error)
	// Swap sells exactly amountIn raw units of token i to the pool for token j.
	// On error the pool is unchanged (the contract reverts).
	Swap(i, j int, amountIn *uint256.Int) (Trade, error)
	// LPHoldings writes into dst (length NumTokens()) the raw amount of each
	// token that belongs to liquidity providers, including earned fees not yet
	// collected, and excluding liquidity locked forever or owed to the
	// protocol.
	LPHoldings(dst []uint256.Int)
	// FeeRate returns the swap fee as a fraction of the trade (0.003 for
	// 0.3%); agents use it to skip trades that cannot pay.
	FeeRate() float64
	// Clone returns an independent deep copy, so a pool built once from a
	// scenario can start every run from the same state.
	Clone() Pool
}

// SwapperInto is a Pool that can write a swap's trade into the caller's
// Trade rather than return it, sparing the copies of a returned value on a
// hot path. SwapInto(i, j, amountIn, t) sets *t to what Swap(i, j,
// amountIn) returns (the zero Trade on error) and changes the pool as Swap
// does.
type SwapperInto interface {
	SwapInto(i, j int, amountIn *uint256.Int, t *Trade) error
}

// Estimator is a Pool that also prices trades in float64, for searches
// (an arbitrageur's optimal size) that evaluate many candidate amounts and
// then execute the one they choose once, in the pool's exact math.
type Estimator interface {
	Pool
	// EstimateOut returns about what Quote(i, j, in).Out would pay for in
	// raw units of token i, in raw units of token j, from the pool's
	// current state; ok is false where Quote would fail (a bad index, a
	// trade above the pool's limits). It leaves the pool unchanged.
	EstimateOut(i, j int, in float64) (out float64, ok bool)
}

// Optimizer is an Estimator that also finds the most profitable trade
// against an external price on its estimate, in closed form or by a few
// Newton steps, where a search would evaluate EstimateOut dozens of times.
type Optimizer interface {
	Estimator
	// OptimalIn returns the input a, in raw units of token i, that
	// maximizes EstimateOut(i, j, a) − price·a for price in raw units of j
	// per raw unit of i (what the external market pays): where the
	// marginal output net of fees equals price. It returns 0 when the
	// marginal output of a first unit is at most price or the indices are
	// invalid, and an optimum beyond the pool's limits (or beyond 10
	// times the pool's balance of i) is cut to them.
	OptimalIn(i, j int, price float64) float64
}

// Trade is the outcome of an exact-input swap.
type Trade struct {
	// In is the amount of the input token the pool received.
	In uint256.Int
	// Out is the amount of the output token the pool paid.
	Out uint256.Int
	// Fee is the part of the trade retained as a fee, in units of FeeToken.
	Fee uint256.Int
	// FeeToken is the index of the token the fee is denominated in (the input
	// token for Uniswap and Balancer, the output token for Curve).
	FeeToken int
}

// Revert is a swap or liquidity operation the contract would reject. Reason
// is the contract's revert string where it has one (for example
// "UniswapV2: K" or "SPL").
type Revert struct{ Reason string }

func (r *Revert) Error() string { return "reverted: " + r.Reason }

// IsRevert reports whether err is a contract revert.
func IsRevert(err error) bool {
	var r *Revert
	return errors.As(err, &r)
}

// Amount converts an amount an agent decided in floating point to raw
// units: floor(f) for f ≥ 1, zero for smaller values and NaN, and saturating
// at 2^256 − 1.
func Amount(f float64) uint256.Int {
	if lo, hi, ok := Amount128(f); ok {
		return uint256.Int{lo, hi}
	}
	return amountWide(f)
}

// Amount128 is Amount's common case, f in [1, 2^126), as two words
// floor(f) = hi·2^64 + lo; ok is false, and the words zero, outside it. It
// makes no call, so that hot loops can inline it.
func Amount128(f float64) (lo, hi uint64, ok bool) {
	if !(f >= 1 && f < 0x1p126) {
		return 0, 0, false
	}
	// f = h·2^63 + l with both parts exact (f has 53 significant bits)
	// and below 2^63: signed conversions, which truncate (the floor for
	// f > 0) in one instruction, where an unsigned one would branch on
	// a top bit that trade sizes near 2^63 set at random.
	h := int64(f * 0x1p-63)
	l := int64(f - float64(h)*0x1p63)
	return uint64(l) | uint64(h)<<63, uint64(h) >> 1, true
}

// amountWide is Amount for f outside [1, 2^126).
func amountWide(f float64) uint256.Int {
	var z uint256.Int
	switch {
	case !(f >= 1):
	case f < 0x1p127:
		hi := math.Floor(f * 0x1p-64)
		z[1], z[0] = uint64(hi), uint64(f-hi*0x1p64)
	case f >= 0x1p256:
		z.SetAllOne()
	default:
		frac, exp := math.Frexp(f) // f = frac·2^exp, frac in [0.5, 1), exp > 63
		z.SetUint64(uint64(frac * (1 << 53)))
		z.Lsh(&z, uint(exp-53))
	}
	return z
}

// Float converts a raw amount to float64 for agents' decisions and for
// metrics, within a few units in the last place (uint256's own Float64
// truncates similarly); amounts below 2^128 take two conversions, a
// multiplication by 2^64 and an addition instead of a 256-bit shift.
func Float(x *uint256.Int) float64 {
	if x[2]|x[3] != 0 || x[1] >= 1<<63 {
		return x.Float64()
	}
	return Float128(x[1], x[0])
}

// Float128 returns hi·2^64 + lo in float64, for hi < 2^63, within a few
// units in the last place: Float's common case, for callers that hold the
// two words.
func Float128(hi, lo uint64) float64 {
	// Only signed conversions, which are single instructions: an unsigned
	// one branches on the top bit, which the low word sets at random.
	return float64(int64(hi))*0x1p64 + float64(int64(lo>>1))*2 + float64(lo&1)
}
