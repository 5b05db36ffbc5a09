package youcantest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"restock/youcan/youcantest"
)

const (
	token = "store-token"

	caftanID    = "p-caftan"
	caftanBlueM = "v-caftan-m"
	caftanBlueL = "v-caftan-l"
	oilID       = "p-oil"
	oilDefault  = "v-oil"
)

func testSeed() []youcantest.SeedProduct {
	return []youcantest.SeedProduct{
		{ID: caftanID, Name: "Caftan brodé", Variants: []youcantest.SeedVariant{
			{ID: caftanBlueM, SKU: "CAF-M", Variations: map[string]string{"taille": "M", "couleur": "Bleu"}, Inventory: 4},
			{ID: caftanBlueL, Variations: map[string]string{"taille": "L", "couleur": "Bleu"}, Inventory: 2},
		}},
		{ID: oilID, Name: "زيت أركان 100 مل", Variants: []youcantest.SeedVariant{
			{ID: oilDefault, SKU: "ARG-100", Inventory: 10, IsDefault: true},
		}},
	}
}

// startStore serves store with an httptest server and returns its URL.
func startStore(t *testing.T, store *youcantest.Store) string {
	t.Helper()
	server := httptest.NewServer(store)
	t.Cleanup(server.Close)
	return server.URL
}

// reply is a response read in full.
type reply struct {
	status int
	header http.Header
	body   string
}

// decoded returns the body decoded as JSON.
func (r reply) decoded(t *testing.T) map[string]any {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("response body %q is not a JSON object: %v", r.body, err)
	}
	return body
}

// send sends a request with the bearer token auth (none when "") and a JSON
// body (none when "").
func send(t *testing.T, method, target, auth, body string) reply {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, reader)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func increment(t *testing.T, baseURL, productID, variantID string, quantity int) reply {
	t.Helper()
	body := fmt.Sprintf(`{"variant_id": %q, "varaint_id": %q, "inventory": %d}`, variantID, variantID, quantity)
	return send(t, http.MethodPut, baseURL+"/products/"+productID+"/inventory/increment", token, body)
}

func wantInventory(t *testing.T, store *youcantest.Store, productID, variantID string, want int) {
	t.Helper()
	got, ok := store.Inventory(productID, variantID)
	if !ok {
		t.Fatalf("Inventory(%q, %q) found no variant", productID, variantID)
	}
	if got != want {
		t.Errorf("Inventory(%q, %q) = %d, want %d", productID, variantID, got, want)
	}
}

func wantJSON(t *testing.T, got reply, wantStatus int, wantBody string) {
	t.Helper()
	if got.status != wantStatus {
		t.Errorf("status = %d, want %d (body %s)", got.status, wantStatus, got.body)
	}
	var gotValue, wantValue any
	if err := json.Unmarshal([]byte(got.body), &gotValue); err != nil {
		t.Fatalf("response body %q is not JSON: %v", got.body, err)
	}
	if err := json.Unmarshal([]byte(wantBody), &wantValue); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotValue, wantValue) {
		t.Errorf("response body = %s, want %s", got.body, wantBody)
	}
}

func TestStoreToken(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	target := baseURL + "/products/" + caftanID + "/inventory/increment"
	body := `{"variant_id": "` + caftanBlueM + `", "inventory": 1}`

	for _, header := range []string{"", "Bearer", "Bearer wrong-token", "Basic " + token, token} {
		req, err := http.NewRequest(http.MethodPut, target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		wantJSON(t, reply{status: resp.StatusCode, body: string(data)}, http.StatusUnauthorized, `{"status": 401, "detail": "Unauthenticated."}`)
	}
	wantInventory(t, store, caftanID, caftanBlueM, 4)

	got := send(t, http.MethodGet, baseURL+"/products/"+caftanID, token, "")
	if got.status != http.StatusOK {
		t.Errorf("status with the token = %d, want 200", got.status)
	}
}

func TestStoreEmptyTokenRejectsAll(t *testing.T) {
	store := youcantest.NewStore("", testSeed())

	// A recorder keeps the header exactly as set, where an HTTP round trip
	// would trim its trailing space.
	req := httptest.NewRequest(http.MethodGet, "/products/"+caftanID, nil)
	req.Header.Set("Authorization", "Bearer ")
	recorder := httptest.NewRecorder()
	store.ServeHTTP(recorder, req)

	if recorder.Code != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", recorder.Code)
	}
}

