package scenario

import (
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/cascade-risk/cascade/unit"
)

// MaxDiscoverPoints bounds the points a discover block may evaluate.
const MaxDiscoverPoints = 100000

// Discover is a scenario's discover block: instead of a grid, a design of
// points over stated parameter ranges, the analyses to run on them, and an
// optional adaptive search for the boundary of a safe region.
//
//	discover:
//	  design: sobol            # sobol, lhs, uniform, saltelli (Sobol indices) or morris
//	  samples: 256             # points; base rows for saltelli; trajectories for morris
//	  parameters:
//	    mechanisms.pool.fee: {from: 0.05%, to: 1%, scale: log}
//	    agents.validators.count: {from: 5, to: 50, integer: true}
//	  metrics: [pool.lvr]      # outputs to rank by sensitivity (default: all)
//	  safe: solvent            # a region of regions:; PRIM and CART find where it fails
//	  boundary: {along: mechanisms.chain.slash, max_failure: 5%}
type Discover struct {
	Design     string                 `yaml:"design" doc:"sobol, lhs, uniform, saltelli (Sobol indices) or morris; without it, sobol"`
	Samples    int                    `yaml:"samples" doc:"points (base rows for saltelli, trajectories for morris); without it, 256, 512 for saltelli, 20 for morris"`
	Levels     int                    `yaml:"levels" doc:"morris: grid levels per parameter"`
	Seed       *uint64                `yaml:"seed" doc:"seed of the design; without it, the scenario's seed"`
	Parameters Map[DiscoverParameter] `yaml:"parameters,required" doc:"parameter ranges by dotted path: {from, to, scale, integer}"`
	Metrics    []string               `yaml:"metrics" doc:"outputs to rank by sensitivity; without it, all"`
	// Stat is the statistic across a point's runs that the analyses use:
	// mean (default), p1, p5, p50, p95 or p99.
	Stat string `yaml:"stat" doc:"the statistic across a point's runs the analyses use: mean, p1, p5, p50, p95 or p99; without it, mean"`
	// Safe names the region whose failure PRIM and CART describe and the
	// boundary search locates.
	Safe      string         `yaml:"safe" doc:"a region of regions: whose failure PRIM and CART describe and the boundary search locates"`
	Bootstrap int            `yaml:"bootstrap" doc:"bootstrap resamples of the sensitivity indices' intervals"`
	Level     *unit.Fraction `yaml:"confidence" doc:"level of the intervals; without it, 95%"`
	Boundary  *Boundary      `yaml:"boundary" doc:"the adaptive search for the safe region's edge along one parameter"`
}

// Designs lists the designs a discover block may name.
var Designs = []string{"sobol", "lhs", "uniform", "saltelli", "morris"}

// Check validates the block's own fields.
func (d *Discover) Check(c *Check) {
	if d.Design != "" && !contains(Designs, d.Design) {
		c.Errorf("design", "expected one of sobol, lhs, uniform, saltelli, morris, got %q%s", d.Design, didYouMean(d.Design, Designs))
	}
	if d.Samples < 0 || d.Samples > MaxDiscoverPoints {
		c.Errorf("samples", "expected from 1 to %d samples, got %d", MaxDiscoverPoints, d.Samples)
	}
	if d.Design == "morris" && d.Levels != 0 && (d.Levels < 2 || d.Levels%2 != 0 || d.Levels > 1000) {
		c.Errorf("levels", "expected an even number of levels from 2 to 1000, got %d", d.Levels)
	}
	if d.Levels != 0 && d.Design != "morris" {
		c.Errorf("levels", "levels: applies to design: morris only")
	}
	if _, ok := Stats[d.Stat]; d.Stat != "" && !ok {
		c.Errorf("stat", "expected one of mean, p1, p5, p50, p95, p99, got %q", d.Stat)
	}
	if d.Bootstrap < 0 || d.Bootstrap > 100000 {
		c.Errorf("bootstrap", "expected from 0 to 100000 bootstrap resamples, got %d", d.Bootstrap)
	}
	if d.Level != nil && (*d.Level <= 0 || *d.Level >= 1) {
		c.Errorf("confidence", "expected a confidence level between 0%% and 100%%, got %g", float64(*d.Level))
	}
	if len(d.Parameters) == 0 {
		c.Errorf("parameters", "expected at least one parameter to vary")
	}
	if d.Design == "saltelli" && 2*len(d.Parameters) > 57 {
		c.Errorf("parameters", "design: saltelli handles at most 28 parameters, got %d", len(d.Parameters))
	}
	if d.Boundary != nil {
		if _, ok := d.Parameters.Get(d.Boundary.Along); !ok && d.Boundary.Along != "" {
			c.Errorf("boundary.along", "%q is not among the discover parameters%s", d.Boundary.Along, didYouMean(d.Boundary.Along, d.Parameters.Names()))
		}
		if d.Safe == "" {
			c.Errorf("boundary", "a boundary search needs safe: naming the region whose failure it bounds")
		}
	}
}

