// Package world compiles a scenario into a runnable model: it builds the
// assets, exogenous processes, mechanisms and agents a scenario names,
// checks every reference between them, and runs one path per engine Job.
//
// One step of a path is, in order: every process advances and sets the
// prices of the assets it drives; every protocol runs its own step (accrual,
// epochs, auction clocks); every agent acts once, in a fresh random order
// each step (ordering: shuffled, the default) or in the order the scenario
// lists them (ordering: listed); every protocol checks its accounting; every
// stride steps the metrics are sampled. Metric
// names are "component.metric" ("pool.lvr", "lp.lp_hodl", "ETH.price").
package world

import (
	"fmt"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/process"
	"github.com/cascade-risk/cascade/scenario"
)

// Metric is one recorded quantity of a compiled model.
type Metric struct {
	metric.Def
	// Name is the full name, "component.metric".
	FullName string
	// Threshold is the loss threshold the scenario gives, if any.
	Threshold *float64
	// Optional metrics (a pool's balances) are recorded only when the
	// scenario names them exactly, not by default nor by a component.*
	// pattern, so that adding one leaves existing outputs unchanged.
	Optional bool
}

// Model is a compiled scenario file, one cell per sweep cell. It implements
// engine.Model.
type Model struct {
	File  *scenario.File
	cells []*cell
	// Metrics are the recorded metrics: each is a per-run scalar (its value
	// at the end of the horizon) and a sampled series.
	Metrics []Metric
}

type procSpec struct {
	name    string
	build   func() (process.Process, error)
	outputs []int // asset index of each process output
}

type venueSpec struct {
	name   string
	pool   cfmm.Pool
	assets []int
}

// observerSpec is an oracle (protocol index) that observes after an
// agent's turn (its name, resolved to an index into agents).
type observerSpec struct {
	protocol int
	agent    string
	index    int
	node     *scenario.Node
	path     string
}

type agentSpec struct {
	name  string
	build func() market.Agent
}

type cell struct {
	sc        *scenario.Scenario
	numeraire int
	// signals name the exogenous series that are not prices (gas), which
	// process outputs address as ^index.
	signals  []string
	assets   []string
	unit     []float64
	decimals []int
	// price0 are starting prices, for assets no process drives.
	price0    []float64
	procs     []procSpec
	venues    []venueSpec
	protocols []protocolSpec
	agents    []agentSpec
	// observers are oracles that observe after an agent's turn.
	observers []observerSpec
	steps     int
	stride    int
	// slots, when not nil, map each sample to its index in a run's series,
	// −1 for a sample not recorded (see Model.RecordOnly); kept counts the
	// recorded ones.
	slots []int
	kept  int
	// selected are indices into the full observation vector.
	selected []int
	all      []Metric
}

// Compile builds a model from a loaded scenario file. Every problem in every
// cell is reported at once, as a scenario.List.
func Compile(f *scenario.File) (*Model, error) {
	m := &Model{File: f}
	errs := &scenario.Errs{File: f.Path}
	for k := range f.Cells {
		c := compileCell(f, &f.Cells[k], errs)
		m.cells = append(m.cells, c)
	}
	if len(errs.List) == 0 {
		f.CheckSweep(errs)
	}
	if err := errs.List.Err(); err != nil {
		return nil, err
	}
	for _, k := range m.cells[0].selected {
		m.Metrics = append(m.Metrics, m.cells[0].all[k])
	}
	return m, nil
}

// CheckFans returns a positioned error if the percentile bands over time
// (metric.Fan) of every cell together would exceed MaxFanPoints sample
// points (each fan keeping at most metric.MaxFanPoints of a cell's
// samples). A run of the whole file keeps them; a discovery, which evaluates
// points in batches without bands, does not call it.
func (m *Model) CheckFans() error {
	points := 0
	for _, c := range m.cells {
		points += c.fanSamples() * len(c.selected)
	}
	return fanError(m.File, points, m.cells[0])
}

