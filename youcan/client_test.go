package youcan

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	// basePath is the path of the test server's base URL. A client that
	// builds absolute paths misses it, and the test fails.
	basePath = "/api-v1"

	testToken     = "test-token-5f1c"
	testUserAgent = "restock-test/1.0"

	productID = "ea56bdd1-8ad0-4c6b-b708-3f4c331d1678"
	variantID = "f7ae7509-1fc4-44f7-9241-ca6aa1e3f89f"
)

// setup starts a test server and returns a client for it and the mux that
// serves the paths below the base URL.
func setup(t *testing.T) (*Client, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()

	root := http.NewServeMux()
	root.Handle(basePath+"/", http.StripPrefix(basePath, mux))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL: %s %s", r.Method, r.URL)
		http.Error(w, "outside the base URL", http.StatusBadRequest)
	})

	server := httptest.NewServer(root)
	t.Cleanup(server.Close)

	client, err := NewClient(server.URL+basePath, testToken, nil, testUserAgent)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return client, mux
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("request method = %q, want %q", r.Method, want)
	}
}

func testHeader(t *testing.T, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("header %s = %q, want %q", name, got, want)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// officialVariant is the variant that testdata/increment-response.json,
// the example of the API documentation, describes.
func officialVariant() *Variant {
	return &Variant{
		ID:         variantID,
		Inventory:  66,
		Variations: map[string]string{"color": "Red"},
		Product: &Product{
			ID:             productID,
			Name:           "OPPO A1K",
			Inventory:      151,
			TrackInventory: true,
			VariantsCount:  2,
		},
	}
}

func TestNewClientBaseURL(t *testing.T) {
	for _, base := range []string{basePath, basePath + "/"} {
		t.Run(base, func(t *testing.T) {
			var called atomic.Bool
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called.Store(true)
				if want := basePath + "/products/" + productID; r.URL.Path != want {
					t.Errorf("request path = %q, want %q", r.URL.Path, want)
				}
				writeJSON(w, http.StatusOK, `{"id": "`+productID+`"}`)
			}))
			defer server.Close()

			client, err := NewClient(server.URL+base, testToken, nil, testUserAgent)
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if _, err := client.GetProduct(context.Background(), productID); err != nil {
				t.Fatalf("GetProduct: %v", err)
			}
			if !called.Load() {
				t.Error("the server received no request")
			}
		})
	}
}

func TestNewClientInvalidBaseURL(t *testing.T) {
	for _, base := range []string{
		"",
		"api.youcan.shop",
		"/products",
		"ftp://api.youcan.shop",
		"https://",
		"https://api.youcan.shop?token=x",
		"https://api.youcan.shop#top",
		"https://api.youcan.shop/%zz",
	} {
		t.Run(base, func(t *testing.T) {
			_, err := NewClient(base, testToken, nil, testUserAgent)
			if err == nil {
				t.Fatal("NewClient returned no error")
			}
			message := err.Error()
			if !strings.Contains(message, `"`+base+`"`) {
				t.Errorf("error %q does not name the base URL", message)
			}
			if !strings.Contains(message, DefaultBaseURL) {
				t.Errorf("error %q does not show a valid base URL", message)
			}
		})
	}
}

func TestNewClientTokenWithLineBreak(t *testing.T) {
	token := "secret-token-0042\n"
	_, err := NewClient(DefaultBaseURL, token, nil, testUserAgent)
	if err == nil {
		t.Fatal("NewClient returned no error")
	}
	if strings.Contains(err.Error(), "secret-token-0042") {
		t.Errorf("error %q contains the token", err)
	}
}

