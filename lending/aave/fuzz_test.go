package aave

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// byteSource turns fuzz input into choices; exhausted input reads as zeros.
type byteSource []byte

func (s *byteSource) byte() byte {
	if len(*s) == 0 {
		return 0
	}
	b := (*s)[0]
	*s = (*s)[1:]
	return b
}

func (s *byteSource) uint64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = s.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

// amount favours the edges: zero, one, 2^256−1, 2^128, or a random value
// shifted to any magnitude.
func (s *byteSource) amount() *uint256.Int {
	switch s.byte() % 6 {
	case 0:
		return new(uint256.Int)
	case 1:
		return uint256.NewInt(1)
	case 2:
		return new(uint256.Int).SetAllOne()
	case 3:
		return new(uint256.Int).Lsh(uint256.NewInt(1), 128)
	default:
		z := uint256.NewInt(s.uint64())
		return z.Lsh(z, uint(s.byte()))
	}
}

// FuzzPool runs arbitrary operation sequences with extreme amounts, prices
// and times and checks that nothing panics, that every error is a revert
// (or the negative-user argument error) leaving the reserves unchanged, and
// that scaled totals stay the sums of the balances.
func FuzzPool(f *testing.F) {
	f.Add([]byte{0, 4, 200, 1, 0, 0, 2, 5, 9, 3, 1, 7})
	f.Add([]byte("supply borrow repay withdraw liquidate price time"))
	f.Add([]byte{6, 2, 0, 7, 1, 1, 0, 2, 4, 4, 4, 4, 4, 4, 4, 4, 30, 3, 1, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		src := byteSource(data)
		p := newTestPool(t)
		now := uint64(t0)
		for steps := 0; len(src) > 0 && steps < 64; steps++ {
			op, asset, user := src.byte()%9, int(src.byte()%3), int(src.byte()%4)-1
			before := p.Clone()
			var err error
			switch op {
			case 0:
				err = p.Supply(now, asset, user, src.amount())
			case 1:
				_, err = p.Withdraw(now, asset, user, src.amount())
			case 2:
				err = p.Borrow(now, asset, user, src.amount())
			case 3:
				_, err = p.Repay(now, asset, user, src.amount())
			case 4:
				_, err = p.LiquidationCall(now, asset, int(src.byte()%2), user, int(src.byte()%3), src.amount(), src.byte()%2 == 0)
			case 5:
				err = p.SetUseAsCollateral(now, asset, user, src.byte()%2 == 0)
			case 6:
				err = p.SetPrice(asset, src.amount())
			case 7:
				now += src.uint64() % (1 << 32)
			case 8:
				_, err = p.MintToTreasury(now, asset)
			}
			if err != nil {
				if !lending.IsRevert(err) && err != errUser {
					t.Fatalf("op %d: unexpected error %v", op, err)
				}
				if op != 6 && !reflect.DeepEqual(p.reserves, before.reserves) {
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
