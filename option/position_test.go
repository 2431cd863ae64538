package option

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestCollarBounds draws 100,000 terminal prices, lognormal around the
// spot plus the edge cases 0, the strikes and huge prices, and checks that
// the hedged P&L of collars lies within Bounds exactly, reaches them beyond
// the strikes, matches the defining formula to rounding, and that Bounds
// match the brief's closed form to rounding.
func TestCollarBounds(t *testing.T) {
	const (
		s0, r, q = 2000.0, 0.05, 0.0
	)
	rng := rand.New(rand.NewPCG(12, 26))
	for _, c := range []struct {
		qty, kp, kc, vol, tau float64
	}{
		{10, 1800, 2200, 0.8, 0.25},
		{10, 1800, 2000, 0.8, 1},
		{-3, 1800, 2300, 0.6, 0.5}, // collar on a short holding
		{0.37, 2000, 2000, 1.1, 1.0 / 52},
		{1e4, 1000, 5000, 1.5, 2},
	} {
		pos := Collar(c.qty, c.kp, c.kc, c.tau)
		prem, err := pos.Premium(s0, r, q, c.vol, 0)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi, err := pos.Bounds(s0, prem, r)
		if err != nil {
			t.Fatal(err)
		}
		carry := prem * math.Exp(r*c.tau)
		wantLo, wantHi := c.qty*(c.kp-s0)-carry, c.qty*(c.kc-s0)-carry
		if c.qty < 0 {
			wantLo, wantHi = wantHi, wantLo
		}
		// Magnitude of the terms, for rounding tolerances.
		mag := math.Abs(c.qty)*(s0+c.kc) + math.Abs(carry)
		if math.Abs(lo-wantLo) > 4*epsilon*mag || math.Abs(hi-wantHi) > 4*epsilon*mag {
			t.Errorf("%+v: Bounds [%v, %v], want [%v, %v]", c, lo, hi, wantLo, wantHi)
		}
		for i := range 100000 {
			var sT float64
			switch i {
			case 0:
				sT = 0
			case 1:
				sT = c.kp
			case 2:
				sT = c.kc
			case 3:
				sT = 1e300
			case 4:
				sT = math.Nextafter(c.kc, 0)
			default:
				sT = s0 * math.Exp(c.vol*math.Sqrt(c.tau)*2*rng.NormFloat64()) // twice the volatility, to reach the tails
			}
			pnl, err := pos.HedgedPnL(s0, sT, prem, r)
			if err != nil {
				t.Fatal(err)
			}
			if !(pnl >= lo && pnl <= hi) {
				t.Fatalf("%+v S_T=%v: P&L %v outside [%v, %v]", c, sT, pnl, lo, hi)
			}
			// Beyond the strikes the bounds are reached exactly.
			floor, cap := lo, hi
			if c.qty < 0 {
				floor, cap = hi, lo
			}
			if sT <= c.kp && pnl != floor || sT >= c.kc && pnl != cap {
				t.Fatalf("%+v S_T=%v: P&L %v, want the bound %v or %v", c, sT, pnl, floor, cap)
			}
			payoff, err := pos.Payoff(sT)
			if err != nil {
				t.Fatal(err)
			}
			direct := c.qty*(sT-s0) + payoff - carry
			if math.Abs(pnl-direct) > 8*epsilon*(math.Abs(c.qty)*(sT+s0+c.kc)+math.Abs(carry)) {
				t.Fatalf("%+v S_T=%v: P&L %v, formula %v", c, sT, pnl, direct)
			}
		}
	}
}

