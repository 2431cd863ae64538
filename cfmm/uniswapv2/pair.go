// Package uniswapv2 is a Uniswap v2 pair as a pure state machine: the
// constant-product swap with its fee-adjusted K check, liquidity minting with
// MINIMUM_LIQUIDITY locked on the first deposit, proportional burns, and the
// optional protocol fee (1/6 of the growth in sqrt(k), minted to feeTo).
//
// Arithmetic is the contract's: unsigned integers, every division rounding
// down, reserves bounded by 2^112-1. The fee is a parameter in basis points
// (the deployed pair is 30 bps); with 30 bps every result equals the
// contract's 997/1000 form, because scaling a numerator and denominator by the
// same factor leaves a floored quotient, and both sides of the K inequality,
// unchanged.
package uniswapv2

import (
	"fmt"
	"math/bits"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/holiman/uint256"
)

// MinimumLiquidity is the amount of liquidity locked forever by the first
// mint (sent to the zero address in the contract).
const MinimumLiquidity = 1000

// FeeDenominator is the denominator of FeeBps: fees are FeeBps/10000 of the
// input amount.
const FeeDenominator = 10000

var (
	maxReserve = new(uint256.Int).SubUint64(new(uint256.Int).Lsh(uint256.NewInt(1), 112), 1)
	feeDen     = uint256.NewInt(FeeDenominator)
)

func revert(reason string) error { return &cfmm.Revert{Reason: "UniswapV2: " + reason} }

// GetAmountOut returns the largest output the pair pays for amountIn, the
// periphery library's formula with a fee of feeBps basis points:
//
//	out = floor(amountIn·(D−fee)·reserveOut / (reserveIn·D + amountIn·(D−fee))),  D = 10000
func GetAmountOut(amountIn, reserveIn, reserveOut *uint256.Int, feeBps uint64) (uint256.Int, error) {
	var out uint256.Int
	if amountIn.IsZero() {
		return out, revert("INSUFFICIENT_INPUT_AMOUNT")
	}
	if reserveIn.IsZero() || reserveOut.IsZero() {
		return out, revert("INSUFFICIENT_LIQUIDITY")
	}
	if out, ok := amountOut128(amountIn, reserveIn, reserveOut, FeeDenominator-feeBps); ok {
		return out, nil
	}
	var withFee, num, den uint256.Int
	if amountIn.BitLen() <= 128 && reserveIn.BitLen() <= 128 && reserveOut.BitLen() <= 112 {
		// No product can overflow: num < 2^(128+14+112), den < 2^143.
		mulSmall(&withFee, amountIn, FeeDenominator-feeBps)
		num.Mul(&withFee, reserveOut)
		mulSmall(&den, reserveIn, FeeDenominator)
		den.Add(&den, &withFee)
		quo(&out, &num, &den)
		return out, nil
	}
	// The library's SafeMath reverts where a product or sum overflows.
	_, o1 := withFee.MulOverflow(amountIn, uint256.NewInt(FeeDenominator-feeBps))
	_, o2 := num.MulOverflow(&withFee, reserveOut)
	_, o3 := den.MulOverflow(reserveIn, feeDen)
	_, o4 := den.AddOverflow(&den, &withFee)
	if o1 || o2 || o3 || o4 {
		return out, &cfmm.Revert{Reason: "ds-math-mul-overflow"}
	}
	out.Div(&num, &den)
	return out, nil
}

// GetAmountIn returns the smallest input that buys amountOut:
//
//	in = floor(reserveIn·amountOut·D / ((reserveOut−amountOut)·(D−fee))) + 1
func GetAmountIn(amountOut, reserveIn, reserveOut *uint256.Int, feeBps uint64) (uint256.Int, error) {
	var in uint256.Int
	if amountOut.IsZero() {
		return in, revert("INSUFFICIENT_OUTPUT_AMOUNT")
	}
	if reserveIn.IsZero() || reserveOut.IsZero() || amountOut.Cmp(reserveOut) >= 0 {
		return in, revert("INSUFFICIENT_LIQUIDITY")
	}
	var num, den uint256.Int
	_, o1 := num.MulOverflow(reserveIn, amountOut)
	_, o2 := num.MulOverflow(&num, feeDen)
	den.Sub(reserveOut, amountOut)
	_, o3 := den.MulOverflow(&den, uint256.NewInt(FeeDenominator-feeBps))
	if o1 || o2 || o3 {
		return in, &cfmm.Revert{Reason: "ds-math-mul-overflow"}
	}
	in.Div(&num, &den)
	in.AddUint64(&in, 1)
	return in, nil
}

