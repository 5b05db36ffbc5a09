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
func (r *runner) checkProduct(productIndex int, product *ProductPlan) {
	productID := product.ProductID.String()
	details, err := r.getProduct(productID)
	if err != nil {
		var apiErr *youcan.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("product %s not found in the store: check the product id", productID)
		}
		status := StatusFailed
		if errors.Is(err, errNotSent) {
			status = StatusNotAttempted
		}
		for _, request := range product.Requests {
			r.record(productIndex, request, Outcome{Status: status, Err: err})
		}
		return
	}

	variants := variantsByID(details)
	productTotal := details.Inventory
	sign := 1
	if r.opts.Remove {
		sign = -1
	}
	for _, request := range product.Requests {
		variantID := request.VariantID.String()
		variant, ok := variants[variantID]
		if !ok {
			r.record(productIndex, request, Outcome{
				Status:      StatusFailed,
				ProductName: details.Name,
				Err:         fmt.Errorf("variant %s is not a variant of product %s %q; its variants are %s", variantID, productID, details.Name, listVariants(details)),
			})
			continue
		}

		change := sign * request.Quantity
		outcome := Outcome{
			Status:                  StatusValid,
			CurrentInventory:        intPointer(variant.Inventory),
			Inventory:               intPointer(variant.Inventory + change),
			CurrentProductInventory: intPointer(productTotal),
			ProductInventory:        intPointer(productTotal + change),
			ProductName:             details.Name,
			Variant:                 formatVariations(variant.Variations),
			SKU:                     variant.SKU,
		}
		if variant.Inventory+change < 0 && !r.opts.AllowNegative {
			outcome.Status = StatusFailed
			outcome.Err = negativeError(variant.Inventory, request.Quantity)
			r.record(productIndex, request, outcome)
			continue
		}
		r.record(productIndex, request, outcome)
		productTotal += change
	}
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

// negativeError explains why removing quantity units from a variant with
// stock current is skipped.
func negativeError(current, quantity int) error {
	return fmt.Errorf("skipped: removing %d units would make the stock negative (it is %d now, after sales); pass --allow-negative to remove them anyway", quantity, current)
}

// negativeRequests reads a product and returns, by request index, a failed
// outcome for each request that would make its variant's stock negative.
// When the product cannot be read, every request of the product fails: its
// stock cannot be checked.
func (r *runner) negativeRequests(product *ProductPlan) map[int]Outcome {
	skipped := make(map[int]Outcome)
	details, err := r.getProduct(product.ProductID.String())
	if err != nil {
		for _, request := range product.Requests {
			skipped[request.Index] = Outcome{Status: StatusFailed, Err: fmt.Errorf("not sent: cannot read the current stock to check that it stays at 0 or more: %w", err)}
		}
		return skipped
	}

	variants := variantsByID(details)
	for _, request := range product.Requests {
		variant, ok := variants[request.VariantID.String()]
		if ok && variant.Inventory-request.Quantity < 0 {
			skipped[request.Index] = Outcome{
				Status:           StatusFailed,
				Err:              negativeError(variant.Inventory, request.Quantity),
				CurrentInventory: intPointer(variant.Inventory),
				ProductName:      details.Name,
				Variant:          formatVariations(variant.Variations),
				SKU:              variant.SKU,
			}
		}
	}
	return skipped
}
