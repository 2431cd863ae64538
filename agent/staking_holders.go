package agent

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
)

// SynthHolders are the synthetic's demand side: holders who want it for a
// use outside the chain — a yield it earns in another DeFi protocol, its
// use as collateral or liquidity — each with limited capital in native
// tokens. Their price is a market outcome that carries the market's
// expectation of defaults, which is what makes the pool price a signal the
// protocol can read its own risk from.
//
// Holder k draws at Reset a use yield u_k uniformly from [UseMin, UseMax]
// (per year) and capital from Capital. It values one synthetic, in native
// tokens, at
//
//	v_k = (1 + u_k − ℓ)/(1 + y)
//
// the value after a year of holding the synthetic and earning u_k, less
// the expected loss ℓ, against staking the native tokens at the gross
// staking yield y instead; ℓ = (1 − backing) + d, where backing is the
// share of the circulating synthetic that outstanding loans can absorb at
// par (Staking.Backing) and d the book's default rate over its window (the
// share of the debt exposed in the window that was foreclosed). The use
// yield is earned outside this chain and is not paid in the simulation: it
// enters only the valuation.
//
// Each step, in a fresh random order, a holder buys the synthetic with its
// native tokens while the pool price (net of the fee) is below
// v_k·(1 − Margin), and sells what it holds while the price is above
// v_k·(1 + Margin). With heterogeneous u_k the holders form a
// downward-sloping demand curve; their limited capital bounds how much
// selling they absorb.
type SynthHolders struct {
	Protocol       int
	Count          int
	Capital        StakeDistribution
	UseMin, UseMax float64
	Margin         float64

	s       *protocol.Staking
	shuffle posShuffle
	order   []int
	hs      []synthHolder
	trades  int
	// byUse lists the holders' use yields ascending, and rank[k] is
	// holder k's place in it (see Act).
	byUse []float64
	rank  []int32
	// general makes Act test every holder's limit (tests compare it with
	// the ranked path).
	general bool
	// held[r] says whether the holder of rank r holds native tokens
	// (posHasNative) and synthetic (posHasSynthetic), valid when heldOK;
	// topNative is the highest rank holding native tokens (−1: none),
	// lowSynthetic the lowest holding synthetic (len: none), valid when
	// extremesOK (see Act).
	held                    []uint8
	heldOK, extremesOK      bool
	topNative, lowSynthetic int
}

// Flags of SynthHolders.held.
const (
	posHasNative uint8 = 1 << iota
	posHasSynthetic
)

type synthHolder struct {
	acct   pos.AccountID
	use    float64
	spent0 uint64
}

// Reset implements Agent.
func (g *SynthHolders) Reset(m *market.Market, rng *rand.Rand) {
	g.shuffle.seed(rng)
	g.hs, g.order, g.trades = g.hs[:0], g.order[:0], 0
	g.heldOK, g.extremesOK = false, false
	g.s = posStaking(m, g.Protocol)
	if g.s == nil {
		return
	}
	for range g.Count {
		x := max(g.Capital.draw(rng), 1)
		u := g.UseMin + rng.Float64()*(g.UseMax-g.UseMin)
		acct, err := g.s.Endow(x)
		if err != nil {
			g.s = nil
			return
		}
		g.hs = append(g.hs, synthHolder{acct: acct, use: u, spent0: g.s.Endowment(x)})
		g.order = append(g.order, len(g.order))
	}
	idx := make([]int32, len(g.hs))
	for k := range idx {
		idx[k] = int32(k)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(g.hs[a].use, g.hs[b].use) })
	g.byUse, g.rank = g.byUse[:0], slices.Grow(g.rank[:0], len(g.hs))[:len(g.hs)]
	for r, k := range idx {
		g.byUse = append(g.byUse, g.hs[k].use)
		g.rank[k] = int32(r)
	}
}

// Value is holder use yield u's valuation of one synthetic in native
// tokens (see SynthHolders).
func (g *SynthHolders) Value(u float64) float64 {
	loss, y := g.valuation()
	return holderValue(u, loss, y)
}

// valuation returns what every holder's valuation shares: the expected
// loss ℓ and the gross staking yield y. No holder's trade changes them
// (a swap moves synthetic between accounts, not the book's debt or
// circulation, and the yield moves only at an epoch).
func (g *SynthHolders) valuation() (loss, y float64) {
	s := g.s
	return (1 - s.Backing()) + s.DefaultRate(), s.IssuanceYield()
}

