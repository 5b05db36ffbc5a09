package importer

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"restock/youcan/youcantest"
)

// applications counts the increments the store applied to one variant.
func applications(store *youcantest.Store, variantID string) int {
	n := 0
	for _, request := range store.Requests() {
		if request.VariantID == variantID && request.Applied {
			n++
		}
	}
	return n
}

func TestRunRetryAfterWaits(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter func() string
		minWait    time.Duration
	}{
		{"seconds with a fraction", func() string { return "2.0" }, 2 * time.Second},
		{"HTTP date", func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }, time.Second},
		{"no header", func() string { return "" }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, client := testStore(t)
			store.Inject(youcantest.Fault{VariantID: variantA1, Status: http.StatusTooManyRequests, RetryAfter: tt.retryAfter()})
			plan := testPlan(t, productA+","+variantA1+",3\n"+productB+","+variantB1+",2\n", false)
			opts := fastOptions()
			opts.Retry = RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 5 * time.Second}

			result := Run(context.Background(), client, plan, opts)

			if got := statuses(result); !slices.Equal(got, []Status{StatusApplied, StatusApplied}) {
				t.Fatalf("statuses = %v, want both applied", got)
			}
			wantInventory(t, store, productA, variantA1, 13)
			wantInventory(t, store, productB, variantB1, 7)
			if n := applications(store, variantA1); n != 1 {
				t.Errorf("variant applied %d times, want once", n)
			}
			var sent []time.Time
			for _, request := range store.Requests() {
				if request.VariantID == variantA1 {
					sent = append(sent, request.Received)
				}
			}
			if len(sent) != 2 {
				t.Fatalf("variant sent %d times, want 2", len(sent))
			}
			if wait := sent[1].Sub(sent[0]); wait < tt.minWait {
				t.Errorf("retried after %v, want at least %v", wait, tt.minWait)
			}
		})
	}
}

func TestRunNeverResendsUncertainRequest(t *testing.T) {
	tests := []struct {
		name        string
		fault       youcantest.Fault
		wantApplied int // applications the store holds
	}{
		{"500 before applying", youcantest.Fault{Status: http.StatusInternalServerError}, 0},
		{"502 after applying", youcantest.Fault{Status: http.StatusBadGateway, ApplyFirst: true}, 1},
		{"answer delayed past the timeout", youcantest.Fault{Status: http.StatusOK, ApplyFirst: true, Delay: 400 * time.Millisecond}, 1},
		{"connection closed after applying", youcantest.Fault{ApplyFirst: true, CloseConnection: true}, 1},
		{"connection closed before applying", youcantest.Fault{CloseConnection: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, client := testStore(t)
			fault := tt.fault
			fault.VariantID = variantA1
			store.Inject(fault)
			plan := testPlan(t, productA+","+variantA1+",3\n"+productA+","+variantA2+",4\n", false)
			opts := fastOptions()
			opts.Timeout = 150 * time.Millisecond

			result := Run(context.Background(), client, plan, opts)

			if got := result.Outcome(0).Status; got != StatusUnknown {
				t.Errorf("status = %s (%v), want unknown", got, result.Outcome(0).Err)
			}
			if got := result.Outcome(1).Status; got != StatusApplied {
				t.Errorf("next row status = %s, want applied", got)
			}
			sent := 0
			for _, request := range store.Requests() {
				if request.VariantID == variantA1 {
					sent++
				}
			}
			if sent != 1 {
				t.Errorf("variant sent %d times, want once: an uncertain request is never resent", sent)
			}
			if n := applications(store, variantA1); n != tt.wantApplied {
				t.Errorf("store applied it %d times, want %d", n, tt.wantApplied)
			}
			wantInventory(t, store, productA, variantA1, 10+3*tt.wantApplied)
		})
	}
}

func TestRunDeadlineInRateWait(t *testing.T) {
	store, client := testStore(t)
	plan := testPlan(t, productA+","+variantA1+",1\n"+productB+","+variantB1+",1\n", false)
	opts := fastOptions()
	opts.Rate = 0.1 // the second request waits 10 s
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	result := Run(ctx, client, plan, opts)

	// Either product may go first; the other waits for the rate limiter
	// until the deadline.
	got := statuses(result)
	slices.Sort(got)
	if want := []Status{StatusApplied, StatusNotAttempted}; !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want one applied and one not attempted, never unknown", got)
	}
	if n := len(store.Requests()); n != 1 {
		t.Errorf("store received %d requests, want 1", n)
	}
}

