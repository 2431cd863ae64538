package uniswapv3

import (
	"errors"

	"github.com/holiman/uint256"
)

// Pool is a Uniswap v3 pool of token0 and token1 (UniswapV3Pool): liquidity
// positions over tick ranges, the current price and tick, the liquidity
// active at that price, and global and per-tick fee growth.
//
// A Pool is created by NewPool or NewUninitialized; the zero Pool is an
// uninitialized pool that rejects every operation. A Pool is not safe for
// concurrent use, except that read-only methods (getters, Quote,
// QuoteWithLimit, SpotPrice, LPHoldings) may run concurrently with each
// other.
type Pool struct {
	fee                 uint32
	tickSpacing         int32
	maxLiquidityPerTick uint256.Int

	// slot0, without the oracle fields; sqrtPriceX96 is zero until the pool
	// is initialized.
	sqrtPriceX96 uint256.Int
	tick         int32
	feeProtocol  uint8 // token0's divisor in the low 4 bits, token1's in the high 4
	// tickStale is set when a swap ended within a range, where the
	// contract's tick is TickAtSqrtRatio(sqrtPriceX96): the tick is then
	// derived when read (currentTick) rather than after every swap, and
	// tick holds nothing of use.
	tickStale bool

	feeGrowthGlobal0X128 uint256.Int
	feeGrowthGlobal1X128 uint256.Int
	protocolFees0        uint256.Int // uint128
	protocolFees1        uint256.Int // uint128
	liquidity            uint256.Int // uint128, active at the current tick

	// Token balances of the pool contract.
	balance0 uint256.Int
	balance1 uint256.Int

	// ticks holds each initialized tick behind a pointer that stays the
	// same while it is initialized, so that positions can keep their
	// bounds' (positionEntry.lower, upper).
	ticks     map[int32]*Tick
	bitmap    tickBitmap
	positions positionBook

	// crossed is scratch space for a committing swap: the ticks it crosses,
	// applied only once the whole swap has succeeded.
	crossed []crossing
	// nextMemo memoizes the next tick of a swap moving up ([0]) and down
	// ([1]) and its sqrt price (Pool.nextTick).
	nextMemo [2]nextMemo
	// recip memoizes 2^128 divided by the last one-word liquidity a swap
	// step's fee growth was divided by (feeGrowthDelta).
	recip recipMemo
	// quot memoizes L·2^96 divided by the price for the active liquidity
	// and price a lean swap left (swapLean).
	quot quotMemo
}

// NewUninitialized returns a pool as the factory deploys it, before
// Initialize: feePips is the swap fee in millionths (below 1e6) and
// tickSpacing the distance between usable ticks (1 to 16383).
func NewUninitialized(feePips uint32, tickSpacing int32) (*Pool, error) {
	if feePips >= feeDenominator {
		return nil, errors.New("uniswapv3: fee must be below 1e6 pips")
	}
	if tickSpacing <= 0 || tickSpacing >= 16384 {
		return nil, errors.New("uniswapv3: tick spacing must be in [1, 16383]")
	}
	return &Pool{
		fee:                 feePips,
		tickSpacing:         tickSpacing,
		maxLiquidityPerTick: MaxLiquidityPerTick(tickSpacing),
		ticks:               make(map[int32]*Tick),
		bitmap:              newTickBitmap(tickSpacing),
		positions:           newPositionBook(),
	}, nil
}

// NewPool returns a pool with fee feePips (millionths), spacing tickSpacing
// and initial price sqrtPriceX96 (Q64.96), and no liquidity: NewUninitialized
// followed by Initialize.
func NewPool(feePips uint32, tickSpacing int32, sqrtPriceX96 *uint256.Int) (*Pool, error) {
	p, err := NewUninitialized(feePips, tickSpacing)
	if err != nil {
		return nil, err
	}
	if err := p.Initialize(sqrtPriceX96); err != nil {
		return nil, err
	}
	return p, nil
}

