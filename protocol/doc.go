// Package protocol holds the world-side adapters of mechanisms other than
// pools, one file per mechanism (lending.go, maker.go, terra.go, oracle.go,
// peg.go, rollup.go, spiral.go, funding.go, deposit.go, security.go, ...): each wraps a pure state
// machine, feeds it the step's exogenous values (a gas price, a token
// price), checks its accounting identities and reports its metrics. The
// behaviours that act on these protocols live in package agent, which
// imports this package for the adapters' exported methods (or declares a
// small interface where one suffices); this package never imports agent.
package protocol
