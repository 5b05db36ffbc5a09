package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"restock/report"
)

// notifyTimeout bounds the post of a notification, so that an endpoint
// that hangs does not hold a nightly job.
const notifyTimeout = 15 * time.Second

// notification is the JSON summary posted to --notify when a run ends,
// however it ends. Its shape is documented in the README.
type notification struct {
	RunID    string          `json:"run_id"` // "" when the run was rejected before it started
	Input    string          `json:"input"`
	DryRun   bool            `json:"dry_run"`
	Undo     bool            `json:"undo"`
	ExitCode int             `json:"exit_code"`
	Outcome  string          `json:"outcome"` // the exit code's meaning, such as "ok" or "unknown"
	Duration float64         `json:"duration_seconds"`
	Report   string          `json:"report"`          // "" when no report was written
	Summary  *report.Summary `json:"summary"`         // the report's counts; null when the run never started
	Error    string          `json:"error,omitempty"` // the reason a run was rejected or stopped before it started
}

// outcomeNames gives each exit code a name for the notification.
var outcomeNames = map[int]string{
	exitOK:          "ok",
	exitRowsFailed:  "rows_failed",
	exitInvalid:     "rejected",
	exitStopped:     "stopped",
	exitUnknown:     "unknown",
	exitInterrupted: "interrupted",
}

// notify posts the notification. A failure is logged and never changes the
// exit code.
func (c *command) notify(code int, duration time.Duration) {
	n := c.outcome
	n.ExitCode = code
	n.Outcome = outcomeNames[code]
	n.DryRun = c.cfg.dryRun
	n.Undo = c.cfg.undo
	n.Duration = duration.Round(time.Millisecond).Seconds()
	body, err := json.Marshal(n)
	if err != nil {
		c.log.Error(fmt.Sprintf("notification not sent: %v", err), "error", err.Error())
		return
	}

	client := c.httpClient
	if client == nil {
		client = &http.Client{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), notifyTimeout)
	defer cancel()
	request, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.notifyURL, bytes.NewReader(body))
	if err != nil {
		c.log.Error(fmt.Sprintf("notification to %s not sent: %v", c.cfg.notifyURL, err), "url", c.cfg.notifyURL, "error", err.Error())
		return
	}
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("User-Agent", "restock/"+version())
	response, err := client.Do(request)
	if err != nil {
		c.log.Error(fmt.Sprintf("notification to %s not sent: %v; check --notify", c.cfg.notifyURL, err), "url", c.cfg.notifyURL, "error", err.Error())
		return
	}
	defer response.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, 64<<10))
	if response.StatusCode < 200 || response.StatusCode > 299 {
		c.log.Error(fmt.Sprintf("notification rejected: %s responded %s; check --notify", c.cfg.notifyURL, response.Status), "url", c.cfg.notifyURL, "status", response.StatusCode)
		return
	}
	c.log.Debug("notification sent", "url", c.cfg.notifyURL)
}