// Initialize sets the first price of the pool and its tick,
// TickAtSqrtRatio(sqrtPriceX96) (UniswapV3Pool.initialize). It reverts "AI"
// if the pool already has a price and "R" if the price is out of range.
func (p *Pool) Initialize(sqrtPriceX96 *uint256.Int) error {
	if p.tickSpacing <= 0 {
		return errPool // the zero Pool was never deployed
	}
	if !p.sqrtPriceX96.IsZero() {
		return errAI
	}
	tick, err := TickAtSqrtRatio(sqrtPriceX96)
	if err != nil {
		return err
	}
	p.sqrtPriceX96 = *sqrtPriceX96
	p.tick, p.tickStale = tick, false
	return nil
}

// initialized reports whether the pool has a price; before that the
// contract is locked and every operation reverts "LOK".
func (p *Pool) initialized() bool { return !p.sqrtPriceX96.IsZero() }

// Fee returns the swap fee in pips (millionths).
func (p *Pool) Fee() uint32 { return p.fee }

// TickSpacing returns the spacing of usable ticks.
func (p *Pool) TickSpacing() int32 { return p.tickSpacing }

// MaxLiquidityPerTick returns the most gross liquidity one tick may
// reference in this pool.
func (p *Pool) MaxLiquidityPerTick() uint256.Int { return p.maxLiquidityPerTick }

// Slot0 returns the current sqrt price (Q64.96; zero before Initialize) and
// the current tick, the greatest tick whose price is at or below it (after
// a swap that stops exactly on an initialized tick moving down, the tick
// below it).
func (p *Pool) Slot0() (sqrtPriceX96 uint256.Int, tick int32) {
	return p.sqrtPriceX96, p.currentTick()
}

// currentTick returns the pool's tick, deriving it from the price when a
// swap left it stale.
func (p *Pool) currentTick() int32 {
	if !p.tickStale {
		return p.tick
	}
	// A swap leaves the price strictly between the ratios of MinTick and
	// MaxTick, where TickAtSqrtRatio cannot fail.
	t, _ := TickAtSqrtRatio(&p.sqrtPriceX96)
	return t
}

// FeeProtocol returns the protocol's share of swap fees on each token as a
// divisor: 0 (off) or 4 to 10, the protocol taking 1/n of each fee.
func (p *Pool) FeeProtocol() (feeProtocol0, feeProtocol1 uint8) {
	return p.feeProtocol % 16, p.feeProtocol >> 4
}

// Liquidity returns the liquidity active at the current price.
func (p *Pool) Liquidity() uint256.Int { return p.liquidity }

// FeeGrowthGlobalX128 returns the fees earned per unit of liquidity over the
// pool's life in each token (Q128.128, wrapping modulo 2^256).
func (p *Pool) FeeGrowthGlobalX128() (feeGrowth0, feeGrowth1 uint256.Int) {
	return p.feeGrowthGlobal0X128, p.feeGrowthGlobal1X128
}

// ProtocolFees returns the protocol fees accrued and not yet collected.
func (p *Pool) ProtocolFees() (token0, token1 uint256.Int) { return p.protocolFees0, p.protocolFees1 }

// Balances returns the pool's holdings of token0 and token1: what minters
// and swappers paid in less what swaps and collections paid out.
func (p *Pool) Balances() (balance0, balance1 uint256.Int) { return p.balance0, p.balance1 }

// Tick returns the state of tick; an uninitialized tick is the zero Tick.
func (p *Pool) Tick(tick int32) Tick { return p.tick0(tick) }

// tick0 returns a copy of tick's state, the zero Tick if it is not
// initialized.
func (p *Pool) tick0(tick int32) Tick {
	if t := p.ticks[tick]; t != nil {
		return *t
	}
	return Tick{}
}

// Position returns the position of owner over [tickLower, tickUpper); a
// position that does not exist, or was emptied, is the zero Position.
func (p *Pool) Position(owner string, tickLower, tickUpper int32) Position {
	e, _ := p.positions.get(positionKey{owner, tickLower, tickUpper})
	return e.Position
}

// TickBitmap returns word wordPos of the initialized-tick bitmap: bit b is
// set when tick (256·wordPos+b)·TickSpacing() is initialized.
func (p *Pool) TickBitmap(wordPos int16) uint256.Int {
	if p.tickSpacing <= 0 {
		return uint256.Int{}
	}
	return p.bitmap.word(int64(wordPos))
}