func TestStoreIncrementLevels(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)

	got := increment(t, baseURL, caftanID, caftanBlueM, 5)
	if got.status != http.StatusOK {
		t.Fatalf("status = %d, want 200 (body %s)", got.status, got.body)
	}
	increment(t, baseURL, caftanID, caftanBlueL, 3)
	increment(t, baseURL, caftanID, caftanBlueM, 1)

	wantInventory(t, store, caftanID, caftanBlueM, 10)
	wantInventory(t, store, caftanID, caftanBlueL, 5)
	wantInventory(t, store, oilID, oilDefault, 10)
	if total, ok := store.ProductInventory(caftanID); !ok || total != 15 {
		t.Errorf("ProductInventory = %d, %v, want 15, true", total, ok)
	}
	if _, ok := store.ProductInventory("p-missing"); ok {
		t.Error("ProductInventory of an unknown product reports true")
	}
	if _, ok := store.Inventory(oilID, caftanBlueM); ok {
		t.Error("Inventory of another product's variant reports true")
	}
}

func TestStoreIncrementResponse(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)

	body := increment(t, baseURL, caftanID, caftanBlueM, 5).decoded(t)
	checks := map[string]any{
		"id":         caftanBlueM,
		"inventory":  9.0,
		"sku":        "CAF-M",
		"is_default": false,
		"variations": map[string]any{"taille": "M", "couleur": "Bleu"},
		"weight":     nil,
	}
	for key, want := range checks {
		if !reflect.DeepEqual(body[key], want) {
			t.Errorf("variant %s = %#v, want %#v", key, body[key], want)
		}
	}

	product, ok := body["product"].(map[string]any)
	if !ok {
		t.Fatalf("product = %#v, want an object", body["product"])
	}
	productChecks := map[string]any{
		"id":              caftanID,
		"name":            "Caftan brodé",
		"inventory":       11.0,
		"track_inventory": true,
		"variants_count":  2.0,
		"deleted_at":      false,
		"visibility":      1.0,
	}
	for key, want := range productChecks {
		if !reflect.DeepEqual(product[key], want) {
			t.Errorf("product %s = %#v, want %#v", key, product[key], want)
		}
	}

	body = increment(t, baseURL, caftanID, caftanBlueL, 1).decoded(t)
	if body["sku"] != nil {
		t.Errorf("sku of a variant without one = %#v, want null", body["sku"])
	}

	// A default variant has no variations, which PHP encodes as [].
	body = increment(t, baseURL, oilID, oilDefault, 1).decoded(t)
	if !reflect.DeepEqual(body["variations"], []any{}) {
		t.Errorf("variations = %#v, want []", body["variations"])
	}
	if body["is_default"] != true {
		t.Errorf("is_default = %#v, want true", body["is_default"])
	}
}

func TestStoreDecrementBelowZero(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	target := baseURL + "/products/" + caftanID + "/inventory/decrement"

	got := send(t, http.MethodPut, target, token, `{"varaint_id": "`+caftanBlueL+`", "inventory": 5}`)
	if got.status != http.StatusOK {
		t.Fatalf("status = %d, want 200 (body %s)", got.status, got.body)
	}
	if inventory := got.decoded(t)["inventory"]; inventory != -3.0 {
		t.Errorf("inventory in the response = %v, want -3", inventory)
	}
	wantInventory(t, store, caftanID, caftanBlueL, -3)
	if total, _ := store.ProductInventory(caftanID); total != 1 {
		t.Errorf("ProductInventory = %d, want 1", total)
	}
}

