package world

import (
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
)

// Endowments every run asks for at the least (counts × smallest draws,
// fixed amounts) beyond the float the supply leaves are a scenario error
// at the group that crosses it, with its file position, in the cell that
// has it; what is drawn above that is scaled at genesis instead.
func TestStakingGenesisAskErrors(t *testing.T) {
	base := strings.Replace(posScenario, "DESIGN", "external_hub", 1)
	// The float of a 2M supply: 2M − 50k (pool) − 125k (the LP's stake,
	// 2 × 125% × 50k) = 1.825M. The least asked: 12 × 10k, 300k, 60 × 500
	// and 200k: 650k.
	for _, c := range []struct{ name, src, want string }{
		{"supply", strings.Replace(base, "supply: 2_000_000", "supply: 800_000", 1),
			"test.yaml:51:55: agents.arb.capital: the agents ask at least 650000 tokens at genesis (1 × 200000 here, 450000 before), more than the 625000 the chain's supply of 800000 leaves"},
		{"whale", strings.Replace(base, "stake: 300_000,", "stake: 1_800_000,", 1),
			"agents.whale.stake: the agents ask at least 1920000 tokens at genesis (1 × 1800000 here, 120000 before), more than the 1825000"},
		{"sweep", base + "sweep:\n  mechanisms.chain.supply: [2_000_000, 800_000]\n",
			"agents.arb.capital: the agents ask at least 650000 tokens at genesis (1 × 200000 here, 450000 before), more than the 625000 the chain's supply of 800000"},
	} {
		f, err := scenario.LoadBytes("test.yaml", []byte(c.src))
		if err == nil {
			_, err = Compile(f)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	// The least asked exactly at the float compiles.
	ok := strings.Replace(base, "supply: 2_000_000", "supply: 825_000", 1)
	if f, err := scenario.LoadBytes("test.yaml", []byte(ok)); err != nil {
		t.Fatal(err)
	} else if _, err := Compile(f); err != nil {
		t.Fatalf("least asked = float: %v", err)
	}
}
