package compound

import (
	"reflect"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending/lendingtest"

	"github.com/cascade-risk/cascade/lending"
)

const (
	ceth = 0
	cusd = 1
	b0   = 15_000_000
)

func u(x uint64) *uint256.Int { return uint256.NewInt(x) }

var (
	num  = lendingtest.Num
	dec  = lendingtest.Dec
	must = lendingtest.Must
	eq   = lendingtest.Eq
)

func isReason(err error, reason string) bool {
	r, ok := err.(*lending.Revert)
	return ok && r.Reason == reason
}

func ethConfig() MarketConfig {
	return MarketConfig{
		Model:               NewJumpRateModel(u(2e16), u(18e16), u(4e18), u(8e17)),
		ReserveFactor:       *u(2e17),
		CollateralFactor:    *u(75e16),
		InitialExchangeRate: *uint256.MustFromDecimal("200000000000000000000000000"), // 0.02 underlying per cToken, 8 vs 18 decimals
	}
}

func usdConfig() MarketConfig {
	return MarketConfig{
		Model:               NewJumpRateModel(u(0), u(4e16), u(109e16), u(8e17)),
		ReserveFactor:       *u(1e17),
		CollateralFactor:    *u(8e17),
		InitialExchangeRate: *u(2e14), // 0.02, 8 vs 6 decimals
	}
}

// newTestComptroller lists an 18-decimal ETH market at 2000 USD and a
// 6-decimal USD market at 1 USD, with a 50% close factor and an 8%
// incentive.
func newTestComptroller(t testing.TB) *Comptroller {
	t.Helper()
	c := NewComptroller(u(5e17), u(108e16))
	for i, cfg := range []MarketConfig{ethConfig(), usdConfig()} {
		k, err := c.AddMarket(cfg, b0)
		if err != nil || k != i {
			t.Fatalf("AddMarket: %d, %v", k, err)
		}
	}
	must(t, c.SetPrice(ceth, dec(t, "2000000000000000000000")))
	must(t, c.SetPrice(cusd, dec(t, "1000000000000000000000000000000")))
	return c
}

// TestScenario follows deposits, a borrow, 100,000 blocks of interest, a
// price drop, a maximal liquidation, a repayment and a full redemption,
// checking every figure against an independent evaluation of the
// contracts' formulas.
func TestScenario(t *testing.T) {
	c := newTestComptroller(t)
	const alice, bob, carol = 1, 2, 3
	minted, err := c.Mint(b0, cusd, bob, u(100_000e6))
	must(t, err)
	eq(t, "bob's cTokens", minted, "500000000000000")
	must(t, c.EnterMarket(cusd, bob))
	minted, err = c.Mint(b0, ceth, alice, dec(t, "10000000000000000000"))
	must(t, err)
	eq(t, "alice's cTokens", minted, "50000000000")
	if err := c.Borrow(b0, cusd, alice, u(1)); !isReason(err, "BorrowComptrollerRejection: INSUFFICIENT_LIQUIDITY") {
		t.Errorf("borrow without entering the collateral market: %v", err)
	}
	must(t, c.EnterMarket(ceth, alice))
	must(t, c.Borrow(b0, cusd, alice, u(14_000e6)))
	liq, short, err := c.AccountLiquidity(alice)
	must(t, err)
	eq(t, "liquidity", liq, "1000000000000000000000")
	eq(t, "shortfall", short, "0")

	b1 := uint64(b0 + 100_000)
	must(t, c.SetPrice(ceth, dec(t, "1800000000000000000000")))
	must(t, c.AccrueInterest(b1, cusd))
	m := c.Market(cusd)
	eq(t, "total borrows", m.TotalBorrows, "14003729071")
	eq(t, "total reserves", m.TotalReserves, "372907")
	eq(t, "borrow index", m.BorrowIndex, "1000266362252600000")
	debt, err := c.BorrowBalanceStored(cusd, alice)
	must(t, err)
	eq(t, "alice's debt", debt, "14003729071")
	_, short, err = c.AccountLiquidity(alice)
	must(t, err)
	eq(t, "shortfall", short, "503729071000000000000")

	if _, err := c.LiquidateBorrow(b1, cusd, ceth, carol, alice, u(7001864536)); !isReason(err, "LiquidateComptrollerRejection: TOO_MUCH_REPAY") {
		t.Errorf("repaying above the close factor: %v", err)
	}
	res, err := c.LiquidateBorrow(b1, cusd, ceth, carol, alice, u(7001864535))
	must(t, err)
	eq(t, "repaid", res.Repaid, "7001864535")
	eq(t, "seize tokens", res.SeizeTokens, "21005593605")
	eq(t, "protocol tokens", res.ProtocolTokens, "588156620")
	eq(t, "liquidator tokens", res.LiquidatorTokens, "20417436985")
	eq(t, "protocol amount", res.ProtocolAmount, "117631324000000000")
	eq(t, "carol's cTokens", c.Position(ceth, carol).Tokens, "20417436985")
	m = c.Market(ceth)
	eq(t, "eth supply", m.TotalSupply, "49411843380")
	eq(t, "eth reserves", m.TotalReserves, "117631324000000000")
	eq(t, "eth borrow index", m.BorrowIndex, "1000951293759500000")
	rate, err := c.ExchangeRateStored(ceth)
	must(t, err)
	eq(t, "eth exchange rate", rate, "200000000000000000000000000")
	rate, err = c.ExchangeRateStored(cusd)
	must(t, err)
	eq(t, "usd exchange rate", rate, "200006712328000")
	m = c.Market(cusd)
	eq(t, "usd cash", m.Cash, "93001864535")
	eq(t, "usd borrows", m.TotalBorrows, "7001864536")
	liq, short, err = c.AccountLiquidity(alice)
	must(t, err)
	eq(t, "liquidity after", liq, "826625190650000000000")
	eq(t, "shortfall after", short, "0")

	b2 := b1 + 1000
	paid, err := c.RepayBorrow(b2, cusd, alice, &maxU256)
	must(t, err)
	eq(t, "repaid in full", paid, "7001873863")
	out, err := c.Redeem(b2, cusd, bob, dec(t, "500000000000000"))
	must(t, err)
	eq(t, "bob redeems", out, "100003364559")
	m = c.Market(cusd)
	eq(t, "cash left", m.Cash, "373839")
	eq(t, "reserves", m.TotalReserves, "373839")
	eq(t, "supply", m.TotalSupply, "0")
}

