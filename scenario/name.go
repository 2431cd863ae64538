package scenario

import (
	"fmt"
	"unicode/utf8"
)

// MaxNameLen is the longest scenario name, in bytes. The name becomes the
// default results directory out/<name>, and the temporary entries a results
// writer makes beside it (".<name>.tmp-<pid>-<random>.lock") add up to 35
// bytes to a name that file systems cap at 255.
const MaxNameLen = 200

// CheckName reports why s cannot be a scenario name, or nil if it can.
//
// A name is used as one path component (out/<name>), so it must be a plain
// file name on every system: ASCII letters, digits, '_', '-' and '.', at
// most MaxNameLen bytes, starting with a letter or digit. That rules out
// path separators, "." and "..", hidden names, NUL and other control
// characters, spaces and shell metacharacters.
func CheckName(s string) error {
	const rule = "a scenario name is the results directory out/<name>, so it must be one plain file name: " +
		"ASCII letters, digits, '_', '-' and '.', starting with a letter or digit"
	switch {
	case s == "":
		return fmt.Errorf("empty name; %s", rule)
	case len(s) > MaxNameLen:
		return fmt.Errorf("name is %d bytes long, at most %d allowed", len(s), MaxNameLen)
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if i > 0 {
			ok = ok || r == '_' || r == '-' || r == '.'
		}
		if !ok {
			what := fmt.Sprintf("%q", r)
			switch {
			case r == utf8.RuneError:
				what = "invalid UTF-8"
			case r == '/' || r == '\\':
				what = fmt.Sprintf("a path separator %q", r)
			case r == 0:
				what = "a NUL byte"
			case i == 0 && (r == '.' || r == '_' || r == '-'):
				what = fmt.Sprintf("a leading %q", r)
			}
			return fmt.Errorf("name %q has %s at byte %d; %s", s, what, i, rule)
		}
	}
	return nil
}
