package importer

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"restock/youcan"
	"restock/youcan/youcantest"
)

const (
	testToken = "test-token"

	productA  = "0a000000-0000-4000-8000-00000000000a"
	productB  = "0b000000-0000-4000-8000-00000000000b"
	productC  = "0c000000-0000-4000-8000-00000000000c"
	variantA1 = "a1000000-0000-4000-8000-0000000000a1"
	variantA2 = "a2000000-0000-4000-8000-0000000000a2"
	variantB1 = "b1000000-0000-4000-8000-0000000000b1"
	variantC1 = "c1000000-0000-4000-8000-0000000000c1"
	unknownID = "ffffffff-ffff-4fff-8fff-ffffffffffff"
)

func testSeed() []youcantest.SeedProduct {
	return []youcantest.SeedProduct{
		{ID: productA, Name: "Caftan brodé", Variants: []youcantest.SeedVariant{
			{ID: variantA1, SKU: "CAF-M-BLEU", Inventory: 10, Variations: map[string]string{"taille": "M", "couleur": "Bleu"}},
			{ID: variantA2, SKU: "CAF-L-BLEU", Inventory: 0, Variations: map[string]string{"taille": "L", "couleur": "Bleu"}},
		}},
		{ID: productB, Name: "زيت أركان 100 مل", Variants: []youcantest.SeedVariant{
			{ID: variantB1, Inventory: 5, IsDefault: true},
		}},
		{ID: productC, Name: "Babouches", Variants: []youcantest.SeedVariant{
			{ID: variantC1, SKU: "BAB-40", Inventory: 1, Variations: map[string]string{"pointure": "40"}},
		}},
	}
}

// testStore starts a fake store with the test seed and a client for it.
func testStore(t *testing.T) (*youcantest.Store, *youcan.Client) {
	t.Helper()
	store := youcantest.NewStore(testToken, testSeed())
	server := httptest.NewServer(store)
	t.Cleanup(server.Close)
	client, err := youcan.NewClient(server.URL, testToken, server.Client(), "restock-test")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return store, client
}

// testPlan reads a CSV body (without header) into a plan.
func testPlan(t *testing.T, body string, merge bool) *Plan {
	t.Helper()
	in := readRows(t, "product_id,variant_id,quantity\n"+body)
	plan, err := NewPlan(in, merge)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	return plan
}

// fastOptions runs as fast as loopback allows, with short retry delays.
func fastOptions() Options {
	return Options{
		Rate:        1000,
		Concurrency: 4,
		Timeout:     5 * time.Second,
		Retry:       RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond},
	}
}

func wantInventory(t *testing.T, store *youcantest.Store, productID, variantID string, want int) {
	t.Helper()
	got, ok := store.Inventory(productID, variantID)
	if !ok {
		t.Fatalf("store has no variant %s of product %s", variantID, productID)
	}
	if got != want {
		t.Errorf("store inventory of variant %s = %d, want %d", variantID, got, want)
	}
}

func statuses(result *Result) []Status {
	out := make([]Status, len(result.Plan.Requests))
	for i, outcome := range result.Outcomes() {
		out[i] = outcome.Status
	}
	return out
}

func TestRunAppliesEveryRow(t *testing.T) {
	store, client := testStore(t)
	plan := testPlan(t, productA+","+variantA1+",3\n"+
		productB+","+variantB1+",7\n"+
		productA+","+variantA2+",4\n", false)

	result := Run(context.Background(), client, plan, fastOptions())

	wantInventory(t, store, productA, variantA1, 13)
	wantInventory(t, store, productA, variantA2, 4)
	wantInventory(t, store, productB, variantB1, 12)
	if got := statuses(result); !slices.Equal(got, []Status{StatusApplied, StatusApplied, StatusApplied}) {
		t.Errorf("statuses = %v, want all applied", got)
	}
	if result.Stopped != nil {
		t.Errorf("Stopped = %v, want nil", result.Stopped)
	}

	last := result.Outcome(2) // variantA2, the product's last row
	if last.Inventory == nil || *last.Inventory != 4 {
		t.Errorf("Inventory = %v, want 4", last.Inventory)
	}
	if last.ProductInventory == nil || *last.ProductInventory != 17 {
		t.Errorf("ProductInventory = %v, want 13+4 = 17, the total after the product's last row", last.ProductInventory)
	}
	if last.ProductName != "Caftan brodé" {
		t.Errorf("ProductName = %q, want %q", last.ProductName, "Caftan brodé")
	}
	if last.Variant != "couleur: Bleu, taille: L" {
		t.Errorf("Variant = %q, want %q", last.Variant, "couleur: Bleu, taille: L")
	}
	if last.SKU != "CAF-L-BLEU" {
		t.Errorf("SKU = %q, want %q", last.SKU, "CAF-L-BLEU")
	}
	if result.RequestsSent != 3 {
		t.Errorf("RequestsSent = %d, want 3", result.RequestsSent)
	}
}

