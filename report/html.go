package report

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
)

// The Vega, Vega-Lite and vega-embed builds, vendored by assets/update.sh
// (versions and provenance in assets/README.md) and inlined into every HTML
// report so that it opens with no network.
var (
	//go:embed assets/vega.min.js
	vegaJS string
	//go:embed assets/vega-lite.min.js
	vegaLiteJS string
	//go:embed assets/vega-embed.min.js
	vegaEmbedJS string
)

// inlineJS prepares a vendored build for an inline <script>: the
// sourceMappingURL comment is removed, as the map is not shipped and a
// browser's developer tools would try to fetch it.
func inlineJS(src string) string {
	var b strings.Builder
	for line := range strings.Lines(src) {
		if strings.HasPrefix(line, "//# sourceMappingURL=") {
			continue
		}
		b.WriteString(line)
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// renderJS embeds every chart, with tooltips and buttons that download it
// as PNG or SVG (window.__export(id, type) resolves to the download's URL),
// and, when all have rendered, records their
// number in window.__rendered, for tests and tools that wait for the page,
// with the time since navigation started in window.__renderedAt and the
// time the charts took in window.__renderMs (milliseconds). A failure is reported on the
// console and in window.__renderError.
const renderJS = `(function () {
  "use strict";
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("cascade-charts").textContent);
  var views = {};
  // exportChart resolves to a URL of the chart as a PNG (twice the screen
  // resolution) or an SVG file.
  function exportChart(id, type) {
    return views[id].toImageURL(type, type === "png" ? 2 : 1);
  }
  window.__export = exportChart;
  function addButtons(id) {
    var title = document.getElementById(id).parentNode.querySelector(".title");
    var bar = document.createElement("span");
    bar.className = "export";
    ["png", "svg"].forEach(function (type) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = type.toUpperCase();
      b.title = "Download this chart as " + type.toUpperCase();
      b.addEventListener("click", function () {
        exportChart(id, type).then(function (url) {
          var a = document.createElement("a");
          a.href = url;
          a.download = id + "." + type;
          document.body.appendChild(a);
          a.click();
          a.remove();
        }, function (err) { console.error("cascade report: export failed: " + err); });
      });
      bar.appendChild(b);
    });
    title.appendChild(bar);
  }
  var jobs = data.charts.map(function (c) {
    return vegaEmbed(document.getElementById(c.id), c.spec, {
      actions: false, renderer: "svg", ast: true, defaultStyle: false, config: data.config,
      tooltip: { theme: "light" }
    }).then(function (res) {
      views[c.id] = res.view;
      addButtons(c.id);
      return res;
    });
  });
  Promise.all(jobs).then(function (results) {
    window.__renderedAt = performance.now();
    window.__renderMs = window.__renderedAt - t0;
    window.__rendered = results.length;
    document.documentElement.setAttribute("data-rendered", String(results.length));
  }, function (err) {
    window.__renderError = String((err && err.message) || err);
    console.error("cascade report: a chart failed to render: " + window.__renderError);
  });
})();
`

// pageCSS styles the report for screens and print.
const pageCSS = `
:root { --ink: #1d2330; --muted: #5b6472; --rule: #dfe3e8; --accent: #0072B2; --bg-soft: #f5f7fa; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: #14213d; color: #fff; padding: 28px 0 22px; }
header.top .wrap { padding-top: 0; }
header.top h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header.top p { margin: 0; color: #c9d3e3; font-size: 14px; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
nav.toc { border-bottom: 1px solid var(--rule); background: var(--bg-soft); font-size: 13px; }
nav.toc .wrap { display: flex; flex-wrap: wrap; gap: 4px 20px; padding-top: 9px; padding-bottom: 9px; }
nav.toc a { color: var(--accent); text-decoration: none; }
main section { padding: 8px 0 18px; border-bottom: 1px solid var(--rule); }
main section:last-child { border-bottom: 0; }
h2 { font-size: 21px; margin: 26px 0 10px; font-weight: 650; }
h3 { font-size: 16px; margin: 22px 0 8px; font-weight: 650; }
p { margin: 8px 0; max-width: 900px; }
.headline { border-left: 5px solid var(--accent); background: #eef5fb; padding: 12px 18px; margin: 14px 0 16px; border-radius: 2px; }
.headline h3 { margin: 0 0 6px; font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--accent); }
.headline ul { margin: 0; padding-left: 18px; }
.headline li { margin: 4px 0; font-size: 15.5px; }
.table-wrap { overflow-x: auto; margin: 10px 0 16px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; color: var(--ink); }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
thead th { border-bottom: 2px solid #b9c0ca; font-weight: 600; white-space: nowrap; background: #fafbfc; }
td.num, th.num { text-align: right; white-space: nowrap; }
td .ci { display: block; color: var(--muted); font-size: 11px; }
table.facts td:first-child { color: var(--muted); white-space: nowrap; padding-right: 24px; }
table.facts td { border-bottom: 1px solid #eef0f3; word-break: break-all; }
table.facts td:first-child { word-break: normal; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 8px 28px; }
figure { margin: 12px 0; min-width: 0; }
figure .title { font-weight: 650; font-size: 14.5px; margin-bottom: 4px; }
figure .vis { min-height: 60px; overflow-x: auto; }
figure .caption { color: var(--muted); font-size: 12.5px; margin: 4px 0 0; }
figure.wide { grid-column: 1 / -1; }
code { font-size: 12px; }
figure .export { float: right; display: inline-flex; gap: 4px; }
figure .export button { font: 11px system-ui, sans-serif; color: var(--accent); background: #fff; border: 1px solid #c8d3df;
  border-radius: 3px; padding: 1px 6px; cursor: pointer; }
figure .export button:hover { background: #eef5fb; }
#vg-tooltip-element { font: 12px system-ui, sans-serif; }
footer { color: var(--muted); font-size: 12px; padding: 18px 0 30px; }
@media print { nav.toc, figure .export { display: none; } header.top { background: #fff; color: var(--ink); } header.top p { color: var(--muted); }
  figure, table { break-inside: avoid; } }
`

// WriteHTML writes the report as one self-contained HTML page: the charts'
// data and the Vega libraries are inline, and a Content-Security-Policy
// forbids loading anything else, so the page renders offline and never
// touches the network.
func (r *Report) WriteHTML(w io.Writer) error {
	type chart struct {
		ID   string          `json:"id"`
		Spec json.RawMessage `json:"spec"`
	}
	var charts []chart
	for _, f := range r.figures() {
		spec, err := vegaSpec(f)
		if err != nil {
			return fmt.Errorf("report: chart %s: %w", f.id, err)
		}
		charts = append(charts, chart{ID: f.id, Spec: spec})
	}
	// encoding/json escapes <, > and & in strings, so the data cannot close
	// its <script> element.
	payload, err := json.Marshal(struct {
		Config any     `json:"config"`
		Charts []chart `json:"charts"`
	}{vegaConfig, charts})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	scripts := []string{inlineJS(vegaJS), inlineJS(vegaLiteJS), inlineJS(vegaEmbedJS), renderJS}
	var hashes []string
	for _, s := range scripts {
		if strings.Contains(strings.ToLower(s), "</script") {
			return fmt.Errorf("report: an inline script contains </script")
		}
		sum := sha256.Sum256([]byte(s))
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	csp := "default-src 'none'; script-src " + strings.Join(hashes, " ") +
		"; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"

	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	esc := html.EscapeString
	m := &r.d.manifest
	p("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p("<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n", esc(csp))
	p("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p("<meta name=\"generator\" content=\"Cascade %s\">\n", esc(m.CascadeVersion))
	p("<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n", esc(r.title()), pageCSS)
	p("<header class=\"top\"><div class=\"wrap\"><h1>%s</h1><p>%s</p></div></header>\n", esc(r.title()), esc(r.subtitle()))
	p("<nav class=\"toc\"><div class=\"wrap\">")
	for _, s := range r.sections {
		p("<a href=\"#%s\">%s</a>", esc(s.id), esc(s.title))
	}
	p("</div></nav>\n<main class=\"wrap\">\n")
	for _, s := range r.sections {
		p("<section id=\"%s\">\n<h2>%s</h2>\n", esc(s.id), esc(s.title))
		inGrid := false
		for _, b := range s.blocks {
			f, isFig := b.(*figure)
			if isFig && !inGrid {
				p("<div class=\"grid\">\n")
				inGrid = true
			}
			if !isFig && inGrid {
				p("</div>\n")
				inGrid = false
			}
			switch b := b.(type) {
			case *paragraph:
				p("<p>%s</p>\n", esc(b.text))
			case *heading:
				p("<h3>%s</h3>\n", esc(b.text))
			case *callout:
				p("<div class=\"headline\"><h3>%s</h3><ul>\n", esc(b.title))
				for _, l := range b.lines {
					p("<li>%s</li>\n", esc(l))
				}
				p("</ul></div>\n")
			case *table:
				writeHTMLTable(bw, b)
			case *codeBlock:
				summary, open := b.summary, ""
				if summary == "" {
					summary = "Scenario file"
				}
				if b.open {
					open = " open"
				}
				p("<details%s><summary>%s</summary><pre class=\"scenario\">%s</pre></details>\n", open, esc(summary), esc(b.text))
			case *figure:
				class := ""
				if f.wide || len(f.facets) > 0 {
					class = " wide"
				}
				p("<figure class=\"chart%s\"><div class=\"title\">%s</div><div class=\"vis\" id=\"%s\" role=\"img\" aria-label=\"%s\"></div><p class=\"caption\">%s</p></figure>\n",
					class, esc(f.title), esc(f.id), esc(f.title), esc(f.caption))
			}
		}
		if inGrid {
			p("</div>\n")
		}
		p("</section>\n")
	}
	p("</main>\n<footer><div class=\"wrap\">Made by Cascade %s from the results directory of %s. Charts: Vega %s, Vega-Lite %s and vega-embed %s (BSD-3-Clause), inlined.</div></footer>\n",
		esc(orUnknown(m.CascadeVersion)), esc(m.ScenarioName), vegaVersion, vegaLiteVersion, vegaEmbedVersion)
	p("<script type=\"application/json\" id=\"cascade-charts\">%s</script>\n", payload)
	for _, s := range scripts {
		p("<script>%s</script>\n", s)
	}
	p("</body>\n</html>\n")
	return bw.Flush()
}

// Versions of the vendored libraries, as in assets/package.json.
const (
	vegaVersion      = "6.4.0"
	vegaLiteVersion  = "6.5.0"
	vegaEmbedVersion = "7.3.0"
)

// subtitle is the line under the title.
func (r *Report) subtitle() string {
	m := &r.d.manifest
	n := int64(len(r.d.runs))
	if r.disc != nil {
		n = int64(r.disc.Simulations)
	}
	return fmt.Sprintf("%s runs · seed %d · Cascade %s · run %s", formatCount(n), m.Seed, orUnknown(m.CascadeVersion),
		m.Started.UTC().Format("2006-01-02 15:04 UTC"))
}

func writeHTMLTable(w io.Writer, t *table) {
	esc := html.EscapeString
	class := ""
	if t.keyValue {
		class = " class=\"facts\""
	}
	fmt.Fprintf(w, "<div class=\"table-wrap\"><table%s>", class)
	if t.caption != "" {
		fmt.Fprintf(w, "<caption>%s</caption>", esc(t.caption))
	}
	if !t.keyValue {
		fmt.Fprint(w, "<thead><tr>")
		for i, h := range t.header {
			if t.numeric[i] {
				fmt.Fprintf(w, "<th class=\"num\">%s</th>", esc(h))
			} else {
				fmt.Fprintf(w, "<th>%s</th>", esc(h))
			}
		}
		fmt.Fprint(w, "</tr></thead>")
	}
	fmt.Fprint(w, "<tbody>\n")
	for _, row := range t.rows {
		fmt.Fprint(w, "<tr>")
		for i, c := range row {
			open := "<td>"
			if i < len(t.numeric) && t.numeric[i] {
				open = "<td class=\"num\">"
			}
			fmt.Fprint(w, open, esc(c.text))
			if c.sub != "" {
				fmt.Fprintf(w, "<span class=\"ci\">%s</span>", esc(c.sub))
			}
			fmt.Fprint(w, "</td>")
		}
		fmt.Fprint(w, "</tr>\n")
	}
	fmt.Fprint(w, "</tbody></table></div>\n")
}
