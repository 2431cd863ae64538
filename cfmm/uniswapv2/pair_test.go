package uniswapv2

import (
	"encoding/csv"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/holiman/uint256"
)

// vectorDir holds the Uniswap v2 reference vectors (origin in
// testdata/PROVENANCE.md).
var vectorDir = "testdata"

// readVectors returns the rows of a vector CSV as maps keyed by header,
// skipping '#' comment lines.
func readVectors(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for k, h := range recs[0] {
			if k < len(rec) {
				m[h] = rec[k]
			}
		}
		rows = append(rows, m)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return rows
}

func u(t *testing.T, s string) *uint256.Int {
	t.Helper()
	v, err := uint256.FromDecimal(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("bad integer %q: %v", s, err)
	}
	return v
}

func TestGetAmountOutVectors(t *testing.T) {
	for _, row := range readVectors(t, "get_amount_out.csv") {
		got, err := GetAmountOut(u(t, row["amount_in"]), u(t, row["reserve_in"]), u(t, row["reserve_out"]), 30)
		if err != nil || got.Dec() != row["amount_out"] {
			t.Errorf("%s: got %s (%v), want %s", row["source"], got.Dec(), err, row["amount_out"])
		}
		// The pair accepts exactly this output and rejects one unit more.
		p, _ := NewPair(30, false)
		p.reserve = [2]uint256.Int{*u(t, row["reserve_in"]), *u(t, row["reserve_out"])}
		var zero, more uint256.Int
		more.AddUint64(&got, 1)
		q := p.Clone().(*Pair)
		if err := q.SwapExact(u(t, row["amount_in"]), &zero, &zero, &more); !cfmm.IsRevert(err) || !strings.HasSuffix(err.Error(), ": K") {
			t.Errorf("%s: amount_out+1 must revert K, got %v", row["source"], err)
		}
		if err := p.SwapExact(u(t, row["amount_in"]), &zero, &zero, &got); err != nil {
			t.Errorf("%s: exact amount_out rejected: %v", row["source"], err)
		}
	}
}

func TestGetAmountInVectors(t *testing.T) {
	for _, row := range readVectors(t, "get_amount_in.csv") {
		got, err := GetAmountIn(u(t, row["amount_out"]), u(t, row["reserve_in"]), u(t, row["reserve_out"]), 30)
		if err != nil || got.Dec() != row["amount_in"] {
			t.Errorf("%s: got %s (%v), want %s", row["source"], got.Dec(), err, row["amount_in"])
		}
	}
}

func TestQuoteVectors(t *testing.T) {
	for _, row := range readVectors(t, "quote.csv") {
		got, err := Quote(u(t, row["amount_a"]), u(t, row["reserve_a"]), u(t, row["reserve_b"]))
		if err != nil || got.Dec() != row["amount_b"] {
			t.Errorf("%s: got %s (%v), want %s", row["source"], got.Dec(), err, row["amount_b"])
		}
	}
}

func TestOptimisticSwapVectors(t *testing.T) {
	for _, row := range readVectors(t, "pair_k_invariant_optimistic.csv") {
		p, _ := NewPair(30, false)
		if _, err := p.Mint(u(t, row["reserve0"]), u(t, row["reserve1"])); err != nil {
			t.Fatal(err)
		}
		in, out := u(t, row["amount0_in"]), u(t, row["amount0_out"])
		var zero, more uint256.Int
		more.AddUint64(out, 1)
		if err := p.Clone().(*Pair).SwapExact(in, &zero, &more, &zero); !cfmm.IsRevert(err) {
			t.Errorf("%s: amount0_out+1 must revert K, got %v", row["source"], err)
		}
		if err := p.SwapExact(in, &zero, out, &zero); err != nil {
			t.Errorf("%s: %v", row["source"], err)
		}
	}
}

