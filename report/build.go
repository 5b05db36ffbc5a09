package report

import (
	"iter"

	"restock/importer"
)

// Build turns the result of a run or dry run into a report: one row per
// input row in file order, then one product per product in the order of its
// first row. run describes the run; Build fills in nothing of it.
//
// The report holds every row in memory. WriteResult writes the same report
// from result one row at a time.
func Build(result *importer.Result, run Run) *Report {
	r := &Report{
		Run:      run,
		Summary:  Summarize(result),
		Rows:     make([]Row, 0, len(result.Plan.Input.Rows)),
		Products: make([]Product, 0, len(result.Plan.Products)),
	}
	for row := range resultRows(result, run.DryRun) {
		r.Rows = append(r.Rows, row)
	}
	for product := range resultProducts(result) {
		r.Products = append(r.Products, product)
	}
	return r
}

// Summarize counts the rows of result by status, as the summary of its
// report.
func Summarize(result *importer.Result) Summary {
	plan := result.Plan
	in := plan.Input
	s := Summary{
		Rows:         len(in.Rows),
		SkippedBlank: in.BlankRows,
		Requests:     len(plan.Requests),
		MergedLines:  plan.MergedLines,
	}
	for _, request := range plan.Requests {
		status := result.Outcome(request.Index).Status
		for range request.Rows {
			s.count(status)
		}
	}
	for range plan.Unresolved {
		s.count(importer.StatusFailed)
	}
	return s
}

// resultRows yields the report row of each input row of result, in file
// order, building each as it goes.
func resultRows(result *importer.Result, dryRun bool) iter.Seq[Row] {
	return func(yield func(Row) bool) {
		plan := result.Plan
		// Requests come in the order of their first row, so only the rows
		// merged into an earlier row's request need looking up.
		requestOfMerged := make(map[int]int, plan.MergedLines)
		for _, request := range plan.Requests {
			for _, rowIndex := range request.Rows[1:] {
				requestOfMerged[rowIndex] = request.Index
			}
		}

		next := 0 // the index in plan.Requests of the next request whose first row is to come
		for rowIndex, row := range plan.Input.Rows {
			var out Row
			if err, ok := plan.Unresolved[rowIndex]; ok {
				out = buildRow(row, importer.Outcome{Status: importer.StatusFailed, Err: err}, dryRun)
				if !row.Resolved() {
					// The zero UUID of an unresolved id is not an id.
					out.ProductID, out.VariantID = unresolvedID(row.ProductID.String()), ""
					out.SKU = row.SKU // as written, so the report can be searched by it
				}
			} else if requestIndex, ok := requestOfMerged[rowIndex]; ok {
				out = buildRow(row, result.Outcome(requestIndex), dryRun)
			} else if next < len(plan.Requests) && plan.Requests[next].Rows[0] == rowIndex {
				out = buildRow(row, result.Outcome(plan.Requests[next].Index), dryRun)
				next++
			}
			if !yield(out) {
				return
			}
		}
	}
}

// resultProducts yields the report product of each product of result, in
// the order of its first row.
func resultProducts(result *importer.Result) iter.Seq[Product] {
	return func(yield func(Product) bool) {
		for _, product := range result.Plan.Products {
			if !yield(buildProduct(product, result)) {
				return
			}
		}
	}
}

// unresolvedID returns id, or "" for the zero UUID that stands for an id
// the row did not give.
func unresolvedID(id string) string {
	if id == "00000000-0000-0000-0000-000000000000" {
		return ""
	}
	return id
}

func buildRow(row importer.Row, outcome importer.Outcome, dryRun bool) Row {
	out := Row{
		Line:             row.Line,
		ProductID:        row.ProductID.String(),
		ProductName:      outcome.ProductName,
		VariantID:        row.VariantID.String(),
		Variant:          outcome.Variant,
		SKU:              outcome.SKU,
		Quantity:         row.Quantity,
		Status:           string(outcome.Status),
		Inventory:        outcome.Inventory,
		ProductInventory: outcome.ProductInventory,
	}
	if dryRun {
		out.CurrentInventory = outcome.CurrentInventory
		out.CurrentProductInventory = outcome.CurrentProductInventory
	}
	if outcome.Err != nil {
		out.Error = outcome.Err.Error()
	}
	return out
}

// buildProduct sums up one product's requests. Its inventory is the total
// after its last request whose response gave one: the requests of a product are
// sent one after another, so that is the latest level the store returned.
func buildProduct(product *importer.ProductPlan, result *importer.Result) Product {
	out := Product{ProductID: product.ProductID.String()}
	for _, request := range product.Requests {
		outcome := result.Outcome(request.Index)
		out.Rows += len(request.Rows)
		if out.Name == "" {
			out.Name = outcome.ProductName
		}
		if outcome.Status != importer.StatusFailed && outcome.Status != importer.StatusNotAttempted {
			out.Added += request.Quantity
		}
		if outcome.ProductInventory != nil {
			out.Inventory = outcome.ProductInventory
		}
		if out.CurrentInventory == nil && result.DryRun {
			out.CurrentInventory = outcome.CurrentProductInventory
		}
	}
	return out
}

// count adds one row of the given status to the summary.
func (s *Summary) count(status importer.Status) {
	switch status {
	case importer.StatusApplied:
		s.Applied++
	case importer.StatusFailed:
		s.Failed++
	case importer.StatusUnknown:
		s.Unknown++
	case importer.StatusNotAttempted:
		s.NotAttempted++
	case importer.StatusValid:
		s.Valid++
	}
}

// FailedRows returns the rows that were certainly not applied (failed or
// not attempted), in file order, with their cells as read and the reason.
// Unknown rows are left out: they may have been applied, so feeding them
// back could add their stock twice.
func FailedRows(result *importer.Result) []FailedRow {
	plan := result.Plan
	failed := make([]FailedRow, 0)
	errorOf := make(map[int]string)
	for _, request := range plan.Requests {
		outcome := result.Outcome(request.Index)
		if outcome.Status != importer.StatusFailed && outcome.Status != importer.StatusNotAttempted {
			continue
		}
		message := string(outcome.Status)
		if outcome.Err != nil {
			message = outcome.Err.Error()
		}
		for _, rowIndex := range request.Rows {
			errorOf[rowIndex] = message
		}
	}
	for rowIndex, err := range plan.Unresolved {
		errorOf[rowIndex] = err.Error()
	}
	for i, row := range plan.Input.Rows {
		if message, ok := errorOf[i]; ok {
			failed = append(failed, FailedRow{Record: row.Cells(), Error: message})
		}
	}
	return failed
}
