package agent

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/lending"
	"github.com/cascade-risk/cascade/lending/aave"
	"github.com/cascade-risk/cascade/lending/compound"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

func mustAmount(f float64) uint256.Int { return cfmm.Amount(f) }

// rayOf returns f as a ray, for round fractions.
func rayOf(f float64) uint256.Int {
	z := uint256.NewInt(uint64(math.Round(f * 1e9)))
	return *z.Mul(z, uint256.NewInt(1e18))
}

func mant(f float64) uint256.Int {
	z := uint256.NewInt(uint64(math.Round(f * 1e9)))
	return *z.Mul(z, uint256.NewInt(1e9))
}

// testPool returns an ETH (reserve 0) / USDC (reserve 1) lending pool of
// the given protocol, with 50 million USDC deposited by the lenders and
// prices from the external market.
func testPool(t *testing.T, kind string) *protocol.LendingPool {
	t.Helper()
	var mk lending.Market
	switch kind {
	case "aave":
		p := aave.NewPool()
		s := aave.RateStrategy{OptimalUsageRatio: rayOf(0.8), VariableRateSlope1: rayOf(0.04), VariableRateSlope2: rayOf(0.75)}
		for _, cfg := range []aave.ReserveConfig{
			{Decimals: 18, LTV: 8000, LiquidationThreshold: 8250, LiquidationBonus: 10500, LiquidationProtocolFee: 1000, Strategy: s},
			{Decimals: 6, LTV: 8000, LiquidationThreshold: 8500, LiquidationBonus: 10450, ReserveFactor: 1000, BorrowingEnabled: true, Strategy: s},
		} {
			if _, err := p.AddReserve(cfg); err != nil {
				t.Fatal(err)
			}
		}
		mk = aave.Market{Pool: p}
	case "compound":
		cf, inc := mant(0.5), mant(1.08)
		c := compound.NewComptroller(&cf, &inc)
		b, mul, jump, kink := mant(0.02), mant(0.1), mant(1), mant(0.8)
		model := compound.NewJumpRateModel(&b, &mul, &jump, &kink)
		for _, cfg := range []compound.MarketConfig{
			{Model: model, CollateralFactor: mant(0.75), InitialExchangeRate: *uint256.MustFromDecimal("200000000000000000000000000"), BorrowPaused: true},
			{Model: model, CollateralFactor: mant(0.75), ReserveFactor: mant(0.1), InitialExchangeRate: *uint256.NewInt(2e14)},
		} {
			if _, err := c.AddMarket(cfg, 1000); err != nil {
				t.Fatal(err)
			}
		}
		mk = compound.Market{Comptroller: c}
	}
	return &protocol.LendingPool{Market: mk, Names: []string{"ETH", "USDC"}, Assets: []int{0, 1}, Feeds: []int{-1, -1},
		Decimals: []int{18, 6}, Deposits: []uint256.Int{{}, mustAmount(50e12)}, Borrowable: []bool{false, true},
		Start: 1000, TickSeconds: map[string]float64{"aave": 1, "compound": 15}[kind]}
}

// world is a minimal stand-in for the world's step loop.
type world struct {
	m      *market.Market
	agents []market.Agent
}

func newWorld(t *testing.T, m *market.Market, protocols []market.Protocol, agents ...market.Agent) *world {
	m.Protocols = protocols
	for _, p := range protocols {
		p.Reset(m)
	}
	for k, a := range agents {
		a.Reset(m, rand.New(rand.NewPCG(1, uint64(k))))
	}
	return &world{m: m, agents: agents}
}

// step moves asset 0 to price and runs one step, checking every protocol.
func (w *world) step(t *testing.T, price float64) {
	t.Helper()
	m := w.m
	copy(m.PrevPrices, m.Prices)
	m.Prices[0] = price
	m.Step++
	for _, p := range m.Protocols {
		if err := p.Step(m); err != nil {
			t.Fatalf("step %d: %v", m.Step, err)
		}
	}
	for _, a := range w.agents {
		a.Act(m)
	}
	for _, p := range m.Protocols {
		if err := p.Check(); err != nil {
			t.Fatalf("step %d: check: %v", m.Step, err)
		}
	}
}

func observe(x interface {
	Observe(*market.Market, []float64)
}, m *market.Market, n int) []float64 {
	dst := make([]float64, n)
	x.Observe(m, dst)
	return dst
}

