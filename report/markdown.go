package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteMarkdown writes the report as Markdown to path, for governance-forum
// posts, and its charts as SVG files to the directory named after path
// without its extension and with "_files" appended (report.md →
// report_files/), which the Markdown links to relatively. The sections are
// those of the HTML report.
func (r *Report) WriteMarkdown(path string) error {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + "_files"
	dir := filepath.Join(filepath.Dir(path), base)
	// The charts of an earlier report are replaced; a directory holding
	// anything else is someone's, and is never deleted.
	if old, err := os.ReadDir(dir); err == nil {
		for _, e := range old {
			if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".svg" {
				return fmt.Errorf("report: %s holds %s, which is not a chart of an earlier report; refusing to replace it", dir, e.Name())
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("report: %s: %w", dir, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, f := range r.figures() {
		svg, err := svgFigure(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.id+".svg"), svg, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := r.markdown(out, base); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// markdown writes the Markdown text, linking figure f as figures/f.id.svg.
func (r *Report) markdown(w io.Writer, figures string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# %s\n\n_%s_\n\n", mdEscape(r.title()), mdEscape(r.subtitle()))
	for _, s := range r.sections {
		p("## %s\n\n", mdEscape(s.title))
		for _, b := range s.blocks {
			switch b := b.(type) {
			case *paragraph:
				p("%s\n\n", mdEscape(b.text))
			case *heading:
				p("### %s\n\n", mdEscape(b.text))
			case *callout:
				p("> **%s**\n>\n", mdEscape(b.title))
				for _, l := range b.lines {
					p("> - %s\n", mdEscape(l))
				}
				p("\n")
			case *table:
				writeMarkdownTable(bw, b)
			case *codeBlock:
				if b.summary != "" {
					p("%s:\n\n```sh\n%s\n```\n\n", mdEscape(b.summary), strings.TrimRight(b.text, "\n"))
					continue
				}
				p("<details><summary>Scenario file</summary>\n\n```yaml\n%s\n```\n\n</details>\n\n", strings.TrimRight(b.text, "\n"))
			case *figure:
				p("**%s**\n\n![%s](%s/%s.svg)\n\n_%s_\n\n", mdEscape(b.title), mdEscape(b.title), figures, b.id, mdEscape(b.caption))
			}
		}
	}
	p("---\n\nMade by Cascade %s from the results directory of %s.\n", mdEscape(orUnknown(r.d.manifest.CascadeVersion)), mdEscape(r.d.manifest.ScenarioName))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// mdEscape escapes the characters that Markdown would read as markup in
// running text. Underscores inside names (lp.lp_hodl) are left alone, as
// GitHub-flavoured Markdown does not emphasise within words, and so are
// brackets, which make a link only when "](" follows.
func mdEscape(s string) string {
	var b strings.Builder
	for i, c := range s {
		switch c {
		case '\\', '*', '`', '<', '>', '|':
			b.WriteByte('\\')
		case ']':
			if i+1 < len(s) && s[i+1] == '(' {
				b.WriteByte('\\')
			}
		case '_':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' || s[i+1] == ' ' {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

func writeMarkdownTable(w io.Writer, t *table) {
	if t.caption != "" {
		fmt.Fprintf(w, "**%s**\n\n", mdEscape(t.caption))
	}
	header := t.header
	if t.keyValue {
		header = []string{" ", " "}
	}
	fmt.Fprint(w, "|")
	for _, h := range header {
		fmt.Fprintf(w, " %s |", mdEscape(h))
	}
	fmt.Fprint(w, "\n|")
	for i := range header {
		if i < len(t.numeric) && t.numeric[i] {
			fmt.Fprint(w, " ---: |")
		} else {
			fmt.Fprint(w, " --- |")
		}
	}
	fmt.Fprint(w, "\n")
	for _, row := range t.rows {
		fmt.Fprint(w, "|")
		for _, c := range row {
			text := mdEscape(c.text)
			if c.sub != "" {
				text += " <sub>" + mdEscape(c.sub) + "</sub>"
			}
			fmt.Fprintf(w, " %s |", text)
		}
		fmt.Fprint(w, "\n")
	}
	fmt.Fprint(w, "\n")
}
