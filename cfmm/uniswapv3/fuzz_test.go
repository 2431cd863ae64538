package uniswapv3

import (
	"testing"

	"github.com/holiman/uint256"
)

func word(a, b, c, d uint64) uint256.Int { return uint256.Int{a, b, c, d} }

// FuzzComputeSwapStep checks on arbitrary inputs that a step never panics,
// never spends more than offered or delivers more than asked, and moves the
// price towards the target without passing it; and that ComputeSwapStep
// and its word-sized path give what the contract's sequence of library
// calls gives.
func FuzzComputeSwapStep(f *testing.F) {
	f.Add(uint64(0), uint64(1<<32), uint64(0), uint64(0), uint64(0), uint64(1<<32)+1e9, uint64(2e18), uint64(0), uint64(1e18), uint64(0), uint64(0), uint64(0), uint32(3000))
	f.Add(uint64(2), uint64(0), uint64(0), uint64(0), uint64(1), uint64(0), uint64(1), uint64(0), uint64(3915081100057732413), uint64(1<<40), uint64(0), uint64(0), uint32(1))
	f.Add(^uint64(0), ^uint64(0), uint64(1<<32-1), uint64(0), uint64(4295128739), uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), uint32(999999))
	f.Fuzz(func(t *testing.T, c0, c1, c2, t0, t1, t2, l0, l1, r0, r1, r2, r3 uint64, fee uint32) {
		cur := word(c0, c1, c2&(1<<32-1), 0)
		target := word(t0, t1, t2&(1<<32-1), 0)
		liquidity := word(l0, l1, 0, 0)
		remaining := word(r0, r1, r2, r3)
		fee %= feeDenominator
		s, err := ComputeSwapStep(&cur, &target, &liquidity, &remaining, fee)
		want, werr := computeSwapStepContract(&cur, &target, &liquidity, &remaining, fee)
		if s != want || reason(err) != reason(werr) {
			t.Fatalf("ComputeSwapStep = %+v, %v; the contract's sequence gives %+v, %v", s, err, want, werr)
		}
		if w, ok := stepWords(&cur, &target, &liquidity, &remaining, fee); ok && (w != want || werr != nil) {
			t.Fatalf("stepWords = %+v; the contract's sequence gives %+v, %v", w, want, werr)
		}
		if err != nil {
			return
		}
		zeroForOne := !cur.Lt(&target)
		if zeroForOne && (s.SqrtRatioNextX96.Gt(&cur) || s.SqrtRatioNextX96.Lt(&target)) ||
			!zeroForOne && (s.SqrtRatioNextX96.Lt(&cur) || s.SqrtRatioNextX96.Gt(&target)) {
			t.Fatalf("price %s outside [%s, %s]", s.SqrtRatioNextX96.Dec(), cur.Dec(), target.Dec())
		}
		if remaining.Sign() >= 0 {
			var spent uint256.Int
			if _, of := spent.AddOverflow(&s.AmountIn, &s.FeeAmount); of || spent.Gt(&remaining) {
				t.Fatalf("spent %s + %s of %s", s.AmountIn.Dec(), s.FeeAmount.Dec(), remaining.Dec())
			}
		} else {
			var want uint256.Int
			want.Neg(&remaining)
			if s.AmountOut.Gt(&want) {
				t.Fatalf("delivered %s of %s", s.AmountOut.Dec(), want.Dec())
			}
		}
	})
}

// FuzzPoolSwap builds a pool from the fuzz input, swaps, and checks that a
// swap either fails leaving the pool unchanged or succeeds as quoted, with
// the LPs' holdings still covered by the balances.
func FuzzPoolSwap(f *testing.F) {
	f.Add(uint8(1), int32(0), uint64(1e18), int32(-600), int32(600), uint64(5e17), true, uint64(1e18), uint64(0), false)
	f.Add(uint8(0), int32(-5000), uint64(1), int32(-10), int32(10), uint64(1e19), false, uint64(1<<62), uint64(1<<62), true)
	f.Add(uint8(3), int32(887271), uint64(1e6), int32(-887272), int32(887272), uint64(7), true, ^uint64(0), ^uint64(0), false)
	f.Fuzz(func(t *testing.T, cfg uint8, tick int32, full uint64, lower, upper int32, ranged uint64, zeroForOne bool, a0, a1 uint64, exactOut bool) {
		configs := []struct {
			fee     uint32
			spacing int32
		}{{500, 10}, {3000, 60}, {10000, 200}, {100, 1}}
		c := configs[int(cfg)%len(configs)]
		tick %= MaxTick
		price, _ := SqrtRatioAtTick(tick)
		p, err := NewPool(c.fee, c.spacing, &price)
		if err != nil {
			t.Fatal(err)
		}
		if full != 0 {
			if _, _, err := p.MintFullRange("a", uint256.NewInt(full)); err != nil {
				t.Fatal(err)
			}
		}
		p.Mint("b", lower, upper, uint256.NewInt(ranged)) // may revert
		amount := word(a0, a1, 0, 0)
		if exactOut {
			amount.Neg(&amount)
		}
		limit := minSqrtRatioPlusOne
		if !zeroForOne {
			limit = maxSqrtRatioMinusOne
		}
		before := p.Clone().(*Pool)
		q, qerr := p.QuoteWithLimit(zeroForOne, &amount, &limit)
		r, err := p.SwapWithLimit(zeroForOne, &amount, &limit)
		if q != r || reason(qerr) != reason(err) {
			t.Fatalf("quote %+v, %v; swap %+v, %v", q, qerr, r, err)
		}
		if err != nil {
			if !sameState(p, before) {
				t.Fatalf("failed swap (%v) changed the pool", err)
			}
			return
		}
		checkHoldings(t, p, "after swap")
	})
}
