package results

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// errNoExchange reports that the system cannot exchange two paths.
var errNoExchange = errors.New("atomic exchange not supported")

// exchange atomically swaps the directories a and b (renameat2 with
// RENAME_EXCHANGE, Linux 3.15; ext4, xfs, btrfs, tmpfs and others).
func exchange(a, b string) error {
	if noExchange {
		return errNoExchange
	}
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return errNoExchange
	}
	return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
}

// renameNoReplace renames a to b, failing with an error matching
// fs.ErrExist if b exists (RENAME_NOREPLACE), so that nothing that appeared
// at b meanwhile is replaced. Where the flag is unsupported it falls back
// to rename(2), which replaces at most an empty directory.
func renameNoReplace(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return os.Rename(a, b)
	}
	return &os.LinkError{Op: "rename", Old: a, New: b, Err: err}
}
