package world

import (
	"math"
	"time"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/lending/aave"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
	"github.com/holiman/uint256"
)

// This file compiles the lending types: the oracles (chainlink_oracle,
// twap_oracle), the pools (aave, compound), and the agents that use them
// (borrowers, liquidator).

func init() {
	protocolBuilders["chainlink_oracle"] = (*builder).chainlinkOracle
	protocolBuilders["twap_oracle"] = (*builder).twapOracle
	protocolBuilders["aave"] = (*builder).aavePool
	protocolBuilders["compound"] = (*builder).compoundPool
	agentBuilders["borrowers"] = (*builder).borrowers
	agentBuilders["liquidator"] = (*builder).liquidator
}

// stepsOf converts an optional duration at key to a whole number of steps
// (0 when absent).
func (b *builder) stepsOf(c scenario.Entry[scenario.Component], key string, d *unit.Duration) (int, bool) {
	if d == nil {
		return 0, true
	}
	step := b.cell.sc.Step.Std()
	if d.Std()%step != 0 {
		b.errs.At(c.Node.Lookup(key), c.Path+"."+key, "%s %s is not a whole number of %s steps", key, *d, b.cell.sc.Step)
		return 0, false
	}
	return int(d.Std() / step), true
}

// startTime parses an RFC 3339 start (the start keys' default is
// 2020-01-01T00:00:00Z) into Unix seconds.
func (b *builder) startTime(c scenario.Entry[scenario.Component], s string) (uint64, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Unix() < 0 {
		b.errs.At(c.Node.Get("start"), c.Path+".start", "expected an RFC 3339 time such as 2020-03-12T00:00:00Z, got %q", s)
		return 0, false
	}
	return uint64(t.Unix()), true
}

// feed resolves an optional oracle name: −1 for none (the external price).
func (b *builder) feed(name string, n *scenario.Node, path string) (int, bool) {
	if name == "" {
		return -1, true
	}
	if _, isVenue := b.venueIndex[name]; isVenue {
		b.errs.At(n, path, "pool %q is not an oracle; read it through a twap_oracle or a chainlink_oracle with venue: %s", name, name)
		return 0, false
	}
	k, ok := b.protocol(name, n, path)
	if !ok {
		return 0, false
	}
	if _, isFeed := b.cell.protocols[k].build().(agent.Feed); !isFeed {
		b.errs.At(n, path, "mechanism %q is not an oracle (chainlink_oracle or twap_oracle)", name)
		return 0, false
	}
	return k, true
}

// protocolOf resolves a mechanism name that must be of a given Go type,
// described by kind in errors, and returns its index and a fresh instance.
func protocolOf[T market.Protocol](b *builder, name string, n *scenario.Node, path, kind string) (int, T, bool) {
	var zero T
	k, ok := b.protocol(name, n, path)
	if !ok {
		return 0, zero, false
	}
	p, isT := b.cell.protocols[k].build().(T)
	if !isT {
		b.errs.At(n, path, "mechanism %q is not %s", name, kind)
		return 0, zero, false
	}
	return k, p, true
}

// --- oracles -----------------------------------------------------------------

type oracleParams struct {
	Asset     string         `yaml:"asset,required" doc:"the asset whose price the oracle reports"`
	Venue     string         `yaml:"venue" doc:"the pool whose price it reads (twap_oracle: required); chainlink_oracle without it reads the external price"`
	Deviation unit.Fraction  `yaml:"deviation" doc:"chainlink_oracle: a new round when the price moves this far from the last answer; 0 means heartbeat only" default:"0"`
	Heartbeat *unit.Duration `yaml:"heartbeat" doc:"chainlink_oracle: a new round at least this often, a whole number of steps; without it, deviation only"`
	Window    *unit.Duration `yaml:"window" doc:"twap_oracle (required): the averaging window, a whole number of steps of at least one"`
	Lag       *unit.Duration `yaml:"lag" doc:"the delay before a round is seen, a whole number of steps; without it, seen the same step"`
	// ObserveAfter names the agent after whose turn the oracle observes,
	// instead of at the step's start.
	ObserveAfter string `yaml:"observe_after" doc:"an agent after whose turn the oracle observes, instead of at the start of the step"`
}

// deferOracle records that the protocol about to be added observes after
// the named agent's turn; the name is resolved once agents are compiled.
func (b *builder) deferOracle(c scenario.Entry[scenario.Component], p *oracleParams) bool {
	if p.ObserveAfter == "" {
		return false
	}
	b.cell.observers = append(b.cell.observers, observerSpec{protocol: len(b.cell.protocols), agent: p.ObserveAfter,
		node: c.Node.Get("observe_after"), path: c.Path + ".observe_after"})
	return true
}

