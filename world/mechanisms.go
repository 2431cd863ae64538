package world

import (
	"fmt"
	"github.com/cascade-risk/cascade/market"
	"math"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
	"github.com/holiman/uint256"
)

var mechanismTypes = []string{"uniswap_v2", "uniswap_v3", "stableswap", "weighted", "psm"}

// protocolBuilders decode the non-CFMM mechanism types; each returns a
// constructor of fresh instances (one per worker, Reset every run). Domain
// files register theirs in init.
var protocolBuilders = map[string]func(b *builder, c scenario.Entry[scenario.Component]) (func() market.Protocol, bool){}

// agentBuilders decode agent types registered by domain files.
var agentBuilders = map[string]func(b *builder, c scenario.Entry[scenario.Component]) (func() market.Agent, bool){}

func (b *builder) isVenueType(t string) bool {
	for _, v := range mechanismTypes {
		if v == t {
			return true
		}
	}
	return false
}

// protocolSpec is a compiled non-CFMM mechanism.
type protocolSpec struct {
	name  string
	build func() market.Protocol
}

// protocol resolves a protocol referenced by name.
func (b *builder) protocol(name string, n *scenario.Node, path string) (int, bool) {
	for k, p := range b.cell.protocols {
		if p.name == name {
			return k, true
		}
	}
	if b.broken[name] {
		return 0, false
	}
	var names []string
	for _, p := range b.cell.protocols {
		names = append(names, p.name)
	}
	b.errs.At(n, path, "unknown mechanism %q%s", name, hintFor(name, names))
	return 0, false
}

// allTypes lists registered and built-in types for "expected one of".
func allTypes(builtin []string, registered map[string]func(*builder, scenario.Entry[scenario.Component]) (func() market.Protocol, bool)) []string {
	out := append([]string(nil), builtin...)
	for t := range registered {
		out = append(out, t)
	}
	return out
}

func (b *builder) tokens(c scenario.Entry[scenario.Component], names []string, want int) ([]int, bool) {
	if want > 0 && len(names) != want || len(names) < 2 {
		b.errs.At(c.Node.Get("tokens"), c.Path+".tokens", "expected %s tokens, got %d", map[bool]string{true: fmt.Sprint(want), false: "at least 2"}[want > 0], len(names))
		return nil, false
	}
	out := make([]int, len(names))
	seen := map[string]bool{}
	for k, n := range names {
		a, ok := b.asset(n, c.Node.Lookup(fmt.Sprintf("tokens.%d", k)), fmt.Sprintf("%s.tokens.%d", c.Path, k))
		if !ok {
			return nil, false
		}
		if seen[n] {
			b.errs.At(c.Node.Lookup(fmt.Sprintf("tokens.%d", k)), fmt.Sprintf("%s.tokens.%d", c.Path, k), "token %s is listed twice", n)
			return nil, false
		}
		seen[n] = true
		out[k] = a
	}
	return out, true
}

// amounts converts whole-token amounts to raw units, exactly.
func (b *builder) amounts(c scenario.Entry[scenario.Component], key string, vals []unit.Decimal, assets []int) ([]uint256.Int, bool) {
	if len(vals) != len(assets) {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected %d amounts, one per token, got %d", len(assets), len(vals))
		return nil, false
	}
	out := make([]uint256.Int, len(vals))
	for k, v := range vals {
		n := c.Node.Lookup(fmt.Sprintf("%s.%d", key, k))
		path := fmt.Sprintf("%s.%s.%d", c.Path, key, k)
		if v.Sign() <= 0 {
			b.errs.At(n, path, "expected a positive amount, got %s", v.String())
			return nil, false
		}
		raw, err := v.Raw(b.cell.decimals[assets[k]])
		if err != nil {
			b.errs.At(n, path, "%v", err)
			return nil, false
		}
		out[k] = raw
	}
	return out, true
}

func (b *builder) mechanism(c scenario.Entry[scenario.Component]) (venueSpec, bool) {
	spec := venueSpec{name: c.Name}
	var pool cfmm.Pool
	switch c.Value.Type {
	case "uniswap_v2":
		p := struct {
			Tokens      []string       `yaml:"tokens,required" doc:"the pair's two assets, token0 then token1"`
			Reserves    []unit.Decimal `yaml:"reserves,required" doc:"starting reserves, one per token, in whole tokens" unit:"tokens"`
			Fee         unit.Fraction  `yaml:"fee" doc:"swap fee on the input amount, in whole basis points" default:"0.3%"`
			ProtocolFee bool           `yaml:"protocol_fee" doc:"mint the protocol's 1/6 of fees to a fee address (feeOn)" default:"false"`
		}{}
		if !b.decode(c, &p) {
			return spec, false
		}
		assets, ok := b.tokens(c, p.Tokens, 2)
		if !ok {
			return spec, false
		}
		fee := float64(p.Fee)
		bps := fee * uniswapv2.FeeDenominator
		if bps < 0 || bps >= uniswapv2.FeeDenominator || math.Abs(bps-math.Round(bps)) > 1e-9 {
			b.errs.At(c.Node.Get("fee"), c.Path+".fee", "expected a fee from 0 to below 100%% in whole basis points, got %g", fee)
			return spec, false
		}
		raw, ok := b.amounts(c, "reserves", p.Reserves, assets)
		if !ok {
			return spec, false
		}
		pair, _ := uniswapv2.NewPair(uint64(math.Round(bps)), p.ProtocolFee)
		if _, err := pair.Mint(&raw[0], &raw[1]); err != nil {
			b.errs.At(c.Node.Get("reserves"), c.Path+".reserves", "the pair rejects these reserves: %v", err)
			return spec, false
		}
		spec.assets, pool = assets, pair
	case "uniswap_v3":
		var ok bool
		if pool, spec.assets, ok = b.uniswapV3(c); !ok {
			return spec, false
		}
	case "stableswap":
		var ok bool
		if pool, spec.assets, ok = b.stableSwap(c); !ok {
			return spec, false
		}
	case "weighted":
		var ok bool
		if pool, spec.assets, ok = b.weightedPool(c); !ok {
			return spec, false
		}
	case "psm":
		var ok bool
		if pool, spec.assets, ok = b.psmPool(c); !ok {
			return spec, false
		}
	default:
		b.unknownType(c, "mechanism", allTypes(mechanismTypes, protocolBuilders))
		return spec, false
	}
	spec.pool = pool
	b.venueIndex[c.Name] = len(b.cell.venues)
	return spec, true
}
