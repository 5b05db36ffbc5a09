package importer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"restock/youcan"
)

// RetryPolicy bounds how often and how long a request refused with
// 429 Too Many Requests, or one that never left this machine, is tried
// again.
type RetryPolicy struct {
	// MaxAttempts counts every try, the first included.
	MaxAttempts int

	// BaseDelay is the first backoff delay when the store gives no
	// Retry-After; each later try doubles it, with random jitter.
	BaseDelay time.Duration

	// MaxDelay caps every wait, Retry-After included, so that a store
	// asking for an hour does not hang the run.
	MaxDelay time.Duration
}

// DefaultRetryPolicy tries a request up to 6 times over about a minute.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 6, BaseDelay: time.Second, MaxDelay: time.Minute}

// action is what to do after a request failed.
type action int

const (
	actionFail  action = iota // record the failure and go on with the next request
	actionRetry               // wait, then send the same request again
	actionStop                // record the failure and send nothing more
)

// decideRetry is the one place that decides whether a failed request is sent
// again. An increment is not idempotent and the API has no idempotency key,
// so a write is retried only when the store certainly did not apply it: a
// 429, or a connection that failed before the whole request was written. A
// read (idempotent) is also retried after a 5xx or a lost answer.
//
// attempt is the number of tries made so far, from 1. The returned delay is
// how long to wait before the next try.
func decideRetry(err error, attempt int, idempotent bool, policy RetryPolicy) (action, time.Duration) {
	if errors.Is(err, context.Canceled) {
		return actionFail, 0
	}

	var apiErr *youcan.Error
	if errors.As(err, &apiErr) {
		switch status := apiErr.StatusCode; {
		case status == http.StatusUnauthorized, status == http.StatusForbidden, status == http.StatusPaymentRequired:
			return actionStop, 0
		case status == http.StatusTooManyRequests:
			return retryAfter(attempt, apiErr.RetryAfter, policy)
		case status >= 500 && idempotent:
			return retryAfter(attempt, 0, policy)
		default:
			return actionFail, 0
		}
	}

	var requestErr *youcan.RequestError
	if errors.As(err, &requestErr) && (!requestErr.WroteRequest || idempotent) {
		return retryAfter(attempt, 0, policy)
	}
	return actionFail, 0
}

// retryAfter returns a retry after the store's Retry-After, or after an
// exponential backoff with jitter when it gave none, or a failure once the
// attempts are used up.
func retryAfter(attempt int, storeDelay time.Duration, policy RetryPolicy) (action, time.Duration) {
	if attempt >= policy.MaxAttempts {
		return actionFail, 0
	}
	delay := storeDelay
	if delay <= 0 {
		backoff := policy.BaseDelay << (attempt - 1)
		if backoff <= 0 || backoff > policy.MaxDelay {
			backoff = policy.MaxDelay
		}
		// Full jitter between half and all of the backoff spreads the
		// retries of concurrent workers apart.
		delay = backoff/2 + rand.N(backoff/2+1)
	}
	return actionRetry, min(delay, policy.MaxDelay)
}

// StopError is the error that stopped a run: the store refused the token or
// the store itself. Nothing was sent after it; requests in flight finished.
type StopError struct {
	Err *youcan.Error
}

func (e *StopError) Error() string {
	switch e.Err.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Sprintf("the store rejected the token (%v): it expired or was revoked, so create a new one in the seller area under Settings > Developer Settings and set YOUCAN_TOKEN", e.Err)
	case http.StatusForbidden:
		return fmt.Sprintf("the token lacks permission to change inventory (%v): create a token with access to products", e.Err)
	case http.StatusPaymentRequired:
		return fmt.Sprintf("the store is suspended (%v): settle the subscription in the seller area, then run again", e.Err)
	default:
		return fmt.Sprintf("the store stopped the run: %v", e.Err)
	}
}

func (e *StopError) Unwrap() error { return e.Err }
