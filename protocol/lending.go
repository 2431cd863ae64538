package protocol

import (
	"errors"
	"fmt"
	"math"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/lending"
	"github.com/cascade-risk/cascade/lending/aave"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// maxU256 is 2^256 − 1, the "everything" amount of Withdraw and Repay.
var maxU256 = *new(uint256.Int).SetAllOne()

// ledger holds the token balances of a protocol's users outside the
// protocol (their wallets) and the tokens that entered or left the
// simulated economy through them, so that a protocol's Check can verify
// that no operation created or destroyed tokens:
//
//	Σ wallets[a] + held by the protocol[a] = in[a] − out[a]
type ledger struct {
	wallets [][]uint256.Int // by user, then by asset slot
	in, out []uint256.Int   // by asset slot
	// total is Σ wallets by asset slot, kept as the wallets change (they
	// change only through the methods below), so that check costs no
	// pass over the users.
	total   []uint256.Int
	nAssets int
	slab    []uint256.Int // where new wallets are cut from
}

func (l *ledger) reset(assets int) {
	l.nAssets = assets
	l.wallets = l.wallets[:0]
	l.in = make([]uint256.Int, assets)
	l.out = make([]uint256.Int, assets)
	l.total = make([]uint256.Int, assets)
}

// add registers a user and returns its id, the users numbered from 0.
func (l *ledger) add() int {
	n := l.nAssets
	if len(l.slab) < n {
		l.slab = make([]uint256.Int, n*256)
	}
	l.wallets = append(l.wallets, l.slab[:n:n])
	l.slab = l.slab[n:]
	return len(l.wallets) - 1
}

func (l *ledger) balance(u, a int) uint256.Int { return l.wallets[u][a] }

// fund brings tokens into user u's wallet from outside the model.
func (l *ledger) fund(u, a int, amt *uint256.Int) {
	l.credit(u, a, amt)
	l.in[a].Add(&l.in[a], amt)
}

// remove takes tokens out of user u's wallet and out of the model (sold on
// a venue, spent).
func (l *ledger) remove(u, a int, amt *uint256.Int) error {
	if err := l.debit(u, a, amt); err != nil {
		return err
	}
	l.out[a].Add(&l.out[a], amt)
	return nil
}

func (l *ledger) debit(u, a int, amt *uint256.Int) error {
	w := &l.wallets[u][a]
	if w.Lt(amt) {
		return errShort
	}
	w.Sub(w, amt)
	l.total[a].Sub(&l.total[a], amt)
	return nil
}

func (l *ledger) credit(u, a int, amt *uint256.Int) {
	l.wallets[u][a].Add(&l.wallets[u][a], amt)
	l.total[a].Add(&l.total[a], amt)
}

// check verifies the conservation identity for asset a, given what the
// protocol holds.
func (l *ledger) check(a int, held *uint256.Int, name string) error {
	var total, net uint256.Int
	total.Add(held, &l.total[a])
	net.Sub(&l.in[a], &l.out[a])
	if !total.Eq(&net) {
		return fmt.Errorf("%s: wallets + protocol hold %s raw units, but %s came in net", name, total.Dec(), net.Dec())
	}
	return nil
}

var errShort = errors.New("insufficient wallet balance")

// LendingPool is an over-collateralised lending market in the simulation:
// an Aave v3 pool (aave.Market) or a Compound v2 comptroller
// (compound.Market) with its reserves, the wallets of its users, and the
// oracle feeds that price its reserves.
//
// Each step it reads every reserve's price from its feed and sets it in
// the protocol, and accrues interest: the protocol's clock is
// Start + Step·StepSeconds/TickSeconds (a block timestamp for Aave, with
// TickSeconds 1; a block number for Compound, with TickSeconds 15, the
// block time its BlocksPerYear assumes). Agents (borrowers, liquidators)
// act through its methods, which move tokens between their wallets and the
// protocol; tokens enter and leave the model only through Fund and Remove.
// Check verifies token conservation and the protocol's scaled totals every
// step.
//
// Values are in the numeraire at the protocol's own (oracle) prices.
type LendingPool struct {
	// Market is the protocol as configured, without prices or balances;
	// every run starts from a clone.
	Market lending.Market
	// Names and Assets are each reserve's asset name and index.
	Names  []string
	Assets []int
	// Feeds are protocol indices of each reserve's price feed; −1 reads
	// the external price.
	Feeds []int
	// Decimals of each reserve's token.
	Decimals []int
	// Deposits are the lenders' initial supply of each reserve, raw units.
	Deposits []uint256.Int
	// Borrowable marks the reserves whose utilization and rate are
	// reported.
	Borrowable []bool
	// Start is the protocol clock at step 0; TickSeconds the seconds per
	// clock unit.
	Start       uint64
	TickSeconds float64
	// InsolvencyThreshold is the bad debt, in the numeraire, above which a
	// run counts as insolvent.
	InsolvencyThreshold float64
	// MinHealth is, by reserve, the lowest health factor a position
	// collateralised by that reserve alone can reach by borrowing: the
	// liquidation threshold over the LTV on Aave (+Inf when the LTV is
	// zero), 1 on Compound, where one collateral factor sets both.
	MinHealth []float64

	mk      lending.Market
	aave    *aave.Pool
	comp    *compound.Comptroller
	book    ledger
	debtors []int
	isDebt  []bool
	prices  []float64 // numeraire per whole token, as set in the protocol
	now     uint64
	health  []healthMemo // by user
	// epoch counts Reset and Step calls: prices and the clock change only
	// there, so a position valued in an epoch keeps its value until an
	// operation on it (touch) or the next epoch. views are those values.
	epoch uint64
	views []viewMemo // by user
	// rank is each user's place in debtors, −1 for a user that never
	// borrowed; idx orders Aave positions by closeness to liquidation.
	rank []int
	idx  riskIndex
	// sortKeys is byDebtorOrder's buffer.
	sortKeys []uint64

	liquidations int
	liqVolume    float64
}

// Lender is the user id of the initial depositors.
const Lender = 0

// Reset implements Protocol: a fresh clone of the market, priced from the
// feeds, with the lenders' deposits.
func (p *LendingPool) Reset(m *market.Market) {
	p.mk = p.Market.Clone()
	p.aave, p.comp = nil, nil
	switch mk := p.mk.(type) {
	case aave.Market:
		p.aave = mk.Pool
	case compound.Market:
		p.comp = mk.Comptroller
	}
	p.book.reset(len(p.Assets))
	p.book.add() // Lender
	p.debtors = p.debtors[:0]
	p.isDebt = append(p.isDebt[:0], false)
	p.prices = make([]float64, len(p.Assets))
	p.health = append(p.health[:0], healthMemo{})
	p.views = append(p.views[:0], viewMemo{})
	p.rank = append(p.rank[:0], -1)
	p.idx.reset(len(p.Assets))
	p.idx.add()
	p.epoch++
	p.liquidations, p.liqVolume = 0, 0
	p.now = p.clock(m)
	p.setPrices(m)
	for r := range p.Deposits {
		if p.Deposits[r].IsZero() {
			continue
		}
		p.book.fund(Lender, r, &p.Deposits[r])
		_ = p.Supply(Lender, r, &p.Deposits[r])
	}
}

func (p *LendingPool) clock(m *market.Market) uint64 {
	tick := p.TickSeconds
	if tick <= 0 {
		tick = 1
	}
	return p.Start + uint64(float64(m.Step)*m.StepSeconds/tick)
}

// setPrices writes each reserve's feed price into the protocol.
func (p *LendingPool) setPrices(m *market.Market) error {
	for r, a := range p.Assets {
		price := FeedPrice(m, p.Feeds[r], a)
		p.prices[r] = price
		raw := p.oraclePrice(r, price)
		if err := p.mk.SetPrice(r, &raw); err != nil {
			return err
		}
	}
	return nil
}

// oraclePrice converts a numeraire price per whole token into the
// protocol's oracle units: base currency with 8 decimals for Aave,
// 10^(36−decimals) per whole token for Compound.
func (p *LendingPool) oraclePrice(r int, price float64) uint256.Int {
	if p.comp != nil {
		return cfmm.Amount(price * math.Pow(10, float64(36-p.Decimals[r])))
	}
	return cfmm.Amount(math.Round(price * 1e8))
}

// OpenAt runs open — positions being opened — with reserve r priced at
// price (numeraire per whole token) instead of its feed's price, then
// restores the feed's: positions with history, opened when the reserve
// traded at price, under the protocol's own checks at that price. At the
// feed's price they may already be near or past liquidation.
func (p *LendingPool) OpenAt(r int, price float64, open func()) error {
	old := p.prices[r]
	raw, oldRaw := p.oraclePrice(r, price), p.oraclePrice(r, old)
	if err := p.mk.SetPrice(r, &raw); err != nil {
		return err
	}
	p.prices[r] = price
	p.epoch++ // memoised health and views are stale
	open()
	p.prices[r] = old
	p.epoch++
	return p.mk.SetPrice(r, &oldRaw)
}

// baseToNumeraire is the numeraire value of one unit of the protocol's
// account values (Aave base currency, Compound USD·1e18).
func (p *LendingPool) baseToNumeraire() float64 {
	if p.comp != nil {
		return 1e-18
	}
	return 1e-8
}

// Step implements Protocol: prices from the feeds, and interest accrued to
// the step's clock.
func (p *LendingPool) Step(m *market.Market) error {
	p.epoch++
	p.now = p.clock(m)
	if err := p.setPrices(m); err != nil {
		return err
	}
	if p.comp != nil {
		for r := range p.Assets {
			if err := p.comp.AccrueInterest(p.now, r); err != nil {
				return fmt.Errorf("accrue %s: %w", p.Names[r], err)
			}
		}
	}
	return nil
}

// Check implements Protocol: per reserve, wallets plus the protocol's cash
// equal the tokens that entered less those that left, and the protocol's
// scaled supply (and, for Aave, debt) equal the sums of its users'
// balances.
func (p *LendingPool) Check() error {
	for r := range p.Assets {
		var cash, supply, debt uint256.Int
		if p.aave != nil {
			res := p.aave.Reserve(r)
			cash = res.Cash
			// The users' sums are kept as operations change their
			// balances (riskIndex.touch), so a balance changed without
			// its total, or the reverse, fails here.
			supply, debt = p.idx.supply[r], p.idx.debt[r]
			supply.Add(&supply, &res.TreasuryScaled)
			if !supply.Eq(&res.ScaledSupply) || !debt.Eq(&res.ScaledVariableDebt) {
				return fmt.Errorf("%s: scaled supply %s and debt %s, users hold %s and owe %s", p.Names[r],
					res.ScaledSupply.Dec(), res.ScaledVariableDebt.Dec(), supply.Dec(), debt.Dec())
			}
		} else {
			st := p.comp.Market(r)
			cash = st.Cash
			for u := range p.book.wallets {
				pos := p.comp.Position(r, u)
				supply.Add(&supply, &pos.Tokens)
			}
			if !supply.Eq(&st.TotalSupply) {
				return fmt.Errorf("%s: cToken supply %s, users hold %s", p.Names[r], st.TotalSupply.Dec(), supply.Dec())
			}
		}
		if err := p.book.check(r, &cash, p.Names[r]); err != nil {
			return err
		}
	}
	return nil
}

// Now returns the protocol clock of the current step.
func (p *LendingPool) Now() uint64 { return p.now }

// Register adds a user and returns its id.
func (p *LendingPool) Register() int {
	p.isDebt = append(p.isDebt, false)
	p.health = append(p.health, healthMemo{})
	p.views = append(p.views, viewMemo{})
	p.rank = append(p.rank, -1)
	p.idx.add()
	return p.book.add()
}

// healthMemo is a position's health when last valued exactly, with the
// prices and clock of then.
type healthMemo struct {
	valid  bool
	health float64
	at     uint64
	prices []float64
}

// viewMemo is a position's AccountView as valued in an epoch (see
// LendingPool.epoch); epoch 0 is never current.
type viewMemo struct {
	epoch uint64
	view  AccountView
	// closeAll: the health factor is at most aave.CloseFactorHFThreshold
	// (the whole debt may be repaid); bad: valuing the position failed.
	closeAll, bad bool
}

// touch forgets u's memos after an operation changed its position.
func (p *LendingPool) touch(u int) {
	p.health[u].valid = false
	p.views[u].epoch = 0
	if p.aave != nil {
		p.idx.touch(p.aave, u)
	}
}

// MaybeLiquidatable reports whether u's position may be liquidatable now.
// It is exact when it says yes; it says no without valuing the position
// when the health last computed, scaled by the worst price move since
// (collateral prices at their largest fall, debt prices at their largest
// rise) and less 1% for interest, is still above 1. Values older than a
// day, or from before an operation on the position, are recomputed.
func (p *LendingPool) MaybeLiquidatable(u int) bool {
	h := &p.health[u]
	day := uint64(86400 / max(p.TickSeconds, 1))
	if h.valid && p.now-h.at < day {
		lo, hi := math.Inf(1), 0.0
		for r, x := range p.prices {
			ratio := x / h.prices[r]
			lo, hi = min(lo, ratio), max(hi, ratio)
		}
		if h.health*lo/hi*0.99 >= 1 {
			return false
		}
	}
	v := p.Account(u)
	h.valid, h.health, h.at = true, v.Health(), p.now
	h.prices = append(h.prices[:0], p.prices...)
	return v.Liquidatable
}

// Debtors returns the users that have borrowed, in the order they first
// did. The slice is shared.
func (p *LendingPool) Debtors() []int { return p.debtors }

// Reserve returns the reserve index of asset a, or −1.
func (p *LendingPool) Reserve(a int) int {
	for r, x := range p.Assets {
		if x == a {
			return r
		}
	}
	return -1
}

// PriceOf returns reserve r's price as the protocol sees it, numeraire per
// whole token.
func (p *LendingPool) PriceOf(r int) float64 { return p.prices[r] }

// Balance returns user u's wallet balance of reserve r's token.
func (p *LendingPool) Balance(u, r int) uint256.Int { return p.book.balance(u, r) }

// Fund brings amt of reserve r's token into u's wallet from outside the
// model (an endowment, or the proceeds of a sale on a venue).
func (p *LendingPool) Fund(u, r int, amt *uint256.Int) { p.book.fund(u, r, amt) }

// Remove takes amt of reserve r's token out of u's wallet and out of the
// model (to sell it on a venue, or spend it).
func (p *LendingPool) Remove(u, r int, amt *uint256.Int) error { return p.book.remove(u, r, amt) }

// Supply deposits amt from u's wallet.
func (p *LendingPool) Supply(u, r int, amt *uint256.Int) error {
	if err := p.book.debit(u, r, amt); err != nil {
		return err
	}
	if err := p.mk.Supply(p.now, r, u, amt); err != nil {
		p.book.credit(u, r, amt)
		return err
	}
	p.touch(u)
	return nil
}

// Withdraw pays u up to amt of its deposit (2^256−1: all of it) into its
// wallet and returns the amount.
func (p *LendingPool) Withdraw(u, r int, amt *uint256.Int) (uint256.Int, error) {
	got, err := p.mk.Withdraw(p.now, r, u, amt)
	if err == nil {
		p.book.credit(u, r, &got)
		p.touch(u)
	}
	return got, err
}

// Borrow lends amt of reserve r to u, into its wallet.
func (p *LendingPool) Borrow(u, r int, amt *uint256.Int) error {
	if err := p.mk.Borrow(p.now, r, u, amt); err != nil {
		return err
	}
	p.book.credit(u, r, amt)
	p.touch(u)
	if !p.isDebt[u] {
		p.isDebt[u] = true
		p.rank[u] = len(p.debtors)
		p.debtors = append(p.debtors, u)
	}
	return nil
}

// Repay pays back up to amt of u's debt in reserve r from its wallet
// (never more than the wallet holds) and returns the amount repaid.
func (p *LendingPool) Repay(u, r int, amt *uint256.Int) (uint256.Int, error) {
	w := p.book.balance(u, r)
	a := *amt
	if w.Lt(&a) {
		a = w
	}
	if a.IsZero() {
		return a, errShort
	}
	if p.comp != nil { // Compound reverts on more than the debt
		owed, err := p.comp.BorrowBalanceStored(r, u)
		if err != nil {
			return uint256.Int{}, err
		}
		if owed.Lt(&a) {
			a = owed
		}
	}
	paid, err := p.mk.Repay(p.now, r, u, &a)
	if err != nil {
		return paid, err
	}
	_ = p.book.debit(u, r, &paid)
	p.touch(u)
	return paid, nil
}

// Debt returns u's debt in reserve r, raw units.
func (p *LendingPool) Debt(u, r int) uint256.Int {
	if p.aave != nil {
		d, _ := p.aave.DebtBalance(p.now, r, u)
		return d
	}
	d, _ := p.comp.BorrowBalanceStored(r, u)
	return d
}

// Collateral returns u's deposit in reserve r, raw units of the
// underlying.
func (p *LendingPool) Collateral(u, r int) uint256.Int {
	if p.aave != nil {
		s, _ := p.aave.SupplyBalance(p.now, r, u)
		return s
	}
	pos := p.comp.Position(r, u)
	rate, _ := p.comp.ExchangeRateStored(r)
	var out uint256.Int
	out.Mul(&pos.Tokens, &rate)
	return *out.Div(&out, uint256.NewInt(1e18))
}

// AccountView is a position valued at the protocol's prices, in the
// numeraire.
type AccountView struct {
	// Collateral is the value of the deposits counted as collateral;
	// Weighted the same weighted by liquidation thresholds (Aave) or
	// collateral factors (Compound): the debt the position may carry.
	Collateral, Weighted float64
	Debt                 float64
	// Available is what the position may still borrow.
	Available float64
	// Liquidatable is the protocol's own verdict, in its integers.
	Liquidatable bool
}

// Health returns Weighted/Debt, +Inf without debt.
func (a *AccountView) Health() float64 {
	if a.Debt <= 0 {
		return math.Inf(1)
	}
	return a.Weighted / a.Debt
}

// Account values u's position. On Aave a position is valued once per step
// unless an operation changes it: its value depends only on the position,
// the prices and the clock, which change only in Step (interest accrued by
// another operation at the same clock leaves the normalized indexes as
// they were).
func (p *LendingPool) Account(u int) AccountView {
	// On Compound another user's operation can move the exchange rate by
	// a rounding unit, so only Aave positions are remembered.
	if p.aave != nil && u >= 0 && u < len(p.views) {
		return p.memo(u).view
	}
	v, _, _ := p.account(u)
	return v
}

// memo returns u's valuation in the current epoch (Aave).
func (p *LendingPool) memo(u int) *viewMemo {
	m := &p.views[u]
	if m.epoch != p.epoch {
		var ok bool
		m.view, m.closeAll, ok = p.account(u)
		m.bad = !ok
		m.epoch = p.epoch
	}
	return m
}

// account values u's position; on Aave it also reports whether the
// health factor is at most aave.CloseFactorHFThreshold, and ok is false
// (with zero values) when valuing fails.
func (p *LendingPool) account(u int) (v AccountView, closeAll, ok bool) {
	k := p.baseToNumeraire()
	if p.aave != nil {
		d, err := p.aave.UserAccountData(p.now, u)
		if err != nil {
			return v, false, false
		}
		v.Collateral = d.TotalCollateralBase.Float64() * k
		v.Weighted = v.Collateral * float64(d.LiquidationThreshold) / aave.PercentageFactor
		v.Debt = d.TotalDebtBase.Float64() * k
		v.Available = d.AvailableBorrowsBase.Float64() * k
		v.Liquidatable = d.HealthFactor.Lt(uint256.NewInt(aave.HealthFactorLiquidationThreshold))
		return v, !d.HealthFactor.Gt(uint256.NewInt(aave.CloseFactorHFThreshold)), true
	}
	for r := range p.Assets {
		pos := p.comp.Position(r, u)
		if pos.Member && !pos.Tokens.IsZero() {
			rate, _ := p.comp.ExchangeRateStored(r)
			value := pos.Tokens.Float64() * rate.Float64() / 1e18 * p.prices[r] * math.Pow(10, -float64(p.Decimals[r]))
			v.Collateral += value
			cf := p.comp.MarketConfig(r).CollateralFactor
			v.Weighted += value * cf.Float64() / 1e18
		}
		if b, _ := p.comp.BorrowBalanceStored(r, u); !b.IsZero() {
			v.Debt += b.Float64() * p.prices[r] * math.Pow(10, -float64(p.Decimals[r]))
		}
	}
	liq, short, err := p.comp.AccountLiquidity(u)
	if err == nil {
		v.Liquidatable = !short.IsZero()
		v.Available = liq.Float64() * k
	}
	return v, false, true
}

// MaxRepay returns the most of u's debt in reserve r one liquidation may
// repay: half of it (Aave: all of it once the health factor is at most
// 0.95; Compound: the close factor's share, rounded down).
func (p *LendingPool) MaxRepay(u, r int) uint256.Int {
	debt := p.Debt(u, r)
	if p.aave != nil {
		closeAll, known := p.surelyCloseAll(u)
		if !known {
			m := p.memo(u)
			if m.bad {
				return uint256.Int{}
			}
			closeAll = m.closeAll
		}
		if closeAll {
			return debt
		}
		half, _ := aave.PercentMul(&debt, uint256.NewInt(aave.DefaultLiquidationCloseFactor))
		return half
	}
	cf := p.comp.CloseFactor()
	var out uint256.Int
	out.Mul(&debt, &cf)
	return *out.Div(&out, uint256.NewInt(1e18))
}

// SeizeEstimate returns about how much collateral (raw units of reserve c)
// a liquidator receives for repaying repay raw units of reserve d at the
// protocol's prices: repay·p_d/p_c times the liquidation bonus, less the
// protocol's share (Aave's protocol fee on the bonus, Compound's 2.8%
// seize share). Agents decide with it; the liquidation itself is exact.
func (p *LendingPool) SeizeEstimate(d, c int, repay float64) float64 {
	if p.prices[c] <= 0 {
		return 0
	}
	base := repay * math.Pow(10, float64(p.Decimals[c]-p.Decimals[d])) * p.prices[d] / p.prices[c]
	if p.aave != nil {
		cfg := p.aave.ReserveConfig(c)
		bonus := float64(cfg.LiquidationBonus) / aave.PercentageFactor
		fee := float64(cfg.LiquidationProtocolFee) / aave.PercentageFactor
		seized := base * bonus
		return seized - (seized-base)*fee
	}
	inc := p.comp.LiquidationIncentive()
	return base * inc.Float64() / 1e18 * (1 - compound.ProtocolSeizeShareMantissa/1e18)
}

// Liquidate has liquidator repay up to amt of borrower's debt in reserve
// d from its wallet for collateral of reserve c, which lands in the
// liquidator's wallet as the underlying token (Compound's seized cTokens
// are redeemed at once). It returns the debt repaid and the collateral
// received.
func (p *LendingPool) Liquidate(m *market.Market, liquidator, borrower, d, c int, amt *uint256.Int) (repaid, seized uint256.Int, err error) {
	w := p.book.balance(liquidator, d)
	if w.Lt(amt) {
		return repaid, seized, errShort
	}
	res, err := p.mk.Liquidate(p.now, liquidator, borrower, d, c, amt)
	if err != nil {
		return repaid, seized, err
	}
	_ = p.book.debit(liquidator, d, &res.Repaid)
	p.touch(borrower)
	p.touch(liquidator)
	repaid = res.Repaid
	if p.comp != nil {
		seized, err = p.mk.Withdraw(p.now, c, liquidator, &maxU256)
		if err != nil { // no cash to redeem: the cTokens stay supplied
			seized = uint256.Int{}
			err = nil
		}
	} else {
		seized = res.Seized
	}
	p.book.credit(liquidator, c, &seized)
	p.liquidations++
	p.liqVolume += repaid.Float64() * math.Pow(10, -float64(p.Decimals[d])) * p.prices[d]
	return repaid, seized, nil
}

// BadDebt returns the debt not covered by collateral, summed over the
// positions: Σ max(0, debt − collateral value), at the protocol's prices,
// in the order the positions first borrowed; and the total debt. On Aave
// the total is each reserve's whole debt valued at once
// (aave.Pool.TotalDebtBase), on Compound the sum of the positions' debts.
func (p *LendingPool) BadDebt() (bad, debt float64) {
	if p.aave != nil {
		for _, r := range p.Risky() {
			if v := &r.View; r.Underwater {
				bad += v.Debt - v.Collateral
			}
		}
		k := p.baseToNumeraire()
		for r := range p.Assets {
			if d, err := p.aave.TotalDebtBase(p.now, r); err == nil {
				debt += d.Float64() * k
			}
		}
		return bad, debt
	}
	for _, u := range p.debtors {
		v := p.Account(u)
		debt += v.Debt
		if v.Debt > v.Collateral {
			bad += v.Debt - v.Collateral
		}
	}
	return bad, debt
}

// Metrics implements Protocol.
func (p *LendingPool) Metrics() []metric.Def {
	defs := []metric.Def{
		{Name: "bad_debt", Unit: "numeraire", Doc: "debt not covered by collateral, Σ max(0, debt − collateral), at oracle prices", Worse: metric.HigherIsWorse},
		{Name: "insolvent", Unit: "0/1", Doc: "1 when bad debt exceeds the insolvency threshold; its mean over runs is the insolvency probability", Worse: metric.HigherIsWorse},
		{Name: "liquidations", Unit: "count", Doc: "liquidation calls executed", Worse: metric.HigherIsWorse},
		{Name: "liquidation_volume", Unit: "numeraire", Doc: "debt repaid by liquidators, at oracle prices", Worse: metric.HigherIsWorse},
		{Name: "debt", Unit: "numeraire", Doc: "total debt at oracle prices", Worse: metric.Neutral},
	}
	for r, name := range p.Names {
		if p.Borrowable[r] {
			defs = append(defs,
				metric.Def{Name: "utilization_" + name, Unit: "fraction", Doc: "borrows over borrows plus cash of " + name, Worse: metric.HigherIsWorse},
				metric.Def{Name: "borrow_rate_" + name, Unit: "fraction/yr", Doc: "variable borrow rate of " + name, Worse: metric.HigherIsWorse})
		}
	}
	return defs
}

// Observe implements Protocol.
func (p *LendingPool) Observe(_ *market.Market, dst []float64) {
	bad, debt := p.BadDebt()
	dst[0] = bad
	dst[1] = 0
	if bad > p.InsolvencyThreshold {
		dst[1] = 1
	}
	dst[2], dst[3], dst[4] = float64(p.liquidations), p.liqVolume, debt
	k := 5
	for r := range p.Names {
		if !p.Borrowable[r] {
			continue
		}
		dst[k], dst[k+1] = p.rates(r)
		k += 2
	}
}

// rates returns reserve r's utilization and annual variable borrow rate.
func (p *LendingPool) rates(r int) (util, rate float64) {
	if p.aave != nil {
		res := p.aave.Reserve(r)
		debt := res.ScaledVariableDebt.Float64() * res.VariableBorrowIndex.Float64() / 1e27
		if total := debt + res.Cash.Float64(); total > 0 {
			util = debt / total
		}
		return util, res.VariableBorrowRate.Float64() / 1e27
	}
	st := p.comp.Market(r)
	if u, err := compound.UtilizationRate(&st.Cash, &st.TotalBorrows, &st.TotalReserves); err == nil {
		util = u.Float64() / 1e18
	}
	if br, err := p.comp.BorrowRatePerBlock(r); err == nil {
		rate = br.Float64() * compound.BlocksPerYear / 1e18
	}
	return util, rate
}

// Risky returns the positions that are liquidatable or whose debt exceeds
// their collateral, exactly, in the order they first borrowed, with the
// valuations of the underwater ones. On Aave it values only positions near
// their thresholds (see riskIndex), and not those the index shows
// liquidatable and above water, and is remembered until prices, the clock
// or a position change; on Compound it values every debtor. The slice is
// shared.
func (p *LendingPool) Risky() []RiskyPosition {
	x := &p.idx
	if p.aave == nil {
		x.risky = x.risky[:0]
		for _, u := range p.debtors {
			if v := p.Account(u); v.Liquidatable || v.Debt > v.Collateral {
				x.risky = append(x.risky, riskyOf(u, v))
			}
		}
		return x.risky
	}
	if x.scanEpoch == p.epoch && x.scanVersion == x.version {
		return x.risky
	}
	x.sync(p)
	x.cand = x.candidates(p, x.cand[:0], -1, nil)
	p.byDebtorOrder(x.cand)
	x.risky = x.risky[:0]
	for _, u := range x.cand {
		if liq, above := x.sure(p, u); liq && above {
			x.risky = append(x.risky, RiskyPosition{User: u, Liquidatable: true})
			continue
		}
		if v, ok := p.underwater(u); ok {
			x.risky = append(x.risky, riskyOf(u, v))
			continue
		}
		if v := p.Account(u); v.Liquidatable || v.Debt > v.Collateral {
			x.risky = append(x.risky, riskyOf(u, v))
		}
	}
	x.scanEpoch, x.scanVersion = p.epoch, x.version
	return x.risky
}

// Indexed reports whether Liquidatable and Risky screen positions through
// an index (Aave) rather than valuing every debtor (Compound).
func (p *LendingPool) Indexed() bool { return p.aave != nil }

// Candidates appends to dst, in the order they first borrowed, the users
// whose positions may be liquidatable now: a position left out is not
// (exactly); one listed may not be, so the caller values it (Account).
// With seize ≥ 0, positions holding no supply of reserve seize, which no
// liquidation seizing it can touch, are left out too, and so are users u
// with skip[u] (skip may be shorter than the users). On Compound these
// are all the debtors.
func (p *LendingPool) Candidates(dst []int, seize int, skip []bool) []int {
	if p.aave == nil {
		for _, u := range p.debtors {
			if u < len(skip) && skip[u] {
				continue
			}
			if seize >= 0 {
				if c := p.Collateral(u, seize); c.IsZero() {
					continue
				}
			}
			dst = append(dst, u)
		}
		return dst
	}
	start := len(dst)
	p.idx.sync(p)
	dst = p.idx.candidates(p, dst, seize, skip)
	p.byDebtorOrder(dst[start:])
	return dst
}

// underwater returns Account(u) without the health factor when u is an
// Aave pair position whose debt D exceeds its collateral C in base units
// (aave.Pool.PairValues), D below 2^60: then the weighted collateral
// W = percentMul(C, LT) ≤ C < D, so the health factor wadDiv(W, D) =
// ⌊(W·1e18 + ⌊D/2⌋)/D⌋ is below 1e18 (⌊D/2⌋ < 1e18 ≤ (D − W)·1e18): the
// position is liquidatable; and what it may still borrow,
// percentMul(C, LTV) − D, is none. One collateral reserve's averages are
// its own factors.
func (p *LendingPool) underwater(u int) (AccountView, bool) {
	var v AccountView
	c, coll, debt, ok := p.aave.PairValues(p.now, u)
	if !ok || !debt.Gt(&coll) || debt.BitLen() >= 60 {
		return v, false
	}
	k := p.baseToNumeraire()
	v.Collateral = coll.Float64() * k
	v.Weighted = v.Collateral * float64(p.aave.ReserveConfig(c).LiquidationThreshold) / aave.PercentageFactor
	v.Debt = debt.Float64() * k
	v.Liquidatable = true
	return v, true
}

// riskyOf is the RiskyPosition of u valued at v.
func riskyOf(u int, v AccountView) RiskyPosition {
	r := RiskyPosition{User: u, Liquidatable: v.Liquidatable, Underwater: v.Debt > v.Collateral}
	if r.Underwater {
		r.View = v
	}
	return r
}
