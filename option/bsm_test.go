package option

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPriceBrief checks the numbers of the product brief: S = K = 100,
// r = 5%, σ = 20%, T = 1, q = 0 gives a call of 10.4506 and a put of 5.5735.
func TestPriceBrief(t *testing.T) {
	for _, c := range []struct {
		k    Kind
		want float64
	}{{Call, 10.4506}, {Put, 5.5735}} {
		got, err := Price(c.k, 100, 100, 0.05, 0, 0.2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-4 {
			t.Errorf("%v = %.10f, want %.4f ± 1e-4", c.k, got, c.want)
		}
	}
}

// TestPriceReference compares prices with values computed from the same
// formulas in 50-digit arithmetic (mpmath 1.3, ncdf). The tolerance, 1e-12
// relative to the larger of the two prices of the case, allows for the
// relative error of about d²·ε that rounding in d1 causes in N(d1), with
// |d| up to 4 here.
func TestPriceReference(t *testing.T) {
	for _, c := range []struct {
		s, k, r, q, vol, tau float64
		call, put            float64
	}{
		{100, 100, 0.05, 0, 0.2, 1, 10.450583572185566782, 5.5735260222569676908},
		{100, 90, 0.05, 0, 0.8, 0.25, 21.165468956624577906, 10.047471001073906432},
		{100, 120, 0.03, 0.02, 0.5, 2, 21.147036579488908695, 38.079836694366432896},
		{3000, 2500, 0.04, 0.035, 0.9, 1.0 / 12, 599.87024466042115192, 100.2880367769826985},
		{42, 40, 0.1, 0, 0.2, 0.5, 4.7594223928715332196, 0.80859937290009358326},
		{100, 200, 0.01, 0, 0.2, 1, 0.002283734887204931392, 98.012250484720815646},
		{100, 50, 0, 0, 0.6, 0.1, 50.000420360740241271, 0.00042036074024127062423},
		{1, 1.5, -0.01, 0.05, 1.5, 3, 0.64046489639630746513, 1.3254387209015249413},
	} {
		scale := max(c.call, c.put)
		for _, kw := range []struct {
			k    Kind
			want float64
		}{{Call, c.call}, {Put, c.put}} {
			got, err := Price(kw.k, c.s, c.k, c.r, c.q, c.vol, c.tau)
			if err != nil {
				t.Fatalf("%+v: %v", c, err)
			}
			if math.Abs(got-kw.want) > 1e-12*scale {
				t.Errorf("%v %+v = %.17g, want %.17g", kw.k, c, got, kw.want)
			}
			// PriceGreeks must return the same price.
			gp, _, err := PriceGreeks(kw.k, c.s, c.k, c.r, c.q, c.vol, c.tau)
			if err != nil || gp != got {
				t.Errorf("%v %+v: PriceGreeks price %v, %v; Price %v", kw.k, c, gp, err, got)
			}
		}
	}
}

// randomMarket draws a spot, strike, rate, yield, volatility and time to
// expiry over ranges wider than crypto markets need: strikes from a fifth to
// five times the spot, volatility 1% to 300%, one day to five years.
func randomMarket(rng *rand.Rand) (s, k, r, q, vol, tau float64) {
	s = math.Exp(rng.Float64()*12 - 2) // 0.14 to 22,000
	k = s * math.Exp(rng.Float64()*2*math.Log(5)-math.Log(5))
	r = rng.Float64()*0.22 - 0.02
	q = rng.Float64() * 0.1
	vol = 0.01 + rng.Float64()*2.99
	tau = 1.0/365 + rng.Float64()*5
	return
}

// TestPutCallParity checks C − P = S·e^(−qT) − K·e^(−rT) on 10,000 random
// inputs to 1e-9 relative to S·e^(−qT) + K·e^(−rT), the size of the terms
// whose difference parity is: the two sides can be far smaller than that
// near the forward, where a relative error of the difference is meaningless.
func TestPutCallParity(t *testing.T) {
	rng := rand.New(rand.NewPCG(20211226, 1))
	worst := 0.0
	for i := range 10000 {
		s, k, r, q, vol, tau := randomMarket(rng)
		c, err1 := Price(Call, s, k, r, q, vol, tau)
		p, err2 := Price(Put, s, k, r, q, vol, tau)
		if err1 != nil || err2 != nil {
			t.Fatalf("case %d: %v %v", i, err1, err2)
		}
		x, y := s*math.Exp(-q*tau), k*math.Exp(-r*tau)
		rel := math.Abs((c-p)-(x-y)) / (x + y)
		worst = max(worst, rel)
		if rel > 1e-9 {
			t.Errorf("case %d S=%v K=%v r=%v q=%v σ=%v τ=%v: C−P=%v, x−y=%v, rel %g", i, s, k, r, q, vol, tau, c-p, x-y, rel)
		}
	}
	t.Logf("largest relative parity residual %.3g", worst)
}

// TestGreeksFiniteDifference compares each Greek with a central difference
// of Price. With step h = 1e-4 of the variable's scale the truncation error
// is O(h²) and the rounding error O(ε·V/h), both well below the tolerance of
// 1e-6 of the Greek's natural scale (given per Greek below).
func TestGreeksFiniteDifference(t *testing.T) {
	cases := []struct{ s, k, r, q, vol, tau float64 }{
		{100, 100, 0.05, 0, 0.2, 1},
		{100, 90, 0.05, 0, 0.8, 0.25},
		{100, 120, 0.03, 0.02, 0.5, 2},
		{3000, 2500, 0.04, 0.035, 0.9, 1.0 / 12},
		{42, 40, 0.1, 0, 0.2, 0.5},
		{1, 1.5, -0.01, 0.05, 1.5, 3},
		{100, 70, 0.02, 0.01, 0.3, 0.05},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		s, k, r, q, vol, tau := randomMarket(rng)
		cases = append(cases, struct{ s, k, r, q, vol, tau float64 }{s, k, r, q, vol, tau})
	}
	worst := map[string]float64{}
	for _, c := range cases {
		for _, kind := range []Kind{Call, Put} {
			price := func(s, r, vol, tau float64) float64 {
				v, err := Price(kind, s, c.k, r, c.q, vol, tau)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			_, g, err := PriceGreeks(kind, c.s, c.k, c.r, c.q, c.vol, c.tau)
			if err != nil {
				t.Fatal(err)
			}
			hs, hv, ht, hr := 1e-4*c.s, 1e-4*c.vol, 1e-4*c.tau, 1e-4
			v0 := price(c.s, c.r, c.vol, c.tau)
			// The natural scales: a Greek's size for an at-the-money option
			// with the same inputs is about x·φ(0)·(its factor); using
			// x + y keeps the scale positive when the option is worthless.
			xy := c.s*math.Exp(-c.q*c.tau) + c.k*math.Exp(-c.r*c.tau)
			sd := c.vol * math.Sqrt(c.tau)
			for _, fd := range []struct {
				name        string
				got, approx float64
				scale       float64
			}{
				{"delta", g.Delta, (price(c.s+hs, c.r, c.vol, c.tau) - price(c.s-hs, c.r, c.vol, c.tau)) / (2 * hs), 1},
				{"gamma", g.Gamma, (price(c.s+hs, c.r, c.vol, c.tau) - 2*v0 + price(c.s-hs, c.r, c.vol, c.tau)) / (hs * hs),
					// The second difference loses ε·V/h² to rounding; its
					// scale is that of an at-the-money gamma.
					xy / (c.s * c.s * sd)},
				{"vega", g.Vega, (price(c.s, c.r, c.vol+hv, c.tau) - price(c.s, c.r, c.vol-hv, c.tau)) / (2 * hv), xy * math.Sqrt(c.tau)},
				{"theta", g.Theta, -(price(c.s, c.r, c.vol, c.tau+ht) - price(c.s, c.r, c.vol, c.tau-ht)) / (2 * ht), xy * (1 + c.vol/math.Sqrt(c.tau))},
				{"rho", g.Rho, (price(c.s, c.r+hr, c.vol, c.tau) - price(c.s, c.r-hr, c.vol, c.tau)) / (2 * hr), xy * c.tau},
			} {
				worst[fd.name] = max(worst[fd.name], math.Abs(fd.got-fd.approx)/fd.scale)
				if math.Abs(fd.got-fd.approx) > 1e-6*fd.scale {
					t.Errorf("%v %+v %s = %.12g, central difference %.12g (scale %g)", kind, c, fd.name, fd.got, fd.approx, fd.scale)
				}
			}
		}
	}
	t.Logf("largest difference relative to scale: %v", worst)
}

// TestDegenerate checks the limits at zero volatility, at expiry, at a zero
// spot and at a zero strike, where the price is the discounted intrinsic
// value and the Greeks are those of it.
func TestDegenerate(t *testing.T) {
	e := math.Exp
	for _, c := range []struct {
		name                 string
		k                    Kind
		s, K, r, q, vol, tau float64
		price                float64
		g                    Greeks
	}{
		{"zero vol ITM call", Call, 110, 100, 0.05, 0.01, 0, 2, 110*e(-0.02) - 100*e(-0.1),
			Greeks{Delta: e(-0.02), Theta: 0.01*110*e(-0.02) - 0.05*100*e(-0.1), Rho: 2 * 100 * e(-0.1)}},
		{"zero vol OTM put", Put, 110, 100, 0.05, 0.01, 0, 2, 0, Greeks{}},
		{"zero vol ITM put", Put, 90, 100, 0.05, 0, 0, 1, 100*e(-0.05) - 90,
			Greeks{Delta: -1, Theta: 0.05 * 100 * e(-0.05), Rho: -100 * e(-0.05)}},
		{"expiry call", Call, 120, 100, 0.05, 0, 0.8, 0, 20, Greeks{Delta: 1, Theta: -5}},
		{"expiry put", Put, 120, 100, 0.05, 0, 0.8, 0, 0, Greeks{}},
		{"zero spot put", Put, 0, 100, 0.05, 0, 0.8, 1, 100 * e(-0.05),
			Greeks{Delta: -1, Theta: 0.05 * 100 * e(-0.05), Rho: -100 * e(-0.05)}},
		{"zero spot call", Call, 0, 100, 0.05, 0, 0.8, 1, 0, Greeks{}},
		{"zero strike call", Call, 100, 0, 0.05, 0.02, 0.8, 1, 100 * e(-0.02),
			Greeks{Delta: e(-0.02), Theta: 0.02 * 100 * e(-0.02)}},
		{"zero strike put", Put, 100, 0, 0.05, 0.02, 0.8, 1, 0, Greeks{}},
		{"zero spot zero strike call", Call, 0, 0, 0.05, 0, 0.8, 1, 0, Greeks{Delta: 1}},
	} {
		p, err := Price(c.k, c.s, c.K, c.r, c.q, c.vol, c.tau)
		if err != nil || math.Abs(p-c.price) > 1e-13*(c.s+c.K) {
			t.Errorf("%s: Price = %v, %v; want %v", c.name, p, err, c.price)
		}
		p2, g, err := PriceGreeks(c.k, c.s, c.K, c.r, c.q, c.vol, c.tau)
		if err != nil || p2 != p {
			t.Errorf("%s: PriceGreeks price %v, %v; want %v", c.name, p2, err, p)
		}
		const tol = 1e-12
		if math.Abs(g.Delta-c.g.Delta) > tol || g.Gamma != 0 || g.Vega != 0 ||
			math.Abs(g.Theta-c.g.Theta) > tol*100 || math.Abs(g.Rho-c.g.Rho) > tol*100 {
			t.Errorf("%s: Greeks %+v, want %+v", c.name, g, c.g)
		}
	}
	// The value at the kink is defined, its Greeks are not.
	p, err := Price(Call, 100, 100, 0.05, 0, 0.3, 0)
	if err != nil || p != 0 {
		t.Errorf("at-the-money call at expiry: %v, %v; want 0", p, err)
	}
	if _, _, err := PriceGreeks(Call, 100, 100, 0.05, 0, 0.3, 0); !errors.Is(err, ErrUndefined) {
		t.Errorf("Greeks at the kink: error %v, want ErrUndefined", err)
	}
	if _, _, err := PriceGreeks(Put, 100, 100, 0, 0, 0, 1); !errors.Is(err, ErrUndefined) {
		t.Errorf("Greeks at the zero-volatility kink: error %v, want ErrUndefined", err)
	}
}

// TestInvalid checks that every argument outside its domain is an error
// wrapping ErrInvalid, and that none panics.
func TestInvalid(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name                 string
		k                    Kind
		s, K, r, q, vol, tau float64
	}{
		{"zero kind", 0, 100, 100, 0, 0, 0.2, 1},
		{"unknown kind", 3, 100, 100, 0, 0, 0.2, 1},
		{"negative spot", Call, -1, 100, 0, 0, 0.2, 1},
		{"NaN spot", Call, nan, 100, 0, 0, 0.2, 1},
		{"infinite spot", Call, inf, 100, 0, 0, 0.2, 1},
		{"negative strike", Put, 100, -1, 0, 0, 0.2, 1},
		{"NaN rate", Call, 100, 100, nan, 0, 0.2, 1},
		{"infinite rate", Call, 100, 100, inf, 0, 0.2, 1},
		{"NaN yield", Call, 100, 100, 0, nan, 0.2, 1},
		{"negative infinite yield", Call, 100, 100, 0, -inf, 0.2, 1},
		{"negative vol", Call, 100, 100, 0, 0, -0.2, 1},
		{"infinite vol", Call, 100, 100, 0, 0, inf, 1},
		{"negative time", Call, 100, 100, 0, 0, 0.2, -1},
		{"NaN time", Call, 100, 100, 0, 0, 0.2, nan},
		{"discount overflow", Put, 100, 100, -1000, 0, 0.2, 5},
		{"discount overflow at zero spot", Call, 0, 100, 0, -1000, 0.2, 5},
		{"total volatility overflow", Call, 100, 100, 0, 0, 1e308, 4},
	} {
		if _, err := Price(c.k, c.s, c.K, c.r, c.q, c.vol, c.tau); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Price error %v, want ErrInvalid", c.name, err)
		}
		if _, _, err := PriceGreeks(c.k, c.s, c.K, c.r, c.q, c.vol, c.tau); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: PriceGreeks error %v, want ErrInvalid", c.name, err)
		}
	}
	// Large finite arguments whose sum overflows are valid.
	if _, err := Price(Call, math.MaxFloat64, math.MaxFloat64, 0, 0, 0.2, 1); err != nil {
		t.Errorf("huge spot and strike: %v", err)
	}
}

