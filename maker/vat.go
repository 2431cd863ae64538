package maker

import "github.com/holiman/uint256"

// Address identifies an account in the Vat: a vault owner, a keeper, the Vow
// or a Clipper.
type Address string

// ClipperAddress returns the Address at which the Clipper of ilk holds the
// collateral under auction.
func ClipperAddress(ilk string) Address { return Address("clipper:" + ilk) }

// Config holds the system-wide parameters of the Vat, Jug, Spotter and Dog.
type Config struct {
	Vow  Address     // account of system surplus (DAI) and bad debt (sin)
	Line uint256.Int // global debt ceiling [rad] (vat.Line)
	Hole uint256.Int // global limit on DAI needed to cover active auctions [rad] (dog.Hole)
	Base uint256.Int // per-second stability fee added to every ilk's Duty [ray] (jug.base), normally 0
	Par  uint256.Int // reference value of one DAI [ray] (spotter.par), normally RAY
}

// IlkConfig holds the parameters of one collateral type across the Vat, Jug,
// Spotter, Dog and Clipper.
type IlkConfig struct {
	Line uint256.Int // debt ceiling of the ilk [rad] (vat line)
	Dust uint256.Int // minimum debt of a vault [rad] (vat dust)
	Duty uint256.Int // per-second stability fee factor [ray] (jug duty); RAY is no fee
	Mat  uint256.Int // liquidation ratio [ray] (spotter mat), e.g. 1.5 RAY
	Chop uint256.Int // liquidation penalty factor [wad] (dog chop), at least WAD
	Hole uint256.Int // limit on DAI needed to cover this ilk's active auctions [rad] (dog hole)
	Buf  uint256.Int // multiplier of the feed price giving an auction's starting price [ray] (clip buf)
	Tail uint64      // seconds after which an auction must be reset (clip tail)
	Cusp uint256.Int // fraction of top below which an auction must be reset [ray] (clip cusp)
	Chip uint256.Int // keeper incentive as a fraction of tab [wad] (clip chip)
	Tip  uint256.Int // flat keeper incentive [rad] (clip tip)
	Calc Calc        // auction price curve (clip calc)
}

// Ilk is the Vat's record of a collateral type.
type Ilk struct {
	Art  uint256.Int // total normalised debt [wad]
	Rate uint256.Int // accumulated stability fee: debt per unit of normalised debt [ray]
	Spot uint256.Int // collateral price divided by the liquidation ratio [ray]
	Line uint256.Int // debt ceiling [rad]
	Dust uint256.Int // minimum vault debt [rad]
}

// Urn is a vault: locked collateral and normalised debt. Its debt in DAI is
// Art·Rate [rad]; it is safe while Ink·Spot ≥ Art·Rate.
type Urn struct {
	Ink uint256.Int // locked collateral [wad]
	Art uint256.Int // normalised debt [wad]
}

// Sale is a running Dutch auction of a Clipper.
type Sale struct {
	Pos int         // index in the list of active auctions
	Tab uint256.Int // DAI still to raise, penalty included [rad]
	Lot uint256.Int // collateral left to sell [wad]
	Usr Address     // vault owner, who receives leftover collateral
	Tic uint64      // time the auction started or was last reset [s]
	Top uint256.Int // starting price [ray]
}

type ilk struct {
	cfg             IlkConfig
	art, rate, spot uint256.Int
	rho             uint64      // jug: time of the last drip
	pip             uint256.Int // feed price [wad]
	has             bool        // whether the feed has a value
	dirt            uint256.Int // dog: DAI needed to cover this ilk's active auctions [rad]
	clip            Address
	chost           uint256.Int // wmul(dust, chop) [rad]
	kicks           uint64
	active          []uint64
	sales           map[uint64]Sale
}

type urnKey struct {
	ilk string
	usr Address
}

// System is the part of the Maker protocol that creates and liquidates
// vaults: the Vat (vaults, balances), the Jug (stability fees), the Spotter
// (collateral prices), the Dog (liquidations) and one Clipper (Dutch
// auction) per collateral type. It is a pure state machine: every operation
// takes the time as an argument, and an operation the contracts would revert
// returns a *Revert and leaves the System unchanged.
//
// Arithmetic is the contracts': unsigned 256-bit integers in wad, ray and
// rad fixed point, rounding down except inside Rpow. Authorization, the
// Vow's debt queue, emergency shutdown, Clipper stop levels and flash-loan
// callbacks are not modelled.
type System struct {
	cfg        Config
	debt, vice uint256.Int
	dirt       uint256.Int
	ilks       map[string]*ilk
	urns       map[urnKey]Urn
	gem        map[urnKey]uint256.Int
	dai        map[Address]uint256.Int
	sin        map[Address]uint256.Int
}

