// Package protocol holds the world-side adapters of mechanisms other than
// pools: each wraps a pure state machine, feeds it the step's exogenous
// values (a gas price, a token price) and reports its metrics. The
// behaviours that act on these protocols live in package agent and reach
// them through the small interfaces agent declares.
package protocol
