package uniswapv3

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

type poolSwapsFile struct {
	CaseCount int `json:"case_count"`
	Pools     []struct {
		Description         string `json:"description"`
		FeePips             uint32 `json:"fee_pips"`
		TickSpacing         int32  `json:"tick_spacing"`
		InitialSqrtPriceX96 string `json:"initial_sqrt_price_x96"`
		Positions           []struct {
			TickLower int32  `json:"tick_lower"`
			TickUpper int32  `json:"tick_upper"`
			Liquidity string `json:"liquidity"`
		} `json:"positions"`
		Swaps []struct {
			Description       string `json:"description"`
			ZeroForOne        bool   `json:"zero_for_one"`
			AmountSpecified   string `json:"amount_specified"`
			SqrtPriceLimitX96 string `json:"sqrt_price_limit_x96"`
			Expected          struct {
				Amount0Before             string `json:"amount0Before"`
				Amount1Before             string `json:"amount1Before"`
				Amount0Delta              string `json:"amount0Delta"`
				Amount1Delta              string `json:"amount1Delta"`
				FeeGrowthGlobal0X128Delta string `json:"feeGrowthGlobal0X128Delta"`
				FeeGrowthGlobal1X128Delta string `json:"feeGrowthGlobal1X128Delta"`
				TickBefore                *int32 `json:"tickBefore"`
				TickAfter                 *int32 `json:"tickAfter"`
				Revert                    string `json:"revert"`
				PoolBalance0              string `json:"pool_balance0"`
				PoolBalance1              string `json:"pool_balance1"`
				RevertTickBefore          *int32 `json:"tick_before"`
			} `json:"expected"`
			Derived struct {
				SqrtPriceX96After string `json:"sqrt_price_x96_after"`
			} `json:"derived_not_in_source"`
		} `json:"swaps"`
	} `json:"pools"`
}

