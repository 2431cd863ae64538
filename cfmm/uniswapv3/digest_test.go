package uniswapv3

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// swapSequenceDigest is the SHA-256 of every result of the operation
// sequences of TestSwapSequenceDigest, recorded with the straightforward
// uint256 implementation (v3-core's formulas step by step) before the fast
// paths (merged divisions, tick estimates, word-sized arithmetic, quote
// reuse) were added: they must change no result, revert or state.
const swapSequenceDigest = "356f787e8d6b6ce82d8aa469d80121dbfda4ad1fbb99e625f844768f53fa2420"

// TestSwapSequenceDigest runs seeded random sequences of swaps (exact input
// and output, with and without price limits), quotes, mints, burns,
// collects and valuations on pools across fee tiers, prices from near
// MinTick to near MaxTick and liquidities from 10^3 to 10^33, and checks
// the digest of all results against swapSequenceDigest.
func TestSwapSequenceDigest(t *testing.T) {
	h := sha256.New()
	configs := []struct {
		fee     uint32
		spacing int32
	}{{500, 10}, {3000, 60}, {10000, 200}, {100, 1}}
	ticks := []int32{-887000, -600000, -400000, -200311, -50000, -1, 0, 7, 46000, 200000, 500000, 886000}
	rng := rand.New(rand.NewPCG(12, 34))
	for n := range 48 {
		c := configs[n%len(configs)]
		tick := ticks[(n/len(configs))%len(ticks)] + rng.Int32N(2000) - 1000
		tick = max(min(tick, MaxTick-1), MinTick+1)
		price, _ := SqrtRatioAtTick(tick)
		// A price between ticks, not on one.
		var jitter uint256.Int
		jitter.Rsh(&price, uint(8+rng.IntN(40)))
		jitter.Mul(&jitter, uint256.NewInt(rng.Uint64N(255)))
		price.Add(&price, &jitter)
		p, err := NewPool(c.fee, c.spacing, &price)
		if err != nil {
			continue
		}
		if n%5 == 0 {
			p.SetFeeProtocol(uint8(4+n%7), uint8(10-n%5))
		}
		digestSequence(h, p, rng, 300)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != swapSequenceDigest {
		t.Fatalf("digest %s, want %s", got, swapSequenceDigest)
	}
}

// digestSequence applies steps random operations to p and writes each
// result and the pool's state after it to h.
func digestSequence(h hash.Hash, p *Pool, rng *rand.Rand, steps int) {
	_, tick := p.Slot0()
	spacing := p.TickSpacing()
	liqScale := 3 + rng.Float64()*30
	owners := []string{"a", "b", "c"}
	type rangeKey struct {
		owner        string
		lower, upper int32
	}
	var ranges []rangeKey
	mint := func() {
		var lower, upper int32
		if rng.IntN(4) == 0 {
			lower, upper = MinUsableTick(spacing), MaxUsableTick(spacing)
		} else {
			width := int32(1+rng.IntN(400)) * spacing
			lower = (tick+rng.Int32N(2*width+1)-width)/spacing*spacing - width
			upper = lower + width
		}
		owner := owners[rng.IntN(len(owners))]
		l := randAmount(rng, 1e3, mathPow10(liqScale))
		a0, a1, err := p.Mint(owner, lower, upper, l)
		fmt.Fprintln(h, "mint", owner, lower, upper, l.Dec(), a0.Dec(), a1.Dec(), reason(err))
		if err == nil {
			ranges = append(ranges, rangeKey{owner, lower, upper})
		}
	}
	for range 3 + rng.IntN(6) {
		mint()
	}
	holdings := make([]uint256.Int, 2)
	for range steps {
		switch op := rng.IntN(20); {
		case op < 10: // exact input or output, maybe limited
			zeroForOne := rng.IntN(2) == 0
			amount := randAmount(rng, 1, mathPow10(liqScale+rng.Float64()*8-4))
			if rng.IntN(5) == 0 {
				amount.Neg(amount)
			}
			limit := minSqrtRatioPlusOne
			if !zeroForOne {
				limit = maxSqrtRatioMinusOne
			}
			unlimited := rng.IntN(6) == 0
			if unlimited || rng.IntN(3) == 0 {
				cur, _ := p.Slot0()
				var d uint256.Int
				d.Rsh(&cur, uint(4+rng.IntN(20)))
				if zeroForOne {
					limit.Sub(&cur, &d)
				} else {
					limit.Add(&cur, &d)
				}
			}
			if unlimited {
				amount = maxInt256Test()
			}
			q, qerr := p.QuoteWithLimit(zeroForOne, amount, &limit)
			fmt.Fprintln(h, "quote", zeroForOne, amount.Hex(), limit.Hex(), resultString(&q), reason(qerr))
			if rng.IntN(4) != 0 {
				r, err := p.SwapWithLimit(zeroForOne, amount, &limit)
				fmt.Fprintln(h, "swap", resultString(&r), reason(err))
			}
		case op < 14: // the adapter, as agents use it
			i := rng.IntN(2)
			amount := randAmount(rng, 1, mathPow10(liqScale+rng.Float64()*6-3))
			tr, err := p.Swap(i, 1-i, amount)
			fmt.Fprintln(h, "trade", i, amount.Dec(), tr.In.Dec(), tr.Out.Dec(), tr.Fee.Dec(), reason(err))
		case op < 16:
			mint()
		case op < 18 && len(ranges) > 0:
			k := rng.IntN(len(ranges))
			r := ranges[k]
			pos := p.Position(r.owner, r.lower, r.upper)
			var amt uint256.Int
			if !pos.Liquidity.IsZero() {
				amt.Div(&pos.Liquidity, uint256.NewInt(1+rng.Uint64N(3)))
			}
			a0, a1, err := p.Burn(r.owner, r.lower, r.upper, &amt)
			fmt.Fprintln(h, "burn", a0.Dec(), a1.Dec(), reason(err))
			c0, c1, err := p.Collect(r.owner, r.lower, r.upper, &maxUint128, &maxUint128)
			fmt.Fprintln(h, "collect", c0.Dec(), c1.Dec(), reason(err))
		default:
			p.LPHoldings(holdings)
			fmt.Fprintln(h, "holdings", holdings[0].Dec(), holdings[1].Dec(), p.SpotPrice(0, 1))
		}
		s, tk := p.Slot0()
		l := p.Liquidity()
		g0, g1 := p.FeeGrowthGlobalX128()
		b0, b1 := p.Balances()
		fmt.Fprintln(h, "state", s.Hex(), tk, l.Hex(), g0.Hex(), g1.Hex(), b0.Hex(), b1.Hex())
		tick = tk
	}
}

// mathPow10 is 10^e, at least 10.
func mathPow10(e float64) float64 { return math.Pow(10, max(e, 1)) }

func maxInt256Test() *uint256.Int {
	return &uint256.Int{^uint64(0), ^uint64(0), ^uint64(0), 1<<63 - 1}
}

func resultString(r *SwapResult) string {
	return fmt.Sprint(r.Amount0.Hex(), r.Amount1.Hex(), r.SqrtPriceX96.Hex(), r.Tick, r.Liquidity.Hex(), r.Fee.Hex(), r.ProtocolFee.Hex())
}

// TestSwapWithinMatchesLoop reruns TestSwapSequenceDigest's sequences with
// swapWithin off: the general loop alone must give the same digest, so
// the lean path changes no result, revert or state.
func TestSwapWithinMatchesLoop(t *testing.T) {
	leanSwaps = false
	defer func() { leanSwaps = true }()
	TestSwapSequenceDigest(t)
}
