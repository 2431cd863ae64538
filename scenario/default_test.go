package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/unit"
)

type defaultsInner struct {
	Band unit.Fraction `yaml:"band" doc:"band" default:"1%"`
	Name string        `yaml:"name" doc:"name"`
}

type defaultsOuter struct {
	Fee   unit.Fraction  `yaml:"fee" doc:"fee" default:"0.3%"`
	Count *int           `yaml:"count" doc:"count" unit:"holders" default:"1"`
	Mode  string         `yaml:"mode" doc:"mode" default:"fixed"`
	Every unit.Duration  `yaml:"every" doc:"every" default:"1d"`
	Peg   defaultsInner  `yaml:"peg" doc:"peg"`
	Opt   *defaultsInner `yaml:"opt" doc:"opt"`
}

// An absent key decodes as its default tag; a stated one as stated; an
// absent block as an empty one; a block that is a pointer stays nil.
func TestDecodeDefaults(t *testing.T) {
	one, two := 1, 2
	day := unit.Duration(24 * time.Hour)
	for _, tc := range []struct {
		src  string
		want defaultsOuter
	}{
		{"x: 1", defaultsOuter{Fee: 0.003, Count: &one, Mode: "fixed", Every: day, Peg: defaultsInner{Band: 0.01}}},
		{"fee: 0\ncount: 2\nmode: stepped\npeg: {band: 0}", defaultsOuter{Fee: 0, Count: &two, Mode: "stepped", Every: day}},
		{"opt: {name: a}", defaultsOuter{Fee: 0.003, Count: &one, Mode: "fixed", Every: day, Peg: defaultsInner{Band: 0.01}, Opt: &defaultsInner{Band: 0.01, Name: "a"}}},
	} {
		n, err := Parse("t.yaml", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		var got defaultsOuter
		errs := &Errs{File: "t.yaml"}
		Decode(n, &got, "", errs, "x")
		if len(errs.List) > 0 {
			t.Fatalf("%q: %v", tc.src, errs.List)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v, want %+v", tc.src, got, tc.want)
		}
	}
	var d defaultsInner
	if err := SetDefaults(&d); err != nil || d.Band != 0.01 {
		t.Errorf("SetDefaults: %+v, %v", d, err)
	}
}

// Keys carry their tags; the schema carries description and default; a
// default that does not decode is reported.
func TestKeyDocs(t *testing.T) {
	keys := KeysOfType(reflect.TypeFor[defaultsOuter]())
	if k := keys[1]; k.Name != "count" || k.Doc != "count" || k.Unit != "holders" || !k.HasDefault || k.Default != "1" {
		t.Errorf("count key: %+v", k)
	}
	s := SchemaOf(reflect.TypeFor[defaultsOuter]())
	count := s["properties"].(map[string]any)["count"].(map[string]any)
	if count["default"] != 1.0 || !strings.HasPrefix(count["description"].(string), "count [holders]") {
		t.Errorf("count schema: %v", count)
	}
	if err := CheckDefaults(reflect.TypeFor[defaultsOuter]()); err != nil {
		t.Error(err)
	}
	type bad struct {
		Every unit.Duration `yaml:"every" default:"soon"`
	}
	if err := CheckDefaults(reflect.TypeFor[struct {
		B []bad `yaml:"b"`
	}]()); err == nil || !strings.Contains(err.Error(), "b.every") {
		t.Errorf("a bad default in a nested list was not reported: %v", err)
	}
}

// Every key of a scenario file outside its components has a description,
// which the JSON Schema carries to editors.
func TestScenarioKeysDocumented(t *testing.T) {
	var walk func(keys []Key, path string)
	walk = func(keys []Key, path string) {
		for _, k := range keys {
			if k.Doc == "" {
				t.Errorf("key %s%s has no doc tag", path, k.Name)
			}
			walk(k.Keys, path+k.Name+".")
		}
	}
	walk(KeysOfType(reflect.TypeFor[Scenario]()), "")
	for _, typ := range []reflect.Type{reflect.TypeFor[Discover](), reflect.TypeFor[sweepRange](), reflect.TypeFor[discoverRange]()} {
		walk(KeysOfType(typ), typ.Name()+".")
	}
}
