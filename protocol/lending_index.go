package protocol

import (
	"cmp"
	"slices"

	"github.com/cascade-risk/cascade/lending/aave"
	"github.com/holiman/uint256"
)

// riskMargin is the relative margin within which a position near its
// threshold is valued exactly (see aave.PairThreshold).
const riskMargin = 1e-6

// minDebtSlack is how far prices may move against a pair group's floor
// (see pairGroup.floor) before its index stops being trusted.
const minDebtSlack = 100

// riskIndex keeps an Aave pool's positions ordered by how close they are
// to liquidation, so that finding the liquidatable and underwater
// positions touches only those near their thresholds.
//
// A position with one collateral reserve c and one debt reserve d (a
// pair, aave.PairShape) is liquidatable about when its key κ = scaled
// debt / scaled supply exceeds the market's aave.PairThreshold for (c, d),
// which moves with prices and interest but is the same for every pair
// position: interest moves every balance of a reserve together through
// its index, and scaled balances change only through operations on the
// position. So each pair group is sorted by κ once, re-sorted only for
// the positions an operation changed (LendingPool.touch), and a scan reads
// only the keys above the threshold less a margin that covers the
// protocol's rounding; those are then valued exactly. Positions of any
// other shape with debt, and pair positions too small for the margin
// (scaled debt below the group's floor), are valued exactly at every
// scan. A group whose floor no longer covers the rounding at the current
// prices is scanned whole.
type riskIndex struct {
	groups []pairGroup
	// By user id: the group a pair position is filed in (−1: none), its
	// key, and which list of the others it is in (0: none).
	group []int
	key   []float64
	other []uint8
	// others are the positions valued at every scan, in two lists:
	// others[1] those holding a supply somewhere, others[2] those holding
	// none (which a liquidation cannot seize from); users whose flag
	// went false are dropped at the next sync.
	others [3][]int
	// dirty are users touched since the last sync.
	dirty   []int
	isDirty []bool

	// sums are Σ users' scaled supply and debt by reserve, kept as
	// touches change them (snap holds each user's as last seen, user u's
	// reserve r at u·assets + r), for LendingPool.Check.
	supply, debt []uint256.Int
	snap         []aave.Position
	assets       int

	// The last full scan, valid while epoch and version match.
	scanEpoch, version, scanVersion uint64
	risky                           []RiskyPosition
	cand                            []int
}

// pairGroup is the pair positions of one (collateral, debt) reserve pair
// with scaled debt at least floor, sorted by descending key then user.
type pairGroup struct {
	c, d    int
	floor   float64
	entries []riskEntry
	// t is the group's threshold as of epoch tEpoch.
	t      aave.PairThreshold
	tEpoch uint64
}

// threshold returns group g's threshold now, and whether its margin
// covers the rounding of every position filed in it.
func (x *riskIndex) threshold(p *LendingPool, g int) (aave.PairThreshold, bool) {
	gr := &x.groups[g]
	if gr.tEpoch != p.epoch {
		gr.t, gr.tEpoch = p.aave.Threshold(p.now, gr.c, gr.d, riskMargin), p.epoch
	}
	return gr.t, gr.t.Valid && gr.t.MinDebt <= gr.floor
}

type riskEntry struct {
	key  float64
	user int
}

// RiskyPosition is a position that is liquidatable or whose debt exceeds
// its collateral.
type RiskyPosition struct {
	User int
	// Liquidatable is the protocol's verdict; Underwater is
	// View.Debt > View.Collateral.
	Liquidatable, Underwater bool
	// View is the position's valuation when Underwater; a position the
	// index shows liquidatable and not underwater is not valued, and its
	// View is zero.
	View AccountView
}

func (x *riskIndex) reset(assets int) {
	x.groups = x.groups[:0]
	x.group, x.key, x.other = x.group[:0], x.key[:0], x.other[:0]
	x.others[1], x.others[2] = x.others[1][:0], x.others[2][:0]
	x.dirty, x.isDirty = x.dirty[:0], x.isDirty[:0]
	x.supply = make([]uint256.Int, assets)
	x.debt = make([]uint256.Int, assets)
	x.snap, x.assets = x.snap[:0], assets
	x.version++
	x.risky = x.risky[:0]
}

func (x *riskIndex) add() {
	x.group = append(x.group, -1)
	x.key = append(x.key, 0)
	x.other = append(x.other, 0)
	x.isDirty = append(x.isDirty, false)
	x.snap = append(x.snap, make([]aave.Position, x.assets)...)
}

// touch records that u's position may have changed: its scaled balances
// update the sums now, its place in the index at the next sync.
func (x *riskIndex) touch(pool *aave.Pool, u int) {
	x.version++
	s := x.snap[u*x.assets : (u+1)*x.assets]
	for r := range s {
		pos := pool.Position(r, u)
		x.supply[r].Sub(&x.supply[r], &s[r].ScaledSupply)
		x.supply[r].Add(&x.supply[r], &pos.ScaledSupply)
		x.debt[r].Sub(&x.debt[r], &s[r].ScaledDebt)
		x.debt[r].Add(&x.debt[r], &pos.ScaledDebt)
		s[r] = pos
	}
	if !x.isDirty[u] {
		x.isDirty[u] = true
		x.dirty = append(x.dirty, u)
	}
}

