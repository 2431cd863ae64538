package scenario

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/unit"
)

// MaxCells bounds the size of a sweep grid.
const MaxCells = 100000

// Sweep is the sweep block of a scenario. Its keys are the dotted paths of
// swept parameters, each with its values; two keys are reserved:
//
//	crn: false          # each grid point draws its own random numbers
//	zip:                # parameters that move together, value by value
//	  mechanisms.pool.lower: [90%, 80%, 70%]
//	  mechanisms.pool.upper: [110%, 120%, 130%]
//
// zip: may also be a list of such mappings, one linked axis each.
//
// With common random numbers (crn, the default) every point of the grid
// and every arm of a comparison uses the same random streams, run by run, so
// neighbouring points of a map differ by their parameters, not by their
// luck; each cell's confidence intervals are unchanged, and differences
// between cells are estimated with far less noise.
type Sweep struct {
	// Axes are the dimensions of the grid in file order; a zip group is
	// one axis with several parameters.
	Axes []Axis
	// CRN is the crn: key, nil when absent.
	CRN *bool
	// Node is the sweep block, nil when the scenario has none.
	Node *Node
}

// Axis is one dimension of a sweep grid: one parameter, or several linked
// by zip: that take their k-th values together.
type Axis struct {
	Params []AxisParam
	// Node positions the axis in errors.
	Node *Node
}

// AxisParam is one parameter of an axis and its values.
type AxisParam struct {
	Path string
	// Key is the node of the path's key in the file.
	Key    *Node
	Values []*Node
}

// Len returns the number of values along the axis.
func (a *Axis) Len() int {
	if len(a.Params) == 0 {
		return 0
	}
	return len(a.Params[0].Values)
}

// UsesCRN reports whether cells share random numbers: true unless the
// sweep says crn: false.
func (s *Sweep) UsesCRN() bool { return s.CRN == nil || *s.CRN }

// DecodeNode implements NodeDecoder.
func (s *Sweep) DecodeNode(n *Node, path string, errs *Errs) {
	if n.Kind == Null {
		return
	}
	if n.Kind != Mapping {
		errs.At(n, path, "expected a mapping of parameter paths to values, got %s", describe(n))
		return
	}
	s.Node = n
	for k, kn := range n.Keys {
		v := n.Items[k]
		p := join(path, kn.Text)
		switch kn.Text {
		case "crn":
			var b bool
			before := len(errs.List)
			decodeValue(v, reflect.ValueOf(&b).Elem(), p, errs, nil)
			if len(errs.List) == before {
				s.CRN = &b
			}
		case "zip":
			groups := []*Node{v}
			if v.Kind == Sequence {
				groups = v.Items
			}
			for g, gn := range groups {
				gp := p
				if v.Kind == Sequence {
					gp = fmt.Sprintf("%s.%d", p, g)
				}
				s.decodeZip(gn, gp, errs)
			}
		default:
			var a SweepAxis
			a.DecodeNode(v, p, errs)
			s.Axes = append(s.Axes, Axis{Params: []AxisParam{{Path: kn.Text, Key: kn, Values: a.Values}}, Node: v})
		}
	}
}

func (s *Sweep) decodeZip(n *Node, path string, errs *Errs) {
	if n.Kind != Mapping || len(n.Keys) < 2 {
		errs.At(n, path, "expected a mapping of two or more parameter paths to lists of equal length, got %s", describe(n))
		return
	}
	ax := Axis{Node: n}
	for k, kn := range n.Keys {
		var a SweepAxis
		p := join(path, kn.Text)
		a.DecodeNode(n.Items[k], p, errs)
		if k > 0 && len(a.Values) != len(ax.Params[0].Values) {
			errs.At(n.Items[k], p, "expected %d values, as many as %s has, got %d", len(ax.Params[0].Values), ax.Params[0].Path, len(a.Values))
		}
		ax.Params = append(ax.Params, AxisParam{Path: kn.Text, Key: kn, Values: a.Values})
	}
	s.Axes = append(s.Axes, ax)
}

// checkNumeric reports swept values that are not numbers: results record
// each cell's parameters as numbers. It runs after the cells decoded, so
// a value the parameter itself rejects gets that parameter's message.
func (s *Sweep) checkNumeric(errs *Errs) {
	for _, ax := range s.Axes {
		for _, p := range ax.Params {
			for k, it := range p.Values {
				if v := paramValue(it.Text); math.IsNaN(v) || math.IsInf(v, 0) {
					errs.At(it, fmt.Sprintf("sweep.%s.%d", p.Path, k), "expected a number (with its unit) to sweep over, got %q; to compare choices that are not numbers, use compare: with one arm per choice", it.Text)
				}
			}
		}
	}
}

