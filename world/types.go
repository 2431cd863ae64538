package world

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

// TypeInfo describes one component type a scenario may use: its section
// (process, mechanism or agent), its type: name, a one-line description and
// the keys its decoder accepts.
//
// The keys are not written down twice: Types runs each type's own builder
// with a recording decoder, which captures the parameter struct the builder
// hands to scenario.Decode and stops there. A type registered in
// protocolBuilders or agentBuilders, or listed in processTypes,
// mechanismTypes or agentTypes, appears without further work.
type TypeInfo struct {
	Section string
	Name    string
	Doc     string
	Keys    []scenario.Key
	// Params is the parameter struct type the decoder fills.
	Params reflect.Type
}

// typeDocs are the one-line descriptions of the types; a type without one
// is listed with its keys only.
var typeDocs = map[string]string{
	"gbm":                 "geometric Brownian motion of one asset's price",
	"correlated_gbm":      "several assets' prices, correlated GBM (Cholesky of the correlation matrix)",
	"jump_diffusion":      "Merton jump-diffusion: GBM with Poisson jumps of normal log-size",
	"student_t":           "log-returns from Student's t (fat tails), volatility the log-return s.d.",
	"replay":              "plays recorded prices from a CSV file, resampled to the step",
	"bootstrap":           "block bootstrap of historical log-returns from a CSV file",
	"uniswap_v2":          "Uniswap v2 constant-product pool, exact integer math",
	"uniswap_v3":          "Uniswap v3 concentrated-liquidity pool with positions",
	"stableswap":          "Curve StableSwap pool (amplification, D invariant)",
	"weighted":            "Balancer weighted pool",
	"chainlink_oracle":    "Chainlink-style oracle: new round on deviation or heartbeat, seen with lag",
	"twap_oracle":         "time-weighted average price of a pool over a window",
	"aave":                "Aave v3.0 lending market in its integers",
	"compound":            "Compound v2 lending market, jump-rate model",
	"maker":               "MakerDAO Vat, Jug, Dog and Clipper (Liquidations 2.0)",
	"terra_market":        "Terra Classic market module (mint/burn swaps against LUNA)",
	"yield_source":        "a deposit rate falling linearly over time",
	"staking":             "Proof-of-Stake chain with staking-derivative loans against stake",
	"arbitrageur":         "trades pools back to the external price when profitable after fees and gas",
	"noise_trader":        "random trades of lognormal size at a Poisson rate",
	"passive_lp":          "holds a pool's liquidity; reports LP value against holding",
	"treasury":            "holds an asset, optionally hedged by a rolling collar",
	"borrowers":           "lending positions at target health factors, optionally looped",
	"liquidator":          "liquidates unhealthy positions and sells the collateral on a venue",
	"vault_owners":        "Maker vaults at target collateral ratios",
	"keeper":              "Maker keeper: barks, redoes and takes auctions",
	"stablecoin_holders":  "holders who redeem when the peg breaks or yield falls",
	"pos_validators":      "validators and operators who stake, borrow and fault",
	"pos_delegators":      "delegators who move between staking, lending and derivatives",
	"pos_arbitrageur":     "arbitrages the synthetic's pool against minting and redeeming",
	"deposit":             "a stablecoin deposit protocol paying a target rate, subsidised from a reserve",
	"funding_rounds":      "quadratic-funding rounds matching donations from a pool",
	"liquid_staking":      "a liquid-staking token: a share of a staked pool with rewards, slashing and a withdrawal queue",
	"peg":                 "records a pegged asset's market price where no mechanism of its own does",
	"psm":                 "Maker peg stability module: swaps a gem one to one for the stablecoin, with fees",
	"rollup":              "an application rollup's unit economics: L1 posting costs, fees and shares",
	"shared_security":     "a market in which consumer chains rent the provider chain's validators",
	"spiral":              "Klages-Mundt and Minca's stablecoin with a leveraged speculator (deleveraging spirals)",
	"consumer_chains":     "consumer chains arriving at a shared-security market, each needing validators",
	"grant_donors":        "honest donors giving to projects each funding round",
	"grant_projects":      "projects applying to funding rounds, showing results with a probability",
	"liquidity_providers": "liquidity providers who leave a pool on loss, volatility, discount or yield",
	"lp_position":         "a Uniswap v3 range position held by the agent",
	"patient_buyer":       "buys an asset below its valuation with finite capital",
	"peg_arbitrageur":     "defends a Terra-style peg: buys the coin cheap, redeems it for LUNA, sells the LUNA",
	"rollup_users":        "a rollup's users, sending transactions with price-elastic demand",
	"route_arbitrageur":   "arbitrages routes of several pools against external prices",
	"runners":             "holders who sell a pegged asset once its price falls below their threshold",
	"scheduled_seller":    "sells a total amount over a period in equal parts",
	"security_validators": "provider validators who opt into consumer chains and ask stake to cover their cost",
	"spiral_speculator":   "the spiral model's speculator, levered under a risk constraint",
	"sybil_attacker":      "splits a budget across fake identities to game quadratic funding",
	"synth_holders":       "holders of the staking synthetic who buy or sell it on its value",
	"test_function":       "a closed-form function of its inputs recorded as a metric, to check analyses",
}

