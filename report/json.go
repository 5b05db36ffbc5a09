package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"iter"
	"strings"
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

// jsonEncoder writes a report as one indented JSON object followed by a newline, the
// bytes that a json.Encoder with SetIndent("", "  ") and SetEscapeHTML(false) writes for
// Report.MarshalJSON. It encodes one value at a time at its depth, so that rows can be
// built while they are written.
type jsonEncoder struct{}

func (jsonEncoder) encode(path string, doc *document, create createFunc) error {
	w, err := create(path)
	if err != nil {
		return err
	}
	out := newJSONWriter(w)

	run := doc.run
	run.StartedAt = run.StartedAt.UTC()
	run.FinishedAt = run.FinishedAt.UTC()
	out.write("{\n  \"run\": ")
	out.value(run, 1)
	out.write(",\n  \"summary\": ")
	out.value(doc.summary, 1)

	out.write(",\n  \"rows\": ")
	writeJSONArray(out, doc.rows, func(row Row) any {
		if doc.run.DryRun {
			return dryRunRow(row)
		}
		return appliedRow(row)
	})
	out.write(",\n  \"products\": ")
	writeJSONArray(out, doc.products, func(product Product) any {
		if doc.run.DryRun {
			return dryRunProduct(product)
		}
		return appliedProduct(product)
	})
	out.write("\n}\n")
	return out.flush()
}

// writeJSONArray writes the elements of values, each converted by shape, as an
// indented array at depth 1: [] when it has none.
func writeJSONArray[T any](out *jsonWriter, values iter.Seq[T], shape func(T) any) {
	empty := true
	for value := range values {
		if empty {
			out.write("[\n    ")
			empty = false
		} else {
			out.write(",\n    ")
		}
		out.value(shape(value), 2)
		if out.err != nil {
			return
		}
	}
	if empty {
		out.write("[]")
		return
	}
	out.write("\n  ]")
}

// jsonWriter writes an indented JSON document in pieces through a buffer. It keeps the
// first error, does nothing after it, and returns it from flush.
type jsonWriter struct {
	w        *bufio.Writer
	buf      bytes.Buffer
	encoders [3]*json.Encoder // by depth, writing to buf
	err      error
}

func newJSONWriter(w io.Writer) *jsonWriter {
	out := &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}
	for depth := range out.encoders {
		encoder := json.NewEncoder(&out.buf)
		encoder.SetEscapeHTML(false)
		encoder.SetIndent(strings.Repeat("  ", depth), "  ")
		out.encoders[depth] = encoder
	}
	return out
}

func (out *jsonWriter) write(s string) {
	if out.err == nil {
		_, out.err = out.w.WriteString(s)
	}
}

// value writes v indented as a value at depth, its first line without indentation
// since it follows a key or a comma.
func (out *jsonWriter) value(v any, depth int) {
	if out.err != nil {
		return
	}
	out.buf.Reset()
	if out.err = out.encoders[depth].Encode(v); out.err != nil {
		return
	}
	_, out.err = out.w.Write(bytes.TrimSuffix(out.buf.Bytes(), []byte("\n")))
}

func (out *jsonWriter) flush() error {
	if out.err != nil {
		return out.err
	}
	return out.w.Flush()
}