// source resolves an oracle's asset and optional venue.
func (b *builder) source(c scenario.Entry[scenario.Component], p *oracleParams) (protocol.PriceSource, bool) {
	s := protocol.PriceSource{Venue: -1}
	a, ok := b.asset(p.Asset, c.Node.Get("asset"), c.Path+".asset")
	if !ok {
		return s, false
	}
	s.Asset = a
	if a == b.cell.numeraire {
		b.errs.At(c.Node.Get("asset"), c.Path+".asset", "%s is the numeraire; its price is 1 and needs no oracle", p.Asset)
		return s, false
	}
	if p.Venue == "" {
		return s, true
	}
	v, ok := b.venue(p.Venue, c.Node.Get("venue"), c.Path+".venue")
	if !ok {
		return s, false
	}
	s.Venue = v
	if !s.Bind(b.cell.venues[v].assets) {
		b.errs.At(c.Node.Get("venue"), c.Path+".venue", "pool %s does not trade %s against another token", p.Venue, p.Asset)
		return s, false
	}
	return s, true
}

func (b *builder) chainlinkOracle(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p oracleParams
	if !b.decode(c, &p) {
		return nil, false
	}
	src, ok := b.source(c, &p)
	if !ok {
		return nil, false
	}
	if p.Window != nil {
		b.errs.At(c.Node.Get("window"), c.Path+".window", "window applies to twap_oracle; a chainlink_oracle updates on deviation and heartbeat")
		return nil, false
	}
	hb, ok1 := b.stepsOf(c, "heartbeat", p.Heartbeat)
	lag, ok2 := b.stepsOf(c, "lag", p.Lag)
	if !ok1 || !ok2 {
		return nil, false
	}
	switch {
	case p.Deviation < 0 || p.Deviation >= 1:
		b.errs.At(c.Node.Get("deviation"), c.Path+".deviation", "expected a deviation threshold from 0 to below 100%%, got %g", float64(p.Deviation))
		return nil, false
	case p.Deviation == 0 && hb == 0:
		b.errs.At(c.Node, c.Path, "a chainlink_oracle needs deviation (such as 0.5%%), heartbeat (such as 1h), or both")
		return nil, false
	}
	deferred := b.deferOracle(c, &p)
	return func() market.Protocol {
		return &protocol.ChainlinkOracle{Source: src, Deviation: float64(p.Deviation), Heartbeat: hb, Lag: lag, Deferred: deferred}
	}, true
}

func (b *builder) twapOracle(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p oracleParams
	if !b.decode(c, &p) {
		return nil, false
	}
	if p.Venue == "" {
		b.errs.At(c.Node, c.Path, "missing required key \"venue\" (the pool whose price is averaged)")
		return nil, false
	}
	src, ok := b.source(c, &p)
	if !ok {
		return nil, false
	}
	if p.Deviation != 0 || p.Heartbeat != nil {
		b.errs.At(c.Node, c.Path, "deviation and heartbeat apply to chainlink_oracle; a twap_oracle takes window and lag")
		return nil, false
	}
	if p.Window == nil {
		b.errs.At(c.Node, c.Path, "missing required key \"window\" (such as 30min)")
		return nil, false
	}
	w, ok1 := b.stepsOf(c, "window", p.Window)
	lag, ok2 := b.stepsOf(c, "lag", p.Lag)
	if !ok1 || !ok2 {
		return nil, false
	}
	if w < 1 {
		b.errs.At(c.Node.Get("window"), c.Path+".window", "the window must be at least one step")
		return nil, false
	}
	deferred := b.deferOracle(c, &p)
	return func() market.Protocol {
		return &protocol.TWAPOracle{Source: src, Window: w, Lag: lag, Deferred: deferred}
	}, true
}

// --- pools -------------------------------------------------------------------

// ray converts an annual rate to a ray, rounded to 10^-12 so that written
// rates (3.8%/yr) become exact rays.
func ray(r float64) uint256.Int {
	var z uint256.Int
	z.SetUint64(uint64(math.Round(r * 1e12)))
	return *z.Mul(&z, uint256.NewInt(1e15))
}

// mantissa converts a fraction to a 1e18 mantissa, rounded to 10^-12.
func mantissa(f float64) uint256.Int {
	var z uint256.Int
	z.SetUint64(uint64(math.Round(f * 1e12)))
	return *z.Mul(&z, uint256.NewInt(1e6))
}