// Quote returns the amount of B equal in value to amountA at the reserve
// ratio, floor(amountA·reserveB/reserveA); it charges no fee.
func Quote(amountA, reserveA, reserveB *uint256.Int) (uint256.Int, error) {
	var b uint256.Int
	if amountA.IsZero() {
		return b, revert("INSUFFICIENT_AMOUNT")
	}
	if reserveA.IsZero() || reserveB.IsZero() {
		return b, revert("INSUFFICIENT_LIQUIDITY")
	}
	b.Mul(amountA, reserveB)
	b.Div(&b, reserveA)
	return b, nil
}

// Pair is the state of one pair contract. The zero value is an empty pair
// with a 0 bps fee; use NewPair.
type Pair struct {
	reserve [2]uint256.Int
	// FeeBps is the swap fee in basis points of the input amount.
	feeBps uint64
	// supply is the LP token total supply, including MinimumLiquidity and
	// feeTo's balance.
	supply uint256.Int
	// feeToBalance is the LP balance minted to the protocol.
	feeToBalance uint256.Int
	// kLast is reserve0·reserve1 after the last liquidity event, kept only
	// while the protocol fee is on.
	kLast uint256.Int
	feeOn bool
}

// NewPair returns an empty pair charging feeBps basis points on swaps, with
// the protocol fee switched on or off.
func NewPair(feeBps uint64, protocolFee bool) (*Pair, error) {
	if feeBps >= FeeDenominator {
		return nil, fmt.Errorf("uniswapv2: fee %d bps must be below %d", feeBps, FeeDenominator)
	}
	return &Pair{feeBps: feeBps, feeOn: protocolFee}, nil
}

// Reserves returns the pair's reserves.
func (p *Pair) Reserves() (r0, r1 uint256.Int) { return p.reserve[0], p.reserve[1] }

// TotalSupply returns the LP token supply.
func (p *Pair) TotalSupply() uint256.Int { return p.supply }

// FeeToBalance returns the LP tokens minted to the protocol so far.
func (p *Pair) FeeToBalance() uint256.Int { return p.feeToBalance }

// FeeBps returns the swap fee in basis points.
func (p *Pair) FeeBps() uint64 { return p.feeBps }

// pendingProtocolLiquidity is what _mintFee would mint now:
//
//	supply·(√k − √kLast) / (5·√k + √kLast)
func (p *Pair) pendingProtocolLiquidity() uint256.Int {
	var liq uint256.Int
	if !p.feeOn || p.kLast.IsZero() {
		return liq
	}
	var k, rootK, rootKLast uint256.Int
	k.Mul(&p.reserve[0], &p.reserve[1])
	rootK.Sqrt(&k)
	rootKLast.Sqrt(&p.kLast)
	if rootK.Cmp(&rootKLast) <= 0 {
		return liq
	}
	var num, den uint256.Int
	num.Sub(&rootK, &rootKLast)
	num.Mul(&num, &p.supply)
	den.Mul(&rootK, uint256.NewInt(5))
	den.Add(&den, &rootKLast)
	liq.Div(&num, &den)
	return liq
}

func (p *Pair) mintFee() {
	if !p.feeOn {
		p.kLast.Clear()
		return
	}
	liq := p.pendingProtocolLiquidity()
	if !liq.IsZero() {
		p.feeToBalance.Add(&p.feeToBalance, &liq)
		p.supply.Add(&p.supply, &liq)
	}
}

func (p *Pair) update(b0, b1 *uint256.Int) error {
	if b0.Gt(maxReserve) || b1.Gt(maxReserve) {
		return revert("OVERFLOW")
	}
	p.reserve[0], p.reserve[1] = *b0, *b1
	return nil
}