func cmpEntry(a, b riskEntry) int {
	if c := cmp.Compare(b.key, a.key); c != 0 {
		return c
	}
	return cmp.Compare(a.user, b.user)
}

// sync files the touched positions anew.
func (x *riskIndex) sync(p *LendingPool) {
	if len(x.dirty) == 0 {
		return
	}
	// Many changes (a book opening) are filed by one sort per group
	// rather than one insertion each.
	batch := len(x.dirty) > 32
	if batch {
		for g := range x.groups {
			x.groups[g].entries = slices.DeleteFunc(x.groups[g].entries, func(e riskEntry) bool { return x.isDirty[e.user] })
		}
	}
	dropped := false
	for _, u := range x.dirty {
		x.isDirty[u] = false
		if g := x.group[u]; g >= 0 && !batch {
			e := &x.groups[g].entries
			if k, ok := slices.BinarySearchFunc(*e, riskEntry{x.key[u], u}, cmpEntry); ok {
				*e = slices.Delete(*e, k, k+1)
			}
		}
		x.group[u] = -1
		was, other := x.other[u], uint8(0)
		switch shape, pr := p.aave.PairOf(u); shape {
		case aave.NoDebt:
		case aave.PairShape:
			g := x.groupOf(p, pr.C, pr.D)
			if pr.Debt.Float64() < x.groups[g].floor {
				other = 1
				break
			}
			key := pr.Debt.Float64() / pr.Supply.Float64()
			e := &x.groups[g].entries
			if batch {
				*e = append(*e, riskEntry{key, u})
			} else {
				k, _ := slices.BinarySearchFunc(*e, riskEntry{key, u}, cmpEntry)
				*e = slices.Insert(*e, k, riskEntry{key, u})
			}
			x.group[u], x.key[u] = g, key
		default:
			other = 2
			for r := range x.assets {
				if !x.snap[u*x.assets+r].ScaledSupply.IsZero() {
					other = 1
				}
			}
		}
		x.other[u] = other
		if other != was {
			if other != 0 {
				x.others[other] = append(x.others[other], u)
			}
			dropped = dropped || was != 0
		}
	}
	x.dirty = x.dirty[:0]
	if batch {
		for g := range x.groups {
			slices.SortFunc(x.groups[g].entries, cmpEntry)
		}
	}
	if dropped {
		for k := 1; k <= 2; k++ {
			x.others[k] = slices.DeleteFunc(x.others[k], func(u int) bool { return x.other[u] != uint8(k) })
		}
	}
}

// groupOf returns the index of the (c, d) group, creating it with a floor
// minDebtSlack times the least scaled debt the margin covers at the
// current prices.
func (x *riskIndex) groupOf(p *LendingPool, c, d int) int {
	for g := range x.groups {
		if x.groups[g].c == c && x.groups[g].d == d {
			return g
		}
	}
	t := p.aave.Threshold(p.now, c, d, riskMargin)
	x.groups = append(x.groups, pairGroup{c: c, d: d, floor: t.MinDebt * minDebtSlack})
	return len(x.groups) - 1
}

// candidates appends the users that may be liquidatable or underwater
// now, unordered: each group's keys above its threshold less the margin
// (all of them when the threshold cannot be trusted), and the others.
// With seize ≥ 0, positions with no supply in reserve seize are left out,
// and so are users u with skip[u].
func (x *riskIndex) candidates(p *LendingPool, dst []int, seize int, skip []bool) []int {
	keep := func(u int) bool { return u >= len(skip) || !skip[u] }
	for g := range x.groups {
		gr := &x.groups[g]
		t, trusted := x.threshold(p, g)
		cut := min(t.Liquidation, t.Collateral) / (1 + t.Margin)
		whole := !trusted
		for _, e := range gr.entries {
			if !whole && e.key < cut {
				break
			}
			if keep(e.user) && (seize < 0 || seize == gr.c || p.hasSupply(e.user, seize)) {
				dst = append(dst, e.user)
			}
		}
	}
	for _, u := range x.others[1] {
		if keep(u) && (seize < 0 || p.hasSupply(u, seize)) {
			dst = append(dst, u)
		}
	}
	if seize < 0 {
		for _, u := range x.others[2] {
			if keep(u) {
				dst = append(dst, u)
			}
		}
	}
	return dst
}

// hasSupply reports whether u holds a non-zero scaled supply of reserve r.
func (p *LendingPool) hasSupply(u, r int) bool {
	pos := p.aave.Position(r, u)
	return !pos.ScaledSupply.IsZero()
}

