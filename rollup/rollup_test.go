package rollup

import (
	"math"
	"math/rand/v2"
	"testing"
)

const gwei25 = 25_000_000_000 // 25 gwei in wei per gas

// opStack is the OP Stack chain at 25 gwei: deployment 1 ETH
// (40M gas), posting 0.5 ETH/day (20M gas), 7.5e-5 ETH of data per
// transaction (3,000 gas), a flat fee of 8.5e-5 ETH: 1e-5 ETH over cost.
func opStack() Config {
	return Config{DeployGas: 40_000_000, PostingGas: 20_000_000, TxGas: 3_000, DataCost: PPM, Price: 85_000}
}

func TestCost(t *testing.T) {
	for _, tc := range []struct {
		gas, ppm, wei uint64
		want          Gwei
	}{
		{40_000_000, PPM, gwei25, GweiPerETH}, // 1 ETH deployment
		{20_000_000, PPM, gwei25, GweiPerETH / 2},
		{3_000, PPM, gwei25, 75_000},
		{3_000, PPM / 10, gwei25, 7_500},
		{1, PPM, 1, 1},                   // 10⁻⁹ gwei rounds up to 1
		{1, 1, 1_000_000_000, 1},         // 10⁻⁶ gwei rounds up
		{0, PPM, gwei25, 0},              //
		{7, PPM, 999_999_999, 7},         // 6.999999993 gwei
		{1 << 60, PPM, 1, math.MaxInt64}, // saturates
	} {
		if got := Cost(tc.gas, tc.ppm, tc.wei); got != tc.want {
			t.Errorf("Cost(%d, %d, %d) = %d, want %d", tc.gas, tc.ppm, tc.wei, got, tc.want)
		}
	}
}

// The closed form fixed / (price − variable) is the throughput at which
// the ledger's period profit turns from negative to zero.
func TestBreakEvenClosedForm(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		want float64
	}{
		{"issue", func(*Config) {}, 50_000},
		{"data cut ×10", func(c *Config) { c.DataCost = PPM / 10 }, 50_000_000.0 / 77_500},
		{"operations", func(c *Config) { c.Operations = 100_000_000 }, 60_000},
		{"markup", func(c *Config) { c.Price, c.Markup = 0, 10_000 }, 50_000},
		{"markup, data cut", func(c *Config) { c.Price, c.Markup, c.DataCost = 0, 10_000, PPM/10 }, 5_000},
		{"service share 10%", func(c *Config) { c.ServiceShare = 1_000 }, 500_000_000.0 / (76_500 - 75_000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := opStack()
			tc.cfg(&c)
			got := c.BreakEvenTxs(gwei25, 0)
			if math.Abs(got-tc.want) > 1e-9*tc.want {
				t.Fatalf("closed form %v, want %v", got, tc.want)
			}
			n := bruteBreakEven(t, c, 0)
			if math.Abs(float64(n)-math.Ceil(got)) > 1 {
				t.Fatalf("ledger breaks even at %d transactions, closed form %v", n, got)
			}
		})
	}
}

// With the framework's max(2.5% of revenue, 15% of profit) the P&L is the
// smaller of two lines; the closed form is the larger root.
func TestBreakEvenFramework(t *testing.T) {
	for _, fee := range []Gwei{0, 50_000_000} {
		for _, markup := range []Gwei{10_000, 40_000} {
			c := opStack()
			c.Price, c.Markup, c.FrameworkRevenue, c.FrameworkProfit = 0, markup, 250, 1_500
			got := c.BreakEvenTxs(gwei25, fee)
			n := bruteBreakEven(t, c, fee)
			if math.Abs(float64(n)-math.Ceil(got)) > 1 {
				t.Fatalf("fee %d markup %d: ledger %d, closed form %v", fee, markup, n, got)
			}
		}
	}
}

