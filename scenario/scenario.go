// Package scenario reads Cascade scenario files: YAML that names a horizon
// and step, assets, exogenous processes, mechanisms, agents, the metrics to
// record and an optional sweep over parameters.
//
// Reading happens in three stages, each reporting every problem it finds at
// once with file:line:column: Parse turns YAML into a positioned Node tree;
// Load expands the sweep into one tree per cell and decodes the common
// structure into a Scenario; the components (processes, mechanisms, agents)
// keep their nodes, and the package that builds them decodes their
// parameters with Decode, so unknown keys and bad values there are reported
// just the same.
package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/cascade-risk/cascade/unit"
)

// DefaultRuns is the number of runs when neither the file nor the command
// line sets one.
const DefaultRuns = 1000

// MaxRuns bounds the runs of one cell and of all cells together: results
// number runs with 32-bit signed integers.
const MaxRuns = 1<<31 - 1

// DefaultSamples is how many sampling intervals a horizon is cut into when
// sample_every is not set.
const DefaultSamples = 100

// Scenario is the decoded content of one sweep cell of a scenario file.
type Scenario struct {
	Name        string `yaml:"name,required" doc:"the study's name, used for results and reports"`
	Description string `yaml:"description" doc:"what the scenario models and why; it opens the report's assumptions"`
	// Question is the question the study answers, which opens its report.
	Question string `yaml:"question" doc:"the question the study answers, which opens its report"`
	// Headline names the metric the report's headline compares.
	Headline string        `yaml:"headline" doc:"the metric the report's headline compares; without it, the first metric the arms change"`
	Horizon  unit.Duration `yaml:"horizon,required" doc:"simulated time of one run, such as 365d"`
	Step     unit.Duration `yaml:"step,required" doc:"simulated time of one step; the horizon is a whole number of steps"`
	// SampleEvery is the interval at which time series are recorded; it
	// must be a whole number of steps.
	SampleEvery *unit.Duration `yaml:"sample_every" doc:"interval at which time series are recorded, a whole number of steps; without it, the horizon in 100 parts"`
	Runs        *int           `yaml:"runs" doc:"runs of each cell (cascade run --runs overrides); without it, 1000"`
	Seed        uint64         `yaml:"seed" doc:"seed of every random stream; the same seed gives byte-identical results"`
	// Numeraire is the asset every value is measured in; its price is 1.
	Numeraire  string         `yaml:"numeraire,required" doc:"the asset every value is measured in; its price is 1"`
	Assets     Map[Asset]     `yaml:"assets,required" doc:"the tokens by name: decimals, and a constant price in the numeraire where no process drives it"`
	Processes  Map[Component] `yaml:"processes" doc:"price and signal processes by name, each with type: (cascade types lists them)"`
	Mechanisms Map[Component] `yaml:"mechanisms" doc:"pools, oracles and protocols by name, each with type:"`
	Agents     Map[Component] `yaml:"agents" doc:"agents by name, each with type:"`
	Metrics    []MetricSpec   `yaml:"metrics" doc:"metrics to record: names (pool.lp_hodl) or {metric, worse, threshold}; without it, all"`
	// Ordering is how the agents' turns are ordered within a step:
	// "shuffled" (the default) draws a fresh order every step from the
	// run's own stream, "listed" keeps the order of the agents section.
	Ordering string `yaml:"ordering" doc:"order of the agents' turns within a step: shuffled (a fresh random order every step) or listed; without it, shuffled"`
	// Sweep is the grid of parameter values; each combination is a point.
	Sweep Sweep `yaml:"sweep" doc:"parameter values to sweep, by dotted path (mechanisms.pool.fee: [0.05%, 0.3%]) or {from, to, steps, scale}; crn and zip settings"`
	// Compare names policy arms, each run at every point with the same
	// random numbers.
	Compare Map[Arm] `yaml:"compare" doc:"policy arms by name, each a set of overrides run at every point with the same random numbers"`
	// Regions name conditions on cell outcomes to map over the sweep.
	Regions Map[Region] `yaml:"regions" doc:"named conditions on cell outcomes ({metric, stat, below or above}) mapped over the sweep"`
	// Discover replaces the sweep grid with a design over parameter ranges
	// and the analyses run on it (cascade discover).
	Discover *Discover `yaml:"discover" doc:"a design over parameter ranges and the analyses run on it (cascade discover) instead of a sweep grid"`
}

