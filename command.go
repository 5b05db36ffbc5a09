package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	"unicode"

	"restock/importer"
	"restock/report"
	"restock/youcan"
	"restock/youcan/youcantest"
)

// Exit codes, documented in --help and the README.
const (
	exitOK          = 0   // every row applied, or valid in a dry run
	exitRowsFailed  = 1   // some rows failed or were not attempted
	exitInvalid     = 2   // invalid command line or file, or a run rejected by a guard: nothing was sent
	exitStopped     = 3   // the run stopped early: 401, 402, 403, an unreachable store, or too many unknown outcomes
	exitUnknown     = 4   // some rows are unknown: they may have been applied
	exitInterrupted = 130 // SIGINT or SIGTERM
)

// maxPrintedProblems bounds the problems listed for an invalid file, so that
// a wrong file of a million lines does not flood the terminal.
const maxPrintedProblems = 1000

// command is one invocation of restock. Its streams and environment are
// fields so that tests run it in-process.
type command struct {
	args             []string
	stdin            io.Reader
	stdout           io.Writer
	stderr           io.Writer
	getenv           func(string) string
	stderrIsTerminal bool

	// progressInterval is the time between two progress lines when stderr
	// is not a terminal. Zero means every 10 seconds.
	progressInterval time.Duration

	// httpClient downloads inputs and posts notifications; nil means a
	// client with the download timeout.
	httpClient *http.Client

	// downloadTimeout and maxDownloadSize limit an input downloaded from a
	// URL; zero means the defaults.
	downloadTimeout time.Duration
	maxDownloadSize int64

	log *slog.Logger
	cfg *config // nil until the command line is parsed

	// inputCopy is a temporary copy of a downloaded or piped input, until it
	// is kept beside the run's journal.
	inputCopy string

	// sandbox is the demo store of a --sandbox run.
	sandbox *youcantest.Store

	// outcome collects what the notification reports, as the run goes.
	outcome notification
}

// exitError carries the exit code of a failed command. Its message, if any,
// has already been printed.
type exitError struct {
	code int
}

func (e *exitError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// rejectedError is a run that a guard rejected before sending anything: a
// repeat, an unfinished earlier run, a locked state folder, or a resume that
// does not match its run. Its message names the fix.
type rejectedError struct{ message string }

func (e *rejectedError) Error() string { return e.message }

func rejectedErrorf(format string, args ...any) error {
	return &rejectedError{message: fmt.Sprintf(format, args...)}
}

// usageError is an invalid command line.
type usageError struct{ message string }

func (e *usageError) Error() string { return e.message }

func usageErrorf(format string, args ...any) error {
	return &usageError{message: fmt.Sprintf(format, args...)}
}

// interruptedError is the cause of a run stopped by a signal.
type interruptedError struct{ signal os.Signal }

func (e *interruptedError) Error() string {
	if e.signal == syscall.SIGTERM {
		return "interrupted by SIGTERM"
	}
	return "interrupted by Ctrl-C (SIGINT)"
}

// run executes the command and returns its exit code. Cancelling stop ends
// sending; cancelling abort also cuts the requests in flight short.
func (c *command) run(stop, abort context.Context) int {
	c.log = newLogger(c.stderr, logFormatText, slog.LevelInfo)
	started := time.Now()
	err := c.execute(stop, abort)
	var exit *exitError
	if err != nil && !errors.As(err, &exit) && !errors.Is(err, errHelp) {
		c.outcome.Error = err.Error()
	}
	code := c.exitCodeOf(err)
	if c.cfg != nil && c.cfg.notifyURL != "" && checkURL("--notify", c.cfg.notifyURL, c.cfg.allowHTTP) == nil {
		c.notify(code, time.Since(started))
	}
	return code
}

// exitCodeOf prints err, unless already printed, and returns its exit code.
func (c *command) exitCodeOf(err error) int {
	var exit *exitError
	var usage *usageError
	var rejected *rejectedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &usage):
		c.log.Error(usage.Error())
		c.log.Info("hint: run restock --help for the flags and the file format")
		return exitInvalid
	case errors.As(err, &rejected):
		c.log.Error(rejected.Error() + "; nothing was sent")
		return exitInvalid
	default:
		c.log.Error(err.Error())
		return exitRowsFailed
	}
}

