package uniswapv3

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// TestSwapLeanOffDigest reruns TestSwapSequenceDigest's sequences with
// swapLean off (swapWithin and the loop alone): the digest is the same.
func TestSwapLeanOffDigest(t *testing.T) {
	leanWords = false
	defer func() { leanWords = true }()
	TestSwapSequenceDigest(t)
}

// randWords returns a random value of about bits bits (at least 1).
func randWords(rng *rand.Rand, bits int) uint256.Int {
	z := uint256.Int{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
	z.Rsh(&z, uint(256-bits))
	if z.IsZero() {
		z[0] = 1
	}
	return z
}

// TestQuot96 compares quot96 with a big-integer division of L·2^96 by P.
func TestQuot96(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 0
	for range 200000 {
		l := randWords(rng, 1+rng.IntN(128))
		p := randWords(rng, 1+rng.IntN(128))
		q1, q0, r1, r0, ok := quot96(l[1], l[0], p[1], p[0])
		num := new(big.Int).Lsh(l.ToBig(), 96)
		q, r := new(big.Int).QuoRem(num, p.ToBig(), new(big.Int))
		if fits := q.BitLen() <= 128; ok != fits {
			t.Fatalf("quot96(%s, %s): ok %v, quotient %s", l.Dec(), p.Dec(), ok, q)
		}
		if !ok {
			continue
		}
		n++
		gq, gr := uint256.Int{q0, q1}, uint256.Int{r0, r1}
		if gq.ToBig().Cmp(q) != 0 || gr.ToBig().Cmp(r) != 0 {
			t.Fatalf("quot96(%s, %s) = %s, %s; want %s, %s", l.Dec(), p.Dec(), gq.Dec(), gr.Dec(), q, r)
		}
	}
	if n < 50000 {
		t.Fatalf("only %d quotients fit", n)
	}
}

// TestAmount0DiffMatchesAmount0Delta compares getAmount0Delta from two
// quotients (amount0Diff) with Amount0Delta, both roundings.
func TestAmount0DiffMatchesAmount0Delta(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 0
	for range 200000 {
		l := randWords(rng, 1+rng.IntN(128))
		a := randWords(rng, 33+rng.IntN(94))
		b := a
		if rng.IntN(2) == 0 {
			b.Add(&b, &uint256.Int{rng.Uint64N(1 << rng.IntN(63))})
		} else {
			b = randWords(rng, 33+rng.IntN(94))
		}
		if b.Lt(&a) {
			a, b = b, a
		}
		qa1, qa0, ra1, ra0, oka := quot96(l[1], l[0], a[1], a[0])
		qb1, qb0, rb1, rb0, okb := quot96(l[1], l[0], b[1], b[0])
		if !oka || !okb {
			continue
		}
		n++
		for _, up := range []bool{false, true} {
			z1, z0 := amount0Diff(qa1, qa0, ra1, ra0, a[1], a[0], qb1, qb0, rb1, rb0, b[1], b[0], up)
			want, _ := Amount0Delta(&a, &b, &l, up)
			if got := (uint256.Int{z0, z1}); got != want {
				t.Fatalf("A %s B %s L %s up %v: %s, want %s", a.Dec(), b.Dec(), l.Dec(), up, got.Dec(), want.Dec())
			}
		}
	}
	if n < 50000 {
		t.Fatalf("only %d pairs fit", n)
	}
}

// FuzzAmount0Diff checks amount0Diff against Amount0Delta on arbitrary
// two-word prices and liquidity.
func FuzzAmount0Diff(f *testing.F) {
	f.Add(uint64(1e18), uint64(0), uint64(0), uint64(1<<20), uint64(5), uint64(1<<20))
	f.Add(^uint64(0), ^uint64(0), uint64(4295128739), uint64(0), ^uint64(0), uint64(1<<62))
	f.Fuzz(func(t *testing.T, l0, l1, a0, a1, b0, b1 uint64) {
		l, a, b := uint256.Int{l0, l1}, uint256.Int{a0, a1}, uint256.Int{b0, b1}
		if a.IsZero() || b.IsZero() {
			return
		}
		if b.Lt(&a) {
			a, b = b, a
		}
		qa1, qa0, ra1, ra0, oka := quot96(l1, l0, a[1], a[0])
		qb1, qb0, rb1, rb0, okb := quot96(l1, l0, b[1], b[0])
		if !oka || !okb {
			return
		}
		for _, up := range []bool{false, true} {
			z1, z0 := amount0Diff(qa1, qa0, ra1, ra0, a[1], a[0], qb1, qb0, rb1, rb0, b[1], b[0], up)
			want, _ := Amount0Delta(&a, &b, &l, up)
			if got := (uint256.Int{z0, z1}); got != want {
				t.Fatalf("A %s B %s L %s up %v: %s, want %s", a.Dec(), b.Dec(), l.Dec(), up, got.Dec(), want.Dec())
			}
		}
	})
}

// TestSwapLeanMatchesWithin runs random exact-input swaps, limited and
// not, on pools whose price, liquidity and ranges keep swapLean in its
// domain, each on two copies of the pool: one through swap with swapLean
// on, the other with it off (swapWithin and the loop). Results, errors,
// the pools' states and the LPs' holdings must agree, and swapLean must
// handle most of the swaps.
func TestSwapLeanMatchesWithin(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	configs := []struct {
		fee     uint32
		spacing int32
	}{{500, 10}, {3000, 60}, {10000, 200}, {100, 1}}
	handled, total := 0, 0
	for n := range 32 {
		c := configs[n%len(configs)]
		tick := rng.Int32N(800000) - 600000 // sqrt prices up to about 2^120
		price, _ := SqrtRatioAtTick(tick)
		a, err := NewPool(c.fee, c.spacing, &price)
		if err != nil {
			t.Fatal(err)
		}
		liq := 3 + rng.Float64()*30
		a.MintFullRange("f", randAmount(rng, 1e3, mathPow10(liq)))
		for k := range 1 + rng.IntN(4) {
			w := int32(1+rng.IntN(100)) * c.spacing
			lower := (tick-rng.Int32N(w))/c.spacing*c.spacing - c.spacing
			a.Mint(string(rune('a'+k)), lower, lower+w, randAmount(rng, 1e3, mathPow10(liq)))
		}
		b := a.Clone().(*Pool)
		hold := make([]uint256.Int, 4)
		for range 300 {
			zeroForOne := rng.IntN(2) == 0
			amount := randAmount(rng, 1, mathPow10(liq+rng.Float64()*8-6))
			limit := minSqrtRatioPlusOne
			if !zeroForOne {
				limit = maxSqrtRatioMinusOne
			}
			if rng.IntN(3) == 0 {
				cur, _ := a.Slot0()
				var d uint256.Int
				d.Rsh(&cur, uint(6+rng.IntN(24)))
				if zeroForOne {
					limit.Sub(&cur, &d)
				} else {
					limit.Add(&cur, &d)
				}
				if rng.IntN(2) == 0 {
					amount = maxInt256Test()
				}
			}
			commit := rng.IntN(5) != 0
			var ra, rb SwapResult
			probe := *a.Clone().(*Pool)
			h, _, _ := probe.swapLean(zeroForOne, amount, &limit, commit, nil, true, &ra)
			ra = SwapResult{}
			oka, erra := a.swap(zeroForOne, amount, &limit, commit, nil, true, &ra)
			leanWords = false
			okb, errb := b.swap(zeroForOne, amount, &limit, commit, nil, true, &rb)
			leanWords = true
			total++
			if h {
				handled++
			}
			if ra != rb || oka != okb || reason(erra) != reason(errb) {
				t.Fatalf("pool %d: lean %+v %v %v; within %+v %v %v", n, ra, oka, erra, rb, okb, errb)
			}
			sa, ta := a.Slot0()
			sb, tb := b.Slot0()
			ga0, ga1 := a.FeeGrowthGlobalX128()
			gb0, gb1 := b.FeeGrowthGlobalX128()
			ba0, ba1 := a.Balances()
			bb0, bb1 := b.Balances()
			a.LPHoldings(hold[:2])
			b.LPHoldings(hold[2:])
			if sa != sb || ta != tb || a.Liquidity() != b.Liquidity() || ga0 != gb0 || ga1 != gb1 || ba0 != bb0 || ba1 != bb1 || hold[0] != hold[2] || hold[1] != hold[3] {
				t.Fatalf("pool %d: states differ after %+v", n, ra)
			}
		}
	}
	if handled < total/2 {
		t.Fatalf("swapLean handled %d of %d swaps", handled, total)
	}
	t.Logf("swapLean handled %d of %d swaps", handled, total)
}

// TestDiv3by2 compares div3by2 with big-integer division, with dividends
// whose top word equals the divisor's (the estimate's overflow case) and
// divisors just above 2^127.
func TestDiv3by2(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for k := range 300000 {
		d1, d0 := rng.Uint64()|1<<63, rng.Uint64()
		if k%4 == 0 {
			d1, d0 = 1<<63, rng.Uint64N(1<<rng.IntN(64))
		}
		u2, u1, u0 := rng.Uint64N(d1), rng.Uint64(), rng.Uint64()
		if k%3 == 0 { // u2 == d1, u1 < d0
			if d0 == 0 {
				continue
			}
			u2, u1 = d1, rng.Uint64N(d0)
		}
		q, r1, r0 := div3by2(u2, u1, u0, d1, d0)
		u := new(big.Int).SetUint64(u2)
		u.Lsh(u, 64).Or(u, new(big.Int).SetUint64(u1))
		u.Lsh(u, 64).Or(u, new(big.Int).SetUint64(u0))
		d := new(big.Int).SetUint64(d1)
		d.Lsh(d, 64).Or(d, new(big.Int).SetUint64(d0))
		wq, wr := new(big.Int).QuoRem(u, d, new(big.Int))
		gr := uint256.Int{r0, r1}
		if !wq.IsUint64() || wq.Uint64() != q || gr.ToBig().Cmp(wr) != 0 {
			t.Fatalf("div3by2(%x %x %x / %x %x) = %x, %s; want %s, %s", u2, u1, u0, d1, d0, q, gr.Hex(), wq.Text(16), wr.Text(16))
		}
	}
}

// TestLPHoldingsMatchesPositions compares LPHoldings, which adds its
// amounts in place on words, with the sum of PositionHoldings over the
// positions (positionAmounts, feeGrowthInside and feesEarned as values),
// along random swaps, mints and burns: prices on both sides of every
// range, fees accrued inside and outside.
func TestLPHoldingsMatchesPositions(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	type rangeKey struct {
		owner        string
		lower, upper int32
	}
	checked := 0
	for n := range 24 {
		tick := rng.Int32N(1600000) - 800000
		price, _ := SqrtRatioAtTick(tick)
		p, err := NewPool(3000, 60, &price)
		if err != nil {
			t.Fatal(err)
		}
		liq := 3 + rng.Float64()*30
		var ranges []rangeKey
		if _, _, err := p.MintFullRange("f", randAmount(rng, 1e3, mathPow10(liq))); err == nil {
			ranges = append(ranges, rangeKey{"f", MinUsableTick(60), MaxUsableTick(60)})
		}
		for k := range 2 + rng.IntN(4) {
			w := int32(1+rng.IntN(60)) * 60
			lower := (tick-rng.Int32N(2*w))/60*60 - 60
			owner := string(rune('a' + k))
			if _, _, err := p.Mint(owner, lower, lower+w, randAmount(rng, 1e3, mathPow10(liq))); err == nil {
				ranges = append(ranges, rangeKey{owner, lower, lower + w})
			}
		}
		got := make([]uint256.Int, 2)
		for range 200 {
			switch op := rng.IntN(10); {
			case op < 8:
				i := rng.IntN(2)
				p.Swap(i, 1-i, randAmount(rng, 1, mathPow10(liq+rng.Float64()*6-3))) // may revert
			case op < 9 && len(ranges) > 0:
				r := ranges[rng.IntN(len(ranges))]
				pos := p.Position(r.owner, r.lower, r.upper)
				var amt uint256.Int
				amt.Div(&pos.Liquidity, uint256.NewInt(2+rng.Uint64N(3)))
				p.Burn(r.owner, r.lower, r.upper, &amt)
			default:
				r := ranges[rng.IntN(len(ranges))]
				p.Mint(r.owner, r.lower, r.upper, randAmount(rng, 1e3, mathPow10(liq)))
			}
			p.LPHoldings(got)
			var want0, want1 uint256.Int
			for _, r := range ranges {
				a0, a1, f0, f1 := p.PositionHoldings(r.owner, r.lower, r.upper)
				want0.Add(&want0, &a0)
				want0.Add(&want0, &f0)
				want1.Add(&want1, &a1)
				want1.Add(&want1, &f1)
			}
			if got[0] != want0 || got[1] != want1 {
				t.Fatalf("pool %d: LPHoldings %s, %s; positions sum to %s, %s", n, got[0].Dec(), got[1].Dec(), want0.Dec(), want1.Dec())
			}
			checked++
		}
	}
	t.Logf("%d valuations", checked)
}

// TestNextPrice0MatchesNextPriceWords compares nextPrice0 with
// nextPriceWords selling token0, isIn and refusals included.
func TestNextPrice0MatchesNextPriceWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	ins := 0
	for range 200000 {
		p := randWords(rng, 33+rng.IntN(95))
		l := randWords(rng, 1+rng.IntN(128))
		a := randWords(rng, 1+rng.IntN(128))
		want, wantIn, wantOK := nextPriceWords(&p, &l, &a, true)
		n1, n0, isIn, ok := nextPrice0(p[1], p[0], l[1], l[0], a[1], a[0])
		if ok != wantOK || ok && (want != uint256.Int{n0, n1} || isIn != wantIn) {
			t.Fatalf("nextPrice0(%s, %s, %s) = %x %x %v %v; want %s %v %v", p.Dec(), l.Dec(), a.Dec(), n1, n0, isIn, ok, want.Dec(), wantIn, wantOK)
		}
		if isIn {
			ins++
		}
	}
	if ins < 1000 {
		t.Fatalf("isIn held only %d times", ins)
	}
}

