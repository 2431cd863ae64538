package world

import (
	"fmt"
	"github.com/cascade-risk/cascade/market"
	"math"
	"strings"
	"time"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/cfmm/stableswap"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/synth"
	"github.com/cascade-risk/cascade/unit"
	"github.com/holiman/uint256"
)

// This file compiles the Proof-of-Stake types: the staking mechanism (a
// chain with a staking-derivatives loan book, its pool and an external
// lending market) and the agents that act on it (pos_validators,
// pos_delegators, pos_arbitrageur).

func init() {
	protocolBuilders["staking"] = (*builder).stakingChain
	agentBuilders["pos_validators"] = (*builder).stakingValidators
	agentBuilders["pos_delegators"] = (*builder).stakingDelegators
	agentBuilders["pos_arbitrageur"] = (*builder).stakingArbitrageur
	agentBuilders["synth_holders"] = (*builder).synthHolders
}

type stakingParams struct {
	Native        string              `yaml:"native,required" doc:"the chain's native (staking) token, at most 18 decimals"`
	Synthetic     string              `yaml:"synthetic,required" doc:"the synthetic borrowed against stake, with the native token's decimals"`
	Pool          string              `yaml:"pool,required" doc:"the uniswap_v2 or stableswap pool trading the native token against the synthetic"`
	Supply        unit.Decimal        `yaml:"supply,required" doc:"the native token's supply at genesis, whole tokens. The agents' endowments are paid from what the pool's native reserve and its liquidity provider's stake leave of it: the least they ask (counts × smallest draws, fixed amounts) must fit; a run whose draws ask for more scales every endowment by float/asked (metric genesis_scale, recorded when named)" unit:"tokens"`
	Epoch         *unit.Duration      `yaml:"epoch" doc:"an epoch, a whole number of steps; rewards, unbonding and the loan book move per epoch; without it, one step"`
	Unbonding     *unit.Duration      `yaml:"unbonding" doc:"the unbonding delay, rounded up to whole epochs" default:"21d"`
	Issuance      stakingIssuance     `yaml:"issuance" doc:"how new tokens are issued: model and its parameters"`
	Slashing      stakingSlashing     `yaml:"slashing" doc:"the offence a fault is and its penalties"`
	Loans         stakingLoans        `yaml:"loans" doc:"the staking-derivative loan book: collateral, rates, what happens on default"`
	Design        string              `yaml:"design" doc:"external_hub (loans from an external hub) or enshrined (the chain halts, reprices and recalls loans)" default:"external_hub"`
	Enshrined     stakingEnshrined    `yaml:"enshrined" doc:"the enshrined design's triggers (used with design: enshrined)"`
	Mark          string              `yaml:"mark" doc:"how loan collateral is valued: pool (at the synthetic's average pool price) or par" default:"pool"`
	TWAP          *unit.Duration      `yaml:"twap" doc:"the window of the adapter's own average pool price; without it (and without oracle), 1d"`
	Oracle        string              `yaml:"oracle" doc:"a twap_oracle to read the pool price from instead of twap"`
	LPCollateral  *unit.Fraction      `yaml:"lp_collateral" doc:"stake the pool's liquidity provider locks per synthetic in the pool, at least the collateral ratio; without it, twice the collateral ratio"`
	Lending       stakingLendingKnobs `yaml:"lending" doc:"the external lending market of the native token (a Compound jump-rate model)"`
	CascadeWindow *unit.Duration      `yaml:"cascade_window" doc:"window of the cascade-depth metric (borrowers foreclosed within it), a whole number of steps" default:"7d"`
	Corruption    string              `yaml:"corruption" doc:"the share of stake an attacker must control for the cost-of-corruption metric: 1/3 or 2/3" default:"1/3"`
	YieldHalfLife *unit.Duration      `yaml:"yield_half_life" doc:"half-life of the staking-yield estimate agents act on, a whole number of steps" default:"30d"`
}

type stakingIssuance struct {
	Model      string         `yaml:"model" doc:"cosmos (x/mint, inflation toward goal_bonded), fixed_rate, ethereum (needs 9 decimals) or none" default:"cosmos"`
	Inflation  *unit.Fraction `yaml:"inflation" doc:"cosmos: inflation at genesis; without it, the Cosmos SDK's 13%"`
	Min        *unit.Fraction `yaml:"min" doc:"cosmos: lowest inflation; without it, 7%"`
	Max        *unit.Fraction `yaml:"max" doc:"cosmos: highest inflation; without it, 20%"`
	Change     *unit.Fraction `yaml:"change" doc:"cosmos: the most inflation moves in a year (InflationRateChange); without it, 13%"`
	GoalBonded *unit.Fraction `yaml:"goal_bonded" doc:"cosmos: the bonded share inflation steers toward; without it, 67%"`
	Rate       *unit.Rate     `yaml:"rate" doc:"fixed_rate (required): yearly issuance over the bonded stake"`
	Fork       string         `yaml:"fork" doc:"ethereum: the fork whose reward rules apply (phase0, altair, bellatrix, capella, deneb, electra, fulu)" default:"electra"`
}

type stakingSlashing struct {
	Offence    string         `yaml:"offence" doc:"double_sign (a fixed fraction, Cosmos) or ethereum (the fork's initial and correlation penalties)" default:"double_sign"`
	Fraction   *unit.Fraction `yaml:"fraction" doc:"double_sign: the share of stake slashed; without it, 5%"`
	Downtime   *unit.Fraction `yaml:"downtime" doc:"the share of stake slashed for downtime; without it, the Cosmos SDK's 1%"`
	Jail       *unit.Duration `yaml:"jail" doc:"how long downtime jails a validator, rounded up to whole epochs; without it, one epoch"`
	Fork       string         `yaml:"fork" doc:"ethereum: the fork whose penalties apply; without it, electra"`
	Window     *unit.Duration `yaml:"window" doc:"ethereum: the slashings window of the correlation penalty, rounded up to whole epochs; without it, 36d"`
	Multiplier *int           `yaml:"multiplier" doc:"ethereum: the proportional slashing multiplier; without it, the fork's"`
}

type stakingLoans struct {
	CollateralRatio  *unit.Fraction `yaml:"collateral_ratio" doc:"stake locked per synthetic borrowed" default:"150%"`
	LiquidationRatio *unit.Fraction `yaml:"liquidation_ratio" doc:"stake per synthetic below which a loan defaults, at most the collateral ratio; without it, halfway between 100% and the collateral ratio"`
	Rate             *unit.Rate     `yaml:"rate" doc:"a flat yearly borrow rate (or give curve); without both, 3%/yr"`
	Curve            []stakingPoint `yaml:"curve" doc:"borrow rate by utilisation, points of increasing utilisation (or give rate)"`
	Disposition      string         `yaml:"disposition" doc:"what happens to a defaulted loan's collateral: burn, redistribute, treasury or liquidate" default:"burn"`
	DefaultWindow    *unit.Duration `yaml:"default_window" doc:"window over which the book's default rate is measured, rounded up to whole epochs" default:"30d"`
	Term             *unit.Duration `yaml:"term" doc:"loans mature after this, beyond the unbonding delay and two epochs; without it, they never mature"`
	Dust             *unit.Decimal  `yaml:"dust" doc:"a repayment leaving at most this owed closes the loan; without it, a hundredth of a token" unit:"tokens"`
	DefaultCheck     string         `yaml:"default_check" doc:"when loans are checked for default: immediate (when stake is lost) or epoch" default:"immediate"`
}

