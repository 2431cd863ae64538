package world

import (
	"fmt"
	"math"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/maker"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/terra"
	"github.com/cascade-risk/cascade/unit"
	"github.com/holiman/uint256"
)

// This file compiles the stablecoin types: a Maker-style system (maker)
// with its vault owners and keepers, and an algorithmic stablecoin
// (terra_market) with a yield source and runnable holders.

func init() {
	protocolBuilders["maker"] = (*builder).makerSystem
	protocolBuilders["terra_market"] = (*builder).terraMarket
	protocolBuilders["yield_source"] = (*builder).yieldSource
	agentBuilders["vault_owners"] = (*builder).vaultOwners
	agentBuilders["keeper"] = (*builder).keeper
	agentBuilders["stablecoin_holders"] = (*builder).stableHolders
}

// pegParams says where a stablecoin's market price is observed: its
// external price (by default) or its price on a pool.
type pegParams struct {
	Venue string        `yaml:"venue" doc:"the pool whose price is the stablecoin's market price; without it, the external price"`
	Band  unit.Fraction `yaml:"band" doc:"a price more than this away from 1 counts as off peg" default:"1%"`
}

// peg compiles an optional peg block for stablecoin asset a.
func (b *builder) peg(c scenario.Entry[scenario.Component], p *pegParams, a int) (protocol.PegTracker, bool) {
	return b.pegAt(c, p, a, "peg.")
}

// pegAt compiles peg parameters whose keys sit under prefix.
func (b *builder) pegAt(c scenario.Entry[scenario.Component], p *pegParams, a int, prefix string) (protocol.PegTracker, bool) {
	if p == nil {
		p = &pegParams{}
		if err := scenario.SetDefaults(p); err != nil {
			panic(err)
		}
	}
	t := protocol.PegTracker{Source: protocol.PriceSource{Asset: a, Venue: -1}, Band: float64(p.Band)}
	if p.Band < 0 || p.Band >= 1 {
		b.errs.At(c.Node.Lookup(prefix+"band"), c.Path+"."+prefix+"band", "expected a band from 0 to below 100%%, got %g", float64(p.Band))
		return t, false
	}
	if p.Venue != "" {
		v, ok := b.venue(p.Venue, c.Node.Lookup(prefix+"venue"), c.Path+"."+prefix+"venue")
		if !ok {
			return t, false
		}
		t.Source.Venue = v
		if !t.Source.Bind(b.cell.venues[v].assets) {
			b.errs.At(c.Node.Lookup(prefix+"venue"), c.Path+"."+prefix+"venue", "pool %s does not trade %s against another token", p.Venue, b.cell.assets[a])
			return t, false
		}
	}
	return t, true
}

// needDecimals requires asset a to have d decimals.
func (b *builder) needDecimals(c scenario.Entry[scenario.Component], key string, a, d int, why string) bool {
	if b.cell.decimals[a] != d {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "%s has %d decimals; %s needs %d", b.cell.assets[a], b.cell.decimals[a], why, d)
		return false
	}
	return true
}

// --- maker -------------------------------------------------------------------

type makerCurve struct {
	Type string         `yaml:"type,required" doc:"the auction's price curve: linear, stairstep or exponential"`
	Tau  *unit.Duration `yaml:"tau" doc:"linear: time for the price to fall to zero"`
	Step *unit.Duration `yaml:"step" doc:"stairstep: time between price drops"`
	Cut  unit.Fraction  `yaml:"cut" doc:"stairstep: price factor per drop (such as 99%); exponential: factor per second (such as 99.9%)" default:"0"`
}

