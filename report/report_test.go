package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func level(n int) *int { return &n }

// Product names in Arabic and French that must read back byte for byte. savonName has
// a comma, a double quote and a line break, which CSV must quote, and mielName has the
// characters that JSON escapes for HTML by default.
const (
	arganName = "زيت الأركان، عضوي"
	savonName = "Savon noir \"beldi\", 200 g\nÉdition d'été"
	mielName  = "Miel d'euphorbe & thym <bio>"
)

// casablanca is a fixed +01:00 zone, so the tests can check that times are written in UTC.
var casablanca = time.FixedZone("+01", 60*60)

// normalReport returns the report of a run that applied some rows. Its first row has
// a current level set, which a report outside a dry run must not write.
func normalReport() *Report {
	return &Report{
		Run: Run{
			Input:      "stock.csv",
			SHA256:     "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
			StartedAt:  time.Date(2025, 3, 14, 10, 0, 0, 0, casablanca),
			FinishedAt: time.Date(2025, 3, 14, 10, 0, 3, 500_000_000, casablanca),
			APIURL:     "https://api.youcan.shop",
		},
		Summary: Summary{Rows: 5, Applied: 3, Failed: 1, NotAttempted: 1, SkippedBlank: 1, Requests: 4, MergedLines: 1},
		Rows: []Row{
			{
				Line: 2, ProductID: "p-argan", ProductName: arganName, VariantID: "v-argan-100",
				Variant: "الحجم: 100 مل", SKU: "ARG-100", Quantity: 5, Status: StatusApplied,
				Inventory: level(17), ProductInventory: level(42), CurrentInventory: level(12),
			},
			{
				Line: 3, ProductID: "p-savon", ProductName: savonName, VariantID: "v-savon-noir-m",
				Variant: "couleur: Noir, taille: M", SKU: "SAV-N-M", Quantity: 3, Status: StatusApplied,
				Inventory: level(8), ProductInventory: level(20),
			},
			{
				Line: 4, ProductID: "p-savon", ProductName: savonName, VariantID: "v-savon-noir-m",
				Variant: "couleur: Noir, taille: M", SKU: "SAV-N-M", Quantity: 2, Status: StatusApplied,
				Inventory: level(8), ProductInventory: level(20),
			},
			{
				Line: 6, ProductID: "p-savon", ProductName: savonName, VariantID: "v-savon-vert-m",
				Variant: "couleur: Vert, taille: M", SKU: "SAV-V-M", Quantity: 4, Status: StatusFailed,
				Error: "increment inventory: 422 Unprocessable Entity: quantity is invalid",
			},
			{
				Line: 7, ProductID: "p-miel", ProductName: mielName, VariantID: "v-miel",
				Quantity: 1, Status: StatusNotAttempted,
				Error: "not attempted: the run stopped early",
			},
		},
		Products: []Product{
			{ProductID: "p-argan", Name: arganName, Rows: 1, Added: 5, Inventory: level(42), CurrentInventory: level(37)},
			{ProductID: "p-savon", Name: savonName, Rows: 3, Added: 5, Inventory: level(20)},
			{ProductID: "p-miel", Name: mielName, Rows: 1},
		},
	}
}

// dryRunReport returns the report of a dry run, with one row whose levels are unknown.
func dryRunReport() *Report {
	return &Report{
		Run: Run{
			Input:      "-",
			SHA256:     "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35",
			StartedAt:  time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC),
			FinishedAt: time.Date(2025, 3, 14, 9, 0, 1, 0, time.UTC),
			DryRun:     true,
			APIURL:     "https://api.youcan.shop",
		},
		Summary: Summary{Rows: 3, Valid: 2, Failed: 1, Requests: 3},
		Rows: []Row{
			{
				Line: 2, ProductID: "p-argan", ProductName: arganName, VariantID: "v-argan-100",
				Variant: "الحجم: 100 مل", SKU: "ARG-100", Quantity: 5, Status: StatusValid,
				Inventory: level(17), ProductInventory: level(42),
				CurrentInventory: level(12), CurrentProductInventory: level(37),
			},
			{
				Line: 3, ProductID: "p-savon", ProductName: savonName, VariantID: "v-savon-noir-m",
				Variant: "couleur: Noir, taille: M", SKU: "SAV-N-M", Quantity: 3, Status: StatusValid,
				Inventory: level(3), ProductInventory: level(15),
				CurrentInventory: level(0), CurrentProductInventory: level(12),
			},
			{
				Line: 4, SKU: "INCONNU-1", Quantity: 2, Status: StatusFailed,
				Error: `sku "INCONNU-1" not found in the store`,
			},
		},
		Products: []Product{
			{ProductID: "p-argan", Name: arganName, Rows: 1, Added: 5, Inventory: level(42), CurrentInventory: level(37)},
			{ProductID: "p-savon", Name: savonName, Rows: 1, Added: 3, Inventory: level(15), CurrentInventory: level(12)},
		},
	}
}

