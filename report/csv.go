package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// byteOrderMark starts every CSV file written here. Without it, Excel reads a CSV file
// in the system's legacy code page, which garbles Arabic and accented French names.
// Go's encoding/csv and many other readers do not skip it, so a program that reads
// these files back must remove it from the first cell.
const byteOrderMark = "\uFEFF"

// csvWriter writes CSV records after a byte-order mark. It keeps the first error, does
// nothing after it, and returns it from flush.
//
// Lines end in LF, the encoding/csv default, rather than the CRLF of RFC 4180. With
// UseCRLF set, encoding/csv also turns each LF inside a quoted cell into CRLF, so a
// name with a line break would not read back as written. Excel, LibreOffice and
// encoding/csv all read LF files.
type csvWriter struct {
	w   *csv.Writer
	err error
}

func newCSVWriter(w io.Writer) *csvWriter {
	_, err := io.WriteString(w, byteOrderMark)
	return &csvWriter{w: csv.NewWriter(w), err: err}
}

func (c *csvWriter) write(record []string) {
	if c.err != nil {
		return
	}
	c.err = c.w.Write(record)
}

// flush writes any buffered records and returns the first error.
func (c *csvWriter) flush() error {
	if c.err != nil {
		return c.err
	}
	c.w.Flush()
	c.err = c.w.Error()
	return c.err
}

// csvEncoder writes the rows of a report to its path and the products to
// ProductsPath(path). The columns are the JSON keys of Row and Product, in the same
// order, and an unknown level is an empty cell. The current_* columns are present only
// in a dry run.
type csvEncoder struct{}

func (csvEncoder) encode(path string, doc *document, create createFunc) error {
	w, err := create(path)
	if err != nil {
		return err
	}
	if err := writeRowsCSV(w, doc); err != nil {
		return err
	}

	w, err = create(ProductsPath(path))
	if err != nil {
		return err
	}
	return writeProductsCSV(w, doc)
}

func writeRowsCSV(w io.Writer, doc *document) error {
	dryRun := doc.run.DryRun
	out := newCSVWriter(w)

	header := []string{
		"line", "product_id", "product_name", "variant_id", "variant", "sku",
		"quantity", "status", "inventory", "product_inventory",
	}
	if dryRun {
		header = append(header, "current_inventory", "current_product_inventory")
	}
	out.write(append(header, "error"))

	for row := range doc.rows {
		record := []string{
			strconv.Itoa(row.Line), row.ProductID, row.ProductName, row.VariantID,
			row.Variant, row.SKU, strconv.Itoa(row.Quantity), row.Status,
			formatLevel(row.Inventory), formatLevel(row.ProductInventory),
		}
		if dryRun {
			record = append(record, formatLevel(row.CurrentInventory), formatLevel(row.CurrentProductInventory))
		}
		out.write(append(record, row.Error))
		if out.err != nil {
			break
		}
	}
	return out.flush()
}

func writeProductsCSV(w io.Writer, doc *document) error {
	dryRun := doc.run.DryRun
	out := newCSVWriter(w)

	header := []string{"product_id", "name", "rows", "added", "inventory"}
	if dryRun {
		header = append(header, "current_inventory")
	}
	out.write(header)

	for product := range doc.products {
		record := []string{
			product.ProductID, product.Name, strconv.Itoa(product.Rows),
			strconv.Itoa(product.Added), formatLevel(product.Inventory),
		}
		if dryRun {
			record = append(record, formatLevel(product.CurrentInventory))
		}
		out.write(record)
		if out.err != nil {
			break
		}
	}
	return out.flush()
}

// formatLevel returns an inventory level as a CSV cell, which is empty when the level
// is unknown.
func formatLevel(level *int) string {
	if level == nil {
		return ""
	}
	return strconv.Itoa(*level)
}

// FailedRow is an input row that was not applied: its cells as read, and the reason.
type FailedRow struct {
	Record []string
	Error  string
}

// WriteFailedRows writes the rows that were not applied to path as CSV, so the user can
// fix them and feed the file back to the command.
//
// The columns are the input's header as read, plus a last "error" column. When the
// header already has an error column (in any letter case, spaces trimmed), that column
// gets the new errors and no column is added. A record shorter than the header is
// padded with empty cells. Cells beyond the header are kept after the error column.
//
// The file starts with a UTF-8 byte-order mark, and it is written atomically like Write.
func WriteFailedRows(path string, header []string, rows []FailedRow) error {
	outHeader, errorColumn := failedRowsHeader(header)

	err := writeAtomically(func(create createFunc) error {
		w, err := create(path)
		if err != nil {
			return err
		}

		out := newCSVWriter(w)
		out.write(outHeader)
		for _, row := range rows {
			out.write(failedRecord(row, len(header), errorColumn))
		}
		return out.flush()
	})
	if err != nil {
		return fmt.Errorf("write failed rows: %w", err)
	}
	return nil
}

// failedRowsHeader returns the header of the failed-rows file and the index of its
// error column, or -1 when the input header has none and the column is appended.
func failedRowsHeader(header []string) ([]string, int) {
	out := slices.Clone(header)
	if len(out) > 0 {
		// The byte-order mark is written again before the header, so one that the
		// reader left in the first cell would otherwise be doubled.
		out[0] = strings.TrimPrefix(out[0], byteOrderMark)
	}

	for i, name := range out {
		if strings.EqualFold(strings.TrimSpace(name), "error") {
			return out, i
		}
	}
	return append(out, "error"), -1
}

// failedRecord returns the cells of row with its error in errorColumn, or after the
// last header column when errorColumn is -1.
func failedRecord(row FailedRow, headerLen, errorColumn int) []string {
	cells := make([]string, max(headerLen, len(row.Record)))
	copy(cells, row.Record)
	if errorColumn >= 0 {
		cells[errorColumn] = row.Error
		return cells
	}
	return slices.Insert(cells, headerLen, row.Error)
}
