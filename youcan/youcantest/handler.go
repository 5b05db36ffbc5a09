package youcantest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRequestBodySize caps the body that the store reads. An increment body
// is under 200 bytes.
const maxRequestBodySize = 1 << 20

// routeKind is an endpoint of the fake API.
type routeKind int

const (
	routeNotFound routeKind = iota
	routeIncrement
	routeDecrement
	routeGetProduct
	routeListProducts
)

// route is the endpoint that a request path selects.
type route struct {
	kind      routeKind
	productID string
	methods   string // the methods the endpoint supports, as Laravel lists them
}

// response is a response ready to be written.
type response struct {
	status int
	header http.Header
	body   []byte
}

// ServeHTTP serves one API request. Each request is recorded, may consume
// one fault (see Inject), and waits for the latency before the response.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	rt := matchRoute(r.URL.Path)

	var input changeInput
	if rt.kind == routeIncrement || rt.kind == routeDecrement {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBodySize))
		input = parseChangeInput(r.Header.Get("Content-Type"), body)
	}

	s.mu.Lock()
	index := len(s.requests)
	s.requests = append(s.requests, Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		ProductID: rt.productID,
		VariantID: input.variantID,
		Quantity:  input.quantity,
		Received:  received,
	})
	fault := s.takeFault(r.Method, rt.productID, input.variantID)
	delay := s.latency

	var resp response
	applied := false
	if fault != nil {
		delay += fault.Delay
		if fault.ApplyFirst {
			resp, applied = s.handle(r, rt, input)
		}
	}
	s.mu.Unlock()

	if !sleep(r.Context(), delay) {
		s.finish(index, 0, applied)
		return
	}

	switch {
	case fault != nil && fault.CloseConnection:
		s.finish(index, 0, applied)
		closeConnection(w)
		return
	case fault != nil && fault.Status != 0:
		resp = faultResponse(fault)
	case fault == nil || !fault.ApplyFirst:
		s.mu.Lock()
		resp, applied = s.handle(r, rt, input)
		s.mu.Unlock()
	}

	s.finish(index, resp.status, applied)
	for name, values := range resp.header {
		w.Header()[name] = values
	}
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// finish records the outcome of the request at index.
func (s *Store) finish(index, status int, applied bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[index].Status = status
	s.requests[index].Applied = applied
}

// sleep waits for d and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// closeConnection closes the client's connection without a response. When
// the connection cannot be taken over, as with HTTP/2, it aborts the
// response with http.ErrAbortHandler, which net/http servers turn into a
// reset.
func closeConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// matchRoute returns the endpoint for path. Ids are matched as opaque
// strings.
func matchRoute(path string) route {
	segments := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if segments[0] != "products" {
		return route{kind: routeNotFound}
	}

	switch {
	case len(segments) == 1:
		return route{kind: routeListProducts, methods: "GET, HEAD"}
	case segments[1] == "":
		return route{kind: routeNotFound}
	case len(segments) == 2:
		return route{kind: routeGetProduct, productID: segments[1], methods: "GET, HEAD"}
	case len(segments) == 4 && segments[2] == "inventory" && segments[3] == "increment":
		return route{kind: routeIncrement, productID: segments[1], methods: "PUT"}
	case len(segments) == 4 && segments[2] == "inventory" && segments[3] == "decrement":
		return route{kind: routeDecrement, productID: segments[1], methods: "PUT"}
	}
	return route{kind: routeNotFound}
}

// handle applies the request and returns its response and whether it
// changed a stock level. Like Laravel, it checks the route and method
// first, then the token. s.mu must be held.
func (s *Store) handle(r *http.Request, rt route, input changeInput) (response, bool) {
	if rt.kind == routeNotFound {
		return errorResponse(http.StatusNotFound, "The route "+strings.TrimPrefix(r.URL.Path, "/")+" could not be found."), false
	}
	if !methodAllowed(r.Method, rt.methods) {
		// The API responds to a wrong method with 404 and this detail, not 405.
		detail := "The " + r.Method + " method is not supported for this route. Supported methods: " + rt.methods + "."
		return errorResponse(http.StatusNotFound, detail), false
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		return jsonResponse(http.StatusUnauthorized, errorBody(http.StatusUnauthorized)), false
	}

	switch rt.kind {
	case routeIncrement:
		return s.changeInventory(rt.productID, input, +1)
	case routeDecrement:
		return s.changeInventory(rt.productID, input, -1)
	case routeGetProduct:
		return s.getProduct(rt.productID, includesVariants(r)), false
	default:
		return s.listProducts(r), false
	}
}

func methodAllowed(method, methods string) bool {
	for _, allowed := range strings.Split(methods, ", ") {
		if method == allowed {
			return true
		}
	}
	return false
}

// authorized reports whether header is "Bearer " and the store's token.
// The scheme is case-insensitive, as RFC 9110 specifies.
func (s *Store) authorized(header string) bool {
	scheme, token, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || s.token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.token)) == 1
}

func includesVariants(r *http.Request) bool {
	for _, include := range strings.Split(r.URL.Query().Get("include"), ",") {
		if strings.TrimSpace(include) == "variants" {
			return true
		}
	}
	return false
}

// changeInput is the parsed body of an increment or decrement request.
type changeInput struct {
	variantID string
	quantity  int

	// invalid maps each invalid field to Laravel-style messages. It is nil
	// when the body is valid.
	invalid map[string][]string
}

