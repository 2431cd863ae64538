package world

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/history"
	"github.com/cascade-risk/cascade/process"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
	"github.com/holiman/uint256"
)

// builder decodes the components of one cell and reports problems against
// their nodes.
type builder struct {
	cell       *cell
	errs       *scenario.Errs
	dir        string // the scenario file's directory, for relative data paths
	root       *scenario.Node
	assetIndex map[string]int
	venueIndex map[string]int
	// broken names components that failed to build; references to them
	// are not reported again.
	broken map[string]bool
}

func (b *builder) metricsNode(k int) *scenario.Node {
	return b.root.Lookup(fmt.Sprintf("metrics.%d", k))
}

// decode fills params from a component's node (ignoring its type key) and
// reports whether it decoded cleanly.
func (b *builder) decode(c scenario.Entry[scenario.Component], params any) bool {
	before := len(b.errs.List)
	scenario.Decode(c.Node, params, c.Path, b.errs, "type")
	return len(b.errs.List) == before
}

func (b *builder) unknownType(c scenario.Entry[scenario.Component], section string, known []string) {
	sort.Strings(known)
	hint := ""
	if s := scenario.Suggest(c.Value.Type, known); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	b.errs.At(c.Node.Get("type"), c.Path+".type", "unknown %s type %q%s (expected one of: %s)", section, c.Value.Type, hint, strings.Join(known, ", "))
}

// asset resolves an asset name written at node n.
func (b *builder) asset(name string, n *scenario.Node, path string) (int, bool) {
	if a, ok := b.assetIndex[name]; ok {
		return a, true
	}
	b.errs.At(n, path, "unknown asset %q%s", name, hintFor(name, b.cell.assets))
	return 0, false
}

// output resolves what a single-output process drives: an asset's price
// (an index ≥ 0) or a signal such as a gas price (^index, < 0), which the
// process's signal: key names and so declares.
func (b *builder) output(c scenario.Entry[scenario.Component], asset, signal string) (int, bool) {
	switch {
	case asset != "" && signal != "":
		b.errs.At(c.Node.Get("signal"), c.Path+".signal", "give asset (to drive a price) or signal (any other series), not both")
		return 0, false
	case signal != "":
		if !validSignal(signal) {
			b.errs.At(c.Node.Get("signal"), c.Path+".signal", "signal name %q must start with a letter and contain only letters, digits and '_'", signal)
			return 0, false
		}
		for k, s := range b.cell.signals {
			if s == signal {
				b.errs.At(c.Node.Get("signal"), c.Path+".signal", "signal %s is already driven by another process", signal)
				return ^k, false
			}
		}
		b.cell.signals = append(b.cell.signals, signal)
		return ^(len(b.cell.signals) - 1), true
	case asset == "":
		b.errs.At(c.Node, c.Path, "missing required key \"asset\" (or \"signal\" for a series that is not a price)")
		return 0, false
	}
	return b.drivable(asset, c.Node.Get("asset"), c.Path+".asset")
}

