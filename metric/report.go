package metric

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// DefaultQuantiles are the quantiles a Report gives when none are asked for:
// p1, p5, p50, p95, p99 and p99.9.
var DefaultQuantiles = []float64{0.01, 0.05, 0.5, 0.95, 0.99, 0.999}

// DefaultLevels are the tail levels a Report gives when none are asked for.
var DefaultLevels = []float64{0.95, 0.99}

// Float is a float64 that marshals to JSON as null when it is NaN or
// infinite (encoding/json refuses such values), and unmarshals null as NaN.
type Float float64

var jsonNull = []byte("null")

// MarshalJSON encodes f as a JSON number, or null if f is not finite.
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return jsonNull, nil
	}
	return json.Marshal(x)
}

// UnmarshalJSON decodes a JSON number, or null as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, jsonNull) {
		*f = Float(math.NaN())
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = Float(x)
	return nil
}

// estimateJSON is the wire form of an Estimate.
type estimateJSON struct {
	Value  Float `json:"value"`
	Lo     Float `json:"lo"`
	Hi     Float `json:"hi"`
	StdErr Float `json:"stderr"`
}

// MarshalJSON encodes e as {"value", "lo", "hi", "stderr"}, with null for
// fields that are NaN or infinite.
func (e Estimate) MarshalJSON() ([]byte, error) {
	return json.Marshal(estimateJSON{Float(e.Value), Float(e.Lo), Float(e.Hi), Float(e.StdErr)})
}

// UnmarshalJSON decodes the form written by MarshalJSON; null fields become
// NaN.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, jsonNull) {
		return nil
	}
	w := estimateJSON{Float(math.NaN()), Float(math.NaN()), Float(math.NaN()), Float(math.NaN())}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Estimate{float64(w.Value), float64(w.Lo), float64(w.Hi), float64(w.StdErr)}
	return nil
}

// QuantileReport is one quantile of a SummaryReport.
type QuantileReport struct {
	Label    string   `json:"label"` // "p" and the percentage: p1, p50, p99.9
	Q        float64  `json:"q"`
	Estimate Estimate `json:"estimate"`
}

// TailReport is the tail of a SummaryReport at one level.
type TailReport struct {
	Level float64  `json:"level"`
	VaR   Estimate `json:"var"`
	CVaR  Estimate `json:"cvar"`
}

// SummaryReport is a plain, JSON-ready account of a Summary, as written to
// summary.json. Non-finite numbers marshal as null; the counts NaN, NegInf
// and PosInf say what the nulls stand for.
type SummaryReport struct {
	N                int64            `json:"n"`       // observations, NaN excluded
	NaN              int64            `json:"nan"`     // NaN observations, excluded
	NegInf           int64            `json:"neg_inf"` // −Inf observations, included in N
	PosInf           int64            `json:"pos_inf"` // +Inf observations, included in N
	Mean             Estimate         `json:"mean"`
	StdDev           Float            `json:"sd"`
	Min              Float            `json:"min"`
	Max              Float            `json:"max"`
	Worse            Direction        `json:"worse"`
	RelativeAccuracy float64          `json:"relative_accuracy"` // of quantiles, VaR and CVaR; 0 when exact
	Quantiles        []QuantileReport `json:"quantiles"`
	Tails            []TailReport     `json:"tails"`
}

// Report returns the estimates of s as a SummaryReport: mean, standard
// deviation, extrema, the given quantiles (DefaultQuantiles if empty) and the
// tails at the given levels (DefaultLevels if empty) with worse as the bad
// direction. RelativeAccuracy is 0 if s is Exact (quantiles and tails are
// those of the exact sample) and s.Accuracy() otherwise.
// Invalid quantiles or levels give null estimates; an invalid worse gives
// null tails and a report that fails to marshal.
func (s *Summary) Report(levels []float64, quantiles []float64, worse Direction) SummaryReport {
	accuracy := s.Accuracy()
	if s.Exact() {
		accuracy = 0
	}
	if len(levels) == 0 {
		levels = DefaultLevels
	}
	if len(quantiles) == 0 {
		quantiles = DefaultQuantiles
	}
	r := SummaryReport{
		N:                s.N(),
		NaN:              s.nan,
		NegInf:           s.negInf,
		PosInf:           s.posInf,
		Mean:             s.MeanEstimate(),
		StdDev:           Float(s.StdDev()),
		Min:              Float(s.Min()),
		Max:              Float(s.Max()),
		Worse:            worse,
		RelativeAccuracy: accuracy,
		Quantiles:        make([]QuantileReport, len(quantiles)),
		Tails:            make([]TailReport, len(levels)),
	}
	for i, q := range quantiles {
		r.Quantiles[i] = QuantileReport{Label: percentLabel(q), Q: q, Estimate: s.Quantile(q)}
	}
	for i, l := range levels {
		VaR, CVaR := s.Tail(l, worse)
		r.Tails[i] = TailReport{Level: l, VaR: VaR, CVaR: CVaR}
	}
	return r
}

// percentLabel names quantile q as "p" and its percentage, rounded to 1e-9
// percent so that binary noise (0.999·100) does not show.
func percentLabel(q float64) string {
	p := math.Round(q*1e11) / 1e9
	return "p" + strconv.FormatFloat(p, 'f', -1, 64)
}