func TestRunStopsAfterUnknownInARow(t *testing.T) {
	store, client := testStore(t)
	store.Inject(youcantest.Fault{Status: http.StatusServiceUnavailable, Times: 100})
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productA+","+variantA2+",1\n"+
		productB+","+variantB1+",1\n"+
		productC+","+variantC1+",1\n", false)
	opts := fastOptions()
	opts.Concurrency = 1
	opts.MaxUnknown = 2

	result := Run(context.Background(), client, plan, opts)

	want := []Status{StatusUnknown, StatusUnknown, StatusNotAttempted, StatusNotAttempted}
	if got := statuses(result); !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	var tooMany *TooManyUnknownError
	if !errors.As(result.Stopped, &tooMany) || tooMany.Count != 2 {
		t.Errorf("Stopped = %v, want a *TooManyUnknownError after 2", result.Stopped)
	}
}

func TestRunLowersRateOnTooManyRequests(t *testing.T) {
	store, client := testStore(t)
	store.Inject(youcantest.Fault{VariantID: variantA1, Status: http.StatusTooManyRequests, RetryAfter: "0"})
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productB+","+variantB1+",1\n"+
		productC+","+variantC1+",1\n"+
		productA+","+variantA2+",1\n", false)
	opts := fastOptions()
	opts.Concurrency = 1
	opts.Rate = 100
	opts.RateQuietPeriod = 30 * time.Millisecond
	var mu sync.Mutex
	var changes []RateChange
	opts.OnRateChange = func(change RateChange) {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, change)
	}

	Run(context.Background(), client, plan, opts)

	mu.Lock()
	defer mu.Unlock()
	if len(changes) == 0 || changes[0].From != 100 || changes[0].To != 50 {
		t.Fatalf("rate changes = %+v, want first 100 -> 50", changes)
	}
	for _, change := range changes[1:] {
		if change.To <= change.From || change.To > 100 {
			t.Errorf("rate change %+v, want a raise that stays at most 100", change)
		}
	}
	wantInventory(t, store, productA, variantA1, 11)
}

func TestRunJournalsAndResumes(t *testing.T) {
	store, client := testStore(t)
	store.Inject(youcantest.Fault{VariantID: variantB1, Status: http.StatusUnauthorized})
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productB+","+variantB1+",2\n"+
		productC+","+variantC1+",3\n", false)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := CreateJournal(path, testHeader("run-1", 3))
	if err != nil {
		t.Fatal(err)
	}
	opts := fastOptions()
	opts.Concurrency = 1
	opts.Journal = journal

	first := Run(context.Background(), client, plan, opts)
	mustWrite(t, journal.Finish(first.Stopped))

	if got := statuses(first); !slices.Equal(got, []Status{StatusApplied, StatusFailed, StatusNotAttempted}) {
		t.Fatalf("first run statuses = %v", got)
	}
	state, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	// The 401 row is journaled as released: the store certainly did not
	// apply it, so a resume sends it once the token is fixed.
	if _, settled := state.Outcomes[1]; state.Outcomes[0].Status != StatusApplied || settled || state.Complete() {
		t.Fatalf("journal = %+v, want request 0 applied and requests 1 and 2 left", state.Outcomes)
	}

	// Resume: the 401 row and the row never sent go out, the applied one
	// does not.
	journal, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.Journal = journal
	opts.Previous = state.Outcomes
	second := Run(context.Background(), client, plan, opts)
	mustWrite(t, journal.Finish(second.Stopped))

	if got := statuses(second); !slices.Equal(got, []Status{StatusApplied, StatusApplied, StatusApplied}) {
		t.Errorf("resumed statuses = %v, want the whole file with each row's latest outcome", got)
	}
	wantInventory(t, store, productA, variantA1, 11)
	wantInventory(t, store, productB, variantB1, 7)
	wantInventory(t, store, productC, variantC1, 4)
	if n := applications(store, variantA1); n != 1 {
		t.Errorf("first row applied %d times, want once", n)
	}
	state, err = ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if !state.Complete() || !state.Finished {
		t.Errorf("journal complete %v, finished %v; want both", state.Complete(), state.Finished)
	}
}
