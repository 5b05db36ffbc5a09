//go:build !unix

package importer

import (
	"errors"
	"os"
)

// NOTE: only Unix systems lock the state folder; elsewhere two runs may use
// it at once.
func lockFileExclusive(file *os.File) error { return nil }

func unlockFile(file *os.File) error { return errors.ErrUnsupported }
