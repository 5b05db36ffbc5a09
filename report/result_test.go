package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"restock/importer"
	"restock/youcan"
	"restock/youcan/youcantest"
)

const (
	resultToken    = "report-test-token"
	resultProductA = "0a000000-0000-4000-8000-00000000000a"
	resultProductB = "0b000000-0000-4000-8000-00000000000b"
	resultVariantA = "a1000000-0000-4000-8000-0000000000a1"
	resultVariantB = "b1000000-0000-4000-8000-0000000000b1"
	resultMissing  = "ffffffff-ffff-4fff-8fff-ffffffffffff"
)

// runResult runs a plan of five rows against a fake store: lines 2 and 4 merged
// into one request, lines 3 and 7 into another with line 5 in between, which
// names a variant the store does not have.
func runResult(t *testing.T, dryRun bool) *importer.Result {
	t.Helper()
	store := youcantest.NewStore(resultToken, []youcantest.SeedProduct{
		{ID: resultProductA, Name: arganName, Variants: []youcantest.SeedVariant{
			{ID: resultVariantA, SKU: "ARG-100", Inventory: 10, Variations: map[string]string{"الحجم": "100 مل"}},
		}},
		{ID: resultProductB, Name: savonName, Variants: []youcantest.SeedVariant{
			{ID: resultVariantB, Inventory: 1, IsDefault: true},
		}},
	})
	baseURL, stop, err := store.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := youcan.NewClient(baseURL, resultToken, nil, "report-test")
	if err != nil {
		t.Fatal(err)
	}

	row := func(line int, productID, variantID string, quantity int) importer.Row {
		return importer.Row{Line: line, ProductID: uuid.MustParse(productID), VariantID: uuid.MustParse(variantID), Quantity: quantity}
	}
	in := &importer.Input{
		Name:   "stock.csv",
		Header: []string{"product_id", "variant_id", "quantity"},
		Rows: []importer.Row{
			row(2, resultProductA, resultVariantA, 5),
			row(3, resultProductB, resultVariantB, 2),
			row(4, resultProductA, resultVariantA, 1),
			row(5, resultProductB, resultMissing, 3),
			row(7, resultProductB, resultVariantB, 4),
		},
		BlankRows: 1,
	}
	plan, err := importer.NewPlan(in, true)
	if err != nil {
		t.Fatal(err)
	}
	opts := importer.Options{Rate: 1000, Concurrency: 2}
	if dryRun {
		return importer.Check(context.Background(), client, plan, opts)
	}
	return importer.Run(context.Background(), client, plan, opts)
}

// TestWriteResultMatchesBuild checks that a report written from a result as it
// is built has the same bytes as the report built in memory first, in every
// format.
func TestWriteResultMatchesBuild(t *testing.T) {
	for _, dryRun := range []bool{false, true} {
		result := runResult(t, dryRun)
		run := Run{ID: "run-1", Input: "stock.csv", StartedAt: time.Now(), FinishedAt: time.Now(), DryRun: dryRun}
		built := Build(result, run)
		if len(built.Rows) != 5 {
			t.Fatalf("dry run %t: built %d rows, want 5", dryRun, len(built.Rows))
		}

		for _, name := range []string{"report.json", "report.csv", "report.xlsx"} {
			dir := t.TempDir()
			streamed, inMemory := filepath.Join(dir, "streamed-"+name), filepath.Join(dir, "built-"+name)
			if err := WriteResult(streamed, result, run); err != nil {
				t.Fatalf("WriteResult: %v", err)
			}
			if err := Write(inMemory, built); err != nil {
				t.Fatalf("Write: %v", err)
			}

			if filepath.Ext(name) == ".xlsx" {
				for _, sheet := range []string{rowsSheet, productsSheet} {
					got, want := workbookSheet(t, streamed, sheet), workbookSheet(t, inMemory, sheet)
					if !slices.EqualFunc(got, want, slices.Equal) {
						t.Errorf("dry run %t, sheet %s:\n got %q\nwant %q", dryRun, sheet, got, want)
					}
				}
				continue
			}
			sameFile(t, streamed, inMemory)
			if filepath.Ext(name) == ".csv" {
				sameFile(t, ProductsPath(streamed), ProductsPath(inMemory))
			}
		}
	}
}

func TestBuildRowsInFileOrder(t *testing.T) {
	result := runResult(t, false)
	r := Build(result, Run{})

	want := []struct {
		line   int
		status string
	}{
		{2, StatusApplied}, {3, StatusApplied}, {4, StatusApplied}, {5, StatusFailed}, {7, StatusApplied},
	}
	for i, row := range r.Rows {
		if row.Line != want[i].line || row.Status != want[i].status {
			t.Errorf("row %d = line %d %s, want line %d %s", i, row.Line, row.Status, want[i].line, want[i].status)
		}
	}
	// Lines 2 and 4 are one request, so both rows carry its levels; so are
	// lines 3 and 7.
	if r.Rows[2].Inventory == nil || *r.Rows[2].Inventory != 16 || r.Rows[2].ProductName != arganName {
		t.Errorf("line 4 = %+v, want the merged request's level 16 and the product name", r.Rows[2])
	}
	if r.Rows[4].Inventory == nil || *r.Rows[4].Inventory != 7 || r.Rows[4].Quantity != 4 {
		t.Errorf("line 7 = %+v, want its own quantity 4 and the merged request's level 7", r.Rows[4])
	}
	wantSummary := Summary{Rows: 5, Applied: 4, Failed: 1, SkippedBlank: 1, Requests: 3, MergedLines: 2}
	if r.Summary != wantSummary {
		t.Errorf("summary = %+v, want %+v", r.Summary, wantSummary)
	}
	if got := Summarize(result); got != wantSummary {
		t.Errorf("Summarize = %+v, want %+v", got, wantSummary)
	}
}

// TestWriteJSONMatchesMarshalJSON checks that the JSON encoder, which writes one value
// at a time, writes the bytes that encoding/json writes for Report.MarshalJSON.
func TestWriteJSONMatchesMarshalJSON(t *testing.T) {
	empty := &Report{Run: Run{Input: "empty.csv"}}
	emptyDryRun := &Report{Run: Run{Input: "empty.csv", DryRun: true}}
	for _, r := range []*Report{normalReport(), dryRunReport(), empty, emptyDryRun} {
		path := filepath.Join(t.TempDir(), "report.json")
		if err := Write(path, r); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}

		var want bytes.Buffer
		encoder := json.NewEncoder(&want)
		encoder.SetEscapeHTML(false)
		encoder.SetIndent("", "  ")
		if err := encoder.Encode(r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("report of %s, dry run %t:\n got %s\nwant %s", r.Run.Input, r.Run.DryRun, got, want.Bytes())
		}
	}
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	gotData, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	wantData, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotData, wantData) {
		t.Errorf("%s differs from %s:\n got %s\nwant %s", filepath.Base(got), filepath.Base(want), gotData, wantData)
	}
}

func workbookSheet(t *testing.T, path, sheet string) [][]string {
	t.Helper()
	file, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rows, err := file.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
