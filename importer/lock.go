package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// lockFile is the name of the state folder's lock.
const lockFile = "lock"

// LockedError rejects a run while another process holds the state folder.
type LockedError struct {
	Path  string
	PID   int
	Since time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another restock run (pid %d, started %s) is using the state folder %s: wait for it to end, or pass another --state-dir",
		e.PID, e.Since.Format(time.RFC3339), filepath.Dir(e.Path))
}

// Lock makes this process the only one to run with the state folder until
// unlock is called. The lock is an advisory lock on a file that also holds
// the holder's pid and start time for the message of a rejected run. The
// system releases it when its holder dies, so a lock left by a killed
// process is taken over. tookOver then names that process.
func (s *StateDir) Lock(now time.Time) (unlock func(), tookOver *LockedError, err error) {
	path := filepath.Join(s.Path, lockFile)
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open the state folder lock: %w", err)
	}

	previous := readLockHolder(file, path)
	if err := lockFileExclusive(file); err != nil {
		file.Close()
		if errors.Is(err, errLocked) && previous != nil {
			return nil, nil, previous
		}
		if errors.Is(err, errLocked) {
			return nil, nil, &LockedError{Path: path}
		}
		return nil, nil, fmt.Errorf("lock the state folder: %w", err)
	}

	holder := fmt.Sprintf("%d %s\n", os.Getpid(), now.UTC().Format(time.RFC3339))
	if err := file.Truncate(0); err == nil {
		_, _ = file.WriteAt([]byte(holder), 0)
	}
	unlock = func() {
		_ = file.Truncate(0)
		_ = unlockFile(file)
		file.Close()
	}
	return unlock, previous, nil
}

// readLockHolder reads the pid and time written by the last holder, or nil
// when the file is empty: its holder ended normally.
func readLockHolder(file *os.File, path string) *LockedError {
	data := make([]byte, 128)
	n, _ := file.ReadAt(data, 0)
	fields := strings.Fields(string(data[:n]))
	if len(fields) != 2 {
		return nil
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		return nil
	}
	since, _ := time.Parse(time.RFC3339, fields[1])
	return &LockedError{Path: path, PID: pid, Since: since}
}

var errLocked = errors.New("locked by another process")