// Mint deposits amount0 and amount1 and returns the LP tokens minted to the
// depositor. The first deposit mints √(amount0·amount1) − MinimumLiquidity
// and locks MinimumLiquidity; later deposits mint
// min(amount0·supply/reserve0, amount1·supply/reserve1), so an unbalanced
// deposit donates its excess to existing LPs.
func (p *Pair) Mint(amount0, amount1 *uint256.Int) (uint256.Int, error) {
	var liq uint256.Int
	var b0, b1 uint256.Int
	b0.Add(&p.reserve[0], amount0)
	b1.Add(&p.reserve[1], amount1)
	if b0.Gt(maxReserve) || b1.Gt(maxReserve) {
		return liq, revert("OVERFLOW")
	}
	saved := *p
	p.mintFee()
	if p.supply.IsZero() {
		var k uint256.Int
		k.Mul(amount0, amount1)
		liq.Sqrt(&k)
		if liq.CmpUint64(MinimumLiquidity) <= 0 {
			*p = saved
			return uint256.Int{}, revert("INSUFFICIENT_LIQUIDITY_MINTED")
		}
		liq.SubUint64(&liq, MinimumLiquidity)
		p.supply.SetUint64(MinimumLiquidity)
	} else {
		var l0, l1 uint256.Int
		l0.Mul(amount0, &p.supply)
		l0.Div(&l0, &p.reserve[0])
		l1.Mul(amount1, &p.supply)
		l1.Div(&l1, &p.reserve[1])
		liq = l0
		if l1.Lt(&l0) {
			liq = l1
		}
		if liq.IsZero() {
			*p = saved
			return uint256.Int{}, revert("INSUFFICIENT_LIQUIDITY_MINTED")
		}
	}
	p.supply.Add(&p.supply, &liq)
	p.reserve[0], p.reserve[1] = b0, b1
	if p.feeOn {
		p.kLast.Mul(&b0, &b1)
	}
	return liq, nil
}

// Burn redeems liquidity LP tokens for liquidity·reserve/supply of each
// token, rounded down.
func (p *Pair) Burn(liquidity *uint256.Int) (amount0, amount1 uint256.Int, err error) {
	if liquidity.Gt(&p.supply) {
		return amount0, amount1, revert("INSUFFICIENT_LIQUIDITY_BURNED")
	}
	saved := *p
	p.mintFee()
	amount0.Mul(liquidity, &p.reserve[0])
	amount0.Div(&amount0, &p.supply)
	amount1.Mul(liquidity, &p.reserve[1])
	amount1.Div(&amount1, &p.supply)
	if amount0.IsZero() || amount1.IsZero() {
		*p = saved
		return uint256.Int{}, uint256.Int{}, revert("INSUFFICIENT_LIQUIDITY_BURNED")
	}
	p.supply.Sub(&p.supply, liquidity)
	p.reserve[0].Sub(&p.reserve[0], &amount0)
	p.reserve[1].Sub(&p.reserve[1], &amount1)
	if p.feeOn {
		p.kLast.Mul(&p.reserve[0], &p.reserve[1])
	}
	return amount0, amount1, nil
}

// SwapExact is the pair's low-level swap: the caller has transferred
// amount0In and amount1In to the pair and asks for amount0Out and amount1Out.
// It enforces the contract's K check on fee-adjusted balances,
//
//	(b0·D − in0·fee)·(b1·D − in1·fee) ≥ r0·r1·D²,
//
// so it also accepts flash-swap style calls that repay in the same token.
func (p *Pair) SwapExact(amount0In, amount1In, amount0Out, amount1Out *uint256.Int) error {
	if amount0Out.IsZero() && amount1Out.IsZero() {
		return revert("INSUFFICIENT_OUTPUT_AMOUNT")
	}
	if amount0Out.Cmp(&p.reserve[0]) >= 0 || amount1Out.Cmp(&p.reserve[1]) >= 0 {
		return revert("INSUFFICIENT_LIQUIDITY")
	}
	if amount0In.IsZero() && amount1In.IsZero() {
		return revert("INSUFFICIENT_INPUT_AMOUNT")
	}
	var b0, b1 uint256.Int
	b0.Add(&p.reserve[0], amount0In)
	b0.Sub(&b0, amount0Out)
	b1.Add(&p.reserve[1], amount1In)
	b1.Sub(&b1, amount1Out)
	if !p.kHolds(&b0, &b1, amount0In, amount1In) {
		return revert("K")
	}
	return p.update(&b0, &b1)
}

