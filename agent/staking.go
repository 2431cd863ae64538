package agent

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/synth"
	"github.com/cascade-risk/cascade/variate"
	"github.com/holiman/uint256"
)

// This file holds what the staking behaviours share: trading the
// synthetic on its pool at a price limit, repaying loans, drawing
// endowments, choosing leverage and ordering a group's members.

// rayFloat converts a ray (1e27 = 1) to float64 for decisions.
func rayFloat(x *uint256.Int) float64 { return x.Float64() / 1e27 }

// satAdd is a + b, saturating at the largest uint64.
func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

// sellSynthetic sells up to amount of acct's synthetic, no more than
// keeps the pool's marginal price net of its fee at or above floor (native
// per synthetic; 0: no floor), and returns the amounts sold and received.
func sellSynthetic(m *market.Market, s *protocol.Staking, acct pos.AccountID, amount uint64, floor float64) (sold, got uint64) {
	x := min(amount, s.Synthetic(acct))
	if floor > 0 {
		x = min(x, optimalIn(s, false, floor, 1))
	}
	if x == 0 {
		return 0, 0
	}
	got, err := s.Swap(m, acct, false, x)
	if err != nil {
		return 0, 0
	}
	return x, got
}

// buySynthetic spends acct's native tokens on about want synthetic, no
// more than keeps the pool's marginal price net of its fee at or below
// ceiling (native per synthetic; +Inf: no ceiling), and returns the
// synthetic received.
func buySynthetic(m *market.Market, s *protocol.Staking, acct pos.AccountID, want uint64, ceiling float64) uint64 {
	liquid := s.Chain().Liquid(acct)
	if want == 0 || liquid == 0 {
		return 0
	}
	// Native for want at the pool price, with room for the fee and the
	// price impact.
	x := uint64(min(float64(want)*s.PoolPrice()*(1+s.Pool().FeeRate())*1.05+1, float64(liquid)))
	if !math.IsInf(ceiling, 1) {
		x = min(x, optimalIn(s, true, 1, ceiling))
	}
	if x == 0 {
		return 0
	}
	got, err := s.Swap(m, acct, true, x)
	if err != nil {
		return 0
	}
	return got
}

// optimalIn returns the input that maximises Quote(in)·valueOut −
// in·valueIn when selling the native token (sellNative) or the synthetic,
// each valued in native tokens: the closed form for a constant-product
// pair, a numerical search otherwise; zero when no trade profits.
func optimalIn(s *protocol.Staking, sellNative bool, valueIn, valueOut float64) uint64 {
	pool := s.Pool()
	if pool == nil {
		return 0
	}
	i, j := s.Tokens()
	if sellNative {
		i, j = j, i
	}
	var a uint256.Int
	// The pair's methods called directly where the pool is a pair (the
	// usual case, and nearly always one where no trade profits): the same
	// arithmetic, without two calls through the interface.
	if pair, ok := pool.(*uniswapv2.Pair); ok {
		if pair.SpotPrice(i, j)*(1-pair.FeeRate())*valueOut <= valueIn {
			return 0
		}
		r0, r1 := pair.Reserves()
		r := [2]float64{r0.Float64(), r1.Float64()}
		a = constantProductOptimum(r[i], r[j], valueIn, valueOut, pair.FeeRate())
	} else {
		if pool.SpotPrice(i, j)*(1-pool.FeeRate())*valueOut <= valueIn {
			return 0
		}
		h := make([]uint256.Int, 2)
		a = numericOptimum(pool, i, j, valueIn, valueOut, h)
	}
	if !a.IsUint64() {
		return math.MaxUint64
	}
	return a.Uint64()
}

// StakeDistribution draws an agent's endowment in raw units: Fixed when
// Alpha is 0, otherwise Pareto with tail index Alpha and scale Min,
// x = Min·U^(−1/Alpha) for U uniform on (0, 1], capped at Max (0: no cap).
type StakeDistribution struct {
	Fixed, Min, Max uint64
	Alpha           float64
}

