package world

import (
	"math"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/psm"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
	"github.com/holiman/uint256"
)

// psmPool compiles a peg stability module as a venue: tokens [gem,
// stablecoin] (the stablecoin of 18 decimals), tin and tout (fees),
// ceiling (debt ceiling in stablecoins), gem (whole gem tokens held at the
// start).
func (b *builder) psmPool(c scenario.Entry[scenario.Component]) (cfmm.Pool, []int, bool) {
	var p struct {
		Tokens  []string      `yaml:"tokens,required" doc:"[gem, stablecoin]: the collateral swapped one to one and the stablecoin (18 decimals)"`
		Tin     unit.Fraction `yaml:"tin" doc:"fee on selling gem for stablecoins" default:"0"`
		Tout    unit.Fraction `yaml:"tout" doc:"fee on buying gem with stablecoins" default:"0"`
		Ceiling float64       `yaml:"ceiling,required" doc:"the debt ceiling: the most stablecoins the module mints" unit:"stablecoins"`
		Gem     float64       `yaml:"gem" doc:"gem held at the start, at most the ceiling" unit:"tokens" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, nil, false
	}
	assets, ok := b.tokens(c, p.Tokens, 2)
	if !ok {
		return nil, nil, false
	}
	gd, sd := b.cell.decimals[assets[0]], b.cell.decimals[assets[1]]
	switch {
	case sd != 18:
		b.errs.At(c.Node.Lookup("tokens.1"), c.Path+".tokens.1", "the PSM's stablecoin has 18 decimals, got %d", sd)
		return nil, nil, false
	case gd > 18:
		b.errs.At(c.Node.Lookup("tokens.0"), c.Path+".tokens.0", "the PSM's gem has at most 18 decimals, got %d", gd)
		return nil, nil, false
	case p.Tin < 0 || p.Tin > 1 || p.Tout < 0 || p.Tout > 1:
		b.errs.At(c.Node, c.Path, "tin and tout are fees from 0 to 100%%")
		return nil, nil, false
	case !(p.Ceiling >= 0) || p.Ceiling > 1e15:
		b.errs.At(c.Node.Get("ceiling"), c.Path+".ceiling", "expected a debt ceiling from 0 to 1e15 stablecoins, got %g", p.Ceiling)
		return nil, nil, false
	case !(p.Gem >= 0) || p.Gem > p.Ceiling:
		b.errs.At(c.Node.Get("gem"), c.Path+".gem", "expected gem from 0 to the ceiling (%g), got %g", p.Ceiling, p.Gem)
		return nil, nil, false
	}
	wadOf := func(f float64) *uint256.Int { x := cfmm.Amount(math.Round(f * 1e18)); return &x }
	gem := cfmm.Amount(p.Gem * math.Pow(10, float64(gd)))
	pool, err := psm.New(gd, wadOf(float64(p.Tin)), wadOf(float64(p.Tout)), wadOf(p.Ceiling), &gem)
	if err != nil {
		b.errs.At(c.Node, c.Path, "the PSM rejects this configuration: %v", err)
		return nil, nil, false
	}
	return pool, assets, true
}