// CheckFanBudget is CheckFans before compiling every cell: it compiles
// the first and assumes the others record as much, so that a sweep too
// large to record is rejected without the cost of compiling it. Errors in
// the first cell are left to Compile.
func CheckFanBudget(f *scenario.File) error {
	if len(f.Cells) < 2 {
		return nil
	}
	first := *f
	first.Cells = f.Cells[:1]
	m, err := Compile(&first)
	if err != nil {
		return nil
	}
	c := m.cells[0]
	return fanError(f, len(f.Cells)*c.fanSamples()*len(c.selected), c)
}

func fanError(f *scenario.File, points int, c *cell) error {
	if points <= MaxFanPoints {
		return nil
	}
	errs := &scenario.Errs{File: f.Path}
	at, key := f.Root.Get("sweep"), "sweep"
	if at == nil {
		at, key = f.Root.Get("sample_every"), "sample_every"
	}
	if at == nil {
		at, key = f.Root, ""
	}
	errs.At(at, key, "%d cells recording %d fan samples of %d metrics each are %d points of percentile bands; at most %d are supported: sweep fewer cells or record fewer metrics",
		len(f.Cells), c.fanSamples(), len(c.selected), points, MaxFanPoints)
	return errs.List.Err()
}

// Cells implements engine.Model.
func (m *Model) Cells() int { return len(m.cells) }

// StreamCell implements engine.Model. The arms of a comparison always share
// their point's streams; with common random numbers (the default, see
// scenario.Sweep) every point shares the first point's streams too, and
// with sweep: {crn: false} each point has its own.
func (m *Model) StreamCell(c int) int {
	if m.File.CRN {
		return 0
	}
	return m.File.Cells[c].Point
}

// Shape implements engine.Model.
func (m *Model) Shape(c int) engine.Shape {
	cl := m.cells[c]
	samples := cl.samples()
	if cl.slots != nil {
		samples = cl.kept
	}
	return engine.Shape{Scalars: len(cl.selected), Series: len(cl.selected), Samples: samples}
}

// RecordOnly makes cell c's runs record only the samples keep (ascending
// indices among SampleTimes) in their series, so that runs whose series
// serve only percentile bands of at most metric.MaxFanPoints points hold
// no series as long as the horizon. Every sample is still observed and
// checked for non-finite values, metrics that cannot be non-finite
// excepted at samples not recorded (market.UnrecordedObserver).
func (m *Model) RecordOnly(c int, keep []int) error {
	cl := m.cells[c]
	n := cl.samples()
	slots := make([]int, n)
	for i := range slots {
		slots[i] = -1
	}
	for j, k := range keep {
		if k < 0 || k >= n || (j > 0 && k <= keep[j-1]) {
			return fmt.Errorf("world: sample %d to record is %d, want ascending indices below %d", j, k, n)
		}
		slots[k] = j
	}
	cl.slots, cl.kept = slots, len(keep)
	return nil
}

// Scenario returns the decoded scenario of a cell.
func (m *Model) Scenario(c int) *scenario.Scenario { return m.cells[c].sc }

// SampleTimes returns the simulated time, in seconds, of each sample.
func (m *Model) SampleTimes(c int) []float64 {
	cl := m.cells[c]
	out := make([]float64, cl.samples())
	for k := range out {
		out[k] = float64(k*cl.stride) * cl.sc.Step.Seconds()
	}
	return out
}

// Steps returns the number of steps per run of a cell.
func (m *Model) Steps(c int) int { return m.cells[c].steps }

func (c *cell) samples() int { return c.steps/c.stride + 1 }

// fanSamples is how many of the samples a fan keeps (metric.FanPoints).
func (c *cell) fanSamples() int { return min(c.samples(), metric.MaxFanPoints) }

// NewSim implements engine.Model.
func (m *Model) NewSim(c int) (engine.Sim, error) { return m.cells[c].newSim() }

