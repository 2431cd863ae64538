package protocol

import (
	"fmt"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/maker"
	"github.com/cascade-risk/cascade/market"
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
		val := cfmm.Amount(FeedPrice(m, k.Feed, k.Asset) * 1e18)
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
