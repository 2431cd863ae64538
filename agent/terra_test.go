package agent

import (
	"math"
	"testing"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/terra"
	"github.com/holiman/uint256"
)

// testTerra returns a market of UST (asset 0, the replayed depegging
// coin), LUNA (asset 1, 80) and USD, and a market module with a 50 million
// SDR base pool recovering over 36 blocks, 600 blocks a step.
func testTerra(t *testing.T) (*market.Market, *protocol.TerraMarket) {
	t.Helper()
	mk, err := terra.NewMarket(terra.Params{BasePool: terra.NewDec(50_000_000_000_000), PoolRecoveryPeriod: 36, MinStabilitySpread: terra.NewDecWithPrec(5, 3)})
	if err != nil {
		t.Fatal(err)
	}
	mk.SetSupply(terra.MicroLunaDenom, *uint256.NewInt(350e12))
	mk.SetSupply("uusd", *uint256.NewInt(18e15))
	m := &market.Market{Prices: []float64{1, 80, 1}, PrevPrices: []float64{1, 80, 1}, Unit: []float64{1e-6, 1e-6, 1e-6}, StepSeconds: 3600}
	tm := &protocol.TerraMarket{Market: mk, Luna: 1, Stable: 0, Denom: "uusd", LunaFeed: -1, SDR: 1.36, BlocksPerStep: 600,
		Peg: protocol.PegTracker{Source: protocol.PriceSource{Asset: 0, Venue: -1}, Band: 0.01}}
	return m, tm
}

// Holders run only once the depeg passes their thresholds; each
// redemption burns UST and mints a dollar's worth of LUNA less the spread;
// the supplies balance every step.
func TestStableHoldersRun(t *testing.T) {
	m, tm := testTerra(t)
	h := &StableHolders{Market: 0, Yield: -1, Venue: -1, SellVenue: -1, Deposit: -1, Count: 100, Holdings: 1e9, DepegLo: 0.05, DepegHi: 0.25, Rounds: 4}
	w := newWorld(t, m, []market.Protocol{tm}, h)
	step := func(ust float64) {
		m.Prices[0] = ust
		w.step(t, m.Prices[0])
	}
	// The world's helper moves asset 0: here UST.
	step(0.99)
	step(0.97)
	if got := observe(h, m, len(h.Metrics())); got[0] != 0 || got[1] != 0 {
		t.Fatalf("holders ran at a 3%% depeg with thresholds from 5%%: %v", got)
	}
	step(0.85) // 15%: about half the thresholds are crossed
	got := observe(h, m, len(h.Metrics()))
	if got[0] < 30 || got[0] > 70 {
		t.Errorf("%v runners at a 15%% depeg, want about half of 100", got[0])
	}
	if got[1] <= 0 {
		t.Fatalf("runners redeemed nothing: %v", got)
	}
	tmm := observe(tm, m, len(tm.Metrics()))
	// LUNA received ≈ UST redeemed / 80, less a spread of at least 0.5%
	// (minted too, to the oracle module).
	ratio := got[2] / (got[1] / 80)
	if ratio > 0.995+1e-9 || ratio < 0.5 {
		t.Errorf("LUNA minted per dollar redeemed %.4f of the oracle rate", ratio)
	}
	if math.Abs(tmm[1]-(tmm[0]/350e6-1)) > 1e-12 || tmm[0] <= 350e6 {
		t.Errorf("supply %v, growth %v", tmm[0], tmm[1])
	}
	if math.Abs(tmm[2]+tmm[3]-18e9) > 1e-3 {
		t.Errorf("UST supply %v + redeemed %v ≠ 18e9", tmm[2], tmm[3])
	}
	// The pool recovers: with 600 blocks a step and a 36-block recovery
	// period, δ is back near zero after a quiet step (whose blocks
	// replenish at the start of the next).
	h.DepegHi, h.DepegLo = 1, 1
	for k := range h.running {
		h.running[k] = false
	}
	h.runners = 0
	step(1)
	step(1)
	if d := tm.Module().TerraPoolDelta().Float64(); math.Abs(d) > 1e6 { // under one SDR, from tens of thousands
		t.Errorf("pool delta %v after a quiet step", d)
	}
}
