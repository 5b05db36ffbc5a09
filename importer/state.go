package importer

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// journalFile is the name of a run's journal inside its folder.
const journalFile = "journal.jsonl"

// DefaultStateDir returns the per-user folder that keeps run journals:
// $XDG_STATE_HOME/restock, or ~/.local/state/restock, on Linux and other
// Unix systems but macOS; the user config folder elsewhere
// (~/Library/Application Support/restock on macOS, %AppData%\restock on
// Windows). getenv reads the environment.
func DefaultStateDir(getenv func(string) string) (string, error) {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if dir := getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
			return filepath.Join(dir, "restock"), nil
		}
		if home := getenv("HOME"); home != "" {
			return filepath.Join(home, ".local", "state", "restock"), nil
		}
		return "", errors.New("cannot find a state folder: neither XDG_STATE_HOME nor HOME is set, so pass --state-dir")
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a state folder (%v): pass --state-dir", err)
	}
	return filepath.Join(dir, "restock"), nil
}

// StateDir is the folder of run journals, one subfolder per run.
type StateDir struct {
	Path string
}

// OpenStateDir creates the folder if needed, readable by its owner only
// since journals name the store's products.
func OpenStateDir(path string) (*StateDir, error) {
	if err := os.MkdirAll(filepath.Join(path, "runs"), 0o700); err != nil {
		return nil, fmt.Errorf("create the state folder: %w", err)
	}
	return &StateDir{Path: path}, nil
}

// NewRunID returns a new run id: the UTC start time and a random suffix, so
// that ids sort by time and two runs started in the same second differ.
func NewRunID(now time.Time) string {
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix) // crypto/rand.Read never returns an error since Go 1.24
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(suffix)
}

// JournalPath returns the path of a run's journal.
func (s *StateDir) JournalPath(runID string) string {
	return filepath.Join(s.Path, "runs", runID, journalFile)
}

// InputCopyPath returns where a run keeps a copy of its input when it was
// downloaded or read from standard input.
func (s *StateDir) InputCopyPath(runID string) string {
	return filepath.Join(s.Path, "runs", runID, "input")
}

// CreateRun creates the folder and journal of a new run.
func (s *StateDir) CreateRun(header RunHeader) (*Journal, error) {
	if err := os.Mkdir(filepath.Join(s.Path, "runs", header.ID), 0o700); err != nil {
		return nil, fmt.Errorf("create the run folder: %w", err)
	}
	return CreateJournal(s.JournalPath(header.ID), header)
}

// ReadRun replays the journal of one run. The error for an unknown id
// names the command that lists the runs.
func (s *StateDir) ReadRun(runID string) (*JournalState, error) {
	if runID == "" || strings.ContainsAny(runID, `/\`) || runID == "." || runID == ".." {
		return nil, fmt.Errorf("invalid run id %q: run restock runs to list them", runID)
	}
	path := s.JournalPath(runID)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no run %q in %s: run restock runs to list them", runID, s.Path)
	}
	return ReadJournal(path)
}

// Runs replays every run's journal, oldest first. A run whose journal cannot
// be read is returned with its error, not skipped, so that a damaged
// journal cannot hide an earlier application of a file.
func (s *StateDir) Runs() ([]RunState, error) {
	entries, err := os.ReadDir(filepath.Join(s.Path, "runs"))
	if err != nil {
		return nil, fmt.Errorf("list the runs: %w", err)
	}
	var runs []RunState
	for _, entry := range entries {
		if !entry.IsDir() {
			continue
		}
		state, err := ReadJournal(s.JournalPath(entry.Name()))
		if errors.Is(err, ErrEmptyJournal) || errors.Is(err, fs.ErrNotExist) {
			// The run died while being created, before it sent anything.
			continue
		}
		runs = append(runs, RunState{ID: entry.Name(), State: state, Err: err})
	}
	slices.SortFunc(runs, func(a, b RunState) int { return strings.Compare(a.ID, b.ID) })
	return runs, nil
}

// RunState is one run of the state folder.
type RunState struct {
	ID    string
	State *JournalState // nil when Err is set
	Err   error
}

// RepeatError rejects a new run of a file that an earlier run already
// applied, fully or in part.
type RepeatError struct {
	Earlier *JournalState
}

func (e *RepeatError) Error() string {
	h := e.Earlier.Header
	return fmt.Sprintf("this file (sha256 %s) was already applied by run %s, started %s: %s; pass --allow-repeat to apply the same quantities again",
		shortHash(h.SHA256), h.ID, h.StartedAt.Format(time.RFC3339), FormatCounts(e.Earlier.RowCounts))
}

// UnfinishedRunError rejects a new run of a file whose earlier run stopped
// before sending every row.
type UnfinishedRunError struct {
	Earlier *JournalState
}

func (e *UnfinishedRunError) Error() string {
	h := e.Earlier.Header
	if h.Undoes != "" {
		return fmt.Sprintf("undo %s of run %s, started %s, stopped before sending every row (%s): continue it with restock undo --resume %s %s",
			h.ID, h.Undoes, h.StartedAt.Format(time.RFC3339), FormatCounts(e.Earlier.RowCounts), h.ID, h.Undoes)
	}
	return fmt.Sprintf("run %s of this file, started %s, stopped before sending every row (%s): continue it with restock --resume %s %s",
		h.ID, h.StartedAt.Format(time.RFC3339), FormatCounts(e.Earlier.RowCounts), h.ID, h.Input)
}

// CheckRepeat rejects a new run of the input whose SHA-256 is sha256 when an
// earlier run of the same bytes stopped before sending every row, or
// applied some rows (applied or unknown) and allowRepeat is false. A journal
// that cannot be read is an error too.
func CheckRepeat(runs []RunState, sha256 string, allowRepeat bool) error {
	for _, run := range runs {
		if run.Err != nil {
			return fmt.Errorf("cannot check for an earlier run of this file: %w", run.Err)
		}
	}
	for i := len(runs) - 1; i >= 0; i-- {
		state := runs[i].State
		if state.Header.SHA256 != sha256 {
			continue
		}
		if !state.Complete() {
			return &UnfinishedRunError{Earlier: state}
		}
		if !allowRepeat && state.RowCounts[StatusApplied]+state.RowCounts[StatusUnknown] > 0 {
			return &RepeatError{Earlier: state}
		}
	}
	return nil
}

func shortHash(sha256 string) string {
	if len(sha256) > 12 {
		return sha256[:12]
	}
	return sha256
}

// FormatCounts writes row counts as "10 applied, 1 failed, 2 not attempted",
// in a fixed order and without zero counts.
func FormatCounts(counts map[Status]int) string {
	var parts []string
	for _, status := range []Status{StatusApplied, StatusFailed, StatusUnknown, StatusNotAttempted} {
		if n := counts[status]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(string(status), "_", " ")))
		}
	}
	if len(parts) == 0 {
		return "no rows"
	}
	return strings.Join(parts, ", ")
}