func TestProtocolFeeVector(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(vectorDir, "protocol_fee_mint.json"))
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	var v struct {
		R0      string `json:"initial_reserve0"`
		R1      string `json:"initial_reserve1"`
		Liq     string `json:"initial_liquidity"`
		MinLiq  string `json:"MINIMUM_LIQUIDITY"`
		Burned  string `json:"burned_liquidity"`
		OffSupp string `json:"feeTo_off_expected_total_supply_after_burn"`
		Swap    struct {
			In  string `json:"amount_in"`
			Out string `json:"amount_out_token0"`
		} `json:"swap"`
		Expected struct {
			FeeTo  string `json:"feeTo_lp_balance"`
			Supply string `json:"total_supply_after_burn"`
			Left0  string `json:"token0_left_in_pair"`
			Left1  string `json:"token1_left_in_pair"`
		} `json:"expected"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for _, feeOn := range []bool{true, false} {
		p, _ := NewPair(30, feeOn)
		liq, err := p.Mint(u(t, v.R0), u(t, v.R1))
		if err != nil {
			t.Fatal(err)
		}
		var want uint256.Int
		want.Sub(u(t, v.Liq), u(t, v.MinLiq))
		if liq != want {
			t.Fatalf("minted %s, want %s", liq.Dec(), want.Dec())
		}
		tr, err := p.Swap(1, 0, u(t, v.Swap.In))
		if err != nil || tr.Out.Dec() != v.Swap.Out {
			t.Fatalf("swap out %s (%v), want %s", tr.Out.Dec(), err, v.Swap.Out)
		}
		if _, _, err := p.Burn(u(t, v.Burned)); err != nil {
			t.Fatal(err)
		}
		supply, feeTo := p.TotalSupply(), p.FeeToBalance()
		if !feeOn {
			if supply.Dec() != v.OffSupp {
				t.Errorf("feeTo off: supply %s, want %s", supply.Dec(), v.OffSupp)
			}
			continue
		}
		r0, r1 := p.Reserves()
		for _, c := range []struct{ name, got, want string }{
			{"feeTo balance", feeTo.Dec(), v.Expected.FeeTo},
			{"total supply", supply.Dec(), v.Expected.Supply},
			{"token0 left", r0.Dec(), v.Expected.Left0},
			{"token1 left", r1.Dec(), v.Expected.Left1},
		} {
			if c.got != c.want {
				t.Errorf("feeTo on: %s %s, want %s", c.name, c.got, c.want)
			}
		}
	}
}

func TestQuoteMatchesSwapAndLeavesStateAlone(t *testing.T) {
	p, _ := NewPair(30, true)
	if _, err := p.Mint(uint256.NewInt(1e18), uint256.NewInt(3e18)); err != nil {
		t.Fatal(err)
	}
	for k := uint64(1); k < 50; k++ {
		in := uint256.NewInt(k * 7_777_777_777_777)
		i := int(k % 2)
		before := *p
		q, err := p.Quote(i, 1-i, in)
		if err != nil || *p != before {
			t.Fatalf("quote changed state or failed: %v", err)
		}
		s, err := p.Swap(i, 1-i, in)
		if err != nil || s != q {
			t.Fatalf("swap %+v != quote %+v (%v)", s, q, err)
		}
	}
}

func TestLPHoldingsExcludeLockedAndProtocol(t *testing.T) {
	p, _ := NewPair(30, true)
	if _, err := p.Mint(uint256.NewInt(1e18), uint256.NewInt(1e18)); err != nil {
		t.Fatal(err)
	}
	h := make([]uint256.Int, 2)
	p.LPHoldings(h)
	if want := uint256.NewInt(1e18 - MinimumLiquidity); h[0] != *want {
		t.Fatalf("holdings %s, want %s", h[0].Dec(), want.Dec())
	}
	for k := 0; k < 20; k++ {
		if _, err := p.Swap(k%2, 1-k%2, uint256.NewInt(1e16)); err != nil {
			t.Fatal(err)
		}
	}
	// After fees accrue, the protocol's pending share is excluded, and the
	// same holdings remain after a burn crystallizes it.
	p.LPHoldings(h)
	r0, _ := p.Reserves()
	if !h[0].Lt(&r0) {
		t.Fatal("holdings must exclude locked and protocol liquidity")
	}
	before := h[0]
	if _, err := p.Mint(uint256.NewInt(0), uint256.NewInt(0)); err == nil {
		t.Fatal("empty mint must revert")
	}
	a0, _, err := p.Burn(uint256.NewInt(1e12))
	if err != nil {
		t.Fatal(err)
	}
	p.LPHoldings(h)
	var sum uint256.Int
	sum.Add(&h[0], &a0)
	if d := new(uint256.Int).Sub(&before, &sum); d.GtUint64(2) {
		t.Fatalf("holdings moved by %s across a burn", d.Dec())
	}
}

func TestRevertsLeaveStateAlone(t *testing.T) {
	p, _ := NewPair(30, false)
	if _, err := p.Swap(0, 1, uint256.NewInt(1)); !cfmm.IsRevert(err) {
		t.Fatalf("swap on empty pair: %v", err)
	}
	if _, err := p.Mint(uint256.NewInt(10), uint256.NewInt(10)); !cfmm.IsRevert(err) {
		t.Fatalf("mint below MINIMUM_LIQUIDITY: %v", err)
	}
	if *p != (Pair{feeBps: 30}) {
		t.Fatal("failed mint changed state")
	}
	big := new(uint256.Int).Lsh(uint256.NewInt(1), 113)
	if _, err := p.Mint(big, big); !cfmm.IsRevert(err) {
		t.Fatalf("overflow mint: %v", err)
	}
	if _, err := NewPair(10000, false); err == nil {
		t.Fatal("fee of 100% accepted")
	}
}

func BenchmarkSwap(b *testing.B) {
	p, _ := NewPair(30, false)
	_, _ = p.Mint(uint256.MustFromDecimal("1000000000000000000000"), uint256.MustFromDecimal("2000000000000"))
	in := uint256.NewInt(1e15)
	b.ReportAllocs()
	for k := 0; b.Loop(); k++ {
		if _, err := p.Swap(k&1, 1-k&1, in); err != nil {
			b.Fatal(err)
		}
	}
}

// Swap skips the K check because GetAmountOut implies it; check that claim on
// many random trades through the checked path.
func TestGetAmountOutSatisfiesK(t *testing.T) {
	p, _ := NewPair(30, false)
	p.reserve = [2]uint256.Int{*uint256.NewInt(123456789123456789), *uint256.NewInt(987654321)}
	x := uint64(88172645463325252)
	for k := 0; k < 2000; k++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		for _, fee := range []uint64{0, 5, 30, 100} {
			p.feeBps = fee
			i := int(x & 1)
			in := uint256.NewInt(x>>(1+x%40) + 1)
			q, err := p.Quote(i, 1-i, in)
			if err != nil {
				continue
			}
			var fee uint256.Int
			fee.Mul(in, uint256.NewInt(p.feeBps))
			fee.Div(&fee, uint256.NewInt(FeeDenominator))
			if q.Fee != fee {
				t.Fatalf("fee of %s at %d bps: %s, want %s", in.Dec(), p.feeBps, q.Fee.Dec(), fee.Dec())
			}
			var zero uint256.Int
			c := *p
			ins := [2]*uint256.Int{&zero, &zero}
			outs := [2]*uint256.Int{&zero, &zero}
			ins[i], outs[1-i] = in, &q.Out
			if err := c.SwapExact(ins[0], ins[1], outs[0], outs[1]); err != nil {
				t.Fatalf("fee %d: GetAmountOut result fails K: %v", fee, err)
			}
		}
	}
}

// Products that overflow 256 bits revert, as SafeMath does, instead of
// wrapping.
func TestOverflowReverts(t *testing.T) {
	huge := new(uint256.Int).Lsh(uint256.NewInt(1), 250)
	one := uint256.NewInt(1e18)
	if _, err := GetAmountOut(huge, one, one, 30); !cfmm.IsRevert(err) {
		t.Fatalf("GetAmountOut(2^250): %v", err)
	}
	if _, err := GetAmountIn(one, huge, new(uint256.Int).Lsh(one, 100), 30); !cfmm.IsRevert(err) {
		t.Fatalf("GetAmountIn with 2^250 reserve: %v", err)
	}
	// Large but valid operands take the checked path and agree with big
	// integer arithmetic.
	in, rIn, rOut := new(uint256.Int).Lsh(uint256.NewInt(1), 129), new(uint256.Int).Lsh(uint256.NewInt(5), 100), new(uint256.Int).Lsh(uint256.NewInt(7), 110)
	got, err := GetAmountOut(in, rIn, rOut, 30)
	if err != nil {
		t.Fatal(err)
	}
	n := new(big.Int).Mul(new(big.Int).Mul(in.ToBig(), big.NewInt(9970)), rOut.ToBig())
	d := new(big.Int).Add(new(big.Int).Mul(rIn.ToBig(), big.NewInt(10000)), new(big.Int).Mul(in.ToBig(), big.NewInt(9970)))
	if want := new(big.Int).Quo(n, d); got.ToBig().Cmp(want) != 0 {
		t.Fatalf("got %s, want %s", got.Dec(), want)
	}
}

// The two-word swap path leaves the pair and the trade exactly as the
// general path does, over reserves and inputs of every size.
func TestSwap128MatchesGeneralPath(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	random := func(maxBits int) uint256.Int {
		var z uint256.Int
		z[0], z[1] = r.Uint64(), r.Uint64()
		z.Rsh(&z, uint(128-1-r.IntN(maxBits)))
		return z
	}
	fast := 0
	for n := 0; n < 500_000; n++ {
		var p Pair
		p.feeBps = r.Uint64N(FeeDenominator)
		p.reserve[0], p.reserve[1] = random(112), random(112)
		in := random(128)
		i := r.IntN(2)
		a, b := p, p
		var ta, tb cfmm.Trade
		okFast := a.swap128(i, 1-i, &in, &ta)
		if !okFast {
			continue
		}
		fast++
		if err := b.quote(i, 1-i, &in, &tb); err != nil {
			t.Fatalf("general path reverts where the fast one succeeded: %v", err)
		}
		var bi, bj uint256.Int
		bi.Add(&b.reserve[i], &in)
		bj.Sub(&b.reserve[1-i], &tb.Out)
		b.reserve[i], b.reserve[1-i] = bi, bj
		if a != b || ta != tb {
			t.Fatalf("fast %+v %+v != general %+v %+v", a, ta, b, tb)
		}
	}
	if fast < 50_000 {
		t.Fatalf("only %d swaps took the two-word path", fast)
	}
}

// TestQuote128ThenApplyIsSwap checks that Quote128 leaves the pair alone
// and that Apply then makes exactly the trade SwapInto makes, and that
// Quote128 declines (false) where the swap reverts.
func TestQuote128ThenApplyIsSwap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	quoted := 0
	for k := range 20_000 {
		a, b := new(uint256.Int).SetUint64(r.Uint64()>>uint(r.IntN(40))+1001), new(uint256.Int).SetUint64(r.Uint64()>>uint(r.IntN(40))+1001)
		a.Lsh(a, uint(r.IntN(48)))
		p, _ := NewPair(uint64(r.IntN(100)), false)
		if _, err := p.Mint(a, b); err != nil {
			continue
		}
		i := r.IntN(2)
		in := new(uint256.Int).SetUint64(r.Uint64() >> uint(r.IntN(64)))
		in.Lsh(in, uint(r.IntN(60)))
		before := *p
		var qt, st cfmm.Trade
		ok := p.Quote128(i, 1-i, in[0], in[1], &qt)
		if *p != before {
			t.Fatalf("case %d: Quote128 changed the pair", k)
		}
		swapped := *p
		err := swapped.SwapInto(i, 1-i, in, &st)
		if !ok {
			continue // SwapInto took its general path; the vectors cover it
		}
		if err != nil {
			t.Fatalf("case %d: Quote128 accepted a swap that reverts: %v", k, err)
		}
		p.Apply(&qt)
		if *p != swapped || qt != st {
			t.Fatalf("case %d: Quote128+Apply gave %v / %+v, SwapInto %v / %+v", k, p.reserve, qt, swapped.reserve, st)
		}
		quoted++
	}
	if quoted < 5_000 {
		t.Fatalf("only %d of 20,000 cases took the two-word path", quoted)
	}
}
