package protocol

import (
	"fmt"
	"math"
	"strconv"

	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/cascade-risk/cascade/terra"
	"github.com/holiman/uint256"
)

// TerraMarket is an algorithmic stablecoin in the simulation: Terra
// Classic's market module (terra.Market), which swaps the stablecoin for
// newly minted LUNA at the oracle price — one stablecoin always buys one
// numeraire unit's worth of LUNA, less a spread — and the reverse. The
// spread comes from virtual constant-product pools that recover towards
// equilibrium every block (Replenish), which bounds how fast holders can
// leave: seigniorage mint and burn at a limited rate.
//
// Each step the oracle rates are set from LUNA's feed: the stablecoin's
// denomination is worth one numeraire unit (the peg the module assumes,
// whatever the market says), SDR is worth SDR numeraire units. Each step
// holds BlocksPerStep blocks, each replenishing the pools once: agents
// spend some between their swaps with Advance, and the rest replenish at
// the start of the next step. Amounts are micro units: both assets have 6
// decimals.
type TerraMarket struct {
	// Market is the module as configured, with the initial supplies; every
	// run starts from a clone.
	Market       *terra.Market
	Luna, Stable int    // asset indices
	Denom        string // the stablecoin's denomination, such as "uusd"
	// LunaFeed is the protocol index of LUNA's price feed; −1 reads the
	// external price.
	LunaFeed      int
	SDR           float64 // numeraire per SDR
	BlocksPerStep int
	Peg           PegTracker

	mk                    *terra.Market
	luna0, stable0        uint256.Int
	lunaMinted, lunaBurnt uint256.Int
	stableMinted, burnt   uint256.Int
	carry                 int
	swaps                 int
	maxSpread             float64
	lunaPrice             float64
}

// Reset implements Protocol.
func (t *TerraMarket) Reset(m *market.Market) {
	t.mk = t.Market.Clone()
	t.luna0, t.stable0 = t.mk.Supply(terra.MicroLunaDenom), t.mk.Supply(t.Denom)
	t.lunaMinted, t.lunaBurnt, t.stableMinted, t.burnt = uint256.Int{}, uint256.Int{}, uint256.Int{}, uint256.Int{}
	t.carry, t.swaps, t.maxSpread = 0, 0, 0
	_ = t.setRates(m)
	t.Peg.reset(m)
}

// Module returns this run's market module, for inspection: mutating it
// bypasses the adapter's accounting.
func (t *TerraMarket) Module() *terra.Market { return t.mk }

func decOf(x float64) (terra.Dec, error) {
	if !(x > 0) || math.IsInf(x, 0) {
		return terra.Dec{}, fmt.Errorf("LUNA price %g is not positive", x)
	}
	return terra.ParseDec(strconv.FormatFloat(x, 'f', terra.Precision, 64))
}

// setRates writes the oracle rates: the stablecoin and SDR per LUNA.
func (t *TerraMarket) setRates(m *market.Market) error {
	t.lunaPrice = FeedPrice(m, t.LunaFeed, t.Luna)
	usd, err := decOf(t.lunaPrice)
	if err != nil {
		return err
	}
	sdr, err := decOf(t.lunaPrice / t.SDR)
	if err != nil {
		return err
	}
	if err := t.mk.SetExchangeRate(t.Denom, usd); err != nil {
		return err
	}
	return t.mk.SetExchangeRate(terra.MicroSDRDenom, sdr)
}

// Step implements Protocol: the blocks the last step left replenish the
// pools, then the oracle votes.
func (t *TerraMarket) Step(m *market.Market) error {
	for range t.carry {
		t.mk.Replenish()
	}
	// This step's blocks are spent by agents through Advance, or carried.
	t.carry = t.BlocksPerStep
	t.Peg.observe(m)
	return t.setRates(m)
}

// Advance replenishes up to n of the step's remaining blocks between
// swaps, and returns how many it did.
func (t *TerraMarket) Advance(n int) int {
	n = min(n, t.carry)
	for range n {
		t.mk.Replenish()
	}
	t.carry -= n
	return n
}

// BlocksLeft returns the step's blocks not yet advanced.
func (t *TerraMarket) BlocksLeft() int { return t.carry }

// LunaPrice returns the price the module's oracle uses this step.
func (t *TerraMarket) LunaPrice() float64 { return t.lunaPrice }

// Quote returns the LUNA (micro units) a redemption of amt micro units of
// the stablecoin would receive now, after the spread.
func (t *TerraMarket) Quote(amt *uint256.Int) (float64, error) {
	q, err := t.mk.ComputeSwap(terra.Coin{Denom: t.Denom, Amount: *amt}, terra.MicroLunaDenom)
	if err != nil {
		return 0, err
	}
	return q.Return.Amount.Float64() * (1 - q.Spread.Float64()), nil
}

// Redeem burns amt micro units of the stablecoin for LUNA through the
// module and returns the LUNA received, in micro units.
func (t *TerraMarket) Redeem(amt *uint256.Int) (uint256.Int, error) {
	s, err := t.mk.Swap(terra.Coin{Denom: t.Denom, Amount: *amt}, terra.MicroLunaDenom)
	if err != nil {
		return uint256.Int{}, err
	}
	t.burnt.Add(&t.burnt, amt)
	t.lunaMinted.Add(&t.lunaMinted, &s.Received)
	t.lunaMinted.Add(&t.lunaMinted, &s.Fee)
	t.swaps++
	t.maxSpread = max(t.maxSpread, s.Spread.Float64())
	return s.Received, nil
}

