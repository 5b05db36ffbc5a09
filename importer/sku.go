package importer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"restock/youcan"
)

// Catalog is the part of the store API that Prepare reads to resolve SKUs:
// the product list with the variants, one page at a time.
type Catalog interface {
	// ListProducts returns one page of products with their variants. Pages
	// count from 1.
	ListProducts(ctx context.Context, page, limit int) (*youcan.ProductPage, error)
}

var _ Catalog = (*youcan.Client)(nil)

// catalogPageSize is the page size requested. The API probably caps it at
// 50, and Prepare relies only on the total_pages of each response, so a
// lower cap costs more pages but misses nothing.
const catalogPageSize = 50

// maxCatalogPages bounds the catalogue read: 200,000 products at 50 a page.
const maxCatalogPages = 4000

// maxListedMatches bounds the variants that one message lists.
const maxListedMatches = 10

// PrepareOptions tune Prepare.
type PrepareOptions struct {
	// MergeDuplicates adds up the quantities of rows that name the same
	// variant, instead of reporting them as problems.
	MergeDuplicates bool

	// Catalog is read, once, when a row names its variant by SKU or names a
	// product without its variant. When nil, such rows are a problem.
	Catalog Catalog

	// Rate is the number of catalogue requests per second, spaced evenly
	// with no burst, as for Run. Zero means no limit.
	Rate float64

	// Timeout limits one request, its retries not included. Zero means no
	// limit.
	Timeout time.Duration

	// Retry bounds how often a catalogue read is tried again after a 429, a
	// 5xx or a lost connection. The zero value tries once.
	Retry RetryPolicy

	// OnPage, when not nil, is called after each catalogue page with the
	// number of pages read so far and the page count.
	OnPage func(read, total int)
}

// Prepare resolves the rows that name their variant by SKU, or a product
// without its variant, and then plans the requests of every row as NewPlan
// does. It fills in those rows' ProductID and VariantID in place.
//
// To resolve, Prepare reads the whole catalogue of opts.Catalog once,
// page by page up to the total_pages of the responses, under opts.Rate. It
// matches a SKU exactly, or else without regard to letter case when that
// matches one variant only. A product without a variant_id resolves to its
// only variant.
//
// A row that cannot be resolved (an unknown SKU, a SKU that several
// variants share, a product with several variants) fails on its own: it
// is in Plan.Unresolved with the reason, and the other rows are sent. The
// duplicate rows found after resolution are an *InvalidInputError, as in
// NewPlan. A failed catalogue read is another error: a *StopError when the
// store rejected the token, else the cause.
func Prepare(ctx context.Context, in *Input, opts PrepareOptions) (*Plan, error) {
	var pending []int
	for i := range in.Rows {
		if !in.Rows[i].Resolved() {
			pending = append(pending, i)
		}
	}

	var unresolved map[int]error
	if len(pending) > 0 {
		if opts.Catalog == nil {
			return nil, &InvalidInputError{Name: in.Name, Problems: []Problem{needsCatalogProblem(in, pending)}}
		}
		index, err := readCatalog(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("read the store's products to resolve %d rows: %w", len(pending), err)
		}
		for _, i := range pending {
			if problem := index.resolve(in, &in.Rows[i]); problem != nil {
				if unresolved == nil {
					unresolved = make(map[int]error)
				}
				unresolved[i] = &UnresolvedError{Problem: *problem}
			}
		}
	}

	plan, duplicates := buildPlan(in, opts.MergeDuplicates, unresolved)
	if len(duplicates) > 0 {
		return nil, &InvalidInputError{Name: in.Name, Problems: duplicates}
	}
	return plan, nil
}

// UnresolvedError is the reason a row's variant could not be resolved through the
// store's catalogue. Its message is the problem's reason, with the value.
type UnresolvedError struct {
	Problem Problem
}

func (e *UnresolvedError) Error() string {
	p := e.Problem
	if p.Column != "" {
		return fmt.Sprintf("%s %q %s", p.Column, p.Value, p.Reason)
	}
	return p.Reason
}

// needsCatalogProblem explains that rows need the store's catalogue when
// there is no store to read.
func needsCatalogProblem(in *Input, pending []int) Problem {
	lines := make([]int, 0, maxListedMatches)
	for _, i := range pending[:min(len(pending), maxListedMatches)] {
		lines = append(lines, in.Rows[i].Line)
	}
	listed := joinInts(lines)
	if more := len(pending) - len(lines); more > 0 {
		listed += fmt.Sprintf(" and %d more", more)
	}
	return Problem{
		Line: in.Rows[pending[0]].Line,
		Reason: fmt.Sprintf("%d rows (lines %s) name their variant by sku, or a product without its variant_id, which only the store's catalogue can resolve: run with a token or --sandbox, or write the product_id and variant_id",
			len(pending), listed),
	}
}

