package youcan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// inventoryChange is the body of an increment or decrement request.
type inventoryChange struct {
	// The API documentation spells the key "varaint_id", while the one
	// community client with inventory calls sends "variant_id". Which one
	// the server reads is unknown, so the request carries both.
	VariantID string `json:"variant_id"`
	VaraintID string `json:"varaint_id"`

	Inventory int `json:"inventory"` // units to add or remove
}

// IncrementInventory adds quantity units to the stock of a product's variant
// with PUT /products/{productID}/inventory/increment. It returns the updated
// variant with its Product set; Product.Inventory is the product's total
// stock after the change.
//
// The API has no idempotency key, so calling it again after an error may
// add the stock twice. The package documentation lists the errors that
// guarantee that nothing was applied. quantity must be at least 1 and the
// ids must not be empty, or IncrementInventory returns an error without
// sending a request.
func (c *Client) IncrementInventory(ctx context.Context, productID, variantID string, quantity int) (*Variant, error) {
	return c.changeInventory(ctx, "increment", productID, variantID, quantity)
}

// DecrementInventory removes quantity units from the stock of a product's
// variant with PUT /products/{productID}/inventory/decrement. It returns and
// fails like IncrementInventory.
//
// NOTE: The API documentation does not say whether the stock may go below
// zero.
func (c *Client) DecrementInventory(ctx context.Context, productID, variantID string, quantity int) (*Variant, error) {
	return c.changeInventory(ctx, "decrement", productID, variantID, quantity)
}

func (c *Client) changeInventory(ctx context.Context, action, productID, variantID string, quantity int) (*Variant, error) {
	productPath, err := escapeID("product", productID)
	if err != nil {
		return nil, err
	}
	if variantID == "" {
		return nil, errors.New("missing variant id")
	}
	// Whether the API accepts 0 or a negative number, and what it would do
	// with one, is not documented.
	if quantity < 1 {
		return nil, fmt.Errorf("invalid quantity %d: it must be at least 1", quantity)
	}

	body := inventoryChange{VariantID: variantID, VaraintID: variantID, Inventory: quantity}
	req, err := c.newRequest(ctx, http.MethodPut, "/products/"+productPath+"/inventory/"+action, nil, body)
	if err != nil {
		return nil, err
	}

	var variant *Variant
	err = c.do(req, func(data []byte) error {
		var decodeErr error
		variant, decodeErr = decodeInventoryChange(data, productID, variantID)
		return decodeErr
	})
	if err != nil {
		return nil, err
	}
	return variant, nil
}

// decodeInventoryChange decodes the response to an increment or decrement in
// either of its documented shapes: the updated variant with its product
// embedded, or the older
// {"code": "UPDATED", "data": {"product_inventory": N, "variant_inventory": M}}.
// Both stock levels must be present, so that a caller never reports a level
// that the response did not contain.
func decodeInventoryChange(data []byte, productID, variantID string) (*Variant, error) {
	if !isJSONObject(data) {
		return nil, errors.New("invalid JSON: not an object")
	}
	if hasValue(data, "data") && !hasValue(data, "id") {
		return decodeLegacyInventoryChange(data, productID, variantID)
	}

	var levels struct {
		Inventory *looseInt `json:"inventory"`
		Product   *struct {
			Inventory *looseInt `json:"inventory"`
		} `json:"product"`
	}
	if err := json.Unmarshal(data, &levels); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if levels.Inventory == nil {
		return nil, errors.New("the response has no variant inventory")
	}
	if levels.Product == nil || levels.Product.Inventory == nil {
		return nil, errors.New("the response has no product inventory")
	}

	var variant Variant
	if err := json.Unmarshal(data, &variant); err != nil {
		return nil, err
	}
	if variant.ID == "" {
		return nil, errors.New("the response has no variant id")
	}
	if variant.Product.ID == "" {
		variant.Product.ID = productID
	}
	return &variant, nil
}

func decodeLegacyInventoryChange(data []byte, productID, variantID string) (*Variant, error) {
	var legacy struct {
		Data struct {
			ProductInventory *looseInt `json:"product_inventory"`
			VariantInventory *looseInt `json:"variant_inventory"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &legacy); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if legacy.Data.VariantInventory == nil {
		return nil, errors.New("the response has no data.variant_inventory")
	}
	if legacy.Data.ProductInventory == nil {
		return nil, errors.New("the response has no data.product_inventory")
	}

	return &Variant{
		ID:        variantID,
		Inventory: int(*legacy.Data.VariantInventory),
		Product:   &Product{ID: productID, Inventory: int(*legacy.Data.ProductInventory)},
	}, nil
}