// holderValue is (1 + u − ℓ)/(1 + y), floored at zero, with y floored at
// zero.
func holderValue(u, loss, y float64) float64 {
	return max(0, 1+u-loss) / (1 + max(y, 0))
}

// Act implements Agent.
//
// A holder trades only when the pool's marginal price net of its fee
// crosses its own limit, the test buySynthetic and sellSynthetic apply
// first; the group evaluates it on the pool's prices, read once and again
// after each trade, and calls them only for holders whose limit is
// crossed.
//
// Both tests are monotone in the use yield u, in floating point as in
// exact arithmetic, whenever 0 ≤ Margin < 1 and the buying price is not
// negative: v = max(0, 1 + u − ℓ)/(1 + max(y, 0)) rounds each operation
// monotonically (or is NaN or constant for every holder alike), and the
// buy test !(buyAt·v·(1 − Margin) ≤ 1) then holds from some u up, the
// sell test v·(1 + Margin) ≤ 0 || !(sellAt ≤ v·(1 + Margin)) up to some
// u. So the group finds, by bisection over the use yields sorted at
// Reset, the first rank that passes the one and the last that passes the
// other, again after each trade, and in its turn each holder compares its
// rank with them: a calm step costs an integer comparison per holder,
// the same holders trading in the same order as testing each limit.
func (g *SynthHolders) Act(m *market.Market) {
	s := g.s
	if s == nil || s.Err() != nil || s.Chain() == nil {
		return
	}
	g.shuffle.ints(g.order)
	c := s.Chain()
	loss, y := g.valuation()
	var buyAt, sellAt float64
	buys := func(v float64) bool { return !(buyAt*(v*(1-g.Margin)) <= 1) }
	sells := func(v float64) bool { f := v * (1 + g.Margin); return f <= 0 || !(sellAt <= f) }
	ranked := !g.general && len(g.byUse) == len(g.hs)
	firstBuy, lastSell := 0, len(g.hs)-1
	// read reads the pool's prices and reports whether the tests are
	// monotone in rank (bisect then finds their limits).
	read := func() bool {
		pool := s.Pool()
		syn, nat := s.Tokens()
		fee := 1 - pool.FeeRate()
		buyAt, sellAt = pool.SpotPrice(nat, syn)*fee, pool.SpotPrice(syn, nat)*fee
		return ranked && g.Margin >= 0 && g.Margin < 1 && buyAt >= 0
	}
	bisect := func() {
		n := len(g.byUse)
		firstBuy = sort.Search(n, func(r int) bool { return buys(holderValue(g.byUse[r], loss, y)) })
		lastSell = sort.Search(n, func(r int) bool { return !sells(holderValue(g.byUse[r], loss, y)) }) - 1
	}
	prices := func() {
		if read() {
			bisect()
		} else {
			firstBuy, lastSell = 0, len(g.hs)-1 // test every holder
		}
	}
	monotone := read()
	// A holder's native tokens and synthetic move only by its own trades
	// (Staking.Swap on its account, here): nothing else names a holder's
	// account — it has no delegation, unbonding, loan or lending claim,
	// runs no validator, and is none of the protocol's own. So what they
	// were after its last trade (held, read once a run from the balances)
	// is what they are, and when no holder past one limit holds what it
	// would trade at it — the highest rank with native tokens below
	// firstBuy, the lowest with synthetic above lastSell — none trades in
	// the loop below (its combined test fails for every holder): the step
	// is calm, and only the shuffle's draws were needed.
	//
	// Where the tests are monotone in rank, the one rank on each side
	// tells: topNative < firstBuy exactly when the holder of rank
	// topNative does not pass the buy test (firstBuy is the first rank
	// that does, all above pass too), lowSynthetic > lastSell exactly when
	// that of rank lowSynthetic does not pass the sell test; the limits
	// are found (bisect) only for a step that is not calm.
	switch {
	case ranked && monotone:
		g.holdings()
		if (g.topNative < 0 || !buys(holderValue(g.byUse[g.topNative], loss, y))) &&
			(g.lowSynthetic >= len(g.byUse) || !sells(holderValue(g.byUse[g.lowSynthetic], loss, y))) {
			return
		}
		bisect()
	case ranked:
		g.holdings()
		if g.topNative < firstBuy && g.lowSynthetic > lastSell {
			return
		}
	}
	for _, k := range g.order {
		if ranked {
			// A holder past neither limit, or only past one it has nothing
			// to trade at (no native to buy with, no synthetic to sell),
			// does nothing: the tests below would find the same.
			//
			// Both balances are read and the tests combined without
			// short-circuits: in the shuffled order the rank tests
			// alone would be mispredicted branches half the time, where
			// the combined test is nearly always false.
			r := int(g.rank[k])
			a := g.hs[k].acct
			liq, syn := c.Liquid(a), s.Synthetic(a)
			if posFlag(r >= firstBuy)&posFlag(liq != 0)|posFlag(r <= lastSell)&posFlag(syn != 0) == 0 {
				continue
			}
		}
		h := &g.hs[k]
		v := holderValue(h.use, loss, y)
		// optimalIn's test for buying synthetic worth ceiling each (a NaN
		// passes it, as there).
		if ceiling := v * (1 - g.Margin); buys(v) {
			if n := c.Liquid(h.acct); n > 0 {
				got := buySynthetic(m, s, h.acct, uint64(float64(n)/max(s.PoolPrice(), 1e-9)), ceiling)
				g.traded(k)
				if got > 0 {
					g.trades++
					prices()
				}
			}
		}
		// A zero floor sells at any price; otherwise optimalIn's test.
		if floor := v * (1 + g.Margin); sells(v) {
			if x := s.Synthetic(h.acct); x > 0 {
				sold, _ := sellSynthetic(m, s, h.acct, x, floor)
				g.traded(k)
				if sold > 0 {
					g.trades++
					prices()
				}
			}
		}
	}
}