func validSignal(s string) bool {
	for k, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || k > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// signal resolves a signal an agent or mechanism reads.
func (b *builder) signal(name string, n *scenario.Node, path string) (int, bool) {
	for k, s := range b.cell.signals {
		if s == name {
			return k, true
		}
	}
	b.errs.At(n, path, "unknown signal %q%s", name, hintFor(name, b.cell.signals))
	return 0, false
}

// drivable resolves an asset a process will price; the numeraire's price
// is fixed at 1.
func (b *builder) drivable(name string, n *scenario.Node, path string) (int, bool) {
	a, ok := b.asset(name, n, path)
	if ok && name == b.cell.sc.Numeraire {
		b.errs.At(n, path, "%s is the numeraire; its price is 1 by definition and no process can drive it", name)
		return 0, false
	}
	return a, ok
}

func hintFor(name string, candidates []string) string {
	if s := scenario.Suggest(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Sprintf(" (defined: %s)", strings.Join(candidates, ", "))
}

// --- processes ---------------------------------------------------------------

type priceParams struct {
	Asset      string     `yaml:"asset"`
	Signal     string     `yaml:"signal"`
	Initial    *float64   `yaml:"initial"`
	Drift      unit.Rate  `yaml:"drift"`
	Volatility *unit.Rate `yaml:"volatility"`
}

type historyParams struct {
	File       string `yaml:"file,required"`
	TimeColumn string `yaml:"time_column"`
	TimeFormat string `yaml:"time_format"`
	Column     string `yaml:"column,required"`
}

var processTypes = []string{"gbm", "correlated_gbm", "jump_diffusion", "student_t", "replay", "bootstrap"}

func (b *builder) process(k int, c scenario.Entry[scenario.Component]) (procSpec, bool) {
	step := b.cell.sc.Step.Std()
	spec := procSpec{name: c.Name}
	// initialOf returns a process's starting price: its own initial:, or
	// the asset's price:.
	initialOf := func(a int, initial *float64, key string) (float64, bool) {
		if initial != nil {
			if *initial <= 0 {
				b.errs.At(c.Node.Lookup(key), c.Path+"."+key, "expected a positive initial value, got %g", *initial)
				return 0, false
			}
			return *initial, true
		}
		if a >= 0 && b.cell.price0[a] > 0 {
			return b.cell.price0[a], true
		}
		why := "the asset has no price: either"
		if a < 0 {
			why = "a signal has no other starting value"
		}
		b.errs.At(c.Node, c.Path, "missing required key %q (%s)", key, why)
		return 0, false
	}
	single := func(p *priceParams) (int, float64, float64, float64, bool) {
		a, ok := b.output(c, p.Asset, p.Signal)
		if !ok {
			return 0, 0, 0, 0, false
		}
		if p.Volatility == nil {
			b.errs.At(c.Node, c.Path, "missing required key \"volatility\"")
			return 0, 0, 0, 0, false
		}
		s0, ok := initialOf(a, p.Initial, "initial")
		if !ok {
			return 0, 0, 0, 0, false
		}
		if p.Volatility.Value < 0 {
			b.errs.At(c.Node.Get("volatility"), c.Path+".volatility", "expected a non-negative volatility, got %g", p.Volatility.Value)
			return 0, 0, 0, 0, false
		}
		return a, s0, p.Drift.Over(step), p.Volatility.OverSqrt(step), true
	}
	fail := func(err error) (procSpec, bool) {
		b.errs.At(c.Node, c.Path, "%v", err)
		return spec, false
	}
	switch c.Value.Type {
	case "gbm":
		var p priceParams
		if !b.decode(c, &p) {
			return spec, false
		}
		a, s0, mu, sigma, ok := single(&p)
		if !ok {
			return spec, false
		}
		if _, err := process.NewGBM(s0, mu, sigma, 1); err != nil {
			return fail(err)
		}
		spec.outputs = []int{a}
		spec.build = func() (process.Process, error) { return process.NewGBM(s0, mu, sigma, 1) }
	case "jump_diffusion":
		var p struct {
			priceParams `yaml:",inline"`
			JumpRate    unit.Rate `yaml:"jump_rate,required"`
			JumpMean    float64   `yaml:"jump_mean"`
			JumpStdev   float64   `yaml:"jump_stdev"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, s0, mu, sigma, ok := single(&p.priceParams)
		if !ok {
			return spec, false
		}
		j := process.Jumps{Lambda: p.JumpRate.Over(step), Mu: p.JumpMean, Sigma: p.JumpStdev}
		if _, err := process.NewMerton(s0, mu, sigma, j, 1); err != nil {
			return fail(err)
		}
		spec.outputs = []int{a}
		spec.build = func() (process.Process, error) { return process.NewMerton(s0, mu, sigma, j, 1) }
	case "student_t":
		var p struct {
			priceParams `yaml:",inline"`
			DOF         float64 `yaml:"dof,required"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, s0, mu, sigma, ok := single(&p.priceParams)
		if !ok {
			return spec, false
		}
		if _, err := process.NewStudentT(s0, mu, sigma, p.DOF, 1); err != nil {
			return fail(err)
		}
		spec.outputs = []int{a}
		spec.build = func() (process.Process, error) { return process.NewStudentT(s0, mu, sigma, p.DOF, 1) }
	case "correlated_gbm":
		var p struct {
			Assets      []string    `yaml:"assets,required"`
			Initial     []float64   `yaml:"initial"`
			Drift       []unit.Rate `yaml:"drift"`
			Volatility  []unit.Rate `yaml:"volatility,required"`
			Correlation [][]float64 `yaml:"correlation,required"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		n := len(p.Assets)
		lengthOK := func(key string, got int, optional bool) bool {
			if got == n || optional && got == 0 {
				return true
			}
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected %d values, one per asset, got %d", n, got)
			return false
		}
		if !lengthOK("initial", len(p.Initial), true) || !lengthOK("drift", len(p.Drift), true) ||
			!lengthOK("volatility", len(p.Volatility), false) || !lengthOK("correlation", len(p.Correlation), false) {
			return spec, false
		}
		s0, mu, sigma := make([]float64, n), make([]float64, n), make([]float64, n)
		for k, name := range p.Assets {
			a, ok := b.drivable(name, c.Node.Lookup(fmt.Sprintf("assets.%d", k)), fmt.Sprintf("%s.assets.%d", c.Path, k))
			if !ok {
				return spec, false
			}
			spec.outputs = append(spec.outputs, a)
			var init *float64
			if len(p.Initial) > 0 {
				init = &p.Initial[k]
			}
			if s0[k], ok = initialOf(a, init, "initial"); !ok {
				return spec, false
			}
			if len(p.Drift) > 0 {
				mu[k] = p.Drift[k].Over(step)
			}
			sigma[k] = p.Volatility[k].OverSqrt(step)
		}
		if _, err := process.NewCorrelatedGBM(s0, mu, sigma, p.Correlation, 1); err != nil {
			b.errs.At(c.Node.Get("correlation"), c.Path+".correlation", "%v", err)
			return spec, false
		}
		spec.build = func() (process.Process, error) { return process.NewCorrelatedGBM(s0, mu, sigma, p.Correlation, 1) }
	case "replay", "bootstrap":
		var p struct {
			historyParams `yaml:",inline"`
			Asset         string         `yaml:"asset"`
			Signal        string         `yaml:"signal"`
			Start         string         `yaml:"start"`
			Rescale       bool           `yaml:"rescale"`
			Initial       *float64       `yaml:"initial"`
			Block         *unit.Duration `yaml:"block"`
			Stationary    bool           `yaml:"stationary"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, ok := b.output(c, p.Asset, p.Signal)
		if !ok {
			return spec, false
		}
		spec.outputs = []int{a}
		series, ok := b.loadHistory(c, p.historyParams)
		if !ok {
			return spec, false
		}
		if c.Value.Type == "replay" {
			if p.Block != nil || p.Stationary {
				b.errs.At(c.Node, c.Path, "block and stationary apply to bootstrap, not replay")
				return spec, false
			}
			start := series.Times[0]
			if p.Start != "" {
				t, err := time.Parse(time.RFC3339, p.Start)
				if err != nil {
					b.errs.At(c.Node.Get("start"), c.Path+".start", "expected an RFC 3339 time such as 2020-03-12T00:00:00Z, got %q", p.Start)
					return spec, false
				}
				start = t
			}
			steps := b.cell.steps
			rs, err := history.Resample(series, start, step, steps+1)
			if err != nil {
				return fail(err)
			}
			var s0 []float64
			if p.Rescale {
				init, ok := initialOf(a, p.Initial, "initial")
				if !ok {
					return spec, false
				}
				s0 = []float64{init}
			}
			if _, err := process.NewReplay(rs, steps, s0); err != nil {
				return fail(err)
			}
			spec.build = func() (process.Process, error) { return process.NewReplay(rs, steps, s0) }
			break
		}
		if p.Start != "" || p.Rescale {
			b.errs.At(c.Node, c.Path, "start and rescale apply to replay, not bootstrap")
			return spec, false
		}
		n := int(series.Times[len(series.Times)-1].Sub(series.Times[0]) / step)
		rs, err := history.Resample(series, series.Times[0], step, n+1)
		if err != nil {
			return fail(err)
		}
		returns, err := history.LogReturns(rs.Values[0])
		if err != nil {
			return fail(err)
		}
		init, ok := initialOf(a, p.Initial, "initial")
		if !ok {
			return spec, false
		}
		block := 1
		if p.Block != nil {
			if p.Block.Std()%step != 0 {
				b.errs.At(c.Node.Get("block"), c.Path+".block", "block %s is not a whole number of %s steps", *p.Block, b.cell.sc.Step)
				return spec, false
			}
			block = int(p.Block.Std() / step)
		}
		build := func() (process.Process, error) {
			if p.Stationary {
				return process.NewStationaryBootstrap([][]float64{returns}, []float64{init}, float64(block))
			}
			return process.NewBlockBootstrap([][]float64{returns}, []float64{init}, block)
		}
		if _, err := build(); err != nil {
			return fail(err)
		}
		spec.build = build
	default:
		b.unknownType(c, "process", processTypes)
		return spec, false
	}
	return spec, true
}

func (b *builder) loadHistory(c scenario.Entry[scenario.Component], p historyParams) (*history.Series, bool) {
	path := p.File
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.dir, path)
	}
	tc := p.TimeColumn
	if tc == "" {
		tc = "ts_utc"
	}
	s, err := history.Load(path, history.Options{TimeColumn: tc, TimeFormat: p.TimeFormat, Columns: []string{p.Column}})
	if err != nil {
		b.errs.At(c.Node.Get("file"), c.Path+".file", "%v", err)
		return nil, false
	}
	return s, true
}

// --- mechanisms ----------------------------------------------------------------

var mechanismTypes = []string{"uniswap_v2", "uniswap_v3", "stableswap", "weighted"}

// protocolBuilders decode the non-CFMM mechanism types; each returns a
// constructor of fresh instances (one per worker, Reset every run). Domain
// files register theirs in init.
var protocolBuilders = map[string]func(b *builder, c scenario.Entry[scenario.Component]) (func() agent.Protocol, bool){}

// agentBuilders decode agent types registered by domain files.
var agentBuilders = map[string]func(b *builder, c scenario.Entry[scenario.Component]) (func() agent.Agent, bool){}

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
	build func() agent.Protocol
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
func allTypes(builtin []string, registered map[string]func(*builder, scenario.Entry[scenario.Component]) (func() agent.Protocol, bool)) []string {
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
			Tokens      []string       `yaml:"tokens,required"`
			Reserves    []unit.Decimal `yaml:"reserves,required"`
			Fee         *unit.Fraction `yaml:"fee"`
			ProtocolFee bool           `yaml:"protocol_fee"`
		}{}
		if !b.decode(c, &p) {
			return spec, false
		}
		assets, ok := b.tokens(c, p.Tokens, 2)
		if !ok {
			return spec, false
		}
		fee := 0.003
		if p.Fee != nil {
			fee = float64(*p.Fee)
		}
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
	default:
		b.unknownType(c, "mechanism", allTypes(mechanismTypes, protocolBuilders))
		return spec, false
	}
	spec.pool = pool
	b.venueIndex[c.Name] = len(b.cell.venues)
	return spec, true
}

