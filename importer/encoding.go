package importer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// Byte-order marks, which name the encoding of the text that follows.
const (
	bomUTF8    = "\xEF\xBB\xBF"
	bomUTF16LE = "\xFF\xFE"
	bomUTF16BE = "\xFE\xFF"
)

// encodingAliases maps the names that Windows and Python use to the IANA
// names that golang.org/x/text looks up.
var encodingAliases = map[string]string{
	"utf8":    "utf-8",
	"cp1252":  "windows-1252",
	"cp1256":  "windows-1256",
	"latin-1": "iso-8859-1",
}

// ParseEncoding checks the name of a character encoding, such as
// "windows-1252", "iso-8859-1" or "utf-16le", and returns it in lower case.
// Any encoding in the IANA registry that golang.org/x/text implements is
// accepted, and so are cp1252, cp1256, utf8 and latin-1.
func ParseEncoding(name string) (string, error) {
	_, canonical, err := lookupEncoding(name)
	return canonical, err
}

func lookupEncoding(name string) (encoding.Encoding, string, error) {
	canonical := strings.ToLower(strings.TrimSpace(name))
	if alias, ok := encodingAliases[canonical]; ok {
		canonical = alias
	}
	enc, err := ianaindex.IANA.Encoding(canonical)
	if err != nil || enc == nil {
		return nil, "", fmt.Errorf("unknown encoding %q: use utf-8, windows-1252, iso-8859-1, windows-1256 or utf-16le, for example", name)
	}
	return enc, canonical, nil
}

// isUTF16 reports whether an encoding name, as ParseEncoding returns it, is
// one of the UTF-16 forms.
func isUTF16(name string) bool {
	return strings.HasPrefix(name, "utf-16")
}

// decodeText returns the text of a CSV file in UTF-8, without a byte-order
// mark. encodingName is an --encoding value, or "" for UTF-8, or UTF-16 when
// the file starts with a UTF-16 byte-order mark. Text that cannot be what
// the user says it is returns a problem that names the line and the fix.
// The text of a UTF-8 file shares the memory of data, so data must not
// change afterwards.
func decodeText(data []byte, encodingName string) (string, *Problem) {
	if encodingName == "" {
		encodingName = "utf-8"
	}
	enc, name, err := lookupEncoding(encodingName)
	if err != nil {
		return "", &Problem{Reason: err.Error()}
	}

	switch {
	case bytes.HasPrefix(data, []byte(bomUTF8)):
		if name != "utf-8" {
			return "", &Problem{Line: 1, Reason: fmt.Sprintf("the file starts with a UTF-8 byte-order mark, so it is UTF-8 and --encoding %s would misread it: drop --encoding", name)}
		}
		return checkUTF8(data[len(bomUTF8):])
	case bytes.HasPrefix(data, []byte(bomUTF16LE)), bytes.HasPrefix(data, []byte(bomUTF16BE)):
		if name != "utf-8" && !isUTF16(name) {
			return "", &Problem{Line: 1, Reason: fmt.Sprintf("the file starts with a UTF-16 byte-order mark, so it is UTF-16 and --encoding %s would misread it: drop --encoding", name)}
		}
		// The byte-order mark sets which byte comes first, whatever the
		// name given.
		return decodeUTF16(data)
	case name == "utf-8":
		return checkUTF8(data)
	case isUTF16(name):
		// Without a byte-order mark, "utf-16" is read as little-endian, the
		// order Windows writes.
		if name == "utf-16" {
			enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
		}
		return decodeWith(enc, data)
	}

	if i := firstNonASCII(data); i >= 0 && utf8.Valid(data) {
		r, _ := utf8.DecodeRune(data[i:])
		return "", &Problem{
			Line:   lineAt(data, i),
			Reason: fmt.Sprintf("the file is valid UTF-8 (it has %q), so --encoding %s would misread it: drop --encoding", string(r), name),
		}
	}
	return decodeWith(enc, data)
}

// decodeUTF16 decodes text that starts with a UTF-16 byte-order mark.
func decodeUTF16(data []byte) (string, *Problem) {
	return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), data)
}

func decodeWith(enc encoding.Encoding, data []byte) (string, *Problem) {
	text, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return "", &Problem{Reason: fmt.Sprintf("cannot decode the file: %v: re-save it as \"CSV UTF-8\"", err)}
	}
	return string(text), nil
}

// checkUTF8 returns data as text when it is UTF-8 text: a problem otherwise,
// at the line of the first byte that is not. The text is data itself, not a
// copy, so that a large file is not held in memory twice.
func checkUTF8(data []byte) (string, *Problem) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		// ASCII text in UTF-16 has a NUL byte after each character, or
		// before it when the most significant byte comes first.
		guess := "utf-16le"
		if i%2 == 0 {
			guess = "utf-16be"
		}
		return "", &Problem{
			Line:   lineAt(data, i),
			Reason: fmt.Sprintf("the file has NUL bytes, so it is most likely UTF-16 text without a byte-order mark, such as Excel's \"Unicode Text\": re-save it as \"CSV UTF-8\", or pass --encoding %s", guess),
		}
	}
	if utf8.Valid(data) {
		return unsafe.String(unsafe.SliceData(data), len(data)), nil
	}

	i := firstInvalidUTF8(data)
	line := lineAt(data, i)
	start := bytes.LastIndexAny(data[:i], "\r\n") + 1
	context := "at the start of the line"
	if before := lastRunes(data[start:i], 20); before != "" {
		context = fmt.Sprintf("after %q", before)
	}
	return "", &Problem{
		Line: line,
		Reason: fmt.Sprintf("byte 0x%02X %s is not UTF-8: the file was saved in another encoding, most likely Windows-1252 (Excel's \"CSV (comma delimited)\"), so re-save it as \"CSV UTF-8\", or pass --encoding windows-1252 (or iso-8859-1)",
			data[i], context),
	}
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

func firstNonASCII(data []byte) int {
	for i, b := range data {
		if b >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

// lastRunes returns at most n runes from the end of valid UTF-8 text.
func lastRunes(text []byte, n int) string {
	runes := []rune(string(text))
	return string(runes[max(len(runes)-n, 0):])
}

// lineAt returns the line of the byte at offset: one more than the line
// breaks before it, where LF, CRLF and a lone CR each count once.
func lineAt(data []byte, offset int) int {
	line := 1
	for i := 0; i < offset; i++ {
		switch {
		case data[i] == '\n':
			line++
		case data[i] == '\r' && (i+1 >= len(data) || data[i+1] != '\n'):
			line++
		}
	}
	return line
}