// holdings brings held (read from every holder's balances once a run)
// and its extremes (after a trade) up to date.
func (g *SynthHolders) holdings() {
	if !g.heldOK {
		g.held = slices.Grow(g.held[:0], len(g.hs))[:len(g.hs)]
		for k := range g.hs {
			g.held[g.rank[k]] = g.holds(k)
		}
		g.heldOK, g.extremesOK = true, false
	}
	if !g.extremesOK {
		g.topNative, g.lowSynthetic = -1, len(g.held)
		for r, f := range g.held {
			if f&posHasNative != 0 {
				g.topNative = r
			}
			if f&posHasSynthetic != 0 && g.lowSynthetic == len(g.held) {
				g.lowSynthetic = r
			}
		}
		g.extremesOK = true
	}
}

// holds is holder k's flags of held, read from its balances.
func (g *SynthHolders) holds(k int) uint8 {
	a := g.hs[k].acct
	var f uint8
	if g.s.Chain().Liquid(a) != 0 {
		f |= posHasNative
	}
	if g.s.Synthetic(a) != 0 {
		f |= posHasSynthetic
	}
	return f
}

// traded records that holder k may have traded: its flags are read again.
func (g *SynthHolders) traded(k int) {
	if g.heldOK {
		g.held[g.rank[k]] = g.holds(k)
		g.extremesOK = false
	}
}

// posFlag is b as 0 or 1, which the compiler sets without a branch.
func posFlag(b bool) uint8 {
	var x uint8
	if b {
		x = 1
	}
	return x
}

// Metrics implements Agent.
func (g *SynthHolders) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "held", Unit: "tokens", Doc: "synthetic the holders hold", Worse: metric.LowerIsWorse},
		{Name: "held_share", Unit: "fraction", Doc: "share of the synthetic in circulation the holders hold", Worse: metric.LowerIsWorse},
		{Name: "valuation", Unit: "ratio", Doc: "median holder's valuation of the synthetic, native per synthetic", Worse: metric.LowerIsWorse},
		{Name: "trades", Unit: "count", Doc: "holders' trades on the pool", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (g *SynthHolders) Observe(m *market.Market, dst []float64) {
	clear(dst[:4])
	s := g.s
	if s == nil || s.Chain() == nil || len(g.hs) == 0 {
		return
	}
	var held float64
	for _, h := range g.hs {
		held += float64(s.Synthetic(h.acct))
	}
	dst[0] = held / float64(s.Unit())
	if circ := s.Circulating(); circ > 0 {
		dst[1] = held / circ
	}
	dst[2] = g.Value((g.UseMin + g.UseMax) / 2)
	dst[3] = float64(g.trades)
}
