package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"restock/youcan"
)

// Store is the part of the YouCan API that the importer uses.
type Store interface {
	// IncrementInventory adds quantity units to a variant's stock and
	// returns the variant with its new stock and its product's new total.
	IncrementInventory(ctx context.Context, productID, variantID string, quantity int) (*youcan.Variant, error)

	// DecrementInventory removes quantity units from a variant's stock, as
	// IncrementInventory adds them.
	DecrementInventory(ctx context.Context, productID, variantID string, quantity int) (*youcan.Variant, error)

	// GetProduct returns a product with its variants.
	GetProduct(ctx context.Context, id string) (*youcan.Product, error)
}

var _ Store = (*youcan.Client)(nil)

// Status is the outcome of one request, and so of each row it applies.
type Status string

const (
	StatusApplied      Status = "applied"       // the store responded 2xx: the stock was added
	StatusFailed       Status = "failed"        // the store certainly did not apply it: an error response, or never sent because of a local error
	StatusUnknown      Status = "unknown"       // sent, and no usable response read: the store may or may not have applied it
	StatusNotAttempted Status = "not_attempted" // never sent: the run stopped first
	StatusValid        Status = "valid"         // dry run: the row would be sent
)

// Outcome is the result of one request.
type Outcome struct {
	Status Status

	// Err is the reason the request failed or was not attempted, or nil.
	Err error

	// Inventory and ProductInventory are the variant's stock and the
	// product's total right after this request: from the store's answer,
	// or projected in a dry run. Nil when unknown.
	Inventory        *int
	ProductInventory *int

	// CurrentInventory and CurrentProductInventory are the levels before
	// this request, as read from the store in a dry run. Nil otherwise.
	CurrentInventory        *int
	CurrentProductInventory *int

	ProductName string
	Variant     string // the variant's option values, such as "color: Red, size: M"
	SKU         string
}

// Result is the outcome of a run or a dry run. Its Outcome and Outcomes
// methods return the outcome of each request.
type Result struct {
	Plan *Plan

	DryRun bool

	// StoreChecked is false for a dry run that validated the file alone,
	// without reading the store.
	StoreChecked bool

	// Stopped is the reason the run ended before every request was sent: a
	// *StopError, or the cause of the cancelled context. Nil when every
	// request was sent.
	Stopped error

	// RequestsSent counts the HTTP requests sent, retries and product reads
	// included.
	RequestsSent int

	// FirstRequestAt and LastRequestAt are when the first and the last of
	// those requests started; zero when none was sent.
	FirstRequestAt time.Time
	LastRequestAt  time.Time

	StartedAt  time.Time
	FinishedAt time.Time

	// outcomes holds one outcome per request, at Request.Index.
	outcomes *outcomeTable
}

// Options tune a run.
type Options struct {
	// Rate is the number of requests per second, spaced evenly with no
	// burst. It must be positive.
	Rate float64

	// Concurrency is the number of products worked on at once, and so the
	// number of requests in flight at most. It must be at least 1.
	Concurrency int

	// Timeout limits one request, its retries not included. Zero means no
	// limit.
	Timeout time.Duration

	Retry RetryPolicy

	// Progress, when not nil, is updated as rows are done.
	Progress *Progress

	// Abort, when not nil and done, also cancels the requests in flight.
	// Cancelling the context given to Run only stops new requests.
	Abort context.Context

	// Journal, when not nil, records every request before it is sent and
	// its outcome once its answer is read. A request is never sent unless
	// its record is on stable storage; if the journal cannot be written,
	// the run stops.
	Journal *Journal

	// Previous holds the final outcomes of a resumed run, by request index.
	// Those requests are not sent again; their outcomes are reported as is.
	Previous map[int]Outcome

	// MaxUnknown stops the run after this many requests in a row ended
	// StatusUnknown. Zero means 10.
	MaxUnknown int

	// OnRateChange, when not nil, is called each time a 429 lowers the
	// rate or a quiet period raises it back.
	OnRateChange func(RateChange)

	// OnRetry, when not nil, is called before each wait to send a request
	// again. It may be called from several goroutines at once.
	OnRetry func(Retry)

	// RateQuietPeriod is how long without a 429 before the rate is raised
	// back, one step at a time. Zero means 30 seconds.
	RateQuietPeriod time.Duration

	// Remove sends decrements, which remove each request's quantity, as an
	// undo does. Unless AllowNegative is set, each product is read first
	// and a request that would make a variant's stock negative is not sent
	// but failed with the levels in its error.
	Remove        bool
	AllowNegative bool
}

