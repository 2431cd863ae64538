package scenario

import (
	"fmt"

	"github.com/cascade-risk/cascade/unit"
)

// Region is a named set of conditions on a cell's aggregate outcomes; the
// cells where every condition holds form the region, and a sweep maps it
// ("where Gini falls while stake burned stays under 5%").
type Region []Condition

// Condition compares one statistic of one metric across a cell's runs with
// a threshold.
type Condition struct {
	Metric string `yaml:"metric,required" doc:"the metric's name, component.metric"`
	// Stat is mean (default), p1, p5, p50, p95 or p99.
	Stat  string         `yaml:"stat" doc:"the statistic across a cell's runs: mean, p1, p5, p50, p95 or p99; without it, mean"`
	Below *unit.Fraction `yaml:"below" doc:"the condition holds when the statistic is below this"`
	Above *unit.Fraction `yaml:"above" doc:"the condition holds when the statistic is above this"`
}

// Stats lists the statistics a condition may use, with their quantile
// levels (0 for the mean).
var Stats = map[string]float64{"mean": 0, "p1": 0.01, "p5": 0.05, "p50": 0.5, "p95": 0.95, "p99": 0.99}

// Check validates a condition.
func (c *Condition) Check(ck *Check) {
	if (c.Below == nil) == (c.Above == nil) {
		ck.Errorf("", "give exactly one of below: or above:")
	}
	if _, ok := Stats[c.Stat]; c.Stat != "" && !ok {
		ck.Errorf("stat", "expected one of mean, p1, p5, p50, p95, p99, got %q", c.Stat)
	}
}

// Holds reports whether the condition holds for the statistic's value v.
func (c *Condition) Holds(v float64) bool {
	if c.Below != nil {
		return v < float64(*c.Below)
	}
	return v > float64(*c.Above)
}

// String renders the condition as "mean(pos.gini_change) < 0".
func (c *Condition) String() string {
	stat := c.Stat
	if stat == "" {
		stat = "mean"
	}
	if c.Below != nil {
		return fmt.Sprintf("%s(%s) < %g", stat, c.Metric, float64(*c.Below))
	}
	return fmt.Sprintf("%s(%s) > %g", stat, c.Metric, float64(*c.Above))
}