// byDebtorOrder sorts users into the order they first borrowed.
// Each user is sorted as one word, rank then id, without a comparison
// function (users and ranks are below 2^32; ranks of debtors are
// distinct).
func (p *LendingPool) byDebtorOrder(users []int) {
	if len(users) < 2 {
		return
	}
	keys := p.sortKeys[:0]
	for _, u := range users {
		keys = append(keys, uint64(p.rank[u]+1)<<32|uint64(uint32(u)))
	}
	slices.Sort(keys)
	for k, key := range keys {
		users[k] = int(uint32(key))
	}
	p.sortKeys = keys
}

// SurelyLiquidatable reports whether the index shows, without valuing it,
// that u's position is liquidatable now and holds collateral in reserve c
// and debt in reserve d: it is a pair position of (c, d), whose non-zero
// scaled balances give non-zero balances, with a key at least the
// threshold over 1 − 3·margin, where the health factor's rounding cannot
// lift it to 1 (see aave.PairThreshold). False says nothing.
func (p *LendingPool) SurelyLiquidatable(u, c, d int) bool {
	if p.aave == nil || u < 0 || u >= len(p.idx.group) {
		return false
	}
	x := &p.idx
	x.sync(p)
	g := x.group[u]
	if g < 0 || x.groups[g].c != c || x.groups[g].d != d {
		return false
	}
	t, trusted := x.threshold(p, g)
	return trusted && x.key[u] >= t.Liquidation/(1-3*t.Margin)
}

// SurelyHealthy reports whether the index shows, without valuing it, that
// u's position is not liquidatable now: it is a pair position in a
// trusted group with a key at most the threshold over 1 + margin, where
// the exact health factor is at least 1 (see aave.PairThreshold). False
// says nothing.
func (p *LendingPool) SurelyHealthy(u int) bool {
	if p.aave == nil || u < 0 || u >= len(p.idx.group) {
		return false
	}
	x := &p.idx
	x.sync(p)
	g := x.group[u]
	if g < 0 {
		return false
	}
	t, trusted := x.threshold(p, g)
	return trusted && x.key[u] <= t.Liquidation/(1+t.Margin)
}

// surelyCloseAll reports, when the index shows it without valuing the
// position, whether u's health factor is at most
// aave.CloseFactorHFThreshold (0.95): known is false unless u is a pair
// position in a trusted group with W*/D* (the threshold over its key) at
// least 3·margin away from 0.95, beyond the rounding (see
// aave.PairThreshold).
func (p *LendingPool) surelyCloseAll(u int) (closeAll, known bool) {
	if p.aave == nil || u < 0 || u >= len(p.idx.group) {
		return false, false
	}
	x := &p.idx
	x.sync(p)
	g := x.group[u]
	if g < 0 {
		return false, false
	}
	t, trusted := x.threshold(p, g)
	if !trusted {
		return false, false
	}
	h := t.Liquidation / x.key[u]
	const cf = float64(aave.CloseFactorHFThreshold) / 1e18
	switch {
	case h <= cf-3*t.Margin:
		return true, true
	case h >= cf+3*t.Margin:
		return false, true
	}
	return false, false
}

// sure reports what the index shows of u's position without valuing it:
// liquidatable (its key at least the liquidation threshold over
// 1 − 3·margin) and not underwater (its key at most the collateral
// threshold over 1 + margin, so that the collateral's value, rounded, is at
// least the debt's; see aave.PairThreshold). Both are false unless u is a
// pair position in a trusted group.
func (x *riskIndex) sure(p *LendingPool, u int) (liquidatable, above bool) {
	g := x.group[u]
	if g < 0 {
		return false, false
	}
	t, trusted := x.threshold(p, g)
	if !trusted {
		return false, false
	}
	k := x.key[u]
	return k >= t.Liquidation/(1-3*t.Margin), k <= t.Collateral/(1+t.Margin)
}

// Floors returns lower bounds on what Debt(u, d) and Collateral(u, c)
// return, in raw units, from u's scaled balances and the reserves'
// normalized indexes in floating point, without the protocol's integer
// valuation; ok is false unless the pool is Aave and u a pair position of
// collateral c and debt d (aave.PairShape). Each balance is a rayMul,
// ⌊(s·I + ½·1e27)/1e27⌋ ≥ s·I/1e27 − ½, and the float s·I/1e27 (three
// roundings and two conversions) is within a relative 1e-15 of s·I/1e27,
// so the floors are the float values less a relative 1e-12 and one unit.
func (p *LendingPool) Floors(u, c, d int) (debt, coll float64, ok bool) {
	if p.aave == nil || u < 0 {
		return 0, 0, false
	}
	shape, pr := p.aave.PairOf(u)
	if shape != aave.PairShape || pr.C != c || pr.D != d {
		return 0, 0, false
	}
	id, err := p.aave.NormalizedDebt(p.now, d)
	if err != nil {
		return 0, 0, false
	}
	ic, err := p.aave.NormalizedIncome(p.now, c)
	if err != nil {
		return 0, 0, false
	}
	floor := func(s, i *uint256.Int) float64 {
		return max(0, s.Float64()*i.Float64()/1e27*(1-1e-12)-1)
	}
	return floor(&pr.Debt, &id), floor(&pr.Supply, &ic), true
}
