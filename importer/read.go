package importer

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"
	"github.com/google/uuid"
)

// The canonical names of the columns a restock file reads. Header cells
// match them, or one of their aliases such as "Product ID" or "qty",
// case-insensitively, with spaces and tabs around them ignored.
const (
	ColumnProductID = "product_id"
	ColumnVariantID = "variant_id"
	ColumnSKU       = "sku"
	ColumnQuantity  = "quantity"
)

// MaxQuantity is the largest quantity one row may add: the API stores stock
// as a 32-bit integer.
const MaxQuantity = 1<<31 - 1

// Row is one valid data row of the input file.
type Row struct {
	// Line is the physical line where the row starts. The header is line 1
	// when it is the first line, and blank lines, an Excel "sep=" line and
	// line breaks inside quoted cells count. In a workbook it is the row
	// number of the sheet.
	Line int

	// ProductID and VariantID are the ids the row names. A row that names
	// its variant by SKU, or names a product without a variant, has a zero
	// VariantID (and, by SKU, a zero ProductID) until Prepare resolves it.
	ProductID uuid.UUID
	VariantID uuid.UUID
	Quantity  int

	// SKU is the SKU to resolve, for a row without a variant_id whose sku
	// cell is not empty; "" otherwise.
	SKU string

	// Record holds the row's cells as they were read, in the input's column
	// order, so that a row that was not applied can be written back as is.
	Record []string
}

// Resolved reports whether the row names its product and variant by id,
// from the file or from Prepare.
func (r *Row) Resolved() bool {
	return r.ProductID != uuid.Nil && r.VariantID != uuid.Nil
}

// Input is a restock file that passed validation.
type Input struct {
	Name   string // the path as given, or "-" for standard input
	SHA256 string // hex SHA-256 of the bytes read, byte-order mark included

	// Header holds the header cells as they were read, without the
	// byte-order mark.
	Header []string

	Rows []Row

	// BlankRows counts the rows that were skipped because they were empty
	// or held only delimiters, spaces and tabs.
	BlankRows int
}

// Problem is one reason why an input file is invalid.
type Problem struct {
	Line   int    // physical line of the file; 0 when the problem is the file as a whole
	Column string // the column's header as written, or "" for a problem with the whole line
	Value  string // the value as written, before trimming
	// Reason says what is wrong and how to fix it. With a Column it reads
	// as a predicate of the value ("is negative: ...").
	Reason string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, "%s %q ", p.Column, p.Value)
	}
	b.WriteString(p.Reason)
	return b.String()
}

// problemError carries a Problem through a function that returns an error.
type problemError struct {
	Problem
}

func (e *problemError) Error() string { return e.Problem.String() }

// InvalidInputError lists every problem found in an input file. Nothing is
// sent to the store when a file has problems.
type InvalidInputError struct {
	Name     string
	Problems []Problem // in line order
}

func (e *InvalidInputError) Error() string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("invalid file %q: %s", e.Name, e.Problems[0])
	}
	return fmt.Sprintf("invalid file %q: %d problems, the first on %s", e.Name, len(e.Problems), e.Problems[0])
}

// ReadOptions are the settings for a file whose dialect cannot be
// detected. The zero value detects everything.
type ReadOptions struct {
	// Delimiter is the CSV delimiter. Zero means: from an Excel "sep=;"
	// first line, else the one of comma, semicolon, tab and pipe that
	// splits the header into the most known columns.
	Delimiter rune

	// Encoding is the character encoding of a CSV file, as ParseEncoding
	// accepts it. Empty means UTF-8, or UTF-16 when the file starts with a
	// UTF-16 byte-order mark.
	Encoding string

	// Sheet is the worksheet of an XLSX workbook to read. Empty means the
	// first one.
	Sheet string
}

// LoadOptions are the ReadOptions and the handling of duplicate rows.
type LoadOptions struct {
	ReadOptions

	// MergeDuplicates adds up the quantities of rows that name the same
	// variant, instead of reporting them as problems.
	MergeDuplicates bool
}

// Read reads and validates a restock file with the default ReadOptions:
// see ReadWith.
func Read(r io.Reader, name string) (*Input, error) {
	return ReadWith(r, name, ReadOptions{})
}