type makerAuction struct {
	Buf   unit.Fraction `yaml:"buf,required" doc:"starting price over the oracle price, such as 120%"`
	Tail  unit.Duration `yaml:"tail,required" doc:"auction age after which it must be reset (redo)"`
	Cusp  unit.Fraction `yaml:"cusp" doc:"price drop, as a share of the starting price, after which it must be reset; 0 means never" default:"0"`
	Chip  unit.Fraction `yaml:"chip" doc:"keeper reward on bark and redo, as a share of the debt to cover" default:"0"`
	Tip   float64       `yaml:"tip" doc:"flat keeper reward on bark and redo" unit:"stablecoins" default:"0"`
	Curve makerCurve    `yaml:"curve,required" doc:"the price curve: type and its parameters (tau; step and cut; or cut)"`
}

type makerIlk struct {
	Collateral       string        `yaml:"collateral,required" doc:"the collateral asset (18 decimals)"`
	Oracle           string        `yaml:"oracle" doc:"a chainlink_oracle or twap_oracle the system prices the collateral by; without it, the external price"`
	LiquidationRatio unit.Fraction `yaml:"liquidation_ratio,required" doc:"collateral value over debt below which a vault is unsafe, such as 150%"`
	StabilityFee     unit.Rate     `yaml:"stability_fee" doc:"annual fee on the debt, compounded per second" default:"0%/yr"`
	Penalty          unit.Fraction `yaml:"penalty" doc:"liquidation penalty added to the debt to cover, such as 13%" default:"0"`
	Line             float64       `yaml:"line" doc:"debt ceiling of this collateral type; 0 means no limit" unit:"stablecoins" default:"0"`
	Dust             float64       `yaml:"dust" doc:"least debt of a vault; a partial liquidation does not leave less" unit:"stablecoins" default:"0"`
	Hole             float64       `yaml:"hole" doc:"most debt in this type's auctions at once; 0 means no limit" unit:"stablecoins" default:"0"`
	Auction          makerAuction  `yaml:"auction,required" doc:"the Clipper's parameters: buf, tail, cusp, chip, tip, curve"`
}

// Check reports values the contracts would reject or that make no sense.
func (k *makerIlk) Check(c *scenario.Check) {
	if k.LiquidationRatio < 1 {
		c.Errorf("liquidation_ratio", "expected a liquidation ratio of at least 100%%, got %g", float64(k.LiquidationRatio))
	}
	if k.Penalty < 0 || k.Penalty > 1 {
		c.Errorf("penalty", "expected a liquidation penalty from 0 to 100%%, got %g", float64(k.Penalty))
	}
	for key, v := range map[string]float64{"line": k.Line, "dust": k.Dust, "hole": k.Hole, "auction.tip": k.Auction.Tip} {
		if !(v >= 0) || v > 1e12 {
			c.Errorf(key, "expected an amount from 0 to 1e12 stablecoins, got %g", v)
		}
	}
	if k.StabilityFee.Value < 0 || k.StabilityFee.Over(unit.Year) > 10 {
		c.Errorf("stability_fee", "expected a stability fee from 0 to 1000%%/yr, got %g/yr", k.StabilityFee.Over(unit.Year))
	}
	a := k.Auction
	if a.Buf < 1 || a.Buf > 100 {
		c.Errorf("auction.buf", "expected a starting-price multiplier from 100%% to 10000%%, got %g", float64(a.Buf))
	}
	if a.Cusp < 0 || a.Cusp >= 1 {
		c.Errorf("auction.cusp", "expected a reset threshold from 0 to below 100%%, got %g", float64(a.Cusp))
	}
	if a.Chip < 0 || a.Chip > 1 {
		c.Errorf("auction.chip", "expected a keeper incentive from 0 to 100%% of the tab, got %g", float64(a.Chip))
	}
}

// radOf converts a stablecoin amount to a rad.
func radOf(f float64) uint256.Int {
	w := cfmm.Amount(f * 1e18)
	r := maker.RAY()
	return *w.Mul(&w, &r)
}

