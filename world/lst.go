package world

import (
	"fmt"
	"math"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/lst"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

func init() {
	protocolBuilders["liquid_staking"] = (*builder).liquidStaking
}

// lstSlash is a slashing stated in a scenario: at a time, a fraction of
// the pool.
type lstSlash struct {
	At       unit.Duration `yaml:"at,required" doc:"when the slashing happens, a whole number of steps from the start"`
	Fraction unit.Fraction `yaml:"fraction,required" doc:"share of the pool lost"`
}

// liquidStaking compiles protocol.LiquidStaking: token (the asset, a
// share), underlying, supply (tokens at the start), rate (underlying per
// token at the start, 1), apr (staking rewards per year, 0), fee (the
// protocol's share of rewards, 10%), withdrawals (false: none, as stETH
// before 2023), churn (the most underlying the queue pays out per unit of
// time, such as 57_600/day; unlimited without it), slashing (a list of
// {at, fraction}).
func (b *builder) liquidStaking(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Token       string        `yaml:"token,required" doc:"the liquid-staking token, a share of the pool (18 decimals; its price follows from rate)"`
		Underlying  string        `yaml:"underlying,required" doc:"the staked asset (18 decimals)"`
		Supply      float64       `yaml:"supply,required" doc:"tokens outstanding at the start" unit:"tokens"`
		Rate        float64       `yaml:"rate" doc:"underlying per token at the start" unit:"underlying per token" default:"1"`
		APR         unit.Rate     `yaml:"apr" doc:"staking rewards per year on the pool" default:"0%/yr"`
		Fee         unit.Fraction `yaml:"fee" doc:"the protocol's share of rewards" default:"10%"`
		Withdrawals bool          `yaml:"withdrawals" doc:"holders can queue tokens for withdrawal (false: none, as stETH before 2023)" default:"false"`
		Churn       *unit.Rate    `yaml:"churn" doc:"the most underlying the withdrawal queue pays out per unit of time, such as 57_600/day; without it, unlimited"`
		Slashing    []lstSlash    `yaml:"slashing" doc:"slashings: a list of at and fraction"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	tok, ok := b.asset(p.Token, c.Node.Get("token"), c.Path+".token")
	if !ok {
		return nil, false
	}
	und, ok := b.asset(p.Underlying, c.Node.Get("underlying"), c.Path+".underlying")
	if !ok {
		return nil, false
	}
	if tok == und {
		b.errs.At(c.Node.Get("underlying"), c.Path+".underlying", "the token cannot stake itself")
		return nil, false
	}
	if !b.needDecimals(c, "token", tok, 18, "a liquid-staking token") || !b.needDecimals(c, "underlying", und, 18, "a liquid-staking token") {
		return nil, false
	}
	if tok == b.cell.numeraire {
		b.errs.At(c.Node.Get("token"), c.Path+".token", "%s is the numeraire; the token's price is its share rate times the underlying's", p.Token)
		return nil, false
	}
	for _, ps := range b.cell.procs {
		for _, o := range ps.outputs {
			if o == tok {
				b.errs.At(c.Node.Get("token"), c.Path+".token", "process %s drives %s's price; a liquid-staking token's price is its share rate times %s's", ps.name, p.Token, p.Underlying)
				return nil, false
			}
		}
	}
	rate, fee := p.Rate, float64(p.Fee)
	step := b.cell.sc.Step.Std()
	perStep := p.APR.Over(unit.Year) * float64(step) / float64(unit.Year)
	switch {
	case !(p.Supply > 0) || p.Supply > 1e12:
		b.errs.At(c.Node.Get("supply"), c.Path+".supply", "expected a supply of tokens above 0 and at most 1e12, got %g", p.Supply)
		return nil, false
	case !(rate > 0) || rate > 1e6:
		b.errs.At(c.Node.Get("rate"), c.Path+".rate", "expected a positive share rate, got %g", rate)
		return nil, false
	case perStep < 0 || p.APR.Over(unit.Year) > 10:
		b.errs.At(c.Node.Get("apr"), c.Path+".apr", "expected a staking yield from 0 to 1000%%/yr, got %g/yr", p.APR.Over(unit.Year))
		return nil, false
	case fee < 0 || fee > 1:
		b.errs.At(c.Node.Get("fee"), c.Path+".fee", "expected a fee from 0 to 100%%, got %g", fee)
		return nil, false
	case p.Churn != nil && !p.Withdrawals:
		b.errs.At(c.Node.Get("churn"), c.Path+".churn", "churn limits withdrawals; set withdrawals: true")
		return nil, false
	}
	cfg := lst.Config{FeeBP: uint64(math.Round(fee * lst.TotalBP)), Withdrawals: p.Withdrawals}
	if p.Churn != nil {
		churn := p.Churn.Over(step)
		if !(churn > 0) || churn > 1e12 {
			b.errs.At(c.Node.Get("churn"), c.Path+".churn", "expected a positive churn such as 57_600/day, got %g a step", churn)
			return nil, false
		}
		cfg.Churn = cfmm.Amount(churn * 1e18)
	}
	slashes := map[int]float64{}
	for k, s := range p.Slashing {
		key := fmt.Sprintf("slashing.%d", k)
		at := int(s.At.Std() / step)
		switch {
		case s.At <= 0 || s.At.Std()%step != 0 || at > b.cell.steps:
			b.errs.At(c.Node.Lookup(key+".at"), c.Path+"."+key+".at", "expected a time within the horizon and a whole number of %s steps, got %s", b.cell.sc.Step, s.At)
			return nil, false
		case !(s.Fraction > 0 && s.Fraction < 1):
			b.errs.At(c.Node.Lookup(key+".fraction"), c.Path+"."+key+".fraction", "expected a fraction of the pool above 0 and below 100%%, got %g", float64(s.Fraction))
			return nil, false
		}
		// Two slashings in one step compound.
		slashes[at] = 1 - (1-slashes[at])*(1-float64(s.Fraction))
	}
	shares := cfmm.Amount(p.Supply * 1e18)
	pooled := cfmm.Amount(p.Supply * rate * 1e18)
	t, err := lst.New(cfg, &pooled, &shares)
	if err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, false
	}
	if b.cell.price0[tok] == 0 {
		b.cell.price0[tok] = rate * b.cell.price0[und]
	}
	a, u := tok, und
	return func() market.Protocol {
		return &protocol.LiquidStaking{Initial: t, Asset: a, Underlying: u, RewardPerStep: perStep, Slashes: slashes}
	}, true
}
