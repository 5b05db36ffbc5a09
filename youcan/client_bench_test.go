package youcan_test

import (
	"context"
	"testing"

	"restock/youcan"
	"restock/youcan/youcantest"
)

// BenchmarkIncrementInventory sends increments of one sandbox variant over
// loopback to the fake store in this process, one at a time and then from
// 16 goroutines per GOMAXPROCS, with the transport that NewClient builds. The time and
// allocations per operation cover the client and the store together; run
// it with -cpuprofile to tell them apart. BENCHMARKS.md at the repository
// root has the results.
func BenchmarkIncrementInventory(b *testing.B) {
	store := youcantest.Sandbox()
	baseURL, stop, err := store.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	client, err := youcan.NewClient(baseURL, youcantest.SandboxToken, nil, "restock-bench")
	if err != nil {
		b.Fatal(err)
	}
	seed := youcantest.SandboxSeed()[0]
	productID, variantID := seed.ID, seed.Variants[0].ID
	ctx := context.Background()

	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.IncrementInventory(ctx, productID, variantID, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := client.IncrementInventory(ctx, productID, variantID, 1); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