// printf logs one message for the user, at level info.
func (c *command) printf(format string, args ...any) {
	c.log.Info(fmt.Sprintf(format, args...))
}

func (c *command) execute(stop, abort context.Context) error {
	if len(c.args) > 0 && c.args[0] == "runs" {
		return c.listRuns(c.args[1:])
	}

	startedAt := time.Now()
	cfg, err := parseArgs(c.args, c.stdout, startedAt)
	if cfg != nil {
		c.cfg = cfg
		if cfg.logFormat == logFormatJSON {
			c.log = newLogger(c.stderr, logFormatJSON, slog.LevelInfo)
		}
	}
	if err != nil {
		return err
	}
	c.outcome.Input = cfg.input

	// Every log record carries the run id: the run's own, or the id this
	// run will take, or a fresh one for a dry run, which keeps no journal.
	runID := cfg.resumeID
	if runID == "" {
		runID = importer.NewRunID(startedAt)
	}
	c.log = newLogger(c.stderr, cfg.logFormat, cfg.logLevel).With("run_id", runID)

	if err := c.checkToken(cfg); err != nil {
		return err
	}
	defer func() {
		// A copy not kept beside a journal (a dry run, or a run rejected
		// before it started) is removed.
		if c.inputCopy != "" {
			os.Remove(c.inputCopy)
		}
	}()

	// A run that writes takes the state folder's lock before anything else,
	// so that its guards see every earlier run. An undo reads its run from
	// the state folder even in a dry run.
	var state *importer.StateDir
	var resumed *importer.JournalState
	switch {
	case !cfg.dryRun || cfg.undo || cfg.sandbox:
		// A dry run reads the state (the run to undo, the sandbox's
		// levels, earlier runs for the guards) but takes no lock.
		var cleanup func()
		state, cleanup, err = c.openState(cfg, startedAt, !cfg.dryRun)
		if err != nil {
			return err
		}
		defer cleanup()
	default:
		// A plain dry run checks the guards when the state folder is
		// there, and goes without them when it is not.
		if path, err := c.stateFolder(cfg.stateDir, false); err == nil {
			if _, statErr := os.Stat(filepath.Join(path, "runs")); statErr == nil {
				state = &importer.StateDir{Path: path}
			}
		}
	}
	if state != nil {
		if cfg.resumeID != "" {
			if resumed, err = c.readResumed(cfg, state); err != nil {
				return err
			}
		}
	}

	// The store opens before the plan, since rows named by SKU are resolved
	// through it.
	store, apiURL, closeStore, err := c.openStore(cfg, state)
	if err != nil {
		return err
	}
	defer closeStore()

	plan, err := c.loadPlan(stop, cfg, state, resumed, store)
	if err != nil {
		return err
	}
	in := plan.Input
	if state != nil {
		// A dry run of a file that a real run would reject only warns, so
		// that the projection can still be read. An undo that cannot
		// happen is rejected in a dry run too.
		if err := c.checkGuards(state, resumed, plan, cfg); err != nil {
			if !cfg.dryRun || cfg.undo {
				return err
			}
			c.log.Warn(err.Error() + "; a real run of this file would be rejected")
		}
	}

	var run *journaledRun
	if state != nil && !cfg.dryRun {
		if run, err = c.startJournal(state, resumed, plan, cfg, apiURL, runID, startedAt); err != nil {
			return err
		}
		c.outcome.RunID = run.id
		if err := c.keepInputCopy(state, run.id); err != nil {
			return err
		}
		c.printf("run %s, journal %s", run.id, run.journal.Path())
		if resumed != nil {
			settled := plan.RowsToSend() - resumedRowsToSend(plan, run.previous)
			c.printf("resuming run %s: %s already settled, %s left to send", run.id, plural(settled, "row", "rows"), plural(plan.RowsToSend()-settled, "row", "rows"))
		}
	}

	result := c.send(stop, abort, cfg, plan, store, apiURL, run)

	reportID := ""
	if run != nil {
		reportID = run.id
		if err := run.journal.Finish(result.Stopped); err != nil {
			c.log.Error(err.Error())
		}
	}
	if err := c.saveSandbox(cfg, state); err != nil {
		c.log.Error(err.Error())
	}
	// rep holds the run and the summary but no rows: writeOutputs writes
	// the rows from result, so that no second copy of every row is held.
	rep := &report.Report{
		Run: report.Run{
			ID:         reportID,
			Input:      in.Name,
			SHA256:     in.SHA256,
			StartedAt:  startedAt.UTC(),
			FinishedAt: time.Now().UTC(),
			DryRun:     cfg.dryRun,
			APIURL:     apiURL,
		},
		Summary: report.Summarize(result),
	}
	c.outcome.Summary = &rep.Summary
	c.outcome.Report = cfg.reportPath

	writeErr := c.writeOutputs(cfg, rep, result)
	c.printSummary(cfg, rep, result)
	c.printNextSteps(cfg, rep)
	if writeErr != nil {
		c.log.Error(writeErr.Error())
	}
	return &exitError{code: exitCode(result, rep.Summary, writeErr)}
}

