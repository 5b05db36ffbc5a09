package importer

import (
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/google/uuid"
)

// Request is one increment to send: a quantity for one variant. It stands
// for one input row, or for several rows of the same variant when duplicates
// are merged.
type Request struct {
	Index     int // position in Plan.Requests
	ProductID uuid.UUID
	VariantID uuid.UUID
	Quantity  int

	// Rows are the indexes in Input.Rows of the rows this request applies,
	// in file order.
	Rows []int
}

// ProductPlan is the requests for one product, in the order of their first
// row in the file. They are sent one after another, so that no two requests
// race on one product's stock.
type ProductPlan struct {
	ProductID uuid.UUID
	Requests  []*Request
}

// Plan is the work of one run: every request, grouped by product.
type Plan struct {
	Input *Input

	// Products are in the order of their first row in the file.
	Products []*ProductPlan

	// Requests are all requests, in the order of their first row.
	Requests []*Request

	// MergedLines counts the rows that were added to an earlier row's
	// request by merging duplicates.
	MergedLines int

	// Unresolved holds the rows whose variant the store's catalogue could
	// not name (an unknown or shared SKU, a product with several variants),
	// by index in Input.Rows, with the reason. They are in no request: each
	// fails on its own and the other rows are sent.
	Unresolved map[int]error
}

// RowsToSend returns the number of input rows that the plan's requests
// apply.
func (p *Plan) RowsToSend() int {
	return len(p.Input.Rows) - len(p.Unresolved)
}

type variantKey struct {
	product, variant uuid.UUID
}

func (r *Row) variantKey() variantKey {
	return variantKey{r.ProductID, r.VariantID}
}

// NewPlan groups the rows of in into requests. The same variant of the same
// product on several rows is an *InvalidInputError listing those lines,
// unless merge is true: then their quantities are added up into one request.
// A merged quantity above MaxQuantity is an error too.
func NewPlan(in *Input, merge bool) (*Plan, error) {
	plan, problems := buildPlan(in, merge, nil)
	if len(problems) > 0 {
		return nil, &InvalidInputError{Name: in.Name, Problems: problems}
	}
	return plan, nil
}

// buildPlan groups the rows into requests and returns the problems with
// duplicate rows. The rows in unresolved are left out of every request.
//
// The requests, their one-row Rows slices, the products and their Requests
// slices each share one backing array, so that a plan of a million rows
// takes a few allocations rather than a few million.
func buildPlan(in *Input, merge bool, unresolved map[int]error) (*Plan, []Problem) {
	plan := &Plan{Input: in, Unresolved: unresolved}
	if len(unresolved) == 0 && in.distinct.set && in.distinct.rows == len(in.Rows) {
		if planDistinctRows(plan, in.distinct.checksum) {
			return plan, nil
		}
		// The rows changed after LoadInput marked them.
		plan.Requests, plan.Products = nil, nil
	}

	requests := groupByVariant(plan, unresolved)
	if len(requests) > 0 {
		plan.Requests = make([]*Request, len(requests))
		for i := range requests {
			plan.Requests[i] = &requests[i]
		}
		plan.Products = groupByProduct(requests, func(i int) uuid.UUID { return requests[i].ProductID })
	}
	return plan, duplicateProblems(in, plan.Requests, merge)
}