func TestStoreVariantKeys(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantField  string // the message for variant_id when 422
	}{
		{"variant_id only", `{"variant_id": "` + caftanBlueM + `", "inventory": 1}`, 200, ""},
		{"varaint_id only", `{"varaint_id": "` + caftanBlueM + `", "inventory": 1}`, 200, ""},
		{"both equal", `{"variant_id": "` + caftanBlueM + `", "varaint_id": "` + caftanBlueM + `", "inventory": 1}`, 200, ""},
		{"both different", `{"variant_id": "` + caftanBlueM + `", "varaint_id": "` + caftanBlueL + `", "inventory": 1}`, 422,
			"The variant id and varaint id must match."},
		{"neither", `{"inventory": 1}`, 422, "The variant id field is required."},
		{"empty", `{"variant_id": "", "inventory": 1}`, 422, "The variant id field is required."},
		{"number", `{"variant_id": 12, "inventory": 1}`, 422, "The variant id must be a string."},
		{"other product's variant", `{"variant_id": "` + oilDefault + `", "inventory": 1}`, 422, "The selected variant id is invalid."},
		{"unknown variant", `{"variant_id": "v-missing", "inventory": 1}`, 422, "The selected variant id is invalid."},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			store := youcantest.NewStore(token, testSeed())
			baseURL := startStore(t, store)

			got := send(t, http.MethodPut, baseURL+"/products/"+caftanID+"/inventory/increment", token, test.body)
			if got.status != test.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", got.status, test.wantStatus, got.body)
			}
			if test.wantStatus == http.StatusOK {
				wantInventory(t, store, caftanID, caftanBlueM, 5)
				return
			}
			wantJSON(t, got, http.StatusUnprocessableEntity, fmt.Sprintf(
				`{"status": 422, "detail": "The given data was invalid.", "meta": {"fields": {"variant_id": [%q]}}}`, test.wantField))
			wantInventory(t, store, caftanID, caftanBlueM, 4)
			wantInventory(t, store, caftanID, caftanBlueL, 2)
		})
	}
}

func TestStoreInvalidInventory(t *testing.T) {
	tests := []struct {
		name  string
		value string // the JSON value of "inventory"; "" leaves the key out
		want  string
	}{
		{"missing", "", "The inventory field is required."},
		{"null", "null", "The inventory field is required."},
		{"string", `"5"`, "The inventory must be an integer."},
		{"fraction", "1.5", "The inventory must be an integer."},
		{"exponent", "1e2", "The inventory must be an integer."},
		{"boolean", "true", "The inventory must be an integer."},
		{"zero", "0", "The inventory must be at least 1."},
		{"negative", "-3", "The inventory must be at least 1."},
		{"too large", "2147483648", "The inventory must not be greater than 2147483647."},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			store := youcantest.NewStore(token, testSeed())
			baseURL := startStore(t, store)

			body := `{"variant_id": "` + caftanBlueM + `"`
			if test.value != "" {
				body += `, "inventory": ` + test.value
			}
			body += "}"
			got := send(t, http.MethodPut, baseURL+"/products/"+caftanID+"/inventory/increment", token, body)

			wantJSON(t, got, http.StatusUnprocessableEntity, fmt.Sprintf(
				`{"status": 422, "detail": "The given data was invalid.", "meta": {"fields": {"inventory": [%q]}}}`, test.want))
			wantInventory(t, store, caftanID, caftanBlueM, 4)
		})
	}
}

