package scenario

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a scenario file, at the position of the offending
// key or value.
type Error struct {
	File      string
	Line, Col int
	// Path is the dotted key path of the offending value, if known.
	Path string
	Msg  string
}

func (e *Error) Error() string {
	loc := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	if e.Line == 0 {
		loc = e.File
	}
	if e.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Path, e.Msg)
	}
	return loc + ": " + e.Msg
}

// List is every problem found in a scenario, sorted by position. It is an
// error when non-empty.
type List []*Error

func (l List) Error() string {
	var b strings.Builder
	for k, e := range l {
		if k > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns l sorted and without repeats, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(a, b int) bool {
		if l[a].Line != l[b].Line {
			return l[a].Line < l[b].Line
		}
		return l[a].Col < l[b].Col
	})
	out := l[:0]
	seen := map[string]bool{}
	for _, e := range l {
		if s := e.Error(); !seen[s] {
			seen[s] = true
			out = append(out, e)
		}
	}
	return out
}

// Errs collects errors against the nodes of one file.
type Errs struct {
	File string
	List List
}

// At records an error at node n, whose key path is path.
func (e *Errs) At(n *Node, path, format string, args ...any) {
	var line, col int
	file := e.File
	if n != nil {
		line, col = n.Line, n.Col
		if n.Origin != "" {
			file, line, col = n.Origin, 0, 0
		}
	}
	e.List = append(e.List, &Error{File: file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Suggest returns the candidate closest to word by edit distance, or "" if
// none is close enough to be a likely typo.
func Suggest(word string, candidates []string) string {
	best, bestD := "", len(word)/2+2
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if len(word) <= 2 && bestD > 1 {
		return ""
	}
	return best
}

func didYouMean(word string, candidates []string) string {
	if s := Suggest(word, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and adjacent transpositions each cost one.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