// checkToken rejects a missing or mangled token before anything else, so
// that a run that cannot send does not read the file or lock the state
// folder first.
func (c *command) checkToken(cfg *config) error {
	if cfg.sandbox {
		return nil
	}
	token := c.getenv(tokenVariable)
	if token == "" && !cfg.dryRun {
		return errMissingToken
	}
	if strings.ContainsFunc(token, unicode.IsControl) {
		return usageErrorf("invalid %s: it contains a control character, such as a line break pasted with it; set it again without it", tokenVariable)
	}
	return nil
}

var errMissingToken = usageErrorf("%s is not set: create a token in the YouCan seller area under Settings > Developer Settings and export %s=..., or pass --sandbox to try the demo store", tokenVariable, tokenVariable)

// send runs or checks the plan, showing progress and logging every row that
// was not applied.
func (c *command) send(stop, abort context.Context, cfg *config, plan *importer.Plan, store importer.Store, apiURL string, run *journaledRun) *importer.Result {
	progress := new(importer.Progress)
	opts := importer.Options{
		Rate:          cfg.rate,
		Concurrency:   cfg.concurrency,
		Timeout:       cfg.timeout,
		Retry:         importer.DefaultRetryPolicy,
		Progress:      progress,
		Abort:         abort,
		MaxUnknown:    cfg.maxUnknown,
		OnRateChange:  c.logRateChange,
		OnRetry:       c.logRetry,
		Remove:        cfg.undo,
		AllowNegative: cfg.allowNegative,
	}
	if run != nil {
		opts.Journal, opts.Previous = run.journal, run.previous
	}
	c.printStart(cfg, plan, apiURL, store != nil)
	display := c.startProgress(cfg, progress, len(plan.Input.Rows))
	acknowledged := context.AfterFunc(stop, func() { c.acknowledgeStop(stop, cfg) })
	defer acknowledged()

	var result *importer.Result
	if cfg.dryRun {
		result = importer.Check(stop, store, plan, opts)
	} else {
		result = importer.Run(stop, store, plan, opts)
	}
	display.stop()
	c.logRows(result)
	return result
}

// acknowledgeStop logs at once that a signal was received, since the
// requests in flight may take up to --timeout to finish.
func (c *command) acknowledgeStop(stop context.Context, cfg *config) {
	var interrupted *interruptedError
	if errors.As(context.Cause(stop), &interrupted) {
		c.printf("%v: sending nothing more and waiting for the requests in flight (up to %v); interrupt again (Ctrl-C, or SIGINT or SIGTERM) to cut them short", interrupted, cfg.timeout)
	}
}

