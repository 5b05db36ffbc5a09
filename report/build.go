package report

import (
	"restock/importer"
)

// Build turns the result of a run or dry run into a report: one row per
// input row in file order, then one product per product in the order of its
// first row. run describes the run; Build fills in nothing of it.
func Build(result *importer.Result, run Run) *Report {
	plan := result.Plan
	in := plan.Input
	r := &Report{
		Run: run,
		Summary: Summary{
			Rows:         len(in.Rows),
			SkippedBlank: in.BlankRows,
			Requests:     len(plan.Requests),
			MergedLines:  plan.MergedLines,
		},
		Rows:     make([]Row, len(in.Rows)),
		Products: make([]Product, 0, len(plan.Products)),
	}

	for _, request := range plan.Requests {
		outcome := result.Outcomes[request.Index]
		for _, rowIndex := range request.Rows {
			r.Rows[rowIndex] = buildRow(in.Rows[rowIndex], outcome, run.DryRun)
			r.Summary.count(outcome.Status)
		}
	}
	for rowIndex, err := range plan.Unresolved {
		row := in.Rows[rowIndex]
		r.Rows[rowIndex] = buildRow(row, importer.Outcome{Status: importer.StatusFailed, Err: err}, run.DryRun)
		if !row.Resolved() {
			// The zero UUID of an unresolved id is not an id.
			r.Rows[rowIndex].ProductID, r.Rows[rowIndex].VariantID = unresolvedID(row.ProductID.String()), ""
		}
		r.Summary.count(importer.StatusFailed)
	}
	for _, product := range plan.Products {
		r.Products = append(r.Products, buildProduct(product, result))
	}
	return r
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
// after its last request whose answer gave one: the requests of a product are
// sent one after another, so that is the latest level the store returned.
func buildProduct(product *importer.ProductPlan, result *importer.Result) Product {
	out := Product{ProductID: product.ProductID.String()}
	for _, request := range product.Requests {
		outcome := result.Outcomes[request.Index]
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
		outcome := result.Outcomes[request.Index]
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
			failed = append(failed, FailedRow{Record: row.Record, Error: message})
		}
	}
	return failed
}
