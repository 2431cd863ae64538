package psm

import (
	"testing"

	"github.com/holiman/uint256"
)

func u(s string) *uint256.Int { return uint256.MustFromDecimal(s) }

// USDC (6 decimals), tin 0.1%, tout 0.2%, a 10M Dai ceiling, 4M USDC held.
func TestPSMSwaps(t *testing.T) {
	p, err := New(6, u("1000000000000000"), u("2000000000000000"), u("10000000000000000000000000"), u("4000000000000"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		i, j        int
		in          string
		wantIn, out string
		fee, debt   string
		gem         string
		err         error
	}{
		// sellGem 1,000 USDC: 1000e18 less 0.1% = 999e18 Dai.
		{"sell 1000 USDC", Gem, Dai, "1000000000", "1000000000", "999000000000000000000", "1000000000000000000", "4001000000000000000000000", "4001000000000", nil},
		// buyGem with 1,002 Dai: ⌊1002e18·1e18/(1.002e18·1e12)⌋ = 1000e6 USDC for exactly 1002e18.
		{"buy with 1002 Dai", Dai, Gem, "1002000000000000000000", "1002000000000000000000", "1000000000", "2000000000000000000", "4000000000000000000000000", "4000000000000", nil},
		// 1,001.999… Dai buys 999.999999 USDC and costs 999.999999e18·1.002.
		{"buy with 1002 Dai less a wei", Dai, Gem, "1001999999999999999999", "1001999998998000000000", "999999999", "1999999998000000000", "3999000000001000000000000", "3999000000001", nil},
		// Selling 6.001M more USDC would take the debt past 10M.
		{"ceiling", Gem, Dai, "6001000000000", "", "", "", "3999000000001000000000000", "3999000000001", ErrCeiling},
		// The module cannot pay out more USDC than it holds.
		{"drained", Dai, Gem, "5000000000000000000000000", "", "", "", "3999000000001000000000000", "3999000000001", ErrNoGem},
	} {
		tr, err := p.Swap(c.i, c.j, u(c.in))
		if err != c.err {
			t.Fatalf("%s: err %v, want %v", c.name, err, c.err)
		}
		if err == nil && (tr.In.Dec() != c.wantIn || tr.Out.Dec() != c.out || tr.Fee.Dec() != c.fee) {
			t.Errorf("%s: in %s out %s fee %s, want %s %s %s", c.name, tr.In.Dec(), tr.Out.Dec(), tr.Fee.Dec(), c.wantIn, c.out, c.fee)
		}
		d, g := p.Debt(), p.GemHeld()
		if d.Dec() != c.debt || g.Dec() != c.gem {
			t.Errorf("%s: debt %s gem %s, want %s %s", c.name, d.Dec(), g.Dec(), c.debt, c.gem)
		}
	}
}
