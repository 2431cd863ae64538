package compound

import (
	"github.com/holiman/uint256"
)

var (
	protocolSeizeShare = uint256.Int{ProtocolSeizeShareMantissa, 0, 0, 0}
	borrowRateMax      = uint256.Int{BorrowRateMaxMantissa, 0, 0, 0}
)

// exchangeRate sets z to the stored exchange rate
// (exchangeRateStoredInternal): the initial rate while nothing is supplied,
// else ⌊(cash + borrows − reserves)·1e18 / supply⌋.
func (m *market) exchangeRate(z *uint256.Int) error {
	if m.st.TotalSupply.IsZero() {
		z.Set(&m.cfg.InitialExchangeRate)
		return nil
	}
	var v uint256.Int
	if _, o := v.AddOverflow(&m.st.Cash, &m.st.TotalBorrows); o {
		return errOverflow
	}
	if _, o := v.SubOverflow(&v, &m.st.TotalReserves); o {
		return errOverflow
	}
	return divExp(z, &v, &m.st.TotalSupply)
}

// borrowBalance sets z to a position's stored borrow balance
// (borrowBalanceStoredInternal): ⌊principal·borrowIndex/interestIndex⌋.
func (m *market) borrowBalance(z *uint256.Int, p *position) error {
	if p.principal.IsZero() {
		z.Clear()
		return nil
	}
	if _, o := z.MulOverflow(&p.principal, &m.st.BorrowIndex); o {
		return errOverflow
	}
	if p.interestIndex.IsZero() {
		return errDivZero
	}
	z.Div(z, &p.interestIndex)
	return nil
}

// accrueInterest brings the market to block (CToken.accrueInterest): with
// the borrow rate r at the stored cash, borrows and reserves and n blocks
// elapsed,
//
//	factor    = r·n
//	interest  = ⌊factor·borrows/1e18⌋
//	borrows  += interest
//	reserves += ⌊reserveFactor·interest/1e18⌋
//	index    += ⌊factor·index/1e18⌋
//
// It reverts when the rate exceeds BorrowRateMaxMantissa or block is before
// the last accrual. The state is unchanged on error.
func (m *market) accrueInterest(block uint64) error {
	st := &m.st
	if st.AccrualBlock == block {
		return nil
	}
	var rate uint256.Int
	if err := m.cfg.Model.borrowRate(&rate, &st.Cash, &st.TotalBorrows, &st.TotalReserves); err != nil {
		return err
	}
	if rate.Gt(&borrowRateMax) {
		return errRateTooHigh
	}
	if block < st.AccrualBlock {
		return errOverflow
	}
	var factor, interest, borrows, reserves, index uint256.Int
	factor.Mul(&rate, &uint256.Int{block - st.AccrualBlock, 0, 0, 0}) // < 2^43·2^64
	if !mulExp(&interest, &factor, &st.TotalBorrows) {
		return errOverflow
	}
	if _, o := borrows.AddOverflow(&interest, &st.TotalBorrows); o {
		return errOverflow
	}
	if !mulExp(&reserves, &m.cfg.ReserveFactor, &interest) {
		return errOverflow
	}
	if _, o := reserves.AddOverflow(&reserves, &st.TotalReserves); o {
		return errOverflow
	}
	if !mulExp(&index, &factor, &st.BorrowIndex) {
		return errOverflow
	}
	if _, o := index.AddOverflow(&index, &st.BorrowIndex); o {
		return errOverflow
	}
	st.AccrualBlock = block
	st.BorrowIndex = index
	st.TotalBorrows = borrows
	st.TotalReserves = reserves
	return nil
}

// AccrueInterest accrues market i's interest up to block.
func (c *Comptroller) AccrueInterest(block uint64, i int) error {
	if !c.listed(i) {
		return errNotListed
	}
	return c.markets[i].accrueInterest(block)
}