// TestKind checks the names and payoffs of the kinds.
func TestKind(t *testing.T) {
	for _, c := range []struct {
		k      Kind
		name   string
		payoff float64 // at S = 120, K = 100
	}{{Call, "call", 20}, {Put, "put", 0}, {0, "Kind(0)", 0}, {9, "Kind(9)", 0}} {
		if c.k.String() != c.name || c.k.Payoff(120, 100) != c.payoff {
			t.Errorf("Kind %d: %q, payoff %v; want %q, %v", uint8(c.k), c.k.String(), c.k.Payoff(120, 100), c.name, c.payoff)
		}
	}
}

// checkPrice reports whether v is a valid price of kind k: finite and within
// the no-arbitrage bounds.
func checkPrice(t *testing.T, k Kind, v, s, K, r, q, tau float64) {
	t.Helper()
	x, y := s*math.Exp(-q*tau), K*math.Exp(-r*tau)
	lo, hi := max(x-y, 0), x
	if k == Put {
		lo, hi = max(y-x, 0), y
	}
	if !(v >= lo && v <= hi) {
		t.Errorf("%v S=%v K=%v r=%v q=%v τ=%v: price %v outside [%v, %v]", k, s, K, r, q, tau, v, lo, hi)
	}
}

// TestPriceExtreme checks that prices stay finite and within the
// no-arbitrage bounds, and the Greeks finite, far outside the ranges of
// real markets: moneyness from e^−30 to e^30, volatility to 100, time to 100
// years.
func TestPriceExtreme(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	for range 20000 {
		s := math.Exp(rng.Float64()*40 - 20)
		k := s * math.Exp(rng.Float64()*60-30)
		r := rng.Float64()*0.6 - 0.3
		q := rng.Float64()*0.6 - 0.3
		vol := math.Exp(rng.Float64()*16 - 11.4) // 1e-5 to 100
		tau := math.Exp(rng.Float64()*14 - 9.4)  // 8e-5 to 100
		for _, kind := range []Kind{Call, Put} {
			v, err := Price(kind, s, k, r, q, vol, tau)
			if err != nil {
				t.Fatal(err)
			}
			checkPrice(t, kind, v, s, k, r, q, tau)
			if _, _, err := PriceGreeks(kind, s, k, r, q, vol, tau); err != nil && !errors.Is(err, ErrUndefined) {
				t.Errorf("Greeks S=%v K=%v: %v", s, k, err)
			}
		}
	}
}

