package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// readCSV reads the CSV file at path after checking that it starts with exactly one
// byte-order mark and has LF line endings.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := bytes.CutPrefix(data, []byte(byteOrderMark))
	if !ok {
		t.Fatalf("%s does not start with a UTF-8 byte-order mark: % x", path, data[:min(len(data), 8)])
	}
	if bytes.HasPrefix(rest, []byte(byteOrderMark)) {
		t.Errorf("%s starts with two byte-order marks", path)
	}
	if bytes.Contains(rest, []byte("\r")) {
		t.Errorf("%s contains a carriage return, want LF line endings", path)
	}
	reader := csv.NewReader(bytes.NewReader(rest))
	reader.FieldsPerRecord = -1 // A failed-rows file keeps the cells of a record longer than its header.
	records, err := reader.ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return records
}

// writeCSVReport writes r as a CSV report and returns the records of the rows file and
// of the products file.
func writeCSVReport(t *testing.T, r *Report) (rows, products [][]string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.csv")
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	return readCSV(t, path), readCSV(t, ProductsPath(path))
}

func cell(level *int) string {
	if level == nil {
		return ""
	}
	return strconv.Itoa(*level)
}

func TestWriteCSVHeaders(t *testing.T) {
	tests := []struct {
		name          string
		report        *Report
		rowsHeader    []string
		productHeader []string
	}{
		{"normal", normalReport(), rowKeys, productKeys},
		{
			"dry run", dryRunReport(),
			[]string{
				"line", "product_id", "product_name", "variant_id", "variant", "sku", "quantity", "status",
				"inventory", "product_inventory", "current_inventory", "current_product_inventory", "error",
			},
			dryRunProducts,
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			rows, products := writeCSVReport(t, test.report)

			if !slices.Equal(rows[0], test.rowsHeader) {
				t.Errorf("rows header = %q, want %q", rows[0], test.rowsHeader)
			}
			if !slices.Equal(products[0], test.productHeader) {
				t.Errorf("products header = %q, want %q", products[0], test.productHeader)
			}
		})
	}
}

func TestWriteCSVRowValues(t *testing.T) {
	for _, r := range []*Report{normalReport(), dryRunReport()} {
		t.Run(r.Run.Input, func(t *testing.T) {
			records, _ := writeCSVReport(t, r)

			if got, want := len(records)-1, len(r.Rows); got != want {
				t.Fatalf("got %d rows, want %d", got, want)
			}
			for i, row := range r.Rows {
				want := []string{
					strconv.Itoa(row.Line), row.ProductID, row.ProductName, row.VariantID, row.Variant, row.SKU,
					strconv.Itoa(row.Quantity), row.Status, cell(row.Inventory), cell(row.ProductInventory),
				}
				if r.Run.DryRun {
					want = append(want, cell(row.CurrentInventory), cell(row.CurrentProductInventory))
				}
				want = append(want, row.Error)

				if got := records[i+1]; !slices.Equal(got, want) {
					t.Errorf("row %d = %q, want %q", i+1, got, want)
				}
			}
		})
	}
}

func TestWriteCSVProductValues(t *testing.T) {
	for _, r := range []*Report{normalReport(), dryRunReport()} {
		t.Run(r.Run.Input, func(t *testing.T) {
			_, records := writeCSVReport(t, r)

			if got, want := len(records)-1, len(r.Products); got != want {
				t.Fatalf("got %d products, want %d", got, want)
			}
			for i, product := range r.Products {
				want := []string{
					product.ProductID, product.Name, strconv.Itoa(product.Rows),
					strconv.Itoa(product.Added), cell(product.Inventory),
				}
				if r.Run.DryRun {
					want = append(want, cell(product.CurrentInventory))
				}

				if got := records[i+1]; !slices.Equal(got, want) {
					t.Errorf("product %d = %q, want %q", i+1, got, want)
				}
			}
		})
	}
}

func TestWriteCSVNamesRoundTrip(t *testing.T) {
	rows, products := writeCSVReport(t, normalReport())

	// Columns 2 and 4 are product_name and variant; column 1 of products is name.
	checks := []struct {
		got, want string
	}{
		{rows[1][2], arganName},
		{rows[1][4], "الحجم: 100 مل"},
		{rows[2][2], savonName},
		{rows[2][4], "couleur: Noir, taille: M"},
		{rows[5][2], mielName},
		{products[1][1], arganName},
		{products[2][1], savonName},
	}
	for _, check := range checks {
		if check.got != check.want {
			t.Errorf("read back %q, want %q", check.got, check.want)
		}
	}
}