// ReadWith reads and validates a restock file: a CSV file, or an XLSX
// workbook, which is recognized by its content. Its header row names
// product_id, variant_id and quantity, or sku and quantity, in any order,
// and any other columns. name is used in messages only.
//
// Every problem in the file is collected: when there is any, ReadWith
// returns an *InvalidInputError listing them all, in line order, and no
// Input. Other errors come from reading r.
func ReadWith(r io.Reader, name string, opts ReadOptions) (*Input, error) {
	in, problems, err := read(r, name, opts)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &InvalidInputError{Name: name, Problems: problems}
	}
	return in, nil
}

// Load reads and validates a restock file, then plans its requests as
// NewPlan does. The problems of the rows and the duplicate rows are reported
// together, in one *InvalidInputError. Load reads no store, so a row that
// names its variant by SKU, or a product without its variant, is a problem:
// use LoadInput and Prepare for those.
func Load(r io.Reader, name string, mergeDuplicates bool) (*Plan, error) {
	in, err := LoadInput(r, name, LoadOptions{MergeDuplicates: mergeDuplicates})
	if err != nil {
		return nil, err
	}
	return Prepare(context.Background(), in, PrepareOptions{MergeDuplicates: mergeDuplicates})
}

// LoadInput reads and validates a restock file as ReadWith does. Unless
// opts.MergeDuplicates is set, it also reports the rows that name the same
// variant by the same ids, by the same SKU, or by the same product without a
// variant_id. So the user sees at once every problem that shows without the
// store. Prepare then resolves the other rows and plans the requests.
func LoadInput(r io.Reader, name string, opts LoadOptions) (*Input, error) {
	in, problems, err := read(r, name, opts.ReadOptions)
	if err != nil {
		return nil, err
	}
	// Duplicates are looked for among the valid rows, even when other rows
	// are invalid, so that the user sees every problem at once.
	problems = append(problems, earlyDuplicates(in, opts.MergeDuplicates)...)
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, &InvalidInputError{Name: name, Problems: problems}
	}
	return in, nil
}

// read reads r and returns the valid rows and the problems found, in line
// order. The error is nil unless reading r failed.
func read(r io.Reader, name string, opts ReadOptions) (*Input, []Problem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", name, err)
	}
	sum := sha256.Sum256(data)
	in := &Input{Name: name, SHA256: hex.EncodeToString(sum[:])}

	source, problem := openSource(data, opts)
	if problem != nil {
		return in, []Problem{*problem}, nil
	}

	checker := &fileChecker{name: name, source: source, input: in}
	if err := checker.readHeader(); err != nil {
		return nil, nil, err
	}
	if len(checker.problems) == 0 {
		if err := checker.readRows(); err != nil {
			return nil, nil, err
		}
	}
	sortProblems(checker.problems)
	return in, checker.problems, nil
}