func TestStoreBodyWithoutJSONContentType(t *testing.T) {
	form := url.Values{"variant_id": {caftanBlueM}, "inventory": {"1"}}.Encode()
	jsonBody := `{"variant_id": "` + caftanBlueM + `", "inventory": 1}`
	tests := []struct {
		name, contentType, body string
	}{
		{"form", "application/x-www-form-urlencoded", form},
		{"JSON as text", "text/plain", jsonBody},
		{"JSON without type", "", jsonBody},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			store := youcantest.NewStore(token, testSeed())
			baseURL := startStore(t, store)

			req, err := http.NewRequest(http.MethodPut, baseURL+"/products/"+caftanID+"/inventory/increment", strings.NewReader(test.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			if test.contentType != "" {
				req.Header.Set("Content-Type", test.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status = %d, want 422", resp.StatusCode)
			}
			wantInventory(t, store, caftanID, caftanBlueM, 4)
		})
	}
}

func TestStoreNotFound(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	productNotFound := `{"status": 404, "detail": "No query results for model [Product].", "meta": []}`

	got := increment(t, baseURL, "3f0c5a4e-0000-4000-8000-000000000000", caftanBlueM, 1)
	wantJSON(t, got, http.StatusNotFound, productNotFound)

	got = increment(t, baseURL, "not-a-uuid", caftanBlueM, 1)
	wantJSON(t, got, http.StatusNotFound, productNotFound)

	got = send(t, http.MethodGet, baseURL+"/products/not-a-uuid?include=variants", token, "")
	wantJSON(t, got, http.StatusNotFound, productNotFound)

	got = send(t, http.MethodGet, baseURL+"/orders", token, "")
	if got.status != http.StatusNotFound {
		t.Errorf("status of an unknown route = %d, want 404", got.status)
	}
}

func TestStoreWrongMethod(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)

	got := send(t, http.MethodPost, baseURL+"/products/"+caftanID+"/inventory/increment", token,
		`{"variant_id": "`+caftanBlueM+`", "inventory": 1}`)
	wantJSON(t, got, http.StatusNotFound,
		`{"status": 404, "detail": "The POST method is not supported for this route. Supported methods: PUT.", "meta": []}`)

	got = send(t, http.MethodGet, baseURL+"/products/"+caftanID+"/inventory/decrement", token, "")
	wantJSON(t, got, http.StatusNotFound,
		`{"status": 404, "detail": "The GET method is not supported for this route. Supported methods: PUT.", "meta": []}`)

	got = send(t, http.MethodDelete, baseURL+"/products/"+caftanID, token, "")
	wantJSON(t, got, http.StatusNotFound,
		`{"status": 404, "detail": "The DELETE method is not supported for this route. Supported methods: GET, HEAD.", "meta": []}`)

	wantInventory(t, store, caftanID, caftanBlueM, 4)
}

func TestStoreGetProduct(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)

	body := send(t, http.MethodGet, baseURL+"/products/"+caftanID, token, "").decoded(t)
	if _, ok := body["variants"]; ok {
		t.Errorf("product without include=variants has variants: %v", body["variants"])
	}
	if body["inventory"] != 6.0 {
		t.Errorf("inventory = %v, want 6", body["inventory"])
	}

	body = send(t, http.MethodGet, baseURL+"/products/"+caftanID+"?include=images,variants", token, "").decoded(t)
	variants, ok := body["variants"].([]any)
	if !ok || len(variants) != 2 {
		t.Fatalf("variants = %#v, want a list of 2", body["variants"])
	}
	first := variants[0].(map[string]any)
	for key, want := range map[string]any{"id": caftanBlueM, "inventory": 4.0, "sku": "CAF-M"} {
		if first[key] != want {
			t.Errorf("first variant %s = %#v, want %#v", key, first[key], want)
		}
	}
	if _, ok := first["product"]; ok {
		t.Error("an embedded variant embeds its product again")
	}
	second := variants[1].(map[string]any)
	if second["sku"] != nil {
		t.Errorf("sku of a variant without one = %#v, want null", second["sku"])
	}
}

// pagedSeed returns count products with one variant each.
func pagedSeed(count int) []youcantest.SeedProduct {
	products := make([]youcantest.SeedProduct, count)
	for i := range products {
		products[i] = youcantest.SeedProduct{
			ID:       fmt.Sprintf("p-%02d", i+1),
			Name:     fmt.Sprintf("Produit %d", i+1),
			Variants: []youcantest.SeedVariant{{ID: fmt.Sprintf("v-%02d", i+1), Inventory: i, IsDefault: true}},
		}
	}
	return products
}

