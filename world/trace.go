package world

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/trace"
	"github.com/holiman/uint256"
)

// TraceColumns names the state vector a trace records for cell c: every
// metric of the cell (selected or not), then, for each venue, the liquidity
// providers' holdings of each token in whole tokens
// ("<venue>.holdings_<asset>") and its spot price of token 0 in token 1,
// whole tokens, before fees ("<venue>.spot").
func (m *Model) TraceColumns(c int) []string {
	cl := m.cells[c]
	var cols []string
	for _, d := range cl.all {
		cols = append(cols, d.FullName)
	}
	for _, v := range cl.venues {
		for _, a := range v.assets {
			cols = append(cols, v.name+".holdings_"+cl.assets[a])
		}
		cols = append(cols, v.name+".spot")
	}
	return cols
}

// AllMetrics returns every metric cell c observes, recorded or not, in the
// order of TraceColumns.
func (m *Model) AllMetrics(c int) []Metric { return append([]Metric(nil), m.cells[c].all...) }

// Trace runs job on cell c exactly as the engine would — the outcome is
// bit for bit the one the run has inside a full run — and records the path
// in rec: the state vector (TraceColumns) at step 0 and after every step,
// the changes each agent's turn makes to it, and the events of components
// that implement trace.Emitter.
//
// Tracing wraps the agents that act and adds a turn at the end of each
// step; the untraced path is unchanged.
func (m *Model) Trace(c int, job engine.Job, rec *trace.Recorder) (*engine.Outcome, error) {
	s, err := m.cells[c].newSim()
	if err != nil {
		return nil, err
	}
	rec.Columns = m.TraceColumns(c)
	t := &tracer{s: s, rec: rec, state: make([]float64, len(rec.Columns)), last: make([]float64, len(rec.Columns))}
	for _, v := range s.venues {
		t.holdings = append(t.holdings, make([]uint256.Int, v.Pool.NumTokens()))
	}
	for k, v := range s.venues {
		v.SetTrace(rec, m.cells[c].venues[k].name)
	}
	for k, p := range s.market.Protocols {
		if e, ok := p.(trace.Emitter); ok {
			e.SetTrace(rec, m.cells[c].protocols[k].name)
		}
	}
	names := map[market.Agent]string{}
	for k, a := range s.agents {
		names[a] = m.cells[c].agents[k].name
		if e, ok := a.(trace.Emitter); ok {
			e.SetTrace(rec, names[a])
		}
	}
	// The acting agents are wrapped where the sim keeps them, so that a
	// shuffled order (rebuilt from s.agents every run) wraps them too;
	// the last turn of a step records the state after it. Without acting
	// agents a turn that only records is added.
	wrapped := map[market.Agent]market.Agent{}
	for _, a := range s.actors {
		wrapped[a] = &tracedActor{Agent: a, t: t, name: names[a]}
	}
	t.actors = len(s.actors)
	for k, a := range s.agents {
		if w, ok := wrapped[a]; ok {
			s.agents[k] = w
		}
	}
	for k, a := range s.actors {
		s.actors[k] = wrapped[a]
	}
	if len(s.actors) == 0 {
		// s.order is nil for fewer than two actors: the sim keeps this.
		s.actors = append(s.actors, &stepEnd{t: t})
		t.actors = 1
	}
	// Events emitted while a start was run again (market.Regenesis)
	// belong to a start the run does not keep.
	kept := len(rec.Events)
	s.restart = func() { rec.Events = rec.Events[:kept] }
	s.start = func() {
		t.snapshot()
		copy(t.last, t.state)
		rec.State(0, t.state)
		rec.Turn(1, trace.World)
	}
	out := &engine.Outcome{Job: job}
	sh := m.Shape(c)
	out.Scalars = make([]float64, sh.Scalars)
	out.Series = make([][]float64, sh.Series)
	for k := range out.Series {
		out.Series[k] = make([]float64, sh.Samples)
	}
	if err := s.Run(job, out); err != nil {
		return out, &engine.RunError{Job: job, Err: err}
	}
	return out, nil
}

// tracer observes the state of a traced sim between turns.
type tracer struct {
	s           *sim
	rec         *trace.Recorder
	state, last []float64
	holdings    [][]uint256.Int
	// actors is the number of turns in a step, turns those taken so far.
	actors, turns int
}

// snapshot fills state with the sim's current state vector.
func (t *tracer) snapshot() {
	s := t.s
	s.observe()
	n := copy(t.state, s.obs)
	for k, v := range s.venues {
		v.Pool.LPHoldings(t.holdings[k])
		for i := range t.holdings[k] {
			t.state[n] = cfmm.Float(&t.holdings[k][i]) * s.market.Unit[v.Assets[i]]
			n++
		}
		spot := 0.0
		if v.Pool.NumTokens() > 1 {
			spot = v.Pool.SpotPrice(0, 1) * s.market.Unit[v.Assets[1]] / s.market.Unit[v.Assets[0]]
		}
		t.state[n] = spot
		n++
	}
}

// turn ends the current turn: every change of the state since the last
// turn is an event of the current actor.
func (t *tracer) turn() {
	t.snapshot()
	for k, x := range t.state {
		if y := t.last[k]; x != y && !(x != x && y != y) {
			src, name := splitName(t.rec.Columns[k])
			t.rec.Emit(src, trace.KindChange, name, y, x, x-y)
		}
	}
	copy(t.last, t.state)
}

func splitName(full string) (string, string) {
	for i := 0; i < len(full); i++ {
		if full[i] == '.' {
			return full[:i], full[i+1:]
		}
	}
	return full, ""
}

// tracedActor closes the previous turn, then acts as its agent; the last
// turn of a step ends the step.
type tracedActor struct {
	market.Agent
	t    *tracer
	name string
}

func (a *tracedActor) Act(m *market.Market) {
	a.t.turn()
	a.t.rec.Turn(m.Step, a.name)
	a.Agent.Act(m)
	a.t.turns++
	if a.t.turns == a.t.actors {
		a.t.endStep(m.Step)
	}
}

// endStep closes the last turn of a step and records the state after it.
func (t *tracer) endStep(step int) {
	t.turn()
	t.rec.State(step, t.state)
	t.rec.Turn(step+1, trace.World)
	t.turns = 0
}

// stepEnd is the only turn of a traced step without acting agents.
type stepEnd struct{ t *tracer }

func (e *stepEnd) Act(m *market.Market) { e.t.endStep(m.Step) }

func (e *stepEnd) Reset(*market.Market, *rand.Rand)  {}
func (e *stepEnd) Metrics() []metric.Def             { return nil }
func (e *stepEnd) Observe(*market.Market, []float64) {}
