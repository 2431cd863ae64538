package terra

import (
	"errors"
	"fmt"

	"github.com/holiman/uint256"
)

// Denominations with a special role in the market.
const (
	MicroLunaDenom = "uluna" // Luna, the staking and absorption token (10^-6 LUNA)
	MicroSDRDenom  = "usdr"  // TerraSDR, the base denomination of the pools (10^-6 SDR)
)

// Errors of the market module.
var (
	ErrRecursiveSwap    = errors.New("terra: recursive swap")
	ErrNoEffectivePrice = errors.New("terra: no effective price")
	ErrInvalidCoins     = errors.New("terra: invalid coins")
	ErrZeroSwapCoin     = errors.New("terra: zero swap coin")
	ErrNoTobinTax       = errors.New("terra: no tobin tax for denom")
	ErrInsufficientFund = errors.New("terra: offer exceeds supply")
	ErrInvalidPool      = errors.New("terra: virtual pool exhausted")
)

// Coin is an integer amount of a denomination, in micro units (sdk.Coin).
type Coin struct {
	Denom  string
	Amount uint256.Int
}

// DecCoin is a decimal amount of a denomination (sdk.DecCoin).
type DecCoin struct {
	Denom  string
	Amount Dec
}

// Params are the market module's parameters (x/market types/params.go).
type Params struct {
	BasePool           Dec   // size of each virtual pool at equilibrium [µSDR]
	PoolRecoveryPeriod int64 // blocks over which the pool delta decays back to zero
	MinStabilitySpread Dec   // minimum spread of Terra↔Luna swaps
}

// DefaultParams returns the module's defaults: a base pool of 1,000,000 SDR
// (10^12 µSDR), a recovery period of 14400 blocks (about a day) and a
// minimum spread of 2%.
func DefaultParams() Params {
	return Params{
		BasePool:           NewDec(1_000_000_000_000),
		PoolRecoveryPeriod: 14400,
		MinStabilitySpread: NewDecWithPrec(2, 2),
	}
}

// Market is Terra Classic's x/market module as a pure state machine: swaps
// between Luna and Terra stablecoins at the oracle price against two
// virtual constant-product pools, and between Terra stablecoins at the
// oracle price less a Tobin tax. Swaps burn the offered coins and mint the
// asked ones; the spread charged is minted to the oracle module as reward.
//
// The pools are virtual: with base pool B and terra pool delta δ [µSDR],
//
//	TerraPool = B + δ,   LunaPool = B² / TerraPool   (both in µSDR)
//
// A Terra→Luna swap adds its µSDR value to δ, a Luna→Terra swap subtracts
// the µSDR value of the Terra it mints, and every block Replenish moves δ
// towards zero by δ/PoolRecoveryPeriod. The exchange rates come from the
// oracle through SetExchangeRate; nothing here reads a clock or the chain.
type Market struct {
	params Params
	delta  Dec
	rates  map[string]Dec
	tobin  map[string]Dec
	supply map[string]uint256.Int
	oracle map[string]uint256.Int
}

// NewMarket returns a market at equilibrium (δ = 0) with no exchange rates
// and no supply.
func NewMarket(p Params) (*Market, error) {
	if p.BasePool.Sign() <= 0 || p.PoolRecoveryPeriod <= 0 || p.MinStabilitySpread.Sign() < 0 {
		return nil, fmt.Errorf("terra: invalid params %+v", p)
	}
	return &Market{
		params: p,
		rates:  map[string]Dec{},
		tobin:  map[string]Dec{},
		supply: map[string]uint256.Int{},
		oracle: map[string]uint256.Int{},
	}, nil
}

