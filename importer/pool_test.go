package importer

import (
	"context"
	"testing"
	"time"
)

func TestPoolSize(t *testing.T) {
	tests := []struct {
		name    string
		rate    float64
		latency time.Duration
		ceiling int
		want    int
	}{
		{"default rate, Morocco round trip", 5, 300 * time.Millisecond, 256, 5}, // ceil(2.25) + 2
		{"default rate, short round trip", 5, 50 * time.Millisecond, 256, 3},    // ceil(0.375) + 2
		{"rate 50, short round trip", 50, 50 * time.Millisecond, 256, 6},        // ceil(3.75) + 2
		{"rate 50, Morocco round trip", 50, 300 * time.Millisecond, 256, 25},    // ceil(22.5) + 2
		{"rate 500, short round trip", 500, 50 * time.Millisecond, 256, 40},     // ceil(37.5) + 2
		{"rate 500, Morocco round trip", 500, 300 * time.Millisecond, 256, 227}, // ceil(225) + 2
		{"no response yet", 5, initialLatency, 256, 10},                         // ceil(7.5) + 2
		{"zero latency keeps the spare workers", 500, 0, 256, 2},                // ceil(0) + 2
		{"low rate keeps the spare workers", 0.1, time.Millisecond, 256, 3},     // ceil(0.00015) + 2
		{"capped by the ceiling", 500, time.Second, 256, 256},                   // 752 without the cap
		{"capped by an explicit concurrency", 50, 300 * time.Millisecond, 4, 4}, // 25 without the cap
		{"concurrency 1", 500, 300 * time.Millisecond, 1, 1},                    // 227 without the cap
		{"rate too high for an int", 1e300, time.Hour, 256, 256},                // no overflow
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := poolSize(tt.rate, tt.latency, tt.ceiling); got != tt.want {
				t.Errorf("poolSize(%v, %v, %d) = %d, want %d", tt.rate, tt.latency, tt.ceiling, got, tt.want)
			}
		})
	}
}

func TestWorkerPoolLimitFollowsLatency(t *testing.T) {
	pool := newWorkerPool(100, 256)
	if got, want := pool.limit(), poolSize(100, initialLatency, 256); got != want {
		t.Errorf("limit before any response = %d, want %d", got, want)
	}

	pool.observe(200 * time.Millisecond) // the first response replaces the assumed latency
	if got := pool.limit(); got != 32 {  // ceil(100 × 0.2 × 1.5) + 2
		t.Errorf("limit after one response of 200ms = %d, want 32", got)
	}

	for range 200 {
		pool.observe(19 * time.Millisecond)
	}
	if got := pool.limit(); got != 5 { // ceil(100 × 0.019 × 1.5) + 2
		t.Errorf("limit after many responses of 19ms = %d, want 5", got)
	}
}

func TestWorkerPoolAcquireWaitsForRelease(t *testing.T) {
	pool := newWorkerPool(1, 2)
	ctx := context.Background()
	for i := range 2 {
		if !pool.acquire(ctx) {
			t.Fatalf("acquire %d under the limit returned false", i+1)
		}
	}

	acquired := make(chan bool)
	go func() { acquired <- pool.acquire(ctx) }()
	select {
	case <-acquired:
		t.Fatal("acquire above the limit returned before a release")
	case <-time.After(20 * time.Millisecond):
	}

	pool.release()
	if !<-acquired {
		t.Error("acquire after a release returned false")
	}
}

func TestWorkerPoolAcquireWaitsForLimitToRise(t *testing.T) {
	pool := newWorkerPool(100, 256)
	pool.observe(0) // the limit falls to the spare workers
	ctx := context.Background()
	for range poolSpare {
		pool.acquire(ctx)
	}

	acquired := make(chan bool)
	go func() { acquired <- pool.acquire(ctx) }()
	select {
	case <-acquired:
		t.Fatal("acquire above the limit returned before the limit rose")
	case <-time.After(20 * time.Millisecond):
	}

	pool.observe(time.Second) // a slower response raises the limit
	if !<-acquired {
		t.Error("acquire after the limit rose returned false")
	}
}

func TestWorkerPoolAcquireStopsWithContext(t *testing.T) {
	pool := newWorkerPool(1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	pool.acquire(ctx)

	acquired := make(chan bool)
	go func() { acquired <- pool.acquire(ctx) }()
	cancel()
	if <-acquired {
		t.Error("acquire after the context ended returned true")
	}
	if pool.acquire(ctx) {
		t.Error("acquire with an ended context returned true")
	}
}

func TestRunSendsEveryProductWithSmallPool(t *testing.T) {
	store, client := testStore(t)
	plan := testPlan(t, productA+","+variantA1+",1\n"+
		productB+","+variantB1+",2\n"+
		productC+","+variantC1+",3\n"+
		productA+","+variantA2+",4\n", false)
	opts := fastOptions()
	opts.Concurrency = 1

	result := Run(context.Background(), client, plan, opts)

	for i, outcome := range result.Outcomes() {
		if outcome.Status != StatusApplied {
			t.Errorf("request %d status = %s (%v), want applied", i, outcome.Status, outcome.Err)
		}
	}
	if n := len(store.Requests()); n != 4 {
		t.Errorf("store received %d requests, want 4", n)
	}
}
