package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/shopgraph/shopgraph/internal/config"
)

// logSettings are shared by every command: LOG_LEVEL and LOG_FORMAT.
type logSettings struct {
	level  slog.Level
	format string
}

func (l *logSettings) register(s *config.Set) {
	s.Func("log-level", "LOG_LEVEL", "info", "debug, info, warn or error", func(v string) error {
		return l.level.UnmarshalText([]byte(v))
	})
	s.Func("log-format", "LOG_FORMAT", "text", "text or json", func(v string) error {
		v = strings.ToLower(v)
		if v != "text" && v != "json" {
			return fmt.Errorf("want text or json")
		}
		l.format = v
		return nil
	})
}

func (l *logSettings) logger(w io.Writer, component string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: l.level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if l.format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h).With("component", component)
}
