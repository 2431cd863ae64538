package option

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// gbmPath returns n+1 daily spots of geometric Brownian motion from s0 with
// drift mu and volatility vol (per year), and their times in years.
func gbmPath(rng *rand.Rand, n int, s0, mu, vol float64) (times, spots []float64) {
	const dt = 1.0 / 365
	times, spots = make([]float64, n+1), make([]float64, n+1)
	spots[0] = s0
	for i := 1; i <= n; i++ {
		times[i] = float64(i) * dt
		spots[i] = spots[i-1] * math.Exp((mu-vol*vol/2)*dt+vol*math.Sqrt(dt)*rng.NormFloat64())
	}
	return times, spots
}

// TestRollerBounds rolls monthly collars along 300 random paths of a year
// and checks each period's record: contiguous periods, strikes at the given
// moneyness, the premium and P&L of the period's collar, and P&L within the
// period's bounds exactly. It also checks the path totals against their
// definitions.
func TestRollerBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(2021, 12))
	for _, ro := range []Roller{
		{PutMoneyness: 0.9, CallMoneyness: 1.1, Every: 30, Rate: 0.05, Vol: 0.8},
		{PutMoneyness: 0.8, CallMoneyness: 1.25, Every: 7, Rate: 0.03, Yield: 0.04, Vol: 1.2},
		{PutMoneyness: 0.95, CallMoneyness: 1.05, Every: 365, Rate: 0, Vol: 0.5},
		{PutMoneyness: 0.9, ZeroCost: true, Every: 30, Rate: 0.05, Vol: 0.8},
		{PutMoneyness: 0.9, CallMoneyness: 1.2, Every: 1, Rate: 0, Vol: 0.8},
	} {
		var buf []RollPeriod
		for path := range 300 {
			qty := 10.0
			if path%3 == 2 {
				qty = -4 // a short holding is collared the other way
			}
			times, spots := gbmPath(rng, 365, 2000, 0.1, 1.0)
			res, err := ro.Run(qty, times, spots, buf)
			if err != nil {
				t.Fatalf("%+v path %d: %v", ro, path, err)
			}
			buf = res.Periods
			n := len(spots) - 1
			if want := (n + ro.Every - 1) / ro.Every; len(res.Periods) != want {
				t.Fatalf("%+v: %d periods, want %d", ro, len(res.Periods), want)
			}
			if res.Unhedged != qty*(spots[n]-spots[0]) {
				t.Errorf("Unhedged %v, want %v", res.Unhedged, qty*(spots[n]-spots[0]))
			}
			var sumPnL, cash float64
			for k, p := range res.Periods {
				if p.Start != k*ro.Every || p.End != min(p.Start+ro.Every, n) || p.Tau != times[p.End]-times[p.Start] {
					t.Fatalf("period %d: %+v", k, p)
				}
				s := spots[p.Start]
				if p.PutStrike != ro.PutMoneyness*s || !ro.ZeroCost && p.CallStrike != ro.CallMoneyness*s {
					t.Errorf("period %d: strikes %v, %v at spot %v", k, p.PutStrike, p.CallStrike, s)
				}
				// The bounds per period, exactly.
				if !(p.Lo <= p.PnL && p.PnL <= p.Hi) {
					t.Fatalf("%+v path %d period %d: P&L %v outside [%v, %v]", ro, path, k, p.PnL, p.Lo, p.Hi)
				}
				// The record is that of the period's collar.
				pos := Collar(qty, p.PutStrike, p.CallStrike, p.Tau)
				prem, _ := pos.Premium(s, ro.Rate, ro.Yield, ro.Vol, 0)
				pnl, _ := pos.HedgedPnL(s, spots[p.End], prem, ro.Rate)
				lo, hi, _ := pos.Bounds(s, prem, ro.Rate)
				if p.Premium != prem || p.PnL != pnl || p.Lo != lo || p.Hi != hi {
					t.Errorf("period %d: %+v, want premium %v P&L %v bounds [%v, %v]", k, p, prem, pnl, lo, hi)
				}
				// The bounds are the collar's floor and cap.
				carry := prem * math.Exp(ro.Rate*p.Tau)
				floor, cap := qty*(p.PutStrike-s)-carry, qty*(p.CallStrike-s)-carry
				if mag := math.Abs(qty)*(s+p.CallStrike) + math.Abs(carry); math.Abs(min(floor, cap)-p.Lo) > 4*epsilon*mag ||
					math.Abs(max(floor, cap)-p.Hi) > 4*epsilon*mag {
					t.Errorf("period %d: bounds [%v, %v], want [%v, %v]", k, p.Lo, p.Hi, min(floor, cap), max(floor, cap))
				}
				if ro.ZeroCost && math.Abs(p.Premium) > 1e-12*math.Abs(qty)*s {
					t.Errorf("zero-cost period %d: premium %v", k, p.Premium)
				}
				sumPnL += p.PnL
				cash += (p.Payoff - p.Premium*math.Exp(ro.Rate*p.Tau)) * math.Exp(ro.Rate*(times[n]-times[p.End]))
			}
			scale := math.Abs(qty) * spots[0] * float64(len(res.Periods)+1) * 10
			if want := res.Unhedged + cash; math.Abs(res.Hedged-want) > 1e-13*scale {
				t.Errorf("Hedged %v, want %v", res.Hedged, want)
			}
			if ro.Rate == 0 && math.Abs(res.Hedged-sumPnL) > 1e-13*scale {
				t.Errorf("zero rate: Hedged %v, sum of period P&L %v", res.Hedged, sumPnL)
			}
		}
	}
}