func bps(f unit.Fraction) uint64 { return uint64(math.Round(float64(f) * 1e4)) }

type aaveRates struct {
	Optimal unit.Fraction `yaml:"optimal,required" doc:"the optimal utilisation, the kink of the rate curve"`
	Base    unit.Rate     `yaml:"base" doc:"variable borrow rate at zero utilisation" default:"0%/yr"`
	Slope1  unit.Rate     `yaml:"slope1,required" doc:"rate added from zero to optimal utilisation"`
	Slope2  unit.Rate     `yaml:"slope2,required" doc:"rate added from optimal to full utilisation"`
}

type aaveReserve struct {
	LTV                  unit.Fraction `yaml:"ltv" doc:"loan-to-value: the share of the collateral's value that may be borrowed; 0 means it cannot be borrowed against" default:"0"`
	LiquidationThreshold unit.Fraction `yaml:"liquidation_threshold" doc:"share of the value counted in the health factor; 0 means the reserve is not collateral" default:"0"`
	LiquidationBonus     unit.Fraction `yaml:"liquidation_bonus" doc:"the liquidator's bonus on collateral seized, 5% pays 1.05 of the debt repaid (only with liquidation_threshold above 0)" default:"0"`
	ReserveFactor        unit.Fraction `yaml:"reserve_factor" doc:"share of borrowers' interest kept by the treasury" default:"0"`
	ProtocolFee          unit.Fraction `yaml:"protocol_fee" doc:"share of the liquidation bonus taken by the treasury" default:"0"`
	Borrowing            bool          `yaml:"borrowing" doc:"borrowing enabled; utilisation and rate metrics are reported only then" default:"false"`
	Deposits             *unit.Decimal `yaml:"deposits" doc:"lenders' starting supply in whole tokens; without it, none" unit:"tokens"`
	Oracle               string        `yaml:"oracle" doc:"a chainlink_oracle or twap_oracle the pool prices the asset by; without it, the external price"`
	Rates                aaveRates     `yaml:"rates,required" doc:"the variable-rate strategy: optimal, base, slope1, slope2 (annual rates)"`
}

// Check reports fractions outside 0–100%.
func (r *aaveReserve) Check(c *scenario.Check) {
	for key, f := range map[string]unit.Fraction{"ltv": r.LTV, "liquidation_threshold": r.LiquidationThreshold,
		"liquidation_bonus": r.LiquidationBonus, "reserve_factor": r.ReserveFactor, "protocol_fee": r.ProtocolFee,
		"rates.optimal": r.Rates.Optimal} {
		if f < 0 || f > 1 {
			c.Errorf(key, "expected a fraction from 0 to 100%%, got %g", float64(f))
		}
	}
}

// reserveCommon resolves what every pool reserve needs: its asset, oracle
// and initial deposits.
func (b *builder) reserveCommon(e scenario.Entry[scenario.Component], name string, n *scenario.Node, path, oracle string, deposits *unit.Decimal) (asset, feed int, dep uint256.Int, ok bool) {
	if asset, ok = b.asset(name, n, path); !ok {
		return
	}
	if feed, ok = b.feed(oracle, n.Get("oracle"), path+".oracle"); !ok {
		return
	}
	if b.cell.price0[asset] == 0 && feed < 0 && !b.driven(asset) {
		b.errs.At(n, path, "%s has no price for the pool: give it an oracle, a price or a process", name)
		return 0, 0, dep, false
	}
	if deposits != nil {
		if deposits.Sign() < 0 {
			b.errs.At(n.Get("deposits"), path+".deposits", "expected a non-negative amount, got %s", deposits)
			return 0, 0, dep, false
		}
		raw, err := deposits.Raw(b.cell.decimals[asset])
		if err != nil {
			b.errs.At(n.Get("deposits"), path+".deposits", "%v", err)
			return 0, 0, dep, false
		}
		dep = raw
	}
	return asset, feed, dep, true
}

// driven reports whether a process drives asset a's price.
func (b *builder) driven(a int) bool {
	if b.staked[a] {
		return true
	}
	for _, p := range b.cell.procs {
		for _, o := range p.outputs {
			if o == a {
				return true
			}
		}
	}
	return false
}