// TestReverts checks that each rejected operation returns the contract's
// reason and leaves the Comptroller exactly as it was.
func TestReverts(t *testing.T) {
	const alice, bob, carol = 1, 2, 3
	setup := func(t *testing.T) *Comptroller {
		c := newTestComptroller(t)
		_, err := c.Mint(b0, cusd, bob, u(100_000e6))
		must(t, err)
		_, err = c.Mint(b0, ceth, alice, dec(t, "10000000000000000000"))
		must(t, err)
		must(t, c.EnterMarket(ceth, alice))
		must(t, c.Borrow(b0, cusd, alice, u(10_000e6)))
		return c
	}
	setConfig := func(i int, edit func(*MarketConfig)) func(c *Comptroller) {
		return func(c *Comptroller) {
			cfg := c.MarketConfig(i)
			edit(&cfg)
			must(t, c.SetMarketConfig(b0, i, cfg))
		}
	}
	crash := func(c *Comptroller) { must(t, c.SetPrice(ceth, dec(t, "1000000000000000000000"))) }
	tests := []struct {
		name   string
		prep   func(c *Comptroller)
		op     func(c *Comptroller) error
		reason string
	}{
		{"mint paused", setConfig(cusd, func(m *MarketConfig) { m.MintPaused = true }), func(c *Comptroller) error {
			_, err := c.Mint(b0+1, cusd, bob, u(1))
			return err
		}, "mint is paused"},
		{"borrow paused", setConfig(cusd, func(m *MarketConfig) { m.BorrowPaused = true }), func(c *Comptroller) error {
			return c.Borrow(b0+1, cusd, alice, u(1))
		}, "borrow is paused"},
		{"borrow cap", setConfig(cusd, func(m *MarketConfig) { m.BorrowCap = *u(10_001e6) }), func(c *Comptroller) error {
			return c.Borrow(b0, cusd, alice, u(1e6))
		}, "market borrow cap reached"},
		{"borrow past collateral", nil, func(c *Comptroller) error {
			return c.Borrow(b0+1, cusd, alice, u(5_000e6))
		}, "BorrowComptrollerRejection: INSUFFICIENT_LIQUIDITY"},
		{"borrow without price", func(c *Comptroller) { must(t, c.SetPrice(cusd, &zero)) }, func(c *Comptroller) error {
			return c.Borrow(b0+1, cusd, alice, u(1))
		}, "BorrowComptrollerRejection: PRICE_ERROR"},
		{"borrow more than cash", func(c *Comptroller) {
			_, err := c.Mint(b0, ceth, carol, dec(t, "1000000000000000000000"))
			must(t, err)
			must(t, c.EnterMarket(ceth, carol))
		}, func(c *Comptroller) error {
			return c.Borrow(b0, cusd, carol, u(90_000e6+1))
		}, "BorrowCashNotAvailable"},
		{"redeem breaking liquidity", nil, func(c *Comptroller) error {
			_, err := c.RedeemUnderlying(b0+1, ceth, alice, dec(t, "4000000000000000000"))
			return err
		}, "RedeemComptrollerRejection: INSUFFICIENT_LIQUIDITY"},
		{"redeem more than cash", nil, func(c *Comptroller) error {
			_, err := c.RedeemUnderlying(b0, cusd, bob, u(90_000e6+1))
			return err
		}, "RedeemTransferOutNotPossible"},
		{"redeem more than balance", nil, func(c *Comptroller) error {
			_, err := c.Redeem(b0, ceth, bob, u(1))
			return err
		}, "arithmetic underflow or overflow"},
		{"redeem dust", nil, func(c *Comptroller) error {
			_, err := c.RedeemUnderlying(b0, ceth, alice, u(1)) // 1 wei is 5e-9 cToken units
			return err
		}, "redeemTokens zero"},
		{"repay more than owed", nil, func(c *Comptroller) error {
			_, err := c.RepayBorrow(b0, cusd, alice, u(10_000e6+1))
			return err
		}, "arithmetic underflow or overflow"},
		{"exit with borrow", nil, func(c *Comptroller) error { return c.ExitMarket(cusd, alice) }, "ExitMarket: NONZERO_BORROW_BALANCE"},
		{"exit collateral", nil, func(c *Comptroller) error { return c.ExitMarket(ceth, alice) }, "ExitMarket: REJECTION"},
		{"liquidate healthy", nil, func(c *Comptroller) error {
			_, err := c.LiquidateBorrow(b0, cusd, ceth, bob, alice, u(1))
			return err
		}, "LiquidateComptrollerRejection: INSUFFICIENT_SHORTFALL"},
		{"liquidate self", crash, func(c *Comptroller) error {
			_, err := c.LiquidateBorrow(b0, cusd, ceth, alice, alice, u(1))
			return err
		}, "LiquidateLiquidatorIsBorrower"},
		{"liquidate zero", crash, func(c *Comptroller) error {
			_, err := c.LiquidateBorrow(b0, cusd, ceth, bob, alice, u(0))
			return err
		}, "LiquidateCloseAmountIsZero"},
		{"liquidate too much", crash, func(c *Comptroller) error {
			_, err := c.LiquidateBorrow(b0, cusd, ceth, bob, alice, u(5_000e6+1))
			return err
		}, "LiquidateComptrollerRejection: TOO_MUCH_REPAY"},
		{"liquidate seizing too much", func(c *Comptroller) {
			must(t, c.SetPrice(ceth, dec(t, "500000000000000000000")))
			c.SetCloseFactor(u(1e18))
		}, func(c *Comptroller) error {
			_, err := c.LiquidateBorrow(b0, cusd, ceth, bob, alice, u(5_000e6))
			return err
		}, "LIQUIDATE_SEIZE_TOO_MUCH"},
		{"block backwards", nil, func(c *Comptroller) error {
			_, err := c.Mint(b0-1, cusd, bob, u(1))
			return err
		}, "arithmetic underflow or overflow"},
		{"unlisted", nil, func(c *Comptroller) error {
			_, err := c.Mint(b0, 7, bob, u(1))
			return err
		}, "MARKET_NOT_LISTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := setup(t)
			if tt.prep != nil {
				tt.prep(c)
			}
			before := c.Clone()
			err := tt.op(c)
			if !isReason(err, tt.reason) {
				t.Fatalf("err = %v, want %s", err, tt.reason)
			}
			if !reflect.DeepEqual(c.markets, before.markets) {
				t.Errorf("markets changed:\n%+v\n%+v", before.markets, c.markets)
			}
			for user, k := range before.ids {
				if !reflect.DeepEqual(before.accounts[k], c.accounts[c.ids[user]]) {
					t.Errorf("user %d changed", user)
				}
			}
		})
	}
}

