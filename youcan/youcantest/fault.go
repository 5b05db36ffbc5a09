package youcantest

import (
	"slices"
	"strings"
	"time"
)

// Fault makes the store fail the requests that match it. A request matches
// when its method, the product id in its path and the variant id in its body
// equal the non-empty ones of Method, ProductID and VariantID.
type Fault struct {
	Method    string // "" matches any method
	ProductID string // "" matches any product
	VariantID string // "" matches any variant

	// Times is the number of matching requests that the fault hits. 0
	// means 1.
	Times int

	// Status is the status code to respond with, such as 429, 500 or 401.
	// When 0, the request is served normally after Delay.
	Status int

	// RetryAfter is the value of a Retry-After header. When "", none is
	// sent.
	RetryAfter string

	// Body is the raw response body. When "", the body is JSON in the API's
	// error shape for Status, such as {"status": 402, "error": "store is suspended"}.
	Body string

	// ApplyFirst applies the request as if it succeeded before responding
	// with Status or closing the connection, so the client does not learn
	// that its change was applied.
	ApplyFirst bool

	// CloseConnection reads the request and then closes the connection
	// without a response. Status, RetryAfter and Body are then unused.
	CloseConnection bool

	// Delay is added to the store's latency for the matching request.
	Delay time.Duration
}

type pendingFault struct {
	Fault
	remaining int
}

// Inject adds a fault. Each request consumes at most one fault: the earliest
// injected one that matches it and has hits left.
func (s *Store) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	remaining := f.Times
	if remaining <= 0 {
		remaining = 1
	}
	s.faults = append(s.faults, &pendingFault{Fault: f, remaining: remaining})
}

// takeFault consumes one hit of the earliest fault that matches, and
// returns nil when none does. s.mu must be held.
func (s *Store) takeFault(method, productID, variantID string) *Fault {
	for i, pending := range s.faults {
		f := &pending.Fault
		if f.Method != "" && !strings.EqualFold(f.Method, method) ||
			f.ProductID != "" && f.ProductID != productID ||
			f.VariantID != "" && f.VariantID != variantID {
			continue
		}
		pending.remaining--
		if pending.remaining == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		fault := *f
		return &fault
	}
	return nil
}
