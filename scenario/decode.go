package scenario

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/unit"
)

// ScalarDecoder is implemented by types written as one YAML value, such as
// unit.Duration. The error says what was expected.
type ScalarDecoder interface {
	DecodeScalar(text string) error
}

// NodeDecoder is implemented by types that read their own node, such as
// Components. They report problems through errs.
type NodeDecoder interface {
	DecodeNode(n *Node, path string, errs *Errs)
}

// Checker is implemented by decoded structs that validate relations between
// their fields. Check runs only when the struct decoded without errors.
type Checker interface {
	Check(c *Check)
}

// Check reports semantic problems against the fields of one mapping.
type Check struct {
	node *Node
	path string
	errs *Errs
}

// Errorf records a problem with the value of key (a dotted path relative to
// the struct; "" for the mapping itself).
func (c *Check) Errorf(key, format string, args ...any) {
	n := c.node
	if key != "" {
		if v := c.node.Lookup(key); v != nil {
			n = v
		}
	}
	c.errs.At(n, join(c.path, key), format, args...)
}

// Node returns the node under key, or nil.
func (c *Check) Node(key string) *Node { return c.node.Lookup(key) }

// Decode fills v (a pointer) from n, following `yaml:"name"` struct tags;
// ",required" marks keys that must be present. Every problem is added to
// errs; keys listed in skip are ignored at the top level.
//
// Unknown keys are errors with a suggestion; missing required keys are
// reported at the enclosing mapping.
func Decode(n *Node, v any, path string, errs *Errs, skip ...string) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("scenario.Decode needs a non-nil pointer")
	}
	decodeValue(n, rv.Elem(), path, errs, skip)
}

var (
	scalarDecoderType = reflect.TypeFor[ScalarDecoder]()
	nodeDecoderType   = reflect.TypeFor[NodeDecoder]()
	checkerType       = reflect.TypeFor[Checker]()
)

func describe(n *Node) string {
	if n.Kind == Scalar {
		return fmt.Sprintf("%q", n.Text)
	}
	return n.Kind.String()
}

