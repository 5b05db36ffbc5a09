package youcan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is the base URL of the YouCan Shop API.
const DefaultBaseURL = "https://api.youcan.shop"

const (
	// maxBodySize caps the body of a 2xx response. A page of 50 products
	// with their variants is far below it.
	maxBodySize = 8 << 20

	// maxErrorBodySize caps the body of a non-2xx response, which only
	// carries a message.
	maxErrorBodySize = 64 << 10
)

// Timeouts of the HTTP client that NewClient builds when given none. They
// bound each step of a request, while the deadline of the caller's context
// bounds the whole request.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
)

// Client calls the YouCan Shop API with one store's access token.
// A Client is safe for concurrent use by multiple goroutines.
type Client struct {
	baseURL    string // absolute, without a trailing slash
	token      string
	httpClient *http.Client
	userAgent  string
}

// NewClient returns a client for the API at baseURL, such as DefaultBaseURL,
// that authenticates with token as a bearer token.
//
// A trailing slash on baseURL is ignored. If httpClient is nil, the client
// uses one with dial, TLS handshake and response header timeouts but no
// overall timeout, so callers bound each request with the deadline of its
// context. The client never follows redirects, because Go's HTTP client
// would turn a redirected PUT into a GET. A 3xx response is returned as an
// *Error instead. userAgent is sent as the User-Agent header, for example
// "restock/0.1.0". When it is empty, Go's default is sent.
//
// NewClient returns an error if baseURL is not an absolute http or https URL
// or if token contains a control character such as a line break.
func NewClient(baseURL, token string, httpClient *http.Client, userAgent string) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if strings.ContainsFunc(token, isControl) {
		// The token itself stays out of the message.
		return nil, errors.New("invalid API token: it contains a control character such as a line break; copy the token again without it")
	}

	var hc http.Client
	if httpClient != nil {
		hc = *httpClient
	} else {
		hc = http.Client{Transport: newTransport()}
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}

	return &Client{baseURL: base, token: token, httpClient: &hc, userAgent: userAgent}, nil
}

func parseBaseURL(baseURL string) (string, error) {
	const fix = `use an absolute URL such as "` + DefaultBaseURL + `"`

	u, err := url.Parse(baseURL)
	if err != nil {
		// The *url.Error wrapper would repeat the URL.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return "", fmt.Errorf("invalid base URL %q: %v; %s", baseURL, err, fix)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("invalid base URL %q: the scheme must be http or https; %s", baseURL, fix)
	}
	if u.Host == "" {
		return "", fmt.Errorf("invalid base URL %q: the host is missing; %s", baseURL, fix)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("invalid base URL %q: it must not contain a query or a fragment; %s", baseURL, fix)
	}
	return strings.TrimRight(baseURL, "/"), nil
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f
}

// maxIdleConnsPerHost is how many idle connections to the API the default
// transport keeps for reuse: as many as restock's default cap on requests in
// flight (--concurrency 256), so that a run at that cap dials each connection
// once rather than once per request.
//
// NOTE: A --concurrency above 256 still works, but closes the connections
// beyond this count after each request and dials them again.
const maxIdleConnsPerHost = 256

// newTransport returns a copy of http.DefaultTransport, or a new transport
// if a program replaced it, with timeouts on each step of a request and
// maxIdleConnsPerHost idle connections kept.
func newTransport() *http.Transport {
	transport := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	if defaultTransport, ok := http.DefaultTransport.(*http.Transport); ok {
		transport = defaultTransport.Clone()
	}
	transport.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	transport.TLSHandshakeTimeout = tlsHandshakeTimeout
	transport.ResponseHeaderTimeout = responseHeaderTimeout
	transport.MaxIdleConnsPerHost = maxIdleConnsPerHost
	if transport.MaxIdleConns != 0 { // 0 is no limit
		transport.MaxIdleConns = max(transport.MaxIdleConns, maxIdleConnsPerHost)
	}
	return transport
}

// newRequest builds a request for path, which starts with a slash and has
// its ids already escaped. A non-nil body is sent as JSON.
func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body any) (*http.Request, error) {
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}

	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode the body of %s %s: %w", method, path, err)
		}
		reader = bytes.NewReader(encoded)
	}

	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("build the request %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// do sends req and decodes a 2xx response body with decode. It returns an
// *Error for a non-2xx response and a *RequestError when no usable response
// arrived.
func (c *Client) do(req *http.Request, decode func(body []byte) error) error {
	// wrote records whether the whole request reached the connection. Only
	// then may the server have acted on it.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	ctx := req.Context()
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))

	resp, err := c.httpClient.Do(req)
	if err != nil {
		// The *url.Error wrapper repeats the method and URL that
		// RequestError already carries.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return newRequestError(ctx, req, 0, wrote.Load(), err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return checkResponse(req, resp)
	}

	body, err := readBody(resp.Body, maxBodySize)
	if err == nil {
		err = decode(body)
	}
	if err != nil {
		// The server responded with 2xx, so the request was written even if
		// the trace saw no WroteRequest event.
		err = fmt.Errorf("read the %s response: %w", statusLine(resp.StatusCode), err)
		return newRequestError(ctx, req, resp.StatusCode, true, err)
	}
	return nil
}

// readBody reads body up to limit bytes and fails if it is longer.
func readBody(body io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the body is larger than %d MiB", limit>>20)
	}
	return data, nil
}

func newRequestError(ctx context.Context, req *http.Request, status int, wrote bool, err error) *RequestError {
	// Keep errors.Is(err, context.Canceled) and DeadlineExceeded true when
	// the context ended, whatever error the transport reported for it.
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	return &RequestError{
		Method:       req.Method,
		URL:          req.URL.Redacted(),
		Err:          err,
		WroteRequest: wrote,
		StatusCode:   status,
	}
}

// escapeID escapes id as one path segment. It rejects the ids that cannot be
// one: empty, "." and "..".
func escapeID(kind, id string) (string, error) {
	switch id {
	case "":
		return "", fmt.Errorf("missing %s id", kind)
	case ".", "..":
		return "", fmt.Errorf("invalid %s id %q: not a YouCan id, which is a UUID", kind, id)
	}
	return url.PathEscape(id), nil
}