// TestCollarFairRiskNeutral checks the premium against Monte Carlo: when
// the spot drifts at r − q, the pricing measure, the legs' payoff at expiry
// is worth the premium carried at r on average, so the mean of
// Payoff(S_T) − premium·e^(rT) is zero. With a fixed seed the sample mean
// must lie within 4 standard errors of zero (a false alarm has probability
// 6e-5 for a new seed).
func TestCollarFairRiskNeutral(t *testing.T) {
	const n = 200000
	rng := rand.New(rand.NewPCG(99, 1))
	for _, c := range []struct {
		s0, kp, kc, r, q, vol, tau float64
	}{
		{3000, 2700, 3300, 0.05, 0, 0.8, 0.25},
		{100, 80, 140, 0.03, 0.04, 1.2, 2},
		{100, 100, 100, 0, 0, 0.4, 1},
	} {
		pos := Collar(1, c.kp, c.kc, c.tau)
		prem, err := pos.Premium(c.s0, c.r, c.q, c.vol, 0)
		if err != nil {
			t.Fatal(err)
		}
		carry := prem * math.Exp(c.r*c.tau)
		var sum, sum2 float64
		for range n {
			sT := c.s0 * math.Exp((c.r-c.q-c.vol*c.vol/2)*c.tau+c.vol*math.Sqrt(c.tau)*rng.NormFloat64())
			pay, _ := pos.Payoff(sT)
			d := pay - carry
			sum += d
			sum2 += d * d
		}
		mean := sum / n
		se := math.Sqrt((sum2/n - mean*mean) / (n - 1))
		if math.Abs(mean) > 4*se {
			t.Errorf("%+v: mean payoff less carried premium %v, standard error %v", c, mean, se)
		}
	}
}

// TestPositionBounds checks Bounds on positions other than collars:
// unbounded sides, a put spread and a position whose extreme lies at an
// interior strike.
func TestPositionBounds(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		name   string
		pos    Position
		lo, hi float64 // with s0 = 100, premium 0
	}{
		{"protective put", Position{Underlying: 1, Legs: []Leg{{Put, 90, 1, 1}}}, -10, inf},
		{"covered call", Position{Underlying: 2, Legs: []Leg{{Call, 120, 1, -2}}}, -200, 40},
		{"short straddle", Position{Legs: []Leg{{Call, 100, 1, -1}, {Put, 100, 1, -1}}}, -inf, 0},
		{"long butterfly", Position{Legs: []Leg{{Call, 90, 1, 1}, {Call, 100, 1, -2}, {Call, 110, 1, 1}}}, 0, 10},
		{"short holding", Position{Underlying: -1, Legs: []Leg{{Call, 0, 1, 0}}}, -inf, 100},
		{"zero strike call", Position{Legs: []Leg{{Call, 0, 1, 1}}}, 0, inf},
		{"zero strike put", Position{Underlying: 1, Legs: []Leg{{Put, 0, 1, 5}}}, -100, inf},
	} {
		lo, hi, err := c.pos.Bounds(100, 0, 0.05)
		if err != nil || lo != c.lo || hi != c.hi {
			t.Errorf("%s: Bounds [%v, %v], %v; want [%v, %v]", c.name, lo, hi, err, c.lo, c.hi)
		}
		for _, sT := range []float64{0, 50, 89.5, 90, 95, 100, 105, 110, 119, 120, 150, 1e6} {
			pnl, err := c.pos.HedgedPnL(100, sT, 0, 0.05)
			if err != nil || pnl < lo || pnl > hi {
				t.Errorf("%s S_T=%v: P&L %v, %v outside [%v, %v]", c.name, sT, pnl, err, lo, hi)
			}
			pay, _ := c.pos.Payoff(sT)
			if want := c.pos.Underlying*(sT-100) + pay; math.Abs(pnl-want) > 1e-9 {
				t.Errorf("%s S_T=%v: P&L %v, want %v", c.name, sT, pnl, want)
			}
		}
	}
}

