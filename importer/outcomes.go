package importer

import (
	"fmt"
	"iter"
	"math"
	"sync"
	"unique"
)

// outcomeTable stores the outcome of every request of a run in about 56
// bytes a request, plus the bytes of its SKU, where a slice of Outcome
// would take 112 bytes and two allocations for the levels. The rarer parts
// live beside the slots: product names once per product, current levels in
// their own slice in a dry run, and errors in a map.
//
// Requests of different products may be set from different goroutines at
// once. Each request must be set by one goroutine at a time, and read only
// by that goroutine until the run ends.
type outcomeTable struct {
	slots []outcomeSlot

	// names holds the product names by index in Plan.Products. A product's
	// requests are set by one goroutine, one after another.
	names []string

	// current holds the levels read before each request of a dry run, by
	// request index. Outside a dry run it is nil, and the few outcomes with
	// such levels keep them in extras.
	current []currentLevels

	mu     sync.Mutex // guards extras
	extras map[int]outcomeExtra

	// notSent is the error of the requests still StatusNotAttempted when the
	// run ended, set by runner.finish.
	notSent error
}

// outcomeSlot is the compact form of one Outcome. The zero slot is
// StatusNotAttempted with nothing known.
type outcomeSlot struct {
	inventory        level
	productInventory level
	variant          string
	sku              string

	// product is 1 + the index in outcomeTable.names of the product name
	// this outcome carries, or 0 when it carries none.
	product int32

	status statusCode

	// hasExtra is set when outcomeTable.extras holds this request's error
	// or current levels.
	hasExtra bool
}

// outcomeExtra is the part of an Outcome that most requests of a
// successful run do not have.
type outcomeExtra struct {
	err     error
	current currentLevels // outside a dry run only
}

// currentLevels are Outcome.CurrentInventory and CurrentProductInventory.
type currentLevels struct {
	inventory        level
	productInventory level
}

func newOutcomeTable(requests, products int, dryRun bool) *outcomeTable {
	t := &outcomeTable{
		slots:  make([]outcomeSlot, requests),
		names:  make([]string, products),
		extras: make(map[int]outcomeExtra),
	}
	if dryRun {
		t.current = make([]currentLevels, requests)
	}
	return t
}

// set stores the outcome of the request at index, whose product is at
// productIndex in Plan.Products.
func (t *outcomeTable) set(index, productIndex int, outcome Outcome) {
	slot := outcomeSlot{
		status:           codeOf(outcome.Status),
		inventory:        levelOf(outcome.Inventory),
		productInventory: levelOf(outcome.ProductInventory),
		variant:          intern(outcome.Variant),
		sku:              outcome.SKU,
	}
	if outcome.ProductName != "" {
		t.names[productIndex] = outcome.ProductName
		slot.product = int32(productIndex) + 1
	}

	extra := outcomeExtra{err: outcome.Err}
	current := currentLevels{levelOf(outcome.CurrentInventory), levelOf(outcome.CurrentProductInventory)}
	if t.current != nil {
		t.current[index] = current
	} else {
		extra.current = current
	}
	slot.hasExtra = extra.err != nil || extra.current != currentLevels{}

	hadExtra := t.slots[index].hasExtra
	t.slots[index] = slot
	if !slot.hasExtra && !hadExtra {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if slot.hasExtra {
		t.extras[index] = extra
	} else {
		delete(t.extras, index)
	}
}

// describe replaces the product name, variant label and SKU of the request
// at index, and keeps the rest of its outcome.
func (t *outcomeTable) describe(index, productIndex int, productName string, variant, sku *string) {
	slot := &t.slots[index]
	t.names[productIndex] = productName
	slot.product = int32(productIndex) + 1
	if variant != nil {
		slot.variant = intern(*variant)
	}
	if sku != nil {
		slot.sku = *sku
	}
}

// get returns the outcome of the request at index.
func (t *outcomeTable) get(index int) Outcome {
	slot := &t.slots[index]
	outcome := Outcome{
		Status:           slot.status.status(),
		Inventory:        slot.inventory.pointer(),
		ProductInventory: slot.productInventory.pointer(),
		Variant:          slot.variant,
		SKU:              slot.sku,
	}
	if slot.product > 0 {
		outcome.ProductName = t.names[slot.product-1]
	}

	current := currentLevels{}
	if t.current != nil {
		current = t.current[index]
	}
	if slot.hasExtra {
		t.mu.Lock()
		extra := t.extras[index]
		t.mu.Unlock()
		outcome.Err = extra.err
		if t.current == nil {
			current = extra.current
		}
	}
	outcome.CurrentInventory = current.inventory.pointer()
	outcome.CurrentProductInventory = current.productInventory.pointer()

	if outcome.Status == StatusNotAttempted && outcome.Err == nil {
		outcome.Err = t.notSent
	}
	return outcome
}

// status returns the status of the request at index.
func (t *outcomeTable) status(index int) Status {
	return t.slots[index].status.status()
}

// named reports whether the outcome of the request at index carries a
// product name.
func (t *outcomeTable) named(index int) bool {
	return t.slots[index].product > 0
}

// Outcome returns the outcome of the request at index in Plan.Requests.
func (res *Result) Outcome(index int) Outcome {
	return res.outcomes.get(index)
}

// Outcomes returns the index and the outcome of every request, in the order
// of Plan.Requests.
func (res *Result) Outcomes() iter.Seq2[int, Outcome] {
	return func(yield func(int, Outcome) bool) {
		for i := range res.outcomes.slots {
			if !yield(i, res.outcomes.get(i)) {
				return
			}
		}
	}
}

// intern returns s, sharing its bytes with every other interned copy: the
// same variant labels, such as "size: M", come back for many products.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// level is a stock level or unknown, in 8 bytes: a known level is stored
// with its sign bit flipped, so that the zero level is unknown. The one int
// it cannot hold, math.MinInt64, is no stock level.
type level int64

func levelOf(n *int) level {
	if n == nil {
		return 0
	}
	return level(int64(*n) ^ math.MinInt64)
}

// pointer returns the level as Outcome holds it: nil when unknown.
func (l level) pointer() *int {
	if l == 0 {
		return nil
	}
	n := int(int64(l) ^ math.MinInt64)
	return &n
}

// statusCode is a Status in one byte. The zero code is StatusNotAttempted,
// the status of a request until its outcome is set.
type statusCode uint8

var statusOfCode = [...]Status{StatusNotAttempted, StatusApplied, StatusFailed, StatusUnknown, StatusValid}

func codeOf(status Status) statusCode {
	for code, s := range statusOfCode {
		if s == status {
			return statusCode(code)
		}
	}
	panic(fmt.Sprintf("importer: outcome with unknown status %q", status))
}

func (c statusCode) status() Status {
	return statusOfCode[c]
}
