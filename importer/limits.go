package importer

import (
	"fmt"
	"strconv"
)

// CheckLimits rejects a plan whose file has more than maxRows data rows (a
// wrong file picked by a glob), or rows that add more than maxQuantity units
// each (a typo of 1000 for 10). Zero disables a limit. The error is an
// *InvalidInputError that lists every row above maxQuantity.
func CheckLimits(plan *Plan, maxRows, maxQuantity int) error {
	in := plan.Input
	var problems []Problem
	if maxRows > 0 && len(in.Rows) > maxRows {
		problems = append(problems, Problem{
			Reason: fmt.Sprintf("the file has %d data rows, more than --max-rows %d: check that it is the right file, or raise --max-rows", len(in.Rows), maxRows),
		})
	}
	if maxQuantity > 0 {
		for _, row := range in.Rows {
			if row.Quantity > maxQuantity {
				problems = append(problems, Problem{
					Line:   row.Line,
					Column: ColumnQuantity,
					Value:  strconv.Itoa(row.Quantity),
					Reason: fmt.Sprintf("is more than --max-quantity %d: check it for a typo, or raise --max-quantity (0 for no limit)", maxQuantity),
				})
			}
		}
	}
	if len(problems) > 0 {
		return &InvalidInputError{Name: in.Name, Problems: problems}
	}
	return nil
}