// ExchangeRateStored returns market i's stored exchange rate, the
// underlying per cToken scaled by 1e18.
func (c *Comptroller) ExchangeRateStored(i int) (uint256.Int, error) {
	var z uint256.Int
	if !c.listed(i) {
		return z, errNotListed
	}
	err := c.markets[i].exchangeRate(&z)
	return z, err
}

// BorrowBalanceStored returns user's borrow balance in market i at the
// stored borrow index.
func (c *Comptroller) BorrowBalanceStored(i, user int) (uint256.Int, error) {
	var z uint256.Int
	if !c.listed(i) {
		return z, errNotListed
	}
	a := c.account(user)
	if a == nil {
		return z, nil
	}
	err := c.markets[i].borrowBalance(&z, &a.pos[i])
	return z, err
}

// BorrowRatePerBlock returns market i's current borrow rate per block.
func (c *Comptroller) BorrowRatePerBlock(i int) (uint256.Int, error) {
	if !c.listed(i) {
		return uint256.Int{}, errNotListed
	}
	st := &c.markets[i].st
	return c.markets[i].cfg.Model.BorrowRate(&st.Cash, &st.TotalBorrows, &st.TotalReserves)
}

// SupplyRatePerBlock returns market i's current supply rate per block.
func (c *Comptroller) SupplyRatePerBlock(i int) (uint256.Int, error) {
	if !c.listed(i) {
		return uint256.Int{}, errNotListed
	}
	m := &c.markets[i]
	return m.cfg.Model.SupplyRate(&m.st.Cash, &m.st.TotalBorrows, &m.st.TotalReserves, &m.cfg.ReserveFactor)
}

// prepare returns market i and user's account, creating the account.
func (c *Comptroller) prepare(i, user int) (*market, *account, error) {
	if !c.listed(i) {
		return nil, nil, errNotListed
	}
	k, err := c.accountIndex(user)
	if err != nil {
		return nil, nil, err
	}
	return &c.markets[i], &c.accounts[k], nil
}

// Mint accrues market i to block and supplies amount of underlying from
// user's wallet for ⌊amount·1e18/exchangeRate⌋ cTokens (mintFresh), the
// exchange rate taken before the deposit. It returns the cTokens minted,
// which round to zero for dust. It reverts when minting is paused.
func (c *Comptroller) Mint(block uint64, i, user int, amount *uint256.Int) (minted uint256.Int, err error) {
	m, a, err := c.prepare(i, user)
	if err != nil {
		return minted, err
	}
	p := &a.pos[i]
	savedM, savedP := m.st, *p
	defer func() {
		if err != nil {
			m.st, *p = savedM, savedP
			minted.Clear()
		}
	}()
	if err = m.accrueInterest(block); err != nil {
		return minted, err
	}
	if m.cfg.MintPaused {
		return minted, errMintPaused
	}
	var rate uint256.Int
	if err = m.exchangeRate(&rate); err != nil {
		return minted, err
	}
	if err = divExp(&minted, amount, &rate); err != nil {
		return minted, err
	}
	if _, o := m.st.Cash.AddOverflow(&m.st.Cash, amount); o {
		return minted, errOverflow
	}
	if _, o := m.st.TotalSupply.AddOverflow(&m.st.TotalSupply, &minted); o {
		return minted, errOverflow
	}
	p.tokens.Add(&p.tokens, &minted) // bounded by TotalSupply
	return minted, nil
}

// Redeem accrues market i to block and burns tokens of user's cTokens for
// ⌊exchangeRate·tokens/1e18⌋ underlying (redeemFresh), returned.
func (c *Comptroller) Redeem(block uint64, i, user int, tokens *uint256.Int) (uint256.Int, error) {
	var amount uint256.Int
	_, err := c.redeem(block, i, user, tokens, &zero, &amount)
	return amount, err
}

