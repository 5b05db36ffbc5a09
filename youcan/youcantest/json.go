package youcantest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
)

// The response bodies below follow the documented examples, including their
// loose types: "deleted_at" is false, "visibility" is 0 or 1, and an empty
// map is written as [] as PHP does. Prices, images and descriptions are
// constant, because no client of the fake reads them.

// createdAt is the creation time that every seeded product and variant
// reports.
var createdAt = time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)

func jsonResponse(status int, body any) response {
	data, err := json.Marshal(body)
	if err != nil {
		panic("youcantest: encode a response: " + err.Error()) // the bodies are plain structs
	}
	header := http.Header{"Content-Type": {"application/json"}}
	return response{status: status, header: header, body: data}
}

// errorBody returns the API's error body for status, such as
// {"status": 404, "detail": "...", "meta": []}.
func errorBody(status int) map[string]any {
	switch status {
	case http.StatusUnauthorized:
		return map[string]any{"status": status, "detail": "Unauthenticated."}
	case http.StatusPaymentRequired:
		return map[string]any{"status": status, "error": "store is suspended"}
	case http.StatusForbidden:
		return map[string]any{"status": status, "detail": "This action is unauthorized.", "meta": []any{}}
	case http.StatusNotFound:
		return map[string]any{"status": status, "detail": "No query results for model [Product].", "meta": []any{}}
	case http.StatusUnprocessableEntity:
		return map[string]any{"status": status, "detail": "The given data was invalid.", "meta": []any{}}
	case http.StatusTooManyRequests:
		return map[string]any{"status": status, "detail": "Too Many Attempts.", "meta": []any{}}
	case http.StatusInternalServerError:
		return map[string]any{"status": status, "detail": "internal error"}
	}
	return map[string]any{"status": status, "detail": http.StatusText(status)}
}

func errorResponse(status int, detail string) response {
	return jsonResponse(status, map[string]any{"status": status, "detail": detail, "meta": []any{}})
}

func productNotFound() response {
	return jsonResponse(http.StatusNotFound, errorBody(http.StatusNotFound))
}

func validationFailed(fields map[string][]string) response {
	return jsonResponse(http.StatusUnprocessableEntity, map[string]any{
		"status": http.StatusUnprocessableEntity,
		"detail": "The given data was invalid.",
		"meta":   map[string]any{"fields": fields},
	})
}

// faultResponse returns the response that f describes.
func faultResponse(f *Fault) response {
	if f.Body == "" {
		resp := jsonResponse(f.Status, errorBody(f.Status))
		if f.RetryAfter != "" {
			resp.header.Set("Retry-After", f.RetryAfter)
		}
		return resp
	}

	// Without a Content-Type, net/http sniffs one from the body, such as
	// text/html for an HTML page.
	header := http.Header{}
	if json.Valid([]byte(f.Body)) {
		header.Set("Content-Type", "application/json")
	}
	if f.RetryAfter != "" {
		header.Set("Retry-After", f.RetryAfter)
	}
	return response{status: f.Status, header: header, body: []byte(f.Body)}
}

type legacyChangeBody struct {
	Message string           `json:"message"`
	Code    string           `json:"code"`
	Data    legacyChangeData `json:"data"`
}

type legacyChangeData struct {
	ProductInventory int `json:"product_inventory"`
	VariantInventory int `json:"variant_inventory"`
}

type variantBody struct {
	ID             string       `json:"id"`
	Variations     any          `json:"variations"` // a map, or [] when empty
	Options        []string     `json:"options"`
	Values         []string     `json:"values"`
	Price          float64      `json:"price"`
	CompareAtPrice *float64     `json:"compare_at_price"`
	Weight         *float64     `json:"weight"`
	SKU            *string      `json:"sku"`
	Barcode        *string      `json:"barcode"`
	Inventory      int          `json:"inventory"`
	IsSelected     bool         `json:"is_selected"`
	IsDefault      bool         `json:"is_default"`
	Image          any          `json:"image"`
	CreatedAt      string       `json:"created_at"`
	UpdatedAt      string       `json:"updated_at"`
	Product        *productBody `json:"product,omitempty"`
}

