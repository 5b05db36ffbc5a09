package importer

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// parseID parses a YouCan id: a UUID in its 36-character form, in any case.
// The caller reports an empty value, whose meaning depends on the row.
func parseID(value, kind string) (uuid.UUID, error) {
	// Most cells hold the id alone. Such a cell is neither a spreadsheet
	// error value nor a number, so it needs none of the checks below.
	if len(value) == 36 {
		if id, err := uuid.Parse(value); err == nil {
			return id, nil
		}
	}

	s := cellText(value)
	if err := describeSpreadsheetValue(s, kind+" id", "type the id again"); err != nil {
		return uuid.UUID{}, err
	}
	// uuid.Parse also accepts braces, a urn:uuid: prefix and 32 bare hex
	// digits; YouCan ids are only ever written in the 36-character form.
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.UUID{}, fmt.Errorf("is not a valid %s id: expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954", kind)
	}
	return id, nil
}

// parseSKU checks a non-empty SKU cell and returns the SKU to look up.
func parseSKU(value string) (string, error) {
	s := cellText(value)
	if err := describeSpreadsheetValue(s, "SKU", "type the SKUs again"); err != nil {
		return "", err
	}
	if i := strings.IndexFunc(s, isHiddenCharacter); i >= 0 {
		r := []rune(s[i:])[0]
		return "", fmt.Errorf("contains the invisible character %U: delete it, since the store's SKU has none", r)
	}
	return s, nil
}

// cellText returns a cell's value without the spaces and tabs around it and
// without a leading apostrophe, which Excel and Google Sheets use to mark a
// cell as text and which some exports keep.
func cellText(value string) string {
	return strings.TrimPrefix(trimSpaceAndTab(value), "'")
}

