package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
)

// Log formats of --log-format.
const (
	logFormatText = "text"
	logFormatJSON = "json"
)

// newLogger returns the logger for stderr: JSON records with --log-format
// json, otherwise lines for a person, "restock: message key=value ...".
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	if format == logFormatJSON {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(&textHandler{out: &lockedWriter{w: w}, level: level})
}

// parseLogLevel parses --log-level.
func parseLogLevel(name string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(name)); err != nil {
		return 0, usageErrorf("invalid --log-level %q: use debug, info, warn or error", name)
	}
	return level, nil
}

// textHandler writes each record as one line for a person: the command's
// prefix and the message. Messages are whole sentences that carry their
// values, so the attributes, which JSON logs add for machines, are left out.
type textHandler struct {
	out   *lockedWriter
	level slog.Level
}

// lockedWriter serializes the writes of handlers derived from one another.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (h *textHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level
}

func (h *textHandler) Handle(_ context.Context, record slog.Record) error {
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	_, err := io.WriteString(h.out.w, "restock: "+record.Message+"\n")
	return err
}

func (h *textHandler) WithAttrs([]slog.Attr) slog.Handler {
	return h
}

func (h *textHandler) WithGroup(string) slog.Handler {
	return h
}
