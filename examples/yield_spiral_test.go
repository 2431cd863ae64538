package examples_test

import (
	"slices"
	"testing"
)

// The reserve-funded yield and the spiral examples give the same numbers,
// bit for bit, on one worker and on three; and the fixed-rate arm's reserve
// runs dry on the same day on every path (nobody leaves before it does).
func TestYieldAndSpiralDeterministic(t *testing.T) {
	for _, path := range []string{"anchor.yaml", "spiral.yaml", "spiral_strategies.yaml"} {
		_, one := replay(t, path, 3, 1)
		byName, three := replay(t, path, 3, 3)
		if len(one) == 0 || len(one) != len(three) {
			t.Fatalf("%s: %d and %d outcomes", path, len(one), len(three))
		}
		for k := range one {
			if !slices.Equal(one[k], three[k]) {
				t.Fatalf("%s: outcome %d differs between 1 and 3 workers", path, k)
			}
		}
		if path == "anchor.yaml" {
			// Cells: reserve 0.5 bn × (fixed, runway, stepped), then 1 and 2 bn.
			at := byName["anchor.depletion_time"]
			for r := range 3 {
				if at[r] != 76 {
					t.Errorf("fixed arm, 0.5 bn, run %d: reserve dry on day %v, want 76", r, at[r])
				}
			}
		}
	}
}
