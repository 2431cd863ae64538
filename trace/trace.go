// Package trace records one simulated path in full, for inspection: the
// state of every component after every step, and every event of every step
// attributed to the agent whose turn it was.
//
// A Recorder is given to the world only when a run is traced (`cascade
// trace`). Components that can say more than their recorded quantities
// implement Emitter: a venue reports each trade, an oracle each round. When
// no run is traced they hold a nil Recorder and pay one nil check per
// event, nothing per step.
package trace

// Event kinds the world and the components of this repository emit.
const (
	// KindChange is a recorded quantity that changed during a turn: Before
	// and After are its values at the start and end of the turn.
	KindChange = "change"
	// KindTrade is a swap on a venue: Value is its input valued in the
	// numeraire, After its fee in the numeraire.
	KindTrade = "trade"
	// KindRound is an oracle round: Before and After are the previous and
	// new published prices, Value the round's number.
	KindRound = "round"
)

// World is the Actor of events outside every agent's turn: processes moving
// prices, protocols' own per-step updates (accrual, epochs, oracle rounds).
const World = "world"

// Event is one thing that happened during a step of a traced path.
type Event struct {
	// Step is the step the event happened in (0 is the initial state).
	Step int
	// Actor is the agent whose turn it was, or World.
	Actor string
	// Source is the component the event is about: a venue, protocol or
	// agent name, or an asset for its price.
	Source string
	// Kind is KindChange, KindTrade, KindRound or a kind a component
	// defines.
	Kind string
	// Name is the quantity or the detail of the event ("lvr", "deviation").
	Name string
	// Before, After and Value are the event's numbers; their meaning is the
	// Kind's.
	Before, After, Value float64
}

// Recorder collects the events and states of one traced path. It is used by
// one goroutine.
type Recorder struct {
	// Columns name the state vector, in order.
	Columns []string
	// States[k] is the state vector after step Steps[k].
	States [][]float64
	Steps  []int
	// Events are in the order they happened.
	Events []Event

	step  int
	actor string
}

// Turn sets the step and the actor of the events that follow.
func (r *Recorder) Turn(step int, actor string) { r.step, r.actor = step, actor }

// Actor returns the actor of the current turn.
func (r *Recorder) Actor() string { return r.actor }

// Emit records an event of the current turn.
func (r *Recorder) Emit(source, kind, name string, before, after, value float64) {
	r.Events = append(r.Events, Event{Step: r.step, Actor: r.actor, Source: source, Kind: kind, Name: name, Before: before, After: after, Value: value})
}

// State records the state vector after a step; state is copied.
func (r *Recorder) State(step int, state []float64) {
	r.Steps = append(r.Steps, step)
	r.States = append(r.States, append([]float64(nil), state...))
}

// Emitter is implemented by components that report their own events to a
// traced path, as Source name. SetTrace(nil, "") turns reporting off.
type Emitter interface {
	SetTrace(r *Recorder, name string)
}
