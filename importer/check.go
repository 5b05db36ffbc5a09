package importer

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"restock/youcan"
)

// maxListedVariants bounds how many of a product's variants an error lists.
const maxListedVariants = 10

// checkProduct reads one product and projects the levels its requests would
// reach, in file order. Nothing is written.
func (r *runner) checkProduct(product *ProductPlan) {
	productID := product.ProductID.String()
	details, err := r.getProduct(productID)
	if err != nil {
		var apiErr *youcan.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("product %s not found in the store: check the product id", productID)
		}
		status := StatusFailed
		if r.stopCtx.Err() != nil && !isStopError(err) {
			status = StatusNotAttempted
		}
		for _, request := range product.Requests {
			r.record(request, Outcome{Status: status, Err: err})
		}
		return
	}

	variants := variantsByID(details)
	productTotal := details.Inventory
	for _, request := range product.Requests {
		variantID := request.VariantID.String()
		variant, ok := variants[variantID]
		if !ok {
			r.record(request, Outcome{
				Status:      StatusFailed,
				ProductName: details.Name,
				Err:         fmt.Errorf("variant %s is not a variant of product %s %q; its variants are %s", variantID, productID, details.Name, listVariants(details)),
			})
			continue
		}

		r.record(request, Outcome{
			Status:                  StatusValid,
			CurrentInventory:        intPointer(variant.Inventory),
			Inventory:               intPointer(variant.Inventory + request.Quantity),
			CurrentProductInventory: intPointer(productTotal),
			ProductInventory:        intPointer(productTotal + request.Quantity),
			ProductName:             details.Name,
			Variant:                 formatVariations(variant.Variations),
			SKU:                     variant.SKU,
		})
		productTotal += request.Quantity
	}
}

func isStopError(err error) bool {
	var stopErr *StopError
	return errors.As(err, &stopErr)
}

// listVariants names a product's variants for an error message, such as
// `3c0f…-… (color: Red), 9a1b…-… (color: Blue)`.
func listVariants(product *youcan.Product) string {
	if len(product.Variants) == 0 {
		return "not listed by the store"
	}
	var parts []string
	for i, variant := range product.Variants {
		if i == maxListedVariants {
			parts = append(parts, fmt.Sprintf("and %d more", len(product.Variants)-maxListedVariants))
			break
		}
		label := formatVariations(variant.Variations)
		if label == "" {
			label = "default"
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", strings.ToLower(variant.ID), label))
	}
	return strings.Join(parts, ", ")
}
