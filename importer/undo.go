package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
)

// undoHeader is the header of an undo plan's input: the columns of its
// rows' records.
var undoHeader = []string{ColumnProductID, ColumnVariantID, ColumnQuantity, "line"}

// UndoInputName returns the input name of the undo of a run, which its
// journal and report carry in place of a file name.
func UndoInputName(runID string) string {
	return "undo of run " + runID
}

// UndoSHA256 returns the content hash that stands for the undo of a run, so
// that the repeat guard rejects undoing a run twice.
func UndoSHA256(runID string) string {
	sum := sha256.Sum256([]byte("restock undo " + runID))
	return hex.EncodeToString(sum[:])
}

// NewUndoPlan builds the plan that reverses a run: one request per request
// that run applied, removing the same quantity from the same variant. Rows
// keep the run's input lines, in order. Requests whose outcome is unknown
// are not undone, since they may not have been applied; unknown counts
// them.
func NewUndoPlan(target *JournalState) (plan *Plan, unknown int, err error) {
	header := target.Header
	if header.Undoes != "" {
		return nil, 0, fmt.Errorf("run %s is itself the undo of run %s: restock its file again instead", header.ID, header.Undoes)
	}

	in := &Input{
		Name:   UndoInputName(header.ID),
		SHA256: UndoSHA256(header.ID),
		Header: undoHeader,
	}
	for index, outcome := range target.Outcomes {
		switch outcome.Status {
		case StatusUnknown:
			unknown += max(target.Requests[index].Rows, 1)
			continue
		case StatusApplied:
		default:
			continue
		}
		sent, ok := target.Requests[index]
		if !ok {
			return nil, 0, fmt.Errorf("run %s: its journal records request %d as applied but not what was sent", header.ID, index)
		}
		row, err := undoRow(sent)
		if err != nil {
			return nil, 0, fmt.Errorf("run %s: %w", header.ID, err)
		}
		in.Rows = append(in.Rows, row)
	}
	if len(in.Rows) == 0 {
		return nil, unknown, fmt.Errorf("run %s applied no row, so there is nothing to undo", header.ID)
	}
	slices.SortFunc(in.Rows, func(a, b Row) int { return a.Line - b.Line })

	plan, _ = buildPlan(in, true, nil)
	return plan, unknown, nil
}

func undoRow(sent SentRequest) (Row, error) {
	productID, err := uuid.Parse(sent.ProductID)
	if err != nil {
		return Row{}, fmt.Errorf("invalid product id %q in the journal: %w", sent.ProductID, err)
	}
	variantID, err := uuid.Parse(sent.VariantID)
	if err != nil {
		return Row{}, fmt.Errorf("invalid variant id %q in the journal: %w", sent.VariantID, err)
	}
	return Row{
		Line:      sent.Line,
		ProductID: productID,
		VariantID: variantID,
		Quantity:  sent.Quantity,
		record:    encodeCells([]string{sent.ProductID, sent.VariantID, strconv.Itoa(sent.Quantity), strconv.Itoa(sent.Line)}),
	}, nil
}