// checkGolden compares the file at path with testdata/name, or rewrites testdata/name
// when the test runs with -update.
func checkGolden(t *testing.T, path, name string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run with -update to accept it)\ngot:\n%s\nwant:\n%s", path, golden, got, want)
	}
}

func TestWriteGolden(t *testing.T) {
	reports := map[string]*Report{"normal": normalReport(), "dry-run": dryRunReport()}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()

			jsonPath := filepath.Join(dir, name+".json")
			if err := Write(jsonPath, r); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, jsonPath, name+".json")

			csvPath := filepath.Join(dir, name+".csv")
			if err := Write(csvPath, r); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, csvPath, name+".csv")
			checkGolden(t, ProductsPath(csvPath), name+"-products.csv")
		})
	}
}

// readJSONReport writes r as JSON and decodes the file back.
func readJSONReport(t *testing.T, r *Report) Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got Report
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// checkFields reports each field of the structs got and want that differs, comparing
// pointers by the values they point to. Messages name the field after prefix.
func checkFields(t *testing.T, prefix string, got, want any) {
	t.Helper()
	gotValue, wantValue := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gotValue.NumField() {
		field := gotValue.Type().Field(i).Name
		g, w := gotValue.Field(i).Interface(), wantValue.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s.%s = %s, want %s", prefix, field, show(g), show(w))
		}
	}
}

// show formats v for a failure message, following an *int to its value.
func show(v any) string {
	if p, ok := v.(*int); ok {
		if p == nil {
			return "nil"
		}
		return "&" + jsonString(*p)
	}
	return jsonString(v)
}

func jsonString(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func TestWriteJSONDecodesBack(t *testing.T) {
	for _, want := range []*Report{normalReport(), dryRunReport()} {
		t.Run(want.Run.Input, func(t *testing.T) {
			got := readJSONReport(t, want)

			checkFields(t, "Run", Run{ID: got.Run.ID, Input: got.Run.Input, SHA256: got.Run.SHA256, DryRun: got.Run.DryRun, APIURL: got.Run.APIURL},
				Run{ID: want.Run.ID, Input: want.Run.Input, SHA256: want.Run.SHA256, DryRun: want.Run.DryRun, APIURL: want.Run.APIURL})
			if !got.Run.StartedAt.Equal(want.Run.StartedAt) {
				t.Errorf("Run.StartedAt = %v, want %v", got.Run.StartedAt, want.Run.StartedAt)
			}
			if !got.Run.FinishedAt.Equal(want.Run.FinishedAt) {
				t.Errorf("Run.FinishedAt = %v, want %v", got.Run.FinishedAt, want.Run.FinishedAt)
			}
			checkFields(t, "Summary", got.Summary, want.Summary)

			if len(got.Rows) != len(want.Rows) {
				t.Fatalf("got %d rows, want %d", len(got.Rows), len(want.Rows))
			}
			for i, wantRow := range want.Rows {
				if !want.Run.DryRun {
					wantRow.CurrentInventory, wantRow.CurrentProductInventory = nil, nil
				}
				checkFields(t, "Rows["+jsonString(i)+"]", got.Rows[i], wantRow)
			}

			if len(got.Products) != len(want.Products) {
				t.Fatalf("got %d products, want %d", len(got.Products), len(want.Products))
			}
			for i, wantProduct := range want.Products {
				if !want.Run.DryRun {
					wantProduct.CurrentInventory = nil
				}
				checkFields(t, "Products["+jsonString(i)+"]", got.Products[i], wantProduct)
			}
		})
	}
}

func TestWriteJSONTimesInUTC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	if err := Write(path, normalReport()); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Run struct {
			StartedAt  string `json:"started_at"`
			FinishedAt string `json:"finished_at"`
		} `json:"run"`
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if want := "2025-03-14T09:00:00Z"; raw.Run.StartedAt != want {
		t.Errorf("started_at = %q, want %q", raw.Run.StartedAt, want)
	}
	if want := "2025-03-14T09:00:03.5Z"; raw.Run.FinishedAt != want {
		t.Errorf("finished_at = %q, want %q", raw.Run.FinishedAt, want)
	}
}