// Borrowers open positions at their targets, a falling price makes some
// liquidatable, and the liquidator liquidates them and sells the
// collateral on the venue; the books balance after every step, for both
// protocols.
func TestLendingPoolLiquidations(t *testing.T) {
	for _, kind := range []string{"aave", "compound"} {
		t.Run(kind, func(t *testing.T) {
			m := testMarket(t, 2000, 30)
			m.StepSeconds = 600
			pool := testPool(t, kind)
			b := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 30, Deposit: 10, HealthLo: 1.05, HealthHi: 1.5, LoopVenue: -1, Venue: -1}
			l := &Liquidator{Pool: 0, Collateral: 0, Debt: 1, Venue: 0, Capital: 1e6, Gas: Gas{Signal: -1, Asset: -1}}
			w := newWorld(t, m, []market.Protocol{pool}, b, l)
			bb := observe(b, m, len(b.Metrics()))
			if bb[0] <= 0 {
				t.Fatalf("no debt opened: %v", bb)
			}
			for k := range 12 {
				w.step(t, 2000*(1-0.02*float64(k+1)))
			}
			pm := observe(pool, m, len(pool.Metrics()))
			lm := observe(l, m, 7)
			t.Logf("%s: pool %v; liquidator %v", kind, pm, lm)
			if pm[2] == 0 || pm[2] != lm[2] {
				t.Errorf("pool counted %v liquidations, liquidator %v", pm[2], lm[2])
			}
			if pm[0] != 0 {
				t.Errorf("bad debt %v after a gradual 24%% fall", pm[0])
			}
			if lm[0] <= 0 {
				t.Errorf("liquidator profit %v", lm[0])
			}
			for _, u := range pool.Debtors() {
				if v := pool.Account(u); v.Liquidatable {
					t.Errorf("user %d still liquidatable: %+v", u, v)
				}
			}
		})
	}
}

// A liquidator acts Latency steps after it sees a position, never without
// capital, and never while gas is above its maximum.
func TestLiquidatorConstraints(t *testing.T) {
	run := func(l *Liquidator, gas []float64) (first int, lm []float64) {
		m := testMarket(t, 2000, 30)
		m.StepSeconds = 600
		m.Signals = []float64{0}
		pool := testPool(t, "aave")
		b := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 1, Deposit: 10, HealthLo: 1.1, HealthHi: 1.1, LoopVenue: -1, Venue: -1}
		w := newWorld(t, m, []market.Protocol{pool}, b, l)
		for k := range 6 {
			m.Signals[0] = gas[k]
			w.step(t, 1700)
			if first == 0 && observe(pool, m, len(pool.Metrics()))[2] > 0 {
				first = m.Step
			}
		}
		return first, observe(l, m, 7)
	}
	low := []float64{10, 10, 10, 10, 10, 10}
	gas := Gas{Signal: 0, Units: 300_000, Asset: 0, MaxPrice: 100}
	if first, _ := run(&Liquidator{Pool: 0, Debt: 1, Venue: 0, Capital: 1e6, Gas: gas}, low); first != 1 {
		t.Errorf("no latency: first liquidation at step %d, want 1", first)
	}
	if first, _ := run(&Liquidator{Pool: 0, Debt: 1, Venue: 0, Capital: 1e6, Gas: gas, Latency: 2}, low); first != 3 {
		t.Errorf("latency 2: first liquidation at step %d, want 3", first)
	}
	if first, lm := run(&Liquidator{Pool: 0, Debt: 1, Venue: 0, Capital: 0, Gas: gas}, low); first != 0 || lm[5] == 0 {
		t.Errorf("no capital: liquidated at step %d, no_capital %v", first, lm[5])
	}
	spike := []float64{150, 150, 150, 90, 90, 90}
	if first, lm := run(&Liquidator{Pool: 0, Debt: 1, Venue: 0, Capital: 1e6, Gas: gas}, spike); first != 4 || lm[6] != 3 {
		t.Errorf("gas spike: first liquidation at step %d, %v blocked steps; want 4 and 3", first, lm[6])
	}
}

// Looping stakes each loan back into collateral: the position's health
// reaches its target with far more collateral than it deposited.
func TestBorrowersLoop(t *testing.T) {
	m := testMarket(t, 2000, 30)
	pool := testPool(t, "aave")
	// Here the "staking token" is ETH and the native token USDC; the loop
	// converts at the external price ratio.
	b := &Borrowers{Pool: 0, Collateral: 0, Debt: 1, Count: 1, Deposit: 10, HealthLo: 1.25, HealthHi: 1.25, Loops: 5, LoopVenue: -1, Venue: -1}
	newWorld(t, m, []market.Protocol{pool}, b)
	u := b.users[0]
	v := pool.Account(u)
	// Each round borrows to health h against the collateral so far and
	// stakes the loan: with q = LT/h = 0.825/1.25 = 0.66 the collateral
	// grows to (1 + q + … + q⁵)·deposit and the debt to (q + … + q⁵)·deposit,
	// so the health ends at LT·(Σqᵏ)/(Σqᵏ − 1), above h by the last loan's
	// stake.
	q, lev := 0.66, 0.0
	for k := range 6 {
		lev += math.Pow(q, float64(k))
	}
	if got := v.Collateral / 20000; math.Abs(got/lev-1) > 1e-4 {
		t.Errorf("leverage %.5f, want %.5f", got, lev)
	}
	if h, want := v.Health(), 0.825*lev/(lev-1); math.Abs(h/want-1) > 1e-4 {
		t.Errorf("health %.5f, want %.5f", h, want)
	}
	if err := pool.Check(); err != nil {
		t.Fatal(err)
	}
}
