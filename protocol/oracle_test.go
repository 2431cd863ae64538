package protocol

import (
	"math"
	"testing"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/cfmm/uniswapv2"
	"github.com/cascade-risk/cascade/market"
	"github.com/holiman/uint256"
)

// priceMarket returns a market of asset 0 (priced) and the numeraire.
func priceMarket(p float64) *market.Market {
	return &market.Market{Prices: []float64{p, 1}, PrevPrices: []float64{p, 1}, Unit: []float64{1e-18, 1e-6}, StepSeconds: 600}
}

// ext observes the external price of asset 0.
var ext = PriceSource{Asset: 0, Venue: -1}

// drive steps a protocol along a price path (path[0] at Reset) and returns
// what read returns after each step, Reset included.
func drive(p market.Protocol, path []float64, read func() float64) []float64 {
	m := priceMarket(path[0])
	p.Reset(m)
	out := []float64{read()}
	for k, x := range path[1:] {
		m.Step = k + 1
		m.Prices[0] = x
		_ = p.Step(m)
		out = append(out, read())
	}
	return out
}

func TestChainlinkOracle(t *testing.T) {
	path := []float64{100, 100.2, 100.4, 101, 101, 101, 101, 95, 95}
	for _, c := range []struct {
		name   string
		o      ChainlinkOracle
		want   []float64
		rounds int
	}{
		// 0.4% does not trigger a 0.5% threshold; 1% does; after 3 quiet
		// steps the heartbeat publishes again (same price); −5.9% triggers.
		{"deviation and heartbeat", ChainlinkOracle{Source: ext, Deviation: 0.005, Heartbeat: 3},
			[]float64{100, 100, 100, 101, 101, 101, 101, 95, 95}, 3},
		// Only the heartbeat: every 2 steps, whatever the move.
		{"heartbeat only", ChainlinkOracle{Source: ext, Heartbeat: 2},
			[]float64{100, 100, 100.4, 100.4, 101, 101, 101, 101, 95}, 4},
		// The same feed two steps late: it sees 100 at steps 1–2, 100.2 at
		// step 3, ... and 101 (a 1% move) at step 5.
		{"lag", ChainlinkOracle{Source: ext, Deviation: 0.005, Lag: 2},
			[]float64{100, 100, 100, 100, 100, 101, 101, 101, 101}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			got := drive(&o, path, o.Price)
			got = drive(&o, path, o.Price) // Reset restarts the feed
			for k := range got {
				if got[k] != c.want[k] {
					t.Fatalf("published %v, want %v", got, c.want)
				}
			}
			dst := make([]float64, len(o.Metrics()))
			o.Observe(nil, dst)
			if int(dst[1]) != c.rounds {
				t.Errorf("%v rounds, want %d", dst[1], c.rounds)
			}
		})
	}
}

func TestTWAPOracle(t *testing.T) {
	path := []float64{100, 100, 130, 100, 100, 100}
	for _, c := range []struct {
		name string
		o    TWAPOracle
		want []float64
	}{
		// A one-step push of 30 moves a 3-step average by 10, for 3 steps.
		{"window 3", TWAPOracle{Source: ext, Window: 3}, []float64{100, 100, 110, 110, 110, 100}},
		{"window 3, lag 1", TWAPOracle{Source: ext, Window: 3, Lag: 1}, []float64{100, 100, 100, 110, 110, 110}},
		{"spot", TWAPOracle{Source: ext, Window: 1}, []float64{100, 100, 130, 100, 100, 100}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			got := drive(&o, path, o.Price)
			for k := range got {
				if math.Abs(got[k]-c.want[k]) > 1e-9 {
					t.Fatalf("published %v, want %v", got, c.want)
				}
			}
		})
	}
}

// A venue source reads the pool's marginal price, so a trade moves it.
func TestVenueSource(t *testing.T) {
	pair, err := uniswapv2.NewPair(30, false)
	if err != nil {
		t.Fatal(err)
	}
	// 1000 ETH against 2,000,000 USDC.
	if _, err := pair.Mint(new(uint256.Int).Mul(uint256.NewInt(1000), uint256.NewInt(1e18)), uint256.NewInt(2000*1000*1e6)); err != nil {
		t.Fatal(err)
	}
	m := priceMarket(2000)
	m.Venues = []*market.Venue{market.NewVenue("pool", pair, []int{0, 1})}
	s := PriceSource{Asset: 0, Venue: 0}
	if !s.Bind(m.Venues[0].Assets) {
		t.Fatal("bind")
	}
	if p := s.Observe(m); math.Abs(p-2000) > 1e-9 {
		t.Fatalf("price %v, want 2000", p)
	}
	amt := cfmm.Amount(100e18)
	if _, err := m.Venues[0].Swap(m, 0, 1, &amt); err != nil {
		t.Fatal(err)
	}
	// 1000 ETH + ~99.7 ETH net in: the price falls by about (1000/1100)².
	if p := s.Observe(m); p > 2000*0.84 || p < 2000*0.82 {
		t.Fatalf("price after selling 100 ETH: %v", p)
	}
}