// RedeemUnderlying accrues market i to block and pays user amount of
// underlying for ⌊amount·1e18/exchangeRate⌋ cTokens (redeemFresh), returned.
// The division rounds down, in the redeemer's favour, as on chain.
func (c *Comptroller) RedeemUnderlying(block uint64, i, user int, amount *uint256.Int) (uint256.Int, error) {
	var out uint256.Int
	tokens, err := c.redeem(block, i, user, &zero, amount, &out)
	return tokens, err
}

var zero uint256.Int

// redeem is redeemInternal/redeemUnderlyingInternal. It reverts when the
// redemption would leave a shortfall in an entered market, the market lacks
// cash, the user lacks cTokens, or a non-zero amount costs zero cTokens.
func (c *Comptroller) redeem(block uint64, i, user int, tokensIn, amountIn, amountOut *uint256.Int) (tokens uint256.Int, err error) {
	m, a, err := c.prepare(i, user)
	if err != nil {
		return tokens, err
	}
	p := &a.pos[i]
	savedM, savedP := m.st, *p
	defer func() {
		if err != nil {
			m.st, *p = savedM, savedP
			tokens.Clear()
			amountOut.Clear()
		}
	}()
	if err = m.accrueInterest(block); err != nil {
		return tokens, err
	}
	var rate uint256.Int
	if err = m.exchangeRate(&rate); err != nil {
		return tokens, err
	}
	if !tokensIn.IsZero() {
		tokens = *tokensIn
		if !mulExp(amountOut, &rate, tokensIn) {
			return tokens, errOverflow
		}
	} else {
		if err = divExp(&tokens, amountIn, &rate); err != nil {
			return tokens, err
		}
		*amountOut = *amountIn
	}
	code, err := c.redeemAllowed(i, a, &tokens)
	if err != nil {
		return tokens, err
	}
	if code != noError {
		return tokens, rejected(actRedeem, code)
	}
	if m.st.Cash.Lt(amountOut) {
		return tokens, errRedeemCash
	}
	if m.st.TotalSupply.Lt(&tokens) || p.tokens.Lt(&tokens) {
		return tokens, errOverflow
	}
	m.st.TotalSupply.Sub(&m.st.TotalSupply, &tokens)
	p.tokens.Sub(&p.tokens, &tokens)
	m.st.Cash.Sub(&m.st.Cash, amountOut)
	if tokens.IsZero() && !amountOut.IsZero() {
		return tokens, errRedeemTokensZero
	}
	return tokens, nil
}

// Borrow accrues market i to block and lends amount of underlying to user
// (borrowFresh), entering the market for the user if needed. It reverts when
// borrowing is paused, the price is zero, total borrows would reach the
// borrow cap, the account would be left with a shortfall, or the market
// lacks cash.
func (c *Comptroller) Borrow(block uint64, i, user int, amount *uint256.Int) (err error) {
	m, a, err := c.prepare(i, user)
	if err != nil {
		return err
	}
	p := &a.pos[i]
	savedM, savedP := m.st, *p
	defer func() {
		if err != nil {
			m.st, *p = savedM, savedP
		}
	}()
	if err = m.accrueInterest(block); err != nil {
		return err
	}
	if m.cfg.BorrowPaused {
		return errBorrowPaused
	}
	p.member = true
	if m.price.IsZero() {
		return rejected(actBorrow, priceError)
	}
	if !m.cfg.BorrowCap.IsZero() {
		var next uint256.Int
		if _, o := next.AddOverflow(&m.st.TotalBorrows, amount); o {
			return errOverflow
		}
		if !next.Lt(&m.cfg.BorrowCap) {
			return errBorrowCap
		}
	}
	var liquidity, shortfall uint256.Int
	code, err := c.hypothetical(a, i, &zero, amount, &liquidity, &shortfall)
	if err != nil {
		return err
	}
	if code != noError {
		return rejected(actBorrow, code)
	}
	if !shortfall.IsZero() {
		return rejected(actBorrow, insufficientLiquidity)
	}
	if m.st.Cash.Lt(amount) {
		return errBorrowCash
	}
	var prev uint256.Int
	if err = m.borrowBalance(&prev, p); err != nil {
		return err
	}
	if _, o := p.principal.AddOverflow(&prev, amount); o {
		return errOverflow
	}
	if _, o := m.st.TotalBorrows.AddOverflow(&m.st.TotalBorrows, amount); o {
		return errOverflow
	}
	p.interestIndex = m.st.BorrowIndex
	m.st.Cash.Sub(&m.st.Cash, amount)
	return nil
}

