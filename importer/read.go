package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gocarina/gocsv"
	"github.com/google/uuid"
)

// The canonical names of the columns a restock file must have. Header cells
// match them case-insensitively, with spaces and tabs around them ignored.
const (
	ColumnProductID = "product_id"
	ColumnVariantID = "variant_id"
	ColumnQuantity  = "quantity"
)

var requiredColumns = []string{ColumnProductID, ColumnVariantID, ColumnQuantity}

// MaxQuantity is the largest quantity one row may add: the API stores stock
// as a 32-bit integer.
const MaxQuantity = 1<<31 - 1

// Row is one valid data row of the input file.
type Row struct {
	// Line is the physical line where the row starts. The header is line 1
	// when it is the first line, and blank lines and line breaks inside
	// quoted cells count.
	Line int

	ProductID uuid.UUID
	VariantID uuid.UUID
	Quantity  int

	// Record holds the row's cells as they were read, in the input's column
	// order, so that a row that was not applied can be written back as is.
	Record []string
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

// Read reads and validates a restock file: a CSV with a header row naming
// product_id, variant_id and quantity in any order, and any other columns.
// name is used in messages only.
//
// Every problem in the file is collected: when there is any, Read returns an
// *InvalidInputError listing them all, in line order, and no Input. Other
// errors come from reading r.
func Read(r io.Reader, name string) (*Input, error) {
	in, problems, err := read(r, name)
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
// together, in one *InvalidInputError.
func Load(r io.Reader, name string, mergeDuplicates bool) (*Plan, error) {
	in, problems, err := read(r, name)
	if err != nil {
		return nil, err
	}
	// Duplicates are looked for among the valid rows, even when other rows
	// are invalid, so that the user sees every problem at once.
	plan, duplicates := buildPlan(in, mergeDuplicates)
	if len(duplicates) > 0 || len(problems) > 0 {
		problems = append(problems, duplicates...)
		sortProblems(problems)
		return nil, &InvalidInputError{Name: name, Problems: problems}
	}
	return plan, nil
}

// read reads r and returns the valid rows and the problems found, in line
// order. The error is nil unless reading r failed.
func read(r io.Reader, name string) (*Input, []Problem, error) {
	hash := sha256.New()
	buffered := bufio.NewReaderSize(io.TeeReader(r, hash), 64*1024)
	if err := skipByteOrderMark(buffered); err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", name, err)
	}

	csvReader := csv.NewReader(buffered)
	csvReader.FieldsPerRecord = -1 // a row with the wrong number of cells is reported on its line
	csvReader.ReuseRecord = false  // each Row keeps its record

	in := &Input{Name: name}
	checker := &fileChecker{name: name, reader: csvReader, input: in}
	if err := checker.readHeader(); err != nil {
		return nil, nil, err
	}
	if len(checker.problems) == 0 {
		if err := checker.readRows(); err != nil {
			return nil, nil, err
		}
	}

	// Hash the rest of the input too, in case the CSV reader stopped early.
	if _, err := io.Copy(io.Discard, buffered); err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", name, err)
	}
	in.SHA256 = hex.EncodeToString(hash.Sum(nil))

	sortProblems(checker.problems)
	return in, checker.problems, nil
}

// skipByteOrderMark drops a UTF-8 byte-order mark, which Excel writes at the
// start of "CSV UTF-8" files.
func skipByteOrderMark(r *bufio.Reader) error {
	start, err := r.Peek(3)
	if err != nil && err != io.EOF {
		return err
	}
	if bytes.HasPrefix(start, []byte("\uFEFF")) {
		_, err := r.Discard(3)
		return err
	}
	return nil
}

// fileChecker reads one file and collects its problems.
type fileChecker struct {
	name     string
	reader   *csv.Reader
	input    *Input
	problems []Problem

	headerLine int
	// columnIndex maps each required column to its index in the header.
	columnIndex map[string]int
}