// TestPremiumAndMarkToMarket checks the premium of a collar against its
// legs' prices, the mark to market at inception and at expiry, and the
// premium carried into the P&L.
func TestPremiumAndMarkToMarket(t *testing.T) {
	const s0, r, q, vol, tau = 100.0, 0.05, 0.01, 0.8, 0.5
	pos := Collar(3, 90, 115, tau)
	put, _ := Price(Put, s0, 90, r, q, vol, tau)
	call, _ := Price(Call, s0, 115, r, q, vol, tau)
	prem, err := pos.Premium(s0, r, q, vol, 0)
	if err != nil || prem != 3*put-3*call {
		t.Errorf("Premium %v, %v; want 3·(%v − %v)", prem, err, put, call)
	}
	mtm, err := pos.MarkToMarket(s0, r, q, vol, 0)
	if err != nil || mtm != 3*s0+prem {
		t.Errorf("MarkToMarket at inception %v, %v; want %v", mtm, err, 3*s0+prem)
	}
	// At expiry the legs are worth their payoff.
	for _, sT := range []float64{50, 90, 100, 115, 200} {
		mtm, err := pos.MarkToMarket(sT, r, q, vol, tau)
		pay, _ := pos.Payoff(sT)
		if err != nil || mtm != 3*sT+pay {
			t.Errorf("MarkToMarket at expiry, S=%v: %v, %v; want %v", sT, mtm, err, 3*sT+pay)
		}
		// The value at expiry of a collar is the clamped holding.
		if want := 3 * min(max(sT, 90), 115); math.Abs(mtm-want) > 1e-12 {
			t.Errorf("collar at expiry, S=%v: %v, want %v", sT, mtm, want)
		}
		pnl, _ := pos.HedgedPnL(s0, sT, prem, r)
		if want := mtm - 3*s0 - prem*math.Exp(r*tau); math.Abs(pnl-want) > 1e-12 {
			t.Errorf("HedgedPnL S=%v: %v, want %v", sT, pnl, want)
		}
	}
	// Halfway, the mark to market moves with the position's delta.
	g, err := pos.Greeks(s0, r, q, vol, tau/2)
	if err != nil {
		t.Fatal(err)
	}
	const h = 1e-3
	up, _ := pos.MarkToMarket(s0+h, r, q, vol, tau/2)
	down, _ := pos.MarkToMarket(s0-h, r, q, vol, tau/2)
	if fd := (up - down) / (2 * h); math.Abs(fd-g.Delta) > 1e-7 {
		t.Errorf("position delta %v, central difference %v", g.Delta, fd)
	}
	_, pg, _ := PriceGreeks(Put, s0, 90, r, q, vol, tau/2)
	_, cg, _ := PriceGreeks(Call, s0, 115, r, q, vol, tau/2)
	if want := 3 + 3*pg.Delta - 3*cg.Delta; math.Abs(g.Delta-want) > 1e-14 {
		t.Errorf("position delta %v, want %v", g.Delta, want)
	}
	if want := 3*pg.Vega - 3*cg.Vega; math.Abs(g.Vega-want) > 1e-12 {
		t.Errorf("position vega %v, want %v", g.Vega, want)
	}
}