// scientificNotation matches a number as a spreadsheet shows a long one it
// has turned into a float, such as "1.23457E+31" or, in a French locale,
// "1,23457E+31". Spreadsheets always write the exponent's sign, so a SKU
// such as "12E4" does not match.
var scientificNotation = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?[eE][+-][0-9]+$`)

// excelErrors are the error values that Excel and LibreOffice write in place
// of a formula's result, in English, French and German.
var excelErrors = map[string]bool{
	"#N/A": true, "#NV": true, "#REF!": true, "#BEZUG!": true, "#VALUE!": true,
	"#VALEUR!": true, "#WERT!": true, "#DIV/0!": true, "#NAME?": true, "#NOM?": true,
	"#NUM!": true, "#NOMBRE!": true, "#ZAHL!": true, "#NULL!": true, "#NUL!": true,
	"#SPILL!": true, "#CALC!": true,
}

// describeSpreadsheetValue returns an error for an identifier cell that a
// spreadsheet has turned into something else: a formula's error value, or a
// rounded number in scientific notation. valueName names the value
// ("product id", "SKU"), and retype is the fix that gets it back.
func describeSpreadsheetValue(s, valueName, retype string) error {
	switch {
	case excelErrors[strings.ToUpper(s)]:
		return fmt.Errorf("is a spreadsheet error value: the formula that fills this cell failed, so fix the formula or %s", retype)
	case scientificNotation.MatchString(s):
		return fmt.Errorf("is a number in scientific notation: the spreadsheet read the %s as a number and rounded it, so format the column as Text and %s", valueName, retype)
	}
	return nil
}

// isHiddenCharacter reports characters that do not show in a spreadsheet
// cell: spaces other than ' ', such as the no-break space, and format
// characters, such as the zero-width space and the right-to-left mark.
func isHiddenCharacter(r rune) bool {
	return (unicode.IsSpace(r) && r != ' ') || unicode.Is(unicode.Cf, r)
}

// parseQuantity parses a number of units to add: decimal digits only, at
// least 1 and at most MaxQuantity. Leading zeros are allowed ("010" is ten).
// The error explains what is wrong with the value in a spreadsheet user's terms.
func parseQuantity(value string) (int, error) {
	if n, ok := parsePlainQuantity(value); ok {
		return n, nil
	}

	s := cellText(value)
	if s == "" {
		return 0, errors.New("is empty: write the number of units to add, at least 1")
	}
	if excelErrors[strings.ToUpper(s)] {
		return 0, errors.New("is a spreadsheet error value: the formula that fills this cell failed, so fix the formula or type the number of units")
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

// parsePlainQuantity parses the common form of a quantity: at most 9 ASCII
// digits, not all zeros, with nothing around them. It returns false for
// any other value, which parseQuantity then checks and explains.
func parsePlainQuantity(value string) (int, bool) {
	if value == "" || len(value) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(value); i++ {
		digit := value[i] - '0'
		if digit > 9 {
			return 0, false
		}
		n = n*10 + int(digit)
	}
	return n, n > 0
}

// describeBadQuantity explains why s, which is not all ASCII digits, is not a
// quantity.
func describeBadQuantity(s string) error {
	rest := s[1:]
	if err := describeSeparators(s); err != nil {
		return err
	}
	switch {
	case s[0] == '-' && isASCIIDigits(rest):
		return errors.New("is negative: restock only adds stock, so write the number of units to add")
	case s[0] == '+' && isASCIIDigits(rest):
		return errors.New("has a sign: write the number without '+'")
	case strings.HasPrefix(strings.ToLower(s), "0x"):
		return errors.New("is not a decimal number: write it with the digits 0-9")
	case strings.Contains(s, "_"):
		return errors.New("contains '_': write digits only, without separators")
	case scientificNotation.MatchString(s):
		return errors.New("is a number in scientific notation: write the number of units in digits only")
	case strings.ContainsAny(s, ".,") && isASCIIDigits(strings.NewReplacer(".", "", ",", "").Replace(s)):
		return errNotWhole
	case strings.ContainsFunc(s, isNonASCIIDigit):
		return errors.New("uses digits other than 0-9: write it with the digits 0-9")
	default:
		return errors.New("is not a number: write the number of units to add, digits only")
	}
}

var errNotWhole = errors.New("is not a whole number of units: write digits only, without a decimal mark or thousands separator")

// groupSeparators are the characters that spreadsheets put between groups
// of three digits, by locale, with the words that name them in messages.
// The comma and the full stop are also decimal marks, so they are handled
// apart.
var groupSeparators = map[rune]string{
	' ':      "a space",
	'\u00a0': "a no-break space",
	'\u202f': "a narrow no-break space",
	'\u2009': "a thin space",
	'\'':     "an apostrophe",
}

// describeSeparators explains a quantity written with a thousands separator
// or a decimal mark, such as "1 000", "1,000", "5,0" or "1.234,00". It
// returns nil when s is not digits split by such marks.
func describeSeparators(s string) error {
	if !startsAndEndsWithDigit(s) {
		return nil
	}
	var marks []rune // the separators in order
	var groups []string
	start := 0
	for i, r := range s {
		if r >= '0' && r <= '9' {
			continue
		}
		if _, ok := groupSeparators[r]; !ok && r != ',' && r != '.' {
			return nil
		}
		marks = append(marks, r)
		groups = append(groups, s[start:i])
		start = i + len(string(r))
	}
	groups = append(groups, s[start:])
	if slices.Contains(groups, "") {
		return nil
	}

	last := marks[len(marks)-1]
	if name, ok := groupSeparators[last]; ok {
		// Only group separators: a whole number in groups of three.
		if !sameRune(marks) || !inGroupsOfThree(groups) {
			return nil
		}
		return fmt.Errorf("has a thousands separator (%s): write %s, digits only", name, wholeNumber(groups))
	}

	integerGroups, fraction := groups[:len(groups)-1], groups[len(groups)-1]
	thousandMarks := marks[:len(marks)-1]
	switch {
	case len(thousandMarks) > 0 && sameRune(marks) && inGroupsOfThree(groups):
		// "1,234,567": a decimal mark appears once, so several equal marks
		// separate thousands.
		return fmt.Errorf("has thousands separators: write %s, digits only", wholeNumber(groups))
	case len(thousandMarks) > 0 && (!sameRune(thousandMarks) || thousandMarks[0] == last || !inGroupsOfThree(integerGroups)):
		return nil
	case len(thousandMarks) > 0 && isZeros(fraction):
		return fmt.Errorf("has a thousands separator and a decimal mark: write %s, digits only", wholeNumber(integerGroups))
	case len(thousandMarks) > 0:
		return errNotWhole
	case len(fraction) == 3 && len(integerGroups[0]) <= 3:
		// "1,000" and "10.000" read as a thousand or as a decimal,
		// depending on the locale that wrote them.
		decimal := integerGroups[0]
		if !isZeros(fraction) {
			decimal += string(last) + fraction
		}
		return fmt.Errorf("could be %s with a thousands separator, or %s with a decimal mark: write the number of units in digits only",
			wholeNumber(groups), decimal)
	case isZeros(fraction):
		return fmt.Errorf("has a decimal mark: write %s, digits only", wholeNumber(integerGroups))
	default:
		return errNotWhole
	}
}

func startsAndEndsWithDigit(s string) bool {
	return s != "" && s[0] >= '0' && s[0] <= '9' && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func sameRune(runes []rune) bool {
	for _, r := range runes {
		if r != runes[0] {
			return false
		}
	}
	return true
}

// inGroupsOfThree reports whether digit groups read as a number with
// thousands separators: 1 to 3 digits, then groups of exactly 3.
func inGroupsOfThree(groups []string) bool {
	if len(groups[0]) > 3 {
		return false
	}
	for _, group := range groups[1:] {
		if len(group) != 3 {
			return false
		}
	}
	return true
}

func isZeros(s string) bool {
	return strings.Trim(s, "0") == ""
}

// wholeNumber joins digit groups into the number they write, without
// leading zeros.
func wholeNumber(groups []string) string {
	n := strings.TrimLeft(strings.Join(groups, ""), "0")
	if n == "" {
		return "0"
	}
	return n
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
	start, end := 0, len(s)
	for start < end && (s[start] == ' ' || s[start] == '\t') {
		start++
	}
	for end > start && (s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	return s[start:end]
}