// logRows logs each row that was not applied, with its line, ids, status and
// reason.
func (c *command) logRows(result *importer.Result) {
	in := result.Plan.Input
	for rowIndex, err := range result.Plan.Unresolved {
		line := in.Rows[rowIndex].Line
		c.log.Warn(fmt.Sprintf("line %d: failed: %v", line, err),
			"line", line, "sku", in.Rows[rowIndex].SKU, "status", string(importer.StatusFailed), "reason", err.Error())
	}
	for _, request := range result.Plan.Requests {
		outcome := result.Outcome(request.Index)
		if outcome.Status != importer.StatusFailed && outcome.Status != importer.StatusUnknown {
			continue
		}
		reason := ""
		if outcome.Err != nil {
			reason = outcome.Err.Error()
		}
		for _, rowIndex := range request.Rows {
			line := in.Rows[rowIndex].Line
			c.log.Warn(fmt.Sprintf("line %d: %s: %s", line, outcome.Status, reason),
				"line", line,
				"product_id", request.ProductID.String(),
				"variant_id", request.VariantID.String(),
				"status", string(outcome.Status),
				"reason", reason)
		}
	}
}

func (c *command) logRateChange(change importer.RateChange) {
	c.log.Warn(fmt.Sprintf("rate changed from %.2f to %.2f requests/s: %s", change.From, change.To, change.Reason),
		"from", change.From, "to", change.To, "reason", change.Reason)
}

func (c *command) logRetry(retry importer.Retry) {
	delay := retry.Delay.Round(time.Millisecond)
	c.log.Info(fmt.Sprintf("line %d: trying again in %v (try %d): %v", retry.Line, delay, retry.Attempt+1, retry.Err),
		"line", retry.Line, "attempt", retry.Attempt+1, "delay", delay.String(), "reason", retry.Err.Error())
}

// openStore returns the store to send to: the built-in sandbox, the API with
// the token from the environment, or nil for a dry run without a token.
func (c *command) openStore(cfg *config, state *importer.StateDir) (store importer.Store, apiURL string, closeStore func(), err error) {
	closeStore = func() {}
	token := c.getenv(tokenVariable)
	apiURL = cfg.apiURL

	if cfg.sandbox {
		var stopSandbox func()
		apiURL, stopSandbox, err = c.startSandbox(cfg, state)
		if err != nil {
			return nil, "", nil, err
		}
		closeStore = stopSandbox
		token = sandboxToken
	}

	if token == "" {
		c.printf("%s is not set: checking the file only, not the store", tokenVariable)
		return nil, "", closeStore, nil
	}

	client, err := youcan.NewClient(apiURL, token, nil, "restock/"+version())
	if err != nil {
		closeStore()
		return nil, "", nil, usageErrorf("invalid --api-url %q: %v", apiURL, err)
	}
	return client, apiURL, closeStore, nil
}

func (c *command) printStart(cfg *config, plan *importer.Plan, apiURL string, withStore bool) {
	rows, requests := len(plan.Input.Rows), len(plan.Requests)
	verb := "restocking"
	if cfg.undo {
		verb = "undoing"
	}
	switch {
	case cfg.dryRun && !withStore:
		return // the summary line covers it
	case cfg.dryRun:
		c.log.Info(fmt.Sprintf("dry run: checking %s against %s", plural(len(plan.Products), "product", "products"), apiURL),
			"input", plan.Input.Name, "sha256", plan.Input.SHA256, "rows", rows, "rate", cfg.rate)
	case plan.MergedLines > 0:
		c.log.Info(fmt.Sprintf("%s %s (merged into %s) at %s", verb, plural(rows, "row", "rows"), plural(requests, "request", "requests"), apiURL),
			"input", plan.Input.Name, "sha256", plan.Input.SHA256, "rows", rows, "rate", cfg.rate)
	default:
		c.log.Info(fmt.Sprintf("%s %s at %s", verb, plural(rows, "row", "rows"), apiURL),
			"input", plan.Input.Name, "sha256", plan.Input.SHA256, "rows", rows, "rate", cfg.rate)
	}
}

// plural writes a count with its noun, such as "1 row" or "3 rows".
func plural(n int, singular, many string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, many)
}

