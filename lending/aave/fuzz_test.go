package aave

import (
	"reflect"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
	"github.com/cascade-risk/cascade/lending/lendingtest"
)

// FuzzPool runs arbitrary operation sequences with extreme amounts, prices
// and times and checks that nothing panics, that every error is a revert
// (or the negative-user argument error) leaving the reserves unchanged, and
// that scaled totals stay the sums of the balances.
func FuzzPool(f *testing.F) {
	f.Add([]byte{0, 4, 200, 1, 0, 0, 2, 5, 9, 3, 1, 7})
	f.Add([]byte("supply borrow repay withdraw liquidate price time"))
	f.Add([]byte{6, 2, 0, 7, 1, 1, 0, 2, 4, 4, 4, 4, 4, 4, 4, 4, 30, 3, 1, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		src := lendingtest.Source(data)
		p := newTestPool(t)
		now := uint64(t0)
		for steps := 0; len(src) > 0 && steps < 64; steps++ {
			op, asset, user := src.Byte()%9, int(src.Byte()%3), int(src.Byte()%4)-1
			before := p.Clone()
			var err error
			switch op {
			case 0:
				err = p.Supply(now, asset, user, src.Amount())
			case 1:
				_, err = p.Withdraw(now, asset, user, src.Amount())
			case 2:
				err = p.Borrow(now, asset, user, src.Amount())
			case 3:
				_, err = p.Repay(now, asset, user, src.Amount())
			case 4:
				_, err = p.LiquidationCall(now, asset, int(src.Byte()%2), user, int(src.Byte()%3), src.Amount(), src.Byte()%2 == 0)
			case 5:
				err = p.SetUseAsCollateral(now, asset, user, src.Byte()%2 == 0)
			case 6:
				err = p.SetPrice(asset, src.Amount())
			case 7:
				now += src.Uint64() % (1 << 32)
			case 8:
				_, err = p.MintToTreasury(now, asset)
			}
			if err != nil {
				if !lending.IsRevert(err) && err != errUser {
					t.Fatalf("op %d: unexpected error %v", op, err)
				}
				if op != 6 && !reflect.DeepEqual(withoutMemos(p.reserves), withoutMemos(before.reserves)) {
					t.Fatalf("op %d failed with %v but changed the reserves", op, err)
				}
			}
			for i := range p.reserves {
				var supply, debt uint256.Int
				supply.Set(&p.reserves[i].st.TreasuryScaled)
				for k := range p.accounts {
					supply.Add(&supply, &p.accounts[k].pos[i].supply)
					debt.Add(&debt, &p.accounts[k].pos[i].debt)
				}
				if !supply.Eq(&p.reserves[i].st.ScaledSupply) || !debt.Eq(&p.reserves[i].st.ScaledVariableDebt) {
					t.Fatalf("op %d: scaled totals diverged in reserve %d", op, i)
				}
			}
			_, _ = p.UserAccountData(now, user)
		}
	})
}

// withoutMemos returns a copy of rs without the memoized indexes and with
// deferred rates computed, which a failed operation may fill or compute
// without changing the reserves.
func withoutMemos(rs []reserve) []reserve {
	out := append([]reserve(nil), rs...)
	for i := range out {
		out[i].settle()
		out[i].income, out[i].debt = indexMemo{}, indexMemo{}
	}
	return out
}