func decodeValue(n *Node, v reflect.Value, path string, errs *Errs, skip []string) {
	if v.CanAddr() {
		p := v.Addr()
		if p.Type().Implements(nodeDecoderType) {
			p.Interface().(NodeDecoder).DecodeNode(n, path, errs)
			return
		}
		if p.Type().Implements(scalarDecoderType) {
			if n.Kind != Scalar {
				errs.At(n, path, "expected a single value, got %s", describe(n))
				return
			}
			if err := p.Interface().(ScalarDecoder).DecodeScalar(n.Text); err != nil {
				errs.At(n, path, "%v", err)
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind == Null {
			return
		}
		e := reflect.New(v.Type().Elem())
		decodeValue(n, e.Elem(), path, errs, nil)
		v.Set(e)
		return
	case reflect.Struct:
		decodeStruct(n, v, path, errs, skip)
		return
	case reflect.Slice:
		if n.Kind != Sequence {
			errs.At(n, path, "expected a list such as [a, b], got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Items), len(n.Items))
		for k, it := range n.Items {
			decodeValue(it, s.Index(k), fmt.Sprintf("%s.%d", path, k), errs, nil)
		}
		v.Set(s)
		return
	}
	if n.Kind != Scalar {
		errs.At(n, path, "expected %s, got %s", kindName(v.Kind()), describe(n))
		return
	}
	text := strings.TrimSpace(n.Text)
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Text)
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			switch strings.ToLower(text) {
			case "yes", "on":
				b, err = true, nil
			case "no", "off":
				b, err = false, nil
			}
		}
		if err != nil {
			errs.At(n, path, "expected true or false, got %q", n.Text)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		f, err := unit.Number(text)
		if err != nil || f != math.Trunc(f) || v.OverflowInt(int64(f)) || math.Abs(f) > 1<<62 {
			errs.At(n, path, "expected a whole number, got %q", n.Text)
			return
		}
		v.SetInt(int64(f))
	case reflect.Uint, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(strings.ReplaceAll(text, "_", ""), 10, 64)
		if err != nil || v.OverflowUint(u) {
			errs.At(n, path, "expected a whole number from 0 to %d, got %q", uint64(math.MaxUint64)>>(64-v.Type().Bits()), n.Text)
			return
		}
		v.SetUint(u)
	case reflect.Float64:
		f, err := unit.Number(text)
		if err != nil {
			errs.At(n, path, "expected a number, got %q", n.Text)
			return
		}
		v.SetFloat(f)
	default:
		panic("scenario: unsupported field type " + v.Type().String())
	}
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a single value"
	case reflect.Bool:
		return "true or false"
	case reflect.Float64:
		return "a number"
	}
	return "a whole number"
}

type fieldInfo struct {
	name     string
	index    []int
	required bool
	// doc, unit and def come from the field's `doc:"…"`, `unit:"…"` and
	// `default:"…"` tags: a one-line description, the unit of a plain
	// number, and the value written when the key is absent (decoded as if
	// it had been written in the file).
	doc, unit, def string
	hasDef         bool
}

// fieldsOf lists the keys of a struct type; an embedded struct tagged
// `yaml:",inline"` contributes its keys to the enclosing mapping.
func fieldsOf(t reflect.Type) []fieldInfo {
	var out []fieldInfo
	for k := 0; k < t.NumField(); k++ {
		f := t.Field(k)
		tag, ok := f.Tag.Lookup("yaml")
		if !ok || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && opts == "inline" && f.Type.Kind() == reflect.Struct {
			for _, sub := range fieldsOf(f.Type) {
				sub.index = append([]int{k}, sub.index...)
				out = append(out, sub)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		def, hasDef := f.Tag.Lookup("default")
		out = append(out, fieldInfo{name: name, index: []int{k}, required: opts == "required",
			doc: f.Tag.Get("doc"), unit: f.Tag.Get("unit"), def: def, hasDef: hasDef})
	}
	return out
}

// KeysOf returns the YAML keys a struct type accepts, in declaration order.
func KeysOf(v any) []string {
	var keys []string
	for _, f := range fieldsOf(reflect.TypeOf(v).Elem()) {
		keys = append(keys, f.name)
	}
	return keys
}

func decodeStruct(n *Node, v reflect.Value, path string, errs *Errs, skip []string) {
	if n.Kind == Null {
		n = &Node{Kind: Mapping, Line: n.Line, Col: n.Col}
	}
	if n.Kind != Mapping {
		errs.At(n, path, "expected a mapping (key: value lines), got %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	names := make([]string, len(fields))
	for k, f := range fields {
		names[k] = f.name
	}
	before := len(errs.List)
	seen := map[string]bool{}
keys:
	for k, kn := range n.Keys {
		for _, s := range skip {
			if kn.Text == s {
				continue keys
			}
		}
		for _, f := range fields {
			if f.name == kn.Text {
				seen[f.name] = true
				decodeValue(n.Items[k], v.FieldByIndex(f.index), join(path, f.name), errs, nil)
				continue keys
			}
		}
		errs.At(kn, join(path, kn.Text), "unknown key %q%s (expected one of: %s)",
			kn.Text, didYouMean(kn.Text, names), strings.Join(names, ", "))
	}
	for _, f := range fields {
		if f.required && !seen[f.name] {
			errs.At(n, path, "missing required key %q", f.name)
		}
		if !seen[f.name] {
			// The default is decoded like a value written in the file, so
			// an absent key and one stating the default are the same.
			setDefault(f, v.FieldByIndex(f.index), &Node{Kind: Scalar, Line: n.Line, Col: n.Col}, join(path, f.name), errs)
		}
	}
	if len(errs.List) == before && v.CanAddr() && v.Addr().Type().Implements(checkerType) {
		v.Addr().Interface().(Checker).Check(&Check{node: n, path: path, errs: errs})
	}
}

// SetDefaults sets the fields of the struct v points to that carry a
// `default:"…"` tag to their defaults, as Decode does for absent keys: for
// a block of keys that is optional as a whole, so that its absence means
// the same as an empty block. It reports a default that does not decode.
func SetDefaults(v any) error {
	errs := &Errs{}
	setDefaults(reflect.ValueOf(v).Elem(), &Node{Kind: Scalar}, "", errs)
	return errs.List.Err()
}

// setDefaults sets the defaults of the fields of struct v.
func setDefaults(v reflect.Value, at *Node, path string, errs *Errs) {
	for _, f := range fieldsOf(v.Type()) {
		setDefault(f, v.FieldByIndex(f.index), at, join(path, f.name), errs)
	}
}

// setDefault sets field v, whose key is absent, to its default: the
// decoded default tag, or for a nested mapping (a struct that decodes
// key by key) the defaults of its own keys, as if it were written empty.
func setDefault(f fieldInfo, v reflect.Value, at *Node, path string, errs *Errs) {
	switch {
	case f.hasDef:
		n := *at
		n.Text = f.def
		decodeValue(&n, v, path, errs, nil)
	case v.Kind() == reflect.Struct && !implementsDecoder(v.Type()):
		setDefaults(v, at, path, errs)
	}
}

// CheckDefaults reports default tags of struct type t, or of any struct
// reachable from its keys, that do not decode into their fields.
func CheckDefaults(t reflect.Type) error {
	errs := &Errs{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		t = elemOf(t)
		if t.Kind() != reflect.Struct || implementsDecoder(t) || seen[t] {
			return
		}
		seen[t] = true
		for _, f := range fieldsOf(t) {
			ft := t.FieldByIndex(f.index).Type
			if f.hasDef {
				decodeValue(&Node{Kind: Scalar, Text: f.def}, reflect.New(ft).Elem(), join(path, f.name), errs, nil)
			}
			walk(ft, join(path, f.name))
		}
	}
	walk(t, "")
	return errs.List.Err()
}