func (b *builder) curve(c scenario.Entry[scenario.Component], path string, n *scenario.Node, cv *makerCurve) (maker.Calc, bool) {
	bad := func(key, format string, args ...any) (maker.Calc, bool) {
		b.errs.At(n.Lookup(key), path+"."+key, format, args...)
		return nil, false
	}
	switch cv.Type {
	case "linear":
		if cv.Tau == nil || cv.Step != nil || cv.Cut != 0 {
			return bad("", "a linear curve takes tau (the time to reach zero) only")
		}
		return maker.LinearDecrease{Tau: uint64(cv.Tau.Seconds())}, true
	case "stairstep":
		if cv.Step == nil || cv.Tau != nil {
			return bad("", "a stairstep curve takes step (seconds between drops) and cut (the factor per drop, such as 99%%)")
		}
		if cv.Cut <= 0 || cv.Cut > 1 {
			return bad("cut", "expected a cut above 0 and at most 100%%, got %g", float64(cv.Cut))
		}
		return maker.StairstepExponentialDecrease{Step: uint64(cv.Step.Seconds()), Cut: ray(float64(cv.Cut))}, true
	case "exponential":
		if cv.Step != nil || cv.Tau != nil {
			return bad("", "an exponential curve takes cut (the factor per second, such as 99.9%%) only")
		}
		if cv.Cut <= 0 || cv.Cut > 1 {
			return bad("cut", "expected a cut above 0 and at most 100%%, got %g", float64(cv.Cut))
		}
		return maker.ExponentialDecrease{Cut: ray(float64(cv.Cut))}, true
	}
	hint := ""
	if s := scenario.Suggest(cv.Type, []string{"linear", "stairstep", "exponential"}); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	return bad("type", "unknown curve %q%s (expected one of: exponential, linear, stairstep)", cv.Type, hint)
}

