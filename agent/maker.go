package agent

import (
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/maker"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

// rad is Maker's 10^45 unit of internal debt.
var rad = maker.RAD()

// VaultOwners opens Count vaults of one collateral type at step 0, each
// locking Collateral whole tokens and drawing stablecoins to a
// collateralization ratio (collateral value over debt) drawn uniformly
// from [RatioLo, RatioHi] per vault and run. They then hold: a vault is
// safe while its ratio stays above the liquidation ratio.
type VaultOwners struct {
	System, Ilk      int
	Count            int
	Collateral       float64
	RatioLo, RatioHi float64

	sys    *protocol.MakerSystem
	owners []maker.Address
	art0   []uint256.Int
	failed int
}

// Reset implements Agent.
func (v *VaultOwners) Reset(m *market.Market, rng *rand.Rand) {
	v.sys = m.Protocols[v.System].(*protocol.MakerSystem)
	v.owners, v.art0, v.failed = v.owners[:0], v.art0[:0], 0
	k := v.sys.Ilks[v.Ilk]
	price := protocol.FeedPrice(m, k.Feed, k.Asset)
	ink := cfmm.Amount(v.Collateral * 1e18)
	for range v.Count {
		r := v.RatioLo + (v.RatioHi-v.RatioLo)*rng.Float64()
		dai := cfmm.Amount(v.Collateral * price / r * 1e18)
		a := v.sys.Register("vault")
		if v.sys.OpenVault(v.Ilk, a, &ink, &dai) != nil {
			v.failed++
			continue
		}
		v.owners = append(v.owners, a)
		v.art0 = append(v.art0, v.sys.Sys().Urn(k.Name, a).Art)
	}
}

// Act implements Agent: owners hold.
func (v *VaultOwners) Act(*market.Market) {}

// Metrics implements Agent.
func (v *VaultOwners) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "vaults", Unit: "count", Doc: "vaults opened", Worse: metric.LowerIsWorse},
		{Name: "liquidated", Unit: "count", Doc: "vaults that lost debt (and collateral) to liquidation", Worse: metric.HigherIsWorse},
		{Name: "collateral", Unit: "tokens", Doc: "collateral still locked", Worse: metric.LowerIsWorse},
	}
}

// Observe implements Agent.
func (v *VaultOwners) Observe(_ *market.Market, dst []float64) {
	name := v.sys.Ilks[v.Ilk].Name
	liq := 0
	var ink float64
	for k, a := range v.owners {
		u := v.sys.Sys().Urn(name, a)
		if u.Art.Lt(&v.art0[k]) {
			liq++
		}
		ink += u.Ink.Float64() / 1e18
	}
	dst[0], dst[1], dst[2] = float64(len(v.owners)), float64(liq), ink
}

// Keeper runs Liquidations 2.0 for one collateral type: it barks unsafe
// vaults, restarts auctions that need it (redo), and takes collateral when
// the auction price is below what the collateral fetches on Venue by at
// least Margin (plus gas), buying as much as its stablecoin balance
// allows and as keeps the purchase profitable after the sale's price
// impact. It sells what it buys on the venue at once, so its capital
// turns over only as fast as the venue absorbs collateral.
//
// Each transaction costs gas; while the network's gas price is above
// Gas.MaxPrice it does nothing — a bot bidding a fixed gas price whose
// transactions are not mined. When every keeper is priced out, auction
// prices keep falling: takes come late and cheap (underpriced), or, on a
// curve that reaches zero, for nothing (zero bids). A vault seen unsafe
// is barked Latency steps later.
type Keeper struct {
	System, Ilk int
	Venue       int // m.Venues index, or −1 to keep the collateral
	Capital     float64
	Gas         Gas
	Latency     int
	Margin      float64

	sys     *protocol.MakerSystem
	me      maker.Address
	pending []pendingVault
	seen    map[maker.Address]bool
	vi, vj  int
	ids     []uint64

	profit, gas, incentives     float64
	barks, takes, redos, misses int
	blocked                     int
}

type pendingVault struct {
	owner maker.Address
	ready int
}