func (p *Pair) kHolds(b0, b1, in0, in1 *uint256.Int) bool {
	fee := uint256.NewInt(p.feeBps)
	var a0, a1, t uint256.Int
	a0.Mul(b0, feeDen)
	t.Mul(in0, fee)
	a0.Sub(&a0, &t)
	a1.Mul(b1, feeDen)
	t.Mul(in1, fee)
	a1.Sub(&a1, &t)
	var lhs, rhs uint256.Int
	lhs.Mul(&a0, &a1)
	rhs.Mul(&p.reserve[0], &p.reserve[1])
	rhs.Mul(&rhs, uint256.NewInt(FeeDenominator*FeeDenominator))
	return lhs.Cmp(&rhs) >= 0
}

// NumTokens returns 2.
func (p *Pair) NumTokens() int { return 2 }

// SpotPrice returns reserve_j/reserve_i, the marginal price of token i in
// token j before the fee.
func (p *Pair) SpotPrice(i, j int) float64 {
	return p.reserve[j].Float64() / p.reserve[i].Float64()
}

// Quote returns the router's exact-input trade of amountIn of token i for
// token j, without changing the pair.
func (p *Pair) Quote(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	var t cfmm.Trade
	err := p.quote(i, j, amountIn, &t)
	return t, err
}

func (p *Pair) quote(i, j int, amountIn *uint256.Int, t *cfmm.Trade) error {
	if i == j || i < 0 || j < 0 || i > 1 || j > 1 {
		return fmt.Errorf("uniswapv2: bad token pair %d→%d", i, j)
	}
	out, err := GetAmountOut(amountIn, &p.reserve[i], &p.reserve[j], p.feeBps)
	if err != nil {
		return err
	}
	if out.IsZero() {
		return revert("INSUFFICIENT_OUTPUT_AMOUNT")
	}
	t.In, t.Out, t.FeeToken = *amountIn, out, i
	// The pair keeps its fee implicitly in the reserves; Fee reports
	// floor(amountIn·fee/D) for accounting.
	t.Fee = feeOf(amountIn, p.feeBps)
	return nil
}

// Swap executes the router's exact-input trade: GetAmountOut, then the
// pair's swap. GetAmountOut's floor guarantees the K check, so it is not
// evaluated again here (SwapExact evaluates it for arbitrary requests); the
// reserve bound still is.
func (p *Pair) Swap(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	var t cfmm.Trade
	err := p.SwapInto(i, j, amountIn, &t)
	return t, err
}

// SwapInto is Swap writing the trade into t, for loops that make millions
// of swaps and would otherwise copy the result twice.
func (p *Pair) SwapInto(i, j int, amountIn *uint256.Int, t *cfmm.Trade) error {
	if p.swap128(i, j, amountIn, t) {
		return nil
	}
	if err := p.quote(i, j, amountIn, t); err != nil {
		return err
	}
	var bi, bj uint256.Int
	bi.Add(&p.reserve[i], amountIn)
	bj.Sub(&p.reserve[j], &t.Out)
	if bi.Gt(maxReserve) {
		*t = cfmm.Trade{}
		return revert("OVERFLOW")
	}
	p.reserve[i], p.reserve[j] = bi, bj
	return nil
}

// swap128 performs SwapInto in two-word arithmetic when the input and every
// product fit in 128 bits and the swap succeeds (see Quote128); it reports
// false, changing nothing, for anything else, which the general path then
// handles (and reverts where it must). The integers are the same.
func (p *Pair) swap128(i, j int, amountIn *uint256.Int, t *cfmm.Trade) bool {
	if amountIn[2]|amountIn[3] != 0 || !p.Quote128(i, j, amountIn[0], amountIn[1], t) {
		return false
	}
	p.Apply(t)
	return true
}

// Quote128 writes to t the exact-input trade SwapInto would make selling
// in = inHi·2^64 + inLo of token i for token j, computed in two-word
// arithmetic, without making it, and reports true; it reports false,
// leaving t unspecified, wherever SwapInto would take its general path: an
// operand or product beyond 128 bits, or a swap that reverts (a zero
// input or output, or an input reserve that would pass 2^112). Apply then
// makes the trade, so that a caller can decide on the exact output before
// changing the pair, with nothing to restore if it declines.
func (p *Pair) Quote128(i, j int, inLo, inHi uint64, t *cfmm.Trade) bool {
	if i == j || uint(i)|uint(j) > 1 {
		return false
	}
	outLo, outHi, feeLo, feeHi, ok := p.QuoteWords(i, inLo, inHi)
	if !ok {
		return false
	}
	t.In = uint256.Int{inLo, inHi}
	t.Out = uint256.Int{outLo, outHi}
	t.Fee = uint256.Int{feeLo, feeHi}
	t.FeeToken = i
	return true
}