// SweepAxis is one swept parameter: an explicit list of values, or a range
// {from, to, steps, scale} whose ends share a unit ("2%/day" to "8%/day").
// Its name in the sweep block is the dotted path of the parameter
// ("mechanisms.pool.fee").
type SweepAxis struct {
	Values []*Node
}

type sweepRange struct {
	From  string `yaml:"from,required" doc:"first value, with its unit"`
	To    string `yaml:"to,required" doc:"last value, with the same unit"`
	Steps int    `yaml:"steps,required" doc:"number of values from from to to"`
	Scale string `yaml:"scale" doc:"linear or log spacing; without it, linear"`
}

// DecodeNode implements NodeDecoder.
func (a *SweepAxis) DecodeNode(n *Node, path string, errs *Errs) {
	switch n.Kind {
	case Sequence:
		if len(n.Items) == 0 {
			errs.At(n, path, "expected at least one value to sweep over")
		}
		for k, it := range n.Items {
			if it.Kind != Scalar {
				errs.At(it, fmt.Sprintf("%s.%d", path, k), "expected a single value, got %s", describe(it))
				continue
			}
			a.Values = append(a.Values, it)
		}
	case Mapping:
		var r sweepRange
		before := len(errs.List)
		decodeValue(n, reflect.ValueOf(&r).Elem(), path, errs, nil)
		if len(errs.List) > before {
			return
		}
		a.Values = rangeValues(n, r, path, errs)
	default:
		errs.At(n, path, "expected a list of values or {from:, to:, steps:}, got %s", describe(n))
	}
}

// splitValue splits "2%/day" into 2 and "%/day".
func splitValue(s string) (float64, string, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 {
		if _, err := unit.Number(t[:i]); err == nil {
			break
		}
		i--
	}
	if i == 0 {
		return 0, "", fmt.Errorf("expected a value starting with a number, got %q", s)
	}
	v, _ := unit.Number(t[:i])
	return v, t[i:], nil
}

func rangeValues(n *Node, r sweepRange, path string, errs *Errs) []*Node {
	from, fu, err1 := splitValue(r.From)
	to, tu, err2 := splitValue(r.To)
	switch {
	case err1 != nil:
		errs.At(n.Get("from"), path+".from", "%v", err1)
	case err2 != nil:
		errs.At(n.Get("to"), path+".to", "%v", err2)
	case fu != tu:
		errs.At(n.Get("to"), path+".to", "expected the same unit as from (%q), got %q", fu, tu)
	case r.Steps < 2 || r.Steps > 10000:
		errs.At(n.Get("steps"), path+".steps", "expected from 2 to 10000 steps, got %d", r.Steps)
	case r.Scale != "" && r.Scale != "linear" && r.Scale != "log":
		errs.At(n.Get("scale"), path+".scale", "expected linear or log, got %q", r.Scale)
	case r.Scale == "log" && (from <= 0 || to <= 0):
		errs.At(n, path, "a log-scaled range needs positive ends")
	default:
		out := make([]*Node, r.Steps)
		for k := range out {
			f := float64(k) / float64(r.Steps-1)
			v := from + f*(to-from)
			if r.Scale == "log" {
				v = from * math.Pow(to/from, f)
			}
			if k == r.Steps-1 {
				v = to
			}
			out[k] = &Node{Kind: Scalar, Line: n.Line, Col: n.Col, Text: strconv.FormatFloat(v, 'g', 10, 64) + fu}
		}
		return out
	}
	return nil
}

func splitPath(path string) (parent, last string) {
	if k := strings.LastIndexByte(path, '.'); k >= 0 {
		return path[:k], path[k+1:]
	}
	return "", path
}

// Param is the value one sweep axis takes in a cell.
type Param struct {
	// Path is the swept parameter's dotted path.
	Path string
	// Label is the value as written ("0.3%").
	Label string
	// Value is the number in Label with "%" and "bps" applied (0.003); for
	// values with units it is the number in the written unit.
	Value float64
	// Unit is the unit of Value: "fraction" for "0.3%" or "30bps",
	// "fraction/day" for "2%/day", the written unit otherwise ("d",
	// "/day"), "" for a bare number.
	Unit string
}

