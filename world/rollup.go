package world

import (
	"math"
	"time"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/rollup"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

// This file compiles an application rollup's unit economics (rollup) and
// its users (rollup_users).

// The rollup adapter is what rollup users expect.
var _ agent.RollupChain = (*protocol.Rollup)(nil)

func init() {
	protocolBuilders["rollup"] = (*builder).rollupChain
	agentBuilders["rollup_users"] = (*builder).rollupUsers
}

type rollupParams struct {
	Gas          string        `yaml:"gas" doc:"a signal giving the L1 gas price in gwei; without it, reference_gas throughout"`
	ReferenceGas float64       `yaml:"reference_gas,required" doc:"the L1 gas price at which the ETH costs below are quoted" unit:"gwei"`
	Deployment   float64       `yaml:"deployment" doc:"cost of deploying the rollup's contracts, paid once, at the reference gas price" unit:"ETH" default:"0"`
	Posting      unit.Rate     `yaml:"posting,required" doc:"cost of posting batches and state roots per unit of time, such as 0.5/day, in ETH at the reference gas price, whatever the transactions"`
	DataPerTx    float64       `yaml:"data_per_tx,required" doc:"cost of posting one transaction's data at the reference gas price" unit:"ETH"`
	DataCost     unit.Fraction `yaml:"data_cost" doc:"multiplier on the gas of posting and of transaction data: 100% for calldata, 10% for a tenfold cut (blobs)" default:"100%"`
	Price        float64       `yaml:"price" doc:"flat fee per transaction (give price or markup)" unit:"ETH" default:"0"`
	Markup       float64       `yaml:"markup" doc:"fee per transaction over its current data cost (give price or markup)" unit:"ETH" default:"0"`
	Operations   unit.Rate     `yaml:"operations" doc:"the operator's own cost per unit of time (sequencer, nodes, staff), in ETH, such as 1/day" default:"0/day"`
	ETH          string        `yaml:"eth" doc:"the asset costs and fees are paid in; without it, the numeraire"`
	Sequencer    struct {
		Fee          unit.Rate     `yaml:"fee" doc:"the sequencer service's fee per unit of time, in ETH" default:"0/day"`
		RevenueShare unit.Fraction `yaml:"revenue_share" doc:"share of revenue the sequencer service takes" default:"0"`
	} `yaml:"sequencer" doc:"a sequencer service: its fee and revenue share"`
	Framework struct {
		RevenueShare unit.Fraction `yaml:"revenue_share" doc:"share of revenue the framework takes" default:"0"`
		ProfitShare  unit.Fraction `yaml:"profit_share" doc:"share of profit (revenue less L1 costs) the framework takes" default:"0"`
	} `yaml:"framework" doc:"the framework's take: the greater of revenue_share of revenue and profit_share of profit (OP Stack: 2.5% or 15%)"`
}

// Check validates the values a designer would mistype.
func (p *rollupParams) Check(c *scenario.Check) {
	if !(p.ReferenceGas > 0) || p.ReferenceGas > 1e6 {
		c.Errorf("reference_gas", "expected a gas price above 0 and at most 1e6 gwei, got %g", p.ReferenceGas)
	}
	for key, v := range map[string]float64{"deployment": p.Deployment, "data_per_tx": p.DataPerTx, "price": p.Price, "markup": p.Markup,
		"posting": p.Posting.Value, "operations": p.Operations.Value, "sequencer.fee": p.Sequencer.Fee.Value} {
		if !(v >= 0) || v > 1e9 {
			c.Errorf(key, "expected an amount from 0 to 1e9, got %g", v)
		}
	}
	if (p.Price > 0) == (p.Markup > 0) {
		c.Errorf("", "give price (a flat fee per transaction, ETH) or markup (ETH per transaction over its data cost), one of them")
	}
	if p.DataCost <= 0 || p.DataCost > 100 {
		c.Errorf("data_cost", "expected a data-cost multiplier above 0 and at most 10000%%, got %g", float64(p.DataCost))
	}
	for key, f := range map[string]unit.Fraction{"sequencer.revenue_share": p.Sequencer.RevenueShare, "framework.revenue_share": p.Framework.RevenueShare, "framework.profit_share": p.Framework.ProfitShare} {
		if f < 0 || f > 1 {
			c.Errorf(key, "expected a share from 0 to 100%%, got %g", float64(f))
		}
	}
	if p.Sequencer.RevenueShare+p.Framework.RevenueShare > 1 {
		c.Errorf("framework.revenue_share", "the sequencer's and the framework's revenue shares add up to more than 100%%")
	}
}

// gasUnits converts an ETH amount quoted at refGwei into gas units.
func gasUnits(eth, refGwei float64) uint64 { return uint64(math.Round(eth * 1e9 / refGwei)) }

func (b *builder) rollupChain(c scenario.Entry[scenario.Component]) (func() market.Protocol, bool) {
	var p rollupParams
	if !b.decode(c, &p) {
		return nil, false
	}
	step := b.cell.sc.Step.Std()
	dayFrac := float64(step) / float64(24*time.Hour)
	r := protocol.Rollup{Gas: -1, ETH: -1, RefGas: uint64(math.Round(p.ReferenceGas * 1e9)), StepDays: dayFrac,
		ServiceFee: p.Sequencer.Fee.Over(step)}
	if p.Gas != "" {
		g, ok := b.signal(p.Gas, c.Node.Get("gas"), c.Path+".gas")
		if !ok {
			return nil, false
		}
		r.Gas = g
	}
	if p.ETH != "" {
		a, ok := b.asset(p.ETH, c.Node.Get("eth"), c.Path+".eth")
		if !ok {
			return nil, false
		}
		if a != b.cell.numeraire {
			r.ETH = a
		}
	}
	bps := func(f unit.Fraction) int64 { return int64(math.Round(float64(f) * rollup.BPS)) }
	gwei := func(eth float64) rollup.Gwei { return rollup.Gwei(math.Round(eth * rollup.GweiPerETH)) }
	dc := uint64(math.Round(float64(p.DataCost) * rollup.PPM))
	r.Config = rollup.Config{
		DeployGas:        gasUnits(p.Deployment, p.ReferenceGas),
		PostingGas:       gasUnits(p.Posting.Over(step), p.ReferenceGas),
		TxGas:            gasUnits(p.DataPerTx, p.ReferenceGas),
		DataCost:         dc,
		Price:            gwei(p.Price),
		Markup:           gwei(p.Markup),
		Operations:       gwei(p.Operations.Over(step)),
		ServiceShare:     bps(p.Sequencer.RevenueShare),
		FrameworkRevenue: bps(p.Framework.RevenueShare),
		FrameworkProfit:  bps(p.Framework.ProfitShare),
	}
	if err := r.Config.Validate(); err != nil {
		b.errs.At(c.Node, c.Path, "%v", err)
		return nil, false
	}
	return func() market.Protocol { rr := r; return &rr }, true
}

func (b *builder) rollupUsers(c scenario.Entry[scenario.Component]) (func() market.Agent, bool) {
	var p struct {
		Chain          string  `yaml:"chain,required" doc:"the rollup they transact on"`
		Demand         string  `yaml:"demand,required" doc:"a signal giving their transactions per day"`
		Elasticity     float64 `yaml:"elasticity" doc:"price elasticity of demand: transactions scale by (fee / reference_price) to the power -elasticity; 0 means inelastic" default:"0"`
		ReferencePrice float64 `yaml:"reference_price" doc:"the fee at which demand is as the signal says (needed with elasticity)" unit:"ETH per transaction"`
	}
	if !b.decode(c, &p) {
		return nil, false
	}
	k, _, ok := protocolOf[*protocol.Rollup](b, p.Chain, c.Node.Get("chain"), c.Path+".chain", "a rollup")
	if !ok {
		return nil, false
	}
	d, ok := b.signal(p.Demand, c.Node.Get("demand"), c.Path+".demand")
	if !ok {
		return nil, false
	}
	switch {
	case !(p.Elasticity >= 0) || p.Elasticity > 100:
		b.errs.At(c.Node.Get("elasticity"), c.Path+".elasticity", "expected a price elasticity from 0 to 100, got %g", p.Elasticity)
		return nil, false
	case p.Elasticity > 0 && !(p.ReferencePrice > 0):
		b.errs.At(c.Node, c.Path, "an elasticity needs reference_price (ETH per transaction at which demand is the signal's)")
		return nil, false
	}
	u := agent.RollupUsers{Chain: k, Demand: d, StepDays: float64(b.cell.sc.Step.Std()) / float64(24*time.Hour),
		Elasticity: p.Elasticity, RefPrice: p.ReferencePrice}
	return func() market.Agent { uu := u; return &uu }, true
}