// TestDeprecatedMarket checks that a deprecated market's borrows can be
// repaid by liquidation in full, without a shortfall or the close factor.
func TestDeprecatedMarket(t *testing.T) {
	c := newTestComptroller(t)
	const alice, bob = 1, 2
	_, err := c.Mint(b0, cusd, bob, u(100_000e6))
	must(t, err)
	_, err = c.Mint(b0, ceth, alice, dec(t, "10000000000000000000"))
	must(t, err)
	must(t, c.EnterMarket(ceth, alice))
	must(t, c.Borrow(b0, cusd, alice, u(1_000e6)))
	cfg := c.MarketConfig(cusd)
	cfg.CollateralFactor.Clear()
	cfg.BorrowPaused = true
	cfg.ReserveFactor = expScale
	must(t, c.SetMarketConfig(b0, cusd, cfg))
	if _, err := c.LiquidateBorrow(b0, cusd, ceth, bob, alice, u(1_000e6+1)); !isReason(err, "Can not repay more than the total borrow") {
		t.Errorf("over-repaying a deprecated market: %v", err)
	}
	res, err := c.LiquidateBorrow(b0, cusd, ceth, bob, alice, u(1_000e6))
	must(t, err)
	eq(t, "repaid", res.Repaid, "1000000000")
	if debt, _ := c.BorrowBalanceStored(cusd, alice); !debt.IsZero() {
		t.Errorf("debt left: %s", debt.Dec())
	}
}