type stakingPoint struct {
	Utilization unit.Fraction `yaml:"utilization,required" doc:"the point's utilisation of the book"`
	Rate        unit.Rate     `yaml:"rate,required" doc:"the yearly borrow rate at that utilisation"`
}

type stakingEnshrined struct {
	HaltDefaultRate   *unit.Fraction `yaml:"halt_default_rate" doc:"halt new loans while the book's default rate exceeds this; 0 disables" default:"2%"`
	HaltDiscount      *unit.Fraction `yaml:"halt_discount" doc:"halt new loans while the synthetic trades this far below par; 0 disables" default:"3%"`
	RaiseDefaultRate  *unit.Fraction `yaml:"raise_default_rate" doc:"add premium to the borrow rate while the default rate exceeds this; without it, never"`
	RaiseDiscount     *unit.Fraction `yaml:"raise_discount" doc:"add premium to the borrow rate while the discount exceeds this; 0 disables" default:"2%"`
	Premium           *unit.Rate     `yaml:"premium" doc:"the yearly rate added by the raise triggers" default:"10%/yr"`
	RecallDefaultRate *unit.Fraction `yaml:"recall_default_rate" doc:"recall loans while the default rate exceeds this; without it, never"`
	RecallDiscount    *unit.Fraction `yaml:"recall_discount" doc:"recall loans while the discount exceeds this; without it, never"`
	RecallWindow      *unit.Duration `yaml:"recall_window" doc:"time a recalled loan has to be repaid, rounded up to whole epochs" default:"30d"`
	DepositRate       *unit.Rate     `yaml:"deposit_rate" doc:"yearly rate paid to holders who deposit the synthetic; without it, none"`
	DepositFrom       string         `yaml:"deposit_from" doc:"what pays the deposit rate: interest (from borrowers) or issuance" default:"interest"`
}

type stakingLendingKnobs struct {
	Base           unit.Rate     `yaml:"base" doc:"borrow rate at zero utilisation" default:"1%/yr"`
	Multiplier     unit.Rate     `yaml:"multiplier" doc:"rate added per unit of utilisation up to the kink" default:"10%/yr"`
	Jump           unit.Rate     `yaml:"jump" doc:"rate added per unit of utilisation above the kink" default:"100%/yr"`
	Kink           unit.Fraction `yaml:"kink" doc:"utilisation at which the jump starts" default:"80%"`
	Demand         *unit.Decimal `yaml:"demand" doc:"what the public wants to borrow, whole native tokens; without it, none" unit:"tokens"`
	MaxUtilization unit.Fraction `yaml:"max_utilization" doc:"the most of the market's deposits that may be lent" default:"95%"`
}

var stakingForks = map[string]pos.Fork{"phase0": pos.Phase0, "altair": pos.Altair, "bellatrix": pos.Bellatrix,
	"capella": pos.Bellatrix, "deneb": pos.Bellatrix, "electra": pos.Electra, "fulu": pos.Electra}

// stakingRay converts a fraction to a ray, exact to 15 decimal places.
func stakingRay(f float64) uint256.Int {
	var z uint256.Int
	z.SetUint64(uint64(math.Round(f * 1e15)))
	return *z.Mul(&z, uint256.NewInt(1e12))
}

// stakingOne converts a fraction in [0, 1] to pos.One units.
func stakingOne(f float64) uint64 { return uint64(math.Round(f * float64(pos.One))) }

// stakingMantissa converts a fraction to a 1e18 mantissa.
func stakingMantissa(f float64) uint256.Int {
	var z uint256.Int
	z.SetUint64(uint64(math.Round(f * 1e15)))
	return *z.Mul(&z, uint256.NewInt(1e3))
}

