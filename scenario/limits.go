package scenario

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/goccy/go-yaml/token"
)

// Bounds on what a scenario file may ask of the reader. A scenario is
// written by hand: these are far above any real one, and keep a hostile
// file's cost in memory and time to a few megabytes and milliseconds.
const (
	// MaxFileSize is the largest scenario file read, in bytes. Data belongs
	// in CSV files that a replay process names.
	MaxFileSize = 256 << 10
	// MaxDepth bounds the nesting of mappings and lists (flow and block).
	MaxDepth = 32
	// MaxKeys bounds the keys of one mapping. The YAML parser's cost grows
	// with the square of a block mapping's key count, so this also bounds
	// parse time: at most MaxFileSize/MaxKeys such mappings fit in a file.
	MaxKeys = 1000
	// MaxNodes bounds the values of the parsed tree, aliases expanded: an
	// alias copies its anchor, so without a bound a few hundred bytes of
	// nested aliases expand to billions of values.
	MaxNodes = 200_000
	// MaxCellNodes bounds the values of all sweep cells together; each cell
	// holds its own copy of the tree.
	MaxCellNodes = 200_000
)

// readFile reads at most MaxFileSize bytes of a regular file (or a named
// pipe or terminal, whose size is unknown until read).
func readFile(path string) ([]byte, *Error) {
	fail := func(format string, args ...any) ([]byte, *Error) {
		return nil, &Error{File: path, Msg: fmt.Sprintf(format, args...)}
	}
	f, err := os.Open(path)
	if err != nil {
		return fail("cannot read scenario: %v", unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fail("cannot read scenario: %v", err)
	}
	switch m := st.Mode(); {
	case m.IsDir():
		return fail("cannot read scenario: is a directory; expected a YAML file")
	case !m.IsRegular() && m&os.ModeNamedPipe == 0:
		what := "a socket or device"
		if m&os.ModeCharDevice != 0 {
			what = "a character device"
		}
		return fail("cannot read scenario: %s, not a regular file; expected a YAML file", what)
	case st.Size() > MaxFileSize:
		return fail("the file has %d bytes; a scenario may have at most %d (%d KiB); put data in a CSV file that a replay process reads", st.Size(), MaxFileSize, MaxFileSize>>10)
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return fail("cannot read scenario: %v", unwrapPath(err))
	}
	if len(src) > MaxFileSize {
		return fail("more than %d bytes (%d KiB) read from a pipe; a scenario may have at most that", MaxFileSize, MaxFileSize>>10)
	}
	return src, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkShape bounds the nesting depth and the keys per mapping of a token
// stream before the parser sees it, in one pass. Block structure is
// followed by the columns of keys and list dashes: a stack holds one entry
// per open block mapping or list, with its column and its count of keys or
// items so far.
func checkShape(file string, tokens token.Tokens) *Error {
	type level struct {
		col  int
		list bool
		n    int
	}
	var stack []level
	var flow []int // open flow collections: key counts of flow mappings, -1 for lists
	at := func(tk *token.Token, format string, args ...any) *Error {
		e := &Error{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf(format, args...)}
		if tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
		return e
	}
	open := func(tk *token.Token, col int, list bool) *Error {
		for len(stack) > 0 && stack[len(stack)-1].col > col {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.col == col && top.list && !list {
				// A key at a list's column ends the list; the mapping it
				// was the value of continues.
				stack = stack[:len(stack)-1]
			}
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.col == col && top.list == list {
				top.n++
				if !list && top.n > MaxKeys {
					return at(tk, "more than %d keys in one mapping; a scenario may have at most that", MaxKeys)
				}
				return nil
			}
		}
		stack = append(stack, level{col: col, list: list, n: 1})
		if d := len(stack) + len(flow); d > MaxDepth {
			return at(tk, "values nested more than %d deep; a scenario may nest at most that", MaxDepth)
		}
		return nil
	}
	for i, tk := range tokens {
		col := 0
		if tk.Position != nil {
			col = tk.Position.Column
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			n := -1
			if tk.Type == token.MappingStartType {
				n = 0
			}
			flow = append(flow, n)
			if d := len(stack) + len(flow); d > MaxDepth {
				return at(tk, "values nested more than %d deep; a scenario may nest at most that", MaxDepth)
			}
		case token.SequenceEndType, token.MappingEndType:
			if len(flow) > 0 {
				flow = flow[:len(flow)-1]
			}
		case token.SequenceEntryType:
			if len(flow) == 0 {
				if err := open(tk, col, true); err != nil {
					return err
				}
			}
		case token.MappingValueType:
			if i == 0 {
				continue
			}
			key := tokens[i-1]
			if len(flow) > 0 {
				if top := &flow[len(flow)-1]; *top >= 0 {
					*top++
					if *top > MaxKeys {
						return at(key, "more than %d keys in one mapping; a scenario may have at most that", MaxKeys)
					}
				}
				continue
			}
			kcol := col
			if key.Position != nil {
				kcol = key.Position.Column
			}
			if err := open(key, kcol, false); err != nil {
				return err
			}
		}
	}
	return nil
}