func TestStoreListProductsPaging(t *testing.T) {
	store := youcantest.NewStore(token, pagedSeed(123))
	baseURL := startStore(t, store)

	tests := []struct {
		query       string
		wantPage    float64
		wantPerPage float64
		wantFirst   string // id of the first product, "" for an empty page
		wantCount   int
		wantNext    bool
	}{
		{"", 1, 10, "p-01", 10, true},
		{"?page=2", 2, 10, "p-11", 10, true},
		{"?page=2&limit=20", 2, 20, "p-21", 20, true},
		{"?page=3&limit=50", 3, 50, "p-101", 23, false},
		{"?limit=500", 1, 50, "p-01", 50, true},
		{"?limit=0&page=-1", 1, 10, "p-01", 10, true},
		{"?page=99", 99, 10, "", 0, false},
	}
	for _, test := range tests {
		t.Run(test.query, func(t *testing.T) {
			body := send(t, http.MethodGet, baseURL+"/products"+test.query, token, "").decoded(t)
			data := body["data"].([]any)
			if len(data) != test.wantCount {
				t.Errorf("products on the page = %d, want %d", len(data), test.wantCount)
			}
			if test.wantFirst != "" && len(data) > 0 {
				if id := data[0].(map[string]any)["id"]; id != test.wantFirst {
					t.Errorf("first product = %v, want %s", id, test.wantFirst)
				}
			}

			pagination := body["meta"].(map[string]any)["pagination"].(map[string]any)
			if pagination["total"] != 123.0 {
				t.Errorf("total = %v, want 123", pagination["total"])
			}
			if pagination["count"] != float64(test.wantCount) {
				t.Errorf("count = %v, want %d", pagination["count"], test.wantCount)
			}
			if pagination["per_page"] != test.wantPerPage {
				t.Errorf("per_page = %v, want %v", pagination["per_page"], test.wantPerPage)
			}
			if pagination["current_page"] != test.wantPage {
				t.Errorf("current_page = %v, want %v", pagination["current_page"], test.wantPage)
			}
			wantTotalPages := float64((123 + int(test.wantPerPage) - 1) / int(test.wantPerPage))
			if pagination["total_pages"] != wantTotalPages {
				t.Errorf("total_pages = %v, want %v", pagination["total_pages"], wantTotalPages)
			}

			links, isMap := pagination["links"].(map[string]any)
			if !test.wantNext {
				if !reflect.DeepEqual(pagination["links"], []any{}) {
					t.Errorf("links = %#v, want []", pagination["links"])
				}
				return
			}
			next, _ := links["next"].(string)
			nextURL, err := url.Parse(next)
			if !isMap || err != nil || nextURL.Host == "" {
				t.Fatalf("links = %#v, want a next URL", pagination["links"])
			}
			if strings.HasPrefix(baseURL, "http://"+nextURL.Host) {
				t.Errorf("next link %q points at the store, want another host", next)
			}
			if got := nextURL.Query().Get("page"); got != fmt.Sprint(test.wantPage+1) {
				t.Errorf("next link page = %q, want %v", got, test.wantPage+1)
			}
		})
	}
}

func TestStoreListProductsVariants(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)

	body := send(t, http.MethodGet, baseURL+"/products?include=variants", token, "").decoded(t)
	data := body["data"].([]any)
	if len(data) != 2 {
		t.Fatalf("products = %d, want 2", len(data))
	}
	for _, item := range data {
		product := item.(map[string]any)
		if _, ok := product["variants"].([]any); !ok {
			t.Errorf("product %v has no variants list", product["id"])
		}
	}

	body = send(t, http.MethodGet, baseURL+"/products", token, "").decoded(t)
	for _, item := range body["data"].([]any) {
		if _, ok := item.(map[string]any)["variants"]; ok {
			t.Error("a product listed without include=variants has variants")
		}
	}
}

func TestStoreFaultTimes(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	store.Inject(youcantest.Fault{Status: http.StatusTooManyRequests, Times: 2, RetryAfter: "1"})

	for i := range 2 {
		got := increment(t, baseURL, caftanID, caftanBlueM, 1)
		wantJSON(t, got, http.StatusTooManyRequests, `{"status": 429, "detail": "Too Many Attempts.", "meta": []}`)
		if retry := got.header.Get("Retry-After"); retry != "1" {
			t.Errorf("request %d: Retry-After = %q, want 1", i+1, retry)
		}
	}
	if got := increment(t, baseURL, caftanID, caftanBlueM, 1); got.status != http.StatusOK {
		t.Errorf("third request: status = %d, want 200", got.status)
	}
	wantInventory(t, store, caftanID, caftanBlueM, 5)

	requests := store.Requests()
	wantStatuses := []int{429, 429, 200}
	wantApplied := []bool{false, false, true}
	if len(requests) != len(wantStatuses) {
		t.Fatalf("requests = %d, want %d", len(requests), len(wantStatuses))
	}
	for i, request := range requests {
		if request.Status != wantStatuses[i] || request.Applied != wantApplied[i] {
			t.Errorf("request %d: status %d, applied %v; want %d, %v", i+1, request.Status, request.Applied, wantStatuses[i], wantApplied[i])
		}
	}
}