// TestPoolSwapVectors replays the 240 whole-pool swaps of v3-core's
// UniswapV3Pool.swaps.spec.ts, each from a freshly built pool: mint amounts,
// swap deltas, fee growth, ticks and the final price must match exactly,
// and the 'SPL' cases must revert without touching the pool.
func TestPoolSwapVectors(t *testing.T) {
	var file poolSwapsFile
	readJSON(t, "pool_swaps.json", &file)
	n, reverts := 0, 0
	for pi, pc := range file.Pools {
		for si, sc := range pc.Swaps {
			n++
			name := fmt.Sprintf("pool %d (%s) / swap %d (%s)", pi, pc.Description, si, sc.Description)
			price := num(t, pc.InitialSqrtPriceX96)
			p, err := NewPool(pc.FeePips, pc.TickSpacing, &price)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, pos := range pc.Positions {
				l := num(t, pos.Liquidity)
				if _, _, err := p.Mint("wallet", pos.TickLower, pos.TickUpper, &l); err != nil {
					t.Fatalf("%s: mint [%d, %d) %s: %v", name, pos.TickLower, pos.TickUpper, pos.Liquidity, err)
				}
			}
			b0, b1 := p.Balances()
			_, tickBefore := p.Slot0()
			amount := num(t, sc.AmountSpecified)
			limit := num(t, sc.SqrtPriceLimitX96)
			e := sc.Expected

			if e.Revert != "" {
				reverts++
				before := p.Clone().(*Pool)
				_, err := p.SwapWithLimit(sc.ZeroForOne, &amount, &limit)
				if reason(err) != e.Revert {
					t.Errorf("%s: err %v, want revert %q", name, err, e.Revert)
				}
				if !sameState(p, before) {
					t.Errorf("%s: reverted swap changed the pool", name)
				}
				if b0.Dec() != e.PoolBalance0 || b1.Dec() != e.PoolBalance1 || e.RevertTickBefore == nil || tickBefore != *e.RevertTickBefore {
					t.Errorf("%s: balances %s, %s tick %d; want %s, %s tick %v", name, b0.Dec(), b1.Dec(), tickBefore, e.PoolBalance0, e.PoolBalance1, e.RevertTickBefore)
				}
				continue
			}

			if b0.Dec() != e.Amount0Before || b1.Dec() != e.Amount1Before {
				t.Errorf("%s: minted %s, %s; want %s, %s", name, b0.Dec(), b1.Dec(), e.Amount0Before, e.Amount1Before)
			}
			if e.TickBefore == nil || tickBefore != *e.TickBefore {
				t.Errorf("%s: tick before %d, want %v", name, tickBefore, e.TickBefore)
			}
			quote, qerr := p.QuoteWithLimit(sc.ZeroForOne, &amount, &limit)
			r, err := p.SwapWithLimit(sc.ZeroForOne, &amount, &limit)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if qerr != nil || quote != r {
				t.Errorf("%s: quote %+v, %v differs from swap %+v", name, quote, qerr, r)
			}
			g0, g1 := p.FeeGrowthGlobalX128()
			price, tickAfter := p.Slot0()
			got := []string{signed(&r.Amount0), signed(&r.Amount1), g0.Dec(), g1.Dec(), price.Dec()}
			want := []string{e.Amount0Delta, e.Amount1Delta, e.FeeGrowthGlobal0X128Delta, e.FeeGrowthGlobal1X128Delta, sc.Derived.SqrtPriceX96After}
			labels := []string{"amount0Delta", "amount1Delta", "feeGrowthGlobal0X128Delta", "feeGrowthGlobal1X128Delta", "sqrtPriceX96After"}
			for k := range got {
				if got[k] != want[k] {
					t.Errorf("%s: %s = %s, want %s", name, labels[k], got[k], want[k])
				}
			}
			if e.TickAfter == nil || tickAfter != *e.TickAfter || r.Tick != tickAfter || r.SqrtPriceX96 != price {
				t.Errorf("%s: tick after %d (result %d), want %v", name, tickAfter, r.Tick, e.TickAfter)
			}
			// The balances moved by exactly the reported deltas.
			a0, a1 := p.Balances()
			b0.Add(&b0, &r.Amount0)
			b1.Add(&b1, &r.Amount1)
			if a0 != b0 || a1 != b1 {
				t.Errorf("%s: balances %s, %s after swap; want %s, %s", name, a0.Dec(), a1.Dec(), b0.Dec(), b1.Dec())
			}
		}
	}
	if n != 240 || n != file.CaseCount || reverts != 50 {
		t.Errorf("ran %d cases (%d reverts), want 240 (50)", n, reverts)
	}
}

// TestSwapIntoMatchesSwap checks that SwapInto writes what Swap returns,
// the zero Trade with the same error when Swap reverts, and leaves the pool
// in the same state, over random swaps both ways through two ranges, bad
// token indices and an amount past int256.
func TestSwapIntoMatchesSwap(t *testing.T) {
	a := newTestPool(t, 3000, 60, priceOne)
	if _, _, err := a.MintFullRange("lp", e18(1000)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Mint("lp", -600, 600, e18(5000)); err != nil {
		t.Fatal(err)
	}
	b := a.Clone().(*Pool)
	rng := rand.New(rand.NewPCG(12, 7))
	var got cfmm.Trade
	for n := range 3000 {
		i := rng.IntN(2)
		j := 1 - i
		if n%97 == 0 {
			j = i // ErrTokenIndex
		}
		amount := uint256.NewInt(rng.Uint64() >> rng.UintN(64))
		amount.Mul(amount, u(uint64(1+rng.IntN(1000))))
		if n%101 == 0 {
			amount = &uint256.Int{0, 0, 0, 1 << 63} // SafeCast
		}
		got = cfmm.Trade{In: *u(7), FeeToken: 1} // overwritten
		want, wantErr := a.Swap(i, j, amount)
		err := b.SwapInto(i, j, amount, &got)
		if got != want || !errors.Is(err, wantErr) {
			t.Fatalf("swap %d: SwapInto = %+v, %v; Swap = %+v, %v", n, got, err, want, wantErr)
		}
		if !sameState(a, b) {
			t.Fatalf("swap %d: pools differ after SwapInto and Swap", n)
		}
	}
}
