package compound

import (
	"errors"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// errCode is the Comptroller's error enum (ComptrollerErrorReporter.Error).
type errCode int

const (
	noError errCode = iota
	unauthorized
	comptrollerMismatch
	insufficientShortfall
	insufficientLiquidity
	invalidCloseFactor
	invalidCollateralFactor
	invalidLiquidationIncentive
	marketNotEntered
	marketNotListed
	marketAlreadyListed
	mathError
	nonzeroBorrowBalance
	priceError
	rejection
	snapshotError
	tooManyAssets
	tooMuchRepay
	numCodes
)

var codeNames = [numCodes]string{
	"NO_ERROR", "UNAUTHORIZED", "COMPTROLLER_MISMATCH", "INSUFFICIENT_SHORTFALL",
	"INSUFFICIENT_LIQUIDITY", "INVALID_CLOSE_FACTOR", "INVALID_COLLATERAL_FACTOR",
	"INVALID_LIQUIDATION_INCENTIVE", "MARKET_NOT_ENTERED", "MARKET_NOT_LISTED",
	"MARKET_ALREADY_LISTED", "MATH_ERROR", "NONZERO_BORROW_BALANCE", "PRICE_ERROR",
	"REJECTION", "SNAPSHOT_ERROR", "TOO_MANY_ASSETS", "TOO_MUCH_REPAY",
}

// action is the CToken operation whose Comptroller hook rejected it.
type action int

const (
	actRedeem action = iota
	actBorrow
	actLiquidate
	actExit
	numActions
)

var actionNames = [numActions]string{
	"RedeemComptrollerRejection", "BorrowComptrollerRejection",
	"LiquidateComptrollerRejection", "ExitMarket",
}

// rejections holds one shared revert per (action, code), so that a rejected
// operation costs no allocation. The reason reads like the custom error,
// with the Comptroller's code by name: "BorrowComptrollerRejection:
// INSUFFICIENT_LIQUIDITY".
var rejections [numActions][numCodes]error

func init() {
	for a := range rejections {
		for c := range rejections[a] {
			rejections[a][c] = &lending.Revert{Reason: actionNames[a] + ": " + codeNames[c]}
		}
	}
}

func rejected(a action, c errCode) error { return rejections[a][c] }

// Reverts raised by require strings and custom errors of CToken and the
// Comptroller.
var (
	errMintPaused         error = &lending.Revert{Reason: "mint is paused"}
	errBorrowPaused       error = &lending.Revert{Reason: "borrow is paused"}
	errBorrowCap          error = &lending.Revert{Reason: "market borrow cap reached"}
	errBorrowCash         error = &lending.Revert{Reason: "BorrowCashNotAvailable"}
	errRedeemCash         error = &lending.Revert{Reason: "RedeemTransferOutNotPossible"}
	errRedeemTokensZero   error = &lending.Revert{Reason: "redeemTokens zero"}
	errRateTooHigh        error = &lending.Revert{Reason: "borrow rate is absurdly high"}
	errLiquidatorBorrower error = &lending.Revert{Reason: "LiquidateLiquidatorIsBorrower"}
	errCloseZero          error = &lending.Revert{Reason: "LiquidateCloseAmountIsZero"}
	errCloseMax           error = &lending.Revert{Reason: "LiquidateCloseAmountIsUintMax"}
	errSeizeTooMuch       error = &lending.Revert{Reason: "LIQUIDATE_SEIZE_TOO_MUCH"}
	errSeizeCalc          error = &lending.Revert{Reason: "LIQUIDATE_COMPTROLLER_CALCULATE_AMOUNT_SEIZE_FAILED"}
	errRepayDeprecated    error = &lending.Revert{Reason: "Can not repay more than the total borrow"}
	errNotListed          error = &lending.Revert{Reason: "MARKET_NOT_LISTED"}
	errPriceError         error = &lending.Revert{Reason: "PRICE_ERROR"}

	errUser = errors.New("compound: negative user")
)

// MarketConfig is a cToken market's configuration. Mantissas are scaled by
// 1e18.
type MarketConfig struct {
	// Model sets the market's interest rates.
	Model JumpRateModel
	// ReserveFactor is the share of interest added to reserves, at most 1e18.
	ReserveFactor uint256.Int
	// CollateralFactor is the share of the supply's value that may be
	// borrowed against, at most 0.9e18.
	CollateralFactor uint256.Int
	// InitialExchangeRate is the underlying per cToken while the supply is
	// zero; usually 0.02·10^(underlying decimals − 8 + 18).
	InitialExchangeRate uint256.Int
	// BorrowCap bounds total borrows, which must stay strictly below it;
	// zero means no cap.
	BorrowCap uint256.Int
	// MintPaused and BorrowPaused are the pause guardian's switches.
	MintPaused   bool
	BorrowPaused bool
}

// Validate checks the bounds the contracts enforce: a reserve factor at most
// 1e18, a collateral factor at most 0.9e18 and a non-zero initial exchange
// rate.
func (c *MarketConfig) Validate() error {
	if c.ReserveFactor.CmpUint64(ReserveFactorMaxMantissa) > 0 {
		return &lending.Revert{Reason: "SetReserveFactorBoundsCheck"}
	}
	if c.CollateralFactor.CmpUint64(CollateralFactorMaxMantissa) > 0 {
		return &lending.Revert{Reason: "INVALID_COLLATERAL_FACTOR"}
	}
	if c.InitialExchangeRate.IsZero() {
		return &lending.Revert{Reason: "initial exchange rate must be greater than zero."}
	}
	return nil
}

// MarketState is the stored state of a cToken market.
type MarketState struct {
	// Cash is the underlying held by the cToken.
	Cash uint256.Int
	// TotalSupply is the cToken supply.
	TotalSupply uint256.Int
	// TotalBorrows and TotalReserves are in underlying units.
	TotalBorrows  uint256.Int
	TotalReserves uint256.Int
	// BorrowIndex is the accumulated interest factor, 1e18 at listing.
	BorrowIndex uint256.Int
	// AccrualBlock is the block of the last accrual.
	AccrualBlock uint64
}

type market struct {
	cfg   MarketConfig
	price uint256.Int // oracle underlying price mantissa
	st    MarketState
}

// position is one account's holding in one market.
type position struct {
	tokens        uint256.Int // cToken balance
	principal     uint256.Int // borrow balance at the last borrow or repay
	interestIndex uint256.Int // borrow index at that time
	member        bool        // market entered (counts in liquidity)
}

type account struct {
	pos []position
}

// Comptroller is a Compound v2 Comptroller with its listed cToken markets,
// oracle prices and accounts. Create one with NewComptroller (the zero value
// works but has a zero close factor and incentive). Every operation is
// atomic: on error nothing changes.
type Comptroller struct {
	closeFactor          uint256.Int
	liquidationIncentive uint256.Int
	markets              []market
	ids                  map[int]int
	accounts             []account
}

// NewComptroller returns a Comptroller with no markets, the given close
// factor (the share of a borrow one liquidation may repay) and liquidation
// incentive (the collateral value a liquidator receives per unit repaid,
// 1.08e18 for 8%), both mantissas.
func NewComptroller(closeFactor, liquidationIncentive *uint256.Int) *Comptroller {
	return &Comptroller{
		closeFactor:          *closeFactor,
		liquidationIncentive: *liquidationIncentive,
		ids:                  make(map[int]int),
	}
}

// SetCloseFactor sets the close factor mantissa.
func (c *Comptroller) SetCloseFactor(f *uint256.Int) { c.closeFactor = *f }

// SetLiquidationIncentive sets the liquidation incentive mantissa.
func (c *Comptroller) SetLiquidationIncentive(f *uint256.Int) { c.liquidationIncentive = *f }

// CloseFactor returns the close factor mantissa.
func (c *Comptroller) CloseFactor() uint256.Int { return c.closeFactor }

// LiquidationIncentive returns the liquidation incentive mantissa.
func (c *Comptroller) LiquidationIncentive() uint256.Int { return c.liquidationIncentive }

// AddMarket lists a cToken market initialised at block (borrow index 1e18,
// nothing supplied or borrowed) and returns its index. Its price is zero
// until SetPrice.
func (c *Comptroller) AddMarket(cfg MarketConfig, block uint64) (int, error) {
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	m := market{cfg: cfg}
	m.st.BorrowIndex = expScale
	m.st.AccrualBlock = block
	c.markets = append(c.markets, m)
	for i := range c.accounts {
		c.accounts[i].pos = append(c.accounts[i].pos, position{})
	}
	return len(c.markets) - 1, nil
}

// SetMarketConfig replaces market i's configuration. When the reserve
// factor or the interest rate model changes it first accrues interest to
// block, as _setReserveFactor and _setInterestRateModel do, so the old
// values apply up to it; other changes (collateral factor, caps, pauses)
// take effect without an accrual, as on chain.
func (c *Comptroller) SetMarketConfig(block uint64, i int, cfg MarketConfig) error {
	if !c.listed(i) {
		return errNotListed
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	m := &c.markets[i]
	if cfg.ReserveFactor != m.cfg.ReserveFactor || cfg.Model != m.cfg.Model {
		if err := m.accrueInterest(block); err != nil {
			return err
		}
	}
	m.cfg = cfg
	return nil
}

// MarketConfig returns market i's configuration; the zero value if i is not
// listed.
func (c *Comptroller) MarketConfig(i int) MarketConfig {
	if !c.listed(i) {
		return MarketConfig{}
	}
	return c.markets[i].cfg
}

// Market returns market i's stored state; the zero value if i is not
// listed.
func (c *Comptroller) Market(i int) MarketState {
	if !c.listed(i) {
		return MarketState{}
	}
	return c.markets[i].st
}

// NumAssets returns the number of listed markets.
func (c *Comptroller) NumAssets() int { return len(c.markets) }

// SetPrice sets the oracle's underlying price of market i (USD per whole
// token scaled by 1e(36−decimals)).
func (c *Comptroller) SetPrice(i int, price *uint256.Int) error {
	if !c.listed(i) {
		return errNotListed
	}
	c.markets[i].price = *price
	return nil
}

// Price returns the oracle's underlying price of market i.
func (c *Comptroller) Price(i int) uint256.Int {
	if !c.listed(i) {
		return uint256.Int{}
	}
	return c.markets[i].price
}

// Position is an account's holding in one market.
type Position struct {
	// Tokens is the cToken balance.
	Tokens uint256.Int
	// Principal and InterestIndex are the borrow snapshot: the borrow balance
	// now is Principal·BorrowIndex/InterestIndex.
	Principal     uint256.Int
	InterestIndex uint256.Int
	// Member reports whether the account has entered the market, so that
	// its supply counts as collateral.
	Member bool
}

// Position returns user's holding in market i; the zero value for an
// unknown user or market.
func (c *Comptroller) Position(i, user int) Position {
	a := c.account(user)
	if a == nil || !c.listed(i) {
		return Position{}
	}
	p := &a.pos[i]
	return Position{p.tokens, p.principal, p.interestIndex, p.member}
}

// EnterMarket makes user's supply in market i count as collateral (and its
// borrows count against it) in liquidity checks.
func (c *Comptroller) EnterMarket(i, user int) error {
	if !c.listed(i) {
		return errNotListed
	}
	k, err := c.accountIndex(user)
	if err != nil {
		return err
	}
	c.accounts[k].pos[i].member = true
	return nil
}

// ExitMarket removes market i from user's collateral (Comptroller.exitMarket).
// It fails when the user owes the market anything, or when dropping the
// supply would leave a shortfall.
func (c *Comptroller) ExitMarket(i, user int) error {
	if !c.listed(i) {
		return errNotListed
	}
	a := c.account(user)
	if a == nil {
		return nil
	}
	p := &a.pos[i]
	var owed, rate uint256.Int
	if err := c.markets[i].borrowBalance(&owed, p); err != nil {
		return err
	}
	if err := c.markets[i].exchangeRate(&rate); err != nil { // getAccountSnapshot
		return err
	}
	if !owed.IsZero() {
		return rejected(actExit, nonzeroBorrowBalance)
	}
	if code, err := c.redeemAllowed(i, a, &p.tokens); err != nil {
		return err
	} else if code != noError {
		return rejected(actExit, rejection)
	}
	p.member = false
	return nil
}

// Clone returns an independent deep copy of the Comptroller.
func (c *Comptroller) Clone() *Comptroller {
	q := &Comptroller{
		closeFactor:          c.closeFactor,
		liquidationIncentive: c.liquidationIncentive,
		markets:              append([]market(nil), c.markets...),
		ids:                  make(map[int]int, len(c.ids)),
		accounts:             make([]account, len(c.accounts)),
	}
	for k, v := range c.ids {
		q.ids[k] = v
	}
	for i := range c.accounts {
		q.accounts[i].pos = append([]position(nil), c.accounts[i].pos...)
	}
	return q
}

func (c *Comptroller) listed(i int) bool { return i >= 0 && i < len(c.markets) }

func (c *Comptroller) account(user int) *account {
	k, ok := c.ids[user]
	if !ok {
		return nil
	}
	return &c.accounts[k]
}

// accountIndex returns the index of user's account, creating it if needed;
// a creation invalidates pointers into c.accounts.
func (c *Comptroller) accountIndex(user int) (int, error) {
	if user < 0 {
		return 0, errUser
	}
	if k, ok := c.ids[user]; ok {
		return k, nil
	}
	if c.ids == nil { // the zero value is usable
		c.ids = make(map[int]int)
	}
	c.accounts = append(c.accounts, account{pos: make([]position, len(c.markets))})
	k := len(c.accounts) - 1
	c.ids[user] = k
	return k, nil
}

// AccountLiquidity returns user's excess collateral value and shortfall,
// one of them zero, from stored balances, borrow indexes and exchange rates
// (Comptroller.getAccountLiquidity); values are in the oracle's USD·1e18.
func (c *Comptroller) AccountLiquidity(user int) (liquidity, shortfall uint256.Int, err error) {
	return c.HypotheticalAccountLiquidity(user, -1, &uint256.Int{}, &uint256.Int{})
}

// HypotheticalAccountLiquidity is AccountLiquidity after user redeems
// redeemTokens of market modify and borrows borrowAmount from it
// (getHypotheticalAccountLiquidityInternal). Over the markets the user has
// entered:
//
//	collateral = Σ ⌊tokensToDenom·tokens/1e18⌋,  tokensToDenom = ⌊⌊cf·exchangeRate/1e18⌋·price/1e18⌋
//	borrows    = Σ ⌊price·borrowBalance/1e18⌋ + the effects of redeem and borrow on modify
//
// It fails with PRICE_ERROR when an entered market has no price.
func (c *Comptroller) HypotheticalAccountLiquidity(user, modify int, redeemTokens, borrowAmount *uint256.Int) (liquidity, shortfall uint256.Int, err error) {
	code, err := c.hypothetical(c.account(user), modify, redeemTokens, borrowAmount, &liquidity, &shortfall)
	if err == nil && code != noError {
		err = errPriceError
	}
	return liquidity, shortfall, err
}

// hypothetical computes the liquidity check into liquidity and shortfall. A
// Comptroller error (a missing price) is returned as a code, a revert of
// the underlying arithmetic as an error.
func (c *Comptroller) hypothetical(a *account, modify int, redeemTokens, borrowAmount, liquidity, shortfall *uint256.Int) (errCode, error) {
	var collateral, borrows uint256.Int
	liquidity.Clear()
	shortfall.Clear()
	code, err := c.sums(a, modify, redeemTokens, borrowAmount, &collateral, &borrows)
	if err != nil || code != noError {
		return code, err
	}
	if collateral.Gt(&borrows) {
		liquidity.Sub(&collateral, &borrows)
	} else {
		shortfall.Sub(&borrows, &collateral)
	}
	return noError, nil
}

// sums computes the two sides of the liquidity check: the weighted
// collateral and the borrows plus the hypothetical effects on market modify.
func (c *Comptroller) sums(a *account, modify int, redeemTokens, borrowAmount, collateral, borrows *uint256.Int) (errCode, error) {
	collateral.Clear()
	borrows.Clear()
	if a == nil {
		return noError, nil
	}
	var rate, borrow, toDenom, t uint256.Int
	for i := range a.pos {
		p := &a.pos[i]
		if !p.member {
			continue
		}
		m := &c.markets[i]
		if err := m.borrowBalance(&borrow, p); err != nil {
			return noError, err
		}
		if err := m.exchangeRate(&rate); err != nil {
			return noError, err
		}
		if m.price.IsZero() {
			return priceError, nil
		}
		if !mulExp(&toDenom, &m.cfg.CollateralFactor, &rate) || !mulExp(&toDenom, &toDenom, &m.price) {
			return noError, errOverflow
		}
		if !mulAdd(collateral, &toDenom, &p.tokens, &t) || !mulAdd(borrows, &m.price, &borrow, &t) {
			return noError, errOverflow
		}
		if i == modify {
			if !mulAdd(borrows, &toDenom, redeemTokens, &t) || !mulAdd(borrows, &m.price, borrowAmount, &t) {
				return noError, errOverflow
			}
		}
	}
	return noError, nil
}

// mulAdd sets sum += ⌊a·b/1e18⌋ (mul_ScalarTruncateAddUInt), using t as
// scratch, and reports false on overflow.
func mulAdd(sum, a, b, t *uint256.Int) bool {
	if !mulExp(t, a, b) {
		return false
	}
	_, o := sum.AddOverflow(sum, t)
	return !o
}

// redeemAllowed is redeemAllowedInternal: an account that has not entered
// market i may always redeem; otherwise redeeming must not leave a
// shortfall.
func (c *Comptroller) redeemAllowed(i int, a *account, tokens *uint256.Int) (errCode, error) {
	if !a.pos[i].member {
		return noError, nil
	}
	var liquidity, shortfall uint256.Int
	code, err := c.hypothetical(a, i, tokens, &uint256.Int{}, &liquidity, &shortfall)
	if err != nil || code != noError {
		return code, err
	}
	if !shortfall.IsZero() {
		return insufficientLiquidity, nil
	}
	return noError, nil
}

// LiquidateCalculateSeizeTokens returns the collateral cTokens a liquidator
// seizes for repaying repayAmount of the borrowed market
// (liquidateCalculateSeizeTokens):
//
//	ratio = ⌊⌊incentive·priceBorrowed/1e18⌋·1e18 / ⌊priceCollateral·exchangeRate/1e18⌋⌋
//	seize = ⌊ratio·repayAmount/1e18⌋
//
// with the collateral market's stored exchange rate. It fails with
// PRICE_ERROR when either price is zero.
func (c *Comptroller) LiquidateCalculateSeizeTokens(borrowed, collateral int, repayAmount *uint256.Int) (uint256.Int, error) {
	var z uint256.Int
	if !c.listed(borrowed) || !c.listed(collateral) {
		return z, errNotListed
	}
	code, err := c.seizeTokens(&z, borrowed, collateral, repayAmount)
	if err == nil && code != noError {
		err = errPriceError
	}
	return z, err
}

func (c *Comptroller) seizeTokens(z *uint256.Int, borrowed, collateral int, repayAmount *uint256.Int) (errCode, error) {
	pb, pc := &c.markets[borrowed].price, &c.markets[collateral].price
	if pb.IsZero() || pc.IsZero() {
		return priceError, nil
	}
	var rate, num, den uint256.Int
	if err := c.markets[collateral].exchangeRate(&rate); err != nil {
		return noError, err
	}
	if !mulExp(&num, &c.liquidationIncentive, pb) || !mulExp(&den, pc, &rate) {
		return noError, errOverflow
	}
	if err := divExp(&num, &num, &den); err != nil {
		return noError, err
	}
	if !mulExp(z, &num, repayAmount) {
		return noError, errOverflow
	}
	return noError, nil
}
