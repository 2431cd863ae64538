package world

import (
	"math"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/spiral"
	"github.com/cascade-risk/cascade/unit"
)

// This file compiles Klages-Mundt & Minca's deleveraging-spiral model: the
// stablecoin market (spiral) and its speculator (spiral_speculator).

func init() {
	protocolBuilders["spiral"] = (*builder).spiralMarket
	agentBuilders["spiral_speculator"] = (*builder).spiralSpeculator
}

func (b *builder) spiralMarket(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p struct {
		Collateral       string        `yaml:"collateral,required" doc:"the collateral asset (ETH in the paper) whose price a process drives"`
		CollateralAmount float64       `yaml:"collateral_amount,required" doc:"the speculator's collateral at the start, whole tokens" unit:"tokens"`
		Supply           float64       `yaml:"supply,required" doc:"stablecoins outstanding at the start" unit:"stablecoins"`
		LiquidationRatio unit.Fraction `yaml:"liquidation_ratio,required" doc:"the collateral ratio beta below which the speculator must deleverage, above 100%"`
		Demand           float64       `yaml:"demand" doc:"constant stablecoin demand in dollars (or give demand_share)" unit:"numeraire" default:"0"`
		DemandShare      unit.Fraction `yaml:"demand_share" doc:"stablecoin demand as a share of the holders' wealth (or give demand)" default:"0"`
		HolderCollateral float64       `yaml:"holder_collateral" doc:"demand_share: the holders' collateral, whole tokens" unit:"tokens" default:"0"`
		Price            float64       `yaml:"price" doc:"demand_share: the stablecoin's starting price; 0 lets the market clear it" unit:"numeraire" default:"0"`
		FailurePrice     float64       `yaml:"failure_price" doc:"the stablecoin has failed once its price stays below this for failure_steps steps" unit:"numeraire" default:"0.5"`
		FailureSteps     int           `yaml:"failure_steps" doc:"steps below failure_price that count as failure; 0 means no depeg rule" unit:"steps" default:"2"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	a, ok := b.asset(p.Collateral, c.Node.Get("collateral"), c.Path+".collateral")
	if !ok {
		return nil, false
	}
	bad := func(key, format string, args ...any) (func() market.Protocol, bool) {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, format, args...)
		return nil, false
	}
	switch {
	case !(p.CollateralAmount > 0) || p.CollateralAmount > 1e15:
		return bad("collateral_amount", "expected the speculator's collateral in whole tokens, above 0 and at most 1e15, got %g", p.CollateralAmount)
	case !(p.Supply > 0) || p.Supply > 1e15:
		return bad("supply", "expected a stablecoin supply above 0 and at most 1e15 coins, got %g", p.Supply)
	case !(p.LiquidationRatio > 1) || p.LiquidationRatio > 100:
		return bad("liquidation_ratio", "expected a liquidation ratio above 100%% (β > 1), got %g", float64(p.LiquidationRatio))
	case p.DemandShare == 0 && (!(p.Demand > 0) || p.Demand > 1e15):
		return bad("demand", "expected a constant dollar demand above 0 (or demand_share: for wealth-share demand), got %g", p.Demand)
	case p.DemandShare != 0 && p.Demand != 0:
		return bad("demand", "give demand (constant dollars) or demand_share (a share of holders' wealth), not both")
	case p.DemandShare < 0 || p.DemandShare >= 1:
		return bad("demand_share", "expected a share of wealth from above 0 to below 100%%, got %g", float64(p.DemandShare))
	case p.DemandShare == 0 && (p.HolderCollateral != 0 || p.Price != 0):
		return bad("demand", "holder_collateral and price apply to wealth-share demand (demand_share:)")
	case p.DemandShare > 0 && (!(p.HolderCollateral > 0) || p.HolderCollateral > 1e15):
		return bad("holder_collateral", "expected the holders' collateral in whole tokens, above 0 and at most 1e15, got %g", p.HolderCollateral)
	}
	sys := spiral.System{Beta: float64(p.LiquidationRatio), Demand: spiral.Demand{Dollars: p.Demand, Share: float64(p.DemandShare)},
		FailPrice: p.FailurePrice, FailSteps: p.FailureSteps}
	if !(p.FailurePrice >= 0) || p.FailurePrice >= 1 {
		return bad("failure_price", "expected a price from 0 to below 1, got %g", p.FailurePrice)
	}
	if p.FailureSteps < 0 || p.FailureSteps > 1_000_000 {
		return bad("failure_steps", "expected from 0 (no depeg rule) to 1000000 steps, got %d", p.FailureSteps)
	}
	pd0 := p.Price
	if !(pd0 >= 0) || pd0 > 1e6 {
		return bad("price", "expected a positive starting price, got %g", pd0)
	}
	// The starting ETH price is the process's; check the rest at price 1.
	probe := sys
	if err := probe.Open(p.Supply, p.CollateralAmount, p.HolderCollateral, 1, pd0); err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, false
	}
	s := protocol.Spiral{Initial: sys, Collateral: a, L0: p.Supply, N0: p.CollateralAmount, NBar0: p.HolderCollateral, PD0: pd0}
	return func() market.Protocol { ss := s; return &ss }, true
}

func (b *builder) spiralSpeculator(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Market         string        `yaml:"market,required" doc:"the spiral market it speculates in"`
		Risk           string        `yaml:"risk" doc:"its risk constraint on leverage: none, var_normal, var_heavy or power" default:"none"`
		Level          unit.Fraction `yaml:"level" doc:"var_normal and var_heavy: the VaR level, such as 1%" default:"0"`
		Alpha          float64       `yaml:"alpha" doc:"power: the constraint's scale, leverage bound exp(-alpha times the volatility estimate to the power 2 exponent)" default:"0"`
		Exponent       float64       `yaml:"exponent" doc:"power: the exponent (negative is anticyclical)" default:"0"`
		Floor          unit.Rate     `yaml:"volatility_floor" doc:"the least volatility the estimate takes" default:"0%/yr"`
		Memory         unit.Fraction `yaml:"memory" doc:"weight of the newest observation in the drift and volatility estimates (exponential smoothing)" default:"10%"`
		ExpectedReturn *unit.Rate    `yaml:"expected_return" doc:"a fixed expected return of the collateral; without it, the estimated drift"`
		Drift          unit.Rate     `yaml:"drift" doc:"the starting drift estimate" default:"0%/yr"`
		Volatility     unit.Rate     `yaml:"volatility" doc:"the starting volatility estimate" default:"0%/yr"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, _, ok := protocolOf[*protocol.Spiral](b, p.Market, c.Node.Get("market"), c.Path+".market", "a spiral market")
	if !ok {
		return nil, false
	}
	bad := func(key, format string, args ...any) (func() market.Agent, bool) {
		b.errs.At(c.Node.Get(key), c.Path+"."+key, format, args...)
		return nil, false
	}
	step := b.cell.sc.Step.Std()
	rule := spiral.Speculator{Memory: float64(p.Memory), Sigma0: p.Floor.OverSqrt(step)}
	if p.Memory <= 0 || p.Memory > 1 {
		return bad("memory", "expected a weight of the newest observation above 0 and at most 100%%, got %g", float64(p.Memory))
	}
	levelOK := func(hi float64) bool { return p.Level > 0 && float64(p.Level) < hi }
	switch p.Risk {
	case "none":
		if p.Level != 0 || p.Alpha != 0 || p.Exponent != 0 {
			return bad("risk", "level, alpha and exponent need a risk constraint (var_normal, var_heavy or power)")
		}
	case "var_normal":
		if !levelOK(0.5) {
			return bad("level", "expected a VaR level from above 0 to below 50%%, got %g", float64(p.Level))
		}
		rule.Alpha, rule.B = spiral.NormalQuantile(float64(p.Level)), 0.5
	case "var_heavy":
		if !levelOK(1) {
			return bad("level", "expected a VaR level from above 0 to below 100%%, got %g", float64(p.Level))
		}
		rule.Alpha, rule.B = spiral.HeavyQuantile(float64(p.Level)), 0.5
	case "power":
		if !(p.Alpha > 0) || p.Exponent == 0 || math.Abs(p.Exponent) > 10 {
			return bad("alpha", "a power constraint λ̃ = exp(−alpha·σ̂^(2·exponent)) needs alpha > 0 and a non-zero exponent from −10 to 10, got %g and %g", p.Alpha, p.Exponent)
		}
		rule.Alpha, rule.B = p.Alpha, p.Exponent
	default:
		return bad("risk", "expected none, var_normal, var_heavy or power, got %q", p.Risk)
	}
	if p.Risk != "power" && (p.Alpha != 0 || p.Exponent != 0) {
		return bad("alpha", "alpha and exponent apply to risk: power")
	}
	if p.ExpectedReturn != nil {
		r := 1 + p.ExpectedReturn.Over(step)
		if !(r > 0) {
			return bad("expected_return", "expected a return per step above −100%%, got %g", r-1)
		}
		rule.Fixed = r
	}
	sigma := p.Volatility.OverSqrt(step)
	if p.Volatility.Value < 0 || p.Floor.Value < 0 {
		return bad("volatility", "expected non-negative volatilities")
	}
	if rule.Alpha != 0 && rule.B < 0 && sigma == 0 && rule.Sigma0 == 0 {
		return bad("volatility", "an anticyclical constraint (exponent < 0) needs a starting volatility estimate above 0")
	}
	s := agent.SpiralSpeculator{Market: k, Rule: rule, Mu0: p.Drift.Over(step), Var0: sigma * sigma}
	return func() market.Agent { ss := s; return &ss }, true
}
