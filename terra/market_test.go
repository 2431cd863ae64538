package terra

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

// vectorFile holds the Terra Classic x/market vectors (origin in
// testdata/PROVENANCE.md).
var vectorFile = filepath.Join("testdata", "market_swap_vectors.json")

type vectors struct {
	DefaultParams map[string]any `json:"default_params"`
	// FromTests is keyed by descriptions with spaces; fromTest finds an
	// entry by its leading name.
	FromTests map[string]json.RawMessage `json:"from_tests"`
	Derived   struct {
		Series []string            `json:"replenish_series_first_5_blocks"`
		Swaps  []map[string]string `json:"swaps"`
	} `json:"derived_NOT_from_tests"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	b, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// fromTest decodes the from_tests entry whose key starts with name.
func (v vectors) fromTest(t testing.TB, name string, dst any) {
	t.Helper()
	for k, raw := range v.FromTests {
		if strings.HasPrefix(k, name+" ") {
			if err := json.Unmarshal(raw, dst); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			return
		}
	}
	t.Fatalf("from_tests has no %s entry", name)
}

func dec(t testing.TB, s string) Dec {
	t.Helper()
	d, err := ParseDec(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("bad decimal %q: %v", s, err)
	}
	return d
}

func integer(t testing.TB, s string) uint256.Int {
	t.Helper()
	v, err := uint256.FromDecimal(s)
	if err != nil {
		t.Fatalf("bad integer %q: %v", s, err)
	}
	return *v
}

// testMarket returns a market with the vectors' default parameters and luna
// priced at 1.7 SDR, with ample supplies.
func testMarket(t testing.TB, v vectors) *Market {
	t.Helper()
	p := DefaultParams()
	m, err := NewMarket(p)
	if err != nil {
		t.Fatal(err)
	}
	must(t, m.SetExchangeRate(MicroSDRDenom, dec(t, "1.7")))
	must(t, m.SetExchangeRate("ukrw", dec(t, "3.4")))
	must(t, m.SetExchangeRate("umnt", dec(t, "1.7")))
	plenty := integer(t, "1000000000000000000000")
	for _, d := range []string{MicroLunaDenom, MicroSDRDenom, "ukrw", "umnt"} {
		m.SetSupply(d, plenty)
	}
	return m
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDefaultParamsVector(t *testing.T) {
	v := loadVectors(t)
	p := DefaultParams()
	if s, _ := v.DefaultParams["BasePool_usdr"].(string); strings.Fields(s)[0]+".000000000000000000" != p.BasePool.String() {
		t.Errorf("BasePool %s, vector %q", p.BasePool, s)
	}
	if n, _ := v.DefaultParams["PoolRecoveryPeriod_blocks"].(float64); int64(n) != p.PoolRecoveryPeriod {
		t.Errorf("PoolRecoveryPeriod %d, vector %v", p.PoolRecoveryPeriod, n)
	}
	if s, _ := v.DefaultParams["MinStabilitySpread"].(string); dec(t, s).Cmp(p.MinStabilitySpread) != 0 {
		t.Errorf("MinStabilitySpread %s, vector %q", p.MinStabilitySpread, s)
	}
}

func TestSwapVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.Derived.Swaps) != 7 {
		t.Fatalf("want 7 swaps, got %d", len(v.Derived.Swaps))
	}
	for i, w := range v.Derived.Swaps {
		m := testMarket(t, v)
		delta := dec(t, w["terra_pool_delta_usdr"])
		m.SetTerraPoolDelta(delta)
		offer := Coin{Denom: w["offer_denom"], Amount: integer(t, w["offer_amount"])}
		supOffer, supAsk := m.Supply(offer.Denom), m.Supply(w["ask_denom"])
		s, err := m.Swap(offer, w["ask_denom"])
		if err != nil {
			t.Fatalf("swap %d: %v", i, err)
		}
		for _, c := range []struct {
			field string
			got   string
		}{
			{"ask_base_amount_cp", s.AskBase.String()},
			{"base_offer_usdr", s.BaseOffer.String()},
			{"fee_dec", s.FeeDec.String()},
			{"fee_minted_to_oracle_int", s.Fee.Dec()},
			{"luna_pool", s.LunaPool.String()},
			{"terra_pool", s.TerraPool.String()},
			{"received_int", s.Received.Dec()},
			{"ret_before_spread", s.Return.Amount.String()},
			{"spread", s.Spread.String()},
		} {
			if c.got != w[c.field] {
				t.Errorf("swap %d (%s %s→%s): %s = %s, want %s", i, w["offer_amount"], w["offer_denom"], w["ask_denom"], c.field, c.got, w[c.field])
			}
		}
		// Burn and mint: the offer leaves the supply, the trader's coins
		// and the fee enter it, and the fee goes to the oracle module.
		gotOffer, gotAsk := m.Supply(offer.Denom), m.Supply(w["ask_denom"])
		var burnt, minted uint256.Int
		burnt.Sub(&supOffer, &gotOffer)
		minted.Sub(&gotAsk, &supAsk)
		var want uint256.Int
		want.Add(&s.Received, &s.Fee)
		if !burnt.Eq(&offer.Amount) || !minted.Eq(&want) {
			t.Errorf("swap %d: burnt %s minted %s", i, burnt.Dec(), minted.Dec())
		}
		if r := m.OracleRewards(w["ask_denom"]); !r.Eq(&s.Fee) {
			t.Errorf("swap %d: oracle got %s, fee %s", i, r.Dec(), s.Fee.Dec())
		}
		// The pool moves by the µSDR value of the Terra side after the fee.
		var c arith
		after := c.sub(s.Return.Amount, s.FeeDec)
		var wantDelta Dec
		if offer.Denom == MicroLunaDenom {
			wantDelta = c.sub(delta, after) // ask is usdr
		} else {
			wantDelta = c.add(delta, s.BaseOffer)
		}
		if got := m.TerraPoolDelta(); got.Cmp(wantDelta) != 0 {
			t.Errorf("swap %d: delta %s, want %s", i, got, wantDelta)
		}
	}
}

func TestApplySwapToPoolVectors(t *testing.T) {
	v := loadVectors(t)
	var cases []map[string]string
	v.fromTest(t, "apply_swap_to_pool", &cases)
	if len(cases) != 3 {
		t.Fatalf("want 3 cases, got %d", len(cases))
	}
	for _, c := range cases {
		m := testMarket(t, v)
		var offer Coin
		var ask DecCoin
		if _, err := fmtSscan(c["offer"], &offer.Amount, &offer.Denom); err != nil {
			t.Fatal(err)
		}
		askFields := strings.Fields(c["ask"])
		ask.Amount, ask.Denom = dec(t, askFields[0]), askFields[1]
		must(t, m.ApplySwapToPool(offer, ask))
		want := dec(t, strings.TrimPrefix(strings.Fields(c["terra_pool_delta_change"])[0], "+"))
		if got := m.TerraPoolDelta(); got.Cmp(want) != 0 {
			t.Errorf("%s → %s: delta %s, want %s", c["offer"], c["ask"], got, want)
		}
	}
}

// fmtSscan reads "1000 uluna" into an amount and a denomination.
func fmtSscan(s string, amt *uint256.Int, denom *string) (int, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, errors.New("want amount and denom: " + s)
	}
	if err := amt.SetFromDecimal(f[0]); err != nil {
		return 0, err
	}
	*denom = f[1]
	return 2, nil
}

func TestReplenishVectors(t *testing.T) {
	v := loadVectors(t)
	var initial string
	v.fromTest(t, "replenish_initial_delta", &initial)
	if !strings.HasPrefix(initial, "17987573223725.367 (sdk.NewDecWithPrec(17987573223725367, 3))") {
		t.Fatalf("unexpected initial delta %q", initial)
	}
	m, err := NewMarket(DefaultParams())
	must(t, err)
	// sdk.NewDecWithPrec(17987573223725367, 3), as abci_test.go builds it.
	m.SetTerraPoolDelta(NewDecWithPrec(17987573223725367, 3))
	if len(v.Derived.Series) != 6 {
		t.Fatalf("want initial + 5 blocks, got %d", len(v.Derived.Series))
	}
	for i, want := range v.Derived.Series {
		if i > 0 {
			m.Replenish()
		}
		if got := m.TerraPoolDelta().String(); got != want {
			t.Errorf("block %d: delta %s, want %s", i, got, want)
		}
	}
	// Negative deltas decay symmetrically: truncation is toward zero.
	m.SetTerraPoolDelta(dec(t, "-17987573223725.367"))
	for i := 1; i < len(v.Derived.Series); i++ {
		m.Replenish()
		if got, want := m.TerraPoolDelta().String(), "-"+v.Derived.Series[i]; got != want {
			t.Errorf("negative block %d: %s, want %s", i, got, want)
		}
	}
}

func TestTobinTaxVector(t *testing.T) {
	v := loadVectors(t)
	var tobin string
	v.fromTest(t, "tobin_tax", &tobin)
	if !strings.Contains(tobin, "usdr 0.0025, umnt 0.005 -> spread 0.005") {
		t.Fatalf("unexpected tobin vector %q", tobin)
	}
	m := testMarket(t, v)
	must(t, m.SetTobinTax(MicroSDRDenom, dec(t, "0.0025")))
	must(t, m.SetTobinTax("umnt", dec(t, "0.005")))
	for _, pair := range [][2]string{{MicroSDRDenom, "umnt"}, {"umnt", MicroSDRDenom}} {
		q, err := m.ComputeSwap(Coin{pair[0], *uint256.NewInt(1_000_000)}, pair[1])
		must(t, err)
		if q.Spread.String() != "0.005000000000000000" {
			t.Errorf("%s→%s spread %s, want 0.005", pair[0], pair[1], q.Spread)
		}
	}
	// Terra↔Terra swaps leave the pools alone.
	_, err := m.Swap(Coin{MicroSDRDenom, *uint256.NewInt(1_000_000)}, "umnt")
	must(t, err)
	if !m.TerraPoolDelta().IsZero() {
		t.Errorf("Terra↔Terra swap moved delta to %s", m.TerraPoolDelta())
	}
	if _, err := m.ComputeSwap(Coin{MicroSDRDenom, *uint256.NewInt(1)}, "ukrw"); !errors.Is(err, ErrNoTobinTax) {
		t.Errorf("swap into denom without tobin tax: %v", err)
	}
}

// TestComputeSwapProperties mirrors TestComputeSwap: usdr→uluna returns
// offer/1.7 exactly before the spread, the spread is at least the minimum,
// and a zero offer is an error.
func TestComputeSwapProperties(t *testing.T) {
	v := loadVectors(t)
	m := testMarket(t, v)
	price := dec(t, "1.7")
	for _, amt := range []uint64{1, 7, 1000, 1_700_000, 123_456_789, 1e12, 3e14} {
		q, err := m.ComputeSwap(Coin{MicroSDRDenom, *uint256.NewInt(amt)}, MicroLunaDenom)
		must(t, err)
		var c arith
		want := c.quo(NewDec(int64(amt)), price)
		if q.Return.Amount.Cmp(want) != 0 {
			t.Errorf("offer %d: return %s, want %s", amt, q.Return.Amount, want)
		}
		if q.Spread.Cmp(m.Params().MinStabilitySpread) < 0 {
			t.Errorf("offer %d: spread %s below minimum", amt, q.Spread)
		}
	}
	if _, err := m.ComputeSwap(Coin{MicroSDRDenom, uint256.Int{}}, MicroLunaDenom); !errors.Is(err, ErrInvalidCoins) {
		t.Errorf("zero offer: %v", err)
	}
	if _, err := m.ComputeSwap(Coin{MicroLunaDenom, *uint256.NewInt(5)}, MicroLunaDenom); !errors.Is(err, ErrRecursiveSwap) {
		t.Errorf("recursive swap: %v", err)
	}
	if _, err := m.ComputeSwap(Coin{MicroLunaDenom, *uint256.NewInt(5)}, "uxyz"); !errors.Is(err, ErrNoEffectivePrice) {
		t.Errorf("unknown denom: %v", err)
	}
}

func TestSwapErrorsLeaveStateUnchanged(t *testing.T) {
	v := loadVectors(t)
	m := testMarket(t, v)
	m.SetSupply(MicroLunaDenom, *uint256.NewInt(999))
	for _, c := range []struct {
		offer Coin
		ask   string
		want  error
	}{
		{Coin{MicroLunaDenom, *uint256.NewInt(1000)}, MicroSDRDenom, ErrInsufficientFund},
		{Coin{MicroSDRDenom, *uint256.NewInt(1)}, MicroLunaDenom, ErrZeroSwapCoin}, // 1/1.7·0.98 µLUNA truncates to 0
		{Coin{MicroSDRDenom, uint256.Int{}}, MicroLunaDenom, ErrInvalidCoins},
	} {
		before := m.Clone()
		if _, err := m.Swap(c.offer, c.ask); !errors.Is(err, c.want) {
			t.Errorf("%v → %s: err %v, want %v", c.offer, c.ask, err, c.want)
		}
		if !reflect.DeepEqual(before, m) {
			t.Errorf("%v → %s: failed swap changed the market", c.offer, c.ask)
		}
	}
}

// TestSpreadGrowsWithImbalance checks the dynamic spread: selling Luna into
// a market already long Terra's opposite side costs more the larger the
// imbalance, and Replenish brings the spread back down.
func TestSpreadGrowsWithImbalance(t *testing.T) {
	v := loadVectors(t)
	m := testMarket(t, v)
	offer := Coin{MicroLunaDenom, *uint256.NewInt(200_000_000_000)}
	prev := Dec{}
	for i := 0; i < 5; i++ {
		q, err := m.ComputeSwap(offer, MicroSDRDenom)
		must(t, err)
		if q.Spread.Cmp(prev) < 0 {
			t.Fatalf("step %d: spread %s fell below %s", i, q.Spread, prev)
		}
		prev = q.Spread
		_, err = m.Swap(offer, MicroSDRDenom)
		must(t, err)
	}
	if m.TerraPoolDelta().Sign() >= 0 {
		t.Fatalf("Luna→Terra swaps should shrink the Terra pool, delta %s", m.TerraPoolDelta())
	}
	for i := 0; i < 14400; i++ {
		m.Replenish()
	}
	q, err := m.ComputeSwap(offer, MicroSDRDenom)
	must(t, err)
	if q.Spread.Cmp(prev) >= 0 {
		t.Errorf("spread after a recovery period %s, before %s", q.Spread, prev)
	}
}