// Clone returns an independent deep copy of m.
func (m *Market) Clone() *Market {
	c := *m
	c.rates = make(map[string]Dec, len(m.rates))
	for k, v := range m.rates {
		c.rates[k] = v
	}
	c.tobin = make(map[string]Dec, len(m.tobin))
	for k, v := range m.tobin {
		c.tobin[k] = v
	}
	c.supply = make(map[string]uint256.Int, len(m.supply))
	for k, v := range m.supply {
		c.supply[k] = v
	}
	c.oracle = make(map[string]uint256.Int, len(m.oracle))
	for k, v := range m.oracle {
		c.oracle[k] = v
	}
	return &c
}

// Params returns the market's parameters.
func (m *Market) Params() Params { return m.params }

// SetExchangeRate records the oracle price of one Luna in denom [denom per
// LUNA, the same ratio in micro units], e.g. 1.7 for usdr. The rate of
// uluna itself is always 1.
func (m *Market) SetExchangeRate(denom string, rate Dec) error {
	if rate.Sign() <= 0 {
		return fmt.Errorf("terra: exchange rate of %s must be positive, got %s", denom, rate)
	}
	m.rates[denom] = rate
	return nil
}

// ExchangeRate returns the oracle price of one Luna in denom.
func (m *Market) ExchangeRate(denom string) (Dec, error) {
	if denom == MicroLunaDenom {
		return NewDec(1), nil
	}
	r, ok := m.rates[denom]
	if !ok {
		return Dec{}, fmt.Errorf("%w: %s", ErrNoEffectivePrice, denom)
	}
	return r, nil
}

// SetTobinTax records the Tobin tax of denom, the spread of Terra↔Terra
// swaps that involve it (oracle whitelist, e.g. 0.0025).
func (m *Market) SetTobinTax(denom string, tax Dec) error {
	if tax.Sign() < 0 {
		return fmt.Errorf("terra: negative tobin tax for %s", denom)
	}
	m.tobin[denom] = tax
	return nil
}

// SetSupply sets the total supply of denom [micro units]. Swaps burn from
// and mint into these supplies.
func (m *Market) SetSupply(denom string, amount uint256.Int) { m.supply[denom] = amount }

// Supply returns the total supply of denom [micro units].
func (m *Market) Supply(denom string) uint256.Int { return m.supply[denom] }

// OracleRewards returns the spread fees of denom minted to the oracle
// module so far [micro units].
func (m *Market) OracleRewards(denom string) uint256.Int { return m.oracle[denom] }

// TerraPoolDelta returns δ, the deviation of the Terra pool from the base
// pool [µSDR]. Positive δ means Terra was sold to the market (its price in
// the virtual pools is below the oracle price).
func (m *Market) TerraPoolDelta() Dec { return m.delta }

// SetTerraPoolDelta sets δ [µSDR].
func (m *Market) SetTerraPoolDelta(d Dec) { m.delta = d }

// Pools returns the virtual pools [µSDR]: TerraPool = BasePool + δ and
// LunaPool = BasePool² / TerraPool (rounded half to even).
func (m *Market) Pools() (terraPool, lunaPool Dec, err error) {
	var c arith
	cp := c.mul(m.params.BasePool, m.params.BasePool)
	terraPool = c.add(m.params.BasePool, m.delta)
	if c.err == nil && terraPool.Sign() <= 0 {
		return Dec{}, Dec{}, ErrInvalidPool
	}
	lunaPool = c.quo(cp, terraPool)
	return terraPool, lunaPool, c.err
}

// ComputeInternalSwap converts offer to askDenom at the oracle rates with no
// spread (keeper.ComputeInternalSwap):
//
//	ask = offer · rate(ask) / rate(offer)
//
// each operation rounded half to even. A non-positive result is an error.
func (m *Market) ComputeInternalSwap(offer DecCoin, askDenom string) (DecCoin, error) {
	if offer.Denom == askDenom {
		return offer, nil
	}
	offerRate, err := m.ExchangeRate(offer.Denom)
	if err != nil {
		return DecCoin{}, err
	}
	askRate, err := m.ExchangeRate(askDenom)
	if err != nil {
		return DecCoin{}, err
	}
	var c arith
	ret := c.quo(c.mul(offer.Amount, askRate), offerRate)
	if c.err != nil {
		return DecCoin{}, c.err
	}
	if ret.Sign() <= 0 {
		return DecCoin{}, fmt.Errorf("%w: %s%s", ErrInvalidCoins, offer.Amount, offer.Denom)
	}
	return DecCoin{Denom: askDenom, Amount: ret}, nil
}