func compileCell(f *scenario.File, sc *scenario.Cell, errs *scenario.Errs) *cell {
	s := &sc.Scenario
	c := &cell{sc: s, steps: s.Steps(), stride: s.SampleStride()}
	b := &builder{cell: c, errs: errs, dir: filepath.Dir(f.Path), root: sc.Root, assetIndex: map[string]int{}, venueIndex: map[string]int{}, broken: map[string]bool{}}
	for _, a := range s.Assets {
		b.assetIndex[a.Name] = len(c.assets)
		c.assets = append(c.assets, a.Name)
		c.decimals = append(c.decimals, a.Value.Decimals)
		c.unit = append(c.unit, pow10(-a.Value.Decimals))
		p := 0.0
		switch {
		case a.Name == s.Numeraire:
			p = 1
			c.numeraire = len(c.assets) - 1
			if a.Value.Price != nil && a.Value.Price.Float64() != 1 {
				errs.At(a.Node.Get("price"), a.Path+".price", "the numeraire's price is 1 by definition")
			}
		case a.Value.Price != nil:
			p = a.Value.Price.Float64()
		}
		c.price0 = append(c.price0, p)
	}
	before := len(errs.List)
	driven := make([]bool, len(c.assets))
	for k, p := range s.Processes {
		spec, ok := b.process(k, p)
		if !ok {
			// Count the assets the broken process names as driven, so its
			// error is not followed by "asset has no price".
			for _, n := range append([]*scenario.Node{p.Node.Get("asset")}, itemsOf(p.Node.Get("assets"))...) {
				if a, found := b.assetIndex[textOf(n)]; n != nil && found {
					driven[a] = true
				}
			}
			continue
		}
		for _, a := range spec.outputs {
			if a < 0 {
				continue
			}
			if driven[a] {
				errs.At(p.Node, p.Path, "asset %s is already driven by another process", c.assets[a])
			}
			driven[a] = true
		}
		c.procs = append(c.procs, spec)
	}
	// A liquid-staking token's price is set by its mechanism: the share
	// rate times the underlying's.
	for _, mc := range s.Mechanisms {
		if mc.Value.Type == "liquid_staking" {
			if a, found := b.assetIndex[textOf(mc.Node.Get("token"))]; found {
				driven[a] = true
				if b.staked == nil {
					b.staked = map[int]bool{}
				}
				b.staked[a] = true
			}
		}
	}
	for a, name := range c.assets {
		if !driven[a] && c.price0[a] == 0 {
			errs.At(s.Assets[a].Node, s.Assets[a].Path, "asset %s has no price: give it price: or drive it with a process", name)
		}
	}
	for _, mc := range s.Mechanisms {
		if build, ok := protocolBuilders[mc.Value.Type]; ok && !b.isVenueType(mc.Value.Type) {
			if p, ok := build(b, mc); ok {
				c.protocols = append(c.protocols, protocolSpec{name: mc.Name, build: p})
			} else {
				b.broken[mc.Name] = true
			}
			continue
		}
		if v, ok := b.mechanism(mc); ok {
			c.venues = append(c.venues, v)
		} else {
			b.broken[mc.Name] = true
		}
	}
	for _, ac := range s.Agents {
		if a, ok := b.agent(ac); ok {
			c.agents = append(c.agents, a)
		}
	}
	b.resolveObservers()
	c.all = c.metricList()
	// Values "in the numeraire" are reported in the numeraire's own name.
	for k := range c.all {
		if c.all[k].Unit == "numeraire" {
			c.all[k].Unit = s.Numeraire
		}
	}
	c.selected = b.selectMetrics(c.all, len(errs.List) > before)
	b.checkRegions(len(errs.List) > before)
	if n := c.samples() * max(1, len(c.selected)); n > MaxRecorded {
		at, key := sc.Root.Get("sample_every"), "sample_every"
		if at == nil {
			at, key = sc.Root.Get("horizon"), "horizon"
		}
		errs.At(at, key, "%d samples of %d metrics are %d values per run; at most %d are supported: sample less often (sample_every) or record fewer metrics",
			c.samples(), len(c.selected), n, MaxRecorded)
	}
	return c
}

