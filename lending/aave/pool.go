package aave

import (
	"errors"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// Reverts of the pool, named after Aave's Errors library.
var (
	errInvalidAmount         error = &lending.Revert{Reason: "INVALID_AMOUNT"}
	errInvalidMintAmount     error = &lending.Revert{Reason: "INVALID_MINT_AMOUNT"}
	errInvalidBurnAmount     error = &lending.Revert{Reason: "INVALID_BURN_AMOUNT"}
	errPaused                error = &lending.Revert{Reason: "RESERVE_PAUSED"}
	errFrozen                error = &lending.Revert{Reason: "RESERVE_FROZEN"}
	errBorrowingNotEnabled   error = &lending.Revert{Reason: "BORROWING_NOT_ENABLED"}
	errNotEnoughBalance      error = &lending.Revert{Reason: "NOT_ENOUGH_AVAILABLE_USER_BALANCE"}
	errCollateralZero        error = &lending.Revert{Reason: "COLLATERAL_BALANCE_IS_ZERO"}
	errHFBelowThreshold      error = &lending.Revert{Reason: "HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD"}
	errCollateralCannotCover error = &lending.Revert{Reason: "COLLATERAL_CANNOT_COVER_NEW_BORROW"}
	errNoDebt                error = &lending.Revert{Reason: "NO_DEBT_OF_SELECTED_TYPE"}
	errUnderlyingZero        error = &lending.Revert{Reason: "UNDERLYING_BALANCE_ZERO"}
	errLTVValidation         error = &lending.Revert{Reason: "LTV_VALIDATION_FAILED"}
	errLTVZero               error = &lending.Revert{Reason: "USER_IN_ISOLATION_MODE_OR_LTV_ZERO"}
	errBorrowCap             error = &lending.Revert{Reason: "BORROW_CAP_EXCEEDED"}
	errSupplyCap             error = &lending.Revert{Reason: "SUPPLY_CAP_EXCEEDED"}
	errNotListed             error = &lending.Revert{Reason: "ASSET_NOT_LISTED"}
	errTooManyReserves       error = &lending.Revert{Reason: "NO_MORE_RESERVES_ALLOWED"}
	errHFNotBelow            error = &lending.Revert{Reason: "HEALTH_FACTOR_NOT_BELOW_THRESHOLD"}
	errCannotLiquidate       error = &lending.Revert{Reason: "COLLATERAL_CANNOT_BE_LIQUIDATED"}
	errNotBorrowed           error = &lending.Revert{Reason: "SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER"}

	errUser = errors.New("aave: negative user")
)

// position is one user's holding in one reserve.
type position struct {
	supply     uint256.Int // scaled aToken balance
	debt       uint256.Int // scaled variable debt balance
	collateral bool        // using the supply as collateral
	borrowing  bool        // flagged as borrowing
}

type account struct {
	pos []position // one per reserve
}

func (a *account) borrowingAny() bool {
	for i := range a.pos {
		if a.pos[i].borrowing {
			return true
		}
	}
	return false
}

// Pool is an Aave v3 pool: its reserves, their oracle prices and the users'
// positions. The zero value is an empty pool, as is NewPool(); list reserves
// with AddReserve. Every operation is atomic: on error the pool is
// unchanged.
type Pool struct {
	reserves []reserve
	// dense[user] is 1 + the index in accounts of a user below
	// maxDenseUser (0: none); ids holds the others.
	dense    []int32
	ids      map[int]int
	accounts []account
	// slab is where new accounts' positions are cut from, a block of
	// accounts at a time.
	slab []position
}

// maxDenseUser bounds the user ids looked up in a slice rather than a
// map: simulations number their users from 0.
const maxDenseUser = 1 << 20

// NewPool returns a pool with no reserves.
func NewPool() *Pool { return &Pool{ids: make(map[int]int)} }

// AddReserve lists a reserve with indexes of 1 ray, no rates and no
// balances, and returns its index. Its price is zero until SetPrice.
func (p *Pool) AddReserve(cfg ReserveConfig) (int, error) {
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	if len(p.reserves) >= MaxReserves {
		return 0, errTooManyReserves
	}
	p.reserves = append(p.reserves, newReserve(cfg))
	for i := range p.accounts {
		p.accounts[i].pos = append(p.accounts[i].pos, position{})
	}
	return len(p.reserves) - 1, nil
}

// SetReserveConfig replaces a reserve's configuration, as the pool
// configurator does in v3.0: the state is not accrued first and the rates
// are not recomputed until the reserve's next operation.
func (p *Pool) SetReserveConfig(i int, cfg ReserveConfig) error {
	if !p.listed(i) {
		return errNotListed
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	r := &p.reserves[i]
	r.settle()
	r.cfg, r.tame = cfg, tameConfig(&cfg)
	r.unit.Exp(uint256.NewInt(10), uint256.NewInt(uint64(cfg.Decimals)))
	return nil
}

// ReserveConfig returns a reserve's configuration; the zero value if i is
// not listed.
func (p *Pool) ReserveConfig(i int) ReserveConfig {
	if !p.listed(i) {
		return ReserveConfig{}
	}
	return p.reserves[i].cfg
}

// Reserve returns a reserve's stored state; the zero value if i is not
// listed.
func (p *Pool) Reserve(i int) Reserve {
	if !p.listed(i) {
		return Reserve{}
	}
	p.reserves[i].settle()
	return p.reserves[i].st
}

// NumAssets returns the number of reserves.
func (p *Pool) NumAssets() int { return len(p.reserves) }

// SetPrice sets the oracle price of reserve i, in base currency units per
// whole token.
func (p *Pool) SetPrice(i int, price *uint256.Int) error {
	if !p.listed(i) {
		return errNotListed
	}
	p.reserves[i].price = *price
	return nil
}

// Price returns the oracle price of reserve i.
func (p *Pool) Price(i int) uint256.Int {
	if !p.listed(i) {
		return uint256.Int{}
	}
	return p.reserves[i].price
}

// Position is a user's holding in one reserve.
type Position struct {
	// ScaledSupply and ScaledDebt are the scaled aToken and variable debt
	// balances.
	ScaledSupply uint256.Int
	ScaledDebt   uint256.Int
	// Collateral reports whether the supply counts as collateral; Borrowing
	// whether the reserve is flagged as borrowed.
	Collateral bool
	Borrowing  bool
}

// Position returns user's holding in reserve i; the zero value for an
// unknown user or reserve.
func (p *Pool) Position(i, user int) Position {
	a := p.account(user)
	if a == nil || !p.listed(i) {
		return Position{}
	}
	ps := &a.pos[i]
	return Position{ps.supply, ps.debt, ps.collateral, ps.borrowing}
}

// ScaledSums returns the scaled supply and scaled variable debt of reserve
// i summed over every user (the treasury's accrued share excluded), which
// must equal the reserve's totals less TreasuryScaled and its
// ScaledVariableDebt; zeros for an unlisted reserve.
func (p *Pool) ScaledSums(i int) (supply, debt uint256.Int) {
	if !p.listed(i) {
		return supply, debt
	}
	for k := range p.accounts {
		ps := &p.accounts[k].pos[i]
		supply.Add(&supply, &ps.supply)
		debt.Add(&debt, &ps.debt)
	}
	return supply, debt
}

// SupplyBalance returns user's aToken balance in reserve i at now,
// rayMul(scaled, normalized income) (AToken.balanceOf).
func (p *Pool) SupplyBalance(now uint64, i, user int) (uint256.Int, error) {
	var z uint256.Int
	if !p.listed(i) {
		return z, errNotListed
	}
	a := p.account(user)
	if a == nil || a.pos[i].supply.IsZero() {
		return z, nil
	}
	if err := p.reserves[i].normalizedIncome(&z, now); err != nil {
		return uint256.Int{}, err
	}
	err := rayMul(&z, &a.pos[i].supply, &z)
	return z, err
}

// DebtBalance returns user's variable debt in reserve i at now,
// rayMul(scaled, normalized debt) (VariableDebtToken.balanceOf).
func (p *Pool) DebtBalance(now uint64, i, user int) (uint256.Int, error) {
	var z uint256.Int
	if !p.listed(i) {
		return z, errNotListed
	}
	a := p.account(user)
	if a == nil || a.pos[i].debt.IsZero() {
		return z, nil
	}
	if err := p.reserves[i].normalizedDebt(&z, now); err != nil {
		return uint256.Int{}, err
	}
	err := rayMul(&z, &a.pos[i].debt, &z)
	return z, err
}

// TreasuryBalance returns the treasury's aToken balance in reserve i at now,
// excluding interest accrued but not yet minted (see MintToTreasury).
func (p *Pool) TreasuryBalance(now uint64, i int) (uint256.Int, error) {
	var z uint256.Int
	if !p.listed(i) {
		return z, errNotListed
	}
	r := &p.reserves[i]
	if err := r.normalizedIncome(&z, now); err != nil {
		return uint256.Int{}, err
	}
	err := rayMul(&z, &r.st.TreasuryScaled, &z)
	return z, err
}

// Clone returns an independent deep copy of the pool.
func (p *Pool) Clone() *Pool {
	q := &Pool{
		reserves: append([]reserve(nil), p.reserves...),
		dense:    append([]int32(nil), p.dense...),
		ids:      make(map[int]int, len(p.ids)),
		accounts: make([]account, len(p.accounts)),
	}
	for k, v := range p.ids {
		q.ids[k] = v
	}
	for i := range p.accounts {
		q.accounts[i].pos = append([]position(nil), p.accounts[i].pos...)
	}
	return q
}

func (p *Pool) listed(i int) bool { return i >= 0 && i < len(p.reserves) }

// account returns user's account, or nil if the user has never acted.
func (p *Pool) account(user int) *account {
	k, ok := p.lookup(user)
	if !ok {
		return nil
	}
	return &p.accounts[k]
}

// lookup returns the index of user's account, if it has one.
func (p *Pool) lookup(user int) (int, bool) {
	if user >= 0 && user < maxDenseUser {
		if user < len(p.dense) && p.dense[user] != 0 {
			return int(p.dense[user]) - 1, true
		}
		return 0, false
	}
	k, ok := p.ids[user]
	return k, ok
}

// accountIndex returns the index of user's account, creating it if needed.
// Pointers into p.accounts are invalidated by a creation, so callers create
// every account they need before taking pointers.
func (p *Pool) accountIndex(user int) (int, error) {
	if user < 0 {
		return 0, errUser
	}
	if k, ok := p.lookup(user); ok {
		return k, nil
	}
	n := len(p.reserves)
	if len(p.slab) < n {
		p.slab = make([]position, n*256)
	}
	p.accounts = append(p.accounts, account{pos: p.slab[:n:n]})
	p.slab = p.slab[n:]
	k := len(p.accounts) - 1
	if user < maxDenseUser {
		for len(p.dense) <= user {
			p.dense = append(p.dense, 0)
		}
		p.dense[user] = int32(k + 1)
		return k, nil
	}
	if p.ids == nil { // the zero value is usable
		p.ids = make(map[int]int)
	}
	p.ids[user] = k
	return k, nil
}

// prepare returns reserve i and user's position in it.
func (p *Pool) prepare(i, user int) (*reserve, *account, error) {
	if !p.listed(i) {
		return nil, nil, errNotListed
	}
	k, err := p.accountIndex(user)
	if err != nil {
		return nil, nil, err
	}
	return &p.reserves[i], &p.accounts[k], nil
}

var zero uint256.Int

// mintScaled adds rayDiv(amount, index) to a scaled balance and its total
// (ScaledBalanceTokenBase._mintScaled) and reports whether the balance was
// zero before.
func mintScaled(balance, total, amount, index *uint256.Int) (bool, error) {
	var s uint256.Int
	if err := rayDiv(&s, amount, index); err != nil {
		return false, err
	}
	if s.IsZero() {
		return false, errInvalidMintAmount
	}
	if s.Gt(&maxU128) {
		return false, errSafeCast
	}
	var nb, nt uint256.Int
	nb.Add(balance, &s)
	if nb.Gt(&maxU128) {
		return false, errOverflow
	}
	if _, o := nt.AddOverflow(total, &s); o {
		return false, errOverflow
	}
	first := balance.IsZero()
	*balance, *total = nb, nt
	return first, nil
}

// burnScaled removes rayDiv(amount, index) from a scaled balance and its
// total (ScaledBalanceTokenBase._burnScaled).
func burnScaled(balance, total, amount, index *uint256.Int) error {
	var s uint256.Int
	if err := rayDiv(&s, amount, index); err != nil {
		return err
	}
	if s.IsZero() {
		return errInvalidBurnAmount
	}
	if s.Gt(&maxU128) {
		return errSafeCast
	}
	if balance.Lt(&s) || total.Lt(&s) {
		return errOverflow
	}
	balance.Sub(balance, &s)
	total.Sub(total, &s)
	return nil
}

// transferScaled moves rayDiv(amount, index) of scaled balance from one
// holder to another (ScaledBalanceTokenBase._transfer).
func transferScaled(from, to, amount, index *uint256.Int) error {
	var s uint256.Int
	if err := rayDiv(&s, amount, index); err != nil {
		return err
	}
	if s.Gt(&maxU128) {
		return errSafeCast
	}
	if from.Lt(&s) {
		return errOverflow
	}
	from.Sub(from, &s)
	var nt uint256.Int
	nt.Add(to, &s)
	if nt.Gt(&maxU128) {
		return errOverflow
	}
	*to = nt
	return nil
}

// Supply deposits amount of reserve i from user's wallet and mints
// rayDiv(amount, liquidityIndex) scaled aTokens (SupplyLogic.executeSupply).
// A first deposit of an asset with a non-zero LTV is enabled as collateral.
// It reverts on a zero amount, a paused or frozen reserve, or a supply cap
// that (scaled supply + accrued to treasury)·index + amount would exceed.
func (p *Pool) Supply(now uint64, i, user int, amount *uint256.Int) (err error) {
	r, a, err := p.prepare(i, user)
	if err != nil {
		return err
	}
	ps := &a.pos[i]
	savedR, savedP := r.st, *ps
	defer func() {
		if err != nil {
			r.st, *ps = savedR, savedP
		}
	}()
	if err = r.updateState(now); err != nil {
		return err
	}
	if amount.IsZero() {
		return errInvalidAmount
	}
	if r.cfg.Paused {
		return errPaused
	}
	if r.cfg.Frozen {
		return errFrozen
	}
	if r.cfg.SupplyCap != 0 {
		var total, capUnits uint256.Int
		if _, o := total.AddOverflow(&r.st.ScaledSupply, &r.st.AccruedToTreasury); o {
			return errOverflow
		}
		if err = rayMul(&total, &total, &r.st.LiquidityIndex); err != nil {
			return err
		}
		if _, o := total.AddOverflow(&total, amount); o {
			return errOverflow
		}
		if _, o := capUnits.MulOverflow(&uint256.Int{r.cfg.SupplyCap, 0, 0, 0}, &r.unit); o {
			return errOverflow
		}
		if total.Gt(&capUnits) {
			return errSupplyCap
		}
	}
	if err = r.updateInterestRates(amount, &zero); err != nil {
		return err
	}
	if _, o := r.st.Cash.AddOverflow(&r.st.Cash, amount); o {
		return errOverflow
	}
	first, err := mintScaled(&ps.supply, &r.st.ScaledSupply, amount, &r.st.LiquidityIndex)
	if err != nil {
		return err
	}
	if first && r.cfg.LTV != 0 {
		ps.collateral = true
	}
	return nil
}

// Withdraw pays user up to amount of reserve i and burns the matching scaled
// aTokens (SupplyLogic.executeWithdraw); an amount of 2^256−1 withdraws the
// whole balance, and withdrawing the whole balance disables it as collateral.
// It returns the amount paid. It reverts on a zero amount, more than the
// balance, more than the reserve's cash, a paused reserve, or, when the
// asset is collateral for a debt, a health factor left below 1 (or a
// zero-LTV collateral still held while withdrawing an asset with an LTV).
func (p *Pool) Withdraw(now uint64, i, user int, amount *uint256.Int) (out uint256.Int, err error) {
	r, a, err := p.prepare(i, user)
	if err != nil {
		return out, err
	}
	ps := &a.pos[i]
	savedR, savedP := r.st, *ps
	defer func() {
		if err != nil {
			r.st, *ps = savedR, savedP
			out.Clear()
		}
	}()
	if err = r.updateState(now); err != nil {
		return out, err
	}
	var balance uint256.Int
	if err = rayMul(&balance, &ps.supply, &r.st.LiquidityIndex); err != nil {
		return out, err
	}
	out = *amount
	if amount.Eq(&maxU256) {
		out = balance
	}
	if out.IsZero() {
		return out, errInvalidAmount
	}
	if out.Gt(&balance) {
		return out, errNotEnoughBalance
	}
	if r.cfg.Paused {
		return out, errPaused
	}
	if err = r.updateInterestRates(&zero, &out); err != nil {
		return out, err
	}
	isCollateral := ps.collateral
	if isCollateral && out.Eq(&balance) {
		ps.collateral = false
	}
	if err = burnScaled(&ps.supply, &r.st.ScaledSupply, &out, &r.st.LiquidityIndex); err != nil {
		return out, err
	}
	if _, o := r.st.Cash.SubOverflow(&r.st.Cash, &out); o {
		return out, errOverflow
	}
	if isCollateral && a.borrowingAny() {
		if err = p.validateHFAndLTV(now, a, i); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Borrow lends amount of reserve i to user at the variable rate and mints
// rayDiv(amount, variableBorrowIndex) scaled debt (BorrowLogic.executeBorrow).
// It reverts on a zero amount, a paused or frozen reserve, borrowing
// disabled, a borrow cap exceeded, no collateral or a zero average LTV, a
// health factor at or below 1, a total debt (in base currency) above the
// collateral's borrowing power percentDiv(debt+amount, ltv) ≤ collateral, or
// too little cash.
func (p *Pool) Borrow(now uint64, i, user int, amount *uint256.Int) (err error) {
	r, a, err := p.prepare(i, user)
	if err != nil {
		return err
	}
	ps := &a.pos[i]
	savedR, savedP := r.st, *ps
	defer func() {
		if err != nil {
			r.st, *ps = savedR, savedP
		}
	}()
	if err = r.updateState(now); err != nil {
		return err
	}
	if amount.IsZero() {
		return errInvalidAmount
	}
	if r.cfg.Paused {
		return errPaused
	}
	if r.cfg.Frozen {
		return errFrozen
	}
	if !r.cfg.BorrowingEnabled {
		return errBorrowingNotEnabled
	}
	if r.cfg.BorrowCap != 0 {
		var total, capUnits uint256.Int
		if err = rayMul(&total, &r.st.ScaledVariableDebt, &r.st.VariableBorrowIndex); err != nil {
			return err
		}
		if _, o := total.AddOverflow(&total, amount); o {
			return errOverflow
		}
		capUnits.Mul(&uint256.Int{r.cfg.BorrowCap, 0, 0, 0}, &r.unit) // unchecked in the contract
		if total.Gt(&capUnits) {
			return errBorrowCap
		}
	}
	d, err := p.accountData(now, a)
	if err != nil {
		return err
	}
	if d.TotalCollateralBase.IsZero() {
		return errCollateralZero
	}
	if d.LTV == 0 {
		return errLTVValidation
	}
	if d.HealthFactor.CmpUint64(Wad) <= 0 {
		return errHFBelowThreshold
	}
	var need uint256.Int
	if _, o := need.MulOverflow(&r.price, amount); o {
		return errOverflow
	}
	need.Div(&need, &r.unit)
	if _, o := need.AddOverflow(&need, &d.TotalDebtBase); o {
		return errOverflow
	}
	if err = percentDiv(&need, &need, d.LTV); err != nil {
		return err
	}
	if need.Gt(&d.TotalCollateralBase) {
		return errCollateralCannotCover
	}
	first, err := mintScaled(&ps.debt, &r.st.ScaledVariableDebt, amount, &r.st.VariableBorrowIndex)
	if err != nil {
		return err
	}
	if first {
		ps.borrowing = true
	}
	if err = r.updateInterestRates(&zero, amount); err != nil {
		return err
	}
	if _, o := r.st.Cash.SubOverflow(&r.st.Cash, amount); o {
		return errOverflow
	}
	return nil
}

// Repay pays back up to amount of user's variable debt in reserve i from the
// user's wallet and burns the matching scaled debt (BorrowLogic.executeRepay);
// 2^256−1 repays the whole debt. It returns the amount repaid. It reverts on
// a zero amount, a paused reserve or no debt.
func (p *Pool) Repay(now uint64, i, user int, amount *uint256.Int) (paid uint256.Int, err error) {
	r, a, err := p.prepare(i, user)
	if err != nil {
		return paid, err
	}
	ps := &a.pos[i]
	savedR, savedP := r.st, *ps
	defer func() {
		if err != nil {
			r.st, *ps = savedR, savedP
			paid.Clear()
		}
	}()
	if err = r.updateState(now); err != nil {
		return paid, err
	}
	var debt uint256.Int
	if !ps.debt.IsZero() {
		if err = rayMul(&debt, &ps.debt, &r.st.VariableBorrowIndex); err != nil {
			return paid, err
		}
	}
	if amount.IsZero() {
		return paid, errInvalidAmount
	}
	if r.cfg.Paused {
		return paid, errPaused
	}
	if debt.IsZero() {
		return paid, errNoDebt
	}
	paid = debt
	if amount.Lt(&paid) {
		paid = *amount
	}
	if err = burnScaled(&ps.debt, &r.st.ScaledVariableDebt, &paid, &r.st.VariableBorrowIndex); err != nil {
		return paid, err
	}
	if err = r.updateInterestRates(&paid, &zero); err != nil {
		return paid, err
	}
	if debt.Eq(&paid) {
		ps.borrowing = false
	}
	if _, o := r.st.Cash.AddOverflow(&r.st.Cash, &paid); o {
		return paid, errOverflow
	}
	return paid, nil
}

// SetUseAsCollateral switches user's supply in reserve i on or off as
// collateral (SupplyLogic.executeUseReserveAsCollateral). It reverts when
// the user has no supply there, the reserve is paused, the asset has a zero
// LTV (switching on), or the health factor would fall below 1 (switching
// off).
func (p *Pool) SetUseAsCollateral(now uint64, i, user int, use bool) (err error) {
	r, a, err := p.prepare(i, user)
	if err != nil {
		return err
	}
	ps := &a.pos[i]
	var balance uint256.Int
	if err = r.normalizedIncome(&balance, now); err != nil {
		return err
	}
	if err = rayMul(&balance, &ps.supply, &balance); err != nil {
		return err
	}
	if balance.IsZero() {
		return errUnderlyingZero
	}
	if r.cfg.Paused {
		return errPaused
	}
	if use == ps.collateral {
		return nil
	}
	if use {
		if r.cfg.LTV == 0 {
			return errLTVZero
		}
		ps.collateral = true
		return nil
	}
	ps.collateral = false
	if err = p.validateHFAndLTV(now, a, i); err != nil {
		ps.collateral = true
		return err
	}
	return nil
}

// MintToTreasury mints the interest accrued to the treasury in reserve i as
// aTokens at the normalized income of now (PoolLogic.executeMintToTreasury)
// and returns the amount minted.
func (p *Pool) MintToTreasury(now uint64, i int) (uint256.Int, error) {
	var amount uint256.Int
	if !p.listed(i) {
		return amount, errNotListed
	}
	r := &p.reserves[i]
	if r.st.AccruedToTreasury.IsZero() {
		return amount, nil
	}
	var index uint256.Int
	if err := r.normalizedIncome(&index, now); err != nil {
		return amount, err
	}
	if err := rayMul(&amount, &r.st.AccruedToTreasury, &index); err != nil {
		return uint256.Int{}, err
	}
	if !amount.IsZero() {
		treasury, supply := r.st.TreasuryScaled, r.st.ScaledSupply
		if _, err := mintScaled(&treasury, &supply, &amount, &index); err != nil {
			return uint256.Int{}, err
		}
		r.st.TreasuryScaled, r.st.ScaledSupply = treasury, supply
	}
	r.st.AccruedToTreasury.Clear()
	return amount, nil
}

// validateHFAndLTV is ValidationLogic.validateHFAndLtv for an operation on
// reserve i: the health factor must be at least 1, and a user holding
// zero-LTV collateral may only reduce zero-LTV assets.
func (p *Pool) validateHFAndLTV(now uint64, a *account, i int) error {
	d, err := p.accountData(now, a)
	if err != nil {
		return err
	}
	if d.HealthFactor.CmpUint64(Wad) < 0 {
		return errHFBelowThreshold
	}
	if d.ZeroLTVCollateral && p.reserves[i].cfg.LTV != 0 {
		return errLTVValidation
	}
	return nil
}
