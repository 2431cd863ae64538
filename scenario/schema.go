package scenario

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/cascade-risk/cascade/unit"
)

// Key describes one key a decoded struct accepts, as Decode reads it.
type Key struct {
	Name     string
	Required bool
	// Kind says what the value is, with its unit: "rate such as 5%/day",
	// "list of token amount", "mapping".
	Kind string
	// Doc is the key's one-line description (its field's doc tag).
	Doc string
	// Unit is what a plain number is counted in ("numeraire", "tokens of
	// the collateral"); empty where the value carries its own unit (rates,
	// durations, fractions) or is not a quantity.
	Unit string
	// Default is the value Decode uses when the key is absent, written as
	// in a scenario file; HasDefault says whether there is one (a key
	// without one is required, or its absence means something its Doc
	// states).
	Default    string
	HasDefault bool
	// Keys are the keys of a nested mapping, if the value is one (or a
	// list or map of them).
	Keys []Key
}

var (
	durationType = reflect.TypeFor[unit.Duration]()
	rateType     = reflect.TypeFor[unit.Rate]()
	fractionType = reflect.TypeFor[unit.Fraction]()
	decimalType  = reflect.TypeFor[unit.Decimal]()
)

// scalarKinds name the unit-bearing scalar types and their JSON Schema
// patterns: the forms their DecodeScalar accepts.
var scalarKinds = map[reflect.Type]struct{ kind, pattern string }{
	durationType: {"duration such as 10min, 1h, 30d", `^\s*[0-9_.]+\s*[a-zA-Z]+\s*$`},
	rateType:     {"rate such as 5%/day, 0.02/yr, 30/day", `^\s*[-+]?[0-9_.eE+-]+\s*%?\s*/\s*[0-9]*\s*[a-zA-Z]+\s*$`},
	fractionType: {"fraction such as 0.3%, 30bps or 0.003", ""},
	decimalType:  {"token amount, an exact decimal such as 2_000_000.5", ""},
}

// KeysOfType describes the keys of struct type t (or pointer to it) the way
// Decode reads them. It returns nil for types that are not structs.
func KeysOfType(t reflect.Type) []Key {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || implementsDecoder(t) {
		return nil
	}
	var out []Key
	for _, f := range fieldsOf(t) {
		ft := t.FieldByIndex(f.index).Type
		out = append(out, Key{Name: f.name, Required: f.required, Kind: KindOf(ft), Doc: f.doc, Unit: f.unit,
			Default: f.def, HasDefault: f.hasDef, Keys: KeysOfType(elemOf(ft))})
	}
	return out
}

func implementsDecoder(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(nodeDecoderType) || p.Implements(scalarDecoderType)
}

// elemOf strips pointers, lists and Maps down to the element type.
func elemOf(t reflect.Type) reflect.Type {
	for {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case isMap(t):
			t = mapElem(t)
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
			t = t.Elem()
		default:
			return t
		}
	}
}

// KindOf says in words what a value of type t is written as.
func KindOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if k, ok := scalarKinds[t]; ok {
		return k.kind
	}
	if isMap(t) {
		return "mapping of names to " + KindOf(mapElem(t))
	}
	if t == reflect.TypeFor[Component]() {
		return "component: type: and its keys"
	}
	if implementsDecoder(t) {
		return "see the documentation of " + t.Name()
	}
	switch t.Kind() {
	case reflect.String:
		return "name or text"
	case reflect.Bool:
		return "true or false"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Slice, reflect.Array:
		return "list of " + KindOf(t.Elem())
	case reflect.Struct:
		return "mapping"
	case reflect.Map:
		return "mapping of names to " + KindOf(t.Elem())
	}
	return t.String()
}

// isMap reports whether t is a Map[T], and mapElem returns its T.
func isMap(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && strings.HasPrefix(t.Elem().Name(), "Entry[")
}

func mapElem(t reflect.Type) reflect.Type {
	f, _ := t.Elem().FieldByName("Value")
	return f.Type
}

// SchemaOf returns a JSON Schema (draft 2020-12 vocabulary, as a tree of
// maps) for values of type t as Decode reads them. Types that decode
// themselves (NodeDecoders) are left open ({}), except those listed in
// scalarKinds, which are strings or numbers.
func SchemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if k, ok := scalarKinds[t]; ok {
		s := map[string]any{"description": k.kind, "type": []any{"string", "number"}}
		if k.pattern != "" {
			s["type"] = "string"
			s["pattern"] = k.pattern
		}
		return s
	}
	if isMap(t) {
		return map[string]any{"type": "object", "additionalProperties": SchemaOf(mapElem(t))}
	}
	if implementsDecoder(t) {
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": []any{"string", "number", "boolean"}}
	case reflect.Bool:
		return map[string]any{"type": []any{"boolean", "string"}}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": []any{"number", "string"}}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": []any{"integer", "string"}}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": SchemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		var req []any
		for _, f := range fieldsOf(t) {
			ft := t.FieldByIndex(f.index).Type
			ps := SchemaOf(ft)
			if f.doc != "" {
				ps = withDoc(ps, f, ft)
			}
			props[f.name] = ps
			if f.required {
				req = append(req, f.name)
			}
		}
		s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if len(req) > 0 {
			s["required"] = req
		}
		return s
	}
	return map[string]any{}
}

// withDoc returns a copy of the schema of field f with its description
// (doc, unit and the value's form) and default.
func withDoc(s map[string]any, f fieldInfo, t reflect.Type) map[string]any {
	out := make(map[string]any, len(s)+2)
	for k, v := range s {
		out[k] = v
	}
	d := f.doc
	if f.unit != "" {
		d += " [" + f.unit + "]"
	}
	d += " (" + KindOf(t) + ")"
	out["description"] = d
	if f.hasDef {
		out["default"] = jsonDefault(f.def, t)
	}
	return out
}

// jsonDefault writes a default tag as a JSON value of the field's type:
// numbers and booleans as such, everything else (rates, durations,
// fractions, amounts) as the text a scenario would hold.
func jsonDefault(text string, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, ok := scalarKinds[t]; !ok {
		switch t.Kind() {
		case reflect.Bool:
			if b, err := strconv.ParseBool(text); err == nil {
				return b
			}
		case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
			if f, err := unit.Number(text); err == nil {
				return f
			}
		}
	}
	return text
}
