package world

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The published schema is the one the decoders generate: run
// `go run ./cmd/cascade types --schema > schema/scenario.schema.json` after
// adding or changing a type.
func TestSchemaPublished(t *testing.T) {
	want, err := Schema(Types())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "schema", "scenario.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("schema/scenario.schema.json is stale: regenerate it with go run ./cmd/cascade types --schema > schema/scenario.schema.json")
	}
}

// Every example validates against the schema and points editors to it.
func TestExamplesValidateAgainstSchema(t *testing.T) {
	raw, err := Schema(Types())
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if len(files) < 5 {
		t.Fatalf("only %d examples", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(src, []byte("# yaml-language-server: $schema=../schema/scenario.schema.json")) {
			t.Errorf("%s: no yaml-language-server $schema comment", f)
		}
		var doc any
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, e := range schemaCheck(schema, doc, "") {
			t.Errorf("%s: %s", f, e)
		}
	}
	// The validator does reject: a misspelt key and a missing type.
	bad := map[string]any{"name": "x", "horizon": "1d", "step": "1h", "numeraire": "U", "assets": map[string]any{"U": map[string]any{"decimals": 6}},
		"processes": map[string]any{"p": map[string]any{"type": "gbm", "volatilty": "1%/day"}}, "agents": map[string]any{"a": map[string]any{"pool": "x"}}}
	errs := strings.Join(schemaCheck(schema, bad, ""), "\n")
	if !strings.Contains(errs, "processes.p: unknown key volatilty") || !strings.Contains(errs, "agents.a: missing type") {
		t.Errorf("validator let a bad scenario through: %s", errs)
	}
}

// schemaCheck checks doc against the subset of JSON Schema that Schema
// generates: type, properties, required, additionalProperties, items, enum,
// const, pattern and allOf of if/then.
func schemaCheck(s map[string]any, doc any, path string) []string {
	var errs []string
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(doc) {
		return []string{fmt.Sprintf("%s: want %v, got %v", path, c, doc)}
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(v any) bool { return fmt.Sprint(v) == fmt.Sprint(doc) }) {
		return []string{fmt.Sprintf("%s: %v is not one of %v", path, doc, e)}
	}
	if ty, ok := s["type"]; ok && !typeMatches(ty, doc) {
		return []string{fmt.Sprintf("%s: %v is not of type %v", path, doc, ty)}
	}
	if p, ok := s["pattern"].(string); ok {
		if str, isStr := doc.(string); isStr && !regexp.MustCompile(p).MatchString(str) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", path, str, p))
		}
	}
	switch d := doc.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := d[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing %s", path, r))
			}
		}
		for k, v := range d {
			sub := schemaJoin(path, k)
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, schemaCheck(ps, v, sub)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: unknown key %s", path, k))
				}
			case map[string]any:
				errs = append(errs, schemaCheck(ap, v, sub)...)
			}
		}
	case []any:
		if it, ok := s["items"].(map[string]any); ok {
			for k, v := range d {
				errs = append(errs, schemaCheck(it, v, fmt.Sprintf("%s.%d", path, k))...)
			}
		}
	}
	for _, br := range asList(s["allOf"]) {
		b := br.(map[string]any)
		if cond, ok := b["if"].(map[string]any); ok && len(schemaCheck(cond, doc, path)) == 0 {
			errs = append(errs, schemaCheck(b["then"].(map[string]any), doc, path)...)
		}
	}
	return errs
}

func schemaJoin(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func asList(v any) []any { l, _ := v.([]any); return l }

func typeMatches(ty, doc any) bool {
	for _, t := range append(asList(ty), ty) {
		switch t {
		case "object":
			if _, ok := doc.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := doc.([]any); ok {
				return true
			}
		case "string":
			if _, ok := doc.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := doc.(bool); ok {
				return true
			}
		case "null":
			if doc == nil {
				return true
			}
		case "number", "integer":
			switch doc.(type) {
			case int, int64, uint64, float64:
				return true
			}
		}
	}
	return false
}