// Agent orderings within a step (Scenario.Ordering).
const (
	// OrderShuffled gives the agents a fresh uniformly random order every
	// step, drawn from the run's own stream: no agent is systematically
	// first to trade into a pool or last to react to a price.
	OrderShuffled = "shuffled"
	// OrderListed lets the agents act in the order the file lists them: for
	// a stated priority (a keeper that always lands first, a block builder's
	// ordering), or to reproduce results of a fixed-order model.
	OrderListed = "listed"
)

// Asset is a token: its decimals fix the raw unit (1 token = 10^decimals
// raw units), and Price is its constant price in the numeraire when no
// process drives it.
type Asset struct {
	Decimals int           `yaml:"decimals,required" doc:"decimals of the raw unit: one token is 10 to the decimals raw units (0 to 36)"`
	Price    *unit.Decimal `yaml:"price" doc:"constant price in the numeraire when no process drives it" unit:"numeraire per token"`
}

// Check validates the asset.
func (a *Asset) Check(c *Check) {
	if a.Decimals < 0 || a.Decimals > 36 {
		c.Errorf("decimals", "expected decimals from 0 to 36, got %d", a.Decimals)
	}
	if a.Price != nil && a.Price.Sign() <= 0 {
		c.Errorf("price", "expected a positive price, got %s", a.Price)
	}
}

// Steps returns the number of steps in the horizon.
func (s *Scenario) Steps() int { return int(s.Horizon.Std() / s.Step.Std()) }

// SampleStride returns how many steps lie between recorded samples.
func (s *Scenario) SampleStride() int {
	if s.SampleEvery != nil {
		return int(s.SampleEvery.Std() / s.Step.Std())
	}
	return max(1, s.Steps()/DefaultSamples)
}

// RunCount returns the number of runs the file asks for, or DefaultRuns.
func (s *Scenario) RunCount() int {
	if s.Runs != nil {
		return *s.Runs
	}
	return DefaultRuns
}

// Check validates relations between the top-level fields.
func (s *Scenario) Check(c *Check) {
	if err := CheckName(s.Name); err != nil {
		c.Errorf("name", "%v", err)
	}
	if s.Horizon.Std()%s.Step.Std() != 0 {
		c.Errorf("horizon", "horizon %s is not a whole number of %s steps", s.Horizon, s.Step)
	}
	if s.Steps() > 1<<31 {
		c.Errorf("horizon", "horizon %s has %d steps; at most 2^31 are supported", s.Horizon, s.Steps())
	}
	if s.SampleEvery != nil && s.SampleEvery.Std()%s.Step.Std() != 0 {
		c.Errorf("sample_every", "sample_every %s is not a whole number of %s steps", *s.SampleEvery, s.Step)
	}
	if s.Runs != nil && *s.Runs < 1 {
		c.Errorf("runs", "expected at least 1 run, got %d", *s.Runs)
	}
	if s.Runs != nil && *s.Runs > MaxRuns {
		c.Errorf("runs", "expected at most %d runs (2^31-1), got %d", MaxRuns, *s.Runs)
	}
	switch s.Ordering {
	case "", OrderShuffled, OrderListed:
	default:
		c.Errorf("ordering", "expected ordering %q or %q, got %q%s", OrderShuffled, OrderListed, s.Ordering, didYouMean(s.Ordering, []string{OrderShuffled, OrderListed}))
	}
	if _, ok := s.Assets.Get(s.Numeraire); !ok {
		c.Errorf("numeraire", "numeraire %q is not among the assets%s", s.Numeraire, didYouMean(s.Numeraire, s.Assets.Names()))
	}
	// Component names prefix metric names ("pool.lvr") and must be unique
	// across sections; an asset may share a name with a component.
	names := map[string]string{}
	for _, sec := range []struct {
		key     string
		entries []*Node
	}{{"assets", s.Assets.keys()}, {"processes", s.Processes.keys()}, {"mechanisms", s.Mechanisms.keys()}, {"agents", s.Agents.keys()}} {
		for _, kn := range sec.entries {
			n := kn.Text
			if !validName(n) {
				c.errs.At(kn, sec.key+"."+n, "name %q must start with a letter and contain only letters, digits, '_' and '-'", n)
			}
			if prev, dup := names[n]; dup && sec.key != "assets" && prev != "assets" {
				c.errs.At(kn, sec.key+"."+n, "name %q is already used in %s; component names must be unique", n, prev)
			}
			names[n] = sec.key
		}
	}
}