// TestDiv4by3 compares div4by3 with big-integer division, including
// dividends whose top words come close to the divisor's.
func TestDiv4by3(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	refused := 0
	for k := range 300000 {
		d2, d1, d0 := rng.Uint64()|1<<63, rng.Uint64(), rng.Uint64()
		if k%5 == 0 {
			d2, d1 = 1<<63, rng.Uint64N(4)
		}
		u3, u2, u1, u0 := rng.Uint64N(d2), rng.Uint64(), rng.Uint64(), rng.Uint64()
		switch k % 4 {
		case 0: // u3 = d2, u2 just below or equal to d1
			u3, u2 = d2, d1-rng.Uint64N(min(d1, 3)+1)
			if u2 == d1 && u1 >= d0 {
				u1 = d0 - 1
			}
		case 1: // u3:u2 = d2:d1, u1 below d0
			if d0 == 0 {
				continue
			}
			u3, u2, u1 = d2, d1, rng.Uint64N(d0)
		}
		q, r2, r1, r0, ok := div4by3(u3, u2, u1, u0, d2, d1, d0)
		if !ok {
			if u3 != d2 || u2 != d1 {
				t.Fatalf("div4by3 refused %x %x / %x %x", u3, u2, d2, d1)
			}
			refused++
			continue
		}
		u := new(big.Int)
		for _, w := range []uint64{u3, u2, u1, u0} {
			u.Lsh(u, 64).Or(u, new(big.Int).SetUint64(w))
		}
		d := new(big.Int)
		for _, w := range []uint64{d2, d1, d0} {
			d.Lsh(d, 64).Or(d, new(big.Int).SetUint64(w))
		}
		wq, wr := new(big.Int).QuoRem(u, d, new(big.Int))
		gr := uint256.Int{r0, r1, r2}
		if !wq.IsUint64() || wq.Uint64() != q || gr.ToBig().Cmp(wr) != 0 {
			t.Fatalf("div4by3(%x %x %x %x / %x %x %x) = %x, %s; want %s, %s", u3, u2, u1, u0, d2, d1, d0, q, gr.Hex(), wq.Text(16), wr.Text(16))
		}
	}
	if refused == 0 {
		t.Fatal("the refusal was never tested")
	}
}

