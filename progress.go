package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"restock/importer"
)

// defaultProgressInterval is the time between two progress lines when stderr
// is not a terminal, as under cron or in CI.
const defaultProgressInterval = 10 * time.Second

// barInterval is how often the progress bar on a terminal is redrawn.
const barInterval = 200 * time.Millisecond

// progressDisplay shows a run's progress on stderr until stop is called.
type progressDisplay struct {
	done   chan struct{}
	wg     sync.WaitGroup
	finish func() // clears the progress bar, if any
}

// startProgress shows a progress bar when stderr is a terminal, one plain
// line per interval otherwise (no carriage returns, so logs stay readable),
// and nothing with --quiet. It reads the counters that the run updates.
//
// With JSON logs the progress lines are log records, and when stderr is not
// a terminal there is no bar, so that stderr holds JSON only.
func (c *command) startProgress(cfg *config, progress *importer.Progress, rows int) *progressDisplay {
	display := &progressDisplay{done: make(chan struct{}), finish: func() {}}
	if cfg.quiet {
		return display
	}

	interval := c.progressInterval
	if interval <= 0 {
		interval = defaultProgressInterval
	}
	show := c.printProgressLine
	if c.stderrIsTerminal {
		bar := progressbar.NewOptions64(int64(rows),
			progressbar.OptionSetWriter(c.stderr),
			progressbar.OptionSetDescription("rows"),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
		)
		interval = barInterval
		show = func(progress *importer.Progress) {
			if failed := progress.Failed.Load(); failed > 0 {
				bar.Describe(fmt.Sprintf("rows (%d failed)", failed))
			}
			_ = bar.Set64(progress.Done.Load())
		}
		display.finish = func() { _ = bar.Finish() }
	}

	display.wg.Add(1)
	go func() {
		defer display.wg.Done()
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				show(progress)
			case <-display.done:
				return
			}
		}
	}()
	return display
}

func (c *command) printProgressLine(progress *importer.Progress) {
	done, rows, failed := progress.Done.Load(), progress.Rows.Load(), progress.Failed.Load()
	c.log.Info(fmt.Sprintf("progress: %d of %d rows done, %d failed", done, rows, failed), "done", done, "rows", rows, "failed", failed)
}

// stop ends the display, clears the bar and returns once nothing more is
// written.
func (d *progressDisplay) stop() {
	close(d.done)
	d.wg.Wait()
	d.finish()
}
