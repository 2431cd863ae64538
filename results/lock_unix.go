//go:build unix

package results

import (
	"os"
	"syscall"
)

// lockDir takes an exclusive flock on the open directory f, waiting for a
// writer that is cleaning up a stale directory to let go.
func lockDir(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

// tryLockDir takes an exclusive flock on f if no one holds it.
func tryLockDir(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
