package youcan

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxMessageSize caps Error.Message when it comes from a body that is not
// JSON, such as a proxy's HTML error page.
const maxMessageSize = 256

// Error is a non-2xx response from the API.
type Error struct {
	Method string // the request method, such as "PUT"
	URL    string // the request URL, which never contains the token

	StatusCode int

	// Message is the body's "detail", else its "error", else its "message",
	// else the raw body on one line and cut to 256 bytes. For an HTML body it
	// is the page title when there is one.
	Message string

	// Fields maps each invalid request field to its messages, from the
	// meta.fields of a 422 response. It is nil for any other status.
	Fields map[string][]string

	// RetryAfter is the delay requested by the Retry-After header. It is 0
	// when the header is absent or cannot be parsed, and when its date is
	// already past.
	RetryAfter time.Duration
}

// Error returns the error on one line, such as
// "PUT https://api.youcan.shop/products/…/inventory/increment: 422 Unprocessable Entity:
// The given data was invalid. (inventory: The inventory must be at least 1.)".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.Method, e.URL, statusLine(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		names := make([]string, 0, len(e.Fields))
		for name := range e.Fields {
			names = append(names, name)
		}
		slices.Sort(names)

		b.WriteString(" (")
		for i, name := range names {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(name)
			b.WriteString(": ")
			b.WriteString(strings.Join(e.Fields[name], " "))
		}
		b.WriteString(")")
	}
	return b.String()
}

// RequestError is a request that got no usable response: the connection
// failed, the context ended, or a 2xx response could not be read or decoded.
type RequestError struct {
	Method string
	URL    string // the request URL, which never contains the token
	Err    error

	// WroteRequest reports whether the whole request was written to the
	// connection before the failure. When false, the server cannot have
	// acted on it. When true, it may have: a PUT may have been applied.
	WroteRequest bool

	// StatusCode is the status of a 2xx response whose body could not be
	// read or decoded, so the server did act on the request. It is 0 when
	// no response arrived.
	StatusCode int
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// statusLine returns the status code and its text, such as "404 Not Found".
func statusLine(code int) string {
	if text := http.StatusText(code); text != "" {
		return strconv.Itoa(code) + " " + text
	}
	return strconv.Itoa(code)
}

// checkResponse turns a non-2xx response into an *Error. It reads at most
// maxErrorBodySize bytes of the body.
func checkResponse(req *http.Request, resp *http.Response) *Error {
	apiErr := &Error{
		Method:     req.Method,
		URL:        req.URL.Redacted(),
		StatusCode: resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), resp.Header.Get("Date"), time.Now()),
	}

	// A body cut at the cap or a failed read leaves what was read, which is
	// still the best message there is.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodySize))

	var parsed errorBody
	if json.Unmarshal(body, &parsed) == nil {
		apiErr.Message = oneLine(firstNonEmpty(parsed.Detail, parsed.Error, parsed.Message))
		if resp.StatusCode == http.StatusUnprocessableEntity {
			apiErr.Fields = parsed.fields()
		}
	}
	if apiErr.Message == "" {
		apiErr.Message = rawMessage(body)
	}
	if apiErr.Message == "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if location := resp.Header.Get("Location"); location != "" {
			apiErr.Message = "redirected to " + oneLine(location) + ", so check the base URL"
		}
	}
	return apiErr
}

// errorBody is the JSON body of an error response, such as
// {"status": 422, "detail": "The given data was invalid.", "meta": {"fields": {...}}}.
// Every message key is optional and a key of an unexpected type is ignored.
type errorBody struct {
	Detail  looseString     `json:"detail"`
	Error   looseString     `json:"error"`
	Message looseString     `json:"message"`
	Meta    json.RawMessage `json:"meta"` // an object, or [] when empty
}

func (b *errorBody) fields() map[string][]string {
	var meta struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if json.Unmarshal(b.Meta, &meta) != nil || len(meta.Fields) == 0 {
		return nil
	}

	fields := make(map[string][]string, len(meta.Fields))
	for name, raw := range meta.Fields {
		// Laravel sends a list of messages, but a single string is accepted
		// too.
		var messages []looseString
		if json.Unmarshal(raw, &messages) != nil {
			var message looseString
			if json.Unmarshal(raw, &message) != nil {
				continue
			}
			messages = []looseString{message}
		}
		for _, message := range messages {
			if text := oneLine(string(message)); text != "" {
				fields[name] = append(fields[name], text)
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return fields
}

func firstNonEmpty(values ...looseString) string {
	for _, value := range values {
		if strings.TrimSpace(string(value)) != "" {
			return string(value)
		}
	}
	return ""
}

var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// rawMessage returns a body that is not JSON as a one-line message: the
// title of an HTML page, or else the text cut to maxMessageSize bytes.
func rawMessage(body []byte) string {
	if match := htmlTitle.FindSubmatch(body); match != nil {
		if title := oneLine(string(match[1])); title != "" {
			return truncate(title, maxMessageSize)
		}
	}
	return truncate(oneLine(string(body)), maxMessageSize)
}

// oneLine replaces control characters and runs of white space with one
// space, so that a message from the server cannot break a log line or a
// terminal, and trims the result.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most limit bytes on a rune boundary and appends an
// ellipsis when it cut anything.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// parseRetryAfter parses a Retry-After value, in seconds such as "2" or
// "0.5", or an HTTP date. A date is measured from the response's Date header
// when it parses, else from now. It returns 0 for an empty or invalid value
// and for a date in the past.
func parseRetryAfter(value, date string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}

	if isDecimal(value) {
		seconds, err := strconv.ParseFloat(value, 64)
		// A delay beyond what a Duration holds (about 292 years) is not a
		// sensible value, so it counts as invalid.
		if err != nil || seconds*float64(time.Second) >= math.MaxInt64 {
			return 0
		}
		return time.Duration(seconds * float64(time.Second))
	}

	at, err := http.ParseTime(value)
	if err != nil {
		return 0
	}
	if sent, err := http.ParseTime(date); err == nil {
		now = sent
	}
	return max(at.Sub(now), 0)
}

// isDecimal reports whether s is digits with at most one decimal point,
// which rules out the signs, exponents, hex and "Inf" that ParseFloat takes.
func isDecimal(s string) bool {
	digits, points := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}
