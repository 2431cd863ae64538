package world

import (
	"fmt"
	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/market"
	"math"
	"math/big"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/stableswap"
	"github.com/cascade-risk/cascade/cfmm/uniswapv3"
	"github.com/cascade-risk/cascade/cfmm/weighted"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
	"github.com/holiman/uint256"
)

// v3Position is a liquidity position in a uniswap_v3 scenario: a price range
// (whole token1 per whole token0; full_range for the widest) and the
// amounts the LP is willing to deposit. The position gets the largest
// liquidity those amounts allow at the initial price, and deposits exactly
// what the pool's mint asks for.
type v3Position struct {
	Lower     *float64       `yaml:"lower" doc:"lower end of the price range, whole token1 per token0 (give lower and upper, or full_range)" unit:"token1 per token0"`
	Upper     *float64       `yaml:"upper" doc:"upper end of the price range, whole token1 per token0" unit:"token1 per token0"`
	FullRange bool           `yaml:"full_range" doc:"the widest range the tick spacing allows instead of lower and upper" default:"false"`
	Amounts   []unit.Decimal `yaml:"amounts,required" doc:"the most of each token to deposit at the initial price; the position takes the largest liquidity they allow" unit:"tokens"`
}

// defaultTickSpacing is Uniswap v3's spacing for its enabled fee tiers.
var defaultTickSpacing = map[uint32]int32{100: 1, 500: 10, 3000: 60, 10000: 200}

// sqrtPriceX96 returns floor(√price·2^96) for a raw price (token1 raw units
// per token0 raw unit), computed in 256-bit binary floating point.
func sqrtPriceX96(raw float64) (uint256.Int, bool) {
	var out uint256.Int
	f := new(big.Float).SetPrec(256).SetFloat64(raw)
	f.Sqrt(f)
	f.Mul(f, new(big.Float).SetPrec(256).SetMantExp(big.NewFloat(1), 96))
	i, _ := f.Int(nil)
	return out, !out.SetFromBig(i)
}

