package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"restock/youcan"
	"restock/youcan/youcantest"
)

const catalogToken = "catalog-token"

// Ids of the catalogue that catalogSeed builds: product n has the id
// productN(n), and its variants have ids variantN(n, 0), variantN(n, 1).
func productN(n int) string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n) }

func variantN(n, v int) string { return fmt.Sprintf("%08d-%04d-4000-8000-000000000001", n, v) }

// catalogSeed returns 120 products, three pages of 50. Product n has two
// variants with the SKUs "P<n>-A" and "P<n>-B". Products 100 to 119 instead
// have one default variant with the SKU "ONE-<n>". The second variants of
// products 7 and 70 share the SKU "DUP".
func catalogSeed() []youcantest.SeedProduct {
	var seed []youcantest.SeedProduct
	for n := range 120 {
		product := youcantest.SeedProduct{ID: productN(n), Name: fmt.Sprintf("Produit %d", n)}
		if n >= 100 {
			product.Variants = []youcantest.SeedVariant{{ID: variantN(n, 0), SKU: fmt.Sprintf("ONE-%d", n), IsDefault: true, Inventory: 1}}
		} else {
			product.Variants = []youcantest.SeedVariant{
				{ID: variantN(n, 0), SKU: fmt.Sprintf("P%d-A", n), Variations: map[string]string{"taille": "M"}, Inventory: 2},
				{ID: variantN(n, 1), SKU: fmt.Sprintf("P%d-B", n), Variations: map[string]string{"taille": "L"}, Inventory: 3},
			}
		}
		if n == 7 || n == 70 {
			product.Variants[1].SKU = "DUP"
		}
		seed = append(seed, product)
	}
	return seed
}

// recordingCatalog records the pages requested from a Catalog.
type recordingCatalog struct {
	Catalog
	mu    sync.Mutex
	pages []int
	limit int
}

func (c *recordingCatalog) ListProducts(ctx context.Context, page, limit int) (*youcan.ProductPage, error) {
	c.mu.Lock()
	c.pages = append(c.pages, page)
	c.limit = limit
	c.mu.Unlock()
	return c.Catalog.ListProducts(ctx, page, limit)
}

func newCatalog(t *testing.T) (*recordingCatalog, *youcantest.Store) {
	t.Helper()
	store := youcantest.NewStore(catalogToken, catalogSeed())
	server := httptest.NewServer(store)
	t.Cleanup(server.Close)
	client, err := youcan.NewClient(server.URL, catalogToken, server.Client(), "restock-test")
	if err != nil {
		t.Fatal(err)
	}
	return &recordingCatalog{Catalog: client}, store
}

func loadInput(t *testing.T, input string, merge bool) *Input {
	t.Helper()
	in, err := LoadInput(strings.NewReader(input), "stock.csv", LoadOptions{MergeDuplicates: merge})
	if err != nil {
		t.Fatalf("LoadInput: %v", err)
	}
	return in
}

func problemStrings(t *testing.T, err error) []string {
	t.Helper()
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("error = %v, want an *InvalidInputError", err)
	}
	out := make([]string, len(invalid.Problems))
	for i, p := range invalid.Problems {
		out[i] = p.String()
	}
	return out
}

func TestPrepareResolvesSKUs(t *testing.T) {
	catalog, _ := newCatalog(t)
	in := loadInput(t, "product_id;variant_id;sku;quantity\n"+
		";;P3-A;1\n"+ // page 1
		";;P99-A;2\n"+ // the last product of page 2
		productN(60)+";;P60-B;3\n"+ // page 2, SKU within its product
		productN(115)+";;;4\n"+ // page 3, product with one variant
		productN(5)+";"+variantN(5, 1)+";WRONG;5\n"+ // ids win over the SKU
		";;one-101;6\n", // letter case differs from "ONE-101"
		false)

	var progress [][2]int
	plan, err := Prepare(context.Background(), in, PrepareOptions{
		Catalog: catalog,
		OnPage:  func(read, total int) { progress = append(progress, [2]int{read, total}) },
	})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}

	want := []wantRow{
		{2, productN(3), variantN(3, 0), "P3-A", 1},
		{3, productN(99), variantN(99, 0), "P99-A", 2},
		{4, productN(60), variantN(60, 1), "P60-B", 3},
		{5, productN(115), variantN(115, 0), "", 4},
		{6, productN(5), variantN(5, 1), "", 5},
		{7, productN(101), variantN(101, 0), "one-101", 6},
	}
	if got := describeRows(plan.Input.Rows); !slices.Equal(got, want) {
		t.Errorf("rows = %+v\nwant %+v", got, want)
	}
	if len(plan.Requests) != 6 {
		t.Errorf("%d requests, want 6", len(plan.Requests))
	}
	if got := plan.Requests[0].VariantID.String(); got != variantN(3, 0) {
		t.Errorf("first request's variant = %s, want %s", got, variantN(3, 0))
	}
	if want := []int{1, 2, 3}; !slices.Equal(catalog.pages, want) {
		t.Errorf("pages read = %v, want each page once: %v", catalog.pages, want)
	}
	if catalog.limit != catalogPageSize {
		t.Errorf("limit = %d, want %d", catalog.limit, catalogPageSize)
	}
	if want := [][2]int{{1, 3}, {2, 3}, {3, 3}}; !slices.Equal(progress, want) {
		t.Errorf("progress = %v, want %v", progress, want)
	}
}