func TestWriteCSVEmptyReport(t *testing.T) {
	rows, products := writeCSVReport(t, &Report{})

	if len(rows) != 1 {
		t.Errorf("rows file has %d records, want only the header", len(rows))
	}
	if len(products) != 1 {
		t.Errorf("products file has %d records, want only the header", len(products))
	}
}

func TestWriteFailedRows(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		rows   []FailedRow
		want   [][]string
	}{
		{
			name:   "error column added",
			header: []string{"sku", "quantity", "product"},
			rows: []FailedRow{
				{Record: []string{"SAV-V-M", "4", savonName}, Error: "quantity is invalid"},
				{Record: []string{"ARG-100", "x", arganName}, Error: `quantity "x" is not a whole number`},
			},
			want: [][]string{
				{"sku", "quantity", "product", "error"},
				{"SAV-V-M", "4", savonName, "quantity is invalid"},
				{"ARG-100", "x", arganName, `quantity "x" is not a whole number`},
			},
		},
		{
			name:   "error column replaced",
			header: []string{"sku", " Error ", "quantity"},
			rows: []FailedRow{
				{Record: []string{"SAV-V-M", "old error", "4"}, Error: "new error"},
			},
			want: [][]string{
				{"sku", " Error ", "quantity"},
				{"SAV-V-M", "new error", "4"},
			},
		},
		{
			name:   "short record padded",
			header: []string{"sku", "quantity", "note"},
			rows: []FailedRow{
				{Record: []string{"SAV-V-M"}, Error: "missing quantity"},
			},
			want: [][]string{
				{"sku", "quantity", "note", "error"},
				{"SAV-V-M", "", "", "missing quantity"},
			},
		},
		{
			name:   "long record keeps extra cells",
			header: []string{"sku", "error", "quantity"},
			rows: []FailedRow{
				{Record: []string{"SAV-V-M", "", "4", "extra"}, Error: "too many cells"},
			},
			want: [][]string{
				{"sku", "error", "quantity"},
				{"SAV-V-M", "too many cells", "4", "extra"},
			},
		},
		{
			name:   "byte-order mark in header not doubled",
			header: []string{byteOrderMark + "sku", "quantity"},
			rows:   []FailedRow{{Record: []string{"SAV-V-M", "4"}, Error: "failed"}},
			want: [][]string{
				{"sku", "quantity", "error"},
				{"SAV-V-M", "4", "failed"},
			},
		},
		{
			name:   "no rows",
			header: []string{"sku", "quantity"},
			want:   [][]string{{"sku", "quantity", "error"}},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "failed.csv")
			if err := WriteFailedRows(path, test.header, test.rows); err != nil {
				t.Fatal(err)
			}

			got := readCSV(t, path)
			if len(got) != len(test.want) {
				t.Fatalf("got %d records %q, want %d", len(got), got, len(test.want))
			}
			for i := range test.want {
				if !slices.Equal(got[i], test.want[i]) {
					t.Errorf("record %d = %q, want %q", i, got[i], test.want[i])
				}
			}
		})
	}
}

func TestWriteFailedRowsKeepsInput(t *testing.T) {
	header := []string{byteOrderMark + "sku", "quantity"}
	record := []string{"SAV-V-M", "4"}
	path := filepath.Join(t.TempDir(), "failed.csv")
	if err := WriteFailedRows(path, header, []FailedRow{{Record: record, Error: "failed"}}); err != nil {
		t.Fatal(err)
	}

	if !slices.Equal(header, []string{byteOrderMark + "sku", "quantity"}) {
		t.Errorf("header changed to %q", header)
	}
	if !slices.Equal(record, []string{"SAV-V-M", "4"}) {
		t.Errorf("record changed to %q", record)
	}
}

// failingWriter accepts limit bytes, then fails every write with a numbered error.
type failingWriter struct {
	limit  int
	writes int
}

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) <= w.limit {
		w.limit -= len(b)
		return len(b), nil
	}
	w.writes++
	return 0, fmt.Errorf("write %d failed", w.writes)
}

func TestCSVWriterKeepsFirstError(t *testing.T) {
	// The byte-order mark is the first write, and it fails.
	w := &failingWriter{}
	out := newCSVWriter(w)
	out.write([]string{"sku", "quantity"})
	out.write([]string{"SAV-V-M", "4"})

	err := out.flush()
	if err == nil || err.Error() != "write 1 failed" {
		t.Errorf("flush() = %v, want the first error %q", err, "write 1 failed")
	}
	if w.writes != 1 {
		t.Errorf("writer got %d failed writes, want 1 because writes stop after the first error", w.writes)
	}
}
