//go:build unix

package importer

import (
	"errors"
	"os"
	"syscall"
)

// lockFileExclusive takes an exclusive flock on file without waiting.
func lockFileExclusive(file *os.File) error {
	err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

func unlockFile(file *os.File) error {
	return syscall.Flock(int(file.Fd()), syscall.LOCK_UN)
}