// Quote is the price of a swap before it is executed (keeper.ComputeSwap).
type Quote struct {
	Return    DecCoin // asked amount at the oracle rate, before the spread
	Spread    Dec     // fraction of Return charged as fee
	BaseOffer Dec     // offer in µSDR at the oracle rate
	// AskBase is what the virtual constant-product pools pay for BaseOffer
	// [µSDR]: askPool − B²/(offerPool + BaseOffer). Zero for Terra↔Terra.
	AskBase   Dec
	TerraPool Dec // virtual Terra pool before the swap [µSDR]
	LunaPool  Dec // virtual Luna pool before the swap [µSDR]
}

// ComputeSwap prices a swap of offer for askDenom without executing it. For
// Terra↔Luna swaps the spread is the constant-product slippage of the
// virtual pools, at least MinStabilitySpread:
//
//	spread = max(MinStabilitySpread, (BaseOffer − AskBase) / BaseOffer)
//
// For Terra↔Terra swaps it is the larger Tobin tax of the two denominations.
// All arithmetic is Dec (banker's rounding at 18 decimals).
func (m *Market) ComputeSwap(offer Coin, askDenom string) (Quote, error) {
	var q Quote
	if offer.Denom == askDenom {
		return q, fmt.Errorf("%w: %s", ErrRecursiveSwap, askDenom)
	}
	amt, err := DecFromInt(&offer.Amount)
	if err != nil {
		return q, err
	}
	base, err := m.ComputeInternalSwap(DecCoin{offer.Denom, amt}, MicroSDRDenom)
	if err != nil {
		return q, err
	}
	q.BaseOffer = base.Amount
	if q.Return, err = m.ComputeInternalSwap(base, askDenom); err != nil {
		return q, err
	}
	if q.TerraPool, q.LunaPool, err = m.Pools(); err != nil {
		return q, err
	}

	if offer.Denom != MicroLunaDenom && askDenom != MicroLunaDenom {
		offerTax, ok1 := m.tobin[offer.Denom]
		askTax, ok2 := m.tobin[askDenom]
		if !ok1 || !ok2 {
			return q, ErrNoTobinTax
		}
		q.Spread = offerTax
		if askTax.Cmp(offerTax) > 0 {
			q.Spread = askTax
		}
		return q, nil
	}

	var c arith
	cp := c.mul(m.params.BasePool, m.params.BasePool)
	offerPool, askPool := q.TerraPool, q.LunaPool
	if offer.Denom == MicroLunaDenom {
		offerPool, askPool = q.LunaPool, q.TerraPool
	}
	q.AskBase = c.sub(askPool, c.quo(cp, c.add(offerPool, q.BaseOffer)))
	q.Spread = c.quo(c.sub(q.BaseOffer, q.AskBase), q.BaseOffer)
	if c.err != nil {
		return q, c.err
	}
	if q.Spread.Cmp(m.params.MinStabilitySpread) < 0 {
		q.Spread = m.params.MinStabilitySpread
	}
	return q, nil
}

