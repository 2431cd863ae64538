package agent

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/stableswap"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// LPRules are the conditions on which liquidity providers leave a pool; a
// zero span is a rule not used. Each provider draws its own threshold for
// each rule uniformly from the span, so a population leaves gradually.
type LPRules struct {
	// Loss: the provider's position is worth less than holding what it
	// deposited by more than this fraction, both at external prices
	// (lp/hodl − 1 < −threshold).
	Loss [2]float64
	// Volatility: the pool price's realised volatility, per √day, above
	// the threshold (an exponentially weighted mean of squared log
	// changes per step, half-life VolHalfLife steps).
	Volatility [2]float64
	// Discount: the pool sells its first token more than this fraction
	// below its external value in the second (a depeg they do not want to
	// be left holding).
	Discount [2]float64
	// Yield: a rate elsewhere (per year, Elsewhere) exceeds the pool's fee
	// yield (fees over the LPs' holdings, annualised, exponentially
	// weighted with half-life VolHalfLife steps) by more than this much.
	Yield [2]float64
}

// LiquidityProviders are Count liquidity providers holding Share of a
// pool's LP tokens between them, in equal parts, among background
// liquidity that stays. Each step each provider still in the pool checks
// its rules (LPRules) and withdraws its whole position if any holds: in
// proportion to the pool's balances, or — with Coin ≥ 0, on a StableSwap
// pool — all in that one coin (as stETH/ETH LPs took ETH in June 2022,
// which leaves the pool more lopsided). With Return, a provider that left
// deposits what it holds again once none of its rules holds (on a
// constant-product pair, the largest deposit in the pool's proportions).
//
// Withdrawals and deposits run the pool's own add_liquidity,
// remove_liquidity, remove_liquidity_one_coin, mint and burn in its
// integers. Supported pools: stableswap and uniswap_v2.
type LiquidityProviders struct {
	Venue int
	Count int
	// Share is the fraction of the pool's LP tokens the providers hold at
	// the start, (0, 1].
	Share float64
	Rules LPRules
	// Elsewhere is the yield available outside the pool, per year.
	Elsewhere float64
	// VolHalfLife is the half-life, in steps, of the volatility and
	// fee-yield estimates.
	VolHalfLife float64
	// Coin is the pool token a withdrawal takes all in, or −1 for a
	// balanced withdrawal.
	Coin   int
	Return bool
	// StepsPerYear converts per-step rates to yearly ones.
	StepsPerYear float64

	lps                 []lpPosition
	in                  int
	withdrawals, rejoin int
	lastPrice, varEWMA  float64
	feeEWMA, lastFees   float64
	scratch             []uint256.Int
	initial             []uint256.Int // one provider's first deposit, raw
}

// lpPosition is one provider's state.
type lpPosition struct {
	tokens  uint256.Int   // LP tokens held
	deposit []uint256.Int // what it put in, raw, at its last deposit
	held    []uint256.Int // tokens held outside the pool
	out     bool
	thr     [4]float64 // loss, volatility, discount, yield thresholds
}

var errLPPool = errors.New("liquidity providers: the pool is not stableswap or uniswap_v2")

func lpSupply(p cfmm.Pool) (uint256.Int, error) {
	switch q := p.(type) {
	case *stableswap.Pool:
		return q.TotalSupply(), nil
	case *uniswapv2.Pair:
		return q.TotalSupply(), nil
	}
	return uint256.Int{}, errLPPool
}