func (b *builder) makerSystem(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Stablecoin          string                 `yaml:"stablecoin,required" doc:"the system's stablecoin (18 decimals)"`
		Start               string                 `yaml:"start" doc:"protocol clock at step 0, an RFC 3339 time (then elapsed seconds)" default:"2020-01-01T00:00:00Z"`
		Line                float64                `yaml:"line" doc:"global debt ceiling; 0 means no limit" unit:"stablecoins" default:"0"`
		Hole                float64                `yaml:"hole" doc:"most debt in all auctions at once; 0 means no limit" unit:"stablecoins" default:"0"`
		Ilks                scenario.Map[makerIlk] `yaml:"ilks,required" doc:"the collateral types by name"`
		Peg                 *pegParams             `yaml:"peg" doc:"where the stablecoin's market price is read (venue, band); without it, the external price and a 1% band"`
		InsolvencyThreshold float64                `yaml:"insolvency_threshold" doc:"bad debt above which a run counts as insolvent; the default 0 counts any bad debt, even dust" unit:"stablecoins" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	stable, ok := b.asset(p.Stablecoin, c.Node.Get("stablecoin"), c.Path+".stablecoin")
	if !ok || !b.needDecimals(c, "stablecoin", stable, 18, "the Vat") {
		return nil, false
	}
	start, ok := b.startTime(c, p.Start)
	if !ok {
		return nil, false
	}
	peg, ok := b.peg(c, p.Peg, stable)
	if !ok {
		return nil, false
	}
	limit := func(key string, v float64) (uint256.Int, bool) {
		switch {
		case v == 0:
			return radOf(1e12), true
		case v < 0 || v > 1e12:
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected an amount from 0 (no limit) to 1e12 stablecoins, got %g", v)
			return uint256.Int{}, false
		}
		return radOf(v), true
	}
	line, ok1 := limit("line", p.Line)
	hole, ok2 := limit("hole", p.Hole)
	if !ok1 || !ok2 {
		return nil, false
	}
	sys, err := maker.New(maker.Config{Vow: protocol.Vow, Line: line, Hole: hole, Par: maker.RAY()})
	if err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, false
	}
	if len(p.Ilks) == 0 {
		b.errs.At(c.Node.Get("ilks"), c.Path+".ilks", "expected at least one collateral type")
		return nil, false
	}
	ms := protocol.MakerSystem{Stable: stable, Start: start, Peg: peg, BadDebtThreshold: p.InsolvencyThreshold}
	for _, e := range p.Ilks {
		k := e.Value
		a, ok := b.asset(k.Collateral, e.Node.Get("collateral"), e.Path+".collateral")
		if !ok {
			return nil, false
		}
		if b.cell.decimals[a] != 18 {
			b.errs.At(e.Node.Get("collateral"), e.Path+".collateral", "%s has %d decimals; Vat collateral needs 18", k.Collateral, b.cell.decimals[a])
			return nil, false
		}
		feed, ok := b.feed(k.Oracle, e.Node.Get("oracle"), e.Path+".oracle")
		if !ok {
			return nil, false
		}
		calc, ok := b.curve(c, e.Path+".auction.curve", e.Node.Lookup("auction.curve"), &k.Auction.Curve)
		if !ok {
			return nil, false
		}
		fee := k.StabilityFee.Over(unit.Year)
		duty := maker.RAY()
		perSecond := math.Expm1(math.Log1p(fee) / unit.Year.Seconds())
		extra := cfmm.Amount(math.Round(perSecond * 1e27))
		duty.Add(&duty, &extra)
		lineK, ok1 := limit("", k.Line)
		holeK, ok2 := limit("", k.Hole)
		if !ok1 || !ok2 {
			return nil, false
		}
		cfg := maker.IlkConfig{
			Line: lineK, Dust: radOf(k.Dust), Duty: duty, Mat: ray(float64(k.LiquidationRatio)),
			Chop: mantissa(1 + float64(k.Penalty)), Hole: holeK, Buf: ray(float64(k.Auction.Buf)),
			Tail: uint64(k.Auction.Tail.Seconds()), Cusp: ray(float64(k.Auction.Cusp)),
			Chip: mantissa(float64(k.Auction.Chip)), Tip: radOf(k.Auction.Tip), Calc: calc,
		}
		if err := sys.AddIlk(e.Name, cfg, start); err != nil {
			b.errs.At(e.Node, e.Path, "the system rejects this collateral type: %v", err)
			return nil, false
		}
		ms.Ilks = append(ms.Ilks, protocol.MakerIlk{Name: e.Name, Asset: a, Feed: feed})
	}
	ms.System = sys
	return func() market.Protocol { s := ms; return &s }, true
}

// makerIlkOf resolves a maker mechanism and one of its collateral types.
func (b *builder) makerIlkOf(c scenario.Entry[scenario.Component], system, ilk string) (int, int, *protocol.MakerSystem, bool) {
	k, ms, ok := protocolOf[*protocol.MakerSystem](b, system, c.Node.Get("maker"), c.Path+".maker", "a maker system")
	if !ok {
		return 0, 0, nil, false
	}
	var names []string
	for i, x := range ms.Ilks {
		if x.Name == ilk {
			return k, i, ms, true
		}
		names = append(names, x.Name)
	}
	b.errs.At(c.Node.Get("ilk"), c.Path+".ilk", "%s has no collateral type %q%s", system, ilk, hintFor(ilk, names))
	return 0, 0, nil, false
}

func (b *builder) vaultOwners(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Maker      string  `yaml:"maker,required" doc:"the maker mechanism of the vaults"`
		Ilk        string  `yaml:"ilk,required" doc:"the collateral type of the vaults"`
		Count      int     `yaml:"count,required" doc:"vaults" unit:"vaults"`
		Collateral float64 `yaml:"collateral,required" doc:"collateral per vault, in whole tokens" unit:"tokens"`
		Ratio      span    `yaml:"ratio,required" doc:"target collateral ratios, a range above 100% drawn uniformly per vault and run (from, to)"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, ilk, _, ok := b.makerIlkOf(c, p.Maker, p.Ilk)
	if !ok {
		return nil, false
	}
	switch {
	case p.Count < 1 || p.Count > 1_000_000:
		b.errs.At(c.Node.Get("count"), c.Path+".count", "expected from 1 to 1000000 vaults, got %d", p.Count)
		return nil, false
	case !(p.Collateral > 0):
		b.errs.At(c.Node.Get("collateral"), c.Path+".collateral", "expected a positive collateral per vault in whole tokens, got %g", p.Collateral)
		return nil, false
	case !(p.Ratio.From > 1):
		b.errs.At(c.Node.Lookup("ratio.from"), c.Path+".ratio.from", "expected a collateralization ratio above 100%%, got %g", float64(p.Ratio.From))
		return nil, false
	}
	return func() market.Agent {
		return &agent.VaultOwners{System: k, Ilk: ilk, Count: p.Count, Collateral: p.Collateral,
			RatioLo: float64(p.Ratio.From), RatioHi: float64(p.Ratio.To)}
	}, true
}