// paramUnit returns the unit of paramValue(label).
func paramUnit(label string) string {
	_, suffix, err := splitValue(label)
	if err != nil {
		return ""
	}
	suffix = strings.TrimSpace(suffix)
	switch {
	case strings.HasPrefix(suffix, "%"):
		return "fraction" + strings.TrimPrefix(suffix, "%")
	case strings.HasPrefix(strings.ToLower(suffix), "bps"):
		return "fraction" + suffix[3:]
	case strings.HasPrefix(strings.ToLower(suffix), "bp"):
		return "fraction" + suffix[2:]
	}
	return suffix
}

// Cell is one arm at one point of the sweep grid: the scenario tree with
// the arm's and the point's values substituted, and its decoded Scenario.
type Cell struct {
	// Index numbers cells from 0; Point is the sweep-grid point and Arm the
	// compare arm's name ("" without a compare block).
	Index, Point int
	Arm          string
	Params       []Param
	Root         *Node
	Scenario     Scenario
}

func paramValue(label string) float64 {
	v, suffix, err := splitValue(label)
	if err != nil {
		return math.NaN()
	}
	switch {
	case strings.HasPrefix(suffix, "%"):
		return v / 100
	case strings.HasPrefix(strings.ToLower(suffix), "bp"):
		return v / 10000
	}
	return v
}

// slot returns the node at path in tree, creating it (as null) when it is
// missing, so a sweep, an arm or --set can give a value to a parameter left
// at its default — in a block the file leaves out too
// (mechanisms.chain.enshrined.premium without an enshrined: block); the
// blocks on the way are created as mappings, and decoding then checks every
// key. At least the first key of the path must name a component that
// exists. whole allows the target to be a list or mapping, replaced whole;
// otherwise it must be a single value. key positions created keys.
func slot(tree *Node, path string, key *Node, whole bool) (*Node, error) {
	if target := tree.Lookup(path); target != nil {
		if !whole && target.Kind != Scalar && target.Kind != Null {
			return nil, fmt.Errorf("%q is %s; only single values can be set", path, target.Kind)
		}
		return target, nil
	}
	parent, last := splitPath(path)
	holder := tree
	if parent != "" {
		holder = tree.Lookup(parent)
		if holder == nil || holder.Kind == Null {
			// Create the missing block, if its own parent is a mapping
			// that exists (or can be created): a component's optional
			// block, never a new component.
			pp, _ := splitPath(parent)
			if !strings.Contains(pp, ".") {
				return nil, fmt.Errorf("no parameter %q in this scenario%s", path, didYouMean(path, tree.Paths("")))
			}
			h, err := slot(tree, parent, key, true)
			if err != nil {
				return nil, err
			}
			if h.Kind == Null {
				*h = Node{Kind: Mapping, Line: key.Line, Col: key.Col, Origin: key.Origin}
			}
			holder = h
		}
	}
	if holder == nil || holder.Kind != Mapping {
		return nil, fmt.Errorf("no parameter %q in this scenario%s", path, didYouMean(path, tree.Paths("")))
	}
	v := &Node{Kind: Null, Line: key.Line, Col: key.Col, Origin: key.Origin}
	holder.Keys = append(holder.Keys, &Node{Kind: Scalar, Line: key.Line, Col: key.Col, Text: last, Origin: key.Origin})
	holder.Items = append(holder.Items, v)
	return v, nil
}

// set writes value at path, which slot must accept: a single value, or
// (from an arm or --set) a list or mapping that replaces the value whole.
func set(tree *Node, path string, value, key *Node) error {
	target, err := slot(tree, path, key, value.Kind != Scalar)
	if err != nil {
		return err
	}
	c := value.Clone()
	if value.Kind == Scalar {
		c.Keys, c.Items = nil, nil
	}
	*target = *c
	return nil
}

// without returns a copy of root lacking the given top-level keys.
func without(root *Node, keys ...string) *Node {
	base := root.Clone()
	for _, drop := range keys {
		for k, kn := range base.Keys {
			if kn.Text == drop {
				base.Keys = append(base.Keys[:k], base.Keys[k+1:]...)
				base.Items = append(base.Items[:k], base.Items[k+1:]...)
				break
			}
		}
	}
	return base
}