// DesignName returns the design, sobol when unset.
func (d *Discover) DesignName() string {
	if d.Design == "" {
		return "sobol"
	}
	return d.Design
}

// SampleCount returns samples:, or the default for the design: 256 points,
// 512 Saltelli rows, 20 Morris trajectories.
func (d *Discover) SampleCount() int {
	switch {
	case d.Samples > 0:
		return d.Samples
	case d.Design == "saltelli":
		return 512
	case d.Design == "morris":
		return 20
	}
	return 256
}

// ConfidenceLevel returns confidence:, 95% when unset.
func (d *Discover) ConfidenceLevel() float64 {
	if d.Level == nil {
		return 0.95
	}
	return float64(*d.Level)
}

// DiscoverParameter is one varied parameter: a range {from, to} whose ends
// share a unit ("2%/day" to "8%/day"), spaced linearly or in log scale,
// optionally restricted to whole numbers.
type DiscoverParameter struct {
	// Lo and Hi are the ends in the written unit (2 and 8 for "2%/day").
	Lo, Hi float64
	// Unit is the text after the number ("%/day"), appended to values.
	Unit    string
	Log     bool
	Integer bool
	Node    *Node
}

type discoverRange struct {
	From    string `yaml:"from,required" doc:"low end, with its unit"`
	To      string `yaml:"to,required" doc:"high end, with the same unit"`
	Scale   string `yaml:"scale" doc:"linear or log spacing; without it, linear"`
	Integer bool   `yaml:"integer" doc:"restrict to whole numbers"`
}

// DecodeNode implements NodeDecoder.
func (p *DiscoverParameter) DecodeNode(n *Node, path string, errs *Errs) {
	p.Node = n
	if n.Kind != Mapping {
		errs.At(n, path, "expected a range {from:, to:} (with scale: log and integer: true where needed), got %s", describe(n))
		return
	}
	var r discoverRange
	before := len(errs.List)
	decodeValue(n, reflect.ValueOf(&r).Elem(), path, errs, nil)
	if len(errs.List) > before {
		return
	}
	from, fu, err1 := splitValue(r.From)
	to, tu, err2 := splitValue(r.To)
	switch {
	case err1 != nil:
		errs.At(n.Get("from"), path+".from", "%v", err1)
	case err2 != nil:
		errs.At(n.Get("to"), path+".to", "%v", err2)
	case fu != tu:
		errs.At(n.Get("to"), path+".to", "expected the same unit as from (%q), got %q", fu, tu)
	case r.Scale != "" && r.Scale != "linear" && r.Scale != "log":
		errs.At(n.Get("scale"), path+".scale", "expected linear or log, got %q", r.Scale)
	case r.Integer && from > to, !r.Integer && from >= to:
		errs.At(n.Get("to"), path+".to", "expected to above from (%s), got %s", r.From, r.To)
	case r.Scale == "log" && from <= 0:
		errs.At(n.Get("from"), path+".from", "a log-scaled range needs positive ends, got %s", r.From)
	case r.Integer && (from != math.Trunc(from) || to != math.Trunc(to)):
		errs.At(n, path, "an integer range needs whole ends, got %s to %s", r.From, r.To)
	default:
		*p = DiscoverParameter{Lo: from, Hi: to, Unit: fu, Log: r.Scale == "log", Integer: r.Integer, Node: n}
	}
}

// Label renders a value of the parameter as it would be written: the
// shortest decimal that reads back as v, followed by the unit.
func (p *DiscoverParameter) Label(v float64) string {
	if p.Integer {
		return strconv.FormatInt(int64(v), 10) + p.Unit
	}
	return strconv.FormatFloat(v, 'g', -1, 64) + p.Unit
}

// Short renders a value with four significant digits and the unit, for
// tables; Label is exact.
func (p *DiscoverParameter) Short(v float64) string {
	if p.Integer {
		return p.Label(v)
	}
	return strconv.FormatFloat(v, 'g', 4, 64) + p.Unit
}

// Boundary configures the adaptive search for the edge of the safe region
// along one parameter: on lines through the other parameters' space, the
// failure probability is assumed to rise (or fall) monotonically along
// Along, and each line is bisected at Resolution, each point's verdict
// settled by a sequential test against MaxFailure.
type Boundary struct {
	Along string `yaml:"along,required" doc:"the dotted path of the parameter searched along"`
	// MaxFailure is p0: a point is unsafe when its probability of failing
	// the safe region exceeds it.
	MaxFailure unit.Fraction `yaml:"max_failure,required" doc:"a point is unsafe when its probability of failing the safe region exceeds this"`
	// Resolution is the number of grid values along Along (64).
	Resolution int `yaml:"resolution" doc:"grid values along the parameter; without it, 64"`
	// Lines is the number of lines: with one parameter 1; otherwise Sobol
	// points of the other parameters (default 8), or with grid: true a
	// full grid of Resolution values of each.
	Lines int `yaml:"lines" doc:"lines through the other parameters' space; without it, 8 (1 with one parameter)"`
	// MaxRuns caps the runs of one point's sequential test (2000); Batch is
	// the runs added per test step (20).
	MaxRuns int `yaml:"max_runs" doc:"the most runs of one point's sequential test; without it, 2000"`
	Batch   int `yaml:"batch" doc:"runs added per step of the sequential test; without it, 20"`
}

