package importer

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateChange is a change of the run's request rate.
type RateChange struct {
	From, To float64 // requests per second
	Reason   string
}

// Defaults of the adaptive rate.
const (
	defaultQuietPeriod = 30 * time.Second

	// minRateFraction is the lowest the rate goes, as a fraction of the
	// rate asked for, so that a run never stalls.
	minRateFraction = 1.0 / 64

	// raiseSteps is how many steps take the rate from its lowest back to
	// the rate asked for.
	raiseSteps = 10
)

// adaptiveRate spaces requests evenly, with no burst above one, at a rate
// that halves on a 429 Too Many Requests and comes back step by step after
// a quiet period, never above the rate asked for. It is safe for concurrent
// use.
type adaptiveRate struct {
	limiter  *rate.Limiter
	max      float64
	quiet    time.Duration
	onChange func(RateChange)

	mu           sync.Mutex
	current      float64
	lastDecrease time.Time
	lastEvent    time.Time // the last rate change or 429, which starts a quiet period
}

func newAdaptiveRate(requestsPerSecond float64, quiet time.Duration, onChange func(RateChange)) *adaptiveRate {
	if quiet <= 0 {
		quiet = defaultQuietPeriod
	}
	return &adaptiveRate{
		limiter:  rate.NewLimiter(rate.Limit(requestsPerSecond), 1),
		max:      requestsPerSecond,
		quiet:    quiet,
		onChange: onChange,
		current:  requestsPerSecond,
	}
}

// wait blocks until the next request may start, or ctx ends.
func (a *adaptiveRate) wait(ctx context.Context) error {
	a.raiseAfterQuietPeriod(time.Now())
	return a.limiter.Wait(ctx)
}

// decreaseWindow is how long after a decrease further 429s are taken as
// responses to requests sent at the old rate, so they do not lower it again.
const decreaseWindow = time.Second

// tooManyRequests halves the rate, down to a floor.
func (a *adaptiveRate) tooManyRequests() {
	now := time.Now()
	a.mu.Lock()
	a.lastEvent = now
	floor := a.max * minRateFraction
	if now.Sub(a.lastDecrease) < decreaseWindow || a.current <= floor {
		a.mu.Unlock()
		return
	}
	change := RateChange{From: a.current, To: max(a.current/2, floor), Reason: "the store answered 429 Too Many Requests"}
	a.set(change.To, now)
	a.lastDecrease = now
	a.mu.Unlock()
	a.notify(change)
}

// raiseAfterQuietPeriod raises the rate by one step when no 429 came for a
// quiet period since the last change.
func (a *adaptiveRate) raiseAfterQuietPeriod(now time.Time) {
	a.mu.Lock()
	if a.current >= a.max || now.Sub(a.lastEvent) < a.quiet {
		a.mu.Unlock()
		return
	}
	change := RateChange{From: a.current, To: min(a.current+a.max/raiseSteps, a.max), Reason: "no 429 Too Many Requests for " + a.quiet.String()}
	a.set(change.To, now)
	a.mu.Unlock()
	a.notify(change)
}

// set changes the rate; a.mu must be held.
func (a *adaptiveRate) set(requestsPerSecond float64, now time.Time) {
	a.current = requestsPerSecond
	a.lastEvent = now
	a.limiter.SetLimitAt(now, rate.Limit(requestsPerSecond))
}

func (a *adaptiveRate) notify(change RateChange) {
	if a.onChange != nil {
		a.onChange(change)
	}
}