func TestStoreFaultZeroTimesHitsOnce(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	store.Inject(youcantest.Fault{Status: http.StatusInternalServerError})

	wantJSON(t, increment(t, baseURL, caftanID, caftanBlueM, 1), 500, `{"status": 500, "detail": "internal error"}`)
	if got := increment(t, baseURL, caftanID, caftanBlueM, 1); got.status != http.StatusOK {
		t.Errorf("second request: status = %d, want 200", got.status)
	}
}

func TestStoreFaultMatching(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	store.Inject(youcantest.Fault{VariantID: caftanBlueL, Status: http.StatusInternalServerError})
	store.Inject(youcantest.Fault{Method: http.MethodGet, Status: http.StatusForbidden})
	store.Inject(youcantest.Fault{ProductID: oilID, Status: http.StatusPaymentRequired})
	store.Inject(youcantest.Fault{ProductID: oilID, Status: http.StatusUnauthorized})

	if got := increment(t, baseURL, caftanID, caftanBlueM, 1); got.status != http.StatusOK {
		t.Errorf("other variant: status = %d, want 200", got.status)
	}
	if got := increment(t, baseURL, caftanID, caftanBlueL, 1); got.status != http.StatusInternalServerError {
		t.Errorf("matching variant: status = %d, want 500", got.status)
	}
	if got := send(t, http.MethodGet, baseURL+"/products/"+caftanID, token, ""); got.status != http.StatusForbidden {
		t.Errorf("GET: status = %d, want 403", got.status)
	}
	// The two faults for the oil product are consumed in the order injected.
	wantJSON(t, increment(t, baseURL, oilID, oilDefault, 1), http.StatusPaymentRequired, `{"status": 402, "error": "store is suspended"}`)
	wantJSON(t, increment(t, baseURL, oilID, oilDefault, 1), http.StatusUnauthorized, `{"status": 401, "detail": "Unauthenticated."}`)
	if got := increment(t, baseURL, oilID, oilDefault, 1); got.status != http.StatusOK {
		t.Errorf("after the faults: status = %d, want 200", got.status)
	}
}

func TestStoreFaultRawBody(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	page := "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
	store.Inject(youcantest.Fault{Status: http.StatusBadGateway, Body: page})

	got := increment(t, baseURL, caftanID, caftanBlueM, 1)
	if got.status != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", got.status)
	}
	if got.body != page {
		t.Errorf("body = %q, want %q", got.body, page)
	}
	if contentType := got.header.Get("Content-Type"); !strings.HasPrefix(contentType, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", contentType)
	}
}

func TestStoreFaultApplyFirst(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	store.Inject(youcantest.Fault{Status: http.StatusGatewayTimeout, ApplyFirst: true})

	got := increment(t, baseURL, caftanID, caftanBlueM, 3)
	if got.status != http.StatusGatewayTimeout {
		t.Errorf("status = %d, want 504", got.status)
	}
	wantInventory(t, store, caftanID, caftanBlueM, 7)

	requests := store.Requests()
	if len(requests) != 1 {
		t.Fatalf("requests = %d, want 1", len(requests))
	}
	if !requests[0].Applied {
		t.Error("Applied = false, want true")
	}
	if requests[0].Status != http.StatusGatewayTimeout {
		t.Errorf("Status = %d, want 504", requests[0].Status)
	}
}

