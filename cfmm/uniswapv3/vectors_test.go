package uniswapv3

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// vectorDir holds the Uniswap v3 reference vectors (origin in
// testdata/PROVENANCE.md); the tests fail rather than skip when one is missing.
var vectorDir = "testdata"

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// readCSV returns the rows of a vector CSV after its header, skipping the
// leading '#' comment lines.
func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	var body []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "#") {
			body = append(body, line)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(strings.Join(body, "\n"))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(rows) < 2 {
		t.Fatalf("%s: no data rows", name)
	}
	return rows[1:]
}

// num parses a decimal integer, negative ones into two's complement.
func num(t testing.TB, s string) uint256.Int {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	z, err := uint256.FromDecimal(strings.TrimPrefix(s, "-"))
	if err != nil {
		t.Fatalf("bad integer %q: %v", s, err)
	}
	if neg {
		z.Neg(z)
	}
	return *z
}

// signed formats a two's-complement int256 in decimal.
func signed(x *uint256.Int) string {
	if x.Sign() < 0 {
		var m uint256.Int
		m.Neg(x)
		return "-" + m.Dec()
	}
	return x.Dec()
}

func reason(err error) string {
	var r *cfmm.Revert
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// sameState reports whether two pools hold the same state, scratch space
// aside.
func sameState(a, b *Pool) bool {
	x, y := *a, *b
	x.crossed, y.crossed = nil, nil
	// The memo of tick prices is not state.
	x.nextMemo, y.nextMemo = [2]nextMemo{}, [2]nextMemo{}
	x.recip, y.recip = recipMemo{}, recipMemo{}
	x.quot, y.quot = quotMemo{}, quotMemo{}
	return reflect.DeepEqual(x, y)
}
