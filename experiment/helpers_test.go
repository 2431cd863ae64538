package experiment

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fmtSscan reads the number after "=" in "name=12.5%".
func fmtSscan(s string, v *float64) (int, error) {
	_, num, _ := strings.Cut(s, "=")
	return fmt.Sscanf(strings.TrimSuffix(num, "%"), "%g", v)
}

func newTestRNG() *rand.Rand { return rand.New(rand.NewPCG(17, 29)) }
