package agent

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
)

// PegArbitrageur defends an algorithmic stablecoin's peg the way Terra's
// arbitrageurs did: while the coin trades on Pool cheaply enough, it buys
// Chunk (whole units of the pool's other token) of coins there, burns them
// for LUNA through the market module (protocol.TerraMarket.Redeem) and sells the
// LUNA on LunaVenue — as long as the LUNA fetches more than the chunk cost
// by Margin. Each purchase lifts the coin's price on Pool; each
// redemption mints LUNA and pushes LUNA's price down. At most MaxTrades
// round trips a step.
type PegArbitrageur struct {
	Market    int // protocol index of the protocol.TerraMarket
	Pool      int // venue trading the stablecoin against another token
	LunaVenue int // venue trading LUNA against another token
	Chunk     float64
	Margin    float64
	MaxTrades int

	mk             *protocol.TerraMarket
	si, qi, li, lj int
	profit, bought float64
	trades         int
}

// Reset implements market.Agent.
func (a *PegArbitrageur) Reset(m *market.Market, _ *rand.Rand) {
	a.mk = m.Protocols[a.Market].(*protocol.TerraMarket)
	p := m.Venues[a.Pool]
	a.si = venueIndex(p, a.mk.Stable)
	a.qi = 1 - a.si
	a.li = venueIndex(m.Venues[a.LunaVenue], a.mk.Luna)
	a.lj = 1 - a.li
	a.profit, a.bought, a.trades = 0, 0, 0
}

// Act implements market.Agent.
func (a *PegArbitrageur) Act(m *market.Market) {
	p, lv := m.Venues[a.Pool], m.Venues[a.LunaVenue]
	q := p.Assets[a.qi]
	in := cfmm.Amount(a.Chunk / m.Unit[q])
	cost := a.Chunk * m.Prices[q]
	for range a.MaxTrades {
		buy, err := p.Pool.Quote(a.qi, a.si, &in)
		if err != nil || buy.Out.IsZero() {
			return
		}
		luna, err := a.mk.Quote(&buy.Out)
		if err != nil || luna < 1 {
			return
		}
		l := cfmm.Amount(luna)
		sale, err := lv.Pool.Quote(a.li, a.lj, &l)
		if err != nil {
			return
		}
		if sale.Out.Float64()*m.RawPrice(lv.Assets[a.lj]) < cost*(1+a.Margin) {
			return
		}
		t, err := p.Swap(m, a.qi, a.si, &in)
		if err != nil {
			return
		}
		got, err := a.mk.Redeem(&t.Out)
		if err != nil {
			return
		}
		var s cfmm.Trade
		if s, err = lv.Swap(m, a.li, a.lj, &got); err != nil {
			return
		}
		a.trades++
		a.bought += t.Out.Float64() * m.Unit[a.mk.Stable]
		a.profit += s.Out.Float64()*m.RawPrice(lv.Assets[a.lj]) - cost
	}
}

// Metrics implements market.Agent.
func (a *PegArbitrageur) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "profit", Unit: "numeraire", Doc: "LUNA sale proceeds less the coins' cost", Worse: metric.LowerIsWorse},
		{Name: "bought", Unit: "stablecoin", Doc: "coins bought below the peg and redeemed", Worse: metric.HigherIsWorse},
		{Name: "trades", Unit: "count", Doc: "round trips", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Agent.
func (a *PegArbitrageur) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2] = a.profit, a.bought, float64(a.trades)
}
