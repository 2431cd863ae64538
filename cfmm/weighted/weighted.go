// Package weighted implements Balancer v2 weighted pools as the EVM
// executes them: the FixedPoint and LogExpMath libraries (18-decimal fixed
// point with directed rounding, and a power function built from a
// truncating logarithm and exponential), WeightedMath's invariant and swap
// formulas, and the swap path of a weighted pool behind the Vault.
//
// A pool of n tokens with normalized weights w_i (summing to 1) keeps
// ∏ B_i^w_i constant, less fees. Amounts are raw token units; the pool
// upscales them to 18 decimals (times 10^(18−decimals)) before the math and
// downscales results, rounding in its own favour. The swap fee is taken from
// the input: on an exact-input swap the fee MulUp(amountIn, fee) is
// subtracted before the math; on an exact-output swap the math's input is
// divided by (1 − fee), rounding up.
//
// Protocol fees on swaps are not modelled: liquidity providers own the
// whole balances, as with a zero protocol swap fee percentage. Joins and
// exits (BPT) are not modelled either.
package weighted

import (
	"errors"
	"math"
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// Pool limits.
const (
	// MinTokens is the smallest number of tokens of a Pool.
	MinTokens = 2
	// MaxTokens is the largest number of tokens of a Pool, that of the
	// original WeightedPool.
	MaxTokens = 8
	// MinSwapFee is the smallest swap fee, 1e-6 (0.0001 %), 18-decimal.
	MinSwapFee = 1_000_000_000_000
	// MaxSwapFee is the largest swap fee, 0.1 (10 %), 18-decimal.
	MaxSwapFee = 100_000_000_000_000_000
)

var (
	errNilAmount = errors.New("weighted: nil amount")
	// maxBalance is the largest balance the Vault stores (uint112).
	maxBalance = new(uint256.Int).SubUint64(new(uint256.Int).Lsh(uint256.NewInt(1), 112), 1)
)

// Config describes a pool: its tokens' weights and decimals, its swap fee
// and its initial balances.
type Config struct {
	// Weights are the normalized weights, 18-decimal fractions, each at
	// least MinWeight and summing to exactly One. Their count (2 to
	// MaxTokens) is the number of tokens.
	Weights []uint256.Int
	// Decimals holds each token's decimals (at most 18); nil means 18 for
	// all.
	Decimals []uint8
	// SwapFee is the swap fee percentage, 18-decimal, in
	// [MinSwapFee, MaxSwapFee].
	SwapFee uint256.Int
	// Balances are the initial raw balances, at most 2^112 − 1 each.
	Balances []uint256.Int
}

// Pool is a Balancer v2 weighted pool with its Vault balances. It is a
// plain value without pointers, so copying it (as Clone does) gives an
// independent pool.
type Pool struct {
	n        int
	balances [MaxTokens]uint256.Int // raw units
	weights  [MaxTokens]uint256.Int
	scaling  [MaxTokens]uint256.Int // 10^(18−decimals)
	swapFee  uint256.Int

	// memo remembers the last exact-input swap computed and the state it
	// was computed from, so that a Swap of the amount just quoted (what an
	// arbitrageur does) does not compute it again.
	memo givenInMemo
}

// givenInMemo is one exact-input swap's output and fee and what they
// depend on: the pair, the input, the pair's balances and the swap fee.
type givenInMemo struct {
	valid             bool
	i, j              int
	in, bi, bj        uint256.Int
	swapFee, out, cut uint256.Int
}

var _ cfmm.Optimizer = (*Pool)(nil)

// New returns a pool configured by cfg. It fails with the contract's error
// (BAL#200/201 token count, BAL#302 weight below MinWeight, BAL#308 weights
// not summing to One, BAL#202/203 swap fee out of range, BAL#103 length
// mismatch) or a plain error for decimals above 18 or balances beyond
// uint112.
func New(cfg Config) (*Pool, error) {
	n := len(cfg.Weights)
	switch {
	case n < MinTokens:
		return nil, errMinTokens
	case n > MaxTokens:
		return nil, errMaxTokens
	case len(cfg.Balances) != n || (cfg.Decimals != nil && len(cfg.Decimals) != n):
		return nil, errLengthMismatch
	}
	p := &Pool{n: n}
	var sum uint256.Int
	for k := range n {
		w := &cfg.Weights[k]
		if w.LtUint64(MinWeight) {
			return nil, errMinWeight
		}
		sum.Add(&sum, w) // n <= 8 weights cannot wrap once each is checked below
		if sum.Gt(one) {
			return nil, errWeightSum
		}
		p.weights[k] = *w
		d := uint8(18)
		if cfg.Decimals != nil {
			d = cfg.Decimals[k]
		}
		if d > 18 {
			return nil, errors.New("weighted: more than 18 decimals")
		}
		p.scaling[k].SetUint64(pow10(18 - d))
		if cfg.Balances[k].Gt(maxBalance) {
			return nil, errors.New("weighted: balance exceeds uint112")
		}
		p.balances[k] = cfg.Balances[k]
	}
	if !sum.Eq(one) {
		return nil, errWeightSum
	}
	if err := p.SetSwapFee(&cfg.SwapFee); err != nil {
		return nil, err
	}
	return p, nil
}

func pow10(k uint8) uint64 {
	r := uint64(1)
	for range k {
		r *= 10
	}
	return r
}

// SetSwapFee changes the swap fee percentage (setSwapFeePercentage). It
// reverts with BAL#203 below MinSwapFee and BAL#202 above MaxSwapFee.
func (p *Pool) SetSwapFee(fee *uint256.Int) error {
	if fee == nil {
		return errNilAmount
	}
	if fee.LtUint64(MinSwapFee) {
		return errMinSwapFee
	}
	if fee.GtUint64(MaxSwapFee) {
		return errMaxSwapFee
	}
	p.swapFee = *fee
	return nil
}

// SwapFee returns the swap fee percentage (18-decimal).
func (p *Pool) SwapFee() uint256.Int { return p.swapFee }

// NumTokens returns the number of tokens.
func (p *Pool) NumTokens() int { return p.n }

// Weights writes the normalized weights into dst.
func (p *Pool) Weights(dst []uint256.Int) { copy(dst, p.weights[:p.n]) }

// Balances writes the raw balances into dst.
func (p *Pool) Balances(dst []uint256.Int) { copy(dst, p.balances[:p.n]) }

// LPHoldings writes the balances, which belong entirely to liquidity
// providers (swap fees stay in them; protocol fees are not modelled).
func (p *Pool) LPHoldings(dst []uint256.Int) { p.Balances(dst) }

// Clone returns an independent copy of the pool.
func (p *Pool) Clone() cfmm.Pool {
	c := *p
	return &c
}

// Invariant returns CalculateInvariant of the upscaled balances.
func (p *Pool) Invariant() (uint256.Int, error) {
	var up [MaxTokens]uint256.Int
	for k := range p.n {
		if _, o := up[k].MulOverflow(&p.balances[k], &p.scaling[k]); o {
			return uint256.Int{}, errMulOverflow
		}
	}
	return CalculateInvariant(p.weights[:p.n], up[:p.n])
}

// SpotPrice returns the marginal price of token i in token j before fees,
// raw units of j per raw unit of i: (B_j/w_j)/(B_i/w_i) in float64. It
// returns NaN for an invalid index and 1 when i == j.
func (p *Pool) SpotPrice(i, j int) float64 {
	if i < 0 || i >= p.n || j < 0 || j >= p.n {
		return math.NaN()
	}
	if i == j {
		return 1
	}
	return (p.balances[j].Float64() / p.weights[j].Float64()) /
		(p.balances[i].Float64() / p.weights[i].Float64())
}

func (p *Pool) checkPair(i, j int) error {
	if i < 0 || i >= p.n || j < 0 || j >= p.n {
		return errNotRegistered
	}
	if i == j {
		return errSameToken
	}
	return nil
}

// upscaled returns the pair's balances times their scaling factors
// (BasePool._upscale, a checked integer multiplication).
func (p *Pool) upscaled(i, j int) (bi, bj uint256.Int, err error) {
	if _, o := bi.MulOverflow(&p.balances[i], &p.scaling[i]); o {
		return bi, bj, errMulOverflow
	}
	if _, o := bj.MulOverflow(&p.balances[j], &p.scaling[j]); o {
		return bi, bj, errMulOverflow
	}
	return bi, bj, nil
}

// OutGivenIn returns what SwapGivenIn(i, j, amountIn, nil) would pay and the
// fee it would keep (raw units of i), leaving the pool unchanged.
func (p *Pool) OutGivenIn(i, j int, amountIn *uint256.Int) (out, fee uint256.Int, err error) {
	t, _, _, err := p.givenIn(i, j, amountIn, nil)
	return t.Out, t.Fee, err
}

// givenIn computes an exact-input swap and the resulting balances of i and
// j without changing the pool.
func (p *Pool) givenIn(i, j int, amountIn, minOut *uint256.Int) (t cfmm.Trade, bi, bj uint256.Int, err error) {
	if amountIn == nil {
		return t, bi, bj, errNilAmount
	}
	if err := p.checkPair(i, j); err != nil {
		return t, bi, bj, err
	}
	if amountIn.IsZero() {
		return t, bi, bj, errZeroAmount
	}
	m := &p.memo
	if !(m.valid && m.i == i && m.j == j && m.in == *amountIn && m.bi == p.balances[i] && m.bj == p.balances[j] && m.swapFee == p.swapFee) {
		out, fee, err := p.outGivenIn(i, j, amountIn)
		if err != nil {
			return t, bi, bj, err
		}
		*m = givenInMemo{true, i, j, *amountIn, p.balances[i], p.balances[j], p.swapFee, out, fee}
	}
	out, fee := m.out, m.cut
	// The Vault: limit check, then cash updates.
	if minOut != nil && out.Lt(minOut) {
		return t, bi, bj, errSwapLimit
	}
	if bi, bj, err = p.settle(i, j, amountIn, &out); err != nil {
		return t, bi, bj, err
	}
	t.In, t.Out, t.Fee, t.FeeToken = *amountIn, out, fee, i
	return t, bi, bj, nil
}

// outGivenIn is the pool's part of an exact-input swap of a nonzero
// amountIn: the output (raw units of j) and the fee (raw units of i).
func (p *Pool) outGivenIn(i, j int, amountIn *uint256.Int) (out, fee uint256.Int, err error) {
	// BaseMinimalSwapInfoPool.onSwap, GIVEN_IN: the fee comes off the raw
	// input before upscaling.
	var f fp
	var net uint256.Int
	f.mulUp(&fee, amountIn, &p.swapFee)
	f.sub(&net, amountIn, &fee)
	if f.err != nil {
		return out, fee, f.err
	}
	upIn, upOut, err := p.upscaled(i, j)
	if err != nil {
		return out, fee, err
	}
	if _, o := net.MulOverflow(&net, &p.scaling[i]); o {
		return out, fee, errMulOverflow
	}
	if err := calcOutGivenIn(&out, &upIn, &p.weights[i], &upOut, &p.weights[j], &net); err != nil {
		return out, fee, err
	}
	out.Div(&out, &p.scaling[j]) // _downscaleDown
	return out, fee, nil
}

// settle returns the Vault balances after receiving in of token i and
// paying out of token j: BAL#526 if the input balance exceeds uint112,
// BAL#001 if the output balance would go negative.
func (p *Pool) settle(i, j int, in, out *uint256.Int) (bi, bj uint256.Int, err error) {
	if _, o := bi.AddOverflow(&p.balances[i], in); o || bi.Gt(maxBalance) {
		return bi, bj, errBalanceOverflow
	}
	if _, o := bj.SubOverflow(&p.balances[j], out); o {
		return bi, bj, errSubOverflow
	}
	return bi, bj, nil
}

// SwapGivenIn sells exactly amountIn raw units of token i for token j
// (a GIVEN_IN swap through the Vault) and returns the trade. The fee,
// MulUp(amountIn, swapFee) in token i, is subtracted before CalcOutGivenIn
// on upscaled amounts; the output is downscaled rounding down. It reverts
// with BAL#507 if the output is below minOut (nil for none), BAL#510 for a
// zero amount, BAL#509 if i == j, BAL#304 for an input over 30 % of the
// balance.
func (p *Pool) SwapGivenIn(i, j int, amountIn, minOut *uint256.Int) (cfmm.Trade, error) {
	t, bi, bj, err := p.givenIn(i, j, amountIn, minOut)
	if err != nil {
		return cfmm.Trade{}, err
	}
	p.balances[i], p.balances[j] = bi, bj
	return t, nil
}

// InGivenOut returns what SwapGivenOut(i, j, amountOut, nil) would charge
// and the fee included in it (raw units of i), leaving the pool unchanged.
func (p *Pool) InGivenOut(i, j int, amountOut *uint256.Int) (in, fee uint256.Int, err error) {
	t, _, _, err := p.givenOut(i, j, amountOut, nil)
	return t.In, t.Fee, err
}

func (p *Pool) givenOut(i, j int, amountOut, maxIn *uint256.Int) (t cfmm.Trade, bi, bj uint256.Int, err error) {
	if amountOut == nil {
		return t, bi, bj, errNilAmount
	}
	if err := p.checkPair(i, j); err != nil {
		return t, bi, bj, err
	}
	if amountOut.IsZero() {
		return t, bi, bj, errZeroAmount
	}
	upIn, upOut, err := p.upscaled(i, j)
	if err != nil {
		return t, bi, bj, err
	}
	var aOut uint256.Int
	if _, o := aOut.MulOverflow(amountOut, &p.scaling[j]); o {
		return t, bi, bj, errMulOverflow
	}
	var net uint256.Int
	if err := calcInGivenOut(&net, &upIn, &p.weights[i], &upOut, &p.weights[j], &aOut); err != nil {
		return t, bi, bj, err
	}
	divUpRaw(&net, &net, &p.scaling[i]) // _downscaleUp
	// BaseMinimalSwapInfoPool.onSwap, GIVEN_OUT: the fee is added after
	// downscaling, as net/(1 − fee) rounded up.
	var f fp
	var in, c, fee uint256.Int
	complement(&c, &p.swapFee)
	f.divUp(&in, &net, &c)
	if f.err != nil {
		return t, bi, bj, f.err
	}
	fee.Sub(&in, &net)
	if maxIn != nil && in.Gt(maxIn) {
		return t, bi, bj, errSwapLimit
	}
	if bi, bj, err = p.settle(i, j, &in, amountOut); err != nil {
		return t, bi, bj, err
	}
	t.In, t.Out, t.Fee, t.FeeToken = in, *amountOut, fee, i
	return t, bi, bj, nil
}

// SwapGivenOut buys exactly amountOut raw units of token j with token i
// (a GIVEN_OUT swap) and returns the trade. CalcInGivenOut on upscaled
// amounts gives the net input, downscaled rounding up; the charged input is
// DivUp(net, 1 − swapFee), the difference being the fee in token i. It
// reverts with BAL#507 if the input exceeds maxIn (nil for none) and
// BAL#305 for an output over 30 % of the balance.
func (p *Pool) SwapGivenOut(i, j int, amountOut, maxIn *uint256.Int) (cfmm.Trade, error) {
	t, bi, bj, err := p.givenOut(i, j, amountOut, maxIn)
	if err != nil {
		return cfmm.Trade{}, err
	}
	p.balances[i], p.balances[j] = bi, bj
	return t, nil
}

// Quote returns the trade Swap(i, j, amountIn) would make, leaving the pool
// unchanged.
func (p *Pool) Quote(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	t, _, _, err := p.givenIn(i, j, amountIn, nil)
	if err != nil {
		return cfmm.Trade{}, err
	}
	return t, nil
}

// Swap sells exactly amountIn raw units of token i for token j:
// SwapGivenIn without a limit. The fee is in the input token.
func (p *Pool) Swap(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	return p.SwapGivenIn(i, j, amountIn, nil)
}

// EstimateOut implements cfmm.Estimator: calcOutGivenIn in float64 on the
// input net of the swap fee (rounded up to a raw unit, as MulUp does),
//
//	out = B_j·(1 − (B_i/(B_i + a·(1 − fee)))^(w_i/w_j))
//
// evaluated as −B_j·expm1(−(w_i/w_j)·log1p(a·(1 − fee)/B_i)), which keeps
// its precision for small trades, with the power rounded up as PowUp does
// (by its relative error bound and one unit) unless w_i/w_j is 1, 2 or 4;
// not ok above the 30% input limit.
func (p *Pool) EstimateOut(i, j int, in float64) (float64, bool) {
	if p.checkPair(i, j) != nil || !(in > 0) {
		return 0, false
	}
	in = math.Floor(in) // the raw units cfmm.Amount(in) would trade
	var fee float64
	if in < 0x1p64 && p.swapFee.IsUint64() {
		// MulUp(in, swapFee) exactly: ⌈in·swapFee/1e18⌉.
		hi, lo := bits.Mul64(uint64(in), p.swapFee.Uint64())
		q, r := bits.Div64(hi, lo, 1e18)
		if r != 0 {
			q++
		}
		fee = float64(q)
	} else {
		fee = math.Ceil(in * p.swapFee.Float64() / 1e18)
	}
	net := in - fee
	bi, bj := p.balances[i].Float64(), p.balances[j].Float64()
	if net > bi*0.3 || bi <= 0 {
		return 0, false
	}
	w := p.weights[i].Float64() / p.weights[j].Float64()
	c := -math.Expm1(-w * math.Log1p(net/bi)) // 1 − power
	if w != 1 && w != 2 && w != 4 {
		// powUp rounds the power up by its maximum relative error and a
		// unit, which matters for small trades.
		c -= (1-c)*MaxPowRelativeError/1e18 + 1e-18
	}
	return max(0, bj*c), true
}

// OptimalIn implements cfmm.Optimizer in closed form. With γ = 1 − fee,
// r = w_i/w_j and the net input n = γ·a, EstimateOut is about
// B_j·(1 − (B_i/(B_i + n))^r), whose derivative in a equals price where
//
//	(B_i + n)^(r+1) = B_j·r·γ·B_i^r / price,
//	n* = B_i·(q^(1/(r+1)) − 1),  q = B_j·r·γ/(B_i·price),
//
// q > 1 being the condition that the first unit pays (the spot price
// B_j·r/B_i net of the fee above price). The result is n*/γ, cut to just
// inside the 30% input limit.
func (p *Pool) OptimalIn(i, j int, price float64) float64 {
	if p.checkPair(i, j) != nil || !(price > 0) {
		return 0
	}
	bi, bj := p.balances[i].Float64(), p.balances[j].Float64()
	g := 1 - p.FeeRate()
	r := p.weights[i].Float64() / p.weights[j].Float64()
	q := bj * r * g / (bi * price)
	if !(q > 1 && bi > 0) {
		return 0
	}
	// q^(1/(r+1)) − 1 without cancellation for q near 1.
	net := bi * math.Expm1(math.Log(q)/(r+1))
	return min(net, bi*0.3*(1-1e-9)) / g
}

// FeeRate returns the swap fee as a fraction of the input, swapFee/1e18.
func (p *Pool) FeeRate() float64 { return p.swapFee.Float64() / 1e18 }
