package scenario

import (
	"strings"
	"testing"
)

const discoverBase = `name: d
horizon: 1d
step: 1d
numeraire: USD
assets: {USD: {decimals: 6}}
agents:
  f: {type: test_function, function: ishigami}
regions:
  low: [{metric: f.value, below: 5}]
`

func TestDiscoverBlock(t *testing.T) {
	src := discoverBase + `discover:
  design: saltelli
  samples: 8
  parameters:
    agents.f.x1: {from: -3.14, to: 3.14}
    agents.f.x2: {from: 1%, to: 10%, scale: log}
    agents.f.x3: {from: 1, to: 4, integer: true}
  safe: low
`
	f, err := LoadBytes("d.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d := f.Discover()
	if d == nil || d.DesignName() != "saltelli" || d.SampleCount() != 8 || len(d.Parameters) != 3 {
		t.Fatalf("discover block %+v", d)
	}
	p := d.Parameters[1].Value
	if p.Lo != 1 || p.Hi != 10 || p.Unit != "%" || !p.Log || p.Label(2.5) != "2.5%" {
		t.Errorf("x2 = %+v", p)
	}
	g, err := f.WithPoints([]DiscoverPoint{{0.5, 2.5, 3}, {-1, 1, 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Cells) != 2 || g.Cells[1].Point != 1 || g.Cells[0].Params[1].Label != "2.5%" || g.Cells[0].Params[1].Value != 0.025 {
		t.Fatalf("cells %+v", g.Cells)
	}
	if got := g.Cells[0].Root.Lookup("agents.f.x3").Text; got != "3" {
		t.Errorf("x3 set to %q", got)
	}
	if g.Discover() == nil {
		t.Error("cells lost the discover block")
	}
}

func TestDiscoverErrors(t *testing.T) {
	tests := []struct{ block, want string }{
		{"discover:\n  design: sobl\n  parameters: {agents.f.x1: {from: 0, to: 1}}\n", `d.yaml:11:11: discover.design: expected one of sobol, lhs, uniform, saltelli, morris, got "sobl"; did you mean "sobol"?`},
		{"discover:\n  parameters: {agents.f.x1: {from: 1, to: 0}}\n", "d.yaml:11:43: discover.parameters.agents.f.x1.to: expected to above from"},
		{"discover:\n  parameters: {agents.f.x1: {from: 0, to: 1, scale: log}}\n", "discover.parameters.agents.f.x1.from: a log-scaled range needs positive ends"},
		{"discover:\n  parameters: {agents.f.x1: {from: 1%, to: 2}}\n", `expected the same unit as from ("%"), got ""`},
		{"discover:\n  parameters: {agents.g.x1: {from: 0, to: 1}}\n", `d.yaml:11:16: discover.parameters.agents.g.x1: no parameter "agents.g.x1"`},
		{"discover:\n  parameters: {agents.f.x1: {from: 0, to: 1}}\n  safe: hi\n", `d.yaml:12:9: discover.safe: no region "hi" under regions:`},
		{"discover:\n  parameters: {agents.f.x1: {from: 0.5, to: 3, integer: true}}\n", "an integer range needs whole ends"},
		{"discover:\n  parameters: {agents.f.x1: {from: 0, to: 1}}\n  boundary: {along: agents.f.x2, max_failure: 5%}\n  safe: low\n", `discover.boundary.along: "agents.f.x2" is not among the discover parameters`},
		{"discover:\n  parameters: {agents.f.x1: {from: 0, to: 1}}\n  boundary: {along: agents.f.x1, max_failure: 5%}\n", "a boundary search needs safe:"},
		{"discover:\n  parameters: {agents.f.x1: {from: 0, to: 1}}\nsweep: {agents.f.x2: [1, 2]}\n", "a scenario with a discover: block has no sweep:"},
		{"discover:\n  samples: 8\n", `missing required key "parameters"`},
	}
	for _, tt := range tests {
		_, err := LoadBytes("d.yaml", []byte(discoverBase+tt.block))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s\ngot  %v\nwant %s", tt.block, err, tt.want)
		}
	}
}