// defaultMaxUnknown is Options.MaxUnknown's default.
const defaultMaxUnknown = 10

// maxUnreachableInARow stops a run after this many requests in a row could
// not reach the store at all: a wrong --api-url or a network that is down
// would otherwise retry every row for a minute each.
const maxUnreachableInARow = 3

// Retry is a request about to be sent again.
type Retry struct {
	Line    int // the first input line of the request
	Attempt int // the tries made so far
	Delay   time.Duration
	Err     error // the error of the last try
}

// Progress counts the rows done so far. It is safe to read while a run
// updates it.
type Progress struct {
	Rows   atomic.Int64 // rows in the plan
	Done   atomic.Int64 // rows whose request has ended
	Failed atomic.Int64 // rows whose request failed
}

// Run sends the plan's increments to the store, at most opts.Rate requests
// per second and opts.Concurrency at once. The requests of one product are
// sent one after another in file order; different products run concurrently.
//
// A failed request does not stop the others. A 401, 402 or 403 stops the
// run, and so does cancelling ctx: nothing new is sent, the requests in
// flight finish, and the requests never sent are StatusNotAttempted.
// Run always returns a Result covering every request.
func Run(ctx context.Context, store Store, plan *Plan, opts Options) *Result {
	r := newRunner(ctx, store, plan, opts, false)
	r.forEachProduct(r.applyProduct)
	return r.finish()
}

// Check is a dry run. With a nil store it validates nothing more and marks
// every request valid. Otherwise it reads every product of the plan once,
// checks that each variant belongs to its product, and projects the levels
// each request would reach. It sends no writes.
func Check(ctx context.Context, store Store, plan *Plan, opts Options) *Result {
	r := newRunner(ctx, store, plan, opts, true)
	if store == nil {
		for i := range r.outcomes.slots {
			r.outcomes.slots[i].status = codeOf(StatusValid)
		}
		r.progress.Done.Store(int64(len(plan.Input.Rows)))
		return r.finish()
	}
	r.result.StoreChecked = true
	r.forEachProduct(r.checkProduct)
	return r.finish()
}

type runner struct {
	store    Store
	plan     *Plan
	opts     Options
	rate     *adaptiveRate
	progress *Progress
	result   *Result
	outcomes *outcomeTable // result.outcomes

	// unknownInARow counts the requests that ended StatusUnknown since the
	// last one that got an answer, and unreachableInARow those that never
	// reached the store.
	unknownInARow     atomic.Int64
	unreachableInARow atomic.Int64

	mu     sync.Mutex // guards the three fields below
	sent   int
	first  time.Time
	latest time.Time

	// stopCtx ends when the caller cancels or the store stops the run: no
	// new request starts after that.
	stopCtx context.Context
	stop    context.CancelCauseFunc

	// requestCtx outlives stopCtx, so requests in flight finish. Only
	// Options.Abort cancels it before the run ends.
	requestCtx    context.Context
	cancelRequest context.CancelFunc
}

func newRunner(ctx context.Context, store Store, plan *Plan, opts Options, dryRun bool) *runner {
	outcomes := newOutcomeTable(len(plan.Requests), len(plan.Products), dryRun)
	r := &runner{
		store:    store,
		plan:     plan,
		opts:     opts,
		rate:     newAdaptiveRate(opts.Rate, opts.RateQuietPeriod, opts.OnRateChange),
		progress: opts.Progress,
		result: &Result{
			Plan:      plan,
			DryRun:    dryRun,
			StartedAt: time.Now(),
			outcomes:  outcomes,
		},
		outcomes: outcomes,
	}
	if r.progress == nil {
		r.progress = new(Progress)
	}
	// Unresolved rows count as done and failed from the start.
	r.progress.Rows.Store(int64(len(plan.Input.Rows)))
	r.progress.Done.Store(int64(len(plan.Unresolved)))
	r.progress.Failed.Store(int64(len(plan.Unresolved)))

	r.stopCtx, r.stop = context.WithCancelCause(ctx)
	r.requestCtx, r.cancelRequest = context.WithCancel(context.WithoutCancel(ctx))
	if opts.Abort != nil {
		context.AfterFunc(opts.Abort, r.cancelRequest)
	}
	return r
}

