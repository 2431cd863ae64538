package scenario

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Kind is the shape of a Node.
type Kind int

// Node kinds.
const (
	Null Kind = iota
	Scalar
	Mapping
	Sequence
)

func (k Kind) String() string {
	return [...]string{"nothing", "a single value", "a mapping (key: value lines)", "a list"}[k]
}

// Node is a YAML value with the position it was written at. Mappings keep
// their keys in file order, because order is meaningful in scenarios (agents
// act in the order they are listed).
type Node struct {
	Kind      Kind
	Line, Col int
	// Text is a scalar's text as written (without quotes).
	Text string
	// Keys are a mapping's keys; Items are its values, or a list's elements.
	Keys  []*Node
	Items []*Node
	// Origin names where a value came from when not from the file, such as
	// "--set path=value"; errors about it name that instead of a position.
	Origin string
}

// Get returns the value under key in a mapping, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Mapping {
		return nil
	}
	for k, kn := range n.Keys {
		if kn.Text == key {
			return n.Items[k]
		}
	}
	return nil
}

// Lookup follows a dotted path ("mechanisms.pool.fee", "pool.reserves.1")
// through mappings and lists and returns the node there, or nil.
func (n *Node) Lookup(path string) *Node {
	cur := n
	for _, part := range strings.Split(path, ".") {
		if cur == nil {
			return nil
		}
		switch cur.Kind {
		case Mapping:
			cur = cur.Get(part)
		case Sequence:
			var idx int
			if _, err := fmt.Sscanf(part, "%d", &idx); err != nil || idx < 0 || idx >= len(cur.Items) || fmt.Sprint(idx) != part {
				return nil
			}
			cur = cur.Items[idx]
		default:
			return nil
		}
	}
	return cur
}

// setOrigin marks every node of the tree as coming from origin.
func (n *Node) setOrigin(origin string) {
	n.Origin = origin
	for _, k := range n.Keys {
		k.setOrigin(origin)
	}
	for _, it := range n.Items {
		it.setOrigin(origin)
	}
}

// Clone returns a deep copy of the tree.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Keys = make([]*Node, len(n.Keys))
	for k, kn := range n.Keys {
		c.Keys[k] = kn.Clone()
	}
	c.Items = make([]*Node, len(n.Items))
	for k, it := range n.Items {
		c.Items[k] = it.Clone()
	}
	return &c
}

// Size returns the number of values in the tree, keys not counted.
func (n *Node) Size() int {
	if n == nil {
		return 0
	}
	s := 1
	for _, it := range n.Items {
		s += it.Size()
	}
	return s
}

// Paths lists the dotted paths of every scalar below n, for suggestions.
func (n *Node) Paths(prefix string) []string {
	var out []string
	switch n.Kind {
	case Scalar:
		out = append(out, prefix)
	case Mapping:
		for k, kn := range n.Keys {
			out = append(out, n.Items[k].Paths(join(prefix, kn.Text))...)
		}
	case Sequence:
		for k, it := range n.Items {
			out = append(out, it.Paths(join(prefix, fmt.Sprint(k)))...)
		}
	}
	return out
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	if key == "" {
		return prefix
	}
	return prefix + "." + key
}

// Parse reads YAML source into a Node tree. file names the source in errors.
func Parse(file string, src []byte) (*Node, error) {
	if strings.TrimSpace(string(src)) == "" {
		return nil, List{{File: file, Line: 1, Col: 1, Msg: "the file is empty; expected a scenario mapping (name:, horizon:, step: ...)"}}
	}
	if len(src) > MaxFileSize {
		return nil, List{{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("the source has %d bytes; a scenario may have at most %d", len(src), MaxFileSize)}}
	}
	// A byte-order mark is allowed at the start of a UTF-8 file and is no
	// part of the first key.
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	tokens := lexer.Tokenize(string(src))
	if tk := tokens.InvalidToken(); tk == nil {
		if e := checkShape(file, tokens); e != nil {
			return nil, List{e}
		}
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, List{syntaxError(file, err)}
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) != 1 {
		line := 1
		if len(docs) > 1 {
			line = docs[1].Body.GetToken().Position.Line
		}
		return nil, List{{File: file, Line: line, Col: 1, Msg: fmt.Sprintf("expected one YAML document, found %d", len(docs))}}
	}
	c := converter{file: file, anchors: map[string]anchor{}}
	root := c.convert(docs[0].Body)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return root, nil
}