// writeOutputs writes the report and, when asked, the failed rows. With no
// row to retry, no failed-rows file is written and one left by an earlier
// run is removed, so that its presence always means rows to retry.
func (c *command) writeOutputs(cfg *config, rep *report.Report, result *importer.Result) error {
	if err := report.WriteResult(cfg.reportPath, result, rep.Run); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if cfg.failedRowsPath == "" {
		return nil
	}
	failed := report.FailedRows(result)
	if len(failed) == 0 {
		if err := os.Remove(cfg.failedRowsPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the old failed-rows file: %w", err)
		}
		return nil
	}
	if err := report.WriteFailedRows(cfg.failedRowsPath, result.Plan.Input.Header, failed); err != nil {
		return fmt.Errorf("write the failed rows: %w", err)
	}
	return nil
}

func (c *command) printSummary(cfg *config, rep *report.Report, result *importer.Result) {
	elapsed := result.FinishedAt.Sub(result.StartedAt)
	line := fmt.Sprintf("%s in %v", rep.SummaryLine(), elapsed.Round(time.Millisecond))
	if rate := result.AchievedRate(); rate > 0 && !cfg.dryRun {
		line += fmt.Sprintf(" (%.1f requests/s)", rate)
	}
	if cfg.dryRun {
		line = "dry run: " + line + "; nothing was written to the store"
	}
	s := rep.Summary
	c.log.Info(line, "applied", s.Applied, "failed", s.Failed, "unknown", s.Unknown, "not_attempted", s.NotAttempted, "valid", s.Valid, "duration", elapsed.Round(time.Millisecond).String())

	if result.Stopped != nil {
		c.log.Error("stopped: " + result.Stopped.Error())
	}
	outputs := cfg.reportPath
	if format, _ := report.FormatOf(cfg.reportPath); format == report.FormatCSV {
		outputs += " and " + report.ProductsPath(cfg.reportPath)
	}
	c.printf("report: %s", outputs)
	if cfg.failedRowsPath != "" {
		// The failed-rows file holds the failed and the unsent rows.
		if rows := s.Failed + s.NotAttempted; rows > 0 {
			c.printf("rows to retry: %s", cfg.failedRowsPath)
		} else {
			c.printf("no rows to retry, so %s was not written", cfg.failedRowsPath)
		}
	}
}

// printNextSteps logs the commands that deal with rows left unknown or
// unsent.
func (c *command) printNextSteps(cfg *config, rep *report.Report) {
	if rep.Run.ID == "" {
		return
	}
	resume := "restock --resume " + rep.Run.ID + " "
	if cfg.undo {
		resume = "restock undo --resume " + rep.Run.ID + " "
	}
	if n := rep.Summary.Unknown; n > 0 {
		c.log.Warn(fmt.Sprintf("%s unknown: the store may or may not have applied them; check those variants in the store (the report lists them)", plural(n, "row is", "rows are")))
		c.printf("hint: for those whose quantity was not added, run %s--retry-unknown %s", resume, cfg.input)
	}
	if n := rep.Summary.NotAttempted; n > 0 {
		pronoun := "them"
		if n == 1 {
			pronoun = "it"
		}
		c.printf("hint: %s; send %s with %s%s", plural(n, "row was not sent", "rows were not sent"), pronoun, resume, cfg.input)
	}
}

// exitCode maps the outcome of a run to the exit code table: an
// interruption or an early stop first, then unknown rows, then failed or
// unsent rows.
func exitCode(result *importer.Result, summary report.Summary, writeErr error) int {
	var interrupted *interruptedError
	switch {
	case errors.As(result.Stopped, &interrupted):
		return exitInterrupted
	case result.Stopped != nil:
		return exitStopped
	case summary.Unknown > 0:
		return exitUnknown
	case summary.Failed > 0 || summary.NotAttempted > 0 || writeErr != nil:
		return exitRowsFailed
	default:
		return exitOK
	}
}

// version returns the module version the binary was built from, or "dev".
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "dev"
	}
	return info.Main.Version
}

// resumedRowsToSend counts the rows of the requests a resume sends: those
// without a settled outcome in previous.
func resumedRowsToSend(plan *importer.Plan, previous map[int]importer.Outcome) int {
	rows := 0
	for _, request := range plan.Requests {
		if _, settled := previous[request.Index]; !settled {
			rows += len(request.Rows)
		}
	}
	return rows
}