// parseChangeInput parses and validates an increment or decrement body.
// A body that is not declared or written as a JSON object counts as an
// empty one, so its fields are reported missing, as Laravel does with a
// form body it cannot read.
func parseChangeInput(contentType string, body []byte) changeInput {
	var fields map[string]json.RawMessage
	if mediaType, _, err := mime.ParseMediaType(contentType); err == nil &&
		(mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")) {
		json.Unmarshal(body, &fields)
	}

	var input changeInput
	invalid := func(field, message string) {
		if input.invalid == nil {
			input.invalid = make(map[string][]string)
		}
		input.invalid[field] = append(input.invalid[field], message)
	}

	// The documentation spells the key "varaint_id", so the store accepts
	// it and "variant_id". Both must agree when both are sent.
	variantID, variantOK, variantValid := stringField(fields, "variant_id")
	typoID, typoOK, typoValid := stringField(fields, "varaint_id")
	switch {
	case !variantValid || !typoValid:
		invalid("variant_id", "The variant id must be a string.")
	case !variantOK && !typoOK:
		invalid("variant_id", "The variant id field is required.")
	case variantOK && typoOK && variantID != typoID:
		invalid("variant_id", "The variant id and varaint id must match.")
	}
	if variantOK {
		input.variantID = variantID
	} else {
		input.variantID = typoID
	}

	raw := bytes.TrimSpace(fields["inventory"])
	switch {
	case len(raw) == 0 || string(raw) == "null":
		invalid("inventory", "The inventory field is required.")
	case !isJSONInteger(raw):
		invalid("inventory", "The inventory must be an integer.")
	default:
		// NOTE: The maximum is a guess: a MySQL INT column, as Laravel
		// migrations create by default, holds at most 2147483647.
		quantity, err := strconv.ParseInt(string(raw), 10, 32)
		switch {
		case err != nil && quantity > 0:
			invalid("inventory", "The inventory must not be greater than 2147483647.")
		case err != nil || quantity < 1:
			invalid("inventory", "The inventory must be at least 1.")
		}
		if err == nil {
			input.quantity = int(quantity)
		}
	}
	return input
}

// stringField returns fields[key] as a string, whether it is present and not
// null, and whether it is valid: absent, null or a JSON string.
func stringField(fields map[string]json.RawMessage, key string) (value string, present, valid bool) {
	raw := bytes.TrimSpace(fields[key])
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, true
	}
	if json.Unmarshal(raw, &value) != nil {
		return "", true, false
	}
	return value, value != "", true
}

// isJSONInteger reports whether raw is a JSON number without a fraction or
// an exponent.
func isJSONInteger(raw []byte) bool {
	digits := bytes.TrimPrefix(raw, []byte("-"))
	if len(digits) == 0 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// changeInventory adds sign*quantity units to a variant's stock.
//
// NOTE: The real API's response to a decrement below zero is not documented.
// The store allows it, so the stock becomes negative.
func (s *Store) changeInventory(productID string, input changeInput, sign int) (response, bool) {
	p := s.byID[productID]
	if p == nil {
		return productNotFound(), false
	}
	if input.invalid != nil {
		return validationFailed(input.invalid), false
	}
	v := p.variant(input.variantID)
	if v == nil {
		return validationFailed(map[string][]string{"variant_id": {"The selected variant id is invalid."}}), false
	}

	v.inventory += sign * input.quantity
	p.updatedAt = time.Now().UTC().Truncate(time.Second)

	if s.legacy {
		return jsonResponse(http.StatusOK, legacyChangeBody{
			Message: "Product inventory updated successfully.",
			Code:    "UPDATED",
			Data:    legacyChangeData{ProductInventory: p.inventory(), VariantInventory: v.inventory},
		}), true
	}
	body := newVariantBody(p, v)
	productBody := newProductBody(p, false)
	body.Product = &productBody
	return jsonResponse(http.StatusOK, body), true
}

func (s *Store) getProduct(productID string, withVariants bool) response {
	p := s.byID[productID]
	if p == nil {
		return productNotFound()
	}
	return jsonResponse(http.StatusOK, newProductBody(p, withVariants))
}

// Page sizes of GET /products. The API documents a default limit of 10 and
// most likely caps it at 50.
const (
	defaultLimit = 10
	maxLimit     = 50
)

// nextPageHost is the host of the "next" link of a product page. The
// documented example links to a host other than the API's, so clients must
// not follow the link, and this reserved name cannot resolve.
const nextPageHost = "https://api.youcan.invalid"

// listProducts serves GET /products?page=N&limit=L. A missing or invalid
// page is 1 and a missing or invalid limit is the default.
func (s *Store) listProducts(r *http.Request) response {
	query := r.URL.Query()
	page := positiveInt(query.Get("page"), 1)
	limit := min(positiveInt(query.Get("limit"), defaultLimit), maxLimit)
	withVariants := includesVariants(r)

	total := len(s.products)
	totalPages := max((total+limit-1)/limit, 1)
	start := min((page-1)*limit, total)
	end := min(start+limit, total)

	data := make([]productBody, 0, end-start)
	for _, p := range s.products[start:end] {
		data = append(data, newProductBody(p, withVariants))
	}

	// PHP writes an empty links map as [].
	var links any = []any{}
	if page < totalPages {
		next := query
		next.Set("page", strconv.Itoa(page+1))
		links = map[string]string{"next": nextPageHost + "/products?" + next.Encode()}
	}

	return jsonResponse(http.StatusOK, productPageBody{
		Data: data,
		Meta: productPageMeta{Pagination: pagination{
			Total:       total,
			Count:       len(data),
			PerPage:     limit,
			CurrentPage: page,
			TotalPages:  totalPages,
			Links:       links,
		}},
	})
}

func positiveInt(text string, fallback int) int {
	value, err := strconv.Atoi(text)
	if err != nil || value < 1 {
		return fallback
	}
	return value
}