// RepayBorrow accrues market i to block and repays up to amount of user's
// borrow from the user's wallet (repayBorrowFresh); 2^256−1 repays it all.
// It returns the amount repaid and reverts when amount exceeds the debt.
func (c *Comptroller) RepayBorrow(block uint64, i, user int, amount *uint256.Int) (paid uint256.Int, err error) {
	m, a, err := c.prepare(i, user)
	if err != nil {
		return paid, err
	}
	p := &a.pos[i]
	savedM, savedP := m.st, *p
	defer func() {
		if err != nil {
			m.st, *p = savedM, savedP
			paid.Clear()
		}
	}()
	if err = m.accrueInterest(block); err != nil {
		return paid, err
	}
	err = m.repayFresh(p, amount, &paid)
	return paid, err
}

// repayFresh is repayBorrowFresh for borrower position p, the payer's
// tokens arriving as cash.
func (m *market) repayFresh(p *position, amount, paid *uint256.Int) error {
	var prev uint256.Int
	if err := m.borrowBalance(&prev, p); err != nil {
		return err
	}
	*paid = *amount
	if amount.Eq(&maxU256) {
		*paid = prev
	}
	if _, o := m.st.Cash.AddOverflow(&m.st.Cash, paid); o {
		return errOverflow
	}
	if _, o := p.principal.SubOverflow(&prev, paid); o {
		return errOverflow
	}
	if _, o := m.st.TotalBorrows.SubOverflow(&m.st.TotalBorrows, paid); o {
		return errOverflow
	}
	p.interestIndex = m.st.BorrowIndex
	return nil
}

// LiquidationResult is the outcome of LiquidateBorrow.
type LiquidationResult struct {
	// Repaid is the borrow repaid by the liquidator, in the borrowed
	// market's underlying.
	Repaid uint256.Int
	// SeizeTokens is the collateral cTokens taken from the borrower;
	// LiquidatorTokens of them go to the liquidator and ProtocolTokens are
	// burned, their underlying value ProtocolAmount added to the collateral
	// market's reserves.
	SeizeTokens      uint256.Int
	LiquidatorTokens uint256.Int
	ProtocolTokens   uint256.Int
	ProtocolAmount   uint256.Int
}

