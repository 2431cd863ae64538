package compound

import (
	"testing"
)

// benchComptroller has borrows in both markets, so both accrue interest.
func benchComptroller(b *testing.B) *Comptroller {
	c := newTestComptroller(b)
	for _, step := range []func() error{
		func() error { _, err := c.Mint(b0, cusd, 1, u(1_000_000e6)); return err },
		func() error { _, err := c.Mint(b0, ceth, 1, dec(b, "1000000000000000000000")); return err },
		func() error { _, err := c.Mint(b0, ceth, 2, dec(b, "10000000000000000000")); return err },
		func() error { return c.EnterMarket(ceth, 1) },
		func() error { return c.EnterMarket(ceth, 2) },
		func() error { return c.Borrow(b0, cusd, 2, u(10_000e6)) },
		func() error { return c.Borrow(b0, ceth, 1, dec(b, "100000000000000000000")) },
	} {
		must(b, step())
	}
	return c
}

// BenchmarkAccrueInterest measures one market's accrual over one block:
// utilization, the borrow rate and the index, borrows and reserves update.
func BenchmarkAccrueInterest(b *testing.B) {
	c := benchComptroller(b)
	m := &c.markets[cusd]
	block := uint64(b0)
	b.ReportAllocs()
	for b.Loop() {
		block++
		if err := m.accrueInterest(block); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAccountLiquidity measures the liquidity check of an account in
// two markets (one as collateral, one borrowed).
func BenchmarkAccountLiquidity(b *testing.B) {
	c := benchComptroller(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.AccountLiquidity(2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBorrowRepay measures a borrow (with its liquidity check) and a
// repayment in consecutive blocks.
func BenchmarkBorrowRepay(b *testing.B) {
	c := benchComptroller(b)
	amt := u(100e6)
	block := uint64(b0)
	b.ReportAllocs()
	for b.Loop() {
		block++
		if err := c.Borrow(block, cusd, 2, amt); err != nil {
			b.Fatal(err)
		}
		if _, err := c.RepayBorrow(block, cusd, 2, amt); err != nil {
			b.Fatal(err)
		}
	}
}
