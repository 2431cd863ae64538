package uniswapv3

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// randomPool returns a pool with a full-range position and several ranged
// ones around the price, owned by a handful of owners.
func randomPool(t testing.TB, rng *rand.Rand) *Pool {
	t.Helper()
	configs := []struct {
		fee     uint32
		spacing int32
	}{{500, 10}, {3000, 60}, {10000, 200}, {100, 1}}
	c := configs[rng.IntN(len(configs))]
	p := newTestPool(t, c.fee, c.spacing, priceOne)
	if _, _, err := p.MintFullRange("base", randAmount(rng, 1e15, 1e22)); err != nil {
		t.Fatal(err)
	}
	for k := range 8 {
		lower := (rng.Int32N(200) - 100) * c.spacing
		upper := lower + (1+rng.Int32N(40))*c.spacing
		if _, _, err := p.Mint(fmt.Sprint("lp", k%3), lower, upper, randAmount(rng, 1e12, 1e21)); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// randAmount returns a log-uniform amount in [lo, hi).
func randAmount(rng *rand.Rand, lo, hi float64) *uint256.Int {
	v, _ := big.NewFloat(lo * math.Pow(hi/lo, rng.Float64())).Int(nil)
	var z uint256.Int
	z.SetFromBig(v)
	if z.IsZero() {
		z.SetOne()
	}
	return &z
}

// TestQuoteEqualsSwap checks, along random trade sequences, that Quote and
// QuoteWithLimit predict Swap and SwapWithLimit exactly (both exact input
// and exact output) and never change the pool.
func TestQuoteEqualsSwap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 6 {
		p := randomPool(t, rng)
		for step := range 150 {
			i := rng.IntN(2)
			amount := randAmount(rng, 1, 1e21)
			snapshot := p.Clone().(*Pool)
			if step%3 == 2 {
				// Exact output through the protocol API.
				var spec uint256.Int
				spec.Neg(amount)
				zeroForOne := i == 0
				limit := minSqrtRatioPlusOne
				if !zeroForOne {
					limit = maxSqrtRatioMinusOne
				}
				q, qerr := p.QuoteWithLimit(zeroForOne, &spec, &limit)
				if !sameState(p, snapshot) {
					t.Fatal("QuoteWithLimit changed the pool")
				}
				r, err := p.SwapWithLimit(zeroForOne, &spec, &limit)
				if q != r || reason(qerr) != reason(err) {
					t.Fatalf("exact output %s: quote %+v, %v; swap %+v, %v", amount.Dec(), q, qerr, r, err)
				}
				continue
			}
			q, qerr := p.Quote(i, 1-i, amount)
			if !sameState(p, snapshot) {
				t.Fatal("Quote changed the pool")
			}
			tr, err := p.Swap(i, 1-i, amount)
			if q != tr || reason(qerr) != reason(err) {
				t.Fatalf("swap %d->%d of %s: quote %+v, %v; swap %+v, %v", i, 1-i, amount.Dec(), q, qerr, tr, err)
			}
		}
	}
}

// TestCloneIndependent checks that a clone and its original share nothing.
func TestCloneIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	p := randomPool(t, rng)
	snapshot := p.Clone().(*Pool)
	c := p.Clone().(*Pool)
	if !sameState(c, p) {
		t.Fatal("clone differs from the original")
	}
	mutate := func(q *Pool) {
		for k := range 20 {
			if _, err := q.Swap(k%2, 1-k%2, e18(3)); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := q.Mint("new", -1200, 1200, e18(5)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := q.Burn("base", MinUsableTick(q.tickSpacing), MaxUsableTick(q.tickSpacing), u(1000)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := q.Collect("base", MinUsableTick(q.tickSpacing), MaxUsableTick(q.tickSpacing), &maxUint128, &maxUint128); err != nil {
			t.Fatal(err)
		}
	}
	mutate(c)
	if !sameState(p, snapshot) {
		t.Fatal("mutating the clone changed the original")
	}
	cs := c.Clone().(*Pool)
	mutate(p)
	if !sameState(c, cs) {
		t.Fatal("mutating the original changed the clone")
	}
}

// TestLPHoldingsWithinBalances runs random mints, burns, collections and
// swaps with the protocol fee on or off, and checks after each that the
// LPs' holdings plus protocol fees never exceed the pool's balances, and
// that LPHoldings is exactly what burning and collecting everything pays.
func TestLPHoldingsWithinBalances(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	owners := []string{"lp0", "lp1", "lp2"}
	for run := range 8 {
		p := randomPool(t, rng)
		if run%2 == 1 {
			if err := p.SetFeeProtocol(uint8(4+rng.IntN(7)), uint8(4+rng.IntN(7))); err != nil {
				t.Fatal(err)
			}
		}
		type span struct{ lower, upper int32 }
		var ranges []span
		for _, key := range p.positions.keys {
			ranges = append(ranges, span{key.tickLower, key.tickUpper})
		}
		for step := range 200 {
			owner := owners[rng.IntN(len(owners))]
			r := ranges[rng.IntN(len(ranges))]
			switch rng.IntN(6) {
			case 0:
				p.Mint(owner, r.lower, r.upper, randAmount(rng, 1, 1e20))
			case 1:
				pos := p.Position(owner, r.lower, r.upper)
				if !pos.Liquidity.IsZero() {
					var part uint256.Int
					part.Div(&pos.Liquidity, u(uint64(1+rng.IntN(3))))
					if _, _, err := p.Burn(owner, r.lower, r.upper, &part); err != nil {
						t.Fatal(err)
					}
				}
			case 2:
				p.Collect(owner, r.lower, r.upper, randAmount(rng, 1, 1e20), randAmount(rng, 1, 1e20))
			default:
				i := rng.IntN(2)
				p.Swap(i, 1-i, randAmount(rng, 1, 1e21))
			}
			checkHoldings(t, p, fmt.Sprintf("run %d step %d", run, step))
		}
	}
}

func checkHoldings(t *testing.T, p *Pool, where string) {
	t.Helper()
	hold := make([]uint256.Int, 2)
	p.LPHoldings(hold)
	b0, b1 := p.Balances()
	pf0, pf1 := p.ProtocolFees()
	var claim0, claim1 uint256.Int
	claim0.Add(&hold[0], &pf0)
	claim1.Add(&hold[1], &pf1)
	if claim0.Gt(&b0) || claim1.Gt(&b1) {
		t.Fatalf("%s: LP holdings %s, %s plus protocol fees exceed balances %s, %s", where, hold[0].Dec(), hold[1].Dec(), b0.Dec(), b1.Dec())
	}
	// Burning and collecting everything pays exactly the holdings.
	c := p.Clone().(*Pool)
	var paid0, paid1 uint256.Int
	for i, key := range p.positions.keys {
		e := p.positions.entries[i]
		if !e.Liquidity.IsZero() {
			if _, _, err := c.Burn(key.owner, key.tickLower, key.tickUpper, &e.Liquidity); err != nil {
				t.Fatalf("%s: burn: %v", where, err)
			}
		}
		a0, a1, err := c.Collect(key.owner, key.tickLower, key.tickUpper, &maxUint128, &maxUint128)
		if err != nil {
			t.Fatalf("%s: collect: %v", where, err)
		}
		paid0.Add(&paid0, &a0)
		paid1.Add(&paid1, &a1)
	}
	if paid0 != hold[0] || paid1 != hold[1] {
		t.Fatalf("%s: withdrawing everything paid %s, %s; LPHoldings %s, %s", where, paid0.Dec(), paid1.Dec(), hold[0].Dec(), hold[1].Dec())
	}
	if l := c.Liquidity(); !l.IsZero() || len(c.ticks) != 0 {
		t.Fatalf("%s: liquidity %s and %d ticks left after withdrawing everything", where, l.Dec(), len(c.ticks))
	}
}

// TestRoundTripNoProfit sells an amount of one token and sells the proceeds
// back: the trader never ends with more than it started with.
func TestRoundTripNoProfit(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	checked := 0
	for range 10 {
		p := randomPool(t, rng)
		for range 100 {
			i := rng.IntN(2)
			amount := randAmount(rng, 1, 1e22)
			there, err := p.Swap(i, 1-i, amount)
			if err != nil {
				t.Fatal(err)
			}
			if there.Out.IsZero() {
				continue
			}
			back, err := p.Swap(1-i, i, &there.Out)
			if err != nil {
				if reason(err) == "SPL" {
					continue // the first leg left the price at the limit
				}
				t.Fatal(err)
			}
			if back.Out.Gt(&there.In) {
				t.Fatalf("round trip of %s token%d returned %s", there.In.Dec(), i, back.Out.Dec())
			}
			if back.In.Gt(&there.Out) {
				t.Fatalf("second leg took %s, more than the %s received", back.In.Dec(), there.Out.Dec())
			}
			checked++
		}
	}
	if checked < 900 {
		t.Errorf("only %d of 1000 round trips completed", checked)
	}
}

// TestSwapWithLimitIf checks that a rejected conditional swap leaves the
// pool unchanged and reports the quote, and an accepted one is the swap.
func TestSwapWithLimitIf(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	p := randomPool(t, rng)
	for step := range 200 {
		zeroForOne := rng.IntN(2) == 0
		amount := randAmount(rng, 1, 1e21)
		limit := minSqrtRatioPlusOne
		if !zeroForOne {
			limit = maxSqrtRatioMinusOne
		}
		q, qerr := p.QuoteWithLimit(zeroForOne, amount, &limit)
		snapshot := p.Clone().(*Pool)
		called := false
		accept := step%2 == 0
		var r SwapResult
		ok, err := p.SwapWithLimitIf(zeroForOne, amount, &limit, &r, func(r *SwapResult) bool {
			called = true
			if *r != q || !sameState(p, snapshot) {
				t.Fatalf("accept saw %+v on a changed pool; quote %+v", r, q)
			}
			return accept
		})
		if r != q || reason(err) != reason(qerr) || called != (qerr == nil) || ok != (accept && qerr == nil) {
			t.Fatalf("got %+v, %v, %v (called %v); quote %+v, %v", r, ok, err, called, q, qerr)
		}
		if !ok && !sameState(p, snapshot) {
			t.Fatal("a swap not committed changed the pool")
		}
		if ok {
			want := snapshot
			if _, err := want.SwapWithLimit(zeroForOne, amount, &limit); err != nil {
				t.Fatal(err)
			}
			if !sameState(p, want) {
				t.Fatal("an accepted swap differs from SwapWithLimit")
			}
		}
	}
}

// TestEstimateToLimit checks EstimateToLimit against the exact swap to the
// same limit, QuoteWithLimit with type(int256).max, along random trade
// sequences: within 1e-12 relatively plus 4 units whenever it answers, and
// that it answers for limits inside the range.
func TestEstimateToLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	maxIn := uint256.Int{^uint64(0), ^uint64(0), ^uint64(0), 1<<63 - 1}
	answered := 0
	for range 200 {
		p := randomPool(t, rng)
		for range 50 {
			// Move the pool, then estimate swaps to limits near the price.
			i := rng.IntN(2)
			if _, err := p.Swap(i, 1-i, randAmount(rng, 1e6, 1e20)); err != nil {
				continue
			}
			price, _ := p.Slot0()
			for range 4 {
				zeroForOne := rng.IntN(2) == 0
				f := 1 + math.Pow(10, -1-5*rng.Float64())
				if zeroForOne {
					f = 1 / f
				}
				limit := cfmm.Amount(price.Float64() * f)
				in, out, ok := p.EstimateToLimit(zeroForOne, &limit)
				next, _, sqrtNext, _ := p.nextTick(p.tick, p.tickStale, &price, zeroForOne, false)
				inside := (zeroForOne && limit.Lt(&price) && limit.Gt(&sqrtNext)) || (!zeroForOne && limit.Gt(&price) && limit.Lt(&sqrtNext))
				if ok != inside {
					t.Fatalf("EstimateToLimit(%v, %s) ok = %v, limit inside the range to tick %d: %v", zeroForOne, limit.Dec(), ok, next, inside)
				}
				if !ok {
					continue
				}
				r, err := p.QuoteWithLimit(zeroForOne, &maxIn, &limit)
				if err != nil {
					t.Fatalf("QuoteWithLimit to %s: %v", limit.Dec(), err)
				}
				wantIn, wantOut := r.Amount0, r.Amount1
				if !zeroForOne {
					wantIn, wantOut = r.Amount1, r.Amount0
				}
				wantOut.Neg(&wantOut)
				for _, c := range []struct {
					name      string
					got, want float64
				}{{"in", in, cfmm.Float(&wantIn)}, {"out", out, cfmm.Float(&wantOut)}} {
					if math.Abs(c.got-c.want) > 1e-12*c.want+4 {
						t.Fatalf("EstimateToLimit(%v, %s) %s = %g, exact %g", zeroForOne, limit.Dec(), c.name, c.got, c.want)
					}
				}
				answered++
			}
		}
	}
	if answered < 10000 {
		t.Fatalf("only %d estimates answered", answered)
	}
}