// Reset implements Agent.
func (l *LiquidityProviders) Reset(m *market.Market, rng *rand.Rand) {
	v := m.Venues[l.Venue]
	n := v.Pool.NumTokens()
	supply, _ := lpSupply(v.Pool)
	hold := make([]uint256.Int, n)
	v.Pool.LPHoldings(hold)
	total := cfmm.Float(&supply) * l.Share / float64(l.Count)
	each := cfmm.Amount(total)
	l.lps = l.lps[:0]
	for range l.Count {
		p := lpPosition{tokens: each, deposit: make([]uint256.Int, n), held: make([]uint256.Int, n)}
		for k := range hold {
			p.deposit[k] = cfmm.Amount(cfmm.Float(&hold[k]) * total / cfmm.Float(&supply))
		}
		for r, s := range [][2]float64{l.Rules.Loss, l.Rules.Volatility, l.Rules.Discount, l.Rules.Yield} {
			p.thr[r] = math.Inf(1)
			if s != [2]float64{} {
				p.thr[r] = s[0] + (s[1]-s[0])*rng.Float64()
			}
		}
		l.lps = append(l.lps, p)
	}
	if len(l.lps) > 0 {
		l.initial = append(l.initial[:0], l.lps[0].deposit...)
	}
	l.scratch = make([]uint256.Int, n)
	l.in, l.withdrawals, l.rejoin = l.Count, 0, 0
	l.lastPrice, l.varEWMA = v.Price(m), 0
	l.lastFees, l.feeEWMA = 0, 0
}

// Metrics implements Agent.
func (l *LiquidityProviders) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "in_pool", Unit: "count", Doc: "providers with liquidity in the pool at the end", Worse: metric.LowerIsWorse},
		{Name: "withdrawals", Unit: "count", Doc: "withdrawals made", Worse: metric.HigherIsWorse},
		{Name: "returns", Unit: "count", Doc: "deposits made again after a withdrawal", Worse: metric.Neutral},
		{Name: "share", Unit: "fraction", Doc: "the providers' share of the pool's LP tokens at the end", Worse: metric.Neutral},
		{Name: "value", Unit: "numeraire", Doc: "the providers' positions and what they hold outside, at external prices", Worse: metric.LowerIsWorse},
		{Name: "vs_hodl", Unit: "fraction", Doc: "value over the value of their initial deposits held instead, minus 1", Worse: metric.LowerIsWorse},
		{Name: "volatility", Unit: "fraction/√day", Doc: "the pool price's estimated volatility at the end", Worse: metric.HigherIsWorse},
		{Name: "fee_yield", Unit: "fraction/yr", Doc: "the pool's estimated fee yield at the end", Worse: metric.LowerIsWorse},
	}
}

// positionValue values LP tokens of v at external prices.
func (l *LiquidityProviders) positionValue(m *market.Market, v *market.Venue, tokens *uint256.Int, supply float64) float64 {
	if supply <= 0 {
		return 0
	}
	return v.Value(m, m.Prices) * cfmm.Float(tokens) / supply
}

func rawValue(m *market.Market, v *market.Venue, amounts []uint256.Int) float64 {
	var sum float64
	for k := range amounts {
		sum += cfmm.Float(&amounts[k]) * m.RawPrice(v.Assets[k])
	}
	return sum
}

// Observe implements Agent.
func (l *LiquidityProviders) Observe(m *market.Market, dst []float64) {
	v := m.Venues[l.Venue]
	s, _ := lpSupply(v.Pool)
	supply := cfmm.Float(&s)
	var mine, value, hodl float64
	for k := range l.lps {
		p := &l.lps[k]
		mine += cfmm.Float(&p.tokens)
		value += l.positionValue(m, v, &p.tokens, supply) + rawValue(m, v, p.held)
	}
	// The initial deposits, at today's prices: each position's first
	// deposit is the same share of the starting pool.
	if len(l.lps) > 0 {
		hodl = rawValue(m, v, l.initial) * float64(len(l.lps))
	}
	dst[0], dst[1], dst[2] = float64(l.in), float64(l.withdrawals), float64(l.rejoin)
	dst[3] = mine / math.Max(supply, 1)
	dst[4] = value
	dst[5] = 0
	if hodl > 0 {
		dst[5] = value/hodl - 1
	}
	dst[6] = math.Sqrt(l.varEWMA * l.StepsPerYear / 365)
	dst[7] = l.feeEWMA * l.StepsPerYear
}

