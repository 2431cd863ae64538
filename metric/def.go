package metric

// Def describes one recorded metric.
type Def struct {
	// Name is unique within its component ("lp_hodl"); the full name is
	// "component.name".
	Name string
	// Unit is what the value is measured in ("numeraire", "ratio", "count").
	Unit string
	// Doc says what the value means, in one line.
	Doc string
	// Worse says which tail of the distribution is the bad one.
	Worse Direction
	// NonFinite says the metric may be ±Inf or NaN by definition, as Doc
	// explains (an unhedged P&L floor is −Inf). Any other metric that is
	// not a finite number stops the run: something overflowed.
	NonFinite bool
	// Optional says the metric is recorded only when a scenario's metrics
	// name it exactly, not by default nor by a component.* pattern, so
	// that adding it leaves existing outputs unchanged.
	Optional bool
}
