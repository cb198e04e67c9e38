package deadline

import (
	"fmt"
	"time"
)

// Text is a queue's deadline as a list cell: "45m" (exact), "≥3h10m" (a
// bound), "records gone", "may be gone" (a bound already past: browse to
// know), or "-" (none).
func (q Queue) Text(now time.Time) string {
	left := q.Left(now)
	switch {
	case q.Exact && q.Known():
		s := Short(max(left, 0))
		if q.RecordsGone > 0 {
			s += fmt.Sprintf(" +%d gone", q.RecordsGone)
		}
		return s
	case q.Exact && q.RecordsGone > 0:
		return "records gone"
	case q.Known() && left > 0:
		return "≥" + Short(left)
	case q.Known():
		return "may be gone"
	}
	return "-"
}

// Level is how near the queue's deadline is; Far when it has none, or
// when it is a bound that may already have passed (nothing is known).
func (q Queue) Level(t Thresholds, now time.Time) Level {
	switch {
	case q.Exact && !q.Known() && q.RecordsGone > 0:
		return Gone
	case !q.Known(), !q.Exact && !q.At.After(now):
		return Far
	}
	return t.Level(q.Left(now))
}

// Text is a message's deadline as a cell: "45m", or "records gone".
func (m Message) Text(now time.Time) string {
	if m.RecordsGone {
		return "records gone"
	}
	return Short(max(m.Left(now), 0))
}
