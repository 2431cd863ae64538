package maker

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

func reason(err error) string {
	var r *Revert
	if errors.As(err, &r) {
		return r.Reason
	}
	if err != nil {
		return "non-revert: " + err.Error()
	}
	return ""
}

func TestRpow(t *testing.T) {
	two128 := new(uint256.Int).Lsh(uint256.NewInt(1), 128)
	for _, c := range []struct {
		name    string
		x       uint256.Int
		n       uint64
		b       uint256.Int
		want    string
		wantErr bool
	}{
		{"x^0 is one", u(t, "0"), 0, ray, "1000000000000000000000000000", false},
		{"0^n is zero", u(t, "0"), 7, ray, "0", false},
		{"x^1", u(t, "123"), 1, ray, "123", false},
		{"integer base", u(t, "3"), 5, u(t, "1"), "243", false},
		{"half rounds up", u(t, "15"), 2, u(t, "10"), "23", false},         // 2.25 → 2.3 in tenths: 225+5 = 230 / 10
		{"below half rounds down", u(t, "12"), 2, u(t, "10"), "14", false}, // 1.44 → 1.4
		{"0.99^2", u(t, "990000000000000000000000000"), 2, ray, "980100000000000000000000000", false},
		{"overflow", *two128, 2, ray, "", true},
	} {
		got, err := Rpow(&c.x, c.n, &c.b)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		if !c.wantErr && got.Dec() != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got.Dec(), c.want)
		}
	}
}

func TestSignedArithmetic(t *testing.T) {
	neg := func(s string) uint256.Int { v := u(t, s); return negate(&v) }
	five, three := u(t, "5"), u(t, "3")
	m3, m7 := neg("3"), neg("7")
	if z, err := addSigned(&five, &m3); err != nil || z.Uint64() != 2 {
		t.Errorf("5 + −3 = %v, %v", z.Dec(), err)
	}
	if _, err := addSigned(&five, &m7); err == nil {
		t.Error("5 + −7 did not underflow")
	}
	if z, err := subSigned(&five, &m3); err != nil || z.Uint64() != 8 {
		t.Errorf("5 − −3 = %v, %v", z.Dec(), err)
	}
	if _, err := subSigned(&three, &five); err == nil {
		t.Error("3 − 5 did not underflow")
	}
	z, err := mulSigned(&five, &m3)
	if want := neg("15"); err != nil || !z.Eq(&want) {
		t.Errorf("5 · −3 = %v, %v", z.Dec(), err)
	}
	if _, err := mulSigned(&halfRange, &three); err == nil {
		t.Error("2^255 · 3 did not overflow")
	}
	one := u(t, "1")
	minInt256 := negate(&halfRange)
	if z, err := mulSigned(&one, &minInt256); err != nil || !z.Eq(&minInt256) {
		t.Errorf("1 · −2^255 = %v, %v", z.Dec(), err)
	}
}

func TestCalcReverts(t *testing.T) {
	top := ray
	aboveRay := u(t, "1000000000000000000000000001")
	for _, c := range []struct {
		calc Calc
		want string
	}{
		{StairstepExponentialDecrease{Step: 0, Cut: ray}, "math/division-by-zero"},
		{StairstepExponentialDecrease{Step: 1, Cut: aboveRay}, "StairstepExponentialDecrease/cut-gt-RAY"},
		{ExponentialDecrease{Cut: aboveRay}, "ExponentialDecrease/cut-gt-RAY"},
	} {
		if _, err := c.calc.Price(top, 10); reason(err) != c.want {
			t.Errorf("%T: err %v, want %s", c.calc, err, c.want)
		}
	}
	if p, err := (LinearDecrease{}).Price(top, 0); err != nil || !p.IsZero() {
		t.Errorf("tau 0: %s, %v", p.Dec(), err)
	}
}

// newGold returns a System with one ilk like clip.t.sol's, priced at 5.
func newGold(t *testing.T, hole string) *System {
	t.Helper()
	big := u(t, "1"+strings.Repeat("0", 60))
	s, err := New(Config{Vow: vow, Line: big, Hole: u(t, hole), Par: ray})
	must(t, err)
	must(t, s.AddIlk(gold, IlkConfig{
		Line: big, Dust: u(t, "20"+strings.Repeat("0", 45)), Duty: ray,
		Mat: u(t, "2000000000000000000000000000"), Chop: u(t, "1100000000000000000"), Hole: u(t, hole),
		Buf: u(t, "1250000000000000000000000000"), Tail: 3600, Cusp: u(t, "300000000000000000000000000"),
		Calc: StairstepExponentialDecrease{Step: 1, Cut: u(t, "990000000000000000000000000")},
	}, t0))
	must(t, s.Poke(gold, wads(5)))
	must(t, s.Slip(gold, me, wads(1000)))
	must(t, s.Frob(gold, me, wads(40), wads(100)))
	must(t, s.Poke(gold, wads(4)))
	return s
}