func TestIncrementInventoryRequest(t *testing.T) {
	client, mux := setup(t)
	fixture := readFixture(t, "increment-response.json")

	var calls atomic.Int32
	mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testMethod(t, r, http.MethodPut)
		if got := r.PathValue("id"); got != productID {
			t.Errorf("product id in the path = %q, want %q", got, productID)
		}
		testHeader(t, r, "Authorization", "Bearer "+testToken)
		testHeader(t, r, "Accept", "application/json")
		testHeader(t, r, "Content-Type", "application/json")
		testHeader(t, r, "User-Agent", testUserAgent)
		if strings.Contains(r.URL.String(), testToken) {
			t.Errorf("request URL %q contains the token", r.URL)
		}

		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), testToken) {
			t.Errorf("request body %s contains the token", body)
		}
		var fields map[string]any
		if err := json.Unmarshal(body, &fields); err != nil {
			t.Fatalf("request body %s is not a JSON object: %v", body, err)
		}
		want := map[string]any{"variant_id": variantID, "varaint_id": variantID, "inventory": 7.0}
		if !reflect.DeepEqual(fields, want) {
			t.Errorf("request body = %v, want %v", fields, want)
		}

		writeJSON(w, http.StatusOK, string(fixture))
	})

	got, err := client.IncrementInventory(context.Background(), productID, variantID, 7)
	if err != nil {
		t.Fatalf("IncrementInventory: %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("the server received %d requests, want 1", calls.Load())
	}
	if !reflect.DeepEqual(got, officialVariant()) {
		t.Errorf("IncrementInventory = %+v (product %+v), want %+v", got, got.Product, officialVariant())
	}
}

func TestDecrementInventoryRequest(t *testing.T) {
	client, mux := setup(t)
	fixture := readFixture(t, "increment-response.json")

	mux.HandleFunc("/products/{id}/inventory/decrement", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		var body inventoryChange
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		want := inventoryChange{VariantID: variantID, VaraintID: variantID, Inventory: 3}
		if body != want {
			t.Errorf("request body = %+v, want %+v", body, want)
		}
		writeJSON(w, http.StatusOK, string(fixture))
	})

	got, err := client.DecrementInventory(context.Background(), productID, variantID, 3)
	if err != nil {
		t.Fatalf("DecrementInventory: %v", err)
	}
	if got.Inventory != 66 {
		t.Errorf("variant inventory = %d, want 66", got.Inventory)
	}
}

func TestIncrementInventoryEscapesProductID(t *testing.T) {
	client, mux := setup(t)

	const id = "a/b c?d"
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if want := "/products/a%2Fb%20c%3Fd/inventory/increment"; r.URL.EscapedPath() != want {
			t.Errorf("escaped request path = %q, want %q", r.URL.EscapedPath(), want)
		}
		if r.URL.RawQuery != "" {
			t.Errorf("request query = %q, want none", r.URL.RawQuery)
		}
		writeJSON(w, http.StatusOK, `{"message": "ok", "code": "UPDATED", "data": {"product_inventory": 1, "variant_inventory": 1}}`)
	})

	if _, err := client.IncrementInventory(context.Background(), id, variantID, 1); err != nil {
		t.Fatalf("IncrementInventory: %v", err)
	}
}

