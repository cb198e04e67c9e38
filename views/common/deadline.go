package common

import (
	"time"

	"github.com/sluicehq/sluice/backend/deadline"
)

// DeadlineMsg tells the root the nearest data-loss deadline among the
// session's DLQs, so that the status bar warns on any tab when it is
// under the warning threshold. Found false clears it (hydrated, gone).
type DeadlineMsg struct {
	// Gen is the session the deadline was computed for.
	Gen   int
	Found bool
	Queue deadline.Queue
}

// HydrateNearest is the Extra of an OpenMsg to the DLQ tab sent by the
// status bar's hydrate key: open the queue and, when its browse is kept,
// ask to hydrate it.
type HydrateNearest struct{}

// Thresholds are the countdown's thresholds: the config's, else the
// defaults.
func (e *Env) Thresholds() deadline.Thresholds {
	warn, critical := e.Config.Deadline.Durations()
	return deadline.Thresholds{Warn: warn, Critical: critical}.Or(deadline.DefaultThresholds)
}

// DeadlineWarning is the status bar's line for q at now, and whether it
// is due: under the warning threshold (a bound only while it is still
// ahead).
func DeadlineWarning(q deadline.Queue, t deadline.Thresholds, now time.Time) (string, bool) {
	lvl := q.Level(t, now)
	if lvl == deadline.Far {
		return "", false
	}
	left := q.Left(now)
	switch {
	case lvl == deadline.Gone:
		return q.Queue + ": records of its failures are past the stream's retention", true
	case q.Exact:
		return q.Queue + ": records lost in " + deadline.Short(left), true
	}
	return q.Queue + ": records may be lost in " + deadline.Short(left) + " (a bound: browse to know)", true
}

// DeadlineWarningShort is DeadlineWarning in the fewest cells, for a
// narrow status bar: the queue and the time left to its deadline ("≥"
// for a bound).
func DeadlineWarningShort(q deadline.Queue, t deadline.Thresholds, now time.Time) (string, bool) {
	lvl := q.Level(t, now)
	switch {
	case lvl == deadline.Far:
		return "", false
	case lvl == deadline.Gone:
		return q.Queue + " records gone", true
	case q.Exact:
		return q.Queue + " " + deadline.Short(q.Left(now)), true
	}
	return q.Queue + " ≥" + deadline.Short(q.Left(now)), true
}