func (b *builder) uniswapV3(c scenario.Entry[scenario.Component]) (cfmm.Pool, []int, bool) {
	var p struct {
		Tokens      []string      `yaml:"tokens,required" doc:"the pool's two assets, token0 then token1"`
		Fee         unit.Fraction `yaml:"fee,required" doc:"fee tier in whole pips (0.0001%), such as 0.05%, 0.3% or 1%"`
		TickSpacing int           `yaml:"tick_spacing" doc:"tick spacing; without it, Uniswap's for the fee tier (1, 10, 60 or 200 for 0.01%, 0.05%, 0.3%, 1%)"`
		Price       float64       `yaml:"price,required" doc:"starting price, whole token1 per token0" unit:"token1 per token0"`
		Positions   []v3Position  `yaml:"positions,required" doc:"background liquidity positions (lower, upper or full_range, amounts)"`
	}
	if !b.decode(c, &p) {
		return nil, nil, false
	}
	assets, ok := b.tokens(c, p.Tokens, 2)
	if !ok {
		return nil, nil, false
	}
	pips := float64(p.Fee) * 1e6
	if pips < 0 || pips >= 1e6 || math.Abs(pips-math.Round(pips)) > 1e-6 {
		b.errs.At(c.Node.Get("fee"), c.Path+".fee", "expected a fee from 0 to below 100%% in whole pips (0.0001%%), got %g", float64(p.Fee))
		return nil, nil, false
	}
	fee := uint32(math.Round(pips))
	spacing := int32(p.TickSpacing)
	if spacing == 0 {
		if spacing, ok = defaultTickSpacing[fee]; !ok {
			b.errs.At(c.Node.Get("fee"), c.Path+".fee", "fee %g has no standard tick spacing; set tick_spacing", float64(p.Fee))
			return nil, nil, false
		}
	}
	if spacing < 1 || spacing > 16384 {
		b.errs.At(c.Node.Get("tick_spacing"), c.Path+".tick_spacing", "expected a tick spacing from 1 to 16384, got %d", spacing)
		return nil, nil, false
	}
	// Prices are written in whole tokens; the pool's are raw units.
	scale := math.Pow(10, float64(b.cell.decimals[assets[1]]-b.cell.decimals[assets[0]]))
	sqrtP, ok := sqrtPriceX96(p.Price * scale)
	lo, hi := uniswapv3.MinSqrtRatio(), uniswapv3.MaxSqrtRatio()
	if !(p.Price > 0) || !ok || sqrtP.Lt(&lo) || !sqrtP.Lt(&hi) {
		b.errs.At(c.Node.Get("price"), c.Path+".price", "expected a positive price within Uniswap v3's range, got %g", p.Price)
		return nil, nil, false
	}
	pool, err := uniswapv3.NewPool(fee, spacing, &sqrtP)
	if err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, nil, false
	}
	for k, pos := range p.Positions {
		path := fmt.Sprintf("positions.%d", k)
		node := c.Node.Lookup(path)
		lower, upper := uniswapv3.MinUsableTick(spacing), uniswapv3.MaxUsableTick(spacing)
		switch {
		case pos.FullRange && (pos.Lower != nil || pos.Upper != nil):
			b.errs.At(node, c.Path+"."+path, "give either full_range or lower and upper, not both")
			return nil, nil, false
		case !pos.FullRange:
			if pos.Lower == nil || pos.Upper == nil || !(*pos.Lower > 0) || !(*pos.Upper > *pos.Lower) {
				b.errs.At(node, c.Path+"."+path, "expected full_range: true, or positive prices lower < upper")
				return nil, nil, false
			}
			lower = tickForPrice(*pos.Lower*scale, spacing)
			upper = tickForPrice(*pos.Upper*scale, spacing)
			if lower >= upper {
				upper = lower + spacing
			}
		}
		amounts, ok := b.amounts(c, path+".amounts", pos.Amounts, assets)
		if !ok {
			return nil, nil, false
		}
		liq := liquidityFor(&sqrtP, lower, upper, &amounts[0], &amounts[1])
		if liq.IsZero() {
			b.errs.At(node, c.Path+"."+path, "these amounts buy no liquidity in range [%d, %d) at the initial price", lower, upper)
			return nil, nil, false
		}
		if _, _, err := pool.Mint(fmt.Sprintf("lp%d", k), lower, upper, &liq); err != nil {
			b.errs.At(node, c.Path+"."+path, "the pool rejects this position: %v", err)
			return nil, nil, false
		}
	}
	return pool, assets, true
}

// tickForPrice returns the usable tick nearest below a raw price.
func tickForPrice(raw float64, spacing int32) int32 {
	t := int32(math.Floor(math.Log(raw) / math.Log(1.0001)))
	t = max(min(t, uniswapv3.MaxTick), uniswapv3.MinTick)
	t = int32(math.Floor(float64(t)/float64(spacing))) * spacing
	return max(min(t, uniswapv3.MaxUsableTick(spacing)), uniswapv3.MinUsableTick(spacing))
}

// liquidityFor is the periphery's getLiquidityForAmounts: the largest
// liquidity whose mint needs at most amount0 and amount1 at price sqrtP.
// It is computed in floating point and then reduced by one part in 10^9 so
// that the exact mint, which rounds up, stays within the amounts.
func liquidityFor(sqrtP *uint256.Int, lower, upper int32, amount0, amount1 *uint256.Int) uint256.Int {
	sa, _ := uniswapv3.SqrtRatioAtTick(lower)
	sb, _ := uniswapv3.SqrtRatioAtTick(upper)
	q := math.Ldexp(1, 96)
	p, a, bb := sqrtP.Float64()/q, sa.Float64()/q, sb.Float64()/q
	x, y := amount0.Float64(), amount1.Float64()
	var l float64
	switch {
	case p <= a:
		l = x * a * bb / (bb - a)
	case p < bb:
		l = math.Min(x*p*bb/(bb-p), y/(p-a))
	default:
		l = y / (bb - a)
	}
	l *= 1 - 1e-9
	return cfmm.Amount(math.Min(l, math.Ldexp(1, 126)))
}

