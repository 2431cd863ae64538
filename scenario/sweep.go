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

// SweepAxis is one swept parameter: an explicit list of values, or a range
// {from, to, steps, scale} whose ends share a unit ("2%/day" to "8%/day").
// Its name in the sweep block is the dotted path of the parameter
// ("mechanisms.pool.fee").
type SweepAxis struct {
	Values []*Node
}

type sweepRange struct {
	From  string `yaml:"from,required"`
	To    string `yaml:"to,required"`
	Steps int    `yaml:"steps,required"`
	Scale string `yaml:"scale"`
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
}

// Cell is one point of the sweep grid: the scenario tree with the swept
// values substituted, and its decoded Scenario.
type Cell struct {
	Index    int
	Params   []Param
	Root     *Node
	Scenario Scenario
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

// expandSweep returns the grid cells in row-major order (the last axis
// varies fastest). Without a sweep there is one cell.
func expandSweep(root *Node, axes Map[SweepAxis], errs *Errs) []Cell {
	base := root.Clone()
	for k, kn := range base.Keys {
		if kn.Text == "sweep" {
			base.Keys = append(base.Keys[:k], base.Keys[k+1:]...)
			base.Items = append(base.Items[:k], base.Items[k+1:]...)
			break
		}
	}
	total := 1
	for _, ax := range axes {
		target := base.Lookup(ax.Name)
		parent, last := splitPath(ax.Name)
		holder := base
		if parent != "" {
			holder = base.Lookup(parent)
		}
		switch {
		case target == nil && holder != nil && holder.Kind == Mapping:
			// A parameter left at its default: each cell writes it into
			// the mapping, where decoding checks the key.
			holder.Keys = append(holder.Keys, &Node{Kind: Scalar, Line: ax.Key.Line, Col: ax.Key.Col, Text: last})
			holder.Items = append(holder.Items, &Node{Kind: Null, Line: ax.Node.Line, Col: ax.Node.Col})
		case target == nil:
			errs.At(ax.Key, "sweep."+ax.Name, "no parameter %q in this scenario%s", ax.Name, didYouMean(ax.Name, base.Paths("")))
		case target.Kind != Scalar:
			errs.At(ax.Key, "sweep."+ax.Name, "%q is %s; only single values can be swept", ax.Name, target.Kind)
		}
		total *= max(1, len(ax.Value.Values))
		if total > MaxCells {
			errs.At(ax.Node, "sweep."+ax.Name, "the sweep has more than %d cells", MaxCells)
			return nil
		}
	}
	if len(errs.List) > 0 {
		return nil
	}
	cells := make([]Cell, total)
	for c := range cells {
		tree := base
		if len(axes) > 0 {
			tree = base.Clone()
		}
		cell := Cell{Index: c, Root: tree}
		rem := c
		idx := make([]int, len(axes))
		for a := len(axes) - 1; a >= 0; a-- {
			n := len(axes[a].Value.Values)
			idx[a] = rem % n
			rem /= n
		}
		for a, ax := range axes {
			v := ax.Value.Values[idx[a]]
			target := tree.Lookup(ax.Name)
			*target = Node{Kind: Scalar, Line: v.Line, Col: v.Col, Text: v.Text}
			cell.Params = append(cell.Params, Param{Path: ax.Name, Label: v.Text, Value: paramValue(v.Text)})
		}
		cells[c] = cell
	}
	return cells
}