// errStop ends a recording build once the parameters are captured.
type recorder struct {
	params reflect.Type
}

// Types returns every component type, sorted by section and name.
func Types() []TypeInfo {
	var out []TypeInfo
	add := func(section, name string, run func(b *builder, c scenario.Entry[scenario.Component])) {
		rec := &recorder{}
		b := recordingBuilder(rec)
		c := scenario.Entry[scenario.Component]{Name: "x", Path: section + "s.x",
			Key:   &scenario.Node{Kind: scenario.Scalar, Text: "x"},
			Node:  &scenario.Node{Kind: scenario.Mapping},
			Value: scenario.Component{Type: name, Node: &scenario.Node{Kind: scenario.Mapping}}}
		c.Node = c.Value.Node
		func() {
			defer func() { _ = recover() }() // a builder that needs more than its keys
			run(b, c)
		}()
		ti := TypeInfo{Section: section, Name: name, Doc: typeDocs[name], Params: rec.params}
		if rec.params != nil {
			ti.Keys = scenario.KeysOfType(rec.params)
		}
		out = append(out, ti)
	}
	for _, t := range processTypes {
		add("process", t, func(b *builder, c scenario.Entry[scenario.Component]) { b.process(0, c) })
	}
	for _, t := range allTypes(mechanismTypes, protocolBuilders) {
		if fn, ok := protocolBuilders[t]; ok && definedInTest(fn) {
			continue
		}
		add("mechanism", t, func(b *builder, c scenario.Entry[scenario.Component]) {
			if build, ok := protocolBuilders[t]; ok && !b.isVenueType(t) {
				build(b, c)
				return
			}
			b.mechanism(c)
		})
	}
	agents := slices.Clone(agentTypes)
	for t, fn := range agentBuilders {
		if !definedInTest(fn) {
			agents = append(agents, t)
		}
	}
	for _, t := range agents {
		add("agent", t, func(b *builder, c scenario.Entry[scenario.Component]) { b.agent(c) })
	}
	order := map[string]int{"process": 0, "mechanism": 1, "agent": 2}
	slices.SortFunc(out, func(a, b TypeInfo) int {
		if a.Section != b.Section {
			return order[a.Section] - order[b.Section]
		}
		return strings.Compare(a.Name, b.Name)
	})
	return slices.CompactFunc(out, func(a, b TypeInfo) bool { return a.Section == b.Section && a.Name == b.Name })
}

// recordingBuilder returns a builder whose decode records the parameter
// type and fails, so the type's builder returns right after.
func recordingBuilder(rec *recorder) *builder {
	sc := &scenario.Scenario{Step: unit.Duration(0)}
	_ = sc.Step.DecodeScalar("1h")
	_ = sc.Horizon.DecodeScalar("1d")
	c := &cell{sc: sc}
	return &builder{cell: c, errs: &scenario.Errs{File: "types"}, root: &scenario.Node{Kind: scenario.Mapping},
		assetIndex: map[string]int{}, venueIndex: map[string]int{}, broken: map[string]bool{}, record: rec}
}

// WriteTypes writes every type as text for an 80-column terminal: a
// legend of the value forms, then a heading per type with its description
// and, per key, what the value is (with its unit), whether it is required
// or its default, and its one-line description (nested mappings indented).
func WriteTypes(types []TypeInfo) string {
	var b strings.Builder
	b.WriteString("Values: rate 5%/day, 0.02/yr or 30/day; fraction 0.3%, 30bps or 0.003;\n" +
		"duration 10min, 1h or 30d; amount an exact decimal such as 2_000_000.5.\n" +
		"[unit] is what a plain number counts. Keys without a default are optional\n" +
		"unless marked required; their description says what leaving them out means.\n")
	section := ""
	for _, t := range types {
		if t.Section != section {
			section = t.Section
			fmt.Fprintf(&b, "\n%s\n", strings.ToUpper(sectionKey[section]))
		}
		fmt.Fprintf(&b, "\n  %s\n", t.Name)
		wrap(&b, t.Doc, "    ")
		writeKeys(&b, t.Keys, "    ")
	}
	return b.String()
}