func (b *builder) keeper(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Maker   string         `yaml:"maker,required" doc:"the maker mechanism it keeps"`
		Ilk     string         `yaml:"ilk,required" doc:"the collateral type whose auctions it barks and takes"`
		Venue   string         `yaml:"venue" doc:"pool where it sells collateral bought; without it, it keeps the collateral"`
		Capital float64        `yaml:"capital,required" doc:"stablecoins it buys with, refilled by its sales" unit:"stablecoins"`
		Gas     *gasParams     `yaml:"gas" doc:"gas per transaction: price (gwei or a signal), units, asset, max_price; without it, free"`
		Latency *unit.Duration `yaml:"latency" doc:"delay between seeing an unsafe vault and barking it, a whole number of steps; without it, none"`
		Margin  unit.Fraction  `yaml:"margin" doc:"it takes only where the venue pays this much more than the auction price (plus gas)" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, ilk, ms, ok := b.makerIlkOf(c, p.Maker, p.Ilk)
	if !ok {
		return nil, false
	}
	v, ok := b.pairVenue(c, "venue", p.Venue, ms.Ilks[ilk].Asset, ms.Stable)
	if !ok {
		return nil, false
	}
	if !(p.Capital >= 0) {
		b.errs.At(c.Node.Get("capital"), c.Path+".capital", "expected a non-negative capital in stablecoins, got %g", p.Capital)
		return nil, false
	}
	if p.Margin < 0 {
		b.errs.At(c.Node.Get("margin"), c.Path+".margin", "expected a non-negative margin, got %g", float64(p.Margin))
		return nil, false
	}
	g, ok1 := b.gas(c, "gas", p.Gas)
	lat, ok2 := b.stepsOf(c, "latency", p.Latency)
	if !ok1 || !ok2 {
		return nil, false
	}
	return func() market.Agent {
		return &agent.Keeper{System: k, Ilk: ilk, Venue: v, Capital: p.Capital, Gas: g, Latency: lat, Margin: float64(p.Margin)}
	}, true
}

// --- terra -------------------------------------------------------------------

func (b *builder) terraMarket(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Luna         string        `yaml:"luna,required" doc:"the staking token minted and burnt against the stablecoin (6 decimals)"`
		Stablecoin   string        `yaml:"stablecoin,required" doc:"the algorithmic stablecoin (6 decimals)"`
		Denom        string        `yaml:"denom" doc:"the stablecoin's denomination in the module" default:"uusd"`
		Oracle       string        `yaml:"oracle" doc:"a chainlink_oracle or twap_oracle giving LUNA's price; without it, the external price"`
		BasePool     float64       `yaml:"base_pool,required" doc:"the virtual pools' depth, BasePool" unit:"SDR"`
		Recovery     int           `yaml:"recovery,required" doc:"blocks for the virtual pools to recover to base (PoolRecoveryPeriod)" unit:"blocks"`
		MinSpread    unit.Fraction `yaml:"min_spread,required" doc:"the minimum spread on swaps (MinStabilitySpread)"`
		BlockTime    unit.Duration `yaml:"block_time" doc:"time between blocks; a step holds step / block_time blocks" default:"6s"`
		SDR          float64       `yaml:"sdr" doc:"price of one SDR in the numeraire" unit:"numeraire per SDR" default:"1"`
		LunaSupply   unit.Decimal  `yaml:"luna_supply,required" doc:"LUNA supply at the start, whole tokens" unit:"tokens"`
		StableSupply unit.Decimal  `yaml:"stablecoin_supply,required" doc:"stablecoin supply at the start, whole tokens" unit:"tokens"`
		Peg          *pegParams    `yaml:"peg" doc:"where the stablecoin's market price is read (venue, band); without it, the external price and a 1% band"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	luna, ok1 := b.asset(p.Luna, c.Node.Get("luna"), c.Path+".luna")
	stable, ok2 := b.asset(p.Stablecoin, c.Node.Get("stablecoin"), c.Path+".stablecoin")
	if !ok1 || !ok2 {
		return nil, false
	}
	if !b.needDecimals(c, "luna", luna, 6, "the market module (micro units)") ||
		!b.needDecimals(c, "stablecoin", stable, 6, "the market module (micro units)") {
		return nil, false
	}
	feed, ok := b.feed(p.Oracle, c.Node.Get("oracle"), c.Path+".oracle")
	if !ok {
		return nil, false
	}
	denom, sdr, block := p.Denom, p.SDR, p.BlockTime.Seconds()
	blocks := int(math.Round(b.cell.sc.Step.Seconds() / block))
	switch {
	case denom == terra.MicroLunaDenom || denom == terra.MicroSDRDenom || denom == "":
		b.errs.At(c.Node.Get("denom"), c.Path+".denom", "expected a Terra stablecoin denomination such as uusd, got %q", denom)
		return nil, false
	case !(p.BasePool > 0) || p.BasePool > 1e15:
		b.errs.At(c.Node.Get("base_pool"), c.Path+".base_pool", "expected a base pool from above 0 to 1e15 SDR, got %g", p.BasePool)
		return nil, false
	case p.Recovery < 1:
		b.errs.At(c.Node.Get("recovery"), c.Path+".recovery", "expected a pool recovery period of at least 1 block, got %d", p.Recovery)
		return nil, false
	case p.MinSpread < 0 || p.MinSpread >= 1:
		b.errs.At(c.Node.Get("min_spread"), c.Path+".min_spread", "expected a minimum spread from 0 to below 100%%, got %g", float64(p.MinSpread))
		return nil, false
	case !(sdr > 0):
		b.errs.At(c.Node.Get("sdr"), c.Path+".sdr", "expected a positive price of one SDR in the numeraire, got %g", sdr)
		return nil, false
	case blocks < 1 || blocks > 1_000_000:
		b.errs.At(c.Node.Get("block_time"), c.Path+".block_time", "the step of %s holds %d blocks of %gs; expected from 1 to 1000000", b.cell.sc.Step, blocks, block)
		return nil, false
	}
	supply := func(key string, d unit.Decimal) (uint256.Int, bool) {
		raw, err := d.Raw(6)
		if err != nil || d.Sign() < 0 {
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected a non-negative amount with at most 6 decimals, got %s", d)
			return raw, false
		}
		return raw, true
	}
	ls, ok1 := supply("luna_supply", p.LunaSupply)
	ss, ok2 := supply("stablecoin_supply", p.StableSupply)
	if !ok1 || !ok2 {
		return nil, false
	}
	peg, ok := b.peg(c, p.Peg, stable)
	if !ok {
		return nil, false
	}
	base := cfmm.Amount(math.Round(p.BasePool * 1e6))
	bp, err := terra.DecFromInt(&base)
	if err != nil {
		b.errs.At(c.Node.Get("base_pool"), c.Path+".base_pool", "%v", err)
		return nil, false
	}
	ms, err := terra.ParseDec(fmt.Sprintf("%.12f", float64(p.MinSpread)))
	if err == nil {
		var mk *terra.Market
		if mk, err = terra.NewMarket(terra.Params{BasePool: bp, PoolRecoveryPeriod: int64(p.Recovery), MinStabilitySpread: ms}); err == nil {
			mk.SetSupply(terra.MicroLunaDenom, ls)
			mk.SetSupply(denom, ss)
			tm := protocol.TerraMarket{Market: mk, Luna: luna, Stable: stable, Denom: denom, LunaFeed: feed, SDR: sdr, BlocksPerStep: blocks, Peg: peg}
			return func() market.Protocol { t := tm; return &t }, true
		}
	}
	b.errs.At(c.Node, c.Path, "the market module rejects these parameters: %v", err)
	return nil, false
}