// LiquidateBorrow accrues the borrowed and collateral markets to block and
// has liquidator repay repayAmount of borrower's borrow in market borrowed
// for cTokens of market collateral (liquidateBorrowFresh and seize). The
// borrower must have a shortfall and repayAmount must not exceed
// ⌊closeFactor·borrowBalance/1e18⌋, except in a deprecated market (collateral
// factor 0, borrowing paused, reserve factor 100%), where anything up to the
// whole borrow may be repaid. The seized cTokens are
// LiquidateCalculateSeizeTokens of the amount repaid; ⌊2.8%⌋ of them go to
// reserves at the stored exchange rate and the rest to the liquidator. It
// reverts when the borrower has too few cTokens to seize.
func (c *Comptroller) LiquidateBorrow(block uint64, borrowed, collateral, liquidator, borrower int, repayAmount *uint256.Int) (res LiquidationResult, err error) {
	if !c.listed(borrowed) || !c.listed(collateral) {
		return res, errNotListed
	}
	bi, err := c.accountIndex(borrower)
	if err != nil {
		return res, err
	}
	li, err := c.accountIndex(liquidator)
	if err != nil {
		return res, err
	}
	ba, la := &c.accounts[bi], &c.accounts[li]
	mb, mc := &c.markets[borrowed], &c.markets[collateral]
	pb, pc, lc := &ba.pos[borrowed], &ba.pos[collateral], &la.pos[collateral]
	savedB, savedC := mb.st, mc.st
	savedPB, savedPC, savedLC := *pb, *pc, *lc
	defer func() {
		if err != nil {
			*lc, *pc, *pb = savedLC, savedPC, savedPB
			mc.st, mb.st = savedC, savedB
			res = LiquidationResult{}
		}
	}()
	if err = mb.accrueInterest(block); err != nil {
		return res, err
	}
	if err = mc.accrueInterest(block); err != nil {
		return res, err
	}

	// liquidateBorrowAllowed
	var balance uint256.Int
	if err = mb.borrowBalance(&balance, pb); err != nil {
		return res, err
	}
	if mb.deprecated() {
		if balance.Lt(repayAmount) {
			return res, errRepayDeprecated
		}
	} else {
		var liquidity, shortfall, maxClose uint256.Int
		code, err := c.hypothetical(ba, -1, &zero, &zero, &liquidity, &shortfall)
		if err != nil {
			return res, err
		}
		if code != noError {
			return res, rejected(actLiquidate, code)
		}
		if shortfall.IsZero() {
			return res, rejected(actLiquidate, insufficientShortfall)
		}
		if !mulExp(&maxClose, &c.closeFactor, &balance) {
			return res, errOverflow
		}
		if repayAmount.Gt(&maxClose) {
			return res, rejected(actLiquidate, tooMuchRepay)
		}
	}
	if borrower == liquidator {
		return res, errLiquidatorBorrower
	}
	if repayAmount.IsZero() {
		return res, errCloseZero
	}
	if repayAmount.Eq(&maxU256) {
		return res, errCloseMax
	}
	if err = mb.repayFresh(pb, repayAmount, &res.Repaid); err != nil {
		return res, err
	}
	code, err := c.seizeTokens(&res.SeizeTokens, borrowed, collateral, &res.Repaid)
	if err != nil {
		return res, err
	}
	if code != noError {
		return res, errSeizeCalc
	}
	if pc.tokens.Lt(&res.SeizeTokens) {
		return res, errSeizeTooMuch
	}

	// seizeInternal
	if !mulExp(&res.ProtocolTokens, &res.SeizeTokens, &protocolSeizeShare) {
		return res, errOverflow
	}
	res.LiquidatorTokens.Sub(&res.SeizeTokens, &res.ProtocolTokens)
	var rate uint256.Int
	if err = mc.exchangeRate(&rate); err != nil {
		return res, err
	}
	if !mulExp(&res.ProtocolAmount, &rate, &res.ProtocolTokens) {
		return res, errOverflow
	}
	if _, o := mc.st.TotalReserves.AddOverflow(&mc.st.TotalReserves, &res.ProtocolAmount); o {
		return res, errOverflow
	}
	if _, o := mc.st.TotalSupply.SubOverflow(&mc.st.TotalSupply, &res.ProtocolTokens); o {
		return res, errOverflow
	}
	pc.tokens.Sub(&pc.tokens, &res.SeizeTokens)
	if _, o := lc.tokens.AddOverflow(&lc.tokens, &res.LiquidatorTokens); o {
		return res, errOverflow
	}
	return res, nil
}

// deprecated reports isDeprecated: collateral factor zero, borrowing
// paused and a 100% reserve factor.
func (m *market) deprecated() bool {
	return m.cfg.CollateralFactor.IsZero() && m.cfg.BorrowPaused && m.cfg.ReserveFactor.CmpUint64(ReserveFactorMaxMantissa) == 0
}