// bruteBreakEven finds, by bisection on whole periods of the ledger, the
// fewest transactions for which a period's settled profit is ≥ 0.
func bruteBreakEven(t *testing.T, c Config, fee Gwei) int64 {
	t.Helper()
	profit := func(n int64) Gwei {
		ch, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Deploy(gwei25); err != nil {
			t.Fatal(err)
		}
		before := ch.Balance
		if err := ch.Open(gwei25, fee); err != nil {
			t.Fatal(err)
		}
		if err := ch.Transact(n); err != nil {
			t.Fatal(err)
		}
		ch.Close()
		if err := ch.Check(); err != nil {
			t.Fatal(err)
		}
		return ch.Balance - before
	}
	lo, hi := int64(0), int64(1)
	for profit(hi) < 0 {
		lo, hi = hi, hi*2
		if hi > 1<<40 {
			t.Fatal("never breaks even")
		}
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if profit(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// The chain at 60,000 transactions a day earns 0.6 ETH of margin
// against 0.5 ETH of posting: its 1 ETH deployment is recovered in 10 days.
func TestDaysToBreakEven(t *testing.T) {
	ch, _ := New(opStack())
	if err := ch.Deploy(gwei25); err != nil {
		t.Fatal(err)
	}
	for d := 1; d <= 120; d++ {
		if err := ch.Open(gwei25, 0); err != nil {
			t.Fatal(err)
		}
		if err := ch.Transact(60_000); err != nil {
			t.Fatal(err)
		}
	}
	ch.Close()
	if ch.BreakEven != 10 {
		t.Fatalf("broke even in period %d, want 10", ch.BreakEven)
	}
	if ch.Balance != 11*GweiPerETH {
		t.Fatalf("balance %d gwei after 120 days, want 11 ETH", ch.Balance)
	}
}

// The ledger identity holds after every call of a random sequence, and
// the service share charged transaction by transaction equals the share
// of the period's revenue.
func TestLedgerIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := opStack()
	c.Price, c.Markup, c.ServiceShare, c.FrameworkRevenue, c.FrameworkProfit, c.Operations = 0, 7_777, 333, 250, 1_500, 12_345
	ch, _ := New(c)
	if err := ch.Deploy(gwei25); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		gas := uint64(1e9 + rng.Float64()*200e9)
		before := ch.Service
		if err := ch.Open(gas, Gwei(rng.IntN(1_000_000))); err != nil {
			t.Fatal(err)
		}
		fee := ch.Service - before
		var rev Gwei
		for range rng.IntN(5) {
			n := int64(rng.IntN(100_000))
			rev += n * ch.PriceNow()
			if err := ch.Transact(n); err != nil {
				t.Fatal(err)
			}
			if err := ch.Check(); err != nil {
				t.Fatal(err)
			}
		}
		if got := ch.Service - before - fee; got != share(rev, c.ServiceShare) {
			t.Fatalf("service share %d, want %d of %d", got, share(rev, c.ServiceShare), rev)
		}
		settled := ch.Settled()
		ch.Close()
		if ch.Balance != settled {
			t.Fatalf("settled %d, closed %d", settled, ch.Balance)
		}
		if err := ch.Check(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []func(*Config){
		func(c *Config) { c.Markup = 1 },
		func(c *Config) { c.DataCost = 0 },
		func(c *Config) { c.Price = -1 },
		func(c *Config) { c.ServiceShare, c.FrameworkRevenue = 9_000, 2_000 },
		func(c *Config) { c.FrameworkProfit = 10_001 },
	} {
		c := opStack()
		tc(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	ch, _ := New(opStack())
	if ch.Open(gwei25, 0) == nil || ch.Transact(1) == nil {
		t.Fatal("an undeployed chain opened a period")
	}
}

// BreakEvenTxs is finite exactly when UnitMargin is positive: with the
// framework's 2.5% of revenue on a pass-through price, gas high enough
// that 2.5% of the fee exceeds the 1e-5 ETH markup leaves no break-even.
func TestUnitMargin(t *testing.T) {
	c := opStack()
	c.Price, c.Markup, c.FrameworkRevenue, c.FrameworkProfit = 0, 10_000, 250, 1_500
	for _, gwei := range []uint64{1, 25, 100, 150, 200, 1000} {
		wei := gwei * 1_000_000_000
		m, n := c.UnitMargin(wei), c.BreakEvenTxs(wei, 0)
		if (m > 0) != !math.IsInf(n, 1) {
			t.Fatalf("%d gwei: margin %v, break-even %v", gwei, m, n)
		}
	}
	// At 25 gwei: p = 85,000, v = 75,000: min(85,000·0.975 − 75,000,
	// 85,000·0.85 − 75,000·0.85) = min(7,875, 8,500).
	if got := c.UnitMargin(gwei25); !near(got, 7_875) {
		t.Fatalf("margin %v, want 7875", got)
	}
	// p·0.025 = 10,000 at p = 400,000: v = 390,000, 130 gwei.
	if c.UnitMargin(130_000_000_000) > 1e-6 || c.UnitMargin(129_000_000_000) <= 0 {
		t.Fatal("the margin does not vanish at 130 gwei")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