// Bounds on the arrays a scenario makes Cascade allocate, so that a time
// grid too fine for its span is a clear error rather than an exhausted
// memory.
const (
	// MaxGridPoints bounds the points of a replayed or bootstrapped series
	// resampled to the step: 2^22 float64s, 32 MiB.
	MaxGridPoints = 1 << 22
	// MaxRecorded bounds the samples × metrics a run records, 8 MiB.
	MaxRecorded = 1 << 20
	// MaxFanPoints bounds the sample points of all fans (percentile bands
	// over time) of all cells together, each point a quantile sketch.
	MaxFanPoints = 1 << 19
)

// tokenNames returns the names of the given assets.
func (c *cell) tokenNames(assets []int) []string {
	out := make([]string, len(assets))
	for k, a := range assets {
		out[k] = c.assets[a]
	}
	return out
}

// metricList names every observable of the cell, in observation order:
// asset prices, then venues, then agents.
func (c *cell) metricList() []Metric {
	var out []Metric
	for _, a := range c.assets {
		if a == c.sc.Numeraire {
			continue
		}
		out = append(out, Metric{Def: metric.Def{Name: "price", Unit: "numeraire", Doc: "external price of " + a, Worse: metric.Neutral}, FullName: a + ".price"})
	}
	for _, s := range c.signals {
		out = append(out, Metric{Def: metric.Def{Name: "value", Unit: "signal", Doc: "exogenous signal " + s, Worse: metric.HigherIsWorse}, FullName: s + ".value"})
	}
	for _, v := range c.venues {
		for _, d := range (&market.Venue{Tokens: c.tokenNames(v.assets)}).Metrics() {
			out = append(out, Metric{Def: d, FullName: v.name + "." + d.Name, Optional: d.Optional || strings.HasPrefix(d.Name, "balance_") || strings.HasPrefix(d.Name, "depth_")})
		}
	}
	for _, p := range c.protocols {
		for _, d := range p.build().Metrics() {
			out = append(out, Metric{Def: d, FullName: p.name + "." + d.Name, Optional: d.Optional})
		}
	}
	for _, a := range c.agents {
		for _, d := range a.build().Metrics() {
			out = append(out, Metric{Def: d, FullName: a.name + "." + d.Name, Optional: d.Optional})
		}
	}
	return out
}

// selectMetrics resolves the scenario's metrics: list. When a component
// failed to build its metrics are missing, so unknown names are not reported.
func (b *builder) selectMetrics(all []Metric, componentsFailed bool) []int {
	s := b.cell.sc
	if len(s.Metrics) == 0 {
		var idx []int
		for k := range all {
			if !all[k].Optional {
				idx = append(idx, k)
			}
		}
		return idx
	}
	names := make([]string, len(all))
	for k, m := range all {
		names[k] = m.FullName
	}
	var idx []int
	seen := map[int]bool{}
	for k, spec := range s.Metrics {
		want := spec.Metric
		matched := false
		for i, n := range names {
			if n == want || !all[i].Optional && strings.HasSuffix(want, ".*") && strings.HasPrefix(n, strings.TrimSuffix(want, "*")) {
				matched = true
				if spec.Worse != "" {
					_ = all[i].Worse.UnmarshalText([]byte(spec.Worse))
				}
				if spec.Threshold != nil {
					t := float64(*spec.Threshold)
					all[i].Threshold = &t
				}
				if !seen[i] {
					seen[i] = true
					idx = append(idx, i)
				}
			}
		}
		if !matched && !componentsFailed {
			hint := ""
			if sug := scenario.Suggest(want, names); sug != "" {
				hint = fmt.Sprintf("; did you mean %q?", sug)
			}
			b.errs.At(b.metricsNode(k), fmt.Sprintf("metrics.%d", k), "no metric %q%s (available: %s)", want, hint, strings.Join(names, ", "))
		}
	}
	return idx
}

// checkRegions verifies that region conditions name recorded metrics.
func (b *builder) checkRegions(componentsFailed bool) {
	if componentsFailed {
		return
	}
	var names []string
	for _, k := range b.cell.selected {
		names = append(names, b.cell.all[k].FullName)
	}
	for _, r := range b.cell.sc.Regions {
		for k, cond := range r.Value {
			found := false
			for _, n := range names {
				found = found || n == cond.Metric
			}
			if !found {
				path := fmt.Sprintf("%s.%d.metric", r.Path, k)
				b.errs.At(r.Node.Lookup(fmt.Sprintf("%d.metric", k)), path, "no recorded metric %q%s", cond.Metric, hintFor(cond.Metric, names))
			}
		}
	}
}