// Reset implements Agent.
func (kp *Keeper) Reset(m *market.Market, _ *rand.Rand) {
	kp.sys = m.Protocols[kp.System].(*protocol.MakerSystem)
	kp.me = kp.sys.Register("keeper")
	capital := cfmm.Amount(kp.Capital * 1e18)
	if !capital.IsZero() {
		_ = kp.sys.Import(kp.me, &capital)
	}
	kp.pending = kp.pending[:0]
	kp.seen = map[maker.Address]bool{}
	kp.profit, kp.gas, kp.incentives = 0, 0, 0
	kp.barks, kp.takes, kp.redos, kp.misses, kp.blocked = 0, 0, 0, 0, 0
	if kp.Venue >= 0 {
		v := m.Venues[kp.Venue]
		kp.vi, kp.vj = venueIndex(v, kp.sys.Ilks[kp.Ilk].Asset), venueIndex(v, kp.sys.Stable)
	}
}

// Act implements Agent.
func (kp *Keeper) Act(m *market.Market) {
	if !kp.Gas.Included(m) {
		kp.blocked++
		return
	}
	kp.bark(m)
	kp.auctions(m)
}

// stable returns the numeraire value of a stablecoin amount [rad].
func (kp *Keeper) stable(m *market.Market, x *uint256.Int) float64 {
	return x.Float64() / rad.Float64() * m.Prices[kp.sys.Stable]
}

func (kp *Keeper) bark(m *market.Market) {
	s := kp.sys
	for _, a := range s.Vaults(kp.Ilk) {
		if !kp.seen[a] && s.Unsafe(kp.Ilk, a) {
			kp.seen[a] = true
			kp.pending = append(kp.pending, pendingVault{a, m.Step + kp.Latency})
		}
	}
	kept := kp.pending[:0]
	for _, p := range kp.pending {
		if p.ready > m.Step {
			kept = append(kept, p)
			continue
		}
		delete(kp.seen, p.owner)
		if !s.Unsafe(kp.Ilk, p.owner) {
			continue
		}
		before := s.Sys().Dai(kp.me)
		if _, err := s.Bark(kp.Ilk, p.owner, kp.me); err != nil {
			kp.misses++
			continue
		}
		after := s.Sys().Dai(kp.me)
		var coin uint256.Int
		coin.Sub(&after, &before)
		gas := kp.Gas.Cost(m)
		kp.incentives += kp.stable(m, &coin)
		kp.profit += kp.stable(m, &coin) - gas
		kp.gas += gas
		kp.barks++
	}
	kp.pending = kept
}

func (kp *Keeper) auctions(m *market.Market) {
	s := kp.sys
	name := s.Ilks[kp.Ilk].Name
	kp.ids = s.Sys().Active(name, kp.ids[:0])
	for _, id := range kp.ids {
		st, ok, err := s.Sys().Status(name, id, s.Now())
		if !ok || err != nil {
			continue
		}
		gas := kp.Gas.Cost(m)
		if st.NeedsRedo {
			cfg, _ := s.Sys().Config(name)
			var inc uint256.Int
			inc.Mul(&st.Tab, &cfg.Chip)
			inc.Div(&inc, uint256.NewInt(1e18))
			inc.Add(&inc, &cfg.Tip)
			if kp.stable(m, &inc) < gas {
				continue
			}
			before := s.Sys().Dai(kp.me)
			if s.Redo(kp.Ilk, id, kp.me) != nil {
				continue
			}
			after := s.Sys().Dai(kp.me)
			var coin uint256.Int
			coin.Sub(&after, &before)
			kp.incentives += kp.stable(m, &coin)
			kp.profit += kp.stable(m, &coin) - gas
			kp.gas += gas
			kp.redos++
			continue
		}
		kp.take(m, id, &st, gas)
	}
}