// groupByVariant returns one request for each variant of the rows, except
// the rows in unresolved, in the order of its first row, and counts the
// rows merged into an earlier row's request in plan.MergedLines.
func groupByVariant(plan *Plan, unresolved map[int]error) []Request {
	rows := plan.Input.Rows
	// No more requests than rows, so appending never moves the requests
	// that the plan will point to.
	requests := make([]Request, 0, len(rows))
	firstRows := make([]int, len(rows))
	requestOf := newKeyIndex(len(rows), func(position int32) variantKey {
		return requests[position].variantKey()
	})
	for i := range rows {
		if _, skip := unresolved[i]; skip {
			continue
		}
		row := &rows[i]
		if position, found := requestOf.findOrAdd(row.variantKey(), int32(len(requests))); found {
			request := &requests[position]
			request.Rows = append(request.Rows, i)
			request.Quantity += row.Quantity
			plan.MergedLines++
			continue
		}

		index := len(requests)
		firstRows[index] = i
		requests = append(requests, Request{
			Index:     index,
			ProductID: row.ProductID,
			VariantID: row.VariantID,
			Quantity:  row.Quantity,
			Rows:      firstRows[index : index+1 : index+1],
		})
	}
	return requests
}

// planDistinctRows puts each row of plan.Input in a request of its own,
// which is the plan when no two rows name the same variant. It groups the
// requests by product on another goroutine meanwhile, since that takes
// about as long. It returns whether the rows' variants add up to checksum,
// the checksum of a distinctMark.
func planDistinctRows(plan *Plan, checksum uint64) bool {
	rows := plan.Input.Rows
	if len(rows) == 0 {
		return checksum == 0
	}
	requests := make([]Request, len(rows))
	done := make(chan struct{})
	go func() {
		defer close(done)
		plan.Products = groupByProduct(requests, func(i int) uuid.UUID { return rows[i].ProductID })
	}()

	rowIndexes := make([]int, len(rows))
	plan.Requests = make([]*Request, len(rows))
	var sum uint64
	for i := range rows {
		row := &rows[i]
		sum += hashKey(row.variantKey())
		rowIndexes[i] = i
		requests[i] = Request{
			Index:     i,
			ProductID: row.ProductID,
			VariantID: row.VariantID,
			Quantity:  row.Quantity,
			Rows:      rowIndexes[i : i+1 : i+1],
		}
		plan.Requests[i] = &requests[i]
	}
	<-done
	return sum == checksum
}

// groupByProduct returns the products of requests, in the order of their
// first request, each with its requests in order. productOf returns the
// product of the request at an index. groupByProduct reads nothing of
// requests but their addresses, so they may still be being filled.
func groupByProduct(requests []Request, productOf func(i int) uuid.UUID) []*ProductPlan {
	// A guess of four variants per product sizes the products' slices and
	// index, which grow past it.
	productIDs := make([]uuid.UUID, 0, len(requests)/4)
	counts := make([]int, 0, len(requests)/4) // requests by product
	index := newKeyIndex(len(requests)/4, func(position int32) uuid.UUID { return productIDs[position] })
	productOfRequest := make([]int32, len(requests)) // a position in productIDs
	last := int32(-1)
	for i := range requests {
		// The variants of a product are most often on consecutive rows.
		if product := productOf(i); last < 0 || productIDs[last] != product {
			var found bool
			last, found = index.findOrAdd(product, int32(len(productIDs)))
			if !found {
				productIDs = append(productIDs, product)
				counts = append(counts, 0)
			}
		}
		productOfRequest[i] = last
		counts[last]++
	}

	// Each product's Requests is a part of one array, with no room beyond
	// it, so that an append to one of them cannot overwrite another.
	products := make([]ProductPlan, len(productIDs))
	backing := make([]*Request, len(requests))
	start := 0
	for i := range products {
		end := start + counts[i]
		products[i] = ProductPlan{ProductID: productIDs[i], Requests: backing[start:start:end]}
		start = end
	}
	for i := range requests {
		product := &products[productOfRequest[i]]
		product.Requests = append(product.Requests, &requests[i])
	}

	pointers := make([]*ProductPlan, len(products))
	for i := range products {
		pointers[i] = &products[i]
	}
	return pointers
}

// duplicateProblems reports each variant that appears on several rows,
// unless merge is true; then it reports only merged quantities that are too
// large.
func duplicateProblems(in *Input, requests []*Request, merge bool) []Problem {
	var problems []Problem
	for _, request := range requests {
		if len(request.Rows) == 1 {
			continue
		}
		if problem, ok := duplicateProblem(in, request.Rows, request.variantKey(), request.Quantity, merge); ok {
			problems = append(problems, problem)
		}
	}
	return problems
}

