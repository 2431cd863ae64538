package world

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

// Every type, and every key of every type (nested keys included), has a
// one-line description, and a number that counts something says in what.
func TestTypesDocumented(t *testing.T) {
	for _, ti := range Types() {
		if ti.Doc == "" {
			t.Errorf("%s %s: no description in typeDocs", ti.Section, ti.Name)
		}
		var walk func(keys []scenario.Key, path string)
		walk = func(keys []scenario.Key, path string) {
			for _, k := range keys {
				p := path + "." + k.Name
				if strings.TrimSpace(k.Doc) == "" {
					t.Errorf("%s %s: key %s has no doc tag", ti.Section, ti.Name, p[1:])
				}
				if k.Required && k.HasDefault {
					t.Errorf("%s %s: key %s is required and has a default", ti.Section, ti.Name, p[1:])
				}
				walk(k.Keys, p)
			}
		}
		walk(ti.Keys, "")
	}
}

// Every default tag decodes into its field, nested blocks included.
func TestTypeDefaultsDecode(t *testing.T) {
	for _, ti := range Types() {
		if err := scenario.CheckDefaults(ti.Params); err != nil {
			t.Errorf("%s %s: %v", ti.Section, ti.Name, err)
		}
	}
}

// The declared defaults are what the decoders use: every example, with
// each component's absent keys written out at their declared defaults,
// compiles and runs (a few runs over a short horizon, every cell) to
// byte-identical results.
//
// test_function is left out: it rejects keys that belong to another
// function's inputs, so writing those out is an error by design.
func TestDeclaredDefaultsAreUsed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every example twice")
	}
	types := map[string]TypeInfo{}
	for _, ti := range Types() {
		types[ti.Section+"/"+ti.Name] = ti
	}
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	written, keys := 0, 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		root, err := scenario.Parse(path, src)
		if err != nil {
			t.Fatal(err)
		}
		var edits []defaultEdit
		for _, section := range []string{"process", "mechanism", "agent"} {
			sec := root.Get(sectionKey[section])
			if sec == nil || sec.Kind != scenario.Mapping {
				continue
			}
			for _, c := range sec.Items {
				ti, ok := types[section+"/"+textOf(c.Get("type"))]
				if !ok || ti.Name == "test_function" {
					continue
				}
				var text []string
				for _, k := range ti.Keys {
					if k.HasDefault && c.Get(k.Name) == nil {
						text = append(text, k.Name+": "+strconv.Quote(k.Default))
					}
				}
				if len(text) > 0 {
					edits = append(edits, defaultEdit{c, text})
				}
			}
		}
		if len(edits) == 0 {
			continue
		}
		stated := stateDefaults(t, src, edits)
		written += len(edits)
		for _, e := range edits {
			keys += len(e.keys)
		}
		// A short horizon, unless the example needs its own (a fault
		// stated at a time).
		var o []scenario.Override
		if f, err := scenario.LoadBytes(path, src, shortHorizon(t, root)); err == nil {
			if _, err := Compile(f); err == nil {
				o = append(o, shortHorizon(t, root))
			}
		}
		a, b := runShort(t, path, src, o), runShort(t, path, stated, o)
		if !reflect.DeepEqual(fmt.Sprint(a), fmt.Sprint(b)) {
			var keys []string
			for _, e := range edits {
				keys = append(keys, e.keys...)
			}
			t.Errorf("%s: stating the defaults (%s) changes the results", path, strings.Join(keys, "; "))
		}
	}
	t.Logf("%d keys of %d components written out at their defaults", keys, written)
	if written < 20 {
		t.Errorf("only %d components had defaults to state", written)
	}
}

// defaultEdit writes keys (key: "value" lines) into component node n.
type defaultEdit struct {
	n    *scenario.Node
	keys []string
}

// stateDefaults inserts the edits into src before the first key of each
// component: in its line of a flow mapping, or as lines of a block one.
func stateDefaults(t *testing.T, src []byte, edits []defaultEdit) []byte {
	lines := strings.SplitAfter(string(src), "\n")
	slices.SortFunc(edits, func(a, b defaultEdit) int {
		if a.n.Line != b.n.Line {
			return b.n.Line - a.n.Line
		}
		return b.n.Col - a.n.Col
	})
	for _, e := range edits {
		l := lines[e.n.Line-1]
		col := e.n.Col - 1
		// A mapping's position is its first key's.
		switch {
		case strings.HasSuffix(strings.TrimSpace(l[:col]), "{"):
			lines[e.n.Line-1] = l[:col] + strings.Join(e.keys, ", ") + ", " + l[col:]
		default:
			ind := strings.Repeat(" ", col)
			lines[e.n.Line-1] = ind + strings.Join(e.keys, "\n"+ind) + "\n" + l
		}
	}
	return []byte(strings.Join(lines, ""))
}

// shortHorizon returns an override of the horizon to 12 steps.
func shortHorizon(t *testing.T, root *scenario.Node) scenario.Override {
	step, err := unit.ParseDuration(textOf(root.Get("step")))
	if err != nil {
		t.Fatal(err)
	}
	return scenario.Override{Path: "horizon", Value: fmt.Sprintf("%ds", int64(12*step.Seconds()))}
}

// runShort runs every cell of a scenario three times with a fixed seed.
func runShort(t *testing.T, path string, src []byte, o []scenario.Override) [][]float64 {
	t.Helper()
	f, err := scenario.LoadBytes(path, src, o...)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	m, err := Compile(f)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return runAll(t, m, 3, 1, 7)
}
