package aave

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending/lendingtest"
)

// A pool that defers its rates (reserve.updateInterestRates, settle)
// behaves exactly as one computing them at every operation: the same
// errors, balances, valuations and reserve states, through random
// operations with everyday and extreme amounts, time passing, price moves,
// liquidations, treasury mints and reconfigurations to rates too large to
// defer.
func TestDeferredRatesMatchEager(t *testing.T) {
	deferred, ops := 0, 0
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 3))
		data := make([]byte, 2000)
		for k := range data {
			data[k] = byte(rng.Uint32())
		}
		msg, n, m := compareDeferred(t, data, rng.IntN(4) == 0)
		if msg != "" {
			t.Fatalf("seed %d: %s", seed, msg)
		}
		deferred, ops = deferred+n, ops+m
	}
	if deferred < ops/10 {
		t.Errorf("rates deferred after %d of %d operations: the test hardly exercises deferral", deferred, ops)
	}
	t.Logf("rates deferred after %d of %d operations", deferred, ops)
}

// FuzzDeferredRates is TestDeferredRatesMatchEager on fuzz input.
func FuzzDeferredRates(f *testing.F) {
	f.Add([]byte{0, 4, 200, 1, 0, 0, 2, 5, 9, 3, 1, 7}, false)
	f.Add([]byte("supply borrow repay withdraw liquidate price time"), true)
	f.Fuzz(func(t *testing.T, data []byte, extreme bool) {
		if msg, _, _ := compareDeferred(t, data, extreme); msg != "" {
			t.Fatal(msg)
		}
	})
}

// compareDeferred runs the operations data encodes on a deferring pool
// and an eager one and returns how they first differ, or "", with the
// number of operations after which a rate was deferred, and of operations.
func compareDeferred(t *testing.T, data []byte, extreme bool) (string, int, int) {
	src := lendingtest.Source(data)
	lazy, eager := newTestPool(t), newTestPool(t)
	untame := func(p *Pool) {
		for i := range p.reserves {
			p.reserves[i].tame = false
		}
	}
	untame(eager)
	now := uint64(t0)
	deferred := 0
	amount := func() *uint256.Int {
		if extreme || src.Byte()%4 == 0 {
			return src.Amount()
		}
		z := uint256.NewInt(src.Uint64() >> (src.Byte() % 64))
		return z.Mul(z, uint256.NewInt([]uint64{1, 1e6, 1e12}[src.Byte()%3]))
	}
	step := 0
	for ; len(src) > 0 && step < 200; step++ {
		op, asset, user := src.Byte()%11, int(src.Byte()%3), int(src.Byte()%5)
		var errs [2]error
		var outs [2]string
		a, b, c, d := amount(), src.Byte(), src.Byte(), src.Uint64()
		for k, p := range []*Pool{lazy, eager} {
			var out any
			var err error
			switch op {
			case 0, 9:
				err = p.Supply(now, asset, user, a)
			case 1:
				out, err = p.Withdraw(now, asset, user, a)
			case 2, 10:
				err = p.Borrow(now, asset, user, a)
			case 3:
				out, err = p.Repay(now, asset, user, a)
			case 4:
				out, err = p.LiquidationCall(now, asset, int(b%2), user, int(c%5), a, b&2 == 0)
			case 5:
				err = p.SetUseAsCollateral(now, asset, user, b%2 == 0)
			case 6:
				price := uint256.NewInt(1 + d%(4000e8))
				err = p.SetPrice(asset, price)
			case 7:
				if k == 0 {
					now += []uint64{1, 600, 86400, d % (1 << 32)}[b%4]
				}
			case 8:
				if b%3 == 0 {
					cfg := p.ReserveConfig(asset)
					if c%2 == 0 {
						cfg.Strategy.VariableRateSlope2.Lsh(uint256.NewInt(1), 110) // too large to defer
					} else {
						cfg.Strategy.VariableRateSlope2 = rayPct(uint64(c) * 10)
					}
					err = p.SetReserveConfig(asset, cfg)
					if k == 1 {
						untame(p)
					}
				} else {
					out, err = p.MintToTreasury(now, asset)
				}
			}
			errs[k], outs[k] = err, fmt.Sprint(out)
		}
		if fmt.Sprint(errs[0]) != fmt.Sprint(errs[1]) || outs[0] != outs[1] {
			return fmt.Sprintf("step %d op %d: %v %s, eager %v %s", step, op, errs[0], outs[0], errs[1], outs[1]), 0, 0
		}
		for i := range lazy.reserves {
			if lazy.reserves[i].st.pending {
				deferred++
				break
			}
		}
		for u := range 5 {
			x, errx := lazy.UserAccountData(now, u)
			y, erry := eager.UserAccountData(now, u)
			if x != y || fmt.Sprint(errx) != fmt.Sprint(erry) {
				return fmt.Sprintf("step %d op %d: user %d valued %+v %v, eager %+v %v", step, op, u, x, errx, y, erry), 0, 0
			}
		}
		if src.Byte()%8 == 0 || len(src) == 0 {
			for i := range lazy.reserves {
				if x, y := lazy.Reserve(i), eager.Reserve(i); x != y {
					return fmt.Sprintf("step %d op %d: reserve %d %+v, eager %+v", step, op, i, x, y), 0, 0
				}
			}
		}
	}
	return "", deferred, step
}
