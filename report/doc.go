// Package report turns a Cascade results directory into a report a risk
// analyst can publish: one offline HTML page, or Markdown with SVG charts
// for governance-forum posts.
//
// A report has, in order: the answer (the scenario's question, the arms'
// comparison on the headline metric, and each region mapped over the
// sweep with its boundary and the cells whose verdict is uncertain at 95%
// hatched); a summary with headline sentences; for scenarios
// with a compare block, the policy comparison (paired differences between
// each arm and the baseline, the first arm, in the mean, in VaR and CVaR at
// 95% and 99%, and in the probability of a loss beyond a threshold, each
// with a bootstrap confidence interval); the tail table with the
// confidence intervals of summary.json; sweep charts (a line chart for one
// parameter, maps of the mean and of CVaR 99% for two, on numeric axes,
// their colours diverging around the metric's threshold where the scenario
// states one, a table for
// more); histograms and empirical distribution functions of every metric
// at the horizon, arms overlaid; and fan charts of the metrics over time.
//
// The report reads only the files of the directory — manifest.json,
// summary.json, fans.json and runs.parquet — and holds aggregates only:
// histograms of about 40 bins, distribution functions of at most 200
// points, fans of at most 150 times. Its size does not grow with the run
// count. It is deterministic: the same directory gives the same bytes (the
// bootstrap draws from a seeded PCG generator; the only times shown are
// the manifest's).
//
// The HTML page draws its charts with Vega-Lite. The Vega, Vega-Lite and
// vega-embed builds are vendored in assets/ (see assets/README.md) and
// inlined, and a Content-Security-Policy forbids every remote load and
// every script but the page's own, so the page works with no network.
package report
