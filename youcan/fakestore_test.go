package youcan_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"restock/youcan"
	"restock/youcan/youcantest"
)

// startSandbox starts the sandbox store and returns it with a client for it.
func startSandbox(t *testing.T) (*youcantest.Store, *youcan.Client) {
	t.Helper()
	store := youcantest.Sandbox()
	baseURL, stop, err := store.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)

	client, err := youcan.NewClient(baseURL, youcantest.SandboxToken, nil, "restock-test")
	if err != nil {
		t.Fatal(err)
	}
	return store, client
}

func TestClientWithFakeStore(t *testing.T) {
	store, client := startSandbox(t)
	ctx := context.Background()
	caftan := youcantest.SandboxSeed()[0]
	variant := caftan.Variants[1]

	got, err := client.IncrementInventory(ctx, caftan.ID, variant.ID, 5)
	if err != nil {
		t.Fatalf("IncrementInventory: %v", err)
	}
	if got.ID != variant.ID {
		t.Errorf("variant id = %q, want %q", got.ID, variant.ID)
	}
	if got.Inventory != variant.Inventory+5 {
		t.Errorf("variant inventory = %d, want %d", got.Inventory, variant.Inventory+5)
	}
	if got.SKU != variant.SKU {
		t.Errorf("SKU = %q, want %q", got.SKU, variant.SKU)
	}
	if !reflect.DeepEqual(got.Variations, variant.Variations) {
		t.Errorf("variations = %v, want %v", got.Variations, variant.Variations)
	}
	wantTotal, _ := store.ProductInventory(caftan.ID)
	if got.Product == nil {
		t.Fatal("the variant has no product")
	}
	if got.Product.ID != caftan.ID {
		t.Errorf("product id = %q, want %q", got.Product.ID, caftan.ID)
	}
	if got.Product.Name != caftan.Name {
		t.Errorf("product name = %q, want %q", got.Product.Name, caftan.Name)
	}
	if got.Product.Inventory != wantTotal {
		t.Errorf("product inventory = %d, want %d", got.Product.Inventory, wantTotal)
	}

	got, err = client.DecrementInventory(ctx, caftan.ID, variant.ID, 2)
	if err != nil {
		t.Fatalf("DecrementInventory: %v", err)
	}
	if got.Inventory != variant.Inventory+3 {
		t.Errorf("inventory after the decrement = %d, want %d", got.Inventory, variant.Inventory+3)
	}

	store.SetLegacyShape(true)
	got, err = client.IncrementInventory(ctx, caftan.ID, variant.ID, 1)
	if err != nil {
		t.Fatalf("IncrementInventory in the legacy shape: %v", err)
	}
	if got.Inventory != variant.Inventory+4 {
		t.Errorf("legacy shape: variant inventory = %d, want %d", got.Inventory, variant.Inventory+4)
	}
	if got.Product.Inventory != wantTotal-1 {
		t.Errorf("legacy shape: product inventory = %d, want %d", got.Product.Inventory, wantTotal-1)
	}
}

func TestClientReadsFakeStoreCatalogue(t *testing.T) {
	_, client := startSandbox(t)
	ctx := context.Background()
	seed := youcantest.SandboxSeed()

	oil, err := client.GetProduct(ctx, seed[1].ID)
	if err != nil {
		t.Fatalf("GetProduct: %v", err)
	}
	if len(oil.Variants) != 1 || !oil.Variants[0].IsDefault || len(oil.Variants[0].Variations) != 0 {
		t.Errorf("variants = %+v, want one default variant without variations", oil.Variants)
	}

	var ids []string
	for page := 1; page <= 10; page++ {
		result, err := client.ListProducts(ctx, page, 2)
		if err != nil {
			t.Fatalf("ListProducts page %d: %v", page, err)
		}
		for _, product := range result.Products {
			ids = append(ids, product.ID)
			if len(product.Variants) == 0 {
				t.Errorf("product %s listed without variants", product.ID)
			}
		}
		if result.Total != len(seed) {
			t.Errorf("page %d: total = %d, want %d", page, result.Total, len(seed))
		}
		if result.PerPage != 2 {
			t.Errorf("page %d: per page = %d, want 2", page, result.PerPage)
		}
		if page >= result.TotalPages {
			break
		}
	}
	if len(ids) != len(seed) {
		t.Errorf("listed %d products, want %d", len(ids), len(seed))
	}
}

func TestClientFakeStoreFaults(t *testing.T) {
	store, client := startSandbox(t)
	ctx := context.Background()
	product := youcantest.SandboxSeed()[2]
	variant := product.Variants[0]

	store.Inject(youcantest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "2"})
	_, err := client.IncrementInventory(ctx, product.ID, variant.ID, 1)
	var apiErr *youcan.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want a *youcan.Error", err, err)
	}
	if apiErr.StatusCode != http.StatusTooManyRequests {
		t.Errorf("StatusCode = %d, want 429", apiErr.StatusCode)
	}
	if apiErr.RetryAfter != 2*time.Second {
		t.Errorf("RetryAfter = %v, want 2s", apiErr.RetryAfter)
	}

	_, err = client.IncrementInventory(ctx, product.ID, "8b58c563-0000-0000-0000-000000000000", 1)
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want a *youcan.Error", err, err)
	}
	if apiErr.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("StatusCode = %d, want 422", apiErr.StatusCode)
	}
	if want := []string{"The selected variant id is invalid."}; !reflect.DeepEqual(apiErr.Fields["variant_id"], want) {
		t.Errorf("Fields[variant_id] = %q, want %q", apiErr.Fields["variant_id"], want)
	}

	store.Inject(youcantest.Fault{CloseConnection: true, ApplyFirst: true})
	_, err = client.IncrementInventory(ctx, product.ID, variant.ID, 4)
	var requestErr *youcan.RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *youcan.RequestError", err, err)
	}
	if !requestErr.WroteRequest {
		t.Error("WroteRequest = false, want true")
	}
	if level, _ := store.Inventory(product.ID, variant.ID); level != variant.Inventory+4 {
		t.Errorf("inventory = %d, want %d: the dropped request was applied", level, variant.Inventory+4)
	}
}

func TestClientConcurrentUse(t *testing.T) {
	store, client := startSandbox(t)
	product := youcantest.SandboxSeed()[0]

	var wg sync.WaitGroup
	for i := range 20 {
		variant := product.Variants[i%len(product.Variants)]
		wg.Go(func() {
			if _, err := client.IncrementInventory(context.Background(), product.ID, variant.ID, 1); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	want := 0
	for _, variant := range product.Variants {
		want += variant.Inventory
	}
	want += 20
	if total, _ := store.ProductInventory(product.ID); total != want {
		t.Errorf("product inventory = %d, want %d", total, want)
	}
}
