package importer

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"restock/youcan"
)

// Sizing of the worker pool. A run keeps the rate busy when about
// rate × latency requests are in flight (Little's law), so the pool runs
// that many workers, with headroom for the spread of the latency.
const (
	// poolHeadroom multiplies rate × latency, so that responses slower
	// than the average do not leave the rate unused.
	poolHeadroom = 1.5

	// poolSpare workers are added, so that at a low rate × latency the
	// next request can start while one waits for its response.
	poolSpare = 2

	// initialLatency is the latency assumed until the first response
	// arrives. Assuming too much only starts workers that wait for the
	// rate limiter, while assuming too little would leave the rate unused
	// until the first responses.
	initialLatency = time.Second

	// latencyWeight is the weight of each new latency in the moving
	// average.
	latencyWeight = 0.1
)

// workerPool bounds the products worked on at once. Its limit is
// poolHeadroom × rate × the moving average of the store's latency, plus
// poolSpare, and never more than ceiling. The rate limiter, not the pool,
// keeps the requests in flight to what the rate can use, because a worker
// that waits for the limiter has nothing in flight. The pool stops a slow
// store from piling up requests beyond that. It is safe for concurrent use.
type workerPool struct {
	rate    float64 // requests per second
	ceiling int

	mu       sync.Mutex
	running  int
	latency  time.Duration // moving average, or initialLatency before the first response
	observed bool

	// wake has room for one signal: a worker ended or the limit rose.
	// Only acquire receives from it.
	wake chan struct{}
}

// newWorkerPool returns a pool for requestsPerSecond that never runs more
// than ceiling workers, or 1 when ceiling is below 1.
func newWorkerPool(requestsPerSecond float64, ceiling int) *workerPool {
	return &workerPool{
		rate:    requestsPerSecond,
		ceiling: max(ceiling, 1),
		latency: initialLatency,
		wake:    make(chan struct{}, 1),
	}
}

// poolSize returns the number of workers that keep requestsPerSecond busy
// when each response takes latency, between 1 and ceiling.
func poolSize(requestsPerSecond float64, latency time.Duration, ceiling int) int {
	size := math.Ceil(requestsPerSecond*latency.Seconds()*poolHeadroom) + poolSpare
	if math.IsNaN(size) || size > float64(ceiling) {
		return ceiling
	}
	return max(int(size), 1)
}

// limit returns the number of workers allowed now.
func (p *workerPool) limit() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return poolSize(p.rate, p.latency, p.ceiling)
}

// acquire blocks until one more worker may start, and counts it as running.
// It returns false, counting nothing, if ctx ends first. Only one goroutine
// may call acquire at a time.
func (p *workerPool) acquire(ctx context.Context) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		p.mu.Lock()
		if p.running < poolSize(p.rate, p.latency, p.ceiling) {
			p.running++
			p.mu.Unlock()
			return true
		}
		p.mu.Unlock()

		select {
		case <-p.wake:
		case <-ctx.Done():
			return false
		}
	}
}

// release counts one worker as ended.
func (p *workerPool) release() {
	p.mu.Lock()
	p.running--
	p.mu.Unlock()
	p.signal()
}

// observe adds the latency of one response to the moving average.
func (p *workerPool) observe(latency time.Duration) {
	p.mu.Lock()
	before := poolSize(p.rate, p.latency, p.ceiling)
	if p.observed {
		p.latency += time.Duration(latencyWeight * float64(latency-p.latency))
	} else {
		p.latency, p.observed = latency, true
	}
	rose := poolSize(p.rate, p.latency, p.ceiling) > before
	p.mu.Unlock()
	if rose {
		p.signal()
	}
}

func (p *workerPool) signal() {
	select {
	case p.wake <- struct{}{}:
	default: // a signal is already pending, and one is enough
	}
}

// timed wraps store so that it reports the latency of each response to the pool.
func (p *workerPool) timed(store Store) Store {
	return &timedStore{Store: store, pool: p}
}

// timedStore reports to its pool how long the store took to respond. A
// request that got no response, such as one that timed out or could not
// connect, gives no measure of the latency and is not counted.
type timedStore struct {
	Store
	pool *workerPool
}

func (s *timedStore) IncrementInventory(ctx context.Context, productID, variantID string, quantity int) (*youcan.Variant, error) {
	start := time.Now()
	variant, err := s.Store.IncrementInventory(ctx, productID, variantID, quantity)
	s.observe(start, err)
	return variant, err
}

func (s *timedStore) DecrementInventory(ctx context.Context, productID, variantID string, quantity int) (*youcan.Variant, error) {
	start := time.Now()
	variant, err := s.Store.DecrementInventory(ctx, productID, variantID, quantity)
	s.observe(start, err)
	return variant, err
}

func (s *timedStore) GetProduct(ctx context.Context, id string) (*youcan.Product, error) {
	start := time.Now()
	product, err := s.Store.GetProduct(ctx, id)
	s.observe(start, err)
	return product, err
}

func (s *timedStore) observe(start time.Time, err error) {
	var apiErr *youcan.Error
	if err == nil || errors.As(err, &apiErr) {
		s.pool.observe(time.Since(start))
	}
}