func TestRunProductRowsInFileOrder(t *testing.T) {
	store, client := testStore(t)
	store.SetLatency(5 * time.Millisecond)
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productB+","+variantB1+",1\n"+
		productA+","+variantA2+",2\n"+
		productC+","+variantC1+",1\n"+
		productA+","+variantA1+",3\n", true)

	Run(context.Background(), client, plan, fastOptions())

	var order []int
	for _, request := range store.Requests() {
		if request.ProductID == productA {
			order = append(order, request.Quantity)
		}
	}
	// The merged request (1+3) goes at the place of its first row.
	if !slices.Equal(order, []int{4, 2}) {
		t.Errorf("quantities sent for product A = %v, want [4 2] in file order", order)
	}
	wantInventory(t, store, productA, variantA1, 14)
}

func TestRunFailingRowDoesNotStopOthers(t *testing.T) {
	store, client := testStore(t)
	store.Inject(youcantest.Fault{VariantID: variantA1, Status: http.StatusInternalServerError})
	plan := testPlan(t, productA+","+variantA1+",3\n"+
		productA+","+unknownID+",1\n"+
		unknownID+","+variantB1+",1\n"+
		productB+","+variantB1+",2\n"+
		productA+","+variantA2+",5\n", false)

	result := Run(context.Background(), client, plan, fastOptions())

	want := []Status{StatusUnknown, StatusFailed, StatusFailed, StatusApplied, StatusApplied}
	if got := statuses(result); !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	wantInventory(t, store, productA, variantA1, 10)
	wantInventory(t, store, productA, variantA2, 5)
	wantInventory(t, store, productB, variantB1, 7)

	var apiErr *youcan.Error
	if !errors.As(result.Outcome(2).Err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("unknown product error = %v, want a 404 *youcan.Error", result.Outcome(2).Err)
	}
	if sent := len(store.Requests()); sent != 5 {
		t.Errorf("store received %d requests, want 5: a 500 is never sent again", sent)
	}
}

func TestRunStopsOnUnauthorized(t *testing.T) {
	store, client := testStore(t)
	store.Inject(youcantest.Fault{Status: http.StatusUnauthorized})
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productA+","+variantA2+",1\n"+
		productB+","+variantB1+",1\n"+
		productC+","+variantC1+",1\n", false)
	opts := fastOptions()
	opts.Concurrency = 1

	result := Run(context.Background(), client, plan, opts)

	want := []Status{StatusFailed, StatusNotAttempted, StatusNotAttempted, StatusNotAttempted}
	if got := statuses(result); !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	var stopErr *StopError
	if !errors.As(result.Stopped, &stopErr) || stopErr.Err.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Stopped = %v, want a *StopError for 401", result.Stopped)
	}
	if !strings.Contains(result.Outcome(3).Err.Error(), "the store rejected the token") {
		t.Errorf("not attempted error = %q, want the reason the run stopped", result.Outcome(3).Err)
	}
	if sent := len(store.Requests()); sent != 1 {
		t.Errorf("store received %d requests, want 1", sent)
	}
	wantInventory(t, store, productC, variantC1, 1)
}

func TestRunRetriesTooManyRequestsOnce(t *testing.T) {
	store, client := testStore(t)
	store.Inject(youcantest.Fault{VariantID: variantA1, Status: http.StatusTooManyRequests, RetryAfter: "0.01", Times: 2})
	plan := testPlan(t, productA+","+variantA1+",3\n", false)

	result := Run(context.Background(), client, plan, fastOptions())

	if got := result.Outcome(0).Status; got != StatusApplied {
		t.Fatalf("status = %s (%v), want applied", got, result.Outcome(0).Err)
	}
	wantInventory(t, store, productA, variantA1, 13)
	var applied int
	for _, request := range store.Requests() {
		if request.Applied {
			applied++
		}
	}
	if got := len(store.Requests()); got != 3 || applied != 1 {
		t.Errorf("store received %d requests and applied %d, want 3 and 1", got, applied)
	}
}

func TestRunGivesUpAfterRetryBudget(t *testing.T) {
	store, client := testStore(t)
	store.Inject(youcantest.Fault{VariantID: variantA1, Status: http.StatusTooManyRequests, Times: 10})
	plan := testPlan(t, productA+","+variantA1+",3\n", false)

	result := Run(context.Background(), client, plan, fastOptions())

	outcome := result.Outcome(0)
	if outcome.Status != StatusFailed {
		t.Fatalf("status = %s, want failed", outcome.Status)
	}
	if !strings.Contains(outcome.Err.Error(), "lower --rate") {
		t.Errorf("error = %q, want a hint to lower --rate", outcome.Err)
	}
	if got := len(store.Requests()); got != 3 {
		t.Errorf("store received %d requests, want MaxAttempts = 3", got)
	}
	wantInventory(t, store, productA, variantA1, 10)
}

