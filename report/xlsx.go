package report

import (
	"fmt"
	"iter"

	"github.com/xuri/excelize/v2"
)

// Sheet names of an XLSX report.
const (
	rowsSheet     = "rows"
	productsSheet = "products"
)

// xlsxEncoder writes a report as one workbook with two sheets: the rows, then the
// products. Each has a bold header row that stays in view when scrolling (a frozen
// pane), with the column names of the CSV report. Lines, quantities and levels are
// numbers, so that a spreadsheet can sum and sort them, and an unknown level is an
// empty cell. The current_* columns are present only in a dry run.
type xlsxEncoder struct{}

func (xlsxEncoder) encode(path string, doc *document, create createFunc) error {
	file := excelize.NewFile()
	defer file.Close()

	header, err := file.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := file.SetSheetName("Sheet1", rowsSheet); err != nil {
		return err
	}
	if err := writeSheet(file, rowsSheet, header, rowsTable(doc)); err != nil {
		return err
	}
	if _, err := file.NewSheet(productsSheet); err != nil {
		return err
	}
	if err := writeSheet(file, productsSheet, header, productsTable(doc)); err != nil {
		return err
	}

	w, err := create(path)
	if err != nil {
		return err
	}
	return file.Write(w)
}

// table is the header and the records of one sheet. A cell is a string, an int,
// or nil for an empty cell.
type table struct {
	header  []string
	records iter.Seq[[]any]
	widths  []float64 // column widths in characters, one per header cell
}

func rowsTable(doc *document) table {
	t := table{
		header: []string{
			"line", "product_id", "product_name", "variant_id", "variant", "sku",
			"quantity", "status", "inventory", "product_inventory",
		},
		widths: []float64{6, 38, 30, 38, 24, 16, 9, 14, 10, 18},
	}
	dryRun := doc.run.DryRun
	if dryRun {
		t.header = append(t.header, "current_inventory", "current_product_inventory")
		t.widths = append(t.widths, 18, 26)
	}
	t.header = append(t.header, "error")
	t.widths = append(t.widths, 60)

	t.records = func(yield func([]any) bool) {
		for row := range doc.rows {
			record := []any{
				row.Line, row.ProductID, row.ProductName, row.VariantID, row.Variant, row.SKU,
				row.Quantity, row.Status, levelCell(row.Inventory), levelCell(row.ProductInventory),
			}
			if dryRun {
				record = append(record, levelCell(row.CurrentInventory), levelCell(row.CurrentProductInventory))
			}
			if !yield(append(record, row.Error)) {
				return
			}
		}
	}
	return t
}

func productsTable(doc *document) table {
	t := table{
		header: []string{"product_id", "name", "rows", "added", "inventory"},
		widths: []float64{38, 30, 6, 8, 10},
	}
	dryRun := doc.run.DryRun
	if dryRun {
		t.header = append(t.header, "current_inventory")
		t.widths = append(t.widths, 18)
	}
	t.records = func(yield func([]any) bool) {
		for product := range doc.products {
			record := []any{product.ProductID, product.Name, product.Rows, product.Added, levelCell(product.Inventory)}
			if dryRun {
				record = append(record, levelCell(product.CurrentInventory))
			}
			if !yield(record) {
				return
			}
		}
	}
	return t
}

// levelCell returns an inventory level as a cell value: the number, or nil for an
// unknown level, which leaves the cell empty.
func levelCell(level *int) any {
	if level == nil {
		return nil
	}
	return *level
}

// writeSheet writes a table to a sheet with a stream writer, which keeps one row in
// memory at a time, and freezes the header row.
func writeSheet(file *excelize.File, sheet string, headerStyle int, t table) error {
	stream, err := file.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range t.widths {
		if err := stream.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := stream.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
	}); err != nil {
		return err
	}

	header := make([]any, len(t.header))
	for i, name := range t.header {
		header[i] = excelize.Cell{Value: name, StyleID: headerStyle}
	}
	if err := stream.SetRow("A1", header); err != nil {
		return err
	}
	sheetRow := 2
	for record := range t.records {
		cell, err := excelize.CoordinatesToCellName(1, sheetRow)
		if err != nil {
			return err
		}
		if err := stream.SetRow(cell, record); err != nil {
			return fmt.Errorf("sheet %s, row %d: %w", sheet, sheetRow, err)
		}
		sheetRow++
	}
	return stream.Flush()
}
