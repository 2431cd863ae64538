package unit

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"12s", 12 * time.Second, ""},
		{"1d", 24 * time.Hour, ""},
		{"30d", 30 * 24 * time.Hour, ""},
		{"1.5h", 90 * time.Minute, ""},
		{"15min", 15 * time.Minute, ""},
		{"day", 24 * time.Hour, ""},
		{"2 weeks", 14 * 24 * time.Hour, ""},
		{"1yr", Year, ""},
		{"10_000d", 10000 * 24 * time.Hour, ""},
		{"12", 0, "unit is required"},
		{"3mo", 0, "months have no fixed length"},
		{"4parsec", 0, `unknown time unit "parsec"`},
		{"-1d", 0, "positive"},
		{"0s", 0, "positive"},
		{"0.5ms", 0, "whole number of milliseconds"},
		{"abc", 0, "unknown time unit"},
	} {
		got, err := ParseDuration(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got.Std() != c.want {
			t.Errorf("%q: got %v (%v), want %v", c.in, got.Std(), err, c.want)
		}
	}
	if s := Duration(30 * 24 * time.Hour).String(); s != "30d" {
		t.Errorf("String: %s", s)
	}
}

func TestParseRate(t *testing.T) {
	for _, c := range []struct {
		in    string
		value float64
		per   time.Duration
		err   string
	}{
		{"4%/day", 0.04, 24 * time.Hour, ""},
		{"80%/yr", 0.8, Year, ""},
		{"0.05/yr", 0.05, Year, ""},
		{"0.1%/12s", 0.001, 12 * time.Second, ""},
		{"-2%/yr", -0.02, Year, ""},
		{"0", 0, Year, ""},
		{"4%", 0, 0, "time unit is required"},
		{"4%/fortnight", 0, 0, "unknown time unit"},
		{"x/day", 0, 0, "expected a rate"},
	} {
		got, err := ParseRate(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || math.Abs(got.Value-c.value) > 1e-15 || got.Per != c.per {
			t.Errorf("%q: got %+v (%v)", c.in, got, err)
		}
	}
	vol := Rate{0.04, 24 * time.Hour}
	if v := vol.OverSqrt(4 * 24 * time.Hour); math.Abs(v-0.08) > 1e-15 {
		t.Errorf("OverSqrt: %v", v)
	}
	if v := vol.Over(12 * time.Hour); math.Abs(v-0.02) > 1e-15 {
		t.Errorf("Over: %v", v)
	}
}

func TestParseFraction(t *testing.T) {
	for in, want := range map[string]float64{"0.3%": 0.003, "30bps": 0.003, "0.003": 0.003, "5bp": 0.0005, "1_0%": 0.1} {
		got, err := ParseFraction(in)
		if err != nil || math.Abs(float64(got)-want) > 1e-15 {
			t.Errorf("%q: %v (%v)", in, got, err)
		}
	}
	if _, err := ParseFraction("lots"); err == nil {
		t.Error("accepted 'lots'")
	}
}

func TestDecimalRaw(t *testing.T) {
	for _, c := range []struct {
		in       string
		decimals int
		want     string
		err      string
	}{
		{"1000", 18, "1000000000000000000000", ""},
		{"2_000_000", 6, "2000000000000", ""},
		{"1000.5", 18, "1000500000000000000000", ""},
		{"1.5e3", 6, "1500000000", ""},
		{"0.0000001", 6, "", "fractional digits"},
		{"-1", 18, "", "negative"},
		{"1e80", 0, "", "256 bits"},
	} {
		d, err := ParseDecimal(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		got, err := d.Raw(c.decimals)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got.Dec() != c.want {
			t.Errorf("%q: %s (%v), want %s", c.in, got.Dec(), err, c.want)
		}
	}
	for _, bad := range []string{"", "1/3", "0x10", "ten"} {
		if _, err := ParseDecimal(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"12s", "4%/day", "0.3%", "1e3", "-1d", "/", "%/%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseDuration(s)
		_, _ = ParseRate(s)
		_, _ = ParseFraction(s)
		if d, err := ParseDecimal(s); err == nil {
			_, _ = d.Raw(18)
		}
	})
}
