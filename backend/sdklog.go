package backend

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// sdkLogger hands what the SDK logs to sluice's log. The SDK's default
// logger writes to stderr, which is the screen the TUI draws on: a
// "Response has no supported checksum" line on every GetObject of an
// object stored without a checksum would tear the UI apart.
type sdkLogger struct {
	log *slog.Logger
	ctx context.Context
}

func newSDKLogger(log *slog.Logger) sdkLogger {
	return sdkLogger{log: log, ctx: context.Background()}
}

// Logf keeps the SDK's own classification as the level: its DEBUG lines
// (such as the skipped checksum) are noise unless asked for, its WARN
// lines are not.
func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelInfo
	switch c {
	case logging.Debug:
		level = slog.LevelDebug
	case logging.Warn:
		level = slog.LevelWarn
	}
	if !l.log.Enabled(l.ctx, level) {
		return
	}
	l.log.Log(l.ctx, level, fmt.Sprintf(format, v...), "source", "aws-sdk")
}

// WithContext lets the handler see the call's context (its deadline,
// values a handler may read).
func (l sdkLogger) WithContext(ctx context.Context) logging.Logger {
	return sdkLogger{log: l.log, ctx: ctx}
}