func TestRunStopsOnCancel(t *testing.T) {
	store, client := testStore(t)
	store.SetLatency(20 * time.Millisecond)
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productA+","+variantA2+",1\n"+
		productB+","+variantB1+",1\n", false)
	opts := fastOptions()
	opts.Concurrency = 1
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("interrupted by test")
	opts.Progress = new(Progress)

	// Cancel once the first request is in flight.
	go func() {
		for range 500 {
			if len(store.Requests()) > 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		cancel(cause)
	}()
	result := Run(ctx, client, plan, opts)

	want := []Status{StatusApplied, StatusNotAttempted, StatusNotAttempted}
	if got := statuses(result); !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v: the request in flight finishes", got, want)
	}
	if !errors.Is(result.Stopped, cause) {
		t.Errorf("Stopped = %v, want the cancel cause", result.Stopped)
	}
	wantInventory(t, store, productA, variantA1, 11)
	if done := opts.Progress.Done.Load(); done != 1 {
		t.Errorf("Progress.Done = %d, want 1", done)
	}
}

func TestRunRateSpacesRequests(t *testing.T) {
	store, client := testStore(t)
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productB+","+variantB1+",1\n"+
		productC+","+variantC1+",1\n"+
		productA+","+variantA2+",1\n", false)
	opts := fastOptions()
	opts.Rate = 50 // one request every 20 ms

	Run(context.Background(), client, plan, opts)

	requests := store.Requests()
	first, last := requests[0].Received, requests[len(requests)-1].Received
	// Four requests at 50/s start 3 gaps of 20 ms apart; a burst would
	// take none. The bound leaves room for arrival jitter, and only the
	// lower bound is checked, so a slow machine passes.
	if elapsed := last.Sub(first); elapsed < 40*time.Millisecond {
		t.Errorf("4 requests at --rate 50 took %v, want about 60ms", elapsed)
	}
}

func TestRunLegacyShapeGetsNames(t *testing.T) {
	store, client := testStore(t)
	store.SetLegacyShape(true)
	plan := testPlan(t, productA+","+variantA1+",2\n", false)

	result := Run(context.Background(), client, plan, fastOptions())

	outcome := result.Outcome(0)
	if outcome.Status != StatusApplied || *outcome.Inventory != 12 || *outcome.ProductInventory != 12 {
		t.Fatalf("outcome = %+v, want applied with levels 12 and 12", outcome)
	}
	if outcome.ProductName != "Caftan brodé" || outcome.SKU != "CAF-M-BLEU" || outcome.Variant != "couleur: Bleu, taille: M" {
		t.Errorf("names = %q, %q, %q, want them read from the product", outcome.ProductName, outcome.SKU, outcome.Variant)
	}
}

func TestCheckProjectsLevels(t *testing.T) {
	store, client := testStore(t)
	plan := testPlan(t, productA+","+variantA1+",3\n"+
		productA+","+unknownID+",1\n"+
		unknownID+","+variantB1+",1\n"+
		productA+","+variantA2+",4\n"+
		productB+","+variantB1+",2\n", false)

	result := Check(context.Background(), client, plan, fastOptions())

	want := []Status{StatusValid, StatusFailed, StatusFailed, StatusValid, StatusValid}
	if got := statuses(result); !slices.Equal(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	a2 := result.Outcome(3)
	if *a2.CurrentInventory != 0 || *a2.Inventory != 4 {
		t.Errorf("variant A2 levels = %d -> %d, want 0 -> 4", *a2.CurrentInventory, *a2.Inventory)
	}
	if *a2.CurrentProductInventory != 13 || *a2.ProductInventory != 17 {
		t.Errorf("product A levels at its last row = %d -> %d, want 13 -> 17", *a2.CurrentProductInventory, *a2.ProductInventory)
	}
	if msg := result.Outcome(1).Err.Error(); !strings.Contains(msg, "is not a variant of product") || !strings.Contains(msg, variantA1+" (couleur: Bleu, taille: M)") {
		t.Errorf("unknown variant error = %q, want it to list the product's variants", msg)
	}
	if msg := result.Outcome(2).Err.Error(); !strings.Contains(msg, "not found in the store") {
		t.Errorf("unknown product error = %q, want it to say not found", msg)
	}
	for _, request := range store.Requests() {
		if request.Method != http.MethodGet {
			t.Errorf("dry run sent %s %s, want reads only", request.Method, request.Path)
		}
	}
	wantInventory(t, store, productA, variantA1, 10)
}

func TestCheckWithoutStore(t *testing.T) {
	plan := testPlan(t, productA+","+variantA1+",3\n", false)

	result := Check(context.Background(), nil, plan, fastOptions())

	if result.StoreChecked {
		t.Error("StoreChecked = true, want false without a store")
	}
	if result.Outcome(0).Status != StatusValid || result.Outcome(0).Inventory != nil {
		t.Errorf("outcome = %+v, want valid with unknown levels", result.Outcome(0))
	}
}
