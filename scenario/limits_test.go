package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const small = "name: t\nhorizon: 1d\nstep: 1d\nnumeraire: U\nassets:\n  U: {decimals: 6}\n"

func TestLimits(t *testing.T) {
	bomb := "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for k := 1; k < 9; k++ {
		bomb += fmt.Sprintf("a%d: &a%d [%s]\n", k, k, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", k-1), 10), ", "))
	}
	var keys strings.Builder
	keys.WriteString("x:\n")
	for k := range MaxKeys + 1 {
		fmt.Fprintf(&keys, "  k%d: %d\n", k, k)
	}
	var block strings.Builder
	for k := range MaxDepth + 1 {
		fmt.Fprintf(&block, "%sk:\n", strings.Repeat(" ", k))
	}
	cases := []struct {
		name, src, want string
	}{
		{"alias bomb", bomb, "6:"},
		{"flow nesting", "x: " + strings.Repeat("[", 100) + strings.Repeat("]", 100), fmt.Sprintf("1:%d: values nested more than %d deep", 3+MaxDepth, MaxDepth)},
		{"block nesting", block.String(), fmt.Sprintf("%d:%d: values nested more than", MaxDepth+1, MaxDepth+1)},
		{"keys in one mapping", keys.String(), fmt.Sprintf("%d:3: more than %d keys in one mapping", MaxKeys+2, MaxKeys)},
		{"keys in one flow mapping", "x: {" + strings.Repeat("a: 1, ", 0) + flowKeys(MaxKeys+1) + "}", "1:"},
		{"too big", small + "d: \"" + strings.Repeat("x", MaxFileSize) + "\"\n", "at most 262144"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadBytes("f.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), "f.yaml:"+c.want) && !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func flowKeys(n int) string {
	var b strings.Builder
	for k := range n {
		fmt.Fprintf(&b, "k%d: 1, ", k)
	}
	return b.String()
}

func TestManyKeysUnderTheLimitParse(t *testing.T) {
	// Two mappings of MaxKeys keys each, side by side and in a list, parse:
	// the count restarts with each mapping.
	var b strings.Builder
	b.WriteString("a:\n")
	for k := range MaxKeys {
		fmt.Fprintf(&b, "  k%d: 1\n", k)
	}
	b.WriteString("b:\n")
	for range 3 {
		for k := range MaxKeys {
			fmt.Fprintf(&b, "  - k%d: 1\n", k)
		}
	}
	if _, err := Parse("f.yaml", []byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

func TestByteOrderMark(t *testing.T) {
	if _, err := Parse("f.yaml", []byte("\ufeff"+small)); err != nil {
		t.Fatal(err)
	}
}

func TestReadFileRejects(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "a character device, not a regular file"},
		{dir, "is a directory"},
		{big, "a scenario may have at most"},
		{filepath.Join(dir, "none.yaml"), "no such file"},
	} {
		if _, err := Load(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.path, err, c.want)
		}
	}
}