func (d StakeDistribution) draw(rng *rand.Rand) uint64 {
	if d.Alpha <= 0 {
		return d.Fixed
	}
	u := 1 - rng.Float64() // (0, 1]
	x := float64(d.Min) * math.Pow(u, -1/d.Alpha)
	if d.Max > 0 {
		x = min(x, float64(d.Max))
	}
	return uint64(min(x, 1<<62))
}

// posStaking returns the Staking protocol at index p of the market, or nil.
func posStaking(m *market.Market, p int) *protocol.Staking {
	if p < 0 || p >= len(m.Protocols) {
		return nil
	}
	s, _ := m.Protocols[p].(*protocol.Staking)
	if s == nil || s.Chain() == nil {
		return nil
	}
	return s
}

// chooseLeverage returns the leverage λ (stake/equity) that maximises a
// borrower's expected yearly return per unit of equity,
//
//	E(λ) = λ·y − (λ − 1)·r − π·(λ·f + [λ > λs]·(λ·(1 − f) − (λ − 1)))
//
// among 1 (no loan), its appetite λa, and the safe leverage
// λs = 0.95/(1 − (1 − f)/LR) capped at λa — the most it can owe and still
// not default after one incident burning f of its stake (at par; no cap
// when 1 − f ≥ LR). y is the gross staking yield, r the borrow rate, π its
// yearly incident rate, LR the liquidation ratio; after a default it loses
// what is left of its collateral, λ·(1 − f), and keeps the λ − 1 it
// borrowed. Leverage never exceeds what the collateral ratio CR allows,
// 1/(1 − 1/CR). Ties keep the lower leverage.
func chooseLeverage(appetite, y, r, f, lr, cr, pi float64) float64 {
	var b leverageBounds
	return b.choose(appetite, y, r, f, lr, cr, pi)
}

// leverageBounds memoizes chooseLeverage's caps that depend only on f, LR
// and CR — 1/(1 − 1/CR) and max(1, 0.95/(1 − (1 − f)/LR)), four
// divisions — which stay the same from one operator and epoch to the
// next (f is a constant fraction on Cosmos chains): the same expressions
// of the same operands, so the same values.
type leverageBounds struct {
	f, lr, cr      float64
	crCap, safeCap float64
	ok             bool
}

// choose is chooseLeverage, its caps memoized in b.
func (b *leverageBounds) choose(appetite, y, r, f, lr, cr, pi float64) float64 {
	if !b.ok || b.f != f || b.lr != lr || b.cr != cr {
		*b = leverageBounds{f: f, lr: lr, cr: cr, ok: true}
		if cr > 1 {
			b.crCap = 1 / (1 - 1/cr)
		}
		if 1-f < lr {
			b.safeCap = max(1, 0.95/(1-(1-f)/lr))
		}
	}
	maxLev := appetite
	if cr > 1 {
		maxLev = min(maxLev, b.crCap)
	}
	safe := maxLev
	if 1-f < lr {
		safe = min(maxLev, b.safeCap)
	}
	ret := func(l float64) float64 {
		e := l*y - (l-1)*r - pi*l*f
		if 1-f < lr && (1-f)*l < lr*(l-1) {
			e -= pi * (l*(1-f) - (l - 1))
		}
		return e
	}
	// The best of 1, safe and maxLev, the first on ties: each return
	// computed once (ret is a function of l alone, so a leverage equal to
	// one already weighed, as maxLev is to safe when the safe cap does not
	// bind, would not beat it).
	best, top := 1.0, ret(1)
	if e := ret(safe); e > top {
		best, top = safe, e
	}
	if maxLev != safe {
		if e := ret(maxLev); e > top {
			best = maxLev
		}
	}
	return best
}

// posDraw is a group's uniform draws: rng.Float64, or the same numbers
// straight from the PCG generator behind rng when the world gives it
// (market.PCGResetter).
type posDraw struct {
	rng *rand.Rand
	pcg *rand.PCG // nil: draw through rng
}