// --- agents ----------------------------------------------------------------

var agentTypes = []string{"arbitrageur", "noise_trader", "passive_lp", "treasury"}

func (b *builder) venue(name string, n *scenario.Node, path string) (int, bool) {
	if v, ok := b.venueIndex[name]; ok {
		return v, true
	}
	if b.broken[name] {
		return 0, false
	}
	var names []string
	for _, v := range b.cell.venues {
		names = append(names, v.name)
	}
	b.errs.At(n, path, "unknown pool %q%s", name, hintFor(name, names))
	return 0, false
}

func (b *builder) agent(c scenario.Entry[scenario.Component]) (agentSpec, bool) {
	spec := agentSpec{name: c.Name}
	step := b.cell.sc.Step.Std()
	switch c.Value.Type {
	case "arbitrageur":
		var p struct {
			Pools     []string `yaml:"pools"`
			Gas       float64  `yaml:"gas"`
			MaxTrades int      `yaml:"max_trades_per_step"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		var venues []int
		if len(p.Pools) == 0 {
			for k := range b.cell.venues {
				venues = append(venues, k)
			}
		}
		for k, name := range p.Pools {
			v, ok := b.venue(name, c.Node.Lookup(fmt.Sprintf("pools.%d", k)), fmt.Sprintf("%s.pools.%d", c.Path, k))
			if !ok {
				return spec, false
			}
			venues = append(venues, v)
		}
		if p.Gas < 0 {
			b.errs.At(c.Node.Get("gas"), c.Path+".gas", "expected a non-negative gas cost, got %g", p.Gas)
			return spec, false
		}
		if p.MaxTrades < 0 {
			b.errs.At(c.Node.Get("max_trades_per_step"), c.Path+".max_trades_per_step", "expected a positive number, got %d", p.MaxTrades)
			return spec, false
		}
		spec.build = func() agent.Agent {
			return &agent.Arbitrageur{Venues: venues, Gas: p.Gas, MaxTradesPerStep: p.MaxTrades}
		}
	case "noise_trader":
		var p struct {
			Pool       string    `yaml:"pool,required"`
			Rate       unit.Rate `yaml:"rate,required"`
			Size       float64   `yaml:"size,required"`
			Dispersion *float64  `yaml:"dispersion"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
		if !ok {
			return spec, false
		}
		disp := 1.0
		if p.Dispersion != nil {
			disp = *p.Dispersion
		}
		rate := p.Rate.Over(step)
		switch {
		case rate < 0 || rate > 1e4:
			b.errs.At(c.Node.Get("rate"), c.Path+".rate", "expected from 0 to 10000 trades per step, got %g", rate)
			return spec, false
		case p.Size <= 0:
			b.errs.At(c.Node.Get("size"), c.Path+".size", "expected a positive median trade size, got %g", p.Size)
			return spec, false
		case disp < 0:
			b.errs.At(c.Node.Get("dispersion"), c.Path+".dispersion", "expected a non-negative dispersion, got %g", disp)
			return spec, false
		}
		spec.build = func() agent.Agent {
			return &agent.NoiseTrader{Venue: v, Rate: rate, Median: p.Size, Dispersion: disp}
		}
	case "passive_lp":
		var p struct {
			Pool string `yaml:"pool,required"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		v, ok := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
		if !ok {
			return spec, false
		}
		spec.build = func() agent.Agent { return &agent.PassiveLP{Venue: v} }
	case "treasury":
		var p struct {
			Asset      string         `yaml:"asset,required"`
			Quantity   float64        `yaml:"quantity,required"`
			Hedge      string         `yaml:"hedge"`
			PutStrike  unit.Fraction  `yaml:"put_strike"`
			CallStrike string         `yaml:"call_strike"`
			ImpliedVol *unit.Rate     `yaml:"implied_volatility"`
			Rate       unit.Rate      `yaml:"rate"`
			Roll       *unit.Duration `yaml:"roll"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, ok := b.asset(p.Asset, c.Node.Get("asset"), c.Path+".asset")
		if !ok {
			return spec, false
		}
		t := agent.Treasury{Asset: a, Quantity: p.Quantity, StepYears: step.Hours() / (24 * 365), Steps: b.cell.steps,
			Rate: p.Rate.Over(unit.Year)}
		switch p.Hedge {
		case "", "none":
		case "collar":
			t.Hedge = true
			if p.ImpliedVol == nil {
				b.errs.At(c.Node, c.Path, "a collar needs implied_volatility (such as 80%%/yr) to price its options")
				return spec, false
			}
			t.Vol = p.ImpliedVol.OverSqrt(unit.Year)
			t.PutMoneyness = float64(p.PutStrike)
			switch {
			case p.PutStrike <= 0:
				b.errs.At(c.Node.Get("put_strike"), c.Path+".put_strike", "expected a put strike as a fraction of the spot, such as 90%%")
				return spec, false
			case p.CallStrike == "" || p.CallStrike == "zero_cost":
				t.ZeroCost = true
			default:
				f, err := unit.ParseFraction(p.CallStrike)
				if err != nil || float64(f) < t.PutMoneyness {
					b.errs.At(c.Node.Get("call_strike"), c.Path+".call_strike", "expected zero_cost or a call strike as a fraction of the spot at or above the put strike, got %q", p.CallStrike)
					return spec, false
				}
				t.CallMoneyness = float64(f)
			}
			if p.Roll != nil {
				if p.Roll.Std()%step != 0 {
					b.errs.At(c.Node.Get("roll"), c.Path+".roll", "roll %s is not a whole number of %s steps", *p.Roll, b.cell.sc.Step)
					return spec, false
				}
				t.Roll = int(p.Roll.Std() / step)
			}
		default:
			b.errs.At(c.Node.Get("hedge"), c.Path+".hedge", "expected none or collar, got %q", p.Hedge)
			return spec, false
		}
		if p.Quantity == 0 {
			b.errs.At(c.Node.Get("quantity"), c.Path+".quantity", "expected a non-zero quantity")
			return spec, false
		}
		spec.build = func() agent.Agent { tr := t; return &tr }
	default:
		build, ok := agentBuilders[c.Value.Type]
		if !ok {
			known := append([]string(nil), agentTypes...)
			for t := range agentBuilders {
				known = append(known, t)
			}
			b.unknownType(c, "agent", known)
			return spec, false
		}
		if spec.build, ok = build(b, c); !ok {
			return spec, false
		}
	}
	return spec, true
}
