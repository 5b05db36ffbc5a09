package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// delimiterCandidates are the delimiters detected from the header line, in
// the order that breaks ties: the comma, the semicolon that Excel writes in
// French, German and many other locales, the tab of Excel's "Unicode Text",
// and the pipe.
var delimiterCandidates = []rune{',', ';', '\t', '|'}

var delimiterNames = map[string]rune{
	"comma":     ',',
	"semicolon": ';',
	"tab":       '\t',
	`\t`:        '\t',
	"pipe":      '|',
}

// ParseDelimiter parses a --delimiter value: one character, or comma,
// semicolon, tab or pipe. `\t`, as typed in a shell, is a tab too.
func ParseDelimiter(value string) (rune, error) {
	if r, ok := delimiterNames[strings.ToLower(value)]; ok {
		return r, nil
	}
	r, size := utf8.DecodeRuneInString(value)
	if size == len(value) && value != "" && validDelimiter(r) {
		return r, nil
	}
	return 0, fmt.Errorf("invalid delimiter %q: give one character, such as ; or |, or the name comma, semicolon, tab or pipe", value)
}

// validDelimiter reports whether encoding/csv accepts r as a delimiter.
func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// normalizeLineBreaks turns each lone CR into LF, so that files saved by
// old Excel for Mac, which end lines with CR only, read line by line. A CR
// inside a quoted cell becomes LF too, as encoding/csv does with CRLF.
// Afterwards every line break holds one LF, so encoding/csv counts lines
// as lineAt does.
func normalizeLineBreaks(text string) string {
	if !strings.Contains(text, "\r") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\r' && (i+1 == len(text) || text[i+1] != '\n') {
			c = '\n'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// csvDialect is the delimiter and the skipped first lines of one CSV file.
type csvDialect struct {
	delimiter rune
	// skippedLines counts the lines before the text that encoding/csv
	// reads: 1 after an Excel "sep=" line, 0 otherwise.
	skippedLines int
}

// detectDialect finds the delimiter of text, which normalizeLineBreaks has
// seen: forced when not zero, else from Excel's "sep=;" first line, which
// is then skipped, else from the header line. It returns the text that
// encoding/csv is to read.
func detectDialect(text string, forced rune) (csvDialect, string) {
	dialect := csvDialect{delimiter: forced}
	first, rest, _ := strings.Cut(text, "\n")
	if sep, ok := parseSeparatorLine(first); ok {
		dialect.skippedLines = 1
		text = rest
		if dialect.delimiter == 0 {
			dialect.delimiter = sep
		}
	}
	if dialect.delimiter == 0 {
		dialect.delimiter = detectDelimiter(text)
	}
	return dialect, text
}

// parseSeparatorLine reads the "sep=;" line that Excel writes, and reads,
// to name the delimiter. LibreOffice writes it back as "sep=;" in quotes,
// sometimes followed by empty cells.
func parseSeparatorLine(line string) (rune, bool) {
	line = strings.TrimSuffix(line, "\r")
	quoted := strings.HasPrefix(line, `"`)
	line = strings.TrimPrefix(line, `"`)
	if len(line) < 4 || !strings.EqualFold(line[:4], "sep=") {
		return 0, false
	}
	sep, size := utf8.DecodeRuneInString(line[4:])
	if !validDelimiter(sep) {
		return 0, false
	}
	rest := line[4+size:]
	if quoted {
		var ok bool
		if rest, ok = strings.CutPrefix(rest, `"`); !ok {
			return 0, false
		}
	}
	if strings.Trim(rest, string(sep)+" ") != "" {
		return 0, false
	}
	return sep, true
}

// detectDelimiter returns the candidate delimiter that splits the header
// line into the most columns restock reads, then into the most cells, so
// that a comma inside a column name does not win over the semicolons
// between the names. A header without any known column gets the comma
// unless another candidate splits it.
func detectDelimiter(text string) rune {
	header := firstNonEmptyLine(text)
	best, bestColumns, bestCells := delimiterCandidates[0], -1, 0
	for _, candidate := range delimiterCandidates {
		reader := csv.NewReader(strings.NewReader(header))
		reader.Comma = candidate
		reader.LazyQuotes = true
		cells, err := reader.Read()
		if err != nil {
			continue
		}
		known := make(map[string]bool)
		for _, cell := range cells {
			if column := canonicalColumn(cell); column != "" {
				known[column] = true
			}
		}
		if len(known) > bestColumns || (len(known) == bestColumns && len(cells) > bestCells) {
			best, bestColumns, bestCells = candidate, len(known), len(cells)
		}
	}
	return best
}

func firstNonEmptyLine(text string) string {
	for line := range strings.Lines(text) {
		if trimmed := strings.TrimRight(line, "\r\n"); trimmed != "" {
			return trimmed
		}
	}
	return ""
}

// csvSource reads the records of a CSV file with encoding/csv.
type csvSource struct {
	reader       *csv.Reader
	text         string // the text that reader reads
	delimiter    rune
	skippedLines int
}

func newCSVSource(text string, dialect csvDialect) *csvSource {
	reader := csv.NewReader(strings.NewReader(text))
	reader.Comma = dialect.delimiter
	reader.FieldsPerRecord = -1 // a row with the wrong number of cells is reported on its line
	// A Row keeps its record's text, not the cells, so one slice of cells
	// serves every record.
	reader.ReuseRecord = true
	return &csvSource{reader: reader, text: text, delimiter: dialect.delimiter, skippedLines: dialect.skippedLines}
}

func (s *csvSource) next() (sourceRecord, error) {
	start := s.reader.InputOffset()
	record, err := s.reader.Read()
	switch {
	case err == nil:
		line, _ := s.reader.FieldPos(0)
		return sourceRecord{
			line:       line + s.skippedLines,
			emptyLines: countEmptyLines(s.text[start:]),
			cells:      record,
			text:       s.text[start:s.reader.InputOffset()],
			delimiter:  s.delimiter,
		}, nil
	case err == io.EOF:
		return sourceRecord{emptyLines: countEmptyLines(s.text[start:])}, io.EOF
	}
	// Declared on this path only: errors.As moves it to the heap, which
	// would cost an allocation for every record.
	var parseErr *csv.ParseError
	if errors.As(err, &parseErr) {
		return sourceRecord{}, &problemError{Problem{
			Line:   parseErr.StartLine + s.skippedLines,
			Reason: describeParseError(parseErr, s.skippedLines),
		}}
	}
	return sourceRecord{}, err
}

// fit reports a data record whose number of cells differs from the
// header's: in a CSV file that means a missing or extra delimiter.
func (s *csvSource) fit(record sourceRecord, width int) (sourceRecord, *Problem) {
	if len(record.cells) == width {
		return record, nil
	}
	return record, &Problem{
		Line:   record.line,
		Reason: fmt.Sprintf("%d cells where the header has %d: check for a missing or extra delimiter", len(record.cells), width),
	}
}

// recordsHint estimates the records of the whole file from the records
// read so far and the share of the text they took, but no more than one
// record for each line left.
func (s *csvSource) recordsHint(read int) int {
	offset := int(s.reader.InputOffset())
	if offset <= 0 {
		return read
	}
	estimate := int(float64(read) * float64(len(s.text)) / float64(offset))
	return min(estimate, read+strings.Count(s.text[offset:], "\n")+1)
}

// splitRecord returns the cells of one CSV record, as encoding/csv reads it
// with the delimiter: text is the record as written, through its line
// break, perhaps after blank lines.
func splitRecord(text string, delimiter rune) []string {
	if !strings.Contains(text, `"`) {
		// Without quotes, encoding/csv splits the line at each delimiter
		// after skipping blank lines and dropping the line break. Since
		// normalizeLineBreaks, every CR in the text is part of a CRLF.
		text = strings.TrimLeft(text, "\r\n")
		text = strings.TrimSuffix(text, "\n")
		text = strings.TrimSuffix(text, "\r")
		return strings.Split(text, string(delimiter))
	}
	reader := csv.NewReader(strings.NewReader(text))
	reader.Comma = delimiter
	reader.FieldsPerRecord = -1
	cells, err := reader.Read()
	if err != nil {
		// The text was read as a record once, so it reads again.
		panic(fmt.Sprintf("restock: reading the record %q again: %v", text, err))
	}
	return cells
}

func describeParseError(err *csv.ParseError, skippedLines int) string {
	switch {
	case errors.Is(err.Err, csv.ErrBareQuote):
		return `a quote (") inside a cell that does not start with one: put the whole cell in quotes and double the quotes inside it`
	case errors.Is(err.Err, csv.ErrQuote) && err.Line != err.StartLine:
		return fmt.Sprintf("a quoted cell starts here and is never closed, so everything up to line %d was read as one cell: add the closing quote", err.Line+skippedLines)
	case errors.Is(err.Err, csv.ErrQuote):
		return `text after the closing quote of a cell: put the whole cell in quotes and double the quotes inside it`
	default:
		return fmt.Sprintf("invalid CSV: %v", err.Err)
	}
}

// countEmptyLines counts the empty lines at the start of text, which
// encoding/csv skips without a record, so that they are counted as blank
// rows.
func countEmptyLines(text string) int {
	n := 0
	for {
		end := strings.IndexByte(text, '\n')
		if end < 0 || strings.TrimRight(text[:end], "\r") != "" {
			return n
		}
		n++
		text = text[end+1:]
	}
}