func TestIncrementInventoryLegacyShape(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{
			"message": "Product inventory updated successfully",
			"code": "UPDATED",
			"data": {"product_inventory": 151, "variant_inventory": 66}
		}`)
	})

	got, err := client.IncrementInventory(context.Background(), productID, variantID, 5)
	if err != nil {
		t.Fatalf("IncrementInventory: %v", err)
	}
	want := &Variant{ID: variantID, Inventory: 66, Product: &Product{ID: productID, Inventory: 151}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IncrementInventory = %+v (product %+v), want %+v (product %+v)", got, got.Product, want, want.Product)
	}
}

func TestIncrementInventoryLooseFields(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *Variant
	}{
		{
			name: "default variant",
			body: `{"id": "v1", "variations": [], "sku": null, "barcode": null, "weight": null, "image": null,
				"inventory": 3, "is_default": 1,
				"product": {"id": "p1", "name": "Tajine", "inventory": 3, "track_inventory": 1, "variants_count": 1,
					"visibility": 0, "deleted_at": "2024-01-01T00:00:00+00:00", "variant_options": [],
					"meta": [], "images": null, "price": "12.50"}}`,
			want: &Variant{ID: "v1", Inventory: 3, IsDefault: true,
				Product: &Product{ID: "p1", Name: "Tajine", Inventory: 3, TrackInventory: true, VariantsCount: 1}},
		},
		{
			name: "odd types",
			body: `{"id": "v2", "variations": {"taille": 42, "couleur": "Bleu", "brodé": true, "x": null, "y": {"a": 1}},
				"sku": 12345, "inventory": "8", "is_default": "0", "options": "taille",
				"product": {"id": "p2", "name": {"fr": "Caftan"}, "inventory": 20.0, "track_inventory": "true",
					"variants_count": "2", "visibility": true, "deleted_at": false,
					"variant_options": [{"name": "taille", "type": 1, "values": ["40", "42"]}]}}`,
			want: &Variant{ID: "v2", SKU: "12345", Inventory: 8,
				Variations: map[string]string{"taille": "42", "couleur": "Bleu", "brodé": "true"},
				Product:    &Product{ID: "p2", Inventory: 20, TrackInventory: true, VariantsCount: 2}},
		},
		{
			name: "product without id",
			body: `{"id": "v3", "variations": null, "inventory": 0, "product": {"inventory": 0, "track_inventory": false}}`,
			want: &Variant{ID: "v3", Product: &Product{ID: productID}},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			client, mux := setup(t)
			mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, test.body)
			})

			got, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
			if err != nil {
				t.Fatalf("IncrementInventory: %v", err)
			}
			if !reflect.DeepEqual(got, test.want) {
				t.Errorf("IncrementInventory = %+v (product %+v), want %+v (product %+v)", got, got.Product, test.want, test.want.Product)
			}
		})
	}
}

func TestIncrementInventoryUnusableResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // in the error message
	}{
		{"empty", ``, "not an object"},
		{"html", `<html><body>OK</body></html>`, "not an object"},
		{"no variant inventory", `{"id": "v1", "product": {"id": "p1", "inventory": 3}}`, "no variant inventory"},
		{"no product", `{"id": "v1", "inventory": 3}`, "no product inventory"},
		{"null product inventory", `{"id": "v1", "inventory": 3, "product": {"id": "p1", "inventory": null}}`, "no product inventory"},
		{"no variant id", `{"inventory": 3, "product": {"id": "p1", "inventory": 3}}`, "no variant id"},
		{"fractional inventory", `{"id": "v1", "inventory": 2.5, "product": {"id": "p1", "inventory": 3}}`, "invalid integer 2.5"},
		{"legacy without variant", `{"code": "UPDATED", "data": {"product_inventory": 5}}`, "no data.variant_inventory"},
		{"legacy without product", `{"code": "UPDATED", "data": {"variant_inventory": 5}}`, "no data.product_inventory"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			client, mux := setup(t)
			mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, test.body)
			})

			_, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
			var requestErr *RequestError
			if !errors.As(err, &requestErr) {
				t.Fatalf("error = %v (%T), want a *RequestError", err, err)
			}
			if requestErr.StatusCode != http.StatusOK {
				t.Errorf("StatusCode = %d, want 200", requestErr.StatusCode)
			}
			if !requestErr.WroteRequest {
				t.Error("WroteRequest = false, want true")
			}
			if !strings.Contains(err.Error(), test.want) {
				t.Errorf("error %q does not contain %q", err, test.want)
			}
		})
	}
}

// TestIncrementInventoryShapeKeys checks that a key of one response shape is read
// only in that shape: the older shape's body may carry an "inventory" or "product" of
// any type, and a null "data" does not make a body the older shape.
func TestIncrementInventoryShapeKeys(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *Variant
	}{
		{
			name: "legacy with other keys",
			body: `{"code": "UPDATED", "inventory": "n/a", "product": [1, 2],
				"data": {"product_inventory": 9, "variant_inventory": 4}}`,
			want: &Variant{ID: variantID, Inventory: 4, Product: &Product{ID: productID, Inventory: 9}},
		},
		{
			name: "variant with null data",
			body: `{"id": "v1", "data": null, "inventory": 2, "product": {"id": "p1", "inventory": 5}}`,
			want: &Variant{ID: "v1", Inventory: 2, Product: &Product{ID: "p1", Inventory: 5}},
		},
		{
			name: "variant with data",
			body: `{"id": "v1", "data": {"variant_inventory": 99}, "inventory": 2, "product": {"id": "p1", "inventory": 5}}`,
			want: &Variant{ID: "v1", Inventory: 2, Product: &Product{ID: "p1", Inventory: 5}},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			client, mux := setup(t)
			mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, test.body)
			})

			got, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
			if err != nil {
				t.Fatalf("IncrementInventory: %v", err)
			}
			if !reflect.DeepEqual(got, test.want) {
				t.Errorf("IncrementInventory = %+v (product %+v), want %+v (product %+v)", got, got.Product, test.want, test.want.Product)
			}
		})
	}
}

func TestIncrementInventoryProductNotObject(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id": "v1", "inventory": 3, "product": "p1"}`)
	})

	_, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if !strings.Contains(err.Error(), "invalid product: not a JSON object") {
		t.Errorf("error %q does not say that the product is not an object", err)
	}
}

