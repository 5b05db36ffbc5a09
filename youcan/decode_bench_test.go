package youcan

import (
	"os"
	"testing"
)

// BenchmarkDecodeInventoryChange decodes the increment response of the API
// documentation (testdata/increment-response.json, 5.6 KB with its
// indentation), which the client does once per request. BENCHMARKS.md at the
// repository root has the results.
func BenchmarkDecodeInventoryChange(b *testing.B) {
	data, err := os.ReadFile("testdata/increment-response.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeInventoryChange(data, productID, variantID); err != nil {
			b.Fatal(err)
		}
	}
}