// take buys the largest slice s [whole tokens] of the auction that the
// keeper can pay for and that satisfies value(s) ≥ (1+Margin)·s·price +
// gas, value(s) being the stablecoins the venue pays for s.
func (kp *Keeper) take(m *market.Market, id uint64, st *maker.Status, gas float64) {
	s := kp.sys
	price := st.Price.Float64() / 1e27 // stablecoins per whole token
	lot := st.Lot.Float64() / 1e18
	dai := s.Sys().Dai(kp.me)
	budget := dai.Float64() / rad.Float64()
	gasStable := gas / m.Prices[s.Stable]
	smax := lot
	if price > 0 {
		smax = min(lot, budget/price)
	}
	ok := func(x float64) bool { return kp.value(m, x) >= (1+kp.Margin)*x*price+gasStable }
	if !(smax > 0) {
		return
	}
	x := smax
	if !ok(x) {
		lo, hi := 0.0, smax
		for range 40 {
			mid := (lo + hi) / 2
			if ok(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		if x = lo; x < 1e-9*lot {
			return
		}
	}
	amt := cfmm.Amount(x * 1e18)
	if x >= lot {
		amt = st.Lot
	}
	p, err := s.Take(m, kp.Ilk, id, &amt, &st.Price, kp.me)
	if err != nil {
		kp.misses++
		return
	}
	proceeds := kp.sell(m, &p.Slice)
	owe := kp.stable(m, &p.Owe)
	kp.profit += proceeds - owe - gas
	kp.gas += gas
	kp.takes++
}

// value returns the stablecoins selling x whole tokens of collateral
// fetches: quoted on the venue, or at external prices without one.
func (kp *Keeper) value(m *market.Market, x float64) float64 {
	s := kp.sys
	if kp.Venue < 0 {
		return x * m.Prices[s.Ilks[kp.Ilk].Asset] / m.Prices[s.Stable]
	}
	a := cfmm.Amount(x * 1e18)
	if a.IsZero() {
		return 0
	}
	t, err := m.Venues[kp.Venue].Pool.Quote(kp.vi, kp.vj, &a)
	if err != nil {
		return 0
	}
	return t.Out.Float64() / 1e18
}

// sell exits the bought collateral, sells it on the venue and imports the
// proceeds as stablecoins; it returns their numeraire value (without a
// venue, the collateral is kept and valued at the external price).
func (kp *Keeper) sell(m *market.Market, slice *uint256.Int) float64 {
	s := kp.sys
	asset := s.Ilks[kp.Ilk].Asset
	if slice.IsZero() {
		return 0
	}
	if kp.Venue < 0 {
		return slice.Float64() / 1e18 * m.Prices[asset]
	}
	if s.Exit(kp.Ilk, kp.me, slice) != nil {
		return 0
	}
	t, err := m.Venues[kp.Venue].Swap(m, kp.vi, kp.vj, slice)
	if err != nil {
		return slice.Float64() / 1e18 * m.Prices[asset]
	}
	_ = s.Import(kp.me, &t.Out)
	return t.Out.Float64() / 1e18 * m.Prices[s.Stable]
}

// Metrics implements Agent.
func (kp *Keeper) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "profit", Unit: "numeraire", Doc: "sale proceeds less stablecoins paid, plus incentives, less gas", Worse: metric.LowerIsWorse},
		{Name: "gas", Unit: "numeraire", Doc: "gas paid", Worse: metric.HigherIsWorse},
		{Name: "incentives", Unit: "numeraire", Doc: "tip and chip received for barks and redos", Worse: metric.LowerIsWorse},
		{Name: "barks", Unit: "count", Doc: "vaults barked", Worse: metric.LowerIsWorse},
		{Name: "takes", Unit: "count", Doc: "auction purchases", Worse: metric.LowerIsWorse},
		{Name: "redos", Unit: "count", Doc: "auctions restarted", Worse: metric.LowerIsWorse},
		{Name: "blocked_steps", Unit: "count", Doc: "steps in which gas was above the keeper's maximum", Worse: metric.HigherIsWorse},
	}
}

// Observe implements Agent.
func (kp *Keeper) Observe(_ *market.Market, dst []float64) {
	dst[0], dst[1], dst[2], dst[3] = kp.profit, kp.gas, kp.incentives, float64(kp.barks)
	dst[4], dst[5], dst[6] = float64(kp.takes), float64(kp.redos), float64(kp.blocked)
}
