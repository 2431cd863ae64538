package scenario

import (
	"strings"
	"testing"
)

const armBase = `
name: arms
horizon: 10d
step: 1d
numeraire: USD
assets:
  USD: {decimals: 6}
  ETH: {decimals: 18, price: 2000}
mechanisms:
  pool: {type: uniswap_v2, tokens: [ETH, USD], reserves: [1000, 2_000_000], fee: 0.3%}
  chain: {type: staking, design: external_hub}
`

// An arm or --set may replace a list whole and set a key of a block the
// file leaves out; a value is still placed where the arm names it.
func TestArmsSetListsAndAbsentBlocks(t *testing.T) {
	src := armBase + `
compare:
  shallow: {}
  deep: {mechanisms.pool.reserves: [4000, 8_000_000], mechanisms.chain.enshrined.premium: 5%/yr}
`
	f, err := LoadBytes("arms.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var deep *Cell
	for k := range f.Cells {
		if f.Cells[k].Arm == "deep" {
			deep = &f.Cells[k]
		}
	}
	if deep == nil {
		t.Fatal("no deep arm")
	}
	r := deep.Root.Lookup("mechanisms.pool.reserves")
	if r == nil || r.Kind != Sequence || len(r.Items) != 2 || r.Items[0].Text != "4000" || r.Items[1].Text != "8_000_000" {
		t.Fatalf("reserves in the deep arm: %+v", r)
	}
	if p := deep.Root.Lookup("mechanisms.chain.enshrined.premium"); p == nil || p.Text != "5%/yr" {
		t.Fatalf("premium in the deep arm: %+v", p)
	}
	if p := f.Cells[0].Root.Lookup("mechanisms.chain.enshrined"); f.Cells[0].Arm == "shallow" && p != nil {
		t.Fatalf("the shallow arm gained an enshrined block: %+v", p)
	}

	g, err := LoadBytes("arms.yaml", []byte(armBase), Override{Path: "mechanisms.pool.reserves", Value: "[10, 20_000]"})
	if err != nil {
		t.Fatal(err)
	}
	if r := g.Cells[0].Root.Lookup("mechanisms.pool.reserves"); r == nil || r.Kind != Sequence || r.Items[1].Text != "20_000" {
		t.Fatalf("--set reserves: %+v", r)
	}
	// A new component cannot be made up by an arm.
	_, err = LoadBytes("arms.yaml", []byte(armBase+"\ncompare:\n  x: {mechanisms.nothing.fee: 1%}\n"))
	if err == nil || !strings.Contains(err.Error(), `no parameter "mechanisms.nothing.fee"`) {
		t.Fatalf("arm naming a missing component: %v", err)
	}
}