// New returns a System with no collateral types.
func New(cfg Config) (*System, error) {
	if cfg.Par.IsZero() {
		return nil, revert("Spotter/zero-par")
	}
	return &System{
		cfg:  cfg,
		ilks: map[string]*ilk{},
		urns: map[urnKey]Urn{},
		gem:  map[urnKey]uint256.Int{},
		dai:  map[Address]uint256.Int{},
		sin:  map[Address]uint256.Int{},
	}, nil
}

// Clone returns an independent deep copy of s.
func (s *System) Clone() *System {
	c := *s
	c.ilks = make(map[string]*ilk, len(s.ilks))
	for k, v := range s.ilks {
		n := *v
		n.active = append([]uint64(nil), v.active...)
		n.sales = make(map[uint64]Sale, len(v.sales))
		for id, sale := range v.sales {
			n.sales[id] = sale
		}
		c.ilks[k] = &n
	}
	c.urns = make(map[urnKey]Urn, len(s.urns))
	for k, v := range s.urns {
		c.urns[k] = v
	}
	c.gem = make(map[urnKey]uint256.Int, len(s.gem))
	for k, v := range s.gem {
		c.gem[k] = v
	}
	c.dai = make(map[Address]uint256.Int, len(s.dai))
	for k, v := range s.dai {
		c.dai[k] = v
	}
	c.sin = make(map[Address]uint256.Int, len(s.sin))
	for k, v := range s.sin {
		c.sin[k] = v
	}
	return &c
}

func checkIlkConfig(cfg *IlkConfig) error {
	if cfg.Chop.Lt(&wad) {
		return revert("Dog/file-chop-lt-WAD")
	}
	if cfg.Calc == nil {
		return revert("Clipper/no-calc")
	}
	return nil
}

// AddIlk creates collateral type name at time now: Vat.init sets its rate to
// RAY, Jug.init starts fee accrual at now, and cfg sets every parameter. The
// ilk has no price until Poke.
func (s *System) AddIlk(name string, cfg IlkConfig, now uint64) error {
	if _, ok := s.ilks[name]; ok {
		return revert("Vat/ilk-already-init")
	}
	if err := checkIlkConfig(&cfg); err != nil {
		return err
	}
	chost, err := wmul(&cfg.Dust, &cfg.Chop)
	if err != nil {
		return err
	}
	s.ilks[name] = &ilk{
		cfg:   cfg,
		rate:  ray,
		rho:   now,
		clip:  ClipperAddress(name),
		chost: chost,
		sales: map[uint64]Sale{},
	}
	return nil
}

// File replaces the parameters of ilk name and, as Clipper.upchost does,
// recomputes chost = wmul(Dust, Chop), the smallest tab a partial purchase
// may leave [rad]. Running auctions keep their tab, lot and top.
func (s *System) File(name string, cfg IlkConfig) error {
	k, err := s.ilk(name)
	if err != nil {
		return err
	}
	if err := checkIlkConfig(&cfg); err != nil {
		return err
	}
	chost, err := wmul(&cfg.Dust, &cfg.Chop)
	if err != nil {
		return err
	}
	k.cfg, k.chost = cfg, chost
	return nil
}

func (s *System) ilk(name string) (*ilk, error) {
	k, ok := s.ilks[name]
	if !ok {
		return nil, revert("Vat/ilk-not-init")
	}
	return k, nil
}

// Config returns the parameters of ilk name.
func (s *System) Config(name string) (IlkConfig, bool) {
	k, ok := s.ilks[name]
	if !ok {
		return IlkConfig{}, false
	}
	return k.cfg, true
}

// Ilk returns the Vat's record of ilk name.
func (s *System) Ilk(name string) (Ilk, bool) {
	k, ok := s.ilks[name]
	if !ok {
		return Ilk{}, false
	}
	return Ilk{Art: k.art, Rate: k.rate, Spot: k.spot, Line: k.cfg.Line, Dust: k.cfg.Dust}, true
}

// Urn returns the vault of usr in ilk.
func (s *System) Urn(ilk string, usr Address) Urn { return s.urns[urnKey{ilk, usr}] }

// Gem returns the free (unlocked) collateral of ilk held by usr [wad].
func (s *System) Gem(ilk string, usr Address) uint256.Int { return s.gem[urnKey{ilk, usr}] }