func (c *fileChecker) addProblem(p Problem) {
	c.problems = append(c.problems, p)
}

// readHeader reads the first record and maps the required columns, reporting
// a missing or repeated one.
func (c *fileChecker) readHeader() error {
	header, err := c.readRecord()
	if err == io.EOF {
		c.addProblem(Problem{Reason: "the file is empty: it needs a header row naming product_id, variant_id and quantity, then one row per variant"})
		return nil
	}
	if err != nil {
		return err
	}
	c.input.Header = header
	c.headerLine, _ = c.reader.FieldPos(0)

	found := make(map[string][]int)
	for i, cell := range header {
		key := strings.ToLower(trimSpaceAndTab(cell))
		found[key] = append(found[key], i)
	}

	c.columnIndex = make(map[string]int, len(requiredColumns))
	for _, column := range requiredColumns {
		switch indexes := found[column]; len(indexes) {
		case 0:
			c.addProblem(Problem{
				Line:   c.headerLine,
				Reason: fmt.Sprintf("missing column %q: the header found is %s; the header must name product_id, variant_id and quantity", column, quoteAll(header)),
			})
		case 1:
			c.columnIndex[column] = indexes[0]
		default:
			c.addProblem(Problem{
				Line:   c.headerLine,
				Reason: fmt.Sprintf("column %q appears %d times (columns %s) in the header %s: keep one", column, len(indexes), joinColumnNumbers(indexes), quoteAll(header)),
			})
		}
	}
	return nil
}

// readRecord returns the next record, recording CSV syntax errors as problems
// and going on with the next line. It returns io.EOF at the end of the file.
func (c *fileChecker) readRecord() ([]string, error) {
	for {
		record, err := c.reader.Read()
		var parseErr *csv.ParseError
		switch {
		case err == nil || err == io.EOF:
			return record, err
		case errors.As(err, &parseErr):
			c.addProblem(Problem{Line: parseErr.StartLine, Reason: describeParseError(parseErr)})
		default:
			return nil, fmt.Errorf("read %q: %w", c.name, err)
		}
	}
}

func describeParseError(err *csv.ParseError) string {
	switch {
	case errors.Is(err.Err, csv.ErrBareQuote):
		return `a quote (") inside a cell that does not start with one: put the whole cell in quotes and double the quotes inside it`
	case errors.Is(err.Err, csv.ErrQuote) && err.Line != err.StartLine:
		return fmt.Sprintf("a quoted cell starts here and is never closed, so everything up to line %d was read as one cell: add the closing quote", err.Line)
	case errors.Is(err.Err, csv.ErrQuote):
		return `text after the closing quote of a cell: put the whole cell in quotes and double the quotes inside it`
	default:
		return fmt.Sprintf("invalid CSV: %v", err.Err)
	}
}

// rowCells is what gocsv decodes each data record into. The fields are
// strings on purpose: gocsv reads an empty integer cell as 0 and "010" as
// octal 8, so the quantity is parsed by parseQuantity instead.
type rowCells struct {
	ProductID string `csv:"product_id"`
	VariantID string `csv:"variant_id"`
	Quantity  string `csv:"quantity"`
}

// recordSource feeds gocsv the data records, one at a time. It skips blank
// rows and rows with the wrong number of cells (recording those as
// problems), and hands gocsv a header where only the three required columns
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
}