// NextInitializedTickWithinOneWord returns the next initialized tick at or
// below tick (lte) or above it, searching only the bitmap word of tick's
// compressed position; if none is there it returns the last tick of the
// word in that direction with initialized false
// (TickBitmap.nextInitializedTickWithinOneWord). tick should lie within
// [MinTick, MaxTick].
func (p *Pool) NextInitializedTickWithinOneWord(tick int32, lte bool) (next int32, initialized bool) {
	if p.tickSpacing <= 0 {
		return tick, false
	}
	return p.bitmap.next(tick, lte)
}

// Mint adds amount of liquidity (a uint128 below 2^127) to owner's position
// over [tickLower, tickUpper) and returns the tokens the owner pays, rounded
// up (UniswapV3Pool.mint): token0 for the part of the range above the
// current price and token1 for the part below. The pool's balances grow by
// those amounts. Reverts: "LOK" (uninitialized), "UniswapV3Pool" (zero
// amount), "SafeCast" (amount too large), "TLU", "TLM", "TUM" (bad range),
// "LO" (a tick would exceed MaxLiquidityPerTick), "TickBitmap" (a bound not
// on the spacing).
func (p *Pool) Mint(owner string, tickLower, tickUpper int32, amount *uint256.Int) (amount0, amount1 uint256.Int, err error) {
	if !p.initialized() {
		return amount0, amount1, errLOK
	}
	if amount.IsZero() {
		return amount0, amount1, errPool
	}
	if !isInt128(amount) {
		return amount0, amount1, errSafeCast
	}
	if amount0, amount1, err = p.modifyPosition(positionKey{owner, tickLower, tickUpper}, amount); err != nil {
		return uint256.Int{}, uint256.Int{}, err
	}
	p.balance0.Add(&p.balance0, &amount0)
	p.balance1.Add(&p.balance1, &amount1)
	return amount0, amount1, nil
}

// MintFullRange mints amount of liquidity for owner over the widest range
// the spacing allows, [MinUsableTick, MaxUsableTick], as Mint.
func (p *Pool) MintFullRange(owner string, amount *uint256.Int) (amount0, amount1 uint256.Int, err error) {
	return p.Mint(owner, MinUsableTick(p.tickSpacing), MaxUsableTick(p.tickSpacing), amount)
}

// Burn removes amount of liquidity from owner's position over [tickLower,
// tickUpper) and credits the tokens it represented, rounded down, together
// with the position's earned fees, to the position's TokensOwed
// (UniswapV3Pool.burn); the tokens leave the pool only on Collect. A zero
// amount only credits fees, and reverts "NP" for a position without
// liquidity. Other reverts: "LOK", "SafeCast", "TLU", "TLM", "TUM", "LS"
// (more liquidity than the position has).
func (p *Pool) Burn(owner string, tickLower, tickUpper int32, amount *uint256.Int) (amount0, amount1 uint256.Int, err error) {
	if !p.initialized() {
		return amount0, amount1, errLOK
	}
	if !isInt128(amount) {
		return amount0, amount1, errSafeCast
	}
	key := positionKey{owner, tickLower, tickUpper}
	var delta uint256.Int
	delta.Neg(amount)
	a0, a1, err := p.modifyPosition(key, &delta)
	if err != nil {
		return amount0, amount1, err
	}
	amount0.Neg(&a0)
	amount1.Neg(&a1)
	if !amount0.IsZero() || !amount1.IsZero() {
		e, _ := p.positions.get(key)
		e.TokensOwed0.Add(&e.TokensOwed0, &amount0)
		truncate128(&e.TokensOwed0)
		e.TokensOwed1.Add(&e.TokensOwed1, &amount1)
		truncate128(&e.TokensOwed1)
		p.positions.set(key, e)
	}
	p.forgetIfEmpty(key)
	return amount0, amount1, nil
}

