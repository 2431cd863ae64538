package uniswapv3

import (
	"errors"
	"math"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

func u(v uint64) *uint256.Int { return uint256.NewInt(v) }

func e18(v uint64) *uint256.Int {
	var z uint256.Int
	z.Mul(u(v), u(1e18))
	return &z
}

// priceOne is sqrtPriceX96 at price 1: 2^96.
var priceOne = uint256.Int{0, 1 << 32, 0, 0}

func newTestPool(t testing.TB, fee uint32, spacing int32, price uint256.Int) *Pool {
	t.Helper()
	p, err := NewPool(fee, spacing, &price)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMintAmountsUpstream checks mint amounts asserted in v3-core's
// UniswapV3Pool.spec.ts: a 0.3% pool at price 1:10 holding 3161 liquidity
// over the full range, then one more position.
func TestMintAmountsUpstream(t *testing.T) {
	tests := []struct {
		name         string
		lower, upper int32
		liquidity    *uint256.Int
		want0, want1 uint64
	}{
		{"above the price", -22980, 0, u(10000), 21549, 0},
		{"max tick with max leverage", MaxUsableTick(60) - 60, MaxUsableTick(60), new(uint256.Int).Lsh(u(1), 102), 828011525, 0},
		{"up to the max tick", -22980, MaxUsableTick(60), u(10000), 31549, 0},
		{"around the price", MinUsableTick(60) + 60, MaxUsableTick(60) - 60, u(100), 317, 32},
		{"below the price", -46080, -23040, u(10000), 0, 2162},
	}
	for _, tt := range tests {
		p := newTestPool(t, 3000, 60, num(t, "25054144837504793118641380156"))
		a0, a1, err := p.MintFullRange("wallet", u(3161))
		if err != nil || a0.Uint64() != 9996 || a1.Uint64() != 1000 {
			t.Fatalf("full-range mint: %s, %s, %v; want 9996, 1000", a0.Dec(), a1.Dec(), err)
		}
		a0, a1, err = p.Mint("wallet", tt.lower, tt.upper, tt.liquidity)
		if err != nil || a0.Uint64() != tt.want0 || a1.Uint64() != tt.want1 || !a0.IsUint64() {
			t.Errorf("%s: minted %s, %s, %v; want %d, %d", tt.name, a0.Dec(), a1.Dec(), err, tt.want0, tt.want1)
		}
	}
	// "removing works": burning rounds down, so 121 paid in comes back as 120.
	p := newTestPool(t, 3000, 60, num(t, "25054144837504793118641380156"))
	p.MintFullRange("wallet", u(3161))
	p.Mint("wallet", -240, 0, u(10000))
	p.Burn("wallet", -240, 0, u(10000))
	c0, c1, err := p.Collect("wallet", -240, 0, &maxUint128, &maxUint128)
	if err != nil || c0.Uint64() != 120 || c1.Uint64() != 0 {
		t.Errorf("collect after burn: %s, %s, %v; want 120, 0", c0.Dec(), c1.Dec(), err)
	}
}

func TestRevertsLeavePoolUnchanged(t *testing.T) {
	base := newTestPool(t, 3000, 60, priceOne)
	if _, _, err := base.MintFullRange("a", e18(2)); err != nil {
		t.Fatal(err)
	}
	max := MaxLiquidityPerTick(60)
	var maxPlus1 uint256.Int
	maxPlus1.AddUint64(&max, 1)
	var nearLimit uint256.Int
	nearLimit.AddUint64(&priceOne, 1)
	tests := []struct {
		name   string
		op     func(p *Pool) error
		reason string
	}{
		{"mint zero", func(p *Pool) error { _, _, err := p.Mint("a", -60, 60, u(0)); return err }, "UniswapV3Pool"},
		{"mint 2^127", func(p *Pool) error {
			_, _, err := p.Mint("a", -60, 60, &uint256.Int{0, 1 << 63})
			return err
		}, "SafeCast"},
		{"lower == upper", func(p *Pool) error { _, _, err := p.Mint("a", 60, 60, u(1)); return err }, "TLU"},
		{"lower > upper", func(p *Pool) error { _, _, err := p.Mint("a", 120, 60, u(1)); return err }, "TLU"},
		{"lower below MinTick", func(p *Pool) error { _, _, err := p.Mint("a", MinTick-1, 60, u(1)); return err }, "TLM"},
		{"upper above MaxTick", func(p *Pool) error { _, _, err := p.Mint("a", -60, MaxTick+1, u(1)); return err }, "TUM"},
		{"unspaced tick", func(p *Pool) error { _, _, err := p.Mint("a", -50, 60, u(1)); return err }, "TickBitmap"},
		{"over max liquidity per tick", func(p *Pool) error { _, _, err := p.Mint("a", -60, 60, &maxPlus1); return err }, "LO"},
		{"second mint over the limit", func(p *Pool) error {
			if _, _, err := p.Mint("b", -120, 120, &max); err != nil {
				return err
			}
			_, _, err := p.Mint("b", -120, 60, u(1))
			return err
		}, "LO"},
		{"burn more than the position", func(p *Pool) error {
			_, _, err := p.Burn("a", MinUsableTick(60), MaxUsableTick(60), e18(3))
			return err
		}, "LS"},
		{"burn a missing position", func(p *Pool) error { _, _, err := p.Burn("z", -60, 60, u(1)); return err }, "LS"},
		{"poke a missing position", func(p *Pool) error { _, _, err := p.Burn("z", -60, 60, u(0)); return err }, "NP"},
		{"swap zero", func(p *Pool) error { _, err := p.SwapWithLimit(true, u(0), &minSqrtRatioPlusOne); return err }, "AS"},
		{"limit at the price", func(p *Pool) error { _, err := p.SwapWithLimit(true, u(1), &priceOne); return err }, "SPL"},
		{"limit on the wrong side", func(p *Pool) error { _, err := p.SwapWithLimit(true, u(1), &nearLimit); return err }, "SPL"},
		{"limit at MinSqrtRatio", func(p *Pool) error { _, err := p.SwapWithLimit(true, u(1), &minSqrtRatio); return err }, "SPL"},
		{"limit at MaxSqrtRatio", func(p *Pool) error { _, err := p.SwapWithLimit(false, u(1), &maxSqrtRatio); return err }, "SPL"},
		{"initialize twice", func(p *Pool) error { return p.Initialize(&priceOne) }, "AI"},
		{"invalid protocol fee", func(p *Pool) error { return p.SetFeeProtocol(3, 0) }, "UniswapV3Pool"},
		{"protocol fee above 10", func(p *Pool) error { return p.SetFeeProtocol(0, 11) }, "UniswapV3Pool"},
		{"swap through 2^255", func(p *Pool) error { _, err := p.Swap(0, 1, &uint256.Int{0, 0, 0, 1 << 63}); return err }, "SafeCast"},
		{"quote zero", func(p *Pool) error { _, err := p.Quote(1, 0, u(0)); return err }, "AS"},
	}
	for _, tt := range tests {
		p := base.Clone().(*Pool)
		err := tt.op(p)
		if reason(err) != tt.reason {
			t.Errorf("%s: err %v, want revert %q", tt.name, err, tt.reason)
		}
		if tt.name != "second mint over the limit" && !sameState(p, base) {
			t.Errorf("%s: pool changed", tt.name)
		}
	}
}

func TestUninitializedPool(t *testing.T) {
	p, err := NewUninitialized(500, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Mint("a", -10, 10, u(1)); reason(err) != "LOK" {
		t.Errorf("mint: %v, want LOK", err)
	}
	if _, err := p.Swap(0, 1, u(1)); reason(err) != "LOK" {
		t.Errorf("swap: %v, want LOK", err)
	}
	if _, _, err := p.Collect("a", -10, 10, u(1), u(1)); reason(err) != "LOK" {
		t.Errorf("collect: %v, want LOK", err)
	}
	if err := p.Initialize(&uint256.Int{}); reason(err) != "R" {
		t.Errorf("initialize at 0: %v, want R", err)
	}
	if err := p.Initialize(&priceOne); err != nil {
		t.Fatal(err)
	}
	if _, tick := p.Slot0(); tick != 0 {
		t.Errorf("tick %d, want 0", tick)
	}
	var zero Pool
	if err := zero.Initialize(&priceOne); err == nil {
		t.Error("the zero Pool initialized")
	}
	if _, err := zero.Swap(0, 1, u(1)); reason(err) != "LOK" {
		t.Errorf("zero Pool swap: %v, want LOK", err)
	}
	zero.LPHoldings(make([]uint256.Int, 2))
	_ = zero.Clone()
	for _, bad := range []struct {
		fee     uint32
		spacing int32
	}{{1_000_000, 60}, {3000, 0}, {3000, -1}, {3000, 16384}} {
		if _, err := NewUninitialized(bad.fee, bad.spacing); err == nil {
			t.Errorf("NewUninitialized(%d, %d) accepted", bad.fee, bad.spacing)
		}
	}
}

func TestMaxLiquidityPerTick(t *testing.T) {
	tests := []struct {
		spacing int32
		want    string
	}{
		{10, "1917569901783203986719870431555990"},  // low fee
		{60, "11505743598341114571880798222544994"}, // medium fee, as in pool_swaps.json
		{200, "38350317471085141830651933667504588"},
		{1, "191757530477355301479181766273477"},
		{887272, "113427455640312821154458202477256070485"}, // three usable ticks
	}
	for _, tt := range tests {
		got := MaxLiquidityPerTick(tt.spacing)
		if got.Dec() != tt.want {
			t.Errorf("MaxLiquidityPerTick(%d) = %s, want %s", tt.spacing, got.Dec(), tt.want)
		}
	}
}

// TestPositionLifecycle mints two overlapping positions, trades across the
// narrower one's bounds, and checks that fees, burns and collections add up.
func TestPositionLifecycle(t *testing.T) {
	p := newTestPool(t, 3000, 60, priceOne)
	full0, full1, _ := p.MintFullRange("a", e18(2))
	n0, n1, err := p.Mint("b", -600, 600, e18(10))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Tick(-600).Initialized || !p.Tick(600).Initialized {
		t.Fatal("bounds not initialized")
	}
	if l := p.Liquidity(); l != *e18(12) {
		t.Fatalf("active liquidity %s", l.Dec())
	}
	var fees0, fees1 uint256.Int
	trades := []struct {
		i, j   int
		amount *uint256.Int
	}{{0, 1, e18(1)}, {1, 0, e18(2)}, {0, 1, e18(1)}, {1, 0, u(1e17)}}
	for _, tr := range trades {
		tt, err := p.Swap(tr.i, tr.j, tr.amount)
		if err != nil {
			t.Fatal(err)
		}
		if tr.i == 0 {
			fees0.Add(&fees0, &tt.Fee)
		} else {
			fees1.Add(&fees1, &tt.Fee)
		}
	}
	if _, tick := p.Slot0(); tick >= -600 && tick < 600 {
		if l := p.Liquidity(); l != *e18(12) {
			t.Errorf("liquidity %s at tick %d", l.Dec(), tick)
		}
	}

	if lo := p.Tick(-600); lo.FeeGrowthOutside0X128.IsZero() {
		t.Error("tick -600 was never crossed")
	}

	hold := make([]uint256.Int, 2)
	p.LPHoldings(hold)
	// A poke credits fees without changing what the LPs hold.
	for _, o := range []struct {
		owner        string
		lower, upper int32
	}{{"a", MinUsableTick(60), MaxUsableTick(60)}, {"b", -600, 600}} {
		if _, _, err := p.Burn(o.owner, o.lower, o.upper, u(0)); err != nil {
			t.Fatalf("poke %s: %v", o.owner, err)
		}
	}
	after := make([]uint256.Int, 2)
	p.LPHoldings(after)
	if after[0] != hold[0] || after[1] != hold[1] {
		t.Errorf("LP holdings moved on poke: %v -> %v", hold, after)
	}

	// Both positions together earned every fee charged, less rounding.
	pa := p.Position("a", MinUsableTick(60), MaxUsableTick(60))
	pb := p.Position("b", -600, 600)
	var owed0, owed1 uint256.Int
	owed0.Add(&pa.TokensOwed0, &pb.TokensOwed0)
	owed1.Add(&pa.TokensOwed1, &pb.TokensOwed1)
	for k, pair := range [][2]*uint256.Int{{&owed0, &fees0}, {&owed1, &fees1}} {
		var slack uint256.Int
		if pair[0].Gt(pair[1]) || slack.Sub(pair[1], pair[0]).GtUint64(8) {
			t.Errorf("token%d: positions owed %s of %s fees", k, pair[0].Dec(), pair[1].Dec())
		}
	}
	if pb.TokensOwed0.IsZero() || pb.TokensOwed1.IsZero() {
		t.Error("the narrow position earned no fees")
	}

	// Burning b removes its ticks and credits its tokens; collecting pays
	// them out and forgets the position.
	b0, b1, err := p.Burn("b", -600, 600, e18(10))
	if err != nil {
		t.Fatal(err)
	}
	if p.Tick(-600).Initialized || p.Tick(600).Initialized {
		t.Error("bounds still initialized after the last burn")
	}
	for _, tick := range []int32{-600, 600} {
		if next, init := p.NextInitializedTickWithinOneWord(tick-1, false); init && next == tick {
			t.Errorf("tick %d still in the bitmap", tick)
		}
	}
	bal0, bal1 := p.Balances()
	c0, c1, err := p.Collect("b", -600, 600, &maxUint128, &maxUint128)
	if err != nil {
		t.Fatal(err)
	}
	var want0, want1 uint256.Int
	want0.Add(&b0, &pb.TokensOwed0)
	want1.Add(&b1, &pb.TokensOwed1)
	if c0 != want0 || c1 != want1 {
		t.Errorf("collected %s, %s; want %s, %s", c0.Dec(), c1.Dec(), want0.Dec(), want1.Dec())
	}
	if got := p.Position("b", -600, 600); got != (Position{}) {
		t.Errorf("emptied position still present: %+v", got)
	}
	nb0, nb1 := p.Balances()
	if nb0.Add(&nb0, &c0); nb0 != bal0 {
		t.Error("collect did not reduce balance0 by the amount paid")
	}
	if nb1.Add(&nb1, &c1); nb1 != bal1 {
		t.Error("collect did not reduce balance1 by the amount paid")
	}
	if _, _, err := p.Burn("b", -600, 600, u(0)); reason(err) != "NP" {
		t.Errorf("poke of an emptied position: %v, want NP", err)
	}
	_, _, _, _ = full0, full1, n0, n1

	// Partial collection leaves the rest owed.
	if _, _, err := p.Burn("a", MinUsableTick(60), MaxUsableTick(60), e18(1)); err != nil {
		t.Fatal(err)
	}
	before := p.Position("a", MinUsableTick(60), MaxUsableTick(60))
	c0, _, _ = p.Collect("a", MinUsableTick(60), MaxUsableTick(60), u(5), u(0))
	rest := p.Position("a", MinUsableTick(60), MaxUsableTick(60))
	var sum uint256.Int
	sum.Add(&rest.TokensOwed0, &c0)
	if c0.Uint64() != 5 || sum != before.TokensOwed0 || rest.TokensOwed1 != before.TokensOwed1 {
		t.Errorf("partial collect: got %s, owed %s -> %s", c0.Dec(), before.TokensOwed0.Dec(), rest.TokensOwed0.Dec())
	}
}

func TestProtocolFee(t *testing.T) {
	p := newTestPool(t, 3000, 60, priceOne)
	p.MintFullRange("a", e18(100))
	if err := p.SetFeeProtocol(4, 10); err != nil {
		t.Fatal(err)
	}
	if f0, f1 := p.FeeProtocol(); f0 != 4 || f1 != 10 {
		t.Fatalf("FeeProtocol = %d, %d", f0, f1)
	}
	r, err := p.SwapWithLimit(true, e18(1), &minSqrtRatioPlusOne)
	if err != nil {
		t.Fatal(err)
	}
	// One step: fee 0.3% of 1e18, a quarter of it to the protocol.
	if r.Fee.Uint64() != 3e15 || r.ProtocolFee.Uint64() != 75e13 {
		t.Errorf("fee %s, protocol fee %s; want 3e15, 7.5e14", r.Fee.Dec(), r.ProtocolFee.Dec())
	}
	pf0, pf1 := p.ProtocolFees()
	if pf0 != r.ProtocolFee || !pf1.IsZero() {
		t.Errorf("protocol fees %s, %s", pf0.Dec(), pf1.Dec())
	}
	g0, _ := p.FeeGrowthGlobalX128()
	var lpFee uint256.Int
	lpFee.Sub(&r.Fee, &r.ProtocolFee)
	if want, _ := MulDiv(&lpFee, &q128, e18(100)); g0 != want {
		t.Errorf("fee growth %s, want %s", g0.Dec(), want.Dec())
	}
	hold := make([]uint256.Int, 2)
	p.LPHoldings(hold)
	b0, _ := p.Balances()
	hold[0].Add(&hold[0], &pf0)
	if hold[0].Gt(&b0) {
		t.Errorf("LP holdings plus protocol fees %s exceed balance %s", hold[0].Dec(), b0.Dec())
	}
	c0, c1, err := p.CollectProtocol(&maxUint128, &maxUint128)
	if err != nil {
		t.Fatal(err)
	}
	var left uint256.Int
	left.Sub(&pf0, &c0)
	if left.Uint64() != 1 || !c1.IsZero() {
		t.Errorf("collected %s of %s protocol fees, want all but 1", c0.Dec(), pf0.Dec())
	}
	if pf0, _ = p.ProtocolFees(); pf0.Uint64() != 1 {
		t.Errorf("protocol fees left %s, want 1", pf0.Dec())
	}
}

func TestAdapter(t *testing.T) {
	p := newTestPool(t, 3000, 60, num(t, "25054144837504793118641380156")) // price 1/10
	p.MintFullRange("a", e18(1))
	if p.NumTokens() != 2 {
		t.Error("NumTokens != 2")
	}
	if s := p.SpotPrice(0, 1); math.Abs(s-0.1) > 1e-12 {
		t.Errorf("SpotPrice(0, 1) = %v, want 0.1", s)
	}
	if s := p.SpotPrice(1, 0); math.Abs(s-10) > 1e-10 {
		t.Errorf("SpotPrice(1, 0) = %v, want 10", s)
	}
	if p.SpotPrice(1, 1) != 1 || !math.IsNaN(p.SpotPrice(0, 2)) || !math.IsNaN(p.SpotPrice(-1, 0)) {
		t.Error("SpotPrice of degenerate indices")
	}
	for _, ij := range [][2]int{{0, 0}, {1, 1}, {0, 2}, {2, 0}, {-1, 1}} {
		if _, err := p.Quote(ij[0], ij[1], u(1)); !errors.Is(err, ErrTokenIndex) {
			t.Errorf("Quote(%d, %d): %v", ij[0], ij[1], err)
		}
		if _, err := p.Swap(ij[0], ij[1], u(1)); !errors.Is(err, ErrTokenIndex) {
			t.Errorf("Swap(%d, %d): %v", ij[0], ij[1], err)
		}
	}

	// A trade larger than the liquidity can absorb stops at the price
	// limit and takes only part of the input.
	huge := new(uint256.Int).Lsh(u(1), 200)
	tr, err := p.Swap(1, 0, huge)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.In.Lt(huge) || tr.FeeToken != 1 {
		t.Errorf("partial fill: in %s, fee token %d", tr.In.Dec(), tr.FeeToken)
	}
	if price, _ := p.Slot0(); price != maxSqrtRatioMinusOne {
		t.Errorf("price %s, want MaxSqrtRatio-1", price.Dec())
	}
	if _, err := p.Swap(1, 0, u(1000)); reason(err) != "SPL" {
		t.Errorf("swap beyond the limit: %v, want SPL", err)
	}
	if !cfmm.IsRevert(errSPL) {
		t.Error("revert values are not cfmm reverts")
	}
	short := make([]uint256.Int, 1)
	p.LPHoldings(short) // must not panic
}