func itemsOf(n *scenario.Node) []*scenario.Node {
	if n == nil {
		return nil
	}
	return n.Items
}

func textOf(n *scenario.Node) string {
	if n == nil {
		return ""
	}
	return n.Text
}

func pow10(e int) float64 {
	p := 1.0
	for ; e < 0; e++ {
		p /= 10
	}
	for ; e > 0; e-- {
		p *= 10
	}
	return p
}

// sim runs the paths of one cell on one goroutine.
type sim struct {
	c       *cell
	market  market.Market
	procs   []process.Process
	procOut [][]float64
	outputs [][]int // what each process's outputs drive (see procSpec)
	// relayed lists the processes whose outputs are copied by deliver;
	// the others write straight into the prices or signals they drive.
	relayed []int
	venues  []*market.Venue
	agents  []market.Agent
	actors  []market.Agent // the agents that act: all but Idlers
	// order draws the actors' order each step when the scenario shuffles
	// it; nil when the order is listed or there is nothing to order.
	order    *rand.Rand
	orderPCG rand.PCG
	// orderHi and orderLo are orderPCG's state, which stepAll steps in
	// locals (variate.Next) on 64-bit platforms and writes back.
	orderHi, orderLo uint64
	pcgs             []rand.PCG
	rngs             []*rand.Rand
	obs              []float64
	// widths are the number of metrics of each venue, protocol and agent.
	widths []int
	// unrecorded holds, for each protocol and then each agent, the
	// participant as a market.UnrecordedObserver, or nil.
	unrecorded []market.UnrecordedObserver
	// start, set only for a traced run, sees the state at step 0.
	start func()
	// forceGeneral makes even a plain model take stepAll (tests).
	forceGeneral bool
	// observeAll makes record observe every metric at samples it does
	// not record too (tests).
	observeAll bool
	// regen are the protocols that may ask for the run's start again
	// (market.Regenesis); restart, set only for a traced run, drops what
	// the start asked again recorded.
	regen   []market.Regenesis
	restart func()
}

func (c *cell) newSim() (*sim, error) {
	s := &sim{c: c}
	n := len(c.assets)
	s.market = market.Market{Prices: make([]float64, n), PrevPrices: make([]float64, n), Unit: c.unit,
		Signals: make([]float64, len(c.signals)), StepSeconds: c.sc.Step.Seconds()}
	for _, p := range c.procs {
		proc, err := p.build()
		if err != nil {
			return nil, err
		}
		k := len(s.procs)
		s.procs = append(s.procs, proc)
		out := directOutputs(&s.market, p.outputs, proc.Dim())
		if out == nil {
			out = make([]float64, proc.Dim())
			s.relayed = append(s.relayed, k)
		}
		s.procOut = append(s.procOut, out)
		s.outputs = append(s.outputs, p.outputs)
	}
	for _, v := range c.venues {
		vv := market.NewVenue(v.name, v.pool.Clone(), v.assets)
		vv.Tokens = c.tokenNames(v.assets)
		for _, i := range c.selected {
			if n := c.all[i].FullName; strings.HasPrefix(n, v.name+".depth_") {
				vv.Depth = true
			}
		}
		s.venues = append(s.venues, vv)
	}
	s.market.Venues = s.venues
	for _, p := range c.protocols {
		pr := p.build()
		s.market.Protocols = append(s.market.Protocols, pr)
		if r, ok := pr.(market.Regenesis); ok {
			s.regen = append(s.regen, r)
		}
	}
	for k, a := range c.agents {
		ag := a.build()
		var samplers []protocol.Sampler
		for _, o := range c.observers {
			if o.index == k {
				samplers = append(samplers, s.market.Protocols[o.protocol].(protocol.Sampler))
			}
		}
		if samplers != nil {
			ag = &observedAgent{Agent: ag, samplers: samplers}
		}
		s.agents = append(s.agents, ag)
		if _, idle := ag.(market.Idler); !idle {
			s.actors = append(s.actors, ag)
		}
	}
	if c.sc.Ordering != scenario.OrderListed && len(s.actors) > 1 {
		s.order = rand.New(&s.orderPCG)
	}
	streams := len(s.procs) + len(s.agents)
	s.pcgs = make([]rand.PCG, streams)
	s.rngs = make([]*rand.Rand, streams)
	for k := range s.pcgs {
		s.rngs[k] = rand.New(&s.pcgs[k])
	}
	s.obs = make([]float64, len(c.all))
	for _, v := range s.venues {
		s.widths = append(s.widths, len(v.Metrics()))
	}
	for _, p := range s.market.Protocols {
		s.widths = append(s.widths, len(p.Metrics()))
	}
	for _, a := range s.agents {
		s.widths = append(s.widths, len(a.Metrics()))
	}
	for _, p := range s.market.Protocols {
		u, _ := p.(market.UnrecordedObserver)
		s.unrecorded = append(s.unrecorded, u)
	}
	for _, a := range s.agents {
		u, _ := a.(market.UnrecordedObserver)
		s.unrecorded = append(s.unrecorded, u)
	}
	return s, nil
}

