package importer

import (
	"context"
	"flag"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"restock/youcan"
	"restock/youcan/youcantest"
)

var updateSamples = flag.Bool("update-samples", false, "write samples/restock.xlsx again from samples/restock.csv")

const samplesDir = "../samples"

// Each sample names the delivery of samples/restock.csv in another dialect,
// so it must plan the same increments against the sandbox store.
var dialectSamples = []string{"excel-fr.csv", "excel-unicode-text.txt", "skus.csv", "restock.xlsx"}

// samplePlan loads a sample and resolves it against a sandbox store, and
// returns the units it adds to each variant.
func samplePlan(t *testing.T, name string) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(samplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := LoadInput(f, name, LoadOptions{})
	if err != nil {
		t.Fatalf("LoadInput(%s): %v", name, err)
	}

	server := httptest.NewServer(youcantest.Sandbox())
	t.Cleanup(server.Close)
	client, err := youcan.NewClient(server.URL, youcantest.SandboxToken, server.Client(), "restock-test")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Prepare(context.Background(), in, PrepareOptions{Catalog: client})
	if err != nil {
		t.Fatalf("Prepare(%s): %v", name, err)
	}

	added := make(map[string]int)
	for _, request := range plan.Requests {
		added[request.ProductID.String()+"/"+request.VariantID.String()] += request.Quantity
	}
	return added
}

func TestSamplesMatchRestockCSV(t *testing.T) {
	if *updateSamples {
		writeSampleWorkbook(t)
	}
	want := samplePlan(t, "restock.csv")
	for _, name := range dialectSamples {
		t.Run(name, func(t *testing.T) {
			if got := samplePlan(t, name); !maps.Equal(got, want) {
				t.Errorf("%s adds %v, want the same as restock.csv: %v", name, got, want)
			}
		})
	}
}

// writeSampleWorkbook writes samples/restock.xlsx: the rows of
// samples/restock.csv on a sheet named "Livraison", with the quantities as
// numbers and one of them as a formula with its saved value.
func writeSampleWorkbook(t *testing.T) {
	f, err := os.Open(filepath.Join(samplesDir, "restock.csv"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Read(f, "restock.csv")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	book := excelize.NewFile()
	defer book.Close()
	const sheet = "Livraison"
	if err := book.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	set := func(column, row int, value any) {
		cell, _ := excelize.CoordinatesToCellName(column, row)
		if err := book.SetCellValue(sheet, cell, value); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range in.Header {
		set(i+1, 1, name)
	}
	quantityColumn := headerIndex(in.Header, ColumnQuantity)
	for r, row := range in.Rows {
		for i, value := range row.Cells() {
			if i == quantityColumn {
				quantity, _ := strconv.Atoi(value)
				set(i+1, r+2, quantity)
				continue
			}
			set(i+1, r+2, value)
		}
	}
	// "6 reçus, 2 cassés": the quantity is a formula, saved with its value.
	last, _ := excelize.CoordinatesToCellName(quantityColumn+1, len(in.Rows)+1)
	if err := book.SetCellFormula(sheet, last, "6-2"); err != nil {
		t.Fatal(err)
	}
	if err := book.SetColWidth(sheet, "A", "B", 38); err != nil {
		t.Fatal(err)
	}
	if err := book.SetColWidth(sheet, "D", "D", 34); err != nil {
		t.Fatal(err)
	}
	if err := book.SaveAs(filepath.Join(samplesDir, "restock.xlsx")); err != nil {
		t.Fatal(err)
	}
}
