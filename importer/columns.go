package importer

import (
	"fmt"
	"strings"
)

// columnAliases maps the header names that spreadsheets use to the canonical
// column names. The keys are normalized by aliasKey: lower case, without
// spaces, '_', '-' and '.', so "Product ID", "productId" and "product_id"
// share one key. French names are included because YouCan merchants often
// work in a French locale.
var columnAliases = map[string]string{
	"productid":  ColumnProductID,
	"product":    ColumnProductID,
	"idproduct":  ColumnProductID,
	"produit":    ColumnProductID,
	"idproduit":  ColumnProductID,
	"produitid":  ColumnProductID,
	"variantid":  ColumnVariantID,
	"variant":    ColumnVariantID,
	"idvariant":  ColumnVariantID,
	"variante":   ColumnVariantID,
	"idvariante": ColumnVariantID,
	"varianteid": ColumnVariantID,
	"sku":        ColumnSKU,
	"variantsku": ColumnSKU,
	"quantity":   ColumnQuantity,
	"qty":        ColumnQuantity,
	"quantite":   ColumnQuantity,
	"quantité":   ColumnQuantity,
	"qte":        ColumnQuantity,
	"qté":        ColumnQuantity,
}

// canonicalColumn returns the canonical name that a header cell stands for,
// or "" for a column restock does not read.
func canonicalColumn(cell string) string {
	return columnAliases[aliasKey(cell)]
}

func aliasKey(cell string) string {
	key := strings.ToLower(trimSpaceAndTab(cell))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.', '\u00a0':
			return -1
		}
		return r
	}, key)
}

// headerColumns is the mapping of one header row.
type headerColumns struct {
	// index maps each canonical column found to its index in the header.
	index map[string]int
}

func (h headerColumns) has(column string) bool {
	_, ok := h.index[column]
	return ok
}

// mapHeader maps the header cells to the canonical columns and returns the
// problems of the header: a column missing, or two cells read as the same
// column. line is the header's line.
func mapHeader(header []string, line int) (headerColumns, []Problem) {
	found := make(map[string][]int)
	var order []string
	for i, cell := range header {
		column := canonicalColumn(cell)
		if column == "" {
			continue
		}
		if found[column] == nil {
			order = append(order, column)
		}
		found[column] = append(found[column], i)
	}

	var problems []Problem
	columns := headerColumns{index: make(map[string]int, len(found))}
	for _, column := range order {
		indexes := found[column]
		if len(indexes) > 1 {
			problems = append(problems, Problem{Line: line, Reason: describeRepeatedColumn(column, indexes, header)})
			continue
		}
		columns.index[column] = indexes[0]
	}

	missing := func(column string) {
		reason := fmt.Sprintf("missing column %q: the header found is %s; the header must name product_id, variant_id and quantity, or sku and quantity", column, quoteAll(header))
		if len(header) == 1 {
			reason += "; if another character separates the columns, pass it with --delimiter"
		}
		problems = append(problems, Problem{Line: line, Reason: reason})
	}
	if len(found[ColumnProductID]) == 0 && len(found[ColumnSKU]) == 0 {
		missing(ColumnProductID)
	}
	if len(found[ColumnQuantity]) == 0 {
		missing(ColumnQuantity)
	}
	return columns, problems
}

// describeRepeatedColumn explains a header where several cells are read as
// the same column, such as "quantity" and "Qty".
func describeRepeatedColumn(column string, indexes []int, header []string) string {
	sameName := true
	names := make([]string, len(indexes))
	for i, index := range indexes {
		names[i] = header[index]
		sameName = sameName && strings.ToLower(trimSpaceAndTab(header[index])) == column
	}
	if sameName {
		return fmt.Sprintf("column %q appears %d times (columns %s) in the header %s: keep one",
			column, len(indexes), joinColumnNumbers(indexes), quoteAll(header))
	}
	return fmt.Sprintf("columns %s (%s) of the header %s are all read as %s: keep one, or rename the others",
		joinColumnNumbers(indexes), quoteAll(names), quoteAll(header), column)
}