func (m Map[T]) keys() []*Node {
	out := make([]*Node, len(m))
	for k, e := range m {
		out[k] = e.Key
	}
	return out
}

// Entry is one named value of a Map.
type Entry[T any] struct {
	Name string
	// Key is the node of the name, Node that of the value.
	Key   *Node
	Node  *Node
	Path  string
	Value T
}

// Map is a YAML mapping from names to values of one type, kept in file order.
type Map[T any] []Entry[T]

// DecodeNode implements NodeDecoder.
func (m *Map[T]) DecodeNode(n *Node, path string, errs *Errs) {
	if n.Kind == Null {
		return
	}
	if n.Kind != Mapping {
		errs.At(n, path, "expected a mapping of names to entries, got %s", describe(n))
		return
	}
	for k, kn := range n.Keys {
		e := Entry[T]{Name: kn.Text, Key: kn, Node: n.Items[k], Path: join(path, kn.Text)}
		decodeValue(e.Node, reflect.ValueOf(&e.Value).Elem(), e.Path, errs, nil)
		*m = append(*m, e)
	}
}

// Get returns the value named name.
func (m Map[T]) Get(name string) (T, bool) {
	for _, e := range m {
		if e.Name == name {
			return e.Value, true
		}
	}
	var zero T
	return zero, false
}

// Names returns the names in file order.
func (m Map[T]) Names() []string {
	out := make([]string, len(m))
	for k, e := range m {
		out[k] = e.Name
	}
	return out
}

func validName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Component is a process, mechanism or agent: its type selects the
// implementation, and Node holds the parameters for that implementation to
// decode.
type Component struct {
	Type string
	Node *Node
}

// DecodeNode implements NodeDecoder: it requires a mapping with a "type".
func (c *Component) DecodeNode(n *Node, path string, errs *Errs) {
	c.Node = n
	if n.Kind != Mapping {
		errs.At(n, path, "expected a mapping with a type: key, got %s", describe(n))
		return
	}
	t := n.Get("type")
	switch {
	case t == nil:
		errs.At(n, path, "missing required key \"type\"")
	case t.Kind != Scalar:
		errs.At(t, path+".type", "expected a type name, got %s", describe(t))
	default:
		c.Type = t.Text
	}
}

// File is a loaded scenario file: its source, and one decoded Scenario per
// sweep cell.
type File struct {
	Path   string
	Source []byte
	// Hash is the hex SHA-256 of Source.
	Hash  string
	Root  *Node
	Cells []Cell
	// CRN is true when every cell uses the same random streams (common
	// random numbers, the default; sweep: {crn: false} turns it off).
	CRN bool
	// Overrides are the --set changes applied to Source, in order; the
	// scenario run is Source with them applied.
	Overrides []Override
	// Partial is true when LoadBytes also returned errors in top-level
	// values: the cells stand in repaired values for them (see repair), and
	// serve only to find the components' own errors in the same pass.
	Partial bool
	// sweep is the decoded sweep, for CheckSweep.
	sweep Sweep
}

// CheckSweep reports swept values that are not numbers, which results
// cannot record. The package that decodes the components calls it once
// they decoded without error, so that a value the parameter itself rejects
// ("fee: lots") gets that parameter's message instead.
func (f *File) CheckSweep(errs *Errs) {
	f.sweep.checkNumeric(errs)
}

// Load reads and decodes a scenario file. The error, if any, is a List with
// every problem found.
func Load(path string, overrides ...Override) (*File, error) {
	src, rerr := readFile(path)
	if rerr != nil {
		return nil, List{rerr}
	}
	return LoadBytes(path, src, overrides...)
}

// Override replaces one value of a scenario before it is decoded, as
// `cascade run --set processes.eth.volatility=6%/day` does.
type Override struct {
	Path, Value string
}

// String renders the override as the --set argument that makes it,
// path=value.
func (o Override) String() string { return o.Path + "=" + o.Value }

