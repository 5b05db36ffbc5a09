package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// journalVersion is the format version written in a journal's first record.
const journalVersion = 1

// Journal record types. A request gets "sending" before it goes out. Once
// its response is read it gets "applied", "failed" or "unknown", or
// "released" when the store certainly did not apply it and it may be sent
// again (a 429, or a connection that failed before the request was
// written).
const (
	recordRun      = "run"
	recordSending  = "sending"
	recordReleased = "released"
	recordApplied  = "applied"
	recordFailed   = "failed"
	recordUnknown  = "unknown"
	recordResumed  = "resumed"
	recordFinished = "finished"
)

// RunHeader describes a run. It is the first record of its journal.
type RunHeader struct {
	Version         int       `json:"version"`
	ID              string    `json:"id"`
	Input           string    `json:"input"`  // the input path as given, or "-"
	SHA256          string    `json:"sha256"` // of the input bytes
	StartedAt       time.Time `json:"started_at"`
	APIURL          string    `json:"api_url"`
	MergeDuplicates bool      `json:"merge_duplicates"`
	Rows            int       `json:"rows"`
	Requests        int       `json:"requests"`

	// Undoes is the id of the run this run undoes, or "" for a restock.
	Undoes string `json:"undoes,omitempty"`
}

// journalRecord is one line of a journal. Only the fields of its type are
// set.
type journalRecord struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`

	Run *RunHeader `json:"run,omitempty"`

	Request   int    `json:"request"`
	Rows      int    `json:"rows,omitempty"` // the input rows the request applies
	Line      int    `json:"line,omitempty"` // the first of them
	ProductID string `json:"product_id,omitempty"`
	VariantID string `json:"variant_id,omitempty"`
	Quantity  int    `json:"quantity,omitempty"`
	Attempt   int    `json:"attempt,omitempty"`

	Inventory        *int   `json:"inventory,omitempty"`
	ProductInventory *int   `json:"product_inventory,omitempty"`
	ProductName      string `json:"product_name,omitempty"`
	Variant          string `json:"variant,omitempty"`
	SKU              string `json:"sku,omitempty"`

	Error string `json:"error,omitempty"`
}

// Journal is the append-only record of a run's state changes. Each record is
// one line of JSON, written with one write call and flushed to stable
// storage (fsync) before the call that wrote it returns. Whenever the
// process dies, the journal therefore records which requests were applied,
// which failed and which were in flight. It is safe for concurrent use; records
// written at the same moment share one fsync.
type Journal struct {
	path string
	file *os.File

	mu      sync.Mutex // guards written and err
	written int64      // bytes written so far
	err     error      // the first write error; every later call returns it

	syncMu sync.Mutex // serializes fsync calls
	synced int64      // bytes known to be on stable storage
}

// CreateJournal creates the journal of a new run at path and writes its
// header. The file must not exist.
func CreateJournal(path string, header RunHeader) (*Journal, error) {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the run journal: %w", err)
	}
	j := &Journal{path: path, file: file}
	header.Version = journalVersion
	if err := j.append(journalRecord{Type: recordRun, Run: &header}); err != nil {
		file.Close()
		return nil, err
	}
	// The folder entry of a new file is durable only once its folder is
	// synced too.
	if err := syncFolder(filepath.Dir(path)); err != nil {
		file.Close()
		return nil, fmt.Errorf("create the run journal: %w", err)
	}
	return j, nil
}

// OpenJournal opens the journal of an earlier run to append to it, and
// records that the run resumed. A torn last record, left by a process that
// died while writing it, is cut off first so that new records start on a
// line of their own.
func OpenJournal(path string) (*Journal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("open the run journal: %w", err)
	}
	complete := int64(bytes.LastIndexByte(data, '\n') + 1)
	if complete != int64(len(data)) {
		if err := os.Truncate(path, complete); err != nil {
			return nil, fmt.Errorf("repair the torn last record of the run journal: %w", err)
		}
	}

	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the run journal: %w", err)
	}
	j := &Journal{path: path, file: file, written: complete, synced: complete}
	if err := j.append(journalRecord{Type: recordResumed}); err != nil {
		file.Close()
		return nil, err
	}
	return j, nil
}

// Path returns the journal's file path.
func (j *Journal) Path() string { return j.path }

// Sending records that a request is about to be sent. The request must not
// be sent unless this returns nil.
func (j *Journal) Sending(request *Request, line, attempt int) error {
	return j.append(journalRecord{
		Type:      recordSending,
		Request:   request.Index,
		Rows:      len(request.Rows),
		Line:      line,
		ProductID: request.ProductID.String(),
		VariantID: request.VariantID.String(),
		Quantity:  request.Quantity,
		Attempt:   attempt,
	})
}

// Released records that the store certainly did not apply the request just
// sent, so it may be sent again.
func (j *Journal) Released(request *Request, cause error) error {
	return j.append(journalRecord{Type: recordReleased, Request: request.Index, Error: cause.Error()})
}

// Outcome records the final outcome of a request: applied, failed or
// unknown. Other statuses are not recorded, since they are not final.
func (j *Journal) Outcome(request *Request, outcome Outcome) error {
	record := journalRecord{Request: request.Index, Rows: len(request.Rows)}
	switch outcome.Status {
	case StatusApplied:
		record.Type = recordApplied
		record.Inventory = outcome.Inventory
		record.ProductInventory = outcome.ProductInventory
		record.ProductName = outcome.ProductName
		record.Variant = outcome.Variant
		record.SKU = outcome.SKU
	case StatusFailed:
		record.Type = recordFailed
	case StatusUnknown:
		record.Type = recordUnknown
	default:
		return nil
	}
	if outcome.Err != nil {
		record.Error = outcome.Err.Error()
	}
	return j.append(record)
}

// Finish records that the process ended the run normally, then closes the
// journal. stopped is why the run ended early, or nil.
func (j *Journal) Finish(stopped error) error {
	record := journalRecord{Type: recordFinished}
	if stopped != nil {
		record.Error = stopped.Error()
	}
	err := j.append(record)
	if closeErr := j.file.Close(); err == nil {
		err = closeErr
	}
	return err
}

// append writes one record and returns once it is on stable storage.
func (j *Journal) append(record journalRecord) error {
	record.Time = time.Now().UTC()
	line, err := json.Marshal(record)
	if err != nil {
		return fmt.Errorf("write the run journal: %w", err)
	}
	line = append(line, '\n')

	j.mu.Lock()
	if j.err != nil {
		j.mu.Unlock()
		return j.err
	}
	// One write call per record: a crash can tear only the last record.
	n, err := j.file.Write(line)
	j.written += int64(n)
	if err != nil {
		j.err = fmt.Errorf("write the run journal %s: %w", j.path, err)
	}
	end, err := j.written, j.err
	j.mu.Unlock()
	if err != nil {
		return err
	}
	return j.syncTo(end)
}

// syncTo returns once the first end bytes are on stable storage. Callers
// that arrive while another fsync runs wait for it, and often find their
// record already covered.
func (j *Journal) syncTo(end int64) error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= end {
		return nil
	}

	j.mu.Lock()
	target := j.written
	j.mu.Unlock()
	if err := j.file.Sync(); err != nil {
		err = fmt.Errorf("flush the run journal %s to disk: %w", j.path, err)
		j.mu.Lock()
		if j.err == nil {
			j.err = err
		}
		j.mu.Unlock()
		return err
	}
	j.synced = target
	return nil
}

func syncFolder(path string) error {
	folder, err := os.Open(path)
	if err != nil {
		return err
	}
	defer folder.Close()
	return folder.Sync()
}

// JournalState is the state of a run, replayed from its journal.
type JournalState struct {
	Header RunHeader

	// Outcomes holds the latest final outcome of each request that has one,
	// by request index. Requests that were in flight when the journal ends
	// are StatusUnknown: they may or may not have been applied.
	Outcomes map[int]Outcome

	// RowCounts counts the input rows by status; rows of requests with no
	// final outcome are StatusNotAttempted.
	RowCounts map[Status]int

	// Requests holds what was sent for each request that was sent at least
	// once, by request index.
	Requests map[int]SentRequest

	// Finished reports whether the process that wrote the journal last
	// ended normally, and FinishedAt when.
	Finished   bool
	FinishedAt time.Time
	Stopped    string // the recorded reason the run stopped early, if any
}

// SentRequest is a request as its journal recorded it.
type SentRequest struct {
	Line      int // the first input line it applies
	Rows      int
	ProductID string
	VariantID string
	Quantity  int
}

// Complete reports whether every row has a final outcome, so nothing is
// left to send.
func (s *JournalState) Complete() bool {
	return s.RowCounts[StatusNotAttempted] == 0
}

// ErrEmptyJournal is returned for a journal without its complete first
// record: the process died while creating it, before sending anything.
var ErrEmptyJournal = errors.New("the journal has no complete first record, so its run sent nothing")

// ReadJournal replays a journal. A torn last record is ignored; a damaged
// record elsewhere is an error naming its line.
func ReadJournal(path string) (*JournalState, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the run journal: %w", err)
	}
	defer file.Close()

	state := &JournalState{Outcomes: make(map[int]Outcome), Requests: make(map[int]SentRequest)}
	inFlight := make(map[int]journalRecord)
	rowsOf := make(map[int]int)
	reader := bufio.NewReader(file)
	for lineNumber := 1; ; lineNumber++ {
		line, err := reader.ReadBytes('\n')
		if err == io.EOF {
			// A last line without its line break is a torn record.
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read the run journal %s: %w", path, err)
		}

		var record journalRecord
		if err := json.Unmarshal(line, &record); err != nil {
			return nil, fmt.Errorf("run journal %s is damaged at line %d: %w", path, lineNumber, err)
		}
		if lineNumber == 1 {
			if record.Type != recordRun || record.Run == nil {
				return nil, fmt.Errorf("%s is not a run journal: its first record is %q", path, record.Type)
			}
			state.Header = *record.Run
			continue
		}
		state.apply(record, inFlight, rowsOf)
	}
	if state.Header.ID == "" {
		return nil, fmt.Errorf("run journal %s: %w", path, ErrEmptyJournal)
	}

	for index, sending := range inFlight {
		state.Outcomes[index] = Outcome{
			Status: StatusUnknown,
			Err:    fmt.Errorf("in flight when the run stopped: sent at %s, and the run ended before its response was read, so the store may or may not have applied it", sending.Time.Format(time.RFC3339)),
		}
	}
	state.countRows(rowsOf)
	return state, nil
}

// apply replays one record after the header.
func (s *JournalState) apply(record journalRecord, inFlight map[int]journalRecord, rowsOf map[int]int) {
	switch record.Type {
	case recordSending:
		inFlight[record.Request] = record
		rowsOf[record.Request] = record.Rows
		s.Requests[record.Request] = SentRequest{
			Line:      record.Line,
			Rows:      record.Rows,
			ProductID: record.ProductID,
			VariantID: record.VariantID,
			Quantity:  record.Quantity,
		}
		s.Finished = false
	case recordReleased:
		delete(inFlight, record.Request)
	case recordApplied, recordFailed, recordUnknown:
		delete(inFlight, record.Request)
		rowsOf[record.Request] = max(record.Rows, rowsOf[record.Request])
		s.Outcomes[record.Request] = outcomeFromRecord(record)
	case recordResumed:
		s.Finished = false
	case recordFinished:
		s.Finished = true
		s.FinishedAt = record.Time
		s.Stopped = record.Error
	}
}

func outcomeFromRecord(record journalRecord) Outcome {
	outcome := Outcome{
		Inventory:        record.Inventory,
		ProductInventory: record.ProductInventory,
		ProductName:      record.ProductName,
		Variant:          record.Variant,
		SKU:              record.SKU,
	}
	switch record.Type {
	case recordApplied:
		outcome.Status = StatusApplied
	case recordFailed:
		outcome.Status = StatusFailed
	default:
		outcome.Status = StatusUnknown
	}
	if record.Error != "" {
		outcome.Err = errors.New(record.Error)
	}
	return outcome
}

func (s *JournalState) countRows(rowsOf map[int]int) {
	s.RowCounts = make(map[Status]int)
	counted := 0
	for index, outcome := range s.Outcomes {
		rows := max(rowsOf[index], 1)
		s.RowCounts[outcome.Status] += rows
		counted += rows
	}
	s.RowCounts[StatusNotAttempted] = max(s.Header.Rows-counted, 0)
}