// QuoteWords is Quote128 selling token i (0 or 1) for the other, its
// output and fee returned as two words each rather than written to a
// Trade: the arbitrageur's hot path keeps them in registers (scalars:
// Go passes arrays of two words through memory) and makes the trade with
// ApplyWords.
func (p *Pair) QuoteWords(i int, inLo, inHi uint64) (outLo, outHi, feeLo, feeHi uint64, ok bool) {
	ri, rj := &p.reserve[i&1], &p.reserve[1-i&1]
	// Reserves are below 2^112 (the contract's uint112): two words each.
	xLo, xHi, yLo, yHi := ri[0], ri[1], rj[0], rj[1]
	if inLo|inHi == 0 || xLo|xHi == 0 || yLo|yHi == 0 {
		return 0, 0, 0, 0, false
	}
	outLo, outHi, ok = amountOutWords(inLo, inHi, xLo, xHi, yLo, yHi, FeeDenominator-p.feeBps)
	if !ok || outLo|outHi == 0 {
		return 0, 0, 0, 0, false
	}
	// The new input reserve must stay below 2^112: its high word below 2^48.
	_, c := bits.Add64(xLo, inLo, 0)
	hi, c2 := bits.Add64(xHi, inHi, c)
	if c2 != 0 || hi >= 1<<48 {
		return 0, 0, 0, 0, false
	}
	feeLo, feeHi = fee128(inLo, inHi, p.feeBps)
	return outLo, outHi, feeLo, feeHi, true
}

// Apply makes a trade that Quote128 returned true for on the unchanged
// pair: the input reserve gains t.In and the other pays t.Out. Both
// reserves stay two-word amounts below 2^112, as Quote128 checked.
func (p *Pair) Apply(t *cfmm.Trade) {
	p.ApplyWords(t.FeeToken, t.In[0], t.In[1], t.Out[0], t.Out[1])
}

// ApplyWords is Apply for a trade that QuoteWords(i, inLo, inHi)
// returned with output outHi·2^64 + outLo, on the unchanged pair.
func (p *Pair) ApplyWords(i int, inLo, inHi, outLo, outHi uint64) {
	ri, rj := &p.reserve[i&1], &p.reserve[1-i&1]
	var c, b uint64
	ri[0], c = bits.Add64(ri[0], inLo, 0)
	ri[1] += inHi + c
	// out < y, so this borrows nothing from y's upper words, which are 0.
	rj[0], b = bits.Sub64(rj[0], outLo, 0)
	rj[1] -= outHi + b
}

// LPHoldings writes the reserves owned by liquidity providers other than the
// protocol: reserve·(supply − MinimumLiquidity − feeTo − pending)/(supply +
// pending), where pending is the protocol liquidity the next mint or burn
// would create.
func (p *Pair) LPHoldings(dst []uint256.Int) {
	if p.supply.IsZero() {
		dst[0].Clear()
		dst[1].Clear()
		return
	}
	pending := p.pendingProtocolLiquidity()
	var owned, total uint256.Int
	owned.SubUint64(&p.supply, MinimumLiquidity)
	owned.Sub(&owned, &p.feeToBalance)
	total.Add(&p.supply, &pending)
	for k := 0; k < 2; k++ {
		dst[k].MulDivOverflow(&p.reserve[k], &owned, &total)
	}
}

// ReservesFloat returns the reserves as float64s (see cfmm.Float), without
// copying them, for agents' decisions.
func (p *Pair) ReservesFloat() (r0, r1 float64) {
	// Reserves are below 2^112: two words, the high one below 2^48.
	return cfmm.Float128(p.reserve[0][1], p.reserve[0][0]), cfmm.Float128(p.reserve[1][1], p.reserve[1][0])
}

// FeeRate returns the swap fee as a fraction of the input.
func (p *Pair) FeeRate() float64 { return float64(p.feeBps) / FeeDenominator }

// Clone returns an independent copy of the pair.
func (p *Pair) Clone() cfmm.Pool {
	c := *p
	return &c
}
