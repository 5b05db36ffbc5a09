package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"restock/importer"
	"restock/report"
	"restock/youcan"
	"restock/youcan/youcantest"
)

// Exit codes, documented in --help and the README.
const (
	exitOK          = 0   // every row applied, or valid in a dry run
	exitRowsFailed  = 1   // some rows failed or were not attempted
	exitInvalid     = 2   // invalid command line or file: nothing was sent
	exitStopped     = 3   // the run stopped early: 401, 402, 403, or too many unknown outcomes
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
}

// exitError carries the exit code of a failed command. Its message, if any,
// has already been printed.
type exitError struct {
	code int
}

func (e *exitError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// rejectedError is a run that a guard rejected before sending anything: a
// repeat, an unfinished earlier run, a locked state folder, or a resume that
// does not match its run. Its message says what to do.
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

func (e *interruptedError) Error() string { return fmt.Sprintf("interrupted by %v", e.signal) }

// run executes the command and returns its exit code. Cancelling stop ends
// sending; cancelling abort also cuts the requests in flight short.
func (c *command) run(stop, abort context.Context) int {
	err := c.execute(stop, abort)
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
		c.printf("%v", usage)
		c.printf("hint: run restock --help for the flags and the file format")
		return exitInvalid
	case errors.As(err, &rejected):
		c.printf("%v; nothing was sent", rejected)
		return exitInvalid
	default:
		c.printf("%v", err)
		return exitRowsFailed
	}
}

// printf writes one message line to stderr with the command's prefix.
func (c *command) printf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "restock: "+format+"\n", args...)
}

func (c *command) execute(stop, abort context.Context) error {
	if len(c.args) > 0 && c.args[0] == "runs" {
		return c.listRuns(c.args[1:])
	}

	startedAt := time.Now()
	cfg, err := parseArgs(c.args, c.stdout, startedAt)
	if err != nil {
		return err
	}

	if !cfg.dryRun && !cfg.sandbox && c.getenv(tokenVariable) == "" {
		return errMissingToken
	}

	// A run that writes takes the state folder's lock before anything else,
	// so that its guards see every earlier run.
	var state *importer.StateDir
	var resumed *importer.JournalState
	if !cfg.dryRun {
		var cleanup func()
		state, cleanup, err = c.openState(cfg, startedAt)
		if err != nil {
			return err
		}
		defer cleanup()
		if cfg.resumeID != "" {
			if resumed, err = c.readResumed(cfg, state); err != nil {
				return err
			}
		}
	}

	plan, err := c.loadInput(cfg)
	if err != nil {
		return err
	}
	in := plan.Input
	if state != nil {
		if err := c.checkGuards(state, resumed, plan, cfg); err != nil {
			return err
		}
	}

	store, apiURL, closeStore, err := c.openStore(cfg)
	if err != nil {
		return err
	}
	defer closeStore()

	var run *journaledRun
	if state != nil {
		if run, err = c.startJournal(state, resumed, plan, cfg, apiURL, startedAt); err != nil {
			return err
		}
		c.printf("run %s, journal %s", run.id, run.journal.Path())
	}

	progress := new(importer.Progress)
	opts := importer.Options{
		Rate:         cfg.rate,
		Concurrency:  cfg.concurrency,
		Timeout:      cfg.timeout,
		Retry:        importer.DefaultRetryPolicy,
		Progress:     progress,
		Abort:        abort,
		MaxUnknown:   cfg.maxUnknown,
		OnRateChange: c.printRateChange,
	}
	if run != nil {
		opts.Journal, opts.Previous = run.journal, run.previous
	}
	c.printStart(cfg, plan, apiURL, store != nil)
	display := c.startProgress(cfg, progress)

	var result *importer.Result
	if cfg.dryRun {
		result = importer.Check(stop, store, plan, opts)
	} else {
		result = importer.Run(stop, store, plan, opts)
	}
	display.stop()

	runID := ""
	if run != nil {
		runID = run.id
		if err := run.journal.Finish(result.Stopped); err != nil {
			c.printf("%v", err)
		}
	}
	rep := report.Build(result, report.Run{
		ID:         runID,
		Input:      in.Name,
		SHA256:     in.SHA256,
		StartedAt:  startedAt.UTC(),
		FinishedAt: time.Now().UTC(),
		DryRun:     cfg.dryRun,
		APIURL:     apiURL,
	})
	writeErr := c.writeOutputs(cfg, rep, result)
	c.printSummary(cfg, rep, result)
	c.printNextSteps(cfg, rep)
	if writeErr != nil {
		c.printf("%v", writeErr)
	}
	return &exitError{code: exitCode(result, rep.Summary, writeErr)}
}

// loadInput opens, validates and plans the input file, printing every
// problem.
func (c *command) loadInput(cfg *config) (*importer.Plan, error) {
	var r io.Reader = c.stdin
	if cfg.input != "-" {
		f, err := os.Open(cfg.input)
		if err != nil {
			return nil, usageErrorf("cannot open FILE: %v", err)
		}
		defer f.Close()
		r = f
	}

	plan, err := importer.Load(r, cfg.input, cfg.mergeDuplicates)
	if err != nil {
		return nil, c.invalidInput(err)
	}
	return plan, nil
}

