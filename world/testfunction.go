package world

import (
	"fmt"
	"math"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/sensitivity"
	"github.com/cascade-risk/cascade/unit"
)

// This file compiles test_function agents: closed-form functions of their
// parameters recorded as a metric, for checking analyses against known
// answers through the scenario path.
//
//	agents:
//	  f: {type: test_function, function: ishigami, x1: 0, x2: 0, x3: 0}

func init() {
	agentBuilders["test_function"] = (*builder).testFunction
}

// testFunctions lists the functions and their inputs.
var testFunctions = map[string][]string{
	"ishigami":     {"x1", "x2", "x3"},
	"g_function":   {"x1", "x2", "x3", "x4", "x5"},
	"loan_default": {"slash", "collateral_ratio", "liquidation_ratio", "volatility"},
}

func (b *builder) testFunction(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Function         string        `yaml:"function,required" doc:"ishigami, g_function or loan_default; each takes its own inputs"`
		X1               unit.Fraction `yaml:"x1" doc:"ishigami and g_function input" default:"0"`
		X2               unit.Fraction `yaml:"x2" doc:"ishigami and g_function input" default:"0"`
		X3               unit.Fraction `yaml:"x3" doc:"ishigami and g_function input" default:"0"`
		X4               unit.Fraction `yaml:"x4" doc:"g_function input" default:"0"`
		X5               unit.Fraction `yaml:"x5" doc:"g_function input" default:"0"`
		Slash            unit.Fraction `yaml:"slash" doc:"loan_default: share of the stake slashed" default:"0"`
		CollateralRatio  unit.Fraction `yaml:"collateral_ratio" doc:"loan_default: collateral value over debt at opening" default:"0"`
		LiquidationRatio unit.Fraction `yaml:"liquidation_ratio" doc:"loan_default: collateral over debt below which the loan is foreclosed" default:"0"`
		Volatility       unit.Fraction `yaml:"volatility" doc:"loan_default: standard deviation of the log price move" default:"0"`
		A                []float64     `yaml:"a" doc:"ishigami: [a] (without it 7); g_function: five a_i (without it 0, 1, 4.5, 9, 99)"`
		B                float64       `yaml:"b" doc:"ishigami: the coefficient b" default:"0.1"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	inputs, ok := testFunctions[p.Function]
	if !ok {
		names := make([]string, 0, len(testFunctions))
		for n := range testFunctions {
			names = append(names, n)
		}
		b.errs.At(c.Node.Get("function"), c.Path+".function", "unknown function %q; expected one of g_function, ishigami, loan_default%s", p.Function, hintFor(p.Function, names))
		return nil, false
	}
	// Keys that belong to another function are mistakes.
	allowed := map[string]bool{"type": true, "function": true}
	for _, in := range inputs {
		allowed[in] = true
	}
	switch p.Function {
	case "ishigami":
		allowed["a"], allowed["b"] = true, true
	case "g_function":
		allowed["a"] = true
	}
	for _, k := range c.Node.Keys {
		if !allowed[k.Text] {
			b.errs.At(k, c.Path+"."+k.Text, "function %s has no input %q; its inputs are %v", p.Function, k.Text, inputs)
			return nil, false
		}
	}
	x := []float64{float64(p.X1), float64(p.X2), float64(p.X3), float64(p.X4), float64(p.X5)}
	var f func(z float64) float64
	doc := ""
	worse := metric.LowerIsWorse
	switch p.Function {
	case "ishigami":
		a, bb := 7.0, p.B
		if len(p.A) > 1 {
			b.errs.At(c.Node.Get("a"), c.Path+".a", "expected one number")
			return nil, false
		}
		if len(p.A) == 1 {
			a = p.A[0]
		}
		f = func(float64) float64 { return sensitivity.Ishigami(x[:3], a, bb) }
		doc = fmt.Sprintf("Ishigami function sin x1 + %g sin² x2 + %g x3⁴ sin x1", a, bb)
		worse = metric.HigherIsWorse
	case "g_function":
		a := p.A
		if len(a) == 0 {
			a = []float64{0, 1, 4.5, 9, 99}
		}
		if len(a) != 5 {
			b.errs.At(c.Node.Get("a"), c.Path+".a", "expected 5 coefficients, one per input, got %d", len(a))
			return nil, false
		}
		for k, v := range x {
			if v < 0 || v > 1 {
				b.errs.At(c.Node.Get(fmt.Sprintf("x%d", k+1)), fmt.Sprintf("%s.x%d", c.Path, k+1), "expected an input from 0 to 1, got %g", v)
				return nil, false
			}
		}
		f = func(float64) float64 { return sensitivity.GFunction(x, a) }
		doc = "Sobol's g-function ∏ (|4x_i − 2| + a_i)/(1 + a_i)"
		worse = metric.HigherIsWorse
	case "loan_default":
		s, cr, lr, vol := float64(p.Slash), float64(p.CollateralRatio), float64(p.LiquidationRatio), float64(p.Volatility)
		switch {
		case s < 0 || s > 1:
			b.errs.At(c.Node.Get("slash"), c.Path+".slash", "expected a slashed fraction from 0%% to 100%%, got %g", s)
			return nil, false
		case cr <= 0 || lr <= 0:
			b.errs.At(c.Node, c.Path, "expected positive collateral_ratio and liquidation_ratio")
			return nil, false
		case vol < 0:
			b.errs.At(c.Node.Get("volatility"), c.Path+".volatility", "expected a non-negative volatility, got %g", vol)
			return nil, false
		}
		f = func(z float64) float64 { return LoanMargin(s, cr, lr, vol, z) }
		doc = "collateral after the slash and a price move over the liquidation threshold, minus 1 (below 0: the loan defaults)"
	}
	return func() market.Agent { return &agent.TestFunction{F: f, Doc: doc, Worse: worse} }, true
}

// LoanMargin is a one-loan model of the staking loans' default condition:
// a loan opened at collateral ratio CR (collateral value over debt) has a
// fraction s of its stake slashed, and the collateral's price then moves by
// the factor exp(σz − σ²/2) (mean 1); the loan is foreclosed when
// collateral falls below the liquidation ratio LR times the debt. The
// margin is
//
//	CR·(1−s)·exp(σz − σ²/2) / LR − 1,
//
// negative exactly when the loan defaults. With σ = 0 it defaults iff
// s > 1 − LR/CR; with z standard normal, P(default) = Φ((ln(LR/(CR(1−s))) + σ²/2)/σ),
// which equals p0 at s* = 1 − (LR/CR)·exp(σ²/2 − σ·Φ⁻¹(p0)).
func LoanMargin(s, cr, lr, vol, z float64) float64 {
	return cr*(1-s)*math.Exp(vol*z-vol*vol/2)/lr - 1
}
