package maker

import "github.com/holiman/uint256"

// feedPrice returns the Clipper's reading of the feed, rdiv(val·10^9, par)
// [ray], rounded down.
func (s *System) feedPrice(k *ilk) (uint256.Int, error) {
	if !k.has {
		return uint256.Int{}, revert("Clipper/invalid-price")
	}
	p, err := mul(&k.pip, &bln)
	if err != nil {
		return p, err
	}
	return rdiv(&p, &s.cfg.Par)
}

// kickTerms returns the starting price top = rmul(feedPrice, buf) [ray] and
// the keeper incentive coin = tip + wmul(tab, chip) [rad] of a new auction.
func (s *System) kickTerms(k *ilk, tab *uint256.Int) (top, coin uint256.Int, err error) {
	fp, err := s.feedPrice(k)
	if err != nil {
		return
	}
	if top, err = rmul(&fp, &k.cfg.Buf); err != nil {
		return
	}
	if top.IsZero() {
		err = revert("Clipper/zero-top-price")
		return
	}
	if !k.cfg.Tip.IsZero() || !k.cfg.Chip.IsZero() {
		var c uint256.Int
		if c, err = wmul(tab, &k.cfg.Chip); err != nil {
			return
		}
		coin, err = add(&k.cfg.Tip, &c)
	}
	return
}

// Status is the state of an auction at a given time (Clipper.getStatus).
type Status struct {
	NeedsRedo bool        // the auction is past Tail or its price fell below Cusp·Top
	Price     uint256.Int // current price [ray]
	Lot       uint256.Int // collateral left [wad]
	Tab       uint256.Int // DAI still to raise [rad]
}

// status computes price = calc.price(top, now − tic) and whether the auction
// needs a reset: now − tic > tail or rdiv(price, top) < cusp.
func status(k *ilk, sale *Sale, now uint64) (price uint256.Int, done bool, err error) {
	if now < sale.Tic {
		return price, false, errUnderflow
	}
	dur := now - sale.Tic
	if price, err = k.cfg.Calc.Price(sale.Top, dur); err != nil {
		return
	}
	r, err := rdiv(&price, &sale.Top)
	if err != nil {
		return
	}
	return price, dur > k.cfg.Tail || r.Lt(&k.cfg.Cusp), nil
}

// Status returns the state of auction id of ilk at time now. ok is false
// when no such auction is running.
func (s *System) Status(name string, id uint64, now uint64) (st Status, ok bool, err error) {
	k, err := s.ilk(name)
	if err != nil {
		return st, false, err
	}
	sale, ok := k.sales[id]
	if !ok {
		return st, false, nil
	}
	price, done, err := status(k, &sale, now)
	if err != nil {
		return st, true, err
	}
	return Status{NeedsRedo: done, Price: price, Lot: sale.Lot, Tab: sale.Tab}, true, nil
}

// Sale returns auction id of ilk; ok is false when it is not running.
func (s *System) Sale(name string, id uint64) (sale Sale, ok bool) {
	if k, found := s.ilks[name]; found {
		sale, ok = k.sales[id]
	}
	return sale, ok
}

// Active returns the ids of the running auctions of ilk, in the Clipper's
// order, appended to dst.
func (s *System) Active(name string, dst []uint64) []uint64 {
	if k, ok := s.ilks[name]; ok {
		dst = append(dst, k.active...)
	}
	return dst
}

// Chost returns the smallest tab a partial purchase may leave in an auction
// of ilk, wmul(dust, chop) [rad].
func (s *System) Chost(name string) uint256.Int {
	if k, ok := s.ilks[name]; ok {
		return k.chost
	}
	return uint256.Int{}
}

// Purchase is the outcome of a Take.
type Purchase struct {
	Price    uint256.Int // auction price paid [ray]
	Owe      uint256.Int // DAI paid by the keeper [rad]
	Slice    uint256.Int // collateral bought [wad]
	Tab      uint256.Int // DAI still to raise after the purchase [rad]; 0 when Done
	Lot      uint256.Int // collateral left in the auction [wad]; 0 when Done
	Returned uint256.Int // collateral returned to the vault owner because the tab was covered [wad]
	Done     bool        // the auction ended
}