func TestFrobReverts(t *testing.T) {
	s := newGold(t, "1000"+strings.Repeat("0", 45))
	must(t, s.Poke(gold, wads(5)))
	must(t, s.Slip(gold, ali, wads(100)))
	zero := uint256.Int{}
	minus := func(x *uint256.Int) *uint256.Int { n := negate(x); return &n }
	for _, c := range []struct {
		name       string
		dink, dart *uint256.Int
		want       string
	}{
		{"unsafe draw", wads(10), wads(26), "Vat/not-safe"},
		{"dusty vault", wads(10), wads(19), "Vat/dust"},
		{"free from empty vault", minus(wads(1)), &zero, "math/underflow"},
		{"lock more than held", wads(101), &zero, "math/underflow"},
	} {
		before := s.Clone()
		if err := s.Frob(gold, ali, c.dink, c.dart); reason(err) != c.want {
			t.Errorf("%s: err %v, want %s", c.name, err, c.want)
		}
		if !reflect.DeepEqual(before, s) {
			t.Errorf("%s: reverted Frob changed the state", c.name)
		}
	}
	must(t, s.Frob(gold, ali, wads(10), wads(25)))
	if d := s.Dai(ali); !d.Eq(new(uint256.Int).Mul(wads(25), &ray)) {
		t.Errorf("drew %s rad, want 25 DAI", d.Dec())
	}
	cfg, _ := s.Config(gold)
	cfg.Line = u(t, "130"+strings.Repeat("0", 45))
	must(t, s.File(gold, cfg))
	if err := s.Frob(gold, ali, wads(10), wads(6)); reason(err) != "Vat/ceiling-exceeded" {
		t.Errorf("ceiling: %v", err)
	}
	// Repaying is always allowed, even above the ceiling and unsafe.
	must(t, s.Poke(gold, wads(1)))
	must(t, s.Frob(gold, ali, &zero, minus(wads(5))))
}

func TestDrip(t *testing.T) {
	s := newGold(t, "1000"+strings.Repeat("0", 45))
	cfg, _ := s.Config(gold)
	cfg.Duty = u(t, "1000000000315522921573372069") // 1% a year, Maker's published duty
	must(t, s.File(gold, cfg))
	const year = 365 * 24 * 3600
	rate, err := s.Drip(gold, t0+year)
	must(t, err)
	if r := toFloat(rate) / 1e27; math.Abs(r-1.01) > 1e-12 {
		t.Errorf("rate after a year %s, want 1.01 RAY (%g)", rate.Dec(), r)
	}
	ilk, _ := s.Ilk(gold)
	want := new(uint256.Int).Sub(&rate, &ray)
	want.Mul(want, &ilk.Art)
	if d := s.Dai(vow); !d.Eq(want) {
		t.Errorf("vow surplus %s, want Art·(rate−RAY) = %s", d.Dec(), want.Dec())
	}
	if _, err := s.Drip(gold, t0); reason(err) != "Jug/invalid-now" {
		t.Errorf("drip in the past: %v", err)
	}
	// Accrual is path dependent only through rounding: two half-year drips
	// land within a few units of one full-year drip.
	s2 := newGold(t, "1000"+strings.Repeat("0", 45))
	must(t, s2.File(gold, cfg))
	_, err = s2.Drip(gold, t0+year/2)
	must(t, err)
	r2, err := s2.Drip(gold, t0+year)
	must(t, err)
	var diff uint256.Int
	if r2.Gt(&rate) {
		diff.Sub(&r2, &rate)
	} else {
		diff.Sub(&rate, &r2)
	}
	if diff.GtUint64(10) {
		t.Errorf("split drip %s vs single %s", r2.Dec(), rate.Dec())
	}
}

func toFloat(x uint256.Int) float64 {
	f, _ := new(uint256.Int).Set(&x).ToBig().Float64()
	return f
}

