package importer

import (
	"fmt"

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
func buildPlan(in *Input, merge bool, unresolved map[int]error) (*Plan, []Problem) {
	plan := &Plan{Input: in, Unresolved: unresolved}
	requestOf := make(map[variantKey]*Request, len(in.Rows))
	productOf := make(map[uuid.UUID]*ProductPlan)

	for i, row := range in.Rows {
		if _, skip := unresolved[i]; skip {
			continue
		}
		key := variantKey{row.ProductID, row.VariantID}
		if request, ok := requestOf[key]; ok {
			request.Rows = append(request.Rows, i)
			request.Quantity += row.Quantity
			plan.MergedLines++
			continue
		}

		request := &Request{
			Index:     len(plan.Requests),
			ProductID: row.ProductID,
			VariantID: row.VariantID,
			Quantity:  row.Quantity,
			Rows:      []int{i},
		}
		requestOf[key] = request
		plan.Requests = append(plan.Requests, request)

		product, ok := productOf[row.ProductID]
		if !ok {
			product = &ProductPlan{ProductID: row.ProductID}
			productOf[row.ProductID] = product
			plan.Products = append(plan.Products, product)
		}
		product.Requests = append(product.Requests, request)
	}

	return plan, duplicateProblems(in, plan.Requests, merge)
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
		lines := make([]int, len(request.Rows))
		for i, rowIndex := range request.Rows {
			lines[i] = in.Rows[rowIndex].Line
		}

		switch {
		case !merge:
			problems = append(problems, Problem{
				Line: lines[0],
				Reason: fmt.Sprintf("variant %s of product %s appears on lines %s: keep one row per variant, or pass --merge-duplicates to add their quantities up",
					request.VariantID, request.ProductID, joinInts(lines)),
			})
		case request.Quantity > MaxQuantity:
			problems = append(problems, Problem{
				Line: lines[0],
				Reason: fmt.Sprintf("variant %s of product %s appears on lines %s, whose quantities add up to %d, above the maximum of %d",
					request.VariantID, request.ProductID, joinInts(lines), request.Quantity, MaxQuantity),
			})
		}
	}
	return problems
}