func TestPrepareReadsNoCatalogForIDs(t *testing.T) {
	catalog, _ := newCatalog(t)
	in := loadInput(t, "product_id,variant_id,quantity\n"+productN(1)+","+variantN(1, 0)+",1\n", false)
	if _, err := Prepare(context.Background(), in, PrepareOptions{Catalog: catalog}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if len(catalog.pages) != 0 {
		t.Errorf("pages read = %v, want none for a file of ids", catalog.pages)
	}
}

func TestPrepareProblems(t *testing.T) {
	catalog, _ := newCatalog(t)
	in := loadInput(t, "Product ID,SKU,Qty\n"+
		",P1-A,1\n"+
		",NOPE,2\n"+
		",DUP,3\n"+
		productN(8)+",,4\n"+
		productN(9)+",P10-A,5\n"+
		"99999999-0000-4000-8000-000000000000,,6\n"+
		",P2-B,7\n",
		false)

	plan, err := Prepare(context.Background(), in, PrepareOptions{Catalog: catalog})
	if err != nil {
		t.Fatalf("Prepare: %v, want the unresolved rows to fail on their own", err)
	}
	want := []string{
		`line 3: SKU "NOPE" is not the SKU of any variant in the store (120 products read): check the sku, or write the product_id and variant_id`,
		`line 4: SKU "DUP" is the SKU of 2 variants: variant ` + variantN(7, 1) + ` of product ` + productN(7) + ` "Produit 7" (taille: L), variant ` + variantN(70, 1) + ` of product ` + productN(70) + ` "Produit 70" (taille: L); give each variant its own SKU in the store, or write the product_id and variant_id of the one to restock`,
		`line 5: Product ID "` + productN(8) + `" is product "Produit 8", which has 2 variants, so the row needs a variant_id or a sku: its variants are ` + variantN(8, 0) + ` (taille: M; SKU P8-A), ` + variantN(8, 1) + ` (taille: L; SKU P8-B)`,
		`line 6: SKU "P10-A" is the SKU of variant ` + variantN(10, 0) + ` of product ` + productN(10) + ` "Produit 10" (taille: M), not of a variant of product_id ` + productN(9) + ` on this row: fix the product_id or the sku`,
		`line 7: Product ID "99999999-0000-4000-8000-000000000000" is not a product of the store (120 products read): check the product id`,
	}
	var got []string
	for rowIndex := range plan.Input.Rows {
		if err, ok := plan.Unresolved[rowIndex]; ok {
			var unresolved *UnresolvedError
			if !errors.As(err, &unresolved) {
				t.Fatalf("row %d error %v, want an *UnresolvedError", rowIndex, err)
			}
			got = append(got, unresolved.Problem.String())
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("unresolved rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(plan.Requests) != 2 || plan.RowsToSend() != 2 {
		t.Errorf("%d requests for %d rows, want the 2 resolved rows sent", len(plan.Requests), plan.RowsToSend())
	}
	// The rows that resolved keep their ids; only the others failed.
	if got := in.Rows[0].VariantID.String(); got != variantN(1, 0) {
		t.Errorf("line 2 resolved to %s, want %s", got, variantN(1, 0))
	}
	if got := in.Rows[6].VariantID.String(); got != variantN(2, 1) {
		t.Errorf("line 8 resolved to %s, want %s", got, variantN(2, 1))
	}
}

func TestPrepareDuplicatesAfterResolution(t *testing.T) {
	input := "product_id,variant_id,sku,quantity\n" +
		productN(4) + "," + variantN(4, 0) + ",,2\n" +
		",,P4-A,3\n" +
		productN(104) + ",,,4\n" +
		",,ONE-104,5\n"

	t.Run("rejected", func(t *testing.T) {
		catalog, _ := newCatalog(t)
		_, err := Prepare(context.Background(), loadInput(t, input, false), PrepareOptions{Catalog: catalog})
		want := []string{
			`line 2: variant ` + variantN(4, 0) + ` of product ` + productN(4) + ` appears on lines 2 and 3: keep one row per variant, or pass --merge-duplicates to add their quantities up`,
			`line 4: variant ` + variantN(104, 0) + ` of product ` + productN(104) + ` appears on lines 4 and 5: keep one row per variant, or pass --merge-duplicates to add their quantities up`,
		}
		if got := problemStrings(t, err); !slices.Equal(got, want) {
			t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("merged", func(t *testing.T) {
		catalog, _ := newCatalog(t)
		plan, err := Prepare(context.Background(), loadInput(t, input, true), PrepareOptions{Catalog: catalog, MergeDuplicates: true})
		if err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		var quantities []int
		for _, request := range plan.Requests {
			quantities = append(quantities, request.Quantity)
		}
		if want := []int{5, 9}; !slices.Equal(quantities, want) {
			t.Errorf("quantities = %v, want %v", quantities, want)
		}
	})
}

func TestLoadInputDuplicatesBeforeResolution(t *testing.T) {
	_, err := LoadInput(strings.NewReader("sku;product_id;quantity\nP1-A;;1\nP1-A;;2\n;"+productN(101)+";3\n;"+productN(101)+";x\n;"+productN(101)+";4\n"), "stock.csv", LoadOptions{})
	want := []string{
		`line 2: sku "P1-A" appears on lines 2 and 3: keep one row per variant, or pass --merge-duplicates to add their quantities up`,
		`line 4: product_id ` + productN(101) + ` appears on lines 4 and 6: keep one row per variant, or pass --merge-duplicates to add their quantities up`,
		`line 5: quantity "x" is not a number: write the number of units to add, digits only`,
	}
	if got := problemStrings(t, err); !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadRejectsSKUsWithoutStore(t *testing.T) {
	_, err := Load(strings.NewReader("sku,quantity\nP1-A,1\nP2-A,2\n"), "stock.csv", false)
	want := []string{`line 2: 2 rows (lines 2 and 3) name their variant by sku, or a product without its variant_id, which only the store's catalogue can resolve: run with a token or --sandbox, or write the product_id and variant_id`}
	if got := problemStrings(t, err); !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPrepareRateLimitsCatalog(t *testing.T) {
	catalog, _ := newCatalog(t)
	in := loadInput(t, "sku,quantity\nP1-A,1\n", false)

	const rate = 20 // requests per second: 50ms apart
	start := time.Now()
	if _, err := Prepare(context.Background(), in, PrepareOptions{Catalog: catalog, Rate: rate}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	// Three pages, then one interval so that the run's first request keeps
	// the rate: three intervals after the first request at least.
	if elapsed, least := time.Since(start), 3*time.Second/rate; elapsed < least {
		t.Errorf("catalogue read in %v, want at least %v at %d requests/s", elapsed, least, rate)
	}
}

func TestPrepareRetriesCatalogPage(t *testing.T) {
	catalog, store := newCatalog(t)
	store.Inject(youcantest.Fault{Method: http.MethodGet, Status: http.StatusTooManyRequests, RetryAfter: "0", Times: 2})
	in := loadInput(t, "sku,quantity\nONE-119,1\n", false)

	policy := RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	plan, err := Prepare(context.Background(), in, PrepareOptions{Catalog: catalog, Retry: policy})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if got := plan.Requests[0].VariantID.String(); got != variantN(119, 0) {
		t.Errorf("resolved to %s, want %s", got, variantN(119, 0))
	}
	if want := []int{1, 1, 1, 2, 3}; !slices.Equal(catalog.pages, want) {
		t.Errorf("pages read = %v, want %v", catalog.pages, want)
	}
}

func TestPrepareStopsOnRejectedToken(t *testing.T) {
	catalog, store := newCatalog(t)
	store.Inject(youcantest.Fault{Method: http.MethodGet, Status: http.StatusUnauthorized})
	in := loadInput(t, "sku,quantity\nP1-A,1\n", false)

	_, err := Prepare(context.Background(), in, PrepareOptions{Catalog: catalog, Retry: DefaultRetryPolicy})
	var stop *StopError
	if !errors.As(err, &stop) {
		t.Fatalf("error = %v, want a *StopError", err)
	}
	if len(catalog.pages) != 1 {
		t.Errorf("pages read = %v, want one try", catalog.pages)
	}
}