// agentStreamBase numbers agent streams apart from process streams, so that
// adding a process does not change agents' random numbers and vice versa.
const agentStreamBase = 1 << 20

// orderStream is the stream that orders the agents' turns.
const orderStream = 1 << 30

// Run implements engine.Sim.
func (s *sim) Run(job engine.Job, out *engine.Outcome) error {
	s.reset(job)
	for s.regenesis() {
		if s.restart != nil {
			s.restart()
		}
		s.reset(job)
	}
	s.record(out, 0)
	if err := s.checkFinite(0); err != nil {
		return err
	}
	if s.start != nil {
		s.start()
	}
	if s.plain() && !s.forceGeneral {
		if err := s.stepPlain(out); err != nil {
			return err
		}
	} else if err := s.stepAll(out); err != nil {
		return err
	}
	s.observe()
	for k, i := range s.c.selected {
		out.Scalars[k] = s.obs[i]
	}
	return nil
}

// regenesis asks every market.Regenesis protocol whether the run must
// start again; all are asked.
func (s *sim) regenesis() bool {
	again := false
	for _, r := range s.regen {
		again = r.Regenesis() || again
	}
	return again
}

// reset puts the run's processes, venues, protocols and agents in their
// initial state for job, each random stream seeded from the job's seed.
func (s *sim) reset(job engine.Job) {
	c := s.c
	m := &s.market
	copy(m.Prices, c.price0)
	for k, p := range s.procs {
		s.pcgs[k].Seed(engine.Stream(job.Seed, uint64(k)))
		if r, ok := p.(process.PCGResetter); ok {
			r.ResetPCG(s.rngs[k], &s.pcgs[k], s.procOut[k]) // s.rngs[k] is rand.New(&s.pcgs[k])
		} else {
			p.Reset(s.rngs[k], s.procOut[k])
		}
	}
	for _, k := range s.relayed {
		s.deliver(k)
	}
	copy(m.PrevPrices, m.Prices)
	for k, v := range s.venues {
		v.Reset(c.venues[k].pool.Clone())
	}
	m.Step = 0
	for _, p := range m.Protocols {
		p.Reset(m)
	}
	for k, a := range s.agents {
		r := len(s.procs) + k
		s.pcgs[r].Seed(engine.Stream(job.Seed, agentStreamBase+uint64(k)))
		if pa, ok := a.(market.PCGResetter); ok {
			pa.ResetPCG(m, s.rngs[r], &s.pcgs[r]) // s.rngs[r] is rand.New(&s.pcgs[r])
		} else {
			a.Reset(m, s.rngs[r])
		}
	}
	if s.order != nil {
		// Every run starts from the listed order, so a run's turns depend
		// only on its own stream.
		s.actors = s.actors[:0]
		for _, a := range s.agents {
			if _, idle := a.(market.Idler); !idle {
				s.actors = append(s.actors, a)
			}
		}
		s.orderHi, s.orderLo = engine.Stream(job.Seed, orderStream)
		s.orderPCG.Seed(s.orderHi, s.orderLo)
	}
}

