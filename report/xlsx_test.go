package report

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeWorkbook writes r as an XLSX report and opens it.
func writeWorkbook(t *testing.T, r *Report) *excelize.File {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xlsx")
	if err := Write(path, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"report.xlsx"}) {
		t.Errorf("files written = %q, want the workbook only", got)
	}
	file, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open the report: %v", err)
	}
	t.Cleanup(func() { file.Close() })
	return file
}

func sheetRows(t *testing.T, file *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := file.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("read sheet %s: %v", sheet, err)
	}
	return rows
}

// isNumberCell reports whether a cell holds a number, which a workbook stores without
// a type or with the type "n".
func isNumberCell(t *testing.T, file *excelize.File, sheet, cell string) bool {
	t.Helper()
	cellType, err := file.GetCellType(sheet, cell)
	if err != nil {
		t.Fatalf("type of %s!%s: %v", sheet, cell, err)
	}
	return cellType == excelize.CellTypeUnset || cellType == excelize.CellTypeNumber
}

func TestWriteXLSXSheets(t *testing.T) {
	file := writeWorkbook(t, normalReport())
	if got, want := file.GetSheetList(), []string{"rows", "products"}; !slices.Equal(got, want) {
		t.Errorf("sheets = %q, want %q", got, want)
	}

	rows := sheetRows(t, file, "rows")
	wantHeader := []string{"line", "product_id", "product_name", "variant_id", "variant", "sku", "quantity", "status", "inventory", "product_inventory", "error"}
	if !slices.Equal(rows[0], wantHeader) {
		t.Errorf("rows header = %q, want %q", rows[0], wantHeader)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows in the rows sheet, want a header and 5", len(rows))
	}
	wantFirst := []string{"2", "p-argan", arganName, "v-argan-100", "الحجم: 100 مل", "ARG-100", "5", "applied", "17", "42"}
	if !slices.Equal(rows[1], wantFirst) {
		t.Errorf("first row = %q, want %q", rows[1], wantFirst)
	}
	if got := rows[2][2]; got != savonName {
		t.Errorf("product name = %q, want %q as written", got, savonName)
	}
	// A row whose levels are unknown has empty level cells.
	if got, want := rows[5], []string{"7", "p-miel", mielName, "v-miel", "", "", "1", "not_attempted", "", "", "not attempted: the run stopped early"}; !slices.Equal(got, want) {
		t.Errorf("last row = %q, want %q", got, want)
	}

	products := sheetRows(t, file, "products")
	wantProducts := [][]string{
		{"product_id", "name", "rows", "added", "inventory"},
		{"p-argan", arganName, "1", "5", "42"},
		{"p-savon", savonName, "3", "5", "20"},
		{"p-miel", mielName, "1", "0"},
	}
	if !slices.EqualFunc(products, wantProducts, slices.Equal) {
		t.Errorf("products sheet = %q, want %q", products, wantProducts)
	}
}

func TestWriteXLSXNumbersAreNumbers(t *testing.T) {
	file := writeWorkbook(t, normalReport())
	for _, cell := range []string{"A2", "G2", "I2", "J2"} {
		if !isNumberCell(t, file, "rows", cell) {
			t.Errorf("rows!%s is not a number", cell)
		}
	}
	for _, cell := range []string{"C2", "D2", "E2"} {
		if !isNumberCell(t, file, "products", cell) {
			t.Errorf("products!%s is not a number", cell)
		}
	}
	if isNumberCell(t, file, "rows", "B2") {
		t.Error("rows!B2, a product id, is stored as a number")
	}
}

func TestWriteXLSXFreezesHeader(t *testing.T) {
	file := writeWorkbook(t, normalReport())
	for _, sheet := range []string{"rows", "products"} {
		panes, err := file.GetPanes(sheet)
		if err != nil {
			t.Fatalf("panes of %s: %v", sheet, err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 {
			t.Errorf("panes of %s = %+v, want the first row frozen", sheet, panes)
		}
		style, err := file.GetCellStyle(sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		font, err := file.GetStyle(style)
		if err != nil {
			t.Fatal(err)
		}
		if font.Font == nil || !font.Font.Bold {
			t.Errorf("header of %s is not bold", sheet)
		}
	}
}

func TestWriteXLSXDryRun(t *testing.T) {
	r := dryRunReport()
	file := writeWorkbook(t, r)

	rows := sheetRows(t, file, "rows")
	wantHeader := []string{"line", "product_id", "product_name", "variant_id", "variant", "sku", "quantity", "status", "inventory", "product_inventory", "current_inventory", "current_product_inventory", "error"}
	if !slices.Equal(rows[0], wantHeader) {
		t.Errorf("rows header = %q, want %q", rows[0], wantHeader)
	}
	products := sheetRows(t, file, "products")
	if want := []string{"product_id", "name", "rows", "added", "inventory", "current_inventory"}; !slices.Equal(products[0], want) {
		t.Errorf("products header = %q, want %q", products[0], want)
	}
	if len(rows) != len(r.Rows)+1 {
		t.Errorf("%d rows, want a header and %d", len(rows), len(r.Rows))
	}
}
