package importer

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"restock/youcan/youcantest"
)

// appliedRun runs a file with a journal against the store and returns the
// replayed journal: A1 +3 and B1 +7 applied, C1 unknown after a 500.
func appliedRun(t *testing.T, store *youcantest.Store, client Store) *JournalState {
	t.Helper()
	store.Inject(youcantest.Fault{VariantID: variantC1, Status: http.StatusInternalServerError, ApplyFirst: true})
	plan := testPlan(t, productA+","+variantA1+",3\n"+
		productC+","+variantC1+",2\n"+
		productB+","+variantB1+",7\n"+
		unknownID+","+variantA2+",1\n", false)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := CreateJournal(path, testHeader("run-1", 4))
	if err != nil {
		t.Fatal(err)
	}
	opts := fastOptions()
	opts.Journal = journal
	result := Run(context.Background(), client, plan, opts)
	mustWrite(t, journal.Finish(result.Stopped))
	state, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func TestUndoRestoresLevels(t *testing.T) {
	store, client := testStore(t)
	state := appliedRun(t, store, client)

	plan, unknown, err := NewUndoPlan(state)
	if err != nil {
		t.Fatalf("NewUndoPlan: %v", err)
	}
	if unknown != 1 {
		t.Errorf("unknown = %d, want 1: the 500 row is not undone", unknown)
	}
	var lines []int
	for _, row := range plan.Input.Rows {
		lines = append(lines, row.Line)
	}
	if !slices.Equal(lines, []int{2, 4}) {
		t.Errorf("undo lines = %v, want [2 4], the applied rows", lines)
	}

	opts := fastOptions()
	opts.Remove = true
	result := Run(context.Background(), client, plan, opts)

	if got := statuses(result); !slices.Equal(got, []Status{StatusApplied, StatusApplied}) {
		var outcomes []Outcome
		for _, outcome := range result.Outcomes() {
			outcomes = append(outcomes, outcome)
		}
		t.Fatalf("undo statuses = %v (%v)", got, outcomes)
	}
	wantInventory(t, store, productA, variantA1, 10)
	wantInventory(t, store, productB, variantB1, 5)
	wantInventory(t, store, productC, variantC1, 3) // the unknown row stays: it was applied
}

func TestUndoSkipsNegativeStock(t *testing.T) {
	store, client := testStore(t)
	state := appliedRun(t, store, client)
	// Sales since the run: variant B1 went from 12 down to 4.
	if _, err := client.DecrementInventory(context.Background(), productB, variantB1, 8); err != nil {
		t.Fatal(err)
	}
	plan, _, err := NewUndoPlan(state)
	if err != nil {
		t.Fatal(err)
	}

	dry := fastOptions()
	dry.Remove = true
	check := Check(context.Background(), client, plan, dry)
	if got := statuses(check); !slices.Equal(got, []Status{StatusValid, StatusFailed}) {
		t.Fatalf("dry-run statuses = %v", got)
	}
	if a1 := check.Outcome(0); *a1.CurrentInventory != 13 || *a1.Inventory != 10 {
		t.Errorf("dry run of A1 = %d -> %d, want 13 -> 10", *a1.CurrentInventory, *a1.Inventory)
	}

	opts := fastOptions()
	opts.Remove = true
	result := Run(context.Background(), client, plan, opts)

	if got := statuses(result); !slices.Equal(got, []Status{StatusApplied, StatusFailed}) {
		t.Fatalf("undo statuses = %v", got)
	}
	if msg := result.Outcome(1).Err.Error(); !strings.Contains(msg, "would make the stock negative (it is 4 now") || !strings.Contains(msg, "--allow-negative") {
		t.Errorf("skip reason = %q", msg)
	}
	wantInventory(t, store, productB, variantB1, 4)

	opts.AllowNegative = true
	plan, _, _ = NewUndoPlan(state)
	forced := Run(context.Background(), client, plan, opts)
	if forced.Outcome(1).Status != StatusApplied {
		t.Fatalf("with AllowNegative: %v", forced.Outcome(1))
	}
	wantInventory(t, store, productB, variantB1, -3)
}

func TestUndoRejectsUndoOfUndo(t *testing.T) {
	state := &JournalState{Header: RunHeader{ID: "u1", Undoes: "r1"}}
	if _, _, err := NewUndoPlan(state); err == nil || !strings.Contains(err.Error(), "itself the undo of run r1") {
		t.Errorf("NewUndoPlan of an undo = %v", err)
	}
}

func TestCheckLimits(t *testing.T) {
	plan := testPlan(t, productA+","+variantA1+",30000\n"+
		productB+","+variantB1+",10\n"+
		productC+","+variantC1+",10001\n", false)

	err := CheckLimits(plan, 2, 10000)

	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("CheckLimits = %v, want an *InvalidInputError", err)
	}
	var got []string
	for _, p := range invalid.Problems {
		got = append(got, p.String())
	}
	want := []string{
		"the file has 3 data rows, more than --max-rows 2: check that it is the right file, or raise --max-rows",
		`line 2: quantity "30000" is more than --max-quantity 10000: check it for a typo, or raise --max-quantity (0 for no limit)`,
		`line 4: quantity "10001" is more than --max-quantity 10000: check it for a typo, or raise --max-quantity (0 for no limit)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := CheckLimits(plan, 0, 0); err != nil {
		t.Errorf("CheckLimits with no limits = %v", err)
	}
}
