package importer

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

	// record holds the row's cells as they were read. In a CSV file it is
	// the row's text, which shares the memory of the whole file's text and
	// which Cells splits again at delimiter. Otherwise delimiter is 0 and
	// record holds the cells as encodeCells writes them.
	record    string
	delimiter rune
}

// Resolved reports whether the row names its product and variant by id,
// from the file or from Prepare.
func (r *Row) Resolved() bool {
	return r.ProductID != uuid.Nil && r.VariantID != uuid.Nil
}

// Cells returns the row's cells as they were read, in the input's column
// order, so that a row that was not applied can be written back as is. It
// splits them again on each call, and returns nil for a Row that was not
// read from a file.
func (r *Row) Cells() []string {
	if r.delimiter != 0 {
		return splitRecord(r.record, r.delimiter)
	}
	return decodeCells(r.record)
}

// encodeCells writes cells into one string, each as its length in bytes
// (a uvarint) and then its bytes, so that a row keeps one string rather
// than a slice of them.
func encodeCells(cells []string) string {
	size := 0
	for _, cell := range cells {
		size += binary.MaxVarintLen64 + len(cell)
	}
	encoded := make([]byte, 0, size)
	for _, cell := range cells {
		encoded = binary.AppendUvarint(encoded, uint64(len(cell)))
		encoded = append(encoded, cell...)
	}
	return string(encoded)
}

// decodeCells returns the cells that encodeCells wrote.
func decodeCells(encoded string) []string {
	var cells []string
	for encoded != "" {
		length, size := binary.Uvarint([]byte(encoded[:min(len(encoded), binary.MaxVarintLen64)]))
		end := size + int(length)
		cells = append(cells, encoded[size:end])
		encoded = encoded[end:]
	}
	return cells
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

	// distinct records that LoadInput found no two rows naming the same
	// variant, and none to resolve, so that the plan need not look again.
	distinct distinctMark
}

// Problem is one reason why an input file is invalid.
type Problem struct {
	Line   int    // physical line of the file; 0 when the problem is the file as a whole
	Column string // the column's header as written, or "" for a problem with the whole line
	Value  string // the value as written, before trimming
	// Reason is what is wrong and how to fix it. With a Column it reads
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
	data, err := readAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", name, err)
	}
	// The hash takes about a tenth of the time of reading a large file, so
	// it is computed beside the reading rather than before it.
	sum := make(chan string, 1)
	go func() { sum <- hashSHA256(data) }()
	in := &Input{Name: name}
	problems, err := readInput(in, data, opts)
	in.SHA256 = <-sum
	if err != nil {
		return nil, nil, err
	}
	return in, problems, nil
}

// hashSHA256 returns the hex SHA-256 of data. It hashes 64 KiB at a time,
// since the garbage collector waits, spinning, for the SHA-NI assembly to
// return: on 80 MB at once it held up collections for up to about 70 ms.
func hashSHA256(data []byte) string {
	const chunk = 64 << 10
	hash := sha256.New()
	for len(data) > 0 {
		n := min(len(data), chunk)
		hash.Write(data[:n])
		data = data[n:]
	}
	return hex.EncodeToString(hash.Sum(nil))
}

// readAll reads r to its end. A regular file is read into a buffer of its
// size, as os.ReadFile does, where io.ReadAll would grow its buffer and
// copy it dozens of times for a file of 80 MB.
func readAll(r io.Reader) ([]byte, error) {
	file, ok := r.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return io.ReadAll(r)
	}
	info, err := file.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return io.ReadAll(r)
	}

	// One byte more than the size lets the read see the end of the file
	// without growing the buffer. A file that grows is read to its end.
	data := make([]byte, 0, info.Size()+1)
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// readInput reads the header and the rows of data into in and returns the
// problems found, in line order.
func readInput(in *Input, data []byte, opts ReadOptions) ([]Problem, error) {
	source, problem := openSource(data, opts)
	if problem != nil {
		return []Problem{*problem}, nil
	}

	checker := &fileChecker{name: in.Name, source: source, input: in}
	if err := checker.readHeader(); err != nil {
		return nil, err
	}
	if len(checker.problems) == 0 {
		if err := checker.readRows(); err != nil {
			return nil, err
		}
	}
	sortProblems(checker.problems)
	return checker.problems, nil
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
	// the caller records the problem and calls next again. The record's
	// cells may change at the next call.
	next() (sourceRecord, error)

	// fit returns a data record with as many cells as the header, or the
	// problem that its length shows.
	fit(record sourceRecord, width int) (sourceRecord, *Problem)
}