// forEachProduct calls work for each product of the plan and its index in
// Plan.Products, until the run stops, on as many goroutines as opts.Rate
// keeps busy at the latency observed so far, and at most opts.Concurrency
// (see workerPool). It wraps r.store to observe that latency.
func (r *runner) forEachProduct(work func(int, *ProductPlan)) {
	pool := newWorkerPool(r.opts.Rate, r.opts.Concurrency)
	r.store = pool.timed(r.store)

	var group errgroup.Group
	for productIndex, product := range r.plan.Products {
		if !pool.acquire(r.stopCtx) {
			break
		}
		group.Go(func() error {
			defer pool.release()
			work(productIndex, product)
			return nil
		})
	}
	_ = group.Wait() // work never returns an error: each outcome carries its own
}

// finish gives the requests never sent the reason the run stopped.
func (r *runner) finish() *Result {
	res := r.result
	if r.stopCtx.Err() != nil {
		res.Stopped = context.Cause(r.stopCtx)
	}
	r.outcomes.notSent = notSentError(res.Stopped)
	res.RequestsSent, res.FirstRequestAt, res.LastRequestAt = r.sent, r.first, r.latest
	res.FinishedAt = time.Now()
	r.stop(nil)
	r.cancelRequest()
	return res
}

// errNotSent marks the errors of requests that the run never sent.
var errNotSent = errors.New("not sent")

func notSentError(cause error) error {
	if cause == nil {
		return errNotSent
	}
	return fmt.Errorf("%w: the run stopped: %w", errNotSent, cause)
}

// applyProduct sends the increments of one product in file order. The
// requests a resumed run already settled are not sent again.
func (r *runner) applyProduct(productIndex int, product *ProductPlan) {
	var skipped map[int]Outcome
	if r.opts.Remove && !r.opts.AllowNegative && r.stopCtx.Err() == nil {
		skipped = r.negativeRequests(product)
	}

	applied := false
	for _, request := range product.Requests {
		if previous, ok := r.opts.Previous[request.Index]; ok {
			r.record(productIndex, request, previous)
			continue
		}
		if r.stopCtx.Err() != nil {
			return
		}
		outcome, skip := skipped[request.Index]
		if !skip {
			outcome = r.increment(request)
		}
		r.record(productIndex, request, outcome)
		r.journalOutcome(request, outcome)
		r.watchUnknown(outcome)
		applied = applied || outcome.Status == StatusApplied
	}
	if applied {
		r.describeProduct(productIndex, product)
	}
}

// journalOutcome records a final outcome in the journal, and stops the run
// if it cannot: a request whose outcome is not on stable storage must not
// be followed by others.
//
// A request that failed because the run had to stop (a 401, 402 or 403, or
// a store that could not be reached) is journaled as released, not failed.
// The store certainly did not apply it, so a resume sends it once the cause
// is fixed.
func (r *runner) journalOutcome(request *Request, outcome Outcome) {
	if r.opts.Journal == nil {
		return
	}
	var err error
	if outcome.Status == StatusFailed && failedForTheRun(outcome.Err) {
		err = r.opts.Journal.Released(request, outcome.Err)
	} else {
		err = r.opts.Journal.Outcome(request, outcome)
	}
	if err != nil {
		r.stop(err)
	}
}

// failedForTheRun reports whether err failed a request for a cause of the
// whole run, not of the row.
func failedForTheRun(err error) bool {
	var stopErr *StopError
	var unreachable *UnreachableError
	return errors.As(err, &stopErr) || errors.As(err, &unreachable)
}

