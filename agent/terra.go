package agent

import (
	"math"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

// StableHolders are Count holders of an algorithmic stablecoin, with
// Holdings whole coins among them in equal shares. Each holder has its own
// depeg threshold, drawn uniformly from [DepegLo, DepegHi], and its own
// required yield, from [YieldLo, YieldHi]: it runs once the coin trades
// more than its threshold below 1, or once the yield source pays less than
// it requires. Heterogeneous thresholds make a run: the first to leave
// push the price down (or, here, drain the module's capacity and push
// LUNA down), which crosses the next thresholds.
//
// A running holder redeems through the market module — burns its coins for
// LUNA — whenever that beats selling at the market price: what the LUNA
// fetches on Venue (a LUNA pool, quoted with its price impact) against the
// coins' market value. It then sells the LUNA there, and the sale's impact
// feeds an oracle that reads the pool: the next redemption mints more. Each step the runners' redemptions are cut into Rounds rounds
// with the step's blocks replenishing the module's pools in between.
//
// With a SellVenue (a pool of the stablecoin) a runner instead sells its
// coins there whenever that fetches more than redeeming them; its sales
// push the coin's price on that pool down. With a Deposit protocol the
// holders' coins start deposited in it, earning its rate; a runner first
// withdraws its shares (refused while the protocol lacks cash), then exits.
type StableHolders struct {
	Market           int // protocol index of the protocol.TerraMarket
	Yield            int // protocol index of a RateSource, or −1
	Venue            int // m.Venues index where LUNA is sold, or −1 to keep it
	SellVenue        int // m.Venues index of a stablecoin pool to sell on, or −1
	Deposit          int // protocol index of a Depositary holding the coins, or −1
	Count            int
	Holdings         float64
	DepegLo, DepegHi float64
	YieldLo, YieldHi float64
	Rounds           int

	mk        *protocol.TerraMarket
	dep       Depositary
	hold      []uint256.Int
	shares    []uint64
	threshold []float64
	required  []float64
	running   []bool
	vi, vj    int
	si, sj    int

	redeemed, recovered, luna, sold, withdrawn float64
	runners                                    int
}

// RateSource is a protocol that offers stablecoin holders a deposit rate
// (a protocol.YieldSource, a deposit protocol), an annual fraction.
type RateSource interface {
	market.Protocol
	Rate() float64
}

// Depositary is a deposit protocol holders keep their coins in: Open
// deposits raw units and returns shares; Take withdraws shares, or reports
// false and changes nothing when the protocol cannot pay them now.
type Depositary interface {
	RateSource
	Open(amount uint64) (shares uint64)
	Take(shares uint64) (amount uint64, ok bool)
}

// Reset implements Agent.
func (h *StableHolders) Reset(m *market.Market, rng *rand.Rand) {
	h.mk = m.Protocols[h.Market].(*protocol.TerraMarket)
	h.hold, h.threshold, h.required, h.running = h.hold[:0], h.threshold[:0], h.required[:0], h.running[:0]
	h.shares, h.dep = h.shares[:0], nil
	if h.Deposit >= 0 {
		h.dep = m.Protocols[h.Deposit].(Depositary)
	}
	each := cfmm.Amount(h.Holdings / float64(h.Count) * 1e6)
	for range h.Count {
		if h.dep != nil {
			h.shares = append(h.shares, h.dep.Open(each.Uint64()))
			h.hold = append(h.hold, uint256.Int{})
		} else {
			h.hold = append(h.hold, each)
		}
		h.threshold = append(h.threshold, h.DepegLo+(h.DepegHi-h.DepegLo)*rng.Float64())
		h.required = append(h.required, h.YieldLo+(h.YieldHi-h.YieldLo)*rng.Float64())
		h.running = append(h.running, false)
	}
	h.redeemed, h.recovered, h.luna, h.runners, h.sold, h.withdrawn = 0, 0, 0, 0, 0, 0
	if h.Venue >= 0 {
		v := m.Venues[h.Venue]
		h.vi = venueIndex(v, h.mk.Luna)
		h.vj = 1 - h.vi
	}
	if h.SellVenue >= 0 {
		h.si = venueIndex(m.Venues[h.SellVenue], h.mk.Stable)
		h.sj = 1 - h.si
	}
}

// Act implements Agent.
func (h *StableHolders) Act(m *market.Market) {
	price := h.mk.Peg.Source.Observe(m)
	rate := math.Inf(1)
	if h.Yield >= 0 {
		rate = m.Protocols[h.Yield].(RateSource).Rate()
	} else if h.dep != nil {
		rate = h.dep.Rate()
	}
	for k := range h.hold {
		if !h.running[k] && (1-price > h.threshold[k] || rate < h.required[k]) {
			h.running[k] = true
			h.runners++
		}
	}
	if h.runners == 0 {
		return
	}
	if h.dep != nil {
		for k, sh := range h.shares {
			if !h.running[k] || sh == 0 {
				continue
			}
			if amt, ok := h.dep.Take(sh); ok {
				h.shares[k] = 0
				var a uint256.Int
				a.SetUint64(amt)
				h.hold[k].Add(&h.hold[k], &a)
				h.withdrawn += float64(amt) / 1e6
			}
		}
	}
	rounds := max(h.Rounds, 1)
	per := h.mk.BlocksLeft() / rounds
	for r := range rounds {
		if r > 0 {
			h.mk.Advance(per)
		}
		// A redemption's value per coin falls with its size (the spread and
		// the sale's price impact grow), and within a round the market only
		// gets worse: once an amount is refused, larger ones are too.
		refused := *new(uint256.Int).SetAllOne()
		for k := range h.hold {
			if !h.running[k] || h.hold[k].IsZero() {
				continue
			}
			var amt uint256.Int
			amt.Div(&h.hold[k], uint256.NewInt(uint64(rounds-r)))
			if amt.IsZero() {
				amt = h.hold[k]
			}
			if !amt.Lt(&refused) {
				continue
			}
			if !h.redeem(m, k, &amt, price) {
				refused = amt
			}
		}
	}
}

// redeem burns amt of holder k's coins if what the LUNA fetches — quoted
// on the venue, after its price impact, or at the oracle price without one
// — beats the coins' market value, and sells the LUNA. With a sale venue
// it sells the coins there instead when that fetches more.
func (h *StableHolders) redeem(m *market.Market, k int, amt *uint256.Int, price float64) bool {
	value := -1.0
	if out, err := h.mk.Quote(amt); err == nil {
		value = h.worth(m, out)
	}
	if h.SellVenue >= 0 {
		if h.saleValue(m, amt) > value {
			return h.sell(m, k, amt)
		}
	} else if value < amt.Float64()*1e-6*price {
		return false
	}
	if value < 0 {
		return false
	}
	got, err := h.mk.Redeem(amt)
	if err != nil {
		return false
	}
	h.hold[k].Sub(&h.hold[k], amt)
	h.redeemed += amt.Float64() / 1e6
	h.luna += got.Float64() / 1e6
	if h.Venue < 0 {
		h.recovered += got.Float64() / 1e6 * h.mk.LunaPrice()
		return true
	}
	v := m.Venues[h.Venue]
	t, err := v.Swap(m, h.vi, h.vj, &got)
	if err != nil {
		h.recovered += got.Float64() / 1e6 * h.mk.LunaPrice()
		return true
	}
	h.recovered += t.Out.Float64() * m.RawPrice(v.Assets[h.vj])
	return true
}

// saleValue returns what amt coins fetch on the sale venue, in the
// numeraire, or −1 if the pool refuses the trade.
func (h *StableHolders) saleValue(m *market.Market, amt *uint256.Int) float64 {
	v := m.Venues[h.SellVenue]
	t, err := v.Pool.Quote(h.si, h.sj, amt)
	if err != nil {
		return -1
	}
	return t.Out.Float64() * m.RawPrice(v.Assets[h.sj])
}

// sell sells amt of holder k's coins on the sale venue.
func (h *StableHolders) sell(m *market.Market, k int, amt *uint256.Int) bool {
	v := m.Venues[h.SellVenue]
	t, err := v.Swap(m, h.si, h.sj, amt)
	if err != nil {
		return false
	}
	h.hold[k].Sub(&h.hold[k], &t.In)
	h.sold += t.In.Float64() / 1e6
	h.recovered += t.Out.Float64() * m.RawPrice(v.Assets[h.sj])
	return true
}

// worth returns the numeraire value of luna micro LUNA: its sale on the
// venue, or its value at the oracle price.
func (h *StableHolders) worth(m *market.Market, luna float64) float64 {
	if h.Venue < 0 {
		return luna * 1e-6 * h.mk.LunaPrice()
	}
	a := cfmm.Amount(luna)
	if a.IsZero() {
		return 0
	}
	v := m.Venues[h.Venue]
	t, err := v.Pool.Quote(h.vi, h.vj, &a)
	if err != nil {
		return 0
	}
	return t.Out.Float64() * m.RawPrice(v.Assets[h.vj])
}

// Metrics implements Agent.
func (h *StableHolders) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "runners", Unit: "count", Doc: "holders who have decided to leave", Worse: metric.HigherIsWorse},
		{Name: "redeemed", Unit: "stablecoin", Doc: "coins burnt for LUNA", Worse: metric.HigherIsWorse},
		{Name: "luna_received", Unit: "LUNA", Doc: "LUNA received for them", Worse: metric.HigherIsWorse},
		{Name: "recovered", Unit: "numeraire", Doc: "what the LUNA fetched (sold on the venue, or at the oracle price), plus coins sold on the sale venue", Worse: metric.LowerIsWorse},
		{Name: "held", Unit: "stablecoin", Doc: "coins held outside a deposit protocol", Worse: metric.LowerIsWorse},
		{Name: "withdrawn", Unit: "stablecoin", Doc: "coins withdrawn from the deposit protocol", Worse: metric.HigherIsWorse},
		{Name: "sold", Unit: "stablecoin", Doc: "coins sold on the sale venue", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (h *StableHolders) Observe(_ *market.Market, dst []float64) {
	var held float64
	for k := range h.hold {
		held += h.hold[k].Float64()
	}
	dst[0], dst[1], dst[2], dst[3], dst[4] = float64(h.runners), h.redeemed, h.luna, h.recovered, held/1e6
	dst[5], dst[6] = h.withdrawn, h.sold
}