// Collect pays owner up to the requested amounts of what the position over
// [tickLower, tickUpper) is owed (UniswapV3Pool.collect); requesting at
// least 2^128−1 collects everything. It returns the amounts paid, which
// leave the pool's balances. It reverts only "LOK".
func (p *Pool) Collect(owner string, tickLower, tickUpper int32, amount0Requested, amount1Requested *uint256.Int) (amount0, amount1 uint256.Int, err error) {
	if !p.initialized() {
		return amount0, amount1, errLOK
	}
	key := positionKey{owner, tickLower, tickUpper}
	e, ok := p.positions.get(key)
	if !ok {
		return amount0, amount1, nil
	}
	amount0 = minInt(amount0Requested, &e.TokensOwed0)
	amount1 = minInt(amount1Requested, &e.TokensOwed1)
	if amount0.Gt(&p.balance0) || amount1.Gt(&p.balance1) {
		return uint256.Int{}, uint256.Int{}, errTF
	}
	e.TokensOwed0.Sub(&e.TokensOwed0, &amount0)
	e.TokensOwed1.Sub(&e.TokensOwed1, &amount1)
	p.balance0.Sub(&p.balance0, &amount0)
	p.balance1.Sub(&p.balance1, &amount1)
	p.positions.set(key, e)
	p.forgetIfEmpty(key)
	return amount0, amount1, nil
}

// SetFeeProtocol sets the protocol's share of swap fees on each token to
// 1/feeProtocol0 and 1/feeProtocol1, 0 turning it off
// (UniswapV3Pool.setFeeProtocol). It reverts "UniswapV3Pool" unless each is
// 0 or in [4, 10], and "LOK" before Initialize.
func (p *Pool) SetFeeProtocol(feeProtocol0, feeProtocol1 uint8) error {
	if !p.initialized() {
		return errLOK
	}
	valid := func(f uint8) bool { return f == 0 || (f >= 4 && f <= 10) }
	if !valid(feeProtocol0) || !valid(feeProtocol1) {
		return errPool
	}
	p.feeProtocol = feeProtocol0 + feeProtocol1<<4
	return nil
}

// CollectProtocol pays out up to the requested protocol fees
// (UniswapV3Pool.collectProtocol). Like the contract it leaves one unit of
// a fully collected token behind. It reverts only "LOK".
func (p *Pool) CollectProtocol(amount0Requested, amount1Requested *uint256.Int) (amount0, amount1 uint256.Int, err error) {
	if !p.initialized() {
		return amount0, amount1, errLOK
	}
	amount0 = minInt(amount0Requested, &p.protocolFees0)
	amount1 = minInt(amount1Requested, &p.protocolFees1)
	if amount0.Gt(&p.balance0) || amount1.Gt(&p.balance1) {
		return uint256.Int{}, uint256.Int{}, errTF
	}
	// The contract keeps the storage slot non-zero to save gas later.
	if !amount0.IsZero() && amount0 == p.protocolFees0 {
		amount0.SubUint64(&amount0, 1)
	}
	if !amount1.IsZero() && amount1 == p.protocolFees1 {
		amount1.SubUint64(&amount1, 1)
	}
	p.protocolFees0.Sub(&p.protocolFees0, &amount0)
	p.protocolFees1.Sub(&p.protocolFees1, &amount1)
	p.balance0.Sub(&p.balance0, &amount0)
	p.balance1.Sub(&p.balance1, &amount1)
	return amount0, amount1, nil
}

func minInt(x, y *uint256.Int) uint256.Int {
	if x.Lt(y) {
		return *x
	}
	return *y
}

// forgetIfEmpty drops a position with no liquidity and nothing owed: its
// fee-growth checkpoint cannot affect any later amount, since fees credited
// are proportional to its (zero) liquidity.
func (p *Pool) forgetIfEmpty(key positionKey) {
	e, ok := p.positions.get(key)
	if ok && e.Liquidity.IsZero() && e.TokensOwed0.IsZero() && e.TokensOwed1.IsZero() {
		p.positions.remove(key)
	}
}