// Take buys up to amt collateral [wad] from auction id of ilk at time now,
// at the current price, provided it is at most max [ray]; who pays the DAI
// and receives the collateral. As Clipper.take:
//
//	slice = min(lot, amt);  owe = slice·price                  [rad]
//	if owe > tab:  owe = tab;  slice = owe / price              (rounded down)
//	else if owe < tab and slice < lot and tab − owe < chost:
//	    require tab > chost;  owe = tab − chost;  slice = owe / price
//
// so a partial purchase never leaves a tab below chost. The Vow receives
// owe, Dirt and dirt fall by owe (by tab + owe when the lot is exhausted).
// When the tab is covered the remaining lot goes back to the vault owner.
// An auction that needs a reset (see Status) cannot be taken.
func (s *System) Take(name string, id uint64, amt, max *uint256.Int, who Address, now uint64) (Purchase, error) {
	var p Purchase
	k, err := s.ilk(name)
	if err != nil {
		return p, err
	}
	sale, ok := k.sales[id]
	if !ok {
		return p, revert("Clipper/not-running-auction")
	}
	price, done, err := status(k, &sale, now)
	if err != nil {
		return p, err
	}
	if done {
		return p, revert("Clipper/needs-reset")
	}
	if max.Lt(&price) {
		return p, revert("Clipper/too-expensive")
	}
	lot, tab := sale.Lot, sale.Tab
	slice := minInt(&lot, amt)
	owe, err := mul(&slice, &price)
	if err != nil {
		return p, err
	}
	if owe.Gt(&tab) {
		owe = tab
		slice.Div(&owe, &price) // price > 0 here, since owe = slice·price > tab
	} else if owe.Lt(&tab) && slice.Lt(&lot) {
		var rest uint256.Int
		rest.Sub(&tab, &owe)
		if rest.Lt(&k.chost) {
			if !tab.Gt(&k.chost) {
				return p, revert("Clipper/no-partial-purchase")
			}
			if price.IsZero() {
				return p, errDivZero
			}
			owe.Sub(&tab, &k.chost)
			slice.Div(&owe, &price)
		}
	}
	tab.Sub(&tab, &owe)
	lot.Sub(&lot, &slice)

	// Check every balance change before writing any of them.
	ckey, wkey := urnKey{name, k.clip}, urnKey{name, who}
	cg := s.gem[ckey]
	clipGem, err := sub(&cg, &slice)
	if err != nil {
		return p, err
	}
	wd := s.dai[who]
	whoDai, err := sub(&wd, &owe)
	if err != nil {
		return p, err
	}
	digs := owe
	if lot.IsZero() {
		digs.Add(&tab, &owe)
	}
	dirt, err := sub(&s.dirt, &digs)
	if err != nil {
		return p, err
	}
	idirt, err := sub(&k.dirt, &digs)
	if err != nil {
		return p, err
	}
	var returned uint256.Int
	end := lot.IsZero() || tab.IsZero()
	if !lot.IsZero() && tab.IsZero() {
		returned = lot
		if clipGem, err = sub(&clipGem, &lot); err != nil {
			return p, err
		}
	}
	// Additions cannot overflow: the amounts are bounded by balances that
	// already exist in the same 256-bit ledger.
	s.gem[ckey] = clipGem
	wg := s.gem[wkey]
	wg.Add(&wg, &slice)
	s.gem[wkey] = wg
	s.dai[who] = whoDai
	vd := s.dai[s.cfg.Vow]
	vd.Add(&vd, &owe)
	s.dai[s.cfg.Vow] = vd
	s.dirt, k.dirt = dirt, idirt
	if !returned.IsZero() {
		ukey := urnKey{name, sale.Usr}
		ug := s.gem[ukey]
		ug.Add(&ug, &returned)
		s.gem[ukey] = ug
	}
	if end {
		k.remove(id)
		tab, lot = uint256.Int{}, uint256.Int{}
	} else {
		sale.Tab, sale.Lot = tab, lot
		k.sales[id] = sale
	}
	return Purchase{Price: price, Owe: owe, Slice: slice, Tab: tab, Lot: lot, Returned: returned, Done: end}, nil
}

// remove deletes auction id, moving the last active auction into its slot
// (Clipper._remove).
func (k *ilk) remove(id uint64) {
	pos := k.sales[id].Pos
	last := len(k.active) - 1
	if pos != last {
		moved := k.active[last]
		k.active[pos] = moved
		m := k.sales[moved]
		m.Pos = pos
		k.sales[moved] = m
	}
	k.active = k.active[:last]
	delete(k.sales, id)
}

// Redo restarts auction id of ilk at time now when it needs a reset (see
// Status): tic = now and top = rmul(feedPrice, buf) from the current feed.
// kpr receives tip + wmul(tab, chip) [rad] if tab ≥ chost and
// lot·feedPrice ≥ chost, so that dusty auctions pay no incentive.
func (s *System) Redo(name string, id uint64, kpr Address, now uint64) error {
	k, err := s.ilk(name)
	if err != nil {
		return err
	}
	sale, ok := k.sales[id]
	if !ok {
		return revert("Clipper/not-running-auction")
	}
	_, done, err := status(k, &sale, now)
	if err != nil {
		return err
	}
	if !done {
		return revert("Clipper/cannot-reset")
	}
	fp, err := s.feedPrice(k)
	if err != nil {
		return err
	}
	top, err := rmul(&fp, &k.cfg.Buf)
	if err != nil {
		return err
	}
	if top.IsZero() {
		return revert("Clipper/zero-top-price")
	}
	var coin uint256.Int
	if !k.cfg.Tip.IsZero() || !k.cfg.Chip.IsZero() {
		v, err := mul(&sale.Lot, &fp)
		if err != nil {
			return err
		}
		if !sale.Tab.Lt(&k.chost) && !v.Lt(&k.chost) {
			c, err := wmul(&sale.Tab, &k.cfg.Chip)
			if err != nil {
				return err
			}
			if coin, err = add(&k.cfg.Tip, &c); err != nil {
				return err
			}
		}
	}
	vs := s.sin[s.cfg.Vow]
	sinAfter, daiAfter, viceAfter, debtAfter, err := s.suckTerms(s.cfg.Vow, kpr, &coin, &vs, &s.vice)
	if err != nil {
		return err
	}
	s.sin[s.cfg.Vow], s.dai[kpr], s.vice, s.debt = sinAfter, daiAfter, viceAfter, debtAfter
	sale.Tic, sale.Top = now, top
	k.sales[id] = sale
	return nil
}