func TestStoreFaultCloseConnection(t *testing.T) {
	for _, applyFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("ApplyFirst=%v", applyFirst), func(t *testing.T) {
			store := youcantest.NewStore(token, testSeed())
			baseURL := startStore(t, store)
			store.Inject(youcantest.Fault{CloseConnection: true, ApplyFirst: applyFirst})

			req, err := http.NewRequest(http.MethodPut, baseURL+"/products/"+caftanID+"/inventory/increment",
				strings.NewReader(`{"variant_id": "`+caftanBlueM+`", "inventory": 3}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("request got status %d, want a closed connection", resp.StatusCode)
			}

			want := 4
			if applyFirst {
				want = 7
			}
			wantInventory(t, store, caftanID, caftanBlueM, want)

			requests := store.Requests()
			if len(requests) != 1 {
				t.Fatalf("requests = %d, want 1", len(requests))
			}
			if requests[0].Status != 0 {
				t.Errorf("Status = %d, want 0", requests[0].Status)
			}
			if requests[0].Applied != applyFirst {
				t.Errorf("Applied = %v, want %v", requests[0].Applied, applyFirst)
			}
		})
	}
}

func TestStoreLatency(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	const latency = 150 * time.Millisecond
	store.SetLatency(latency)

	start := time.Now()
	increment(t, baseURL, caftanID, caftanBlueM, 1)
	if elapsed := time.Since(start); elapsed < latency {
		t.Errorf("request took %v, want at least %v", elapsed, latency)
	}

	store.SetLatency(0)
	store.Inject(youcantest.Fault{Delay: latency})
	start = time.Now()
	if got := increment(t, baseURL, caftanID, caftanBlueM, 1); got.status != http.StatusOK {
		t.Errorf("delayed request: status = %d, want 200", got.status)
	}
	if elapsed := time.Since(start); elapsed < latency {
		t.Errorf("delayed request took %v, want at least %v", elapsed, latency)
	}
	wantInventory(t, store, caftanID, caftanBlueM, 6)
}

func TestStoreLatencyClientGone(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	server := httptest.NewServer(store)
	defer server.Close()
	store.SetLatency(5 * time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, server.URL+"/products/"+caftanID+"/inventory/increment",
		strings.NewReader(`{"variant_id": "`+caftanBlueM+`", "inventory": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request got status %d, want a timeout", resp.StatusCode)
	}

	// Close waits for running handlers, so it returns early only if the
	// handler stopped waiting when the client went away.
	start := time.Now()
	server.Close()
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the handler kept waiting for %v after the client went away", elapsed)
	}

	wantInventory(t, store, caftanID, caftanBlueM, 4)
	requests := store.Requests()
	if len(requests) != 1 || requests[0].Status != 0 || requests[0].Applied {
		t.Errorf("requests = %+v, want one with status 0, not applied", requests)
	}
}

func TestStoreApplyFirstThenTimeout(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	store.Inject(youcantest.Fault{ApplyFirst: true, Delay: 5 * time.Second})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, baseURL+"/products/"+caftanID+"/inventory/increment",
		strings.NewReader(`{"variant_id": "`+caftanBlueM+`", "inventory": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request got status %d, want a timeout", resp.StatusCode)
	}

	wantInventory(t, store, caftanID, caftanBlueM, 7)
}

func TestStoreLegacyShape(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	store.SetLegacyShape(true)

	got := increment(t, baseURL, caftanID, caftanBlueM, 2)
	wantJSON(t, got, http.StatusOK, `{"message": "Product inventory updated successfully.", "code": "UPDATED",
		"data": {"product_inventory": 8, "variant_inventory": 6}}`)

	store.SetLegacyShape(false)
	if body := increment(t, baseURL, caftanID, caftanBlueM, 1).decoded(t); body["id"] != caftanBlueM {
		t.Errorf("after SetLegacyShape(false): id = %v, want %s", body["id"], caftanBlueM)
	}
}

func TestStoreRequestsRecord(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)

	before := time.Now()
	increment(t, baseURL, caftanID, caftanBlueM, 3)
	send(t, http.MethodGet, baseURL+"/products?page=2", token, "")

	requests := store.Requests()
	if len(requests) != 2 {
		t.Fatalf("requests = %d, want 2", len(requests))
	}
	first := requests[0]
	first.Received = time.Time{}
	want := youcantest.Request{
		Method: "PUT", Path: "/products/" + caftanID + "/inventory/increment",
		ProductID: caftanID, VariantID: caftanBlueM, Quantity: 3, Status: 200, Applied: true,
	}
	if first != want {
		t.Errorf("first request = %+v, want %+v", first, want)
	}
	if requests[0].Received.Before(before) || requests[1].Received.Before(requests[0].Received) {
		t.Errorf("received times %v, %v are not in arrival order after %v", requests[0].Received, requests[1].Received, before)
	}
	if second := requests[1]; second.Path != "/products" || second.Status != 200 || second.Applied {
		t.Errorf("second request = %+v, want GET /products, 200, not applied", second)
	}

	// Requests returns a copy.
	requests[0].Status = 999
	if store.Requests()[0].Status != 200 {
		t.Error("changing the result of Requests changed the store")
	}
}

func TestStoreConcurrentIncrements(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL := startStore(t, store)
	store.Inject(youcantest.Fault{Status: http.StatusTooManyRequests, Times: 5})

	const workers = 40
	var wg sync.WaitGroup
	statuses := make([]int, workers)
	for i := range workers {
		wg.Go(func() {
			body := `{"variant_id": "` + caftanBlueL + `", "inventory": 2}`
			req, err := http.NewRequest(http.MethodPut, baseURL+"/products/"+caftanID+"/inventory/increment", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()

	refused := 0
	for _, status := range statuses {
		if status == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused != 5 {
		t.Errorf("429 responses = %d, want 5", refused)
	}
	wantInventory(t, store, caftanID, caftanBlueL, 2+2*(workers-5))
	if len(store.Requests()) != workers {
		t.Errorf("requests = %d, want %d", len(store.Requests()), workers)
	}
}

func TestNewStoreCopiesSeed(t *testing.T) {
	seed := testSeed()
	store := youcantest.NewStore(token, seed)
	seed[0].Variants[0].Inventory = 100
	seed[0].Variants[0].Variations["taille"] = "XL"
	seed[0].ID = "p-changed"

	wantInventory(t, store, caftanID, caftanBlueM, 4)
	baseURL := startStore(t, store)
	body := send(t, http.MethodGet, baseURL+"/products/"+caftanID+"?include=variants", token, "").decoded(t)
	variations := body["variants"].([]any)[0].(map[string]any)["variations"].(map[string]any)
	if variations["taille"] != "M" {
		t.Errorf("taille = %v, want M", variations["taille"])
	}
}

func TestNewStoreDuplicateIDPanics(t *testing.T) {
	seeds := map[string][]youcantest.SeedProduct{
		"product": {{ID: "p1"}, {ID: "p1"}},
		"variant": {{ID: "p1", Variants: []youcantest.SeedVariant{{ID: "v1"}}}, {ID: "p2", Variants: []youcantest.SeedVariant{{ID: "v1"}}}},
		"empty":   {{ID: ""}},
	}
	for name, seed := range seeds {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewStore did not panic")
				}
			}()
			youcantest.NewStore(token, seed)
		})
	}
}

func TestStoreStart(t *testing.T) {
	store := youcantest.NewStore(token, testSeed())
	baseURL, stop, err := store.Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer stop()

	if !strings.HasPrefix(baseURL, "http://127.0.0.1:") {
		t.Errorf("base URL = %q, want http://127.0.0.1:PORT", baseURL)
	}
	if got := increment(t, baseURL, caftanID, caftanBlueM, 1); got.status != http.StatusOK {
		t.Errorf("status = %d, want 200", got.status)
	}

	stop()
	stop()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(baseURL + "/products"); err == nil {
		resp.Body.Close()
		t.Error("the store still answers after stop")
	}
}

func TestStoreLevelsRoundTrip(t *testing.T) {
	store := youcantest.Sandbox()
	levels := store.Levels()
	if len(levels) == 0 {
		t.Fatal("Levels returned nothing for the sandbox")
	}
	first := youcantest.SandboxSeed()[0]
	variantID := first.Variants[0].ID

	levels[variantID] = 99
	levels["not-a-variant"] = 5
	fresh := youcantest.Sandbox()
	fresh.SetLevels(levels)

	if got, _ := fresh.Inventory(first.ID, variantID); got != 99 {
		t.Errorf("inventory after SetLevels = %d, want 99", got)
	}
	if got, _ := store.Inventory(first.ID, variantID); got != first.Variants[0].Inventory {
		t.Errorf("Levels returned the store's own map: the original changed to %d", got)
	}
}