func (r *Request) variantKey() variantKey {
	return variantKey{r.ProductID, r.VariantID}
}

// duplicateProblem reports the rows of in at rowIndexes, in file order,
// which name the same variant. When merge is true, it reports them only
// when their quantities add up to more than MaxQuantity.
func duplicateProblem(in *Input, rowIndexes []int, key variantKey, quantity int, merge bool) (Problem, bool) {
	lines := make([]int, len(rowIndexes))
	for i, rowIndex := range rowIndexes {
		lines[i] = in.Rows[rowIndex].Line
	}

	switch {
	case !merge:
		return Problem{
			Line: lines[0],
			Reason: fmt.Sprintf("variant %s of product %s appears on lines %s: keep one row per variant, or pass --merge-duplicates to add their quantities up",
				key.variant, key.product, joinInts(lines)),
		}, true
	case quantity > MaxQuantity:
		return Problem{
			Line: lines[0],
			Reason: fmt.Sprintf("variant %s of product %s appears on lines %s, whose quantities add up to %d, above the maximum of %d",
				key.variant, key.product, joinInts(lines), quantity, MaxQuantity),
		}, true
	}
	return Problem{}, false
}

// resolvedDuplicates returns the problems that buildPlan would return for
// the rows of in that name their variant by ids, without building a plan.
// When every row names its variant by ids and no two name the same, it
// marks in as distinct.
//
// Two goroutines share the work, each for one variantHalf of the variants.
func resolvedDuplicates(in *Input, merge bool) []Problem {
	rows := in.Rows
	var halves [2]variantDuplicates
	done := make(chan struct{})
	go func() {
		defer close(done)
		halves[1] = findDuplicates(rows, 1)
	}()
	halves[0] = findDuplicates(rows, 0)
	<-done

	firstRows := append(halves[0].firstRows, halves[1].firstRows...)
	if !halves[0].unresolved && len(firstRows) == 0 {
		in.distinct = distinctMark{set: true, rows: len(rows), checksum: halves[0].checksum + halves[1].checksum}
	}

	// Report in the order of the first rows, as duplicateProblems does.
	slices.Sort(firstRows)
	var problems []Problem
	for _, first := range firstRows {
		rowIndexes := halves[0].rowsOf[first]
		if rowIndexes == nil {
			rowIndexes = halves[1].rowsOf[first]
		}
		quantity := 0
		for _, i := range rowIndexes {
			quantity += rows[i].Quantity
		}
		if problem, ok := duplicateProblem(in, rowIndexes, rows[first].variantKey(), quantity, merge); ok {
			problems = append(problems, problem)
		}
	}
	return problems
}

// variantHalf splits the variants in two for the two goroutines of
// resolvedDuplicates. It reads a bit of the ids rather than of their hash,
// so that each goroutine hashes only its own half. The bit is random in
// version 4 UUIDs; ids of another kind may split unevenly, which only
// slows the search.
func variantHalf(key variantKey) byte {
	return (key.product[15] ^ key.variant[15]) & 1
}

// variantDuplicates is the result of findDuplicates over some of the rows.
type variantDuplicates struct {
	firstRows  []int32         // the first row of each variant on several rows
	rowsOf     map[int32][]int // by first row, every row of the variant, in file order
	checksum   uint64          // the sum of the hashKey of the variants looked at
	unresolved bool            // whether some row does not name its variant by ids
}