// TestRollerDeterministic checks that Run is a pure function: the same
// inputs give the same result, whether or not a buffer is reused, and with
// no allocation once the buffer is large enough.
func TestRollerDeterministic(t *testing.T) {
	times, spots := gbmPath(rand.New(rand.NewPCG(1, 1)), 365, 100, 0, 0.9)
	ro := Roller{PutMoneyness: 0.85, ZeroCost: true, Every: 14, Rate: 0.04, Vol: 0.9}
	a, err := ro.Run(1, times, spots, nil)
	if err != nil {
		t.Fatal(err)
	}
	stale := make([]RollPeriod, 100)
	for i := range stale {
		stale[i].PnL = math.NaN()
	}
	b, err := ro.Run(1, times, spots, stale)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hedged != b.Hedged || a.Unhedged != b.Unhedged || len(a.Periods) != len(b.Periods) {
		t.Fatalf("results differ: %+v vs %+v", a, b)
	}
	for i := range a.Periods {
		if a.Periods[i] != b.Periods[i] {
			t.Errorf("period %d differs: %+v vs %+v", i, a.Periods[i], b.Periods[i])
		}
	}
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := ro.Run(1, times, spots, stale); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Run with a large enough buffer allocates %v times, want 0", allocs)
	}
}

// TestRollerEdges checks a path of one spot, a last period shorter than the
// others, and invalid arguments.
func TestRollerEdges(t *testing.T) {
	ro := Roller{PutMoneyness: 0.9, CallMoneyness: 1.1, Every: 2, Vol: 0.5}
	res, err := ro.Run(1, []float64{0}, []float64{100}, nil)
	if err != nil || len(res.Periods) != 0 || res.Hedged != 0 || res.Unhedged != 0 {
		t.Errorf("single spot: %+v, %v", res, err)
	}
	res, err = ro.Run(1, []float64{0, 0.1, 0.2}, []float64{100, 120, 130}, nil)
	if err != nil || len(res.Periods) != 1 || res.Periods[0].End != 2 {
		t.Fatalf("two steps: %+v, %v", res, err)
	}
	// The call at 110 caps the holding: 110 − 100 less the premium.
	if want := 10 - res.Periods[0].Premium; math.Abs(res.Hedged-want) > 1e-12 {
		t.Errorf("capped holding: %v, want %v", res.Hedged, want)
	}
	res, err = ro.Run(1, []float64{0, 0.1, 0.2}, []float64{100, 120, 50}, append([]RollPeriod(nil), RollPeriod{}, RollPeriod{}))
	if err != nil || len(res.Periods) != 1 {
		t.Fatalf("three steps: %+v, %v", res, err)
	}
	// The put at 90 floors the holding: 90 − 100 less the premium.
	if want := -10 - res.Periods[0].Premium; math.Abs(res.Hedged-want) > 1e-12 {
		t.Errorf("floored holding: %v, want %v", res.Hedged, want)
	}
	three := Roller{PutMoneyness: 0.9, CallMoneyness: 1.1, Every: 2, Vol: 0.5}
	res, err = three.Run(1, []float64{0, 1, 2, 3}, []float64{100, 100, 100, 100}, nil)
	if err != nil || len(res.Periods) != 2 || res.Periods[1].Start != 2 || res.Periods[1].End != 3 || res.Periods[1].Tau != 1 {
		t.Errorf("short last period: %+v, %v", res, err)
	}

	times, spots := []float64{0, 0.5, 1}, []float64{100, 90, 110}
	for _, c := range []struct {
		name   string
		ro     Roller
		qty    float64
		times  []float64
		spots  []float64
		target error
	}{
		{"zero Every", Roller{PutMoneyness: 0.9, CallMoneyness: 1.1, Vol: 0.5}, 1, times, spots, ErrInvalid},
		{"negative moneyness", Roller{PutMoneyness: -0.9, CallMoneyness: 1.1, Every: 1, Vol: 0.5}, 1, times, spots, ErrInvalid},
		{"NaN vol", Roller{PutMoneyness: 0.9, CallMoneyness: 1.1, Every: 1, Vol: math.NaN()}, 1, times, spots, ErrInvalid},
		{"infinite rate", Roller{PutMoneyness: 0.9, CallMoneyness: 1.1, Every: 1, Vol: 0.5, Rate: math.Inf(1)}, 1, times, spots, ErrInvalid},
		{"NaN quantity", ro, math.NaN(), times, spots, ErrInvalid},
		{"length mismatch", ro, 1, times[:2], spots, ErrInvalid},
		{"empty path", ro, 1, nil, nil, ErrInvalid},
		{"times not increasing", ro, 1, []float64{0, 0.5, 0.5}, spots, ErrInvalid},
		{"NaN time", ro, 1, []float64{0, math.NaN(), 1}, spots, ErrInvalid},
		{"negative spot", ro, 1, times, []float64{100, -1, 110}, ErrInvalid},
		{"zero-cost at zero vol", Roller{PutMoneyness: 0.9, ZeroCost: true, Every: 1}, 1, times, spots, ErrInvalid},
		{"zero-cost with a put worth more than the spot", Roller{PutMoneyness: 3, ZeroCost: true, Every: 1, Vol: 0.5}, 1, times, spots, ErrNoSolution},
	} {
		if _, err := c.ro.Run(c.qty, c.times, c.spots, nil); !errors.Is(err, c.target) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.target)
		}
	}
}