func (b *builder) stableSwap(c scenario.Entry[scenario.Component]) (cfmm.Pool, []int, bool) {
	var p struct {
		Tokens        []string       `yaml:"tokens,required" doc:"the pool's coins, at most 18 decimals each"`
		Balances      []unit.Decimal `yaml:"balances,required" doc:"starting balances, one per coin, in whole tokens" unit:"tokens"`
		Amplification int            `yaml:"amplification,required" doc:"amplification coefficient A (higher is flatter near balance)"`
		Fee           unit.Fraction  `yaml:"fee" doc:"swap fee on the output, in steps of 1e-8%" default:"0"`
		AdminFee      unit.Fraction  `yaml:"admin_fee" doc:"share of the swap fee kept for the admin, out of the pool" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, nil, false
	}
	assets, ok := b.tokens(c, p.Tokens, 0)
	if !ok {
		return nil, nil, false
	}
	toFee := func(key string, f unit.Fraction, max uint64) (uint64, bool) {
		v := float64(f) * stableswap.FeeDenominator
		if v < 0 || v > float64(max) || math.Abs(v-math.Round(v)) > 1e-6 {
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected a fraction from 0 to %g%% in steps of 1e-8%%, got %g", 100*float64(max)/stableswap.FeeDenominator, float64(f))
			return 0, false
		}
		return uint64(math.Round(v)), true
	}
	fee, ok1 := toFee("fee", p.Fee, stableswap.MaxFee)
	admin, ok2 := toFee("admin_fee", p.AdminFee, stableswap.MaxAdminFee)
	if !ok1 || !ok2 {
		return nil, nil, false
	}
	if p.Amplification < 1 || uint64(p.Amplification) >= stableswap.MaxA {
		b.errs.At(c.Node.Get("amplification"), c.Path+".amplification", "expected an amplification A from 1 to %d, got %d", stableswap.MaxA-1, p.Amplification)
		return nil, nil, false
	}
	rates := make([]uint256.Int, len(assets))
	for k, a := range assets {
		if b.cell.decimals[a] > 18 {
			b.errs.At(c.Node.Lookup(fmt.Sprintf("tokens.%d", k)), fmt.Sprintf("%s.tokens.%d", c.Path, k), "StableSwap coins have at most 18 decimals")
			return nil, nil, false
		}
		rates[k] = stableswap.RateForDecimals(uint8(b.cell.decimals[a]))
	}
	raw, ok := b.amounts(c, "balances", p.Balances, assets)
	if !ok {
		return nil, nil, false
	}
	pool, err := stableswap.New(stableswap.Config{A: uint64(p.Amplification), Fee: fee, AdminFee: admin, Rates: rates})
	if err == nil {
		_, err = pool.AddLiquidity(raw, new(uint256.Int))
	}
	if err != nil {
		b.errs.At(c.Node, c.Path, "the pool rejects this configuration: %v", err)
		return nil, nil, false
	}
	return pool, assets, true
}

func (b *builder) weightedPool(c scenario.Entry[scenario.Component]) (cfmm.Pool, []int, bool) {
	var p struct {
		Tokens   []string        `yaml:"tokens,required" doc:"the pool's tokens, at most 18 decimals each"`
		Balances []unit.Decimal  `yaml:"balances,required" doc:"starting balances, one per token, in whole tokens" unit:"tokens"`
		Weights  []unit.Fraction `yaml:"weights,required" doc:"normalised weights, one per token, summing to 100%"`
		Fee      unit.Fraction   `yaml:"fee,required" doc:"swap fee on the input amount"`
	}
	if !b.decode(c, &p) {
		return nil, nil, false
	}
	assets, ok := b.tokens(c, p.Tokens, 0)
	if !ok {
		return nil, nil, false
	}
	if len(p.Weights) != len(assets) {
		b.errs.At(c.Node.Get("weights"), c.Path+".weights", "expected %d weights, one per token, got %d", len(assets), len(p.Weights))
		return nil, nil, false
	}
	// Weights are 18-decimal fractions summing to exactly 1e18; the last
	// absorbs rounding from the written fractions.
	weights := make([]uint256.Int, len(assets))
	sum := 0.0
	var acc uint64
	for k, w := range p.Weights {
		sum += float64(w)
		if k < len(assets)-1 {
			v := uint64(math.Round(float64(w) * 1e18))
			weights[k].SetUint64(v)
			acc += v
		}
	}
	if math.Abs(sum-1) > 1e-9 || acc >= 1e18 {
		b.errs.At(c.Node.Get("weights"), c.Path+".weights", "expected weights summing to 100%%, got %g%%", 100*sum)
		return nil, nil, false
	}
	weights[len(assets)-1].SetUint64(1e18 - acc)
	decimals := make([]uint8, len(assets))
	for k, a := range assets {
		if b.cell.decimals[a] > 18 {
			b.errs.At(c.Node.Lookup(fmt.Sprintf("tokens.%d", k)), fmt.Sprintf("%s.tokens.%d", c.Path, k), "weighted pool tokens have at most 18 decimals")
			return nil, nil, false
		}
		decimals[k] = uint8(b.cell.decimals[a])
	}
	raw, ok := b.amounts(c, "balances", p.Balances, assets)
	if !ok {
		return nil, nil, false
	}
	var fee uint256.Int
	fee.SetUint64(uint64(math.Round(float64(p.Fee) * 1e18)))
	pool, err := weighted.New(weighted.Config{Weights: weights, Decimals: decimals, SwapFee: fee, Balances: raw})
	if err != nil {
		b.errs.At(c.Node, c.Path, "the pool rejects this configuration: %v", err)
		return nil, nil, false
	}
	return pool, assets, true
}

// rangePosition compiles agent.RangePosition: pool (uniswap_v3), lower and
// upper (whole token1 per token0) or full_range, amounts (what the
// provider is willing to deposit at the pool's initial price).
func (b *builder) rangePosition(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Pool       string `yaml:"pool,required" doc:"the uniswap_v3 pool in which the agent holds its position"`
		v3Position `yaml:",inline"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
	if !ok {
		return nil, false
	}
	pool, isV3 := b.cell.venues[v].pool.(*uniswapv3.Pool)
	if !isV3 {
		b.errs.At(c.Node.Get("pool"), c.Path+".pool", "a range position needs a uniswap_v3 pool; %s is not one", p.Pool)
		return nil, false
	}
	assets := b.cell.venues[v].assets
	spacing := pool.TickSpacing()
	scale := math.Pow(10, float64(b.cell.decimals[assets[1]]-b.cell.decimals[assets[0]]))
	lower, upper := uniswapv3.MinUsableTick(spacing), uniswapv3.MaxUsableTick(spacing)
	switch {
	case p.FullRange && (p.Lower != nil || p.Upper != nil):
		b.errs.At(c.Node, c.Path, "give either full_range or lower and upper, not both")
		return nil, false
	case !p.FullRange:
		if p.Lower == nil || p.Upper == nil || !(*p.Lower > 0) || !(*p.Upper > *p.Lower) {
			b.errs.At(c.Node, c.Path, "expected full_range: true, or positive prices lower < upper")
			return nil, false
		}
		lower, upper = tickForPrice(*p.Lower*scale, spacing), tickForPrice(*p.Upper*scale, spacing)
		if lower >= upper {
			upper = lower + spacing
		}
	}
	amounts, ok := b.amounts(c, "amounts", p.Amounts, assets)
	if !ok {
		return nil, false
	}
	sqrtP, _ := pool.Slot0()
	liq := liquidityFor(&sqrtP, lower, upper, &amounts[0], &amounts[1])
	if liq.IsZero() {
		b.errs.At(c.Node.Get("amounts"), c.Path+".amounts", "these amounts buy no liquidity in range [%d, %d) at the initial price", lower, upper)
		return nil, false
	}
	// Its own owner name, apart from the pool's background positions
	// (lp0, lp1, ...).
	owner := "agent:" + c.Name
	if _, _, err := pool.Clone().(*uniswapv3.Pool).Mint(owner, lower, upper, &liq); err != nil {
		b.errs.At(c.Node, c.Path, "the pool rejects this position: %v", err)
		return nil, false
	}
	return func() market.Agent {
		return &agent.RangePosition{Venue: v, Owner: owner, Lower: lower, Upper: upper, Liquidity: liq}
	}, true
}

func init() { agentBuilders["lp_position"] = (*builder).rangePosition }