type sourceRecord struct {
	line  int
	cells []string

	// emptyLines counts the empty lines just before the record, which
	// encoding/csv skips; at the end of the file, those after the last
	// record.
	emptyLines int

	// text is the record as written in a CSV file, through its line break,
	// and delimiter the file's delimiter, which splits text into cells
	// again. They are empty in a worksheet.
	text      string
	delimiter rune

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

		c.input.Header = slices.Clone(record.cells)
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
		if err == nil || err == io.EOF {
			return record, err
		}
		// Declared on this path only: errors.As moves it to the heap, which
		// would cost an allocation for every record.
		var problem *problemError
		if !errors.As(err, &problem) {
			return sourceRecord{}, fmt.Errorf("read %q: %w", c.name, err)
		}
		c.addProblem(problem.Problem)
	}
}

// rowCells is the struct that gocsv decodes each data record into, by position: the
// first cell into the first field, and so on. The fields are strings on
// purpose: gocsv reads an empty integer cell as 0 and "010" as octal 8, so
// the quantity is parsed by parseQuantity instead.
type rowCells struct {
	ProductID string
	VariantID string
	Quantity  string
	SKU       string
}

// decodedColumns are the columns of the fields of rowCells, in order.
var decodedColumns = []string{ColumnProductID, ColumnVariantID, ColumnQuantity, ColumnSKU}

// decodeBatchSize is the number of data records that gocsv decodes at once.
// Each call costs gocsv a few allocations of its own, which are negligible
// beside those of 1024 records.
const decodeBatchSize = 1024

// recordBatch holds data records until gocsv decodes them all at once,
// without a header. It is the CSVReader that gocsv reads: each record holds
// a record's cells in decodedColumns, up to the last column that the input
// has, and an empty cell for a column it lacks. gocsv maps the cells to the
// fields by position, so that its package-wide settings (tag name, header
// normalizer, strict tags, duplicate headers) never matter.
type recordBatch struct {
	records [][]string // one record per entry of rows
	cells   []string   // the backing array of records
	rows    []pendingRow

	// indexes holds the index in the input's header of each cell of a
	// record handed to gocsv, or -1 for a column that the input lacks.
	indexes []int

	// rowsHint, when not zero, estimates the data records of the whole
	// source, from the share of it that the batch's records took.
	rowsHint int
}

// pendingRow is the part of a record that a batch keeps, besides the cells that gocsv
// decodes, to make its Row.
type pendingRow struct {
	line         int
	record       string
	delimiter    rune
	emptyReasons map[int]string
}

func newRecordBatch(columns headerColumns) *recordBatch {
	indexes := make([]int, len(decodedColumns))
	for i, column := range decodedColumns {
		index, ok := columns.index[column]
		if !ok {
			index = -1
		}
		indexes[i] = index
	}
	// gocsv leaves the fields after the last cell empty, so the records
	// need no cells for the columns after the last that the input has.
	for len(indexes) > 0 && indexes[len(indexes)-1] < 0 {
		indexes = indexes[:len(indexes)-1]
	}
	return &recordBatch{
		records: make([][]string, 0, decodeBatchSize),
		cells:   make([]string, decodeBatchSize*len(indexes)),
		rows:    make([]pendingRow, 0, decodeBatchSize),
		indexes: indexes,
	}
}

// ReadAll returns the records of the batch.
func (b *recordBatch) ReadAll() ([][]string, error) {
	return b.records, nil
}

// Read is part of gocsv's CSVReader but never called: gocsv reads the
// records of a batch with ReadAll.
func (b *recordBatch) Read() ([]string, error) {
	return nil, errors.New("recordBatch returns its records with ReadAll only")
}

func (b *recordBatch) full() bool {
	return len(b.rows) == decodeBatchSize
}

// add copies the cells that restock reads from a data record, which fit has
// seen, into the batch.
func (b *recordBatch) add(record sourceRecord) {
	start := len(b.rows) * len(b.indexes)
	end := start + len(b.indexes)
	cells := b.cells[start:end:end]
	for i, index := range b.indexes {
		if index >= 0 {
			cells[i] = record.cells[index]
		}
	}
	b.records = append(b.records, cells)

	row := pendingRow{line: record.line, record: record.text, delimiter: record.delimiter, emptyReasons: record.emptyReasons}
	if record.delimiter == 0 {
		row.record = encodeCells(record.cells)
	}
	b.rows = append(b.rows, row)
}

func (b *recordBatch) reset() {
	b.records = b.records[:0]
	b.rows = b.rows[:0]
	b.rowsHint = 0
	clear(b.cells) // so that the strings of the batch can be collected
	clear(b.rows[:cap(b.rows)])
}

// batchesInFlight is the number of batches that the reading goroutine
// and the decoding one pass between them: one for each, and one ready.
const batchesInFlight = 3