func (b *builder) yieldSource(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Rate unit.Rate      `yaml:"rate,required" doc:"the deposit rate at the start"`
		To   *unit.Rate     `yaml:"to" doc:"the rate it falls to linearly; without it, the rate stays"`
		From *unit.Duration `yaml:"from" doc:"when the fall starts, a whole number of steps; without it, at the start"`
		Over *unit.Duration `yaml:"over" doc:"how long the fall takes (required with to), a whole number of steps"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	y := protocol.YieldSource{Initial: p.Rate.Over(unit.Year), Final: p.Rate.Over(unit.Year)}
	if p.To != nil {
		y.Final = p.To.Over(unit.Year)
		if p.Over == nil {
			b.errs.At(c.Node, c.Path, "missing required key \"over\" (how long the rate takes to fall to its to: value)")
			return nil, false
		}
	} else if p.Over != nil || p.From != nil {
		b.errs.At(c.Node, c.Path, "from and over need to: (the rate it falls to)")
		return nil, false
	}
	from, ok1 := b.stepsOf(c, "from", p.From)
	over, ok2 := b.stepsOf(c, "over", p.Over)
	if !ok1 || !ok2 {
		return nil, false
	}
	if y.Initial < 0 || y.Final < 0 {
		b.errs.At(c.Node, c.Path, "expected non-negative rates")
		return nil, false
	}
	y.From, y.Over = from, over
	return func() market.Protocol { yy := y; return &yy }, true
}

// rateSpan is a range of annual rates a population is spread over.
type rateSpan struct {
	From unit.Rate `yaml:"from,required" doc:"low end of the range, drawn uniformly per member and run"`
	To   unit.Rate `yaml:"to,required" doc:"high end of the range (at least from)"`
}

func (b *builder) stableHolders(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Market   string    `yaml:"market,required" doc:"the terra_market whose stablecoin they hold"`
		Yield    string    `yaml:"yield" doc:"a yield_source or deposit protocol whose rate they compare with required_yield"`
		Venue    string    `yaml:"venue" doc:"LUNA pool where runners sell the LUNA they redeem; without it, they keep it"`
		Count    int       `yaml:"count,required" doc:"holders" unit:"holders"`
		Holdings float64   `yaml:"holdings,required" doc:"coins held among them in equal shares, whole tokens" unit:"tokens"`
		Depeg    span      `yaml:"depeg,required" doc:"each holder's depeg threshold below 1 at which it runs, a range (from, to)"`
		Required *rateSpan `yaml:"required_yield" doc:"each holder's required annual yield, a range (from, to); below it, it runs; needs yield or deposit"`
		Rounds   int       `yaml:"rounds" doc:"rounds each step's redemptions are cut into, the module's pools replenishing in between" unit:"rounds" default:"1"`
		Deposit  string    `yaml:"deposit" doc:"a deposit protocol the holders' coins start in, earning its rate"`
		Sell     string    `yaml:"sell_venue" doc:"stablecoin pool where runners sell when that beats redeeming"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, tm, ok := protocolOf[*protocol.TerraMarket](b, p.Market, c.Node.Get("market"), c.Path+".market", "a terra_market")
	if !ok {
		return nil, false
	}
	y := -1
	if p.Yield != "" {
		if y, _, ok = protocolOf[agent.RateSource](b, p.Yield, c.Node.Get("yield"), c.Path+".yield", "a yield_source or deposit protocol"); !ok {
			return nil, false
		}
	}
	dep := -1
	if p.Deposit != "" {
		var d *protocol.Deposit
		if dep, d, ok = protocolOf[*protocol.Deposit](b, p.Deposit, c.Node.Get("deposit"), c.Path+".deposit", "a deposit protocol"); !ok {
			return nil, false
		}
		if d.Stable != tm.Stable {
			b.errs.At(c.Node.Get("deposit"), c.Path+".deposit", "deposit protocol %s takes %s, not the market's %s", p.Deposit, b.cell.assets[d.Stable], b.cell.assets[tm.Stable])
			return nil, false
		}
	}
	sv := -1
	if p.Sell != "" {
		if sv, ok = b.venue(p.Sell, c.Node.Get("sell_venue"), c.Path+".sell_venue"); !ok {
			return nil, false
		}
		if as := b.cell.venues[sv].assets; len(as) != 2 || as[0] != tm.Stable && as[1] != tm.Stable {
			b.errs.At(c.Node.Get("sell_venue"), c.Path+".sell_venue", "pool %s must trade %s against one other token", p.Sell, b.cell.assets[tm.Stable])
			return nil, false
		}
	}
	v := -1
	if p.Venue != "" {
		if v, ok = b.venue(p.Venue, c.Node.Get("venue"), c.Path+".venue"); !ok {
			return nil, false
		}
		if as := b.cell.venues[v].assets; len(as) != 2 || as[0] != tm.Luna && as[1] != tm.Luna {
			b.errs.At(c.Node.Get("venue"), c.Path+".venue", "pool %s must trade %s against one other token", p.Venue, b.cell.assets[tm.Luna])
			return nil, false
		}
	}
	supply := tm.Market.Supply(tm.Denom)
	switch {
	case p.Count < 1 || p.Count > 1_000_000:
		b.errs.At(c.Node.Get("count"), c.Path+".count", "expected from 1 to 1000000 holders, got %d", p.Count)
		return nil, false
	case !(p.Holdings > 0) || p.Holdings > supply.Float64()/1e6:
		b.errs.At(c.Node.Get("holdings"), c.Path+".holdings", "expected holdings above 0 and at most the stablecoin supply (%g), got %g", supply.Float64()/1e6, p.Holdings)
		return nil, false
	case p.Depeg.From < 0 || p.Depeg.To >= 1:
		b.errs.At(c.Node.Get("depeg"), c.Path+".depeg", "expected depeg thresholds from 0 to below 100%%")
		return nil, false
	case p.Rounds < 0 || p.Rounds > 10_000:
		b.errs.At(c.Node.Get("rounds"), c.Path+".rounds", "expected from 1 to 10000 rounds, got %d", p.Rounds)
		return nil, false
	case p.Required != nil && p.Yield == "" && p.Deposit == "":
		b.errs.At(c.Node.Get("required_yield"), c.Path+".required_yield", "required_yield needs yield: (a yield_source) or deposit: (a deposit protocol)")
		return nil, false
	}
	h := agent.StableHolders{Market: k, Yield: y, Venue: v, SellVenue: sv, Deposit: dep, Count: p.Count, Holdings: p.Holdings,
		DepegLo: float64(p.Depeg.From), DepegHi: float64(p.Depeg.To), Rounds: p.Rounds}
	if p.Required != nil {
		h.YieldLo, h.YieldHi = p.Required.From.Over(unit.Year), p.Required.To.Over(unit.Year)
		if h.YieldHi < h.YieldLo {
			b.errs.At(c.Node.Lookup("required_yield.to"), c.Path+".required_yield.to", "expected to ≥ from")
			return nil, false
		}
	}
	return func() market.Agent { hh := h; return &hh }, true
}
