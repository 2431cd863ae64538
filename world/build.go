package world

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/cascade-risk/cascade/scenario"
)

// builder decodes the components of one cell and reports problems against
// their nodes.
type builder struct {
	cell       *cell
	errs       *scenario.Errs
	dir        string // the scenario file's directory, for relative data paths
	root       *scenario.Node
	assetIndex map[string]int
	venueIndex map[string]int
	// broken names components that failed to build; references to them
	// are not reported again.
	broken map[string]bool
	// staked marks assets whose price a liquid_staking mechanism sets.
	staked map[int]bool
	// asked tallies, per staking mechanism (protocol index), the least its
	// agents ask at genesis (see stakingAsk).
	asked map[int]uint64
	// record, when set, captures the parameter type of the first decode
	// and fails it (see Types).
	record *recorder
}

func (b *builder) metricsNode(k int) *scenario.Node {
	return b.root.Lookup(fmt.Sprintf("metrics.%d", k))
}

// decode fills params from a component's node (ignoring its type key) and
// reports whether it decoded cleanly.
func (b *builder) decode(c scenario.Entry[scenario.Component], params any) bool {
	if b.record != nil {
		if b.record.params == nil {
			b.record.params = reflect.TypeOf(params)
		}
		return false
	}
	before := len(b.errs.List)
	scenario.Decode(c.Node, params, c.Path, b.errs, "type")
	return len(b.errs.List) == before
}

func (b *builder) unknownType(c scenario.Entry[scenario.Component], section string, known []string) {
	sort.Strings(known)
	hint := ""
	if s := scenario.Suggest(c.Value.Type, known); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	b.errs.At(c.Node.Get("type"), c.Path+".type", "unknown %s type %q%s (expected one of: %s)", section, c.Value.Type, hint, strings.Join(known, ", "))
}

// asset resolves an asset name written at node n.
func (b *builder) asset(name string, n *scenario.Node, path string) (int, bool) {
	if a, ok := b.assetIndex[name]; ok {
		return a, true
	}
	b.errs.At(n, path, "unknown asset %q%s", name, hintFor(name, b.cell.assets))
	return 0, false
}

// output resolves what a single-output process drives: an asset's price
// (an index ≥ 0) or a signal such as a gas price (^index, < 0), which the
// process's signal: key names and so declares.
func (b *builder) output(c scenario.Entry[scenario.Component], asset, signal string) (int, bool) {
	switch {
	case asset != "" && signal != "":
		b.errs.At(c.Node.Get("signal"), c.Path+".signal", "give asset (to drive a price) or signal (any other series), not both")
		return 0, false
	case signal != "":
		if !validSignal(signal) {
			b.errs.At(c.Node.Get("signal"), c.Path+".signal", "signal name %q must start with a letter and contain only letters, digits and '_'", signal)
			return 0, false
		}
		for k, s := range b.cell.signals {
			if s == signal {
				b.errs.At(c.Node.Get("signal"), c.Path+".signal", "signal %s is already driven by another process", signal)
				return ^k, false
			}
		}
		b.cell.signals = append(b.cell.signals, signal)
		return ^(len(b.cell.signals) - 1), true
	case asset == "":
		b.errs.At(c.Node, c.Path, "missing required key \"asset\" (or \"signal\" for a series that is not a price)")
		return 0, false
	}
	return b.drivable(asset, c.Node.Get("asset"), c.Path+".asset")
}

func validSignal(s string) bool {
	for k, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || k > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// signal resolves a signal an agent or mechanism reads.
func (b *builder) signal(name string, n *scenario.Node, path string) (int, bool) {
	for k, s := range b.cell.signals {
		if s == name {
			return k, true
		}
	}
	b.errs.At(n, path, "unknown signal %q%s", name, hintFor(name, b.cell.signals))
	return 0, false
}

// drivable resolves an asset a process will price; the numeraire's price
// is fixed at 1.
func (b *builder) drivable(name string, n *scenario.Node, path string) (int, bool) {
	a, ok := b.asset(name, n, path)
	if ok && name == b.cell.sc.Numeraire {
		b.errs.At(n, path, "%s is the numeraire; its price is 1 by definition and no process can drive it", name)
		return 0, false
	}
	return a, ok
}

func hintFor(name string, candidates []string) string {
	if s := scenario.Suggest(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	if len(candidates) == 0 {
		return " (none is defined)"
	}
	return fmt.Sprintf(" (defined: %s)", strings.Join(candidates, ", "))
}
