package option

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestImpliedVolTable recovers the volatility of typical options to 1e-12.
func TestImpliedVolTable(t *testing.T) {
	for _, c := range []struct {
		k                    Kind
		s, K, r, q, vol, tau float64
	}{
		{Call, 100, 100, 0.05, 0, 0.2, 1},
		{Put, 100, 100, 0.05, 0, 0.2, 1},
		{Put, 100, 90, 0.05, 0, 0.8, 0.25},
		{Call, 100, 110, 0.05, 0, 0.8, 0.25},
		{Call, 3000, 2500, 0.04, 0.035, 0.9, 1.0 / 12},
		{Put, 1, 1.5, -0.01, 0.05, 1.5, 3},
		{Call, 100, 100, 0, 0, 4, 2},
		{Put, 100, 60, 0.03, 0, 0.05, 0.5}, // vega small but the price informative
	} {
		p, err := Price(c.k, c.s, c.K, c.r, c.q, c.vol, c.tau)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ImpliedVol(c.k, p, c.s, c.K, c.r, c.q, c.tau)
		if err != nil {
			t.Errorf("%v %+v: %v", c.k, c, err)
			continue
		}
		_, g, _ := PriceGreeks(c.k, c.s, c.K, c.r, c.q, c.vol, c.tau)
		// The price is known to a few ulps of x + y; the volatility to that
		// divided by vega.
		tol := 1e-12*c.vol + 8*epsilon*(c.s+c.K)/g.Vega
		if math.Abs(got-c.vol) > tol {
			t.Errorf("%v %+v: implied vol %.17g, want %v ± %.3g", c.k, c, got, c.vol, tol)
		}
	}
}

const epsilon = 0x1p-52

// TestImpliedVolRoundTrip prices 10,000 random options and recovers their
// volatility. The recovered volatility must reprice the option to within a
// few ulps of x + y, and differ from the true one by no more than that
// residual divided by vega: the precision the price itself carries.
func TestImpliedVolRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	for i := range 10000 {
		s, K, r, q, vol, tau := randomMarket(rng)
		k := Call
		if i%2 == 1 {
			k = Put
		}
		p, _, err := PriceGreeks(k, s, K, r, q, vol, tau)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ImpliedVol(k, p, s, K, r, q, tau)
		if err != nil {
			// A price equal to the lower bound in float64 carries no
			// volatility; it must really be at the bound.
			t.Errorf("case %d %v S=%v K=%v r=%v q=%v σ=%v τ=%v price %v: %v", i, k, s, K, r, q, vol, tau, p, err)
			continue
		}
		xy := s*math.Exp(-q*tau) + K*math.Exp(-r*tau)
		rp, g, err := PriceGreeks(k, s, K, r, q, got, tau)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(rp-p) > 8*epsilon*xy {
			t.Errorf("case %d: reprice %v, want %v", i, rp, p)
		}
		// Vega at the true volatility, or at the recovered one if larger
		// (both bound the slope over the interval between them from below
		// only approximately, so take the smaller for a conservative bound).
		_, g0, _ := PriceGreeks(k, s, K, r, q, vol, tau)
		v := min(g.Vega, g0.Vega)
		if tol := 1e-12*vol + 16*epsilon*xy/v; !(math.Abs(got-vol) <= tol) {
			t.Errorf("case %d %v S=%v K=%v σ=%v τ=%v: implied vol %.17g, want ± %.3g", i, k, s, K, vol, tau, got, tol)
		}
	}
}

