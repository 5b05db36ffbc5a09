package youcantest

// SandboxToken is the access token that the sandbox store accepts.
const SandboxToken = "sandbox-token"

// Sandbox returns a new store with the demo catalogue of SandboxSeed that
// accepts SandboxToken.
func Sandbox() *Store {
	return NewStore(SandboxToken, SandboxSeed())
}

// SandboxSeed returns the demo catalogue: five products of a Moroccan store
// with names in French, Arabic and English. Some have several variants, two
// have a single default variant, and some variants have no SKU. The ids are
// made-up UUIDs that stay the same across releases, so that samples/restock.csv
// and users' own test files keep working. Each call returns a new copy.
func SandboxSeed() []SeedProduct {
	return []SeedProduct{
		{
			ID:   "a127436a-7cb9-4f4c-ac03-cac11f809d39",
			Name: "Caftan brodé",
			Variants: []SeedVariant{
				{ID: "8942f16f-bd6f-48c7-862e-7e2e8daf43aa", SKU: "CAF-M-BLEU", Variations: map[string]string{"taille": "M", "couleur": "Bleu"}, Inventory: 4},
				{ID: "57b461d8-79e7-4bea-8a57-2b5d193c77ac", SKU: "CAF-L-BLEU", Variations: map[string]string{"taille": "L", "couleur": "Bleu"}, Inventory: 2},
				{ID: "1abdaf31-4294-4e6f-a72f-0b3add82a420", SKU: "CAF-M-VERT", Variations: map[string]string{"taille": "M", "couleur": "Vert"}, Inventory: 0},
				{ID: "52633527-7546-408a-9b7f-c16093c6e54d", SKU: "", Variations: map[string]string{"taille": "L", "couleur": "Vert"}, Inventory: 1},
			},
		},
		{
			ID:   "4598181a-8ce6-4dd7-8c04-962029ec229a",
			Name: "زيت أركان 100 مل",
			Variants: []SeedVariant{
				{ID: "62ea9457-31ae-49e0-b47c-ded7683e9386", SKU: "ARG-100", Inventory: 12, IsDefault: true},
			},
		},
		{
			ID:   "dda090fd-140a-4953-93b0-c0890af780bf",
			Name: "Babouches en cuir",
			Variants: []SeedVariant{
				{ID: "e9baf838-a8e2-4fd7-b5f3-3a841878c62c", SKU: "BAB-40", Variations: map[string]string{"pointure": "40"}, Inventory: 6},
				{ID: "8b58c563-4be1-447f-998a-009772807c06", SKU: "BAB-41", Variations: map[string]string{"pointure": "41"}, Inventory: 3},
				{ID: "2f8b7917-3b1a-476b-b573-1e3c942cc335", SKU: "", Variations: map[string]string{"pointure": "42"}, Inventory: 0},
			},
		},
		{
			ID:   "8229c91f-f210-403a-91c4-7fdfdb333925",
			Name: "Thé à la menthe — coffret",
			Variants: []SeedVariant{
				{ID: "6c9af14a-2437-4454-b4e1-e8783e7b5a60", SKU: "", Inventory: 9, IsDefault: true},
			},
		},
		{
			ID:   "417bb769-1f0b-45d2-aaf9-1016fa7c0623",
			Name: "Hand-painted clay tagine",
			Variants: []SeedVariant{
				{ID: "1496ba1d-3b19-4c32-91d9-2f934e8db000", SKU: "TAG-S", Variations: map[string]string{"size": "Small (2 people)"}, Inventory: 5},
				{ID: "49551783-6109-4694-aa61-cf272e7e23af", SKU: "TAG-L", Variations: map[string]string{"size": "Large (6 people)"}, Inventory: 3},
			},
		},
	}
}
