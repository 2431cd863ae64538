package boundary_test

import (
	"math"
	"testing"

	"github.com/cascade-risk/cascade/boundary"
	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/synth"
	"github.com/holiman/uint256"
)

// defaults reports whether a loan of the staking-derivatives book, opened
// at the collateral ratio cr (borrowing the most it allows against 100
// staked tokens at par), is in default after a double-sign slash of
// fraction slash (in units of pos.One): the exact integer mechanism.
func defaults(t *testing.T, crNum, crDen, lrNum, lrDen uint64, slash uint64) bool {
	t.Helper()
	cfg := pos.CosmosConfig()
	cfg.Issuance = pos.Issuance{}
	cfg.Cosmos.SlashFractionDoubleSign = slash
	chain, err := pos.New(cfg, []uint64{100e6})
	if err != nil {
		t.Fatal(err)
	}
	v, err := chain.AddValidator(0, 0, 100e6)
	if err != nil {
		t.Fatal(err)
	}
	book, err := synth.New(chain, synth.Params{
		CollateralRatio: synth.Fraction(crNum, crDen), LiquidationRatio: synth.Fraction(lrNum, lrDen),
		Curve: synth.RateCurve{{Rate: synth.Fraction(5, 100)}}, EpochsPerYear: 365, Disposition: pos.Burn, DefaultWindow: 30,
	}, synth.Enshrined{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	id, err := book.Borrow(0, 0, v, 100e6, *uint256.NewInt(100e6 * crDen / crNum), synth.RayOne())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain.Slash(pos.DoubleSign, v, 0, pos.NoValidator); err != nil {
		t.Fatal(err)
	}
	in, err := book.InDefault(id, synth.RayOne())
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestSynthDefaultBoundary bisects the slash fraction on a grid of 1001
// values (0, 0.1%, …, 100%) for the synth book's own default check and
// finds the closed-form boundary s* = 1 − LR/CR (default iff
// (1 − s)·CR < LR) to the grid step, settling about log2(1001) + 2 ≈ 12
// points where a grid settles 1001.
func TestSynthDefaultBoundary(t *testing.T) {
	const r = 1001
	for _, c := range []struct{ crNum, crDen, lrNum, lrDen uint64 }{
		{4, 1, 5, 2}, // the brief's loan: 25 borrowed against 100, default below 2.5× debt
		{3, 2, 5, 4},
		{2, 1, 5, 4},
		{5, 2, 6, 5},
	} {
		cr, lr := float64(c.crNum)/float64(c.crDen), float64(c.lrNum)/float64(c.lrDen)
		sStar := 1 - lr/cr
		line := boundary.NewLine(r)
		for {
			i, ok := line.Next()
			if !ok {
				break
			}
			v := boundary.Safe
			if defaults(t, c.crNum, c.crDen, c.lrNum, c.lrDen, pos.One/1000*uint64(i)) {
				v = boundary.Unsafe
			}
			line.Record(i, v)
		}
		o, s, u := line.Result()
		safe, unsafe := float64(s)/1000, float64(u)/1000
		t.Logf("CR %g, LR %g: safe up to %.3f, default from %.3f; closed form s* = %.6f; %d of %d grid points settled",
			cr, lr, safe, unsafe, sStar, line.Evaluated(), r)
		// Default needs s > s*; debt is rounded down when borrowed, which
		// moves the edge up by at most 1e-8.
		if o != boundary.Crossing || !line.Increasing() || safe > sStar+1e-8 || unsafe <= sStar || unsafe-safe > 0.0011 {
			t.Errorf("bracket [%.3f, %.3f] does not hold s* = %.6f to one step", safe, unsafe, sStar)
		}
		if want := int(math.Ceil(math.Log2(r))) + 2; line.Evaluated() > want || r < 10*line.Evaluated() {
			t.Errorf("%d points settled", line.Evaluated())
		}
	}
}
