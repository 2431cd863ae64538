package report

import "github.com/cascade-risk/cascade/metric"

// The report is built once as a small document model — sections of
// paragraphs, callouts, tables and figures — that the HTML and Markdown
// writers render, so that both formats show the same content.

// section is a titled part of the report.
type section struct {
	id, title string
	blocks    []any // *paragraph, *callout, *table, *figure, *heading
}

// heading is a sub-heading within a section.
type heading struct{ text string }

// paragraph is a paragraph of plain text.
type paragraph struct{ text string }

// codeBlock is verbatim text, such as the scenario file, shown folded
// under summary ("Scenario file" when empty), or unfolded when open.
type codeBlock struct {
	text, summary string
	open          bool
}

// callout is a highlighted list of key sentences.
type callout struct {
	title string
	lines []string
}

// table is a table with a header row. Numeric columns are right-aligned.
type table struct {
	caption string
	header  []string
	numeric []bool // per column
	rows    [][]tableCell
	// keyValue tables are two-column fact lists without a header row in
	// HTML.
	keyValue bool
}

// tableCell is a value and an optional interval or note shown after it in
// smaller type.
type tableCell struct {
	text, sub string
}

// figKind is the kind of a chart.
type figKind int

const (
	figFan figKind = iota
	figHist
	figECDF
	figSweepLine
	figHeat
	figForest
	figPoints
)

// figure is one chart: its titles and the aggregated data it draws. No
// figure holds per-run values; each holds at most a few hundred points per
// series, so that a report's size does not grow with the run count.
type figure struct {
	id, title, caption string
	kind               figKind
	xTitle, yTitle     string
	// facets are the small-multiple panels in order (sweep cells); empty
	// for a single panel. facetTitle names what distinguishes them.
	facets     []string
	facetTitle string
	// independentX gives each panel its own x scale.
	independentX bool
	// series are the colour-coded series in order (compare arms, or one
	// unnamed series).
	series []string
	// wide figures take the full page width in HTML.
	wide bool

	fan    []fanSeries
	hist   *histFig
	ecdf   []ecdfSeries
	sweep  *sweepFig
	heat   *heatFig
	forest *forestFig
	points *pointsFig
}

// fanSeries is one fan: quantiles across runs at each time.
type fanSeries struct {
	facet, series string
	t             []float64
	p5, p25, p50  []float64
	p75, p95      []float64
}

// histFig is a histogram. Series in one panel share their bin edges, so
// that overlaid arms compare bin by bin; panels (sweep cells) have their
// own, as a metric's range can differ by orders of magnitude across a
// sweep.
type histFig struct {
	bars []histSeries
}

// histSeries is one series of a histogram: the percentage of runs per bin,
// and the series' VaR at 99% for a marker.
type histSeries struct {
	facet, series string
	edges         []float64
	pct           []float64
	var99         float64
}

// ecdfSeries is one empirical distribution function, as at most ecdfPoints
// points.
type ecdfSeries struct {
	facet, series string
	x, f          []float64
}

// sweepFig is a one-parameter sweep: statistics with intervals against the
// parameter's values, in order, on a numeric axis.
type sweepFig struct {
	axis  gridAxis
	lines []sweepLine
}

// sweepLine is one statistic of one series over the sweep.
type sweepLine struct {
	series, stat string
	y, lo, hi    []float64
}

// heatFig is a sweep map of one statistic over one or two parameters, or,
// with region, of a region's verdicts.
type heatFig struct {
	x, y  gridAxis
	stat  string
	worse metric.Direction
	unit  string // the metric's unit as " (USD)", or ""
	// thr is the threshold the colours diverge around; nil for a
	// sequential scale.
	thr *heatThreshold
	// region maps verdicts: z is 1 in the region, 0 outside.
	region bool
	panels []heatPanel
}

// heatPanel is one map: z[iy][ix] is the statistic at x.values[ix],
// y.values[iy] with its 95% interval lo, hi; NaN where the grid has no
// cell. in holds the verdicts of the condition or region the map draws,
// bounds and hatch the lines that draw them.
type heatPanel struct {
	facet     string
	z, lo, hi [][]float64
	in        [][]verdict
	bounds    []segment
	hatch     []segment
}

// forestFig shows gains with intervals, one row per statistic, one point
// per series (arm) and panel (cell). The labels name rows, series and
// values in tooltips; empty, they are "statistic", "arm" and "gain".
type forestFig struct {
	rows   []string
	points []forestPoint

	rowLabel, seriesLabel, valueLabel string
}

// forestPoint is one gain with its interval.
type forestPoint struct {
	facet, row, series string
	v, lo, hi          float64
}