// findDuplicates looks for the variants on several rows among the rows that
// name their variant by ids and whose variantHalf is half.
func findDuplicates(rows []Row, half byte) variantDuplicates {
	var found variantDuplicates
	firstOf := newKeyIndex(len(rows)/2, func(position int32) variantKey { return rows[position].variantKey() })
	for i := range rows {
		if !rows[i].Resolved() {
			found.unresolved = true
			continue
		}
		key := rows[i].variantKey()
		if variantHalf(key) != half {
			continue
		}
		hash := hashKey(key)
		found.checksum += hash
		first, seen := firstOf.findOrAddHashed(key, hash, int32(i))
		if !seen {
			continue
		}
		if found.rowsOf == nil {
			found.rowsOf = make(map[int32][]int)
		}
		if found.rowsOf[first] == nil {
			found.firstRows = append(found.firstRows, first)
			found.rowsOf[first] = []int{int(first)}
		}
		found.rowsOf[first] = append(found.rowsOf[first], i)
	}
	return found
}

// distinctMark records rows in which no two name the same variant, and
// every row names its variant by ids. It holds a checksum of the rows'
// variants, so that buildPlan notices a change to the rows after the mark,
// which could add a duplicate.
type distinctMark struct {
	set      bool
	rows     int
	checksum uint64 // the sum of the hashKey of each row's variantKey
}

// keySeed seeds the hashes of keyIndex and distinctMark.
var keySeed = maphash.MakeSeed()

func hashKey[K comparable](key K) uint64 {
	return maphash.Comparable(keySeed, key)
}

// keyIndex finds a key among keys stored elsewhere, by their positions
// there. It uses open addressing with linear probing, at most half full,
// so it takes 16 to 32 bytes a key. For a million pairs of UUIDs, a map
// from the keys to their positions took 5 times the memory and about 4
// times the time on the machine of BENCHMARKS.md.
type keyIndex[K comparable] struct {
	// slots holds, for each key, the upper 32 bits of its hash in the upper
	// half and its position plus 1 in the lower half. 0 is an empty slot.
	slots []uint64
	count int

	// keyAt returns the key at a position that findOrAdd stored.
	keyAt func(position int32) K
}

// newKeyIndex returns an empty index with room for capacity keys before it
// grows.
func newKeyIndex[K comparable](capacity int, keyAt func(position int32) K) *keyIndex[K] {
	size := 16
	for size < 2*capacity {
		size *= 2
	}
	return &keyIndex[K]{slots: make([]uint64, size), keyAt: keyAt}
}

// findOrAdd returns the position of key and true when the index holds key,
// else it stores key at position and returns position and false.
func (x *keyIndex[K]) findOrAdd(key K, position int32) (int32, bool) {
	return x.findOrAddHashed(key, hashKey(key), position)
}

// findOrAddHashed is findOrAdd for a key whose hashKey is hash.
func (x *keyIndex[K]) findOrAddHashed(key K, hash uint64, position int32) (int32, bool) {
	mask := uint64(len(x.slots) - 1)
	for i := hash & mask; ; i = (i + 1) & mask {
		slot := x.slots[i]
		if slot == 0 {
			break
		}
		if slot>>32 == hash>>32 {
			if stored := int32(uint32(slot)) - 1; x.keyAt(stored) == key {
				return stored, true
			}
		}
	}

	// The key is new. The caller stores it at position only after this
	// returns, so grow reads back the keys stored before it.
	if 2*(x.count+1) > len(x.slots) {
		x.grow()
	}
	x.insert(hash, hash>>32<<32|uint64(uint32(position)+1))
	x.count++
	return position, false
}

// insert puts slot in the first empty slot from hash on.
func (x *keyIndex[K]) insert(hash, slot uint64) {
	mask := uint64(len(x.slots) - 1)
	i := hash & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = slot
}

// grow doubles the slots and stores every key again.
func (x *keyIndex[K]) grow() {
	old := x.slots
	x.slots = make([]uint64, 2*len(old))
	for _, slot := range old {
		if slot != 0 {
			x.insert(hashKey(x.keyAt(int32(uint32(slot))-1)), slot)
		}
	}
}
