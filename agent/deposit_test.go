package agent

import (
	"testing"

	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/holiman/uint256"
)

// fakeDeposit is a Depositary whose rate the test sets, paying shares one
// for one, refusing withdrawals while illiquid.
type fakeDeposit struct {
	rate     float64
	illiquid int // refuse this many withdrawals
	opened   uint64
	taken    uint64
}

func (f *fakeDeposit) Reset(*market.Market)              {}
func (f *fakeDeposit) Step(*market.Market) error         { return nil }
func (f *fakeDeposit) Check() error                      { return nil }
func (f *fakeDeposit) Metrics() []metric.Def             { return nil }
func (f *fakeDeposit) Observe(*market.Market, []float64) {}
func (f *fakeDeposit) Rate() float64                     { return f.rate }
func (f *fakeDeposit) Open(amount uint64) uint64         { f.opened += amount; return amount }
func (f *fakeDeposit) Take(shares uint64) (uint64, bool) {
	if f.illiquid > 0 {
		f.illiquid--
		return 0, false
	}
	f.taken += shares
	return shares, true
}

// pairVenue returns a 0.3%-fee constant-product venue of assets a and b
// with the given whole-token reserves (6 decimals each).
func pairVenue(t *testing.T, a, b int, ra, rb float64) *market.Venue {
	t.Helper()
	pair, err := uniswapv2.NewPair(30, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pair.Mint(uint256.NewInt(uint64(ra*1e6)), uint256.NewInt(uint64(rb*1e6))); err != nil {
		t.Fatal(err)
	}
	return market.NewVenue("pair", pair, []int{a, b})
}

// Depositors keep their coins in the deposit protocol while it pays what
// they require; when the rate falls they withdraw (retrying a refused
// withdrawal the next step) and exit by the better of selling on the
// stablecoin pool and redeeming for LUNA: first selling, then, once their
// sales have pushed the pool below what redemption fetches, redeeming.
func TestDepositorsWithdrawAndExit(t *testing.T) {
	m, tm := testTerra(t)
	m.Venues = []*market.Venue{pairVenue(t, 0, 2, 50e6, 50e6)}
	tm.Peg.Source = protocol.PriceSource{Asset: 0, Venue: 0}
	if !tm.Peg.Source.Bind([]int{0, 2}) {
		t.Fatal("bind")
	}
	dep := &fakeDeposit{rate: 0.195, illiquid: 1}
	h := &StableHolders{Market: 0, Yield: -1, Venue: -1, SellVenue: 0, Deposit: 1, Count: 10, Holdings: 200e6,
		DepegLo: 0.5, DepegHi: 0.6, YieldLo: 0.10, YieldHi: 0.15, Rounds: 4}
	w := newWorld(t, m, []market.Protocol{tm, dep}, h)
	metrics := func() map[string]float64 {
		out := map[string]float64{}
		for k, v := range observe(h, m, len(h.Metrics())) {
			out[h.Metrics()[k].Name] = v
		}
		return out
	}
	w.step(t, 1)
	if got := metrics(); got["runners"] != 0 || got["held"] != 0 || dep.opened != 200e12 {
		t.Fatalf("at 19.5%%: %v, deposited %d", got, dep.opened)
	}
	dep.rate = 0.05
	w.step(t, 1) // everyone runs; the first withdrawal is refused
	first := metrics()
	if first["runners"] != 10 || first["withdrawn"] != 180e6 {
		t.Fatalf("after the cut: %v", first)
	}
	w.step(t, 1)
	got := metrics()
	if got["withdrawn"] != 200e6 || dep.taken != 200e12 {
		t.Errorf("refused withdrawal not retried: %v", got)
	}
	if got["sold"] <= 0 || got["redeemed"] <= 0 || got["sold"]+got["redeemed"]+got["held"] < 200e6*(1-1e-9) || got["sold"]+got["redeemed"]+got["held"] > 200e6*(1+1e-9) {
		t.Errorf("sold %v + redeemed %v + held %v, want 200e6 with both exits used", got["sold"], got["redeemed"], got["held"])
	}
	if p := tm.Peg.Source.Observe(m); p > 0.995 {
		t.Errorf("pool price %v after the sales, want below redemption's 0.995", p)
	}
}

// The peg arbitrageur buys the coin below the peg, burns it for LUNA and
// sells the LUNA while that pays: the coin's pool price rises towards what
// a redemption fetches, LUNA is minted, and it profits.
func TestPegArbitrageur(t *testing.T) {
	m, tm := testTerra(t)
	m.Venues = []*market.Venue{pairVenue(t, 0, 2, 60e6, 40e6), pairVenue(t, 1, 2, 1e6, 80e6)}
	a := &PegArbitrageur{Market: 0, Pool: 0, LunaVenue: 1, Chunk: 1e5, Margin: 0.001, MaxTrades: 1000}
	w := newWorld(t, m, []market.Protocol{tm}, a)
	src := protocol.PriceSource{Asset: 0, Venue: 0}
	src.Bind([]int{0, 2})
	before := src.Observe(m)
	luna0 := tm.Module().Supply("uluna")
	w.step(t, 1)
	after := src.Observe(m)
	got := observe(a, m, 3)
	luna1 := tm.Module().Supply("uluna")
	t.Logf("pool price %.4f → %.4f; bought %.4g, profit %.4g, %v trades", before, after, got[1], got[0], got[2])
	if !(after > before+0.1) || got[0] <= 0 || got[2] < 1 || !luna0.Lt(&luna1) {
		t.Errorf("price %v → %v, profit %v, trades %v, LUNA %s → %s", before, after, got[0], got[2], luna0.Dec(), luna1.Dec())
	}
	if after > 1 {
		t.Errorf("arbitrage pushed the coin above its peg: %v", after)
	}
}