func (b *builder) stakingChain(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p stakingParams
	if !b.decode(c, &p) {
		return nil, false
	}
	at := func(key string) (*scenario.Node, string) {
		n := c.Node.Lookup(key)
		if n == nil {
			n = c.Node
		}
		return n, c.Path + "." + key
	}
	bad := func(key, format string, a ...any) bool {
		n, path := at(key)
		b.errs.At(n, path, format, a...)
		return false
	}
	step := b.cell.sc.Step.Std()
	var cfg protocol.StakingConfig
	nat, ok1 := b.asset(p.Native, c.Node.Get("native"), c.Path+".native")
	syn, ok2 := b.asset(p.Synthetic, c.Node.Get("synthetic"), c.Path+".synthetic")
	venue, ok3 := b.venue(p.Pool, c.Node.Get("pool"), c.Path+".pool")
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	cfg.Native, cfg.Synth, cfg.Venue = nat, syn, venue
	if nat == syn {
		return nil, bad("synthetic", "the synthetic must be another asset than the native token %s", p.Native)
	}
	if nat == b.cell.numeraire || syn == b.cell.numeraire {
		return nil, bad("native", "neither the native token nor the synthetic may be the numeraire; price the native token in it")
	}
	dec := b.cell.decimals[nat]
	if b.cell.decimals[syn] != dec {
		return nil, bad("synthetic", "the synthetic %s has %d decimals, the native token %s %d; they must share their unit", p.Synthetic, b.cell.decimals[syn], p.Native, dec)
	}
	if dec > 18 {
		return nil, bad("native", "the native token's decimals (%d) must be at most 18: chain amounts are 64-bit", dec)
	}
	cfg.Decimals = dec
	for _, pr := range b.cell.procs {
		for _, a := range pr.outputs {
			if a == syn {
				return nil, bad("synthetic", "the synthetic %s is priced by its pool; no process may drive it (process %s does)", p.Synthetic, pr.name)
			}
		}
	}
	vs := b.cell.venues[venue]
	if len(vs.assets) != 2 || !(vs.assets[0] == nat && vs.assets[1] == syn || vs.assets[0] == syn && vs.assets[1] == nat) {
		return nil, bad("pool", "pool %s must trade exactly %s against %s", p.Pool, p.Native, p.Synthetic)
	}
	switch vs.pool.(type) {
	case *uniswapv2.Pair, *stableswap.Pool:
	default:
		return nil, bad("pool", "pool %s must be a uniswap_v2 or stableswap pool", p.Pool)
	}
	supply, err := p.Supply.Raw(dec)
	if err != nil || p.Supply.Sign() <= 0 || !supply.IsUint64() {
		return nil, bad("supply", "expected a positive supply below 2^64 raw units (%d decimals), got %s", dec, p.Supply.String())
	}
	cfg.Supply = supply.Uint64()

	// Time: epochs, unbonding, windows.
	epoch := step
	if p.Epoch != nil {
		epoch = p.Epoch.Std()
		if epoch%step != 0 {
			return nil, bad("epoch", "epoch %s is not a whole number of %s steps", *p.Epoch, b.cell.sc.Step)
		}
	}
	cfg.EpochSteps = int(epoch / step)
	// epochs converts a duration to whole epochs, rounding up.
	epochs := func(d *unit.Duration, def time.Duration) uint64 {
		x := def
		if d != nil {
			x = d.Std()
		}
		return uint64((x + epoch - 1) / epoch)
	}
	stepsFor := func(key string, d *unit.Duration, def time.Duration) (int, bool) {
		x := def
		if d != nil {
			x = d.Std()
		}
		if x%step != 0 {
			return 0, bad(key, "%s %s is not a whole number of %s steps", key, unit.Duration(x), b.cell.sc.Step)
		}
		return max(1, int(x/step)), true
	}
	epy := uint64(unit.Year / epoch)
	if epy == 0 {
		return nil, bad("epoch", "an epoch must be at most a year, got %s", unit.Duration(epoch))
	}
	chain := pos.CosmosConfig()
	chain.EpochsPerYear = epy
	chain.UnbondingDelay = epochs(p.Unbonding, 0)

	// Issuance.
	is := p.Issuance
	switch is.Model {
	case "cosmos":
		set := func(dst *uint64, f *unit.Fraction, key string) bool {
			if f == nil {
				return true
			}
			if *f < 0 || *f > 1 {
				return bad("issuance."+key, "expected a fraction from 0 to 100%%, got %g", float64(*f))
			}
			*dst = stakingOne(float64(*f))
			return true
		}
		ci := &chain.Issuance
		if !set(&ci.Inflation, is.Inflation, "inflation") || !set(&ci.InflationMin, is.Min, "min") || !set(&ci.InflationMax, is.Max, "max") ||
			!set(&ci.InflationRateChange, is.Change, "change") || !set(&ci.GoalBonded, is.GoalBonded, "goal_bonded") {
			return nil, false
		}
		if ci.InflationMin > ci.InflationMax {
			return nil, bad("issuance.min", "min inflation %g is above max %g", float64(ci.InflationMin)/1e18, float64(ci.InflationMax)/1e18)
		}
		if ci.GoalBonded == 0 {
			return nil, bad("issuance.goal_bonded", "goal_bonded must be positive")
		}
	case "fixed_rate":
		if is.Rate == nil {
			return nil, bad("issuance", "issuance model fixed_rate needs rate (such as 5%%/yr)")
		}
		r := is.Rate.Over(unit.Year)
		if r < 0 || r > 10 {
			return nil, bad("issuance.rate", "expected a yearly rate from 0 to 1000%%/yr, got %g/yr", r)
		}
		chain.Issuance = pos.Issuance{Model: pos.FixedRate, Rate: stakingOne(r)}
	case "ethereum":
		if dec != 9 {
			return nil, bad("issuance.model", "ethereum issuance is defined in Gwei: the native token needs 9 decimals, has %d", dec)
		}
		const ethEpoch = 384 * time.Second
		if epoch%ethEpoch != 0 {
			return nil, bad("epoch", "with ethereum issuance an epoch must be a whole number of 6.4-minute Ethereum epochs, got %s", unit.Duration(epoch))
		}
		f, ok := stakingForks[strings.ToLower(is.Fork)]
		if !ok {
			return nil, bad("issuance.fork", "unknown fork %q (expected phase0, altair, bellatrix, capella, deneb, electra or fulu)", is.Fork)
		}
		chain.Issuance = pos.Issuance{Model: pos.EthIssuance}
		chain.Eth = stakingEthRules(f, dec)
		// One model epoch aggregates epoch/6.4 min Ethereum epochs: their
		// base rewards add up (the total stake barely moves within it).
		chain.Eth.BaseRewardFactor *= uint64(epoch / ethEpoch)
		chain.Eth.EpochsPerSlashingsVector = 0
	case "none":
		chain.Issuance = pos.Issuance{}
	default:
		return nil, bad("issuance.model", "unknown issuance model %q (expected cosmos, fixed_rate, ethereum or none)", is.Model)
	}

	// Slashing.
	sl := p.Slashing
	switch sl.Offence {
	case "double_sign":
		cfg.Offence = pos.DoubleSign
		if sl.Fork != "" || sl.Window != nil || sl.Multiplier != nil {
			return nil, bad("slashing", "fork, window and multiplier apply to offence: ethereum")
		}
		f := 0.05
		if sl.Fraction != nil {
			f = float64(*sl.Fraction)
		}
		if f < 0 || f > 1 {
			return nil, bad("slashing.fraction", "expected a fraction from 0 to 100%%, got %g", f)
		}
		chain.Cosmos.SlashFractionDoubleSign = stakingOne(f)
	case "ethereum":
		cfg.Offence = pos.EthSlashing
		if sl.Fraction != nil {
			return nil, bad("slashing.fraction", "fraction applies to offence: double_sign; Ethereum's penalties follow its fork (set multiplier to scale the correlation penalty)")
		}
		f, ok := stakingForks[strings.ToLower(orDefault(sl.Fork, "electra"))]
		if !ok {
			return nil, bad("slashing.fork", "unknown fork %q (expected phase0, altair, bellatrix, capella, deneb, electra or fulu)", sl.Fork)
		}
		bf := chain.Eth.BaseRewardFactor
		chain.Eth = stakingEthRules(f, dec)
		if chain.Issuance.Model == pos.EthIssuance {
			chain.Eth.BaseRewardFactor = bf
		}
		w := epochs(sl.Window, 36*24*time.Hour)
		if w < 2 {
			return nil, bad("slashing.window", "the slashings window must last at least two epochs")
		}
		chain.Eth.EpochsPerSlashingsVector = w
		if sl.Multiplier != nil {
			if *sl.Multiplier < 0 || *sl.Multiplier > 1000 {
				return nil, bad("slashing.multiplier", "expected a multiplier from 0 to 1000, got %d", *sl.Multiplier)
			}
			chain.Eth.ProportionalSlashingMultiplier = uint64(*sl.Multiplier)
		}
	default:
		return nil, bad("slashing.offence", "unknown offence %q (expected double_sign or ethereum)", sl.Offence)
	}
	if sl.Downtime != nil {
		if *sl.Downtime < 0 || *sl.Downtime > 1 {
			return nil, bad("slashing.downtime", "expected a fraction from 0 to 100%%, got %g", float64(*sl.Downtime))
		}
		chain.Cosmos.SlashFractionDowntime = stakingOne(float64(*sl.Downtime))
	}
	chain.Cosmos.DowntimeJailEpochs = epochs(sl.Jail, epoch)
	if _, err := pos.New(chain, []uint64{cfg.Supply}); err != nil {
		return nil, bad("", "the chain rejects this configuration: %v", err)
	}
	cfg.Chain = chain

	// Loans.
	lo := p.Loans
	cr := float64(*lo.CollateralRatio)
	if !(cr >= 1) || cr > 1000 {
		return nil, bad("loans.collateral_ratio", "expected a collateral ratio from 100%% to 100000%%, got %g", cr)
	}
	lr := (1 + cr) / 2
	if lo.LiquidationRatio != nil {
		lr = float64(*lo.LiquidationRatio)
		if !(lr > 0) || lr > cr {
			return nil, bad("loans.liquidation_ratio", "expected a liquidation ratio above 0 and at most the collateral ratio %g, got %g", cr, lr)
		}
	}
	bp := synth.Params{CollateralRatio: stakingRay(cr), LiquidationRatio: stakingRay(lr), EpochsPerYear: epy}
	switch {
	case lo.Rate != nil && lo.Curve != nil:
		return nil, bad("loans.curve", "give rate (a flat yearly rate) or curve, not both")
	case lo.Curve != nil:
		if len(lo.Curve) == 0 {
			return nil, bad("loans.curve", "expected at least one {utilization, rate} point")
		}
		for k, pt := range lo.Curve {
			r := pt.Rate.Over(unit.Year)
			if pt.Utilization < 0 || r < 0 || r > 100 {
				return nil, bad(fmt.Sprintf("loans.curve.%d", k), "expected a non-negative utilization and a yearly rate from 0 to 10000%%/yr")
			}
			if k > 0 && pt.Utilization <= lo.Curve[k-1].Utilization {
				return nil, bad(fmt.Sprintf("loans.curve.%d.utilization", k), "utilizations must increase from point to point")
			}
			bp.Curve = append(bp.Curve, synth.Point{X: stakingRay(float64(pt.Utilization)), Rate: stakingRay(r)})
		}
	default:
		r := 0.03
		if lo.Rate != nil {
			r = lo.Rate.Over(unit.Year)
		}
		if r < 0 || r > 100 {
			return nil, bad("loans.rate", "expected a yearly rate from 0 to 10000%%/yr, got %g/yr", r)
		}
		bp.Curve = synth.RateCurve{{Rate: stakingRay(r)}}
	}
	switch lo.Disposition {
	case "burn":
		bp.Disposition = pos.Burn
	case "redistribute":
		bp.Disposition = pos.Redistribute
	case "treasury":
		bp.Disposition = pos.ToTreasury
	case "liquidate":
		bp.Disposition = pos.Liquidate
	default:
		return nil, bad("loans.disposition", "unknown disposition %q (expected burn, redistribute, treasury or liquidate)", lo.Disposition)
	}
	bp.DefaultWindow = epochs(lo.DefaultWindow, 0)
	if lo.Term != nil {
		if lo.Term.Std() < 0 {
			return nil, bad("loans.term", "expected a non-negative duration, got %s", lo.Term.Std())
		}
		bp.Term = epochs(lo.Term, 0)
		// A borrower repays a loan maturing within the unbonding delay and
		// two epochs (Staking.Debt); a shorter term would be due on opening.
		if bp.Term != 0 && bp.Term <= chain.UnbondingDelay+2 {
			return nil, bad("loans.term", "a term of %s is due as soon as it opens: it must exceed the unbonding delay and two epochs (%d epochs)", lo.Term.Std(), chain.UnbondingDelay+2)
		}
	}
	bp.DefaultWindow = max(bp.DefaultWindow, 1)
	// Dust: a repayment that leaves at most this much owed closes the loan
	// (default: a hundredth of a token).
	bp.Dust.SetUint64(1)
	for range max(cfg.Decimals-2, 0) {
		bp.Dust.Mul(&bp.Dust, uint256.NewInt(10))
	}
	if lo.Dust != nil {
		r, err := lo.Dust.Raw(cfg.Decimals)
		if err != nil || lo.Dust.Sign() < 0 {
			return nil, bad("loans.dust", "expected a non-negative amount of the synthetic with at most %d decimals, got %s", cfg.Decimals, lo.Dust.String())
		}
		bp.Dust = r
	}
	switch lo.DefaultCheck {
	case "immediate":
	case "epoch":
		cfg.CheckAtEpoch = true
	default:
		return nil, bad("loans.default_check", "expected immediate (loans checked the moment stake is lost) or epoch (at the book's epoch step), got %q", lo.DefaultCheck)
	}

	// Design.
	en := p.Enshrined
	frac := func(key string, f *unit.Fraction) (uint256.Int, bool) {
		if f == nil {
			return uint256.Int{}, true
		}
		if *f < 0 || *f > 1 {
			return uint256.Int{}, bad("enshrined."+key, "expected a threshold from 0 to 100%%, got %g", float64(*f))
		}
		return stakingRay(float64(*f)), true
	}
	// The enshrined design's triggers default (tags of stakingEnshrined)
	// to halting new loans at a 2% default rate or a 3% discount and
	// adding 10%/yr to the rate at a 2% discount; 0 disables a trigger.
	// Recalls are opt-in.
	var pol synth.Enshrined
	var ok bool
	okAll := true
	for _, t := range []struct {
		key string
		f   *unit.Fraction
		dst *uint256.Int
	}{{"halt_default_rate", en.HaltDefaultRate, &pol.HaltDefaultRate}, {"halt_discount", en.HaltDiscount, &pol.HaltDiscount},
		{"raise_default_rate", en.RaiseDefaultRate, &pol.RaiseDefaultRate}, {"raise_discount", en.RaiseDiscount, &pol.RaiseDiscount},
		{"recall_default_rate", en.RecallDefaultRate, &pol.RecallDefaultRate}, {"recall_discount", en.RecallDiscount, &pol.RecallDiscount}} {
		*t.dst, ok = frac(t.key, t.f)
		okAll = okAll && ok
	}
	if !okAll {
		return nil, false
	}
	if en.Premium != nil {
		r := en.Premium.Over(unit.Year)
		if r < 0 || r > 100 {
			return nil, bad("enshrined.premium", "expected a yearly premium from 0 to 10000%%/yr, got %g/yr", r)
		}
		pol.Premium = stakingRay(r)
	}
	pol.RecallWindow = epochs(en.RecallWindow, 0)
	if en.DepositRate != nil {
		r := en.DepositRate.Over(unit.Year)
		if r < 0 || r > 100 {
			return nil, bad("enshrined.deposit_rate", "expected a yearly rate from 0 to 10000%%/yr, got %g/yr", r)
		}
		if p.Design == "enshrined" {
			cfg.DepositRate = stakingRay(r)
		}
	}
	switch en.DepositFrom {
	case "interest":
	case "issuance":
		cfg.DepositFromIssuance = true
	default:
		return nil, bad("enshrined.deposit_from", "unknown source %q (expected interest or issuance)", en.DepositFrom)
	}
	switch p.Design {
	case "external_hub":
		cfg.Policy = synth.ExternalHub{}
	case "enshrined":
		cfg.Policy = pol
	default:
		return nil, bad("design", "unknown design %q (expected enshrined or external_hub)", p.Design)
	}
	if _, err := synth.New(stakingDummy{}, bp, cfg.Policy, 0); err != nil {
		return nil, bad("loans", "the loan book rejects this configuration: %v", err)
	}
	cfg.Book = bp
	switch p.Mark {
	case "pool":
		cfg.MarkToPool = true
	case "par":
	default:
		return nil, bad("mark", "expected pool (collateral valued at the pool's average price) or par, got %q", p.Mark)
	}

	// Signals and windows.
	var okT, okC, okY bool
	cfg.TWAPSteps, okT = stepsFor("twap", p.TWAP, 24*time.Hour)
	cfg.CascadeSteps, okC = stepsFor("cascade_window", p.CascadeWindow, 0)
	var hl int
	hl, okY = stepsFor("yield_half_life", p.YieldHalfLife, 0)
	if !okT || !okC || !okY {
		return nil, false
	}
	cfg.YieldHalfLife = float64(hl) / float64(cfg.EpochSteps)
	if p.Oracle != "" {
		if p.TWAP != nil {
			return nil, bad("twap", "give twap (the adapter's own average) or oracle, not both")
		}
		k, ok := b.protocol(p.Oracle, c.Node.Get("oracle"), c.Path+".oracle")
		if !ok {
			return nil, false
		}
		if _, isFeed := b.cell.protocols[k].build().(agent.Feed); !isFeed {
			return nil, bad("oracle", "mechanism %q is not an oracle (such as twap_oracle)", p.Oracle)
		}
		cfg.UseOracle, cfg.Oracle = true, k
	}
	switch p.Corruption {
	case "1/3":
		cfg.CorruptionShare = 1.0 / 3
	case "2/3":
		cfg.CorruptionShare = 2.0 / 3
	default:
		return nil, bad("corruption", "expected 1/3 or 2/3 (the share of stake an attacker must control), got %q", p.Corruption)
	}

	// Genesis must fit in the supply.
	var hold [2]uint256.Int
	agentPoolBalances(vs.pool, &hold)
	natK := 0
	if vs.assets[1] == nat {
		natK = 1
	}
	cfg.LPCollateral = 2 * cr
	if p.LPCollateral != nil {
		cfg.LPCollateral = float64(*p.LPCollateral)
		if cfg.LPCollateral < cr {
			return nil, bad("lp_collateral", "the liquidity provider's collateral %g per synthetic is below the collateral ratio %g", cfg.LPCollateral, cr)
		}
	}
	if _, _, _, fits := cfg.GenesisFloat(vs.pool, natK); !fits {
		return nil, bad("supply", "the supply %s cannot fund the pool's %s native and the %g × its synthetic the liquidity provider must stake",
			p.Supply.String(), unit.DecimalOf(hold[natK].Float64()/math.Pow10(dec)).String(), cfg.LPCollateral)
	}

	// Lending market.
	ln := p.Lending
	base, mult, jump := ln.Base.Over(unit.Year), ln.Multiplier.Over(unit.Year), ln.Jump.Over(unit.Year)
	kink, maxU := float64(ln.Kink), float64(ln.MaxUtilization)
	switch {
	case base < 0 || mult < 0 || jump < 0 || base > 100 || mult > 100 || jump > 100:
		return nil, bad("lending", "lending rates must be from 0 to 10000%%/yr")
	case kink <= 0 || kink > 1:
		return nil, bad("lending.kink", "expected a kink above 0 and at most 100%%, got %g", kink)
	case maxU < 0 || maxU > 1:
		return nil, bad("lending.max_utilization", "expected a fraction from 0 to 100%%, got %g", maxU)
	}
	bm, mm, jm, km := stakingMantissa(base), stakingMantissa(mult), stakingMantissa(jump), stakingMantissa(kink)
	cfg.Lending.Model = compound.NewJumpRateModel(&bm, &mm, &jm, &km)
	mu := stakingMantissa(maxU)
	cfg.Lending.MaxUtilization = mu.Uint64()
	cfg.Lending.BlocksPerStep = uint64(math.Round(float64(compound.BlocksPerYear) * float64(step) / float64(unit.Year)))
	if cfg.Lending.BlocksPerStep == 0 {
		return nil, bad("lending", "a step of %s is shorter than one 15-second block of the lending rate model", b.cell.sc.Step)
	}
	if ln.Demand != nil {
		d, err := ln.Demand.Raw(dec)
		if err != nil || ln.Demand.Sign() < 0 || !d.IsUint64() {
			return nil, bad("lending.demand", "expected a non-negative amount below 2^64 raw units, got %s", ln.Demand.String())
		}
		cfg.Lending.Demand = d.Uint64()
	}
	if err := cfg.CheckGenesis(vs.pool, natK); err != nil {
		return nil, bad("", "the chain's genesis fails: %v", err)
	}
	return func() market.Protocol { return &protocol.Staking{Config: cfg} }, true
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// stakingEthRules are a fork's mainnet rules for validators that stand for
// an operator's whole stake: no cap on the effective balance, and an
// increment of one whole token.
func stakingEthRules(f pos.Fork, decimals int) pos.EthRules {
	r := pos.Mainnet(f)
	r.MaxEffectiveBalance = 0
	r.EffectiveBalanceIncrement = uint64(math.Pow10(decimals))
	return r
}

// agentPoolBalances writes a two-token pool's balances, as the adapter
// accounts for them.
func agentPoolBalances(p interface{ NumTokens() int }, dst *[2]uint256.Int) {
	switch q := p.(type) {
	case *uniswapv2.Pair:
		dst[0], dst[1] = q.Reserves()
	case *stableswap.Pool:
		var b, a [2]uint256.Int
		q.Balances(b[:])
		q.AdminBalances(a[:])
		dst[0].Add(&b[0], &a[0])
		dst[1].Add(&b[1], &a[1])
	}
}

// stakingDummy lets the builder validate loan-book parameters without a
// chain.
type stakingDummy struct{}

func (stakingDummy) SharesValue(pos.ValidatorID, uint64) (uint64, error) { return 0, nil }
func (stakingDummy) Lock(pos.ValidatorID, pos.AccountID, uint64) error   { return nil }
func (stakingDummy) Unlock(pos.ValidatorID, pos.AccountID, uint64) error { return nil }
func (stakingDummy) Seize(pos.ValidatorID, pos.AccountID, uint64, pos.Disposition, pos.AccountID) (uint64, error) {
	return 0, nil
}
func (stakingDummy) Bonded() uint64 { return 0 }

// stakingOf resolves the staking mechanism an agent names at key chain.
func (b *builder) stakingOf(c scenario.Entry[scenario.Component], name string) (int, *protocol.Staking, bool) {
	k, ok := b.protocol(name, c.Node.Get("chain"), c.Path+".chain")
	if !ok {
		return 0, nil, false
	}
	s, isStaking := b.cell.protocols[k].build().(*protocol.Staking)
	if !isStaking {
		b.errs.At(c.Node.Get("chain"), c.Path+".chain", "mechanism %q is not a staking chain", name)
		return 0, nil, false
	}
	return k, s, true
}

// stakingDist is an endowment: an amount of tokens, or {pareto: α, min:
// x, max: y}.
type stakingDist struct {
	Amount *unit.Decimal
	Pareto *struct {
		Alpha float64       `yaml:"pareto,required" doc:"Pareto shape alpha of the endowment (lower is more unequal)"`
		Min   unit.Decimal  `yaml:"min,required" doc:"the smallest endowment, the Pareto scale" unit:"tokens"`
		Max   *unit.Decimal `yaml:"max" doc:"the largest endowment (truncation); without it, unbounded" unit:"tokens"`
	}
	node *scenario.Node
}

// DecodeNode implements scenario.NodeDecoder.
func (d *stakingDist) DecodeNode(n *scenario.Node, path string, errs *scenario.Errs) {
	d.node = n
	switch n.Kind {
	case scenario.Scalar:
		x, err := unit.ParseDecimal(n.Text)
		if err != nil {
			errs.At(n, path, "expected an amount of tokens or {pareto: α, min: amount, max: amount}, got %q", n.Text)
			return
		}
		d.Amount = &x
	case scenario.Mapping:
		scenario.Decode(n, &d.Pareto, path, errs)
	default:
		errs.At(n, path, "expected an amount of tokens or {pareto: α, min: amount, max: amount}")
	}
}

// stakingDistOf converts the endowment at key to raw units of a token
// with decimals.
func (b *builder) stakingDistOf(c scenario.Entry[scenario.Component], key string, d *stakingDist, dec int) (agent.StakeDistribution, bool) {
	path := c.Path + "." + key
	raw := func(x unit.Decimal, n *scenario.Node, p string) (uint64, bool) {
		r, err := x.Raw(dec)
		if err != nil || x.Sign() <= 0 || !r.IsUint64() {
			b.errs.At(n, p, "expected a positive amount below 2^64 raw units, got %s", x.String())
			return 0, false
		}
		return r.Uint64(), true
	}
	switch {
	case d.Amount != nil:
		x, ok := raw(*d.Amount, d.node, path)
		return agent.StakeDistribution{Fixed: x}, ok
	case d.Pareto != nil:
		p := d.Pareto
		if !(p.Alpha > 0) || p.Alpha > 100 {
			b.errs.At(d.node.Get("pareto"), path+".pareto", "expected a Pareto tail index above 0 and at most 100, got %g", p.Alpha)
			return agent.StakeDistribution{}, false
		}
		lo, ok := raw(p.Min, d.node.Get("min"), path+".min")
		if !ok {
			return agent.StakeDistribution{}, false
		}
		out := agent.StakeDistribution{Alpha: p.Alpha, Min: lo}
		if p.Max != nil {
			hi, ok := raw(*p.Max, d.node.Get("max"), path+".max")
			if !ok {
				return out, false
			}
			if hi < lo {
				b.errs.At(d.node.Get("max"), path+".max", "max %s is below min %s", p.Max.String(), p.Min.String())
				return out, false
			}
			out.Max = hi
		}
		return out, true
	}
	b.errs.At(c.Node, c.Path, "missing required key %q", key)
	return agent.StakeDistribution{}, false
}

// stakingRange is a fraction or a [low, high] pair.
type stakingRange struct {
	Lo, Hi float64
	node   *scenario.Node
}

// DecodeNode implements scenario.NodeDecoder.
func (r *stakingRange) DecodeNode(n *scenario.Node, path string, errs *scenario.Errs) {
	r.node = n
	parse := func(n *scenario.Node, p string) (float64, bool) {
		if n.Kind != scenario.Scalar {
			errs.At(n, p, "expected a number")
			return 0, false
		}
		f, err := unit.ParseFraction(n.Text)
		if err != nil {
			errs.At(n, p, "%v", err)
			return 0, false
		}
		return float64(f), true
	}
	switch {
	case n.Kind == scenario.Sequence && len(n.Items) == 2:
		lo, ok1 := parse(n.Items[0], path+".0")
		hi, ok2 := parse(n.Items[1], path+".1")
		if ok1 && ok2 {
			r.Lo, r.Hi = lo, hi
		}
	case n.Kind == scenario.Scalar:
		if x, ok := parse(n, path); ok {
			r.Lo, r.Hi = x, x
		}
	default:
		errs.At(n, path, "expected a number or a [low, high] range")
	}
}

// stakingProb converts a yearly event rate to a per-step probability,
// 1 − e^(−rate·step).
func (b *builder) stakingProb(c scenario.Entry[scenario.Component], key string, r *unit.Rate) (float64, bool) {
	if r == nil {
		return 0, true
	}
	x := r.Over(b.cell.sc.Step.Std())
	if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected a non-negative rate such as 2/yr")
		return 0, false
	}
	return -math.Expm1(-x), true
}