// directOutputs returns the run of m's prices or signals that outputs (see
// procSpec) address, for a process of dim values to write into in place of
// a copy each step, or nil unless they are dim consecutive prices or dim
// consecutive signals.
func directOutputs(m *market.Market, outputs []int, dim int) []float64 {
	if dim == 0 || len(outputs) != dim {
		return nil
	}
	dst, first := m.Prices, outputs[0]
	if first < 0 {
		dst, first = m.Signals, ^first
	}
	for i, o := range outputs {
		a := o
		if o < 0 {
			a = ^o
		}
		if (o < 0) != (outputs[0] < 0) || a != first+i {
			return nil
		}
	}
	if first+dim > len(dst) {
		return nil
	}
	return dst[first : first+dim : first+dim]
}

// deliver copies process k's outputs to the prices and signals it drives.
func (s *sim) deliver(k int) {
	m := &s.market
	out := s.procOut[k]
	for i, a := range s.outputs[k] {
		if a >= 0 {
			m.Prices[a] = out[i]
		} else {
			m.Signals[^a] = out[i]
		}
	}
}

func (s *sim) observe() { s.observeFor(true) }

// observeFor fills s.obs with every metric when recorded; otherwise for a
// sample that is not recorded, whose observation serves only
// checkFinite: participants that are market.UnrecordedObservers then
// write only the metrics that can be non-finite, and the others stay as
// the last observation left them.
func (s *sim) observeFor(recorded bool) {
	m := &s.market
	o := 0
	for a, p := range m.Prices {
		if a != s.c.numeraire {
			s.obs[o] = p
			o++
		}
	}
	o += copy(s.obs[o:], m.Signals)
	for k, v := range s.venues {
		v.Observe(m, s.obs[o:])
		o += s.widths[k]
	}
	for k, p := range m.Protocols {
		if u := s.unrecorded[k]; u != nil && !recorded {
			u.ObserveUnrecorded(m, s.obs[o:])
		} else {
			p.Observe(m, s.obs[o:])
		}
		o += s.widths[len(s.venues)+k]
	}
	for k, a := range s.agents {
		if u := s.unrecorded[len(m.Protocols)+k]; u != nil && !recorded {
			u.ObserveUnrecorded(m, s.obs[o:])
		} else {
			a.Observe(m, s.obs[o:])
		}
		o += s.widths[len(s.venues)+len(m.Protocols)+k]
	}
}

// NonFiniteError is a price or metric that is NaN, infinite or (for a
// price) negative: an overflow or an undefined operation. It stops the run,
// since every later value would rest on it.
type NonFiniteError struct {
	Step  int
	What  string
	Value float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("step %d: %s is %v; a value overflowed or became undefined (check drifts, volatilities, initial prices and sizes for extremes)", e.Step, e.What, e.Value)
}

// checkFinite returns a NonFiniteError for the first metric observed that
// is not a finite number and may not be so by definition.
func (s *sim) checkFinite(step int) error {
	for k, v := range s.obs {
		if v-v != 0 && !s.c.all[k].NonFinite {
			return &NonFiniteError{Step: step, What: "metric " + s.c.all[k].FullName, Value: v}
		}
	}
	return nil
}

// record observes sample (at the current step) into out's series; a
// sample the run does not record (Model.RecordOnly) is observed only for
// checkFinite (observeFor).
func (s *sim) record(out *engine.Outcome, sample int) {
	if slots := s.c.slots; slots != nil {
		if sample = slots[sample]; sample < 0 {
			s.observeFor(s.observeAll)
			return
		}
	}
	s.observe()
	for k, i := range s.c.selected {
		out.Series[k][sample] = s.obs[i]
	}
}