// TestNewTransportKeepsConnections checks that the default transport keeps an idle
// connection for every worker that restock's default --concurrency runs, so that a
// run at that cap does not dial again for each request.
func TestNewTransportKeepsConnections(t *testing.T) {
	const defaultConcurrency = 256
	transport := newTransport()
	if transport.MaxIdleConnsPerHost < defaultConcurrency {
		t.Errorf("MaxIdleConnsPerHost = %d, want at least %d", transport.MaxIdleConnsPerHost, defaultConcurrency)
	}
	if transport.MaxIdleConns != 0 && transport.MaxIdleConns < defaultConcurrency {
		t.Errorf("MaxIdleConns = %d, want 0 (no limit) or at least %d", transport.MaxIdleConns, defaultConcurrency)
	}
}

func TestIncrementInventoryBodyTooLarge(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id": "v1", "inventory": 1, "padding": "`)
		io.WriteString(w, strings.Repeat("x", maxBodySize))
		io.WriteString(w, `"}`)
	})

	_, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if !requestErr.WroteRequest {
		t.Error("WroteRequest = false, want true")
	}
	if requestErr.StatusCode != http.StatusOK {
		t.Errorf("StatusCode = %d, want 200", requestErr.StatusCode)
	}
	if !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Errorf("error %q does not give the size limit", err)
	}
}

func TestIncrementInventoryInvalidArguments(t *testing.T) {
	tests := []struct {
		name      string
		productID string
		variantID string
		quantity  int
		want      string
	}{
		{"zero quantity", productID, variantID, 0, "invalid quantity 0"},
		{"negative quantity", productID, variantID, -4, "invalid quantity -4"},
		{"empty product", "", variantID, 1, "missing product id"},
		{"dot-dot product", "..", variantID, 1, `invalid product id ".."`},
		{"empty variant", productID, "", 1, "missing variant id"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			client, mux := setup(t)
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("unexpected request %s %s", r.Method, r.URL)
			})

			_, err := client.IncrementInventory(context.Background(), test.productID, test.variantID, test.quantity)
			if err == nil || !strings.Contains(err.Error(), test.want) {
				t.Errorf("error = %v, want one containing %q", err, test.want)
			}
			var requestErr *RequestError
			if errors.As(err, &requestErr) {
				t.Errorf("error is a *RequestError, want a plain error")
			}
		})
	}
}

