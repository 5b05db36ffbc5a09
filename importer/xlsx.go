package importer

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxSource is the rows of one worksheet, read in full when it is opened.
// A record's line is its row number in the sheet.
type xlsxSource struct {
	records  []sourceRecord
	position int // index of the next record
}

// openXLSX reads the worksheet named sheet, or the first one when sheet is
// "", of the workbook in data.
//
// Cells are read as stored, not as displayed, so a number formatted as
// "1 000" or "1.23E+13" reads as 1000 or 12345678901234, and a formula reads
// as the value that the spreadsheet last computed and saved. A number that
// is whole up to float rounding, such as 2.9999999999999996 from a formula,
// reads as the whole number, and TRUE and FALSE read as such rather than as
// 1 and 0. Trailing empty rows, which formatting leaves in many sheets, are
// dropped.
func openXLSX(data []byte, sheet string) (sheetSource, *Problem) {
	if bytes.Contains(data[:min(len(data), 100)], []byte("opendocument")) {
		return nil, &Problem{Reason: `the file is an OpenDocument spreadsheet (.ods), which restock cannot read: save it in LibreOffice as "Excel 2007-365 (.xlsx)", or as "Text CSV" in UTF-8`}
	}
	file, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, &Problem{Reason: fmt.Sprintf(`cannot read the workbook (%v): save it again as "Excel Workbook (.xlsx)", or as "CSV UTF-8"`, err)}
	}
	defer file.Close()

	name, problem := pickSheet(file, sheet)
	if problem != nil {
		return nil, problem
	}
	rows, err := file.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &Problem{Reason: fmt.Sprintf(`cannot read sheet %q of the workbook (%v): save it again as "Excel Workbook (.xlsx)", or as "CSV UTF-8"`, name, err)}
	}
	merged, err := file.GetMergeCells(name, true)
	if err != nil {
		return nil, &Problem{Reason: fmt.Sprintf(`cannot read the merged cells of sheet %q (%v): unmerge them, or save the sheet as "CSV UTF-8"`, name, err)}
	}

	for len(rows) > 0 && isBlank(rows[len(rows)-1]) {
		rows = rows[:len(rows)-1]
	}
	source := &xlsxSource{records: make([]sourceRecord, len(rows))}
	for i, cells := range rows {
		line := i + 1
		for column, value := range cells {
			cells[column] = storedValue(file, name, column+1, line, value)
		}
		source.records[i] = sourceRecord{line: line, cells: cells, emptyReasons: mergedReasons(merged, line)}
	}
	return source, nil
}

// pickSheet returns the name of the sheet to read: the first one, or the
// one named name, matched exactly or else regardless of letter case, as
// Excel does.
func pickSheet(file *excelize.File, name string) (string, *Problem) {
	sheets := file.GetSheetList()
	if len(sheets) == 0 {
		return "", &Problem{Reason: "the workbook has no sheets"}
	}
	if name == "" {
		return sheets[0], nil
	}
	for _, sheet := range sheets {
		if sheet == name {
			return sheet, nil
		}
	}
	for _, sheet := range sheets {
		if strings.EqualFold(sheet, name) {
			return sheet, nil
		}
	}
	return "", &Problem{Reason: fmt.Sprintf("the workbook has no sheet named %q: its sheets are %s; pass one of them to --sheet", name, quoteAll(sheets))}
}

// storedValue returns a cell's raw value as the validation reads it:
// booleans as TRUE or FALSE, and numbers that are whole up to float
// rounding as whole numbers. Cells at column and row count from 1.
func storedValue(file *excelize.File, sheet string, column, row int, value string) string {
	isBool := value == "0" || value == "1"
	isFraction := strings.ContainsAny(value, ".eE")
	if !isBool && !isFraction {
		return value
	}
	cell, err := excelize.CoordinatesToCellName(column, row)
	if err != nil {
		return value
	}
	cellType, err := file.GetCellType(sheet, cell)
	if err != nil {
		return value
	}

	switch {
	case isBool && cellType == excelize.CellTypeBool:
		if value == "1" {
			return "TRUE"
		}
		return "FALSE"
	case isFraction && (cellType == excelize.CellTypeUnset || cellType == excelize.CellTypeNumber || cellType == excelize.CellTypeFormula):
		number, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return value
		}
		// Whole numbers up to 2^53 are exact in a float64; above 1e15 a
		// spreadsheet has already rounded the digits, so the value is kept
		// and validation reports it.
		whole := math.Round(number)
		if math.Abs(whole) < 1e15 && math.Abs(number-whole) <= 1e-9*math.Max(1, math.Abs(number)) {
			return strconv.FormatFloat(whole, 'f', -1, 64)
		}
	}
	return value
}

// mergedReasons explains the cells of row line that are empty because they
// lie under merged cells, whose value belongs to the top-left cell only.
func mergedReasons(merged []excelize.MergeCell, line int) map[int]string {
	var reasons map[int]string
	for _, cell := range merged {
		firstColumn, firstRow, err := excelize.CellNameToCoordinates(cell.GetStartAxis())
		if err != nil {
			continue
		}
		lastColumn, lastRow, err := excelize.CellNameToCoordinates(cell.GetEndAxis())
		if err != nil || line < firstRow || line > lastRow {
			continue
		}
		for column := firstColumn; column <= lastColumn; column++ {
			if line == firstRow && column == firstColumn {
				continue
			}
			if reasons == nil {
				reasons = make(map[int]string)
			}
			reasons[column-1] = fmt.Sprintf("is empty because it is inside the merged cells %s:%s, whose value belongs to their first cell only: unmerge the cells and fill in every row",
				cell.GetStartAxis(), cell.GetEndAxis())
		}
	}
	return reasons
}

func (s *xlsxSource) next() (sourceRecord, error) {
	if s.position >= len(s.records) {
		return sourceRecord{}, io.EOF
	}
	record := s.records[s.position]
	s.position++
	return record, nil
}

// fit pads a row to the header's width: a sheet stores no cells after the
// last value of a row. A value beyond the last header column is a problem,
// since no header says what it is.
func (s *xlsxSource) fit(record sourceRecord, width int) (sourceRecord, *Problem) {
	for column := len(record.cells) - 1; column >= width; column-- {
		value := record.cells[column]
		if trimSpaceAndTab(value) == "" {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(column+1, record.line)
		name, _ := excelize.ColumnNumberToName(column + 1)
		return record, &Problem{
			Line:   record.line,
			Reason: fmt.Sprintf("cell %s holds %q, but column %s has no header: name the column in the header row, or clear the cell", cell, value, name),
		}
	}
	cells := make([]string, width)
	copy(cells, record.cells)
	record.cells = cells
	return record, nil
}