// TestImpliedVolErrors checks prices outside the no-arbitrage bounds and
// invalid arguments.
func TestImpliedVolErrors(t *testing.T) {
	x, y := 100.0, 100*math.Exp(-0.05) // S = K = 100, r = 5%, q = 0, τ = 1
	for _, c := range []struct {
		name  string
		k     Kind
		price float64
		tau   float64
		want  error
	}{
		{"call below intrinsic", Call, x - y - 1e-9, 1, ErrBounds},
		{"negative call", Call, -1, 1, ErrBounds},
		{"call at upper bound", Call, x, 1, ErrBounds},
		{"call above upper bound", Call, x + 1, 1, ErrBounds},
		{"put below zero", Put, -1e-12, 1, ErrBounds},
		{"put at upper bound", Put, y, 1, ErrBounds},
		{"at expiry", Call, 10, 0, ErrInvalid},
		{"NaN price", Call, math.NaN(), 1, ErrInvalid},
		{"infinite price", Put, math.Inf(1), 1, ErrInvalid},
		{"no kind", 0, 10, 1, ErrInvalid},
	} {
		if _, err := ImpliedVol(c.k, c.price, 100, 100, 0.05, 0, c.tau); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	// A price equal to the lower bound is volatility zero.
	if v, err := ImpliedVol(Call, x-y, 100, 100, 0.05, 0, 1); err != nil || v != 0 {
		t.Errorf("call at intrinsic: %v, %v; want 0", v, err)
	}
	if v, err := ImpliedVol(Put, 0, 100, 100, 0.05, 0, 1); err != nil || v != 0 {
		t.Errorf("worthless put: %v, %v; want 0", v, err)
	}
	// A call one ulp below its upper bound still has a volatility (about
	// 16: N(−σ/2)·K is one ulp of S), which reprices it exactly.
	p := math.Nextafter(x, 0)
	if v, err := ImpliedVol(Call, p, 100, 100, 0.05, 0, 1); err != nil || v < 10 {
		t.Errorf("call one ulp below the spot: %v, %v; want a finite volatility above 10", v, err)
	} else if rp, _ := Price(Call, 100, 100, 0.05, 0, v, 1); rp != p {
		t.Errorf("call one ulp below the spot: volatility %v reprices to %v, want %v", v, rp, p)
	}
}

// TestStrike solves for strikes from prices and checks that they reprice.
func TestStrike(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for i := range 5000 {
		s, K, r, q, vol, tau := randomMarket(rng)
		k := Call
		if i%2 == 1 {
			k = Put
		}
		p, err := Price(k, s, K, r, q, vol, tau)
		if err != nil {
			t.Fatal(err)
		}
		if p == 0 || k == Call && p >= s*math.Exp(-q*tau) {
			continue // no strike, tested below
		}
		got, err := Strike(k, p, s, r, q, vol, tau)
		if err != nil {
			t.Errorf("case %d %v S=%v K=%v σ=%v τ=%v price %v: %v", i, k, s, K, vol, tau, p, err)
			continue
		}
		rp, _ := Price(k, s, got, r, q, vol, tau)
		xy := s*math.Exp(-q*tau) + K*math.Exp(-r*tau)
		if math.Abs(rp-p) > 8*epsilon*xy {
			t.Errorf("case %d %v S=%v K=%v: strike %v reprices to %v, want %v", i, k, s, K, got, rp, p)
		}
	}
	for _, c := range []struct {
		name                     string
		k                        Kind
		price, s, r, q, vol, tau float64
		want                     error
	}{
		{"call at the spot", Call, 100, 100, 0, 0, 0.5, 1, ErrNoSolution},
		{"call above the spot", Call, 150, 100, 0, 0, 0.5, 1, ErrNoSolution},
		{"zero call", Call, 0, 100, 0, 0, 0.5, 1, ErrNoSolution},
		{"negative put", Put, -1, 100, 0, 0, 0.5, 1, ErrNoSolution},
		// At σ√τ = 100 even a put struck at e^−708 is worth about its
		// discounted strike, 3e-308: no strike in range is worth 1e-310.
		{"put too cheap for any strike in range", Put, 1e-310, 100, 0, 0, 100, 1, ErrNoSolution},
		{"zero vol", Put, 5, 100, 0, 0, 0, 1, ErrInvalid},
		{"zero spot", Call, 5, 0, 0, 0, 0.5, 1, ErrInvalid},
		{"at expiry", Call, 5, 100, 0, 0, 0.5, 0, ErrInvalid},
		{"NaN price", Call, math.NaN(), 100, 0, 0, 0.5, 1, ErrInvalid},
	} {
		if _, err := Strike(c.k, c.price, c.s, c.r, c.q, c.vol, c.tau); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	// A put far more expensive than the spot has a strike: puts have no
	// upper bound in the strike. Deep in the money, at r = q = 0, it is
	// worth K − S, so K = 1e6 + 100.
	if K, err := Strike(Put, 1e6, 100, 0, 0, 0.5, 1); err != nil || math.Abs(K-(1e6+100)) > 1e6*1e-12 {
		t.Errorf("put worth 1e6: strike %v, %v; want 1e6+100", K, err)
	}
}

// TestZeroCostCollar solves for the call strike that finances a put and
// back, and checks the cases with no solution.
func TestZeroCostCollar(t *testing.T) {
	for _, c := range []struct {
		s, kp, r, q, vol, tau float64
	}{
		{100, 90, 0.05, 0, 0.8, 0.25},
		{100, 80, 0.05, 0, 0.8, 1},
		{100, 95, 0.05, 0, 0.2, 1},
		{3000, 2400, 0.04, 0.0, 1.2, 1.0 / 12},
		{100, 100, 0.0, 0.0, 0.5, 0.5},
		{100, 120, 0.01, 0.03, 0.5, 2}, // in-the-money put
		{100, 50, 0.05, 0, 0.3, 0.1},   // nearly worthless put
	} {
		kc, err := ZeroCostCall(c.s, c.kp, c.r, c.q, c.vol, c.tau)
		if err != nil {
			t.Errorf("%+v: %v", c, err)
			continue
		}
		put, _ := Price(Put, c.s, c.kp, c.r, c.q, c.vol, c.tau)
		call, _ := Price(Call, c.s, kc, c.r, c.q, c.vol, c.tau)
		xy := c.s*math.Exp(-c.q*c.tau) + c.kp*math.Exp(-c.r*c.tau)
		if math.Abs(call-put) > 8*epsilon*xy {
			t.Errorf("%+v: call strike %v costs %v, put %v", c, kc, call, put)
		}
		// The collar costs nothing.
		prem, err := Collar(1, c.kp, kc, c.tau).Premium(c.s, c.r, c.q, c.vol, 0)
		if err != nil || math.Abs(prem) > 8*epsilon*xy {
			t.Errorf("%+v: collar premium %v, %v; want 0", c, prem, err)
		}
		// The put strike that the call finances is the one we started from,
		// to the precision that the put's price pins it down: its slope in
		// the strike is e^(−rτ)·N(−d2).
		kp, err := ZeroCostPut(c.s, kc, c.r, c.q, c.vol, c.tau)
		if err != nil {
			t.Errorf("%+v: ZeroCostPut: %v", c, err)
			continue
		}
		sd := c.vol * math.Sqrt(c.tau)
		d2 := math.Log(c.s*math.Exp(-c.q*c.tau)/(c.kp*math.Exp(-c.r*c.tau)))/sd - sd/2
		slope := math.Exp(-c.r*c.tau) * normCDF(-d2)
		if tol := 1e-13*c.kp + 16*epsilon*xy/slope; math.Abs(kp-c.kp) > tol {
			t.Errorf("%+v: ZeroCostPut(%v) = %.17g, want %v ± %.3g", c, kc, kp, c.kp, tol)
		}
	}
	// A put worth more than the spot cannot be financed by a call, which is
	// worth at most the spot.
	if _, err := ZeroCostCall(100, 250, 0, 0, 0.5, 1); !errors.Is(err, ErrNoSolution) {
		t.Errorf("put struck at 250: error %v, want ErrNoSolution", err)
	}
	// A worthless put finances no call.
	if _, err := ZeroCostCall(100, 0, 0, 0, 0.5, 1); !errors.Is(err, ErrNoSolution) {
		t.Errorf("put struck at 0: error %v, want ErrNoSolution", err)
	}
	if _, err := ZeroCostPut(100, 100, 0, 0, -1, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative volatility: error %v, want ErrInvalid", err)
	}
}

// FuzzSolvers checks that ImpliedVol and Strike never panic, and that what
// they return is finite and reprices the option to within a few ulps of
// x + y.
func FuzzSolvers(f *testing.F) {
	f.Add(uint8(1), 10.45, 100.0, 100.0, 0.05, 0.0, 0.2, 1.0)
	f.Add(uint8(2), 1e-300, 1e-10, 1e10, 0.3, -0.3, 50.0, 1e-4)
	f.Add(uint8(2), 1e300, 1e300, 1e-300, -0.1, 0.1, 1e-8, 30.0)
	f.Fuzz(func(t *testing.T, kind uint8, price, s, K, r, q, vol, tau float64) {
		k := Kind(kind)
		if v, err := ImpliedVol(k, price, s, K, r, q, tau); err == nil {
			if !(v >= 0) || math.IsInf(v, 0) {
				t.Fatalf("implied vol %v", v)
			}
			rp, err := Price(k, s, K, r, q, v, tau)
			xy := s*math.Exp(-q*tau) + K*math.Exp(-r*tau)
			if err != nil || math.Abs(rp-price) > 8*epsilon*xy {
				t.Errorf("implied vol %v reprices to %v, %v; want %v", v, rp, err, price)
			}
		}
		if kk, err := Strike(k, price, s, r, q, vol, tau); err == nil {
			if !(kk > 0) || math.IsInf(kk, 0) {
				t.Fatalf("strike %v", kk)
			}
			rp, err := Price(k, s, kk, r, q, vol, tau)
			if err != nil {
				t.Fatalf("strike %v does not price: %v", kk, err)
			}
			xy := s*math.Exp(-q*tau) + kk*math.Exp(-r*tau)
			if math.Abs(rp-price) > 16*epsilon*xy {
				t.Errorf("strike %v reprices to %v, want %v", kk, rp, price)
			}
		}
	})
}
