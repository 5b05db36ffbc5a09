package youcan

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const productWithVariants = `{
	"id": "p1", "name": "Caftan brodé", "inventory": 7, "track_inventory": true, "variants_count": 2,
	"visibility": 1, "deleted_at": false,
	"variant_options": [{"name": "taille", "type": 1, "values": [{"value": "M", "preview": null}, "L"]}],
	"variants": %s
}`

var wantProduct = &Product{
	ID: "p1", Name: "Caftan brodé", Inventory: 7, TrackInventory: true, VariantsCount: 2,
	Variants: []Variant{
		{ID: "v1", SKU: "CAF-M", Inventory: 3, Variations: map[string]string{"taille": "M"}},
		{ID: "v2", Inventory: 4, Variations: map[string]string{"taille": "L"}},
	},
}

const variantsJSON = `[
	{"id": "v1", "sku": "CAF-M", "inventory": 3, "variations": {"taille": "M"}, "is_default": false},
	{"id": "v2", "sku": null, "inventory": 4, "variations": {"taille": "L"}, "is_default": 0, "image": null}
]`

func TestGetProduct(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"variants array", strings.Replace(productWithVariants, "%s", variantsJSON, 1)},
		{"variants in data", strings.Replace(productWithVariants, "%s", `{"data": `+variantsJSON+`}`, 1)},
		{"product in data", `{"data": ` + strings.Replace(productWithVariants, "%s", variantsJSON, 1) + `}`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			client, mux := setup(t)
			mux.HandleFunc("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testHeader(t, r, "Authorization", "Bearer "+testToken)
				testHeader(t, r, "Accept", "application/json")
				testHeader(t, r, "Content-Type", "")
				if got := r.PathValue("id"); got != "p1" {
					t.Errorf("product id in the path = %q, want p1", got)
				}
				if got := r.URL.Query().Get("include"); got != "variants" {
					t.Errorf("include = %q, want variants", got)
				}
				writeJSON(w, http.StatusOK, test.body)
			})

			got, err := client.GetProduct(context.Background(), "p1")
			if err != nil {
				t.Fatalf("GetProduct: %v", err)
			}
			if !reflect.DeepEqual(got, wantProduct) {
				t.Errorf("GetProduct = %+v, want %+v", got, wantProduct)
			}
		})
	}
}

func TestGetProductNotFound(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"status": 404, "detail": "No query results for model [Product].", "meta": []}`)
	})

	_, err := client.GetProduct(context.Background(), "missing")
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want an *Error", err, err)
	}
	if apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("StatusCode = %d, want 404", apiErr.StatusCode)
	}
	if apiErr.Method != http.MethodGet {
		t.Errorf("Method = %q, want GET", apiErr.Method)
	}
	if !strings.HasSuffix(apiErr.URL, basePath+"/products/missing?include=variants") {
		t.Errorf("URL = %q, want the request URL", apiErr.URL)
	}
}

func TestGetProductWithoutID(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"name": "x", "inventory": 1}`)
	})

	_, err := client.GetProduct(context.Background(), "p1")
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if !strings.Contains(err.Error(), "no product id") {
		t.Errorf("error %q does not say what is missing", err)
	}
}

const productPage = `{
	"data": [` + productJSONForPage + `],
	"meta": {"pagination": {"total": 12, "count": 1, "per_page": 5, "current_page": 2, "total_pages": 3,
		"links": {"previous": "http://api.dotshop.com/products?page=1", "next": "http://api.dotshop.com/products?page=3"}}}
}`

const productJSONForPage = `{"id": "p1", "name": "Caftan brodé", "inventory": 7, "track_inventory": true, "variants_count": 2,
	"variants": ` + variantsJSON + `}`

func TestListProducts(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeader(t, r, "Authorization", "Bearer "+testToken)
		query := r.URL.Query()
		for name, want := range map[string]string{"include": "variants", "page": "2", "limit": "50"} {
			if got := query.Get(name); got != want {
				t.Errorf("query %s = %q, want %q", name, got, want)
			}
		}
		writeJSON(w, http.StatusOK, productPage)
	})

	got, err := client.ListProducts(context.Background(), 2, 50)
	if err != nil {
		t.Fatalf("ListProducts: %v", err)
	}
	want := &ProductPage{Products: []Product{*wantProduct}, Page: 2, PerPage: 5, TotalPages: 3, Total: 12}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListProducts = %+v, want %+v", got, want)
	}
}

func TestListProductsDefaultLimit(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("limit") {
			t.Errorf("query %q has a limit, want none", r.URL.RawQuery)
		}
		writeJSON(w, http.StatusOK, `{"data": [], "meta": {"pagination": {"total": 0, "count": 0, "per_page": 10, "total_pages": 1, "links": []}}}`)
	})

	got, err := client.ListProducts(context.Background(), 1, 0)
	if err != nil {
		t.Fatalf("ListProducts: %v", err)
	}
	want := &ProductPage{Products: []Product{}, Page: 1, PerPage: 10, TotalPages: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListProducts = %+v, want %+v", got, want)
	}
}

func TestListProductsWithoutPagination(t *testing.T) {
	for _, body := range []string{
		`{"data": []}`,
		`{"data": [], "meta": []}`,
		`{"data": [], "meta": {"pagination": {"total": 3}}}`,
	} {
		client, mux := setup(t)
		mux.HandleFunc("/products", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, body)
		})

		_, err := client.ListProducts(context.Background(), 1, 10)
		var requestErr *RequestError
		if !errors.As(err, &requestErr) {
			t.Fatalf("body %s: error = %v (%T), want a *RequestError", body, err, err)
		}
		if !strings.Contains(err.Error(), "no meta.pagination.total_pages") {
			t.Errorf("body %s: error %q does not say what is missing", body, err)
		}
	}
}

func TestListProductsInvalidArguments(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	})

	if _, err := client.ListProducts(context.Background(), 0, 10); err == nil || !strings.Contains(err.Error(), "invalid page 0") {
		t.Errorf("ListProducts(page 0) error = %v, want invalid page", err)
	}
	if _, err := client.ListProducts(context.Background(), 1, -1); err == nil || !strings.Contains(err.Error(), "invalid limit -1") {
		t.Errorf("ListProducts(limit -1) error = %v, want invalid limit", err)
	}
}