func (d *posDraw) float64() float64 {
	if d.pcg != nil {
		return variate.Source{PCG: d.pcg, Rand: d.rng}.Float64()
	}
	return d.rng.Float64()
}

// fill appends k draws to dst, the numbers k calls of float64 return:
// rand.Rand.Float64's float64(x<<11>>11)/2^53 of each output x, stepped
// with the PCG's state in locals (variate.Next) and written back
// (rand.PCG.Seed sets the state words).
func (d *posDraw) fill(dst []float64, k int) []float64 {
	if d.pcg != nil {
		if hi, lo, ok := variate.State(d.pcg); ok {
			var x uint64
			for range k {
				hi, lo, x = variate.Next(hi, lo)
				dst = append(dst, float64(x<<11>>11)/(1<<53))
			}
			d.pcg.Seed(hi, lo)
			return dst
		}
	}
	for range k {
		dst = append(dst, d.float64())
	}
	return dst
}

// skip advances the generator past k draws whose numbers nothing reads.
func (d *posDraw) skip(k uint64) {
	if d.pcg != nil {
		variate.Skip(d.pcg, k)
		return
	}
	for range k {
		d.rng.Uint64()
	}
}

// posShuffle orders a group's members from a stream of its own, seeded
// from the agent's stream at Reset, so that how many members there are to
// order never shifts the draws that decide faults and moves (common random
// numbers across policy arms).
type posShuffle struct {
	pcg rand.PCG
	rng *rand.Rand
	// hi and lo are pcg's state on 64-bit platforms, where ints steps it
	// itself (variate.Shuffle) in locals the compiler keeps in registers,
	// rather than through pcg's fields in memory at every draw.
	hi, lo uint64
}

func (p *posShuffle) seed(from *rand.Rand) {
	p.hi, p.lo = from.Uint64(), from.Uint64()
	p.pcg.Seed(p.hi, p.lo)
	if p.rng == nil {
		p.rng = rand.New(&p.pcg)
	}
}

// ints shuffles xs as p.rng.Shuffle would (the same Fisher–Yates draws,
// each by Lemire's multiply-and-reject of math/rand/v2's uint64n, from
// the same PCG outputs), with the generator stepped in registers.
func (p *posShuffle) ints(xs []int) {
	if is32bit {
		p.rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
		return
	}
	p.hi, p.lo = variate.Shuffle(p.hi, p.lo, xs)
}

// is32bit: math/rand/v2 draws differently on 32-bit platforms.
const is32bit = ^uint(0)>>32 == 0

// sellFloor is the lowest pool price borrowers sell synthetic at: their
// break-even, or a stated floor if higher.
func sellFloor(s *protocol.Staking, floor float64) float64 { return max(floor, s.BreakEven()) }

// posRepay repays up to x of acct's open loans, smallest first so that
// whole loans close and unlock their collateral: from its synthetic, then
// by buying synthetic with its liquid tokens while the pool price stays
// at or below ceiling. It returns what is still owed of x.
func posRepay(m *market.Market, s *protocol.Staking, acct pos.AccountID, x uint64, ceiling float64) uint64 {
	h := s.Synthetic(acct)
	if h < x {
		buySynthetic(m, s, acct, x-h, ceiling)
		h = s.Synthetic(acct)
	}
	if h == 0 {
		return x
	}
	type owed struct {
		id   synth.LoanID
		debt uint64
	}
	// An account has a loan per position, a few: on the stack up to 8.
	var buf [8]owed
	list := buf[:0]
	for _, id := range s.Loans(acct) {
		if l, err := s.Book().Loan(id); err == nil && l.Status == synth.Open {
			list = append(list, owed{id, l.Debt.Uint64()})
		}
	}
	slices.SortStableFunc(list, func(a, b owed) int { return cmp.Compare(a.debt, b.debt) })
	for _, l := range list {
		if x == 0 || h == 0 {
			break
		}
		paid, err := s.Repay(l.id, min(h, x, l.debt))
		if err != nil || paid == 0 {
			break
		}
		h -= paid
		x -= min(x, paid)
	}
	return x
}