// stakingFloor decodes sell_floor: a stated lowest pool price, in native
// per synthetic, a borrower sells down to even above its own break-even
// (default: none, the break-even alone).
func (b *builder) stakingFloor(c scenario.Entry[scenario.Component], f *unit.Fraction) (float64, bool) {
	if f == nil {
		return 0, true
	}
	if *f <= 0 || *f > 1 {
		b.errs.At(c.Node.Get("sell_floor"), c.Path+".sell_floor", "expected a price floor above 0 and at most 100%% of par, got %g", float64(*f))
		return 0, false
	}
	return float64(*f), true
}

func (b *builder) stakingValidators(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Chain           string         `yaml:"chain,required" doc:"the staking mechanism they validate on"`
		Count           *int           `yaml:"count" doc:"operators" unit:"operators" default:"1"`
		Stake           stakingDist    `yaml:"stake,required" doc:"each operator's stake: an amount of tokens, or {pareto, min, max}" unit:"tokens"`
		MaxPerValidator *unit.Decimal  `yaml:"max_per_validator" doc:"the most stake one validator holds; an operator runs as many as its stake needs; without it, one validator each" unit:"tokens"`
		Commission      unit.Fraction  `yaml:"commission" doc:"validators' commission on their delegators' rewards" default:"0"`
		Leverage        *stakingRange  `yaml:"leverage" doc:"target leverage (stake over own capital), a number or a [low, high] range drawn per operator" default:"1"`
		Sell            *unit.Fraction `yaml:"sell" doc:"share of its debt an operator sells for native tokens on the pool (down to its break-even)" default:"50%"`
		Floor           *unit.Fraction `yaml:"sell_floor" doc:"lowest pool price, native per synthetic, a borrower sells down to even above its break-even; without it, the break-even alone"`
		Restake         *bool          `yaml:"restake" doc:"delegate the proceeds of selling borrowed synthetic" default:"true"`
		FaultRate       *unit.Rate     `yaml:"fault_rate" doc:"yearly rate at which one validator faults alone" default:"0/yr"`
		IncidentRate    *unit.Rate     `yaml:"incident_rate" doc:"yearly rate of an operator's correlated incident (all its validators at once)" default:"0/yr"`
		DowntimeRate    *unit.Rate     `yaml:"downtime_rate" doc:"yearly rate at which one validator goes offline" default:"0/yr"`
		ClientBug       *struct {
			Rate  unit.Rate     `yaml:"rate,required" doc:"yearly rate of client bugs"`
			Share unit.Fraction `yaml:"share,required" doc:"probability that a bug catches each operator"`
		} `yaml:"client_bug" doc:"a client bug that strikes at rate and catches each operator with probability share; without it, none"`
		Band      *unit.Fraction `yaml:"band" doc:"operators re-lever only when their debt leaves target times 1 plus or minus band" default:"10%"`
		ForkCost  *unit.Fraction `yaml:"fork_cost" doc:"an operator forks the chain once it has lost this share of its genesis stake; 0 means never" default:"0"`
		Awareness *unit.Fraction `yaml:"risk_awareness" doc:"share of its true incident rate an operator prices into its leverage (0: naive)" default:"100%"`
		FaultAt   *unit.Duration `yaml:"fault_at" doc:"a time at which every operator suffers an incident at once, a whole number of steps; without it, none"`
		Mobility  *unit.Fraction `yaml:"mobility" doc:"share of its stake an operator without debt moves to lending when lending pays more" default:"0"`
		Threshold *unit.Rate     `yaml:"threshold" doc:"the yield gap beyond which operators move between staking and lending" default:"1%/yr"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, s, ok := b.stakingOf(c, p.Chain)
	if !ok {
		return nil, false
	}
	dec := s.Config.Decimals
	g := agent.StakeValidators{Protocol: k, Count: 1}
	for _, fr := range []struct {
		key string
		f   *unit.Fraction
		dst *float64
	}{{"fork_cost", p.ForkCost, &g.ForkCost}, {"mobility", p.Mobility, &g.Mobility}, {"risk_awareness", p.Awareness, &g.RiskAwareness}} {
		if fr.f == nil {
			continue
		}
		if *fr.f < 0 || *fr.f > 1 {
			b.errs.At(c.Node.Get(fr.key), c.Path+"."+fr.key, "expected a fraction from 0 to 100%%, got %g", float64(*fr.f))
			return nil, false
		}
		*fr.dst = float64(*fr.f)
	}
	if p.Threshold != nil {
		g.Threshold = p.Threshold.Over(unit.Year)
		if g.Threshold < 0 {
			b.errs.At(c.Node.Get("threshold"), c.Path+".threshold", "expected a non-negative yield gap such as 1%%/yr")
			return nil, false
		}
	}
	if p.FaultAt != nil {
		step := b.cell.sc.Step.Std()
		at := p.FaultAt.Std()
		if at <= 0 || at%step != 0 || int(at/step) > b.cell.steps {
			b.errs.At(c.Node.Get("fault_at"), c.Path+".fault_at", "expected a time after the start, within the horizon and a whole number of %s steps, got %s", b.cell.sc.Step, *p.FaultAt)
			return nil, false
		}
		g.FaultAt = int(at / step)
	}
	if g.Floor, ok = b.stakingFloor(c, p.Floor); !ok {
		return nil, false
	}
	if !b.stakingCount(c, p.Count, 100000, "operators", &g.Count) {
		return nil, false
	}
	if g.Stake, ok = b.stakingDistOf(c, "stake", &p.Stake, dec); !ok {
		return nil, false
	}
	if !b.stakingAsk(c, k, s, "stake", g.Count, stakingLeast(g.Stake)) {
		return nil, false
	}
	if p.MaxPerValidator != nil {
		r, err := p.MaxPerValidator.Raw(dec)
		if err != nil || p.MaxPerValidator.Sign() <= 0 || !r.IsUint64() {
			b.errs.At(c.Node.Get("max_per_validator"), c.Path+".max_per_validator", "expected a positive amount of tokens, got %s", p.MaxPerValidator.String())
			return nil, false
		}
		g.MaxPerValidator = r.Uint64()
	}
	if p.Commission < 0 || p.Commission > 1 {
		b.errs.At(c.Node.Get("commission"), c.Path+".commission", "expected a commission from 0 to 100%%, got %g", float64(p.Commission))
		return nil, false
	}
	g.Commission = stakingOne(float64(p.Commission))
	if p.Leverage != nil {
		g.LeverageMin, g.LeverageMax = p.Leverage.Lo, p.Leverage.Hi
		if g.LeverageMin < 1 || g.LeverageMax < g.LeverageMin || g.LeverageMax > 100 {
			b.errs.At(p.Leverage.node, c.Path+".leverage", "expected a leverage (stake/equity) of at least 1, or a [low, high] range with 1 ≤ low ≤ high ≤ 100")
			return nil, false
		}
	}
	if p.Sell != nil {
		g.Sell = float64(*p.Sell)
		if g.Sell < 0 || g.Sell > 1 {
			b.errs.At(c.Node.Get("sell"), c.Path+".sell", "expected the share of borrowed synthetic sold, from 0 to 100%%, got %g", g.Sell)
			return nil, false
		}
	}
	if p.Restake != nil {
		g.Restake = *p.Restake
	}
	var ok1, ok2, ok3, ok4 bool
	g.FaultProb, ok1 = b.stakingProb(c, "fault_rate", p.FaultRate)
	g.IncidentProb, ok2 = b.stakingProb(c, "incident_rate", p.IncidentRate)
	g.DowntimeProb, ok3 = b.stakingProb(c, "downtime_rate", p.DowntimeRate)
	ok4 = true
	if p.ClientBug != nil {
		r := p.ClientBug.Rate
		g.BugProb, ok4 = b.stakingProb(c, "client_bug", &r)
		g.BugShare = float64(p.ClientBug.Share)
		if g.BugShare < 0 || g.BugShare > 1 {
			b.errs.At(c.Node.Lookup("client_bug.share"), c.Path+".client_bug.share", "expected the share of operators a bug strikes, from 0 to 100%%, got %g", g.BugShare)
			return nil, false
		}
	}
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, false
	}
	if p.Band != nil {
		g.Band = float64(*p.Band)
		if g.Band < 0 || g.Band > 1 {
			b.errs.At(c.Node.Get("band"), c.Path+".band", "expected a rebalancing band from 0 to 100%%, got %g", g.Band)
			return nil, false
		}
	}
	return func() market.Agent { x := g; return &x }, true
}

func (b *builder) stakingDelegators(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Chain       string         `yaml:"chain,required" doc:"the staking mechanism they delegate on"`
		Count       *int           `yaml:"count" doc:"delegators" unit:"delegators" default:"1"`
		Wealth      stakingDist    `yaml:"wealth,required" doc:"each delegator's wealth: an amount of tokens, or {pareto, min, max}" unit:"tokens"`
		Staked      unit.Fraction  `yaml:"staked" doc:"probability that a delegator starts staking" default:"0"`
		Lent        unit.Fraction  `yaml:"lent" doc:"probability that a delegator starts lending (the rest hold)" default:"0"`
		Inertia     unit.Duration  `yaml:"inertia" doc:"mean time between a delegator's reconsiderations" default:"30d"`
		Threshold   *unit.Rate     `yaml:"threshold" doc:"the yield gain needed to move" default:"1%/yr"`
		Derivatives bool           `yaml:"derivatives" doc:"delegators may also lever: stake, borrow the synthetic, sell it and lend the proceeds" default:"false"`
		LTV         *unit.Fraction `yaml:"ltv" doc:"share of its borrowing limit a levered delegator borrows" default:"50%"`
		Floor       *unit.Fraction `yaml:"sell_floor" doc:"lowest pool price, native per synthetic, at which it sells the synthetic; without it, the break-even alone"`
		Choose      string         `yaml:"choose" doc:"how a validator is chosen: uniform or stake_weighted" default:"uniform"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, s, ok := b.stakingOf(c, p.Chain)
	if !ok {
		return nil, false
	}
	g := agent.StakeDelegators{Protocol: k, Count: 1, Derivatives: p.Derivatives}
	if g.Floor, ok = b.stakingFloor(c, p.Floor); !ok {
		return nil, false
	}
	if !b.stakingCount(c, p.Count, 1000000, "delegators", &g.Count) {
		return nil, false
	}
	if g.Wealth, ok = b.stakingDistOf(c, "wealth", &p.Wealth, s.Config.Decimals); !ok {
		return nil, false
	}
	if !b.stakingAsk(c, k, s, "wealth", g.Count, stakingLeast(g.Wealth)) {
		return nil, false
	}
	if p.Staked < 0 || p.Lent < 0 || p.Staked+p.Lent > 1+1e-12 {
		b.errs.At(c.Node, c.Path, "staked (%g) and lent (%g) must be non-negative fractions adding up to at most 100%%", float64(p.Staked), float64(p.Lent))
		return nil, false
	}
	g.Staked, g.Lent = float64(p.Staked), float64(p.Lent)
	inertia := p.Inertia.Std()
	g.SwitchProb = -math.Expm1(-float64(b.cell.sc.Step.Std()) / float64(inertia))
	if p.Threshold != nil {
		g.Threshold = p.Threshold.Over(unit.Year)
		if g.Threshold < 0 {
			b.errs.At(c.Node.Get("threshold"), c.Path+".threshold", "expected a non-negative yield gap such as 1%%/yr")
			return nil, false
		}
	}
	if p.LTV != nil {
		g.LTV = float64(*p.LTV)
		if g.LTV <= 0 || g.LTV > 1 {
			b.errs.At(c.Node.Get("ltv"), c.Path+".ltv", "expected the share of the borrowing limit used, above 0 and at most 100%%, got %g", g.LTV)
			return nil, false
		}
	}
	switch p.Choose {
	case "uniform":
	case "stake_weighted":
		g.StakeWeighted = true
	default:
		b.errs.At(c.Node.Get("choose"), c.Path+".choose", "expected uniform or stake_weighted, got %q", p.Choose)
		return nil, false
	}
	return func() market.Agent { x := g; return &x }, true
}

