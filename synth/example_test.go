package synth_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// The brief's loan: a validator with 100 bonded tokens borrows 25 synthetic
// against them. A double-signing slash halves its stake; the loan defaults,
// the protocol deletes the debt and burns the collateral, and the
// synthetic the validator still holds is now unbacked (the deficit) until
// the protocol buys it back and burns it.
func Example() {
	cfg := pos.CosmosConfig()
	cfg.Issuance = pos.Issuance{}
	cfg.Cosmos.SlashFractionDoubleSign = pos.One / 2
	chain, _ := pos.New(cfg, []uint64{100e6})
	v, _ := chain.AddValidator(0, 0, 100e6)

	book, err := synth.New(chain, synth.Params{
		CollateralRatio:  synth.Fraction(4, 1), // borrow up to 1/4 of the stake
		LiquidationRatio: synth.Fraction(5, 2), // default below 2.5 × debt
		Curve:            synth.RateCurve{{Rate: synth.Fraction(5, 100)}},
		EpochsPerYear:    365,
		Disposition:      pos.Burn,
		DefaultWindow:    30,
	}, synth.Enshrined{HaltDefaultRate: synth.Fraction(10, 100)}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, _ := book.Borrow(0, 0, v, 100e6, *uint256.NewInt(25e6), synth.RayOne())
	bal := book.Balance(0)
	fmt.Println("borrowed:", bal.Dec())

	_, _ = chain.Slash(pos.DoubleSign, v, 0, pos.NoValidator)
	rep, _ := book.Step(10, synth.Observation{Price: synth.RayOne()})
	loan, _ := book.Loan(id)
	fmt.Println("loan:", loan.Status, "collateral burned:", chain.Ledger().BurnedForeclosure)
	// The policy saw the signals before this Step's foreclosure; at the
	// next Step the default rate is 100% and new loans halt.
	fmt.Println("halted:", rep.Action.Halt)
	rep, _ = book.Step(11, synth.Observation{Price: synth.RayOne()})
	fmt.Println("halted:", rep.Action.Halt)

	tot := book.Totals()
	one := synth.RayOne()
	var deficit uint256.Int
	fmt.Println("unbacked synthetic:", deficit.Div(&tot.Deficit, &one).Dec())
	fmt.Println("checks:", chain.Check(), book.Check())
	// Output:
	// borrowed: 25000000
	// loan: foreclosed collateral burned: 50000000
	// halted: false
	// halted: true
	// unbacked synthetic: 25034267
	// checks: <nil> <nil>
}