// watchUnknown stops the run after opts.MaxUnknown unknown outcomes in a
// row, or after maxUnreachableInARow requests in a row that never reached
// the store. Any answer from the store, success or error, resets the counts.
func (r *runner) watchUnknown(outcome Outcome) {
	var unreachable *UnreachableError
	switch {
	case outcome.Status == StatusUnknown:
		limit := r.opts.MaxUnknown
		if limit <= 0 {
			limit = defaultMaxUnknown
		}
		if n := r.unknownInARow.Add(1); n >= int64(limit) {
			r.stop(&TooManyUnknownError{Count: int(n)})
		}
	case outcome.Status == StatusFailed && errors.As(outcome.Err, &unreachable):
		if n := r.unreachableInARow.Add(1); n >= maxUnreachableInARow {
			r.stop(unreachable)
		}
	case outcome.Status == StatusApplied, outcome.Status == StatusFailed:
		r.unknownInARow.Store(0)
		r.unreachableInARow.Store(0)
	}
}

// increment sends one request, and sends it again when decide returns
// actionRetry.
func (r *runner) increment(request *Request) Outcome {
	productID, variantID := request.ProductID.String(), request.VariantID.String()
	line := r.plan.Input.Rows[request.Rows[0]].Line
	for attempt := 1; ; attempt++ {
		// A wait cut short leaves the request unsent, and safe to send later.
		if err := r.rate.wait(r.stopCtx); err != nil {
			return Outcome{Status: StatusNotAttempted, Err: notSentError(context.Cause(r.stopCtx))}
		}
		if journal := r.opts.Journal; journal != nil {
			if err := journal.Sending(request, line, attempt); err != nil {
				r.stop(err)
				return Outcome{Status: StatusFailed, Err: fmt.Errorf("never sent: %w", err)}
			}
		}

		ctx, cancel := r.requestContext()
		r.countRequest()
		send := r.store.IncrementInventory
		if r.opts.Remove {
			send = r.store.DecrementInventory
		}
		variant, err := send(ctx, productID, variantID, request.Quantity)
		cancel()
		if err == nil {
			return appliedOutcome(variant)
		}

		d := decide(err, attempt, false, r.opts.Retry)
		if d.tooManyRequests {
			r.rate.tooManyRequests()
		}
		if d.action == actionRetry || d.status == StatusNotAttempted {
			if journal := r.opts.Journal; journal != nil {
				if err := journal.Released(request, err); err != nil {
					r.stop(err)
					return Outcome{Status: StatusFailed, Err: fmt.Errorf("never sent again: %w", err)}
				}
			}
		}
		switch d.action {
		case actionRetry:
			if r.opts.OnRetry != nil {
				r.opts.OnRetry(Retry{Line: line, Attempt: attempt, Delay: d.delay, Err: err})
			}
			if !sleep(r.stopCtx, d.delay) {
				return Outcome{Status: StatusNotAttempted, Err: fmt.Errorf("not sent: the run stopped while waiting to try again after: %w", err)}
			}
		case actionStop:
			r.stop(d.stopErr)
			return Outcome{Status: StatusFailed, Err: d.stopErr}
		default:
			return Outcome{Status: d.status, Err: explainFailure(err, d.status, attempt)}
		}
	}
}

// countRequest records that a request starts now.
func (r *runner) countRequest() {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent == 0 {
		r.first = now
	}
	r.sent++
	r.latest = now
}

// AchievedRate returns the requests per second between the first and the
// last request, or 0 with fewer than two requests. The first request
// starts at once, so counting the whole run would overstate a short run.
func (res *Result) AchievedRate() float64 {
	span := res.LastRequestAt.Sub(res.FirstRequestAt)
	if res.RequestsSent < 2 || span <= 0 {
		return 0
	}
	return float64(res.RequestsSent-1) / span.Seconds()
}

// requestContext returns the context for one request: it outlives a stop,
// so the request finishes, and ends after the timeout or on abort.
func (r *runner) requestContext() (context.Context, context.CancelFunc) {
	if r.opts.Timeout > 0 {
		return context.WithTimeout(r.requestCtx, r.opts.Timeout)
	}
	return context.WithCancel(r.requestCtx)
}

