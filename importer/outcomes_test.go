package importer

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"unsafe"
)

func TestOutcomeTableRoundTrip(t *testing.T) {
	failure := errors.New("422 invalid")
	tests := []struct {
		name    string
		dryRun  bool
		outcome Outcome
	}{
		{"not attempted", false, Outcome{Status: StatusNotAttempted, Err: failure}},
		{"applied", false, Outcome{
			Status: StatusApplied, Inventory: intPointer(13), ProductInventory: intPointer(40),
			ProductName: "Caftan brodé", Variant: "couleur: Bleu, taille: M", SKU: "CAF-M-BLEU",
		}},
		{"applied at zero and below", false, Outcome{Status: StatusApplied, Inventory: intPointer(0), ProductInventory: intPointer(-3)}},
		{"extreme levels", false, Outcome{Status: StatusApplied, Inventory: intPointer(math.MaxInt64), ProductInventory: intPointer(math.MinInt64 + 1)}},
		{"failed", false, Outcome{Status: StatusFailed, Err: failure, ProductName: "Caftan brodé"}},
		{"unknown", false, Outcome{Status: StatusUnknown, Err: failure}},
		{"skipped with current levels", false, Outcome{
			Status: StatusFailed, Err: failure, CurrentInventory: intPointer(2), ProductName: "Tajine", SKU: "TAG-S",
		}},
		{"valid", true, Outcome{
			Status: StatusValid, Inventory: intPointer(7), ProductInventory: intPointer(9),
			CurrentInventory: intPointer(4), CurrentProductInventory: intPointer(6), ProductName: "Tajine",
		}},
		{"valid with unknown levels", true, Outcome{Status: StatusValid}},
		{"dry run failure", true, Outcome{Status: StatusFailed, Err: failure, CurrentInventory: intPointer(1), Inventory: intPointer(-2)}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			table := newOutcomeTable(3, 2, test.dryRun)
			table.set(1, 1, test.outcome)

			if got := table.get(1); !reflect.DeepEqual(got, test.outcome) {
				t.Errorf("get = %+v, want %+v", got, test.outcome)
			}
			if got := table.status(1); got != test.outcome.Status {
				t.Errorf("status = %s, want %s", got, test.outcome.Status)
			}
			if got, want := table.named(1), test.outcome.ProductName != ""; got != want {
				t.Errorf("named = %t, want %t", got, want)
			}
			if got := table.get(0); !reflect.DeepEqual(got, Outcome{Status: StatusNotAttempted}) {
				t.Errorf("request never set = %+v, want not attempted with nothing known", got)
			}
		})
	}
}

func TestOutcomeTableNotSentError(t *testing.T) {
	table := newOutcomeTable(2, 1, false)
	failure := errors.New("401 Unauthorized")
	table.set(1, 0, Outcome{Status: StatusNotAttempted, Err: failure})
	table.notSent = errNotSent

	if got := table.get(0).Err; got != errNotSent {
		t.Errorf("error of a request never sent = %v, want the run's reason", got)
	}
	if got := table.get(1).Err; got != failure {
		t.Errorf("error of a request not attempted for its own reason = %v, want %v", got, failure)
	}
}

func TestOutcomeTableOverwriteDropsError(t *testing.T) {
	table := newOutcomeTable(1, 1, false)
	table.set(0, 0, Outcome{Status: StatusFailed, Err: errors.New("503"), CurrentInventory: intPointer(4)})
	table.set(0, 0, Outcome{Status: StatusApplied, Inventory: intPointer(5)})

	got := table.get(0)
	if got.Err != nil || got.CurrentInventory != nil {
		t.Errorf("after overwrite: error %v, current level %v; want neither", got.Err, got.CurrentInventory)
	}
	if n := len(table.extras); n != 0 {
		t.Errorf("%d extras left, want 0", n)
	}
}

func TestOutcomeTableProductNameShared(t *testing.T) {
	table := newOutcomeTable(3, 2, false)
	table.set(0, 1, Outcome{Status: StatusApplied, ProductName: "Babouches"})
	table.set(1, 1, Outcome{Status: StatusFailed, Err: errors.New("422")})
	table.set(2, 0, Outcome{Status: StatusApplied, ProductName: "Tajine"})

	if got := table.get(0).ProductName; got != "Babouches" {
		t.Errorf("request 0 product name = %q, want Babouches", got)
	}
	if got := table.get(1).ProductName; got != "" {
		t.Errorf("request 1 product name = %q, want none: its outcome carried none", got)
	}
	if got := table.get(2).ProductName; got != "Tajine" {
		t.Errorf("request 2 product name = %q, want Tajine", got)
	}
}

func TestOutcomeTableDescribe(t *testing.T) {
	table := newOutcomeTable(2, 1, false)
	table.set(0, 0, Outcome{Status: StatusApplied, Inventory: intPointer(8), ProductInventory: intPointer(9)})
	table.set(1, 0, Outcome{Status: StatusFailed, Err: errors.New("422")})
	label, sku := "pointure: 40", "BAB-40"
	table.describe(0, 0, "Babouches", &label, &sku)
	table.describe(1, 0, "Babouches", nil, nil)

	want := Outcome{
		Status: StatusApplied, Inventory: intPointer(8), ProductInventory: intPointer(9),
		ProductName: "Babouches", Variant: label, SKU: sku,
	}
	if got := table.get(0); !reflect.DeepEqual(got, want) {
		t.Errorf("described applied request = %+v, want %+v", got, want)
	}
	if got := table.get(1); got.ProductName != "Babouches" || got.Variant != "" || got.Err == nil {
		t.Errorf("described failed request = %+v, want the name, no label and its error", got)
	}
}

func TestOutcomeSlotSize(t *testing.T) {
	// BENCHMARKS.md counts on this size for the memory of a run.
	if size := unsafe.Sizeof(outcomeSlot{}); size != 56 {
		t.Errorf("outcomeSlot is %d bytes, want 56", size)
	}
}