// Mint burns amt micro LUNA for the stablecoin (the expansion side of the
// peg) and returns the stablecoin received.
func (t *TerraMarket) Mint(amt *uint256.Int) (uint256.Int, error) {
	s, err := t.mk.Swap(terra.Coin{Denom: terra.MicroLunaDenom, Amount: *amt}, t.Denom)
	if err != nil {
		return uint256.Int{}, err
	}
	t.lunaBurnt.Add(&t.lunaBurnt, amt)
	t.stableMinted.Add(&t.stableMinted, &s.Received)
	t.stableMinted.Add(&t.stableMinted, &s.Fee)
	t.swaps++
	t.maxSpread = max(t.maxSpread, s.Spread.Float64())
	return s.Received, nil
}

// Check implements Protocol: each supply is its initial value plus what
// swaps minted less what they burnt.
func (t *TerraMarket) Check() error {
	for _, c := range []struct {
		denom                      string
		start, minted, burnt, have uint256.Int
	}{
		{terra.MicroLunaDenom, t.luna0, t.lunaMinted, t.lunaBurnt, t.mk.Supply(terra.MicroLunaDenom)},
		{t.Denom, t.stable0, t.stableMinted, t.burnt, t.mk.Supply(t.Denom)},
	} {
		var want uint256.Int
		want.Add(&c.start, &c.minted)
		want.Sub(&want, &c.burnt)
		if !want.Eq(&c.have) {
			return fmt.Errorf("%s supply %s, but %s + %s minted − %s burnt = %s", c.denom, c.have.Dec(),
				c.start.Dec(), c.minted.Dec(), c.burnt.Dec(), want.Dec())
		}
	}
	return nil
}

// Metrics implements Protocol.
func (t *TerraMarket) Metrics() []metric.Def {
	defs := []metric.Def{
		{Name: "luna_supply", Unit: "LUNA", Doc: "LUNA supply", Worse: metric.HigherIsWorse},
		{Name: "supply_growth", Unit: "fraction", Doc: "LUNA supply over its initial value, less 1", Worse: metric.HigherIsWorse},
		{Name: "stablecoin_supply", Unit: "stablecoin", Doc: "stablecoin supply", Worse: metric.LowerIsWorse},
		{Name: "redeemed", Unit: "stablecoin", Doc: "stablecoins burnt for LUNA", Worse: metric.HigherIsWorse},
		{Name: "luna_minted", Unit: "LUNA", Doc: "LUNA minted by redemptions, oracle reward included", Worse: metric.HigherIsWorse},
		{Name: "swaps", Unit: "count", Doc: "market module swaps", Worse: metric.HigherIsWorse},
		{Name: "max_spread", Unit: "fraction", Doc: "largest spread paid on a swap", Worse: metric.HigherIsWorse},
		{Name: "luna_price", Unit: "numeraire", Doc: "LUNA price the module's oracle uses", Worse: metric.LowerIsWorse},
	}
	return append(defs, pegMetrics()...)
}

// Observe implements Protocol.
func (t *TerraMarket) Observe(m *market.Market, dst []float64) {
	luna, stable := t.mk.Supply(terra.MicroLunaDenom), t.mk.Supply(t.Denom)
	dst[0] = luna.Float64() / 1e6
	dst[1] = luna.Float64()/t.luna0.Float64() - 1
	dst[2] = stable.Float64() / 1e6
	dst[3] = t.burnt.Float64() / 1e6
	dst[4] = t.lunaMinted.Float64() / 1e6
	dst[5], dst[6], dst[7] = float64(t.swaps), t.maxSpread, t.lunaPrice
	t.Peg.write(m, dst[8:])
}

// YieldSource is a deposit rate offered to stablecoin holders (Anchor's,
// for UST) that falls: Initial until step From, then linearly to Final
// over Over steps. Rates are annual fractions.
type YieldSource struct {
	Initial, Final float64
	From, Over     int

	rate float64
}

// Rate returns the current annual rate.
func (y *YieldSource) Rate() float64 { return y.rate }

// Reset implements Protocol.
func (y *YieldSource) Reset(*market.Market) { y.rate = y.Initial }

// Step implements Protocol.
func (y *YieldSource) Step(m *market.Market) error {
	switch t := m.Step - y.From; {
	case t <= 0:
		y.rate = y.Initial
	case t >= y.Over:
		y.rate = y.Final
	default:
		y.rate = y.Initial + (y.Final-y.Initial)*float64(t)/float64(y.Over)
	}
	return nil
}

// Check implements Protocol.
func (y *YieldSource) Check() error { return nil }

// Metrics implements Protocol.
func (y *YieldSource) Metrics() []metric.Def {
	return []metric.Def{{Name: "rate", Unit: "fraction/yr", Doc: "deposit rate offered", Worse: metric.LowerIsWorse}}
}

// Observe implements Protocol.
func (y *YieldSource) Observe(_ *market.Market, dst []float64) { dst[0] = y.rate }
