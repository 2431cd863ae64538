package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/results"
)

// tree describes every file and directory under dir with its content's
// hash, to show that nothing under it changed.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b.WriteString(rel)
		if d.Type().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			b.WriteString(" " + hex.EncodeToString(sum[:8]))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// victim makes a directory of someone's files at dir.
func victim(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"thesis.tex": "precious", "sub/data.csv": "a,b\n1,2\n", "manifest.json": `{"name": "app"}`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A scenario's name cannot make Cascade write, replace or delete anything
// outside out/<name>: every path-like or unprintable name is rejected at
// its position, by validate and by run (from the file or from --set), with
// exit status 2, before anything is written.
func TestScenarioNameCannotEscape(t *testing.T) {
	root := t.TempDir()
	proj := filepath.Join(root, "proj")
	victim(t, filepath.Join(root, "victim"))
	victim(t, filepath.Join(proj, "victim"))
	if err := os.MkdirAll(filepath.Join(proj, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(proj)
	before := tree(t, root)
	long := strings.Repeat("n", 256)
	for _, tc := range []struct {
		name, want string
	}{
		{`../../victim`, `s.yaml:1:7: name: name "../../victim" has a leading '.'`},
		{`../victim`, `has a leading '.'`},
		{`x/../../victim`, `has a path separator '/' at byte 1`},
		{root + `/victim`, `has a path separator '/' at byte 0`},
		{`..`, `has a leading '.'`},
		{`.`, `has a leading '.'`},
		{`"victim\0"`, `has a NUL byte at byte 6`},
		{`"a\\b"`, `has a path separator '\\'`},
		{long, `name is 256 bytes long, at most 200 allowed`},
	} {
		src := scenarioWith(1, 1, "name: "+tc.name)
		if err := os.WriteFile("s.yaml", []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"validate", "s.yaml"}, {"run", "s.yaml", "--runs", "2", "-q"}} {
			status, _, stderr := run(t, args...)
			if status != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s with name %.40q: status %d, stderr %q; want 2 and %q", args[0], tc.name, status, stderr, tc.want)
			}
		}
	}
	if err := os.WriteFile("s.yaml", []byte(scenarioWith(0, 0, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../../victim", "../victim", "/tmp"} {
		status, _, stderr := run(t, "run", "s.yaml", "--runs", "2", "-q", "--set", "name="+name)
		if status != exitUsage || !strings.Contains(stderr, "name: name") {
			t.Errorf("--set name=%s: status %d, stderr %q", name, status, stderr)
		}
	}
	if err := os.Remove("s.yaml"); err != nil {
		t.Fatal(err)
	}
	if after := tree(t, root); after != before {
		t.Errorf("files changed:\n%s\nwant\n%s", after, before)
	}
}

// Cascade replaces only a results directory it wrote. Someone else's
// directory, given with --out or sitting at out/<name>, and a results
// directory to which the user added a file, are refused with exit status 2
// and left exactly as they were.
func TestOutputNeverReplacesForeignDirectory(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	if err := os.WriteFile("s.yaml", []byte(scenarioWith(1, 1, "name: mine")), 0o644); err != nil {
		t.Fatal(err)
	}
	victim(t, filepath.Join(root, "victim"))
	victim(t, filepath.Join(root, "out", "mine"))
	if status, _, stderr := run(t, "run", "s.yaml", "--runs", "2", "-q", "--out", "earlier"); status != 0 {
		t.Fatalf("first run: %d %s", status, stderr)
	}
	if err := os.WriteFile(filepath.Join("earlier", "notes.txt"), []byte("my notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, root)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", "victim"}, "victim is not a Cascade results directory (manifest.json is not Cascade's: no format_version); refusing to replace it"},
		{nil, "out/mine is not a Cascade results directory"},
		{[]string{"--out", "earlier"}, "earlier holds notes.txt, which Cascade did not write; refusing to replace it"},
		{[]string{"--out", "s.yaml"}, "s.yaml exists and is not a directory; refusing to replace it"},
	} {
		args := append([]string{"run", "s.yaml", "--runs", "2", "-q"}, tc.args...)
		status, _, stderr := run(t, args...)
		if status != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: status %d, stderr %q; want 2 and %q", args, status, stderr, tc.want)
		}
	}
	if after := tree(t, root); after != before {
		t.Errorf("files changed:\n%s\nwant\n%s", after, before)
	}
	// Without the user's file, the earlier results are Cascade's own and
	// are replaced.
	if err := os.Remove(filepath.Join("earlier", "notes.txt")); err != nil {
		t.Fatal(err)
	}
	if status, _, stderr := run(t, "run", "s.yaml", "--runs", "3", "-q", "--out", "earlier"); status != 0 {
		t.Fatalf("rerun: %d %s", status, stderr)
	}
	if m, err := results.ReadManifest("earlier"); err != nil || m.Runs != 3 {
		t.Fatalf("replaced results: %+v %v", m, err)
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