func TestIncrementInventoryErrorResponses(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		header      map[string]string
		body        string
		wantMessage string
		wantFields  map[string][]string
		wantRetry   time.Duration
	}{
		{
			name:   "401 unknown body",
			status: http.StatusUnauthorized, body: `{"message": "Unauthenticated."}`,
			wantMessage: "Unauthenticated.",
		},
		{
			name:   "401 empty body",
			status: http.StatusUnauthorized, body: ``,
		},
		{
			name:   "402 with error",
			status: http.StatusPaymentRequired, body: `{"status": 402, "error": "store is suspended"}`,
			wantMessage: "store is suspended",
		},
		{
			name:   "402 with error and message",
			status: http.StatusPaymentRequired, body: `{"status": 402, "message": "Payment Required", "error": "store is suspended"}`,
			wantMessage: "store is suspended",
		},
		{
			name:   "detail before error and message",
			status: http.StatusConflict, body: `{"message": "Conflict", "error": "conflict", "detail": "The product is locked."}`,
			wantMessage: "The product is locked.",
		},
		{
			name:   "fields outside a 422",
			status: http.StatusBadRequest, body: `{"detail": "Bad input.", "meta": {"fields": {"inventory": ["The inventory is bad."]}}}`,
			wantMessage: "Bad input.",
		},
		{
			name:   "403 without message",
			status: http.StatusForbidden, body: `{"status": 403}`,
			wantMessage: `{"status": 403}`,
		},
		{
			name:   "404 with detail",
			status: http.StatusNotFound, body: `{"status": 404, "detail": "No query results for model [Product].", "meta": []}`,
			wantMessage: "No query results for model [Product].",
		},
		{
			name:        "404 for a wrong method",
			status:      http.StatusNotFound,
			body:        `{"status": 404, "detail": "The POST method is not supported for this route. Supported methods: PUT.", "meta": []}`,
			wantMessage: "The POST method is not supported for this route. Supported methods: PUT.",
		},
		{
			name:   "422 with fields",
			status: http.StatusUnprocessableEntity,
			body: `{"status": 422, "detail": "The given data was invalid.", "meta": {"fields": {
				"inventory": ["The inventory must be at least 1."],
				"variant_id": "The selected variant id is invalid.",
				"sku": [], "ignored": {"a": 1}}}}`,
			wantMessage: "The given data was invalid.",
			wantFields: map[string][]string{
				"inventory":  {"The inventory must be at least 1."},
				"variant_id": {"The selected variant id is invalid."},
			},
		},
		{
			name:   "429 without Retry-After",
			status: http.StatusTooManyRequests, body: `{"status": 429, "detail": "Too Many Attempts.", "meta": []}`,
			wantMessage: "Too Many Attempts.",
		},
		{
			name:   "429 with Retry-After",
			status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "3"},
			body:        `{"status": 429, "detail": "Too Many Attempts.", "meta": []}`,
			wantMessage: "Too Many Attempts.", wantRetry: 3 * time.Second,
		},
		{
			name:        "429 with Retry-After date",
			status:      http.StatusTooManyRequests,
			header:      map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:28:05 GMT", "Date": "Wed, 21 Oct 2015 07:28:00 GMT"},
			body:        `{"status": 429, "detail": "Too Many Attempts."}`,
			wantMessage: "Too Many Attempts.", wantRetry: 5 * time.Second,
		},
		{
			name:   "500",
			status: http.StatusInternalServerError, body: `{"status": 500, "detail": "internal error"}`,
			wantMessage: "internal error",
		},
		{
			name:   "502 HTML page",
			status: http.StatusBadGateway, contentType: "text/html",
			body:        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
			wantMessage: "502 Bad Gateway",
		},
		{
			name:   "503 text over lines",
			status: http.StatusServiceUnavailable, contentType: "text/plain", header: map[string]string{"Retry-After": "0.5"},
			body:        "Service\n\tunavailable\x1b[31m, try later\n",
			wantMessage: "Service unavailable [31m, try later", wantRetry: 500 * time.Millisecond,
		},
		{
			name:   "JSON body over the cap",
			status: http.StatusBadRequest,
			body:   `{"detail": "` + strings.Repeat("a", maxErrorBodySize) + `"}`,
			// The cut JSON no longer parses, so the raw text is the message.
			wantMessage: `{"detail": "` + strings.Repeat("a", maxMessageSize-len(`{"detail": "`)) + "…",
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			client, mux := setup(t)
			mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
				for name, value := range test.header {
					w.Header().Set(name, value)
				}
				contentType := test.contentType
				if contentType == "" {
					contentType = "application/json"
				}
				w.Header().Set("Content-Type", contentType)
				w.WriteHeader(test.status)
				io.WriteString(w, test.body)
			})

			_, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error = %v (%T), want an *Error", err, err)
			}
			if apiErr.StatusCode != test.status {
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, test.status)
			}
			if apiErr.Method != http.MethodPut {
				t.Errorf("Method = %q, want PUT", apiErr.Method)
			}
			if !strings.HasSuffix(apiErr.URL, basePath+"/products/"+productID+"/inventory/increment") {
				t.Errorf("URL = %q, want the request URL", apiErr.URL)
			}
			if apiErr.Message != test.wantMessage {
				t.Errorf("Message = %q, want %q", apiErr.Message, test.wantMessage)
			}
			if !reflect.DeepEqual(apiErr.Fields, test.wantFields) {
				t.Errorf("Fields = %v, want %v", apiErr.Fields, test.wantFields)
			}
			if apiErr.RetryAfter != test.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", apiErr.RetryAfter, test.wantRetry)
			}
			if message := err.Error(); strings.ContainsAny(message, "\r\n") {
				t.Errorf("error %q is not one line", message)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

func TestIncrementInventoryRedirectNotFollowed(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://api.youcan.invalid/products", http.StatusMovedPermanently)
	})

	_, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want an *Error", err, err)
	}
	if apiErr.StatusCode != http.StatusMovedPermanently {
		t.Errorf("StatusCode = %d, want 301", apiErr.StatusCode)
	}
	if want := "redirected to https://api.youcan.invalid/products, so check the base URL"; apiErr.Message != want {
		t.Errorf("Message = %q, want %q", apiErr.Message, want)
	}
}

