package scenario

import (
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // substring of the error; "" for a valid name
	}{
		{"quickstart", ""},
		{"black_thursday-2020.v2", ""},
		{"7day", ""},
		{strings.Repeat("a", MaxNameLen), ""},
		{"", "empty name"},
		{strings.Repeat("a", MaxNameLen+1), "201 bytes long"},
		{"../../victim", `a leading '.' at byte 0`},
		{"a/../../victim", "a path separator '/' at byte 1"},
		{`a\b`, `a path separator '\\' at byte 1`},
		{"/etc", "a path separator '/' at byte 0"},
		{"..", "a leading '.'"},
		{".", "a leading '.'"},
		{".hidden", "a leading '.'"},
		{"-rf", "a leading '-'"},
		{"a\x00b", "a NUL byte at byte 1"},
		{"a b", "' ' at byte 1"},
		{"a\nb", `'\n' at byte 1`},
		{"a\xffb", "invalid UTF-8 at byte 1"},
		{"café", "'é' at byte 3"},
		{"a*b", "'*' at byte 1"},
	} {
		err := CheckName(tc.name)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckName(%q) = %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckName(%q) = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// A bad name is reported at its position, like any other scenario error,
// whether it comes from the file or from an override.
func TestBadNameIsPositioned(t *testing.T) {
	src := "horizon: 1d\nstep: 1h\nnumeraire: USD\nassets:\n  USD: {decimals: 6}\nname: ../../victim\n"
	_, err := LoadBytes("s.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `s.yaml:6:7: name: name "../../victim" has a leading '.' at byte 0`) {
		t.Errorf("err = %v", err)
	}
	src = "name: ok\nhorizon: 1d\nstep: 1h\nnumeraire: USD\nassets:\n  USD: {decimals: 6}\n"
	if _, err := LoadBytes("s.yaml", []byte(src)); err != nil {
		t.Fatalf("valid file: %v", err)
	}
	_, err = LoadBytes("s.yaml", []byte(src), Override{Path: "name", Value: "x/../../victim"})
	if err == nil || !strings.Contains(err.Error(), "name: name \"x/../../victim\" has a path separator '/'") {
		t.Errorf("override: err = %v", err)
	}
}