// ApplySwapToPool updates δ for a swap that burnt offer and pays ask
// (keeper.ApplySwapToPool): Terra→Luna adds the µSDR value of offer,
// Luna→Terra subtracts the µSDR value of ask, Terra↔Terra leaves δ alone.
func (m *Market) ApplySwapToPool(offer Coin, ask DecCoin) error {
	offerLuna, askLuna := offer.Denom == MicroLunaDenom, ask.Denom == MicroLunaDenom
	if offerLuna == askLuna {
		return nil
	}
	var c arith
	if askLuna {
		amt, err := DecFromInt(&offer.Amount)
		if err != nil {
			return err
		}
		base, err := m.ComputeInternalSwap(DecCoin{offer.Denom, amt}, MicroSDRDenom)
		if err != nil {
			return err
		}
		d := c.add(m.delta, base.Amount)
		if c.err != nil {
			return c.err
		}
		m.delta = d
		return nil
	}
	base, err := m.ComputeInternalSwap(ask, MicroSDRDenom)
	if err != nil {
		return err
	}
	d := c.sub(m.delta, base.Amount)
	if c.err != nil {
		return c.err
	}
	m.delta = d
	return nil
}

// Swap is the outcome of an executed swap.
type Swap struct {
	Quote
	FeeDec   Dec         // Spread·Return, the fee before truncation [ask denom]
	Received uint256.Int // minted to the trader: ⌊Return − FeeDec⌋
	// Fee is minted to the oracle module: ⌊FeeDec + (Return − FeeDec −
	// Received)⌋, i.e. the fee plus the fraction the trader's integer
	// amount dropped.
	Fee uint256.Int
}

// Swap executes a swap of offer for askDenom as the message server's
// handleSwapRequest: the trader's offer is burnt, Received of askDenom is
// minted to the trader and Fee to the oracle module, and δ moves by the
// swap (ApplySwapToPool with the amount after the fee). The supply of the
// offered denomination must cover offer. On error m is unchanged.
func (m *Market) Swap(offer Coin, askDenom string) (Swap, error) {
	var s Swap
	if offer.Amount.IsZero() {
		return s, fmt.Errorf("%w: zero offer", ErrInvalidCoins)
	}
	q, err := m.ComputeSwap(offer, askDenom)
	if err != nil {
		return s, err
	}
	s.Quote = q
	var c arith
	if q.Spread.Sign() > 0 {
		s.FeeDec = c.mul(q.Spread, q.Return.Amount)
	}
	after := c.sub(q.Return.Amount, s.FeeDec)
	if c.err != nil {
		return s, c.err
	}
	if after.Sign() <= 0 {
		return s, ErrZeroSwapCoin
	}
	if s.Received, err = after.TruncateInt(); err != nil {
		return s, err
	}
	if s.Received.IsZero() {
		return s, ErrZeroSwapCoin
	}
	recv, _ := DecFromInt(&s.Received)
	fee := c.add(s.FeeDec, c.sub(after, recv))
	if c.err != nil {
		return s, c.err
	}
	if s.Fee, err = fee.TruncateInt(); err != nil {
		return s, err
	}

	supOffer := m.supply[offer.Denom]
	if supOffer.Lt(&offer.Amount) {
		return s, ErrInsufficientFund
	}
	supAsk := m.supply[askDenom]
	var minted uint256.Int
	if _, o := minted.AddOverflow(&s.Received, &s.Fee); o {
		return s, ErrDecOverflow
	}
	if _, o := supAsk.AddOverflow(&supAsk, &minted); o {
		return s, ErrDecOverflow
	}
	rewards := m.oracle[askDenom]
	rewards.Add(&rewards, &s.Fee) // bounded by the supply just checked

	// The pool update is the last check that can fail; balances follow it.
	if err := m.ApplySwapToPool(offer, DecCoin{askDenom, after}); err != nil {
		return s, err
	}
	supOffer.Sub(&supOffer, &offer.Amount)
	m.supply[offer.Denom] = supOffer
	m.supply[askDenom] = supAsk
	m.oracle[askDenom] = rewards
	return s, nil
}

// Replenish is the module's EndBlocker (keeper.ReplenishPools): δ moves
// towards zero by δ/PoolRecoveryPeriod, the division truncated toward zero,
// so δ decays geometrically but never crosses zero.
func (m *Market) Replenish() {
	var c arith
	m.delta = c.sub(m.delta, c.quoInt64(m.delta, m.params.PoolRecoveryPeriod))
}
