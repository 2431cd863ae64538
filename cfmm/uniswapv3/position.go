package uniswapv3

import (
	"maps"
	"math/bits"
	"slices"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// Position is the state of a liquidity position (Position.Info).
type Position struct {
	// Liquidity is the position's liquidity (uint128).
	Liquidity uint256.Int
	// FeeGrowthInside0LastX128 and FeeGrowthInside1LastX128 are the fee
	// growth inside the range (Q128.128, wrapping) when the position's fees
	// were last credited to TokensOwed.
	FeeGrowthInside0LastX128 uint256.Int
	FeeGrowthInside1LastX128 uint256.Int
	// TokensOwed0 and TokensOwed1 are the amounts that Collect can pay out:
	// credited fees and burned liquidity (uint128 each, wrapping as in the
	// contract).
	TokensOwed0 uint256.Int
	TokensOwed1 uint256.Int
}

type positionKey struct {
	owner                string
	tickLower, tickUpper int32
}

// positionEntry is a position with its bounds' sqrt prices, kept so that
// valuing every position at the current price needs no TickMath, and
// constants of its liquidity L that spare the valuation a division
// (setValuation).
type positionEntry struct {
	Position
	sqrtLower, sqrtUpper uint256.Int
	// lower and upper are the pool's states of the bounds while the
	// position has liquidity (which keeps them initialized), nil otherwise.
	lower, upper *Tick
	// below0 and above1 are the position's tokens, rounded down, when the
	// price is below its range (all token0) and above it (all token1).
	below0, above1 uint256.Int
	// upperQ and upperR are the quotient and remainder of L·2^96 by the
	// upper bound's sqrt price, when split is true: L, the upper bound's
	// sqrt price below 2^192 and its lower bound's above zero.
	upperQ, upperR uint256.Int
	split          bool
	// upperF and upperRF are cfmm.Float of the upper bound's sqrt price
	// and of upperR.
	upperF, upperRF float64
}

// setValuation computes the entry's valuation constants for its liquidity
// and bounds; it runs whenever either changes.
func (e *positionEntry) setValuation() {
	e.below0, _ = Amount0Delta(&e.sqrtLower, &e.sqrtUpper, &e.Liquidity, false)
	e.above1, _ = Amount1Delta(&e.sqrtLower, &e.sqrtUpper, &e.Liquidity, false)
	l, u := &e.Liquidity, &e.sqrtUpper
	e.split = l[2]|l[3] == 0 && u[3] == 0 && !e.sqrtLower.IsZero()
	if !e.split {
		e.upperQ, e.upperR = uint256.Int{}, uint256.Int{}
		return
	}
	var a uint256.Int
	a.Lsh(l, 96) // below 2^224
	e.upperQ.DivMod(&a, u, &e.upperR)
	e.upperF, e.upperRF = cfmm.Float(u), cfmm.Float(&e.upperR)
}

// amount0Within returns the token0 of liquidity L between sqrt prices P and
// the upper bound U, rounded down, for P within the position's range and
// below 2^128 (ok false otherwise, when Amount0Delta must be used):
// Amount0Delta's floor(L·2^96·(U−P)/(P·U)) as floor(L·2^96/P − L·2^96/U).
// With L·2^96 = q1·P + r1 = q2·U + r2 (q2 and r2 the entry's constants),
// the difference is q1 − q2 + (r1/P − r2/U), the last term in (−1, 1), so
// its floor is q1 − q2, less one when r1·U < r2·P. One division of at most
// four words by two replaces one of six by four.
//
// m is the pool's quotient memo: when it holds this liquidity and price
// it gives q1 and r1 without the division.
func (e *positionEntry) amount0Within(p *uint256.Int, m *quotMemo) (uint256.Int, bool) {
	if !e.split || p[2]|p[3] != 0 || p.IsZero() {
		return uint256.Int{}, false
	}
	if z1, z0, ok := e.amount0WithinWords(p, m); ok {
		return uint256.Int{z0, z1}, true
	}
	l := &e.Liquidity
	n := [8]uint64{0, l[0] << 32, l[0]>>32 | l[1]<<32, l[1] >> 32}
	a := n // divWords overwrites its dividend
	un := 4
	for un > 0 && n[un-1] == 0 {
		un--
	}
	var q [8]uint64
	divWords(&q, &n, un, p, limbs(p))
	q1 := uint256.Int{q[0], q[1], q[2], q[3]}
	// r1 = L·2^96 − q1·P < P < 2^128: the low two words of the difference.
	h, lo := bits.Mul64(q1[0], p[0])
	h += q1[0]*p[1] + q1[1]*p[0]
	r0, borrow := bits.Sub64(a[0], lo, 0)
	r1hi, _ := bits.Sub64(a[1], h, borrow)
	var z uint256.Int
	z.Sub(&q1, &e.upperQ)
	if e.remainderBelow(r1hi, r0, p) {
		z.SubUint64(&z, 1)
	}
	return z, true
}

// amount0WithinWords is amount0Within for a quotient q1 below 2^128 (so
// the result, at most q1, is two words): q1 and r1 from m when it holds
// this liquidity and price, else from quot96. ok is false when q1 does
// not fit or the position is not split, P not in (0, 2^128).
func (e *positionEntry) amount0WithinWords(p *uint256.Int, m *quotMemo) (z1, z0 uint64, ok bool) {
	if !e.split || p[2]|p[3] != 0 || p.IsZero() {
		return 0, 0, false
	}
	l := &e.Liquidity
	var q1, q0, r1, r0 uint64
	if m.l0 == l[0] && m.l1 == l[1] && m.p0 == p[0] && m.p1 == p[1] && m.l0|m.l1 != 0 {
		q1, q0, r1, r0 = m.q1, m.q0, m.r1, m.r0
	} else if q1, q0, r1, r0, ok = quot96(l[1], l[0], p[1], p[0]); !ok {
		return 0, 0, false
	}
	// q1 − q2: q2 <= q1 since U > P.
	var b uint64
	z0, b = bits.Sub64(q0, e.upperQ[0], 0)
	z1, _ = bits.Sub64(q1, e.upperQ[1], b)
	if e.remainderBelow(r1, r0, p) {
		z0, b = bits.Sub64(z0, 1, 0)
		z1 -= b
	}
	return z1, z0, true
}

// remainderBelow reports whether r1·U < r2·P for the remainder r1 =
// (hi, lo) of L·2^96 by P and the entry's r2 of it by U, each product
// below 2^320: first in floats, each product within 1e-15 of its value
// (two conversions of a few units in the last place and a product), so a
// gap above 1e-12 of the larger decides; closer ones are compared
// exactly.
func (e *positionEntry) remainderBelow(hi, lo uint64, p *uint256.Int) bool {
	r1 := uint256.Int{lo, hi}
	xf, yf := cfmm.Float(&r1)*e.upperF, e.upperRF*cfmm.Float(p)
	if d := xf - yf; d > 1e-12*xf {
		return false
	} else if -d > 1e-12*yf {
		return true
	}
	var x, y [8]uint64
	mulWords(&x, &r1, &e.sqrtUpper, limbs(&r1), limbs(&e.sqrtUpper))
	mulWords(&y, &e.upperR, p, limbs(&e.upperR), limbs(p))
	for i := 7; i >= 0; i-- {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

// positionBook holds a pool's positions in a slice indexed by key, so that
// valuing them all walks the slice instead of iterating a map. Removing a
// position moves the last one into its place: the order is not state.
type positionBook struct {
	index   map[positionKey]int
	keys    []positionKey
	entries []positionEntry
}

func newPositionBook() positionBook {
	return positionBook{index: make(map[positionKey]int)}
}

// get returns the entry of key, or the zero entry and false.
func (b *positionBook) get(key positionKey) (positionEntry, bool) {
	i, ok := b.index[key]
	if !ok {
		return positionEntry{}, false
	}
	return b.entries[i], true
}

// set stores the entry of key, adding the key if it is new.
func (b *positionBook) set(key positionKey, e positionEntry) {
	if i, ok := b.index[key]; ok {
		b.entries[i] = e
		return
	}
	b.index[key] = len(b.entries)
	b.keys = append(b.keys, key)
	b.entries = append(b.entries, e)
}

// remove deletes key's entry, if any.
func (b *positionBook) remove(key positionKey) {
	i, ok := b.index[key]
	if !ok {
		return
	}
	last := len(b.entries) - 1
	if i != last {
		b.entries[i], b.keys[i] = b.entries[last], b.keys[last]
		b.index[b.keys[i]] = i
	}
	b.entries, b.keys = b.entries[:last], b.keys[:last]
	delete(b.index, key)
}

// clone returns an independent copy.
func (b *positionBook) clone() positionBook {
	return positionBook{index: maps.Clone(b.index), keys: slices.Clone(b.keys), entries: slices.Clone(b.entries)}
}

// updatePosition returns pos after liquidityDelta (an int128) is applied and
// the fees earned since the last update, at feeGrowthInside, are credited
// (Position.update). Credited fees are liquidity·Δgrowth/2^128 rounded down
// and cast to uint128. A zero delta ("poke") requires existing liquidity.
func updatePosition(pos Position, liquidityDelta, feeGrowthInside0X128, feeGrowthInside1X128 *uint256.Int) (Position, error) {
	var liquidityNext uint256.Int
	if liquidityDelta.IsZero() {
		if pos.Liquidity.IsZero() {
			return pos, errNP
		}
		liquidityNext = pos.Liquidity
	} else {
		var err error
		if liquidityNext, err = AddDelta(&pos.Liquidity, liquidityDelta); err != nil {
			return pos, err
		}
	}
	owed0 := feesEarned(&pos.Liquidity, feeGrowthInside0X128, &pos.FeeGrowthInside0LastX128)
	owed1 := feesEarned(&pos.Liquidity, feeGrowthInside1X128, &pos.FeeGrowthInside1LastX128)

	pos.Liquidity = liquidityNext
	pos.FeeGrowthInside0LastX128 = *feeGrowthInside0X128
	pos.FeeGrowthInside1LastX128 = *feeGrowthInside1X128
	// Overflow is accepted as in the contract: owners must collect before
	// 2^128 units accrue.
	pos.TokensOwed0.Add(&pos.TokensOwed0, &owed0)
	truncate128(&pos.TokensOwed0)
	pos.TokensOwed1.Add(&pos.TokensOwed1, &owed1)
	truncate128(&pos.TokensOwed1)
	return pos, nil
}

// feesEarned returns uint128(liquidity·(inside−last)/2^128), the fees a
// position of that liquidity earned since its checkpoint, rounded down.
//
// For liquidity below 2^128, as a uint128 is, floor(g·L/2^128) mod 2^128 is
// bits 128–255 of g·L mod 2^256: the product's low four words, of which
// the words of g above the third need only their low products.
func feesEarned(liquidity, inside, last *uint256.Int) uint256.Int {
	hi, lo := feesEarnedWords(liquidity, inside, last)
	return uint256.Int{lo, hi}
}

// feesEarnedWords is feesEarned as its two words.
func feesEarnedWords(liquidity, inside, last *uint256.Int) (hi, lo uint64) {
	var g uint256.Int
	g.Sub(inside, last)
	if liquidity[2]|liquidity[3] != 0 {
		// liquidity < 2^128 keeps the quotient below 2^256, so MulDiv cannot fail.
		z, _ := MulDiv(&g, liquidity, &q128)
		return z[1], z[0]
	}
	l0, l1 := liquidity[0], liquidity[1]
	// g·L mod 2^256, words 1 to 3 (word 0 only carries into word 1).
	h00, _ := bits.Mul64(g[0], l0)
	h01, w01 := bits.Mul64(g[0], l1)
	h10, w10 := bits.Mul64(g[1], l0)
	h11, w11 := bits.Mul64(g[1], l1)
	h20, w20 := bits.Mul64(g[2], l0)
	w21 := g[2] * l1
	w30 := g[3] * l0
	var c, c2 uint64
	_, c = bits.Add64(h00, w01, 0)
	_, c2 = bits.Add64(h00+w01, w10, 0)
	w2, k := bits.Add64(h01, h10, c)
	w3 := h11 + h20 + w21 + w30 + k
	w2, k = bits.Add64(w2, w11, c2)
	w3 += k
	w2, k = bits.Add64(w2, w20, 0)
	w3 += k
	return w3, w2
}
