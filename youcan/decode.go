package youcan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The API's JSON does not always match its schema: the documented examples
// have "deleted_at": false where a string is expected, "visibility" as a
// boolean or 0/1, and nulls in many fields. Product and Variant therefore
// decode only the fields they keep, through the loose types below, and
// encoding/json ignores every other field whatever its type.

// looseString decodes a JSON string, or a number as its literal text. Null
// and every other type decode to "".
type looseString string

func (s *looseString) UnmarshalJSON(data []byte) error {
	*s = ""
	switch data = bytes.TrimSpace(data); {
	case len(data) > 0 && data[0] == '"':
		var text string
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
		*s = looseString(text)
	case isJSONNumber(data):
		*s = looseString(data)
	}
	return nil
}

// looseInt decodes a JSON number with no fractional part, such as 66 or
// 66.0, or such a number in a string. Null decodes to 0. Any other value is
// an error, because the counts it carries cannot be guessed.
type looseInt int

func (n *looseInt) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		*n = 0
		return nil
	}

	text := string(data)
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
		text = strings.TrimSpace(text)
	}

	if value, err := strconv.Atoi(text); err == nil {
		*n = looseInt(value)
		return nil
	}
	value, err := strconv.ParseFloat(text, 64)
	if err != nil || !isJSONNumber([]byte(text)) || value != math.Trunc(value) || math.Abs(value) > 1<<53 {
		return fmt.Errorf("invalid integer %s", truncate(string(data), 40))
	}
	*n = looseInt(value)
	return nil
}

// looseBool decodes true and false, the numbers 0 and 1 (any other number
// is true), and the strings "0", "1", "true" and "false". Null and every
// other value decode to false.
type looseBool bool

func (b *looseBool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	text := string(data)
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
	}

	switch {
	case text == "true":
		*b = true
	case isJSONNumber([]byte(text)):
		value, err := strconv.ParseFloat(text, 64)
		*b = looseBool(err == nil && value != 0)
	default:
		*b = false
	}
	return nil
}

func isJSONNumber(data []byte) bool {
	if len(data) == 0 || !(data[0] == '-' || data[0] >= '0' && data[0] <= '9') {
		return false
	}
	var number json.Number
	return json.Unmarshal(data, &number) == nil
}

// variationMap decodes "variations", a JSON object of option name to value.
// A value that is a number or a boolean becomes its text, and a null, object
// or array value is left out. Any value other than an object, including the
// empty array that PHP writes for an empty map, decodes to nil.
type variationMap map[string]string

func (m *variationMap) UnmarshalJSON(data []byte) error {
	*m = nil
	var values map[string]json.RawMessage
	if json.Unmarshal(data, &values) != nil {
		return nil
	}

	for name, raw := range values {
		raw = bytes.TrimSpace(raw)
		var value string
		switch {
		case isJSONString(raw) || isJSONNumber(raw):
			var text looseString
			if text.UnmarshalJSON(raw) != nil {
				continue
			}
			value = string(text)
		case string(raw) == "true" || string(raw) == "false":
			value = string(raw)
		default:
			continue
		}
		if *m == nil {
			*m = make(variationMap, len(values))
		}
		(*m)[name] = value
	}
	return nil
}

func isJSONString(data []byte) bool {
	return len(data) > 0 && data[0] == '"'
}

// variantList decodes "variants", a JSON array of variants, or the same
// array wrapped as {"data": [...]} as Laravel Fractal includes are. Null
// and any other value decode to nil.
type variantList []Variant

func (l *variantList) UnmarshalJSON(data []byte) error {
	*l = nil
	data = bytes.TrimSpace(data)

	if len(data) > 0 && data[0] == '{' {
		var wrapper struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(data, &wrapper); err != nil {
			return err
		}
		data = bytes.TrimSpace(wrapper.Data)
	}
	if len(data) == 0 || data[0] != '[' {
		return nil
	}

	var variants []Variant
	if err := json.Unmarshal(data, &variants); err != nil {
		return err
	}
	*l = variants
	return nil
}

// productJSON contains the product fields that Product keeps. Inventory is
// nil when the key is missing or null.
type productJSON struct {
	ID             looseString `json:"id"`
	Name           looseString `json:"name"`
	Inventory      *looseInt   `json:"inventory"`
	TrackInventory looseBool   `json:"track_inventory"`
	VariantsCount  looseInt    `json:"variants_count"`
	Variants       variantList `json:"variants"`
}

// UnmarshalJSON decodes a product of the API, ignoring every field that
// Product does not keep. It fails only on a value that is not an object, on
// an inventory or variant count that is not an integer, or on a variant
// that fails to decode.
func (p *Product) UnmarshalJSON(data []byte) error {
	product, _, err := decodeProduct(data)
	if err != nil {
		return err
	}
	*p = *product
	return nil
}

// decodeProduct decodes a product as Product.UnmarshalJSON does, and reports
// whether its inventory was present and not null.
func decodeProduct(data []byte) (product *Product, hasInventory bool, err error) {
	if !isJSONObject(data) {
		return nil, false, errors.New("invalid product: not a JSON object")
	}
	var raw productJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, false, fmt.Errorf("invalid product: %w", err)
	}
	product, hasInventory = raw.product()
	return product, hasInventory, nil
}

// product returns the decoded product, and whether its inventory was present
// and not null.
func (raw *productJSON) product() (product *Product, hasInventory bool) {
	product = &Product{
		ID:             string(raw.ID),
		Name:           string(raw.Name),
		TrackInventory: bool(raw.TrackInventory),
		VariantsCount:  int(raw.VariantsCount),
		Variants:       raw.Variants,
	}
	if raw.Inventory != nil {
		product.Inventory = int(*raw.Inventory)
	}
	return product, raw.Inventory != nil
}

// variantJSON contains the variant fields that Variant keeps.
type variantJSON struct {
	ID         looseString  `json:"id"`
	SKU        looseString  `json:"sku"`
	Inventory  looseInt     `json:"inventory"`
	Variations variationMap `json:"variations"`
	IsDefault  looseBool    `json:"is_default"`
	Product    *Product     `json:"product"`
}

// UnmarshalJSON decodes a variant of the API, with its product when the
// JSON embeds one, ignoring every field that Variant does not keep. It fails
// only on a value that is not an object, on an inventory that is not an
// integer, or on an embedded product that fails to decode.
func (v *Variant) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return errors.New("invalid variant: not a JSON object")
	}
	var raw variantJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("invalid variant: %w", err)
	}

	*v = Variant{
		ID:         string(raw.ID),
		SKU:        string(raw.SKU),
		Inventory:  int(raw.Inventory),
		Variations: raw.Variations,
		IsDefault:  bool(raw.IsDefault),
		Product:    raw.Product,
	}
	return nil
}

func isJSONObject(data []byte) bool {
	data = bytes.TrimSpace(data)
	return len(data) > 0 && data[0] == '{'
}

// isPresent reports whether raw, a value that encoding/json copied into a
// json.RawMessage field, was in the object and not null.
func isPresent(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// hasValue reports whether the JSON object data has key with a value other
// than null.
func hasValue(data []byte, key string) bool {
	var object map[string]json.RawMessage
	if json.Unmarshal(data, &object) != nil {
		return false
	}
	value, ok := object[key]
	return ok && string(bytes.TrimSpace(value)) != "null"
}
