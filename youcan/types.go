package youcan

// Product is a store product as the API returns it, reduced to the fields that
// stock updates need.
type Product struct {
	ID   string
	Name string

	// Inventory is the product's total stock over all its variants.
	Inventory int

	TrackInventory bool
	VariantsCount  int

	// Variants is empty unless the product was read with its variants
	// (GetProduct, ListProducts).
	Variants []Variant
}

// Variant is one sellable variant of a product, such as "color: Red, size: M".
type Variant struct {
	ID        string
	SKU       string // empty when the variant has no SKU
	Inventory int    // the variant's stock

	// Variations maps each option name to this variant's value,
	// for example {"color": "Red"}. It is empty for a default variant.
	Variations map[string]string

	IsDefault bool

	// Product is the variant's product. IncrementInventory always sets it;
	// when the API responds with its older short shape, only Product.ID and
	// Product.Inventory are known and Product.Name is empty.
	Product *Product
}