func (b *builder) aavePool(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Reserves            scenario.Map[aaveReserve] `yaml:"reserves,required" doc:"the reserves by asset name (at least two: a collateral and a borrowed asset)"`
		Start               string                    `yaml:"start" doc:"protocol clock at step 0, an RFC 3339 time (the clock then advances by elapsed seconds)" default:"2020-01-01T00:00:00Z"`
		InsolvencyThreshold float64                   `yaml:"insolvency_threshold" doc:"bad debt above which a run counts as insolvent (lend.insolvent); the default 0 counts any bad debt, even dust such as 154.84 USDC, so state a materiality threshold" unit:"numeraire" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	start, ok := b.startTime(c, p.Start)
	if !ok {
		return nil, false
	}
	pool := aave.NewPool()
	lp := protocol.LendingPool{Start: start, TickSeconds: 1, InsolvencyThreshold: p.InsolvencyThreshold}
	if len(p.Reserves) < 2 {
		b.errs.At(c.Node.Get("reserves"), c.Path+".reserves", "expected at least 2 reserves (a collateral and a borrowed asset), got %d", len(p.Reserves))
		return nil, false
	}
	for _, e := range p.Reserves {
		r := e.Value
		asset, feed, dep, ok := b.reserveCommon(c, e.Name, e.Node, e.Path, r.Oracle, r.Deposits)
		if !ok {
			return nil, false
		}
		if b.cell.decimals[asset] > 36 {
			b.errs.At(e.Key, e.Path, "Aave reserves have at most 36 decimals")
			return nil, false
		}
		bonus := uint64(0)
		if r.LiquidationThreshold > 0 {
			bonus = bps(1 + r.LiquidationBonus)
		}
		cfg := aave.ReserveConfig{
			Decimals: uint8(b.cell.decimals[asset]), LTV: bps(r.LTV), LiquidationThreshold: bps(r.LiquidationThreshold),
			LiquidationBonus: bonus, ReserveFactor: bps(r.ReserveFactor), LiquidationProtocolFee: bps(r.ProtocolFee),
			BorrowingEnabled: r.Borrowing,
			Strategy: aave.RateStrategy{OptimalUsageRatio: ray(float64(r.Rates.Optimal)), BaseVariableBorrowRate: ray(r.Rates.Base.Over(unit.Year)),
				VariableRateSlope1: ray(r.Rates.Slope1.Over(unit.Year)), VariableRateSlope2: ray(r.Rates.Slope2.Over(unit.Year))},
		}
		if _, err := pool.AddReserve(cfg); err != nil {
			b.errs.At(e.Node, e.Path, "the pool rejects this reserve: %v", err)
			return nil, false
		}
		minHealth := math.Inf(1)
		if r.LTV > 0 {
			minHealth = float64(r.LiquidationThreshold) / float64(r.LTV)
		}
		lp.MinHealth = append(lp.MinHealth, minHealth)
		lp.Names = append(lp.Names, e.Name)
		lp.Assets = append(lp.Assets, asset)
		lp.Feeds = append(lp.Feeds, feed)
		lp.Decimals = append(lp.Decimals, b.cell.decimals[asset])
		lp.Deposits = append(lp.Deposits, dep)
		lp.Borrowable = append(lp.Borrowable, r.Borrowing)
	}
	lp.Market = aave.Market{Pool: pool}
	return lendingBuild(lp), true
}

// lendingBuild returns a constructor of independent pools.
func lendingBuild(lp protocol.LendingPool) func() market.Protocol {
	return func() market.Protocol { p := lp; return &p }
}

type compoundRates struct {
	Base       unit.Rate     `yaml:"base" doc:"borrow rate at zero utilisation" default:"0%/yr"`
	Multiplier unit.Rate     `yaml:"multiplier,required" doc:"rate added per unit of utilisation up to the kink"`
	Jump       unit.Rate     `yaml:"jump,required" doc:"rate added per unit of utilisation above the kink"`
	Kink       unit.Fraction `yaml:"kink,required" doc:"utilisation at which the jump multiplier starts"`
}

type compoundMarket struct {
	CollateralFactor unit.Fraction `yaml:"collateral_factor" doc:"share of the collateral's value that may be borrowed and counts for liquidation (0 to 90%); 0 means not collateral" default:"0"`
	ReserveFactor    unit.Fraction `yaml:"reserve_factor" doc:"share of borrowers' interest kept as reserves" default:"0"`
	Borrowing        bool          `yaml:"borrowing" doc:"borrowing enabled (not paused); utilisation and rate metrics are reported only then" default:"false"`
	Deposits         *unit.Decimal `yaml:"deposits" doc:"lenders' starting supply in whole tokens; without it, none" unit:"tokens"`
	Oracle           string        `yaml:"oracle" doc:"a chainlink_oracle or twap_oracle the comptroller prices the asset by; without it, the external price"`
	Rates            compoundRates `yaml:"rates,required" doc:"the jump-rate model: base, multiplier, jump (annual rates) and kink"`
}

// Check reports fractions the contracts reject.
func (r *compoundMarket) Check(c *scenario.Check) {
	if r.CollateralFactor < 0 || r.CollateralFactor > 0.9 {
		c.Errorf("collateral_factor", "expected a collateral factor from 0 to 90%%, got %g", float64(r.CollateralFactor))
	}
	if r.ReserveFactor < 0 || r.ReserveFactor > 1 {
		c.Errorf("reserve_factor", "expected a reserve factor from 0 to 100%%, got %g", float64(r.ReserveFactor))
	}
	if r.Rates.Kink <= 0 || r.Rates.Kink > 1 {
		c.Errorf("rates.kink", "expected a kink above 0 and at most 100%%, got %g", float64(r.Rates.Kink))
	}
}

func (b *builder) compoundPool(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Markets             scenario.Map[compoundMarket] `yaml:"markets,required" doc:"the markets by asset name (at least two: a collateral and a borrowed asset)"`
		CloseFactor         unit.Fraction                `yaml:"close_factor,required" doc:"the most of a borrower's debt one liquidation may repay"`
		Incentive           unit.Fraction                `yaml:"liquidation_incentive,required" doc:"the liquidator's bonus, 8% pays 1.08 of the debt repaid in collateral"`
		Start               string                       `yaml:"start" doc:"protocol clock at step 0, an RFC 3339 time (then 15-second blocks)" default:"2020-01-01T00:00:00Z"`
		InsolvencyThreshold float64                      `yaml:"insolvency_threshold" doc:"bad debt above which a run counts as insolvent (lend.insolvent); the default 0 counts any bad debt, even dust such as 154.84 USDC, so state a materiality threshold" unit:"numeraire" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	start, ok := b.startTime(c, p.Start)
	if !ok {
		return nil, false
	}
	switch {
	case p.CloseFactor <= 0 || p.CloseFactor > 1:
		b.errs.At(c.Node.Get("close_factor"), c.Path+".close_factor", "expected a close factor above 0 and at most 100%%, got %g", float64(p.CloseFactor))
		return nil, false
	case p.Incentive < 0 || p.Incentive > 1:
		b.errs.At(c.Node.Get("liquidation_incentive"), c.Path+".liquidation_incentive", "expected an incentive from 0 to 100%% (8%% pays 1.08 per unit repaid), got %g", float64(p.Incentive))
		return nil, false
	case len(p.Markets) < 2:
		b.errs.At(c.Node.Get("markets"), c.Path+".markets", "expected at least 2 markets (a collateral and a borrowed asset), got %d", len(p.Markets))
		return nil, false
	}
	cf, inc := mantissa(float64(p.CloseFactor)), mantissa(1+float64(p.Incentive))
	comp := compound.NewComptroller(&cf, &inc)
	// Compound's clock is the block number: 15-second blocks from start.
	block := start / 15
	lp := protocol.LendingPool{Start: block, TickSeconds: 15, InsolvencyThreshold: p.InsolvencyThreshold}
	for _, e := range p.Markets {
		r := e.Value
		asset, feed, dep, ok := b.reserveCommon(c, e.Name, e.Node, e.Path, r.Oracle, r.Deposits)
		if !ok {
			return nil, false
		}
		dec := b.cell.decimals[asset]
		if dec > 28 {
			b.errs.At(e.Key, e.Path, "Compound markets here take at most 28 decimals")
			return nil, false
		}
		var ex uint256.Int // 0.02 underlying per cToken of 8 decimals: 2·10^(decimals+8)
		ex.Exp(uint256.NewInt(10), uint256.NewInt(uint64(dec+8)))
		ex.Mul(&ex, uint256.NewInt(2))
		rates := r.Rates
		b0, m0, j0, k0 := mantissa(rates.Base.Over(unit.Year)), mantissa(rates.Multiplier.Over(unit.Year)), mantissa(rates.Jump.Over(unit.Year)), mantissa(float64(rates.Kink))
		cfg := compound.MarketConfig{
			Model:               compound.NewJumpRateModel(&b0, &m0, &j0, &k0),
			ReserveFactor:       mantissa(float64(r.ReserveFactor)),
			CollateralFactor:    mantissa(float64(r.CollateralFactor)),
			InitialExchangeRate: ex,
			BorrowPaused:        !r.Borrowing,
		}
		if _, err := comp.AddMarket(cfg, block); err != nil {
			b.errs.At(e.Node, e.Path, "the comptroller rejects this market: %v", err)
			return nil, false
		}
		lp.MinHealth = append(lp.MinHealth, 1)
		lp.Names = append(lp.Names, e.Name)
		lp.Assets = append(lp.Assets, asset)
		lp.Feeds = append(lp.Feeds, feed)
		lp.Decimals = append(lp.Decimals, dec)
		lp.Deposits = append(lp.Deposits, dep)
		lp.Borrowable = append(lp.Borrowable, r.Borrowing)
	}
	lp.Market = compound.Market{Comptroller: comp}
	return lendingBuild(lp), true
}

