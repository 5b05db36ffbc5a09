// Package report writes the report of a restock run, as one JSON object or as a pair of
// CSV files, and the failed-rows file that a user can fix and feed back to the command.
//
// Every file is written atomically, so a reader sees either the previous file or the
// complete new one. The package never reads the store and never logs.
package report

import "time"

// Report is the result of one run: what ran, the counts, one entry per input row, and
// one entry per product that the rows touched.
//
// Marshaled as JSON, a row has the current_inventory and current_product_inventory keys
// and a product has the current_inventory key only when Run.DryRun is true. In a dry
// run they are always present, with null for an unknown level.
type Report struct {
	Run      Run       `json:"run"`
	Summary  Summary   `json:"summary"`
	Rows     []Row     `json:"rows"`
	Products []Product `json:"products"`
}

// Run describes one run of the command.
type Run struct {
	ID         string    `json:"id,omitempty"` // empty until a later change assigns run IDs
	Input      string    `json:"input"`        // path as given, or "-" for stdin
	SHA256     string    `json:"sha256"`       // hex of the input bytes
	StartedAt  time.Time `json:"started_at"`   // written in UTC, RFC 3339
	FinishedAt time.Time `json:"finished_at"`  // written in UTC, RFC 3339
	DryRun     bool      `json:"dry_run"`
	APIURL     string    `json:"api_url"`
}

// Summary is the row counts of one run.
type Summary struct {
	Rows         int `json:"rows"` // data rows read, not counting blank rows
	Applied      int `json:"applied"`
	Failed       int `json:"failed"`
	Unknown      int `json:"unknown"` // sent, and no usable response read: check these in the store
	NotAttempted int `json:"not_attempted"`
	Valid        int `json:"valid"` // rows that passed a dry run, or 0 outside a dry run
	SkippedBlank int `json:"skipped_blank_rows"`

	// Requests is the number of increments planned. It is lower than Rows when
	// duplicate lines were merged into one request.
	Requests int `json:"requests"`

	// MergedLines is the number of lines merged into another line's request.
	MergedLines int `json:"merged_lines"`
}

// Row statuses.
const (
	StatusApplied      = "applied"
	StatusFailed       = "failed"
	StatusUnknown      = "unknown"
	StatusNotAttempted = "not_attempted"
	StatusValid        = "valid" // dry run only
)

// Row is the outcome of one input row.
type Row struct {
	Line        int    `json:"line"` // physical line in the input file, where the header is line 1
	ProductID   string `json:"product_id"`
	ProductName string `json:"product_name"`
	VariantID   string `json:"variant_id"`
	Variant     string `json:"variant"` // option values such as "color: Red, size: M", or "" for a default variant
	SKU         string `json:"sku"`
	Quantity    int    `json:"quantity"`
	Status      string `json:"status"` // one of the Status constants

	// Inventory is the variant's stock after the row, projected in a dry run,
	// and ProductInventory is the product's total after the row. Nil means unknown.
	Inventory        *int `json:"inventory"`
	ProductInventory *int `json:"product_inventory"`

	// CurrentInventory and CurrentProductInventory are the levels read before a
	// dry run. Nil means unknown. They are not written outside a dry run.
	CurrentInventory        *int `json:"current_inventory,omitempty"`
	CurrentProductInventory *int `json:"current_product_inventory,omitempty"`

	Error string `json:"error"`
}

// Product is the outcome for one product over all of its rows.
type Product struct {
	ProductID string `json:"product_id"`
	Name      string `json:"name"`
	Rows      int    `json:"rows"`
	Added     int    `json:"added"` // units applied, projected in a dry run

	// Inventory is the final total, projected in a dry run. Nil means unknown.
	Inventory *int `json:"inventory"`

	// CurrentInventory is the total read before a dry run. Nil means unknown.
	// It is not written outside a dry run.
	CurrentInventory *int `json:"current_inventory,omitempty"`
}
