package agent

import (
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
)

// Gas prices the transactions of an agent: a gas price in gwei, read from
// a signal (a gas process, possibly a replayed series) or fixed, times the
// gas a transaction uses, paid in Asset (ETH):
//
//	cost = price[gwei] · 10⁻⁹ · Units · price of Asset   [numeraire]
//
// MaxPrice models a bot that bids a capped gas price: while the network's
// price is above it, its transactions are not included and it does
// nothing.
type Gas struct {
	// Signal is an index into Market.Signals, or −1 to use Price.
	Signal int
	Price  float64 // gwei, when Signal < 0
	Units  float64
	// Asset is the asset gas is paid in; −1 prices gas in the numeraire.
	Asset int
	// MaxPrice is the highest gas price the agent pays, in gwei; zero is
	// no limit.
	MaxPrice float64
}

// GasPrice returns the current gas price in gwei.
func (g *Gas) GasPrice(m *market.Market) float64 {
	if g.Signal >= 0 {
		return m.Signals[g.Signal]
	}
	return g.Price
}

// Cost returns the numeraire cost of one transaction now.
func (g *Gas) Cost(m *market.Market) float64 {
	c := g.GasPrice(m) * 1e-9 * g.Units
	if g.Asset >= 0 {
		c *= m.Prices[g.Asset]
	}
	return c
}

// Included reports whether the agent's transactions are mined now.
func (g *Gas) Included(m *market.Market) bool { return g.MaxPrice <= 0 || g.GasPrice(m) <= g.MaxPrice }

// Feed is protocol.Feed, a protocol that publishes a price; the alias keeps
// the staking adapter, which still lives here, reading oracles.
type Feed = protocol.Feed
