package report

import (
	"bytes"
	"encoding/json"
)

// The JSON shapes below convert to and from Row and Product, which Go allows because
// the fields match in name, type and order and only the tags differ. A field added to
// Row or Product breaks the conversion at compile time until it is added here too.

// dryRunRow is Row with the current_* keys always present.
type dryRunRow struct {
	Line                    int    `json:"line"`
	ProductID               string `json:"product_id"`
	ProductName             string `json:"product_name"`
	VariantID               string `json:"variant_id"`
	Variant                 string `json:"variant"`
	SKU                     string `json:"sku"`
	Quantity                int    `json:"quantity"`
	Status                  string `json:"status"`
	Inventory               *int   `json:"inventory"`
	ProductInventory        *int   `json:"product_inventory"`
	CurrentInventory        *int   `json:"current_inventory"`
	CurrentProductInventory *int   `json:"current_product_inventory"`
	Error                   string `json:"error"`
}

// appliedRow is Row without the current_* keys.
type appliedRow struct {
	Line                    int    `json:"line"`
	ProductID               string `json:"product_id"`
	ProductName             string `json:"product_name"`
	VariantID               string `json:"variant_id"`
	Variant                 string `json:"variant"`
	SKU                     string `json:"sku"`
	Quantity                int    `json:"quantity"`
	Status                  string `json:"status"`
	Inventory               *int   `json:"inventory"`
	ProductInventory        *int   `json:"product_inventory"`
	CurrentInventory        *int   `json:"-"`
	CurrentProductInventory *int   `json:"-"`
	Error                   string `json:"error"`
}

// dryRunProduct is Product with the current_inventory key always present.
type dryRunProduct struct {
	ProductID        string `json:"product_id"`
	Name             string `json:"name"`
	Rows             int    `json:"rows"`
	Added            int    `json:"added"`
	Inventory        *int   `json:"inventory"`
	CurrentInventory *int   `json:"current_inventory"`
}

// appliedProduct is Product without the current_inventory key.
type appliedProduct struct {
	ProductID        string `json:"product_id"`
	Name             string `json:"name"`
	Rows             int    `json:"rows"`
	Added            int    `json:"added"`
	Inventory        *int   `json:"inventory"`
	CurrentInventory *int   `json:"-"`
}

// reportJSON is Report with Rows and Products in one of the shapes above.
type reportJSON struct {
	Run      Run     `json:"run"`
	Summary  Summary `json:"summary"`
	Rows     any     `json:"rows"`
	Products any     `json:"products"`
}

// MarshalJSON encodes r with exactly the keys of its kind of run. In a dry run, rows
// and products have the current_* keys, with null for an unknown level, and outside a
// dry run they have none. Run times are converted to UTC. Nil slices are encoded as [],
// and HTML characters such as & are written as they are.
//
// Report has no UnmarshalJSON because the struct tags decode both shapes.
func (r Report) MarshalJSON() ([]byte, error) {
	out := reportJSON{Run: r.Run, Summary: r.Summary}
	out.Run.StartedAt = r.Run.StartedAt.UTC()
	out.Run.FinishedAt = r.Run.FinishedAt.UTC()

	if r.Run.DryRun {
		rows := make([]dryRunRow, len(r.Rows))
		for i, row := range r.Rows {
			rows[i] = dryRunRow(row)
		}
		products := make([]dryRunProduct, len(r.Products))
		for i, product := range r.Products {
			products[i] = dryRunProduct(product)
		}
		out.Rows, out.Products = rows, products
	} else {
		rows := make([]appliedRow, len(r.Rows))
		for i, row := range r.Rows {
			rows[i] = appliedRow(row)
		}
		products := make([]appliedProduct, len(r.Products))
		for i, product := range r.Products {
			products[i] = appliedProduct(product)
		}
		out.Rows, out.Products = rows, products
	}

	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// jsonEncoder writes a report as one indented JSON object followed by a newline.
type jsonEncoder struct{}

func (jsonEncoder) encode(path string, r *Report, create createFunc) error {
	w, err := create(path)
	if err != nil {
		return err
	}
	encoder := json.NewEncoder(w)
	encoder.SetEscapeHTML(false)
	encoder.SetIndent("", "  ")
	return encoder.Encode(r)
}
