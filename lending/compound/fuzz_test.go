package compound

import (
	"reflect"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
	"github.com/cascade-risk/cascade/lending/lendingtest"
)

// FuzzComptroller runs arbitrary operation sequences with extreme amounts,
// prices and blocks and checks that nothing panics, that every error is a
// revert (or the negative-user argument error) leaving the markets
// unchanged, and that each cToken supply stays the sum of the balances.
func FuzzComptroller(f *testing.F) {
	f.Add([]byte{0, 1, 1, 4, 9, 9, 2, 1, 0, 3, 3, 4, 5, 1, 0})
	f.Add([]byte("mint borrow repay redeem liquidate price block"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := lendingtest.Source(data)
		c := newTestComptroller(t)
		block := uint64(b0)
		for steps := 0; len(src) > 0 && steps < 64; steps++ {
			op, market, user := src.Byte()%10, int(src.Byte()%3), int(src.Byte()%4)-1
			before := c.Clone()
			var err error
			switch op {
			case 0:
				_, err = c.Mint(block, market, user, src.Amount())
			case 1:
				_, err = c.Redeem(block, market, user, src.Amount())
			case 2:
				_, err = c.RedeemUnderlying(block, market, user, src.Amount())
			case 3:
				err = c.Borrow(block, market, user, src.Amount())
			case 4:
				_, err = c.RepayBorrow(block, market, user, src.Amount())
			case 5:
				_, err = c.LiquidateBorrow(block, market, int(src.Byte()%2), int(src.Byte()%3), user, src.Amount())
			case 6:
				err = c.SetPrice(market, src.Amount())
			case 7:
				block += src.Uint64() % (1 << 24)
			case 8:
				err = c.EnterMarket(market, user)
			case 9:
				err = c.ExitMarket(market, user)
			}
			if err != nil {
				if !lending.IsRevert(err) && err != errUser {
					t.Fatalf("op %d: unexpected error %v", op, err)
				}
				if !reflect.DeepEqual(c.markets, before.markets) {
					t.Fatalf("op %d failed with %v but changed the markets", op, err)
				}
			}
			for i := range c.markets {
				var tokens uint256.Int
				for k := range c.accounts {
					tokens.Add(&tokens, &c.accounts[k].pos[i].tokens)
				}
				if !tokens.Eq(&c.markets[i].st.TotalSupply) {
					t.Fatalf("op %d: supply diverged in market %d", op, i)
				}
			}
			_, _, _ = c.AccountLiquidity(user)
		}
	})
}