type productBody struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Slug            string          `json:"slug"`
	PublicURL       *string         `json:"public_url"`
	Thumbnail       *string         `json:"thumbnail"`
	Description     string          `json:"description"`
	Price           float64         `json:"price"`
	CompareAtPrice  *float64        `json:"compare_at_price"`
	CostPrice       *float64        `json:"cost_price"`
	Visibility      int             `json:"visibility"`
	HasVariants     bool            `json:"has_variants"`
	VariantsCount   int             `json:"variants_count"`
	VariantOptions  []variantOption `json:"variant_options"`
	Inventory       int             `json:"inventory"`
	TrackInventory  bool            `json:"track_inventory"`
	Meta            productMeta     `json:"meta"`
	AdvancedOptions advancedOptions `json:"advanced_options"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
	DeletedAt       bool            `json:"deleted_at"`
	Images          []any           `json:"images"`
	Variants        *[]variantBody  `json:"variants,omitempty"` // only with include=variants
}

type variantOption struct {
	Name   string               `json:"name"`
	Type   int                  `json:"type"`
	Values []variantOptionValue `json:"values"`
}

type variantOptionValue struct {
	Value   string  `json:"value"`
	Preview *string `json:"preview"`
}

type productMeta struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Images      []any  `json:"images"`
}

type advancedOptions struct {
	Enabled         bool  `json:"enabled"`
	RelatedProducts []any `json:"related_products"`
}

type productPageBody struct {
	Data []productBody   `json:"data"`
	Meta productPageMeta `json:"meta"`
}

type productPageMeta struct {
	Pagination pagination `json:"pagination"`
}

type pagination struct {
	Total       int `json:"total"`
	Count       int `json:"count"`
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
	TotalPages  int `json:"total_pages"`
	Links       any `json:"links"` // {"next": ...}, or [] on the last page
}

func newVariantBody(p *product, v *variant) variantBody {
	options := slices.Sorted(maps.Keys(v.variations))
	values := make([]string, len(options))
	for i, option := range options {
		values[i] = v.variations[option]
	}

	var variations any = []any{}
	if len(v.variations) > 0 {
		variations = v.variations
	}
	var sku *string
	if v.sku != "" {
		sku = &v.sku
	}

	return variantBody{
		ID:         v.id,
		Variations: variations,
		Options:    options,
		Values:     values,
		Price:      100,
		SKU:        sku,
		Inventory:  v.inventory,
		IsDefault:  v.isDefault,
		CreatedAt:  createdAt.Format(time.RFC3339),
		UpdatedAt:  p.updatedAt.Format(time.RFC3339),
	}
}

func newProductBody(p *product, withVariants bool) productBody {
	body := productBody{
		ID:              p.id,
		Name:            p.name,
		Slug:            slug(p.name),
		Description:     "<p>" + p.name + "</p>",
		Price:           100,
		Visibility:      1,
		HasVariants:     len(p.variants) > 1,
		VariantsCount:   len(p.variants),
		VariantOptions:  variantOptions(p),
		Inventory:       p.inventory(),
		TrackInventory:  true,
		Meta:            productMeta{Title: p.name, Description: p.name, Images: []any{}},
		AdvancedOptions: advancedOptions{RelatedProducts: []any{}},
		CreatedAt:       createdAt.Format(time.RFC3339),
		UpdatedAt:       p.updatedAt.Format(time.RFC3339),
		Images:          []any{},
	}
	if withVariants {
		variants := make([]variantBody, 0, len(p.variants))
		for _, v := range p.variants {
			variants = append(variants, newVariantBody(p, v))
		}
		body.Variants = &variants
	}
	return body
}

// variantOptions lists each option name of p's variants, sorted, with its
// values in the order in which the variants first use them.
func variantOptions(p *product) []variantOption {
	valuesByName := make(map[string][]variantOptionValue)
	for _, v := range p.variants {
		for name, value := range v.variations {
			values := valuesByName[name]
			if !slices.ContainsFunc(values, func(known variantOptionValue) bool { return known.Value == value }) {
				valuesByName[name] = append(values, variantOptionValue{Value: value})
			}
		}
	}

	options := make([]variantOption, 0, len(valuesByName))
	for _, name := range slices.Sorted(maps.Keys(valuesByName)) {
		options = append(options, variantOption{Name: name, Type: 1, Values: valuesByName[name]})
	}
	return options
}

// slug returns name in lower case with every run of characters other than
// letters and digits replaced by one hyphen.
func slug(name string) string {
	fields := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(fields, "-")
}
