package world

import (
	"testing"
)

// Every registered type yields the keys its decoder accepts.
func TestTypesHaveKeys(t *testing.T) {
	types := Types()
	if len(types) < 20 {
		t.Fatalf("only %d types", len(types))
	}
	for _, ti := range types {
		if ti.Params == nil || len(ti.Keys) == 0 {
			t.Errorf("%s %s: no keys recorded", ti.Section, ti.Name)
		}
	}
	t.Log(WriteTypes(types))
}