// invalidInput prints the problems of an invalid file and returns exit code
// 2. Other errors pass through.
func (c *command) invalidInput(err error) error {
	var invalid *importer.InvalidInputError
	if !errors.As(err, &invalid) {
		return err
	}

	noun := "problems"
	if len(invalid.Problems) == 1 {
		noun = "problem"
	}
	c.printf("invalid file %q: %d %s; nothing was sent", invalid.Name, len(invalid.Problems), noun)
	for i, problem := range invalid.Problems {
		if i == maxPrintedProblems {
			fmt.Fprintf(c.stderr, "  … and %d more problems\n", len(invalid.Problems)-maxPrintedProblems)
			break
		}
		fmt.Fprintf(c.stderr, "  %s\n", problem)
	}
	c.printf("hint: fix these lines and run again; run restock --help for the file format")
	return &exitError{code: exitInvalid}
}

var errMissingToken = usageErrorf("%s is not set: create a token in the YouCan seller area under Settings > Developer Settings and export %s=..., or pass --sandbox to try the demo store", tokenVariable, tokenVariable)

// openStore returns the store to send to: the built-in sandbox, the API with
// the token from the environment, or nil for a dry run without a token.
func (c *command) openStore(cfg *config) (store importer.Store, apiURL string, closeStore func(), err error) {
	closeStore = func() {}
	token := c.getenv(tokenVariable)
	apiURL = cfg.apiURL

	if cfg.sandbox {
		sandbox := youcantest.Sandbox()
		var stopSandbox func()
		apiURL, stopSandbox, err = sandbox.Start()
		if err != nil {
			return nil, "", nil, fmt.Errorf("start the sandbox store: %w", err)
		}
		closeStore = stopSandbox
		token = youcantest.SandboxToken
		c.printf("sandbox: a demo store at %s, seeded with the products of samples/restock.csv; nothing leaves this machine", apiURL)
	}

	if token == "" {
		if cfg.dryRun {
			c.printf("%s is not set: checking the file only, not the store", tokenVariable)
			return nil, apiURL, closeStore, nil
		}
		return nil, "", nil, errMissingToken
	}

	client, err := youcan.NewClient(apiURL, token, nil, "restock/"+version())
	if err != nil {
		closeStore()
		return nil, "", nil, usageErrorf("invalid --api-url: %v", err)
	}
	return client, apiURL, closeStore, nil
}

func (c *command) printStart(cfg *config, plan *importer.Plan, apiURL string, withStore bool) {
	rows, requests := len(plan.Input.Rows), len(plan.Requests)
	switch {
	case cfg.dryRun && !withStore:
		c.printf("dry run: %d rows are valid", rows)
	case cfg.dryRun:
		c.printf("dry run: checking %d products of %d rows against %s at %v requests/s", len(plan.Products), rows, apiURL, cfg.rate)
	case plan.MergedLines > 0:
		c.printf("restocking %d rows (merged into %d requests) at %s, %v requests/s", rows, requests, apiURL, cfg.rate)
	default:
		c.printf("restocking %d rows at %s, %v requests/s", rows, apiURL, cfg.rate)
	}
}

// writeOutputs writes the report and, when asked, the failed rows.
func (c *command) writeOutputs(cfg *config, rep *report.Report, result *importer.Result) error {
	if err := report.Write(cfg.reportPath, rep); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if cfg.failedRowsPath == "" {
		return nil
	}
	if err := report.WriteFailedRows(cfg.failedRowsPath, result.Plan.Input.Header, report.FailedRows(result)); err != nil {
		return fmt.Errorf("write the failed rows: %w", err)
	}
	return nil
}

func (c *command) printSummary(cfg *config, rep *report.Report, result *importer.Result) {
	elapsed := result.FinishedAt.Sub(result.StartedAt)
	line := fmt.Sprintf("%s in %v", rep.SummaryLine(), elapsed.Round(time.Millisecond))
	if rate := result.AchievedRate(); rate > 0 {
		line += fmt.Sprintf(" (%.1f requests/s)", rate)
	}
	if cfg.dryRun {
		line = "dry run: " + line + "; nothing was written to the store"
	}
	c.printf("%s", line)

	if result.Stopped != nil {
		c.printf("stopped: %v", result.Stopped)
	}
	outputs := cfg.reportPath
	if format, _ := report.FormatOf(cfg.reportPath); format == report.FormatCSV {
		outputs += " and " + report.ProductsPath(cfg.reportPath)
	}
	c.printf("report: %s", outputs)
	if cfg.failedRowsPath != "" {
		c.printf("rows not applied: %s", cfg.failedRowsPath)
	}
}

// printRateChange reports a change of the request rate, once per change.
func (c *command) printRateChange(change importer.RateChange) {
	c.printf("rate changed from %.2f to %.2f requests/s: %s", change.From, change.To, change.Reason)
}

// printNextSteps says what to do about rows left unknown or unsent.
func (c *command) printNextSteps(cfg *config, rep *report.Report) {
	input := cfg.input
	if rep.Run.ID == "" {
		return
	}
	if n := rep.Summary.Unknown; n > 0 {
		c.printf("%d rows are unknown: the store may or may not have added their stock; check those variants in the store (the report lists them)", n)
		c.printf("hint: if their stock was not added, run restock --resume %s --retry-unknown %s", rep.Run.ID, input)
	}
	if n := rep.Summary.NotAttempted; n > 0 {
		c.printf("hint: %d rows were not sent; send them with restock --resume %s %s", n, rep.Run.ID, input)
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