// --- agents ------------------------------------------------------------------

// span is a range of values a population is spread over.
type span struct {
	From unit.Fraction `yaml:"from,required" doc:"low end of the range, drawn uniformly per member and run"`
	To   unit.Fraction `yaml:"to,required" doc:"high end of the range (at least from)"`
}

// Check requires from ≤ to.
func (s *span) Check(c *scenario.Check) {
	if s.To < s.From {
		c.Errorf("to", "expected to ≥ from (%g), got %g", float64(s.From), float64(s.To))
	}
}

// gasParams prices an agent's transactions: price is a signal name (a gas
// process) or a fixed number of gwei.
type gasParams struct {
	Price    string  `yaml:"price,required" doc:"gas price: a fixed number of gwei, or the name of a signal (a gas price process)" unit:"gwei"`
	Units    float64 `yaml:"units,required" doc:"gas used per transaction" unit:"gas"`
	Asset    string  `yaml:"asset" doc:"the token gas is paid in (such as ETH); the price is in gwei of it"`
	MaxPrice float64 `yaml:"max_price" doc:"the highest gas price the agent pays; above it its transactions are not mined; 0 means no limit" unit:"gwei" default:"0"`
}

// gas compiles an optional gas block at key.
func (b *builder) gas(c scenario.Entry[scenario.Component], key string, p *gasParams) (agent.Gas, bool) {
	g := agent.Gas{Signal: -1, Asset: -1}
	if p == nil {
		return g, true
	}
	n, path := c.Node.Get(key), c.Path+"."+key
	if f, err := unit.Number(p.Price); err == nil {
		if f < 0 {
			b.errs.At(n.Get("price"), path+".price", "expected a non-negative gas price in gwei, got %g", f)
			return g, false
		}
		g.Price = f
	} else {
		s, ok := b.signal(p.Price, n.Get("price"), path+".price")
		if !ok {
			return g, false
		}
		g.Signal = s
	}
	if p.Units < 0 {
		b.errs.At(n.Get("units"), path+".units", "expected a non-negative amount of gas, got %g", p.Units)
		return g, false
	}
	if p.MaxPrice < 0 {
		b.errs.At(n.Get("max_price"), path+".max_price", "expected a non-negative gas price in gwei, got %g", p.MaxPrice)
		return g, false
	}
	g.Units, g.MaxPrice = p.Units, p.MaxPrice
	if p.Asset == "" {
		// A price in gwei means nothing without the token it is a
		// billionth of; the numeraire would be silently wrong.
		b.errs.At(n, path, "missing required key \"asset\": the token gas is paid in (such as ETH); the gas price is in gwei of it")
		return g, false
	}
	if p.Asset != "" {
		a, ok := b.asset(p.Asset, n.Get("asset"), path+".asset")
		if !ok {
			return g, false
		}
		g.Asset = a
	}
	return g, true
}