func TestBarkLimits(t *testing.T) {
	rad := func(n string) uint256.Int { return u(t, n+strings.Repeat("0", 45)) }
	t.Run("not unsafe", func(t *testing.T) {
		s := newGold(t, "1000"+strings.Repeat("0", 45))
		must(t, s.Poke(gold, wads(5)))
		if _, err := s.Bark(gold, me, ali, t0); reason(err) != "Dog/not-unsafe" {
			t.Errorf("err %v", err)
		}
	})
	t.Run("partial liquidation", func(t *testing.T) {
		s := newGold(t, "50"+strings.Repeat("0", 45))
		_, err := s.Bark(gold, me, ali, t0)
		must(t, err)
		sale, _ := s.Sale(gold, 1)
		// dart = 50 RAD·WAD/RAY/1.1 = 45.454545454545454545 wad; tab rounds down.
		if sale.Tab.Dec() != "49999999999999999999500000000000000000000000000" || sale.Lot.Dec() != "18181818181818181818" {
			t.Errorf("tab %s lot %s", sale.Tab.Dec(), sale.Lot.Dec())
		}
		urn := s.Urn(gold, me)
		if urn.Art.Dec() != "54545454545454545455" {
			t.Errorf("art left %s", urn.Art.Dec())
		}
		before := s.Clone()
		if _, err := s.Bark(gold, me, ali, t0); reason(err) != "Dog/dusty-auction-from-partial-liquidation" {
			t.Errorf("second bark: %v", err)
		}
		if !reflect.DeepEqual(before, s) {
			t.Error("reverted Bark changed the state")
		}
	})
	t.Run("dusty remainder liquidated whole", func(t *testing.T) {
		s := newGold(t, "90"+strings.Repeat("0", 45))
		_, err := s.Bark(gold, me, ali, t0)
		must(t, err)
		sale, _ := s.Sale(gold, 1)
		if want := rad("110"); !sale.Tab.Eq(&want) {
			t.Errorf("tab %s, want 110 RAD (over the 90 RAD hole)", sale.Tab.Dec())
		}
		if _, err := s.Bark(gold, me, ali, t0); reason(err) != "Dog/liquidation-limit-hit" && reason(err) != "Dog/not-unsafe" {
			t.Errorf("bark of empty vault: %v", err)
		}
	})
	t.Run("limit hit", func(t *testing.T) {
		s := newGold(t, "90"+strings.Repeat("0", 45))
		must(t, s.Poke(gold, wads(5)))
		must(t, s.Slip(gold, ali, wads(40)))
		must(t, s.Frob(gold, ali, wads(40), wads(100)))
		must(t, s.Poke(gold, wads(4)))
		_, err := s.Bark(gold, me, bob, t0)
		must(t, err)
		if _, err := s.Bark(gold, ali, bob, t0); reason(err) != "Dog/liquidation-limit-hit" {
			t.Errorf("err %v", err)
		}
	})
	t.Run("no feed", func(t *testing.T) {
		s := newGold(t, "1000"+strings.Repeat("0", 45))
		cfg, _ := s.Config(gold)
		cfg.Buf = uint256.Int{}
		must(t, s.File(gold, cfg))
		before := s.Clone()
		if _, err := s.Bark(gold, me, ali, t0); reason(err) != "Clipper/zero-top-price" {
			t.Errorf("err %v", err)
		}
		if !reflect.DeepEqual(before, s) {
			t.Error("reverted kick changed the state")
		}
	})
}

func TestRedo(t *testing.T) {
	sc := loadScenarios(t)
	s := clipSetup(t, sc, num(t, sc.Setup["clip_buf_ray"]), true)
	cfg, _ := s.Config(gold)
	cfg.Tip, cfg.Chip = u(t, "100"+strings.Repeat("0", 45)), u(t, "20000000000000000")
	must(t, s.File(gold, cfg))
	max := u(t, "5"+strings.Repeat("0", 27))
	one := *wads(1)

	if err := s.Redo(gold, 1, bob, t0+100); reason(err) != "Clipper/cannot-reset" {
		t.Errorf("early redo: %v", err)
	}
	// 0.99^120 < 0.3 = cusp: the auction needs a reset before tail.
	for _, c := range []struct {
		dur  uint64
		need bool
	}{{119, false}, {120, true}, {3601, true}} {
		st, _, err := s.Status(gold, 1, t0+c.dur)
		must(t, err)
		if st.NeedsRedo != c.need {
			t.Errorf("dur %d: needsRedo %v", c.dur, st.NeedsRedo)
		}
	}
	if _, err := s.Take(gold, 1, &one, &max, ali, t0+120); reason(err) != "Clipper/needs-reset" {
		t.Errorf("take of stale auction: %v", err)
	}
	must(t, s.Poke(gold, wads(3)))
	before := s.Dai(bob)
	must(t, s.Redo(gold, 1, bob, t0+120))
	sale, _ := s.Sale(gold, 1)
	if sale.Tic != t0+120 || sale.Top.Dec() != "3750000000000000000000000000" {
		t.Errorf("after redo tic %d top %s", sale.Tic, sale.Top.Dec())
	}
	after := s.Dai(bob)
	if got := new(uint256.Int).Sub(&after, &before); got.Dec() != "102200000000000000000000000000000000000000000000" {
		t.Errorf("redo incentive %s, want tip + 2%% of 110 RAD", got.Dec())
	}
	st, _, err := s.Status(gold, 1, t0+120)
	must(t, err)
	if st.NeedsRedo || !st.Price.Eq(&sale.Top) {
		t.Errorf("status after redo %+v", st)
	}
}

func TestCloneIndependent(t *testing.T) {
	sc := loadScenarios(t)
	s := clipSetup(t, sc, num(t, sc.Setup["clip_buf_ray"]), true)
	c := s.Clone()
	max := u(t, "5"+strings.Repeat("0", 27))
	_, err := c.Take(gold, 1, wads(10), &max, ali, t0)
	must(t, err)
	if sale, _ := s.Sale(gold, 1); sale.Lot.Dec() != "40000000000000000000" {
		t.Errorf("take on clone changed the original: lot %s", sale.Lot.Dec())
	}
}
