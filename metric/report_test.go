package metric

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestFloatJSON(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{-1.5, "-1.5"},
		{1e21, "1e+21"},
		{0.1, "0.1"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
		{math.Inf(-1), "null"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(Float(tt.in))
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tt.in, b, err, tt.want)
			continue
		}
		var back Float
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("Unmarshal(%s): %v", b, err)
		}
		if want := tt.in; math.IsInf(want, 0) {
			want = math.NaN() // null carries no sign
		} else if !sameFloat(float64(back), want) {
			t.Errorf("round trip of %v gave %v", tt.in, back)
		}
	}
	var f Float
	if err := json.Unmarshal([]byte(`"x"`), &f); err == nil {
		t.Errorf("Unmarshal of a string succeeded")
	}
}

func TestEstimateJSON(t *testing.T) {
	e := Estimate{Value: 1.25, Lo: math.Inf(-1), Hi: 2, StdErr: math.NaN()}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"value":1.25,"lo":null,"hi":2,"stderr":null}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back Estimate
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Value != 1.25 || !math.IsNaN(back.Lo) || back.Hi != 2 || !math.IsNaN(back.StdErr) {
		t.Errorf("round trip = %+v", back)
	}
}

func TestDirectionText(t *testing.T) {
	for _, d := range []Direction{LowerIsWorse, HigherIsWorse} {
		b, err := d.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Direction
		if err := back.UnmarshalText(b); err != nil || back != d {
			t.Errorf("round trip of %v = %v, %v", d, back, err)
		}
	}
	if _, err := Direction(5).MarshalText(); err == nil {
		t.Errorf("MarshalText of invalid Direction succeeded")
	}
	var d Direction
	if err := d.UnmarshalText([]byte("sideways")); err == nil {
		t.Errorf("UnmarshalText(sideways) succeeded")
	}
	if s := Direction(5).String(); s != "Direction(5)" {
		t.Errorf("String = %q", s)
	}
}

func TestPercentLabel(t *testing.T) {
	tests := []struct {
		q    float64
		want string
	}{
		{0.01, "p1"}, {0.05, "p5"}, {0.5, "p50"}, {0.95, "p95"}, {0.99, "p99"},
		{0.999, "p99.9"}, {0.9999, "p99.99"}, {0, "p0"}, {1, "p100"}, {0.001, "p0.1"}, {0.29, "p29"},
	}
	for _, tt := range tests {
		if got := percentLabel(tt.q); got != tt.want {
			t.Errorf("percentLabel(%v) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestReport checks the defaults, the labels, and that the report repeats
// the Summary's own estimates.
func TestReport(t *testing.T) {
	rng := rand.New(rand.NewPCG(900, 1))
	s := NewSummary()
	for i := 0; i < 5000; i++ {
		s.Add(rng.NormFloat64())
	}
	r := s.Report(nil, nil, LowerIsWorse)
	var labels []string
	for i, q := range r.Quantiles {
		labels = append(labels, q.Label)
		if q.Q != DefaultQuantiles[i] || q.Estimate != s.Quantile(q.Q) {
			t.Errorf("quantile %d = %+v", i, q)
		}
	}
	if got := strings.Join(labels, " "); got != "p1 p5 p50 p95 p99 p99.9" {
		t.Errorf("labels = %s", got)
	}
	if len(r.Tails) != 2 || r.Tails[0].Level != 0.95 || r.Tails[1].Level != 0.99 {
		t.Fatalf("tails = %+v", r.Tails)
	}
	for _, tr := range r.Tails {
		v, c := s.Tail(tr.Level, LowerIsWorse)
		if tr.VaR != v || tr.CVaR != c {
			t.Errorf("tail %v = %+v, want %+v %+v", tr.Level, tr, v, c)
		}
	}
	// 5000 runs are within the default cap: the answers are exact.
	if r.N != 5000 || r.Mean != s.MeanEstimate() || float64(r.StdDev) != s.StdDev() ||
		float64(r.Min) != s.Min() || float64(r.Max) != s.Max() || r.RelativeAccuracy != 0 {
		t.Errorf("report = %+v", r)
	}
	sk := NewSummaryCap(0)
	sk.Merge(s)
	if rs := sk.Report(nil, nil, LowerIsWorse); rs.RelativeAccuracy != RelativeAccuracy {
		t.Errorf("sketch report RelativeAccuracy = %v, want %v", rs.RelativeAccuracy, RelativeAccuracy)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back SummaryReport
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("JSON round trip differs:\n%s\n%s", b, b2)
	}

	custom := s.Report([]float64{0.9}, []float64{0.25, 1.5}, HigherIsWorse)
	if len(custom.Quantiles) != 2 || len(custom.Tails) != 1 || custom.Worse != HigherIsWorse {
		t.Errorf("custom report = %+v", custom)
	}
	if _, err := json.Marshal(custom); err != nil {
		t.Errorf("report with an invalid quantile does not marshal: %v", err)
	}
}

// TestReportNonFinite checks that reports of empty summaries and of summaries
// with NaN and infinite observations marshal, with null where numbers are
// not finite.
func TestReportNonFinite(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want []string // substrings of the JSON
	}{
		{"empty", nil, []string{`"n":0`, `"mean":{"value":null,"lo":null,"hi":null,"stderr":null}`, `"min":null`}},
		{"one", []float64{2}, []string{`"n":1`, `"mean":{"value":2,"lo":null,"hi":null,"stderr":null}`, `"sd":null`}},
		{"infinities", []float64{math.Inf(-1), 1, 2, math.NaN(), math.Inf(1)},
			[]string{`"n":4`, `"nan":1`, `"neg_inf":1`, `"pos_inf":1`, `"min":null`, `"max":null`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(summaryOf(tt.in...).Report(nil, nil, HigherIsWorse))
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b) {
				t.Fatalf("invalid JSON: %s", b)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("JSON lacks %s:\n%s", w, b)
				}
			}
		})
	}
	if _, err := json.Marshal(summaryOf(1).Report(nil, nil, Direction(3))); err == nil {
		t.Errorf("report with invalid direction marshalled")
	}
}
