package scenario

import (
	"reflect"

	"github.com/cascade-risk/cascade/unit"
)

// MetricSpec is one entry of a scenario's metrics: list: a metric name (or
// "component.*"), written alone or as a mapping that also says which end of
// the metric is bad and where a loss starts:
//
//	metrics:
//	  - lp.lp_hodl
//	  - {metric: lend.debt, worse: none}
//	  - {metric: lend.bad_debt, worse: higher, threshold: 0}
//
// worse: is higher, lower or none (no bad end: reports say "higher" and
// "lower", never "gain" or "cost"); without it the metric's own definition
// decides. threshold: is the outcome beyond which a run counts as a loss in
// policy comparisons; without it reports take the baseline's 5% quantile at
// the bad end.
type MetricSpec struct {
	Metric    string         `yaml:"metric,required" doc:"the metric's name, component.metric"`
	Worse     string         `yaml:"worse" doc:"higher, lower or none (no bad end); without it, the metric's own definition decides"`
	Threshold *unit.Fraction `yaml:"threshold" doc:"outcome beyond which a run counts as a loss in policy comparisons; without it, the baseline's 5% quantile at the bad end"`
}

// Worse values a metrics: entry may give.
var worseValues = []string{"higher", "lower", "none"}

// DecodeNode implements NodeDecoder: a single value is the name.
func (m *MetricSpec) DecodeNode(n *Node, path string, errs *Errs) {
	if n.Kind == Scalar {
		m.Metric = n.Text
		return
	}
	if n.Kind != Mapping {
		errs.At(n, path, "expected a metric name or {metric:, worse:, threshold:}, got %s", describe(n))
		return
	}
	type plain MetricSpec
	decodeValue(n, reflect.ValueOf((*plain)(m)).Elem(), path, errs, nil)
	if m.Worse != "" {
		ok := false
		for _, w := range worseValues {
			ok = ok || m.Worse == w
		}
		if !ok {
			errs.At(n.Get("worse"), join(path, "worse"), "expected higher, lower or none, got %q", m.Worse)
		}
	}
}