// Dai returns the DAI balance of usr in the Vat [rad].
func (s *System) Dai(usr Address) uint256.Int { return s.dai[usr] }

// Sin returns the unbacked debt held by usr (in practice the Vow) [rad].
func (s *System) Sin(usr Address) uint256.Int { return s.sin[usr] }

// Debt returns the total DAI issued [rad]; Vice returns the total unbacked
// debt [rad]. Debt − Vice is DAI backed by vault debt.
func (s *System) Debt() uint256.Int { return s.debt }

// Vice returns the total unbacked debt (sin) [rad].
func (s *System) Vice() uint256.Int { return s.vice }

// Dirt returns the DAI needed to cover all active auctions [rad] (dog.Dirt).
func (s *System) Dirt() uint256.Int { return s.dirt }

// IlkDirt returns the DAI needed to cover the active auctions of ilk [rad].
func (s *System) IlkDirt(ilk string) uint256.Int {
	if k, ok := s.ilks[ilk]; ok {
		return k.dirt
	}
	return uint256.Int{}
}

// Poke sets the feed price of ilk to val [wad, reference units per unit of
// collateral] and updates the Vat's spot as Spotter.poke does:
//
//	spot = rdiv(rdiv(val·10^9, par), mat)
//
// each rdiv rounding down. The Clipper reads the same feed price.
func (s *System) Poke(name string, val *uint256.Int) error {
	k, err := s.ilk(name)
	if err != nil {
		return err
	}
	p, err := mul(val, &bln)
	if err != nil {
		return err
	}
	if p, err = rdiv(&p, &s.cfg.Par); err != nil {
		return err
	}
	if p, err = rdiv(&p, &k.cfg.Mat); err != nil {
		return err
	}
	k.pip, k.has, k.spot = *val, true, p
	return nil
}

// Slip adds the signed amount wad (two's complement int256) to the free
// collateral of usr, as a collateral adapter's join (positive) or exit
// (negative) does.
func (s *System) Slip(ilk string, usr Address, wad *uint256.Int) error {
	if _, err := s.ilk(ilk); err != nil {
		return err
	}
	key := urnKey{ilk, usr}
	g := s.gem[key]
	n, err := addSigned(&g, wad)
	if err != nil {
		return err
	}
	s.gem[key] = n
	return nil
}

// Flux moves wad of free collateral of ilk from src to dst [wad].
func (s *System) Flux(ilk string, src, dst Address, wad *uint256.Int) error {
	if _, err := s.ilk(ilk); err != nil {
		return err
	}
	a, b := urnKey{ilk, src}, urnKey{ilk, dst}
	gs := s.gem[a]
	ns, err := sub(&gs, wad)
	if err != nil {
		return err
	}
	s.gem[a] = ns
	gd := s.gem[b]
	nd, err := add(&gd, wad)
	if err != nil {
		s.gem[a] = gs
		return err
	}
	s.gem[b] = nd
	return nil
}

// Move transfers rad of DAI from src to dst [rad].
func (s *System) Move(src, dst Address, rad *uint256.Int) error {
	ds := s.dai[src]
	ns, err := sub(&ds, rad)
	if err != nil {
		return err
	}
	s.dai[src] = ns
	dd := s.dai[dst]
	nd, err := add(&dd, rad)
	if err != nil {
		s.dai[src] = ds
		return err
	}
	s.dai[dst] = nd
	return nil
}

// Suck creates rad of unbacked DAI for v, charging the same amount of sin
// to u (Vat.suck): Debt and Vice both grow by rad.
func (s *System) Suck(u, v Address, rad *uint256.Int) error {
	su, dv := s.sin[u], s.dai[v]
	nsu, err := add(&su, rad)
	if err != nil {
		return err
	}
	ndv, err := add(&dv, rad)
	if err != nil {
		return err
	}
	nvice, err := add(&s.vice, rad)
	if err != nil {
		return err
	}
	ndebt, err := add(&s.debt, rad)
	if err != nil {
		return err
	}
	s.sin[u], s.dai[v], s.vice, s.debt = nsu, ndv, nvice, ndebt
	return nil
}