// File signatures that tell a workbook from a CSV file.
var (
	zipSignature = []byte("PK\x03\x04")
	// oleSignature starts Excel 97-2003 workbooks, and also workbooks
	// saved with a password.
	oleSignature = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

// openSource returns the records of data: those of an XLSX worksheet when
// data is a ZIP archive, else those of a CSV file. An option that does not
// apply to the file, or a file that restock cannot read, is a problem.
func openSource(data []byte, opts ReadOptions) (sheetSource, *Problem) {
	switch {
	case bytes.HasPrefix(data, zipSignature):
		switch {
		case opts.Delimiter != 0:
			return nil, &Problem{Reason: "the file is an XLSX workbook, whose cells need no delimiter: drop --delimiter"}
		case opts.Encoding != "":
			return nil, &Problem{Reason: "the file is an XLSX workbook, whose text is always Unicode: drop --encoding"}
		}
		return openXLSX(data, opts.Sheet)
	case bytes.HasPrefix(data, oleSignature):
		return nil, &Problem{Reason: `the file is an Excel 97-2003 workbook (.xls) or a workbook with a password, which restock cannot read: save it as "Excel Workbook (.xlsx)" without a password, or as "CSV UTF-8"`}
	case opts.Sheet != "":
		return nil, &Problem{Reason: fmt.Sprintf("--sheet %q applies to XLSX workbooks, but the file is CSV: drop --sheet", opts.Sheet)}
	}

	text, problem := decodeText(data, opts.Encoding)
	if problem != nil {
		return nil, problem
	}
	dialect, text := detectDialect(normalizeLineBreaks(text), opts.Delimiter)
	return newCSVSource(text, dialect), nil
}

// sheetSource is the records of one sheet: the lines of a CSV file or the
// rows of a worksheet. Both go through the same fileChecker.
type sheetSource interface {
	// next returns the next record, blank ones included, or io.EOF after
	// the last. A *problemError reports a record that could not be read:
	// the caller records the problem and calls next again.
	next() (sourceRecord, error)

	// fit returns a data record with as many cells as the header, or the
	// problem that its length shows.
	fit(record sourceRecord, width int) (sourceRecord, *Problem)
}

type sourceRecord struct {
	line  int
	cells []string

	// emptyReasons explains, by column index, why a cell is empty when the
	// source can tell more than "is empty", such as for a cell under merged
	// cells. Nil for most records.
	emptyReasons map[int]string
}

// fileChecker reads one file and collects its problems.
type fileChecker struct {
	name     string
	source   sheetSource
	input    *Input
	problems []Problem

	headerLine int
	columns    headerColumns
}

func (c *fileChecker) addProblem(p Problem) {
	c.problems = append(c.problems, p)
}

// readHeader reads the first record that is not blank and maps its columns,
// reporting a missing or repeated one.
func (c *fileChecker) readHeader() error {
	for {
		record, err := c.readRecord()
		if err == io.EOF {
			c.addProblem(Problem{Reason: "the file is empty: it needs a header row naming product_id, variant_id and quantity, then one row per variant"})
			return nil
		}
		if err != nil {
			return err
		}
		if isBlank(record.cells) {
			continue
		}

		c.input.Header = record.cells
		c.headerLine = record.line
		var problems []Problem
		c.columns, problems = mapHeader(record.cells, record.line)
		c.problems = append(c.problems, problems...)
		return nil
	}
}

// readRecord returns the next record, recording the records that cannot be
// read as problems and going on with the next one. It returns io.EOF at
// the end of the file.
func (c *fileChecker) readRecord() (sourceRecord, error) {
	for {
		record, err := c.source.next()
		var problem *problemError
		switch {
		case err == nil || err == io.EOF:
			return record, err
		case errors.As(err, &problem):
			c.addProblem(problem.Problem)
		default:
			return sourceRecord{}, fmt.Errorf("read %q: %w", c.name, err)
		}
	}
}

// rowCells is what gocsv decodes each data record into. The fields are
// strings on purpose: gocsv reads an empty integer cell as 0 and "010" as
// octal 8, so the quantity is parsed by parseQuantity instead.
type rowCells struct {
	ProductID string `csv:"product_id"`
	VariantID string `csv:"variant_id"`
	SKU       string `csv:"sku"`
	Quantity  string `csv:"quantity"`
}

// recordSource feeds gocsv the data records, one at a time. It skips blank
// rows and rows with the wrong number of cells (recording those as
// problems), and hands gocsv a header where only the columns restock reads
// carry their canonical names. gocsv's package-wide settings (header
// normalizer, strict tags, duplicate headers) therefore never matter.
//
// gocsv decodes on its own goroutine, one record ahead at most, so the line
// and cells of each record it is given travel to the consumer through the
// records channel, in the same order as the decoded values.
type recordSource struct {
	checker *fileChecker
	header  []string
	sent    bool // whether the header was handed over
	records chan sourceRecord

	// width is the number of cells of the input's header. The header handed
	// to gocsv has one more column for each canonical column missing from
	// the input, so that every struct tag matches. The records get an empty
	// cell for each of those columns.
	width int
}

func (s *recordSource) GetCSVRow() ([]string, error) {
	if !s.sent {
		s.sent = true
		return s.header, nil
	}
	c := s.checker
	for {
		record, err := c.readRecord()
		if err != nil {
			return nil, err
		}
		if isBlank(record.cells) {
			c.input.BlankRows++
			continue
		}
		record, problem := c.source.fit(record, s.width)
		if problem != nil {
			c.addProblem(*problem)
			continue
		}
		s.records <- record
		cells := make([]string, len(s.header))
		copy(cells, record.cells)
		return cells, nil
	}
}

// GetCSVRows is part of gocsv's decoder interface but never called for
// streamed decoding.
func (s *recordSource) GetCSVRows() ([][]string, error) {
	return nil, errors.New("recordSource reads one record at a time")
}

// readRows decodes every data record with gocsv and validates it.
func (c *fileChecker) readRows() error {
	header := make([]string, len(c.input.Header))
	for i := range header {
		header[i] = "\x00unused column " + strconv.Itoa(i) // matches no struct tag
	}
	for _, column := range []string{ColumnProductID, ColumnVariantID, ColumnSKU, ColumnQuantity} {
		if index, ok := c.columns.index[column]; ok {
			header[index] = column
		} else {
			header = append(header, column)
		}
	}

	source := &recordSource{checker: c, header: header, width: len(c.input.Header), records: make(chan sourceRecord, 4)}
	decoded := make(chan rowCells)
	decodeErr := make(chan error, 1)
	go func() {
		decodeErr <- gocsv.UnmarshalDecoderToChan(source, decoded)
	}()

	var rowProblems []Problem
	for cells := range decoded {
		record := <-source.records
		row, problems := c.validateRow(record, cells)
		if len(problems) > 0 {
			rowProblems = append(rowProblems, problems...)
			continue
		}
		c.input.Rows = append(c.input.Rows, row)
	}
	if err := <-decodeErr; err != nil {
		return err
	}

	// The decoding goroutine has ended, so its problems can be read.
	c.problems = append(c.problems, rowProblems...)
	if len(c.problems) == 0 && len(c.input.Rows) == 0 {
		c.addProblem(Problem{Reason: fmt.Sprintf("no data rows after the header (%d blank rows skipped): add one row per variant to restock", c.input.BlankRows)})
	}
	return nil
}

// validateRow checks the cells of one record that restock reads. A row
// names its variant by product_id and variant_id, by sku, or by product_id
// alone for a product with one variant. A row with both ids uses them.
func (c *fileChecker) validateRow(record sourceRecord, cells rowCells) (Row, []Problem) {
	row := Row{Line: record.line, Record: record.cells}
	var problems []Problem
	report := func(column, value string, err error) {
		if err == nil {
			return
		}
		index := c.columns.index[column]
		reason := err.Error()
		if explained, ok := record.emptyReasons[index]; ok && trimSpaceAndTab(value) == "" {
			reason = explained
		}
		problems = append(problems, Problem{
			Line:   record.line,
			Column: trimSpaceAndTab(c.input.Header[index]),
			Value:  value,
			Reason: reason,
		})
	}

	hasProduct := cellText(cells.ProductID) != ""
	hasVariant := cellText(cells.VariantID) != ""
	hasSKU := cellText(cells.SKU) != ""
	var err error
	switch {
	case hasProduct:
		row.ProductID, err = parseID(cells.ProductID, "product")
		report(ColumnProductID, cells.ProductID, err)
		if hasVariant {
			row.VariantID, err = parseID(cells.VariantID, "variant")
			report(ColumnVariantID, cells.VariantID, err)
		} else if hasSKU {
			row.SKU, err = parseSKU(cells.SKU)
			report(ColumnSKU, cells.SKU, err)
		}
	case hasVariant && c.columns.has(ColumnProductID):
		report(ColumnProductID, cells.ProductID, errors.New("is empty: a row with a variant_id needs the product id too"))
	case hasVariant:
		report(ColumnVariantID, cells.VariantID, errors.New("has no product_id beside it: add a product_id column, or clear the variant_id and keep the sku"))
	case hasSKU:
		row.SKU, err = parseSKU(cells.SKU)
		report(ColumnSKU, cells.SKU, err)
	case c.columns.has(ColumnProductID) && c.columns.has(ColumnSKU):
		report(ColumnProductID, cells.ProductID, errors.New("is empty, and so is the sku: every row needs the variant's sku, or its product_id and variant_id"))
	case c.columns.has(ColumnProductID):
		report(ColumnProductID, cells.ProductID, errors.New("is empty: every row needs the product id"))
	default:
		report(ColumnSKU, cells.SKU, errors.New("is empty: every row needs the variant's sku"))
	}

	row.Quantity, err = parseQuantity(cells.Quantity)
	report(ColumnQuantity, cells.Quantity, err)
	return row, problems
}

func isBlank(record []string) bool {
	for _, cell := range record {
		if trimSpaceAndTab(cell) != "" {
			return false
		}
	}
	return true
}

func quoteAll(cells []string) string {
	quoted := make([]string, len(cells))
	for i, cell := range cells {
		quoted[i] = strconv.Quote(cell)
	}
	return strings.Join(quoted, ",")
}

// joinColumnNumbers turns zero-based column indexes into "2 and 5" or "1, 3 and 4".
func joinColumnNumbers(indexes []int) string {
	numbers := make([]int, len(indexes))
	for i, index := range indexes {
		numbers[i] = index + 1
	}
	return joinInts(numbers)
}

func joinInts(numbers []int) string {
	parts := make([]string, len(numbers))
	for i, n := range numbers {
		parts[i] = strconv.Itoa(n)
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// sortProblems orders problems by line, keeping the order of problems found
// on the same line.
func sortProblems(problems []Problem) {
	slices.SortStableFunc(problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
}