// readRows reads every data record, has gocsv decode it, and validates it.
// It reads the records on one goroutine and decodes and validates them on
// another, a batch at a time, since each of the two takes a large share of
// the time.
func (c *fileChecker) readRows() error {
	free := make(chan *recordBatch, batchesInFlight)
	for range batchesInFlight {
		free <- newRecordBatch(c.columns)
	}
	full := make(chan *recordBatch, batchesInFlight)
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		readErr <- c.readBatches(free, full, stop)
	}()

	// Until the reading goroutine ends, it alone adds to c.problems.
	var rowProblems []Problem
	var decodeErr error
	decoded := make([]rowCells, decodeBatchSize)
	for batch := range full {
		if decodeErr == nil {
			rowProblems, decodeErr = c.decodeBatch(batch, decoded, rowProblems)
			if decodeErr != nil {
				close(stop)
			}
		}
		batch.reset()
		free <- batch
	}
	if err := <-readErr; err != nil {
		return err
	}
	if decodeErr != nil {
		return decodeErr
	}

	c.problems = append(c.problems, rowProblems...)
	if len(c.problems) == 0 && len(c.input.Rows) == 0 {
		c.addProblem(Problem{Reason: fmt.Sprintf("no data rows after the header (%d blank rows skipped): add one row per variant to restock", c.input.BlankRows)})
	}
	return nil
}

// readBatches reads the data records into batches taken from free and
// sends each batch to full once it is full, and the last one at the end.
// It counts the blank rows and adds the problems of the records that cannot
// be read. It returns early, with no error, when stop is closed.
func (c *fileChecker) readBatches(free <-chan *recordBatch, full chan<- *recordBatch, stop <-chan struct{}) error {
	width := len(c.input.Header)
	batch := <-free
	first := true
	for {
		record, err := c.readRecord()
		c.input.BlankRows += record.emptyLines
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if isBlank(record.cells) {
			c.input.BlankRows++
			continue
		}
		record, problem := c.source.fit(record, width)
		if problem != nil {
			c.addProblem(*problem)
			continue
		}
		batch.add(record)
		if !batch.full() {
			continue
		}

		if first {
			batch.rowsHint = c.recordsHint(len(batch.rows))
			first = false
		}
		select {
		case full <- batch:
		case <-stop:
			return nil
		}
		select {
		case batch = <-free:
		case <-stop:
			return nil
		}
	}
	if len(batch.rows) > 0 {
		select {
		case full <- batch:
		case <-stop:
		}
	}
	return nil
}

// recordsHint estimates the data records of the whole source after the
// first read, or returns 0 when the source cannot tell.
func (c *fileChecker) recordsHint(read int) int {
	if source, ok := c.source.(interface{ recordsHint(read int) int }); ok {
		return source.recordsHint(read)
	}
	return 0
}

// decodeBatch has gocsv decode the records of batch into decoded, which has
// room for a full batch, validates them, and returns problems with the
// problems of the invalid rows appended.
func (c *fileChecker) decodeBatch(batch *recordBatch, decoded []rowCells, problems []Problem) ([]Problem, error) {
	if err := gocsv.UnmarshalCSVWithoutHeaders(batch, &decoded); err != nil {
		return problems, fmt.Errorf("read %q: decode the rows: %w", c.name, err)
	}
	for i, pending := range batch.rows {
		row, rowProblems := c.validateRow(pending, decoded[i])
		if len(rowProblems) > 0 {
			problems = append(problems, rowProblems...)
			continue
		}
		if c.input.Rows == nil {
			// Room for every row at once saves copying a large file's rows
			// at each doubling of the slice. A margin of 1 % covers rows a
			// little shorter than the first; a wrong estimate costs only
			// the doublings.
			c.input.Rows = make([]Row, 0, max(len(batch.rows), batch.rowsHint*101/100))
		}
		c.input.Rows = append(c.input.Rows, row)
	}
	return problems, nil
}

// validateRow checks the cells of one record that restock reads. A row
// names its variant by product_id and variant_id, by sku, or by product_id
// alone for a product with one variant. A row with both ids uses them.
func (c *fileChecker) validateRow(record pendingRow, cells rowCells) (Row, []Problem) {
	row := Row{Line: record.line, record: record.record, delimiter: record.delimiter}
	if c.validateCommonRow(&row, cells) {
		return row, nil
	}

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

// validateCommonRow reads the ids and the quantity of the most common row,
// which gives both ids and a quantity, each as written by a program. It
// returns false for any other row, which validateRow then checks and
// explains.
func (c *fileChecker) validateCommonRow(row *Row, cells rowCells) bool {
	if len(cells.ProductID) != 36 || len(cells.VariantID) != 36 {
		return false
	}
	productID, productErr := uuid.Parse(cells.ProductID)
	variantID, variantErr := uuid.Parse(cells.VariantID)
	quantity, ok := parsePlainQuantity(cells.Quantity)
	if productErr != nil || variantErr != nil || !ok {
		return false
	}
	row.ProductID, row.VariantID, row.Quantity = productID, variantID, quantity
	return true
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
