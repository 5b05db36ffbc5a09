package youcantest_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/uuid"

	"restock/youcan/youcantest"
)

func TestSandboxSeed(t *testing.T) {
	seed := youcantest.SandboxSeed()
	if len(seed) != 5 {
		t.Errorf("products = %d, want 5", len(seed))
	}

	ids := make(map[string]bool)
	checkID := func(kind, id string) {
		t.Helper()
		if _, err := uuid.Parse(id); err != nil || id != strings.ToLower(id) || len(id) != 36 {
			t.Errorf("%s id %q is not a lower-case UUID", kind, id)
		}
		if ids[id] {
			t.Errorf("%s id %q appears twice", kind, id)
		}
		ids[id] = true
	}

	var defaultVariants, multiVariant, emptySKU, arabicNames int
	for _, product := range seed {
		checkID("product", product.ID)
		if strings.ContainsFunc(product.Name, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
			arabicNames++
		}
		if len(product.Variants) == 0 {
			t.Errorf("product %q has no variant", product.Name)
		}
		if len(product.Variants) > 1 {
			multiVariant++
		}
		for _, variant := range product.Variants {
			checkID("variant", variant.ID)
			if variant.SKU == "" {
				emptySKU++
			}
			if variant.IsDefault {
				defaultVariants++
				if len(product.Variants) != 1 || len(variant.Variations) != 0 {
					t.Errorf("default variant %q is not the only variant of %q or has variations", variant.ID, product.Name)
				}
			} else if len(variant.Variations) == 0 {
				t.Errorf("variant %q of %q is neither default nor has variations", variant.ID, product.Name)
			}
		}
	}
	if defaultVariants == 0 || multiVariant == 0 || emptySKU == 0 || arabicNames == 0 {
		t.Errorf("default variants %d, products with several variants %d, variants without SKU %d, Arabic names %d; want each at least 1",
			defaultVariants, multiVariant, emptySKU, arabicNames)
	}
}

func TestSandboxSeedReturnsCopy(t *testing.T) {
	first := youcantest.SandboxSeed()
	first[0].Variants[0].Inventory = 999
	first[0].Variants[0].Variations["taille"] = "XXL"

	second := youcantest.SandboxSeed()
	if second[0].Variants[0].Inventory == 999 || second[0].Variants[0].Variations["taille"] == "XXL" {
		t.Error("changing one SandboxSeed result changed the next")
	}
}

func TestSandboxAcceptsToken(t *testing.T) {
	store := youcantest.Sandbox()
	baseURL := startStore(t, store)
	seed := youcantest.SandboxSeed()

	got := send(t, http.MethodGet, baseURL+"/products/"+seed[0].ID, youcantest.SandboxToken, "")
	if got.status != http.StatusOK {
		t.Errorf("status = %d, want 200", got.status)
	}
	got = send(t, http.MethodGet, baseURL+"/products/"+seed[0].ID, "other-token", "")
	if got.status != http.StatusUnauthorized {
		t.Errorf("status with another token = %d, want 401", got.status)
	}
}

// TestSampleRestockFile checks that every row of samples/restock.csv names a
// variant of the sandbox, so that the sample runs cleanly in sandbox mode.
func TestSampleRestockFile(t *testing.T) {
	data, err := os.ReadFile("../../samples/restock.csv")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Error("the file starts with a byte order mark")
	}

	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("read samples/restock.csv: %v", err)
	}
	if want := []string{"product_id", "variant_id", "quantity", "note"}; strings.Join(records[0], ",") != strings.Join(want, ",") {
		t.Errorf("header = %q, want %q", records[0], want)
	}
	rows := records[1:]
	if len(rows) < 10 {
		t.Errorf("rows = %d, want about a dozen", len(rows))
	}

	store := youcantest.Sandbox()
	rowsPerProduct := make(map[string]int)
	for i, row := range rows {
		line := i + 2
		productID, variantID := row[0], row[1]
		if _, ok := store.Inventory(productID, variantID); !ok {
			t.Errorf("line %d: product %q has no variant %q in SandboxSeed", line, productID, variantID)
		}
		if quantity, err := strconv.Atoi(row[2]); err != nil || quantity < 1 {
			t.Errorf("line %d: quantity %q is not a positive integer", line, row[2])
		}
		rowsPerProduct[productID]++
	}
	if len(rowsPerProduct) < 3 {
		t.Errorf("the rows cover %d products, want several", len(rowsPerProduct))
	}
}