// earlyDuplicates reports the rows that surely name the same variant before
// any SKU is resolved: the same ids, the same SKU, or the same product
// without a variant_id. It reports nothing when merge is set, since the
// merged quantities are checked once the rows are resolved.
func earlyDuplicates(in *Input, merge bool) []Problem {
	if in == nil {
		return nil
	}
	linesOf := make(map[string][]int)
	var keys []string
	for i := range in.Rows {
		row := &in.Rows[i]
		if row.Resolved() {
			continue
		}
		key := "product_id " + row.ProductID.String()
		if row.SKU != "" {
			key = fmt.Sprintf("sku %q", row.SKU)
			if row.ProductID != uuid.Nil {
				key += " of product " + row.ProductID.String()
			}
		}
		if linesOf[key] == nil {
			keys = append(keys, key)
		}
		linesOf[key] = append(linesOf[key], row.Line)
	}

	problems := resolvedDuplicates(in, merge)
	if merge {
		return problems
	}
	for _, key := range keys {
		if lines := linesOf[key]; len(lines) > 1 {
			problems = append(problems, Problem{
				Line:   lines[0],
				Reason: fmt.Sprintf("%s appears on lines %s: keep one row per variant, or pass --merge-duplicates to add their quantities up", key, joinInts(lines)),
			})
		}
	}
	return problems
}

// catalogIndex is the store's catalogue, indexed for resolving rows.
type catalogIndex struct {
	products map[uuid.UUID]*youcan.Product
	count    int // products read

	bySKU       map[string][]variantRef
	byFoldedSKU map[string][]variantRef // by SKU in lower case
}

type variantRef struct {
	product *youcan.Product
	variant *youcan.Variant
}

// readCatalog reads every page of the catalogue.
func readCatalog(ctx context.Context, opts PrepareOptions) (*catalogIndex, error) {
	limit := rate.Inf
	if opts.Rate > 0 {
		limit = rate.Limit(opts.Rate)
	}
	limiter := rate.NewLimiter(limit, 1)
	index := &catalogIndex{
		products:    make(map[uuid.UUID]*youcan.Product),
		bySKU:       make(map[string][]variantRef),
		byFoldedSKU: make(map[string][]variantRef),
	}

	// The page count is read again from each response, since products
	// added during the read may add a page.
	for page, totalPages := 1, 1; page <= totalPages; page++ {
		if page > maxCatalogPages {
			return nil, fmt.Errorf("the store lists more than %d pages of products, the most restock reads: write the product_id and variant_id instead of the sku", maxCatalogPages)
		}
		result, err := readCatalogPage(ctx, limiter, page, opts)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		totalPages = result.TotalPages
		for i := range result.Products {
			index.add(&result.Products[i])
		}
		if opts.OnPage != nil {
			opts.OnPage(page, max(totalPages, page))
		}
	}

	// The run that follows has a limiter of its own, which lets its first
	// request go at once: wait one interval here so that the rate holds
	// across the two.
	if err := limiter.Wait(ctx); err != nil {
		return nil, context.Cause(ctx)
	}
	return index, nil
}

// readCatalogPage reads one page under the limiter, and reads it again when
// decide returns actionRetry for a read.
func readCatalogPage(ctx context.Context, limiter *rate.Limiter, page int, opts PrepareOptions) (*youcan.ProductPage, error) {
	for attempt := 1; ; attempt++ {
		if err := limiter.Wait(ctx); err != nil {
			return nil, context.Cause(ctx)
		}

		requestCtx, cancel := ctx, context.CancelFunc(func() {})
		if opts.Timeout > 0 {
			requestCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
		}
		result, err := opts.Catalog.ListProducts(requestCtx, page, catalogPageSize)
		cancel()
		if err == nil {
			return result, nil
		}

		d := decide(err, attempt, true, opts.Retry)
		switch d.action {
		case actionRetry:
			if !sleep(ctx, d.delay) {
				return nil, context.Cause(ctx)
			}
		case actionStop:
			return nil, d.stopErr
		default:
			return nil, err
		}
	}
}

func (index *catalogIndex) add(product *youcan.Product) {
	id, err := uuid.Parse(product.ID)
	if err != nil || index.products[id] != nil {
		// A product listed twice, when the list shifted between two pages,
		// is indexed once.
		return
	}
	index.products[id] = product
	index.count++
	for i := range product.Variants {
		variant := &product.Variants[i]
		if variant.SKU == "" {
			continue
		}
		ref := variantRef{product: product, variant: variant}
		index.bySKU[variant.SKU] = append(index.bySKU[variant.SKU], ref)
		folded := strings.ToLower(variant.SKU)
		index.byFoldedSKU[folded] = append(index.byFoldedSKU[folded], ref)
	}
}

// lookup returns the variants with the SKU: those whose SKU is sku, or else
// those whose SKU differs from it in letter case only.
func (index *catalogIndex) lookup(sku string) []variantRef {
	if refs := index.bySKU[sku]; len(refs) > 0 {
		return refs
	}
	return index.byFoldedSKU[strings.ToLower(sku)]
}