// FuzzPrice checks that no input panics and that every price returned lies
// within the no-arbitrage bounds.
func FuzzPrice(f *testing.F) {
	f.Add(uint8(1), 100.0, 100.0, 0.05, 0.0, 0.2, 1.0)
	f.Add(uint8(2), 1e-300, 1e300, -0.5, 3.0, 1e-300, 1e-300)
	f.Add(uint8(0), math.NaN(), math.Inf(1), 0.0, 0.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, kind uint8, s, k, r, q, vol, tau float64) {
		v, err := Price(Kind(kind), s, k, r, q, vol, tau)
		if err != nil {
			return
		}
		checkPrice(t, Kind(kind), v, s, k, r, q, tau)
		_, g, err := PriceGreeks(Kind(kind), s, k, r, q, vol, tau)
		if err == nil {
			for _, x := range []float64{g.Delta, g.Gamma, g.Vega, g.Theta, g.Rho} {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Errorf("non-finite Greek in %+v", g)
				}
			}
		}
	})
}

var sink float64

// BenchmarkPrice measures one call price, the operation a Monte Carlo
// step repeats.
func BenchmarkPrice(b *testing.B) {
	b.ReportAllocs()
	s := 100.0
	for i := 0; b.Loop(); i++ {
		v, _ := Price(Call, s+float64(i&63), 100, 0.05, 0, 0.8, 0.25)
		sink += v
	}
}

// BenchmarkPriceGreeks measures a price with its five Greeks.
func BenchmarkPriceGreeks(b *testing.B) {
	b.ReportAllocs()
	s := 100.0
	for i := 0; b.Loop(); i++ {
		v, g, _ := PriceGreeks(Put, s+float64(i&63), 100, 0.05, 0, 0.8, 0.25)
		sink += v + g.Delta
	}
}
