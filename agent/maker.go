package agent

import (
	"fmt"
	"github.com/cascade-risk/cascade/market"
	"math/rand/v2"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/maker"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// MakerIlk is a collateral type of a MakerSystem.
type MakerIlk struct {
	Name  string
	Asset int // the collateral asset
	// Feed is the protocol index of the collateral's price feed (an OSM is a
	// ChainlinkOracle with a one-hour lag and heartbeat); −1 reads the
	// external price.
	Feed int
}

// MakerSystem is a Maker-style collateralised stablecoin in the
// simulation: vaults, stability fees and Liquidations 2.0 (Dog.bark,
// Clipper kick, take and redo along a price curve, keeper incentives tip
// and chip) executed by maker.System in the contracts' integers.
//
// Each step it accrues every collateral type's stability fee (Jug.drip) to
// the step's timestamp, Start + Step·StepSeconds, and pokes the feed price
// into the Spotter. Vault owners and keepers act through its methods,
// which record liquidations, auction outcomes and bad debt. Collateral and
// the stablecoin are 18-decimal tokens: wads in the Vat.
//
// Stablecoin that enters the Vat from outside (a keeper's capital, the
// proceeds of selling seized collateral on a venue) is minted by Vat.suck
// against an outside account, so the Vat's identities hold exactly:
// Debt = Σ dai over every account, Vice = Σ sin, and per collateral type
// the collateral joined less exited equals what vaults, keepers and the
// Clipper hold. Check verifies them every step.
type MakerSystem struct {
	// System is the protocol as configured; every run starts from a clone.
	System *maker.System
	Ilks   []MakerIlk
	// Stable is the stablecoin's asset index.
	Stable int
	// Start is the timestamp at step 0, the ilks' fee clock start.
	Start uint64
	// Peg observes the stablecoin's market price.
	Peg PegTracker
	// BadDebtThreshold is the bad debt, in stablecoins, above which a run
	// counts as insolvent.
	BadDebtThreshold float64

	sys    *maker.System
	now    uint64
	addrs  []maker.Address
	vaults [][]maker.Address // by ilk
	gemIn  []uint256.Int     // by ilk, wad
	gemOut []uint256.Int
	books  []map[uint64]*auctionBook // by ilk

	barks, takes, zeroBids, underpriced, redos int
	liquidated, badDebt                        float64
}

// auctionBook follows one auction: the debt its bark moved to the Vow
// (sin, rad) and what takes have raised.
type auctionBook struct{ debt, raised uint256.Int }

// Vow and Outside are the accounts of the system's surplus and deficit and
// of stablecoins that come from outside the model.
const (
	Vow     maker.Address = "vow"
	Outside maker.Address = "outside"
)

var rad = maker.RAD()

// Reset implements Protocol.
func (s *MakerSystem) Reset(m *market.Market) {
	s.sys = s.System.Clone()
	s.now = s.Start
	s.addrs = append(s.addrs[:0], Vow, Outside)
	n := len(s.Ilks)
	s.vaults = make([][]maker.Address, n)
	s.gemIn, s.gemOut = make([]uint256.Int, n), make([]uint256.Int, n)
	s.books = make([]map[uint64]*auctionBook, n)
	for k := range s.books {
		s.books[k] = map[uint64]*auctionBook{}
	}
	s.barks, s.takes, s.zeroBids, s.underpriced, s.redos = 0, 0, 0, 0, 0
	s.liquidated, s.badDebt = 0, 0
	_ = s.poke(m)
	s.Peg.reset(m)
}

// poke sets every ilk's feed price [wad, numeraire per whole token].
func (s *MakerSystem) poke(m *market.Market) error {
	for _, k := range s.Ilks {
		val := cfmm.Amount(feedPrice(m, k.Feed, k.Asset) * 1e18)
		if err := s.sys.Poke(k.Name, &val); err != nil {
			return fmt.Errorf("poke %s: %w", k.Name, err)
		}
	}
	return nil
}

// Step implements Protocol: fees to now, then prices.
func (s *MakerSystem) Step(m *market.Market) error {
	s.now = s.Start + uint64(float64(m.Step)*m.StepSeconds)
	for _, k := range s.Ilks {
		if _, err := s.sys.Drip(k.Name, s.now); err != nil {
			return fmt.Errorf("drip %s: %w", k.Name, err)
		}
	}
	s.Peg.observe(m)
	return s.poke(m)
}

// Check implements Protocol: the Vat's debt and sin are the sums of the
// accounts' balances, and each collateral type's joined collateral is
// held by vaults, keepers and the Clipper.
func (s *MakerSystem) Check() error {
	var dai, sin uint256.Int
	for _, a := range s.addrs {
		d, v := s.sys.Dai(a), s.sys.Sin(a)
		dai.Add(&dai, &d)
		sin.Add(&sin, &v)
	}
	if debt := s.sys.Debt(); !debt.Eq(&dai) {
		return fmt.Errorf("Vat debt %s rad, accounts hold %s", debt.Dec(), dai.Dec())
	}
	if vice := s.sys.Vice(); !vice.Eq(&sin) {
		return fmt.Errorf("Vat vice %s rad, accounts owe %s", vice.Dec(), sin.Dec())
	}
	for k, ilk := range s.Ilks {
		held := s.sys.Gem(ilk.Name, maker.ClipperAddress(ilk.Name))
		for _, a := range s.addrs {
			u, g := s.sys.Urn(ilk.Name, a), s.sys.Gem(ilk.Name, a)
			held.Add(&held, &u.Ink)
			held.Add(&held, &g)
		}
		var net uint256.Int
		net.Sub(&s.gemIn[k], &s.gemOut[k])
		if !held.Eq(&net) {
			return fmt.Errorf("%s: %s wad of collateral held, %s joined net", ilk.Name, held.Dec(), net.Dec())
		}
	}
	return nil
}

// Sys returns the running system, for reading.
func (s *MakerSystem) Sys() *maker.System { return s.sys }

// Now returns the current timestamp.
func (s *MakerSystem) Now() uint64 { return s.now }

// Register adds an account (a vault owner, a keeper) named after kind.
func (s *MakerSystem) Register(kind string) maker.Address {
	a := maker.Address(fmt.Sprintf("%s/%d", kind, len(s.addrs)))
	s.addrs = append(s.addrs, a)
	return a
}

// Vaults returns the vault owners of ilk k.
func (s *MakerSystem) Vaults(k int) []maker.Address { return s.vaults[k] }

// OpenVault joins ink [wad] of collateral for owner and draws dai [wad]
// against it in ilk k.
func (s *MakerSystem) OpenVault(k int, owner maker.Address, ink, dai *uint256.Int) error {
	name := s.Ilks[k].Name
	ilk, _ := s.sys.Ilk(name)
	var art uint256.Int
	art.Mul(dai, &ray)
	art.Div(&art, &ilk.Rate)
	if err := s.sys.Slip(name, owner, ink); err != nil {
		return err
	}
	if err := s.sys.Frob(name, owner, ink, &art); err != nil {
		var neg uint256.Int
		_ = s.sys.Slip(name, owner, neg.Neg(ink))
		return err
	}
	s.gemIn[k].Add(&s.gemIn[k], ink)
	s.vaults[k] = append(s.vaults[k], owner)
	return nil
}

var ray = maker.RAY()

// Unsafe reports whether owner's vault in ilk k can be barked: Ink·Spot <
// Art·Rate.
func (s *MakerSystem) Unsafe(k int, owner maker.Address) bool {
	name := s.Ilks[k].Name
	u := s.sys.Urn(name, owner)
	if u.Art.IsZero() {
		return false
	}
	ilk, _ := s.sys.Ilk(name)
	var l, r uint256.Int
	if _, o := l.MulOverflow(&u.Ink, &ilk.Spot); o {
		return false
	}
	if _, o := r.MulOverflow(&u.Art, &ilk.Rate); o {
		return true
	}
	return l.Lt(&r)
}

// Import mints wad stablecoins for who from outside the model (capital,
// or the proceeds of a sale on a venue).
func (s *MakerSystem) Import(who maker.Address, amount *uint256.Int) error {
	var r uint256.Int
	if _, o := r.MulOverflow(amount, &ray); o {
		return fmt.Errorf("import overflows")
	}
	return s.sys.Suck(Outside, who, &r)
}

// Exit takes wad collateral of ilk k out of who's free balance and out of
// the model (to sell it on a venue).
func (s *MakerSystem) Exit(k int, who maker.Address, amount *uint256.Int) error {
	var neg uint256.Int
	if err := s.sys.Slip(s.Ilks[k].Name, who, neg.Neg(amount)); err != nil {
		return err
	}
	s.gemOut[k].Add(&s.gemOut[k], amount)
	return nil
}

// Bark liquidates owner's vault in ilk k for keeper kpr and books the
// auction.
func (s *MakerSystem) Bark(k int, owner, kpr maker.Address) (uint64, error) {
	name := s.Ilks[k].Name
	sin0, dai0 := s.sys.Sin(Vow), s.sys.Dai(kpr)
	id, err := s.sys.Bark(name, owner, kpr, s.now)
	if err != nil {
		return 0, err
	}
	sin1, dai1 := s.sys.Sin(Vow), s.sys.Dai(kpr)
	// The Vow's new sin is the vault's debt plus the keeper's incentive.
	var debt, coin uint256.Int
	debt.Sub(&sin1, &sin0)
	coin.Sub(&dai1, &dai0)
	debt.Sub(&debt, &coin)
	s.books[k][id] = &auctionBook{debt: debt}
	sale, _ := s.sys.Sale(name, id)
	s.barks++
	s.liquidated += sale.Tab.Float64() / rad.Float64()
	return id, nil
}

// Take buys up to amt [wad] of auction id of ilk k at no more than max
// [ray] for who, and books what it raised; an auction that ends with its
// lot sold and its debt not covered leaves the difference as bad debt.
// The take is underpriced when the price is below half the market price
// of the collateral (in stablecoins), a zero bid when it raised nothing.
func (s *MakerSystem) Take(m *market.Market, k int, id uint64, amt, max *uint256.Int, who maker.Address) (maker.Purchase, error) {
	p, err := s.sys.Take(s.Ilks[k].Name, id, amt, max, who, s.now)
	if err != nil {
		return p, err
	}
	s.takes++
	if p.Owe.IsZero() {
		s.zeroBids++
	}
	mkt := m.Prices[s.Ilks[k].Asset] / m.Prices[s.Stable]
	if p.Price.Float64()/1e27 < 0.5*mkt {
		s.underpriced++
	}
	if b, ok := s.books[k][id]; ok {
		b.raised.Add(&b.raised, &p.Owe)
		if p.Done {
			if b.raised.Lt(&b.debt) {
				var short uint256.Int
				short.Sub(&b.debt, &b.raised)
				s.badDebt += short.Float64() / rad.Float64()
			}
			delete(s.books[k], id)
		}
	}
	return p, nil
}

// Redo restarts auction id of ilk k for keeper kpr.
func (s *MakerSystem) Redo(k int, id uint64, kpr maker.Address) error {
	if err := s.sys.Redo(s.Ilks[k].Name, id, kpr, s.now); err != nil {
		return err
	}
	s.redos++
	return nil
}

// Metrics implements Protocol.
func (s *MakerSystem) Metrics() []metric.Def {
	defs := []metric.Def{
		{Name: "liquidations", Unit: "count", Doc: "vaults barked", Worse: metric.HigherIsWorse},
		{Name: "liquidated_debt", Unit: "stablecoin", Doc: "tab of the auctions started, penalty included", Worse: metric.HigherIsWorse},
		{Name: "takes", Unit: "count", Doc: "auction purchases", Worse: metric.LowerIsWorse},
		{Name: "zero_bids", Unit: "count", Doc: "purchases that paid nothing for collateral", Worse: metric.HigherIsWorse},
		{Name: "underpriced_takes", Unit: "count", Doc: "purchases at less than half the collateral's market price", Worse: metric.HigherIsWorse},
		{Name: "redos", Unit: "count", Doc: "auctions restarted after tail or cusp", Worse: metric.HigherIsWorse},
		{Name: "open_auctions", Unit: "count", Doc: "auctions still running", Worse: metric.HigherIsWorse},
		{Name: "bad_debt", Unit: "stablecoin", Doc: "debt of finished auctions their sales did not cover", Worse: metric.HigherIsWorse},
		{Name: "surplus", Unit: "stablecoin", Doc: "the Vow's stablecoins less its sin (negative: a deficit, running auctions included)", Worse: metric.LowerIsWorse},
		{Name: "insolvent", Unit: "0/1", Doc: "1 when bad debt exceeds the threshold; its mean is the insolvency probability", Worse: metric.HigherIsWorse},
		{Name: "debt", Unit: "stablecoin", Doc: "stablecoins issued against vaults", Worse: metric.Neutral},
	}
	return append(defs, pegMetrics()...)
}

// Observe implements Protocol.
func (s *MakerSystem) Observe(m *market.Market, dst []float64) {
	open := 0
	for _, k := range s.Ilks {
		open += len(s.sys.Active(k.Name, nil))
	}
	dai, sin := s.sys.Dai(Vow), s.sys.Sin(Vow)
	r := rad.Float64()
	dst[0], dst[1], dst[2], dst[3] = float64(s.barks), s.liquidated, float64(s.takes), float64(s.zeroBids)
	dst[4], dst[5], dst[6], dst[7] = float64(s.underpriced), float64(s.redos), float64(open), s.badDebt
	dst[8] = (dai.Float64() - sin.Float64()) / r
	dst[9] = 0
	if s.badDebt > s.BadDebtThreshold {
		dst[9] = 1
	}
	var debt float64
	for _, k := range s.Ilks {
		ilk, _ := s.sys.Ilk(k.Name)
		debt += ilk.Art.Float64() * ilk.Rate.Float64() / r
	}
	dst[10] = debt
	s.Peg.write(m, dst[11:])
}

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

	sys    *MakerSystem
	owners []maker.Address
	art0   []uint256.Int
	failed int
}

// Reset implements Agent.
func (v *VaultOwners) Reset(m *market.Market, rng *rand.Rand) {
	v.sys = m.Protocols[v.System].(*MakerSystem)
	v.owners, v.art0, v.failed = v.owners[:0], v.art0[:0], 0
	k := v.sys.Ilks[v.Ilk]
	price := feedPrice(m, k.Feed, k.Asset)
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

	sys     *MakerSystem
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
	kp.sys = m.Protocols[kp.System].(*MakerSystem)
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