func syntaxError(file string, err error) *Error {
	e := &Error{File: file, Line: 1, Col: 1, Msg: "invalid YAML: " + err.Error()}
	if ye, ok := err.(interface {
		GetToken() *token.Token
		GetMessage() string
	}); ok {
		e.Msg = "invalid YAML: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

type converter struct {
	file    string
	anchors map[string]anchor
	errs    List
	// nodes counts the values made so far, aliases expanded; past
	// MaxNodes conversion stops with an error.
	nodes int
	over  bool
}

// anchor is a value named with &name, and the number of values in it.
type anchor struct {
	node *Node
	size int
}

func pos(n ast.Node) (int, int) {
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

func (c *converter) fail(n ast.Node, format string, args ...any) *Node {
	line, col := pos(n)
	c.errs = append(c.errs, &Error{File: c.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
	return &Node{Kind: Null, Line: line, Col: col}
}

func (c *converter) convert(n ast.Node) *Node {
	line, col := pos(n)
	if c.over {
		return &Node{Kind: Null, Line: line, Col: col}
	}
	if c.nodes++; c.nodes > MaxNodes {
		c.over = true
		return c.fail(n, "more than %d values, aliases expanded; a scenario may have at most that", MaxNodes)
	}
	switch v := n.(type) {
	case nil:
		return &Node{Kind: Null}
	case *ast.NullNode:
		return &Node{Kind: Null, Line: line, Col: col}
	case *ast.StringNode:
		return &Node{Kind: Scalar, Line: line, Col: col, Text: v.Value}
	case *ast.LiteralNode:
		return &Node{Kind: Scalar, Line: line, Col: col, Text: v.Value.Value}
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return &Node{Kind: Scalar, Line: line, Col: col, Text: n.GetToken().Value}
	case *ast.MappingNode:
		m := &Node{Kind: Mapping, Line: line, Col: col}
		seen := make(map[string]*Node, len(v.Values))
		for _, mv := range v.Values {
			c.addPair(m, mv, seen)
		}
		if len(m.Keys) > 0 {
			m.Line, m.Col = m.Keys[0].Line, m.Keys[0].Col
		}
		return m
	case *ast.MappingValueNode:
		m := &Node{Kind: Mapping, Line: line, Col: col}
		c.addPair(m, v, map[string]*Node{})
		if len(m.Keys) > 0 {
			m.Line, m.Col = m.Keys[0].Line, m.Keys[0].Col
		}
		return m
	case *ast.SequenceNode:
		s := &Node{Kind: Sequence, Line: line, Col: col}
		for _, it := range v.Values {
			s.Items = append(s.Items, c.convert(it))
		}
		return s
	case *ast.AnchorNode:
		before := c.nodes
		val := c.convert(v.Value)
		c.anchors[v.Name.GetToken().Value] = anchor{node: val, size: c.nodes - before}
		return val
	case *ast.AliasNode:
		name := v.Value.GetToken().Value
		if a, ok := c.anchors[name]; ok {
			if c.nodes += a.size; c.nodes > MaxNodes {
				c.over = true
				return c.fail(n, "alias *%s makes more than %d values, aliases expanded; a scenario may have at most that", name, MaxNodes)
			}
			return a.node.Clone()
		}
		return c.fail(n, "alias *%s refers to no anchor defined before it", name)
	case *ast.TagNode:
		return c.fail(n, "YAML tags (%s) are not supported in scenarios", v.Start.Value)
	case *ast.MappingKeyNode:
		return c.fail(n, "complex mapping keys (?) are not supported")
	default:
		return c.fail(n, "unsupported YAML construct %s", n.Type())
	}
}

// addPair adds a key and its value to m; seen maps m's keys so far to
// their nodes, so a long mapping costs linear time.
func (c *converter) addPair(m *Node, mv *ast.MappingValueNode, seen map[string]*Node) {
	if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
		c.fail(mv.Key, "merge keys (<<) are not supported; repeat the keys or use an alias for the whole value")
		return
	}
	key := c.convert(mv.Key)
	if c.over {
		return
	}
	if key.Kind != Scalar {
		c.fail(mv.Key, "a mapping key must be a plain name")
		return
	}
	if prev := seen[key.Text]; prev != nil {
		c.errs = append(c.errs, &Error{File: c.file, Line: key.Line, Col: key.Col, Path: key.Text,
			Msg: fmt.Sprintf("duplicate key %q (first at line %d)", key.Text, prev.Line)})
		return
	}
	seen[key.Text] = key
	val := c.convert(mv.Value)
	if val.Kind == Null && val.Line == 0 {
		val.Line, val.Col = key.Line, key.Col
	}
	m.Keys = append(m.Keys, key)
	m.Items = append(m.Items, val)
}
