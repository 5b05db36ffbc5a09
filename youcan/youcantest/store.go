// Package youcantest provides Store, an in-memory fake of the YouCan Shop
// API endpoints that restock uses: the inventory increment and decrement,
// reading one product and listing products. Tests serve it with any HTTP
// server, and the tool's sandbox mode serves it with Start.
//
// The fake follows the documented API where there is documentation and
// makes a stated choice where there is none. Each choice is noted where it
// is made. The fake does not prove how the real API behaves.
package youcantest

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"sync"
	"time"
)

// SeedProduct is a product to put in a Store.
type SeedProduct struct {
	ID       string
	Name     string
	Variants []SeedVariant
}

// SeedVariant is a variant of a SeedProduct.
type SeedVariant struct {
	ID         string
	SKU        string            // empty for no SKU, which the API sends as null
	Variations map[string]string // option name to value, empty for a default variant
	Inventory  int
	IsDefault  bool
}

// Request is a request that a Store received.
type Request struct {
	Method string
	Path   string // the URL path, without the query

	// ProductID is the product id in the path, or "" for GET /products.
	ProductID string

	// VariantID and Quantity are the variant id and the inventory of an
	// increment or decrement body. VariantID is taken from "variant_id",
	// else from "varaint_id". Quantity is 0 unless "inventory" is a JSON
	// integer. Both are empty for other requests.
	VariantID string
	Quantity  int

	// Status is the status code of the response, or 0 when none was sent
	// because a fault closed the connection, the client went away, or the
	// request is still being served.
	Status int

	Received time.Time

	// Applied reports whether the request changed a stock level.
	Applied bool
}

// Store is a fake YouCan store that serves the API over HTTP. The zero value
// is not usable: create one with NewStore or Sandbox. A Store is safe for
// concurrent use.
type Store struct {
	token string

	mu       sync.Mutex
	products []*product // in seed order, which is the order of GET /products
	byID     map[string]*product
	requests []Request
	faults   []*pendingFault
	latency  time.Duration
	legacy   bool
}

type product struct {
	id        string
	name      string
	variants  []*variant
	updatedAt time.Time
}

type variant struct {
	id         string
	sku        string
	variations map[string]string
	inventory  int
	isDefault  bool
}

// NewStore returns a store that contains a copy of products and accepts
// requests that carry token as a bearer token. An empty token rejects every
// request with 401. NewStore panics if a product or variant id is empty or
// appears twice, because such a seed makes lookups ambiguous.
func NewStore(token string, products []SeedProduct) *Store {
	s := &Store{token: token, byID: make(map[string]*product, len(products))}
	variantIDs := make(map[string]bool)
	created := time.Now().UTC().Truncate(time.Second)

	for _, seed := range products {
		if seed.ID == "" || s.byID[seed.ID] != nil {
			panic(fmt.Sprintf("youcantest: product id %q is empty or appears twice in the seed", seed.ID))
		}
		p := &product{id: seed.ID, name: seed.Name, updatedAt: created}
		for _, seedVariant := range seed.Variants {
			if seedVariant.ID == "" || variantIDs[seedVariant.ID] {
				panic(fmt.Sprintf("youcantest: variant id %q is empty or appears twice in the seed", seedVariant.ID))
			}
			variantIDs[seedVariant.ID] = true
			p.variants = append(p.variants, &variant{
				id:         seedVariant.ID,
				sku:        seedVariant.SKU,
				variations: maps.Clone(seedVariant.Variations),
				inventory:  seedVariant.Inventory,
				isDefault:  seedVariant.IsDefault,
			})
		}
		s.products = append(s.products, p)
		s.byID[p.id] = p
	}
	return s
}

// Start serves the store with net/http on a free port of 127.0.0.1. It
// returns the base URL, such as "http://127.0.0.1:41234", and a function
// that shuts the server down and returns once it has stopped. Requests still
// running after two seconds are cut off. Calling stop more than once is
// safe.
func (s *Store) Start() (baseURL string, stop func(), err error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the fake store: %w", err)
	}

	server := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		server.Serve(listener) // returns http.ErrServerClosed after Shutdown
	}()

	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if server.Shutdown(ctx) != nil {
				server.Close()
			}
			<-served
		})
	}
	return "http://" + listener.Addr().String(), stop, nil
}

// Inventory returns the stock of a product's variant, and false if the
// product has no such variant.
func (s *Store) Inventory(productID, variantID string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[productID]
	if p == nil {
		return 0, false
	}
	v := p.variant(variantID)
	if v == nil {
		return 0, false
	}
	return v.inventory, true
}

// ProductInventory returns the total stock of a product over its variants,
// and false if there is no such product.
func (s *Store) ProductInventory(productID string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[productID]
	if p == nil {
		return 0, false
	}
	return p.inventory(), true
}

// Requests returns a copy of every request received, in arrival order.
func (s *Store) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// SetLatency sets a delay added before responding to every request. A
// request whose client goes away during the delay is not served.
func (s *Store) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetLegacyShape makes increments and decrements return the older short
// response {"message", "code": "UPDATED", "data": {"product_inventory",
// "variant_inventory"}} in place of the updated variant.
func (s *Store) SetLegacyShape(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.legacy = on
}

func (p *product) variant(id string) *variant {
	for _, v := range p.variants {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (p *product) inventory() int {
	total := 0
	for _, v := range p.variants {
		total += v.inventory
	}
	return total
}

// Levels returns the stock of every variant, by variant id, so that a
// sandbox can keep its levels between runs.
func (s *Store) Levels() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	levels := make(map[string]int)
	for _, p := range s.products {
		for _, v := range p.variants {
			levels[v.id] = v.inventory
		}
	}
	return levels
}

// SetLevels sets the stock of the variants that levels names, by variant
// id. Ids the store does not have are ignored.
func (s *Store) SetLevels(levels map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.products {
		for _, v := range p.variants {
			if level, ok := levels[v.id]; ok {
				v.inventory = level
			}
		}
	}
}