// Frob changes the vault of u in ilk by dink collateral and dart normalised
// debt, both signed wads in two's complement (use new(uint256.Int).Neg(x)
// for −x). Collateral comes from (or returns to) u's free collateral and
// the DAI drawn (dart·rate, signed, rad) goes to (or comes from) u's DAI
// balance, as Vat.frob with u = v = w.
//
// It reverts, as the Vat does, when debt increases past the ilk or global
// ceiling, when the vault ends unsafe (Ink·Spot < Art·Rate) unless the
// change only adds collateral or repays debt, or when the vault is left
// with debt below Dust.
func (s *System) Frob(name string, u Address, dink, dart *uint256.Int) error {
	k, err := s.ilk(name)
	if err != nil {
		return err
	}
	if k.rate.IsZero() {
		return revert("Vat/ilk-not-init")
	}
	key := urnKey{name, u}
	urn := s.urns[key]
	if urn.Ink, err = addSigned(&urn.Ink, dink); err != nil {
		return err
	}
	if urn.Art, err = addSigned(&urn.Art, dart); err != nil {
		return err
	}
	art, err := addSigned(&k.art, dart)
	if err != nil {
		return err
	}
	dtab, err := mulSigned(&k.rate, dart)
	if err != nil {
		return err
	}
	tab, err := mul(&k.rate, &urn.Art)
	if err != nil {
		return err
	}
	debt, err := addSigned(&s.debt, &dtab)
	if err != nil {
		return err
	}
	// Solidity evaluates both arguments of either(), so these products
	// revert on overflow even when the first condition already holds.
	total, err := mul(&art, &k.rate)
	if err != nil {
		return err
	}
	lim, err := mul(&urn.Ink, &k.spot)
	if err != nil {
		return err
	}
	debtUp := !isNeg(dart) && !dart.IsZero()
	if debtUp && (total.Gt(&k.cfg.Line) || debt.Gt(&s.cfg.Line)) {
		return revert("Vat/ceiling-exceeded")
	}
	if (debtUp || isNeg(dink)) && tab.Gt(&lim) {
		return revert("Vat/not-safe")
	}
	if !urn.Art.IsZero() && tab.Lt(&k.cfg.Dust) {
		return revert("Vat/dust")
	}
	g := s.gem[key]
	gem, err := subSigned(&g, dink)
	if err != nil {
		return err
	}
	d := s.dai[u]
	dai, err := addSigned(&d, &dtab)
	if err != nil {
		return err
	}
	s.urns[key], k.art, s.debt, s.gem[key], s.dai[u] = urn, art, debt, gem, dai
	return nil
}

// Drip accrues the stability fee of ilk up to now, as Jug.drip:
//
//	rate' = rmul(rpow(Base + Duty, now − rho, RAY), rate)
//
// (rpow rounding half up, rmul down), then Vat.fold credits the Vow with
// Art·(rate' − rate) [rad] of new DAI. It returns rate' [ray]. now must not
// be earlier than the previous drip.
func (s *System) Drip(name string, now uint64) (uint256.Int, error) {
	k, err := s.ilk(name)
	if err != nil {
		return uint256.Int{}, err
	}
	if now < k.rho {
		return uint256.Int{}, revert("Jug/invalid-now")
	}
	x, err := add(&s.cfg.Base, &k.cfg.Duty)
	if err != nil {
		return x, err
	}
	f, err := Rpow(&x, now-k.rho, &ray)
	if err != nil {
		return f, err
	}
	rate, err := rmul(&f, &k.rate)
	if err != nil {
		return rate, err
	}
	// fold: dai[vow] and debt move by Art·(rate − prev), which is negative
	// for a negative fee.
	var diff uint256.Int
	up := !rate.Lt(&k.rate)
	if up {
		diff.Sub(&rate, &k.rate)
	} else {
		diff.Sub(&k.rate, &rate)
	}
	if diff.Gt(&halfRange) || (up && diff.Eq(&halfRange)) {
		return rate, errOverflow // diff() of jug.sol must fit an int256
	}
	d, err := mul(&k.art, &diff)
	if err != nil || d.Gt(&halfRange) || (up && d.Eq(&halfRange)) {
		return rate, errOverflow
	}
	vd := s.dai[s.cfg.Vow]
	var nd, ndebt uint256.Int
	if up {
		if nd, err = add(&vd, &d); err != nil {
			return rate, err
		}
		if ndebt, err = add(&s.debt, &d); err != nil {
			return rate, err
		}
	} else {
		if nd, err = sub(&vd, &d); err != nil {
			return rate, err
		}
		if ndebt, err = sub(&s.debt, &d); err != nil {
			return rate, err
		}
	}
	k.rate, k.rho, s.dai[s.cfg.Vow], s.debt = rate, now, nd, ndebt
	return rate, nil
}
