package aave

import (
	"testing"

	"github.com/holiman/uint256"
)

// benchPool has two reserves with borrowers, so that both indexes move.
func benchPool(b *testing.B) *Pool {
	p := newTestPool(b)
	must(b, p.Supply(t0, usdc, 1, u(1_000_000e6)))
	must(b, p.Supply(t0, weth, 1, dec(b, "1000000000000000000000")))
	must(b, p.Supply(t0, weth, 2, dec(b, "10000000000000000000")))
	must(b, p.Supply(t0, usdc, 2, u(5_000e6)))
	must(b, p.Borrow(t0, usdc, 2, u(10_000e6)))
	must(b, p.Borrow(t0, weth, 1, dec(b, "100000000000000000000")))
	return p
}

// BenchmarkUpdateState measures one reserve's interest accrual over a 12 s
// block: linear and compounded interest, both index updates and the
// treasury's share.
func BenchmarkUpdateState(b *testing.B) {
	p := benchPool(b)
	r := &p.reserves[usdc]
	now := uint64(t0)
	b.ReportAllocs()
	for b.Loop() {
		now += 12
		if err := r.updateState(now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHealthFactor measures the health factor of a user with
// collateral in two reserves and debt in one, a block after the last
// update, so every balance is normalized.
func BenchmarkHealthFactor(b *testing.B) {
	p := benchPool(b)
	now := uint64(t0 + 12)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.HealthFactor(now, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSupplyWithdraw measures a supply and a withdrawal a block apart,
// each accruing interest and updating rates.
func BenchmarkSupplyWithdraw(b *testing.B) {
	p := benchPool(b)
	amt := uint256.NewInt(1_000e6)
	now := uint64(t0)
	b.ReportAllocs()
	for b.Loop() {
		now += 12
		if err := p.Supply(now, usdc, 3, amt); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Withdraw(now, usdc, 3, &maxU256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBorrowRepay measures a borrow and a repayment a block apart,
// each with a health-factor check or debt burn and a rate update.
func BenchmarkBorrowRepay(b *testing.B) {
	p := benchPool(b)
	amt := uint256.NewInt(100e6)
	now := uint64(t0)
	b.ReportAllocs()
	for b.Loop() {
		now += 12
		if err := p.Borrow(now, usdc, 2, amt); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Repay(now, usdc, 2, amt); err != nil {
			b.Fatal(err)
		}
	}
}