func TestNewClientKeepsCallerHTTPClient(t *testing.T) {
	var followed atomic.Bool
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer server.Close()

	httpClient := &http.Client{Timeout: 10 * time.Second}
	client, err := NewClient(server.URL, testToken, httpClient, testUserAgent)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.IncrementInventory(context.Background(), productID, variantID, 1)

	var apiErr *Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want an *Error", err, err)
	}
	if apiErr.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("StatusCode = %d, want 307", apiErr.StatusCode)
	}
	if followed.Load() {
		t.Error("the client followed the redirect")
	}
	if httpClient.CheckRedirect != nil {
		t.Error("NewClient changed the caller's http.Client")
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{
			err: &Error{Method: "PUT", URL: "https://api.youcan.shop/products/p1/inventory/increment", StatusCode: 422,
				Message: "The given data was invalid.",
				Fields: map[string][]string{
					"variant_id": {"The selected variant id is invalid."},
					"inventory":  {"The inventory must be an integer.", "The inventory must be at least 1."},
				}},
			want: "PUT https://api.youcan.shop/products/p1/inventory/increment: 422 Unprocessable Entity: " +
				"The given data was invalid. (inventory: The inventory must be an integer. The inventory must be at least 1.; " +
				"variant_id: The selected variant id is invalid.)",
		},
		{
			err:  &Error{Method: "GET", URL: "https://api.youcan.shop/products/p1", StatusCode: 401},
			want: "GET https://api.youcan.shop/products/p1: 401 Unauthorized",
		},
		{
			err:  &Error{Method: "GET", URL: "https://api.youcan.shop/products", StatusCode: 599, Message: "odd"},
			want: "GET https://api.youcan.shop/products: 599: odd",
		},
	}
	for _, test := range tests {
		if got := test.err.Error(); got != test.want {
			t.Errorf("Error() = %q, want %q", got, test.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value, date string
		want        time.Duration
	}{
		{"3", "", 3 * time.Second},
		{"2.0", "", 2 * time.Second},
		{"0.5", "", 500 * time.Millisecond},
		{" 4 ", "", 4 * time.Second},
		{"0", "", 0},
		{"", "", 0},
		{"soon", "", 0},
		{"-1", "", 0},
		{"1e3", "", 0},
		{"Inf", "", 0},
		{"0x10", "", 0},
		{"1.2.3", "", 0},
		{"99999999999999", "", 0},
		{"Wed, 01 May 2024 12:00:30 GMT", "", 30 * time.Second},
		{"Wed, 01 May 2024 12:00:30 GMT", "Wed, 01 May 2024 12:00:20 GMT", 10 * time.Second},
		{"Wed, 01 May 2024 12:00:30 GMT", "not a date", 30 * time.Second},
		{"Wednesday, 01-May-24 12:01:00 GMT", "", time.Minute},
		{"Wed May  1 12:00:05 2024", "", 5 * time.Second},
		{"Wed, 01 May 2024 11:59:00 GMT", "", 0},
		{"Wed, 01 May 2024 12:00:30 GMT", "Wed, 01 May 2024 12:01:00 GMT", 0},
	}
	for _, test := range tests {
		if got := parseRetryAfter(test.value, test.date, now); got != test.want {
			t.Errorf("parseRetryAfter(%q, %q) = %v, want %v", test.value, test.date, got, test.want)
		}
	}
}

func TestRequestErrorConnectionRefused(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	listener.Close()

	client, err := NewClient("http://"+address+basePath, testToken, nil, testUserAgent)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.IncrementInventory(context.Background(), productID, variantID, 1)

	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if requestErr.WroteRequest {
		t.Error("WroteRequest = true, want false")
	}
	if requestErr.StatusCode != 0 {
		t.Errorf("StatusCode = %d, want 0", requestErr.StatusCode)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not wrap ECONNREFUSED", err)
	}
	if count := strings.Count(err.Error(), "/inventory/increment"); count != 1 {
		t.Errorf("error %q names the URL %d times, want once", err, count)
	}
	if want := "http://" + address + basePath + "/products/" + productID + "/inventory/increment"; requestErr.URL != want {
		t.Errorf("URL = %q, want %q", requestErr.URL, want)
	}
	if requestErr.Method != http.MethodPut {
		t.Errorf("Method = %q, want PUT", requestErr.Method)
	}
}

func TestRequestErrorConnectionClosedAfterRequest(t *testing.T) {
	client, mux := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.Copy(io.Discard, r.Body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		conn.Close()
	})

	_, err := client.IncrementInventory(context.Background(), productID, variantID, 1)
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if !requestErr.WroteRequest {
		t.Error("WroteRequest = false, want true")
	}
	if calls.Load() != 1 {
		t.Errorf("the server received %d requests, want 1", calls.Load())
	}
}

