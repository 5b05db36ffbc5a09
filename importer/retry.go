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

// action is the next step after a request failed.
type action int

const (
	actionFail  action = iota // record the outcome and go on with the next request
	actionRetry               // wait, then send the same request again
	actionStop                // record the outcome and send nothing more
)

// decision is the next step after a request failed, and the outcome the
// store gave the request.
type decision struct {
	action action
	delay  time.Duration // the wait before the next try, for actionRetry

	// status is the request's outcome when it is not retried:
	// StatusFailed when the store certainly did not apply it,
	// StatusUnknown when it may have, StatusNotAttempted when it was never
	// sent.
	status Status

	// tooManyRequests is set for a 429, so the caller can slow down.
	tooManyRequests bool

	// stopErr is the error that stops the run, for actionStop.
	stopErr *StopError
}

// decide is the one place that decides what a failed request means and
// whether it is sent again. An increment is not idempotent and the API has
// no idempotency key. So a write is sent again only when the store
// certainly did not act on it: after a 429, or a connection that failed
// before the whole request was written (refused, DNS, TLS). A write that may
// have reached the store and got no usable response (a timeout after it was
// written, a reset or closed connection, a 5xx) is StatusUnknown and never
// sent again. A read (idempotent) is also retried after a 5xx or a lost
// response.
//
// attempt is the number of tries made so far, from 1.
func decide(err error, attempt int, idempotent bool, policy RetryPolicy) decision {
	var apiErr *youcan.Error
	if errors.As(err, &apiErr) {
		switch status := apiErr.StatusCode; {
		case status == http.StatusUnauthorized, status == http.StatusForbidden, status == http.StatusPaymentRequired:
			return decision{action: actionStop, status: StatusFailed, stopErr: &StopError{Err: apiErr}}
		case status == http.StatusTooManyRequests:
			d := retryAfter(attempt, apiErr.RetryAfter, policy, StatusFailed)
			d.tooManyRequests = true
			return d
		case status >= 500 && idempotent:
			return retryAfter(attempt, 0, policy, StatusFailed)
		case status >= 500:
			return decision{action: actionFail, status: StatusUnknown}
		default:
			return decision{action: actionFail, status: StatusFailed}
		}
	}

	var requestErr *youcan.RequestError
	if !errors.As(err, &requestErr) {
		return decision{action: actionFail, status: StatusFailed}
	}
	if requestErr.WroteRequest && !idempotent {
		return decision{action: actionFail, status: StatusUnknown}
	}
	if errors.Is(err, context.Canceled) {
		// The run was aborted before the request was written.
		return decision{action: actionFail, status: StatusNotAttempted}
	}
	return retryAfter(attempt, 0, policy, StatusFailed)
}

// retryAfter returns a retry after the store's Retry-After, or after an
// exponential backoff with jitter when it gave none. Once the attempts are
// used up it returns finalStatus.
func retryAfter(attempt int, storeDelay time.Duration, policy RetryPolicy, finalStatus Status) decision {
	if attempt >= policy.MaxAttempts {
		return decision{action: actionFail, status: finalStatus}
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
	return decision{action: actionRetry, delay: min(delay, policy.MaxDelay)}
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
		return fmt.Sprintf("the token lacks permission for this request (%v): create a token with access to products and their inventory", e.Err)
	case http.StatusPaymentRequired:
		return fmt.Sprintf("the store is suspended (%v): settle the subscription in the seller area, then run again", e.Err)
	default:
		return fmt.Sprintf("the store stopped the run: %v", e.Err)
	}
}

func (e *StopError) Unwrap() error { return e.Err }

// TooManyUnknownError stops a run after a series of requests in a row whose
// outcome is unknown: the API or the network is down, and every further
// request would only add rows to check by hand.
type TooManyUnknownError struct {
	Count int
}

func (e *TooManyUnknownError) Error() string {
	return fmt.Sprintf("%d requests in a row got no usable answer from the store, so the run stopped: the API or the network may be down; check the unknown rows in the store, then resume", e.Count)
}