// Act implements Agent.
func (l *LiquidityProviders) Act(m *market.Market) {
	v := m.Venues[l.Venue]
	// Signals shared by every provider.
	alpha := 1 - math.Exp2(-1/math.Max(l.VolHalfLife, 1))
	price := v.Price(m)
	if price > 0 && l.lastPrice > 0 {
		r := math.Log(price / l.lastPrice)
		l.varEWMA += alpha * (r*r - l.varEWMA)
	}
	l.lastPrice = price
	value := v.Value(m, m.Prices)
	if value > 0 {
		l.feeEWMA += alpha * ((v.Fees-l.lastFees)/value - l.feeEWMA)
	}
	l.lastFees = v.Fees
	vol := math.Sqrt(l.varEWMA * l.StepsPerYear / 365)
	discount := v.Discount(m)
	gap := l.Elsewhere - l.feeEWMA*l.StepsPerYear
	s, err := lpSupply(v.Pool)
	if err != nil {
		return
	}
	supply := cfmm.Float(&s)
	for k := range l.lps {
		p := &l.lps[k]
		loss := 0.0
		if !p.out {
			if h := rawValue(m, v, p.deposit); h > 0 {
				loss = 1 - l.positionValue(m, v, &p.tokens, supply)/h
			}
		}
		leave := loss > p.thr[0] || vol > p.thr[1] || discount > p.thr[2] || gap > p.thr[3]
		switch {
		case !p.out && leave:
			if l.withdraw(v, p) {
				p.out = true
				l.in--
				l.withdrawals++
				s, _ = lpSupply(v.Pool)
				supply = cfmm.Float(&s)
			}
		case p.out && l.Return && !(discount > p.thr[2] || vol > p.thr[1] || gap > p.thr[3]):
			if l.deposit(v, p) {
				p.out = false
				l.in++
				l.rejoin++
				s, _ = lpSupply(v.Pool)
				supply = cfmm.Float(&s)
			}
		}
	}
}

// withdraw removes p's whole position.
func (l *LiquidityProviders) withdraw(v *market.Venue, p *lpPosition) bool {
	if p.tokens.IsZero() {
		return false
	}
	switch q := v.Pool.(type) {
	case *stableswap.Pool:
		if l.Coin >= 0 {
			dy, err := q.RemoveLiquidityOneCoin(&p.tokens, l.Coin, nil)
			if err != nil {
				return false
			}
			p.held[l.Coin].Add(&p.held[l.Coin], &dy)
		} else {
			if err := q.RemoveLiquidity(&p.tokens, nil, l.scratch); err != nil {
				return false
			}
			for k := range p.held {
				p.held[k].Add(&p.held[k], &l.scratch[k])
			}
		}
	case *uniswapv2.Pair:
		a0, a1, err := q.Burn(&p.tokens)
		if err != nil {
			return false
		}
		p.held[0].Add(&p.held[0], &a0)
		p.held[1].Add(&p.held[1], &a1)
	default:
		return false
	}
	p.tokens = uint256.Int{}
	return true
}

// deposit puts what p holds back into the pool.
func (l *LiquidityProviders) deposit(v *market.Venue, p *lpPosition) bool {
	var minted uint256.Int
	var err error
	switch q := v.Pool.(type) {
	case *stableswap.Pool:
		minted, err = q.AddLiquidity(p.held, nil)
		if err != nil {
			return false
		}
		copy(p.deposit, p.held)
		for k := range p.held {
			p.held[k] = uint256.Int{}
		}
	case *uniswapv2.Pair:
		// The largest deposit in the reserves' proportions.
		r0, r1 := q.Reserves()
		a0, a1 := p.held[0], p.held[1]
		var need1 uint256.Int
		need1.Mul(&a0, &r1).Div(&need1, &r0)
		if need1.Gt(&a1) {
			a0.Mul(&a1, &r0).Div(&a0, &r1)
		} else {
			a1 = need1
		}
		if minted, err = q.Mint(&a0, &a1); err != nil {
			return false
		}
		p.deposit[0], p.deposit[1] = a0, a1
		p.held[0].Sub(&p.held[0], &a0)
		p.held[1].Sub(&p.held[1], &a1)
	default:
		return false
	}
	p.tokens = minted
	return true
}
