package importer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testHeader(id string, rows int) RunHeader {
	return RunHeader{ID: id, Input: "stock.csv", SHA256: strings.Repeat("ab", 32), StartedAt: time.Now().UTC(), Rows: rows, Requests: rows}
}

func TestJournalReplaysOutcomes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	plan := testPlan(t, productA+","+variantA1+",3\n"+productA+","+variantA2+",4\n"+productB+","+variantB1+",5\n"+productC+","+variantC1+",6\n", false)
	journal, err := CreateJournal(path, testHeader("run-1", 4))
	if err != nil {
		t.Fatal(err)
	}
	r := plan.Requests

	mustWrite(t, journal.Sending(r[0], 2, 1))
	mustWrite(t, journal.Outcome(r[0], Outcome{Status: StatusApplied, Inventory: intPointer(13), ProductInventory: intPointer(13), ProductName: "Caftan brodé"}))
	mustWrite(t, journal.Sending(r[1], 3, 1))
	mustWrite(t, journal.Released(r[1], errors.New("429 Too Many Requests")))
	mustWrite(t, journal.Sending(r[1], 3, 2))
	mustWrite(t, journal.Outcome(r[1], Outcome{Status: StatusFailed, Err: errors.New("422 invalid")}))
	mustWrite(t, journal.Sending(r[2], 4, 1)) // in flight when the process dies

	state, err := ReadJournal(path)
	if err != nil {
		t.Fatalf("ReadJournal: %v", err)
	}
	if state.Header.ID != "run-1" || state.Finished {
		t.Errorf("header %+v, finished %v; want run-1, not finished", state.Header, state.Finished)
	}
	if got := state.Outcomes[0]; got.Status != StatusApplied || *got.Inventory != 13 || got.ProductName != "Caftan brodé" {
		t.Errorf("request 0 = %+v, want applied at 13 with its name", got)
	}
	if got := state.Outcomes[1]; got.Status != StatusFailed || got.Err.Error() != "422 invalid" {
		t.Errorf("request 1 = %+v, want failed", got)
	}
	if got := state.Outcomes[2]; got.Status != StatusUnknown || !strings.Contains(got.Err.Error(), "in flight when the run stopped: sent at") {
		t.Errorf("request 2 = %+v, want unknown: it was in flight", got)
	}
	if _, ok := state.Outcomes[3]; ok {
		t.Error("request 3 has an outcome, want none: it was never sent")
	}
	want := map[Status]int{StatusApplied: 1, StatusFailed: 1, StatusUnknown: 1, StatusNotAttempted: 1}
	for status, n := range want {
		if state.RowCounts[status] != n {
			t.Errorf("RowCounts[%s] = %d, want %d", status, state.RowCounts[status], n)
		}
	}
	if state.Complete() {
		t.Error("Complete() = true, want false with a row never sent")
	}
}

func mustWrite(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("write the journal: %v", err)
	}
}

func TestJournalToleratesTornLastRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	plan := testPlan(t, productA+","+variantA1+",3\n", false)
	journal, err := CreateJournal(path, testHeader("run-1", 1))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, journal.Sending(plan.Requests[0], 2, 1))
	appendBytes(t, path, `{"type":"applied","request":0,"inv`)

	state, err := ReadJournal(path)
	if err != nil {
		t.Fatalf("ReadJournal with a torn last record: %v", err)
	}
	if got := state.Outcomes[0].Status; got != StatusUnknown {
		t.Errorf("status = %s, want unknown: the applied record was torn", got)
	}

	// Reopening cuts the torn record, so the next record is whole.
	reopened, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, reopened.Outcome(plan.Requests[0], Outcome{Status: StatusFailed, Err: errors.New("gone")}))
	mustWrite(t, reopened.Finish(nil))
	state, err = ReadJournal(path)
	if err != nil {
		t.Fatalf("ReadJournal after reopening: %v", err)
	}
	if got := state.Outcomes[0].Status; got != StatusFailed || !state.Finished {
		t.Errorf("status = %s, finished %v; want failed and finished", got, state.Finished)
	}
}

func appendBytes(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func TestJournalDamagedRecordIsError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := CreateJournal(path, testHeader("run-1", 1))
	if err != nil {
		t.Fatal(err)
	}
	appendBytes(t, path, "not json\n")
	mustWrite(t, journal.Finish(nil))

	_, err = ReadJournal(path)
	if err == nil || !strings.Contains(err.Error(), "damaged at line 2") {
		t.Errorf("ReadJournal error = %v, want one naming line 2", err)
	}
}

func TestJournalCreateRejectsExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	if _, err := CreateJournal(path, testHeader("run-1", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateJournal(path, testHeader("run-1", 1)); err == nil {
		t.Error("CreateJournal over an existing journal succeeded, want an error")
	}
}

// newStateDir returns a state folder with one finished run of the given
// outcomes per row.
func newStateDir(t *testing.T) *StateDir {
	t.Helper()
	state, err := OpenStateDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func addRun(t *testing.T, state *StateDir, id, sha string, statuses []Status, finished bool) {
	t.Helper()
	body := ""
	for i := range statuses {
		body += productA + "," + []string{variantA1, variantA2, variantB1, variantC1}[i] + ",1\n"
	}
	plan := testPlan(t, body, false)
	header := testHeader(id, len(statuses))
	header.SHA256 = sha
	journal, err := state.CreateRun(header)
	if err != nil {
		t.Fatal(err)
	}
	for i, status := range statuses {
		if status == StatusNotAttempted {
			continue
		}
		mustWrite(t, journal.Sending(plan.Requests[i], i+2, 1))
		if status != StatusUnknown {
			mustWrite(t, journal.Outcome(plan.Requests[i], Outcome{Status: status}))
		}
	}
	if finished {
		mustWrite(t, journal.Finish(nil))
	}
}

func TestCheckRepeat(t *testing.T) {
	const fileA, fileB = "aaaa", "bbbb"
	tests := []struct {
		name        string
		statuses    []Status
		finished    bool
		sha         string
		allowRepeat bool
		want        string // a part of the error, or "" for none
	}{
		{"applied file is rejected", []Status{StatusApplied, StatusFailed}, true, fileA, false, "was already applied by run r1"},
		{"allow repeat", []Status{StatusApplied, StatusFailed}, true, fileA, true, ""},
		{"another file", []Status{StatusApplied}, true, fileB, false, ""},
		{"unknown counts as applied", []Status{StatusFailed, StatusUnknown}, true, fileA, false, "was already applied"},
		{"all failed may run again", []Status{StatusFailed, StatusFailed}, true, fileA, false, ""},
		{"unfinished run points to resume", []Status{StatusApplied, StatusNotAttempted}, true, fileA, true, "restock --resume r1 stock.csv"},
		{"killed run points to resume", []Status{StatusApplied, StatusNotAttempted}, false, fileA, false, "stopped before sending every row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := newStateDir(t)
			addRun(t, state, "r1", fileA, tt.statuses, tt.finished)
			runs, err := state.Runs()
			if err != nil {
				t.Fatal(err)
			}

			err = CheckRepeat(runs, tt.sha, tt.allowRepeat)

			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckRepeat = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckRepeat = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestRunsSkipsRunDiedWhileCreated(t *testing.T) {
	state := newStateDir(t)
	if err := os.Mkdir(filepath.Join(state.Path, "runs", "died-before-journal"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(state.Path, "runs", "torn-header"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeBytes(t, filepath.Join(state.Path, "runs", "torn-header", journalFile), `{"type":"run","ru`)

	runs, err := state.Runs()
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Errorf("Runs = %+v, want none: neither run sent anything", runs)
	}
}

func writeBytes(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLockRejectsSecondHolder(t *testing.T) {
	state := newStateDir(t)
	unlock, _, err := state.Lock(time.Now())
	if err != nil {
		t.Fatalf("first Lock: %v", err)
	}

	_, _, err = state.Lock(time.Now())
	var locked *LockedError
	if !errors.As(err, &locked) || locked.PID != os.Getpid() {
		t.Fatalf("second Lock = %v, want a *LockedError naming pid %d", err, os.Getpid())
	}
	if !strings.Contains(err.Error(), "another restock run (pid") {
		t.Errorf("message = %q", err)
	}

	unlock()
	unlockAgain, tookOver, err := state.Lock(time.Now())
	if err != nil || tookOver != nil {
		t.Fatalf("Lock after unlock = %v, took over %v; want a clean lock", err, tookOver)
	}
	unlockAgain()
}

func TestLockTakesOverStaleLock(t *testing.T) {
	state := newStateDir(t)
	// A process killed while holding the lock leaves its pid in the file,
	// but the system released its lock.
	writeBytes(t, filepath.Join(state.Path, lockFile), "999999 2026-12-01T03:00:00Z\n")

	unlock, tookOver, err := state.Lock(time.Now())
	if err != nil {
		t.Fatalf("Lock over a stale lock: %v", err)
	}
	defer unlock()
	if tookOver == nil || tookOver.PID != 999999 {
		t.Errorf("tookOver = %+v, want pid 999999", tookOver)
	}
}