// sleep waits d, and returns false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// explainFailure adds what the failure means and the fix to the failures a
// user can act on.
func explainFailure(err error, status Status, attempts int) error {
	var apiErr *youcan.Error
	var requestErr *youcan.RequestError
	switch {
	case status == StatusUnknown && errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("no response within --timeout, so the stock may or may not have been added; check this variant in the store before sending it again: %w", err)
	case status == StatusUnknown:
		return fmt.Errorf("no usable response, so the stock may or may not have been added; check this variant in the store before sending it again: %w", err)
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("the store answered 429 Too Many Requests %d times, so nothing was applied; run again later with a lower --rate: %w", attempts, err)
	case status == StatusFailed && errors.As(err, &requestErr) && !requestErr.WroteRequest:
		return &UnreachableError{Attempts: attempts, Err: err}
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		return fmt.Errorf("the store has no such product: check the product id (%w)", err)
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity && len(apiErr.Fields["variant_id"]) > 0:
		return fmt.Errorf("the store rejected the variant id: check that the variant belongs to this product, for example with --dry-run (%w)", err)
	default:
		return err
	}
}

// UnreachableError is a request that never reached the store: the
// connection failed before the request was written, on every try.
type UnreachableError struct {
	Attempts int
	Err      error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("never sent: could not reach the store after %d tries, so check --api-url and the network: %v", e.Attempts, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

func appliedOutcome(variant *youcan.Variant) Outcome {
	outcome := Outcome{
		Status:    StatusApplied,
		Inventory: intPointer(variant.Inventory),
		SKU:       variant.SKU,
		Variant:   formatVariations(variant.Variations),
	}
	if variant.Product != nil {
		outcome.ProductInventory = intPointer(variant.Product.Inventory)
		outcome.ProductName = variant.Product.Name
	}
	return outcome
}

// describeProduct fills in the product name, variant labels and SKUs when the
// store answered increments in its older short shape, which carries levels
// but no names. The levels already recorded are kept: they are the ones the
// increments returned. A failure to read the product leaves the names empty.
func (r *runner) describeProduct(productIndex int, product *ProductPlan) {
	unnamed := func(request *Request) bool {
		return r.outcomes.status(request.Index) == StatusApplied && !r.outcomes.named(request.Index)
	}
	if !slices.ContainsFunc(product.Requests, unnamed) {
		return
	}
	details, err := r.getProduct(product.ProductID.String())
	if err != nil {
		return
	}
	variants := variantsByID(details)
	for _, request := range product.Requests {
		var label, sku *string
		if variant, ok := variants[request.VariantID.String()]; ok {
			formatted := formatVariations(variant.Variations)
			label, sku = &formatted, &variant.SKU
		}
		r.outcomes.describe(request.Index, productIndex, details.Name, label, sku)
	}
}

// getProduct reads a product under the rate limit, and reads it again when
// decide returns actionRetry for a read.
func (r *runner) getProduct(id string) (*youcan.Product, error) {
	for attempt := 1; ; attempt++ {
		if err := r.rate.wait(r.stopCtx); err != nil {
			return nil, notSentError(context.Cause(r.stopCtx))
		}

		ctx, cancel := r.requestContext()
		r.countRequest()
		product, err := r.store.GetProduct(ctx, id)
		cancel()
		if err == nil {
			return product, nil
		}

		d := decide(err, attempt, true, r.opts.Retry)
		if d.tooManyRequests {
			r.rate.tooManyRequests()
		}
		switch d.action {
		case actionRetry:
			if !sleep(r.stopCtx, d.delay) {
				return nil, err
			}
		case actionStop:
			r.stop(d.stopErr)
			return nil, d.stopErr
		default:
			return nil, explainFailure(err, d.status, attempt)
		}
	}
}

// record stores the outcome of a request of the product at productIndex in
// Plan.Products, and counts its rows as done.
func (r *runner) record(productIndex int, request *Request, outcome Outcome) {
	r.outcomes.set(request.Index, productIndex, outcome)
	rows := int64(len(request.Rows))
	r.progress.Done.Add(rows)
	if outcome.Status == StatusFailed {
		r.progress.Failed.Add(rows)
	}
}

// formatVariations writes option values as "color: Red, size: M", sorted by
// option name so that the text is the same on every run.
func formatVariations(variations map[string]string) string {
	names := slices.Sorted(maps.Keys(variations))
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + ": " + variations[name]
	}
	return strings.Join(parts, ", ")
}

func variantsByID(product *youcan.Product) map[string]*youcan.Variant {
	variants := make(map[string]*youcan.Variant, len(product.Variants))
	for i := range product.Variants {
		variant := &product.Variants[i]
		variants[strings.ToLower(variant.ID)] = variant
	}
	return variants
}

func intPointer(n int) *int {
	return &n
}