// lendingReserve resolves an asset name to a reserve of pool, reported at
// key.
func (b *builder) lendingReserve(c scenario.Entry[scenario.Component], pool *protocol.LendingPool, poolName, key, name string) (int, bool) {
	a, ok := b.asset(name, c.Node.Get(key), c.Path+"."+key)
	if !ok {
		return 0, false
	}
	r := pool.Reserve(a)
	if r < 0 {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "%s has no %s reserve (it lists %v)", poolName, name, pool.Names)
		return 0, false
	}
	return r, true
}

// pairVenue resolves an optional venue that must trade assets a0 and a1.
func (b *builder) pairVenue(c scenario.Entry[scenario.Component], key, name string, a0, a1 int) (int, bool) {
	if name == "" {
		return -1, true
	}
	v, ok := b.venue(name, c.Node.Get(key), c.Path+"."+key)
	if !ok {
		return 0, false
	}
	has := func(a int) bool {
		for _, x := range b.cell.venues[v].assets {
			if x == a {
				return true
			}
		}
		return false
	}
	if !has(a0) || !has(a1) {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "pool %s does not trade %s against %s", name, b.cell.assets[a0], b.cell.assets[a1])
		return 0, false
	}
	return v, true
}

func (b *builder) borrowers(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Market     string        `yaml:"market,required" doc:"the lending pool (aave or compound) the positions are in"`
		Collateral string        `yaml:"collateral,required" doc:"the reserve each position deposits"`
		Debt       string        `yaml:"debt,required" doc:"the reserve each position borrows"`
		Count      int           `yaml:"count,required" doc:"positions at the start (0 with arrivals)" unit:"positions"`
		Deposit    float64       `yaml:"deposit,required" doc:"collateral each position deposits, in whole tokens" unit:"tokens of the collateral"`
		Health     span          `yaml:"health,required" doc:"target health factors, a range above 1 drawn uniformly per position and run (from, to)"`
		Loops      int           `yaml:"loops" doc:"borrow-and-redeposit rounds; 0 spends the single loan" unit:"rounds" default:"0"`
		LoopVenue  string        `yaml:"loop_venue" doc:"pool where a loop swaps the loan for collateral; without it, loops stake at the ratio of the external prices"`
		Band       unit.Fraction `yaml:"band" doc:"with band above 0, positions return to their target when health leaves target times 1 plus or minus band" default:"0"`
		Venue      string        `yaml:"venue" doc:"pool where deleveraging sells collateral; without it (and without route), positions never deleverage"`
		OpenedAt   float64       `yaml:"opened_at" doc:"if above 0, the collateral's price when the starting positions were opened, so a run can start mid-crisis; 0 opens them at step 0" unit:"numeraire per token" default:"0"`
		Route      bool          `yaml:"route" doc:"deleverage along the best route of up to three hops among all pools, instead of venue" default:"false"`
		Arrivals   *unit.Rate    `yaml:"arrivals" doc:"expected new positions a step (Poisson), each opened at that step's prices; without it, none"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	arrivals := 0.0
	if p.Arrivals != nil {
		if arrivals = p.Arrivals.Over(b.cell.sc.Step.Std()); !(arrivals > 0) || arrivals > 100 {
			b.errs.At(c.Node.Get("arrivals"), c.Path+".arrivals", "expected an arrival rate above 0 and at most 100 positions a step, such as 20/day; got %g a step", arrivals)
			return nil, false
		}
	}
	k, pool, ok := protocolOf[*protocol.LendingPool](b, p.Market, c.Node.Get("market"), c.Path+".market", "a lending pool (aave or compound)")
	if !ok {
		return nil, false
	}
	col, ok1 := b.lendingReserve(c, pool, p.Market, "collateral", p.Collateral)
	debt, ok2 := b.lendingReserve(c, pool, p.Market, "debt", p.Debt)
	if !ok1 || !ok2 {
		return nil, false
	}
	switch {
	case col == debt:
		b.errs.At(c.Node.Get("debt"), c.Path+".debt", "the debt must be another reserve than the collateral")
		return nil, false
	case p.Count < 0 || p.Count > 1_000_000 || p.Count == 0 && arrivals == 0:
		b.errs.At(c.Node.Get("count"), c.Path+".count", "expected from 1 to 1000000 positions (0 with arrivals), got %d", p.Count)
		return nil, false
	case p.OpenedAt < 0 || math.IsNaN(p.OpenedAt) || math.IsInf(p.OpenedAt, 0):
		b.errs.At(c.Node.Get("opened_at"), c.Path+".opened_at", "expected the collateral's price when the positions were opened, a positive number in the numeraire, got %g", p.OpenedAt)
		return nil, false
	case p.OpenedAt > 0 && p.Loops > 0:
		b.errs.At(c.Node.Get("opened_at"), c.Path+".opened_at", "opened_at cannot be combined with loops: a loop converts its loan at today's prices")
		return nil, false
	case !(p.Deposit > 0):
		b.errs.At(c.Node.Get("deposit"), c.Path+".deposit", "expected a positive deposit in whole tokens, got %g", p.Deposit)
		return nil, false
	case !(p.Health.From > 1):
		b.errs.At(c.Node.Lookup("health.from"), c.Path+".health.from", "expected a target health factor above 1, got %g", float64(p.Health.From))
		return nil, false
	case p.Loops < 0 || p.Loops > 20:
		b.errs.At(c.Node.Get("loops"), c.Path+".loops", "expected from 0 to 20 loops, got %d", p.Loops)
		return nil, false
	case p.Band < 0:
		b.errs.At(c.Node.Get("band"), c.Path+".band", "expected a non-negative band, got %g", float64(p.Band))
		return nil, false
	case p.LoopVenue != "" && p.Loops == 0:
		b.errs.At(c.Node.Get("loop_venue"), c.Path+".loop_venue", "loop_venue needs loops ≥ 1")
		return nil, false
	}
	// Borrowers stop at 99.9% of the borrowing limit (agent.Borrowers), so
	// the lowest target they reach is MinHealth/0.999; a lower one would
	// silently become that.
	if reach := pool.MinHealth[col] / 0.999; float64(p.Health.From) < reach {
		b.errs.At(c.Node.Lookup("health.from"), c.Path+".health.from",
			"target health %g is below %.4g, the lowest health a position of %s reaches by borrowing on %s (its liquidation threshold over its LTV, with the borrowers' 0.1%% margin)",
			float64(p.Health.From), reach, p.Collateral, p.Market)
		return nil, false
	}
	ca, da := pool.Assets[col], pool.Assets[debt]
	lv, ok1 := b.pairVenue(c, "loop_venue", p.LoopVenue, ca, da)
	v, ok2 := b.pairVenue(c, "venue", p.Venue, ca, da)
	if !ok1 || !ok2 {
		return nil, false
	}
	if p.Route && p.Venue != "" {
		b.errs.At(c.Node.Get("route"), c.Path+".route", "give venue (one pool) or route: true (the best route among all pools), not both")
		return nil, false
	}
	return func() market.Agent {
		return &agent.Borrowers{Pool: k, Collateral: col, Debt: debt, Count: p.Count, Deposit: p.Deposit,
			HealthLo: float64(p.Health.From), HealthHi: float64(p.Health.To), Loops: p.Loops, LoopVenue: lv, Band: float64(p.Band), Venue: v,
			OpenedAt: p.OpenedAt, Arrivals: arrivals, Route: p.Route}
	}, true
}

func (b *builder) liquidator(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Market     string         `yaml:"market,required" doc:"the lending pool (aave or compound) it watches"`
		Collateral string         `yaml:"collateral,required" doc:"the collateral reserve it seizes"`
		Debt       string         `yaml:"debt,required" doc:"the debt reserve it repays"`
		Venue      string         `yaml:"venue" doc:"pool where it sells seized collateral; without it (and without route), it keeps the collateral"`
		Capital    float64        `yaml:"capital,required" doc:"wallet of debt tokens it repays from, refilled only by its sales" unit:"tokens of the debt"`
		Gas        *gasParams     `yaml:"gas" doc:"gas per liquidation: price (gwei or a signal), units, asset, max_price; without it, free"`
		Latency    *unit.Duration `yaml:"latency" doc:"delay between seeing a liquidatable position and acting, a whole number of steps; without it, none"`
		MinProfit  float64        `yaml:"min_profit" doc:"the least profit over debt repaid plus gas for which it liquidates" unit:"numeraire" default:"0"`
		Route      bool           `yaml:"route" doc:"sell along the best route of up to three hops among all pools, instead of venue" default:"false"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	if p.Route && p.Venue != "" {
		b.errs.At(c.Node.Get("route"), c.Path+".route", "route sells across all pools; drop venue (or route)")
		return nil, false
	}
	k, pool, ok := protocolOf[*protocol.LendingPool](b, p.Market, c.Node.Get("market"), c.Path+".market", "a lending pool (aave or compound)")
	if !ok {
		return nil, false
	}
	col, ok1 := b.lendingReserve(c, pool, p.Market, "collateral", p.Collateral)
	debt, ok2 := b.lendingReserve(c, pool, p.Market, "debt", p.Debt)
	if !ok1 || !ok2 {
		return nil, false
	}
	if col == debt {
		b.errs.At(c.Node.Get("debt"), c.Path+".debt", "the debt must be another reserve than the collateral")
		return nil, false
	}
	v, ok := b.pairVenue(c, "venue", p.Venue, pool.Assets[col], pool.Assets[debt])
	if !ok {
		return nil, false
	}
	if !(p.Capital >= 0) {
		b.errs.At(c.Node.Get("capital"), c.Path+".capital", "expected a non-negative capital in whole %s, got %g", p.Debt, p.Capital)
		return nil, false
	}
	g, ok1 := b.gas(c, "gas", p.Gas)
	lat, ok2 := b.stepsOf(c, "latency", p.Latency)
	if !ok1 || !ok2 {
		return nil, false
	}
	return func() market.Agent {
		return &agent.Liquidator{Pool: k, Collateral: col, Debt: debt, Venue: v, Route: p.Route, Capital: p.Capital, Gas: g, Latency: lat, MinProfit: p.MinProfit}
	}, true
}
