package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"restock/importer"
)

// loadPlan builds the plan of the run: the undo of a run for "restock
// undo", otherwise the validated rows of the input file, standard input or
// URL, within the --max-rows and --max-quantity limits. Rows named by SKU
// are resolved through store, which may be nil. Every problem of an
// invalid input is printed.
func (c *command) loadPlan(ctx context.Context, cfg *config, state *importer.StateDir, resumed *importer.JournalState, store importer.Store) (*importer.Plan, error) {
	if cfg.undo {
		return c.undoPlan(cfg, state)
	}

	r, name, closeInput, err := c.openInput(cfg, state, resumed)
	if err != nil {
		return nil, err
	}
	defer closeInput()

	in, err := importer.LoadInput(r, name, importer.LoadOptions{ReadOptions: cfg.read, MergeDuplicates: cfg.mergeDuplicates})
	if err != nil {
		return nil, c.invalidInput(err)
	}
	plan, err := importer.Prepare(ctx, in, c.prepareOptions(cfg, store))
	var invalid *importer.InvalidInputError
	if err != nil && !errors.As(err, &invalid) {
		// The catalogue could not be read: the token, the store or the
		// network failed, as when a run stops early.
		c.log.Error(fmt.Sprintf("%v; nothing was sent: check the token, --api-url and the network, then run again", err))
		return nil, &exitError{code: exitStopped}
	}
	if err != nil {
		return nil, c.invalidInput(err)
	}
	if err := importer.CheckLimits(plan, cfg.maxRows, cfg.maxQuantity); err != nil {
		return nil, c.invalidInput(err)
	}
	return plan, nil
}

// prepareOptions resolves SKUs through the store, when there is one, at
// the run's rate, and logs the catalogue pages read unless --quiet.
func (c *command) prepareOptions(cfg *config, store importer.Store) importer.PrepareOptions {
	opts := importer.PrepareOptions{
		MergeDuplicates: cfg.mergeDuplicates,
		Rate:            cfg.rate,
		Timeout:         cfg.timeout,
		Retry:           importer.DefaultRetryPolicy,
	}
	if catalog, ok := store.(importer.Catalog); ok {
		opts.Catalog = catalog
	}
	if !cfg.quiet {
		opts.OnPage = func(read, total int) {
			if read == 1 || read == total || read%10 == 0 {
				c.printf("reading the store's products to resolve SKUs: page %d of %d", read, total)
			}
		}
	}
	return opts
}

// openInput opens the input: a file, standard input ("-"), or a download
// for an http(s) URL. A resumed run whose input was a URL or standard input
// reads the copy kept beside its journal, so that it sends exactly what the
// run read.
func (c *command) openInput(cfg *config, state *importer.StateDir, resumed *importer.JournalState) (r io.Reader, name string, closeInput func(), err error) {
	closeInput = func() {}
	if resumed != nil && isRemoteOrStdin(cfg.input) {
		path := state.InputCopyPath(resumed.Header.ID)
		f, err := os.Open(path)
		if err != nil {
			return nil, "", nil, rejectedErrorf("cannot resume run %s: its copy of %s is missing (%v)", resumed.Header.ID, describeInput(cfg.input), err)
		}
		c.printf("reading the copy of %s that run %s kept, %s, so that the resume sends exactly what the run read", describeInput(cfg.input), resumed.Header.ID, path)
		return f, cfg.input, func() { f.Close() }, nil
	}

	switch {
	case cfg.input == "-" && state != nil && !cfg.dryRun:
		r, closeCopy, err := c.copyStdin()
		if err != nil {
			return nil, "", nil, err
		}
		return r, "-", closeCopy, nil
	case cfg.input == "-":
		return c.stdin, "-", closeInput, nil
	case isURL(cfg.input):
		return c.download(cfg)
	}

	info, err := os.Stat(cfg.input)
	switch {
	case err != nil:
		return nil, "", nil, usageErrorf("cannot open %q: %v", cfg.input, unwrapPathError(err))
	case info.IsDir():
		return nil, "", nil, usageErrorf("%q is a folder: name a CSV file", cfg.input)
	}
	f, err := os.Open(cfg.input)
	if err != nil {
		return nil, "", nil, usageErrorf("cannot open %q: %v", cfg.input, unwrapPathError(err))
	}
	return f, cfg.input, func() { f.Close() }, nil
}

func isURL(input string) bool {
	return strings.HasPrefix(input, "https://") || strings.HasPrefix(input, "http://")
}

func isRemoteOrStdin(input string) bool {
	return input == "-" || isURL(input)
}

// describeInput names an input for a message.
func describeInput(name string) string {
	if name == "-" {
		return "standard input"
	}
	return fmt.Sprintf("%q", name)
}

// unwrapPathError drops the operation and path of an *os.PathError, which
// the message around it already names.
func unwrapPathError(err error) error {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// undoPlan reads the run to undo and plans its reversal.
func (c *command) undoPlan(cfg *config, state *importer.StateDir) (*importer.Plan, error) {
	target, err := state.ReadRun(cfg.input)
	if err != nil {
		return nil, rejectedErrorf("cannot undo: %v", err)
	}
	if !target.Complete() {
		return nil, rejectedErrorf("run %s stopped before sending every row: resume it with restock --resume %s %s, or let it end, before undoing it", target.Header.ID, target.Header.ID, target.Header.Input)
	}
	plan, unknown, err := importer.NewUndoPlan(target)
	if err != nil {
		return nil, rejectedErrorf("cannot undo: %v", err)
	}
	if unknown > 0 {
		c.log.Warn(fmt.Sprintf("%s of run %s unknown and not undone: check them in the store", plural(unknown, "row is", "rows are"), target.Header.ID))
	}
	return plan, nil
}

// invalidInput prints the problems of an invalid file and returns exit code
// 2. Other errors pass through. In JSON logs each problem is one record.
func (c *command) invalidInput(err error) error {
	var invalid *importer.InvalidInputError
	if !errors.As(err, &invalid) {
		return err
	}

	c.outcome.Error = fmt.Sprintf("invalid file %s: %s, the first: %s", describeInput(invalid.Name), plural(len(invalid.Problems), "problem", "problems"), invalid.Problems[0])
	c.log.Error(fmt.Sprintf("invalid file %s: %s; nothing was sent", describeInput(invalid.Name), plural(len(invalid.Problems), "problem", "problems")),
		"input", invalid.Name, "problems", len(invalid.Problems))
	for i, problem := range invalid.Problems {
		if i == maxPrintedProblems {
			c.log.Error(fmt.Sprintf("… and %d more problems, not listed", len(invalid.Problems)-maxPrintedProblems))
			break
		}
		if c.cfg != nil && c.cfg.logFormat == logFormatJSON {
			attrs := []any{"reason", problem.Reason}
			if problem.Line > 0 {
				attrs = append(attrs, "line", problem.Line)
			}
			if problem.Column != "" {
				attrs = append(attrs, "column", problem.Column, "value", problem.Value)
			}
			c.log.Error("invalid row", attrs...)
			continue
		}
		fmt.Fprintf(c.stderr, "  %s\n", problem)
	}
	c.printf("hint: fix the file and run again; run restock --help for the file format")
	return &exitError{code: exitInvalid}
}