// blockUntilCanceled returns a handler that signals received when a request
// arrives and then waits for the client to go away.
func blockUntilCanceled(received chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		received <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
}

func TestContextCanceled(t *testing.T) {
	client, mux := setup(t)
	received := make(chan struct{}, 1)
	mux.HandleFunc("/products/{id}/inventory/increment", blockUntilCanceled(received))

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-received
		cancel()
	}()
	_, err := client.IncrementInventory(ctx, productID, variantID, 1)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want one that is context.Canceled", err)
	}
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if !requestErr.WroteRequest {
		t.Error("WroteRequest = false, want true")
	}
}

func TestContextDeadlineExceeded(t *testing.T) {
	client, mux := setup(t)
	received := make(chan struct{}, 1)
	mux.HandleFunc("/products/{id}/inventory/increment", blockUntilCanceled(received))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := client.IncrementInventory(ctx, productID, variantID, 1)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want one that is context.DeadlineExceeded", err)
	}
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if !requestErr.WroteRequest {
		t.Error("WroteRequest = false, want true")
	}
}

func TestContextCanceledBeforeRequest(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := client.IncrementInventory(ctx, productID, variantID, 1)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want one that is context.Canceled", err)
	}
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if requestErr.WroteRequest {
		t.Error("WroteRequest = true, want false")
	}
}

func TestContextCanceledDuringBody(t *testing.T) {
	client, mux := setup(t)
	mux.HandleFunc("/products/{id}/inventory/increment", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"id": "`)
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := client.IncrementInventory(ctx, productID, variantID, 1)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want one that is context.DeadlineExceeded", err)
	}
	var requestErr *RequestError
	if !errors.As(err, &requestErr) {
		t.Fatalf("error = %v (%T), want a *RequestError", err, err)
	}
	if !requestErr.WroteRequest {
		t.Error("WroteRequest = false, want true")
	}
	if requestErr.StatusCode != http.StatusOK {
		t.Errorf("StatusCode = %d, want 200", requestErr.StatusCode)
	}
}