// modifyPosition applies liquidityDelta (an int128) to a position
// (UniswapV3Pool._modifyPosition and _updatePosition) and returns the
// signed token amounts owed to the pool (int256). Every check runs before
// any state is written, so a revert leaves the pool unchanged.
func (p *Pool) modifyPosition(key positionKey, liquidityDelta *uint256.Int) (amount0, amount1 uint256.Int, err error) {
	lower, upper := key.tickLower, key.tickUpper
	switch {
	case lower >= upper:
		return amount0, amount1, errTLU
	case lower < MinTick:
		return amount0, amount1, errTLM
	case upper > MaxTick:
		return amount0, amount1, errTUM
	}
	tick := p.currentTick()
	// Both bounds are within [MinTick, MaxTick] here, so TickMath cannot fail.
	sqrtLower, _ := SqrtRatioAtTick(lower)
	sqrtUpper, _ := SqrtRatioAtTick(upper)

	entry, _ := p.positions.get(key)
	lowerInfo, upperInfo := p.tick0(lower), p.tick0(upper)
	g0, g1 := &p.feeGrowthGlobal0X128, &p.feeGrowthGlobal1X128
	changing := !liquidityDelta.IsZero()
	var flippedLower, flippedUpper bool
	if changing {
		if lowerInfo, flippedLower, err = updateTick(lowerInfo, lower, tick, liquidityDelta, g0, g1, false, &p.maxLiquidityPerTick); err != nil {
			return amount0, amount1, err
		}
		if upperInfo, flippedUpper, err = updateTick(upperInfo, upper, tick, liquidityDelta, g0, g1, true, &p.maxLiquidityPerTick); err != nil {
			return amount0, amount1, err
		}
		if (flippedLower && lower%p.tickSpacing != 0) || (flippedUpper && upper%p.tickSpacing != 0) {
			return amount0, amount1, errTickBitmap
		}
	}
	inside0, inside1 := feeGrowthInside(&lowerInfo, &upperInfo, lower, upper, tick, g0, g1)
	pos, err := updatePosition(entry.Position, liquidityDelta, &inside0, &inside1)
	if err != nil {
		return amount0, amount1, err
	}

	liquidity := p.liquidity
	if changing {
		switch {
		case tick < lower:
			// Below the range the position is all token0.
			amount0, err = Amount0DeltaSigned(&sqrtLower, &sqrtUpper, liquidityDelta)
		case tick < upper:
			amount0, err = Amount0DeltaSigned(&p.sqrtPriceX96, &sqrtUpper, liquidityDelta)
			if err == nil {
				amount1, err = Amount1DeltaSigned(&sqrtLower, &p.sqrtPriceX96, liquidityDelta)
			}
			if err == nil {
				liquidity, err = AddDelta(&p.liquidity, liquidityDelta)
			}
		default:
			// Above the range the position is all token1.
			amount1, err = Amount1DeltaSigned(&sqrtLower, &sqrtUpper, liquidityDelta)
		}
		if err != nil {
			return uint256.Int{}, uint256.Int{}, err
		}
	}

	// Commit: nothing below can fail.
	if changing {
		removing := liquidityDelta.Sign() < 0
		p.storeTick(lower, &lowerInfo, flippedLower, removing)
		p.storeTick(upper, &upperInfo, flippedUpper, removing)
	}
	p.liquidity = liquidity
	entry.Position = pos
	entry.sqrtLower, entry.sqrtUpper = sqrtLower, sqrtUpper
	if changing {
		entry.setValuation()
	}
	entry.lower, entry.upper = nil, nil
	if !entry.Liquidity.IsZero() {
		entry.lower, entry.upper = p.ticks[lower], p.ticks[upper]
	}
	p.positions.set(key, entry)
	return amount0, amount1, nil
}

// storeTick writes an updated tick, flipping its bitmap bit if it changed
// state and clearing a tick that no position references any more.
func (p *Pool) storeTick(tick int32, info *Tick, flipped, removing bool) {
	if flipped {
		p.bitmap.flip(tick)
		p.nextMemo = [2]nextMemo{}
	}
	if flipped && removing {
		delete(p.ticks, tick)
		return
	}
	if t := p.ticks[tick]; t != nil {
		*t = *info
		return
	}
	t := *info
	p.ticks[tick] = &t
}