// TestPositionErrors checks invalid positions and arguments.
func TestPositionErrors(t *testing.T) {
	nan := math.NaN()
	good := Collar(1, 90, 110, 1)
	for _, c := range []struct {
		name string
		pos  Position
		want error
	}{
		{"NaN underlying", Position{Underlying: nan, Legs: good.Legs}, ErrInvalid},
		{"bad kind", Position{Legs: []Leg{{0, 100, 1, 1}}}, ErrInvalid},
		{"negative strike", Position{Legs: []Leg{{Call, -1, 1, 1}}}, ErrInvalid},
		{"NaN expiry", Position{Legs: []Leg{{Call, 100, nan, 1}}}, ErrInvalid},
		{"infinite quantity", Position{Legs: []Leg{{Put, 100, 1, math.Inf(-1)}}}, ErrInvalid},
	} {
		if err := c.pos.Validate(); !errors.Is(err, c.want) {
			t.Errorf("%s: Validate %v, want %v", c.name, err, c.want)
		}
		if _, err := c.pos.Premium(100, 0, 0, 0.5, 0); !errors.Is(err, c.want) {
			t.Errorf("%s: Premium %v, want %v", c.name, err, c.want)
		}
		if _, err := c.pos.Payoff(100); !errors.Is(err, c.want) {
			t.Errorf("%s: Payoff %v, want %v", c.name, err, c.want)
		}
		if _, err := c.pos.HedgedPnL(100, 100, 0, 0); !errors.Is(err, c.want) {
			t.Errorf("%s: HedgedPnL %v, want %v", c.name, err, c.want)
		}
		if _, _, err := c.pos.Bounds(100, 0, 0); !errors.Is(err, c.want) {
			t.Errorf("%s: Bounds %v, want %v", c.name, err, c.want)
		}
	}
	mixed := Position{Legs: []Leg{{Put, 90, 1, 1}, {Call, 110, 0.5, -1}}}
	if _, err := mixed.Expiry(); !errors.Is(err, ErrInvalid) {
		t.Errorf("mixed expiries: %v, want ErrInvalid", err)
	}
	if _, err := mixed.HedgedPnL(100, 100, 0, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("mixed expiries HedgedPnL: %v, want ErrInvalid", err)
	}
	if _, err := (Position{Underlying: 1}).Expiry(); !errors.Is(err, ErrInvalid) {
		t.Errorf("no legs: %v, want ErrInvalid", err)
	}
	if _, err := good.Premium(100, 0, 0, 0.5, 1.5); !errors.Is(err, ErrExpired) {
		t.Errorf("valued after expiry: %v, want ErrExpired", err)
	}
	if _, err := good.MarkToMarket(100, 0, 0, 0.5, -1); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative valuation time: %v, want ErrInvalid", err)
	}
	if _, err := good.Greeks(100, 0, 0, 0.5, 2); !errors.Is(err, ErrExpired) {
		t.Errorf("Greeks after expiry: %v, want ErrExpired", err)
	}
	if _, err := Collar(1, 100, 110, 1).Greeks(100, 0, 0, 0.5, 1); !errors.Is(err, ErrUndefined) {
		t.Errorf("Greeks of a put at its kink at expiry: %v, want ErrUndefined", err)
	}
	for _, c := range []struct {
		name                  string
		s0, sT, premium, rate float64
	}{
		{"negative initial spot", -1, 100, 0, 0},
		{"NaN terminal spot", 100, nan, 0, 0},
		{"infinite terminal spot", 100, math.Inf(1), 0, 0},
		{"NaN premium", 100, 100, nan, 0},
		{"infinite rate", 100, 100, 1, math.Inf(1)},
		{"carry overflow", 100, 100, 1, 1000},
	} {
		if _, err := good.HedgedPnL(c.s0, c.sT, c.premium, c.rate); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: HedgedPnL %v, want ErrInvalid", c.name, err)
		}
	}
	if _, err := good.Payoff(-1); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative terminal spot: Payoff %v, want ErrInvalid", err)
	}
}

// BenchmarkHedgedPnL measures the P&L of a collar at one terminal price,
// the per-path cost of a Monte Carlo of a hedged holding.
func BenchmarkHedgedPnL(b *testing.B) {
	b.ReportAllocs()
	pos := Collar(10, 1800, 2200, 0.25)
	for i := 0; b.Loop(); i++ {
		v, _ := pos.HedgedPnL(2000, 1500+float64(i&1023), 12.5, 0.05)
		sink += v
	}
}

// FuzzHedgedPnL checks that no position of one to three legs panics and
// that every P&L returned lies within Bounds exactly.
func FuzzHedgedPnL(f *testing.F) {
	f.Add(10.0, 1800.0, 2200.0, 0.0, 2000.0, 1500.0, 12.5, 0.05, 0.25, uint8(0))
	f.Add(-3.0, 0.0, 1e300, 5e-324, 1e-300, 1e300, -1e10, -2.0, 1e-9, uint8(5))
	f.Fuzz(func(t *testing.T, qty, k1, k2, k3, s0, sT, premium, r, T float64, shape uint8) {
		pos := Collar(qty, k1, k2, T)
		switch shape % 3 {
		case 1: // a third leg: a put spread under the collar
			pos.Legs = append(pos.Legs, Leg{Put, k3, T, -qty / 2})
		case 2: // a lone call with an odd quantity
			pos = Position{Underlying: qty, Legs: []Leg{{Call, k3, T, -qty * 1.5}}}
		}
		lo, hi, err := pos.Bounds(s0, premium, r)
		if err != nil {
			return
		}
		pnl, err := pos.HedgedPnL(s0, sT, premium, r)
		if err != nil {
			return
		}
		if !(lo <= pnl && pnl <= hi) {
			t.Errorf("%+v s0=%v sT=%v: P&L %v outside [%v, %v]", pos, s0, sT, pnl, lo, hi)
		}
	})
}