// decodeObjects writes r as JSON and returns the report object and its rows and
// products as maps, so their keys can be checked.
func decodeObjects(t *testing.T, r *Report) (report map[string]any, rows, products []map[string]any) {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Rows     []map[string]any `json:"rows"`
		Products []map[string]any `json:"products"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	return report, raw.Rows, raw.Products
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

func sorted(keys ...string) []string {
	return slices.Sorted(slices.Values(keys))
}

var (
	rowKeys = []string{
		"line", "product_id", "product_name", "variant_id", "variant", "sku",
		"quantity", "status", "inventory", "product_inventory", "error",
	}
	dryRunRowKeys  = append(slices.Clone(rowKeys), "current_inventory", "current_product_inventory")
	productKeys    = []string{"product_id", "name", "rows", "added", "inventory"}
	dryRunProducts = append(slices.Clone(productKeys), "current_inventory")
)

func TestJSONKeySets(t *testing.T) {
	tests := []struct {
		name        string
		report      *Report
		rowKeys     []string
		productKeys []string
	}{
		{"normal", normalReport(), rowKeys, productKeys},
		{"dry run", dryRunReport(), dryRunRowKeys, dryRunProducts},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			report, rows, products := decodeObjects(t, test.report)

			if got, want := sortedKeys(report), sorted("run", "summary", "rows", "products"); !slices.Equal(got, want) {
				t.Errorf("report keys = %v, want %v", got, want)
			}
			wantRunKeys := sorted("input", "sha256", "started_at", "finished_at", "dry_run", "api_url")
			if got := sortedKeys(report["run"].(map[string]any)); !slices.Equal(got, wantRunKeys) {
				t.Errorf("run keys = %v, want %v", got, wantRunKeys)
			}
			wantSummaryKeys := sorted("rows", "applied", "failed", "unknown", "not_attempted", "valid", "skipped_blank_rows", "requests", "merged_lines")
			if got := sortedKeys(report["summary"].(map[string]any)); !slices.Equal(got, wantSummaryKeys) {
				t.Errorf("summary keys = %v, want %v", got, wantSummaryKeys)
			}
			for i, row := range rows {
				if got, want := sortedKeys(row), sorted(test.rowKeys...); !slices.Equal(got, want) {
					t.Errorf("rows[%d] keys = %v, want %v", i, got, want)
				}
			}
			for i, product := range products {
				if got, want := sortedKeys(product), sorted(test.productKeys...); !slices.Equal(got, want) {
					t.Errorf("products[%d] keys = %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestJSONDryRunUnknownLevelsNull(t *testing.T) {
	r := dryRunReport()
	r.Products[0].CurrentInventory = nil
	_, rows, products := decodeObjects(t, r)

	unknown := rows[2]
	for _, key := range []string{"inventory", "product_inventory", "current_inventory", "current_product_inventory"} {
		value, ok := unknown[key]
		if !ok {
			t.Errorf("rows[2] has no %q key, want null", key)
		} else if value != nil {
			t.Errorf("rows[2][%q] = %v, want null", key, value)
		}
	}
	if value, ok := products[0]["current_inventory"]; !ok || value != nil {
		t.Errorf("products[0][\"current_inventory\"] = %v (present %t), want null", value, ok)
	}
}

func TestJSONRunIDWrittenWhenSet(t *testing.T) {
	r := normalReport()
	r.Run.ID = "run-1"
	report, _, _ := decodeObjects(t, r)

	if got := report["run"].(map[string]any)["id"]; got != "run-1" {
		t.Errorf("run id = %v, want %q", got, "run-1")
	}
}

func TestJSONEmptyReportHasEmptyLists(t *testing.T) {
	for _, dryRun := range []bool{false, true} {
		data, err := json.Marshal(&Report{Run: Run{DryRun: dryRun}})
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatal(err)
		}
		if got := string(raw["rows"]); got != "[]" {
			t.Errorf("dry run %t: rows = %s, want []", dryRun, got)
		}
		if got := string(raw["products"]); got != "[]" {
			t.Errorf("dry run %t: products = %s, want []", dryRun, got)
		}
	}
}

func TestWriteJSONKeepsHTMLCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	if err := Write(path, normalReport()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"Miel d'euphorbe & thym <bio>"`)) {
		t.Errorf("%s does not contain the product name as written:\n%s", path, data)
	}
}