type sourceRecord struct {
	line  int
	cells []string
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
		line, _ := c.reader.FieldPos(0)
		if isBlank(record) {
			c.input.BlankRows++
			continue
		}
		if len(record) != len(s.header) {
			c.addProblem(Problem{
				Line:   line,
				Reason: fmt.Sprintf("%d cells where the header has %d: check for a missing or extra delimiter", len(record), len(s.header)),
			})
			continue
		}
		s.records <- sourceRecord{line: line, cells: record}
		return record, nil
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
	for column, index := range c.columnIndex {
		header[index] = column
	}

	source := &recordSource{checker: c, header: header, records: make(chan sourceRecord, 4)}
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

// validateRow checks the three required cells of one record.
func (c *fileChecker) validateRow(record sourceRecord, cells rowCells) (Row, []Problem) {
	row := Row{Line: record.line, Record: record.cells}
	var problems []Problem
	check := func(column, value string, err error) {
		if err != nil {
			problems = append(problems, Problem{
				Line:   record.line,
				Column: trimSpaceAndTab(c.input.Header[c.columnIndex[column]]),
				Value:  value,
				Reason: err.Error(),
			})
		}
	}

	var err error
	row.ProductID, err = parseID(cells.ProductID, "product")
	check(ColumnProductID, cells.ProductID, err)
	row.VariantID, err = parseID(cells.VariantID, "variant")
	check(ColumnVariantID, cells.VariantID, err)
	row.Quantity, err = parseQuantity(cells.Quantity)
	check(ColumnQuantity, cells.Quantity, err)
	return row, problems
}

// parseID parses a YouCan id: a UUID in its 36-character form, in any case.
func parseID(value, kind string) (uuid.UUID, error) {
	s := trimSpaceAndTab(value)
	if s == "" {
		return uuid.UUID{}, fmt.Errorf("is empty: every row needs the %s id", kind)
	}
	// uuid.Parse also accepts braces, a urn:uuid: prefix and 32 bare hex
	// digits; YouCan ids are only ever written in the 36-character form.
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.UUID{}, fmt.Errorf("is not a valid %s id: expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954", kind)
	}
	return id, nil
}

// parseQuantity parses a number of units to add: decimal digits only, at
// least 1 and at most MaxQuantity. Leading zeros are allowed ("010" is ten).
// The error says what is wrong with the value in a spreadsheet user's terms.
func parseQuantity(value string) (int, error) {
	s := trimSpaceAndTab(value)
	if s == "" {
		return 0, errors.New("is empty: write the number of units to add, at least 1")
	}
	if !isASCIIDigits(s) {
		return 0, describeBadQuantity(s)
	}
	digits := strings.TrimLeft(s, "0")
	if digits == "" {
		return 0, errors.New("is zero: a row must add at least 1 unit, so delete the row instead")
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > MaxQuantity {
		return 0, fmt.Errorf("is too large: the maximum is %d", MaxQuantity)
	}
	return n, nil
}

// describeBadQuantity explains why s, which is not all ASCII digits, is not a
// quantity.
func describeBadQuantity(s string) error {
	rest := s[1:]
	switch {
	case s[0] == '-' && isASCIIDigits(rest):
		return errors.New("is negative: restock only adds stock, so write the number of units to add")
	case s[0] == '+' && isASCIIDigits(rest):
		return errors.New("has a sign: write the number without '+'")
	case strings.HasPrefix(strings.ToLower(s), "0x"):
		return errors.New("is not a decimal number: write it with the digits 0-9")
	case strings.Contains(s, "_"):
		return errors.New("contains '_': write digits only, without separators")
	case strings.ContainsAny(s, ".,") && isASCIIDigits(strings.NewReplacer(".", "", ",", "").Replace(s)):
		return errors.New("is not a whole number of units: write digits only, without a decimal mark or thousands separator")
	case strings.ContainsFunc(s, isNonASCIIDigit):
		return errors.New("uses digits other than 0-9: write it with the digits 0-9")
	default:
		return errors.New("is not a number: write the number of units to add, digits only")
	}
}

func isASCIIDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNonASCIIDigit reports Arabic-Indic and other decimal digits, which an
// Arabic keyboard or locale may produce but the API does not read.
func isNonASCIIDigit(r rune) bool {
	return r > unicode.MaxASCII && unicode.IsDigit(r)
}

// trimSpaceAndTab trims spaces and tabs only. A no-break space or another
// invisible character is kept, so that validation reports it.
func trimSpaceAndTab(s string) string {
	return strings.Trim(s, " \t")
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
