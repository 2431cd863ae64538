package maker

import "github.com/holiman/uint256"

// Bark liquidates the unsafe vault of urn in ilk at time now and starts a
// Clipper auction, returning its id; kpr receives the keeper incentive. As
// Dog.bark:
//
//	room = min(Hole − Dirt, hole − dirt)                      [rad]
//	dart = min(art, room·WAD / rate / chop)                   [wad, rounded down]
//	dart = art   if the remainder (art − dart)·rate < dust    (no dusty vault left)
//	dink = ink·dart / art                                     [wad, rounded down]
//	tab  = dart·rate·chop / WAD                               [rad, rounded down]
//
// The vault loses dink collateral and dart debt; the collateral goes to the
// Clipper, the debt dart·rate becomes sin of the Vow, and Dirt and dirt grow
// by tab. A partial liquidation whose auction would itself be dusty
// (dart·rate < dust) reverts.
func (s *System) Bark(name string, urn, kpr Address, now uint64) (uint64, error) {
	k, err := s.ilk(name)
	if err != nil {
		return 0, err
	}
	key := urnKey{name, urn}
	u := s.urns[key]
	lhs, err := mul(&u.Ink, &k.spot)
	if err != nil {
		return 0, err
	}
	rhs, err := mul(&u.Art, &k.rate)
	if err != nil {
		return 0, err
	}
	if k.spot.IsZero() || !lhs.Lt(&rhs) {
		return 0, revert("Dog/not-unsafe")
	}
	if !s.cfg.Hole.Gt(&s.dirt) || !k.cfg.Hole.Gt(&k.dirt) {
		return 0, revert("Dog/liquidation-limit-hit")
	}
	var g, l uint256.Int
	g.Sub(&s.cfg.Hole, &s.dirt)
	l.Sub(&k.cfg.Hole, &k.dirt)
	room := minInt(&g, &l)
	lim, err := mul(&room, &wad)
	if err != nil {
		return 0, err
	}
	if k.rate.IsZero() || k.cfg.Chop.IsZero() {
		return 0, errDivZero
	}
	lim.Div(&lim, &k.rate)
	lim.Div(&lim, &k.cfg.Chop)
	dart := minInt(&u.Art, &lim)
	if u.Art.Gt(&dart) {
		var rest uint256.Int
		rest.Sub(&u.Art, &dart)
		left, err := mul(&rest, &k.rate)
		if err != nil {
			return 0, err
		}
		if left.Lt(&k.cfg.Dust) {
			dart = u.Art
		} else {
			auc, err := mul(&dart, &k.rate)
			if err != nil {
				return 0, err
			}
			if auc.Lt(&k.cfg.Dust) {
				return 0, revert("Dog/dusty-auction-from-partial-liquidation")
			}
		}
	}
	dink, err := mul(&u.Ink, &dart)
	if err != nil {
		return 0, err
	}
	dink.Div(&dink, &u.Art)
	if dink.IsZero() {
		return 0, revert("Dog/null-auction")
	}
	if dart.Gt(&halfRange) || dink.Gt(&halfRange) {
		return 0, revert("Dog/overflow")
	}

	// vat.grab(ilk, urn, clip, vow, −dink, −dart): every result is checked
	// before anything is written, so a revert leaves s unchanged.
	var nu Urn
	nu.Ink.Sub(&u.Ink, &dink)
	nu.Art.Sub(&u.Art, &dart)
	art, err := sub(&k.art, &dart)
	if err != nil {
		return 0, err
	}
	due, err := mul(&dart, &k.rate) // −dtab of grab [rad]
	if err != nil || due.Gt(&halfRange) {
		return 0, errOverflow
	}
	ckey := urnKey{name, k.clip}
	cg := s.gem[ckey]
	clipGem, err := add(&cg, &dink)
	if err != nil {
		return 0, err
	}
	vs := s.sin[s.cfg.Vow]
	vowSin, err := add(&vs, &due)
	if err != nil {
		return 0, err
	}
	vice, err := add(&s.vice, &due)
	if err != nil {
		return 0, err
	}

	tab, err := mul(&due, &k.cfg.Chop)
	if err != nil {
		return 0, err
	}
	tab.Div(&tab, &wad)
	dirt, err := add(&s.dirt, &tab)
	if err != nil {
		return 0, err
	}
	idirt, err := add(&k.dirt, &tab)
	if err != nil {
		return 0, err
	}

	// Clipper.kick, checked before the grab is applied.
	if tab.IsZero() {
		return 0, revert("Clipper/zero-tab")
	}
	if urn == "" {
		return 0, revert("Clipper/zero-usr")
	}
	top, coin, err := s.kickTerms(k, &tab)
	if err != nil {
		return 0, err
	}
	sinAfter, daiAfter, viceAfter, debtAfter, err := s.suckTerms(s.cfg.Vow, kpr, &coin, &vowSin, &vice)
	if err != nil {
		return 0, err
	}

	s.urns[key], k.art, s.gem[ckey] = nu, art, clipGem
	s.sin[s.cfg.Vow], s.vice = sinAfter, viceAfter
	s.dai[kpr], s.debt = daiAfter, debtAfter
	s.dirt, k.dirt = dirt, idirt
	k.kicks++
	id := k.kicks
	k.sales[id] = Sale{Pos: len(k.active), Tab: tab, Lot: dink, Usr: urn, Tic: now, Top: top}
	k.active = append(k.active, id)
	return id, nil
}

// suckTerms returns the balances Vat.suck(u, v, coin) would leave, starting
// from sin of u = sinU and vice = vice (values already updated in the same
// operation), without writing them.
func (s *System) suckTerms(u, v Address, coin, sinU, vice *uint256.Int) (sin, dai, nvice, debt uint256.Int, err error) {
	if coin.IsZero() {
		return *sinU, s.dai[v], *vice, s.debt, nil
	}
	if sin, err = add(sinU, coin); err != nil {
		return
	}
	d := s.dai[v]
	if dai, err = add(&d, coin); err != nil {
		return
	}
	if nvice, err = add(vice, coin); err != nil {
		return
	}
	debt, err = add(&s.debt, coin)
	return
}