func (b *builder) stakingArbitrageur(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Chain   string        `yaml:"chain,required" doc:"the staking mechanism whose pool it arbitrages"`
		Capital unit.Decimal  `yaml:"capital,required" doc:"native tokens it trades with" unit:"tokens"`
		Stake   *unit.Decimal `yaml:"stake" doc:"native tokens delegated to the infrastructure validator, against which it borrows the synthetic; without it, none" unit:"tokens"`
		Margin  unit.Fraction `yaml:"margin" doc:"it trades when the pool price is this far from its value" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, s, ok := b.stakingOf(c, p.Chain)
	if !ok {
		return nil, false
	}
	dec := s.Config.Decimals
	a := agent.StakeArbitrageur{Protocol: k, Margin: float64(p.Margin)}
	raw := func(key string, x unit.Decimal) (uint64, bool) {
		r, err := x.Raw(dec)
		if err != nil || x.Sign() < 0 || !r.IsUint64() {
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected a non-negative amount of tokens below 2^64 raw units, got %s", x.String())
			return 0, false
		}
		return r.Uint64(), true
	}
	if a.Capital, ok = raw("capital", p.Capital); !ok {
		return nil, false
	}
	if p.Stake != nil {
		if a.Stake, ok = raw("stake", *p.Stake); !ok {
			return nil, false
		}
	}
	if !b.stakingMargin(c, a.Margin) {
		return nil, false
	}
	if a.Capital+a.Stake < a.Capital {
		b.errs.At(c.Node.Get("capital"), c.Path+".capital", "capital and stake together exceed 2^64 raw units")
		return nil, false
	}
	if !b.stakingAsk(c, k, s, "capital", 1, a.Capital+a.Stake) {
		return nil, false
	}
	return func() market.Agent { x := a; return &x }, true
}

func (b *builder) synthHolders(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Chain   string        `yaml:"chain,required" doc:"the staking mechanism whose synthetic they hold"`
		Count   *int          `yaml:"count" doc:"holders" unit:"holders" default:"1"`
		Capital stakingDist   `yaml:"capital,required" doc:"each holder's capital: an amount of tokens, or {pareto, min, max}" unit:"tokens"`
		Use     rateSpan      `yaml:"use_yield,required" doc:"each holder's yearly yield from using the synthetic elsewhere, a range (from, to)"`
		Margin  unit.Fraction `yaml:"margin" doc:"the value gap needed to trade" default:"0"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, s, ok := b.stakingOf(c, p.Chain)
	if !ok {
		return nil, false
	}
	g := agent.SynthHolders{Protocol: k, Count: 1, Margin: float64(p.Margin)}
	if !b.stakingCount(c, p.Count, 100000, "holders", &g.Count) {
		return nil, false
	}
	if g.Capital, ok = b.stakingDistOf(c, "capital", &p.Capital, s.Config.Decimals); !ok {
		return nil, false
	}
	if !b.stakingAsk(c, k, s, "capital", g.Count, stakingLeast(g.Capital)) {
		return nil, false
	}
	g.UseMin, g.UseMax = p.Use.From.Over(unit.Year), p.Use.To.Over(unit.Year)
	if g.UseMax < g.UseMin || g.UseMin < -1 || g.UseMax > 100 {
		b.errs.At(c.Node.Get("use_yield"), c.Path+".use_yield", "expected {from, to} yearly yields with from ≤ to, such as {from: 2%%/yr, to: 12%%/yr}")
		return nil, false
	}
	if !b.stakingMargin(c, g.Margin) {
		return nil, false
	}
	return func() market.Agent { x := g; return &x }, true
}

// stakingCount decodes a group's count: from 1 to limit members (default
// 1, already in dst).
func (b *builder) stakingCount(c scenario.Entry[scenario.Component], n *int, limit int, what string, dst *int) bool {
	if n == nil {
		return true
	}
	if *n < 1 || *n > limit {
		b.errs.At(c.Node.Get("count"), c.Path+".count", "expected from 1 to %d %s, got %d", limit, what, *n)
		return false
	}
	*dst = *n
	return true
}

// stakingMargin checks a trader's margin: from 0 to below 100%.
func (b *builder) stakingMargin(c scenario.Entry[scenario.Component], m float64) bool {
	if m < 0 || m >= 1 {
		b.errs.At(c.Node.Get("margin"), c.Path+".margin", "expected a margin from 0 to below 100%%, got %g", m)
		return false
	}
	return true
}