// LoadBytes decodes scenario source; path names it in errors. Overrides are
// applied to the parsed tree first; each must name an existing single value.
func LoadBytes(path string, src []byte, overrides ...Override) (*File, error) {
	root, err := Parse(path, src)
	if err != nil {
		return nil, err
	}
	var bad List
	for _, o := range overrides {
		origin := "--set " + o.Path + "=" + o.Value
		val := &Node{Kind: Scalar, Text: o.Value, Origin: origin}
		if t := strings.TrimSpace(o.Value); strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
			// A list or mapping in YAML's flow style: --set
			// mechanisms.pool.reserves=[1000,2000].
			n, err := Parse(origin, []byte(t))
			if err != nil {
				bad = append(bad, &Error{File: origin, Msg: "expected a YAML list [a, b] or mapping {k: v}: " + err.Error()})
				continue
			}
			n.setOrigin(origin)
			val = n
		}
		if err := set(root, o.Path, val, &Node{Origin: origin}); err != nil {
			bad = append(bad, &Error{File: origin, Msg: err.Error()})
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	sum := sha256.Sum256(src)
	f := &File{Path: path, Source: src, Hash: hex.EncodeToString(sum[:]), Root: root, Overrides: append([]Override(nil), overrides...)}
	errs := &Errs{File: path}
	if root.Kind != Mapping {
		errs.At(root, "", "expected a scenario mapping (name:, horizon:, step: ...), got %s", describe(root))
		return nil, errs.List.Err()
	}
	var base Scenario
	Decode(root, &base, "", errs)
	topErrs := len(errs.List) > 0
	if !topErrs {
		checkDiscover(root, &base, errs)
		if len(errs.List) > 0 {
			return nil, errs.List.Err()
		}
	}
	cells := expand(root, base.Sweep, base.Compare, errs)
	for k := range cells {
		Decode(cells[k].Root, &cells[k].Scenario, "", errs)
		if topErrs {
			cells[k].Scenario.repair()
		}
	}
	if len(errs.List) == 0 && len(cells) > 0 {
		if runs := cells[0].Scenario.RunCount(); runs > MaxRuns/len(cells) {
			at := root.Get("runs")
			if at == nil {
				at = root
			}
			errs.At(at, "runs", "%d runs in each of %d sweep cells are more than %d runs in all", runs, len(cells), MaxRuns)
		}
	}
	if err := errs.List.Err(); err != nil {
		if !topErrs || len(cells) == 0 {
			return nil, err
		}
		// The components may hold independent errors of their own: return
		// the cells too, repaired, for the caller to check them.
		f.Partial = true
	}
	f.Cells = cells
	f.CRN = base.Sweep.UsesCRN()
	f.sweep = base.Sweep
	return f, errs.List.Err()
}

// repair gives the top-level values that failed to decode stand-ins, so
// that the components can still be checked: a day's step and horizon and
// one run.
func (s *Scenario) repair() {
	day := unit.Duration(24 * time.Hour)
	if s.Step.Std() <= 0 {
		s.Step = day
	}
	if s.Horizon.Std() <= 0 || s.Horizon.Std()%s.Step.Std() != 0 || s.Steps() > 1<<20 {
		s.Horizon = s.Step
	}
	if s.SampleEvery != nil && (s.SampleEvery.Std() <= 0 || s.SampleEvery.Std()%s.Step.Std() != 0) {
		s.SampleEvery = nil
	}
	one := 1
	s.Runs = &one
	for k := range s.Assets {
		a := &s.Assets[k].Value
		a.Decimals = min(max(a.Decimals, 0), 36)
		if a.Price != nil && a.Price.Sign() <= 0 {
			a.Price = nil
		}
	}
}

// Describe renders a cell's arm and sweep parameters as
// "arm, path=label, ...".
func (c *Cell) Describe() string {
	var parts []string
	if c.Arm != "" {
		parts = append(parts, c.Arm)
	}
	for _, p := range c.Params {
		parts = append(parts, fmt.Sprintf("%s=%s", p.Path, p.Label))
	}
	return strings.Join(parts, ", ")
}

// Arms returns the compare arms' names in file order (one empty name
// without a compare block).
func (f *File) Arms() []string {
	var names []string
	for _, c := range f.Cells {
		if c.Point != 0 {
			break
		}
		names = append(names, c.Arm)
	}
	return names
}
