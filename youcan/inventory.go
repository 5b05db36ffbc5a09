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

// inventoryChangeJSON holds the keys of both shapes of an increment or
// decrement response, so that one pass of encoding/json reads either. The
// levels, the product and the older shape's "data" stay raw until the shape
// is known, since a key of one shape may hold anything in the other.
type inventoryChangeJSON struct {
	ID         json.RawMessage `json:"id"`
	Data       json.RawMessage `json:"data"`
	SKU        looseString     `json:"sku"`
	Inventory  json.RawMessage `json:"inventory"`
	Variations variationMap    `json:"variations"`
	IsDefault  looseBool       `json:"is_default"`
	Product    json.RawMessage `json:"product"`
}

// decodedInventoryChangeJSON is inventoryChangeJSON with the product decoded
// in the same pass, so that the product, most of the usual response, is
// neither scanned again nor copied. Its Product field hides the embedded raw
// one, because encoding/json fills the shallower of two fields with one key.
type decodedInventoryChangeJSON struct {
	inventoryChangeJSON
	Product *productJSON `json:"product"`
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
	var change decodedInventoryChangeJSON
	onePass := json.Unmarshal(data, &change) == nil
	raw := change.inventoryChangeJSON
	if !onePass {
		// The body is decoded again with its product raw: in the older
		// shape a "product" of any type is ignored, and in the usual one
		// decodeProduct names what is wrong with it.
		raw = inventoryChangeJSON{}
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
	}
	if isPresent(raw.Data) && !isPresent(raw.ID) {
		return decodeLegacyInventoryChange(raw.Data, productID, variantID)
	}

	if !isPresent(raw.Inventory) {
		return nil, errors.New("the response has no variant inventory")
	}
	var inventory looseInt
	if err := inventory.UnmarshalJSON(raw.Inventory); err != nil {
		return nil, fmt.Errorf("invalid variant inventory: %w", err)
	}

	var product *Product
	hasInventory := false
	switch {
	case onePass && change.Product != nil:
		product, hasInventory = change.Product.product()
	case !onePass && isPresent(raw.Product):
		var err error
		if product, hasInventory, err = decodeProduct(raw.Product); err != nil {
			return nil, err
		}
	}
	if !hasInventory {
		return nil, errors.New("the response has no product inventory")
	}

	var id looseString
	if isPresent(raw.ID) {
		if err := id.UnmarshalJSON(raw.ID); err != nil {
			return nil, fmt.Errorf("invalid variant id: %w", err)
		}
	}
	if id == "" {
		return nil, errors.New("the response has no variant id")
	}
	if product.ID == "" {
		product.ID = productID
	}
	return &Variant{
		ID:         string(id),
		SKU:        string(raw.SKU),
		Inventory:  int(inventory),
		Variations: raw.Variations,
		IsDefault:  bool(raw.IsDefault),
		Product:    product,
	}, nil
}

// decodeLegacyInventoryChange decodes the "data" object of the older shape.
func decodeLegacyInventoryChange(data []byte, productID, variantID string) (*Variant, error) {
	var levels struct {
		ProductInventory *looseInt `json:"product_inventory"`
		VariantInventory *looseInt `json:"variant_inventory"`
	}
	if err := json.Unmarshal(data, &levels); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if levels.VariantInventory == nil {
		return nil, errors.New("the response has no data.variant_inventory")
	}
	if levels.ProductInventory == nil {
		return nil, errors.New("the response has no data.product_inventory")
	}

	return &Variant{
		ID:        variantID,
		Inventory: int(*levels.VariantInventory),
		Product:   &Product{ID: productID, Inventory: int(*levels.ProductInventory)},
	}, nil
}
