//go:build !linux

package results

import (
	"errors"
	"os"
)

// errNoExchange reports that the system cannot exchange two paths.
var errNoExchange = errors.New("atomic exchange not supported")

// exchange is not available here: Finish falls back to two renames.
func exchange(a, b string) error { return errNoExchange }

// renameNoReplace is rename(2), which replaces at most an empty directory.
func renameNoReplace(a, b string) error { return os.Rename(a, b) }