// TestSwapAmountsIfMatchesSwapWithLimitIf runs the same random limited
// swaps through SwapAmountsIf and SwapWithLimitIf on two copies of a
// pool, accepting at random: results but the tick, decisions and states
// (Slot0's tick included) agree.
func TestSwapAmountsIfMatchesSwapWithLimitIf(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for n := range 8 {
		tick := rng.Int32N(800000) - 600000
		price, _ := SqrtRatioAtTick(tick)
		a, err := NewPool(3000, 60, &price)
		if err != nil {
			t.Fatal(err)
		}
		a.MintFullRange("f", randAmount(rng, 1e6, 1e20))
		a.Mint("c", tick/60*60-600, tick/60*60+600, randAmount(rng, 1e6, 1e20))
		b := a.Clone().(*Pool)
		for range 300 {
			zeroForOne := rng.IntN(2) == 0
			cur, _ := a.Slot0()
			var d, limit uint256.Int
			d.Rsh(&cur, uint(5+rng.IntN(12)))
			if zeroForOne {
				limit.Sub(&cur, &d)
			} else {
				limit.Add(&cur, &d)
			}
			take := rng.IntN(3) != 0
			var ra, rb SwapResult
			oka, erra := a.SwapAmountsIf(zeroForOne, maxInt256Test(), &limit, &ra, func(*SwapResult) bool { return take })
			okb, errb := b.SwapWithLimitIf(zeroForOne, maxInt256Test(), &limit, &rb, func(*SwapResult) bool { return take })
			ra.Tick = rb.Tick
			if ra != rb || oka != okb || reason(erra) != reason(errb) {
				t.Fatalf("pool %d: SwapAmountsIf %+v %v %v; SwapWithLimitIf %+v %v %v", n, ra, oka, erra, rb, okb, errb)
			}
			if !sameSlot(a, b) {
				t.Fatalf("pool %d: states differ", n)
			}
		}
	}
}

// sameSlot reports whether two pools agree on price, tick, liquidity,
// fee growth and balances.
func sameSlot(a, b *Pool) bool {
	sa, ta := a.Slot0()
	sb, tb := b.Slot0()
	ga0, ga1 := a.FeeGrowthGlobalX128()
	gb0, gb1 := b.FeeGrowthGlobalX128()
	ba0, ba1 := a.Balances()
	bb0, bb1 := b.Balances()
	return sa == sb && ta == tb && a.Liquidity() == b.Liquidity() && ga0 == gb0 && ga1 == gb1 && ba0 == bb0 && ba1 == bb1
}
