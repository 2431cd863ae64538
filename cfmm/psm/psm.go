// Package psm is Maker's peg stability module (DssPsm) seen as a venue: a
// stablecoin (Dai, 18 decimals) swapped 1:1 for a collateral stablecoin
// (the gem, such as USDC) with a fee each way and a debt ceiling, in the
// contract's integer math.
//
// sellGem(gemAmt), gem in, Dai out:
//
//	gemAmt18 = gemAmt · 10^(18 − gem decimals)
//	fee      = gemAmt18 · tin / WAD          (rounded down)
//	daiOut   = gemAmt18 − fee
//
// and the module's debt grows by gemAmt18, which must stay within the
// ceiling (the Vat's line). buyGem(gemAmt), Dai in, gem out:
//
//	daiIn = gemAmt18 + gemAmt18 · tout / WAD
//
// and the debt falls by gemAmt18; the module must hold the gem. Swap takes
// an exact input: for Dai in, it buys the most gem the Dai pays for,
// gemAmt = ⌊daiIn · WAD / ((WAD + tout) · 10^(18 − dec))⌋, and takes only
// the Dai that costs (Trade.In may be below the amount offered). Fees stay
// in the system as surplus; they are not the holders' (LPHoldings).
package psm

import (
	"errors"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/holiman/uint256"
)

// Token indices: the gem is 0, Dai is 1.
const (
	Gem = 0
	Dai = 1
)

var wad = uint256.NewInt(1e18)

// Errors of the module, as its reverts.
var (
	ErrCeiling = errors.New("psm: debt ceiling reached (Vat/ceiling-exceeded)")
	ErrNoGem   = errors.New("psm: not enough gem held")
	ErrToken   = errors.New("psm: token index must be 0 (gem) or 1 (Dai)")
	ErrZero    = errors.New("psm: amount rounds to zero")
)

// Pool is a peg stability module.
type Pool struct {
	conv      uint256.Int // 10^(18 − gem decimals)
	tin, tout uint256.Int // wad fractions
	line      uint256.Int // debt ceiling, wad of Dai
	gem       uint256.Int // gem held, raw
	debt      uint256.Int // Dai minted against it, wad
	fees      uint256.Int // fees collected, wad of Dai
}

// New returns a module for a gem of gemDecimals (at most 18), fees tin and
// tout as wad fractions, a ceiling in wad of Dai, holding gem raw units of
// gem (debt gem·10^(18−dec), at most the ceiling).
func New(gemDecimals int, tin, tout, line, gem *uint256.Int) (*Pool, error) {
	if gemDecimals < 0 || gemDecimals > 18 {
		return nil, errors.New("psm: gem decimals must be 0 to 18")
	}
	if tin.Gt(wad) || tout.Gt(wad) {
		return nil, errors.New("psm: fees above 100%")
	}
	p := &Pool{tin: *tin, tout: *tout, line: *line, gem: *gem}
	p.conv.Exp(uint256.NewInt(10), uint256.NewInt(uint64(18-gemDecimals)))
	if _, over := p.debt.MulOverflow(gem, &p.conv); over || p.debt.Gt(line) {
		return nil, ErrCeiling
	}
	return p, nil
}

// NumTokens implements cfmm.Pool.
func (p *Pool) NumTokens() int { return 2 }

// SpotPrice implements cfmm.Pool: 1:1 before fees, in raw units.
func (p *Pool) SpotPrice(i, j int) float64 {
	c := p.conv.Float64()
	if i == Gem && j == Dai {
		return c
	}
	return 1 / c
}

// FeeRate implements cfmm.Pool: the smaller of the two fees, so that a
// filter on it never skips a trade that pays.
func (p *Pool) FeeRate() float64 {
	return min(p.tin.Float64(), p.tout.Float64()) / 1e18
}

// Debt returns the Dai minted against the module's gem, wad.
func (p *Pool) Debt() uint256.Int { return p.debt }

// GemHeld returns the gem held, raw units.
func (p *Pool) GemHeld() uint256.Int { return p.gem }

// Fees returns the fees collected, wad of Dai.
func (p *Pool) Fees() uint256.Int { return p.fees }

// Quote implements cfmm.Pool.
func (p *Pool) Quote(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	q := *p
	return q.Swap(i, j, amountIn)
}

// Swap implements cfmm.Pool: sellGem for gem in, buyGem for Dai in.
func (p *Pool) Swap(i, j int, amountIn *uint256.Int) (cfmm.Trade, error) {
	var t cfmm.Trade
	switch {
	case i == Gem && j == Dai:
		var g18, fee, debt uint256.Int
		if _, over := g18.MulOverflow(amountIn, &p.conv); over {
			return t, ErrCeiling
		}
		fee.Mul(&g18, &p.tin).Div(&fee, wad)
		if _, over := debt.AddOverflow(&p.debt, &g18); over || debt.Gt(&p.line) {
			return t, ErrCeiling
		}
		if amountIn.IsZero() {
			return t, ErrZero
		}
		p.debt = debt
		p.gem.Add(&p.gem, amountIn)
		p.fees.Add(&p.fees, &fee)
		t.In, t.Fee, t.FeeToken = *amountIn, fee, Dai
		t.Out.Sub(&g18, &fee)
		return t, nil
	case i == Dai && j == Gem:
		// gemAmt = ⌊daiIn·WAD / ((WAD + tout)·conv)⌋
		var den, num, gemAmt, g18, fee uint256.Int
		den.Add(wad, &p.tout)
		den.Mul(&den, &p.conv)
		if _, over := num.MulOverflow(amountIn, wad); over {
			return t, ErrNoGem
		}
		gemAmt.Div(&num, &den)
		if gemAmt.IsZero() {
			return t, ErrZero
		}
		if gemAmt.Gt(&p.gem) {
			return t, ErrNoGem
		}
		g18.Mul(&gemAmt, &p.conv)
		fee.Mul(&g18, &p.tout).Div(&fee, wad)
		p.gem.Sub(&p.gem, &gemAmt)
		p.debt.Sub(&p.debt, &g18)
		p.fees.Add(&p.fees, &fee)
		t.In.Add(&g18, &fee)
		t.Out, t.Fee, t.FeeToken = gemAmt, fee, Dai
		return t, nil
	}
	return t, ErrToken
}

// LPHoldings implements cfmm.Pool: the gem the module holds; its Dai is
// a liability, not a holding.
func (p *Pool) LPHoldings(dst []uint256.Int) {
	dst[Gem] = p.gem
	dst[Dai] = uint256.Int{}
}

// Clone implements cfmm.Pool.
func (p *Pool) Clone() cfmm.Pool { q := *p; return &q }