// sectionKey is the scenario key of each section.
var sectionKey = map[string]string{"process": "processes", "mechanism": "mechanisms", "agent": "agents"}

// shortKinds abbreviate scenario.KindOf's value forms, which the legend
// of WriteTypes explains.
var shortKinds = strings.NewReplacer(
	"rate such as 5%/day, 0.02/yr, 30/day", "rate",
	"fraction such as 0.3%, 30bps or 0.003", "fraction",
	"duration such as 10min, 1h, 30d", "duration",
	"token amount, an exact decimal such as 2_000_000.5", "amount",
	"name or text", "text",
	"see the documentation of stakingDist", "distribution",
	"see the documentation of stakingRange", "range",
	"mapping of names to mapping", "mapping of names to mappings",
)

func writeKeys(b *strings.Builder, keys []scenario.Key, indent string) {
	for _, k := range keys {
		kind := shortKinds.Replace(k.Kind)
		if k.Unit != "" {
			kind += " [" + k.Unit + "]"
		}
		switch {
		case k.Required:
			kind += ", required"
		case k.HasDefault:
			kind += ", default " + k.Default
		}
		line := fmt.Sprintf("%s%-21s %s", indent, k.Name, kind)
		if len(line) > typesWidth {
			line = fmt.Sprintf("%s%s\n%s%-21s %s", indent, k.Name, indent, "", kind)
		}
		b.WriteString(line + "\n")
		wrap(b, k.Doc, indent+"  ")
		if len(k.Keys) > 0 {
			writeKeys(b, k.Keys, indent+"  ")
		}
	}
}

// typesWidth is the terminal width WriteTypes fits.
const typesWidth = 80

// wrap writes text in lines of at most typesWidth columns after indent.
func wrap(b *strings.Builder, text, indent string) {
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(w) > typesWidth {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	if len(line) > len(indent) {
		b.WriteString(line + "\n")
	}
}

// SchemaURL is where examples point editors for completion.
const SchemaURL = "https://cascade-risk.github.io/cascade/scenario.schema.json"

// Schema returns the JSON Schema of scenario files: the top-level keys from
// scenario.Scenario, and for processes, mechanisms and agents one branch per
// type with the keys its decoder accepts. It is deterministic (sorted keys).
func Schema(types []TypeInfo) ([]byte, error) {
	root := scenario.SchemaOf(reflect.TypeFor[scenario.Scenario]())
	props := root["properties"].(map[string]any)
	for _, section := range []string{"process", "mechanism", "agent"} {
		var branches []any
		var names []any
		for _, t := range types {
			if t.Section != section {
				continue
			}
			names = append(names, t.Name)
			s := map[string]any{"type": "object"}
			if t.Params != nil {
				s = scenario.SchemaOf(t.Params)
			}
			s = cloneSchema(s)
			p, _ := s["properties"].(map[string]any)
			if p == nil {
				p = map[string]any{}
				s["properties"] = p
			}
			p["type"] = map[string]any{"const": t.Name}
			req, _ := s["required"].([]any)
			s["required"] = append([]any{"type"}, req...)
			if t.Doc != "" {
				s["description"] = t.Doc
			}
			branches = append(branches, map[string]any{"if": map[string]any{"properties": map[string]any{"type": map[string]any{"const": t.Name}}, "required": []any{"type"}}, "then": s})
		}
		entry := map[string]any{
			"type":     "object",
			"required": []any{"type"},
			"properties": map[string]any{
				"type": map[string]any{"enum": names, "description": section + " type; `cascade types` lists them"},
			},
			"allOf": branches,
		}
		props[section+"es"] = nil
		delete(props, section+"es")
		key := sectionKey[section]
		sec := map[string]any{"type": []any{"object", "null"}, "additionalProperties": entry}
		if old, ok := props[key].(map[string]any); ok && old["description"] != nil {
			sec["description"] = old["description"]
		}
		props[key] = sec
	}
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaURL
	root["title"] = "Cascade scenario"
	root["description"] = "Generated by `cascade types --schema` from the decoder's definitions; do not edit."
	return json.MarshalIndent(root, "", "  ")
}

func cloneSchema(s map[string]any) map[string]any {
	out := make(map[string]any, len(s))
	for k, v := range s {
		if m, ok := v.(map[string]any); ok {
			v = cloneSchema(m)
		}
		out[k] = v
	}
	return out
}

// definedInTest reports whether a builder is defined in a _test.go file:
// tests register types of their own, which are not part of Cascade.
func definedInTest(fn any) bool {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return false
	}
	file, _ := f.FileLine(f.Entry())
	return strings.HasSuffix(file, "_test.go")
}