// resolve fills in the ids of one row, or returns why it cannot.
func (index *catalogIndex) resolve(in *Input, row *Row) *Problem {
	if row.SKU == "" {
		return index.resolveProduct(in, row)
	}

	refs := index.lookup(row.SKU)
	problem := func(reason string) *Problem {
		return cellProblem(in, row, ColumnSKU, reason)
	}
	if row.ProductID != uuid.Nil {
		var ofProduct []variantRef
		for _, ref := range refs {
			if strings.EqualFold(ref.product.ID, row.ProductID.String()) {
				ofProduct = append(ofProduct, ref)
			}
		}
		if len(ofProduct) == 0 && len(refs) > 0 {
			return problem(fmt.Sprintf("is the SKU of %s, not of a variant of product_id %s on this row: fix the product_id or the sku",
				describeRefs(refs), row.ProductID))
		}
		refs = ofProduct
	}

	switch len(refs) {
	case 0:
		return problem(fmt.Sprintf("is not the SKU of any variant in the store (%d products read): check the sku, or write the product_id and variant_id", index.count))
	case 1:
		return setIDs(in, row, refs[0])
	default:
		return problem(fmt.Sprintf("is the SKU of %d variants: %s; give each variant its own SKU in the store, or write the product_id and variant_id of the one to restock",
			len(refs), describeRefs(refs)))
	}
}

// resolveProduct resolves a row that names a product without its variant:
// the product's only variant, which is its default variant.
func (index *catalogIndex) resolveProduct(in *Input, row *Row) *Problem {
	product := index.products[row.ProductID]
	switch {
	case product == nil:
		return cellProblem(in, row, ColumnProductID, fmt.Sprintf("is not a product of the store (%d products read): check the product id", index.count))
	case len(product.Variants) == 1:
		return setIDs(in, row, variantRef{product: product, variant: &product.Variants[0]})
	case len(product.Variants) == 0:
		return cellProblem(in, row, ColumnProductID, fmt.Sprintf("is product %q, which the store lists without variants: write the variant_id", product.Name))
	}
	refs := make([]variantRef, len(product.Variants))
	for i := range product.Variants {
		refs[i] = variantRef{product: product, variant: &product.Variants[i]}
	}
	return cellProblem(in, row, ColumnProductID, fmt.Sprintf("is product %q, which has %d variants, so the row needs a variant_id or a sku: its variants are %s",
		product.Name, len(product.Variants), describeVariants(refs)))
}

// setIDs gives a row the ids of the variant it resolved to.
func setIDs(in *Input, row *Row, ref variantRef) *Problem {
	productID, productErr := uuid.Parse(ref.product.ID)
	variantID, variantErr := uuid.Parse(ref.variant.ID)
	if productErr != nil || variantErr != nil {
		return cellProblem(in, row, ColumnSKU, fmt.Sprintf("resolves to product %q and variant %q, which are not UUIDs: write the product_id and variant_id", ref.product.ID, ref.variant.ID))
	}
	row.ProductID, row.VariantID = productID, variantID
	return nil
}

// cellProblem is a problem with the cell of a row in one of the columns
// restock reads.
func cellProblem(in *Input, row *Row, column, reason string) *Problem {
	problem := &Problem{Line: row.Line, Column: column, Reason: reason}
	if index := headerIndex(in.Header, column); index >= 0 {
		problem.Column = trimSpaceAndTab(in.Header[index])
		if cells := row.Cells(); index < len(cells) {
			problem.Value = cells[index]
		}
	}
	return problem
}

// headerIndex returns the index of the header cell read as column, or -1.
func headerIndex(header []string, column string) int {
	for i, cell := range header {
		if canonicalColumn(cell) == column {
			return i
		}
	}
	return -1
}

// describeRefs names variants of any products for a message, such as
// `variant 8942f16f-… of product a127436a-… "Caftan brodé" (couleur: Bleu, taille: M)`.
func describeRefs(refs []variantRef) string {
	parts := make([]string, 0, min(len(refs), maxListedMatches)+1)
	for i, ref := range refs {
		if i == maxListedMatches {
			parts = append(parts, fmt.Sprintf("and %d more", len(refs)-maxListedMatches))
			break
		}
		parts = append(parts, fmt.Sprintf("variant %s of product %s %q (%s)",
			strings.ToLower(ref.variant.ID), strings.ToLower(ref.product.ID), ref.product.Name, variantLabel(ref.variant)))
	}
	return strings.Join(parts, ", ")
}

// describeVariants names the variants of one product for a message, such as
// `8942f16f-… (couleur: Bleu, taille: M; SKU CAF-M-BLEU)`.
func describeVariants(refs []variantRef) string {
	parts := make([]string, 0, min(len(refs), maxListedMatches)+1)
	for i, ref := range refs {
		if i == maxListedMatches {
			parts = append(parts, fmt.Sprintf("and %d more", len(refs)-maxListedMatches))
			break
		}
		label := variantLabel(ref.variant)
		if ref.variant.SKU != "" {
			label += "; SKU " + ref.variant.SKU
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", strings.ToLower(ref.variant.ID), label))
	}
	return strings.Join(parts, ", ")
}

func variantLabel(variant *youcan.Variant) string {
	if label := formatVariations(variant.Variations); label != "" {
		return label
	}
	return "default"
}
