package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"restock/importer"
)

// journaledRun is the state-folder side of a run that writes: the lock, the
// journal, and what an earlier run settled when resuming.
type journaledRun struct {
	id       string
	journal  *importer.Journal
	previous map[int]importer.Outcome
	unlock   func()
}

// openState opens the state folder, and locks it when lock is set. A
// sandbox run uses the sandbox folder inside it, which also keeps the demo
// store's levels. cleanup releases the lock.
func (c *command) openState(cfg *config, now time.Time, lock bool) (state *importer.StateDir, cleanup func(), err error) {
	path, err := c.stateFolder(cfg.stateDir, cfg.sandbox)
	if err != nil {
		return nil, nil, err
	}
	removeFolder := func() {}
	if !lock {
		state, err = importer.OpenStateDir(path)
		if err != nil {
			return nil, nil, usageErrorf("invalid --state-dir %q: %v", path, err)
		}
		return state, func() {}, nil
	}

	state, err = importer.OpenStateDir(path)
	if err != nil {
		removeFolder()
		return nil, nil, usageErrorf("invalid --state-dir %q: %v", path, err)
	}
	unlock, tookOver, err := state.Lock(now)
	if err != nil {
		removeFolder()
		var locked *importer.LockedError
		if errors.As(err, &locked) {
			return nil, nil, rejectedErrorf("%v", locked)
		}
		return nil, nil, err
	}
	if tookOver != nil {
		c.printf("took over the state folder lock left by pid %d (started %s), which is no longer running", tookOver.PID, tookOver.Since.Format(time.RFC3339))
	}
	if cfg.sandboxReset {
		if err := resetSandbox(state); err != nil {
			unlock()
			return nil, nil, err
		}
		c.printf("sandbox: starting again from its seed, with no earlier runs")
	}
	return state, func() { unlock(); removeFolder() }, nil
}

// stateFolder returns --state-dir or the default per-user folder, or the
// sandbox folder inside it.
func (c *command) stateFolder(flagValue string, sandbox bool) (string, error) {
	path := flagValue
	if path == "" {
		var err error
		if path, err = importer.DefaultStateDir(c.getenv); err != nil {
			return "", usageErrorf("%v", err)
		}
	}
	if sandbox {
		path = sandboxStateDir(path)
	}
	return path, nil
}

// readResumed reads the journal of the run to resume, and makes the plan
// follow that run's --merge-duplicates so that requests keep their indexes.
func (c *command) readResumed(cfg *config, state *importer.StateDir) (*importer.JournalState, error) {
	resumed, err := state.ReadRun(cfg.resumeID)
	if err != nil {
		return nil, rejectedErrorf("cannot resume: %v", err)
	}
	if resumed.Complete() && !cfg.retryUnknown {
		return nil, rejectedErrorf("run %s has nothing left to send (%s)", cfg.resumeID, importer.FormatCounts(resumed.RowCounts))
	}
	if cfg.mergeDuplicates != resumed.Header.MergeDuplicates {
		c.printf("resuming with --merge-duplicates=%v, as run %s started", resumed.Header.MergeDuplicates, cfg.resumeID)
		cfg.mergeDuplicates = resumed.Header.MergeDuplicates
	}
	return resumed, nil
}

// checkGuards rejects a run that could apply a file twice: a new run of a
// file an earlier run applied or left unfinished, or a resume with another
// file than its run read.
func (c *command) checkGuards(state *importer.StateDir, resumed *importer.JournalState, plan *importer.Plan, cfg *config) error {
	in := plan.Input
	if resumed != nil {
		header := resumed.Header
		if in.SHA256 != header.SHA256 {
			return rejectedErrorf("cannot resume run %s with %q: its content (sha256 %s) differs from the file that run read, %q (sha256 %s); resume with that same file",
				header.ID, in.Name, in.SHA256[:12], header.Input, header.SHA256[:12])
		}
		// Rows named by SKU are resolved again: the catalogue may have
		// changed since, so each request must still name what was sent.
		mismatch := len(plan.Requests) != header.Requests
		for index, sent := range resumed.Requests {
			if mismatch || index >= len(plan.Requests) {
				mismatch = true
				break
			}
			request := plan.Requests[index]
			mismatch = request.ProductID.String() != sent.ProductID || request.VariantID.String() != sent.VariantID || request.Quantity != sent.Quantity
		}
		if mismatch {
			return rejectedErrorf("cannot resume run %s: the store's SKUs now resolve this file to other variants than the run sent; check the report of run %s and send the remaining rows as a new file", header.ID, header.ID)
		}
		return nil
	}

	runs, err := state.Runs()
	if err != nil {
		return err
	}
	err = importer.CheckRepeat(runs, in.SHA256, cfg.allowRepeat && !cfg.undo)
	var repeat *importer.RepeatError
	if cfg.undo && errors.As(err, &repeat) {
		h := repeat.Earlier.Header
		return rejectedErrorf("run %s was already undone by run %s, started %s (%s); a run is undone once", cfg.input, h.ID, h.StartedAt.Format(time.RFC3339), importer.FormatCounts(repeat.Earlier.RowCounts))
	}
	if err != nil {
		return rejectedErrorf("%v", err)
	}
	return nil
}

