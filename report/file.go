package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Format is an output format of a report.
type Format int

const (
	// HTML is one self-contained page with interactive Vega-Lite charts.
	HTML Format = iota
	// Markdown is a Markdown file with its charts as SVG files beside it.
	Markdown
)

// String returns "html" or "md".
func (f Format) String() string {
	switch f {
	case HTML:
		return "html"
	case Markdown:
		return "md"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat parses "html", or "md" or "markdown".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "html":
		return HTML, nil
	case "md", "markdown":
		return Markdown, nil
	}
	return 0, fmt.Errorf("report: unknown format %q (want html or md)", s)
}

// DefaultPath is where a report of the results directory dir goes unless
// told otherwise: dir/report.html or dir/report.md. The file is not listed
// in the directory's manifest, which describes the results alone.
func DefaultPath(dir string, f Format) string {
	if f == Markdown {
		return filepath.Join(dir, "report.md")
	}
	return filepath.Join(dir, "report.html")
}

// WriteFile writes the report in format f to path. An HTML report is
// written to a temporary file and renamed into place, so that path never
// holds a partial report; a Markdown report writes its charts first (see
// WriteMarkdown).
func (r *Report) WriteFile(path string, f Format) error {
	switch f {
	case Markdown:
		return r.WriteMarkdown(path)
	case HTML:
	default:
		return fmt.Errorf("report: invalid format %v", f)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