// Check validates the boundary options.
func (b *Boundary) Check(c *Check) {
	if b.MaxFailure <= 0 || b.MaxFailure >= 1 {
		c.Errorf("max_failure", "expected a probability between 0%% and 100%%, got %g", float64(b.MaxFailure))
	}
	if b.Resolution != 0 && (b.Resolution < 3 || b.Resolution > 1<<20) {
		c.Errorf("resolution", "expected from 3 to %d grid values, got %d", 1<<20, b.Resolution)
	}
	if b.Lines < 0 || b.Lines > 10000 {
		c.Errorf("lines", "expected from 1 to 10000 lines, got %d", b.Lines)
	}
	if b.MaxRuns < 0 || b.MaxRuns > 1_000_000 {
		c.Errorf("max_runs", "expected from 1 to 1000000 runs, got %d", b.MaxRuns)
	}
	if b.Batch < 0 || b.Batch > 100000 {
		c.Errorf("batch", "expected from 1 to 100000 runs per batch, got %d", b.Batch)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DiscoverPoint is one point of a discover design: a value for each
// discover parameter, in file order, in the parameters' written units.
type DiscoverPoint []float64

// WithPoints returns a copy of f whose cells are the given points of its
// discover block, each with every compare arm: the cells of points[k] have
// Point ids[k] (k when ids is nil), so that points evaluated in several
// rounds keep one numbering.
// Random streams are shared by all points (common random numbers) unless
// the block's scenario says sweep: {crn: false}.
func (f *File) WithPoints(points []DiscoverPoint, ids []int) (*File, error) {
	d := f.Discover()
	if d == nil {
		return nil, fmt.Errorf("%s has no discover block", f.Path)
	}
	errs := &Errs{File: f.Path}
	var base Scenario
	Decode(f.Root, &base, "", errs)
	if err := errs.List.Err(); err != nil {
		return nil, err
	}
	tree := without(f.Root, "sweep", "compare")
	arms := base.Compare
	if len(arms) == 0 {
		arms = Map[Arm]{{}}
	}
	out := *f
	out.Cells = make([]Cell, 0, len(points)*len(arms))
	for k, pt := range points {
		if len(pt) != len(d.Parameters) {
			return nil, fmt.Errorf("point %d has %d values for %d parameters", k, len(pt), len(d.Parameters))
		}
		for _, arm := range arms {
			t := tree.Clone()
			id := k
			if ids != nil {
				id = ids[k]
			}
			cell := Cell{Index: len(out.Cells), Point: id, Arm: arm.Name, Root: t}
			for _, o := range arm.Value.Set {
				_ = set(t, o.Path, o.Value, o.Key)
			}
			for j, p := range d.Parameters {
				label := p.Value.Label(pt[j])
				if err := set(t, p.Name, &Node{Kind: Scalar, Line: p.Key.Line, Col: p.Key.Col, Text: label}, p.Key); err != nil {
					errs.At(p.Key, "discover.parameters."+p.Name, "%v", err)
					continue
				}
				cell.Params = append(cell.Params, Param{Path: p.Name, Label: label, Value: paramValue(label)})
			}
			Decode(t, &cell.Scenario, "", errs)
			out.Cells = append(out.Cells, cell)
		}
		if len(errs.List) > 0 {
			break
		}
	}
	if err := errs.List.Err(); err != nil {
		return nil, err
	}
	return &out, nil
}

// Discover returns the file's discover block, or nil.
func (f *File) Discover() *Discover {
	if len(f.Cells) == 0 {
		return nil
	}
	return f.Cells[0].Scenario.Discover
}

// checkDiscover validates a discover block against the rest of the
// scenario: no sweep alongside it, parameters that exist, a safe region
// that is defined.
func checkDiscover(root *Node, base *Scenario, errs *Errs) {
	d := base.Discover
	if d == nil {
		return
	}
	dn := root.Get("discover")
	if base.Sweep.Node != nil {
		errs.At(base.Sweep.Node, "sweep", "a scenario with a discover: block has no sweep:; vary parameters under discover.parameters")
	}
	scratch := without(root, "sweep", "compare", "discover")
	for _, p := range d.Parameters {
		if _, err := slot(scratch.Clone(), p.Name, p.Key, false); err != nil {
			errs.At(p.Key, "discover.parameters."+p.Name, "%v", err)
		}
	}
	if d.Safe != "" {
		if _, ok := base.Regions.Get(d.Safe); !ok {
			errs.At(dn.Get("safe"), "discover.safe", "no region %q under regions:%s", d.Safe, didYouMean(d.Safe, base.Regions.Names()))
		}
	}
}