// startJournal creates the journal of a new run, or reopens the journal of
// the run to resume. checkGuards must have passed.
func (c *command) startJournal(state *importer.StateDir, resumed *importer.JournalState, plan *importer.Plan, cfg *config, apiURL, runID string, now time.Time) (*journaledRun, error) {
	in := plan.Input
	if resumed != nil {
		header := resumed.Header
		journal, err := importer.OpenJournal(state.JournalPath(header.ID))
		if err != nil {
			return nil, err
		}
		previous := make(map[int]importer.Outcome, len(resumed.Outcomes))
		for index, outcome := range resumed.Outcomes {
			if outcome.Status == importer.StatusUnknown && cfg.retryUnknown {
				continue
			}
			previous[index] = outcome
		}
		return &journaledRun{id: header.ID, journal: journal, previous: previous}, nil
	}

	header := importer.RunHeader{
		ID:              runID,
		Input:           in.Name,
		SHA256:          in.SHA256,
		StartedAt:       now.UTC(),
		APIURL:          apiURL,
		MergeDuplicates: cfg.mergeDuplicates,
		Rows:            plan.RowsToSend(),
		Requests:        len(plan.Requests),
	}
	if cfg.undo {
		header.Undoes = cfg.input
	}
	journal, err := state.CreateRun(header)
	if err != nil {
		return nil, err
	}
	return &journaledRun{id: header.ID, journal: journal}, nil
}

// listRuns prints the runs of the state folder: "restock runs".
func (c *command) listRuns(args []string) error {
	flags := flag.NewFlagSet("restock runs", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	stateDir := flags.String("state-dir", "", "")
	sandbox := flags.Bool("sandbox", false, "")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(c.stdout, "Usage: restock runs [--state-dir DIR] [--sandbox]\n\nLists the runs kept in the state folder, oldest first; --sandbox lists the demo store's.")
			return errHelp
		}
		return describeFlagError(err)
	}
	if flags.NArg() > 0 {
		return usageErrorf("restock runs takes no arguments, got %q", flags.Args())
	}

	path, err := c.stateFolder(*stateDir, *sandbox)
	if err != nil {
		return err
	}
	state, err := importer.OpenStateDir(path)
	if err != nil {
		return usageErrorf("invalid --state-dir %q: %v", path, err)
	}
	runs, err := state.Runs()
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		c.printf("no runs in %s", path)
		return nil
	}

	table := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(table, "RUN\tSTARTED\tSTATE\tINPUT\tSHA256\tROWS")
	for _, run := range runs {
		if run.Err != nil {
			fmt.Fprintf(table, "%s\t\tdamaged journal\t\t\t%v\n", run.ID, run.Err)
			continue
		}
		h := run.State.Header
		fmt.Fprintf(table, "%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.StartedAt.Format(time.RFC3339), runState(run.State), h.Input, h.SHA256[:12], importer.FormatCounts(run.State.RowCounts))
	}
	return table.Flush()
}

// runState describes how a run ended: "finished" when its process ended
// normally with every row settled, "stopped early" when it ended normally
// with rows left to send, "not finished" when its process died or still
// runs.
func runState(state *importer.JournalState) string {
	switch {
	case !state.Finished:
		return "not finished"
	case !state.Complete():
		return "stopped early"
	default:
		return "finished"
	}
}