// expand returns the cells of a scenario: every arm of the comparison (one
// unnamed arm without a compare block) for every point of the sweep grid,
// the grid in row-major order (the last axis varies fastest) and the arms
// in file order within each point.
func expand(root *Node, sweep Sweep, arms Map[Arm], errs *Errs) []Cell {
	before := len(errs.List)
	base := without(root, "sweep", "compare")
	total := 1
	swept := map[string]bool{}
	for _, ax := range sweep.Axes {
		// Check each parameter on a scratch tree; cells set their own values.
		for _, p := range ax.Params {
			if swept[p.Path] {
				errs.At(p.Key, "sweep."+p.Path, "%s is swept twice", p.Path)
			}
			swept[p.Path] = true
			if _, err := slot(base.Clone(), p.Path, p.Key, false); err != nil {
				errs.At(p.Key, "sweep."+p.Path, "%v", err)
			}
		}
		total *= max(1, ax.Len())
		if total > MaxCells {
			errs.At(ax.Node, "sweep."+ax.Params[0].Path, "the sweep has more than %d cells", MaxCells)
			return nil
		}
	}
	if len(arms) == 0 {
		arms = Map[Arm]{{}}
	}
	if size := base.Size(); total*len(arms)*size > MaxCellNodes {
		at, path := root, ""
		if len(sweep.Axes) > 0 {
			at, path = sweep.Axes[0].Params[0].Key, "sweep"
		} else if len(arms) > 0 && arms[0].Key != nil {
			at, path = arms[0].Key, "compare"
		}
		errs.At(at, path, "%d sweep cells of %d values each are more than %d values in all; sweep fewer values or split the scenario",
			total*len(arms), size, MaxCellNodes)
		return nil
	}
	for _, arm := range arms {
		for _, o := range arm.Value.Set {
			if _, err := slot(base.Clone(), o.Path, o.Key, o.Value.Kind != Scalar); err != nil {
				errs.At(o.Key, arm.Path+"."+o.Path, "%v", err)
			}
		}
	}
	if len(errs.List) > before {
		return nil
	}
	for _, ax := range sweep.Axes {
		if ax.Len() == 0 {
			return nil // its error was reported where it was decoded
		}
	}
	cells := make([]Cell, 0, total*len(arms))
	for c := range total {
		idx := make([]int, len(sweep.Axes))
		rem := c
		for a := len(sweep.Axes) - 1; a >= 0; a-- {
			n := sweep.Axes[a].Len()
			idx[a] = rem % n
			rem /= n
		}
		for _, arm := range arms {
			tree := base.Clone()
			cell := Cell{Index: len(cells), Point: c, Arm: arm.Name, Root: tree}
			for _, o := range arm.Value.Set {
				_ = set(tree, o.Path, o.Value, o.Key)
			}
			for a, ax := range sweep.Axes {
				for _, p := range ax.Params {
					v := p.Values[idx[a]]
					_ = set(tree, p.Path, v, p.Key)
					cell.Params = append(cell.Params, Param{Path: p.Path, Label: v.Text, Value: paramValue(v.Text), Unit: paramUnit(v.Text)})
				}
			}
			cells = append(cells, cell)
		}
	}
	return cells
}

// Arm is one policy of a comparison: the scenario with some values set
// ("agents.treasury.put_strike: 90%"). Every arm runs with the same random
// numbers, run by run, so their outcomes can be compared in pairs.
type Arm struct {
	Set []Setting
}

// Setting is one value an arm sets.
type Setting struct {
	Path  string
	Key   *Node
	Value *Node
}

// DecodeNode implements NodeDecoder: an arm is a mapping of parameter paths
// to values — single values, or lists and mappings that replace a value
// whole (reserves: [1_000, 2_000]); an empty arm is the scenario as written.
func (a *Arm) DecodeNode(n *Node, path string, errs *Errs) {
	switch n.Kind {
	case Null:
	case Mapping:
		for k, kn := range n.Keys {
			v := n.Items[k]
			if v.Kind == Null {
				errs.At(v, join(path, kn.Text), "expected a value, got nothing")
				continue
			}
			a.Set = append(a.Set, Setting{Path: kn.Text, Key: kn, Value: v})
		}
	default:
		errs.At(n, path, "expected a mapping of parameter paths to values (or nothing for the scenario as written), got %s", describe(n))
	}
}
